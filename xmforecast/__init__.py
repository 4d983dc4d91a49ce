"""Distance to target, probability of attainment and what it would take.

The public API; heavy libraries (statsmodels, matplotlib, papermill) load only when used.
"""
from importlib.metadata import version as _version

from .data import load_observations, series
from .engine import (
    assess_targets, backtest_table, evaluate_targets, explore, forecast, sensitivity, simulate_indicator, what_it_takes,
)
from .exceptions import DataError, ModelError, ParameterError, RunError, ScenarioError, XMForecastError
from .registry import load_indicators
from .targets import required_growth, required_path, target_table

__version__ = _version("xmforecast")
__all__ = [
    "__version__",
    "load_indicators", "load_observations", "series",
    "forecast", "simulate_indicator", "evaluate_targets", "assess_targets", "backtest_table", "sensitivity",
    "what_it_takes", "explore",
    "required_growth", "required_path", "target_table",
    "XMForecastError", "DataError", "ParameterError", "ModelError", "ScenarioError", "RunError",
]
