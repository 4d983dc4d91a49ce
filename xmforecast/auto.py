"""The default model, ``auto``: growth learned once on a panel of real series (the outside view).

A short annual series cannot choose its own model: seven points give one or two honest
out-of-sample errors. ``auto`` therefore forecasts with a rule whose coefficients and error
quantiles were learned once, on a reference panel of real annual series
(:mod:`xmforecast.calibration`, shipped as ``data/calibration.json``), and applies it to the
series' own recent history. A forecast depends only on that history and the calibration file,
and needs numpy and pandas only.

For a history of :math:`n \\ge 2` points (the last ``max_history`` of them) ending at
:math:`y_T`:

.. math::

    \\hat y_{T+h} = y_T\\,\\bigl(1 + h\\,(b_{n,h}\\,\\bar c + c_{n,h}\\,c_T + d_{n,h}\\,c_3)\\bigr)

with :math:`\\bar c`, :math:`c_T` and :math:`c_3` the mean yearly change over the whole
history, over the last step and over the last three steps, each relative to :math:`y_T`
(:func:`history_features`). With :math:`b = 1, c = d = 0` this is the random walk with
additive drift; the calibration learns corrections to it by least absolute deviations on
percentage errors, with an L1 penalty chosen by cross-validation over entities, so that a
correction stays only where the panel supports it. The error
:math:`\\log y_{T+h} - \\log \\hat y_{T+h}` is :math:`s\\sqrt{h}\\,r`, where :math:`s` is the
series' own volatility of yearly log growth shrunk, on the log scale, towards the panel's
typical one (with ``shrinkage`` pseudo-observations), and the quantiles of :math:`r` were measured on the panel
for each :math:`(n, h)`: intervals are empirical (conformal-style) rather than assumed normal.
For :math:`n = 1` there is no own growth: the forecast is the panel's distribution of
:math:`h`-year log changes, reported as the outside view with low confidence.

Beyond the calibrated horizons the yearly growth of the last one continues and the error
quantiles grow with :math:`\\sqrt{h}`. Growth and volatility are bounded (``max_log_growth``,
``max_volatility`` in the calibration file), so no interval can explode.

References
----------
.. [1] Kahneman, D. & Lovallo, D. (1993) Timid choices and bold forecasts: a cognitive
   perspective on risk taking. *Management Science* 39(1), 17-31 (the outside view).
.. [2] Vovk, V., Gammerman, A. & Shafer, G. (2005) *Algorithmic learning in a random world*.
   Springer (conformal prediction).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .exceptions import DataError, ModelError
from .models import MODELS, FittedModel, ModelSpec, _check_int, _check_level

__all__ = ["Auto", "AutoFit", "load_calibration", "history_features", "rule_features", "shrunk_volatility"]

OWN_SERIES = "own series"
OUTSIDE_VIEW = "outside view"


@lru_cache(maxsize=4)
def _read_calibration(path: str | None) -> dict:
    try:
        if path is None:
            text = resources.files("xmforecast").joinpath("data/calibration.json").read_text("utf-8")
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        return json.loads(text)
    except (OSError, ValueError) as exc:
        where = path or "the shipped calibration (xmforecast/data/calibration.json)"
        raise DataError(f"{where}: cannot read the calibration: {exc}") from None


def load_calibration(path: str | None = None) -> dict:
    """The calibration ``auto`` forecasts with.

    Parameters
    ----------
    path : str, optional
        A file written by :func:`xmforecast.calibration.write_calibration`; default the one
        shipped in the package.

    Returns
    -------
    dict
        Read-only by convention: coefficients and error quantiles by history length and
        horizon, the bounds, and the panel's provenance.
    """
    return _read_calibration(None if path is None else str(path))


def history_features(years: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Yearly changes relative to the last value, and the volatility of yearly log growth.

    Parameters
    ----------
    years : ndarray of int
        Increasing years (gaps allowed: changes are per year).
    values : ndarray of float
        The values (> 0).

    Returns
    -------
    ndarray
        ``[mean_change, last_change, recent_change, volatility]``: the mean yearly change over
        the whole history, over the last step and over the last three steps, each divided by
        the last value [fraction / year], and the standard deviation of yearly log growth
        [log units / year]. NaN where the history is too short (changes need 2 points, the
        recent change 4, volatility 3).

    Examples
    --------
    >>> import numpy as np
    >>> history_features(np.array([2014, 2015, 2016]), np.array([100.0, 110.0, 121.0])).round(4)
    array([0.0868, 0.0909,    nan, 0.    ])
    """
    out = np.full(4, math.nan)
    n = len(values)
    if n < 2:
        return out
    last = values[-1]

    def change(k: int) -> float:  # mean yearly change over the last k steps, relative to the last value
        return float((last - values[-1 - k]) / (years[-1] - years[-1 - k]) / last)

    out[0], out[1] = change(n - 1), change(1)
    if n >= 4:
        out[2] = change(3)
    if n >= 3:
        out[3] = float(np.std(np.diff(np.log(values)) / np.diff(years), ddof=1))
    return out


def rule_features(n: int) -> list[int]:
    """Indices of :func:`history_features` the growth rule uses for `n` points."""
    return [] if n < 2 else [0] if n == 2 else [0, 1] if n == 3 else [0, 1, 2]


def shrunk_volatility(volatility: Any, n: int, calibration: dict) -> Any:
    """Own volatility pooled with the panel's typical one [log units / year].

    The weighted geometric mean ``exp((k log s0 + (n - 2) log s) / (k + n - 2))``, with ``s0``
    the panel's median volatility and ``k`` the calibrated ``shrinkage`` (pseudo-observations);
    the panel's alone where the series gives no estimate (fewer than 3 points), then bounded
    by the calibration's ``min_volatility`` and ``max_volatility``. Works on scalars and arrays.

    Pooled on the log scale because volatilities span orders of magnitude (a population
    grows within 0.2 % of its trend, a young programme's output swings by 30 %): averaging
    variances would let the panel's typical value swamp a smooth series' own evidence and
    give it intervals ten times too wide.
    """
    prior, k = calibration["panel_volatility"], calibration["shrinkage"]
    own = n - 2  # degrees of freedom of the own estimate
    vol = np.asarray(volatility, dtype=float)
    if own < 1:
        scale = np.full(vol.shape, prior)
    else:
        own_log = np.log(np.maximum(vol, calibration["min_volatility"]))  # steps all equal: the floor
        pooled = np.exp((k * math.log(prior) + own * own_log) / (k + own))
        scale = np.where(np.isfinite(vol), pooled, prior)
    return np.clip(scale, calibration["min_volatility"], calibration["max_volatility"])


@dataclass(frozen=True, kw_only=True)
class Auto(ModelSpec):
    """Calibrated growth on the outside view: the default model.

    Parameters
    ----------
    calibration : dict, optional
        From :func:`xmforecast.calibration.calibrate`; default the shipped file
        (:func:`load_calibration`).

    Notes
    -----
    See the module docstring for the formula. ``min_obs`` = 1: with one observation the
    forecast is the panel's distribution of changes (``evidence`` = ``"outside view"``).
    Values must be > 0 (growth is multiplicative); only the trailing run of positive values is
    used. ``fallback_sigma``, ``sigma_scale`` and ``min_df`` of :class:`ModelSpec` are
    accepted for the common contract; ``sigma_scale`` multiplies the error quantiles.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([820.0, 900.0, 1000.0, 1225.0], index=[2013, 2014, 2015, 2016])
    >>> f = Auto().fit(s).forecast(2)
    >>> f.index.tolist(), bool((f["lower"] < f["point"]).all() and (f["point"] < f["upper"]).all())
    ([2017, 2018], True)
    """

    name: ClassVar[str] = "auto"
    min_obs: ClassVar[int] = 1

    calibration: Any = field(default=None, repr=False, compare=False)

    def _fit(self, series: pd.Series) -> FittedModel:
        cal = load_calibration() if self.calibration is None else self.calibration
        values = series.to_numpy()
        if values[-1] <= 0:
            raise ModelError(f"`auto` needs a last value > 0 (growth is multiplicative); got {values[-1]:g}.")
        start = len(values)
        while start > 0 and values[start - 1] > 0:
            start -= 1
        notes = []
        if start:
            notes.append(f"values <= 0 up to {int(series.index[start - 1])}: only the later ones are used")
        used = series.iloc[start:].iloc[-cal["max_history"]:]
        years = used.index.to_numpy(dtype=np.int64)
        values = used.to_numpy()
        n = len(used)
        features = history_features(years, values)
        table = cal["by_length"][str(min(n, cal["max_history"]))]
        steps = np.arange(1, len(table["coef"]) + 1)
        if n >= 2:  # a calibrated additive change, relative to the last value
            slope = np.array([np.dot(coef, features[rule_features(n)]) for coef in table["coef"]])
            ratio = 1.0 + steps * slope
        else:  # the panel's median growth
            ratio = np.exp(steps * np.array([coef[0] for coef in table["coef"]]))
        bound = np.exp(steps * cal["max_log_growth"])
        growth = np.log(np.clip(ratio, 1.0 / bound, bound)) / steps  # yearly log growth to each horizon
        scale = float(shrunk_volatility(features[3], n, cal)) if n >= 2 else 1.0
        evidence = OWN_SERIES if n >= 2 else OUTSIDE_VIEW
        if n < 2:
            notes.append("one observation: the panel's distribution of changes (outside view), low confidence")
        params = {
            "growth_rate": math.expm1(float(growth[0])),
            "mean_change": float(features[0]),
            "last_change": float(features[1]),
            "volatility": float(features[3]),
            "scale": scale,
            "history": n,
        }
        return AutoFit(spec=self, series=series, sigma=scale, sigma_source="calibration",
                       sigma_note="own volatility shrunk towards the panel's; empirical error quantiles",
                       params=params, notes=tuple(notes), evidence=evidence, anchor=float(np.log(values[-1])),
                       growth=growth, z_grid=np.asarray(cal["z_grid"], dtype=float),
                       quantiles=np.asarray(table["quantiles"], dtype=float))


@dataclass(frozen=True, kw_only=True, eq=False)
class AutoFit(FittedModel):
    """A fitted :class:`Auto`: see :class:`~xmforecast.models.FittedModel` for the contract.

    Attributes
    ----------
    evidence : str
        ``"own series"`` (growth from the series itself) or ``"outside view"`` (one
        observation: the panel's distribution of changes only).
    """

    evidence: str = OWN_SERIES
    anchor: float = 0.0
    growth: Any = None        # yearly log growth by calibrated horizon
    z_grid: Any = None        # standard-normal scores at which the quantiles are stored
    quantiles: Any = None     # horizons x z_grid: standardised error quantiles

    def _log_quantiles(self, horizon: int, z: np.ndarray) -> np.ndarray:
        """Log values at standard-normal scores `z` (1 x m, or horizon x m)."""
        steps = np.arange(1, horizon + 1)
        known = len(self.growth)
        idx = np.minimum(steps, known) - 1
        centre = self.anchor + steps * self.growth[idx]
        # Beyond the calibrated horizons the error keeps growing like a random walk.
        spread = self.sigma * self.spec.sigma_scale * np.sqrt(steps)
        z = np.broadcast_to(z, (horizon, z.shape[1]))
        out = np.empty(z.shape)
        for i, k in enumerate(idx):
            out[i] = np.interp(z[i], self.z_grid, self.quantiles[k])
        return centre[:, None] + spread[:, None] * out

    def forecast(self, horizon: int, level: float = 80) -> pd.DataFrame:
        """Median and central interval for the next `horizon` years.

        Parameters
        ----------
        horizon : int
            Years after the last observation.
        level : float, default 80
            Interval coverage [percent], 0 < level < 100.

        Returns
        -------
        pandas.DataFrame
            Indexed by year: ``point`` (the median), ``lower``, ``upper`` [units of the series].
        """
        horizon = _check_int("horizon", horizon)
        level = _check_level(level)
        q = NormalDist().inv_cdf(0.5 + level / 200)
        logs = self._log_quantiles(horizon, np.array([[0.0, -q, q]]))
        return pd.DataFrame(np.exp(logs), index=self._years(horizon), columns=["point", "lower", "upper"])

    def _simulate_array(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        # A Gaussian copula with random-walk dependence: each year's marginal is exactly the
        # calibrated quantile function, and a path keeps its shocks from year to year.
        shocks = rng.standard_normal((horizon, n_paths)).cumsum(axis=0)
        z = shocks / np.sqrt(np.arange(1, horizon + 1))[:, None]
        return np.exp(self._log_quantiles(horizon, z))


MODELS["auto"] = Auto
