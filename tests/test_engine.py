"""The engine on the embedded data and on a made-up city."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import xmforecast
from xmforecast.engine import evaluate_targets, forecast, sensitivity, simulate_indicator
from xmforecast.exceptions import ParameterError

HEADLINE = ("rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k")


@pytest.fixture(scope="module")
def evaluation():
    return evaluate_targets(n_paths=2000, rng=7)


def test_every_target_with_a_baseline_and_history_gets_a_probability(evaluation, observations):
    table = evaluation.table
    n_obs = observations.groupby("indicator").size()
    projectable = (table["base_value"] > 0) & (table["indicator"].map(n_obs).fillna(0) >= 2)
    assert projectable.sum() >= 5  # the four headline targets and new certifications
    assert table.loc[projectable, "p_attain"].between(0, 1).all()
    assert table.loc[~projectable, "p_attain"].isna().all()
    assert set(table.loc[projectable, "indicator"]) == set(evaluation.simulations)
    assert set(HEADLINE) <= set(evaluation.simulations)


def test_probability_is_the_share_of_paths_at_the_target(evaluation):
    table = evaluation.table.set_index("indicator")
    paths = evaluation.simulations["tech_trade"].paths
    assert table.loc["tech_trade", "p_attain"] == pytest.approx((paths.loc[2017] >= 60).mean())
    rd = evaluation.simulations["rd_spend"].paths
    assert table.loc["rd_spend", "p_attain"] == pytest.approx((rd.loc[2017] >= 117.7 * 1.2).mean())


def test_structural_models_serve_the_two_structural_targets(evaluation):
    table = evaluation.table.set_index("indicator")
    assert table.loc["hightech_enterprises", "model"] == "certified_stock"
    assert table.loc["invention_patents_per_10k", "model"] == "patent_ratio"


def test_required_path_reaches_the_target(evaluation):
    req = evaluation.required_paths["hightech_enterprises"]
    assert req[2016] == pytest.approx(1225) and req[2017] == pytest.approx(1400)


def test_same_seed_same_answer_different_seed_different_paths():
    a = simulate_indicator("tech_trade", n_paths=500, rng=3)
    b = simulate_indicator("tech_trade", n_paths=500, rng=3)
    c = simulate_indicator("tech_trade", n_paths=500, rng=4)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    assert not np.allclose(a.paths.to_numpy(), c.paths.to_numpy())


def test_growth_shift_raises_every_path_by_compound_factor():
    base = simulate_indicator("rd_spend", n_paths=300, rng=1, horizon=3, model="drift")
    shifted = simulate_indicator("rd_spend", n_paths=300, rng=1, horizon=3, model="drift",
                                 scenario={"growth_shift": 0.05})
    ratio = shifted.paths / base.paths
    assert np.allclose(ratio.loc[2017], 1.05) and np.allclose(ratio.loc[2019], 1.05 ** 3)


def test_at_required_rate_puts_the_median_on_the_required_path():
    req = xmforecast.required_path(2016, 45.16, 2017, 60.0, last_year=2020)
    sim = simulate_indicator("tech_trade", n_paths=1001, rng=2, scenario={"at_required_rate": True}, required_path=req)
    assert np.allclose(sim.paths.median(axis=1).to_numpy(), req.loc[2017:2020].to_numpy())


def test_volatility_scale_widens_the_spread_around_the_same_median():
    base = simulate_indicator("tech_trade", n_paths=1001, rng=5)
    wide = simulate_indicator("tech_trade", n_paths=1001, rng=5, scenario={"volatility_scale": 2.0})
    assert np.allclose(base.paths.median(axis=1), wide.paths.median(axis=1))
    spread = lambda p: (p.quantile(0.9, axis=1) / p.quantile(0.1, axis=1)).to_numpy()  # noqa: E731
    assert (spread(wide.paths) > spread(base.paths)).all()


def test_sensitivity_to_new_certifications_is_monotone():
    frame = sensitivity("new_certifications", [150, 250, 350], ids=["hightech_enterprises"], n_paths=1000, rng=0)
    p = frame.sort_values("value")["p_attain"].to_numpy()
    assert len(p) == 3 and p[0] < p[1] < p[2]
    with pytest.raises(ParameterError, match="unknown scenario parameter 'speed'"):
        sensitivity("speed", [1])


def test_forecast_as_of_an_origin_ignores_later_data():
    f = forecast("hightech_enterprises", origin=2014, horizon=2, model="drift")
    # drift on 2011, 2013, 2014: mean log growth over three years
    growth = (907 / 665) ** (1 / 3)
    assert f["year"].tolist() == [2015, 2016]
    assert f["point"].iloc[0] == pytest.approx(907 * growth, rel=1e-6)


def test_forecast_argument_errors():
    with pytest.raises(ParameterError, match=r"`origin` 2005 is before the first observation of 'tech_trade' \(2010\)"):
        forecast("tech_trade", origin=2005)
    with pytest.raises(ParameterError, match="no structural model for 'tech_trade'"):
        forecast("tech_trade", model="structural")


def test_a_made_up_city(tmp_path):
    """Another city's registry and data: no Xiamen file is read but the seed-free registry."""
    registry = tmp_path / "city.yaml"
    registry.write_text(
        """
- id: patents
  name_zh: 专利授权
  name_en: Patent grants
  unit: 件
  kind: flow
  direction: increase
  base_year: 2020
  base_value: null
  base_source: city statistics bureau, grade A
  target_year: 2022
  target_type: flow
  target_value: 1500
""",
        encoding="utf-8",
    )
    data = tmp_path / "city.csv"
    rows = "\n".join(f"patents,{y},{v}" for y, v in zip(range(2013, 2021), [600, 660, 700, 800, 850, 950, 1000, 1100]))
    data.write_text("indicator,year,value\n" + rows + "\n", encoding="utf-8")
    reg = xmforecast.load_indicators(registry)
    obs = xmforecast.load_observations(data, indicators=reg, history_file=None)
    table = xmforecast.assess_targets(obs, reg, n_paths=2000, rng=0).set_index("indicator")
    row = table.loc["patents"]
    assert row["base_value"] == 1100
    assert row["required_growth"] == pytest.approx((1500 / 1100) ** 0.5 - 1)
    assert row["observed_growth"] == pytest.approx((1100 / 850) ** (1 / 3) - 1)  # window 2017..2020
    assert 0 < row["p_attain"] < 1 and not math.isnan(row["expected_year"])
    f = xmforecast.forecast("patents", observations=obs, indicators=reg, origin=2018, horizon=2)
    assert f["year"].tolist() == [2019, 2020]


def test_a_single_observation_gets_no_probability(evaluation):
    row = evaluation.table.set_index("indicator").loc["transformation_fund_size"]
    assert math.isnan(row["p_attain"]) and "one observation only (2016)" in row["note"]
    assert row["required_growth"] == pytest.approx(1.0)  # 2 亿元 → 4 亿元 in one year


def test_backtest_table_reports_the_chosen_model_next_to_its_nominal_coverage():
    table = xmforecast.backtest_table(level=80)
    with_history = {"rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k"}
    assert with_history <= set(table["indicator"])
    chosen = table[table["chosen"].astype(bool)].set_index("indicator")
    assert with_history <= set(chosen.index)
    assert (chosen["nominal"] == 80).all() and chosen["coverage"].between(0, 1).all()
    assert (chosen["sigma_scale"] >= 1).all()  # intervals are widened, never narrowed
    assert chosen.loc["hightech_enterprises", "reason"].startswith("auto uses the structural model")
    pooled = table[table["indicator"] == "all"].set_index("model")
    drift = table[(table["indicator"] != "all") & (table["model"] == "drift")]
    assert pooled.loc["drift", "n"] == drift["n"].sum()


def test_what_it_takes_matches_the_structural_inverses():
    from xmforecast import stockflow

    table = xmforecast.what_it_takes().set_index("indicator")
    obs = xmforecast.load_observations()
    stock = stockflow.CertifiedStock().fit({"stock": xmforecast.series(obs, "hightech_enterprises"),
                                            "new": xmforecast.series(obs, "hightech_new_certified")})
    assert table.loc["hightech_enterprises", "needed_per_year"] == pytest.approx(
        stock.required_new_certifications(1400, 2017))
    assert table.loc["hightech_enterprises", "last_observed"] == 281
    grants = table.loc["invention_patents_per_10k"]
    assert grants["last_observed"] == 2028 and 0 < grants["needed_per_year"] < 2028


def test_explore_validates_assumptions_like_a_params_file():
    from xmforecast.exceptions import ScenarioError
    from xmforecast.scenarios import Scenario

    with pytest.raises(ScenarioError, match=r"^explore: key 'growth_shift': must be a growth rate"):
        xmforecast.explore("tech_trade", scenario=Scenario(scenario="a"), growth_shift=-2.0)
    fig = xmforecast.explore("tech_trade", scenario=Scenario(scenario="a", lang="en"), n_paths=200)
    assert "P(attain)" in fig.axes[0].get_title(loc="left")


def test_targets_as_of_an_earlier_origin_keep_going_where_data_are_missing():
    table = xmforecast.assess_targets(origin=2014, n_paths=500, rng=0).set_index("indicator")
    assert "no observation up to 2014" in table.loc["tech_giant_new", "note"]
    assert 0 <= table.loc["hightech_enterprises", "p_attain"] <= 1  # simulated from 2011-2014 data
    assert table.loc["hightech_enterprises", "observed_growth"] == pytest.approx((907 / 665) ** (1 / 3) - 1)


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_rates_at_the_edges_are_simulated_not_refused(rate):
    ev = evaluate_targets(scenario={"recertification_rate": rate, "patent_lapse_rate": rate}, n_paths=300, rng=0,
                          ids=["hightech_enterprises", "invention_patents_per_10k"])
    assert ev.table["p_attain"].between(0, 1).all(), ev.table["note"].tolist()
    assert not xmforecast.what_it_takes(scenario={"recertification_rate": rate})["needed_per_year"].isna().any()
