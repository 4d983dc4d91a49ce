"""Scenario params files: the shipped ones load, bad ones fail with one clear line."""
from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xmforecast.exceptions import ScenarioError
from xmforecast.scenarios import SCENARIO_KEYS, Scenario, load_scenario, load_scenarios

ROOT = Path(__file__).resolve().parent.parent
PARAMS = sorted((ROOT / "params").glob("*.yaml"))
TARGET_NOTEBOOK = ROOT / "notebooks" / "target_scenarios.ipynb"
THIS_YEAR = datetime.date.today().year


def _write(tmp_path: Path, text: str | bytes, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_shipped_params_files_exist():
    names = {p.stem for p in PARAMS}
    assert {"baseline", "plan_push", "slowdown", "required_rate"} <= names


@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_every_params_file_loads(path):
    scenario = load_scenario(path)
    assert scenario.scenario == path.stem
    assert scenario.n_paths == 10_000
    assert scenario.source == path
    assert path.read_text(encoding="utf-8").startswith("#"), "each file explains its assumptions"


def test_shipped_scenarios_differ_as_documented():
    by_name = {s.scenario: s for s in load_scenarios(PARAMS)}
    assert by_name["baseline"].to_parameters() == Scenario(
        scenario="baseline", title=by_name["baseline"].title
    ).to_parameters()
    assert by_name["plan_push"].new_certifications == 250
    assert by_name["plan_push"].growth_shift == pytest.approx(0.03)
    assert by_name["baseline"].recertification_rate is None  # calibrated on 2016
    assert by_name["plan_push"].recertification_rate == pytest.approx(0.9)
    assert by_name["slowdown"].growth_shift == pytest.approx(-0.05)
    assert by_name["slowdown"].volatility_scale == pytest.approx(1.3)
    assert by_name["slowdown"].recertification_rate == pytest.approx(0.6)
    assert by_name["required_rate"].at_required_rate is True


@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_params_keys_are_target_notebook_parameters(path):
    import papermill
    import yaml

    if not TARGET_NOTEBOOK.is_file():
        pytest.fail(f"{TARGET_NOTEBOOK} does not exist yet")
    declared = papermill.inspect_notebook(str(TARGET_NOTEBOOK))
    keys = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(keys) - set(declared) == set()
    assert set(SCENARIO_KEYS) - set(declared) == set(), "every scenario key reaches the notebook"


def test_to_parameters_is_plain_and_complete():
    params = Scenario(scenario="x", new_certifications=3).to_parameters()
    assert type(params) is dict
    assert tuple(params) == SCENARIO_KEYS
    assert params["new_certifications"] == 3
    assert params["population_growth"] is None


@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_papermill_reads_the_same_values(path):
    from papermill.parameterize import read_yaml_file

    raw = read_yaml_file(str(path))
    params = load_scenario(path).to_parameters()
    assert raw == {key: params[key] for key in raw}


def test_data_file_resolved_against_params_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    data = tmp_path / "sub" / "extra.csv"
    data.write_text("indicator,year,value\nrd_spend,2017,140\n", encoding="utf-8")
    path = _write(tmp_path / "sub", "scenario: extra\ndata_file: extra.csv\n", "extra.yaml")
    assert load_scenario(path).data_file == str(data.resolve())


@pytest.mark.parametrize(
    ("text", "key", "rule"),
    [
        ("scenario: a\nn_path: 100\n", "n_path", r"unknown key \(did you mean 'n_paths'\?\); got 100\.$"),
        ("scenario: a\nrecertification_rte: 0.5\n", "recertification_rte", "did you mean 'recertification_rate'"),
        ("scenario: a\nfoo: 1\n", "foo", r"unknown key \(known keys: scenario, title"),
        ("scenario: a\nn_paths: many\n", "n_paths", "must be an integer; got 'many'"),
        ("scenario: a\nhorizon: 2.5\n", "horizon", "must be an integer; got 2.5"),
        ("scenario: a\nat_required_rate: 'yes'\n", "at_required_rate", "must be true or false"),
        ("scenario: a\nrecertification_rate: 1.5\n", "recertification_rate", r"probability in \[0, 1\] \(or null to solve it from the data\); got 1.5"),
        ("scenario: a\nexit_rate: -0.1\n", "exit_rate", r"share in \[0, 1\); got -0.1"),
        ("scenario: a\nexit_rate: 1.0\n", "exit_rate", r"share in \[0, 1\); got 1.0"),
        ("scenario: a\nnew_certifications: -3\n", "new_certifications", r"count in 0\.\.1000000.*; got -3"),
        ("scenario: a\nlevel: 100\n", "level", r"percentage in \(50, 99\.9\], such as 80 .*; got 100"),
        ("scenario: a\nlevel: 0.8\n", "level", r"percentage in \(50, 99\.9\], such as 80 \(not a fraction such as 0\.8\); got 0\.8"),
        ("scenario: a\nlevel: 10\n", "level", r"percentage in \(50, 99\.9\].*; got 10"),
        ("scenario: a\nlang: fr\n", "lang", "must be one of 'zh' or 'en'; got 'fr'"),
        ("scenario: a\nmodel: nonsense\n", "model", "must be one of auto, structural, .*; got 'nonsense'"),
        ("scenario: Plan Push\n", "scenario", "lower-case letters.*; got 'Plan Push'"),
        ("title: no name\n", "scenario", "required key is missing"),
        ("scenario: a\ngrowth_shift: -1\n", "growth_shift", r"in \[-0\.5, 0\.5\].*; got -1"),
        ("scenario: a\noutput_dir: x\n", "output_dir", "set by the runner"),
        ("scenario: a\ndata_file: nowhere.csv\n", "data_file", "file not found.*; got 'nowhere.csv'"),
        ("scenario: a\nseed: 1\nseed: 2\n", "seed", "duplicate key at line 3"),
    ],
)
def test_bad_value_names_file_key_and_rule(tmp_path, text, key, rule):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: key '{key}': .*{rule}") as info:
        load_scenario(path)
    assert "\n" not in str(info.value)


def test_several_errors_reported_as_one_line_with_count(tmp_path):
    path = _write(tmp_path, "scenario: a\nn_path: 1\nseed: -1\nlevel: 0\n")
    with pytest.raises(ScenarioError, match=r"key 'n_path': unknown key .* \(\+2 more\)$"):
        load_scenario(path)


def test_yaml_syntax_error_names_line(tmp_path):
    path = _write(tmp_path, "scenario: a\nn_paths: [1, 2\nseed: 3\n")
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: line \d+, column \d+: YAML syntax error"):
        load_scenario(path)


def test_unquoted_colon_is_a_syntax_error_on_its_line(tmp_path):
    path = _write(tmp_path, "scenario: a\ntitle: Plan: push\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml: line 2, column \d+: YAML syntax error"):
        load_scenario(path)


def test_non_mapping_yaml(tmp_path):
    path = _write(tmp_path, "- scenario\n- a\n")
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: expected a mapping.*got list"):
        load_scenario(path)


def test_empty_file(tmp_path):
    path = _write(tmp_path, "# only a comment\n")
    with pytest.raises(ScenarioError, match="expected a mapping.*got an empty file"):
        load_scenario(path)


def test_non_utf8_bytes(tmp_path):
    path = _write(tmp_path, "scenario: a\ntitle: 基线\n".encode("gb18030"))
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: not UTF-8 text \(byte 0x[0-9a-f]{{2}} at line 2\)"):
        load_scenario(path)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: no such params file"):
        load_scenario(path)


def test_load_scenarios_reports_every_bad_file(tmp_path):
    good = _write(tmp_path, "scenario: a\n", "a.yaml")
    bad1 = _write(tmp_path, "scenario: b\nn_paths: 5\n", "b.yaml")
    bad2 = _write(tmp_path, "scenario: c\nexit_rate: 2\n", "c.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenarios([good, bad1, bad2])
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad1}: key 'n_paths': must be a number of simulated paths in 10..1000000; got 5.")
    assert lines[1].startswith(f"{bad2}: key 'exit_rate'")


def test_load_scenarios_rejects_duplicate_names(tmp_path):
    first = _write(tmp_path, "scenario: same\n", "one.yaml")
    second = _write(tmp_path, "scenario: same\nseed: 4\n", "two.yaml")
    with pytest.raises(ScenarioError, match=rf"{re.escape(str(second))}: key 'scenario': duplicate scenario name \(also in {re.escape(str(first))}\)"):
        load_scenarios([first, second])


def test_load_scenarios_keeps_order(tmp_path):
    paths = [_write(tmp_path, f"scenario: {n}\n", f"{n}.yaml") for n in ("zeta", "alpha")]
    assert [s.scenario for s in load_scenarios(paths)] == ["zeta", "alpha"]


def test_scenario_is_frozen():
    scenario = Scenario(scenario="x")
    with pytest.raises(Exception, match="frozen"):
        scenario.seed = 3


@pytest.mark.parametrize(
    ("text", "key", "rule"),
    [
        ("scenario: a\nvolatility_scale: .inf\n", "volatility_scale", r"> 0 and at most 10; got inf"),
        ("scenario: a\nvolatility_scale: 1e300\n", "volatility_scale", r"> 0 and at most 10; got 1e\+300"),
        ("scenario: a\ngrowth_shift: 1e9\n", "growth_shift", r"in \[-0\.5, 0\.5\].*; got 1000000000\.0"),
        ("scenario: a\ngrowth_shift: 3\n", "growth_shift", r"in \[-0\.5, 0\.5\].*; got 3"),
        ("scenario: a\npopulation_growth: 1e9\n", "population_growth", r"in \[-0\.2, 0\.2\] \(or null\); got 1000000000\.0"),
        ("scenario: a\nnew_certifications: 100000000000000000000\n", "new_certifications",
         r"count in 0\.\.1000000 .*; got 100000000000000000000"),
        ("scenario: a\nnew_certifications: 1e20\n", "new_certifications", r"must be an integer \(or null\); got 1e\+20"),
        ("scenario: " + "a" * 300 + "\n", "scenario", r"1-64 lower-case letters.*; got 'aaaa"),
        ("scenario: _overview\n", "scenario", r"not starting with '_' or '-'.*; got '_overview'"),
        ("scenario: _comparison\n", "scenario", r"not starting with '_'.*; got '_comparison'"),
        ("scenario: a\ntitle: " + "t" * 201 + "\n", "title", r"at most 200 characters; got 'tttt"),
        ("scenario: a\ndata_file: " + "x" * 5000 + ".csv\n", "data_file", r"not a usable path|file not found"),
    ],
)
def test_every_number_and_name_has_a_range(tmp_path, text, key, rule):
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: key '{key}': .*{rule}") as info:
        load_scenario(path)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400


@pytest.mark.parametrize("origin", [1799, THIS_YEAR + 1])
def test_an_origin_before_1800_or_after_this_year_is_refused_in_one_line(tmp_path, origin):
    path = _write(tmp_path, f"scenario: a\norigin: {origin}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}: key 'origin': must be a year 1800-{THIS_YEAR}; got {origin}."


@pytest.mark.parametrize("origin", [1800, 1935, THIS_YEAR])
def test_an_origin_from_1800_to_this_year_is_accepted(tmp_path, origin):
    assert load_scenario(_write(tmp_path, f"scenario: a\norigin: {origin}\n")).origin == origin


def test_an_absent_origin_is_the_plans_last_observed_year(tmp_path):
    assert Scenario(scenario="a").origin == 2016  # the default plan's data end in 2016
    assert "1800" in Scenario.model_fields["origin"].description
    city = Path(__file__).resolve().parent.parent / "examples" / "lakeside"
    text = f"scenario: a\nindicators_file: {city / 'indicators.yaml'}\ndata_file: {city / 'observations.csv'}\n"
    assert load_scenario(_write(tmp_path, text)).origin == 2023  # not the default plan's 2016
    assert load_scenario(_write(tmp_path, text + "origin: null\n")).origin == 2023


def test_a_plan_that_cannot_be_read_leaves_the_origin_to_the_data_check(tmp_path, capsys):
    from xmforecast import cli

    (tmp_path / "bare.yaml").write_text("- {id: hubs, name_en: Hubs, unit: hubs, kind: stock, direction: increase}\n",
                                        encoding="utf-8")
    path = _write(tmp_path, "scenario: a\nindicators_file: bare.yaml\n")
    assert load_scenario(path).origin is None
    assert cli.main(["targets", "--scenario", str(path)]) != 0
    assert capsys.readouterr().err.strip().endswith("no observations: the registry has no baseline (base_year, "
                                                    "base_value) and no data file was given; pass a CSV of indicator, "
                                                    "year, value (--data FILE, or data_file).")


def test_every_field_documents_its_range():
    for name, field in Scenario.model_fields.items():
        assert field.description, name
    assert "-0.5..0.5" in Scenario.model_fields["growth_shift"].description
    assert "<= 10" in Scenario.model_fields["volatility_scale"].description


def test_yaml_1_2_exponents_and_merge_keys_are_read(tmp_path):
    path = _write(tmp_path, "scenario: a\ngrowth_shift: 5e-2\n<<: {n_paths: 500, seed: 3}\nseed: 4\n")
    scenario = load_scenario(path)
    assert scenario.growth_shift == pytest.approx(0.05)
    assert (scenario.n_paths, scenario.seed) == (500, 4)


def _alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "{" + ", ".join(lines) + "}"


def test_an_alias_bomb_in_the_title_is_refused_without_expanding_it(tmp_path):
    path = _write(tmp_path, "scenario: a\ntitle: " + _alias_bomb() + "\n")
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}: line 2: more than 100,000 values once its "
                                            r"aliases are expanded\.$"):
        load_scenario(path)


def test_deep_nesting_is_refused_in_one_line(tmp_path):
    path = _write(tmp_path, "scenario: a\ntitle: " + "[" * 5000 + "\n")
    with pytest.raises(ScenarioError, match=r"line 2: nested more than 32 levels deep\.$"):
        load_scenario(path)


def _documents() -> list[str]:
    root = Path(__file__).resolve().parents[1]
    shipped = [*root.glob("params/*.yaml"), *root.glob("examples/*/*.yaml"), root / "xmforecast/plans/xiamen/indicators.yaml"]
    return [p.read_text(encoding="utf-8") for p in shipped] + [
        "a: 5e-2\n<<: {b: 1}\n", "a: &x [1, 2]\nb: *x\n", "title: " + _alias_bomb(), "a: &x [*x]\n",
        "a: 1\na: 2\n", "x: " + "[" * 40 + "]" * 40, "k: [1, 2\n", "d: 2016-01-01\nn: .inf\n",
    ]


@pytest.mark.parametrize("text", _documents())
def test_libyaml_parsing_reads_and_refuses_as_pure_python(monkeypatch, text):
    import yaml

    from xmforecast import inputs

    def load() -> tuple[str, object]:
        monkeypatch.setattr(inputs, "_LOADER", None)
        try:
            return "data", inputs.load_yaml(text, file="f.yaml", error=ScenarioError)
        except ScenarioError as err:
            return "refused", str(err).split(":")[1]  # the line it names

    fast = load()
    assert yaml.__with_libyaml__ and issubclass(inputs._LOADER, yaml._yaml.CParser)
    monkeypatch.setattr(inputs, "_safe_base", lambda: yaml.SafeLoader)
    assert load() == fast


@pytest.mark.parametrize("target", ["/dev/null", "folder", "file/sub.yaml"])
def test_a_params_path_that_is_not_a_file_gives_one_line(tmp_path, target):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    path = target if target.startswith("/") else tmp_path / target
    with pytest.raises(ScenarioError, match=r": (not a regular file|cannot read)"):
        load_scenario(path)


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**25, 10**25), st.floats(), st.text(max_size=12),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=500, deadline=None)
@given(
    data=st.dictionaries(st.one_of(st.sampled_from([*SCENARIO_KEYS, "output_dir", "n_path"]), st.text(max_size=5)),
                         _VALUES, max_size=6),
    name=st.one_of(st.sampled_from(["a", "base", "_overview", "x" * 70]), st.text(max_size=8)),
    raw=st.one_of(st.none(), st.text(max_size=40), st.sampled_from(["a: &x [*x]", "<<: 5", "<<: [1]", "a: 5e-2"])),
)
def test_property_any_params_file_gives_a_scenario_or_a_scenario_error(tmp_path_factory, data, name, raw):
    import yaml

    text = raw if raw is not None else yaml.safe_dump({"scenario": name, **data}, allow_unicode=True)
    path = tmp_path_factory.getbasetemp() / "property-params.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        assert "\n" not in str(err)
    else:
        assert 0 < scenario.volatility_scale <= 10 and -0.5 <= scenario.growth_shift <= 0.5
        assert not scenario.scenario.startswith("_") and len(scenario.scenario) <= 64


def test_indicators_file_resolves_against_the_params_folder(tmp_path):
    folder = tmp_path / "city"
    folder.mkdir()
    (folder / "indicators.yaml").write_text("- {id: hubs, name_en: Hubs, unit: hubs, kind: stock, "
                                            "direction: increase}\n", encoding="utf-8")
    (folder / "s.yaml").write_text("scenario: city\norigin: 2020\nindicators_file: indicators.yaml\n",
                                   encoding="utf-8")
    assert load_scenario(folder / "s.yaml").indicators_file == str((folder / "indicators.yaml").resolve())
    (folder / "t.yaml").write_text("scenario: city\nindicators_file: nowhere.yaml\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"t\.yaml: key 'indicators_file': .*file not found"):
        load_scenario(folder / "t.yaml")


def test_the_example_scenario_names_its_plan():
    path = Path(__file__).resolve().parent.parent / "examples" / "lakeside" / "baseline.yaml"
    sc = load_scenario(path)
    assert Path(sc.indicators_file).name == "indicators.yaml" and Path(sc.data_file).name == "observations.csv"


def test_the_unvalidated_default_scenario_is_the_validated_one():
    from xmforecast.scenarios import default_scenario

    fast = default_scenario()
    assert fast.origin is None  # not read from the plan: callers pass their own origin
    resolved = fast.model_copy(update={"origin": Scenario(scenario="default").origin})
    assert resolved == Scenario(scenario="default")
    assert resolved.to_parameters() == Scenario(scenario="default").to_parameters()


def test_a_file_name_with_a_newline_is_shown_on_one_line(tmp_path):
    path = _write(tmp_path, 'scenario: a\ndata_file: "x\\ny.csv"\n')
    with pytest.raises(ScenarioError, match=r"key 'data_file': file not found \(looked for \S*x\\ny\.csv\)") as err:
        load_scenario(path)
    assert "\n" not in str(err.value)


def test_the_defaults_without_the_schema_are_the_schema_s():
    from xmforecast.scenario_defaults import DEFAULT_SCENARIO, DEFAULTS
    from xmforecast.scenarios import default_scenario

    schema = {name: f.default for name, f in Scenario.model_fields.items() if name != "scenario"}
    assert dict(DEFAULTS) == schema
    assert DEFAULT_SCENARIO.to_parameters() == default_scenario().to_parameters()
    assert list(DEFAULT_SCENARIO.to_parameters()) == list(SCENARIO_KEYS)


def test_targets_on_the_defaults_never_imports_the_schema_library():
    import subprocess
    import sys

    code = ("import sys, contextlib, io\nfrom xmforecast.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['targets', '--n-paths', '200'])\n"
            "print('pydantic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
