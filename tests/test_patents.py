"""Tests of the patent ratio model against hand-worked arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xmforecast.exceptions import ParameterError
from xmforecast.patents import PatentRatio, per_10k, required_grants, valid_stock

# Xiamen's published valid patents, grants and population: the `patent_history` fixture (conftest).


# ---------------------------------------------------------------------------
# patents per 10,000 residents
# ---------------------------------------------------------------------------


def test_per_10k_and_lapse_reconciliation_2016(fitted_ratio):
    # 7291 / 388.9 = 18.7478 ~ 18.75; 5552 + 2028 - 7291 = 289 lapsed; 289 / 5552 = 0.05205.
    assert per_10k(7291.0, 388.9) == pytest.approx(18.75, abs=0.005)
    assert 5552 + 2028 - 7291 == 289
    assert fitted_ratio.lapse_rate == pytest.approx(289 / 5552, rel=1e-12)
    assert fitted_ratio.lapse_rate == pytest.approx(0.0521, abs=5e-5)
    assert valid_stock(5552.0, [2028.0], 289 / 5552)[0] == pytest.approx(7291.0, rel=1e-12)
    assert fitted_ratio.history.loc[2016, "lapsed"] == 289.0


def test_valid_stock_two_years_by_hand():
    # 1000 * 0.9 + 200 = 1100; 1100 * 0.9 + 50 = 1040.
    np.testing.assert_allclose(valid_stock(1000.0, [200.0, 50.0], 0.1), [1100.0, 1040.0])
    grants = pd.Series([200.0, 50.0], index=[2017, 2018])
    out = valid_stock(1000.0, grants, 0.1)
    assert isinstance(out, pd.Series) and out[2018] == pytest.approx(1040.0)


def test_ratio_growth_estimates_and_2017_point(fitted_ratio):
    g = (2028 / 449) ** (1 / 6) - 1
    p = (388.9 / 353.13) ** (1 / 6) - 1
    assert fitted_ratio.grants_growth == pytest.approx(g)
    assert fitted_ratio.population_growth == pytest.approx(p)
    # 2017: (7291 (1 - 289/5552) + 2028 (1 + g)) / (388.9 (1 + p)).
    expected = (7291 * (1 - 289 / 5552) + 2028 * (1 + g)) / (388.9 * (1 + p))
    assert fitted_ratio.forecast(1).loc[2017, "point"] == pytest.approx(expected, rel=1e-12)


def test_required_grants_for_20_per_10k(fitted_ratio):
    lapse = 289 / 5552
    p = (388.9 / 353.13) ** (1 / 6) - 1
    # 2017: 20 * P_2017 = 7291 (1 - lapse) + n.
    n_2017 = fitted_ratio.required_grants(20, 2017)
    assert n_2017 == pytest.approx(20 * 388.9 * (1 + p) - 7291 * (1 - lapse), rel=1e-12)
    for year in (2017, 2020):
        n = fitted_ratio.required_grants(20, year)
        population = 388.9 * (1 + p) ** (year - 2016)
        valid = valid_stock(7291.0, np.full(year - 2016, n), lapse)
        assert per_10k(valid[-1], population) == pytest.approx(20.0, rel=1e-12)


def test_required_grants_pure_by_hand():
    # Two years, lapse 0.1, population 400: 20*400 = 1000*0.81 + n(1 + 0.9) -> n = 7190/1.9.
    assert required_grants(20.0, 2, 1000.0, 400.0, 0.1) == pytest.approx(7190 / 1.9)


def test_ratio_uses_observed_grants_after_the_valid_stock(patent_history):
    VALID, GRANTS, POPULATION = patent_history
    # Grants for 2017 are known (2500): with the lapse rate and population fixed,
    # every path is (7291 (1 - 289/5552) + 2500) / (388.9 (1 + p)), whatever the grants' scatter.
    grants = pd.concat([GRANTS, pd.Series([2500.0], index=[2017])])
    fitted = PatentRatio(lapse_sd=0.0, population_growth_sd=0.0).fit({"valid": VALID, "grants": grants, "population": POPULATION})
    p = (388.9 / 353.13) ** (1 / 6) - 1
    expected = (7291 * (1 - 289 / 5552) + 2500) / (388.9 * (1 + p))
    np.testing.assert_allclose(fitted.simulate(1, 50, rng=3).to_numpy(), expected, rtol=1e-12)
    assert fitted.forecast(1).loc[2017, "point"] == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lapse_rate": 1.5}, r"`lapse_rate` must be in \[0, 1\]; got 1.5."),
        ({"grants_sd": -1.0}, r"`grants_sd` must be a finite number >= 0; got -1.0."),
        ({"population_growth": -2.0}, r"`population_growth` must be a finite fraction > -1"),
    ],
)
def test_patent_ratio_spec_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        PatentRatio(**kwargs)


def test_damped_grants_growth_by_hand():
    valid = pd.Series([5552.0, 7291.0], index=[2015, 2016])
    grants = pd.Series([1691.0, 2028.0], index=[2015, 2016])
    population = pd.Series([380.3, 388.9], index=[2015, 2016])
    spec = PatentRatio(grants_growth=0.2, grants_damping=0.5, population_growth=0.0)
    point = spec.fit({"valid": valid, "grants": grants, "population": population}).forecast(2)["point"]
    lapse = 289 / 5552  # 5552 + 2028 - 7291 lapsed in 2016
    v2017 = 7291 * (1 - lapse) + 2028 * 1.2  # first year: the full growth
    v2018 = v2017 * (1 - lapse) + 2028 * 1.2 ** 1.5  # second year: half of it on top
    assert point.loc[2017] == pytest.approx(v2017 / 388.9, rel=1e-9)
    assert point.loc[2018] == pytest.approx(v2018 / 388.9, rel=1e-9)
    with pytest.raises(ParameterError, match=r"`grants_damping` must be in \(0, 1\]; got 0"):
        PatentRatio(grants_damping=0)
