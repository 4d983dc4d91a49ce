"""The computing API in one place: forecast, simulate and assess every target of a plan.

Each function takes a :class:`~xmforecast.Plan` first and calls the function of the same name
in the module of its concern:

- :mod:`xmforecast.fitting`: choosing and fitting a model for an indicator, ``forecast``;
- :mod:`xmforecast.simulation`: simulating an indicator and applying a scenario to its paths;
- :mod:`xmforecast.evaluation`: evaluating every target (probability, expected year, base rate);
- :mod:`xmforecast.sensitivity_analysis`: how the probability moves with one assumption;
- :mod:`xmforecast.effort`: what each target takes (``what_it_takes``, ``what_it_takes_table``);
- :mod:`xmforecast.backtest`: the backtest of each indicator's model (``backtest_table``).

They also take the keyword arguments of before plans were the argument (``observations=``,
``indicators=``, ``data_file=``, ``origin=``, and the observations as first argument), which
:func:`xmforecast.plan.as_plan` turns into a plan; ``origin=`` with a plan gives
:meth:`Plan.with_origin`. So ``forecast(indicator, origin=2016)`` is
``forecast(Plan.default(origin=2016), indicator)``.

Drawing (``explore``) lives in :mod:`xmforecast.explorer`, on the presentation side.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import backtest, effort, evaluation, fitting, sensitivity_analysis, simulation
from .evaluation import SIMULATE_TO, TargetEvaluation
from .plan import as_plan
from .simulation import IndicatorSimulation

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .plan import Plan

__all__ = [
    "IndicatorSimulation",
    "TargetEvaluation",
    "forecast",
    "simulate_indicator",
    "evaluate_targets",
    "assess_targets",
    "backtest_table",
    "sensitivity",
    "what_it_takes",
    "what_it_takes_table",
    "SIMULATE_TO",
]

def forecast(plan: Plan | str | None = None, indicator: str | None = None, *,
             observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None,
             data_file: str | None = None, origin: int | None = None, horizon: int = 4, model: str = "auto",
             level: float = 80, n_paths: int = 10_000, rng: Any = None) -> pd.DataFrame:
    """:func:`xmforecast.fitting.forecast`: point and interval forecast of one indicator of a plan.

    ``forecast(plan, indicator, ...)``, or ``forecast(indicator, observations=..., indicators=...,
    data_file=..., origin=..., ...)``.

    Examples
    --------
    >>> from xmforecast import Plan
    >>> plan = Plan.default(origin=2016)  # the same forecast in both call forms
    >>> forecast(plan.ids[0], origin=2016, horizon=2).equals(forecast(plan, plan.ids[0], horizon=2))
    True
    """
    if isinstance(plan, str):
        plan, indicator = None, plan
    plan = as_plan(plan, observations=observations, indicators=indicators, data_file=data_file, origin=origin)
    return fitting.forecast(plan, indicator, horizon=horizon, model=model, level=level, n_paths=n_paths, rng=rng)


def simulate_indicator(plan: Plan | str | None = None, indicator: str | None = None, *,
                       observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None,
                       origin: int | None = None, horizon: int = 4, n_paths: int = 10_000, rng: Any = None,
                       scenario: Any = None, model: str = "auto",
                       required_path: pd.Series | None = None) -> IndicatorSimulation:
    """:func:`xmforecast.simulation.simulate_indicator`: simulated paths of one indicator under a scenario.

    ``simulate_indicator(plan, indicator, ...)``, or ``simulate_indicator(indicator,
    observations=..., indicators=..., origin=..., ...)``.
    """
    if isinstance(plan, str):
        plan, indicator = None, plan
    plan = as_plan(plan, observations=observations, indicators=indicators, origin=origin)
    return simulation.simulate_indicator(plan, indicator, horizon=horizon, n_paths=n_paths, rng=rng,
                                         scenario=scenario, model=model, required_path=required_path)


def evaluate_targets(plan: Plan | pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                     observations: pd.DataFrame | None = None, origin: int | None = None, scenario: Any = None,
                     n_paths: int | None = None, rng: Any = None, model: str | None = None,
                     ids: list[str] | None = None) -> TargetEvaluation:
    """:func:`xmforecast.evaluation.evaluate_targets`: every target of a plan, with its paths.

    ``evaluate_targets(plan, ...)``, or ``evaluate_targets(observations, indicators, origin=...,
    ...)`` (either frame may be None: the default plan's).
    """
    plan = as_plan(plan, observations=observations, indicators=indicators, origin=origin)
    return evaluation.evaluate_targets(plan, scenario=scenario, n_paths=n_paths, rng=rng, model=model, ids=ids)


def assess_targets(plan: Plan | pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                   observations: pd.DataFrame | None = None, origin: int | None = None, scenario: Any = None,
                   n_paths: int | None = None, rng: Any = None, model: str | None = None) -> pd.DataFrame:
    """:func:`xmforecast.evaluation.assess_targets`: one row per target (:func:`evaluate_targets`'s table).

    Examples
    --------
    >>> t = assess_targets(n_paths=200, rng=0)
    >>> bool(t["confidence"].isin(["high", "medium", "low", ""]).all())
    True
    """
    plan = as_plan(plan, observations=observations, indicators=indicators, origin=origin)
    return evaluation.assess_targets(plan, scenario=scenario, n_paths=n_paths, rng=rng, model=model)


def backtest_table(plan: Plan | pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                   observations: pd.DataFrame | None = None, data_file: str | None = None,
                   origin: int | None = None, level: float = 80) -> pd.DataFrame:
    """:func:`xmforecast.backtest.backtest_table`: how each model forecast each indicator's past."""
    plan = as_plan(plan, observations=observations, indicators=indicators, data_file=data_file, origin=origin)
    return backtest.backtest_table(plan, level=level)


def sensitivity(plan: Plan | str | None = None, parameter: Any = None, values: Any = None, *,
                ids: list[str] | None = None, scenario: Any = None, observations: pd.DataFrame | None = None,
                indicators: pd.DataFrame | None = None, origin: int | None = None, n_paths: int | None = None,
                rng: Any = None) -> pd.DataFrame:
    """:func:`xmforecast.sensitivity_analysis.sensitivity`: the probability as one assumption varies.

    ``sensitivity(plan, parameter, values, ...)``, or ``sensitivity(parameter, values,
    observations=..., indicators=..., origin=..., ...)``.
    """
    if isinstance(plan, str):
        plan, parameter, values = None, plan, parameter
    plan = as_plan(plan, observations=observations, indicators=indicators, origin=origin)
    return sensitivity_analysis.sensitivity(plan, parameter, values, ids=ids, scenario=scenario, n_paths=n_paths,
                                            rng=rng)


def what_it_takes(plan: Plan | pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                  observations: pd.DataFrame | None = None, origin: int | None = None,
                  scenario: Any = None) -> pd.DataFrame:
    """:func:`xmforecast.effort.what_it_takes`: the yearly lever each structural target needs."""
    plan = as_plan(plan, observations=observations, indicators=indicators, origin=origin)
    return effort.what_it_takes(plan, scenario=scenario)


def what_it_takes_table(plan: Plan | pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                        observations: pd.DataFrame | None = None, origin: int | None = None,
                        scenario: Any = None, probability: float = 0.8, n_paths: int | None = None,
                        rng: Any = None, evaluation: Any = None) -> pd.DataFrame:
    """:func:`xmforecast.effort.what_it_takes_table`: what every target takes (growth, path, lever)."""
    plan = as_plan(plan, observations=observations, indicators=indicators, origin=origin)
    return effort.what_it_takes_table(plan, scenario=scenario, probability=probability, n_paths=n_paths, rng=rng,
                                      evaluation=evaluation)
