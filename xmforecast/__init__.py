"""Distance to target, probability of attainment and what it would take.

The public API; heavy libraries (statsmodels, matplotlib, papermill) load only when used.
:class:`Plan` is the entry point for a whole plan (registry + observations + origin):
``xmforecast.Plan.from_files(indicators=..., data=...)`` or ``xmforecast.load_plan()``.
"""
from __future__ import annotations

from .exceptions import DataError, ModelError, ParameterError, RunError, ScenarioError, XMForecastError

#: Where each public name lives. They load on first use (PEP 562), so that ``import
#: xmforecast`` and the command line start at once: the command installs its SIGTERM handler
#: before anything heavy is imported.
_HOMES = {
    "load_observations": "data", "series": "data",
    "assess_targets": "engine", "backtest_table": "engine", "evaluate_targets": "engine", "explore": "explorer",
    "forecast": "engine", "sensitivity": "engine", "simulate_indicator": "engine", "what_it_takes": "engine",
    "what_it_takes_table": "engine",
    "Plan": "plan", "load_plan": "plan",
    "load_indicators": "registry",
    "SCENARIO_KEYS": "scenarios", "scenario_from_parameters": "scenarios",
    "required_growth": "targets", "required_path": "targets", "target_table": "targets",
}

__all__ = [
    "__version__",
    "Plan", "load_plan",
    "load_indicators", "load_observations", "series",
    "forecast", "simulate_indicator", "evaluate_targets", "assess_targets", "backtest_table", "sensitivity",
    "what_it_takes", "what_it_takes_table", "explore",
    "required_growth", "required_path", "target_table",
    "SCENARIO_KEYS", "scenario_from_parameters",
    "XMForecastError", "DataError", "ParameterError", "ModelError", "ScenarioError", "RunError",
]


def __getattr__(name: str) -> object:
    """A public name or a module of the package, imported on first use; ``__version__`` from the metadata."""
    if name in _HOMES:
        from importlib import import_module

        globals()[name] = value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
        return value
    if not name.startswith("_"):  # a module of the package, as eager imports used to provide
        from importlib import import_module
        from importlib.util import find_spec

        if find_spec(f"{__name__}.{name}") is not None:
            return import_module(f".{name}", __name__)
    if name == "__version__":
        from importlib.metadata import version

        globals()["__version__"] = value = version("xmforecast")
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
