"""The calibrated default model: forecasts from the shipped calibration, on any history length."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xmforecast.auto import Auto, growth_features, shrunk_volatility
from xmforecast.model_registry import get_model
from xmforecast.models import AdditiveDrift
from xmforecast.reference import load_vintage, vintages

SEVEN = pd.Series([665.0, 741.0, 820.0, 900.0, 960.0, 1000.0, 1225.0], index=range(2010, 2017))
Z = [round(v, 2) for v in np.linspace(-3.3, 3.3, 23)]


def _flat_calibration(coef: list[float], vintage: int = 2016, n_max: int = 7) -> dict:
    """One vintage whose errors are exactly normal with sd 1 (quantile = z) and a given rule.

    `coef` is ``[b0, b_log_drift, b_additive, b_last]``; shorter histories use its first columns.
    """
    width = {1: 1, 2: 3, 3: 4}
    cells = {str(n): {str(h): {"coef": coef[: width[min(n, 3)]], "quantiles": Z} for h in range(1, 5)}
             for n in range(1, n_max + 1)}
    family = {"volatility": 0.05, "cells": cells, "base_rates": {}, "first_year": 2000, "own_data": True}
    table = {"reference_class": "global", "vintage": vintage, "max_history": n_max, "horizon": 4, "z_grid": Z,
             "min_volatility": 0.005, "max_volatility": 0.6, "max_log_growth": 1.0, "shrinkage": 2.0,
             "families": {"all": family}}
    return {vintage: table}


def test_registered_as_the_default_model():
    assert isinstance(get_model("auto"), Auto)


def test_features_by_hand():
    years, values = np.array([2012, 2013, 2014, 2016]), np.array([100.0, 110.0, 120.0, 160.0])
    f = growth_features(years, values, 2)[0]
    assert f[0] == pytest.approx(math.log(160 / 100) / 4)                      # log drift over 4 years
    assert f[1] == pytest.approx(math.log(1 + 2 * (160 - 100) / 4 / 160) / 2)  # additive drift, 2 years ahead
    assert f[2] == pytest.approx(math.log(160 / 120) / 2)                      # the last step spans two years
    steps = np.diff(np.log(values)) / np.array([1, 1, 2])
    assert f[3] == pytest.approx(np.std(steps, ddof=1))


def test_rule_with_unit_weight_on_additive_drift_is_the_random_walk_with_drift():
    # b_additive = 1: y_T exp(h log(1 + h c) / h) = y_T (1 + h (y_T - y_1) / (span y_T)) = y_T + h delta
    ours = Auto(calibration=_flat_calibration([0.0, 0.0, 1.0, 0.0])).fit(SEVEN).forecast(4)["point"]
    reference = AdditiveDrift().fit(SEVEN).forecast(4)["point"]
    np.testing.assert_allclose(ours.to_numpy(), reference.to_numpy(), rtol=1e-12)


def test_rule_with_unit_weight_on_log_drift_compounds():
    ours = Auto(calibration=_flat_calibration([0.0, 1.0, 0.0, 0.0])).fit(SEVEN).forecast(4)["point"]
    rate = (1225 / 665) ** (1 / 6)
    np.testing.assert_allclose(ours.to_numpy(), 1225 * rate ** np.arange(1, 5), rtol=1e-12)


def test_the_intercept_alone_is_the_class_growth():
    ours = Auto(calibration=_flat_calibration([0.1, 0.0, 0.0, 0.0])).fit(SEVEN).forecast(3)["point"]
    np.testing.assert_allclose(ours.to_numpy(), 1225 * np.exp(0.1 * np.arange(1, 4)), rtol=1e-12)


def test_normal_errors_give_the_lognormal_interval():
    cal = _flat_calibration([0.0, 0.0, 1.0, 0.0])
    fit = Auto(calibration=cal).fit(SEVEN)
    f = fit.forecast(2, level=80)
    pooled = {"panel_volatility": 0.05, "shrinkage": 2.0, "min_volatility": 0.005, "max_volatility": 0.6}
    scale = float(shrunk_volatility(growth_features(SEVEN.index, SEVEN.to_numpy(), 1)[0, 3], 7, pooled))
    z = 1.2815515655446004
    np.testing.assert_allclose(np.log(f["upper"] / f["point"]), z * scale * np.sqrt([1, 2]), rtol=1e-9)
    np.testing.assert_allclose(np.log(f["point"] / f["lower"]), z * scale * np.sqrt([1, 2]), rtol=1e-9)


def test_exceedance_inverts_the_quantiles():
    fit = Auto(calibration=_flat_calibration([0.0, 0.0, 1.0, 0.0])).fit(SEVEN)
    f = fit.forecast(3, level=80)
    p = fit.exceedance(3, [f["lower"].iloc[-1], f["point"].iloc[-1], f["upper"].iloc[-1]])
    np.testing.assert_allclose(p, [0.9, 0.5, 0.1], atol=1e-9)
    paths = fit.simulate(3, 40_000, rng=1).iloc[-1]
    assert fit.exceedance(3, [1500.0])[0] == pytest.approx(float((paths >= 1500).mean()), abs=0.01)


def test_the_vintage_is_the_latest_not_after_the_last_observation():
    cal = {**_flat_calibration([0.0, 0.0, 1.0, 0.0], 2014), **_flat_calibration([0.1, 0.0, 0.0, 0.0], 2018)}
    assert Auto(calibration=cal).fit(SEVEN).params["vintage"] == 2014
    assert Auto(calibration=cal).fit(SEVEN).params["look_ahead"] is False
    early = Auto(calibration=cal).fit(SEVEN.loc[:2012])
    assert early.params["vintage"] == 2014 and early.params["look_ahead"] is True
    assert any("no calibration vintage up to 2012" in str(note) for note in early.notes)


def test_the_shipped_vintages_cover_both_classes():
    assert vintages("china_regions")[0] <= 2012 and vintages("china_regions")[-1] >= 2023
    assert vintages("global")[-1] == 2018
    table = load_vintage("china_regions", 2016)
    assert table["vintage"] == 2016 and {"rd_money", "patents", "tech_market", "all"} <= set(table["families"])
    fit = Auto(family="rd_money", reference_class="china_regions").fit(SEVEN)
    assert (fit.params["vintage"], fit.params["family"], fit.params["reference_class"]) == (
        2016, "rd_money", "china_regions")


def test_an_unknown_family_or_class_is_refused():
    from xmforecast.exceptions import ParameterError

    with pytest.raises(ParameterError, match="`family` must be one of .*got 'money'"):
        Auto(family="money")
    with pytest.raises(ParameterError, match="`reference_class` must be one of .*got 'mars'"):
        Auto(reference_class="mars")


def test_shrinkage_pools_own_and_panel_volatility():
    cal = {"panel_volatility": 0.1, "shrinkage": 2.0, "min_volatility": 0.005, "max_volatility": 0.6}
    # a weighted geometric mean: 2 pseudo-observations of the panel's, 5 degrees of freedom of its own
    assert shrunk_volatility(0.3, 7, cal) == pytest.approx(math.exp((2 * math.log(0.1) + 5 * math.log(0.3)) / 7))
    assert shrunk_volatility(math.nan, 2, cal) == pytest.approx(0.1)
    assert shrunk_volatility(5.0, 7, cal) == pytest.approx(0.6)  # bounded
    # A smooth series keeps much of its own evidence: 0.01 a year becomes 0.019, where pooling
    # variances would give 0.054, five times its own.
    assert shrunk_volatility(0.01, 7, cal) == pytest.approx(0.0193, abs=1e-4)
    assert shrunk_volatility(0.0, 7, cal) == pytest.approx(math.exp((2 * math.log(0.1) + 5 * math.log(0.005)) / 7))


@pytest.mark.parametrize("n", range(1, 9))
def test_every_history_length_gives_finite_ordered_intervals(n):
    fit = Auto().fit(SEVEN.iloc[-n:] if n <= 7 else pd.concat([pd.Series([600.0], index=[2009]), SEVEN]))
    for level in (50, 80, 95, 99.9):
        f = fit.forecast(20, level=level)
        assert np.isfinite(f.to_numpy()).all()
        assert (f["lower"] <= f["point"]).all() and (f["point"] <= f["upper"]).all()
        assert (f["lower"] > 0).all()
    assert fit.evidence == ("outside view" if n == 1 else "own series")


def test_intervals_widen_with_horizon_and_stay_bounded():
    f = Auto().fit(SEVEN).forecast(4, level=80)
    width = (f["upper"] - f["lower"]) / f["point"]
    assert width.is_monotonic_increasing
    assert (width < 20).all()


def test_simulated_marginals_match_the_forecast():
    fit = Auto().fit(SEVEN)
    paths = fit.simulate(3, 40_000, rng=7)
    f = fit.forecast(3, level=80)
    np.testing.assert_allclose(paths.median(axis=1), f["point"], rtol=0.01)
    np.testing.assert_allclose(paths.quantile(0.1, axis=1), f["lower"], rtol=0.02)
    np.testing.assert_allclose(paths.quantile(0.9, axis=1), f["upper"], rtol=0.02)


def test_same_seed_same_paths_other_seed_other_paths():
    fit = Auto().fit(SEVEN)
    pd.testing.assert_frame_equal(fit.simulate(4, 100, rng=3), fit.simulate(4, 100, rng=3))
    assert not fit.simulate(4, 100, rng=3).equals(fit.simulate(4, 100, rng=4))


def test_growth_is_bounded_for_an_explosive_history():
    s = pd.Series(np.exp(np.arange(7) * 3.0), index=range(2010, 2017))
    fit = Auto().fit(s)
    f = fit.forecast(2, level=80)
    bound = load_vintage("global", vintages("global")[-1])["max_log_growth"]
    assert (fit.growth <= bound).all()
    # the median adds only the median error, a small fraction of the spread
    assert f["point"].iloc[-1] <= s.iloc[-1] * math.exp(2 * bound) * 1.01


def test_values_at_or_below_zero_before_the_last_are_left_out():
    s = pd.Series([0.0, 5.0, 7.0, 9.0], index=range(2013, 2017))
    fit = Auto().fit(s)
    assert fit.params["history"] == 3
    assert any("only the later ones" in str(note) for note in fit.notes)


def test_a_last_value_of_zero_is_refused():
    from xmforecast.exceptions import ModelError

    with pytest.raises(ModelError, match="last value > 0"):
        Auto().fit(pd.Series([3.0, 0.0], index=[2015, 2016]))


def test_summary_has_the_contract_schema():
    summary = Auto().fit(SEVEN).summary()
    assert list(summary.columns) == ["value", "note"]
    assert summary.loc["model", "value"] == "auto"


def test_one_history_length_for_every_horizon_keeps_the_path_coherent():
    # vintage 2016 of the Chinese panel knows 4-point histories 1-3 years ahead only, 3-point
    # ones 1-4 years ahead: a 4-point history is forecast with the 3-point rule at every horizon
    s = pd.Series([79.0, 96.4, 103.4, 117.7], index=[2012, 2014, 2015, 2016])
    fit = Auto(family="rd_money", reference_class="china_regions").fit(s)
    table = load_vintage("china_regions", 2016)["families"]["rd_money"]["cells"]
    assert sorted(table["4"]) == ["1", "2", "3"] and sorted(table["3"]) == ["1", "2", "3", "4"]
    three = Auto(family="rd_money", reference_class="china_regions").fit(s.iloc[1:])
    np.testing.assert_array_equal(fit.growth, three.growth)
    assert len(fit.growth) == 4


def _pooled_calibration(weight: float) -> dict:
    """The flat rule, with base rates: the family's yearly log growth uniform on [0, 0.2] at every horizon."""
    cal = _flat_calibration([0.0, 0.0, 1.0, 0.0])
    table = cal[2016]
    table["outside_weight"] = weight
    grid = np.linspace(0.0, 0.2, 51).tolist()
    table["families"]["all"]["base_rates"] = {str(h): {"quantiles": grid, "windows": 100, "entities": 10}
                                              for h in range(1, 6)}
    return cal


def test_the_probability_pools_the_series_view_with_the_family_base_rate():
    own = Auto(calibration=_pooled_calibration(0.0)).fit(SEVEN)
    pooled = Auto(calibration=_pooled_calibration(0.5)).fit(SEVEN)
    table = _pooled_calibration(0.5)[2016]
    from xmforecast.reference import base_rate

    for h, growth in ((1, 0.05), (3, 0.12), (4, 0.30)):
        level = 1225 * (1 + growth) ** h
        base = base_rate(growth, h, table=table, family="other")
        expected = 0.5 * own.exceedance(h, [level])[0] + 0.5 * base
        assert pooled.exceedance(h, [level])[0] == pytest.approx(expected, abs=1e-12)
    # a weight of 0 is the series' own view, as before pooling
    np.testing.assert_allclose(own.forecast(4).to_numpy(), Auto(calibration=_flat_calibration(
        [0.0, 0.0, 1.0, 0.0])).fit(SEVEN).forecast(4).to_numpy(), rtol=0)


def test_the_pooled_forecast_inverts_the_pooled_probability():
    fit = Auto(calibration=_pooled_calibration(0.5)).fit(SEVEN)
    f = fit.forecast(4, level=80)
    for h in range(1, 5):
        p = fit.exceedance(h, [f["lower"].iloc[h - 1], f["point"].iloc[h - 1], f["upper"].iloc[h - 1]])
        np.testing.assert_allclose(p, [0.9, 0.5, 0.1], atol=2e-3)
    # the family grew 0-20 % a year, faster than this series' drift (about 11 %): the pool lies between
    own = Auto(calibration=_pooled_calibration(0.0)).fit(SEVEN).forecast(4)["point"]
    assert (f["point"] != own).all()


def test_simulated_paths_follow_the_pooled_distribution():
    fit = Auto(calibration=_pooled_calibration(0.5)).fit(SEVEN)
    paths = fit.simulate(3, 20000, rng=7)
    for h, year in ((1, 2017), (3, 2019)):
        for level in (1250.0, 1400.0, 1600.0):
            share = float((paths.loc[year] >= level).mean())
            assert share == pytest.approx(fit.exceedance(h, [level])[0], abs=0.015)
