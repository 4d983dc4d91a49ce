"""Reference classes of the outside view: their families, calibration vintages and base rates.

A forecast of a short series borrows from a *reference class* of comparable real series
(Kahneman & Lovallo's outside view). Two classes are shipped:

``china_regions``
    Chinese provinces' science and technology series, 2010-2024 (the China Statistical
    Yearbook on Science and Technology, ``data/reference_panel_cn.csv``), in the families
    of :data:`FAMILIES` (R&D money and intensity, patents, the technology market, R&D
    personnel, ...).
``global``
    Annual series of countries (population and real GDP, 1960-2016), US states, airlines,
    firms and long US series (``data/reference_panel.csv``), one family.

What was learned on a class is shipped as *vintages*, ``data/calibration/<class>/<year>.json``:
the vintage of year ``V`` was learned only from panel values of years <= V
(:mod:`xmforecast.calibration`, ``make calibrate``). A forecast whose last observation is in
year ``T`` uses the latest vintage ``V <= T``: it never sees what the panel knew after ``T``.

A registry entry may declare its ``family`` (default ``other``: the whole class pooled) and its
``reference_class`` (default ``china_regions`` for an entry with a Chinese name, else
``global``). This module needs numpy only.

References
----------
.. [1] Kahneman, D. & Lovallo, D. (1993) Timid choices and bold forecasts: a cognitive
   perspective on risk taking. *Management Science* 39(1), 17-31.
.. [2] Flyvbjerg, B. (2006) From Nobel prize to project management: getting risks right.
   *Project Management Journal* 37(3), 5-15 (reference class forecasting).
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

from .exceptions import DataError, ParameterError

__all__ = ["CLASSES", "FAMILIES", "default_class", "vintages", "load_vintage", "vintage_for",
           "family_used", "family_words", "base_rate", "base_rate_sentence"]

def _words() -> dict:
    # Words and panel names are data, shipped beside the panels they describe.
    return json.loads(resources.files("xmforecast").joinpath("data", "reference_classes.json").read_text("utf-8"))


_WORDS = _words()
#: Reference classes: words for pages, and the panel each was learned on
#: (``data/reference_classes.json``).
CLASSES: dict[str, dict[str, str]] = _WORDS["classes"]
#: Indicator families, each learned on its own with partial pooling towards the whole class;
#: ``other`` (the default) is the whole class pooled (``data/reference_classes.json``).
FAMILIES: dict[str, dict[str, str]] = _WORDS["families"]

#: The family key under which a vintage stores the whole class pooled.
POOLED = "all"


def default_class(name_zh: Any) -> str:
    """The reference class of a registry entry that declares none.

    ``china_regions`` when the entry has a Chinese name (a Chinese plan), else ``global``.

    >>> default_class("研发经费"), default_class(None)
    ('china_regions', 'global')
    """
    return "china_regions" if isinstance(name_zh, str) and name_zh.strip() else "global"


def check_class(reference_class: str) -> str:
    if reference_class not in CLASSES:
        raise ParameterError(f"`reference_class` must be one of {', '.join(CLASSES)}; got {reference_class!r}.")
    return reference_class


def check_family(family: str) -> str:
    if family not in FAMILIES:
        raise ParameterError(f"`family` must be one of {', '.join(FAMILIES)}; got {family!r}.")
    return family


@lru_cache(maxsize=None)
def vintages(reference_class: str) -> tuple[int, ...]:
    """The years of the shipped vintages of a class, increasing."""
    folder = resources.files("xmforecast").joinpath("data", "calibration", check_class(reference_class))
    names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    years = sorted(int(name[:-5]) for name in names if name.endswith(".json") and name[:-5].isdigit())
    if not years:
        raise DataError(f"no calibration vintages shipped for class {reference_class!r} "
                        f"(xmforecast/data/calibration/{reference_class}/); run `make calibrate`.")
    return tuple(years)


@lru_cache(maxsize=64)
def load_vintage(reference_class: str, vintage: int) -> dict:
    """The calibration learned on `reference_class` from panel values of years <= `vintage`."""
    path = resources.files("xmforecast").joinpath("data", "calibration", check_class(reference_class),
                                                  f"{int(vintage)}.json")
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"xmforecast/data/calibration/{reference_class}/{vintage}.json: "
                        f"cannot read the calibration vintage: {exc}") from None


def vintage_for(year: int, available: tuple[int, ...] | list[int]) -> tuple[int, bool]:
    """The latest vintage ``<= year``, and whether none was (then the first, which looks ahead).

    >>> vintage_for(2015, (2012, 2014, 2015, 2020)), vintage_for(2010, (2012, 2020))
    ((2015, False), (2012, True))
    """
    earlier = [v for v in available if v <= year]
    return (max(earlier), False) if earlier else (min(available), True)


def family_used(table: dict, family: str) -> str:
    """The family whose data a vintage really has for `family`: itself, or ``other`` (the class).

    A family the vintage lacks, or learned only from the rest of the class (no data of its own
    up to the vintage's year), is the whole class: words about it must say so.
    """
    entry = table["families"].get(family)
    return family if entry is not None and entry.get("own_data", True) and family != POOLED else "other"


def family_words(table: dict, family: str, lang: str = "en") -> str:
    """The name of the series a vintage's figures for `family` come from (see :func:`family_used`).

    >>> family_words({"reference_class": "china_regions", "families": {"all": {}}}, "patents")
    'science and technology series'
    """
    used = family_used(table, family)
    if used == "other":
        return CLASSES[table["reference_class"]].get(f"other_{lang}", FAMILIES["other"][lang])
    return FAMILIES[used][lang]


def _family_table(table: dict, family: str) -> dict:
    families = table["families"]
    return families.get(family) or families[POOLED]


def base_rate(required_growth: float, horizon: int, *, table: dict, family: str = "other",
              direction: str = "increase") -> float:
    """Share of the class's series that grew at least at `required_growth` over `horizon` years.

    Parameters
    ----------
    required_growth : float
        Yearly growth [fraction / year], e.g. 0.2.
    horizon : int
        Years over which the growth is averaged [years]; beyond the stored horizons the
        longest is used.
    table : dict
        A vintage (:func:`load_vintage`): only panel values up to its year count.
    family : str
        The indicator's family; ``other`` or one the vintage lacks: the whole class.
    direction : str
        ``decrease``: the share that fell at least as fast (growth <= `required_growth`).

    Returns
    -------
    float
        A fraction; NaN where the growth is not a number or <= -100 %.

    Notes
    -----
    Every entity (province, state, firm) weighs the same, however many series or years it
    has; the distribution of yearly log growth ``log(y_{t+h} / y_t) / h`` over all runs of
    ``h + 1`` consecutive years is stored as quantiles and interpolated.
    """
    import numpy as np

    if not (isinstance(required_growth, (int, float)) and math.isfinite(required_growth)) or required_growth <= -1:
        return math.nan
    rates = _family_table(table, family)["base_rates"]
    h = str(min(max(int(horizon), 1), max(int(k) for k in rates)))
    quantiles = np.asarray(rates[h]["quantiles"], dtype=float)
    probabilities = np.linspace(0.0, 1.0, len(quantiles))
    below = float(np.interp(math.log1p(required_growth), quantiles, probabilities))
    return below if direction == "decrease" else 1.0 - below


def base_rate_sentence(required_growth: float, horizon: int, rate: float, *, table: dict,
                       family: str = "other", lang: str = "en", direction: str = "increase") -> str:
    """One sentence that says what :func:`base_rate` measured.

    >>> t = {"reference_class": "china_regions", "vintage": 2018, "families": {"all": {
    ...     "first_year": 2010, "base_rates": {}}, "rd_money": {"first_year": 2010, "base_rates": {}}}}
    >>> base_rate_sentence(0.2, 1, 0.31, table=t, family="rd_money")
    "Chinese provinces' R&D spending grew 20 % or more in a year in 31 % of province-years 2010-2018."
    """
    if not math.isfinite(rate):
        return ""
    cls = CLASSES[table["reference_class"]]
    fam = {"en": family_words(table, family, "en"), "zh": family_words(table, family, "zh")}
    first, last = _family_table(table, family)["first_year"], table["vintage"]
    pct = round(100 * required_growth)
    share = "<1" if 0 < rate < 0.005 else ">99" if 0.995 < rate < 1 else f"{100 * rate:.0f}"
    if lang == "zh":
        way = "增长" if direction != "decrease" else "下降"
        span = "一年" if horizon == 1 else f"{horizon}年内年均"
        return (f"{first}-{last}年{cls['zh']}的{fam['zh']}中，{span}{way}{abs(pct)}%及以上的"
                f"{cls['unit_zh']}占{share}%。")
    way = "grew" if direction != "decrease" else "fell"
    span = "in a year" if horizon == 1 else f"a year over {horizon} years"
    whose = cls["whose_en"].format(family=fam["en"])
    return (f"{whose[0].upper()}{whose[1:]} {way} {abs(pct)} % or more {span} in {share} % "
            f"of {cls['unit_en']} {first}-{last}.")
