"""What the structural models share: their base, simulated-path intervals, beta-drawn rates.

A structural model (:mod:`xmforecast.stockflow`, :mod:`xmforecast.patents`) computes an
indicator from the indicators that fill its input roles, with a law whose arithmetic is
known, and takes its forecast interval from simulated paths. :class:`StructuralSpec` and
:class:`StructuralFit` declare that on the model base; the helpers are the pieces both
models use.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from xmforecast.base import FittedModel, ModelSpec

__all__ = [
    "StructuralSpec",
    "StructuralFit",
    "FORECAST_SEED",
    "forecast_rng",
    "forecast_years",
    "like_input",
    "beta_draws",
    "quantile_frame",
    "compound_growth",
    "summary_frame",
]

#: Seed of the paths behind a structural model's ``forecast`` interval when no ``rng`` is
#: given, so that the same call gives the same numbers.
FORECAST_SEED = 0


@dataclass(frozen=True)
class StructuralSpec(ModelSpec):
    """Base of the structural models' specs: several input roles, a lever, no ``sigma_scale``.

    Subclasses declare ``roles``, ``lever``, ``lever_key``, ``lever_role`` and ``spreads``.
    """

    structural: ClassVar[bool] = True


@dataclass(frozen=True, eq=False)
class StructuralFit(FittedModel):
    """Base of the structural models' fits: the interval comes from simulated paths.

    ``forecast`` accepts ``n_paths`` and ``rng``; ``required_lever(target_level,
    target_year)``, ``lever_observed`` and ``lever_assumptions(target_year)`` answer what it
    takes.
    """

    intervals_from_paths: ClassVar[bool] = True
    evidence = "structural"

    def required_lever(self, target_level: float, target_year: int) -> float:
        """Constant yearly amount of the spec's lever that reaches `target_level` in `target_year`."""
        raise NotImplementedError

    @property
    def lever_observed(self) -> tuple[int, float]:
        """Year and value of the lever's last observation."""
        raise NotImplementedError

    def lever_assumptions(self, target_year: int) -> str:
        """The assumptions behind :meth:`required_lever`, in words."""
        raise NotImplementedError


def forecast_rng(rng: Any) -> Any:
    """`rng`, or :data:`FORECAST_SEED` when it is None."""
    return FORECAST_SEED if rng is None else rng


def forecast_years(last_year: int, horizon: int) -> pd.Index:
    """The ``year`` index of the `horizon` years after `last_year`."""
    return pd.Index(np.arange(last_year + 1, last_year + horizon + 1, dtype="int64"), name="year")


def like_input(result: np.ndarray, template: Any) -> Any:
    """Return ``result`` as a Series/DataFrame shaped like ``template``, or as is."""
    if isinstance(template, pd.Series) and result.ndim == 1:
        return pd.Series(result, index=template.index, name=template.name)
    if isinstance(template, pd.DataFrame) and result.ndim == 2:
        return pd.DataFrame(result, index=template.index, columns=template.columns)
    return result


def beta_draws(gen: np.random.Generator, mean: float, sd: float, n_paths: int) -> np.ndarray:
    """Beta draws with the given mean and standard deviation (constant if sd = 0)."""
    if sd == 0:
        return np.full(n_paths, mean)
    concentration = mean * (1 - mean) / sd**2 - 1
    return gen.beta(mean * concentration, (1 - mean) * concentration, size=n_paths)


def quantile_frame(point: np.ndarray, paths: np.ndarray, years: pd.Index, level: float) -> pd.DataFrame:
    """The forecast frame: `point`, and the central `level` % of `paths` (years × paths)."""
    tail = (1 - level / 100) / 2
    lower, upper = np.quantile(paths, [tail, 1 - tail], axis=1)
    return pd.DataFrame({"point": point, "lower": lower, "upper": upper}, index=years)


def compound_growth(series: pd.Series) -> float:
    """Compound annual growth from the first to the last value [fraction/year]."""
    span = series.index[-1] - series.index[0]
    return float((series.iloc[-1] / series.iloc[0]) ** (1 / span) - 1)


def summary_frame(model: str, rows: list[tuple[str, float, str, str, str]]) -> pd.DataFrame:
    """The contract's summary: index ``item``, columns ``value`` and ``note``.

    Each row comes as (item, value, unit, source, note); unit and source open the note,
    as ``[unit] source: note``.
    """
    out = [("model", model, "structural model")]
    for item, value, unit, source, note in rows:
        out.append((item, value, f"[{unit}] {source}" + (f": {note}" if note else "")))
    return pd.DataFrame(out, columns=["item", "value", "note"]).set_index("item")
