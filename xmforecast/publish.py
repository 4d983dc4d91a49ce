"""Publishing: run folders, the notebooks' output folders, the run history's files, the font copy.

Everything here reads or writes files; what the files hold comes from
:mod:`xmforecast.summary` (tables) and :mod:`xmforecast.plots` (charts).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .formatting import Lang, field
from .pages import FONT_FOLDER
from .summary import SUMMARY_COLUMNS, round_for_csv

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "install_font",
    "collect_run",
    "write_history",
    "latest_of_each_scenario",
    "output_folder",
    "newest_run",
]


def install_font(out: str | Path) -> str | None:
    """Copy the shipped CJK font (Noto Sans SC, SIL OFL 1.1) to ``<out>/_fonts/`` once.

    Pages then render Chinese on a machine without a CJK font. Returns the file name, or
    None when the font package is not installed.
    """
    import shutil

    from .fonts import _bundled_font

    font = _bundled_font()
    if font is None:
        return None
    target = Path(out) / FONT_FOLDER / font.name
    if not target.is_file() or target.stat().st_size != font.stat().st_size:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        try:
            shutil.copyfile(font, tmp)
            tmp.replace(target)
        except BaseException:  # a full disk, an interrupt: no half-copied font is left behind
            tmp.unlink(missing_ok=True)
            raise
    return font.name


def collect_run(run_dir: str | Path, scenarios: list[str]) -> pd.DataFrame:
    """Join the scenarios' ``summary.csv`` and ``forecasts.csv`` into the run's own.

    Parameters
    ----------
    run_dir : str or Path
        The run folder, with one sub-folder per scenario.
    scenarios : list of str
        Scenario names, in the order of the report.

    Returns
    -------
    DataFrame
        The run's summary (written to ``<run_dir>/summary.csv``, a ``scenario`` column
        first); a scenario without a summary is left out.
    """
    import pandas as pd

    run_dir = Path(run_dir)
    for name in ("summary.csv", "forecasts.csv"):
        frames = []
        for scenario in scenarios:
            path = run_dir / scenario / name
            if path.is_file():
                frame = pd.read_csv(path)
                frames.append(frame.drop(columns="scenario", errors="ignore").assign(scenario=scenario))
        if not frames:
            continue
        table = pd.concat(frames, ignore_index=True)
        table = table[["scenario", *[c for c in table.columns if c != "scenario"]]]
        table.to_csv(run_dir / name, index=False)
    path = run_dir / "summary.csv"
    return pd.read_csv(path) if path.is_file() else pd.DataFrame(columns=list(SUMMARY_COLUMNS))


def write_history(out: str | Path, run_dir: str | Path, run_id: str, started: Any, *,
                  reference: str | None, data_file: str | None = None, indicators_file: str | None = None,
                  lang: Lang = "zh") -> None:
    """Write the run history into ``<run_dir>/_history/``: tables (CSV) and charts (PNG).

    Parameters
    ----------
    out : str or Path
        The reports folder holding the earlier runs.
    run_dir : str or Path
        The run being published (not yet in `out`).
    run_id : str
        Its final name.
    started : datetime
        When it started.
    reference : str, optional
        The scenario whose forecasts are held against the outcomes (the run's first).
    data_file : str, optional
        The run's extra observations: the actuals, with the shipped data.
    indicators_file : str, optional
        The run's plan (registry); default the embedded one. Names and actuals come from it.
    lang : {"zh", "en"}
    """
    from . import plots
    from .data import load_observations
    from .history import RunRecord, completed_runs, forecasts_against_outcomes, plan_key, probability_history
    from .registry import load_indicators

    folder = Path(run_dir) / "_history"
    folder.mkdir(parents=True, exist_ok=True)
    plan = plan_key(indicators_file)  # a plan's history never mixes in another plan's runs
    runs = completed_runs(out, extra=RunRecord(run_id, started, Path(run_dir), plan), plan=plan)
    registry = load_indicators(indicators_file or None)
    names = registry.set_index("id")[["name_zh", "name_en"]]
    probabilities = probability_history(runs)
    round_for_csv(probabilities).to_csv(folder / "probability_history.csv", index=False)
    observations = load_observations(data_file or None, indicators=registry)
    outcomes = forecasts_against_outcomes(runs, observations, scenario=reference)
    outcomes = outcomes.join(names, on="indicator")
    round_for_csv(outcomes).to_csv(folder / "forecasts_vs_outcomes.csv", index=False)
    import matplotlib.pyplot as plt

    shown = probabilities.dropna(subset=["p_attain"])
    if len(shown):
        fig = plots.probability_history_chart(shown.drop(columns=["name_zh", "name_en"]).join(names, on="indicator"),
                                              lang=lang)
        plots.save_figure(fig, folder / "probability_history.png")
        plt.close(fig)
    if len(outcomes):
        units = dict(zip(registry["id"], registry["unit"]))
        fig = plots.outcomes_chart(outcomes, lang=lang, units=units)
        plots.save_figure(fig, folder / "forecasts_vs_outcomes.png")
        plt.close(fig)


def latest_of_each_scenario(out: str | Path, plan: str, *, shown: list[str], current: str) -> list[dict]:
    """The scenarios of a plan's earlier runs that the newest run left out, each from its latest run.

    Parameters
    ----------
    out : str or Path
        The reports folder.
    plan : str
        The plan's key (:func:`xmforecast.history.plan_key`).
    shown : list of str
        The scenarios of the newest run (left out here).
    current : str
        The newest run's folder name (left out here).

    Returns
    -------
    list of dict
        ``name``, ``title``, ``run_id``, ``summary`` (its rows of that run's summary) and
        ``html`` (the scenario page, relative to `out`, or None), latest runs first.
    """
    import json

    import pandas as pd

    from .history import completed_runs

    found: dict[str, dict] = {}
    for run in reversed(completed_runs(out, plan=plan)):
        if run.run_id == current:
            continue
        try:
            summary = pd.read_csv(run.folder / "summary.csv")
            manifest = json.loads((run.folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if "scenario" not in summary:
            continue
        for name, rows in summary.groupby("scenario", sort=False):
            name = str(name)
            if name in shown or name in found:
                continue
            page = next((r.get("html") for r in manifest.get("notebooks") or []
                         if r.get("label") == name and r.get("status") == "ok"), None)
            title = rows["title"].dropna().iloc[0] if "title" in rows and rows["title"].notna().any() else name
            found[name] = dict(name=name, title=str(title), run_id=run.run_id, summary=rows,
                               html=f"{run.run_id}/{page}" if page else None)
    return list(found.values())


def reports_dir() -> Path:
    """``reports/`` of the project the notebook runs in (the current folder or its parent)."""
    here = Path.cwd()
    for folder in (here, here.parent):
        if (folder / "reports").is_dir():
            return folder / "reports"
    return here / "reports"


def output_folder(output_dir: str | Path, name: str) -> Path:
    """The folder a notebook writes its files to, created if needed.

    Parameters
    ----------
    output_dir : str or Path
        The notebook's ``output_dir`` parameter; ``""`` means ``reports/notebooks/<name>``
        of the project (never the current folder unless asked for with ``"."``).
    name : str
        Sub-folder used when `output_dir` is empty (e.g. the scenario name).
    """
    folder = Path(output_dir) if str(output_dir) else reports_dir() / "notebooks" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def newest_run(run_dir: str | Path = "", reports: str | Path | None = None) -> Path:
    """`run_dir` if given, else the newest completed run under ``reports/``.

    Raises
    ------
    RunError
        With one line: the folder has no summary.csv, or there is no run yet.
    """
    from .exceptions import RunError
    from .history import completed_runs

    if str(run_dir):
        folder = Path(run_dir)
        if not (folder / "summary.csv").is_file():
            raise RunError(f"run_dir {folder}: no summary.csv there; pass the folder of a run (reports/<date>).")
        return folder
    root = Path(reports) if reports is not None else reports_dir()
    runs = completed_runs(root)
    if not runs:
        raise RunError(f"no completed run under {root}; run `xmforecast run` first, or pass -p run_dir FOLDER.")
    return runs[-1].folder
