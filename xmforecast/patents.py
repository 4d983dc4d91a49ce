"""Valid invention patents per 10,000 residents: a stock-flow model of the ratio.

Valid invention patents per 10,000 residents have known arithmetic behind them:
a stock of valid invention patents, fed by grants and drained by lapses, divided
by the population. So the ratio gets its own model instead of a curve through
the totals (a registry entry says ``model: patent_ratio`` and which indicators
fill its roles ``valid``, ``grants`` and ``population``).

The laws :func:`valid_stock` and :func:`per_10k` are pure vectorised
functions; :class:`PatentRatio` estimates or holds the parameters and calls
them. Their inverse, :func:`required_grants`, answers "what would it take".

The helpers shared with :mod:`xmforecast.stockflow`, the other structural model, come
from :mod:`xmforecast.structural` and :mod:`xmforecast.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from xmforecast.exceptions import ModelError, ParameterError
from xmforecast.base import by_role
from xmforecast.structural import (
    StructuralFit,
    StructuralSpec,
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
from xmforecast.words import Message

__all__ = [
    "valid_stock",
    "per_10k",
    "required_grants",
    "PatentRatio",
    "FittedPatentRatio",
]


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
    For example, 5552 x (1 - 289/5552) + 2028 = 7291.

    >>> valid_stock(5552.0, [2028.0], 289 / 5552)
    array([7291.])
    """
    check_fraction("lapse_rate", lapse_rate)
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
    return like_input(out, grants)


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
    For example, 7291 / 388.9 = 18.75.

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
    horizon = check_int("horizon", horizon)
    check_fraction("lapse_rate", lapse_rate)
    if not population > 0:
        raise ParameterError(f"`population` must be > 0 [万人]; got {population}.")
    keep = 1 - lapse_rate
    annuity = sum(keep**k for k in range(horizon))
    return float((target_ratio * population - initial_valid * keep**horizon) / annuity)


# ---------------------------------------------------------------------------
# patents per 10,000 residents: the model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PatentRatio(StructuralSpec):
    """Valid invention patents per 10,000 residents, numerator and denominator apart.

    Parameters
    ----------
    lapse_rate : float or None, default None
        Annual share of valid patents lost to non-payment, expiry or
        invalidation [fraction/year, 0-1]. None: estimated from years with the
        valid stock observed in two consecutive years and the grants of the
        second (e.g. 289/5552 = 0.052).
    lapse_sd : float, default 0.01
        Standard deviation of the lapse rate across paths (beta, drawn once per
        path) [fraction]: the estimate rests on one year and on two sources.
    grants_growth : float or None, default None
        Annual growth of invention patent grants [fraction/year]. None: the
        compound growth over the observed span (e.g. 0.286).
    grants_growth_sd : float, default 0.08
        Standard deviation of ``log(1 + grants_growth)`` across paths [log units]:
        about the standard error of a mean of four yearly log growths whose
        standard deviation is 0.17.
    grants_damping : float, default 0.8
        Damping of the grants' growth, 0 < φ ≤ 1: the growth in the k-th year
        ahead is φ^(k-1) times the first year's. A damped trend, as the
        forecasting competitions (M3, M4) favour on yearly data; 1 compounds
        the observed growth undamped (e.g. 28.6 % a year).
    grants_sd : float, default 0.1
        Lognormal scatter of each year's grants around the trend [log units].
        Between consecutive observed years the log growth of grants had a
        standard deviation of about 0.17; split here between the trend and
        the yearly scatter.
    population_growth : float or None, default None
        Annual population growth [fraction/year]. None: compound growth over
        the observed span (e.g. 0.016).
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
    >>> fitted = PatentRatio().fit({"valid": valid, "grants": grants, "population": population})
    >>> round(fitted.lapse_rate, 4)
    0.0521
    >>> round(float(fitted.forecast(1)["point"].loc[2017]), 1)
    24.1
    """

    name: ClassVar[str] = "patent_ratio"
    min_obs: ClassVar[int] = 2
    #: Input roles: valid invention patents [patents], grants [patents/year], population [万人].
    roles: ClassVar[tuple[str, ...]] = ("valid", "grants", "population")
    #: What :meth:`FittedPatentRatio.required_lever` answers, in words and units.
    lever: ClassVar[str] = "invention patent grants per year [patents]"
    #: The catalog message (templates/words.yaml) naming the lever in a planner's words.
    lever_key: ClassVar[str] = "lever_invention_grants"
    #: The input role that is the lever.
    lever_role: ClassVar[str] = "grants"
    #: Rates drawn per path, and the field holding each one's spread.
    spreads: ClassVar[dict[str, str]] = {"lapse_rate": "lapse_sd"}

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
            check_fraction("lapse_rate", self.lapse_rate)
        check_growth("grants_growth", self.grants_growth)
        check_growth("population_growth", self.population_growth)
        if not (0 < self.grants_damping <= 1):
            raise ParameterError(f"`grants_damping` must be in (0, 1]; got {self.grants_damping}.")
        for argument in ("lapse_sd", "grants_growth_sd", "grants_sd", "population_growth_sd"):
            check_non_negative(argument, getattr(self, argument))

    def fit(self, inputs: Mapping[str, pd.Series]) -> FittedPatentRatio:
        """Estimate the lapse rate and the growth of grants and population.

        Parameters
        ----------
        inputs : Mapping
            ``valid``: valid invention patents at year end [patents], int year
            index; ``grants``: invention patents granted [patents/year];
            ``population``: resident population [万人].

        Returns
        -------
        FittedPatentRatio
            The fitted model; this spec is unchanged.

        Raises
        ------
        ParameterError
            If a role is missing or unknown, a series is malformed or the lapse
            rate is incompatible with ``lapse_sd``.
        ModelError
            If there are too few observations, or no consecutive years to
            estimate the lapse rate from.
        """
        inputs = by_role(self, inputs)
        valid, grants, population = inputs["valid"], inputs["grants"], inputs["population"]
        valid = check_year_series(valid, "valid", minimum=1, positive=True)
        grants = check_year_series(
            grants,
            "grants",
            minimum=self.min_obs if self.grants_growth is None else 1,
            positive=False,
        )
        population = check_year_series(
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
        lapse = _lapse_rate(lapsed, valid) if self.lapse_rate is None else float(self.lapse_rate)
        check_beta_spread("lapse_sd", self.lapse_sd, lapse, "lapse rate")
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
                compound_growth(grants) if self.grants_growth is None else float(self.grants_growth)
            ),
            population_growth=(
                compound_growth(population)
                if self.population_growth is None
                else float(self.population_growth)
            ),
        )


def _lapse_rate(lapsed: pd.Series, valid: pd.Series) -> float:
    """Lapsed patents over the valid stock of the year before, over the years both are known."""
    if lapsed.empty:
        raise ModelError(Message("error_lapse_rate_unknown"))
    lapse = float(lapsed.sum() / valid[lapsed.index - 1].sum())
    if not 0 <= lapse <= 1:
        raise ModelError(
            f"The estimated `lapse_rate` {lapse:.4g} is outside [0, 1] (valid stock and grants "
            "disagree); pass `lapse_rate`."
        )
    return lapse


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
class FittedPatentRatio(StructuralFit):
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
        horizon = check_int("horizon", horizon)
        n_paths = check_int("n_paths", n_paths)
        gen = np.random.default_rng(rng)
        spec = self.spec
        years = forecast_years(self.last_year, horizon)
        lapse = beta_draws(gen, self.lapse_rate, spec.lapse_sd, n_paths)
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
        self, horizon: int, level: float = 80, *, n_paths: int = 4000, rng: Any = None
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
        rng : None, int or numpy.random.Generator, optional
            Passed to :func:`numpy.random.default_rng`; None uses
            :data:`xmforecast.structural.FORECAST_SEED`, so that the same call
            gives the same numbers.

        Returns
        -------
        DataFrame
            Index ``year``; ``point`` is the law at the central parameters,
            ``lower`` and ``upper`` are quantiles of the simulated paths.
        """
        level = check_level(level)
        paths = self.simulate(horizon, n_paths, rng=forecast_rng(rng))
        point = self._paths(
            paths.index,
            self.lapse_rate,
            np.array([np.log1p(self.grants_growth)]),
            np.zeros((horizon, 1)),
            np.array([np.log1p(self.population_growth)]),
        )[:, 0]
        return quantile_frame(point, paths.to_numpy(), paths.index, level)

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

    def required_lever(self, target_level: float, target_year: int) -> float:
        """The model's lever (:attr:`PatentRatio.lever`) needed for a target ratio.

        Same as :meth:`required_grants` [patents/year].
        """
        return self.required_grants(target_level, target_year)

    @property
    def lever_observed(self) -> tuple[int, float]:
        """Year and value of the last observed grants [patents/year]."""
        return int(self.grants.index[-1]), float(self.grants.iloc[-1])

    def lever_assumptions(self, target_year: int) -> str:
        """The lapse rate and population behind :meth:`required_lever` for ``target_year``, in words."""
        return (f"lapses {self.lapse_rate:.1%}/year, population "
                f"{self.population_in(target_year):,.1f} 万人 in {target_year}")

    def summary(self) -> pd.DataFrame:
        """Parameters with their unit and source, and the reconciliation of the observed years.

        Returns
        -------
        DataFrame
            Index ``item``; columns ``value`` and ``note``, the note starting
            with the unit in brackets and the source.
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
        return summary_frame(self.spec.name, rows)
