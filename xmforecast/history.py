"""Run history: how each target's probability moved from run to run, and how forecasts fared.

Every completed run folder holds ``manifest.json`` (when it started), ``summary.csv``
(one row per scenario and target, with the probability) and ``forecasts.csv`` (every
simulated year's median and central interval, see :func:`xmforecast.summary.scenario_forecasts`).
Reading the earlier folders beside a new run gives:

- :func:`probability_history`: each target's probability by run date;
- :func:`forecasts_against_outcomes`: once actuals exist for a year that a run forecast,
  what that run said (point, interval, probability) and what happened;
- :func:`hit_rate`: the share of those actuals inside their interval.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["RunRecord", "EMBEDDED", "plan_key", "run_plan", "completed_runs", "probability_history",
           "forecasts_against_outcomes", "hit_rate"]

#: The plan key of a run on the embedded registry.
EMBEDDED = "embedded"

_RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}(-\d+)?$")


@dataclass(frozen=True)
class RunRecord:
    """One completed run.

    Attributes
    ----------
    run_id : str
        Folder name, ``YYYY-MM-DD_HHMMSS``.
    started : datetime
        When the run started (from its manifest).
    folder : Path
        The run folder.
    """

    run_id: str
    started: datetime
    folder: Path
    plan: str = EMBEDDED


def plan_key(indicators_file: str | Path | None) -> str:
    """Which plan a run belongs to: ``"embedded"``, or the absolute path of its registry.

    Examples
    --------
    >>> plan_key(""), plan_key(None)
    ('embedded', 'embedded')
    """
    return EMBEDDED if not indicators_file or not str(indicators_file).strip() else str(
        Path(indicators_file).expanduser().resolve())


def run_plan(manifest: dict) -> str:
    """The plan of a run from its manifest (its ``plan``, else its scenarios' registry)."""
    if manifest.get("plan"):
        return str(manifest["plan"])
    for scenario in (manifest.get("scenarios") or {}).values():
        return plan_key(((scenario or {}).get("parameters") or {}).get("indicators_file"))
    return EMBEDDED


def completed_runs(out: str | Path, *, extra: RunRecord | None = None, plan: str | None = None) -> list[RunRecord]:
    """Completed runs under `out` (status ok, with a summary), oldest first.

    Parameters
    ----------
    out : str or Path
        The reports folder.
    extra : RunRecord, optional
        A run not yet in `out` (the one being published), added to the list.
    plan : str, optional
        Only the runs of this plan (see :func:`plan_key`); default every run.
    """
    runs = []
    root = Path(out)
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if not (folder.is_dir() and _RUN_NAME.match(folder.name)):
            continue
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            started = datetime.fromisoformat(manifest["started"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if manifest.get("status") == "ok" and (folder / "summary.csv").is_file():
            record = RunRecord(folder.name, started, folder, run_plan(manifest))
            if plan is None or record.plan == plan:
                runs.append(record)
    if extra is not None:
        runs = [r for r in runs if r.run_id != extra.run_id] + [extra]
    return sorted(runs, key=lambda r: (r.started.replace(tzinfo=None), r.run_id))


def _read(path: Path) -> pd.DataFrame | None:
    import pandas as pd

    try:
        return pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


def probability_history(runs: list[RunRecord]) -> pd.DataFrame:
    """Each target's probability in each run.

    Returns
    -------
    DataFrame
        ``run_id, run_date, scenario, title, indicator, name_zh, name_en, target_year,
        status, p_attain``, oldest run first.
    """
    import pandas as pd

    columns = ["run_id", "run_date", "scenario", "title", "indicator", "name_zh", "name_en", "target_year",
               "status", "p_attain"]
    frames = []
    for run in runs:
        summary = _read(run.folder / "summary.csv")
        if summary is None or not {"scenario", "indicator", "p_attain"} <= set(summary.columns):
            continue
        frames.append(summary.reindex(columns=columns).assign(
            run_id=run.run_id, run_date=pd.Timestamp(run.started.replace(tzinfo=None))))
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def forecasts_against_outcomes(runs: list[RunRecord], observations: pd.DataFrame, *,
                               scenario: str | None = None) -> pd.DataFrame:
    """What each run forecast for a year that has since been observed, and what happened.

    Parameters
    ----------
    runs : list of RunRecord
        From :func:`completed_runs`.
    observations : DataFrame
        The newest observations (``indicator, year, value``).
    scenario : str, optional
        Only this scenario's forecasts (e.g. the baseline); default all.

    Returns
    -------
    DataFrame
        One row per run, scenario, indicator and forecast year after the run's origin with an
        actual: ``run_id, run_date, scenario, indicator, origin, year, point, lower, upper,
        level, p_attain, target_level, actual, inside, reached``. ``inside`` is whether the
        actual fell within the interval; ``reached`` whether it met the target (in the
        target year only).
    """
    import pandas as pd

    columns = ["run_id", "run_date", "scenario", "indicator", "origin", "year", "point", "lower", "upper",
               "level", "p_attain", "target_level", "actual", "inside", "reached"]
    actuals = (observations.dropna(subset=["value"]).drop_duplicates(["indicator", "year"], keep="last")
               .set_index(["indicator", "year"])["value"])
    rows = []
    for run in runs:
        forecasts = _read(run.folder / "forecasts.csv")
        if forecasts is None or forecasts.empty:
            continue
        if scenario is not None:
            forecasts = forecasts[forecasts["scenario"] == scenario]
        for rec in forecasts.to_dict("records"):
            key = (rec["indicator"], int(rec["year"]))
            if int(rec["year"]) <= int(rec["origin"]) or key not in actuals.index:
                continue
            actual = float(actuals.loc[key])
            inside = bool(rec["lower"] <= actual <= rec["upper"])
            reached = math.nan
            if int(rec["year"]) == int(rec["target_year"]) and math.isfinite(rec["target_level"]):
                down = rec.get("direction") == "decrease"
                reached = actual <= rec["target_level"] if down else actual >= rec["target_level"]
            rows.append({**{k: rec.get(k) for k in columns if k in rec}, "run_id": run.run_id,
                         "run_date": pd.Timestamp(run.started.replace(tzinfo=None)), "actual": actual,
                         "inside": inside, "reached": reached})
    return pd.DataFrame(rows, columns=columns)


def hit_rate(outcomes: pd.DataFrame) -> float:
    """Share of actuals inside their forecast interval (NaN with none).

    Examples
    --------
    >>> import pandas as pd
    >>> hit_rate(pd.DataFrame({"inside": [True, False, True, True]}))
    0.75
    """
    if outcomes is None or outcomes.empty:
        return math.nan
    return float(outcomes["inside"].astype(bool).mean())
