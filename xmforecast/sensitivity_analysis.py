"""Sensitivity: how the probability of attainment moves as one scenario assumption varies."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .exceptions import ParameterError
from .fitting import as_scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["sensitivity"]


def sensitivity(plan, parameter: str, values, *, ids: list[str] | None = None, scenario=None,
                n_paths: int | None = None, rng=None) -> pd.DataFrame:
    """Probability of attainment as one scenario assumption varies.

    Parameters
    ----------
    plan : Plan
        The registry and observations; only data up to its ``origin`` is used.
    parameter : str
        A :class:`~xmforecast.scenarios.Scenario` field, e.g. ``growth_shift`` or
        ``recertification_rate``.
    values : sequence
        Values to try.
    ids : list of str, optional
        Targets to assess (default: all).
    scenario : Scenario, dict or None
        The assumptions the others keep.
    n_paths : int, optional
    rng : int or Generator, optional
        As in :func:`xmforecast.evaluate_targets`.

    Returns
    -------
    DataFrame
        Columns ``parameter, value, indicator, p_attain``.
    """
    import pandas as pd

    from .evaluation import TargetEvaluator
    from .scenarios import Scenario

    base = as_scenario(scenario, plan)
    if parameter not in Scenario.model_fields:
        raise ParameterError(f"unknown scenario parameter '{parameter}'; valid: {', '.join(Scenario.model_fields)}.")
    evaluator = TargetEvaluator(plan, ids)  # one target table, fits shared
    rows = []
    for v in values:
        sc = Scenario(**{**base.model_dump(), parameter: v})  # validated like a params file
        t = evaluator.evaluate(sc, n_paths, rng).table
        rows.append(t[["indicator", "p_attain"]].assign(parameter=parameter, value=v))
    return pd.concat(rows, ignore_index=True)[["parameter", "value", "indicator", "p_attain"]] if rows else \
        pd.DataFrame(columns=["parameter", "value", "indicator", "p_attain"])
