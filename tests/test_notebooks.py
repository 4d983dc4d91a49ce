"""The notebooks: thin, paired, committed clean, and runnable on tiny parameters.

Each run executes a real notebook with papermill (a kernel per run), with 200 paths, into
a temporary folder, and checks what a reader of the report relies on: the figures, the
summary table, no error anywhere.
"""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest

import xmforecast
from xmforecast.runner import run_suite
from xmforecast.scenarios import SCENARIO_KEYS, Scenario
from xmforecast.targets import TARGET_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PARAMS = sorted((ROOT / "params").glob("*.yaml"))
NAMES = ("baselines", "growth_models", "target_scenarios", "comparison", "explore")
HEADLINE = ("rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k")
TINY = {"n_paths": 200, "horizon": 4}

#: What each notebook must declare: the keys the runner injects (see xmforecast.runner).
DECLARED = {
    "baselines": {"lang", "origin", "data_file", "output_dir"},
    "growth_models": {"lang", "origin", "level", "data_file", "output_dir", "indicators"},
    "target_scenarios": {*SCENARIO_KEYS, "output_dir"},
    "comparison": {"run_dir", "lang", "output_dir"},
    "explore": {*SCENARIO_KEYS, "output_dir"},
}
SCENARIO_FIGURES = {"probability.png", "progress.png", "sensitivity_growth_shift.png",
                    "sensitivity_recertification_rate.png", *(f"fan_{i}.png" for i in HEADLINE)}


def _notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _targets() -> pd.DataFrame:
    registry = xmforecast.load_indicators()
    return registry[registry["target_type"].notna()]


def _assert_clean_execution(path: Path) -> nbformat.NotebookNode:
    """The executed notebook has no error output and no traceback on stderr."""
    nb = nbformat.read(path, as_version=4)
    for cell in _code_cells(nb):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name}: {output.ename}: {output.evalue}"
            if output.output_type == "stream" and output.name == "stderr":
                assert "Traceback" not in output.text, f"{path.name}: {output.text}"
    return nb


def _assert_figures(folder: Path, names: set[str]) -> None:
    for name in sorted(names):
        path = folder / name
        assert path.is_file(), f"{name} not written into {folder}"
        head = path.read_bytes()[:8]
        assert head == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000, f"{path} is not a chart"


def _assert_summary(summary: pd.DataFrame, scenario: str) -> None:
    """One row per target of the registry, the headline ones with a probability."""
    targets = _targets()
    assert sorted(summary["indicator"]) == sorted(targets["id"])
    assert {"scenario", "title", "name_zh", "name_en", "unit", *TARGET_COLUMNS} <= set(summary.columns)
    assert (summary["scenario"] == scenario).all()
    names = targets.set_index("id")[["name_zh", "name_en", "unit"]]
    joined = summary.set_index("indicator")[["name_zh", "name_en", "unit"]]
    pd.testing.assert_frame_equal(joined.loc[names.index], names, check_names=False)
    headline = summary.set_index("indicator").loc[list(HEADLINE)]
    assert headline["p_attain"].between(0, 1).all(), headline["p_attain"]
    expected = (60 / 45.16) - 1  # tech_trade: 45.16 -> 60 in one year
    assert headline.loc["tech_trade", "required_growth"] == pytest.approx(expected, abs=5e-5)  # 4 decimals


def _execute(name: str, folder: Path, timeout: int = 300, **parameters) -> tuple[nbformat.NotebookNode, Path]:
    output_dir = folder / f"{name}_out"
    executed = folder / f"{name}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"), str(executed), parameters={**parameters, "output_dir": str(output_dir)},
        cwd=str(folder), progress_bar=False,
        execution_timeout=timeout, start_timeout=300,  # a stuck cell fails instead of hanging; a busy machine starts slowly
    )
    return _assert_clean_execution(executed), output_dir


# --------------------------------------------------------------------------- static checks


@pytest.mark.parametrize("name", NAMES)
def test_notebook_committed_without_outputs(name):
    for cell in _code_cells(_notebook(name)):
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, cell.source[:60]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_paired_with_its_script(name):
    import jupytext

    script = jupytext.read(NOTEBOOKS / f"{name}.py")
    pairs = [(c.cell_type, c.source.strip()) for c in script.cells]
    assert pairs == [(c.cell_type, c.source.strip()) for c in _notebook(name).cells], (
        f"{name}.py and {name}.ipynb differ; run `jupytext --sync notebooks/{name}.py`"
    )
    assert "ipynb,py:percent" in str(script.metadata.get("jupytext", {}).get("formats", ""))


@pytest.mark.parametrize("name", NAMES)
def test_first_code_cell_holds_every_parameter_annotated(name):
    cell = _code_cells(_notebook(name))[0]
    assert "parameters" in cell.metadata.get("tags", [])
    tree = ast.parse(cell.source)
    assigned = [node.target.id for node in tree.body if isinstance(node, ast.AnnAssign)]
    assert not [node for node in tree.body if isinstance(node, ast.Assign)], "every default is annotated"
    declared = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    # papermill skips lines it cannot parse (e.g. `int | None`, or '=' in the comment).
    assert list(declared) == assigned
    for key, spec in declared.items():
        assert spec["help"], f"{name}: parameter {key} has no comment"
    assert DECLARED[name] <= set(declared)


@pytest.mark.parametrize("name", ["target_scenarios", "explore"])
def test_scenario_parameter_defaults_are_the_schema_defaults(name):
    """Left at None, a parameter is the plan's default (see tests/test_plan_defaults.py): validated,
    the cell as it stands is the schema's scenario of the default plan."""
    from xmforecast import scenario_from_parameters

    declared = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    defaults = {key: ast.literal_eval(declared[key]["default"]) for key in SCENARIO_KEYS}
    schema = Scenario(scenario=defaults["scenario"]).to_parameters()
    assert scenario_from_parameters(defaults).to_parameters() == schema


@pytest.mark.parametrize("path", PARAMS, ids=lambda p: p.name)
def test_params_keys_reach_the_explore_notebook(path):
    import yaml

    declared = papermill.inspect_notebook(str(NOTEBOOKS / "explore.ipynb"))
    assert set(yaml.safe_load(path.read_text(encoding="utf-8"))) <= set(declared)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_defines_no_function_or_class(name):
    """Logic lives in the library (explore's widget callback is `xmforecast.explore`)."""
    for cell in _code_cells(_notebook(name)):
        for node in ast.walk(ast.parse(cell.source)):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), (
                f"{name}: {type(node).__name__} in a notebook cell"
            )


def _outside_the_public_api(source: str) -> list[str]:
    """What `source` reaches of the package besides `xmforecast`'s public names and `xmforecast.report`."""
    from xmforecast import report

    public, helpers, found = {*xmforecast.__all__, "report"}, set(report.__all__), []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "xmforecast":
            allowed = {"xmforecast": public, "xmforecast.report": helpers}.get(node.module, set())
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name not in allowed]
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.startswith("xmforecast.")]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            allowed = {"xmforecast": public, "report": helpers}.get(node.value.id)
            if allowed is not None and node.attr not in allowed:
                found.append(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("name", NAMES)
def test_notebook_uses_only_the_public_api(name):
    """A notebook imports `xmforecast`'s public names and `xmforecast.report`'s, nothing else of the package."""
    cells = "\n".join(cell.source for cell in _code_cells(_notebook(name)))
    assert _outside_the_public_api(cells) == []


def test_the_public_api_check_can_fail():
    found = _outside_the_public_api("import xmforecast.models\nfrom xmforecast.scenarios import Scenario\n"
                                    "from xmforecast import plots\nxmforecast.registry.headline_ids\nreport.nothing\n")
    assert sorted(found) == sorted(["import xmforecast.models", "from xmforecast.scenarios import Scenario",
                                    "from xmforecast import plots", "xmforecast.registry", "report.nothing"])


# --------------------------------------------------------------------------- runs


def test_target_scenarios_runs_from_a_params_file(tmp_path):
    """`papermill NB OUT -f params/baseline.yaml` works as it stands."""
    out = tmp_path / "baseline"
    done = subprocess.run(
        [sys.executable, "-m", "papermill", str(NOTEBOOKS / "target_scenarios.ipynb"), str(tmp_path / "run.ipynb"),
         "-f", str(ROOT / "params" / "baseline.yaml"), "-p", "n_paths", "200", "-p", "output_dir", str(out),
         "--no-progress-bar", "--start-timeout", "300"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Unable to parse" not in done.stderr and "unknown parameter" not in done.stderr, done.stderr
    nb = _assert_clean_execution(tmp_path / "run.ipynb")
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "n_paths = 200" in injected.source
    _assert_figures(out, SCENARIO_FIGURES)
    summary = pd.read_csv(out / "summary.csv")
    _assert_summary(summary, "baseline")
    assert summary["title"].str.contains("Baseline").all()
    # the plan's own target for a lever comes from the registry, with its sentence
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code"
                    for o in c.get("outputs", []))
    assert "规划对新认定高新技术企业的目标:2017 年 200(新认定高新技术企业 200 家以上)。" in shown


def test_invalid_scenario_value_stops_the_notebook_at_once(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError, match="n_paths") as failure:
        _execute("target_scenarios", tmp_path, n_paths=5)
    assert failure.value.exec_count <= 3, "the schema check comes before any computation"
    assert not (tmp_path / "target_scenarios_out" / "summary.csv").exists()


def test_growth_models_runs_in_english_on_chosen_indicators(tmp_path):
    nb, out = _execute("growth_models", tmp_path, lang="en", indicators=["tech_trade", "hightech_enterprises"],
                       horizon=TINY["horizon"])
    _assert_figures(out, {"forecast_tech_trade.png", "forecast_hightech_enterprises.png"})
    assert sorted(p.name for p in out.glob("*.png")) == ["forecast_hightech_enterprises.png",
                                                         "forecast_tech_trade.png"]
    text = "\n".join(o.get("data", {}).get("text/html", "") for c in _code_cells(nb) for o in c.outputs)
    from xmforecast.report import model_words

    # each indicator's section in words: its name, the model its forecast uses named for a reader
    assert "<h2>Technology contract turnover" in text
    assert f"The forecast uses: {model_words('certified_stock', 'en')}." in text


@pytest.fixture
def shell_sends(monkeypatch):
    """Messages the runner (nbclient) sends to the kernel on the shell channel as an Output widget would."""
    from nbclient.output_widget import OutputWidget

    sent = []
    original = OutputWidget._publish_msg

    def recording(self, msg_type, *args, **kwargs):
        sent.append(msg_type)
        return original(self, msg_type, *args, **kwargs)

    monkeypatch.setattr(OutputWidget, "_publish_msg", recording)
    return sent


@pytest.mark.parametrize("plan", ["embedded", "lakeside"])
def test_explore_runs_headless(tmp_path, plan, shell_sends):
    city = NOTEBOOKS.parent / "examples" / "lakeside"
    options = ({"indicator": "tech_trade"} if plan == "embedded" else
               {"indicators_file": str(city / "indicators.yaml"), "data_file": str(city / "observations.csv")})
    nb, _ = _execute("explore", tmp_path, timeout=60, **TINY, growth_shift=0.02, **options)
    # The cause of explore's hangs under papermill: an output captured by an Output widget makes
    # nbclient send it back to the kernel on the shell channel while it waits there for the
    # cell's reply, and the send can swallow the reply's wake-up (xmforecast.explorer).
    assert shell_sends == [], "the runner played an Output widget: the widget cell can hang"
    outputs = _code_cells(nb)[-1].outputs
    assert [o.output_type for o in outputs] == ["display_data"]
    assert "image/png" in outputs[0].data, "the target's fan chart, with its probability, drawn without a browser"
    widget_views = [o for c in _code_cells(nb) for o in c.outputs
                    if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_views, "the sliders are built"
    # Certificate sliders belong to a plan with a stock of certificates (Xiamen's), not to every plan.
    state = json.dumps(nb.metadata.get("widgets", {}))
    assert ("renewal rate" in state) == (plan == "embedded")


def test_scheduled_run_of_every_notebook(tmp_path):
    """`xmforecast run` over the real notebooks: overview, two scenarios, comparison.

    The second scenario has 2017 actuals in a user file (origin 2017): technology trade
    reached 72.5 亿元, so that target is met and its probability is 1.
    """
    params = tmp_path / "params"
    params.mkdir()
    actuals = params / "actuals_2017.csv"
    actuals.write_text("indicator,year,value,source\ntech_trade,2017,72.5,test figure\n", encoding="utf-8")
    (params / "tiny.yaml").write_text("scenario: tiny\ntitle: Tiny\nn_paths: 200\nhorizon: 4\n", encoding="utf-8")
    (params / "actuals.yaml").write_text(
        f"scenario: actuals\ntitle: With 2017 actuals\nn_paths: 200\nhorizon: 4\norigin: 2017\n"
        f"growth_shift: -0.05\nrecertification_rate: 0.6\nnew_certifications: 250\ndata_file: {actuals.name}\n",
        encoding="utf-8",
    )
    run = run_suite([params / "tiny.yaml", params / "actuals.yaml"], out=tmp_path / "reports", jobs=2,
                    notebooks_dir=NOTEBOOKS, progress=None)

    for executed in sorted(run.glob("*/*.ipynb")):
        _assert_clean_execution(executed)
    _assert_figures(run / "_overview", {"history_headline.png", "history_inputs.png",
                                        *(f"forecast_{i}.png" for i in HEADLINE)})
    _assert_figures(run / "tiny", SCENARIO_FIGURES)
    _assert_figures(run / "actuals", SCENARIO_FIGURES - {"fan_tech_trade.png"})
    _assert_figures(run / "_comparison", {"comparison.png"})

    for csv in (run / "summary.csv", run / "forecasts.csv", run / "tiny" / "summary.csv"):
        text = csv.read_text(encoding="utf-8")
        assert not re.search(r"\d\.\d{5,}", text), f"{csv.name}: a number with more than 4 decimals"
        assert not re.search(r"(^|,)(nan|None|<NA>)(,|$)", text, re.M), csv.name
    page = (run.parent / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{5,}|\bnan\b|\bNone\b|&lt;NA&gt;|background(-color)?: #000000", page)
    # the overview's tables are written for people, in the page's language, counts whole
    overview = (run / "_overview" / "baselines.html").read_text(encoding="utf-8")
    headers = [h.strip() for h in re.findall(r"<th[^>]*>([^<]*)</th>", overview)]
    assert {"指标", "基期值", "目标", "来源"} <= set(headers), headers
    assert not [h for h in headers if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", h)], headers
    assert "1,225" in overview and "1,225.00" not in overview and not re.search(r"\bnan\b", overview)
    models = (run / "_overview" / "growth_models.html").read_text(encoding="utf-8")
    assert "区间覆盖率" in models and "sigma_scale" not in models and "scale_needed" not in models
    # each overview page opens with its own title and introduction in the page's language
    assert "<h1>基线与目标</h1>" in overview and "What the plan states" not in overview
    assert "<h1>增长模型</h1>" in models and "short annual history" not in models
    assert "按中国各省份的研发经费校准" in models and "calibrated on" not in models  # the backtest's reasons
    tiny = pd.read_csv(run / "tiny" / "summary.csv")
    _assert_summary(tiny, "tiny")
    actual = pd.read_csv(run / "actuals" / "summary.csv")
    _assert_summary(actual, "actuals")
    met = actual.set_index("indicator").loc["tech_trade"]
    assert (met["status"], met["p_attain"], met["latest_value"]) == ("met", 1.0, 72.5)
    p_attain = pd.concat([tiny, actual]).set_index(["scenario", "indicator"])["p_attain"]
    assert p_attain[("actuals", "hightech_enterprises")] < p_attain[("tiny", "hightech_enterprises")], (
        "fewer renewals and slower growth lower the high-tech probability"
    )

    combined = pd.read_csv(run / "summary.csv")
    assert len(combined) == 2 * len(_targets())
    comparison = _assert_clean_execution(run / "_comparison" / "comparison.ipynb")
    html = "\n".join(o.get("data", {}).get("text/html", "") for c in _code_cells(comparison) for o in c.outputs)
    assert "With 2017 actuals" in html and np.isin(["tiny", "actuals"], combined["scenario"]).all()
    assert not re.search(r"background(-color)?: #000000", html), "no black cell"
    assert not re.search(r"\bnan\b|\bNone\b|&lt;NA&gt;", html), "no empty cell"
    assert "not within the horizon" not in html


def test_figures_go_to_a_folder_that_is_not_the_current_one(tmp_path):
    """With no `output_dir` a notebook writes under reports/notebooks/, never into the working folder."""
    (tmp_path / "reports").mkdir()
    papermill.execute_notebook(str(NOTEBOOKS / "baselines.ipynb"), str(tmp_path / "run.ipynb"), cwd=str(tmp_path),
                               progress_bar=False, execution_timeout=300, start_timeout=300)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports", "run.ipynb"]
    assert list((tmp_path / "reports" / "notebooks" / "baselines").glob("*.png"))


def _fake_run(reports: Path, name: str, started: str, title: str) -> None:
    import json

    from xmforecast import report
    from xmforecast.scenarios import Scenario

    folder = reports / name
    folder.mkdir(parents=True)
    scenario = Scenario(scenario="s", title=title, n_paths=50)
    registry = xmforecast.load_indicators()
    ev = xmforecast.evaluate_targets(None, registry, scenario=scenario, ids=["tech_trade"], model="drift")
    report.round_for_csv(report.scenario_summary(ev, registry, scenario)).to_csv(folder / "summary.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps({"status": "ok", "started": started}), encoding="utf-8")


def test_comparison_without_parameters_uses_the_newest_run(tmp_path):
    _fake_run(tmp_path / "reports", "2017-03-01_090000", "2017-03-01T09:00:00+00:00", "Older run")
    _fake_run(tmp_path / "reports", "2017-04-01_090000", "2017-04-01T09:00:00+00:00", "Newest run")
    papermill.execute_notebook(str(NOTEBOOKS / "comparison.ipynb"), str(tmp_path / "out.ipynb"), cwd=str(tmp_path),
                               progress_bar=False, execution_timeout=300, start_timeout=300)
    nb = _assert_clean_execution(tmp_path / "out.ipynb")
    text = "\n".join(str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
                     for c in _code_cells(nb) for o in c.outputs)
    assert "Newest run" in text and "Older run" not in text
    assert (tmp_path / "reports" / "notebooks" / "comparison" / "comparison.png").is_file()


def test_comparison_without_a_run_says_so_in_one_line(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as failure:
        papermill.execute_notebook(str(NOTEBOOKS / "comparison.ipynb"), str(tmp_path / "out.ipynb"),
                                   cwd=str(tmp_path), progress_bar=False, execution_timeout=300, start_timeout=300)
    assert failure.value.ename == "RunError"
    assert re.fullmatch(r"no completed run under .*reports; run `xmforecast run` first, or pass -p run_dir FOLDER\.",
                        failure.value.evalue)


def test_user_and_data_text_is_escaped_in_the_pages(tmp_path):
    """A scenario title and a data file's source and quote are shown as text, never run as script.

    (A data file's unit can no longer carry text of its own: it must be the registry's.)
    """
    from xmforecast.workers import export_html

    data = tmp_path / "actuals.csv"
    data.write_text(
        "indicator,year,value,unit,status,quality,source,quote\n"
        "tech_trade,2016,45.16,,derived,C,<script>xss_source()</script>,"
        "<script>xss_quote()</script>\n",
        encoding="utf-8",
    )
    title = "<script>xss_title()</script>"
    pages = {}
    for name, parameters in (
        ("target_scenarios", dict(scenario="xss", title=title, lang="en", data_file=str(data), **TINY)),
        ("baselines", dict(lang="en", data_file=str(data))),
    ):
        _execute(name, tmp_path, **parameters)
        export_html(str(tmp_path / f"{name}.ipynb"), str(tmp_path / f"{name}.html"), name)
        pages[name] = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
    expected = {"target_scenarios": ["title"], "baselines": ["source", "quote"]}
    for name, page in pages.items():
        assert "<script>xss_" not in page, name
        for what in expected[name]:
            assert f"&lt;script&gt;xss_{what}()&lt;/script&gt;" in page, (name, what)


def _readme_block(readme: str, start: str) -> str:
    """The fenced block of the README that starts with `start`."""
    for block in re.findall(r"```[a-z]*\n(.*?)```", readme, re.S):
        if block.startswith(start):
            return block
    raise AssertionError(f"no block starting {start!r} in README.md")


def test_the_readmes_papermill_command_for_a_scenario_with_relative_paths(tmp_path):
    """The README's own city, built from its blocks, run by the README's papermill command as written."""
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    city = tmp_path / "mycity"
    city.mkdir()
    (city / "indicators.yaml").write_text(_readme_block(readme, "# mycity/indicators.yaml"), encoding="utf-8")
    (city / "baseline.yaml").write_text(_readme_block(readme, "# mycity/baseline.yaml"), encoding="utf-8")
    (city / "observations.csv").write_text(_readme_block(readme, "indicator,year,value,source\nresearch_spending"),
                                           encoding="utf-8")
    command = re.search(r"`(papermill notebooks/target_scenarios\.ipynb out\.ipynb -f mycity/baseline\.yaml[^`]*)`",
                        readme.replace("\n", " "))
    assert command, "the README shows how to run a notebook on the city's scenario file"
    (tmp_path / "notebooks").symlink_to(NOTEBOOKS)
    argv = shlex.split(command.group(1))
    done = subprocess.run([sys.executable, "-m", *argv, "--no-progress-bar"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    _assert_clean_execution(tmp_path / "out.ipynb")
    summary = pd.read_csv(tmp_path / "reports" / "notebooks" / "mycity-baseline" / "summary.csv")
    assert sorted(summary["indicator"]) == ["energy_intensity", "research_spending"]
    assert summary["latest_year"].eq(2023).all(), "the city's observations were read"


def test_a_relative_path_under_papermill_without_its_folder_says_how_to_give_it(tmp_path):
    from xmforecast.exceptions import ScenarioError
    from xmforecast.scenarios import scenario_from_parameters

    with pytest.raises(ScenarioError, match=r"file not found .* -p params_dir FOLDER"):
        scenario_from_parameters({"scenario": "s", "data_file": "observations.csv"})
    (tmp_path / "observations.csv").write_text("indicator,year,value\n", encoding="utf-8")
    found = scenario_from_parameters({"scenario": "s", "data_file": "observations.csv"}, params_dir=tmp_path)
    assert found.data_file == str((tmp_path / "observations.csv").resolve())


@pytest.mark.skipif(not __import__("os").environ.get("XMFORECAST_SOAK"),
                    reason="20 runs of explore take 2-4 minutes: run with XMFORECAST_SOAK=1 (see the test's note)")
def test_explore_twenty_runs_in_a_row_never_wait_for_their_timeout(tmp_path, shell_sends):
    """20 papermill runs of explore; none may sit until the cell timeout.

    A missed reply does not fail a run: nbclient finds it when the timeout's timer fires, so a
    hang shows as a cell that lasted the whole timeout. The timeout (60 s) is 20-60 times what
    a widget cell takes, so only a missed reply can reach it. Too slow for `make test`: the
    cause is checked there on every explore run (`test_explore_runs_headless`: no shell sends).
    """
    timeout = 60
    for run in range(20):
        (tmp_path / str(run)).mkdir()
        nb, _ = _execute("explore", tmp_path / str(run), timeout=timeout, **TINY, indicator="tech_trade")
        durations = [c.metadata.get("papermill", {}).get("duration") or 0 for c in _code_cells(nb)]
        assert max(durations) < timeout * 0.9, f"run {run}: a cell waited for its timeout: {durations}"
    assert shell_sends == []
