"""Forecasting models for short annual series: one contract, a ladder of rungs.

A *spec* (``Drift()``, ``LogLinear()``, ...) is a frozen dataclass of
hyperparameters and holds no data. ``spec.fit(series)`` returns a new frozen
:class:`GrowthFit` with ``forecast``, ``simulate`` and ``summary``: the contract of
:mod:`xmforecast.base`, shared with the structural models.

The ladder, from the fewest observations upwards (``min_obs``):

==============  ========  ========================================================
name            min_obs   model
==============  ========  ========================================================
auto            1         calibrated growth on a panel of real series (default;
                          :mod:`xmforecast.auto`)
naive           1         log random walk, no drift (last value carried forward)
drift           2         log random walk with drift = mean annual log growth
additive_drift  2         random walk on values with drift = mean annual change
cagr            2         drift over the trailing ``window`` years only
loglinear       3         OLS of log value on year (statsmodels)
linear          3         OLS of value on year (statsmodels)
logistic        5         saturating curve on log values (scipy ``curve_fit``)
ets             8         damped additive trend ETS on log values (statsmodels)
==============  ========  ========================================================

``ets`` uses the trailing run of consecutive years only.
:class:`Combination` mixes fitted members. :func:`fit_ladder` fits every rung
a series is long enough for and reports the others with their reasons.

Every model except ``additive_drift`` and ``linear`` works on natural-log values, so growth is
multiplicative, the ``point`` forecast is the median and intervals are
``exp`` of symmetric intervals on the log scale.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from xmforecast.base import FittedModel, ModelSpec, by_role, build_spec
from xmforecast.exceptions import ModelError, ParameterError
from xmforecast.validation import check_int, check_level, check_positive, check_series

__all__ = [
    "GrowthSpec",
    "GrowthFit",
    "Naive",
    "Drift",
    "CAGR",
    "LogLinear",
    "Linear",
    "Logistic",
    "AdditiveDrift",
    "ETS",
    "Combination",
    "CombinationFit",
    "GROWTH_MODELS",
    "LADDER",
    "as_spec",
    "fit_ladder",
]

_log = logging.getLogger(__name__)

#: Below this residual standard deviation [model units] the fit is treated as
#: exact and carries no information about sigma.
_ZERO_SIGMA = 1e-8


def _log_values(series: pd.Series, model: str) -> np.ndarray:
    values = series.to_numpy()
    if np.any(values <= 0):
        bad = values <= 0
        raise ModelError(
            f"`{model}` works on log values and needs every value > 0; got "
            f"{values[bad].tolist()} in {series.index[bad].tolist()}."
        )
    return np.log(values)


def _trailing_run(series: pd.Series) -> pd.Series:
    """The trailing run of consecutive years of `series`."""
    years = series.index.to_numpy()
    start = len(years) - 1
    while start > 0 and years[start] - years[start - 1] == 1:
        start -= 1
    return series.iloc[start:]


@contextlib.contextmanager
def _collect_warnings(notes: list[str]) -> Iterator[None]:
    """Turn warnings raised by a library fit into notes for ``summary()``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        text = f"{item.category.__name__}: {str(item.message).splitlines()[0]}"
        if text not in notes:
            notes.append(text)


def _quantile(p: float, df: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf(p) if math.isinf(df) else stats.t.ppf(p, df))


def _sigma_from_ssr(ssr: float, df: int, spec: GrowthSpec, unit: float = 1.0) -> tuple[float, str, float, str]:
    """Residual sigma, its source, t degrees of freedom and an explanation.

    ``unit`` converts ``fallback_sigma`` [log units] into the model's units.
    """
    if df >= spec.min_df:
        sigma = math.sqrt(ssr / df)
        if sigma > _ZERO_SIGMA * unit:
            return sigma, "estimated", float(df), (
                f"estimated from the residuals with {df} degrees of freedom; t intervals"
            )
        why = "the residuals are all zero (an exact fit says nothing about sigma)"
    else:
        why = f"{df} residual degrees of freedom < min_df={spec.min_df}"
    return spec.fallback_sigma * unit, "fallback_sigma", math.inf, (
        f"fallback_sigma={spec.fallback_sigma:g} [log units] used: {why}; normal intervals"
    )


# --------------------------------------------------------------------------
# the growth models' base
# --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class GrowthSpec(ModelSpec):
    """Hyperparameters shared by every growth model; subclasses add their own.

    Parameters
    ----------
    fallback_sigma : float, default 0.10
        Innovation or residual standard deviation [log units / year] used
        when the series leaves fewer than `min_df` residual degrees of
        freedom. ``linear`` converts it to value units by multiplying by the
        last observed value.
    sigma_scale : float, default 1.0
        Multiplies every standard deviation (residual and parameter
        uncertainty) in forecasts and simulations; backtest calibration sets it.
    min_df : int, default 2
        Fewest residual degrees of freedom from which sigma is estimated.
        With one degree of freedom the predictive distribution is Cauchy.

    Notes
    -----
    ``name`` and ``min_obs`` are class attributes. ``fit`` raises
    :class:`~xmforecast.exceptions.ModelError` when the series is shorter
    than ``min_obs`` or the model cannot be fitted to it.
    """

    fallback_sigma: float = 0.10
    sigma_scale: float = 1.0
    min_df: int = 2

    def __post_init__(self) -> None:
        check_positive("fallback_sigma", self.fallback_sigma)
        check_positive("sigma_scale", self.sigma_scale)
        check_int("min_df", self.min_df)

    def fit(self, series: pd.Series) -> GrowthFit:
        """Fit the model to `series`; the spec itself is left unchanged.

        Parameters
        ----------
        series : pandas.Series or Mapping
            Observations [units of the indicator] on a strictly increasing
            integer year index; gaps between years are allowed. Also accepted
            as ``{"series": series}`` (the model's one role, see
            :func:`xmforecast.base.by_role`).

        Returns
        -------
        GrowthFit
            A new frozen fitted object.

        Raises
        ------
        ParameterError
            If `series` is not a Series, is empty, has non-integer or
            non-increasing years, or non-finite values.
        ModelError
            If the series is shorter than ``min_obs``, has values <= 0 for a
            log model, or the model cannot be fitted to it.
        """
        data = check_series(by_role(self, series)["series"])
        if len(data) < self.min_obs:
            raise ModelError(
                f"`{self.label}` needs at least {self.min_obs} observations; got {len(data)}."
            )
        try:
            return self._fit(data)
        except (ParameterError, ModelError):
            raise
        except (ValueError, RuntimeError, ArithmeticError, np.linalg.LinAlgError) as exc:
            raise ModelError(f"`{self.label}` could not be fitted: {exc}") from exc

    def _fit(self, series: pd.Series) -> GrowthFit:
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True, eq=False)
class GrowthFit(FittedModel):
    """A fitted growth model: forecasts, simulated paths and a summary.

    Attributes
    ----------
    spec : GrowthSpec
        The hyperparameters it was fitted with.
    series : pandas.Series
        The (validated) observations it was fitted to.
    log_scale : bool
        True when the model works on natural-log values.
    sigma : float
        Innovation or residual standard deviation before `sigma_scale`
        [log units / year, or value units for ``linear``].
    sigma_source : str
        ``"estimated"``, ``"fallback_sigma"`` or the library that estimated it.
    sigma_note : str
        Where sigma came from, in words.
    df : float
        Degrees of freedom of the t predictive distribution (``inf``: normal).
    params : dict
        Fitted parameters by name (growth rates are fractions per year).
    notes : tuple of str or Message
        Anything a reader of the forecast should know (warnings included); a
        :class:`~xmforecast.words.Message` where a page words it in its language, ``str`` is
        its English.
    """

    spec: GrowthSpec
    series: pd.Series = field(repr=False)
    log_scale: bool = True
    sigma: float = math.nan
    sigma_source: str = ""
    sigma_note: str = ""
    df: float = math.inf
    params: dict[str, float] = field(default_factory=dict)
    notes: tuple[Any, ...] = ()

    @property
    def last_year(self) -> int:
        """Last observed year; forecasts start the year after."""
        return int(self.series.index[-1])

    def _years(self, horizon: int) -> pd.Index:
        return pd.Index(np.arange(self.last_year + 1, self.last_year + horizon + 1), name="year")

    # Subclasses give the predictive mean and covariance of steps 1..horizon on
    # the model scale, before sigma_scale; paths are mean + scale * chol(cov) z,
    # times sqrt(df / chi2_df) per path when df is finite (a multivariate t),
    # so every path's marginal is exactly the forecast distribution.
    def _moments(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def _marginals(self, horizon: int) -> tuple[np.ndarray, np.ndarray, float]:
        mean, cov = self._moments(horizon)
        return mean, np.sqrt(np.diag(cov)) * self.spec.sigma_scale, self.df

    def _simulate_array(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        mean, cov = self._moments(horizon)
        try:
            root = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            vals, vecs = np.linalg.eigh(cov)
            root = vecs * np.sqrt(np.clip(vals, 0.0, None))
        draws = (root * self.spec.sigma_scale) @ rng.standard_normal((horizon, n_paths))
        if math.isfinite(self.df):
            draws *= np.sqrt(self.df / rng.chisquare(self.df, size=n_paths))
        paths = mean[:, None] + draws
        return np.exp(paths) if self.log_scale else paths

    def forecast(self, horizon: int, level: float = 80) -> pd.DataFrame:
        """Point forecast and prediction interval for the next `horizon` years.

        Parameters
        ----------
        horizon : int
            Number of years after the last observation [years].
        level : float, default 80
            Coverage of the interval [percent], 0 < level < 100.

        Returns
        -------
        pandas.DataFrame
            Indexed by year, columns ``point``, ``lower``, ``upper``
            [units of the series].

        Raises
        ------
        ParameterError
            If `horizon` is not a positive integer or `level` is out of range.

        Notes
        -----
        With predictive mean :math:`\\mu_h` and standard deviation
        :math:`s_h` on the model scale, the interval is
        :math:`\\mu_h \\pm q\\, c\\, s_h` (``exp`` of it on log models), with
        :math:`q` the normal or :math:`t_{df}` quantile at
        :math:`0.5 + level/200` and :math:`c` the spec's ``sigma_scale``.
        """
        horizon = check_int("horizon", horizon)
        level = check_level(level)
        mean, sd, df = self._marginals(horizon)
        q = _quantile(0.5 + level / 200, df)
        values = np.column_stack([mean, mean - q * sd, mean + q * sd])
        values = np.exp(values) if self.log_scale else self._floor(values)
        return pd.DataFrame(values, index=self._years(horizon), columns=["point", "lower", "upper"])

    def _floor(self, values: np.ndarray) -> np.ndarray:
        # A model on raw values knows nothing of signs: a series that was never negative
        # (a stock, an amount) gets no negative bound or path.
        return np.maximum(values, 0.0) if (self.series.to_numpy() >= 0).all() else values

    def simulate(self, horizon: int, n_paths: int, *, rng: Any = None) -> pd.DataFrame:
        """Simulated future paths, years x paths.

        Parameters
        ----------
        horizon : int
            Number of years after the last observation [years].
        n_paths : int
            Number of paths.
        rng : None, int or numpy.random.Generator, optional
            Passed to :func:`numpy.random.default_rng`.

        Returns
        -------
        pandas.DataFrame
            Indexed by year, one column per path [units of the series].

        Raises
        ------
        ParameterError
            If `horizon` or `n_paths` is not a positive integer.

        Notes
        -----
        Paths are :math:`\\mu + c\\, L z \\sqrt{df / \\chi^2_{df}}` on the model
        scale (``exp`` of it on log models), with :math:`L L' ` the forecast
        covariance across years, :math:`z` standard normal per year and path,
        one :math:`\\chi^2_{df}` draw per path (omitted when sigma is treated
        as known) and :math:`c` the ``sigma_scale``: each year's marginal is
        exactly the distribution behind :meth:`forecast`, and a path keeps its
        shocks from year to year. ``ets`` paths come from statsmodels'
        ``ETSResults.simulate``; ``combination`` paths each come from one member.
        """
        horizon = check_int("horizon", horizon)
        n_paths = check_int("n_paths", n_paths)
        values = self._simulate_array(horizon, n_paths, np.random.default_rng(rng))
        if not self.log_scale:
            values = self._floor(values)
        return pd.DataFrame(
            values, index=self._years(horizon), columns=pd.RangeIndex(n_paths, name="path")
        )

    def summary(self) -> pd.DataFrame:
        """Parameters, sigma and its source, observations and notes.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``item`` with columns ``value`` and ``note``.
        """
        years = self.series.index
        rows: list[tuple[str, Any, str]] = [
            ("model", self.name, type(self.spec).__doc__.splitlines()[0]),
            ("n_obs", len(self.series), f"observations {years[0]}-{years[-1]}"),
        ]
        rows += [(key, value, _PARAM_NOTES.get(key, "")) for key, value in self.params.items()]
        units = "log units" if self.log_scale else "value units"
        rows += [
            ("sigma", self.sigma, f"[{units}] before sigma_scale"),
            ("sigma_source", self.sigma_source, self.sigma_note),
            ("df", self.df, "t degrees of freedom of the forecast (inf: normal)"),
            ("sigma_scale", self.spec.sigma_scale, "multiplies all uncertainty"),
        ]
        rows += [(f"note {i + 1}", str(text), "") for i, text in enumerate(self.notes)]
        return pd.DataFrame(rows, columns=["item", "value", "note"]).set_index("item")


_PARAM_NOTES = {
    "growth_rate": "fraction per year, exp(g) - 1",
    "log_growth": "[log units / year]",
    "slope": "[value units / year]",
    "intercept": "at the last observed year",
    "capacity": "saturation level K [value units]",
    "rate": "logistic rate r [1 / year]",
    "midpoint": "year of the inflection",
    "window": "[years]",
}


# --------------------------------------------------------------------------
# random walks: naive, drift, cagr
# --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False)
class _RandomWalkFit(GrowthFit):
    anchor: float = 0.0          # log of the last value
    growth: float = 0.0          # drift [log units / year]
    growth_var: float = 0.0      # var(drift) / sigma^2 [1 / year]

    def _moments(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        steps = np.arange(1, horizon + 1, dtype=float)
        mean = self.anchor + steps * self.growth
        cov = self.sigma**2 * (np.minimum.outer(steps, steps) + self.growth_var * np.outer(steps, steps))
        return mean, cov


def _drift_fit(spec: GrowthSpec, series: pd.Series, logs: np.ndarray, notes: list[str],
               extra: dict[str, float] | None = None, unit: float = 1.0) -> _RandomWalkFit:
    from statsmodels.regression.linear_model import WLS

    gaps = np.diff(series.index.to_numpy()).astype(float)
    steps = np.diff(logs)
    # d_i = g_i mu + e_i, var(e_i) = g_i sigma^2: WLS through the origin with
    # weights 1/g_i, so mu = sum(d) / sum(g) and var(mu) = sigma^2 / sum(g).
    result = WLS(steps, gaps[:, None], weights=1.0 / gaps).fit()
    growth = float(result.params[0])
    sigma, source, df, note = _sigma_from_ssr(float(result.ssr), int(result.df_resid), spec, unit)
    params = dict(extra or {})
    params.update(growth_rate=math.expm1(growth), log_growth=growth)
    return _RandomWalkFit(
        spec=spec, series=series, sigma=sigma, sigma_source=source, sigma_note=note, df=df,
        params=params, notes=tuple(notes), anchor=float(logs[-1]), growth=growth,
        growth_var=float(result.normalized_cov_params[0, 0]),
    )


@dataclass(frozen=True, kw_only=True)
class Naive(GrowthSpec):
    """Naive: the last value carried forward, a log random walk without drift.

    Parameters
    ----------
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec`.

    Notes
    -----
    :math:`\\log y_{T+h} = \\log y_T + \\sum_{j=1}^{h} e_j`, with
    :math:`e_j \\sim N(0, \\sigma^2)` per year. With log changes :math:`d_i`
    over gaps of :math:`g_i` years, :math:`\\hat\\sigma^2 = \\frac{1}{m}\\sum d_i^2 / g_i`
    on :math:`m` changes (closed form, written out here). ``min_obs`` = 1.

    References
    ----------
    .. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles
       and practice*, 3rd ed., section 5.2. OTexts.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0], index=[2015, 2016])
    >>> Naive().fit(s).forecast(2).round(1)  # doctest: +NORMALIZE_WHITESPACE
          point  lower  upper
    year
    2017  110.0   96.8  125.0
    2018  110.0   91.8  131.9
    """

    name: ClassVar[str] = "naive"
    min_obs: ClassVar[int] = 1

    def _fit(self, series: pd.Series) -> GrowthFit:
        logs = _log_values(series, self.name)
        gaps = np.diff(series.index.to_numpy()).astype(float)
        ssr = float(np.sum(np.diff(logs) ** 2 / gaps))
        sigma, source, df, note = _sigma_from_ssr(ssr, len(gaps), self)
        return _RandomWalkFit(
            spec=self, series=series, sigma=sigma, sigma_source=source, sigma_note=note,
            df=df, params={"growth_rate": 0.0}, anchor=float(logs[-1]),
        )


@dataclass(frozen=True, kw_only=True)
class Drift(GrowthSpec):
    """Drift: log random walk whose drift is the mean annual log growth.

    Parameters
    ----------
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec`.

    Notes
    -----
    :math:`\\log y_{T+h} = \\log y_T + h\\hat\\mu + \\sum_{j\\le h} e_j`, with
    :math:`\\hat\\mu = (\\log y_T - \\log y_{t_1}) / (T - t_1)`, the mean log
    growth per year across gaps (weighted least squares on log changes
    :math:`d_i \\sim N(g_i\\mu, g_i\\sigma^2)`, statsmodels ``WLS``). So
    ``growth_rate`` :math:`= (y_T / y_{t_1})^{1/(T - t_1)} - 1`, the
    compound annual growth over the whole series. Forecast variance
    :math:`\\sigma^2 (h + h^2 / (T - t_1))` includes the drift's
    uncertainty. ``min_obs`` = 2.

    References
    ----------
    .. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles
       and practice*, 3rd ed., sections 5.2 and 5.5. OTexts.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 121.0], index=[2014, 2015, 2016])
    >>> fit = Drift().fit(s)
    >>> round(fit.params["growth_rate"], 6)
    0.1
    >>> fit.forecast(2).round(1)  # doctest: +NORMALIZE_WHITESPACE
          point  lower  upper
    year
    2017  133.1  113.8  155.7
    2018  146.4  113.3  189.2
    """

    name: ClassVar[str] = "drift"
    min_obs: ClassVar[int] = 2

    def _fit(self, series: pd.Series) -> GrowthFit:
        return _drift_fit(self, series, _log_values(series, self.name), [])


@dataclass(frozen=True, kw_only=True)
class AdditiveDrift(GrowthSpec):
    """Additive drift: random walk on the values, drift = mean annual change.

    Parameters
    ----------
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec` (``fallback_sigma`` is multiplied by the last value).

    Notes
    -----
    :math:`y_{T+h} = y_T + h\\hat\\delta + \\sum_{j\\le h} e_j`, with
    :math:`\\hat\\delta = (y_T - y_{t_1}) / (T - t_1)`, the mean change per year
    (weighted least squares on changes over gaps, statsmodels ``WLS``), and forecast
    variance :math:`\\sigma^2 (h + h^2 / (T - t_1))`. The change does not compound, so
    after an acceleration it forecasts less growth than ``drift``. Lower bounds and paths of
    a series with no negative value stop at 0. ``min_obs`` = 2.

    References
    ----------
    .. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles
       and practice*, 3rd ed., section 5.2 ("drift method"). OTexts.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 130.0], index=[2014, 2015, 2016])
    >>> AdditiveDrift().fit(s).forecast(2)["point"].tolist()
    [145.0, 160.0]
    """

    name: ClassVar[str] = "additive_drift"
    min_obs: ClassVar[int] = 2

    def _fit(self, series: pd.Series) -> GrowthFit:
        fit = _drift_fit(self, series, series.to_numpy(dtype=float), [], unit=float(abs(series.iloc[-1])))
        change = fit.params.pop("log_growth")
        fit.params.pop("growth_rate")
        fit.params["slope"] = change
        return dataclasses.replace(fit, log_scale=False)


@dataclass(frozen=True, kw_only=True)
class CAGR(GrowthSpec):
    """CAGR: drift estimated on the trailing `window` years only.

    Parameters
    ----------
    window : int, default 3
        Length of the estimation window [years]: observations in
        ``[T - window, T]`` are used. When only the last year falls inside
        it, the latest earlier observation is added (and noted).
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec`.

    Notes
    -----
    ``growth_rate`` :math:`= (y_T / y_b)^{1/(T - b)} - 1` with :math:`b` the
    first year used; the model is :class:`Drift` fitted to years
    :math:`b..T` (sigma from the same years). ``min_obs`` = 2.

    References
    ----------
    .. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles
       and practice*, 3rd ed., section 5.2. OTexts.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([50.0, 100.0, 110.0, 121.0], index=[2010, 2014, 2015, 2016])
    >>> round(CAGR(window=2).fit(s).params["growth_rate"], 6)
    0.1
    """

    name: ClassVar[str] = "cagr"
    min_obs: ClassVar[int] = 2

    window: int = 3

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int("window", self.window)

    def _fit(self, series: pd.Series) -> GrowthFit:
        logs = _log_values(series, self.name)
        years = series.index.to_numpy()
        keep = years >= years[-1] - self.window
        notes = []
        if keep.sum() < 2:
            keep[len(years) - 2] = True
            notes.append(
                f"no observation in the {self.window}-year window before {years[-1]}; "
                f"the latest earlier one ({years[-2]}) is used"
            )
        used = series[keep]
        notes.append(f"growth from {used.index[0]}-{used.index[-1]}")
        return _drift_fit(self, used, logs[keep], notes, extra={"window": self.window})


# --------------------------------------------------------------------------
# trends: loglinear, linear
# --------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True, eq=False)
class _TrendFit(GrowthFit):
    coef: np.ndarray = field(default_factory=lambda: np.zeros(2), repr=False)
    unscaled_cov: np.ndarray = field(default_factory=lambda: np.zeros((2, 2)), repr=False)

    def _moments(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        steps = np.arange(1, horizon + 1, dtype=float)
        design = np.column_stack([np.ones(horizon), steps])
        mean = design @ self.coef
        cov = self.sigma**2 * (design @ self.unscaled_cov @ design.T + np.eye(horizon))
        return mean, cov


def _trend_fit(spec: GrowthSpec, series: pd.Series, y: np.ndarray, unit: float, log_scale: bool) -> _TrendFit:
    from statsmodels.regression.linear_model import OLS

    # Year measured from the last observation: same fit as on raw years,
    # better conditioned; the intercept is the trend value at the last year.
    x = (series.index.to_numpy() - series.index[-1]).astype(float)
    result = OLS(y, np.column_stack([np.ones_like(x), x])).fit()
    sigma, source, df, note = _sigma_from_ssr(float(result.ssr), int(result.df_resid), spec, unit)
    intercept, slope = (float(v) for v in result.params)
    if log_scale:
        params = {"growth_rate": math.expm1(slope), "log_growth": slope,
                  "intercept": math.exp(intercept)}
    else:
        params = {"slope": slope, "intercept": intercept}
    params["r_squared"] = float(result.rsquared) if len(y) > 2 else math.nan
    return _TrendFit(
        spec=spec, series=series, log_scale=log_scale, sigma=sigma, sigma_source=source,
        sigma_note=note, df=df, params=params, coef=np.asarray(result.params, dtype=float),
        unscaled_cov=np.asarray(result.normalized_cov_params, dtype=float),
    )


@dataclass(frozen=True, kw_only=True)
class LogLinear(GrowthSpec):
    """Log-linear trend: OLS of log value on year (constant growth rate).

    Parameters
    ----------
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec`.

    Notes
    -----
    :math:`\\log y_t = a + b t + \\varepsilon_t`,
    :math:`\\varepsilon_t \\sim N(0, \\sigma^2)` i.i.d., fitted by statsmodels
    ``OLS``. The interval is the OLS prediction interval for a new
    observation, :math:`x_0'\\hat\\beta \\pm t_{n-2}\\, \\hat\\sigma
    \\sqrt{1 + x_0'(X'X)^{-1}x_0}` (statsmodels ``obs_ci``), so parameter
    uncertainty is included; with a fallback sigma the :math:`t` quantile
    becomes normal. ``growth_rate`` :math:`= e^{b} - 1`. ``min_obs`` = 3.

    References
    ----------
    .. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles
       and practice*, 3rd ed., sections 7.6 and 7.9. OTexts.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 108.0, 121.0, 129.0, 146.0],
    ...               index=[2012, 2013, 2014, 2015, 2016])
    >>> fit = LogLinear().fit(s)
    >>> round(fit.params["growth_rate"], 3)
    0.098
    >>> fit.forecast(1).round(1)  # doctest: +NORMALIZE_WHITESPACE
          point  lower  upper
    year
    2017  158.5  152.7  164.5
    """

    name: ClassVar[str] = "loglinear"
    min_obs: ClassVar[int] = 3

    def _fit(self, series: pd.Series) -> GrowthFit:
        return _trend_fit(self, series, _log_values(series, self.name), 1.0, True)


@dataclass(frozen=True, kw_only=True)
class Linear(GrowthSpec):
    """Linear trend: OLS of value on year (constant absolute increase).

    Parameters
    ----------
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec`; here ``fallback_sigma`` is multiplied by
        the last observed value to give value units.

    Notes
    -----
    :math:`y_t = a + b t + \\varepsilon_t`, fitted by statsmodels ``OLS``
    on the values themselves; intervals as for :class:`LogLinear`
    (``obs_ci``) but symmetric on the value scale and may go below zero.
    ``min_obs`` = 3.

    References
    ----------
    .. [1] Hyndman, R.J. & Athanasopoulos, G. (2021) *Forecasting: principles
       and practice*, 3rd ed., section 7.6. OTexts.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([10.0, 12.0, 14.0], index=[2014, 2015, 2016])
    >>> fit = Linear().fit(s)
    >>> round(fit.params["slope"], 6)
    2.0
    >>> round(float(fit.forecast(1)["point"].iloc[0]), 6)
    16.0
    """

    name: ClassVar[str] = "linear"
    min_obs: ClassVar[int] = 3

    def _fit(self, series: pd.Series) -> GrowthFit:
        values = series.to_numpy()
        unit = abs(values[-1]) if values[-1] != 0 else max(float(np.max(np.abs(values))), 1.0)
        return _trend_fit(self, series, values, unit, False)


# --------------------------------------------------------------------------
# logistic
# --------------------------------------------------------------------------
def _logistic_log(x: np.ndarray, log_capacity: float, rate: float, midpoint: float) -> np.ndarray:
    """log of K / (1 + exp(-r (x - m))), stable for any sign of the exponent."""
    return log_capacity - np.logaddexp(0.0, -rate * (x - midpoint))


def _logistic_jacobian(x: np.ndarray, log_capacity: float, rate: float, midpoint: float) -> np.ndarray:
    # Derivatives of _logistic_log by (log K, r, m); written out because
    # scipy has no closed-form Jacobian for this curve.
    weight = 1.0 / (1.0 + np.exp(np.clip(rate * (x - midpoint), -700, 700)))
    return np.column_stack([np.ones_like(x), weight * (x - midpoint), -rate * weight])


@dataclass(frozen=True, kw_only=True, eq=False)
class _LogisticFit(GrowthFit):
    theta: np.ndarray = field(default_factory=lambda: np.zeros(3), repr=False)
    unscaled_cov: np.ndarray = field(default_factory=lambda: np.zeros((3, 3)), repr=False)
    free: tuple[bool, ...] = (True, True, True)

    def _moments(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        steps = np.arange(1, horizon + 1, dtype=float)
        mean = _logistic_log(steps, *self.theta)
        jac = _logistic_jacobian(steps, *self.theta)[:, list(self.free)]
        cov = self.sigma**2 * (jac @ self.unscaled_cov @ jac.T + np.eye(horizon))
        return mean, cov


@dataclass(frozen=True, kw_only=True)
class Logistic(GrowthSpec):
    """Logistic (saturating) growth fitted to log values.

    Parameters
    ----------
    capacity : float or None, default None
        Known saturation level K [value units]; estimated when None.
    max_capacity_ratio : float, default 10.0
        Upper bound of the estimated K as a multiple of the largest
        observation (the lower bound is the largest observation).
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec`.

    Notes
    -----
    :math:`\\log y_t = \\log K - \\log(1 + e^{-r (t - m)}) + \\varepsilon_t`,
    :math:`\\varepsilon_t \\sim N(0, \\sigma^2)`, fitted by bounded least
    squares (scipy ``curve_fit``, from several starting capacities). The
    forecast variance is :math:`\\sigma^2 (1 + J_0 (J'J)^{-1} J_0')` (delta
    method) with :math:`J` the Jacobian by :math:`(\\log K, r, m)`, and
    :math:`t_{n-p}` quantiles. ``min_obs`` = 5.

    References
    ----------
    .. [1] Verhulst, P.-F. (1838) Notice sur la loi que la population suit
       dans son accroissement. *Corresp. Math. Phys.* 10, 113-121.
    .. [2] Meade, N. & Islam, T. (2006) Modelling and forecasting the
       diffusion of innovation - a 25-year review. *Int. J. Forecasting*
       22(3), 519-545.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> years = np.arange(2010, 2017)
    >>> s = pd.Series(1000 / (1 + np.exp(-0.5 * (years - 2012))), index=years)
    >>> fit = Logistic().fit(s)
    >>> round(fit.params["capacity"]), round(fit.params["rate"], 3)
    (1000, 0.5)
    """

    name: ClassVar[str] = "logistic"
    min_obs: ClassVar[int] = 5

    capacity: float | None = None
    max_capacity_ratio: float = 10.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.capacity is not None:
            check_positive("capacity", self.capacity)
        if check_positive("max_capacity_ratio", self.max_capacity_ratio) <= 1:
            raise ParameterError(
                f"`max_capacity_ratio` must be > 1; got {self.max_capacity_ratio!r}."
            )

    def _fit(self, series: pd.Series) -> GrowthFit:
        from scipy.optimize import curve_fit

        logs = _log_values(series, self.name)
        x = (series.index.to_numpy() - series.index[-1]).astype(float)
        top = float(np.max(logs))
        if self.capacity is not None and math.log(self.capacity) < top:
            raise ModelError(
                f"`logistic` needs `capacity` >= the largest observation "
                f"{math.exp(top):g}; got {self.capacity!r}."
            )
        lo = np.array([top, -5.0, x[0] - 100.0])
        hi = np.array([top + math.log(self.max_capacity_ratio), 5.0, x[-1] + 100.0])
        free = np.array([self.capacity is None, True, True])
        fixed_k = None if self.capacity is None else math.log(self.capacity)

        def full(theta: np.ndarray) -> np.ndarray:
            return np.array([fixed_k, *theta]) if fixed_k is not None else np.asarray(theta)

        def curve(xx: np.ndarray, *theta: float) -> np.ndarray:
            return _logistic_log(xx, *full(np.asarray(theta)))

        def jac(xx: np.ndarray, *theta: float) -> np.ndarray:
            return _logistic_jacobian(xx, *full(np.asarray(theta)))[:, free]

        best = None
        notes: list[str] = []
        starts = [fixed_k] if fixed_k is not None else [top + math.log(f) for f in (1.2, 2.0, 5.0)]
        for log_k in starts:
            start = self._start(x, logs, log_k, lo, hi)
            try:
                with _collect_warnings(notes):
                    theta, pcov = curve_fit(
                        curve, x, logs, p0=start[free], bounds=(lo[free], hi[free]), jac=jac,
                        sigma=np.ones_like(x), absolute_sigma=True, max_nfev=5000,
                    )
            except (RuntimeError, ValueError):
                continue
            ssr = float(np.sum((logs - curve(x, *theta)) ** 2))
            if best is None or ssr < best[0]:
                best = (ssr, theta, pcov)
        if best is None:
            raise ModelError("`logistic` least squares did not converge from any start.")
        ssr, theta, pcov = best
        if not np.all(np.isfinite(pcov)):
            raise ModelError("`logistic` parameters are not identified by this series (singular Jacobian).")
        full_theta = full(theta)
        if fixed_k is None and full_theta[0] >= hi[0] - 1e-6:
            notes.append(
                f"capacity at its upper bound ({self.max_capacity_ratio:g} x the largest "
                "observation): the data show no saturation"
            )
        sigma, source, df, note = _sigma_from_ssr(ssr, len(x) - int(free.sum()), self)
        return _LogisticFit(
            spec=self, series=series, sigma=sigma, sigma_source=source, sigma_note=note, df=df,
            params={"capacity": math.exp(full_theta[0]), "rate": float(full_theta[1]),
                    "midpoint": float(full_theta[2] + series.index[-1])},
            notes=tuple(notes), theta=full_theta, unscaled_cov=np.asarray(pcov), free=tuple(free),
        )

    @staticmethod
    def _start(x: np.ndarray, logs: np.ndarray, log_k: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        # log(K/y - 1) = -r (x - m) is linear in x: a least-squares start.
        z = np.log(np.clip(np.exp(log_k - logs) - 1.0, 1e-9, None))
        slope, icept = np.polyfit(x, z, 1)
        rate = -slope if slope != 0 else 0.1
        start = np.array([log_k, rate, -icept / slope if slope != 0 else 0.0])
        return np.clip(start, lo + 1e-9, hi - 1e-9)


# --------------------------------------------------------------------------
# statsmodels state-space rung: ets
# --------------------------------------------------------------------------
def _run_for(spec: GrowthSpec, series: pd.Series) -> tuple[pd.Series, list[str]]:
    run = _trailing_run(series)
    if len(run) < spec.min_obs:
        raise ModelError(
            f"`{spec.label}` needs a trailing run of at least {spec.min_obs} consecutive "
            f"years; got {len(run)} ({run.index[0]}-{run.index[-1]})."
        )
    notes = []
    if len(run) < len(series):
        notes.append(f"fitted to the consecutive years {run.index[0]}-{run.index[-1]} only")
    return run, notes


def _dof_factor(spec: ETS, n_resid: int, n_params: int, notes: list[str]) -> float:
    # Small-sample correction of the maximum-likelihood innovation variance
    # (mean squared residual): statsmodels offers none for these models.
    if not spec.small_sample_correction:
        return 1.0
    if n_resid - n_params < 1:
        raise ModelError(
            f"`{spec.label}` leaves no residual degrees of freedom ({n_resid} residuals, "
            f"{n_params} parameters)."
        )
    notes.append(
        f"innovation variance x {n_resid}/{n_resid - n_params} (small-sample correction "
        f"for {n_params} estimated parameters); parameter uncertainty is otherwise not included"
    )
    return n_resid / (n_resid - n_params)


@dataclass(frozen=True, kw_only=True, eq=False)
class _ETSFit(GrowthFit):
    result: Any = field(default=None, repr=False)
    variance_factor: float = 1.0

    def _marginals(self, horizon: int) -> tuple[np.ndarray, np.ndarray, float]:
        n = int(self.result.nobs)
        prediction = self.result.get_prediction(start=n, end=n + horizon - 1)
        mean = np.asarray(prediction.predicted_mean, dtype=float)
        var = np.asarray(prediction.var_pred_mean, dtype=float) * self.variance_factor
        return mean, np.sqrt(var) * self.spec.sigma_scale, math.inf

    def _simulate_array(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        errors = rng.standard_normal((horizon, n_paths)) * (self.sigma * self.spec.sigma_scale)
        paths = self.result.simulate(horizon, anchor="end", repetitions=n_paths, random_errors=errors)
        return np.exp(np.asarray(paths, dtype=float).reshape(horizon, n_paths))


@dataclass(frozen=True, kw_only=True)
class ETS(GrowthSpec):
    """Damped additive-trend exponential smoothing, ETS(A,Ad,N), on log values.

    Parameters
    ----------
    small_sample_correction : bool, default True
        Multiply the innovation variance by :math:`n / (n - k)` for the
        :math:`k` = 5 estimated parameters.
    fallback_sigma, sigma_scale, min_df
        See :class:`GrowthSpec` (sigma always comes from statsmodels).

    Notes
    -----
    statsmodels ``ETSModel(error="add", trend="add", damped_trend=True)`` on
    the trailing run of consecutive years:
    :math:`\\ell_t = \\ell_{t-1} + \\phi b_{t-1} + \\alpha e_t`,
    :math:`b_t = \\phi b_{t-1} + \\beta e_t`, forecast
    :math:`\\ell_T + (\\phi + \\dots + \\phi^h) b_T`. Intervals use the exact
    forecast variance; paths come from ``ETSResults.simulate`` with normal
    errors drawn from `rng`. ``min_obs`` = 8.

    References
    ----------
    .. [1] Gardner, E.S. & McKenzie, E. (1985) Forecasting trends in time
       series. *Management Science* 31(10), 1237-1246.
    .. [2] Hyndman, R.J., Koehler, A.B., Ord, J.K. & Snyder, R.D. (2008)
       *Forecasting with exponential smoothing*. Springer.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 112.0, 121.0, 138.0, 150.0, 171.0, 185.0, 204.0],
    ...               index=range(2009, 2017))
    >>> fc = ETS().fit(s).forecast(2)
    >>> list(fc.index), bool((fc["lower"] < fc["upper"]).all())
    ([2017, 2018], True)
    """

    name: ClassVar[str] = "ets"
    min_obs: ClassVar[int] = 8

    small_sample_correction: bool = True

    def _fit(self, series: pd.Series) -> GrowthFit:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        run, notes = _run_for(self, series)
        logs = pd.Series(_log_values(run, self.name))
        with _collect_warnings(notes):
            result = ETSModel(logs, error="add", trend="add", damped_trend=True).fit(disp=False)
        factor = _dof_factor(self, len(run), len(result.params), notes)
        params = {k: float(v) for k, v in zip(result.param_names, result.params)}
        return _ETSFit(
            spec=self, series=run, sigma=math.sqrt(float(result.scale) * factor),
            sigma_source="statsmodels",
            sigma_note="innovation sd from the statsmodels ETS fit (maximum likelihood); normal intervals",
            params=params, notes=tuple(notes), result=result, variance_factor=factor,
        )


# --------------------------------------------------------------------------
# combination
# --------------------------------------------------------------------------
def _mixture_quantile(p: float, means: np.ndarray, sds: np.ndarray, dfs: list[float],
                      logs: list[bool], weights: np.ndarray) -> float:
    """Quantile of a weighted mixture of (log-)normal / (log-)t members.

    Root of sum_m w_m F_m(x) = p, bracketed by the members' own quantiles
    (scipy ``brentq``).
    """
    from scipy import stats
    from scipy.optimize import brentq

    dists = [stats.norm() if math.isinf(df) else stats.t(df) for df in dfs]

    def to_value(z: float, m: int) -> float:
        v = means[m] + sds[m] * z
        return math.exp(v) if logs[m] else v

    bounds = [to_value(float(d.ppf(p)), m) for m, d in enumerate(dists)]
    lo, hi = min(bounds), max(bounds)
    if hi - lo <= 1e-12 * max(abs(hi), 1.0):
        return lo

    def cdf(x: float) -> float:
        total = 0.0
        for m, d in enumerate(dists):
            if logs[m]:
                total += weights[m] * (float(d.cdf((math.log(x) - means[m]) / sds[m])) if x > 0 else 0.0)
            else:
                total += weights[m] * float(d.cdf((x - means[m]) / sds[m]))
        return total - p

    return float(brentq(cdf, lo, hi, xtol=1e-10 * max(abs(hi), 1.0)))


@dataclass(frozen=True, kw_only=True, eq=False)
class CombinationFit(GrowthFit):
    """A fitted :class:`Combination`; adds the fields below to :class:`GrowthFit`.

    Attributes
    ----------
    members : tuple of GrowthFit
        The members that could be fitted.
    weights : tuple of float
        Their weights, summing to 1.
    skipped : tuple of (str, str)
        Members that could not be fitted, with the reason.
    """

    members: tuple[GrowthFit, ...] = ()
    weights: tuple[float, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()

    def forecast(self, horizon: int, level: float = 80) -> pd.DataFrame:
        """Log-mean point and mixture interval for the next `horizon` years.

        Parameters
        ----------
        horizon : int
            Number of years after the last observation [years].
        level : float, default 80
            Coverage of the interval [percent], 0 < level < 100.

        Returns
        -------
        pandas.DataFrame
            Indexed by year, columns ``point``, ``lower``, ``upper``.

        Raises
        ------
        ParameterError
            If `horizon` or `level` is out of range.
        ModelError
            If a member's point forecast is not positive.

        Notes
        -----
        Point :math:`\\exp(\\sum_m w_m \\log \\hat y_m)`; bounds solve
        :math:`\\sum_m w_m F_m(x) = 0.5 \\mp level/200` with :math:`F_m` the
        members' forecast distributions.
        """
        horizon = check_int("horizon", horizon)
        level = check_level(level)
        marginals = [m._marginals(horizon) for m in self.members]
        logs = [m.log_scale for m in self.members]
        weights = np.asarray(self.weights)
        points = np.array([np.exp(mu) if lg else mu for (mu, _, _), lg in zip(marginals, logs)])
        if np.any(points <= 0):
            raise ModelError("`combination` needs positive member forecasts to average on the log scale.")
        point = np.exp(weights @ np.log(points))
        bounds = np.empty((horizon, 2))
        for h in range(horizon):
            means = np.array([mu[h] for mu, _, _ in marginals])
            sds = np.array([sd[h] for _, sd, _ in marginals])
            dfs = [df for _, _, df in marginals]
            for j, p in enumerate((0.5 - level / 200, 0.5 + level / 200)):
                bounds[h, j] = _mixture_quantile(p, means, sds, dfs, logs, weights)
        return pd.DataFrame({"point": point, "lower": bounds[:, 0], "upper": bounds[:, 1]},
                            index=self._years(horizon))

    def _simulate_array(self, horizon: int, n_paths: int, rng: np.random.Generator) -> np.ndarray:
        owner = rng.choice(len(self.members), size=n_paths, p=np.asarray(self.weights))
        out = np.empty((horizon, n_paths))
        for m, member in enumerate(self.members):
            columns = np.flatnonzero(owner == m)
            if columns.size:
                out[:, columns] = member._simulate_array(horizon, columns.size, rng)
        return out

    def summary(self) -> pd.DataFrame:
        """Members with weights and sigma sources, and skipped members.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``item`` with columns ``value`` and ``note``.
        """
        rows: list[tuple[str, Any, str]] = [
            ("model", self.name, "equal or given weights; mixture intervals"),
            ("n_obs", len(self.series), f"observations {self.series.index[0]}-{self.series.index[-1]}"),
        ]
        rows += [(f"weight[{m.name}]", w, f"sigma {m.sigma:.4g} ({m.sigma_source})")
                 for m, w in zip(self.members, self.weights)]
        rows += [(f"skipped[{name}]", reason, "") for name, reason in self.skipped]
        rows.append(("sigma_scale", self.spec.sigma_scale, "multiplies every member's uncertainty"))
        return pd.DataFrame(rows, columns=["item", "value", "note"]).set_index("item")


@dataclass(frozen=True, kw_only=True)
class Combination(GrowthSpec):
    """Combination of ladder models: log-mean point, mixture distribution.

    Parameters
    ----------
    members : tuple of str, default ("drift", "additive_drift", "loglinear", "ets")
        Registry names of the members; those the series cannot support are
        skipped (see ``summary()``).
    weights : tuple of float or None, default None
        Weights aligned with `members` (renormalised over the fitted ones);
        equal weights when None.
    fallback_sigma, sigma_scale, min_df
        Passed on to every member.

    Notes
    -----
    Point :math:`\\exp(\\sum_m w_m \\log \\hat y_m)`. Each simulated path is
    drawn from one member chosen with probability :math:`w_m`; the
    interval bounds are the exact quantiles of that mixture,
    :math:`\\sum_m w_m F_m(x) = p`, which the simulated paths' quantiles
    approach. ``min_obs`` = 1 here; each member keeps its own.

    References
    ----------
    .. [1] Bates, J.M. & Granger, C.W.J. (1969) The combination of forecasts.
       *Operational Research Quarterly* 20(4), 451-468.
    .. [2] Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2020) The M4
       Competition: 100,000 time series and 61 forecasting methods.
       *Int. J. Forecasting* 36(1), 54-74.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 121.0, 133.1], index=range(2013, 2017))
    >>> fit = Combination(members=("naive", "drift")).fit(s)
    >>> round(float(fit.forecast(1)["point"].iloc[0]), 2)  # sqrt(133.1 * 146.41)
    139.6
    """

    name: ClassVar[str] = "combination"
    min_obs: ClassVar[int] = 1

    members: tuple[str, ...] = ("drift", "additive_drift", "loglinear", "ets")
    weights: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if isinstance(self.members, str) or len(self.members) == 0:
            raise ParameterError(
                f"`members` must be a non-empty sequence of model names; got {self.members!r}."
            )
        object.__setattr__(self, "members", tuple(self.members))
        for member in self.members:
            if member not in LADDER:
                raise ParameterError(
                    f"`members` must be names from {', '.join(LADDER)}; got {member!r}."
                )
        if len(set(self.members)) != len(self.members):
            raise ParameterError(f"`members` must not repeat a name; got {self.members!r}.")
        if self.weights is not None:
            weights = tuple(float(w) for w in self.weights)
            if len(weights) != len(self.members) or not all(math.isfinite(w) and w > 0 for w in weights):
                raise ParameterError(
                    f"`weights` must be {len(self.members)} finite numbers > 0; got {self.weights!r}."
                )
            object.__setattr__(self, "weights", weights)

    @property
    def label(self) -> str:
        """``combination[a+b+...]``."""
        return f"combination[{'+'.join(self.members)}]"

    def _fit(self, series: pd.Series) -> GrowthFit:
        shared = {"fallback_sigma": self.fallback_sigma, "sigma_scale": self.sigma_scale,
                  "min_df": self.min_df}
        fitted, skipped = fit_ladder(series, [build_spec(GROWTH_MODELS, m, **shared) for m in self.members])
        if not fitted:
            reasons = "; ".join(f"{name}: {why}" for name, why in skipped)
            raise ModelError(f"`{self.label}`: no member could be fitted ({reasons}).")
        raw = dict(zip(self.members, self.weights or (1.0,) * len(self.members)))
        weights = np.array([raw[name] for name in fitted])
        members = tuple(fitted.values())
        return CombinationFit(
            spec=self, series=series, log_scale=all(m.log_scale for m in members),
            sigma_source="members", sigma_note="each member's own",
            df=math.nan, members=members, weights=tuple(weights / weights.sum()),
            skipped=tuple(skipped),
        )


# --------------------------------------------------------------------------
# the ladder by name
# --------------------------------------------------------------------------
#: The growth models of this module by name (the ladder and their combination); every
#: model, ``auto`` and the structural ones included, is in
#: :data:`xmforecast.model_registry.MODELS`.
GROWTH_MODELS: dict[str, type[GrowthSpec]] = {
    cls.name: cls for cls in (Naive, Drift, AdditiveDrift, CAGR, LogLinear, Linear, Logistic, ETS, Combination)
}

#: The ladder rungs fitted by default, fewest observations first.
LADDER: tuple[str, ...] = ("naive", "drift", "additive_drift", "cagr", "loglinear", "linear", "logistic", "ets")


def as_spec(model: str | ModelSpec) -> ModelSpec:
    """`model` itself if it is a spec, else the growth model of that name with its defaults.

    Examples
    --------
    >>> as_spec("drift")
    Drift(fallback_sigma=0.1, sigma_scale=1.0, min_df=2)
    """
    return model if isinstance(model, ModelSpec) else build_spec(GROWTH_MODELS, model)


def fit_ladder(series: pd.Series, names: Sequence[str | ModelSpec] | None = None
               ) -> tuple[dict[str, GrowthFit], list[tuple[str, str]]]:
    """Fit every rung the series is long enough for.

    Parameters
    ----------
    series : pandas.Series
        Observations [any units] on an increasing int year index.
    names : sequence of str or GrowthSpec, optional
        Models to try, in order; default :data:`LADDER`.

    Returns
    -------
    fitted : dict of str to GrowthFit
        By label, in the order tried.
    skipped : list of (str, str)
        Label and reason for every model not fitted (also logged at INFO):
        fewer observations than its ``min_obs`` (never attempted), or a
        :class:`~xmforecast.exceptions.ModelError` from its fit.

    Raises
    ------
    ParameterError
        If `series` breaks a rule (type, integer increasing years, finite
        values) or a name is unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1000.0, 1225.0], index=[2015, 2016])
    >>> fitted, skipped = fit_ladder(s)
    >>> list(fitted)
    ['naive', 'drift', 'additive_drift', 'cagr']
    >>> skipped[0]
    ('loglinear', 'needs at least 3 observations; got 2')
    """
    data = check_series(series)
    if isinstance(names, (str, ModelSpec)):
        names = [names]
    specs = [as_spec(name) for name in (LADDER if names is None else names)]
    fitted: dict[str, GrowthFit] = {}
    skipped: list[tuple[str, str]] = []
    for spec in specs:
        if len(data) < spec.min_obs:
            reason = f"needs at least {spec.min_obs} observations; got {len(data)}"
        else:
            try:
                fitted[spec.label] = spec.fit(data)
                continue
            except ModelError as exc:
                reason = str(exc)
        skipped.append((spec.label, reason))
        _log.info("skipped model %s: %s", spec.label, reason)
    return fitted, skipped
