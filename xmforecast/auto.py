"""The default model, ``auto``: growth learned once on a reference class of real series (the outside view).

A short annual series cannot choose its own model: seven points give one or two honest
out-of-sample errors. ``auto`` therefore forecasts with a rule whose coefficients and error
quantiles were learned once, on a reference panel of comparable real annual series
(:mod:`xmforecast.reference`: Chinese provinces' S&T series, or a global panel), per indicator
family, and shipped as vintages (:mod:`xmforecast.calibration`, ``data/calibration/``). The
rule is applied to the series' own recent history. A forecast depends only on that history,
its family, its class and the vintage (the latest one not after the last observation), and
needs numpy and pandas only.

For a history of :math:`n \\ge 2` points (the last ``max_history`` of them) ending at
:math:`y_T`, the yearly log growth to :math:`h` years ahead is

.. math::

    g_{n,h} = b_0 + b_1\\,m + b_2\\,a_h + b_3\\,\\ell, \\qquad
    \\hat y_{T+h} = y_T\\,e^{h\\,g_{n,h}}

with :math:`m` the history's mean yearly log growth (log drift), :math:`a_h` additive drift
expressed as a yearly log growth to :math:`h`, :math:`\\ell` the last step's log growth
(:func:`growth_features`); one of :math:`b_1, b_2` is zero (the panel chooses compounding or
additive steps). With :math:`b_2 = 1` and the rest 0
this is the random walk with additive drift; with :math:`b_1 = 1`, compound growth at the
historical rate; with only :math:`b_0`, the class's typical growth. The panel chooses, per
family, :math:`n` and :math:`h`. The error :math:`\\log y_{T+h} - \\log \\hat y_{T+h}` is
:math:`s\\sqrt{h}\\,e`, where :math:`s` is the series' own volatility of yearly log growth
shrunk, on the log scale, towards the family's typical one, and the quantiles of :math:`e` were
measured on the panel: intervals are empirical (conformal-style) rather than assumed normal.
For :math:`n = 1` there is no own growth: the forecast is the family's distribution of
changes, reported as the outside view with low confidence.

The forecast's distribution is then pooled with the outside view: with weight :math:`w` (the
vintage's ``outside_weight``, 0.5 for Chinese regions, 0 for the global class) the value
:math:`h` years ahead grows as the family's series grew over :math:`h` years (the base rates
of :mod:`xmforecast.reference`), with weight :math:`1 - w` as above. Probabilities, quantiles,
the median and simulated paths all come from this linear pool, so a probability of reaching a
level never stands far from how often comparable series reached it.

Beyond the calibrated horizons the yearly growth of the last one continues and the error
quantiles grow with :math:`\\sqrt{h}`. Growth and volatility are bounded (``max_log_growth``,
``max_volatility``), so no interval can explode.

References
----------
.. [1] Kahneman, D. & Lovallo, D. (1993) Timid choices and bold forecasts: a cognitive
   perspective on risk taking. *Management Science* 39(1), 17-31 (the outside view).
.. [2] Vovk, V., Gammerman, A. & Shafer, G. (2005) *Algorithmic learning in a random world*.
   Springer (conformal prediction).
.. [3] Stone, M. (1961) The opinion pool. *Annals of Mathematical Statistics* 32(4), 1339-1342
   (the linear pool).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .exceptions import ModelError
from .models import GrowthFit, GrowthSpec
from .reference import POOLED, check_class, check_family, load_vintage, vintage_for, vintages
from .validation import check_int, check_level
from .words import Message

__all__ = ["Auto", "AutoFit", "growth_features", "shrunk_volatility", "RULE_FEATURES"]

OWN_SERIES = "own series"
OUTSIDE_VIEW = "outside view"

#: Columns of :func:`growth_features` the rule may use, by history length (3: three points or
#: more). Few on purpose: the panel's early vintages have one window per series for long
#: histories, and more slopes than that trade against each other instead of generalising.
RULE_FEATURES = {2: [0, 1], 3: [0, 1, 2]}
#: Column of the volatility in :func:`growth_features`.
VOLATILITY = 3
#: Points per gap between knots where the pooled distribution's CDF is inverted.
_SUBDIVISIONS = 8


def growth_features(years: Any, values: Any, horizon: int) -> np.ndarray:
    """The growth rule's features of histories, one row per history.

    Parameters
    ----------
    years : array_like of int, shape (n,) or (windows, n)
        Increasing years (gaps allowed: growth is per year).
    values : array_like of float, same shape
        The values (> 0).
    horizon : int
        Years ahead, for the additive drift's yearly log growth [years].

    Returns
    -------
    ndarray, shape (windows, 4)
        ``[log_drift, additive, last, volatility]`` [log units / year]: the mean yearly log
        growth over the whole history; additive drift's ``log(1 + h c) / h`` with ``c`` the
        mean yearly change divided by the last value (bounded below at ``e^{-h}``); the last
        step's yearly log growth; the standard deviation of yearly log growth. NaN where the
        history is too short (growth needs 2 points, the last step and volatility 3).

    Examples
    --------
    >>> growth_features([2014, 2015, 2016], [100.0, 110.0, 121.0], 1).round(4)
    array([[0.0953, 0.0832, 0.0953, 0.    ]])
    """
    years = np.atleast_2d(np.asarray(years, dtype=float))
    logs = np.log(np.atleast_2d(np.asarray(values, dtype=float)))
    out = np.full((logs.shape[0], 4), math.nan)
    n = logs.shape[1]
    if n < 2:
        return out

    def rate(k: int) -> np.ndarray:  # yearly log growth over the last k steps
        return (logs[:, -1] - logs[:, -1 - k]) / (years[:, -1] - years[:, -1 - k])

    out[:, 0] = rate(n - 1)
    change = np.expm1(logs[:, 0] - logs[:, -1]) * -1 / (years[:, -1] - years[:, 0])  # (y_T - y_1) / span / y_T
    out[:, 1] = np.log(np.maximum(1.0 + horizon * change, math.exp(-horizon))) / horizon
    if n >= 3:
        out[:, 2] = rate(1)
        out[:, VOLATILITY] = np.std(np.diff(logs, axis=1) / np.diff(years, axis=1), axis=1, ddof=1)
    return out


def shrunk_volatility(volatility: Any, n: int, calibration: dict) -> Any:
    """Own volatility pooled with the family's typical one [log units / year].

    The weighted geometric mean ``exp((k log s0 + (n - 2) log s) / (k + n - 2))``, with ``s0``
    the family's median volatility (``panel_volatility``) and ``k`` the ``shrinkage``
    (pseudo-observations); the family's alone where the series gives no estimate (fewer than 3
    points), then bounded by ``min_volatility`` and ``max_volatility``. Works on scalars and
    arrays.

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
        own_log = np.log(np.maximum(np.nan_to_num(vol, nan=prior), calibration["min_volatility"]))
        pooled = np.exp((k * math.log(prior) + own * own_log) / (k + own))
        scale = np.where(np.isfinite(vol), pooled, prior)
    return np.clip(scale, calibration["min_volatility"], calibration["max_volatility"])


@dataclass(frozen=True, kw_only=True)
class Auto(GrowthSpec):
    """Calibrated growth on the outside view: the default model.

    Parameters
    ----------
    family : str, default "other"
        The indicator's family (:data:`xmforecast.reference.FAMILIES`); ``other``: the whole
        class pooled.
    reference_class : str, default "global"
        ``china_regions`` or ``global`` (:data:`xmforecast.reference.CLASSES`).
    calibration : dict, optional
        ``{vintage: table}`` from :func:`xmforecast.calibration.calibrate`, used instead of
        the shipped vintages of `reference_class`.

    Notes
    -----
    See the module docstring for the formula. The vintage is the latest one not after the
    series' last observation; a series that ends before the first vintage gets the first,
    said in its notes (``look_ahead`` in its parameters). ``min_obs`` = 1: with one
    observation the forecast is the family's distribution of changes (``evidence`` =
    ``"outside view"``). Values must be > 0 (growth is multiplicative); only the trailing run
    of positive values is used. ``fallback_sigma``, ``sigma_scale`` and ``min_df`` of
    :class:`~xmforecast.models.GrowthSpec` are accepted for the common contract; ``sigma_scale`` multiplies the
    error quantiles.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([820.0, 900.0, 1000.0, 1225.0], index=[2013, 2014, 2015, 2016])
    >>> fit = Auto(family="firms", reference_class="china_regions").fit(s)
    >>> f = fit.forecast(2)
    >>> f.index.tolist(), bool((f["lower"] < f["point"]).all() and (f["point"] < f["upper"]).all())
    ([2017, 2018], True)
    >>> fit.params["vintage"]
    2016
    """

    name: ClassVar[str] = "auto"
    min_obs: ClassVar[int] = 1

    family: str = "other"
    reference_class: str = "global"
    calibration: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_family(self.family)
        check_class(self.reference_class)

    def _table(self, last_year: int) -> tuple[dict, bool]:
        """The vintage for a series ending in `last_year`, and whether it looks ahead."""
        if self.calibration is None:
            vintage, ahead = vintage_for(last_year, vintages(self.reference_class))
            return load_vintage(self.reference_class, vintage), ahead
        vintage, ahead = vintage_for(last_year, sorted(int(v) for v in self.calibration))
        tables = {int(k): v for k, v in self.calibration.items()}
        return tables[vintage], ahead

    def _fit(self, series: pd.Series) -> GrowthFit:
        values = series.to_numpy()
        if values[-1] <= 0:
            raise ModelError(f"`auto` needs a last value > 0 (growth is multiplicative); got {values[-1]:g}.")
        start = len(values)
        while start > 0 and values[start - 1] > 0:
            start -= 1
        notes = []
        if start:
            notes.append(Message("auto_values_nonpositive", {"year": int(series.index[start - 1])}))
        table, ahead = self._table(int(series.index[-1]))
        family = self.family if self.family in table["families"] else POOLED
        fam = table["families"][family]
        used = series.iloc[start:].iloc[-table["max_history"]:]
        years = used.index.to_numpy(dtype=np.int64)
        values = used.to_numpy(dtype=float)
        n = len(used)
        cal = {"panel_volatility": fam["volatility"], **{k: table[k] for k in
                                                          ("shrinkage", "min_volatility", "max_volatility")}}
        cells = fam["cells"]
        # The longest history the vintage has learned every horizon for. One length for every
        # horizon keeps the path coherent (a vintage whose panel has seven years knows a 4-point
        # history one to three years ahead and a 3-point one four years ahead: mixing them
        # makes a forecast path jump), and learned horizons keep the intervals' growth with
        # the horizon (extrapolating a 1-year error by sqrt(h) made them too narrow). On entity
        # splits of the China panel's calibration parts this covered 75-79 % of outcomes with
        # 80 % intervals, against 72-74 % for the longest history's own horizons.
        horizons = sorted(int(h) for h in cells["1"])
        n_eff = max(int(k) for k in cells if int(k) <= n and len(cells[k]) == len(horizons))
        growth, scale, quantiles = [], [], []
        for h in horizons:
            cell = cells[str(n_eff)][str(h)]
            if n_eff >= 2:
                feats = growth_features(years[-n_eff:], values[-n_eff:], h)[0]
                g = cell["coef"][0] + float(np.dot(cell["coef"][1:], feats[RULE_FEATURES[min(n_eff, 3)]]))
                scale.append(float(shrunk_volatility(feats[VOLATILITY], n_eff, cal)))
            else:
                g = cell["coef"][0]
                scale.append(float(cal["panel_volatility"]))
            growth.append(float(np.clip(g, -table["max_log_growth"], table["max_log_growth"])))
            quantiles.append(cell["quantiles"])
        evidence = OWN_SERIES if n >= 2 else OUTSIDE_VIEW
        if n < 2:
            notes.append(Message("auto_one_observation"))
        if ahead:
            notes.append(Message("auto_look_ahead", {"year": int(series.index[-1]), "vintage": table["vintage"]}))
        vol = growth_features(years, values, 1)[0, VOLATILITY] if n >= 3 else math.nan
        params = {
            "growth_rate": math.expm1(growth[0]),
            "volatility": float(vol),
            "scale": scale[0],
            "history": n,
            "vintage": int(table["vintage"]),
            "look_ahead": bool(ahead),
            "family": family if family != POOLED else "other",
            "reference_class": table["reference_class"],
        }
        return AutoFit(spec=self, series=series, sigma=scale[0], sigma_source="calibration",
                       sigma_note="own volatility shrunk towards the family's; empirical error quantiles",
                       params=params, notes=tuple(notes), evidence=evidence, anchor=float(np.log(values[-1])),
                       growth=np.array(growth), scales=np.array(scale),
                       z_grid=np.asarray(table["z_grid"], dtype=float),
                       quantiles=np.asarray(quantiles, dtype=float),
                       outside_weight=float(table.get("outside_weight", 0.0)),
                       outside=_outside_quantiles(fam["base_rates"]))


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    """The standard normal CDF, elementwise (numpy has no erf; scipy would cost the command line
    its import time)."""
    return 0.5 * np.frompyfunc(math.erfc, 1, 1)(-np.asarray(x, dtype=float) / math.sqrt(2)).astype(float)


def _outside_quantiles(base_rates: dict) -> np.ndarray:
    """Horizons 1..H x grid: the family's yearly log growth quantiles over h years (the base rates).

    A horizon the vintage lacks takes the nearest shorter one's.
    """
    stored = {int(h): np.maximum.accumulate(np.asarray(r["quantiles"], dtype=float)) for h, r in base_rates.items()}
    if not stored:
        return np.empty((0, 0))
    rows, last = [], stored[min(stored)]
    for h in range(1, max(stored) + 1):
        last = stored.get(h, last)
        rows.append(last)
    return np.array(rows)


@dataclass(frozen=True, kw_only=True, eq=False)
class AutoFit(GrowthFit):
    """A fitted :class:`Auto`: see :class:`~xmforecast.base.FittedModel` for the contract.

    Attributes
    ----------
    evidence : str
        ``"own series"`` (growth from the series itself) or ``"outside view"`` (one
        observation: the panel's distribution of changes only).
    """

    evidence: str = OWN_SERIES
    anchor: float = 0.0
    growth: Any = None        # yearly log growth by calibrated horizon
    scales: Any = None        # error scale s by calibrated horizon [log units / year]
    z_grid: Any = None        # standard-normal scores at which the quantiles are stored
    quantiles: Any = None     # horizons x z_grid: standardised error quantiles
    outside_weight: float = 0.0  # weight of the family's base rates in the pooled distribution
    outside: Any = None       # horizons x grid: the family's yearly log growth quantiles

    def _steps(self, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Steps 1..horizon, their calibrated horizon's index, their centre and spread (log)."""
        steps = np.arange(1, horizon + 1)
        idx = np.minimum(steps, len(self.growth)) - 1
        centre = self.anchor + steps * self.growth[idx]
        # Beyond the calibrated horizons the error keeps growing like a random walk.
        spread = self.scales[idx] * self.spec.sigma_scale * np.sqrt(steps)
        return idx, centre, spread

    def _log_quantiles(self, horizon: int, z: np.ndarray) -> np.ndarray:
        """Log values at standard-normal scores `z` (1 x m, or horizon x m)."""
        idx, centre, spread = self._steps(horizon)
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
        horizon = check_int("horizon", horizon)
        level = check_level(level)
        q = NormalDist().inv_cdf(0.5 + level / 200)
        logs = self._pooled_log_quantiles(horizon, np.array([[0.0, -q, q]]))
        return pd.DataFrame(np.exp(logs), index=self._years(horizon), columns=["point", "lower", "upper"])

    def exceedance(self, horizon: int, thresholds: Any) -> np.ndarray:
        """Probability that the value `horizon` years ahead is at least each threshold.

        Parameters
        ----------
        horizon : int
            Years after the last observation.
        thresholds : array_like of float
            Levels [units of the series].

        Returns
        -------
        ndarray
            ``P(y_{T+h} >= threshold)``, from the calibrated quantile function inverted
            exactly (no simulation); within ``[Phi(-3.3), Phi(3.3)]`` beyond the stored grid.
        """
        horizon = check_int("horizon", horizon)
        level = np.log(np.maximum(np.asarray(thresholds, dtype=float), 1e-300))
        return 1.0 - self._pooled_cdf(horizon, level)

    def _own_cdf(self, horizon: int, level: np.ndarray) -> np.ndarray:
        """P(log y_{T+h} <= level) of the series' own calibrated view."""
        idx, centre, spread = self._steps(horizon)
        k, c, s = idx[-1], centre[-1], spread[-1]
        q = np.maximum.accumulate(self.quantiles[k])  # quantiles are monotone; guard ties
        return _normal_cdf(np.interp((level - c) / s, q, self.z_grid))

    def _outside_cdf(self, horizon: int, level: np.ndarray) -> np.ndarray:
        """P(log y_{T+h} <= level) if the series grows as the family's series did (the base rate)."""
        q = self.outside[min(horizon, len(self.outside)) - 1]
        return np.interp((level - self.anchor) / horizon, q, np.linspace(0.0, 1.0, len(q)))

    def _pooled_cdf(self, horizon: int, level: np.ndarray) -> np.ndarray:
        """The linear pool ``(1 - w) F_own + w F_outside`` at log levels."""
        own = self._own_cdf(horizon, level)
        if not self.outside_weight:
            return own
        return (1 - self.outside_weight) * own + self.outside_weight * self._outside_cdf(horizon, level)

    def _pooled_log_quantiles(self, horizon: int, z: np.ndarray) -> np.ndarray:
        """Log values at standard-normal scores `z` (1 x m, or horizon x m) of the pooled distribution.

        The pool's quantile function has no closed form: its CDF is evaluated on the knots of
        both parts' quantiles, each gap cut in :data:`_SUBDIVISIONS`, turned into normal
        scores and inverted by linear interpolation in them (as the own part's quantiles are
        stored), so a path's shocks map to values without a normal CDF per path.
        """
        if not self.outside_weight:
            return self._log_quantiles(horizon, z)
        idx, centre, spread = self._steps(horizon)
        z = np.broadcast_to(z, (horizon, z.shape[1]))
        out = np.empty(z.shape)
        inverse = np.frompyfunc(NormalDist().inv_cdf, 1, 1)
        for i in range(horizon):
            h = i + 1
            knots = np.unique(np.concatenate([centre[i] + spread[i] * self.quantiles[idx[i]],
                                              self.anchor + h * self.outside[min(h, len(self.outside)) - 1]]))
            steps = np.arange(_SUBDIVISIONS) / _SUBDIVISIONS
            grid = np.append((knots[:-1, None] + np.diff(knots)[:, None] * steps).ravel(), knots[-1])
            cdf = np.clip(np.maximum.accumulate(self._pooled_cdf(h, grid)), 1e-12, 1 - 1e-12)
            scores = np.maximum.accumulate(inverse(cdf).astype(float))
            out[i] = np.interp(z[i], scores, grid)
        return out

    def _simulate_array(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        # A Gaussian copula with random-walk dependence: each year's marginal is exactly the
        # calibrated quantile function, and a path keeps its shocks from year to year.
        shocks = rng.standard_normal((horizon, n_paths)).cumsum(axis=0)
        z = shocks / np.sqrt(np.arange(1, horizon + 1))[:, None]
        return np.exp(self._pooled_log_quantiles(horizon, z))

