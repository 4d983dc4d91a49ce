"""Distance to target, probability of attainment and what it would take.

The public API; heavy libraries (statsmodels, matplotlib, papermill) load only when used.
:class:`Plan` is the entry point for a whole plan (registry + observations + origin):
``xmforecast.Plan.from_files(indicators=..., data=...)`` or ``xmforecast.load_plan()``.
"""
from __future__ import annotations

from .data import load_observations, series
from .engine import (
    assess_targets, backtest_table, evaluate_targets, explore, forecast, sensitivity, simulate_indicator, what_it_takes,
)
from .effort import what_it_takes_table
from .exceptions import DataError, ModelError, ParameterError, RunError, ScenarioError, XMForecastError
from .plan import Plan, load_plan
from .registry import load_indicators
from .targets import required_growth, required_path, target_table

__all__ = [
    "__version__",
    "Plan", "load_plan",
    "load_indicators", "load_observations", "series",
    "forecast", "simulate_indicator", "evaluate_targets", "assess_targets", "backtest_table", "sensitivity",
    "what_it_takes", "what_it_takes_table", "explore",
    "required_growth", "required_path", "target_table",
    "XMForecastError", "DataError", "ParameterError", "ModelError", "ScenarioError", "RunError",
]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata on first use (keeps the import fast)."""
    if name == "__version__":
        from importlib.metadata import version

        globals()["__version__"] = value = version("xmforecast")
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
