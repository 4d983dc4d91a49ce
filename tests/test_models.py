from __future__ import annotations

import dataclasses
import logging
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from xmforecast.exceptions import ModelError, ParameterError
from xmforecast.models import (
    CAGR,
    ETS,
    LADDER,
    Combination,
    Drift,
    Linear,
    LogLinear,
    Logistic,
    Naive,
    fit_ladder,
)
from xmforecast.model_registry import MODELS, get_model

TEN = pd.Series(
    [100.0, 112.0, 121.0, 138.0, 150.0, 171.0, 185.0, 204.0, 226.0, 245.0],
    index=range(2007, 2017),
)
Z80 = stats.norm.ppf(0.9)


def _shortest(name: str) -> pd.Series:
    spec = get_model(name)
    n = min(MODELS[m].min_obs for m in spec.members) if name == "combination" else spec.min_obs
    return TEN.iloc[-n:]


CASES = [(name, kind) for name in (*LADDER, "combination") for kind in ("ten", "shortest")]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_contract(name, kind):
    series = TEN if kind == "ten" else _shortest(name)
    spec = get_model(name)
    fitted = spec.fit(series)
    assert spec == get_model(name)  # the spec holds no data and is unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        fitted.sigma = 1.0

    horizon, last = 4, series.index[-1]
    years = list(range(last + 1, last + horizon + 1))
    fc = fitted.forecast(horizon, level=80)
    assert list(fc.columns) == ["point", "lower", "upper"]
    assert list(fc.index) == years and fc.index.name == "year"
    assert np.isfinite(fc.to_numpy()).all()
    assert (fc["lower"] < fc["point"]).all() and (fc["point"] < fc["upper"]).all()

    paths = fitted.simulate(horizon, 20_000, rng=7)
    assert paths.shape == (horizon, 20_000) and list(paths.index) == years
    assert paths.equals(fitted.simulate(horizon, 20_000, rng=7))
    assert not np.allclose(paths.to_numpy(), fitted.simulate(horizon, 20_000, rng=8).to_numpy())

    # The interval is the paths' 10 % and 90 % quantiles, up to Monte Carlo
    # error (about 0.5 % of the width at 20,000 paths).
    scale = np.log if fitted.log_scale else (lambda x: x)
    values = paths.to_numpy()
    for p, bound in ((0.1, "lower"), (0.9, "upper")):
        sim = scale(np.quantile(values, p, axis=1))
        width = scale(fc["upper"].to_numpy()) - scale(fc["lower"].to_numpy())
        assert (np.abs(sim - scale(fc[bound].to_numpy())) <= 0.03 * width).all()


def test_drift_growth_is_compound_growth_over_the_span_with_gaps():
    s = pd.Series([665.0, 820.0, 907.0, 1000.0, 1225.0], index=[2011, 2013, 2014, 2015, 2016])
    fitted = Drift().fit(s)
    cagr = (1225 / 665) ** (1 / 5) - 1
    assert fitted.params["growth_rate"] == pytest.approx(cagr, rel=1e-12)
    fc = fitted.forecast(3)
    assert fc["point"].to_numpy() == pytest.approx(1225 * (1 + cagr) ** np.arange(1, 4), rel=1e-12)


def test_drift_interval_closed_form_with_fallback_sigma_on_two_points():
    s = pd.Series([1000.0, 1225.0], index=[2015, 2016])
    fitted = Drift().fit(s)
    summary = fitted.summary()
    assert summary.loc["sigma_source", "value"] == "fallback_sigma"
    assert summary.loc["sigma", "value"] == 0.10
    assert "fallback_sigma" in summary.loc["sigma_source", "note"]
    h = np.arange(1, 4)
    sd = 0.10 * np.sqrt(h + h**2 / 1)  # innovations plus the drift's uncertainty
    point = 1225 * 1.225**h
    fc = fitted.forecast(3, level=80)
    assert fc["point"].to_numpy() == pytest.approx(point, rel=1e-12)
    assert fc["lower"].to_numpy() == pytest.approx(point * np.exp(-Z80 * sd), rel=1e-12)
    assert fc["upper"].to_numpy() == pytest.approx(point * np.exp(Z80 * sd), rel=1e-12)


def test_drift_estimated_sigma_gives_t_interval():
    logs = np.log(TEN.to_numpy())
    d = np.diff(logs)
    mu, n = d.mean(), len(d)
    s2 = np.sum((d - mu) ** 2) / (n - 1)
    fc = Drift().fit(TEN).forecast(2, level=90)
    h = np.array([1.0, 2.0])
    sd = np.sqrt(s2 * (h + h**2 / n))
    mean = logs[-1] + h * mu
    q = stats.t.ppf(0.95, n - 1)
    assert np.log(fc["lower"].to_numpy()) == pytest.approx(mean - q * sd, rel=1e-10)
    assert np.log(fc["upper"].to_numpy()) == pytest.approx(mean + q * sd, rel=1e-10)


def test_naive_with_one_point_uses_fallback_random_walk():
    fc = Naive(fallback_sigma=0.2).fit(pd.Series([45.16], index=[2016])).forecast(3)
    h = np.arange(1, 4)
    assert (fc["point"] == 45.16).all()
    assert fc["upper"].to_numpy() == pytest.approx(45.16 * np.exp(Z80 * 0.2 * np.sqrt(h)), rel=1e-12)


def test_exact_fit_does_not_claim_zero_uncertainty():
    s = pd.Series(100 * 1.1 ** np.arange(6), index=range(2011, 2017))
    fitted = Drift().fit(s)
    assert fitted.sigma_source == "fallback_sigma"
    assert "all zero" in fitted.sigma_note


def test_cagr_uses_trailing_window():
    s = pd.Series([50.0, 60.0, 100.0, 104.0, 121.0], index=[2010, 2012, 2013, 2015, 2016])
    fitted = CAGR(window=3).fit(s)
    assert fitted.params["growth_rate"] == pytest.approx((121 / 100) ** (1 / 3) - 1, rel=1e-12)
    gap = pd.Series([50.0, 121.0], index=[2010, 2016])
    extended = CAGR(window=3).fit(gap)
    assert extended.params["growth_rate"] == pytest.approx((121 / 50) ** (1 / 6) - 1, rel=1e-12)
    assert any("latest earlier" in note for note in extended.notes)


def _ols_reference(y, years, horizon, alpha):
    import statsmodels.api as sm

    result = sm.OLS(y, sm.add_constant(years.astype(float))).fit()
    future = np.arange(years[-1] + 1, years[-1] + horizon + 1, dtype=float)
    return result.get_prediction(sm.add_constant(future)).summary_frame(alpha=alpha)


def test_loglinear_matches_statsmodels_ols_prediction_interval():
    s = TEN.iloc[:6]
    ref = _ols_reference(np.log(s.to_numpy()), s.index.to_numpy(), 3, alpha=0.2)
    fc = LogLinear().fit(s).forecast(3, level=80)
    assert fc["point"].to_numpy() == pytest.approx(np.exp(ref["mean"].to_numpy()), rel=1e-9)
    assert fc["lower"].to_numpy() == pytest.approx(np.exp(ref["obs_ci_lower"].to_numpy()), rel=1e-9)
    assert fc["upper"].to_numpy() == pytest.approx(np.exp(ref["obs_ci_upper"].to_numpy()), rel=1e-9)


def test_linear_matches_statsmodels_ols_prediction_interval():
    s = pd.Series([26.12, 38.71, 33.78, 45.16, 41.0], index=[2010, 2011, 2013, 2015, 2016])
    ref = _ols_reference(s.to_numpy(), s.index.to_numpy(), 2, alpha=0.05)
    fc = Linear().fit(s).forecast(2, level=95)
    assert fc["point"].to_numpy() == pytest.approx(ref["mean"].to_numpy(), rel=1e-9)
    assert fc["lower"].to_numpy() == pytest.approx(ref["obs_ci_lower"].to_numpy(), rel=1e-9)
    assert fc["upper"].to_numpy() == pytest.approx(ref["obs_ci_upper"].to_numpy(), rel=1e-9)


def test_loglinear_on_three_points_keeps_parameter_uncertainty_with_fallback_sigma():
    import statsmodels.api as sm

    s = pd.Series([96.4, 103.4, 117.7], index=[2014, 2015, 2016])
    fitted = LogLinear().fit(s)
    assert fitted.sigma_source == "fallback_sigma"  # one residual degree of freedom
    x = sm.add_constant(np.array([2014.0, 2015.0, 2016.0]))
    x0 = np.array([1.0, 2017.0])
    leverage = x0 @ np.linalg.inv(x.T @ x) @ x0
    sd = 0.10 * math.sqrt(1 + leverage)
    fc = fitted.forecast(1)
    assert math.log(fc["upper"].iloc[0] / fc["point"].iloc[0]) == pytest.approx(Z80 * sd, rel=1e-9)


def test_sigma_scale_multiplies_all_uncertainty():
    base = Drift().fit(TEN)
    wide = Drift(sigma_scale=2.0).fit(TEN)
    half = np.log(base.forecast(3)["upper"] / base.forecast(3)["point"])
    half_wide = np.log(wide.forecast(3)["upper"] / wide.forecast(3)["point"])
    assert half_wide.to_numpy() == pytest.approx(2 * half.to_numpy(), rel=1e-12)
    sd = np.log(base.simulate(3, 50_000, rng=1)).std(axis=1)
    sd_wide = np.log(wide.simulate(3, 50_000, rng=1)).std(axis=1)
    assert (sd_wide / sd).to_numpy() == pytest.approx(2.0, rel=1e-9)


def test_logistic_recovers_a_known_curve():
    years = np.arange(2008, 2017)
    s = pd.Series(1400 / (1 + np.exp(-0.4 * (years - 2012.5))), index=years)
    fitted = Logistic().fit(s)
    assert fitted.params["capacity"] == pytest.approx(1400, rel=1e-6)
    assert fitted.params["rate"] == pytest.approx(0.4, rel=1e-6)
    assert fitted.params["midpoint"] == pytest.approx(2012.5, abs=1e-5)
    assert fitted.forecast(2)["point"].to_numpy() == pytest.approx(
        1400 / (1 + np.exp(-0.4 * (np.array([2017, 2018]) - 2012.5))), rel=1e-6)


def test_logistic_interval_matches_curve_fit_delta_method():
    from scipy.optimize import approx_fprime, curve_fit

    years = np.arange(2009, 2017).astype(float)
    noise = np.array([0.02, -0.03, 0.01, 0.025, -0.02, 0.0, 0.015, -0.01])
    y = np.log(2000 / (1 + np.exp(-0.5 * (years - 2013)))) + noise

    def f(t, log_k, r, m):
        return log_k - np.log1p(np.exp(-r * (t - m)))

    theta, pcov = curve_fit(f, years, y, p0=[np.log(2000), 0.5, 2013])  # pcov scaled by s^2
    s2 = np.sum((y - f(years, *theta)) ** 2) / (len(y) - 3)
    grad = approx_fprime(theta, lambda p: f(2018.0, *p), 1e-7)
    se = math.sqrt(s2 + grad @ pcov @ grad)
    q = stats.t.ppf(0.9, len(y) - 3)
    fc = Logistic().fit(pd.Series(np.exp(y), index=years.astype(int))).forecast(2)
    assert math.log(fc["point"].iloc[1]) == pytest.approx(f(2018.0, *theta), abs=1e-6)
    assert math.log(fc["upper"].iloc[1]) == pytest.approx(f(2018.0, *theta) + q * se, abs=1e-4)


def test_ets_matches_statsmodels_damped_trend():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    logs = pd.Series(np.log(TEN.to_numpy()))
    result = ETSModel(logs, error="add", trend="add", damped_trend=True).fit(disp=False)
    ref = result.get_prediction(start=10, end=12).summary_frame(alpha=0.2)
    fc = ETS(small_sample_correction=False).fit(TEN).forecast(3)
    assert np.log(fc["point"].to_numpy()) == pytest.approx(ref["mean"].to_numpy(), rel=1e-6)
    assert np.log(fc["lower"].to_numpy()) == pytest.approx(ref["pi_lower"].to_numpy(), rel=1e-6)
    assert np.log(fc["upper"].to_numpy()) == pytest.approx(ref["pi_upper"].to_numpy(), rel=1e-6)


def test_ets_uses_the_trailing_run_of_consecutive_years():
    gappy = pd.Series(np.linspace(100, 300, 10), index=[2003, 2004, 2005, *range(2010, 2017)])
    _, skipped = fit_ladder(gappy, ["ets"])
    reason = "`ets` needs a trailing run of at least 8 consecutive years; got 7 (2010-2016)."
    assert skipped == [("ets", reason)]


def test_combination_point_is_the_log_mean_of_members():
    s = TEN.iloc[-2:]  # both members use the fallback sigma: normal on the log scale
    drift, naive = Drift().fit(s).forecast(2), Naive().fit(s).forecast(2)
    fc = Combination(members=("drift", "naive"), weights=(3, 1)).fit(s).forecast(2)
    expected = drift["point"] ** 0.75 * naive["point"] ** 0.25
    assert fc["point"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)
    # The bounds are quantiles of the mixture: mixture CDF at the lower bound = 0.1.
    x = fc["lower"].iloc[1]

    def cdf(member: pd.DataFrame) -> float:
        point, upper = member["point"].iloc[1], member["upper"].iloc[1]
        return stats.norm.cdf(math.log(x / point) / (math.log(upper / point) / Z80))

    assert 0.75 * cdf(drift) + 0.25 * cdf(naive) == pytest.approx(0.1, abs=1e-8)


def test_combination_skips_members_the_series_cannot_support():
    fitted = Combination().fit(TEN.iloc[-3:])
    assert [m.name for m in fitted.members] == ["drift", "additive_drift", "loglinear"]
    assert fitted.weights == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    summary = fitted.summary()
    assert summary.loc["skipped[ets]", "value"] == "needs at least 8 observations; got 3"
    with pytest.raises(ModelError, match="no member could be fitted"):
        Combination(members=("ets",)).fit(TEN.iloc[-3:])


def test_fit_ladder_skips_rungs_below_min_obs_with_reasons(caplog):
    with caplog.at_level(logging.INFO, logger="xmforecast.models"):
        fitted, skipped = fit_ladder(TEN.iloc[-4:])
    assert list(fitted) == ["naive", "drift", "additive_drift", "cagr", "loglinear", "linear"]
    assert skipped == [
        ("logistic", "needs at least 5 observations; got 4"),
        ("ets", "needs at least 8 observations; got 4"),
    ]
    assert "skipped model ets: needs at least 8 observations; got 4" in caplog.text
    for name in LADDER:
        assert (name in fitted) == (MODELS[name].min_obs <= 4)


def test_fit_ladder_skips_log_models_on_non_positive_values():
    s = pd.Series([-5.0, 0.0, 4.0], index=[2014, 2015, 2016])
    fitted, skipped = fit_ladder(s)
    assert list(fitted) == ["additive_drift", "linear"]
    assert dict(skipped)["drift"] == (
        "`drift` works on log values and needs every value > 0; got [-5.0, 0.0] in [2014, 2015]."
    )


def test_errors_name_the_argument_and_what_was_received():
    fitted = Drift().fit(TEN)
    with pytest.raises(ParameterError, match="`horizon` must be a positive integer; got 0."):
        fitted.forecast(0)
    with pytest.raises(ParameterError, match="`level` must be a percentage strictly between 0 and 100; got 120"):
        fitted.forecast(2, level=120)
    with pytest.raises(ParameterError, match="`n_paths` must be a positive integer; got 2.5"):
        fitted.simulate(2, 2.5)
    with pytest.raises(ParameterError, match=r"`name` must be one of additive_drift, auto, cagr, .*combination, drift, .*patent_ratio; got 'arima'"):
        get_model("arima")
    with pytest.raises(ParameterError, match="`cagr` takes hyperparameters"):
        get_model("cagr", windows=3)
    with pytest.raises(ParameterError, match="`window` must be a positive integer; got 0"):
        CAGR(window=0)
    with pytest.raises(ParameterError, match="`sigma_scale` must be a finite number > 0; got -1"):
        Drift(sigma_scale=-1)
    with pytest.raises(ParameterError, match="`members` must be names from"):
        Combination(members=("drift", "combination"))


@pytest.mark.parametrize(
    ("series", "match"),
    [
        (pd.Series([1.0, 2.0], index=[2016, 2015]), r"strictly increasing; got \[2016, 2015\]"),
        (pd.Series([1.0, np.nan], index=[2015, 2016]), r"must be finite .*got \[nan\] in \[2016\]"),
        (pd.Series([1.0, 2.0], index=[2015.0, 2016.0]), "indexed by integer years; got index dtype float64"),
        (pd.Series([], dtype=float), "at least 1 observation; got 0"),
        ([1.0, 2.0], "must be a pandas Series indexed by year; got list"),
    ],
)
def test_series_validation(series, match):
    with pytest.raises(ParameterError, match=match):
        Naive().fit(series)


def test_fit_below_min_obs_raises_model_error():
    with pytest.raises(ModelError, match="`loglinear` needs at least 3 observations; got 2"):
        LogLinear().fit(TEN.iloc[-2:])


def test_additive_drift_matches_the_textbook_drift_method():
    # Hyndman & Athanasopoulos 5.2: y_T + h (y_T - y_1) / (T - 1), sd sigma sqrt(h (1 + h / (T - 1)))
    from xmforecast.models import AdditiveDrift

    y = TEN.to_numpy()
    slope = (y[-1] - y[0]) / 9
    resid = np.diff(y) - slope
    sigma = math.sqrt(np.sum(resid**2) / 8)
    h = np.arange(1, 4)
    q = stats.t.ppf(0.9, 8)
    fc = AdditiveDrift().fit(TEN).forecast(3)
    np.testing.assert_allclose(fc["point"], y[-1] + h * slope, rtol=1e-12)
    np.testing.assert_allclose(fc["upper"] - fc["point"], q * sigma * np.sqrt(h * (1 + h / 9)), rtol=1e-9)


def test_models_on_raw_values_never_go_below_zero_for_a_non_negative_series():
    from xmforecast.models import AdditiveDrift

    falling = pd.Series([900.0, 500.0, 300.0, 0.0, 0.0], index=range(2012, 2017))
    for spec in (AdditiveDrift(), Linear()):
        fit = spec.fit(falling)
        assert (fit.forecast(4, level=95).to_numpy() >= 0).all()
        assert (fit.simulate(4, 500, rng=0).to_numpy() >= 0).all()
