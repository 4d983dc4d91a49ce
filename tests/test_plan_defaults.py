"""A plan's scenario defaults (scenario_defaults.yaml beside its registry).

A value a scenario file or a notebook parameter gives wins over the plan's default, which wins
over the library's; every way of running a scenario (a params file, `xmforecast run`,
`papermill -f`, the lab without parameters, the library) reads them the same way.
"""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import papermill
import pytest
from papermill.parameterize import read_yaml_file

import xmforecast
from xmforecast.cli import main
from xmforecast.exceptions import ScenarioError
from xmforecast.fitting import as_scenario
from xmforecast.scenario_defaults import DEFAULTS, NOT_PLAN_DEFAULTS
from xmforecast.scenarios import Scenario, load_scenario, plan_defaults, scenario_from_parameters

ROOT = Path(__file__).resolve().parent.parent
LAKESIDE = ROOT / "examples" / "lakeside"
NOTEBOOKS = ROOT / "notebooks"
SCENARIO_NOTEBOOKS = ("target_scenarios", "explore")


@pytest.fixture
def city(tmp_path) -> Path:
    """Lakeside's registry and observations in a folder of their own, with no defaults file."""
    folder = tmp_path / "city"
    folder.mkdir()
    for name in ("indicators.yaml", "observations.csv"):
        shutil.copy(LAKESIDE / name, folder / name)
    return folder


def _scenario_file(folder: Path, text: str = "") -> Path:
    path = folder / "s.yaml"
    path.write_text(f"scenario: s\nindicators_file: indicators.yaml\ndata_file: observations.csv\n{text}",
                    encoding="utf-8")
    return path


def _declared(name: str) -> dict:
    """A notebook's parameters as its parameters cell sets them."""
    return {key: ast.literal_eval(spec["default"])
            for key, spec in papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb")).items()}


def _as_papermill_f(name: str, path: Path) -> Scenario:
    """What a notebook validates under `papermill NB OUT -f path -p params_dir <its folder>`: the
    file's values injected over the parameters cell's."""
    values = {**_declared(name), **read_yaml_file(str(path))}
    scenario_keys = {key: values[key] for key in Scenario.model_fields}
    return scenario_from_parameters(scenario_keys, params_dir=path.parent)


# --------------------------------------------------------------------------- precedence


def test_each_shipped_plan_declares_its_language():
    assert plan_defaults() == {"lang": "zh"}
    assert plan_defaults(LAKESIDE / "indicators.yaml") == {"lang": "en"}


def test_a_scenario_without_lang_takes_its_plans_and_a_given_one_wins(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(f"scenario: s\nindicators_file: {LAKESIDE / 'indicators.yaml'}\n", encoding="utf-8")
    assert load_scenario(path).lang == "en"
    assert Scenario(scenario="a", indicators_file=str(LAKESIDE / "indicators.yaml")).lang == "en"
    assert Scenario(scenario="a", indicators_file=str(LAKESIDE / "indicators.yaml"), lang="zh").lang == "zh"
    assert Scenario(scenario="a").lang == "zh"


def test_plan_default_over_library_default_under_the_file(city):
    (city / "scenario_defaults.yaml").write_text("n_paths: 500\nseed: 7\nexit_rate: 0.02\n", encoding="utf-8")
    sc = load_scenario(_scenario_file(city, "seed: 9\n"))
    assert (sc.n_paths, sc.seed, sc.exit_rate, sc.horizon) == (500, 9, 0.02, DEFAULTS["horizon"])
    assert sc.lang == DEFAULTS["lang"]  # no defaults file: the library's


def test_a_plan_without_defaults_file_changes_nothing(city):
    assert plan_defaults(city / "indicators.yaml") == {}
    sc = load_scenario(_scenario_file(city))
    assert {k: v for k, v in sc.to_parameters().items() if k in DEFAULTS and k not in NOT_PLAN_DEFAULTS} == \
        {k: v for k, v in DEFAULTS.items() if k not in NOT_PLAN_DEFAULTS}


# --------------------------------------------------------------------------- every path agrees


@pytest.mark.parametrize("name", SCENARIO_NOTEBOOKS)
def test_papermill_f_run_and_load_scenario_agree(city, name):
    (city / "scenario_defaults.yaml").write_text("lang: en\nn_paths: 300\nlevel: 90\n", encoding="utf-8")
    path = _scenario_file(city, "n_paths: 400\n")
    loaded = load_scenario(path)
    assert (loaded.lang, loaded.n_paths, loaded.level) == ("en", 400, 90.0)
    # papermill -f: the file's keys injected, the others the cell's None
    assert _as_papermill_f(name, path).to_parameters() == loaded.to_parameters()
    # xmforecast run: the runner injects every key of the loaded scenario
    assert scenario_from_parameters(loaded.to_parameters()).to_parameters() == loaded.to_parameters()


@pytest.mark.parametrize("name", SCENARIO_NOTEBOOKS)
@pytest.mark.parametrize("path", sorted((ROOT / "params").glob("*.yaml")), ids=lambda p: p.name)
def test_papermill_f_reads_the_shipped_files_as_load_scenario(name, path):
    assert _as_papermill_f(name, path).to_parameters() == load_scenario(path).to_parameters()


@pytest.mark.parametrize("name", ["target_scenarios", "explore", "baselines", "growth_models", "comparison"])
def test_every_scenario_parameter_of_the_notebooks_defaults_to_none(name):
    """None is "the plan's default"; the name and the files keep their own defaults."""
    declared = _declared(name)
    own = {"scenario", "data_file", "indicators_file"}
    assert {k: v for k, v in declared.items() if k in Scenario.model_fields and k not in own} == \
        dict.fromkeys((k for k in declared if k in Scenario.model_fields and k not in own), None)


@pytest.mark.parametrize("name", SCENARIO_NOTEBOOKS)
def test_a_notebook_without_parameters_is_the_default_plans_scenario(name):
    """`make lab`: the cell as it stands gives what the library gives for the default plan."""
    declared = {key: _declared(name)[key] for key in Scenario.model_fields}
    assert scenario_from_parameters(declared) == Scenario(scenario=declared["scenario"])
    assert Scenario(scenario="x").lang == plan_defaults()["lang"]


def test_the_plan_api_and_targets_use_the_plans_defaults(city, capsys):
    (city / "scenario_defaults.yaml").write_text("n_paths: 200\nseed: 5\n", encoding="utf-8")
    plan = xmforecast.Plan.from_files(city / "indicators.yaml", city / "observations.csv")
    assert (plan.default_scenario.n_paths, plan.default_scenario.seed) == (200, 5)
    assert as_scenario(None, plan) == plan.default_scenario
    assert as_scenario({"seed": 6}, plan).n_paths == 200
    files = ["--indicators", str(city / "indicators.yaml"), "--data", str(city / "observations.csv")]
    assert main(["targets", *files, "--format", "csv"]) == 0
    by_plan = capsys.readouterr().out
    assert main(["targets", *files, "--format", "csv", "--n-paths", "200", "--seed", "5"]) == 0
    assert by_plan == capsys.readouterr().out
    assert main(["targets", *files, "--format", "csv", "--n-paths", "300"]) == 0
    assert by_plan != capsys.readouterr().out  # the comparison can tell


# --------------------------------------------------------------------------- null and errors


def test_a_null_that_means_from_the_data_keeps_its_meaning(city):
    sc = scenario_from_parameters({"scenario": "a", "recertification_rate": None, "new_certifications": None,
                                   "exit_rate": None})
    assert sc.recertification_rate is None and sc.new_certifications is None
    assert sc.exit_rate == DEFAULTS["exit_rate"]
    assert load_scenario(_scenario_file(city, "recertification_rate: null\n")).recertification_rate is None


@pytest.mark.parametrize("key", sorted(NOT_PLAN_DEFAULTS - {"scenario", "data_file", "indicators_file"}))
def test_a_plan_cannot_default_a_key_whose_null_means_from_the_data(city, key):
    (city / "scenario_defaults.yaml").write_text(f"{key}: 0.5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=rf"scenario_defaults\.yaml: key '{key}': a plan cannot set a default"):
        load_scenario(_scenario_file(city))


@pytest.mark.parametrize("text, key, rule", [
    ("langg: en\n", "langg", "not a scenario key a plan can set"),
    ("lang: fr\n", "lang", "must be one of 'zh' or 'en'; got 'fr'"),
    ("n_paths: 5\n", "n_paths", "simulated paths in 10..1000000; got 5"),
    ("data_file: x.csv\n", "data_file", "a plan cannot set a default"),
])
def test_a_bad_plan_default_is_one_line_naming_file_and_key(city, text, key, rule):
    (city / "scenario_defaults.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario_file(city))
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(city / "scenario_defaults.yaml") + f": key '{key}': ")
    assert rule in message


def test_a_plan_defaults_file_that_is_not_a_mapping_is_one_line(city):
    (city / "scenario_defaults.yaml").write_text("- lang\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"scenario_defaults\.yaml: expected a mapping"):
        xmforecast.Plan.from_files(city / "indicators.yaml").default_scenario
