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


def test_every_target_with_a_baseline_and_an_observation_gets_a_probability(evaluation, observations):
    table = evaluation.table
    n_obs = table["indicator"].map(observations.groupby("indicator").size()).fillna(0)
    projectable = (table["base_value"] > 0) & (n_obs >= 1)
    assert projectable.sum() >= 10  # the headline targets and the single 2016 figures
    assert table.loc[projectable, "p_attain"].between(0, 1).all(), table.loc[projectable, ["indicator", "note"]]
    assert table.loc[~projectable, "p_attain"].isna().all()
    assert set(table.loc[projectable, "indicator"]) == set(evaluation.simulations)
    assert set(HEADLINE) <= set(evaluation.simulations)
    assert set(table.loc[projectable, "confidence"]) <= {"high", "medium", "low"}
    assert (table.loc[~projectable, "confidence"] == "").all()
    for year in table.loc[projectable, "expected_year"]:
        assert (isinstance(year, int) and year >= 2017) or year == "after 2035"


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


def test_sensitivity_gives_the_figures_of_one_evaluation_per_value():
    # The evaluations of a sensitivity share their fits: each value must still get its own figures.
    ids = ["hightech_enterprises", "rd_spend"]
    frame = sensitivity("recertification_rate", [0.5, 0.9], ids=ids, n_paths=300, rng=3)
    for rate in (0.5, 0.9):
        alone = evaluate_targets(scenario={"recertification_rate": rate}, ids=ids, n_paths=300, rng=3).table
        got = frame[frame["value"] == rate].set_index("indicator")["p_attain"]
        assert got.to_dict() == alone.set_index("indicator")["p_attain"].to_dict()
    assert frame.groupby("indicator")["p_attain"].nunique()["hightech_enterprises"] == 2


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
    assert 0 < row["p_attain"] < 1 and pd.notna(row["expected_year"])
    f = xmforecast.forecast("patents", observations=obs, indicators=reg, origin=2018, horizon=2)
    assert f["year"].tolist() == [2019, 2020]


def test_a_single_observation_gets_an_outside_view_probability_with_low_confidence(evaluation):
    row = evaluation.table.set_index("indicator").loc["transformation_fund_size"]
    assert 0 <= row["p_attain"] <= 1 and row["confidence"] == "low"
    assert "outside view (panel of real series), low confidence" in row["note"]
    assert evaluation.simulations["transformation_fund_size"].evidence == "outside view"
    assert row["required_growth"] == pytest.approx(1.0)  # 2 亿元 → 4 亿元 in one year
    headline = evaluation.table.set_index("indicator").loc[list(HEADLINE)]
    assert (headline["confidence"] != "low").all() and not headline["note"].str.contains("outside view").any()


def test_backtest_table_reports_the_chosen_model_next_to_its_nominal_coverage():
    table = xmforecast.backtest_table(level=80)
    with_history = {"rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k"}
    assert with_history <= set(table["indicator"])
    chosen = table[table["chosen"].astype(bool)].set_index("indicator")
    assert with_history <= set(chosen.index)
    scored = chosen[chosen["n"] > 0]
    assert (chosen["nominal"] == 80).all() and scored["coverage"].between(0, 1).all()
    assert chosen["coverage"].isna().sum() == (chosen["n"] == 0).sum()  # not backtested: no number
    # The row is the model a forecast uses: the structural model where the registry declares one.
    assert chosen.loc["hightech_enterprises", "model"] == "certified_stock"
    assert chosen.loc["hightech_enterprises", "reason"].startswith("--model auto uses certified_stock")
    assert chosen.loc["rd_spend", "model"] == "auto" and chosen.loc["rd_spend", "evidence"] == "own series"
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
    assert table.loc["hightech_enterprises", "lever"] == stockflow.CertifiedStock.lever
    assert table.loc["hightech_enterprises", "last_observed"] == 281
    grants = table.loc["invention_patents_per_10k"]
    assert grants["last_observed"] == 2028 and 0 < grants["needed_per_year"] < 2028
    # the registry ids that fill each model's lever role, so that the plan's own target for them can be shown
    assert table["lever_indicator"].to_dict() == {"hightech_enterprises": "hightech_new_certified",
                                                  "invention_patents_per_10k": "invention_patent_grants"}


def test_explore_validates_assumptions_like_a_params_file():
    from xmforecast.exceptions import ScenarioError
    from xmforecast.scenarios import Scenario

    with pytest.raises(ScenarioError, match=r"^explore: key 'growth_shift': must be a growth rate"):
        xmforecast.explore("tech_trade", scenario=Scenario(scenario="a"), growth_shift=-2.0)
    fig = xmforecast.explore("tech_trade", scenario=Scenario(scenario="a", lang="en"), n_paths=200)
    assert "the forecast" in fig.axes[0].get_title(loc="left").replace("\n", " ")  # the one verdict
    on_plan = xmforecast.explore(xmforecast.load_plan(), "tech_trade", scenario=Scenario(scenario="a", lang="en"),
                                 n_paths=200)
    assert on_plan.axes[0].get_title(loc="left") == fig.axes[0].get_title(loc="left")


def test_explore_draws_the_given_observations_grades_not_the_shipped_ones():
    from xmforecast.scenarios import Scenario

    obs = xmforecast.load_observations()
    obs.loc[(obs["indicator"] == "tech_trade") & (obs["year"] == 2016), "status"] = "derived"  # e.g. a user's file
    fig = xmforecast.explore("tech_trade", scenario=Scenario(scenario="a", lang="en"), observations=obs, n_paths=200)
    hollow = [line for line in fig.axes[0].lines if line.get_markerfacecolor() == "white"]
    assert hollow and 2016 in set(hollow[0].get_xdata())


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


# --- the registry says which model; nothing else changes a forecast ---------------------------


def _extra_plan(indicators, observations):
    """Two unrelated indicators, with targets, placed before the embedded ones."""
    extra = pd.DataFrame([
        dict(id=f"unrelated_{k}", name_zh="无关", name_en="Unrelated", unit="件", kind="amount",
             direction="increase", base_year=2016, base_value=50.0 * k, base_source="made up, grade A",
             target_year=2018, target_type="level", target_value=80.0 * k, model="auto")
        for k in (1, 2)
    ])
    reg = pd.concat([extra, indicators], ignore_index=True)[list(indicators.columns)]
    rows = [dict(indicator=f"unrelated_{k}", year=y, value=v * k, unit="件", status="published", quality="A",
                 source="made up", quote="") for k in (1, 2) for y, v in zip(range(2012, 2017), [20, 26, 33, 41, 50])]
    obs = pd.concat([pd.DataFrame(rows), observations], ignore_index=True)[list(observations.columns)]
    return reg, obs


def test_adding_unrelated_indicators_leaves_forecasts_byte_identical(indicators, observations):
    reg, obs = _extra_plan(indicators, observations)
    for ind in HEADLINE:
        alone = forecast(ind, observations=observations, indicators=indicators, horizon=3)
        more = forecast(ind, observations=obs, indicators=reg, horizon=3)
        pd.testing.assert_frame_equal(alone, more, check_exact=True)
    a = evaluate_targets(observations, indicators, n_paths=300, rng=5).table.set_index("indicator")
    b = evaluate_targets(obs, reg, n_paths=300, rng=5).table.set_index("indicator").loc[a.index]
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_renaming_the_structural_indicators_changes_no_number(indicators, observations):
    names = {"hightech_enterprises": "firms_held", "hightech_new_certified": "firms_new",
             "invention_patents_per_10k": "ratio_held", "valid_invention_patents": "numerator",
             "invention_patent_grants": "flow_in", "population": "people"}
    back = {v: k for k, v in names.items()}
    reg = indicators.copy()
    reg["id"] = reg["id"].replace(names)
    reg["inputs"] = [{role: names.get(ref, ref) for role, ref in d.items()} if isinstance(d, dict) else d
                     for d in reg["inputs"]]
    obs = observations.assign(indicator=observations["indicator"].replace(names))
    for old, new in (("hightech_enterprises", "firms_held"), ("invention_patents_per_10k", "ratio_held")):
        before = forecast(old, observations=observations, indicators=indicators)
        after = forecast(new, observations=obs, indicators=reg)
        assert after["model"].iloc[0] in ("certified_stock", "patent_ratio")
        pd.testing.assert_frame_equal(before.drop(columns="indicator"), after.drop(columns="indicator"),
                                      check_exact=True)
    a = evaluate_targets(observations, indicators, n_paths=300, rng=2).table
    b = evaluate_targets(obs, reg, n_paths=300, rng=2).table
    b["indicator"] = b["indicator"].replace(back)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    w = xmforecast.what_it_takes(obs, reg)
    w["indicator"] = w["indicator"].replace(back)
    w["lever_indicator"] = w["lever_indicator"].replace(back)  # an id, renamed with the others
    pd.testing.assert_frame_equal(xmforecast.what_it_takes(observations, indicators), w, check_exact=True)


def test_a_structural_forecast_is_the_same_on_every_call():
    first = forecast("hightech_enterprises")
    assert first["model"].iloc[0] == "certified_stock" and first.attrs["reason"] == "structural model"
    pd.testing.assert_frame_equal(first, forecast("hightech_enterprises"), check_exact=True)


def test_missing_structural_inputs_fall_back_to_auto_and_say_which(observations):
    without = observations[observations["indicator"] != "hightech_new_certified"]
    f = forecast("hightech_enterprises", observations=without)
    assert f["model"].iloc[0] == "auto"
    assert "certified_stock inputs missing: new (hightech_new_certified); auto used" in f.attrs["reason"]
    row = evaluate_targets(without, n_paths=300, rng=0, ids=["hightech_enterprises"]).table.iloc[0]
    assert row["model"] == "auto" and "certified_stock inputs missing: new (hightech_new_certified)" in row["note"]


def test_why_a_model_is_used_is_data_a_chinese_page_words_in_chinese(observations):
    """The note a forecast carries is data (its kind, the missing inputs, the calibration, auto's
    own notes): the English is the command line's sentence, the Chinese has no English in it
    but ids, even when a caveat comes first."""
    import re

    without = observations[observations["indicator"] != "hightech_new_certified"]
    why = forecast("hightech_enterprises", observations=without, origin=2012).attrs["why"]
    assert (why.kind, why.model, why.missing) == ("auto", "certified_stock", (("new", "hightech_new_certified"),))
    assert str(why).startswith("certified_stock inputs missing: new (hightech_new_certified); auto used; ")
    one = forecast("rd_spend", observations=observations[observations["year"] >= 2012], origin=2012).attrs["why"]
    for note in (why, one):
        zh = note.say("zh")
        ids = re.sub(r"new \(hightech_new_certified\)", "", zh)  # an input: its role and indicator id
        assert not re.search("[A-Za-z]", ids), zh
        assert note.vintage and str(note.vintage) in zh and "校准" in zh
    assert why.say("zh").startswith("证书存量模型(证书三年有效)的输入缺观测")
    assert one.outside_view and one.notes and "外部视角" in one.say("zh")
    assert one.say("zh").index("外部视角") < one.say("zh").index("校准")  # the caveat first, in Chinese too
    with pytest.raises(ParameterError, match=r"structural model certified_stock of 'hightech_enterprises' needs "
                                             r"observations of new \(hightech_new_certified\)"):
        forecast("hightech_enterprises", observations=without, model="structural")


def test_a_structural_model_asked_for_an_indicator_without_inputs_is_refused():
    with pytest.raises(ParameterError, match=r"model certified_stock needs the inputs stock, new; the registry "
                                             r"declares none for 'tech_trade'"):
        forecast("tech_trade", model="certified_stock")


def test_scenario_settings_reach_the_model_by_its_own_field_names_and_are_refused_by_key():
    from xmforecast.scenarios import Scenario

    low = xmforecast.what_it_takes(scenario={"patent_lapse_rate": 0.0}).set_index("indicator")
    high = xmforecast.what_it_takes(scenario={"patent_lapse_rate": 0.2}).set_index("indicator")
    ind = "invention_patents_per_10k"
    assert "lapses 0.0%/year" in low.loc[ind, "assumptions"] and "lapses 20.0%/year" in high.loc[ind, "assumptions"]
    assert low.loc[ind, "needed_per_year"] < high.loc[ind, "needed_per_year"]
    bad = Scenario.model_construct(**{**Scenario(scenario="x").model_dump(), "patent_lapse_rate": 1.5})
    with pytest.raises(ParameterError, match=r"scenario setting `patent_lapse_rate` = 1.5 is out of the range of "
                                             r"model patent_ratio: `lapse_rate` must be in \[0, 1\]"):
        xmforecast.what_it_takes(scenario=bad)


def test_expected_year_is_simulated_to_2035_or_says_after(tmp_path):
    registry = tmp_path / "city.yaml"
    entry = """
- id: {id}
  name_zh: 专利
  name_en: Patents
  unit: 件
  kind: amount
  direction: increase
  base_year: 2016
  base_value: null
  base_source: city statistics bureau, grade A
  target_year: 2017
  target_type: level
  target_value: {target}
"""
    registry.write_text(entry.format(id="near", target=2000) + entry.format(id="far", target=1e12), encoding="utf-8")
    values = [400, 440, 484, 532, 586, 644, 709, 780]
    rows = [f"{i},{y},{v}" for i in ("near", "far") for y, v in zip(range(2009, 2017), values)]
    data = tmp_path / "city.csv"
    data.write_text("indicator,year,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    reg = xmforecast.load_indicators(registry)
    obs = xmforecast.load_observations(data, indicators=reg, history_file=None)
    ev = evaluate_targets(obs, reg, n_paths=1000, rng=0)
    table = ev.table.set_index("indicator")
    near = table.loc["near", "expected_year"]
    assert isinstance(near, int) and 2016 + 4 < near <= 2035  # beyond the scenario's four years
    assert table.loc["far", "expected_year"] == "after 2035"
    assert int(ev.simulations["near"].paths.index[-1]) == 2020  # the paths kept stop at the horizon


def test_no_indicator_id_of_the_embedded_registry_in_library_code(indicators):
    """The registry names models and inputs; the code names none of Xiamen's indicators.

    An id that is also an input role of a model (``population``) is a word the models use.
    """
    import re
    from pathlib import Path

    from xmforecast.model_registry import MODELS

    roles = {role for spec in MODELS.values() for role in spec.roles}
    package = Path(xmforecast.__file__).parent
    found = []
    for path in sorted(package.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for ind in set(indicators["id"]) - roles:
            found += [f"{path.name}: {ind}" for _ in re.finditer(rf"\b{ind}\b", text)]
    assert found == []


def test_a_forecast_depends_only_on_its_series_family_class_and_vintage(indicators, observations):
    # rd_spend's own series, under another id in a one-indicator plan of another city, with the
    # same family and class: the same numbers to the last bit.
    own = observations[observations["indicator"] == "rd_spend"].assign(indicator="city_rd")
    entry = indicators[indicators["id"] == "rd_spend"].assign(id="city_rd", name_en="City R&D", name_zh="城市研发")
    ours = forecast("rd_spend", observations=observations, indicators=indicators, horizon=4)
    theirs = forecast("city_rd", observations=own, indicators=entry, horizon=4)
    pd.testing.assert_frame_equal(ours.drop(columns="indicator"), theirs.drop(columns="indicator"), check_exact=True)
    assert "Chinese provinces, family rd_money, vintage 2016" in theirs.attrs["reason"]
    # and each of the four does matter
    other_family = forecast("city_rd", observations=own, indicators=entry.assign(family="patents"), horizon=4)
    other_class = forecast("city_rd", observations=own, indicators=entry.assign(reference_class="global"), horizon=4)
    earlier = forecast("city_rd", observations=own, indicators=entry, horizon=4, origin=2015)
    for changed in (other_family, other_class):
        assert not np.allclose(changed["point"], ours["point"])
    assert "vintage 2015" in earlier.attrs["reason"]


def test_every_target_gets_a_base_rate_from_its_family_up_to_the_vintage(evaluation):
    table = evaluation.table.set_index("indicator")
    row = table.loc["rd_spend"]
    assert 0 < row["base_rate"] < 1 and row["vintage"] == 2016 and row["reference_class"] == "china_regions"
    assert row["base_rate_note"].startswith("Chinese provinces' R&D spending grew 20 % or more in a year in ")
    assert row["base_rate_note"].endswith("of province-years 2010-2016.")
    with_rate = table[table["required_growth"].notna()]
    assert with_rate["base_rate"].between(0, 1).all()


#: The computing modules behind the engine's functions, by concern.
COMPUTING = ("engine", "fitting", "simulation", "evaluation", "sensitivity_analysis", "effort", "backtest",
             "targets", "base", "models", "auto", "structural", "stockflow", "patents", "model_registry", "validation")


def test_computing_never_imports_drawing():
    import ast
    from pathlib import Path

    package = Path(xmforecast.__file__).parent
    drawing = {"xmforecast.plots", "xmforecast.explorer", "xmforecast.fonts", "matplotlib"}
    found = []
    for name in COMPUTING:
        for node in ast.walk(ast.parse((package / f"{name}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                module = ".".join(filter(None, ["xmforecast" if node.level else "", node.module or ""]))
                names = [module] + [f"{module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [f"{name}: {n}" for n in names if n.split(".")[0] == "matplotlib" or n in drawing]
    assert found == []


def test_no_module_shadows_a_public_name():
    # Importing a submodule sets the package's attribute of that name, hiding a function of it.
    from pathlib import Path

    package = Path(xmforecast.__file__).parent
    assert [name for name in xmforecast.__all__ if (package / f"{name}.py").exists()] == []
