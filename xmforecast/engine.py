"""The computing API in one place: forecast, simulate and assess every target under a scenario.

The work is split by concern, and this module only gathers the public functions:

- :mod:`xmforecast.fitting`: choosing and fitting a model for an indicator, ``forecast``;
- :mod:`xmforecast.simulation`: simulating an indicator and applying a scenario to its paths;
- :mod:`xmforecast.evaluation`: evaluating every target (probability, expected year, base rate);
- :mod:`xmforecast.sensitivity_analysis`: how the probability moves with one assumption;
- :mod:`xmforecast.effort`: what each target takes (``what_it_takes``);
- :mod:`xmforecast.backtest`: the backtest of each indicator's model (``backtest_table``).

Drawing (``explore``) lives in :mod:`xmforecast.explorer`, on the presentation side.
"""
from __future__ import annotations

from .backtest import backtest_table
from .effort import what_it_takes
from .evaluation import SIMULATE_TO, TargetEvaluation, assess_targets, evaluate_targets
from .fitting import forecast
from .sensitivity_analysis import sensitivity
from .simulation import IndicatorSimulation, simulate_indicator

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
    "SIMULATE_TO",
]
