"""The summary table's schema: one row per target and scenario, and its CSV precision.

A scenario's summary (:func:`scenario_summary`) has one row per target with the columns
of :data:`SUMMARY_COLUMNS`; :func:`scenario_forecasts` keeps each simulated year's point
and interval so that later runs can hold them against the actuals (see
:mod:`xmforecast.history`). :func:`round_for_csv` writes both to the precision of their
inputs.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .formatting import decimals_of, field, lever_count, to_float

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "SUMMARY_COLUMNS",
    "FORECAST_COLUMNS",
    "scenario_summary",
    "scenario_forecasts",
    "round_for_csv",
    "required_from_latest",
    "run_warnings",
]


#: Columns of a scenario's ``summary.csv``, in order (the run's adds nothing but rows).
SUMMARY_COLUMNS = (
    "scenario", "title", "indicator", "name_zh", "name_en", "unit", "kind", "direction",
    "target_year", "target_type", "target_value", "target_level", "base_year", "base_value",
    "latest_year", "latest_value", "gap", "required_growth", "required_from_latest", "observed_growth",
    "progress_ratio",
    "status", "p_attain", "expected_year", "level", "point", "lower", "upper",
    "lever", "lever_needed", "lever_last", "lever_last_year", "model", "note", "data_quality", "origin",
    "at_required_rate",
)


#: Columns of ``forecasts.csv``: every simulated year of every target, with its interval.
FORECAST_COLUMNS = ("scenario", "indicator", "origin", "year", "point", "lower", "upper", "level",
                    "target_year", "target_level", "direction", "p_attain")


_FRACTIONS = ("required_growth", "observed_growth")


_VALUES = ("target_level", "base_value", "latest_value", "gap", "point", "lower", "upper")


def quantiles(paths: Any, year: int, level: float) -> tuple[float, float, float]:
    import numpy as np

    if year not in paths.index:
        return (math.nan, math.nan, math.nan)
    values = np.asarray(paths.loc[year], dtype=float)
    values = values[np.isfinite(values)]
    if not values.size:
        return (math.nan, math.nan, math.nan)
    tail = (100 - level) / 200
    low, mid, high = np.quantile(values, [tail, 0.5, 1 - tail])
    return float(mid), float(low), float(high)


def scenario_summary(evaluation: Any, indicators: pd.DataFrame, scenario: Any, *,
                     levers: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per target: the verdict's numbers, the forecast at the target year, the lever.

    Parameters
    ----------
    evaluation : TargetEvaluation
        From :func:`xmforecast.evaluate_targets`.
    indicators : DataFrame
        The registry (names, unit, kind, direction).
    scenario : Scenario
        The scenario evaluated (name, title, level, origin).
    levers : DataFrame, optional
        From :func:`xmforecast.what_it_takes`: ``lever`` and ``needed_per_year`` by indicator.

    Returns
    -------
    DataFrame
        The columns of :data:`SUMMARY_COLUMNS`; ``point``, ``lower`` and ``upper`` are the
        median and the central `scenario.level` % interval of the simulated target year.
    """
    import pandas as pd

    table = evaluation.table.copy()
    names = indicators.set_index("id")[["name_zh", "name_en", "unit", "kind", "direction"]]
    table = table.join(names, on="indicator")
    level = float(scenario.level)
    forecast = {ind: quantiles(sim.paths, int(table.set_index("indicator").loc[ind, "target_year"]), level)
                for ind, sim in evaluation.simulations.items()}
    table["level"] = level
    for k, column in enumerate(("point", "lower", "upper")):
        table[column] = [forecast.get(ind, (math.nan,) * 3)[k] for ind in table["indicator"]]
    lever = (levers.set_index("indicator") if levers is not None and len(levers)
             else pd.DataFrame(columns=["lever", "needed_per_year", "last_observed", "last_year"]))
    for column, source in (("lever", "lever"), ("lever_needed", "needed_per_year"),
                           ("lever_last", "last_observed"), ("lever_last_year", "last_year")):
        table[column] = [lever[source].get(ind, None) if source in lever else None for ind in table["indicator"]]
    table["scenario"] = scenario.scenario
    table["title"] = scenario.title or scenario.scenario
    table["origin"] = scenario.origin
    table["at_required_rate"] = bool(getattr(scenario, "at_required_rate", False))
    for column in SUMMARY_COLUMNS:
        if column not in table.columns:
            table[column] = None
    extra = [c for c in table.columns if c not in SUMMARY_COLUMNS]
    return table[[*SUMMARY_COLUMNS, *extra]].reset_index(drop=True)


def scenario_forecasts(evaluation: Any, scenario: Any) -> pd.DataFrame:
    """Every simulated year of every target: median and central interval.

    Returns
    -------
    DataFrame
        The columns of :data:`FORECAST_COLUMNS`; ``p_attain`` only in the target year's row.
    """
    import pandas as pd

    table = evaluation.table.set_index("indicator")
    rows = []
    for ind, sim in evaluation.simulations.items():
        row = table.loc[ind]
        origin = int(sim.history.index.max()) if len(sim.history) else scenario.origin
        for year in sim.paths.index:
            point, lower, upper = quantiles(sim.paths, int(year), float(scenario.level))
            rows.append(dict(scenario=scenario.scenario, indicator=ind, origin=origin, year=int(year),
                             point=point, lower=lower, upper=upper, level=float(scenario.level),
                             target_year=int(row["target_year"]), target_level=float(row["target_level"]),
                             direction=row.get("direction", "increase") if hasattr(row, "get") else "increase",
                             p_attain=row["p_attain"] if int(year) == int(row["target_year"]) else math.nan))
    frame = pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))
    return frame


def round_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Round a summary or forecasts table to the precision of its inputs.

    Growth rates to 4 decimals, probabilities to 4, progress ratios to 3; levels, points
    and intervals to the decimals of the indicator's published figures (at least those of
    its baseline and latest value); years as integers.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"indicator": ["a"], "base_value": [45.16], "point": [61.23456],
    ...                   "required_growth": [0.32860938], "expected_year": [2017.0]})
    >>> print(round_for_csv(t).to_csv(index=False).strip())
    indicator,base_value,point,required_growth,expected_year
    a,45.16,61.23,0.3286,2017
    """
    import pandas as pd

    out = frame.copy()
    for column in _FRACTIONS:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(4)
    for column in ("p_attain", "base_rate"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(4)
    if "progress_ratio" in out:
        out["progress_ratio"] = pd.to_numeric(out["progress_ratio"], errors="coerce").round(3)
    for column in ("target_year", "base_year", "latest_year", "year", "origin", "lever_last_year"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").round().astype("Int64")
    if "expected_year" in out:  # a year, or a text such as "after 2035"
        years = pd.to_numeric(out["expected_year"], errors="coerce")
        out["expected_year"] = pd.array(
            [int(round(y)) if y == y else (v if isinstance(v, str) and v.strip() else None)
             for y, v in zip(years, out["expected_year"])], dtype=object)
    if "lever_needed" in out:  # the next whole one up, as every page shows it (see lever_count)
        out["lever_needed"] = pd.array([lever_count(v) for v in out["lever_needed"]], dtype="Int64")
    if "lever_last" in out:
        out["lever_last"] = pd.to_numeric(out["lever_last"], errors="coerce").round().astype("Int64")
    if "required_from_latest" in out:
        out["required_from_latest"] = pd.to_numeric(out["required_from_latest"], errors="coerce").round(4)
    if "indicator" in out:
        places = {}
        for ind, group in out.groupby("indicator", sort=False):
            seen = [decimals_of(v) for c in ("base_value", "latest_value") if c in group for v in group[c]]
            places[ind] = max(seen, default=2)
        for column in _VALUES + ("target_level",):
            if column in out:
                numbers_ = pd.to_numeric(out[column], errors="coerce")
                out[column] = pd.array([None if not math.isfinite(v) else
                                        int(round(v)) if places[ind] == 0 else round(v, places[ind])
                                        for v, ind in zip(numbers_.astype(float), out["indicator"])],
                                       dtype=object)
    return out


def required_from_latest(row: Any) -> float | None:
    """Required growth per year from the row's latest observation [fraction] (None if undefined)."""
    from .targets import required_growth_from_latest

    given = to_float(field(row, "required_from_latest"))
    if given is not None:
        return given
    values = [to_float(field(row, k)) for k in ("latest_value", "latest_year", "target_level", "target_year")]
    if any(v is None for v in values):
        return None
    return to_float(required_growth_from_latest(*values))


def run_warnings(summary: pd.DataFrame) -> list[str]:
    """One line per target a model could not fit or whose target year precedes the data, saying why (for stderr).

    Examples
    --------
    >>> import pandas as pd
    >>> run_warnings(pd.DataFrame({"scenario": ["a"], "indicator": ["x_index"],
    ...                            "note": ["not simulated: `ets` needs at least 8 observations; got 3."]}))
    ["scenario 'a', x_index: no probability: `ets` needs at least 8 observations; got 3."]
    """
    from .targets import BEFORE_THE_DATA

    lines = []
    if "note" not in summary:
        return lines
    for rec in summary.to_dict("records"):
        note = str(field(rec, "note") or "")
        where = f"scenario '{rec['scenario']}', " if field(rec, "scenario") else ""
        if note.startswith("not simulated"):
            lines.append(f"{where}{rec['indicator']}: no probability: {note.split(': ', 1)[-1]}")
        elif note.startswith(BEFORE_THE_DATA):  # most likely a registry typo: say so, not just "no baseline"
            lines.append(f"{where}{rec['indicator']}: not assessed: {note.split(': ', 1)[-1]}")
    return lines
