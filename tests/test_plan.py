"""The Plan value: one entry point for a plan's registry, observations and origin."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import xmforecast
from xmforecast import Plan
from xmforecast.exceptions import DataError, ParameterError

CITY = Path(__file__).resolve().parent.parent / "examples" / "lakeside"


@pytest.fixture(scope="module")
def city():
    return Plan.from_files(indicators=CITY / "indicators.yaml", data=CITY / "observations.csv")


def _registry(**changes):
    row = {"id": "hubs", "name_en": "Hubs", "unit": "hubs", "kind": "stock", "direction": "increase",
           "base_year": 2021, "base_value": 12.0, "base_source": "register",
           "target_year": 2025, "target_type": "level", "target_value": 20.0}
    row.update(changes)
    return pd.DataFrame([row])


def test_from_files_holds_only_the_citys_indicators_and_data(city):
    assert city.ids == ["research_spending", "startups_founded", "coworking_hubs", "patent_filings",
                        "energy_intensity"]
    assert set(city.observations["indicator"]) == set(city.ids)
    assert not city.observations["source"].str.contains("厦门|seed document").any()
    assert city.history("coworking_hubs").loc[2023] == 27


def test_the_default_plan_is_the_embedded_one():
    plan = xmforecast.load_plan()
    assert plan.name == "embedded" and "tech_trade" in plan.ids
    assert plan.history("tech_trade").loc[2016] == 45.16
    assert len(plan.history("tech_trade")) > 1  # the shipped history is part of the embedded plan


def test_a_plan_is_immutable_and_hands_out_copies(city):
    with pytest.raises(dataclasses.FrozenInstanceError):
        city.origin = 2020
    obs, reg, hist = city.observations, city.indicators, city.history("coworking_hubs")
    obs["value"] = 0.0
    reg["unit"] = "x"
    hist[2023] = 0.0
    assert city.history("coworking_hubs").loc[2023] == 27 and city.indicators["unit"].iloc[2] == "hubs"


def test_with_origin_ignores_later_years(city):
    early = city.with_origin(2020)
    assert early.history("coworking_hubs").index.max() == 2020 and city.origin is None
    assert early.observations["year"].max() == 2020
    with pytest.raises(ParameterError, match="before the plan's first observation"):
        city.with_origin(1990)


def test_methods_match_the_engine_functions(city):
    obs, reg = xmforecast.load_observations(CITY / "observations.csv", indicators=city.indicators), city.indicators
    expected = xmforecast.forecast("coworking_hubs", observations=obs, indicators=reg, horizon=2)
    pd.testing.assert_frame_equal(city.forecast("coworking_hubs", horizon=2), expected)
    table = city.assess_targets(n_paths=300, rng=1)
    pd.testing.assert_frame_equal(table, xmforecast.assess_targets(obs, reg, n_paths=300, rng=1))
    assert table["indicator"].tolist() == city.ids


def test_repeated_calls_are_answered_from_the_cache(city, monkeypatch):
    import xmforecast.evaluation as evaluation

    first = city.assess_targets(n_paths=200, rng=3)
    monkeypatch.setattr(evaluation, "evaluate_targets", lambda *a, **k: pytest.fail("not cached"))
    again = city.assess_targets(n_paths=200, rng=3)
    pd.testing.assert_frame_equal(first, again)
    again.loc[:, "p_attain"] = -1.0  # a caller's change does not reach the cache
    assert (city.assess_targets(n_paths=200, rng=3)["p_attain"].fillna(0) >= 0).all()


def test_from_frames_validates_like_files_and_uses_no_xiamen_data():
    obs = pd.DataFrame({"indicator": "hubs", "year": [2019, 2020], "value": [10.0, 11.0]})
    plan = Plan.from_frames(_registry(id="tech_trade"), obs.assign(indicator="tech_trade"))
    assert plan.history("tech_trade").to_dict() == {2019: 10.0, 2020: 11.0, 2021: 12.0}
    assert plan.names("zh") == {"tech_trade": "Hubs"}
    with pytest.raises(DataError, match=r"frames: entry 'hubs': a name is required"):
        Plan.from_frames(_registry(name_en=None))
    with pytest.raises(DataError, match=r"frames observations: row 3: unknown indicator 'rd_spend'"):
        Plan.from_frames(_registry(), pd.concat([obs, obs.assign(indicator="rd_spend")], ignore_index=True))
    with pytest.raises(DataError, match=r"frames: no observations"):
        Plan.from_frames(_registry(base_year=None, base_value=None, base_source=None))


def test_an_unknown_id_names_the_valid_ones(city):
    with pytest.raises(ParameterError, match="unknown indicator 'rd_spend'; valid ids: research_spending"):
        city.forecast("rd_spend")


def test_import_loads_neither_pandas_nor_numpy():
    code = "import sys, xmforecast; print(sorted(m for m in ('pandas', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_what_it_takes_answers_every_target_from_the_cached_simulation(city, monkeypatch):
    import xmforecast.evaluation as computing

    evaluation = city.evaluate_targets(n_paths=400, rng=9)
    monkeypatch.setattr(computing, "evaluate_targets", lambda *a, **k: pytest.fail("simulated again"))
    table = city.what_it_takes(n_paths=400, rng=9)
    assert table["indicator"].tolist() == city.ids
    assert table["p_attain"].tolist() == evaluation.table["p_attain"].tolist()
    assert table["growth_for_probability"].notna().all()


def test_a_copy_of_the_default_plan_folder_loads_exactly_as_the_default(tmp_path):
    import shutil

    from xmforecast.folder import DEFAULT_PLAN

    copy = tmp_path / "copy"
    shutil.copytree(DEFAULT_PLAN, copy)
    registry = xmforecast.load_indicators(copy / "indicators.yaml")
    pd.testing.assert_frame_equal(xmforecast.load_observations(indicators=registry), xmforecast.load_observations())
    alone = tmp_path / "alone.yaml"  # the same registry outside a plan folder brings its baselines only
    shutil.copy(copy / "indicators.yaml", alone)
    only = xmforecast.load_observations(indicators=xmforecast.load_indicators(alone))
    assert set(only["source"].str.split(":").str[0]) == {"registry baseline", "computed"}


@pytest.mark.parametrize("manifest, rule", [
    (None, r"plan\.yaml: not a plan folder \(no plan\.yaml\)"),
    ("registry: indicators.yaml\n", r"plan\.yaml: `name_zh` or `name_en` is required"),
    ("name_en: X\n", r"plan\.yaml: `registry` is required"),
    ("name_en: X\nregistry: nowhere.yaml\n", r"plan\.yaml: `registry`: file not found"),
    ("name_en: X\nregistry: indicators.yaml\ncolour: red\n", r"plan\.yaml: unknown key `colour`"),
    ("name_en: X\nregistry: indicators.yaml\nseed: {page_numbers: [[1, 2]]}\n", r"plan\.yaml: seed: `page_numbers`"),
])
def test_a_bad_plan_folder_is_one_line_naming_the_manifest_and_the_rule(tmp_path, manifest, rule):
    from xmforecast.folder import read_plan_folder

    (tmp_path / "indicators.yaml").write_text("- {id: a, name_en: A, unit: u, kind: stock, direction: increase}\n",
                                              encoding="utf-8")
    if manifest is not None:
        (tmp_path / "plan.yaml").write_text(manifest, encoding="utf-8")
    with pytest.raises(DataError, match=rule) as error:
        read_plan_folder(tmp_path)
    assert "\n" not in str(error.value)


def test_every_computing_function_takes_the_plan_first_or_the_older_keywords(city):
    """Each public call form gives the numbers of the plan-first form (the older forms are the README's)."""
    obs, reg = city.all_observations, city.registry
    early, same = city.with_origin(2021), {"n_paths": 200, "rng": 4}
    frame = pd.testing.assert_frame_equal
    frame(xmforecast.forecast(early, "coworking_hubs", horizon=2),
          xmforecast.forecast("coworking_hubs", observations=obs, indicators=reg, origin=2021, horizon=2))
    frame(xmforecast.assess_targets(early, **same), xmforecast.assess_targets(obs, reg, origin=2021, **same))
    frame(xmforecast.assess_targets(city, origin=2021, **same), xmforecast.assess_targets(early, **same))
    frame(xmforecast.evaluate_targets(early, **same).table,
          xmforecast.evaluate_targets(observations=obs, indicators=reg, origin=2021, **same).table)
    frame(xmforecast.simulate_indicator(early, "startups_founded", **same).paths,
          xmforecast.simulate_indicator("startups_founded", observations=obs, indicators=reg, origin=2021,
                                        **same).paths)
    frame(xmforecast.sensitivity(early, "growth_shift", [0.0, 0.1], ids=["coworking_hubs"], **same),
          xmforecast.sensitivity("growth_shift", [0.0, 0.1], ids=["coworking_hubs"], observations=obs,
                                 indicators=reg, origin=2021, **same))
    frame(xmforecast.what_it_takes_table(early, **same),
          xmforecast.what_it_takes_table(obs, reg, origin=2021, **same))
    frame(xmforecast.backtest_table(early), xmforecast.backtest_table(obs, reg, origin=2021))
    assert early.assess_targets(**same)["latest_year"].max() == 2021  # the origin reached the computation
    default = Plan.default()
    levers = xmforecast.what_it_takes(default)
    assert len(levers) and levers.equals(xmforecast.what_it_takes(default.all_observations, default.registry))
    assert levers.equals(xmforecast.what_it_takes())


def test_a_plan_brings_its_own_data(city):
    with pytest.raises(ParameterError, match=r"a plan brings its own data; `indicators` cannot be given with it"):
        xmforecast.assess_targets(city, city.registry)
    with pytest.raises(ParameterError, match=r"`plan` must be a Plan; got dict"):
        xmforecast.forecast({}, "coworking_hubs")
    with pytest.raises(ParameterError, match=r"observations given twice"):
        xmforecast.evaluate_targets(city.all_observations, observations=city.all_observations)


def test_headline_ids_are_the_registrys_as_of_the_origin(city):
    from xmforecast.registry import headline_ids

    assert city.headline_ids() == headline_ids(city.registry, city.all_observations)
    assert city.with_origin(2015).headline_ids(limit=2) == headline_ids(city.registry, city.all_observations,
                                                                        origin=2015, limit=2)
    assert city.with_origin(2015).headline_ids() != city.headline_ids()  # fewer indicators observed by then


def test_folder_and_ladder_are_the_plans_own(city):
    from xmforecast.folder import DEFAULT_PLAN
    from xmforecast.models import fit_ladder

    assert city.folder is None  # a registry file given alone belongs to no plan folder
    assert Plan.default().folder.path == DEFAULT_PLAN
    early = city.with_origin(2019)
    fitted, skipped = early.ladder("coworking_hubs")
    expected, expected_skipped = fit_ladder(city.history("coworking_hubs").loc[:2019])
    assert list(fitted) == list(expected) and skipped == expected_skipped
    assert max(fitted["naive"].forecast(1).index) == 2020  # fitted on the years up to the origin only


def test_a_data_file_and_the_observations_by_position_read_as_before(tmp_path):
    """README: ``forecast(indicator, data_file=...)``-style files and ``assess_targets(obs, origin=...)``."""
    csv = tmp_path / "mine.csv"
    csv.write_text("indicator,year,value\ntech_trade,2017,72.5\n", encoding="utf-8")
    mine = Plan.from_files(data=csv)
    assert mine.history("tech_trade").loc[2017] == 72.5
    frame = pd.testing.assert_frame_equal
    frame(xmforecast.forecast("tech_trade", data_file=csv, horizon=2), mine.forecast("tech_trade", horizon=2))
    frame(xmforecast.backtest_table(data_file=csv), mine.backtest())
    obs = xmforecast.load_observations(csv)
    frame(xmforecast.assess_targets(obs, origin=2016, n_paths=200, rng=2),
          xmforecast.assess_targets(mine.with_origin(2016), n_paths=200, rng=2))


def test_the_indicators_a_model_setting_moves_are_read_from_the_registry_models():
    from pathlib import Path

    from xmforecast.exceptions import ParameterError

    xiamen = Plan.default()
    stocks = xiamen.ids_taking("recertification_rate")
    assert stocks and all(xiamen.indicators.set_index("id").loc[i, "model"] == "certified_stock" for i in stocks)
    assert xiamen.ids_taking("patent_lapse_rate") == xiamen.ids_taking("population_growth") != stocks
    lakeside = Path(__file__).resolve().parent.parent / "examples" / "lakeside"
    assert Plan.from_files(lakeside / "indicators.yaml", lakeside / "observations.csv").ids_taking("exit_rate") == []
    with pytest.raises(ParameterError, match="unknown model setting 'renewal'"):
        xiamen.ids_taking("renewal")
