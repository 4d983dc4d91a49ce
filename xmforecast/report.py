"""The report: the summary's columns, number formats, the probability colours and the pages.

Every page, chart and CSV of a run takes its numbers and colours from here, so that the
same probability reads the same everywhere:

- counts as integers with thousands separators (``1,225``), money and ratios to sensible
  decimals (``45.16``, ``141.2``), growth rates as whole percentages (``20 %``),
  probabilities as whole percentages with ``<1 %`` and ``>99 %`` at the ends, and ``—``
  for a missing value (never ``nan``, ``None`` or ``<NA>``);
- one colour scale means probability (five bands with the words of the IPCC's calibrated
  language: very unlikely < 10 % ≤ unlikely < 33 % ≤ about as likely as not < 66 % ≤
  likely < 90 % ≤ very likely); the trend grade is a column of words, never a colour of a
  probability.

A scenario's summary (:func:`scenario_summary`) has one row per target with the columns
of :data:`SUMMARY_COLUMNS`; :func:`scenario_forecasts` keeps each simulated year's point
and interval so that later runs can hold them against the actuals (see
:mod:`xmforecast.history`).

References
----------
Mastrandrea, M. D. et al. (2010), *Guidance Note for Lead Authors of the IPCC Fifth
Assessment Report on Consistent Treatment of Uncertainties*, IPCC, table 1.
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "MISSING",
    "SUMMARY_COLUMNS",
    "FORECAST_COLUMNS",
    "PROBABILITY_BANDS",
    "format_count",
    "format_amount",
    "format_value",
    "format_percent",
    "format_probability",
    "format_ratio",
    "format_year",
    "probability_band",
    "probability_colormap",
    "status_label",
    "verdict",
    "is_count",
    "format_figure",
    "model_words",
    "detail_table",
    "effort_table",
    "lever_table",
    "not_assessed",
    "render_section",
    "interval_note",
    "plan_target_sentence",
    "latest_of_each_scenario",
    "scenario_titles",
    "lever_count",
    "growth_words",
    "required_from_latest",
    "scenario_summary",
    "scenario_forecasts",
    "round_for_csv",
    "answer_table",
    "assumptions",
    "render_summary",
    "render_template",
]

Lang = Literal["zh", "en"]

#: What a missing number is written as, on every page and chart.
MISSING = "—"

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

# Units counted in whole items; every other unit is an amount or a ratio.
_COUNT_UNITS = frozenset({"家", "个", "件", "项", "人", "次", "张", "firms", "items"})
_FRACTIONS = ("required_growth", "observed_growth")
_VALUES = ("target_level", "base_value", "latest_value", "gap", "point", "lower", "upper")


# --------------------------------------------------------------------------- numbers


def _is_missing(value: Any) -> bool:
    """None, NaN, pandas' NA/NaT, or an empty or 'nan'-like string."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or value.strip().lower() in {"nan", "none", "<na>", "nat"}
    import numpy as np
    import pandas as pd

    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return bool(missing) if np.ndim(missing) == 0 else False


def _float(value: Any) -> float | None:
    if _is_missing(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _no_negative_zero(text: str) -> str:
    stripped = text.replace(",", "").replace(".", "").replace("0", "").replace("%", "").replace(" ", "")
    return text[1:] if text.startswith("-") and stripped == "-" else text


def format_count(value: Any) -> str:
    """A count as a whole number with thousands separators.

    Examples
    --------
    >>> format_count(1225.0), format_count(242.2), format_count(None)
    ('1,225', '242', '—')
    """
    number = _float(value)
    return MISSING if number is None else _no_negative_zero(f"{number:,.0f}")


def format_amount(value: Any, decimals: int | None = None) -> str:
    """Money or a ratio to sensible decimals: 2 below 100, 1 below 1,000, else none.

    Parameters
    ----------
    value : float
        The amount [its unit].
    decimals : int, optional
        Fixed number of decimals instead of the magnitude rule.

    Examples
    --------
    >>> format_amount(45.16), format_amount(141.24), format_amount(1400.0), format_amount(-0.001)
    ('45.16', '141.2', '1,400', '0.00')
    """
    number = _float(value)
    if number is None:
        return MISSING
    if decimals is None:
        size = abs(number)
        decimals = 2 if size < 100 else 1 if size < 1000 else 0
    return _no_negative_zero(f"{number:,.{decimals}f}")


_MONEY = ("元", "EUR", "USD", "yuan", "euro", "dollar", "$", "€", "£")


def is_count(row: Any) -> bool:
    """Whether a target row's figures are counts (whole items): by its unit, or a stock or flow
    in a unit that is not money whose baseline and target are whole numbers.

    Examples
    --------
    >>> is_count({"unit": "家"}), is_count({"unit": "hubs", "kind": "stock", "base_value": 24, "target_value": 30})
    (True, True)
    >>> is_count({"unit": "million EUR", "kind": "stock", "base_value": 412, "target_value": 520})
    False
    """
    unit = str(_get(row, "unit") or "").strip()
    if unit in _COUNT_UNITS:
        return True
    if _get(row, "kind") not in ("stock", "flow") or "/" in unit or " per " in f" {unit} " or any(
            m in unit for m in _MONEY):
        return False
    values = [_float(_get(row, k)) for k in ("base_value", "target_value")]
    return all(v is not None and float(v).is_integer() for v in values)


def format_figure(value: Any, row: Any) -> str:
    """A figure of a target row in its kind's style: counts whole; amounts and ratios to the
    decimals of the row's published figures (base and latest), else by :func:`format_amount`.

    Examples
    --------
    >>> row = {"unit": "万元", "kind": "flow", "base_value": 1849.0, "latest_value": 1849.0}
    >>> format_figure(-249.0, row), format_figure(14.84, {"unit": "亿元", "base_value": 45.16})
    ('-249', '14.84')
    """
    if is_count(row):
        return format_count(value)
    published = [_get(row, k) for k in ("base_value", "latest_value")]
    published = [v for v in published if _float(v) is not None]
    if not published:
        return format_amount(value)
    return format_amount(value, min(max(_decimals(v) for v in published), 2))


def format_value(value: Any, unit: Any = "") -> str:
    """A figure in its unit's style: counts whole, amounts and ratios by :func:`format_amount`.

    Examples
    --------
    >>> format_value(1400, "家"), format_value(117.7, "亿元"), format_value(18.75, "件/万人")
    ('1,400', '117.7', '18.75')
    """
    unit = "" if _is_missing(unit) else str(unit).strip()
    return format_count(value) if unit in _COUNT_UNITS else format_amount(value)


def format_percent(fraction: Any, *, signed: bool = False) -> str:
    """A growth rate or share [fraction] as a whole percentage.

    Examples
    --------
    >>> format_percent(0.19999999999999996), format_percent(-0.0004), format_percent(0.03, signed=True)
    ('20 %', '0 %', '+3 %')
    """
    number = _float(fraction)
    if number is None:
        return MISSING
    rounded = round(100 * number)
    if rounded == 0:
        return "0 %"
    return f"{rounded:+d} %" if signed else f"{rounded:d} %"


def format_probability(p: Any) -> str:
    """A probability [fraction] as a whole percentage, ``<1 %`` and ``>99 %`` at the ends.

    Exactly 0 and 1 stay ``0 %`` and ``100 %`` (an observed outcome).

    Examples
    --------
    >>> [format_probability(p) for p in (0.0, 0.004, 0.2149, 0.9988, 1.0, float("nan"))]
    ['0 %', '<1 %', '21 %', '>99 %', '100 %', '—']
    """
    number = _float(p)
    if number is None:
        return MISSING
    if 0 < number < 0.01:
        return "<1 %"
    if 0.99 < number < 1:
        return ">99 %"
    return f"{round(100 * number):d} %"


def format_ratio(value: Any) -> str:
    """A progress ratio (observed / required growth) to two decimals.

    Examples
    --------
    >>> format_ratio(0.524840), format_ratio(None)
    ('0.52', '—')
    """
    number = _float(value)
    return MISSING if number is None else _no_negative_zero(f"{number:.2f}")


def format_year(value: Any) -> str:
    """A year as four digits (``2017``, not ``2017.0``).

    Examples
    --------
    >>> format_year(2017.0), format_year(float("nan"))
    ('2017', '—')
    """
    number = _float(value)
    return MISSING if number is None else f"{int(round(number)):d}"


# --------------------------------------------------------------------------- colours


@dataclass(frozen=True)
class Band:
    """One band of the probability scale.

    Attributes
    ----------
    low, high : float
        The band holds probabilities ``low <= p < high`` [fraction] (the last one includes 1).
    key : str
        English words of the band.
    zh : str
        Chinese words of the band.
    color, text_color : str
        Fill colour, and the colour of text written on it.
    """

    low: float
    high: float
    key: str
    zh: str
    color: str
    text_color: str

    def words(self, lang: Lang = "en") -> str:
        """The band's words in `lang`."""
        return self.zh if lang == "zh" else self.key


#: The one probability scale of every page and chart (red unlikely, blue likely).
def _bands() -> tuple[Band, ...]:
    from .targets import LIKELIHOOD

    colors = (("#b2182b", "#ffffff"), ("#ef8a62", "#111111"), ("#f7dc8c", "#111111"), ("#74add1", "#111111"),
              ("#2c5f9e", "#ffffff"))
    highs = [low for low, _, _ in LIKELIHOOD[1:]] + [1.0]
    return tuple(Band(low, high, en, zh, *color) for (low, en, zh), high, color in zip(LIKELIHOOD, highs, colors))


PROBABILITY_BANDS = _bands()
_NO_PROBABILITY = "#e6e6e6"


def probability_band(p: Any) -> Band | None:
    """The band of the probability scale that holds `p` [fraction]; None when missing.

    Examples
    --------
    >>> probability_band(0.84).key, probability_band(0.21).color
    ('likely', '#ef8a62')
    """
    from .targets import shown_probability

    number = _float(p)
    if number is None:
        return None
    number = shown_probability(number)  # the band of the number written: "90 %" is very likely
    for band in PROBABILITY_BANDS:
        if number < band.high:
            return band
    return PROBABILITY_BANDS[-1]


def probability_color(p: Any) -> str:
    """Fill colour of a probability (light grey when missing)."""
    band = probability_band(p)
    return _NO_PROBABILITY if band is None else band.color


def probability_text_color(p: Any) -> str:
    """Colour of text written on :func:`probability_color`."""
    band = probability_band(p)
    return "#333333" if band is None else band.text_color


def probability_colormap():
    """The scale for matplotlib: ``(cmap, norm)``, missing values light grey.

    Returns
    -------
    tuple
        A :class:`~matplotlib.colors.ListedColormap` and its
        :class:`~matplotlib.colors.BoundaryNorm` over [0, 1].
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap([b.color for b in PROBABILITY_BANDS]).with_extremes(bad=_NO_PROBABILITY)
    bounds = [PROBABILITY_BANDS[0].low, *(b.high for b in PROBABILITY_BANDS)]
    return cmap, BoundaryNorm(bounds, cmap.N)


# --------------------------------------------------------------------------- words

def _lever_words(lever: Any, lang: Lang) -> str:
    """A structural model's lever (its ``lever`` text) in the planner's words its model declares."""
    from .models import MODELS

    for spec in MODELS.values():
        if spec.lever and spec.lever == str(lever):
            return spec.lever_words[0 if lang == "zh" else 1]
    return str(lever)


def status_label(status: Any, lang: Lang = "en") -> str:
    """The progress grade named for what it is, the past pace (``"on track"`` → ``"past pace sufficient"``).

    Examples
    --------
    >>> status_label("on track"), status_label("acceleration needed", "zh")
    ('past pace sufficient', '以往增速略慢')
    """
    from .targets import grade_words

    return MISSING if _is_missing(status) else grade_words(str(status), lang)


def _get(row: Any, key: str) -> Any:
    try:
        value = row[key]
    except (KeyError, IndexError, TypeError):
        return None
    return None if _is_missing(value) else value


def _reached_at_base(row: Any) -> bool:
    """The latest figure is already at or beyond the target level."""
    latest, level = _float(_get(row, "latest_value")), _float(_get(row, "target_level"))
    if latest is None or level is None:
        return False
    return latest <= level if _get(row, "direction") == "decrease" else latest >= level


def verdict(row: Any, lang: Lang = "en") -> str:
    """The one verdict of a target row in words (:func:`xmforecast.targets.verdict`).

    Parameters
    ----------
    row : mapping
        A row of :func:`scenario_summary` (``p_attain``, ``status``, ``direction``, ``note``, ...).
    lang : {"zh", "en"}

    Examples
    --------
    >>> verdict({"p_attain": 0.84, "status": "on track", "base_value": 1.0})
    'past pace sufficient, and the forecast agrees: likely, 84 %'
    >>> verdict({"p_attain": 0.9988, "status": "acceleration needed", "base_value": 1.0}, "zh")
    '以往增速略慢,但预测增长将加快:很可能,>99 %'
    """
    from .targets import verdict as _verdict

    p = _float(_get(row, "p_attain"))
    if _by_construction(row) and p is not None:
        return (f"检验而非预测:按所需路径推演,概率约 50 % 系设定所致({format_probability(p)})" if lang == "zh"
                else f"a check, not a forecast: centred on the required path, so about 50 % by construction "
                     f"({format_probability(p)})")
    return _verdict(str(_get(row, "status") or "insufficient data"), _float(_get(row, "p_attain")),
                    direction=str(_get(row, "direction") or "increase"), note=str(_get(row, "note") or ""),
                    has_baseline=_get(row, "base_value") is not None, lang=lang)


def _by_construction(row: Any) -> bool:
    """The row comes from a scenario centred on each target's required path (``at_required_rate``)."""
    value = _get(row, "at_required_rate")
    return value is not None and str(value).strip().lower() in ("true", "1", "1.0", "yes")


def _colour_p(row: Any) -> Any:
    """The probability a cell is coloured by: none for a check centred on the required path."""
    return None if _by_construction(row) else _get(row, "p_attain")


def _expected(row: Any, lang: Lang) -> str:
    raw = _get(row, "expected_year")
    year = _float(raw)
    if year is not None:
        return format_year(year)
    if isinstance(raw, str) and raw.startswith("after "):  # beyond the last simulated year
        return f"{raw.split()[-1]} 年以后" if lang == "zh" else raw
    status = _get(row, "status")
    if status in ("met", "already met"):
        return (f"已达成({format_year(_get(row, 'latest_year'))})" if lang == "zh"
                else f"reached ({format_year(_get(row, 'latest_year'))})")
    if _reached_at_base(row):
        latest = format_year(_get(row, "latest_year"))
        return f"{latest} 年已超过目标" if lang == "zh" else f"{latest} figure already beyond it"
    if _float(_get(row, "p_attain")) is not None:
        return "预测期内未达到" if lang == "zh" else "not within the forecast"
    return MISSING


_CONFIDENCE = {"high": "高", "medium": "中", "low": "低"}


def _confidence(row: Any, lang: Lang) -> str:
    """How far to trust a probability (the engine's grade), in words; empty when not given."""
    grade = _get(row, "confidence")
    if grade is None or _get(row, "p_attain") is None:
        return ""
    grade = str(grade)
    return f"可信度{_CONFIDENCE.get(grade, grade)}" if lang == "zh" else f"confidence {grade}"


def lever_count(needed: Any) -> int | None:
    """The lever a target needs per year as a whole number: the next one up (242.3 → 243).

    One rule for every page, chart and CSV: a fraction of a certification is not enough,
    so the count needed is rounded up; at or below zero none is needed.

    Examples
    --------
    >>> lever_count(242.3), lever_count(243.0000000001), lever_count(-3.0), lever_count(None)
    (243, 243, 0, None)
    """
    number = _float(needed)
    if number is None:
        return None
    return max(math.ceil(round(number, 6)), 0)


def required_from_latest(row: Any) -> float | None:
    """Required growth per year from the row's latest observation [fraction] (None if undefined)."""
    from .targets import required_growth_from_latest

    given = _float(_get(row, "required_from_latest"))
    if given is not None:
        return given
    values = [_float(_get(row, k)) for k in ("latest_value", "latest_year", "target_level", "target_year")]
    if any(v is None for v in values):
        return None
    return _float(required_growth_from_latest(*values))


def growth_words(growth: Any, direction: Any, lang: Lang) -> str:
    """A required growth in the target's direction: ``"7 % a year"``, ``"fall 9 % a year"``.

    Examples
    --------
    >>> growth_words(-0.09, "decrease", "en"), growth_words(0.02, "decrease", "zh"), growth_words(0.07, "increase", "en")
    ('fall 9 % a year', '无需下降', '7 % a year')
    """
    number = _float(growth)
    if number is None:
        return MISSING
    percent = round(100 * number)
    if direction == "decrease":
        if percent >= 0:
            return "无需下降" if lang == "zh" else "no fall needed"
        return f"年降 {format_percent(-number)}" if lang == "zh" else f"fall {format_percent(-number)} a year"
    if percent <= 0:
        return "无需增长" if lang == "zh" else "no growth needed"
    return f"年增 {format_percent(number)}" if lang == "zh" else f"{format_percent(number)} a year"


def _lever_text(row: Any, lang: Lang) -> str:
    needed, lever = lever_count(_get(row, "lever_needed")), _get(row, "lever")
    if lever is None or needed is None:
        return ""
    words = _lever_words(lever, lang)
    year = format_year(_get(row, "target_year"))
    count = format_count(needed)
    return f"{year} 年{words} ≥ {count}" if lang == "zh" else f"≥ {count} {words} in {year}"


def _takes(row: Any, lang: Lang, *, lever: bool = True) -> str:
    """Required growth per year from the latest figure, and the structural lever where there is one."""
    parts = []
    growth = required_from_latest(row)
    if growth is not None:
        parts.append(growth_words(growth, _get(row, "direction"), lang))
    if lever and _lever_text(row, lang):
        parts.append(_lever_text(row, lang))
    return "; ".join(parts) if parts else MISSING


def _target_words(row: Any, lang: Lang) -> str:
    kind, value = _get(row, "target_type"), _float(_get(row, "target_value"))
    year, unit = format_year(_get(row, "target_year")), str(_get(row, "unit") or "")
    if value is None:
        return MISSING
    sign = "≤" if _get(row, "direction") == "decrease" else "≥"
    if kind == "growth":
        return (f"{year} 年增长 {sign} {format_percent(value)}" if lang == "zh"
                else f"growth {sign} {format_percent(value)} in {year}")
    shown = format_count(value) if is_count(row) else format_amount(value, min(_decimals(value), 2))
    if kind == "flow":
        return f"{year} 年新增 {sign} {shown} {unit}" if lang == "zh" else f"{sign} {shown} {unit} new in {year}"
    return f"{year} 年 {sign} {shown} {unit}" if lang == "zh" else f"{sign} {shown} {unit} by {year}"


# --------------------------------------------------------------------------- tables


def _quantiles(paths: Any, year: int, level: float) -> tuple[float, float, float]:
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
    forecast = {ind: _quantiles(sim.paths, int(table.set_index("indicator").loc[ind, "target_year"]), level)
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
            point, lower, upper = _quantiles(sim.paths, int(year), float(scenario.level))
            rows.append(dict(scenario=scenario.scenario, indicator=ind, origin=origin, year=int(year),
                             point=point, lower=lower, upper=upper, level=float(scenario.level),
                             target_year=int(row["target_year"]), target_level=float(row["target_level"]),
                             direction=row.get("direction", "increase") if hasattr(row, "get") else "increase",
                             p_attain=row["p_attain"] if int(year) == int(row["target_year"]) else math.nan))
    frame = pd.DataFrame(rows, columns=list(FORECAST_COLUMNS))
    return frame


def _decimals(value: Any) -> int:
    """Decimals written in a figure as published (117.7 → 1, 45.16 → 2, 1225 → 0)."""
    number = _float(value)
    if number is None:
        return 0
    text = f"{number:.6f}".rstrip("0")
    return min(len(text.split(".")[1]) if "." in text else 0, 4)


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
            seen = [_decimals(v) for c in ("base_value", "latest_value") if c in group for v in group[c]]
            places[ind] = max(seen, default=2)
        for column in _VALUES + ("target_level",):
            if column in out:
                numbers_ = pd.to_numeric(out[column], errors="coerce")
                out[column] = pd.array([None if not math.isfinite(v) else
                                        int(round(v)) if places[ind] == 0 else round(v, places[ind])
                                        for v, ind in zip(numbers_.astype(float), out["indicator"])],
                                       dtype=object)
    return out


def answer_table(summary: pd.DataFrame, lang: Lang = "en") -> list[dict]:
    """Rows of display strings for the answer-first table, targets with a baseline first.

    Each row has ``name``, ``target``, ``verdict``, ``probability``, ``color``,
    ``text_color``, ``expected``, ``takes``, ``grade``, ``latest``, ``note``, ``indicator``.
    """
    name = "name_zh" if lang == "zh" else "name_en"
    rows = []
    for rec in summary.to_dict("records"):
        p = _get(rec, "p_attain")
        unit = str(_get(rec, "unit") or "")
        latest = _get(rec, "latest_value")
        rows.append(dict(
            indicator=rec["indicator"], name=str(_get(rec, name) or rec["indicator"]),
            target=_target_words(rec, lang), verdict=verdict(rec, lang), probability=format_probability(p),
            color=probability_color(_colour_p(rec)), text_color=probability_text_color(_colour_p(rec)),
            expected=_expected(rec, lang), takes=_takes(rec, lang), grade=status_label(_get(rec, "status"), lang),
            latest=(f"{format_figure(latest, rec)} {unit} ({format_year(_get(rec, 'latest_year'))})"
                    if latest is not None else MISSING),
            note=str(_get(rec, "note") or ""), assessed=_get(rec, "base_value") is not None,
            confidence=_confidence(rec, lang),
            has_p=p is not None,
            **_base_rate(rec, lang),
        ))
    rows.sort(key=lambda r: (not r["assessed"], not r["has_p"]))
    return rows


def _base_rate(rec: dict, lang: Lang) -> dict[str, str]:
    """The base rate of a target row in words: ``base_rate`` (a percentage), ``base_rate_of``
    (whose: family, class and years) and ``base_rate_note`` (the whole sentence)."""
    from .reference import CLASSES, base_rate_sentence, family_words, load_vintage

    rate, vintage, cls = _get(rec, "base_rate"), _get(rec, "vintage"), _get(rec, "reference_class")
    if rate is None or vintage is None or cls not in CLASSES:
        return {"base_rate": MISSING, "base_rate_of": "", "base_rate_note": ""}
    table = load_vintage(cls, int(vintage))
    family = str(_get(rec, "family") or "other")
    first = table["families"].get(family, table["families"]["all"])["first_year"]
    words = family_words(table, family, lang)
    horizon = int(_get(rec, "target_year")) - int(_get(rec, "base_year"))
    direction = str(_get(rec, "direction") or "increase")
    of = (f"{CLASSES[cls][lang]}{words} {first}–{vintage}" if lang == "zh"
          else f"{words}, {CLASSES[cls][lang]} {first}–{vintage}")
    note = base_rate_sentence(float(_get(rec, "required_growth")), horizon, float(rate), table=table,
                              family=family, lang=lang, direction=direction)
    return {"base_rate": format_probability(rate), "base_rate_of": of, "base_rate_note": note}


def assumptions(scenario: Any, lang: Lang = "en") -> list[tuple[str, str]]:
    """The scenario's assumptions in words, with units (not raw keys).

    Examples
    --------
    >>> from xmforecast.scenarios import Scenario
    >>> dict(assumptions(Scenario(scenario="x", growth_shift=0.03)))["Extra growth on every indicator"]
    '+3 percentage points a year'
    """
    s, zh = scenario, lang == "zh"
    shift = round(100 * s.growth_shift)

    def optional(value: Any, shown: str, default_zh: str, default_en: str) -> str:
        return shown if value is not None else (default_zh if zh else default_en)

    rows = [
        ("数据截至" if zh else "Data up to", f"{s.origin} 年" if zh else f"{s.origin}"),
        ("每个指标的额外增速" if zh else "Extra growth on every indicator",
         (f"每年 {shift:+d} 个百分点" if zh else f"{shift:+d} percentage points a year") if shift else
         ("无(延续各自趋势)" if zh else "none (each indicator follows its own trend)")),
        ("波动幅度" if zh else "Spread around the trend",
         (f"历史波动的 {format_percent(s.volatility_scale)}" if zh else
          f"{format_percent(s.volatility_scale)} of what history shows")),
        ("按目标所需增速" if zh else "Centred on the growth each target requires",
         ("是" if zh else "yes") if s.at_required_rate else ("否" if zh else "no")),
        ("到期高新技术企业证书续认定比例" if zh else "Expiring high-tech certificates renewed",
         optional(s.recertification_rate, format_percent(s.recertification_rate),
                  "由 2016 年数据推算", "as implied by the 2016 figures")),
        ("高新技术企业每年退出比例" if zh else "Certified firms leaving each year", format_percent(s.exit_rate)
         if round(100 * s.exit_rate) else f"{100 * s.exit_rate:.1f} %"),
        ("每年新认定高新技术企业" if zh else "New high-tech certifications a year",
         optional(s.new_certifications, f"{format_count(s.new_certifications)} 家" if zh
                  else f"{format_count(s.new_certifications)} firms", "按历史推算", "projected from history")),
        ("有效发明专利年失效比例" if zh else "Valid invention patents lapsing a year",
         optional(s.patent_lapse_rate, f"{100 * (s.patent_lapse_rate or 0):.1f} %", "由数据估计", "estimated from the data")),
        ("常住人口年增长" if zh else "Growth in residents a year",
         optional(s.population_growth, f"{100 * (s.population_growth or 0):.1f} %", "由数据估计", "estimated from the data")),
        ("模型" if zh else "Model",
         ("按回测为每个指标选择" if zh else "chosen per indicator by backtest") if s.model == "auto" else s.model),
        ("模拟路径" if zh else "Simulated paths",
         f"{format_count(s.n_paths)} 条,随机种子 {s.seed}" if zh else f"{format_count(s.n_paths)}, seed {s.seed}"),
        ("区间" if zh else "Interval", f"中间 {s.level:g} %" if zh else f"central {s.level:g} %"),
    ]
    if s.data_file:
        rows.append(("用户数据" if zh else "User data", Path(s.data_file).name))
    return rows


# --------------------------------------------------------------------------- pages

#: Folder of the reports folder that holds the CJK web font the pages fall back to.
FONT_FOLDER = "_fonts"
_FONT_FAMILY = "xmforecast CJK"
#: Fonts of every page: Chinese from an installed Noto Sans SC / CJK SC or the copy in
#: ``<reports>/_fonts/``, everything else from the reader's own fonts.
FONT_STACK = (f'"{_FONT_FAMILY}", system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
              '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
              '"WenQuanYi Micro Hei", sans-serif')
# The CJK face covers Chinese characters and punctuation only; Latin text keeps the reader's fonts.
_CJK_RANGE = "U+2E80-9FFF, U+3000-303F, U+F900-FAFF, U+FF00-FFEF"


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


def font_face_css(url: str | None) -> str:
    """CSS declaring the fallback CJK font: installed copies first, then `url` (relative)."""
    sources = ['local("Noto Sans SC")', 'local("Noto Sans CJK SC")', 'local("Source Han Sans SC")']
    if url and not any(ch in url for ch in "\"'()<>\\"):
        sources.append(f'url("{url}") format("opentype")')
    return (f'@font-face {{ font-family: "{_FONT_FAMILY}"; src: {", ".join(sources)}; '
            f"font-display: block; unicode-range: {_CJK_RANGE}; }}")



@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("xmforecast", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(probability=format_probability, percent=format_percent, count=format_count,
                       amount=format_amount, year=format_year, pcolor=probability_color,
                       ptext=probability_text_color)
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one of the package's templates (``xmforecast/templates/``), autoescaped."""
    from markupsafe import Markup

    context.setdefault("font_url", None)
    return _environment().get_template(name).render(
        bands=PROBABILITY_BANDS, font_stack=Markup(FONT_STACK),  # noqa: S704 (constants of this module)
        font_face=lambda url: Markup(font_face_css(url)), **context)


def render_summary(summary: pd.DataFrame, scenario: Any, lang: Lang = "en") -> str:
    """The answer-first block of a scenario page: the table, then the assumptions in words.

    Parameters
    ----------
    summary : DataFrame
        From :func:`scenario_summary`.
    scenario : Scenario
    lang : {"zh", "en"}

    Returns
    -------
    str
        An HTML fragment (for ``IPython.display.HTML``), every value escaped.
    """
    return render_template("summary.html", rows=answer_table(summary, lang), lang=lang,
                           title=scenario.title or scenario.scenario, scenario=scenario.scenario,
                           assumptions=assumptions(scenario, lang))


#: Headings and leads of the scenario page's sections, in the page's language (zh, en).
_SECTIONS = {
    "how_to_read": ("如何阅读", "How to read it", "", ""),
    "details": ("目标差距与达标概率", "Distance to target and probability of attainment",
                "每个可评估目标的数字。“数据说明”列出推算值(由已发布数字计算)和 C 级来源(镜像转载)的年份,以及缺少概率的原因。",
                "The figures of every target that can be assessed. “About the data” names the years whose figure is "
                "derived (computed from published figures) or comes from a grade-C source (a mirror copy), and why a "
                "probability is missing."),
    "charts": ("图示", "Charts", "", ""),
    "headline": ("重点目标", "The headline targets",
                 "实际值(空心点为推算值或 C 级数据)、模拟区间(中间 50 % 与本情景的区间)、目标(星号)以及恰好达标的不变增速路径(点线)。",
                 "Observed history (hollow points are derived or grade C), the simulated fan (central 50 % and the "
                 "scenario's interval), the target (star) and the constant-growth path that just reaches it (dotted)."),
    "takes": ("需要什么", "What it would take",
              "从最新值起:恰好达标所需的不变年增速、近三年的增速、模型中位路径预期的增速,以及以 80 % 的概率达标所需的增速。",
              "From the latest figure: the constant yearly growth that just reaches the target, the growth of the "
              "last three years, the growth the forecast's median path expects, and the growth needed for an 80 % "
              "chance of reaching the target."),
    "levers": ("结构性杠杆", "Levers",
               "有结构模型的指标,其要求也以项目可控的单位表示(如每年新认定企业数),按本情景的设定计算;数字向上取整,与首表和总览页一致。",
               "For an indicator with a structural model, the requirement in the unit a programme controls (e.g. "
               "first-time certifications a year), under this scenario's settings; rounded up, as in the first table "
               "and on the overview page."),
    "sensitivity": ("对主要假设的敏感性", "Sensitivity to the main assumptions",
                    "每次只改变一个假设后重新模拟的达标概率(路径较少,曲线略有起伏):所有重点指标的增速调整,以及证书存量的到期续认定比例。",
                    "The probability of attainment re-simulated with one assumption changed at a time (fewer paths, so "
                    "the curves are slightly noisy): a growth shift on every headline indicator, and, for a stock of "
                    "certificates, the share of expiring certificates renewed."),
    "comparison": ("情景比较", "Scenarios compared",
                   "同一次运行中各情景下每个目标的达标概率。情景只改变假设,不改变数据:每一列的历史数据与模型相同,差异来自各情景的假设。",
                   "The probability of attaining each target under every scenario of one run. A scenario changes "
                   "assumptions, not data: the same history and models underlie every column, so the differences come "
                   "from each scenario's assumptions."),
    "comparison_expected": ("以往增速与预计达标年份", "Past pace and expected year",
                            "以往增速评级比较近三年增速与所需增速,与情景无关;预计达标年份(中位路径首次达标的年份)随情景而变。",
                            "The past pace compares the last three years' growth with the growth required and does not "
                            "depend on the scenario; the expected year (the first year the median path reaches the "
                            "target) does."),
    "plan_targets": ("规划目标及其基期", "The targets and their baselines",
                     "每个量化目标一行,写法与首表相同;原文为数字所在的规划原句。",
                     "One row per quantified target, written as in the first table. The quotes are the plan's own "
                     "sentences the numbers come from."),
    "plan_others": ("无目标的指标", "Indicators without a target",
                    "规划报告但未设目标的指标;其中一些是结构模型的输入。",
                    "Indicators the plan reports without a target; some are inputs of the structural models."),
    "history": ("已发布的历史数据", "Published history",
                "模型所用的每个观测值,及其状态、等级和来源。同一年有两个来源时,用户文件优先于规划文件,规划文件优先于内置历史。",
                "Every observation the models use, with its status, grade and source. Where two sources give the "
                "same year, a user's file wins over the plan document, which wins over the shipped history."),
    "weak": ("需谨慎解读的数据:推算值或 C 级", "Points to read with care: derived or grade C",
             "这些数值由其他数字推算,或来自原文的镜像转载。图中以空心点表示;基于它们的预测同样带有其不确定性。",
             "These values are computed from other figures, or come from a mirror copy of the original text. Charts "
             "draw them hollow; forecasts that rest on them inherit their uncertainty."),
    "backtest": ("回测", "Backtest scores",
                 "滚动起点:每个模型用起点年及以前的数据拟合,对其后最多三年打分,起点至少有两个观测值;观测值少于三个的指标无从打分。",
                 "Rolling origin: each model is fitted on the data up to an origin year and scored on the following "
                 "years (up to three ahead), for every origin with at least two points. Indicators with fewer than "
                 "three observations have nothing to score."),
    "files": ("汇总表", "Summary table",
              "本页所在文件夹中的 summary.csv(每个目标一行)和 forecasts.csv(每个模拟年份的预测与区间);定期运行把各情景的汇总表合并为一张。",
              "summary.csv (one row per target) and forecasts.csv (each simulated year's forecast and interval) are in "
              "this page's folder; the scheduled run joins every scenario's summary into one table."),
}


def render_section(name: str, lang: Lang = "en", *, table: pd.DataFrame | None = None,
                   notes: list[str] | tuple[str, ...] = ()) -> str:
    """A section of the scenario page: heading and lead in `lang`, a table of display strings, notes.

    Parameters
    ----------
    name : str
        One of the page's sections (``details``, ``takes``, ``levers``, ...).
    table : DataFrame, optional
        Display strings (e.g. from :func:`detail_table`); headers are its columns.
    notes : sequence of str
        Sentences written under the table.
    """
    zh_title, en_title, zh_lead, en_lead = _SECTIONS[name]
    headers, rows = [], []
    if table is not None and len(table):
        table = table.loc[:, [(table[c].astype(str).str.strip() != "").any() for c in table.columns]]
        headers = [str(c) for c in table.columns]
        number = re.compile(r"^[<>≥≤+\-−]?\s?[\d,.]+( %)?( \(\d{4}\))?$")
        rows = [[dict(text=str(v), num=bool(number.match(str(v)))) for v in rec] for rec in
                table.astype(str).itertuples(index=False)]
    return render_template("section.html", lang=lang, title=zh_title if lang == "zh" else en_title,
                           lead=zh_lead if lang == "zh" else en_lead, method=name == "how_to_read",
                           headers=headers, rows=rows, notes=list(notes))


def scenario_titles(summary: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """The scenarios of a run's summary, in words: title and name, in order."""
    import pandas as pd

    zh = lang == "zh"
    seen = summary.drop_duplicates("scenario")
    return pd.DataFrame({("情景" if zh else "Scenario"): seen["title"].fillna(seen["scenario"]).astype(str).tolist(),
                         ("参数文件中的名称" if zh else "Name in its params file"): seen["scenario"].astype(str).tolist()})


_OBSERVATION_WORDS = {"published": ("已发布", "published"), "derived": ("推算", "derived"), "seed": ("规划文件", "plan")}


def _text(value: Any) -> str:
    return MISSING if _is_missing(value) or not str(value).strip() else str(value)


def plan_table(registry: pd.DataFrame, lang: Lang = "en", *, targets: bool = True) -> pd.DataFrame:
    """The registry's indicators with (`targets`) or without a target, in words and the first screen's formats."""
    import pandas as pd

    zh = lang == "zh"
    rows = registry[registry["target_type"].notna() == targets]
    out = []
    for rec in rows.to_dict("records"):
        row = {("指标" if zh else "Indicator"): rec["name_zh" if zh else "name_en"] or rec["id"],
               ("单位" if zh else "Unit"): rec["unit"],
               ("基期" if zh else "Base year"): format_year(rec["base_year"]),
               ("基期值" if zh else "Baseline"): format_figure(rec["base_value"], rec),
               ("此前增速" if zh else "Growth before"): format_percent(rec["prior_growth"])}
        if targets:
            row[("目标" if zh else "Target")] = _target_words(rec, lang)
            row[("基期原文" if zh else "Baseline quote")] = _text(rec.get("base_quote"))
            row[("目标原文" if zh else "Target quote")] = _text(rec.get("target_quote"))
        else:
            quote = rec.get("base_quote")
            row[("原文或来源" if zh else "Quote or source")] = _text(rec.get("base_source") if _is_missing(quote) else quote)
        out.append(row)
    return pd.DataFrame(out)


def observations_table(observations: pd.DataFrame, registry: pd.DataFrame, lang: Lang = "en",
                       *, quotes: bool = False) -> pd.DataFrame:
    """Observations in words: indicator name, year, value in its kind's format, status, grade, source."""
    import pandas as pd

    zh = lang == "zh"
    by_id = registry.set_index("id")
    out = []
    for rec in observations.to_dict("records"):
        reg = by_id.loc[rec["indicator"]] if rec["indicator"] in by_id.index else {}
        name = _get(reg, "name_zh" if zh else "name_en") or rec["indicator"]
        row = {("指标" if zh else "Indicator"): name, ("年份" if zh else "Year"): format_year(rec["year"]),
               ("数值" if zh else "Value"): format_figure(rec["value"], {**dict(reg), "base_value": rec["value"]}),
               ("单位" if zh else "Unit"): rec.get("unit") or _get(reg, "unit") or "",
               ("状态" if zh else "Status"): _OBSERVATION_WORDS.get(rec["status"], (rec["status"],) * 2)[0 if zh else 1],
               ("等级" if zh else "Grade"): _OBSERVATION_WORDS["seed"][0 if zh else 1] if rec.get("quality") == "seed"
               else _text(rec.get("quality")),
               ("来源" if zh else "Source"): _text(rec.get("source"))}
        if quotes:
            row[("原文" if zh else "Quote")] = _text(rec.get("quote"))
        out.append(row)
    return pd.DataFrame(out)


def backtest_words(scores: pd.DataFrame, registry: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """:func:`xmforecast.backtest_table` for a page: names and models in words, errors and coverage
    in percent, the model each forecast uses marked, and why."""
    import pandas as pd

    zh = lang == "zh"
    names = registry.set_index("id")["name_zh" if zh else "name_en"]
    out = []
    for rec in scores.to_dict("records"):
        out.append({
            ("指标" if zh else "Indicator"): _text(names.get(rec["indicator"], rec["indicator"])),
            ("模型" if zh else "Model"): model_words(rec["model"], lang),
            ("检验次数" if zh else "Forecasts scored"): format_count(rec["n"]),
            ("平均绝对百分比误差" if zh else "Mean absolute % error"): format_percent(rec["mape"]),
            ("区间覆盖率" if zh else "Interval coverage"): format_percent(rec["coverage"]),
            ("名义水平" if zh else "Nominal level"): format_percent(rec["nominal"] / 100),
            ("预测所用" if zh else "Used to forecast"): ("是" if zh else "yes") if rec["chosen"] else "",
            ("说明" if zh else "Why"): _text(rec.get("reason")).lstrip("-").replace("model auto uses ", ""),
        })
    return pd.DataFrame(out)


def plan_target_sentence(registry_row: Any, lang: Lang = "en") -> str:
    """The plan's own target for a lever indicator, with its sentence, in words."""
    name = _get(registry_row, "name_zh" if lang == "zh" else "name_en") or _get(registry_row, "id")
    value = format_count(_get(registry_row, "target_value"))
    year = format_year(_get(registry_row, "target_year"))
    quote = str(_get(registry_row, "target_quote") or "")
    if lang == "zh":
        return f"规划对{name}的目标:{year} 年 {value}" + (f"({quote})" if quote else "") + "。"
    return f"The plan's own target for {name}: {value} in {year}" + (f" ({quote})" if quote else "") + "."


# --------------------------------------------------------------------------- runs


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


def run_warnings(summary: pd.DataFrame) -> list[str]:
    """One line per target a model could not fit, saying why (for stderr).

    Examples
    --------
    >>> import pandas as pd
    >>> run_warnings(pd.DataFrame({"scenario": ["a"], "indicator": ["x_index"],
    ...                            "note": ["not simulated: `ets` needs at least 8 observations; got 3."]}))
    ["scenario 'a', x_index: no probability: `ets` needs at least 8 observations; got 3."]
    """
    lines = []
    if "note" not in summary:
        return lines
    for rec in summary.to_dict("records"):
        note = str(_get(rec, "note") or "")
        if note.startswith("not simulated"):
            where = f"scenario '{rec['scenario']}', " if _get(rec, "scenario") else ""
            lines.append(f"{where}{rec['indicator']}: no probability: {note.split(': ', 1)[-1]}")
    return lines


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


def _history_context(run_dir: Path, prefix: str, lang: Lang) -> dict:
    import pandas as pd

    from .history import hit_rate

    folder = run_dir / "_history"
    context: dict[str, Any] = {"history_png": None, "outcomes_png": None, "outcomes": [], "hit_rate": None,
                               "n_runs": 0}
    path = folder / "probability_history.csv"
    if path.is_file():
        context["n_runs"] = int(pd.read_csv(path)["run_id"].nunique())
    if (folder / "probability_history.png").is_file():
        context["history_png"] = f"{prefix}_history/probability_history.png"
    path = folder / "forecasts_vs_outcomes.csv"
    if path.is_file():
        table = pd.read_csv(path)
        if len(table):
            name = "name_zh" if lang == "zh" else "name_en"
            context["hit_rate"] = (format_percent(hit_rate(table)), int(table["inside"].astype(bool).sum()),
                                   len(table))
            yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
            for rec in table.sort_values(["indicator", "year", "run_id"]).to_dict("records"):
                unit = ""
                reached = _get(rec, "reached")
                context["outcomes"].append(dict(
                    run=str(rec["run_id"]), name=str(_get(rec, name) or rec["indicator"]), year=format_year(rec["year"]),
                    point=format_amount(rec["point"]), interval=f"{format_amount(rec['lower'])} – "
                    f"{format_amount(rec['upper'])}", level=f"{float(rec['level']):g} %",
                    probability=format_probability(_get(rec, "p_attain")), color=probability_color(_get(rec, "p_attain")),
                    text_color=probability_text_color(_get(rec, "p_attain")),
                    actual=format_amount(rec["actual"]) + unit, inside=yes if bool(rec["inside"]) else no,
                    reached=MISSING if reached is None else (yes if str(reached).lower() in ("true", "1", "1.0") else no),
                ))
        if (folder / "forecasts_vs_outcomes.png").is_file():
            context["outcomes_png"] = f"{prefix}_history/forecasts_vs_outcomes.png"
    return context


_PAGES = {
    "target_scenarios": ("目标情景评估", "targets under this scenario"),
    "baselines": ("已发布的历史数据", "published history"),
    "growth_models": ("增长模型比较", "growth models compared"),
    "comparison": ("情景比较", "scenarios compared"),
    "explore": ("交互探索", "explore"),
}


def page_words(notebook: str | Path, lang: Lang = "en") -> str:
    """What a notebook's page holds, in words (a link's text), else the notebook's name.

    Examples
    --------
    >>> page_words("target_scenarios.ipynb"), page_words("comparison.ipynb", "zh"), page_words("mine.ipynb")
    ('targets under this scenario', '情景比较', 'mine')
    """
    stem = Path(str(notebook)).stem
    words = _PAGES.get(stem)
    return (words[0] if lang == "zh" else words[1]) if words else stem


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


def index_page(run_dir: str | Path, run_id: str, scenarios: list[Any], records: list[dict], *, prefix: str,
               earlier: list[str] | None, font: str | None = None, others: list[dict] | None = None) -> str:
    """The HTML page comparing the scenarios of one run; links start with `prefix`.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (its ``summary.csv`` and ``_history/``).
    run_id : str
        The run's name.
    scenarios : list of Scenario
        In the order of the report.
    records : list of dict
        The executed notebooks (``label``, ``notebook``, ``html``, ``status``).
    prefix : str
        Prepended to every link (``""`` inside the run folder, ``"<run_id>/"`` from the reports folder).
    earlier : list of str, optional
        Earlier runs to link to (None: a link to the reports folder's index instead).
    font : str, optional
        File name of the CJK font in ``<reports>/_fonts/`` (see :func:`install_font`).
    others : list of dict, optional
        Scenarios of the plan's earlier runs that this run left out (see
        :func:`latest_of_each_scenario`): shown after this run's, each with its run's date.
    """
    import pandas as pd

    run_dir = Path(run_dir)
    others = others or []
    lang: Lang = scenarios[0].lang if scenarios else "zh"
    name_col = "name_zh" if lang == "zh" else "name_en"
    path = run_dir / "summary.csv"
    summary = pd.read_csv(path) if path.is_file() else pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    pages: dict[str, list[dict]] = {}
    for r in records:
        if r.get("status") == "ok":
            pages.setdefault(r["label"], []).append(r)
    columns = [dict(name=s.scenario, title=s.title or s.scenario, run=None,
                    link=(prefix + pages[s.scenario][0]["html"]) if s.scenario in pages else None) for s in scenarios]
    columns += [dict(name=o["name"], title=o["title"], run=o["run_id"], link=o["html"]) for o in others]
    if others:
        summary = pd.concat([summary, *(o["summary"] for o in others)], ignore_index=True)
    rows, skipped = [], []
    if len(summary):
        keys = ["indicator", "target_year", "target_type", "target_value"]
        for _, group in summary.groupby(keys, sort=False, dropna=False):
            first = group.iloc[0].to_dict()
            if _get(first, "base_value") is None:
                skipped.append(str(_get(first, name_col) or first["indicator"]))
                continue
            cells = []
            for column in columns:
                hit = group[group["scenario"] == column["name"]]
                rec = hit.iloc[0].to_dict() if len(hit) else {}
                p = _colour_p(rec)
                cells.append(dict(verdict=verdict(rec, lang) if rec else MISSING, color=probability_color(p),
                                  confidence=_confidence(rec, lang) if rec else "",
                                  text_color=probability_text_color(p), expected=_expected(rec, lang) if rec else MISSING,
                                  lever=_lever_text(rec, lang) if rec else "", note=str(_get(rec, "note") or "")))
            # The growth needed depends on the data only; the lever on each scenario's settings (in its cell).
            takes = list(dict.fromkeys(_takes(r, lang, lever=False) for r in group.to_dict("records")))
            rows.append(dict(name=str(_get(first, name_col) or first["indicator"]), indicator=first["indicator"],
                             target=_target_words(first, lang), takes="; ".join(takes), cells=cells,
                             has_p=any(_get(r, "p_attain") is not None for r in group.to_dict("records"))))
        rows.sort(key=lambda r: not r["has_p"])
    links = [dict(text=page_words(r["notebook"], lang), href=prefix + r["html"])
             for key in ("overview", "comparison") for r in pages.get(key, [])]
    scenario_links = [dict(title=c["title"], name=c["name"],
                           pages=[dict(text=page_words(r["notebook"], lang), href=prefix + r["html"])
                                  for r in pages.get(c["name"], [])]) for c in columns]
    runs = None if earlier is None else [
        dict(name=n, href=f"{n}/index.html" if (run_dir.parent / n / "index.html").is_file() else f"{n}/")
        for n in earlier]
    data_year = summary["latest_year"].max() if "latest_year" in summary and len(summary) else None
    return render_template(
        "index.html", lang=lang, run_id=run_id, columns=columns, rows=rows, skipped=skipped, links=links,
        scenario_links=scenario_links, earlier=runs, prefix=prefix, data_year=format_year(data_year),
        reference=columns[0]["title"] if columns else "", **_history_context(run_dir, prefix, lang),
        font_url=(f"{'../' if earlier is None else ''}{FONT_FOLDER}/{font}" if font else None),
    )


# --------------------------------------------------------------------------- notebooks


def _reports_dir() -> Path:
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
    folder = Path(output_dir) if str(output_dir) else _reports_dir() / "notebooks" / name
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
    root = Path(reports) if reports is not None else _reports_dir()
    runs = completed_runs(root)
    if not runs:
        raise RunError(f"no completed run under {root}; run `xmforecast run` first, or pass -p run_dir FOLDER.")
    return runs[-1].folder


_MODEL_WORDS = {
    "auto": ("按同类序列校准的增长规则", "growth rule calibrated on comparable series"),
    "certified_stock": ("证书存量模型(证书三年有效)", "stock of three-year certificates"),
    "patent_ratio": ("有效专利与人口之比", "valid patents per resident"),
    "naive": ("延续最新值", "latest value carried on"),
    "drift": ("平均增长", "average growth"),
    "additive_drift": ("平均增量", "average yearly increase"),
    "cagr": ("复合增长率", "compound growth"),
    "loglinear": ("对数线性趋势", "log-linear trend"),
    "linear": ("线性趋势", "linear trend"),
    "logistic": ("饱和增长(逻辑斯谛)", "saturating (logistic) growth"),
    "ets": ("阻尼趋势指数平滑", "damped-trend exponential smoothing"),
    "combination": ("多个增长模型的组合", "combination of growth models"),
    "structural": ("结构模型", "structural model"),
}


def model_words(model: Any, lang: Lang = "en") -> str:
    """A model's name in words (``certified_stock`` → ``stock of three-year certificates``).

    Examples
    --------
    >>> model_words("auto"), model_words("certified_stock", "zh"), model_words(None)
    ('growth rule calibrated on comparable series', '证书存量模型(证书三年有效)', '—')
    """
    if _is_missing(model):
        return MISSING
    text = str(model).strip()
    key = re.split(r"[\s(\[:]", text, maxsplit=1)[0]
    words = _MODEL_WORDS.get(key)
    return (words[0] if lang == "zh" else words[1]) if words else text


_QUALITY = re.compile(r"(derived|grade C): ")


def _quality_words(text: Any, lang: Lang) -> str:
    if _is_missing(text):
        return ""
    words = {"derived": ("推算值", "derived"), "grade C": ("C 级来源", "grade C source")}
    return _QUALITY.sub(lambda m: (words[m.group(1)][0] if lang == "zh" else words[m.group(1)][1]) + ": ",
                        str(text))


def detail_table(summary: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """Every assessed target with its figures as text, headers in words (for a page).

    Required growth is counted from the latest figure, as on the first screen; the growth
    from the base year is a column of its own, labelled with the base year.
    """
    import pandas as pd

    zh = lang == "zh"
    rows = []
    for rec in summary[summary["base_value"].notna()].to_dict("records"):
        unit = str(_get(rec, "unit") or "")
        base_year = format_year(_get(rec, "base_year"))
        note = "; ".join(t for t in (_quality_words(_get(rec, "data_quality"), lang), _note_words(rec, lang),
                                     interval_note(rec, lang)) if t)
        rows.append({
            ("指标" if zh else "Indicator"): _get(rec, "name_zh" if zh else "name_en") or rec["indicator"],
            ("单位" if zh else "Unit"): unit,
            ("最新值" if zh else "Latest figure"): (f"{format_figure(_get(rec, 'latest_value'), rec)} "
                                                  f"({format_year(_get(rec, 'latest_year'))})"),
            ("目标" if zh else "Target"): _target_words(rec, lang),
            ("差距" if zh else "Gap"): format_figure(_get(rec, "gap"), rec),
            ("所需年增速(自最新值起)" if zh else "Growth needed (from the latest figure)"):
                growth_words(required_from_latest(rec), _get(rec, "direction"), lang),
            (f"所需年增速(自 {base_year} 年基期起)" if zh else f"Growth needed (from the {base_year} baseline)"):
                format_percent(_get(rec, "required_growth")),
            ("近三年增速" if zh else "Growth over the last three years"): format_percent(_get(rec, "observed_growth")),
            ("进展比 R" if zh else "Progress ratio R"): format_ratio(_get(rec, "progress_ratio")),
            ("达标概率" if zh else "Probability"): format_probability(_get(rec, "p_attain")),
            ("预计达标年份" if zh else "Expected year"): _expected(rec, lang),
            ("模型" if zh else "Model"): model_words(_get(rec, "model"), lang),
            ("数据说明" if zh else "About the data"): note or MISSING,
        })
    return pd.DataFrame(rows)


def interval_note(row: Any, lang: Lang = "en") -> str:
    """Why a forecast interval is very wide, in words; empty when it is not.

    Very wide: the upper end at least three times the lower one, or a spread at least as
    large as the median itself, in the target year.

    Examples
    --------
    >>> interval_note({"point": 100.0, "lower": 40.0, "upper": 180.0, "level": 80, "unit": "亿元", "target_year": 2017})
    'the 80 % interval for 2017 is wide (40.00 to 180.0 亿元): the series is short or uneven, and the forecast keeps that uncertainty instead of hiding it'
    >>> interval_note({"point": 100.0, "lower": 90.0, "upper": 110.0, "level": 80})
    ''
    """
    point, lower, upper = (_float(_get(row, k)) for k in ("point", "lower", "upper"))
    if point is None or lower is None or upper is None or point <= 0:
        return ""
    wide = (upper - lower) >= point or (lower > 0 and upper / lower >= 3) or lower <= 0
    if not wide:
        return ""
    level = _float(_get(row, "level")) or 80
    unit = str(_get(row, "unit") or "")
    shown = format_count if is_count(row) else format_amount  # a forecast's own precision, not the data's
    low, high = shown(lower), shown(upper)
    year = format_year(_get(row, "target_year"))
    if lang == "zh":
        return (f"{year} 年的 {level:g} % 区间很宽({low} 至 {high} {unit}):序列较短或波动较大,"
                "预测如实保留这种不确定性")
    return (f"the {level:g} % interval for {year} is wide ({low} to {high} {unit}): the series is short or uneven, "
            "and the forecast keeps that uncertainty instead of hiding it")


def _note_words(rec: Any, lang: Lang) -> str:
    """The row's note for a reader: why a probability is missing, in the page's language where known."""
    note = str(_get(rec, "note") or "")
    if not note:
        return ""
    if lang == "zh":
        if note.startswith("not simulated"):
            return "无估计:模型无法拟合(" + note.split(": ", 1)[-1] + ")"
        if note.startswith("observed growth needs"):
            return "近三年增速需要窗口内至少两个观测值"
        if note.startswith("target year observed"):
            return "目标年份已有观测值:" + note.split(": ", 1)[-1]
        if note.startswith("no baseline"):
            return "无基期值:规划未给出,也无基期年份的观测"
    return note


def not_assessed(summary: pd.DataFrame, lang: Lang = "en") -> list[str]:
    """Names (with their target) of the targets that cannot be assessed, for one sentence on a page."""
    name = "name_zh" if lang == "zh" else "name_en"
    return [f"{_get(rec, name) or rec['indicator']} ({_target_words(rec, lang)})"
            for rec in summary[summary["base_value"].isna()].to_dict("records")]


def effort_table(effort: pd.DataFrame, summary: pd.DataFrame, lang: Lang = "en", *, probability: float = 0.8
                 ) -> pd.DataFrame:
    """:func:`xmforecast.what_it_takes_table` in words: what each target takes, for a page."""
    import pandas as pd

    zh = lang == "zh"
    rows_by = summary.set_index("indicator")
    rows = []
    for rec in effort[effort["indicator"].isin(summary.loc[summary["base_value"].notna(), "indicator"])].to_dict(
            "records"):
        row = {**rows_by.loc[rec["indicator"]].to_dict(), "indicator": rec["indicator"]}
        direction = _get(row, "direction")
        rows.append({
            ("指标" if zh else "Indicator"): _get(row, "name_zh" if zh else "name_en") or rec["indicator"],
            ("最新值" if zh else "Latest figure"): (f"{format_figure(_get(rec, 'latest_value'), row)} "
                                                  f"({format_year(_get(rec, 'latest_year'))})"),
            ("目标" if zh else "Target"): _target_words(row, lang),
            ("所需年增速(自最新值起)" if zh else "Growth needed (from the latest figure)"):
                growth_words(required_from_latest(row), direction, lang),
            ("近三年增速" if zh else "Growth over the last three years"):
                format_percent(_get(rec, "observed_growth"), signed=True),
            ("模型预期年增速" if zh else "Growth the forecast expects"):
                format_percent(_get(rec, "expected_growth"), signed=True),
            (f"达标概率 {format_percent(probability)} 所需年增速" if zh
             else f"Growth for a chance of {format_percent(probability)}"): format_percent(
                _get(rec, "growth_for_probability"), signed=True),
            ("说明" if zh else "Note"): _effort_note(rec, lang),
        })
    return pd.DataFrame(rows)


def _effort_note(rec: Any, lang: Lang) -> str:
    note = str(_get(rec, "note") or "")
    if lang != "zh" or not note:
        return note
    if "beyond the scenario range" in note:
        return "所需增速调整超出情景范围(每年 ±50 %)"
    if "no growth shift reaches" in note:
        return "任何增速调整都无法达标(模拟值不为正)"
    if note.startswith("target year"):
        return "目标年份已有观测值"
    return note


def lever_table(summary: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """The structural levers (new certifications, patent grants, ...) each target needs, in words.

    The numbers are those of the first table and of the index: the same summary rows,
    rounded up by :func:`lever_count`.
    """
    import pandas as pd

    zh = lang == "zh"
    rows = []
    for rec in summary[summary["lever"].notna()].to_dict("records") if "lever" in summary else []:
        needed = lever_count(_get(rec, "lever_needed"))
        last = _get(rec, "lever_last")
        rows.append({
            ("指标" if zh else "Indicator"): _get(rec, "name_zh" if zh else "name_en") or rec["indicator"],
            ("杠杆" if zh else "Lever"): _lever_words(rec["lever"], lang),
            (f"{format_year(_get(rec, 'target_year'))} 年前每年需要" if zh else "Needed each year"):
                (("目标年份已有观测值" if zh else "target year already observed") if needed is None
                 else format_count(needed)),
            ("最近一年" if zh else "Last observed"): (MISSING if last is None else
                                                     f"{format_count(last)} ({format_year(_get(rec, 'lever_last_year'))})"),
        })
    return pd.DataFrame(rows)


def comparison_table(summary: pd.DataFrame, lang: Lang = "en", *, value: Literal["probability", "expected"] =
                     "probability") -> str:
    """Targets × scenarios as HTML: the verdict coloured by probability, or the expected year.

    Parameters
    ----------
    summary : DataFrame
        A run's ``summary.csv`` (a ``scenario`` and a ``title`` column).
    value : {"probability", "expected"}
        What the cells hold; with ``"expected"`` a column gives the trend grade in words.
    """
    titles = list(dict.fromkeys(zip(summary["scenario"], summary["title"].fillna(summary["scenario"]))))
    name = "name_zh" if lang == "zh" else "name_en"
    rows = []
    for _, group in summary.groupby("indicator", sort=False):
        first = group.iloc[0].to_dict()
        cells = []
        for scenario, _title in titles:
            hit = group[group["scenario"] == scenario]
            rec = hit.iloc[0].to_dict() if len(hit) else {}
            p = _colour_p(rec)
            if value == "probability":
                cells.append(dict(text=verdict(rec, lang) if rec else MISSING, color=probability_color(p),
                                  text_color=probability_text_color(p)))
            else:
                cells.append(dict(text=_expected(rec, lang) if rec else MISSING, color="#ffffff",
                                  text_color="#222222"))
        rows.append(dict(name=str(_get(first, name) or first["indicator"]), target=_target_words(first, lang),
                         grade=status_label(_get(first, "status"), lang), cells=cells))
    return render_template("comparison.html", rows=rows, titles=[t for _, t in titles], lang=lang,
                           with_grade=value == "expected")
