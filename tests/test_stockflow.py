"""Tests of the certified stock against hand-worked arithmetic, and of the structural models' contract."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xmforecast.exceptions import ModelError, ParameterError
from xmforecast.patents import PatentRatio, per_10k, valid_stock
from xmforecast.stockflow import (
    CertifiedStock,
    certified_stock,
    required_new_certifications,
)

# Xiamen: published history and the 2016 seed.
STOCK = pd.Series([665.0, 820.0, 907.0, 1000.0, 1225.0], index=[2011, 2013, 2014, 2015, 2016])
NEW = pd.Series([104.0, 281.0], index=[2013, 2016])


@pytest.fixture
def fitted_stock():
    return CertifiedStock().fit({"stock": STOCK, "new": NEW})


# ---------------------------------------------------------------------------
# certified stock: the law
# ---------------------------------------------------------------------------


def test_certified_stock_four_years_by_hand():
    # e = 0.1, so (1 - e)^3 = 0.729; r = 0.5; cohorts before: 10, 20, 30; 5 new a year.
    # 1: expiring 7.29,  renewed 3.645, granted 8.645,  stock 0.9*100     + 5 - 3.645 = 91.355
    # 2: expiring 14.58, renewed 7.29,                  stock 0.9*91.355  + 5 - 7.29  = 79.9295
    # 3: expiring 21.87, renewed 10.935,                stock 0.9*79.9295 + 5 - 10.935 = 66.00155
    # 4: expiring 0.729*8.645 = 6.302205 (year 1's cohort, renewals included),
    #    stock 0.9*66.00155 + 5 - 0.5*6.302205 = 61.2502925
    stock = certified_stock(100.0, [5.0, 5.0, 5.0, 5.0], [10.0, 20.0, 30.0], 0.5, 0.1)
    np.testing.assert_allclose(stock, [91.355, 79.9295, 66.00155, 61.2502925], rtol=1e-12)


def test_certified_stock_equals_surviving_cohorts():
    # A stock made of its cohorts stays so: S = G_t + 0.9 G_{t-1} + 0.81 G_{t-2}.
    # Start: cohorts 10, 20, 30 -> S_0 = 30 + 0.9*20 + 0.81*10 = 56.1.
    # Year 1 grants 8.645 (as above): S_1 = 8.645 + 0.9*30 + 0.81*20 = 51.845.
    stock = certified_stock(56.1, [5.0], [10.0, 20.0, 30.0], 0.5, 0.1)
    assert stock[0] == pytest.approx(51.845, rel=1e-12)


def test_certified_stock_stays_non_negative_without_new_certifications():
    # Whole cohorts expiring (without survival) would give 900 - 300 - 90 = 510,
    # 510 - 300 - 51 = 159, 159 - 300 - 15.9 = -156.9 in year 3.
    stock = certified_stock(900.0, np.zeros(6), [300.0, 300.0, 300.0], 0.0, 0.1)
    assert np.all(stock >= 0)
    assert stock[0] == pytest.approx(0.9 * 900 - 0.729 * 300)


def test_certified_stock_vectorised_over_paths_and_pandas_in_out():
    new = pd.DataFrame({0: [5.0, 5.0], 1: [0.0, 10.0]}, index=pd.Index([2017, 2018], name="year"))
    out = certified_stock(100.0, new, [10.0, 20.0, 30.0], np.array([0.5, 1.0]), 0.1)
    assert isinstance(out, pd.DataFrame) and list(out.index) == [2017, 2018]
    # Path 1, year 1: 0.9*100 + 0 - (1 - 1)*7.29 = 90; year 2: 0.9*90 + 10 - 0 = 91.
    assert out.loc[2017, 1] == pytest.approx(90.0)
    assert out.loc[2018, 1] == pytest.approx(91.0)
    assert out.loc[2017, 0] == pytest.approx(91.355)


def test_required_new_certifications_by_hand_and_plugged_back():
    # One year: 100 = 0.9*100 + n - 0.5*7.29  ->  n = 10 + 3.645 = 13.645.
    n = required_new_certifications(100.0, 1, 100.0, [10.0, 20.0, 30.0], 0.5, 0.1)
    assert n == pytest.approx(13.645, rel=1e-12)
    n4 = required_new_certifications(120.0, 4, 100.0, [10.0, 20.0, 30.0], 0.5, 0.1)
    stock = certified_stock(100.0, np.full(4, n4), [10.0, 20.0, 30.0], 0.5, 0.1)
    assert stock[-1] == pytest.approx(120.0, rel=1e-12)


# ---------------------------------------------------------------------------
# certified stock: the model on Xiamen data
# ---------------------------------------------------------------------------


def test_seed_reconciliation_1000_to_1225(fitted_stock):
    # 1000 + 281 - 1225 = 56 firms left in 2016: expired and not renewed, plus exits.
    hist = fitted_stock.history
    r, e = fitted_stock.recertification_rate, fitted_stock.exit_rate
    assert 1000 + 281 - 1225 == 56
    assert (1 - r) * hist.loc[2016, "expiring"] + e * 1000 == pytest.approx(56.0, rel=1e-10)
    stock = certified_stock(1000.0, [281.0], hist.loc[2013:2015, "granted"].to_numpy(), r, e)
    assert stock[0] == pytest.approx(1225.0, rel=1e-12)


def test_implied_recertification_rate_matches_quadratic():
    # Exit rate 0: the 2011 stock is split at the stock's growth g = (1225/665)^(1/5) - 1,
    # G_2011 = 665 / (1 + q + q^2), q = 1/(1 + g); E_2013 = G_2010 = G_2011 q.
    # 2016: (1 - r) G_2013 = 56 with G_2013 = 104 + r E  ->  E r^2 - (E - 104) r - 48 = 0.
    g = (1225 / 665) ** (1 / 5) - 1
    q = 1 / (1 + g)
    expiring = 665 / (1 + q + q**2) * q
    r = ((expiring - 104) + math.sqrt((expiring - 104) ** 2 + 4 * expiring * 48)) / (2 * expiring)
    fitted = CertifiedStock(exit_rate=0.0).fit({"stock": STOCK, "new": NEW})
    assert fitted.recertification_rate == pytest.approx(r, abs=1e-10)
    assert fitted.recertification_rate == pytest.approx(0.80, abs=0.005)


def test_implied_exit_rate_reproduces_2016():
    fitted = CertifiedStock(recertification_rate=0.85, exit_rate=None).fit({"stock": STOCK, "new": NEW})
    assert 0.01 < fitted.exit_rate < 0.02
    assert fitted.history.loc[2016, "residual"] == pytest.approx(0.0, abs=1e-8)


def test_imputed_years_reproduce_stock_and_are_listed(fitted_stock):
    hist = fitted_stock.history
    # 2012 stock: geometric mean of 665 and 820.
    assert hist.loc[2012, "stock"] == pytest.approx(math.sqrt(665 * 820))
    # Imputed new: S_t - (1 - e) S_{t-1} + (1 - r) E_t, so the stock is reproduced.
    r, e = fitted_stock.recertification_rate, fitted_stock.exit_rate
    expected = 907 - (1 - e) * 820 + (1 - r) * hist.loc[2014, "expiring"]
    assert hist.loc[2014, "new"] == pytest.approx(expected)
    np.testing.assert_allclose(hist.loc[[2012, 2014, 2015], "residual"], 0.0, atol=1e-9)
    summary = fitted_stock.summary()
    assert summary.loc["stock 2012", "note"].startswith("[firms] imputed")
    assert summary.loc["stock 2013", "note"].startswith("[firms] observed")
    assert summary.loc["new 2014", "note"].startswith("[firms/year] imputed")
    assert summary.loc["new 2016", "note"].startswith("[firms/year] observed")
    assert summary.loc["granted 2010", "note"].startswith("[firms] imputed")
    assert summary.loc["recertification_rate", "note"].startswith("[fraction] fitted")
    # 2013 is not reproduced: 820 - (0.99 * sqrt(665*820) + 104 - (1 - r) E_2013), about 21.
    modelled = 0.99 * math.sqrt(665 * 820) + 104 - (1 - r) * hist.loc[2013, "expiring"]
    assert summary.loc["residual 2013", "value"] == pytest.approx(820 - modelled)
    assert summary.loc["residual 2013", "value"] == pytest.approx(21.0, abs=0.05)


def test_forecast_2017_by_hand(fitted_stock):
    # new_2017 = 281 (1 + g), g the stock's compound growth 2011-2016;
    # S_2017 = 0.99 * 1225 + new_2017 - (1 - r) * 0.99^3 * G_2014.
    hist = fitted_stock.history
    r = fitted_stock.recertification_rate
    g = (1225 / 665) ** (1 / 5) - 1
    expected = 0.99 * 1225 + 281 * (1 + g) - (1 - r) * 0.99**3 * hist.loc[2014, "granted"]
    forecast = fitted_stock.forecast(2)
    assert forecast.loc[2017, "point"] == pytest.approx(expected, rel=1e-12)
    assert fitted_stock.forecast(1, quantity="new").loc[2017, "point"] == pytest.approx(
        281 * (1 + g)
    )


def test_required_new_certifications_for_1400(fitted_stock):
    hist = fitted_stock.history
    r, e = fitted_stock.recertification_rate, fitted_stock.exit_rate
    # 2017: 1400 = 0.99 * 1225 + n - (1 - r) E_2017  ->  n = 1400 - 1212.75 + (1 - r) E_2017.
    expiring_2017 = 0.99**3 * hist.loc[2014, "granted"]
    n_2017 = fitted_stock.required_new_certifications(1400, 2017)
    assert n_2017 == pytest.approx(1400 - 1212.75 + (1 - r) * expiring_2017, rel=1e-12)
    granted = hist.loc[2014:2016, "granted"].to_numpy()
    for year in (2017, 2020):
        n = fitted_stock.required_new_certifications(1400, year)
        stock = certified_stock(1225.0, np.full(year - 2016, n), granted, r, e)
        assert stock[-1] == pytest.approx(1400.0, rel=1e-12)


def test_new_per_year_scenario_is_constant_without_scatter():
    spec = CertifiedStock(new_per_year=200.0, new_sd=0.0, new_growth_sd=0.0, recertification_sd=0.0)
    fitted = spec.fit({"stock": STOCK, "new": NEW})
    paths = fitted.simulate(3, 5, rng=1, quantity="new")
    np.testing.assert_allclose(paths.to_numpy(), 200.0)
    stock_paths = fitted.simulate(3, 5, rng=1)
    np.testing.assert_allclose(stock_paths[0], fitted.forecast(3)["point"])


# ---------------------------------------------------------------------------
# both structural models (the contract itself: tests/test_contract.py)
# ---------------------------------------------------------------------------


@pytest.fixture(params=["stock", "ratio"])
def fitted_model(request):
    if request.param == "stock":
        return CertifiedStock().fit({"stock": STOCK, "new": NEW})
    return request.getfixturevalue("fitted_ratio")


def test_paths_stay_positive(fitted_model):
    paths = fitted_model.simulate(4, 7, rng=42)
    assert np.all(np.isfinite(paths.to_numpy())) and np.all(paths.to_numpy() > 0)


def test_forecast_interval_brackets_the_point_and_the_spec_has_its_defaults(fitted_model):
    forecast = fitted_model.forecast(3, level=90)
    assert np.all(forecast["lower"] < forecast["point"]) and np.all(forecast["point"] < forecast["upper"])
    assert fitted_model.spec == type(fitted_model.spec)()


def test_forecast_is_the_same_on_every_call_unless_a_generator_is_given(fitted_model):
    first = fitted_model.forecast(3, n_paths=300)
    pd.testing.assert_frame_equal(first, fitted_model.forecast(3, n_paths=300), check_exact=True)
    other = fitted_model.forecast(3, n_paths=300, rng=5)
    assert not np.allclose(first["upper"], other["upper"])
    np.testing.assert_array_equal(first["point"], other["point"])


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"recertification_rate": 1.3}, r"`recertification_rate` must be in \[0, 1\]; got 1.3."),
        ({"exit_rate": 1.0}, r"`exit_rate` must be in \[0, 1\); got 1.0."),
        ({"exit_rate": None}, r"At most one of `recertification_rate` and `exit_rate`"),
        ({"new_sd": -0.1}, r"`new_sd` must be a finite number >= 0; got -0.1."),
        ({"new_growth": -1.0}, r"`new_growth` must be a finite fraction > -1; got -1.0."),
    ],
)
def test_certified_stock_spec_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        CertifiedStock(**kwargs)


def test_law_functions_reject_bad_arguments():
    with pytest.raises(
        ParameterError, match=r"`recertification_rate` must be in \[0, 1\]; got 1.3."
    ):
        certified_stock(100.0, [5.0], [1.0, 2.0, 3.0], 1.3, 0.0)
    with pytest.raises(
        ParameterError, match=r"`granted_before` must hold the certificates granted in the 3 years"
    ):
        certified_stock(100.0, [5.0], [1.0, 2.0], 0.5, 0.0)
    with pytest.raises(ParameterError, match=r"`lapse_rate` must be in \[0, 1\]; got -0.1."):
        valid_stock(100.0, [5.0], -0.1)
    with pytest.raises(ParameterError, match=r"`horizon` must be a positive integer; got 0."):
        required_new_certifications(1400.0, 0, 1225.0, [1.0, 2.0, 3.0], 0.5, 0.0)
    with pytest.raises(ParameterError, match=r"`population` must be > 0 \[万人\]; got 0.0."):
        per_10k(100.0, 0.0)


def test_fit_rejects_bad_series(patent_history):
    valid, grants, population = patent_history
    with pytest.raises(ModelError, match=r"`stock` needs at least 2 observations; got 1."):
        CertifiedStock().fit({"stock": STOCK.iloc[:1], "new": NEW.iloc[:0]})
    with pytest.raises(ParameterError, match=r"`stock` must have an integer year index"):
        CertifiedStock().fit({"stock": pd.Series([1.0, 2.0], index=["a", "b"]), "new": NEW})
    with pytest.raises(
        ParameterError, match=r"`stock` must be a pandas Series indexed by year; got list."
    ):
        CertifiedStock().fit({"stock": [1.0, 2.0], "new": NEW})
    with pytest.raises(ModelError, match=r"`new` years must lie in \(2011, 2016\]"):
        CertifiedStock().fit({"stock": STOCK, "new": pd.Series([100.0], index=[2017])})
    with pytest.raises(
        ModelError, match=r"No `recertification_rate` in \[0, 1\] reproduces the 2016 stock with `exit_rate` = 0.2"
    ):
        # Exits alone, 0.2 * 1000 = 200, exceed the 56 firms that left.
        CertifiedStock(exit_rate=0.2).fit({"stock": STOCK, "new": NEW})
    with pytest.raises(ParameterError, match=r"`recertification_sd` must be below"):
        CertifiedStock(recertification_sd=0.5).fit({"stock": STOCK, "new": NEW})
    with pytest.raises(ModelError, match=r"`lapse_rate` cannot be estimated"):
        PatentRatio().fit({"valid": valid.iloc[1:], "grants": grants, "population": population})


def test_forecast_and_simulate_reject_bad_arguments(fitted_stock, fitted_ratio):
    with pytest.raises(ParameterError, match=r"`horizon` must be a positive integer; got 0."):
        fitted_stock.simulate(0, 10)
    with pytest.raises(ParameterError, match=r"`n_paths` must be a positive integer; got 0."):
        fitted_ratio.simulate(2, 0)
    with pytest.raises(ParameterError, match=r"`level` must be a percentage strictly between 0 and 100; got 100"):
        fitted_ratio.forecast(2, level=100)
    with pytest.raises(
        ParameterError, match=r"`target_year` must be after the last observed year 2016; got 2016."
    ):
        fitted_stock.required_new_certifications(1400, 2016)
    with pytest.raises(
        ParameterError, match=r"`target_year` must be after the last observed year 2016; got 2015."
    ):
        fitted_ratio.required_grants(20, 2015)


def test_the_rate_solver_residual_is_the_reconstructions():
    # The solver reads one year's residual without the later years; it must be the reconstruction's.
    from xmforecast.stockflow import _Observed, _reconstruct_rows, _residual_at

    stock = pd.Series([665.0, 720.0, 800.0, 907.0, 1005.0], index=[2011, 2013, 2014, 2015, 2016])
    observed = _Observed.of(stock, pd.Series([150.0, 180.0], index=[2015, 2016]))
    for r, e in [(0.0, 0.0), (0.6, 0.01), (0.95, 0.2)]:
        rows = _reconstruct_rows(observed, r, e, 0.04)[1]
        for k in range(1, len(rows)):
            assert _residual_at(observed, r, e, 0.04, k) == float(rows[k]["residual"])
