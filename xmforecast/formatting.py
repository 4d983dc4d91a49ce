"""Number formats: how every page, chart, table and CSV writes a figure.

- counts as integers with thousands separators (``1,225``), money and ratios to sensible
  decimals (``45.16``, ``141.2``), growth rates as whole percentages (``20 %``),
  probabilities as whole percentages with ``<1 %`` and ``>99 %`` at the ends, and ``—``
  for a missing value (never ``nan``, ``None`` or ``<NA>``).

Also the one test of what a missing value is (:func:`is_missing`), used everywhere a
value may be None, NaN, pandas' NA or an empty string.
"""
from __future__ import annotations

import math
from typing import Any, Literal

__all__ = [
    "Lang",
    "MISSING",
    "is_missing",
    "to_float",
    "decimals_of",
    "field",
    "text_or_missing",
    "format_count",
    "format_amount",
    "format_value",
    "format_percent",
    "format_probability",
    "format_ratio",
    "format_short",
    "format_year",
    "format_figure",
    "is_count",
    "lever_count",
]

Lang = Literal["zh", "en"]


#: What a missing number is written as, on every page and chart.
MISSING = "—"


def is_missing(value: Any) -> bool:
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


def to_float(value: Any) -> float | None:
    if is_missing(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _no_negative_zero(text: str) -> str:
    stripped = text.replace(",", "").replace(".", "").replace("0", "").replace("%", "").replace(" ", "")
    return text[1:] if text.startswith("-") and stripped == "-" else text


def decimals_of(value: Any) -> int:
    """Decimals written in a figure as published (117.7 → 1, 45.16 → 2, 1225 → 0)."""
    number = to_float(value)
    if number is None:
        return 0
    text = f"{number:.6f}".rstrip("0")
    return min(len(text.split(".")[1]) if "." in text else 0, 4)


def format_count(value: Any) -> str:
    """A count as a whole number with thousands separators.

    Examples
    --------
    >>> format_count(1225.0), format_count(242.2), format_count(None)
    ('1,225', '242', '—')
    """
    number = to_float(value)
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
    number = to_float(value)
    if number is None:
        return MISSING
    if decimals is None:
        size = abs(number)
        decimals = 2 if size < 100 else 1 if size < 1000 else 0
    return _no_negative_zero(f"{number:,.{decimals}f}")


_MONEY = ("元", "EUR", "USD", "yuan", "euro", "dollar", "$", "€", "£")


def is_count(row: Any) -> bool:
    """Whether an indicator's figures are counts (whole items), as its registry row declares them:
    a stock or a flow (its ``kind``) in a unit that is neither money nor a ratio, whose plan
    figures (baseline, target: those it gives) are whole numbers.

    Examples
    --------
    >>> is_count({"unit": "hubs", "kind": "stock", "base_value": 24, "target_value": 30})
    True
    >>> is_count({"unit": "家", "kind": "flow", "base_value": None, "target_value": 100})
    True
    >>> is_count({"unit": "million EUR", "kind": "stock", "base_value": 412, "target_value": 520})
    False
    >>> is_count({"unit": "万人", "kind": "stock", "base_value": 388.9}), is_count({"unit": "家"})
    (False, False)
    """
    unit = str(field(row, "unit") or "").strip()
    if field(row, "kind") not in ("stock", "flow") or "/" in unit or " per " in f" {unit} " or any(
            m in unit for m in _MONEY):
        return False
    values = [to_float(field(row, k)) for k in ("base_value", "target_value")]
    given = [v for v in values if v is not None]
    return bool(given) and all(v.is_integer() for v in given)


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
    published = [field(row, k) for k in ("base_value", "latest_value")]
    published = [v for v in published if to_float(v) is not None]
    if not published:
        return format_amount(value)
    return format_amount(value, min(max(decimals_of(v) for v in published), 2))


def format_value(value: Any, row: Any = None) -> str:
    """A figure of an indicator in its kind's style: counts whole (:func:`is_count` of its registry
    `row`), everything else by :func:`format_amount`.

    Examples
    --------
    >>> hubs = {"unit": "hubs", "kind": "stock", "base_value": 24, "target_value": 30}
    >>> format_value(14.0, hubs), format_value(117.7, {"unit": "亿元", "kind": "amount"}), format_value(18.75)
    ('14', '117.7', '18.75')
    """
    return format_count(value) if row is not None and is_count(row) else format_amount(value)


def format_percent(fraction: Any, *, signed: bool = False) -> str:
    """A growth rate or share [fraction] as a whole percentage.

    Examples
    --------
    >>> format_percent(0.19999999999999996), format_percent(-0.0004), format_percent(0.03, signed=True)
    ('20 %', '0 %', '+3 %')
    """
    number = to_float(fraction)
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
    number = to_float(p)
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
    number = to_float(value)
    return MISSING if number is None else _no_negative_zero(f"{number:.2f}")


def format_year(value: Any) -> str:
    """A year as four digits (``2017``, not ``2017.0``).

    Examples
    --------
    >>> format_year(2017.0), format_year(float("nan"))
    ('2017', '—')
    """
    number = to_float(value)
    return MISSING if number is None else f"{int(round(number)):d}"


def lever_count(needed: Any) -> int | None:
    """The lever a target needs per year as a whole number: the next one up (242.3 → 243).

    One rule for every page, chart and CSV: a fraction of a certification is not enough,
    so the count needed is rounded up; at or below zero none is needed.

    Examples
    --------
    >>> lever_count(242.3), lever_count(243.0000000001), lever_count(-3.0), lever_count(None)
    (243, 243, 0, None)
    """
    number = to_float(needed)
    if number is None:
        return None
    return max(math.ceil(round(number, 6)), 0)


def field(row: Any, key: str) -> Any:
    try:
        value = row[key]
    except (KeyError, IndexError, TypeError):
        return None
    return None if is_missing(value) else value


def text_or_missing(value: Any) -> str:
    return MISSING if is_missing(value) or not str(value).strip() else str(value)


def format_short(value: float) -> str:
    """A figure for a chart's label: thousands separators, at most two decimals, no trailing zeros.

    Examples
    --------
    >>> format_short(1400.0), format_short(45.16), format_short(-0.001), format_short(2.5)
    ('1,400', '45.16', '0', '2.5')
    """
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
