"""Argument checks shared by every model and the engine: one function and one wording per rule.

Each check names the argument, states the rule and shows what it got, and returns the
value in the type the caller computes with::

    `horizon` must be a positive integer; got 0.

A rule broken by the data rather than by an argument (too few observations) raises
:class:`~xmforecast.exceptions.ModelError`; every other check raises
:class:`~xmforecast.exceptions.ParameterError`.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from xmforecast.exceptions import ModelError, ParameterError

__all__ = [
    "check_int",
    "check_positive",
    "check_non_negative",
    "check_fraction",
    "check_growth",
    "check_level",
    "check_beta_spread",
    "check_series",
    "check_year_series",
]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """`value` as an int, or raise unless it is an integer >= `minimum` (bools refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        rule = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ParameterError(f"`{name}` must be {rule}; got {value!r}.")
    return int(value)


def check_positive(name: str, value: Any) -> float:
    """`value` as a float, or raise unless it is a finite number > 0."""
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise ParameterError(f"`{name}` must be a finite number > 0; got {value!r}.")
    return float(value)


def check_non_negative(name: str, value: Any) -> float:
    """`value` as a float, or raise unless it is a finite number >= 0."""
    if not np.isfinite(value) or value < 0:
        raise ParameterError(f"`{name}` must be a finite number >= 0; got {value}.")
    return float(value)


def check_fraction(name: str, value: Any, *, upper_open: bool = False) -> None:
    """Raise unless every value is a fraction in [0, 1] (or [0, 1) when `upper_open`)."""
    bracket = "[0, 1)" if upper_open else "[0, 1]"
    array = np.asarray(value, dtype=float)
    bad = ~np.isfinite(array) | (array < 0) | ((array >= 1) if upper_open else (array > 1))
    if np.any(bad):
        shown = value if np.ndim(value) == 0 else array[bad].ravel()[0]
        raise ParameterError(f"`{name}` must be in {bracket}; got {shown}.")


def check_growth(name: str, value: float | None) -> None:
    """Raise unless `value` is None or a finite growth rate > -1 [fraction/year]."""
    if value is not None and (not np.isfinite(value) or value <= -1):
        raise ParameterError(f"`{name}` must be a finite fraction > -1; got {value}.")


def check_level(level: Any) -> float:
    """The interval level as a float, or raise unless it is a percentage in (0, 100)."""
    if not _is_number(level) or not 0 < level < 100:
        raise ParameterError(
            f"`level` must be a percentage strictly between 0 and 100; got {level!r}."
        )
    return float(level)


def check_beta_spread(name: str, spread: float, mean: float, rate: str) -> None:
    """Raise unless a beta distribution with this mean can have standard deviation `spread`.

    ``rate`` names the rate in the message (e.g. ``"lapse rate"``).
    """
    if spread > 0 and spread**2 >= mean * (1 - mean):
        limit = np.sqrt(mean * (1 - mean))
        raise ParameterError(
            f"`{name}` must be below sqrt(m(1 - m)) = {limit:.3g} for the {rate} "
            f"m = {mean:.3g}; got {spread}."
        )


def check_series(series: Any, name: str = "series") -> pd.Series:
    """A float copy of a growth model's `series` on an int64 ``year`` index, or raise.

    The series must be non-empty, with strictly increasing integer years (gaps allowed)
    and finite values.
    """
    if not isinstance(series, pd.Series):
        raise ParameterError(
            f"`{name}` must be a pandas Series indexed by year; got {type(series).__name__}."
        )
    if len(series) == 0:
        raise ParameterError(f"`{name}` must hold at least 1 observation; got 0.")
    if not pd.api.types.is_integer_dtype(series.index.dtype):
        raise ParameterError(
            f"`{name}` must be indexed by integer years; got index dtype {series.index.dtype}."
        )
    years = np.asarray(series.index, dtype=np.int64)
    if np.any(np.diff(years) <= 0):
        raise ParameterError(f"`{name}` years must be strictly increasing; got {years.tolist()}.")
    try:
        values = np.asarray(series, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"`{name}` values must be numbers; got dtype {series.dtype}.") from None
    bad = ~np.isfinite(values)
    if bad.any():
        raise ParameterError(
            f"`{name}` values must be finite (drop missing years, e.g. `series.dropna()`); "
            f"got {values[bad].tolist()} in {years[bad].tolist()}."
        )
    return pd.Series(values, index=pd.Index(years, name="year"), name=series.name)


def check_year_series(series: Any, name: str, *, minimum: int, positive: bool) -> pd.Series:
    """A structural model's input without its NaNs, as floats on a sorted int year index.

    Values must be finite and > 0 (`positive`) or >= 0, one per year; fewer than `minimum`
    observations is the data's shortfall (:class:`~xmforecast.exceptions.ModelError`).
    """
    if not isinstance(series, pd.Series):
        raise ParameterError(
            f"`{name}` must be a pandas Series indexed by year; got {type(series).__name__}."
        )
    clean = series.dropna()
    if len(clean) and not pd.api.types.is_integer_dtype(clean.index):
        raise ParameterError(
            f"`{name}` must have an integer year index; got dtype {clean.index.dtype}."
        )
    if clean.index.has_duplicates:
        years = sorted(set(clean.index[clean.index.duplicated()]))
        raise ParameterError(f"`{name}` must have one value per year; got duplicates {years}.")
    values = np.asarray(clean, dtype=float)
    if not np.all(np.isfinite(values)):
        raise ParameterError(f"`{name}` must hold finite numbers; got {values}.")
    if np.any(values <= 0 if positive else values < 0):
        rule = "> 0" if positive else ">= 0"
        raise ParameterError(f"`{name}` values must be {rule}; got {values.min()}.")
    if len(clean) < minimum:
        raise ModelError(f"`{name}` needs at least {minimum} observations; got {len(clean)}.")
    index = pd.Index(clean.index.astype("int64"), name="year")
    return pd.Series(values, index=index, name=series.name).sort_index()
