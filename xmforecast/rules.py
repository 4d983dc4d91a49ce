"""The bounds every input shares: which years may be observed or targeted, and how large a value may be.

The registry, observations CSVs, scenarios and the CLI all check years and values against
these, so a rule is stated once and worded once.
"""
from __future__ import annotations

import datetime as _dt

__all__ = ["FIRST_YEAR", "LAST_TARGET_YEAR", "MAX_VALUE", "last_observed_year", "year_rule", "in_year_range"]

#: Earliest year any input may carry [year]: an observation, a registry's ``base_year`` or
#: ``target_year``, an origin. The one year rule: an observed year lies in
#: FIRST_YEAR..:func:`last_observed_year`, a target year in FIRST_YEAR..:data:`LAST_TARGET_YEAR`.
FIRST_YEAR = 1800
#: Latest year a target may name [year]; only targets may lie in the future.
LAST_TARGET_YEAR = 2100
#: Largest value an observation may carry [indicator's unit]: above any real figure, and far
#: from float overflow once growth is compounded over a horizon.
MAX_VALUE = 1e15


def last_observed_year() -> int:
    """The latest year an observed year may be: the current calendar year, read on each call.

    Observed years are a CSV row's ``year``, a registry's ``base_year``, the CLI's
    ``--origin`` and a scenario's ``origin``.

    Returns
    -------
    int
        ``datetime.date.today().year``.
    """
    return _dt.date.today().year


def year_rule(*, target: bool = False) -> str:
    """The year rule in the words every message uses, e.g. ``"must be a year 1800-2100"``.

    A message names the input, states this rule and shows the value received:
    ``"`origin` must be a year 1800-<this year>; got 1700."``

    Parameters
    ----------
    target : bool
        The rule for a target year (up to :data:`LAST_TARGET_YEAR`) rather than for an
        observed year (up to :func:`last_observed_year`).

    Returns
    -------
    str

    Examples
    --------
    >>> year_rule(target=True)
    'must be a year 1800-2100'
    """
    last = LAST_TARGET_YEAR if target else last_observed_year()
    return f"must be a year {FIRST_YEAR}-{last}"


def in_year_range(value: object, *, target: bool = False) -> bool:
    """Whether `value` is a year the rule allows: an integer (not a bool) in the range.

    Parameters
    ----------
    value : object
        The year received.
    target : bool
        Check against the target years' range rather than the observed years'.

    Returns
    -------
    bool
        True for :data:`FIRST_YEAR` <= value <= :func:`last_observed_year` (or
        :data:`LAST_TARGET_YEAR` with `target`).

    Examples
    --------
    >>> in_year_range(1935), in_year_range(1799), in_year_range(2100, target=True), in_year_range(True)
    (True, False, True, False)
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return FIRST_YEAR <= value <= (LAST_TARGET_YEAR if target else last_observed_year())
