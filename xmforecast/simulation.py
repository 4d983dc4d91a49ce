"""Applying a scenario to an indicator's simulated paths.

:func:`simulate_indicator` fits the indicator's model (:mod:`xmforecast.fitting`), simulates
paths and shifts, widens or recentres them as the scenario says.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .fitting import as_scenario, check_arguments, fit_indicator, indicator_history
from .validation import check_int

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["IndicatorSimulation", "simulate_indicator"]


@dataclass(frozen=True)
class IndicatorSimulation:
    """Simulated future of one indicator.

    Attributes
    ----------
    indicator : str
        Registry id.
    history : Series
        The observations used (up to the origin), by year.
    paths : DataFrame
        Years × paths of simulated values, after the scenario's adjustments.
    model : str
        Name of the model behind the paths.
    notes : ModelNote or str
        How the model was chosen, and what was assumed (``str``: in English).
    evidence : str
        ``"structural"`` (a structural model on its declared inputs), ``"own series"`` or
        ``"outside view"`` (one observation: the panel's distribution of changes).
    caveat : str
        What a reader of a probability from these paths must know (a structural model's
        missing inputs, the outside view), or empty.
    """

    indicator: str
    history: Any
    paths: Any
    model: str
    notes: Any = ""
    evidence: str = "own series"
    caveat: str = ""


def _apply_scenario(paths, history, scenario, required):
    """Shift growth, scale spread, or recentre on the required path, as the scenario says."""
    import numpy as np

    values = paths.to_numpy(dtype=float)
    years = paths.index.to_numpy(dtype=int)
    last = int(history.index[-1])
    recentre = scenario.at_required_rate and required is not None
    if scenario.volatility_scale == 1.0 and not recentre and not scenario.growth_shift:
        return paths
    median = np.median(values, axis=1, keepdims=True) if scenario.volatility_scale != 1.0 or recentre else None
    safe = None if median is None else np.where(median > 0, median, 1.0)
    if scenario.volatility_scale != 1.0:
        ratio = np.clip(values / safe, 1e-12, None)
        values = np.where(median > 0, safe * ratio ** scenario.volatility_scale, values)
        median = np.median(values, axis=1, keepdims=True)
        safe = np.where(median > 0, median, 1.0)
    if recentre:
        # Keep the model's spread around a median that grows exactly at the required rate.
        target = required.reindex(years).to_numpy(dtype=float)[:, None]
        values = np.where(median > 0, values / safe * target, target)
    if scenario.growth_shift:
        values = values * (1.0 + scenario.growth_shift) ** (years - last)[:, None]
    return paths.__class__(values, index=paths.index, columns=paths.columns)


def simulate_indicator(plan, indicator: str, *, horizon: int = 4, n_paths: int = 10_000, rng=None, scenario=None,
                       model: str = "auto", required_path: pd.Series | None = None) -> IndicatorSimulation:
    """Simulated paths of one indicator under a scenario.

    Parameters
    ----------
    plan : Plan
        The registry and observations; only data up to its ``origin`` is used.
    indicator : str
        Registry id.
    horizon : int
        Years simulated after the last observation used.
    n_paths : int
        Number of paths.
    rng : int or Generator, optional
        Passed to :func:`numpy.random.default_rng`.
    scenario : Scenario, dict or None
        Assumptions (see :class:`xmforecast.scenarios.Scenario`).
    model : str
        As in :func:`forecast`.
    required_path : Series, optional
        Needed when the scenario sets ``at_required_rate``.

    Returns
    -------
    IndicatorSimulation
    """
    return simulate_with(plan, indicator, horizon=horizon, n_paths=n_paths, rng=rng,
                         scenario=as_scenario(scenario, plan), model=model, required_path=required_path)


def simulate_with(plan, indicator: str, *, horizon, n_paths, rng, scenario, model, required_path,
                  fit_model=fit_indicator) -> IndicatorSimulation:
    """:func:`simulate_indicator` with `scenario` a Scenario, the model fitted by `fit_model`.

    `fit_model` takes :func:`~xmforecast.fitting.fit_indicator`'s arguments: evaluations that
    simulate one indicator several times on the same plan pass a cache of fits.
    """
    import numpy as np

    check_arguments(indicator, plan.registry, horizon, scenario.level)
    check_int("n_paths", n_paths)
    history = indicator_history(plan.all_observations, indicator, plan.origin)
    fit = fit_model(plan, indicator, history, model, scenario)
    paths = fit.fitted.simulate(horizon, n_paths, rng=np.random.default_rng(rng))
    paths = _apply_scenario(paths, history, scenario, required_path)
    return IndicatorSimulation(indicator, history, paths, fit.model, fit.note, fit.evidence, fit.caveat)
