"""The package's exceptions: one base class, a few specific ones.

The CLI turns any :class:`XMForecastError` into one line on stderr and a
non-zero exit; anything else is a bug and keeps its traceback.
"""
from __future__ import annotations

__all__ = [
    "XMForecastError",
    "DataError",
    "ParameterError",
    "ModelError",
    "ScenarioError",
    "RunError",
    "RunInterrupted",
]


class XMForecastError(Exception):
    """Base class of every error the package raises on purpose."""


class DataError(XMForecastError):
    """Observations or the indicator registry break a rule (file, row, rule)."""


class ParameterError(XMForecastError, ValueError):
    """A function or command argument is out of its domain."""


class ModelError(XMForecastError):
    """A model cannot be fitted or used on the series it was given."""


class ScenarioError(XMForecastError):
    """A scenario parameters file is invalid (file, key, rule)."""


class RunError(XMForecastError):
    """A scheduled run failed; earlier runs are left as they were."""


class RunInterrupted(RunError):
    """A run was stopped by a signal (Ctrl-C, SIGTERM); its partial output is ``-interrupted``.

    ``signal_number`` is the signal's number; a command exits with 128 + that number.
    """

    def __init__(self, message: str, signal_number: int):
        super().__init__(message)
        self.signal_number = signal_number
