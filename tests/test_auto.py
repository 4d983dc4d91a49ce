"""The calibrated default model: forecasts from the shipped calibration, on any history length."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xmforecast.auto import Auto, history_features, load_calibration, shrunk_volatility
from xmforecast.models import AdditiveDrift, get_model

SEVEN = pd.Series([665.0, 741.0, 820.0, 900.0, 960.0, 1000.0, 1225.0], index=range(2010, 2017))


def _flat_calibration(coef: list[float], n_max: int = 7) -> dict:
    """A calibration whose errors are exactly normal with sd 1 (quantile = z) and a given rule."""
    z = [round(v, 2) for v in np.linspace(-3.3, 3.3, 23)]
    length = {str(n): {"coef": [coef[: len([0] if n == 2 else [0, 1] if n == 3 else [0, 1, 2])] if n >= 2 else [0.0]] * 4,
                       "quantiles": [z] * 4} for n in range(1, n_max + 1)}
    return {"max_history": n_max, "horizon": 4, "z_grid": z, "panel_volatility": 0.05, "min_volatility": 0.005,
            "max_volatility": 0.6, "max_log_growth": 1.0, "shrinkage": 2.0, "by_length": length}


def test_registered_as_the_default_model():
    assert isinstance(get_model("auto"), Auto)


def test_features_by_hand():
    f = history_features(np.array([2012, 2013, 2014, 2016]), np.array([100.0, 110.0, 120.0, 160.0]))
    assert f[0] == pytest.approx((160 - 100) / 4 / 160)          # mean yearly change over 4 years
    assert f[1] == pytest.approx((160 - 120) / 2 / 160)          # last step spans two years
    assert f[2] == pytest.approx((160 - 100) / 4 / 160)          # the last three steps are the whole history
    steps = np.diff(np.log([100.0, 110.0, 120.0, 160.0])) / np.array([1, 1, 2])
    assert f[3] == pytest.approx(np.std(steps, ddof=1))


def test_rule_with_unit_weight_on_the_mean_change_is_additive_drift():
    # coef 1 on the mean change and 0 elsewhere: y_T (1 + h (y_T - y_1) / (span y_T)) = y_T + h delta
    cal = _flat_calibration([1.0, 0.0, 0.0])
    ours = Auto(calibration=cal).fit(SEVEN).forecast(4)["point"]
    reference = AdditiveDrift().fit(SEVEN).forecast(4)["point"]
    np.testing.assert_allclose(ours.to_numpy(), reference.to_numpy(), rtol=1e-12)


def test_normal_errors_give_the_lognormal_interval():
    cal = _flat_calibration([1.0, 0.0, 0.0])
    fit = Auto(calibration=cal).fit(SEVEN)
    f = fit.forecast(2, level=80)
    scale = float(shrunk_volatility(history_features(SEVEN.index.to_numpy(), SEVEN.to_numpy())[3], 7, cal))
    z = 1.2815515655446004
    np.testing.assert_allclose(np.log(f["upper"] / f["point"]), z * scale * np.sqrt([1, 2]), rtol=1e-9)
    np.testing.assert_allclose(np.log(f["point"] / f["lower"]), z * scale * np.sqrt([1, 2]), rtol=1e-9)


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
    f = Auto().fit(s).forecast(2, level=80)
    assert f["point"].iloc[-1] <= s.iloc[-1] * math.exp(2 * load_calibration()["max_log_growth"]) * (1 + 1e-9)


def test_values_at_or_below_zero_before_the_last_are_left_out():
    s = pd.Series([0.0, 5.0, 7.0, 9.0], index=range(2013, 2017))
    fit = Auto().fit(s)
    assert fit.params["history"] == 3
    assert any("only the later ones" in note for note in fit.notes)


def test_a_last_value_of_zero_is_refused():
    from xmforecast.exceptions import ModelError

    with pytest.raises(ModelError, match="last value > 0"):
        Auto().fit(pd.Series([3.0, 0.0], index=[2015, 2016]))


def test_summary_has_the_contract_schema():
    summary = Auto().fit(SEVEN).summary()
    assert list(summary.columns) == ["value", "note"]
    assert summary.loc["model", "value"] == "auto"
