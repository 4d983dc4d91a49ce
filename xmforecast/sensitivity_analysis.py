"""Sensitivity: how the probability of attainment moves as one scenario assumption varies."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .exceptions import ParameterError
from .fitting import as_scenario, resolve_data

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["sensitivity"]


def sensitivity(parameter: str, values, *, ids: list[str] | None = None, scenario=None,
                observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None,
                origin: int | None = None, n_paths: int | None = None, rng=None) -> pd.DataFrame:
    """Probability of attainment as one scenario assumption varies.

    Parameters
    ----------
    parameter : str
        A :class:`~xmforecast.scenarios.Scenario` field, e.g. ``growth_shift`` or
        ``recertification_rate``.
    values : sequence
        Values to try.
    ids : list of str, optional
        Targets to assess (default: all).

    Returns
    -------
    DataFrame
        Columns ``parameter, value, indicator, p_attain``.
    """
    import pandas as pd

    from .evaluation import TargetEvaluator

    base = as_scenario(scenario)
    if parameter not in type(base).model_fields:
        raise ParameterError(f"unknown scenario parameter '{parameter}'; valid: {', '.join(type(base).model_fields)}.")
    observations, indicators = resolve_data(observations, indicators)
    evaluator = TargetEvaluator(observations, indicators, origin, ids)  # one target table, fits shared
    rows = []
    for v in values:
        sc = type(base)(**{**base.model_dump(), parameter: v})  # validated like a params file
        t = evaluator.evaluate(sc, n_paths, rng).table
        rows.append(t[["indicator", "p_attain"]].assign(parameter=parameter, value=v))
    return pd.concat(rows, ignore_index=True)[["parameter", "value", "indicator", "p_attain"]] if rows else \
        pd.DataFrame(columns=["parameter", "value", "indicator", "p_attain"])
