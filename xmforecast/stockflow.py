"""Structural stock-flow models: certified enterprises and patents per head.

Two indicators have known arithmetic behind them, so they get their own models
instead of a curve through the totals:

* ``hightech_enterprises`` -- the stock of valid high-tech enterprise
  certificates, which last three years and may be renewed
  (:func:`certified_stock`, :class:`CertifiedStock`);
* ``invention_patents_per_10k`` -- valid invention patents per 10,000
  residents, a stock of patents fed by grants and drained by lapses, divided by
  the population (:func:`valid_stock`, :func:`per_10k`, :class:`PatentRatio`).

The laws are pure vectorised functions; the model classes estimate or hold the
parameters and call them. Each law has an inverse that answers "what would it
take" (:func:`required_new_certifications`, :func:`required_grants`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from xmforecast.exceptions import ModelError, ParameterError

__all__ = [
    "certified_stock",
    "required_new_certifications",
    "valid_stock",
    "per_10k",
    "required_grants",
    "CertifiedStock",
    "FittedCertifiedStock",
    "PatentRatio",
    "FittedPatentRatio",
]

_CERTIFICATE_YEARS = 3


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------


def _check_fraction(value: Any, argument: str, *, upper_open: bool = False) -> None:
    bracket = "[0, 1)" if upper_open else "[0, 1]"
    array = np.asarray(value, dtype=float)
    bad = ~np.isfinite(array) | (array < 0) | ((array >= 1) if upper_open else (array > 1))
    if np.any(bad):
        shown = value if np.ndim(value) == 0 else array[bad].ravel()[0]
        raise ParameterError(f"`{argument}` must be in {bracket}; got {shown}.")


def _check_non_negative(value: float, argument: str) -> None:
    if not np.isfinite(value) or value < 0:
        raise ParameterError(f"`{argument}` must be a finite number >= 0; got {value}.")


def _check_growth(value: float | None, argument: str) -> None:
    if value is not None and (not np.isfinite(value) or value <= -1):
        raise ParameterError(f"`{argument}` must be a finite fraction > -1; got {value}.")


def _check_positive_int(value: Any, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"`{argument}` must be a positive integer; got {value!r}.")
    return int(value)


def _check_level(level: float) -> float:
    if not np.isfinite(level) or not 0 < level < 100:
        raise ParameterError(f"`level` must be in (0, 100) [%]; got {level}.")
    return float(level)


def _year_series(series: Any, argument: str, *, minimum: int, positive: bool) -> pd.Series:
    """Return ``series`` without gaps' NaNs, as floats on a sorted int year index."""
    if not isinstance(series, pd.Series):
        raise ParameterError(
            f"`{argument}` must be a pandas Series indexed by year; got {type(series).__name__}."
        )
    clean = series.dropna()
    if len(clean) and not pd.api.types.is_integer_dtype(clean.index):
        raise ParameterError(
            f"`{argument}` must have an integer year index; got dtype {clean.index.dtype}."
        )
    if clean.index.has_duplicates:
        years = sorted(set(clean.index[clean.index.duplicated()]))
        raise ParameterError(f"`{argument}` must have one value per year; got duplicates {years}.")
    values = np.asarray(clean, dtype=float)
    if not np.all(np.isfinite(values)):
        raise ParameterError(f"`{argument}` must hold finite numbers; got {values}.")
    if np.any(values <= 0 if positive else values < 0):
        rule = "> 0" if positive else ">= 0"
        raise ParameterError(f"`{argument}` values must be {rule}; got {values.min()}.")
    if len(clean) < minimum:
        raise ModelError(f"`{argument}` needs at least {minimum} observations; got {len(clean)}.")
    index = pd.Index(clean.index.astype("int64"), name="year")
    return pd.Series(values, index=index, name=series.name).sort_index()


def _like_input(result: np.ndarray, template: Any) -> Any:
    """Return ``result`` as a Series/DataFrame shaped like ``template``, or as is."""
    if isinstance(template, pd.Series) and result.ndim == 1:
        return pd.Series(result, index=template.index, name=template.name)
    if isinstance(template, pd.DataFrame) and result.ndim == 2:
        return pd.DataFrame(result, index=template.index, columns=template.columns)
    return result


def _beta_draws(gen: np.random.Generator, mean: float, sd: float, n_paths: int) -> np.ndarray:
    """Beta draws with the given mean and standard deviation (constant if sd = 0)."""
    if sd == 0:
        return np.full(n_paths, mean)
    concentration = mean * (1 - mean) / sd**2 - 1
    return gen.beta(mean * concentration, (1 - mean) * concentration, size=n_paths)


def _check_beta_spread(mean: float, sd: float, argument: str, rate: str) -> None:
    if sd > 0 and sd**2 >= mean * (1 - mean):
        limit = np.sqrt(mean * (1 - mean))
        raise ParameterError(
            f"`{argument}` must be below sqrt(m(1 - m)) = {limit:.3g} for the {rate} "
            f"m = {mean:.3g}; got {sd}."
        )


def _quantile_frame(
    point: np.ndarray, paths: np.ndarray, years: pd.Index, level: float
) -> pd.DataFrame:
    tail = (1 - level / 100) / 2
    lower, upper = np.quantile(paths, [tail, 1 - tail], axis=1)
    return pd.DataFrame({"point": point, "lower": lower, "upper": upper}, index=years)


def _years(last_year: int, horizon: int) -> pd.Index:
    return pd.Index(np.arange(last_year + 1, last_year + horizon + 1, dtype="int64"), name="year")


def _cagr(series: pd.Series) -> float:
    span = series.index[-1] - series.index[0]
    return float((series.iloc[-1] / series.iloc[0]) ** (1 / span) - 1)


def _summary_frame(rows: list[tuple[str, float, str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["quantity", "value", "unit", "source", "note"])
    return frame.set_index("quantity")


# ---------------------------------------------------------------------------
# certified stock: the law and its inverse
# ---------------------------------------------------------------------------


def certified_stock(
    initial_stock: float | np.ndarray,
    new: Any,
    granted_before: Any,
    recertification_rate: float | np.ndarray,
    exit_rate: float | np.ndarray,
) -> Any:
    """Stock of valid high-tech enterprise certificates year by year [firms].

    Parameters
    ----------
    initial_stock : float or array_like
        Valid certificates at the end of the year before the first year [firms].
    new : array_like, Series or DataFrame
        First-time certifications in each year [firms/year], shape ``(horizon,)``
        or ``(horizon, n_paths)``; rows are years.
    granted_before : array_like
        Certificates granted (first-time plus renewed) in each of the three
        years before the first year, oldest first [firms]; shape ``(3,)`` or
        ``(3, n_paths)``.
    recertification_rate : float or array_like
        Fraction of expiring certificates that are renewed [fraction, 0-1];
        a scalar or one value per path.
    exit_rate : float or array_like
        Fraction of the stock revoked, closed or moved away each year
        [fraction/year, 0-1); a scalar or one value per path.

    Returns
    -------
    numpy.ndarray, Series or DataFrame
        The stock at the end of each year [firms], shaped like ``new`` (a Series
        or DataFrame in gives the same type back on the same index).

    Raises
    ------
    ParameterError
        If a rate is outside its interval or ``granted_before`` does not hold
        three years.

    Notes
    -----
    With :math:`S_t` the stock, :math:`N_t` the first-time certifications,
    :math:`G_t` all certificates granted in year :math:`t`, :math:`r` the
    re-certification rate and :math:`e` the exit rate:

    .. math::

        E_t &= (1 - e)^3 \\, G_{t-3} \\\\
        G_t &= N_t + r E_t \\\\
        S_t &= S_{t-1} + N_t - (1 - r) E_t - e S_{t-1}

    Conventions: a certificate granted in year :math:`t` is valid for three
    years and comes up for renewal in :math:`t + 3`; exits strike the stock held
    at the start of the year; a renewed certificate counts as granted in the year
    of renewal, so it expires again three years later; :math:`E_t`, the expiring
    certificates, are those of cohort :math:`t - 3` still held, i.e. after three
    years of exits. Counting the whole cohort as expiring would remove an exited
    firm twice (once when it exits, again when its certificate would have
    expired) and can drive the stock below zero. With this convention a stock
    made of its cohorts stays so:
    :math:`S_t = G_t + (1 - e) G_{t-1} + (1 - e)^2 G_{t-2}`.

    The law is affine in :math:`N_t`, which gives the closed-form inverse
    :func:`required_new_certifications`.

    References
    ----------
    .. [1] 科技部, 财政部, 国家税务总局, 高新技术企业认定管理办法
       (国科发火〔2016〕32号), art. 9 (certificates valid three years) and
       art. 19 (revocation).

    Examples
    --------
    One year, no exits: 1000 + 281 new - (1 - 0.8) x 100 expiring = 1261.

    >>> certified_stock(1000.0, [281.0], [100.0, 300.0, 300.0], 0.8, 0.0)
    array([1261.])
    """
    values = np.asarray(new, dtype=float)
    cohorts = np.asarray(granted_before, dtype=float)
    if values.ndim == 0 or values.shape[0] == 0:
        raise ParameterError(f"`new` must hold at least one year; got shape {values.shape}.")
    if cohorts.ndim == 0 or cohorts.shape[0] != _CERTIFICATE_YEARS:
        raise ParameterError(
            "`granted_before` must hold the certificates granted in the 3 years before the "
            f"first year (oldest first); got shape {cohorts.shape}."
        )
    _check_fraction(recertification_rate, "recertification_rate")
    _check_fraction(exit_rate, "exit_rate", upper_open=True)
    r = np.asarray(recertification_rate, dtype=float)
    e = np.asarray(exit_rate, dtype=float)
    stock = np.asarray(initial_stock, dtype=float)
    path_shape = np.broadcast_shapes(values.shape[1:], stock.shape, cohorts.shape[1:], r.shape, e.shape)
    out = np.empty((values.shape[0], *path_shape))
    granted = list(cohorts)
    survival = (1 - e) ** _CERTIFICATE_YEARS
    for k in range(values.shape[0]):
        expiring = survival * granted[k]
        granted.append(values[k] + r * expiring)
        stock = (1 - e) * stock + values[k] - (1 - r) * expiring
        out[k] = stock
    return _like_input(out, new)


def required_new_certifications(
    target_stock: float,
    horizon: int,
    initial_stock: float,
    granted_before: Any,
    recertification_rate: float,
    exit_rate: float,
) -> float:
    """Constant first-time certifications per year that reach a target stock [firms/year].

    Parameters
    ----------
    target_stock : float
        Stock of valid certificates to reach at the end of year ``horizon`` [firms].
    horizon : int
        Number of years from the last known stock to the target year [years], >= 1.
    initial_stock : float
        Valid certificates at the end of the last known year [firms].
    granted_before : array_like
        Certificates granted in the three years up to the last known year,
        oldest first [firms], shape ``(3,)``.
    recertification_rate : float
        Fraction of expiring certificates that are renewed [fraction, 0-1].
    exit_rate : float
        Annual share of the stock revoked, closed or moved away [fraction/year, 0-1).

    Returns
    -------
    float
        The number :math:`n` of first-time certifications in every year
        1..``horizon`` that puts the stock exactly on ``target_stock`` in year
        ``horizon`` [firms/year]. A value <= 0 means the target is reached with
        no new certifications; its size is the slack.

    Raises
    ------
    ParameterError
        If ``horizon`` is not a positive integer or a rate is out of range.

    Notes
    -----
    :func:`certified_stock` is affine in the new certifications, so
    :math:`S_H(n) = a + b n` with :math:`a = S_H(0)` and
    :math:`b = S_H(1) - S_H(0) \\geq 1` (the last year's new certificates add
    one each). The answer is the closed form

    .. math:: n = \\frac{S^* - a}{b},

    evaluated with two runs of the law; no iteration is involved. A target
    stated as "more than" :math:`S^*` needs any amount above :math:`n`.

    References
    ----------
    .. [1] 科技部, 财政部, 国家税务总局, 高新技术企业认定管理办法
       (国科发火〔2016〕32号), art. 9.

    Examples
    --------
    1400 next year from 1225, no exits, 300 certificates expiring of which
    80 % are renewed: n = 1400 - 1225 + 0.2 x 300 = 235.

    >>> round(required_new_certifications(1400.0, 1, 1225.0, [300.0, 250.0, 400.0], 0.8, 0.0), 6)
    235.0
    """
    horizon = _check_positive_int(horizon, "horizon")
    zeros, ones = np.zeros(horizon), np.ones(horizon)
    a = certified_stock(initial_stock, zeros, granted_before, recertification_rate, exit_rate)[-1]
    b = (
        certified_stock(initial_stock, ones, granted_before, recertification_rate, exit_rate)[-1]
        - a
    )
    return float((target_stock - a) / b)


# ---------------------------------------------------------------------------
# certified stock: the model
# ---------------------------------------------------------------------------


def _reconstruct(
    stock: pd.Series, new: pd.Series, r: float, e: float, growth: float
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rebuild the certificate cohorts behind an observed stock.

    Returns the history frame (one row per year of the stock's span) and the
    three cohorts granted before the first year.
    """
    years = np.arange(stock.index[0], stock.index[-1] + 1)
    log_full = np.interp(years, stock.index.to_numpy(), np.log(stock.to_numpy()))
    full = np.exp(log_full)
    theta = (1 - e) / (1 + growth)
    first_cohort = full[0] / (1 + theta + theta**2)
    before = first_cohort / (1 + growth) ** np.arange(3, 0, -1)  # t0-3, t0-2, t0-1
    survival = (1 - e) ** _CERTIFICATE_YEARS
    cohorts = list(before)
    rows = []
    for k, year in enumerate(years):
        expiring = survival * cohorts[k]
        if k == 0:
            granted = first_cohort
            new_k, new_imputed, model, leaving = granted - r * expiring, True, np.nan, np.nan
        else:
            exits = e * full[k - 1]
            if year in new.index:
                new_k, new_imputed = float(new[year]), False
            else:
                new_k, new_imputed = (
                    max(full[k] - (1 - e) * full[k - 1] + (1 - r) * expiring, 0.0),
                    True,
                )
            leaving = (1 - r) * expiring + exits
            model = full[k - 1] + new_k - leaving
            granted = new_k + r * expiring
        cohorts.append(granted)
        rows.append(
            {
                "stock": full[k],
                "stock_imputed": year not in stock.index,
                "new": new_k,
                "new_imputed": new_imputed,
                "expiring": expiring,
                "renewed": r * expiring,
                "granted": granted,
                "leaving": leaving,
                "residual": full[k] - model,
            }
        )
    history = pd.DataFrame(rows, index=pd.Index(years.astype("int64"), name="year"))
    return history, before


def _solve_rate(
    func, lower: float, upper: float, prefer: Literal["largest", "smallest"]
) -> float | None:
    """Root of ``func`` on [lower, upper] by grid bracketing and Brent's method."""
    from scipy.optimize import brentq

    grid = np.linspace(lower, upper, 401)
    values = np.array([func(x) for x in grid])
    roots = [float(x) for x, v in zip(grid, values) if v == 0]
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        roots.append(float(brentq(func, grid[i], grid[i + 1], xtol=1e-14)))
    if not roots:
        return None
    return max(roots) if prefer == "largest" else min(roots)


@dataclass(frozen=True)
class CertifiedStock:
    """Stock of valid high-tech enterprise certificates with three-year cohorts.

    Parameters
    ----------
    recertification_rate : float or None, default None
        Fraction of expiring certificates that are renewed [fraction, 0-1].
        None: implied by the last year whose first-time certifications are
        observed, so that the law reproduces that year's stock exactly (for
        Xiamen 2016 and the default exit rate, about 0.83).
    exit_rate : float or None, default 0.01
        Annual share of the stock revoked (art. 19), closed, merged or moved out
        of the city [fraction/year, 0-1). Revocations are rare and the other
        exits small, hence 1 %; the data cannot separate it from the
        re-certification rate (Xiamen 2016: exit rate 0 implies a renewal rate
        of about 0.80, 0.02 about 0.87). None: implied like
        ``recertification_rate``; at most one of the two may be None.
    new_per_year : float or None, default None
        First-time certifications in the first forecast year [firms/year].
        None: the last observed count, grown at ``new_growth``.
    new_growth : float or None, default None
        Annual growth of first-time certifications [fraction/year]. None: the
        compound growth of the observed stock over its span (in a steady state
        cohorts grow with the stock; the two observed counts, 104 in 2013 and
        281 in 2016, would imply 39 % a year), or 0 when ``new_per_year`` is given.
    new_sd : float, default 0.2
        Standard deviation of the log of each year's first-time certifications
        around their trend [log units]: a year-to-year scatter of about 20 %,
        an assumption, since two observed counts cannot estimate it.
    new_growth_sd : float, default 0.05
        Standard deviation of ``log(1 + new_growth)`` across paths [log units],
        drawn once per path: uncertainty about the trend itself.
    recertification_sd : float, default 0.05
        Standard deviation of the re-certification rate across paths, drawn
        once per path from a beta distribution with the fitted mean [fraction].

    Raises
    ------
    ParameterError
        If a parameter is out of its domain or both rates are None.

    Notes
    -----
    The law is :func:`certified_stock`. :meth:`fit` rebuilds the cohorts behind
    the observed stock as follows:

    1. the stock is interpolated geometrically in years without an observation;
    2. the first observed stock :math:`S_0` is split into three cohorts growing
       at the stock's compound growth :math:`\\gamma` (the steady-state start of
       a perpetual inventory): :math:`G_0 = S_0 / (1 + \\theta + \\theta^2)`,
       :math:`\\theta = (1 - e)/(1 + \\gamma)`, :math:`G_{-k} = G_0 / (1 + \\gamma)^k`;
    3. first-time certifications in years without an observation are imputed
       from the stock difference plus modelled leavers,
       :math:`N_t = S_t - (1 - e) S_{t-1} + (1 - r) E_t` (clipped at 0), so those
       years are reproduced exactly;
    4. a rate given as None is solved (Brent's method) so that the last year
       with observed first-time certifications is reproduced exactly; earlier
       observed years keep a residual, shown by :meth:`FittedCertifiedStock.summary`.

    The simulation holds the rebuilt history fixed and draws, per path, a
    re-certification rate and a growth of first-time certifications, and per
    year and path a lognormal scatter of the certifications. The point forecast
    is the law at the central values; the interval is quantiles of the paths.

    References
    ----------
    .. [1] 科技部, 财政部, 国家税务总局, 高新技术企业认定管理办法
       (国科发火〔2016〕32号), art. 9 and 19.
    .. [2] OECD (2009), Measuring Capital -- OECD Manual, 2nd ed., ch. 5-6
       (perpetual inventory, initial stock).

    Examples
    --------
    >>> stock = pd.Series([665.0, 820.0, 907.0, 1000.0, 1225.0], index=[2011, 2013, 2014, 2015, 2016])
    >>> new = pd.Series([104.0, 281.0], index=[2013, 2016])
    >>> fitted = CertifiedStock().fit(stock, new)
    >>> round(fitted.recertification_rate, 2)
    0.83
    >>> round(float(fitted.forecast(1)["point"].loc[2017]))
    1475
    """

    name: ClassVar[str] = "certified_stock"
    min_obs: ClassVar[int] = 2

    recertification_rate: float | None = None
    exit_rate: float | None = 0.01
    new_per_year: float | None = None
    new_growth: float | None = None
    new_sd: float = 0.2
    new_growth_sd: float = 0.05
    recertification_sd: float = 0.05

    def __post_init__(self) -> None:
        if self.recertification_rate is None and self.exit_rate is None:
            raise ParameterError(
                "At most one of `recertification_rate` and `exit_rate` may be None; got both None."
            )
        if self.recertification_rate is not None:
            _check_fraction(self.recertification_rate, "recertification_rate")
        if self.exit_rate is not None:
            _check_fraction(self.exit_rate, "exit_rate", upper_open=True)
        if self.new_per_year is not None:
            _check_non_negative(self.new_per_year, "new_per_year")
        _check_growth(self.new_growth, "new_growth")
        for argument in ("new_sd", "new_growth_sd", "recertification_sd"):
            _check_non_negative(getattr(self, argument), argument)

    def fit(self, stock: pd.Series, new: pd.Series) -> FittedCertifiedStock:
        """Rebuild the cohorts and settle the rates on observed data.

        Parameters
        ----------
        stock : Series
            Valid certificates at year end [firms], int year index, gaps allowed.
        new : Series
            First-time certifications [firms/year], in years after the first
            stock year and not after the last one.

        Returns
        -------
        FittedCertifiedStock
            The fitted model; this spec is unchanged.

        Raises
        ------
        ParameterError
            If a series is malformed or incompatible with ``recertification_sd``.
        ModelError
            If there are too few observations or no rate in range reproduces
            the last observed year.
        """
        stock = _year_series(stock, "stock", minimum=self.min_obs, positive=True)
        new = _year_series(
            new, "new", minimum=1 if self.new_per_year is None else 0, positive=False
        )
        first, last = int(stock.index[0]), int(stock.index[-1])
        outside = [int(y) for y in new.index if not first < y <= last]
        if outside:
            raise ModelError(
                f"`new` years must lie in ({first}, {last}], the span of `stock` after its "
                f"first year; got {outside}."
            )
        growth = _cagr(stock)
        r, e = self.recertification_rate, self.exit_rate
        if r is None or e is None:
            if len(new) == 0:
                raise ModelError("`new` needs an observation to imply the missing rate; got none.")
            year = int(new.index[-1])

            def residual(x: float) -> float:
                args = (x, e) if r is None else (r, x)
                return float(_reconstruct(stock, new, *args, growth)[0].loc[year, "residual"])

            if r is None:
                unknown, interval, other, given = "recertification_rate", "[0, 1]", "exit_rate", e
            else:
                unknown, interval, other, given = "exit_rate", "[0, 1)", "recertification_rate", r
            solved = _solve_rate(
                residual, 0.0, 1.0 if r is None else 0.999, "largest" if r is None else "smallest"
            )
            if solved is None:
                raise ModelError(
                    f"No `{unknown}` in {interval} reproduces the {year} stock with `{other}` = "
                    f"{given}; change `{other}` or set both rates."
                )
            r, e = (solved, e) if r is None else (r, solved)
        _check_beta_spread(
            r, self.recertification_sd, "recertification_sd", "re-certification rate"
        )
        history, before = _reconstruct(stock, new, r, e, growth)
        if self.new_per_year is None:
            new_base, new_base_year = float(new.iloc[-1]), int(new.index[-1])
            new_growth = growth if self.new_growth is None else self.new_growth
        else:
            new_base, new_base_year = float(self.new_per_year), last + 1
            new_growth = 0.0 if self.new_growth is None else self.new_growth
        return FittedCertifiedStock(
            spec=self,
            stock=stock,
            new=new,
            history=history,
            granted_before=tuple(float(g) for g in history["granted"].iloc[-3:]),
            recertification_rate=float(r),
            exit_rate=float(e),
            new_base=new_base,
            new_base_year=new_base_year,
            new_growth=float(new_growth),
            initial_growth=growth,
            initial_cohorts=tuple(float(g) for g in before),
        )


@dataclass(frozen=True, eq=False)
class FittedCertifiedStock:
    """A fitted :class:`CertifiedStock`.

    Attributes
    ----------
    spec : CertifiedStock
        The hyperparameters it was fitted with.
    stock, new : Series
        The observations used [firms], [firms/year].
    history : DataFrame
        One row per year of the stock's span: ``stock`` (interpolated where
        ``stock_imputed``), ``new`` (imputed where ``new_imputed``),
        ``expiring``, ``renewed``, ``granted``, ``leaving`` [firms] and
        ``residual`` = observed - modelled stock [firms].
    granted_before : tuple of float
        Certificates granted in the last three observed years, oldest first [firms].
    recertification_rate, exit_rate : float
        The central rates [fraction], [fraction/year].
    new_base, new_base_year : float, int
        First-time certifications [firms/year] in ``new_base_year``, from which
        they are projected.
    new_growth : float
        Central growth of first-time certifications [fraction/year].
    initial_growth : float
        Growth used to split the first stock into cohorts [fraction/year].
    initial_cohorts : tuple of float
        Cohorts imputed for the three years before the first stock year [firms].
    """

    spec: CertifiedStock
    stock: pd.Series
    new: pd.Series
    history: pd.DataFrame
    granted_before: tuple[float, float, float]
    recertification_rate: float
    exit_rate: float
    new_base: float
    new_base_year: int
    new_growth: float
    initial_growth: float
    initial_cohorts: tuple[float, float, float]

    @property
    def last_year(self) -> int:
        """Last year of the observed stock [year]."""
        return int(self.history.index[-1])

    def _new_paths(
        self, years: pd.Index, log_growth: np.ndarray, scatter: np.ndarray
    ) -> np.ndarray:
        steps = (years.to_numpy() - self.new_base_year)[:, None]
        return self.new_base * np.exp(steps * log_growth[None, :] + scatter)

    def _simulate_arrays(
        self, horizon: int, n_paths: int, rng: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        gen = np.random.default_rng(rng)
        spec = self.spec
        r = _beta_draws(gen, self.recertification_rate, spec.recertification_sd, n_paths)
        log_growth = gen.normal(np.log1p(self.new_growth), spec.new_growth_sd, size=n_paths)
        scatter = gen.normal(0.0, spec.new_sd, size=(horizon, n_paths))
        new = self._new_paths(_years(self.last_year, horizon), log_growth, scatter)
        last_stock = float(self.history["stock"].iloc[-1])
        stock = certified_stock(last_stock, new, self.granted_before, r, self.exit_rate)
        return stock, new

    def _point(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        new = self._new_paths(
            _years(self.last_year, horizon),
            np.array([np.log1p(self.new_growth)]),
            np.zeros((horizon, 1)),
        )
        last_stock = float(self.history["stock"].iloc[-1])
        stock = certified_stock(
            last_stock, new[:, 0], self.granted_before, self.recertification_rate, self.exit_rate
        )
        return stock, new[:, 0]

    def simulate(
        self,
        horizon: int,
        n_paths: int,
        *,
        rng: Any = None,
        quantity: Literal["stock", "new"] = "stock",
    ) -> pd.DataFrame:
        """Simulated paths of the stock or of first-time certifications.

        Parameters
        ----------
        horizon : int
            Years after the last observed year [years].
        n_paths : int
            Number of paths.
        rng : None, int or numpy.random.Generator
            Passed to :func:`numpy.random.default_rng`.
        quantity : {"stock", "new"}
            The stock [firms] or the first-time certifications [firms/year];
            with the same ``rng`` both come from the same draws.

        Returns
        -------
        DataFrame
            Index ``year``, one column per path.
        """
        horizon = _check_positive_int(horizon, "horizon")
        n_paths = _check_positive_int(n_paths, "n_paths")
        if quantity not in ("stock", "new"):
            raise ParameterError(f"`quantity` must be 'stock' or 'new'; got {quantity!r}.")
        stock, new = self._simulate_arrays(horizon, n_paths, rng)
        values = stock if quantity == "stock" else new
        return pd.DataFrame(values, index=_years(self.last_year, horizon))

    def forecast(
        self,
        horizon: int,
        level: float = 80,
        *,
        n_paths: int = 4000,
        rng: Any = 0,
        quantity: Literal["stock", "new"] = "stock",
    ) -> pd.DataFrame:
        """Point forecast and interval by year.

        Parameters
        ----------
        horizon : int
            Years after the last observed year [years].
        level : float, default 80
            Coverage of the interval [%].
        n_paths : int, default 4000
            Paths simulated for the interval.
        rng : None, int or numpy.random.Generator, default 0
            Passed to :func:`numpy.random.default_rng`; fixed by default so
            that repeated calls agree.
        quantity : {"stock", "new"}
            The stock [firms] or the first-time certifications [firms/year].

        Returns
        -------
        DataFrame
            Index ``year``; ``point`` is the law at the central parameters,
            ``lower`` and ``upper`` are quantiles of the simulated paths.
        """
        level = _check_level(level)
        paths = self.simulate(horizon, n_paths, rng=rng, quantity=quantity)
        stock, new = self._point(horizon)
        point = stock if quantity == "stock" else new
        return _quantile_frame(point, paths.to_numpy(), paths.index, level)

    def required_new_certifications(self, target_stock: float, target_year: int) -> float:
        """Constant first-time certifications per year reaching ``target_stock`` in ``target_year``.

        See :func:`required_new_certifications`; uses the central rates and the
        rebuilt cohorts [firms/year].
        """
        horizon = target_year - self.last_year
        if horizon < 1:
            raise ParameterError(
                f"`target_year` must be after the last observed year {self.last_year}; got {target_year}."
            )
        return required_new_certifications(
            target_stock,
            horizon,
            float(self.history["stock"].iloc[-1]),
            self.granted_before,
            self.recertification_rate,
            self.exit_rate,
        )

    def summary(self) -> pd.DataFrame:
        """Parameters with their source, and which inputs were imputed.

        Returns
        -------
        DataFrame
            Index ``quantity``; columns ``value``, ``unit``, ``source``
            (observed, imputed, fitted, estimated, spec) and ``note``.
        """
        spec, hist = self.spec, self.history
        first = int(hist.index[0])
        implied = f"reproduces the {int(self.new.index[-1]) if len(self.new) else ''} stock exactly"
        if spec.new_growth is not None:
            growth_source, growth_note = "spec", "given"
        elif spec.new_per_year is None:
            growth_source, growth_note = "estimated", "compound growth of the stock"
        else:
            growth_source, growth_note = "spec", "none when new_per_year is given"
        rate_rows = [
            ("recertification_rate", self.recertification_rate, "fraction", spec.recertification_rate),
            ("exit_rate", self.exit_rate, "fraction/year", spec.exit_rate),
        ]
        rows = [
            (name, value, unit, "spec" if given is not None else "fitted",
             "given" if given is not None else implied)
            for name, value, unit, given in rate_rows
        ]
        rows += [
            ("new_base", self.new_base, "firms/year",
             "spec" if spec.new_per_year is not None else "observed",
             f"first-time certifications in {self.new_base_year}"),
            ("new_growth", self.new_growth, "fraction/year", growth_source, growth_note),
            ("new_sd", spec.new_sd, "log units", "spec", "lognormal scatter per year"),
            ("new_growth_sd", spec.new_growth_sd, "log units", "spec", "trend uncertainty per path"),
            ("recertification_sd", spec.recertification_sd, "fraction", "spec", "beta per path"),
            ("initial_growth", self.initial_growth, "fraction/year", "estimated",
             f"splits the {first} stock into cohorts"),
        ]
        rows += [
            (f"granted {first - 3 + k}", cohort, "firms", "imputed", "steady-growth split")
            for k, cohort in enumerate(self.initial_cohorts)
        ]
        for year, row in hist.iterrows():
            how_new = "stock split" if year == first else "stock difference plus modelled leavers"
            rows.append(
                (f"stock {year}", row["stock"], "firms",
                 *(("imputed", "geometric interpolation") if row["stock_imputed"] else ("observed", "")))
            )
            rows.append(
                (f"new {year}", row["new"], "firms/year",
                 *(("imputed", how_new) if row["new_imputed"] else ("observed", "")))
            )
            if not row["new_imputed"]:
                rows.append((f"residual {year}", row["residual"], "firms", "fitted",
                             "observed minus modelled stock"))
        return _summary_frame(rows)


# ---------------------------------------------------------------------------
# patents per 10,000 residents: laws and inverse
# ---------------------------------------------------------------------------


def valid_stock(
    initial_valid: float | np.ndarray, grants: Any, lapse_rate: float | np.ndarray
) -> Any:
    """Valid invention patents year by year [patents].

    Parameters
    ----------
    initial_valid : float or array_like
        Valid patents at the end of the year before the first year [patents].
    grants : array_like, Series or DataFrame
        Invention patents granted in each year [patents/year], shape
        ``(horizon,)`` or ``(horizon, n_paths)``; rows are years.
    lapse_rate : float or array_like
        Share of last year's valid patents that lapse, expire or are
        invalidated during the year [fraction/year, 0-1]; scalar or per path.

    Returns
    -------
    numpy.ndarray, Series or DataFrame
        Valid patents at the end of each year [patents], shaped like ``grants``.

    Raises
    ------
    ParameterError
        If ``lapse_rate`` is outside [0, 1].

    Notes
    -----
    .. math:: V_t = V_{t-1} (1 - \\lambda) + G_t

    Grants of the year are not exposed to lapse in that year.

    References
    ----------
    .. [1] CNIPA, monthly patent statistics, valid invention patents by region.

    Examples
    --------
    Xiamen 2016: 5552 x (1 - 289/5552) + 2028 = 7291.

    >>> valid_stock(5552.0, [2028.0], 289 / 5552)
    array([7291.])
    """
    _check_fraction(lapse_rate, "lapse_rate")
    values = np.asarray(grants, dtype=float)
    if values.ndim == 0 or values.shape[0] == 0:
        raise ParameterError(f"`grants` must hold at least one year; got shape {values.shape}.")
    keep = 1 - np.asarray(lapse_rate, dtype=float)
    valid = np.asarray(initial_valid, dtype=float)
    path_shape = np.broadcast_shapes(values.shape[1:], valid.shape, keep.shape)
    out = np.empty((values.shape[0], *path_shape))
    for k in range(values.shape[0]):
        valid = valid * keep + values[k]
        out[k] = valid
    return _like_input(out, grants)


def per_10k(valid: Any, population: Any) -> Any:
    """Valid invention patents per 10,000 residents [patents/10⁴ persons].

    Parameters
    ----------
    valid : float, array_like, Series or DataFrame
        Valid invention patents [patents].
    population : float, array_like, Series or DataFrame
        Resident population [万人 = 10⁴ persons]; must be > 0.

    Returns
    -------
    float, numpy.ndarray, Series or DataFrame
        ``valid / population`` with pandas alignment when pandas goes in.

    Raises
    ------
    ParameterError
        If a population value is not positive.

    Notes
    -----
    .. math:: R_t = \\frac{V_t}{P_t / 10^4} = \\frac{V_t}{P_t[\\text{万人}]}

    Examples
    --------
    Xiamen 2016: 7291 / 388.9 = 18.75.

    >>> round(per_10k(7291.0, 388.9), 2)
    18.75
    """
    values = np.asarray(population, dtype=float)
    bad = ~(values > 0)
    if np.any(bad):
        raise ParameterError(f"`population` must be > 0 [万人]; got {values[bad].ravel()[0]}.")
    return valid / population


def required_grants(
    target_ratio: float,
    horizon: int,
    initial_valid: float,
    population: float,
    lapse_rate: float,
) -> float:
    """Constant annual grants that reach a target ratio of patents per 10,000 residents [patents/year].

    Parameters
    ----------
    target_ratio : float
        Valid invention patents per 10,000 residents to reach [patents/10⁴ persons].
    horizon : int
        Years from the last known valid stock to the target year [years], >= 1.
    initial_valid : float
        Valid invention patents at the end of the last known year [patents].
    population : float
        Population in the target year [万人 = 10⁴ persons].
    lapse_rate : float
        Annual lapse share of valid patents [fraction/year, 0-1].

    Returns
    -------
    float
        Grants :math:`n` in every year 1..``horizon`` that put the ratio exactly
        on ``target_ratio`` in year ``horizon`` [patents/year]; <= 0 means no
        grants are needed.

    Raises
    ------
    ParameterError
        If ``horizon`` is not a positive integer or ``lapse_rate`` is out of range.

    Notes
    -----
    Solving :math:`V_H / P_H = R^*` with the law of :func:`valid_stock`:

    .. math::

        n = \\frac{R^* P_H - V_0 (1 - \\lambda)^H}{\\sum_{k=0}^{H-1} (1 - \\lambda)^k}

    Examples
    --------
    20 per 10,000 in one year with 400 万人 and no lapses from 7291:
    20 x 400 - 7291 = 709.

    >>> required_grants(20.0, 1, 7291.0, 400.0, 0.0)
    709.0
    """
    horizon = _check_positive_int(horizon, "horizon")
    _check_fraction(lapse_rate, "lapse_rate")
    if not population > 0:
        raise ParameterError(f"`population` must be > 0 [万人]; got {population}.")
    keep = 1 - lapse_rate
    annuity = sum(keep**k for k in range(horizon))
    return float((target_ratio * population - initial_valid * keep**horizon) / annuity)


# ---------------------------------------------------------------------------
# patents per 10,000 residents: the model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PatentRatio:
    """Valid invention patents per 10,000 residents, numerator and denominator apart.

    Parameters
    ----------
    lapse_rate : float or None, default None
        Annual share of valid patents lost to non-payment, expiry or
        invalidation [fraction/year, 0-1]. None: estimated from years with the
        valid stock observed in two consecutive years and the grants of the
        second (Xiamen 2016: 289/5552 = 0.052).
    lapse_sd : float, default 0.01
        Standard deviation of the lapse rate across paths (beta, drawn once per
        path) [fraction]: the estimate rests on one year and on two sources.
    grants_growth : float or None, default None
        Annual growth of invention patent grants [fraction/year]. None: the
        compound growth over the observed span (Xiamen 2010-2016: 0.286).
    grants_growth_sd : float, default 0.08
        Standard deviation of ``log(1 + grants_growth)`` across paths [log units]:
        about the standard error of a mean of four yearly log growths whose
        standard deviation is 0.17.
    grants_damping : float, default 0.8
        Damping of the grants' growth, 0 < φ ≤ 1: the growth in the k-th year
        ahead is φ^(k-1) times the first year's. A damped trend, as the
        forecasting competitions (M3, M4) favour on yearly data; 1 compounds
        the observed growth undamped (Xiamen 2010-2016: 28.6 % a year).
    grants_sd : float, default 0.1
        Lognormal scatter of each year's grants around the trend [log units].
        Between consecutive observed years the log growth of grants had a
        standard deviation of about 0.17; split here between the trend and
        the yearly scatter.
    population_growth : float or None, default None
        Annual population growth [fraction/year]. None: compound growth over
        the observed span (Xiamen 2010-2016: 0.016).
    population_growth_sd : float, default 0.005
        Standard deviation of ``log(1 + population_growth)`` across paths
        [log units]; the observed yearly growth ranged from 1.6 % to 2.3 %.

    Raises
    ------
    ParameterError
        If a parameter is out of its domain.

    Notes
    -----
    :math:`R_t = V_t / P_t` with :math:`V_t = V_{t-1}(1 - \\lambda) + G_t`
    (:func:`valid_stock`, :func:`per_10k`). Grants and population are projected
    from their own last observation, :math:`X_{T+k} = X_T (1 + g)^k` for
    population and :math:`G_{T+k} = G_T (1 + g)^{\\sum_{j<k} \\phi^j} e^{\\sigma z}`
    for grants; observed values after the last valid
    stock are used as they are. Per path the lapse rate and both growth rates
    are drawn once, per year and path the grants' scatter; the ratio is the
    quotient of the simulated numerator and denominator paths. The point
    forecast is the law at the central values; the interval is quantiles of
    the paths.

    References
    ----------
    .. [1] CNIPA, monthly patent statistics (valid invention patents by region).

    Examples
    --------
    >>> valid = pd.Series([5552.0, 7291.0], index=[2015, 2016])
    >>> grants = pd.Series([449.0, 617.0, 1014.0, 1691.0, 2028.0], index=[2010, 2011, 2014, 2015, 2016])
    >>> population = pd.Series([353.13, 380.3, 388.9], index=[2010, 2015, 2016])
    >>> fitted = PatentRatio().fit(valid, grants, population)
    >>> round(fitted.lapse_rate, 4)
    0.0521
    >>> round(float(fitted.forecast(1)["point"].loc[2017]), 1)
    24.1
    """

    name: ClassVar[str] = "patent_ratio"
    min_obs: ClassVar[int] = 2

    lapse_rate: float | None = None
    lapse_sd: float = 0.01
    grants_growth: float | None = None
    grants_growth_sd: float = 0.08
    grants_damping: float = 0.8
    grants_sd: float = 0.1
    population_growth: float | None = None
    population_growth_sd: float = 0.005

    def __post_init__(self) -> None:
        if self.lapse_rate is not None:
            _check_fraction(self.lapse_rate, "lapse_rate")
        _check_growth(self.grants_growth, "grants_growth")
        _check_growth(self.population_growth, "population_growth")
        if not (0 < self.grants_damping <= 1):
            raise ParameterError(f"`grants_damping` must be in (0, 1]; got {self.grants_damping}.")
        for argument in ("lapse_sd", "grants_growth_sd", "grants_sd", "population_growth_sd"):
            _check_non_negative(getattr(self, argument), argument)

    def fit(self, valid: pd.Series, grants: pd.Series, population: pd.Series) -> FittedPatentRatio:
        """Estimate the lapse rate and the growth of grants and population.

        Parameters
        ----------
        valid : Series
            Valid invention patents at year end [patents], int year index.
        grants : Series
            Invention patents granted [patents/year].
        population : Series
            Resident population [万人].

        Returns
        -------
        FittedPatentRatio
            The fitted model; this spec is unchanged.

        Raises
        ------
        ParameterError
            If a series is malformed or the lapse rate is incompatible with
            ``lapse_sd``.
        ModelError
            If there are too few observations, or no consecutive years to
            estimate the lapse rate from.
        """
        valid = _year_series(valid, "valid", minimum=1, positive=True)
        grants = _year_series(
            grants,
            "grants",
            minimum=self.min_obs if self.grants_growth is None else 1,
            positive=False,
        )
        population = _year_series(
            population,
            "population",
            minimum=self.min_obs if self.population_growth is None else 1,
            positive=True,
        )
        lapsed = pd.Series(
            {
                int(y): valid[y - 1] + grants[y] - valid[y]
                for y in valid.index
                if y - 1 in valid.index and y in grants.index
            },
            dtype=float,
        )
        if self.lapse_rate is None:
            if lapsed.empty:
                raise ModelError(
                    "`lapse_rate` cannot be estimated: `valid` needs two consecutive years and "
                    "`grants` the second of them; pass `lapse_rate`."
                )
            lapse = float(lapsed.sum() / valid[lapsed.index - 1].sum())
            if not 0 <= lapse <= 1:
                raise ModelError(
                    f"The estimated `lapse_rate` {lapse:.4g} is outside [0, 1] (valid stock and grants "
                    "disagree); pass `lapse_rate`."
                )
        else:
            lapse = float(self.lapse_rate)
        _check_beta_spread(lapse, self.lapse_sd, "lapse_sd", "lapse rate")
        years = valid.index.union(grants.index).union(population.index)
        history = pd.DataFrame(
            {"valid": valid, "grants": grants, "population": population, "lapsed": lapsed},
            index=years,
        )
        history["per_10k"] = history["valid"] / history["population"]
        history.index.name = "year"
        return FittedPatentRatio(
            spec=self,
            valid=valid,
            grants=grants,
            population=population,
            history=history,
            lapse_rate=lapse,
            grants_growth=(
                _cagr(grants) if self.grants_growth is None else float(self.grants_growth)
            ),
            population_growth=(
                _cagr(population)
                if self.population_growth is None
                else float(self.population_growth)
            ),
        )


def _damped_steps(steps: np.ndarray, damping: float) -> np.ndarray:
    """Sum of damping**j for j < k: the growth a damped trend has compounded after k steps."""
    if damping == 1.0:
        return steps.astype(float)
    return (1.0 - damping ** steps) / (1.0 - damping)


def _project(
    observed: pd.Series, years: pd.Index, log_growth: np.ndarray, scatter: np.ndarray,
    damping: float = 1.0,
) -> np.ndarray:
    """Project from the last observation; keep observed values where there are any."""
    steps = _damped_steps((years.to_numpy() - observed.index[-1])[:, None], damping)
    paths = observed.iloc[-1] * np.exp(steps * log_growth[None, :] + scatter)
    known = years.isin(observed.index)
    paths[known] = observed.reindex(years[known]).to_numpy()[:, None]
    return paths


@dataclass(frozen=True, eq=False)
class FittedPatentRatio:
    """A fitted :class:`PatentRatio`.

    Attributes
    ----------
    spec : PatentRatio
        The hyperparameters it was fitted with.
    valid, grants, population : Series
        The observations used [patents], [patents/year], [万人].
    history : DataFrame
        The observations side by side with ``lapsed`` (valid last year + grants
        - valid) [patents] and ``per_10k`` [patents/10⁴ persons].
    lapse_rate : float
        Central lapse rate [fraction/year].
    grants_growth, population_growth : float
        Central growth rates [fraction/year].
    """

    spec: PatentRatio
    valid: pd.Series
    grants: pd.Series
    population: pd.Series
    history: pd.DataFrame
    lapse_rate: float
    grants_growth: float
    population_growth: float

    @property
    def last_year(self) -> int:
        """Last year of the observed valid stock [year]."""
        return int(self.valid.index[-1])

    def _paths(self, years, lapse, grants_log_growth, scatter, population_log_growth) -> np.ndarray:
        grants = _project(self.grants, years, grants_log_growth, scatter, self.spec.grants_damping)
        population = _project(self.population, years, population_log_growth, np.zeros_like(scatter))
        valid = valid_stock(float(self.valid.iloc[-1]), grants, lapse)
        return per_10k(valid, population)

    def simulate(self, horizon: int, n_paths: int, *, rng: Any = None) -> pd.DataFrame:
        """Simulated paths of valid invention patents per 10,000 residents.

        Parameters
        ----------
        horizon : int
            Years after the last observed valid stock [years].
        n_paths : int
            Number of paths.
        rng : None, int or numpy.random.Generator
            Passed to :func:`numpy.random.default_rng`.

        Returns
        -------
        DataFrame
            Index ``year``, one column per path [patents/10⁴ persons].
        """
        horizon = _check_positive_int(horizon, "horizon")
        n_paths = _check_positive_int(n_paths, "n_paths")
        gen = np.random.default_rng(rng)
        spec = self.spec
        years = _years(self.last_year, horizon)
        lapse = _beta_draws(gen, self.lapse_rate, spec.lapse_sd, n_paths)
        grants_log_growth = gen.normal(
            np.log1p(self.grants_growth), spec.grants_growth_sd, size=n_paths
        )
        scatter = gen.normal(0.0, spec.grants_sd, size=(horizon, n_paths))
        population_log_growth = gen.normal(
            np.log1p(self.population_growth), spec.population_growth_sd, size=n_paths
        )
        ratio = self._paths(years, lapse, grants_log_growth, scatter, population_log_growth)
        return pd.DataFrame(ratio, index=years)

    def forecast(
        self, horizon: int, level: float = 80, *, n_paths: int = 4000, rng: Any = 0
    ) -> pd.DataFrame:
        """Point forecast and interval by year [patents/10⁴ persons].

        Parameters
        ----------
        horizon : int
            Years after the last observed valid stock [years].
        level : float, default 80
            Coverage of the interval [%].
        n_paths : int, default 4000
            Paths simulated for the interval.
        rng : None, int or numpy.random.Generator, default 0
            Passed to :func:`numpy.random.default_rng`; fixed by default so
            that repeated calls agree.

        Returns
        -------
        DataFrame
            Index ``year``; ``point`` is the law at the central parameters,
            ``lower`` and ``upper`` are quantiles of the simulated paths.
        """
        level = _check_level(level)
        paths = self.simulate(horizon, n_paths, rng=rng)
        point = self._paths(
            paths.index,
            self.lapse_rate,
            np.array([np.log1p(self.grants_growth)]),
            np.zeros((horizon, 1)),
            np.array([np.log1p(self.population_growth)]),
        )[:, 0]
        return _quantile_frame(point, paths.to_numpy(), paths.index, level)

    def population_in(self, year: int) -> float:
        """Population in ``year``, observed or projected at the central growth [万人]."""
        if year in self.population.index:
            return float(self.population[year])
        steps = year - int(self.population.index[-1])
        return float(self.population.iloc[-1] * (1 + self.population_growth) ** steps)

    def required_grants(self, target_ratio: float, target_year: int) -> float:
        """Constant annual grants reaching ``target_ratio`` in ``target_year`` [patents/year].

        See :func:`required_grants`; uses the central lapse rate and the
        population observed or projected for ``target_year``.
        """
        horizon = target_year - self.last_year
        if horizon < 1:
            raise ParameterError(
                f"`target_year` must be after the last observed year {self.last_year}; got {target_year}."
            )
        return required_grants(
            target_ratio,
            horizon,
            float(self.valid.iloc[-1]),
            self.population_in(target_year),
            self.lapse_rate,
        )

    def summary(self) -> pd.DataFrame:
        """Parameters with their source, and the reconciliation of the observed years.

        Returns
        -------
        DataFrame
            Index ``quantity``; columns ``value``, ``unit``, ``source`` and ``note``.
        """
        spec, hist = self.spec, self.history
        lapse_years = [int(y) for y in hist["lapsed"].dropna().index]
        estimated = [
            ("lapse_rate", self.lapse_rate, spec.lapse_rate,
             f"lapsed / previous valid stock, years {lapse_years}"),
            ("grants_growth", self.grants_growth, spec.grants_growth,
             f"compound growth {self.grants.index[0]}-{self.grants.index[-1]}"),
            ("population_growth", self.population_growth, spec.population_growth,
             f"compound growth {self.population.index[0]}-{self.population.index[-1]}"),
        ]
        rows = [
            (name, value, "fraction/year", *(("spec", "given") if given is not None
                                             else ("estimated", note)))
            for name, value, given, note in estimated
        ]
        rows += [
            ("lapse_sd", spec.lapse_sd, "fraction", "spec", "beta spread per path"),
            ("grants_growth_sd", spec.grants_growth_sd, "log units", "spec", "trend uncertainty"),
            ("grants_sd", spec.grants_sd, "log units", "spec", "lognormal scatter per year"),
            ("population_growth_sd", spec.population_growth_sd, "log units", "spec",
             "trend uncertainty per path"),
        ]
        for year, row in hist.iterrows():
            if not np.isnan(row["lapsed"]):
                rows.append((f"lapsed {year}", row["lapsed"], "patents", "derived",
                             "valid last year + grants - valid"))
            if not np.isnan(row["per_10k"]):
                rows.append((f"per_10k {year}", row["per_10k"], "patents/10^4 persons", "derived",
                             "valid / population"))
        return _summary_frame(rows)
