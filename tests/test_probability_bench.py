"""The probability benchmark (bench/probability.py): its scores, events and probabilities, on hand-worked examples."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def probability(bench_script):
    """The benchmark script as a module."""
    return bench_script("probability")


def test_brier_by_hand(probability):
    p = np.array([0.9, 0.2, 0.5, 1.0])
    outcome = np.array([True, True, False, False])
    # (0.1^2 + 0.8^2 + 0.5^2 + 1^2) / 4 = (0.01 + 0.64 + 0.25 + 1) / 4
    assert probability.brier(p, outcome) == pytest.approx(1.9 / 4)
    np.testing.assert_allclose(probability.brier(p.reshape(2, 2), outcome.reshape(2, 2), axis=0),
                               [(0.01 + 0.25) / 2, (0.64 + 1) / 2])


def test_log_score_by_hand_with_the_same_clipping_for_everyone(probability):
    p = np.array([0.9, 0.2, 0.5, 1.0])
    outcome = np.array([True, True, False, False])
    # -log of what happened: 0.9, 0.2, 0.5, and 1 - 0.999 (p = 1 clipped) for a miss
    expected = -(math.log(0.9) + math.log(0.2) + math.log(0.5) + math.log(0.001)) / 4
    assert probability.log_score(p, outcome) == pytest.approx(expected)
    assert probability.log_score(np.array([0.0]), np.array([True])) == pytest.approx(-math.log(0.001))
    assert probability.log_score(np.array([0.5, 0.5]), np.array([True, False])) == pytest.approx(math.log(2))


def test_growth_quantiles_use_consecutive_years_of_each_series_only(probability):
    panel = pd.DataFrame({"series_id": ["a"] * 4 + ["b"] * 3,
                          "year": [2000, 2001, 2002, 2004, 2000, 2001, 2002],
                          "value": [100.0, 110.0, 121.0, 999.0, 50.0, 40.0, 60.0]})
    # pairs: a 2000-01 +10 %, 2001-02 +10 % (2002-04 is a gap); b -20 %, +50 %; not a2004 -> b2000
    np.testing.assert_allclose(probability.growth_quantiles(panel, [0.0, 0.5, 1.0]), [-0.2, 0.1, 0.5])


def test_threshold_events(probability):
    last = np.array([100.0, 10.0])
    growth = np.array([-0.1, 0.0, 0.2])
    levels = probability.thresholds(last, growth)
    assert levels.shape == (2, 4, 3)
    np.testing.assert_allclose(levels[0, :, 2], 100 * 1.2 ** np.arange(1, 5))
    np.testing.assert_allclose(levels[1, 1], 10 * np.array([0.81, 1.0, 1.44]))
    actual = np.array([[100.0, 120.0, 172.8, 100.0], [9.0, 10.0, 10.0, 30.0]])
    happened = probability.outcomes(actual, levels)
    assert happened.shape == (2, 4, 3)
    # window 0, h = 3: 172.8 = 100 * 1.2^3 reaches the top threshold (>=), h = 1: 100 only g <= 0
    np.testing.assert_array_equal(happened[0, 2], [True, True, True])
    np.testing.assert_array_equal(happened[0, 0], [True, True, False])
    np.testing.assert_array_equal(happened[1, 0], [True, False, False])  # 9 >= 10 * 0.9
    np.testing.assert_array_equal(happened[0, 3], [True, True, False])


def test_normal_probabilities(probability):
    history = np.array([[10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0]])  # steps mean 0.5, sd sqrt(2.7)
    point = 13 + 0.5 * np.arange(1, 5)
    sd = np.sqrt(2.7) * np.sqrt(np.arange(1, 5) * (1 + np.arange(1, 5) / 6))
    levels = np.stack([point, point + sd, point - 2 * sd], axis=1)[None]
    p = probability.rw_drift_probability(history, levels)
    np.testing.assert_allclose(p[0, :, 0], 0.5)
    np.testing.assert_allclose(p[0, :, 1], 0.15865525, atol=1e-7)
    np.testing.assert_allclose(p[0, :, 2], 0.97724987, atol=1e-7)
    # an 80 % interval's bounds are reached with 10 % and 90 %
    forecast = (np.array([[100.0]]), np.array([[80.0]]), np.array([[120.0]]))
    p = probability.interval_probability(forecast, np.array([[[80.0, 100.0, 120.0]]]))
    np.testing.assert_allclose(p[0, 0], [0.9, 0.5, 0.1])
    # log drift: constant log steps are a point mass on compound growth
    levels = np.tile([[[1.9 * 64, 2.1 * 64]]], (1, 4, 1))
    p = probability.log_drift_probability(2.0 ** np.arange(7)[None, :], levels)
    np.testing.assert_array_equal(p[0, 0], [1.0, 0.0])


def synthetic_china_panel(provinces, years, seed=0) -> pd.DataFrame:
    """Two families of a few provinces growing about 10 % a year with 8 % noise, like reference_panel_cn.csv."""
    rng = np.random.default_rng(seed)
    rows = []
    for province in provinces:
        for family in ("patents", "rd_money"):
            value = rng.uniform(50, 500)
            for year in years:
                rows.append({"series_id": f"t/{family}/{province}", "family": family, "dataset": "t",
                             "item": family, "unit": "-", "entity": province, "year": year, "value": value})
                value *= np.exp(np.log(1.1) + rng.normal(0, 0.08))
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def synthetic(probability):
    """8 provinces calibrated from 2011 (in the test, about 2 s), 2 provinces' windows from 2005 scored.

    Vintages 2011 and 2012 have too little data and are left out: the windows with those
    origins must use the first vintage, 2013, and be flagged.
    """
    calibration_panel = synthetic_china_panel([f"c{i}" for i in range(8)], range(2011, 2022))
    windows = probability.skill.make_windows(synthetic_china_panel(["e0", "e1"], range(2005, 2020), seed=1))
    run = probability.skill.xmforecast_method(calibration_panel, windows, "china_regions")
    return calibration_panel, windows, run


def test_xmforecast_probabilities_are_probabilities_falling_with_growth(probability, synthetic):
    calibration_panel, windows, run = synthetic
    growth = probability.growth_quantiles(calibration_panel)
    assert np.all(np.diff(growth) > 0) and 0.0 < growth[2] < 0.2  # the median near the 10 % built in
    p = probability.xmforecast_probability(run.fits, probability.thresholds(windows.history[:, -1], growth))
    assert p.shape == (len(windows), 4, 5)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(np.diff(p, axis=2) <= 1e-12)  # a higher threshold is never more likely
    # strictly lower for almost every window and horizon (a tiny panel's rule can be extreme)
    assert np.mean(p[:, :, 0] > p[:, :, -1]) > 0.9
    assert p[:, :, 0].mean() > p[:, :, 2].mean() + 0.2 > p[:, :, -1].mean() + 0.4
    # about 10 % growth a year: the median growth is reached about half the time
    assert 0.3 < p[:, :, 2].mean() < 0.7


def test_base_rate_probability_uses_the_vintage_before_the_origin(probability, synthetic):
    calibration_panel, windows, run = synthetic
    growth = np.array([-0.5, 0.1, 1.0])
    p = probability.base_rate_probability(windows, growth, run.calibration)
    assert p.shape == (len(windows), 4, 3)
    assert np.all(p[:, :, 0] > 0.95) and np.all(p[:, :, 2] < 0.05)
    from xmforecast.reference import base_rate

    i = int(np.flatnonzero(windows.origin == 2014)[0])
    assert p[i, 1, 1] == base_rate(0.1, 2, table=run.calibration[2014], family=windows.family[i])


def test_the_vintage_of_a_window_never_exceeds_its_origin(probability, synthetic):
    _, windows, run = synthetic
    assert sorted(set(windows.origin.tolist())) == [2011, 2012, 2013, 2014, 2015]
    available = sorted(run.calibration)
    assert available == [2013, 2014, 2015]
    assert np.all(run.vintage <= windows.origin) == (not run.look_ahead.any())
    for origin, vintage, ahead in zip(windows.origin, run.vintage, run.look_ahead):
        earlier = [v for v in available if v <= origin]
        assert vintage == (max(earlier) if earlier else available[0])
        assert ahead == (not earlier)
        assert ahead or vintage <= origin
    assert run.look_ahead.sum() == np.sum(windows.origin < 2013) == 8
    assert "LOOK-AHEAD: 8 of 20 windows" in probability.skill.vintage_note(run)


def test_overall_table_compares_with_the_best_peer(probability):
    outcome = np.array([True, False, True, False])
    probabilities = {"xmforecast": np.array([0.9, 0.1, 0.9, 0.1]), "rw_drift": np.array([0.8, 0.2, 0.8, 0.2]),
                     "climatology": np.full(4, 0.5)}
    table = probability.overall_table(probabilities, outcome)
    assert table.loc["rw_drift", "vs best peer"] == 1.0
    assert table.loc["xmforecast", "vs best peer"] == pytest.approx(0.01 / 0.04)
    assert table.loc["climatology", "Brier"] == 0.25
    by = probability.breakdown(probabilities, outcome, np.array([1, 1, 2, 2]), probability.brier, "horizon")
    assert by.loc[1, "events"] == 2 and by.loc[2, "base freq %"] == 50.0
    assert by.loc[1, "rw_drift"] == pytest.approx(0.04)


def test_weighted_scores_with_equal_weights_are_the_plain_scores(probability):
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, (5, 4, 3))
    outcome = rng.uniform(0, 1, (5, 4, 3)) < 0.5
    table = probability.weighted_table({"xmforecast": p, "peer": 1 - p}, outcome, np.ones(5))
    assert table.loc["xmforecast", "Brier"] == pytest.approx(probability.brier(p, outcome))
    assert table.loc["xmforecast", "log score"] == pytest.approx(probability.log_score(p, outcome))
    only_first = probability.weighted_table({"xmforecast": p, "peer": p}, outcome, np.array([1.0, 0, 0, 0, 0]))
    assert only_first.loc["xmforecast", "Brier"] == pytest.approx(probability.brier(p[0], outcome[0]))
