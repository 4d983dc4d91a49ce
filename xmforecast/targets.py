"""Target metrics: distance to target, progress grade, probability and year of attainment.

The progress ratio and its grades follow Eurostat's SDG monitoring method as used by
Open SDG: R = observed growth / required growth; R ≥ 0.95 on track, 0.6 ≤ R < 0.95
acceleration needed, 0 ≤ R < 0.6 limited progress, R < 0 deterioration; a level target
already met at the origin overrides the grade.

References
----------
Eurostat (2023), *Sustainable development in the European Union — Monitoring report*,
Annex II, "Assessment of progress towards quantified targets".
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .exceptions import ParameterError
from .words import say

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "STATUSES",
    "TARGET_COLUMNS",
    "required_growth",
    "observed_growth",
    "progress_ratio",
    "progress_status",
    "target_level",
    "required_path",
    "attainment",
    "quality_note",
    "target_table",
    "required_growth_from_latest",
    "LIKELIHOOD",
    "likelihood_words",
    "shown_probability",
    "grade_words",
    "verdict",
    "verdicts",
]

ON_TRACK, ACCELERATE, LIMITED, DETERIORATION = "on track", "acceleration needed", "limited progress", "deterioration"
ALREADY_MET, MET, MISSED, NO_DATA = "already met", "met", "missed", "insufficient data"
STATUSES = (ALREADY_MET, ON_TRACK, ACCELERATE, LIMITED, DETERIORATION, MET, MISSED, NO_DATA)

#: The calibrated likelihood words (IPCC) of a probability of attainment, with their lower
#: bounds [fraction]: ``p < 0.10`` very unlikely, ..., ``p ≥ 0.90`` very likely. The words are
#: message ids (``likelihood <words>``) of the catalog of words, which has them in both languages.
LIKELIHOOD = (
    (0.00, "very unlikely"),
    (0.10, "unlikely"),
    (0.33, "about as likely as not"),
    (0.66, "likely"),
    (0.90, "very likely"),
)

# The progress grade names what it measures, the pace of the past against the pace required:
# each status's words are the catalog's message ``grade <status>``.

TARGET_COLUMNS = [
    "indicator", "target_year", "target_type", "target_value", "base_year", "base_value",
    "required_growth", "observed_growth", "progress_ratio", "status", "p_attain", "expected_year",
]


def required_growth(base_value: float, target_level: float, years: int) -> float:
    """Constant annual growth that takes ``base_value`` to ``target_level`` in ``years``.

    Parameters
    ----------
    base_value, target_level : float
        Positive levels [indicator's unit].
    years : int
        Years between base and target year (≥ 1).

    Returns
    -------
    float
        Growth rate per year [fraction].

    Notes
    -----
    .. math:: g^* = (L_T / L_0)^{1/(T - t_0)} - 1

    Examples
    --------
    >>> round(required_growth(1225, 1400, 1), 6)
    0.142857
    >>> round(required_growth(100, 121, 2), 6)
    0.1
    """
    if years < 1:
        raise ParameterError(f"`years` must be at least 1; got {years}.")
    if not (base_value > 0 and target_level > 0):
        raise ParameterError(f"levels must be positive; got base {base_value}, target {target_level}.")
    return (target_level / base_value) ** (1.0 / years) - 1.0


def observed_growth(history: pd.Series, *, window: int = 3) -> float:
    """Compound annual growth over the last ``window`` years of a series.

    Parameters
    ----------
    history : Series
        Values on an integer year index.
    window : int
        Look back at most this many years from the last observation; the earliest point
        in ``[last - window, last]`` is the start.

    Returns
    -------
    float
        Growth per year [fraction]; NaN with fewer than two points in the window or a
        non-positive start.

    Examples
    --------
    >>> import pandas as pd
    >>> round(observed_growth(pd.Series({2019: 100.0, 2020: 110.0, 2021: 121.0})), 6)
    0.1
    """
    h = history.dropna().sort_index()
    if len(h) < 2:
        return math.nan
    last = int(h.index[-1])
    h = h[h.index >= last - window]
    if len(h) < 2 or h.iloc[0] <= 0:
        return math.nan
    years = last - int(h.index[0])
    return float((h.iloc[-1] / h.iloc[0]) ** (1.0 / years) - 1.0)


def progress_ratio(observed: float, required: float, *, direction: str = "increase") -> float:
    """Eurostat progress ratio R = observed / required growth (NaN where undefined).

    Parameters
    ----------
    observed, required : float
        Growth per year [fraction].
    direction : {"increase", "decrease"}
        An ``increase`` target needs growth (required > 0); a ``decrease`` target needs a
        fall (required < 0), and growth is then a move the wrong way, so R < 0.

    Returns
    -------
    float
        R; NaN when a growth is missing or the required growth has not the target's sign.

    Examples
    --------
    >>> progress_ratio(0.1, 0.2)
    0.5
    >>> progress_ratio(-0.05, -0.1, direction="decrease"), progress_ratio(0.05, -0.1, direction="decrease")
    (0.5, -0.5)
    """
    import numpy as np

    if not np.isfinite(observed) or not np.isfinite(required):
        return math.nan
    if (required >= 0) if direction == "decrease" else (required <= 0):
        return math.nan
    return observed / required


def progress_status(ratio: float, *, already_met: bool = False, required: float = math.nan,
                    direction: str = "increase") -> str:
    """Grade of a progress ratio (see module notes).

    A target on the near side of the base (required growth ≤ 0 for an ``increase``
    target, ≥ 0 for a ``decrease`` target) is on track unless the level moves past it
    faster than allowed; that case is passed as ``ratio`` NaN and such a ``required``.
    For a ``decrease`` target, R comes from :func:`progress_ratio` with the same
    direction: a rise is R < 0, deterioration.

    Examples
    --------
    >>> [progress_status(r) for r in (1.2, 0.7, 0.3, -0.1)]
    ['on track', 'acceleration needed', 'limited progress', 'deterioration']
    >>> progress_status(0.1, already_met=True)
    'already met'
    >>> progress_status(-0.5, required=-0.1, direction="decrease")
    'deterioration'
    """
    import numpy as np

    if already_met:
        return ALREADY_MET
    if np.isfinite(required) and ((required >= 0) if direction == "decrease" else (required <= 0)):
        return ON_TRACK
    if not np.isfinite(ratio):
        return NO_DATA
    if ratio >= 0.95:
        return ON_TRACK
    if ratio >= 0.6:
        return ACCELERATE
    if ratio >= 0:
        return LIMITED
    return DETERIORATION


def target_level(target_type: str, target_value: float, base_value: float) -> float:
    """The level the indicator must reach in the target year.

    ``level`` and ``flow`` targets name the level; a ``growth`` target names the growth
    over the base year [fraction].

    Examples
    --------
    >>> round(target_level("growth", 0.2, 117.7), 2)
    141.24
    >>> target_level("level", 1400, 1225)
    1400.0
    """
    if target_type == "growth":
        return float(base_value) * (1.0 + float(target_value))
    if target_type in ("level", "flow"):
        return float(target_value)
    raise ParameterError(f"`target_type` must be one of level, growth, flow; got {target_type!r}.")


def required_path(base_year: int, base_value: float, target_year: int, target: float,
                  *, last_year: int | None = None) -> pd.Series:
    """The constant-growth path from the base to the target, for charts.

    Parameters
    ----------
    base_year, target_year : int
    base_value, target : float
        Levels [indicator's unit].
    last_year : int, optional
        Extend the path at the same rate up to this year (default ``target_year``).

    Returns
    -------
    Series
        Levels by year from ``base_year``.

    Examples
    --------
    >>> required_path(2021, 100.0, 2023, 121.0).round(6).tolist()
    [100.0, 110.0, 121.0]
    """
    import numpy as np

    import pandas as pd

    g = required_growth(base_value, target, target_year - base_year)
    years = np.arange(base_year, max(target_year, last_year or target_year) + 1)
    return pd.Series(base_value * (1.0 + g) ** (years - base_year), index=pd.Index(years, name="year"))


def attainment(paths: pd.DataFrame, target_year: int, target: float, *, direction: str = "increase") -> tuple[float, float]:
    """Probability of attainment and expected year of attainment from simulated paths.

    Parameters
    ----------
    paths : DataFrame
        Years × paths of simulated levels (or flows, for a flow target).
    target_year : int
    target : float
        Level to reach [indicator's unit].
    direction : {"increase", "decrease"}
        Whether the target is a floor (reach at least) or a ceiling.

    Returns
    -------
    p_attain : float
        Share of paths meeting the target in ``target_year`` (NaN if the year is not simulated).
    expected_year : float
        First simulated year in which the median path meets the target (NaN if none).

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame([[90.0, 110.0], [105.0, 120.0]], index=[2017, 2018])
    >>> attainment(paths, 2017, 101.0)
    (0.5, 2018.0)
    >>> attainment(paths, 2017, 90.0, direction="decrease")
    (0.5, nan)
    """
    import numpy as np

    values = paths.to_numpy(dtype=float)
    meets = values >= target if direction == "increase" else values <= target
    years = paths.index.to_numpy(dtype=int)
    p = float(meets[years == target_year].mean()) if (years == target_year).any() else math.nan
    median = np.median(values, axis=1)
    # A median on the target up to rounding meets it: the required-rate scenario puts it
    # exactly there, and 199.99999999999997 must not read as "after 2035" for a target of 200.
    slack = 1e-9 * abs(target)
    ok = median >= target - slack if direction == "increase" else median <= target + slack
    expected = float(years[ok.argmax()]) if ok.any() else math.nan
    return p, expected


def quality_note(observations: pd.DataFrame, indicator: str, *, origin: int | None = None) -> str:
    """Which of an indicator's observations are derived or of grade C, for a reader to weigh.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"indicator": "firms", "year": [2015, 2019, 2020, 2021],
    ...                     "status": ["published", "published", "derived", "published"],
    ...                     "quality": ["C", "C", "A", "A"]})
    >>> quality_note(obs, "firms")
    'derived: 2020; grade C: 2015, 2019'
    """
    # numpy masks: pandas' per-call overhead dominated an assessment (see data.series)
    years = observations["year"].to_numpy(dtype=int)
    keep = observations["indicator"].to_numpy() == indicator
    if origin is not None:
        keep &= years <= int(origin)
    derived_rows = observations["status"].to_numpy() == "derived"
    grade_c_rows = (observations["quality"].to_numpy() == "C") & ~derived_rows
    derived = sorted(int(y) for y in years[keep & derived_rows])
    grade_c = sorted(int(y) for y in years[keep & grade_c_rows])
    parts = [f"{label}: {', '.join(map(str, years))}" for label, years in
             (("derived", derived), ("grade C", grade_c)) if years]
    return "; ".join(parts)


def _given(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def target_table(indicators: pd.DataFrame, observations: pd.DataFrame, *, origin: int | None = None,
                 window: int = 3) -> pd.DataFrame:
    """The deterministic columns of the target table, one row per target.

    Parameters
    ----------
    indicators : DataFrame
        The registry; rows without a target are left out.
    observations : DataFrame
        Long observations (see :func:`xmforecast.load_observations`).
    origin : int, optional
        Use only data up to this year (default: each indicator's base year).
    window : int
        Years over which observed growth is measured.

    Returns
    -------
    DataFrame
        :data:`TARGET_COLUMNS` plus ``target_level`` (the level to reach), ``latest_year``,
        ``latest_value``, ``gap`` (target level − latest value), ``required_from_latest`` (the
        constant growth from the latest observation that just reaches the target [fraction],
        see :func:`required_growth_from_latest`), ``note`` and ``data_quality``
        (the years whose figure is derived or of grade C, see :func:`quality_note`). ``p_attain``
        and ``expected_year`` are NaN here; :func:`xmforecast.assess_targets` fills them.
    """
    import pandas as pd

    rows = [_target_row(rec, observations, origin, window) for rec in indicators.to_dict("records")
            if isinstance(rec.get("target_type"), str)]
    return pd.DataFrame(rows, columns=TARGET_COLUMNS + ["target_level", "latest_year", "latest_value", "gap",
                                                       "required_from_latest", "note", "data_quality"])


def _target_row(rec: dict, observations: pd.DataFrame, origin: int | None, window: int) -> dict:
    """One target's deterministic columns (see :func:`target_table`)."""
    import numpy as np

    import pandas as pd

    from .data import series as _series

    ind = rec["id"]
    hist = _series(observations, ind, origin=origin)
    ttype, tyear, tvalue = rec["target_type"], int(rec["target_year"]), float(rec["target_value"])
    base_year = int(rec["base_year"]) if _given(rec.get("base_year")) else tyear - 1
    # The observations hold the winning figure for the base year (a user's row first);
    # the registry's baseline stands in when they do not reach it (an earlier origin).
    base = hist.get(base_year) if base_year in hist.index else rec.get("base_value")
    if base is None or pd.isna(base):
        base = math.nan
    row = dict(indicator=ind, target_year=tyear, target_type=ttype, target_value=tvalue,
               base_year=base_year, base_value=float(base), required_growth=math.nan,
               observed_growth=math.nan, progress_ratio=math.nan, status=NO_DATA,
               p_attain=math.nan, expected_year=math.nan, target_level=math.nan,
               latest_year=math.nan, latest_value=math.nan, gap=math.nan, required_from_latest=math.nan,
               note="",
               data_quality=quality_note(observations, ind, origin=origin))
    if not np.isfinite(row["base_value"]) or row["base_value"] <= 0:
        row["note"] = _no_baseline_note(tyear, base_year, hist)
        return row
    level = target_level(ttype, tvalue, row["base_value"])
    req = required_growth(row["base_value"], level, max(tyear - base_year, 1))
    obs = observed_growth(hist, window=window)
    latest_year = int(hist.index[-1]) if len(hist) else base_year
    latest = float(hist.iloc[-1]) if len(hist) else row["base_value"]
    direction = "decrease" if rec.get("direction") == "decrease" else "increase"
    increase = direction == "increase"
    reached = latest >= level if increase else latest <= level
    row.update(target_level=level, required_growth=req, observed_growth=obs,
               progress_ratio=progress_ratio(obs, req, direction=direction), latest_year=latest_year,
               latest_value=latest, gap=level - latest,
               required_from_latest=required_growth_from_latest(latest, latest_year, level, tyear))
    if tyear in hist.index:
        done = hist[tyear] >= level if increase else hist[tyear] <= level
        row.update(status=MET if done else MISSED, p_attain=1.0 if done else 0.0,
                   expected_year=float(tyear) if done else math.nan,
                   note=f"target year observed: {hist[tyear]:g}")
    else:
        # Flows and yearly amounts start again each year: last year's figure above the
        # target meets nothing yet. Only a stock or a ratio can be "already met".
        already = reached and rec.get("kind") in ("stock", "ratio")
        row["status"] = progress_status(row["progress_ratio"], already_met=already, required=req,
                                        direction=direction)
        if np.isnan(obs):
            row["note"] = "observed growth needs two observations within the window"
    return row


def required_growth_from_latest(latest_value: float, latest_year: int, target: float, target_year: int) -> float:
    """Constant annual growth from the latest observation that just reaches the target.

    Parameters
    ----------
    latest_value, target : float
        Latest observed level and the level to reach [indicator's unit].
    latest_year, target_year : int
        Their years; NaN when the target year is not after the latest one.

    Returns
    -------
    float
        Growth per year [fraction] (negative for a level that must fall); NaN when undefined.

    Examples
    --------
    >>> round(required_growth_from_latest(5.6, 2023, 4.8, 2025), 4)
    -0.0742
    """
    import numpy as np

    values = (latest_value, latest_year, target, target_year)
    if not all(v is not None and np.isfinite(float(v)) for v in values):
        return math.nan
    years = int(target_year) - int(latest_year)
    if years < 1 or not (latest_value > 0 and target > 0):
        return math.nan
    return required_growth(float(latest_value), float(target), years)


def shown_probability(p: float) -> float:
    """The probability as the pages write it, in whole percentages (``<1 %`` and ``>99 %`` kept apart).

    Words and colours go by this value, so that "90 %" never reads "likely (66–90 %)".

    Examples
    --------
    >>> shown_probability(0.896), shown_probability(0.004), shown_probability(0.996)
    (0.9, 0.004, 0.996)
    """
    p = float(p)
    if 0 < p < 0.01 or 0.99 < p < 1:
        return p
    return round(100 * p) / 100


def likelihood_words(p: float, lang: str = "en") -> str:
    """The calibrated words of a probability [fraction] (see :data:`LIKELIHOOD`), as written.

    Examples
    --------
    >>> likelihood_words(0.14), likelihood_words(0.9, "zh"), likelihood_words(0.896)
    ('unlikely', '很可能', 'very likely')
    """
    p = shown_probability(p)
    words = LIKELIHOOD[0][1]
    for low, band in LIKELIHOOD:
        if p >= low:
            words = band
    return say(f"likelihood {words}", lang)


def grade_words(status: str, lang: str = "en") -> str:
    """The progress grade named for what it measures, the past pace against the pace required.

    Examples
    --------
    >>> grade_words("on track"), grade_words("deterioration", "zh")
    ('past pace sufficient', '以往在背离目标')
    """
    return say(f"grade {status}", lang) if status in STATUSES else str(status)


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return not str(value).strip() or str(value).strip().lower() in {"nan", "none", "<na>"}


#: How a target's note starts when its target year lies before the indicator's first observation.
BEFORE_THE_DATA = "no baseline: the target year"


def _no_baseline_note(target_year: int, base_year: int, history: pd.Series) -> str:
    """Why a target has no baseline; a target year before every observation is most likely a typo."""
    if len(history) and target_year < int(history.index[0]):
        return (f"{BEFORE_THE_DATA} {target_year} is before the first observation ({int(history.index[0])}); "
                f"check the registry's target_year")
    return f"no baseline: the registry gives none and no observation exists for the base year {base_year}"


def verdict(status: str, p_attain: float | None, *, direction: str = "increase", note: str = "",
            has_baseline: bool = True, lang: str = "en") -> str:
    """One verdict per target and scenario, reconciling the past pace and the forecast.

    The progress grade (:func:`progress_status`) compares the growth of the past years with
    the growth required; the probability of attainment is the forecast. The verdict says
    both, and says when they disagree: "past pace sufficient, but the forecast expects a
    slowdown: unlikely, 14 %".

    Parameters
    ----------
    status : str
        One of :data:`STATUSES`.
    p_attain : float or None
        Probability of attainment [fraction]; None or NaN when there is none.
    direction : {"increase", "decrease"}
        Which way the target wants the indicator to move.
    note : str
        The target row's note (says why a model could not fit).
    has_baseline : bool
        False when the target has no baseline (it is not assessed).
    lang : {"zh", "en"}

    Returns
    -------
    str

    Examples
    --------
    >>> verdict("on track", 0.14)
    'past pace sufficient, but the forecast expects a slowdown: unlikely, 14 %'
    >>> verdict("deterioration", 0.03, direction="decrease")
    'moving away from the target so far, and the forecast agrees: very unlikely, 3 %'
    >>> verdict("on track", 0.84, lang="zh")
    '以往增速足够,预测也如此:可能,84 %'
    """
    from .formatting import format_probability

    if not has_baseline:
        return say("verdict_no_baseline", lang)
    if status in (MET, MISSED):
        return grade_words(status, lang)
    grade = grade_words(status, lang)
    if _missing(p_attain):
        why = "verdict_cannot_fit" if str(note or "").startswith("not simulated") else "verdict_too_little_data"
        return say("verdict_grade_why", lang, grade=grade, why=say(why, lang))
    p = shown_probability(p_attain)
    chance = say("verdict_chance", lang, likelihood=likelihood_words(p, lang), probability=format_probability(p))
    if status == NO_DATA:
        return say("verdict_forecast_only", lang, grade=grade, chance=chance)
    down, good = direction == "decrease", status in (ON_TRACK, ALREADY_MET)
    if p >= 0.66:
        said = "forecast_agrees" if good else "forecast_faster_fall" if down else "forecast_speed_up"
    elif p >= 0.33:
        said = "forecast_unsure_good" if good else "forecast_unsure"
    elif status == ALREADY_MET:
        said = "forecast_slips_back"
    elif good:
        said = "forecast_fall_slows" if down else "forecast_slowdown"
    else:
        said = "forecast_agrees"
    return say("verdict_both", lang, grade=grade, said=say(said, lang), chance=chance)


def verdicts(table: pd.DataFrame, indicators: pd.DataFrame | None = None, *, lang: str = "en") -> pd.Series:
    """:func:`verdict` for every row of a target table (``status``, ``p_attain``, ...).

    The direction comes from the table's ``direction`` column, else from `indicators`
    (the registry), else ``increase``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"indicator": ["a"], "status": ["on track"], "p_attain": [0.9], "base_value": [1.0]})
    >>> verdicts(t).tolist()
    ['past pace sufficient, and the forecast agrees: very likely, 90 %']
    """
    import pandas as pd

    directions = (dict(zip(indicators["id"], indicators["direction"]))
                  if indicators is not None and "direction" in indicators else {})
    out = []
    for rec in table.to_dict("records"):
        direction = rec.get("direction")
        if _missing(direction) if not isinstance(direction, str) else not direction:
            direction = directions.get(rec.get("indicator"), "increase")
        out.append(verdict(rec.get("status"), rec.get("p_attain"), direction=str(direction),
                           note=str(rec.get("note") or ""), has_baseline=not _missing(rec.get("base_value")),
                           lang=lang))
    return pd.Series(out, index=table.index, name="verdict", dtype=object)
