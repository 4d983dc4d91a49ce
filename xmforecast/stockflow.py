"""Certified stock of high-tech enterprises, and the helpers the structural models share.

The stock of valid high-tech enterprise certificates has known arithmetic behind
it: certificates last three years and may be renewed. So it gets its own model
instead of a curve through the totals (a registry entry says ``model:
certified_stock`` and which indicators fill its roles ``stock`` and ``new``).

The law :func:`certified_stock` is a pure vectorised function;
:class:`CertifiedStock` estimates or holds the parameters and calls it. Its
inverse, :func:`required_new_certifications`, answers "what would it take".

The helpers it shares with :mod:`xmforecast.patents`, the other structural model, are in
:mod:`xmforecast.structural` and :mod:`xmforecast.validation`.

The law
-------
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

Source: 科技部, 财政部, 国家税务总局, 高新技术企业认定管理办法
(国科发火〔2016〕32号), art. 9 (certificates valid three years) and
art. 19 (revocation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from xmforecast.exceptions import ModelError, ParameterError
from xmforecast.base import by_role
from xmforecast.structural import (
    StructuralFit,
    StructuralSpec,
    FORECAST_SEED,  # noqa: F401  (its old home; forecasts' docs name it here)
    beta_draws,
    compound_growth,
    forecast_rng,
    forecast_years,
    like_input,
    quantile_frame,
    summary_frame,
)
from xmforecast.validation import (
    check_beta_spread,
    check_fraction,
    check_growth,
    check_int,
    check_level,
    check_non_negative,
    check_year_series,
)

__all__ = [
    "certified_stock",
    "required_new_certifications",
    "CertifiedStock",
    "FittedCertifiedStock",
]

_CERTIFICATE_YEARS = 3


def _bisect(func, lower: float, upper: float, xtol: float = 1e-14) -> float:
    """Root of ``func`` in [lower, upper], where the signs at the ends differ (bisection)."""
    f_lower = func(lower)
    while upper - lower > xtol:
        middle = 0.5 * (lower + upper)
        f_middle = func(middle)
        if f_middle == 0:
            return middle
        if np.sign(f_middle) == np.sign(f_lower):
            lower, f_lower = middle, f_middle
        else:
            upper = middle
    return 0.5 * (lower + upper)


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
    The law, its conventions and its legal source are in the module's text (``The law``).

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
    check_fraction("recertification_rate", recertification_rate)
    check_fraction("exit_rate", exit_rate, upper_open=True)
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
    return like_input(out, new)


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
    horizon = check_int("horizon", horizon)
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
    years, rows, before = _reconstruct_rows(_Observed.of(stock, new), r, e, growth)
    history = pd.DataFrame(rows, index=pd.Index(years.astype("int64"), name="year"))
    return history, before


@dataclass(frozen=True)
class _Observed:
    """The observations :func:`_reconstruct_rows` reads, as plain numbers (it runs in a root search)."""

    years: np.ndarray
    full: np.ndarray
    stock_years: frozenset
    new: dict

    @classmethod
    def of(cls, stock: pd.Series, new: pd.Series) -> _Observed:
        years = np.arange(stock.index[0], stock.index[-1] + 1)
        full = np.exp(np.interp(years, stock.index.to_numpy(), np.log(stock.to_numpy())))
        return cls(years, full, frozenset(int(y) for y in stock.index),
                   {int(y): float(v) for y, v in new.items()})


def _cohort_years(observed: _Observed, r: float, e: float, growth: float):
    """The certificates before the first year, then year by year (an iterator, so that a solver
    stops at the year it needs): ``(new, new_imputed, expiring, granted, leaving, model)``."""
    years, full, new = observed.years, observed.full, observed.new
    theta = (1 - e) / (1 + growth)
    first_cohort = full[0] / (1 + theta + theta**2)
    before = first_cohort / (1 + growth) ** np.arange(3, 0, -1)  # t0-3, t0-2, t0-1
    yield before
    survival = (1 - e) ** _CERTIFICATE_YEARS
    cohorts = list(before)
    for k, year in enumerate(years):
        expiring = survival * cohorts[k]
        if k == 0:
            granted = first_cohort
            new_k, new_imputed, model, leaving = granted - r * expiring, True, np.nan, np.nan
        else:
            exits = e * full[k - 1]
            if int(year) in new:
                new_k, new_imputed = new[int(year)], False
            else:
                new_k, new_imputed = (
                    max(full[k] - (1 - e) * full[k - 1] + (1 - r) * expiring, 0.0),
                    True,
                )
            leaving = (1 - r) * expiring + exits
            model = full[k - 1] + new_k - leaving
            granted = new_k + r * expiring
        cohorts.append(granted)
        yield new_k, new_imputed, expiring, granted, leaving, model


def _reconstruct_rows(
    observed: _Observed, r: float, e: float, growth: float
) -> tuple[np.ndarray, list[dict], np.ndarray]:
    years, full = observed.years, observed.full
    steps = _cohort_years(observed, r, e, growth)
    before = next(steps)
    rows = []
    for k, (year, (new_k, new_imputed, expiring, granted, leaving, model)) in enumerate(zip(years, steps)):
        rows.append(
            {
                "stock": full[k],
                "stock_imputed": int(year) not in observed.stock_years,
                "new": new_k,
                "new_imputed": new_imputed,
                "expiring": expiring,
                "renewed": r * expiring,
                "granted": granted,
                "leaving": leaving,
                "residual": full[k] - model,
            }
        )
    return years, rows, before


def _residual_at(observed: _Observed, r: float, e: float, growth: float, row: int) -> float:
    """The ``residual`` of :func:`_reconstruct_rows`'s row `row`, without the later years."""
    steps = _cohort_years(observed, r, e, growth)
    next(steps)  # the certificates before the first year
    for k, (*_, model) in enumerate(steps):
        if k == row:
            return float(observed.full[k] - model)
    raise IndexError(row)


def _solve_rate(
    func, lower: float, upper: float, prefer: Literal["largest", "smallest"]
) -> float | None:
    """Root of ``func`` on [lower, upper] by grid bracketing and bisection (numpy only)."""
    grid = np.linspace(lower, upper, 401)
    values = np.array([func(x) for x in grid])
    roots = [float(x) for x, v in zip(grid, values) if v == 0]
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        roots.append(float(_bisect(func, grid[i], grid[i + 1])))
    if not roots:
        return None
    return max(roots) if prefer == "largest" else min(roots)


def _rates(stock: pd.Series, new: pd.Series, r: float | None, e: float | None, growth: float) -> tuple[float, float]:
    """The re-certification and exit rates, the one given as None solved so that the last year
    with observed first-time certifications is reproduced exactly."""
    if r is not None and e is not None:
        return r, e
    if len(new) == 0:
        raise ModelError("`new` needs an observation to imply the missing rate; got none.")
    year = int(new.index[-1])
    observed = _Observed.of(stock, new)
    row = int(np.flatnonzero(observed.years == year)[0])

    def residual(x: float) -> float:
        args = (x, e) if r is None else (r, x)
        return _residual_at(observed, *args, growth, row)

    if r is None:
        unknown, interval, other, given = "recertification_rate", "[0, 1]", "exit_rate", e
    else:
        unknown, interval, other, given = "exit_rate", "[0, 1)", "recertification_rate", r
    solved = _solve_rate(residual, 0.0, 1.0 if r is None else 0.999, "largest" if r is None else "smallest")
    if solved is None:
        raise ModelError(
            f"No `{unknown}` in {interval} reproduces the {year} stock with `{other}` = "
            f"{given}; change `{other}` or set both rates."
        )
    return (solved, e) if r is None else (r, solved)


@dataclass(frozen=True)
class CertifiedStock(StructuralSpec):
    """Stock of valid high-tech enterprise certificates with three-year cohorts.

    Parameters
    ----------
    recertification_rate : float or None, default None
        Fraction of expiring certificates that are renewed [fraction, 0-1].
        None: implied by the last year whose first-time certifications are
        observed, so that the law reproduces that year's stock exactly (e.g.
        1000 firms, 281 new and 1225 a year later, with the default exit rate:
        about 0.83).
    exit_rate : float or None, default 0.01
        Annual share of the stock revoked (art. 19), closed, merged or moved out
        of the city [fraction/year, 0-1). Revocations are rare and the other
        exits small, hence 1 %; the data cannot separate it from the
        re-certification rate (in the same example, exit rate 0 implies a
        renewal rate of about 0.80, 0.02 about 0.87). None: implied like
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
    4. a rate given as None is solved (grid bracketing and bisection) so that the last year
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
    >>> fitted = CertifiedStock().fit({"stock": stock, "new": new})
    >>> round(fitted.recertification_rate, 2)
    0.83
    >>> round(float(fitted.forecast(1)["point"].loc[2017]))
    1475
    >>> round(fitted.required_lever(1400, 2017))
    242
    """

    name: ClassVar[str] = "certified_stock"
    min_obs: ClassVar[int] = 2
    #: Input roles: the stock of valid certificates [firms] and first-time certifications [firms/year].
    roles: ClassVar[tuple[str, ...]] = ("stock", "new")
    #: What :meth:`FittedCertifiedStock.required_lever` answers, in words and units.
    lever: ClassVar[str] = "first-time certifications per year [firms]"
    #: The catalog message (templates/words.yaml) naming the lever in a planner's words.
    lever_key: ClassVar[str] = "lever_new_certifications"
    #: The input role that is the lever.
    lever_role: ClassVar[str] = "new"
    #: Rates drawn per path, and the field holding each one's spread.
    spreads: ClassVar[dict[str, str]] = {"recertification_rate": "recertification_sd"}

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
            check_fraction("recertification_rate", self.recertification_rate)
        if self.exit_rate is not None:
            check_fraction("exit_rate", self.exit_rate, upper_open=True)
        if self.new_per_year is not None:
            check_non_negative("new_per_year", self.new_per_year)
        check_growth("new_growth", self.new_growth)
        for argument in ("new_sd", "new_growth_sd", "recertification_sd"):
            check_non_negative(argument, getattr(self, argument))

    def fit(self, inputs: Mapping[str, pd.Series]) -> FittedCertifiedStock:
        """Rebuild the cohorts and settle the rates on observed data.

        Parameters
        ----------
        inputs : Mapping
            ``stock``: valid certificates at year end [firms], int year index,
            gaps allowed; ``new``: first-time certifications [firms/year], in
            years after the first stock year and not after the last one.

        Returns
        -------
        FittedCertifiedStock
            The fitted model; this spec is unchanged.

        Raises
        ------
        ParameterError
            If a role is missing or unknown, a series is malformed or
            incompatible with ``recertification_sd``.
        ModelError
            If there are too few observations or no rate in range reproduces
            the last observed year.
        """
        inputs = by_role(self, inputs)
        stock, new = inputs["stock"], inputs["new"]
        stock = check_year_series(stock, "stock", minimum=self.min_obs, positive=True)
        new = check_year_series(
            new, "new", minimum=1 if self.new_per_year is None else 0, positive=False
        )
        first, last = int(stock.index[0]), int(stock.index[-1])
        outside = [int(y) for y in new.index if not first < y <= last]
        if outside:
            raise ModelError(
                f"`new` years must lie in ({first}, {last}], the span of `stock` after its "
                f"first year; got {outside}."
            )
        growth = compound_growth(stock)
        r, e = _rates(stock, new, self.recertification_rate, self.exit_rate, growth)
        check_beta_spread("recertification_sd", self.recertification_sd, r, "re-certification rate")
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
class FittedCertifiedStock(StructuralFit):
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
        r = beta_draws(gen, self.recertification_rate, spec.recertification_sd, n_paths)
        log_growth = gen.normal(np.log1p(self.new_growth), spec.new_growth_sd, size=n_paths)
        scatter = gen.normal(0.0, spec.new_sd, size=(horizon, n_paths))
        new = self._new_paths(forecast_years(self.last_year, horizon), log_growth, scatter)
        last_stock = float(self.history["stock"].iloc[-1])
        stock = certified_stock(last_stock, new, self.granted_before, r, self.exit_rate)
        return stock, new

    def _point(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        new = self._new_paths(
            forecast_years(self.last_year, horizon),
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
        horizon = check_int("horizon", horizon)
        n_paths = check_int("n_paths", n_paths)
        if quantity not in ("stock", "new"):
            raise ParameterError(f"`quantity` must be 'stock' or 'new'; got {quantity!r}.")
        stock, new = self._simulate_arrays(horizon, n_paths, rng)
        values = stock if quantity == "stock" else new
        return pd.DataFrame(values, index=forecast_years(self.last_year, horizon))

    def forecast(
        self,
        horizon: int,
        level: float = 80,
        *,
        n_paths: int = 4000,
        rng: Any = None,
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
        rng : None, int or numpy.random.Generator, optional
            Passed to :func:`numpy.random.default_rng`; None uses
            :data:`FORECAST_SEED`, so that the same call gives the same numbers.
        quantity : {"stock", "new"}
            The stock [firms] or the first-time certifications [firms/year].

        Returns
        -------
        DataFrame
            Index ``year``; ``point`` is the law at the central parameters,
            ``lower`` and ``upper`` are quantiles of the simulated paths.
        """
        level = check_level(level)
        paths = self.simulate(horizon, n_paths, rng=forecast_rng(rng), quantity=quantity)
        stock, new = self._point(horizon)
        point = stock if quantity == "stock" else new
        return quantile_frame(point, paths.to_numpy(), paths.index, level)

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

    def required_lever(self, target_level: float, target_year: int) -> float:
        """The model's lever (:attr:`CertifiedStock.lever`) needed for a target stock.

        Same as :meth:`required_new_certifications` [firms/year].
        """
        return self.required_new_certifications(target_level, target_year)

    @property
    def lever_observed(self) -> tuple[int, float]:
        """Year and value of the last observed (or given) first-time certifications [firms/year]."""
        return int(self.new_base_year), float(self.new_base)

    def lever_assumptions(self, target_year: int) -> str:
        """The rates behind :meth:`required_lever` for ``target_year``, in words."""
        return f"renewal {self.recertification_rate:.0%}, exits {self.exit_rate:.0%}/year"

    def summary(self) -> pd.DataFrame:
        """Parameters with their unit and source, and which inputs were imputed.

        Returns
        -------
        DataFrame
            Index ``item``; columns ``value`` and ``note``, the note starting
            with the unit in brackets and the source (observed, imputed,
            fitted, estimated, spec).
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
        return summary_frame(self.spec.name, rows)
