"""The skill benchmark's metrics, split and windows (bench/skill.py), on hand-computed examples."""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def skill(bench_script):
    """The benchmark script as a module."""
    return bench_script("skill")


# Two windows, two horizons, worked by hand:
#   errors |y - f|     10, 11 | 0, 10      relative  0.1, 0.1 | 0, 0.25
#   scales             mean |diff| of (80, 85, 95, 100) = 20/3; of (50, 52, 50, 50) = 4/3
#   inside [l, u]      yes, yes | yes, no (40 < 45)
#   interval score     10, 20 | 10, 10 + 2/0.2 * (45 - 40) = 60
ACTUAL = np.array([[100.0, 110.0], [50.0, 40.0]])
POINT = np.array([[90.0, 121.0], [50.0, 50.0]])
LOWER = np.array([[95.0, 100.0], [45.0, 45.0]])
UPPER = np.array([[105.0, 120.0], [55.0, 55.0]])
HISTORY = np.array([[80.0, 85.0, 95.0, 100.0], [50.0, 52.0, 50.0, 50.0]])


def test_mape_overall_and_by_horizon(skill):
    assert skill.mape(ACTUAL, POINT) == pytest.approx(100 * (0.1 + 0.1 + 0 + 0.25) / 4)
    np.testing.assert_allclose(skill.mape(ACTUAL, POINT, axis=0), [5.0, 17.5])


def test_mase(skill):
    scale = skill.mase_scale(HISTORY)
    np.testing.assert_allclose(scale, [20 / 3, 4 / 3])
    expected = (10 / (20 / 3) + 11 / (20 / 3) + 0 / (4 / 3) + 10 / (4 / 3)) / 4
    assert skill.mase(ACTUAL, POINT, scale) == pytest.approx(expected)


def test_flat_history_is_left_out_of_mase(skill):
    scale = skill.mase_scale(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]))
    assert scale[0] == 1.0 and np.isnan(scale[1])
    assert skill.mase(ACTUAL, POINT, scale) == pytest.approx((10 + 11) / 2)


def test_coverage(skill):
    assert skill.coverage(ACTUAL, LOWER, UPPER) == 0.75
    np.testing.assert_allclose(skill.coverage(ACTUAL, LOWER, UPPER, axis=0), [1.0, 0.5])


def test_interval_score_and_msis(skill):
    np.testing.assert_allclose(skill.interval_score(ACTUAL, LOWER, UPPER, alpha=0.2), [[10, 20], [10, 60]])
    # above the upper bound counts the same way: width 10 + 10 * (130 - 105)
    assert skill.interval_score(np.array([130.0]), np.array([95.0]), np.array([105.0]), 0.2)[0] == 260
    scale = skill.mase_scale(HISTORY)
    expected = (10 / (20 / 3) + 20 / (20 / 3) + 10 / (4 / 3) + 60 / (4 / 3)) / 4
    assert skill.msis(ACTUAL, LOWER, UPPER, scale, alpha=0.2) == pytest.approx(expected)


def test_relative_width(skill):
    np.testing.assert_allclose(skill.relative_width(LOWER, UPPER, POINT), [[10 / 90, 20 / 121], [0.2, 0.2]])


def test_score_row_leaves_points_at_or_below_zero_out_of_the_widths(skill):
    point = np.array([[90.0, 0.0], [50.0, -5.0]])
    row = skill.score(ACTUAL, (point, LOWER, UPPER), skill.mase_scale(HISTORY))
    assert row["point<=0"] == 2
    assert row["width mean"] == pytest.approx((10 / 90 + 10 / 50) / 2)
    assert row["width max"] == pytest.approx(0.2)
    assert row["cover %"] == 75.0
    assert row["MAPE h1"] == pytest.approx(5.0)


def test_rw_drift_textbook_interval(skill):
    history = np.array([[10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 13.0]])
    point, lower, upper = skill.rw_drift(history)
    h = np.arange(1, 5)
    np.testing.assert_allclose(point[0], 13 + 0.5 * h)
    sd = np.sqrt(6 * 1.5**2 / 5)
    z = NormalDist().inv_cdf(0.9)
    np.testing.assert_allclose(upper[0] - point[0], z * sd * np.sqrt(h * (1 + h / 6)))
    np.testing.assert_allclose(point[0] - lower[0], z * sd * np.sqrt(h * (1 + h / 6)))


def test_naive_and_last_growth_points(skill):
    history = np.array([[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]])
    point, lower, upper = skill.naive(history)
    np.testing.assert_allclose(point[0], 64.0)
    np.testing.assert_allclose([lower[0], upper[0]], [[64.0] * 4] * 2)  # constant log steps: no spread
    point, lower, upper = skill.last_growth(history)
    np.testing.assert_allclose(point[0], [128.0, 256.0, 512.0, 1024.0])


def test_windows_are_runs_of_eleven_years_and_thinned_evenly(skill):
    years = np.arange(2000, 2014)  # 14 years: 4 windows
    panel = pd.DataFrame({"series_id": "p/d/c/all", "year": years, "value": np.arange(1.0, 15.0)})
    windows = skill.make_windows(panel)
    assert len(windows) == 4 and windows.available == 4
    np.testing.assert_array_equal(windows.history[1], np.arange(2.0, 9.0))
    np.testing.assert_array_equal(windows.actual[1], [9.0, 10.0, 11.0, 12.0])
    np.testing.assert_array_equal(windows.years[1], np.arange(2001, 2008))
    thinned = skill.make_windows(panel, max_per_series=2)
    assert len(thinned) == 2 and thinned.available == 4
    np.testing.assert_array_equal(thinned.years[:, 0], [2000, 2003])


def _toy_panel() -> pd.DataFrame:
    rows = []
    for dataset, entities in (("A", ["x", "y", "z"]), ("B", ["all"]), ("C", ["1", "2", "3", "4"])):
        for entity in entities:
            for column in ("u", "v"):
                for year in range(2000, 2011 + len(entity) + len(rows) % 3):
                    rows.append({"package": "p", "dataset": dataset, "column": column, "entity": entity,
                                 "series_id": f"p/{dataset}/{column}/{entity}", "year": year, "value": 1.0})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("which", ["toy", "global", "china"])
def test_split_panel_keeps_every_entity_on_one_side(skill, which):
    panel = _toy_panel() if which == "toy" else skill.load_panel(which)
    calibration, evaluation = skill.split_panel(panel)
    assert len(calibration) + len(evaluation) == len(panel)
    assert len(calibration) > 0 and len(evaluation) > 0
    assert not set(skill.entity_groups(calibration)) & set(skill.entity_groups(evaluation))
    again = skill.split_panel(panel)
    pd.testing.assert_frame_equal(again[0], calibration)
    pd.testing.assert_frame_equal(again[1], evaluation)


def test_missing_xmforecast_api_is_reported_not_raised(skill):
    def missing():
        raise ImportError("No module named 'xmforecast.calibration'")

    run = skill.xmforecast_method(pd.DataFrame(), skill.make_windows(_toy_panel()), get_api=missing)
    assert run.forecast is None and "xmforecast.calibration" in run.reason


def test_real_errors_of_xmforecast_are_not_swallowed(skill):
    def calibrate(panel, **options):
        raise ValueError("bad panel")

    with pytest.raises(ValueError, match="bad panel"):
        skill.xmforecast_method(pd.DataFrame(), skill.make_windows(_toy_panel()),
                                get_api=lambda: (calibrate, None))


def test_xmforecast_is_calibrated_on_the_windows_origins_with_their_families(skill):
    seen = {}

    def calibrate(panel, *, vintages, reference_class):
        seen["vintages"], seen["class"] = list(vintages), reference_class
        return {v: {} for v in vintages if v >= 2011}

    def get_model(name, *, calibration, family, reference_class):
        seen.setdefault("families", set()).add(family)
        return _FixedModel(min(calibration))

    panel = _toy_panel().assign(family=lambda d: d["dataset"].map({"A": "patents", "B": "firms", "C": "made_up"}))
    windows = skill.make_windows(panel)
    run = skill.xmforecast_method(panel, windows, "china_regions", get_api=lambda: (calibrate, get_model))
    assert seen["vintages"] == sorted(set(windows.origin.tolist())) and seen["class"] == "china_regions"
    assert seen["families"] == {"patents", "firms", "other"}  # a family xmforecast does not know: the class
    np.testing.assert_array_equal(run.look_ahead, windows.origin < 2011)
    assert run.look_ahead.any() and not run.look_ahead.all()
    assert run.forecast[0].shape == (len(windows), 4)


class _FixedModel:
    """A stand-in for ``get_model(...)``: every fit reports `vintage` and forecasts the last value."""

    def __init__(self, vintage):
        self.vintage = vintage

    def fit(self, series):
        vintage = self.vintage

        class Fit:
            params = {"vintage": vintage}

            @staticmethod
            def forecast(horizon, level):
                years = range(series.index[-1] + 1, series.index[-1] + 1 + horizon)
                return pd.DataFrame({"point": series.iloc[-1], "lower": 0.0, "upper": 2 * series.iloc[-1]},
                                    index=years)

        return Fit()


def test_log_drift_is_a_random_walk_with_drift_on_the_logs(skill):
    logs = np.array([0.0, 0.1, 0.3, 0.4, 0.6, 0.7, 0.9])  # steps 0.1, 0.2, ...: mean 0.15
    point, lower, upper = skill.log_drift(np.exp(logs)[None, :])
    h = np.arange(1, 5)
    np.testing.assert_allclose(point[0], np.exp(0.9 + 0.15 * h))
    s = np.sqrt(6 * 0.05**2 / 5)
    z = NormalDist().inv_cdf(0.9)
    np.testing.assert_allclose(np.log(upper[0] / point[0]), z * s * np.sqrt(h * (1 + h / 6)))
    np.testing.assert_allclose(np.log(point[0] / lower[0]), z * s * np.sqrt(h * (1 + h / 6)))


def test_china_windows_carry_their_family_and_split_by_province(skill):
    panel = _toy_panel().drop(columns=["package", "dataset"])
    panel["family"] = np.where(panel["column"] == "u", "patents", "rd_money")
    panel["series_id"] = panel["series_id"].str.replace("/u/", "/patents/").str.replace("/v/", "/rd_money/")
    windows = skill.make_windows(panel)
    assert set(windows.family) == {"patents", "rd_money"}
    assert all(f"/{f}/" in s for f, s in zip(windows.family, windows.series_id))
    np.testing.assert_array_equal(windows.origin, windows.years[:, -1])
    groups = skill.entity_groups(panel)
    assert groups.equals(panel["entity"].astype(str))  # the province alone, without package/dataset
    calibration, evaluation = skill.split_panel(panel)
    assert not set(calibration["entity"]) & set(evaluation["entity"])
    toy = skill.make_windows(_toy_panel())
    assert toy.family.tolist() == ["other"] * len(toy)


def test_family_table_scores_each_family_apart(skill):
    family = np.array(["a", "b"])
    table = skill.family_table(ACTUAL, {"m": (POINT, LOWER, UPPER)}, skill.mase_scale(HISTORY), family)
    assert table.loc[("a", "m"), "MAPE %"] == pytest.approx(10.0)
    assert table.loc[("b", "m"), "MAPE %"] == pytest.approx(12.5)
    assert table.loc[("b", "m"), "cover %"] == 50.0
    assert table.loc[("a", "m"), "MSIS"] == pytest.approx((10 + 20) / 2 / (20 / 3))


def test_fold_1_swaps_the_calibration_and_evaluation_parts(skill):
    panel = _toy_panel()
    calibration, evaluation = skill.split_panel(panel, 0)
    swapped = skill.split_panel(panel, 1)
    pd.testing.assert_frame_equal(swapped[0], evaluation)
    pd.testing.assert_frame_equal(swapped[1], calibration)


def test_point_rules_are_scored_against_rw_drift(bench_script):
    module = bench_script("point_rules")
    history = np.array([[100.0, 104, 108, 112, 116, 120, 124], [50.0, 55, 52, 58, 60, 59, 65]])
    forecasts = module.rules(history)
    assert all(point.shape == (2, 4) for point in forecasts.values())
    np.testing.assert_allclose(forecasts["rw_drift"][0], [128, 132, 136, 140])
    np.testing.assert_allclose(forecasts["naive"][1], 65)
    np.testing.assert_allclose(forecasts["damped drift, phi 0.9"][0], 124 + 4 * np.cumsum(0.9 ** np.arange(1, 5)))
    table = module.table(forecasts["rw_drift"] * 1.1, forecasts)
    assert table.loc["rw_drift", "vs rw_drift"] == 1.0
    assert table.loc["rw_drift", "MAPE %"] == pytest.approx(100 / 11)
    assert table["MAPE %"].is_monotonic_increasing


def test_weighted_table_with_equal_weights_is_the_plain_score_and_entities_reweigh(skill):
    rng = np.random.default_rng(0)
    actual = rng.uniform(50, 150, (6, 4))
    point = actual * rng.uniform(0.8, 1.2, (6, 4))
    forecasts = {"rw_drift": (point, point * 0.9, point * 1.1), "other": (actual, actual * 0.95, actual * 1.05)}
    scale = np.full(6, 10.0)
    table = skill.weighted_table(actual, forecasts, scale, np.full(6, 1 / 6))
    plain = skill.score(actual, forecasts["rw_drift"], scale)
    for column in ("MAPE %", "cover %", "cov h1", "cov h4", "MSIS"):
        assert table.loc["rw_drift", column] == pytest.approx(plain[column])
    # five windows of one entity and one of another: the lone window weighs half
    weights = skill.entity_weights(np.array(["a"] * 5 + ["b"]))
    assert weights[-1] == pytest.approx(0.5) and weights.sum() == pytest.approx(1.0)
    weighted = skill.weighted_table(actual, forecasts, scale, weights)
    error = (np.abs(actual - point) / actual).mean(axis=1)
    assert weighted.loc["rw_drift", "MAPE %"] == pytest.approx(100 * (error[:5].mean() / 2 + error[5] / 2))


def test_evaluate_without_leaves_a_package_out_of_the_scored_part_only(skill):
    part = pd.DataFrame({"package": ["dslabs", "AER", "dslabs"], "series_id": ["a", "b", "c"], "value": [1.0, 2.0, 3.0]})
    assert skill.without_packages(part, ["dslabs"])["series_id"].tolist() == ["b"]
    assert skill.without_packages(part, []).equals(part)
    china = part.drop(columns="package")  # the Chinese panel has no package column: kept whole
    assert skill.without_packages(china, ["dslabs"]).equals(china)
