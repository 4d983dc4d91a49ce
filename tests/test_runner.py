"""Scheduled runs on tiny fixture notebooks: layout, manifest, index, failures."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from xmforecast.exceptions import ParameterError, RunError, ScenarioError
from xmforecast.runner import run_suite
from xmforecast.scenarios import Scenario

STAMP = datetime(2017, 3, 1, 12, 0, 0)
CODE_MARKER = "CODE_CELL_SOURCE_7f3a9"
PROSE_MARKER = "Fixture report prose"


def _notebook(path: Path, parameters: dict, body: list[str], prose: str = PROSE_MARKER) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in parameters.items()))
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_markdown_cell(f"# {prose}")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in body]
    nbformat.write(nb, path)
    return path


def _scenario_notebook(path: Path, *, raise_above: float | None = None, drop: str = "") -> Path:
    parameters = {**Scenario(scenario="fixture").to_parameters(), "output_dir": "."}
    body = [
        "import os\nfrom pathlib import Path\n"
        f"marker = {CODE_MARKER!r}\n"
        "Path(output_dir, 'cwd.txt').write_text(os.getcwd())",
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\nax.plot([2016, 2017], [1, 1 + growth_shift])\n"
        "fig.savefig(Path(output_dir, 'figure.png'))",
        "import csv\np = 0.5 + 5 * growth_shift\n"
        "rows = [dict(indicator='rd_spend', target_year=2017, target_type='growth_ge', target_value=0.2,\n"
        "             base_value=117.7, required_growth=0.2, progress_ratio=1.0, status='on_track',\n"
        "             p_attain=p, expected_year=2017),\n"
        "        dict(indicator='tech_trade', target_year=2017, target_type='level_ge', target_value=60,\n"
        "             base_value=45.16, required_growth=0.3286, progress_ratio=0.5, status='limited',\n"
        "             p_attain=p / 2, expected_year=2019)]\n"
        f"rows = [{{k: v for k, v in r.items() if k != {drop!r}}} for r in rows]\n"
        "with open(Path(output_dir, 'summary.csv'), 'w', newline='') as f:\n"
        "    w = csv.DictWriter(f, fieldnames=list(rows[0]))\n"
        "    w.writeheader()\n"
        "    w.writerows(rows)\n"
        "print('probability', p)",
    ]
    if raise_above is not None:
        body.append(f"if volatility_scale > {raise_above}:\n    raise ValueError('volatility too high for fixture')")
    return _notebook(path, parameters, body)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Fixture notebooks and params files, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("project")
    nbs = root / "notebooks"
    nbs.mkdir()
    _scenario_notebook(nbs / "report.ipynb")
    _scenario_notebook(nbs / "fragile.ipynb", raise_above=1.2)
    _scenario_notebook(nbs / "incomplete.ipynb", drop="p_attain")
    _notebook(
        nbs / "overview.ipynb",
        {"lang": "zh", "origin": 2016, "data_file": "", "output_dir": "."},
        ["from pathlib import Path\nPath(output_dir, 'overview.txt').write_text(f'{lang} {origin}')"],
        prose="Overview",
    )
    _notebook(
        nbs / "compare.ipynb",
        {"run_dir": ".", "lang": "zh", "output_dir": "."},
        ["import csv\nfrom pathlib import Path\n"
         "rows = list(csv.DictReader(open(Path(run_dir, 'summary.csv'))))\n"
         "Path(output_dir, 'scenarios.txt').write_text(' '.join(sorted({r['scenario'] for r in rows})))"],
        prose="Comparison",
    )
    params = root / "params"
    params.mkdir()
    (params / "base.yaml").write_text("scenario: base\ntitle: 基线 Base\nn_paths: 100\n", encoding="utf-8")
    (params / "push.yaml").write_text("scenario: push\ngrowth_shift: 0.03\nn_paths: 100\n", encoding="utf-8")
    (params / "slow.yaml").write_text("scenario: slow\nvolatility_scale: 1.3\n", encoding="utf-8")
    (params / "typo.yaml").write_text("scenario: typo\nn_path: 100\n", encoding="utf-8")
    return {"root": root, "notebooks": nbs, "params": params}


def _run(project, out, names=("base", "push"), **kwargs):
    options = dict(
        out=out, jobs=2, notebooks_dir=project["notebooks"], run_notebooks=("overview.ipynb",),
        scenario_notebooks=("report.ipynb",), summary_notebook="compare.ipynb", now=STAMP,
    )
    options.update(kwargs)
    return run_suite([project["params"] / f"{n}.yaml" for n in names], **options)


@pytest.fixture(scope="module")
def first_run(project, tmp_path_factory):
    """One successful run of two scenarios, with a README already in the reports folder."""
    out = tmp_path_factory.mktemp("first") / "reports"
    out.mkdir()
    (out / "README.md").write_text("Generated reports.\n", encoding="utf-8")
    lines: list[str] = []
    run = _run(project, out, progress=lines.append)
    return {"out": out, "run": run, "lines": lines}


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _copy_reports(first_run, tmp_path) -> Path:
    out = tmp_path / "reports"
    shutil.copytree(first_run["out"], out)
    return out


def test_run_layout(first_run):
    out, run = first_run["out"], first_run["run"]
    assert run == out / "2017-03-01_120000"
    for scenario in ("base", "push"):
        folder = run / scenario
        assert {"report.ipynb", "report.html", "figure.png", "summary.csv", "cwd.txt"} <= {
            p.name for p in folder.iterdir()
        }
        assert (folder / "figure.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        cwd = Path((folder / "cwd.txt").read_text())
        assert cwd.name == scenario and cwd.parent.name.startswith(".building-2017-03-01_120000-")
    assert (run / "_overview" / "overview.ipynb").is_file()
    assert (run / "_overview" / "overview.html").is_file()
    assert (run / "_overview" / "overview.txt").read_text() == "zh 2016"
    assert (run / "_comparison" / "scenarios.txt").read_text() == "base push"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert (out / "README.md").read_text(encoding="utf-8") == "Generated reports.\n"


def test_run_summary_table(first_run):
    import pandas as pd

    table = pd.read_csv(first_run["run"] / "summary.csv")
    assert list(table.columns[:2]) == ["scenario", "indicator"]
    assert table["scenario"].tolist() == ["base", "base", "push", "push"]
    push = table[(table["scenario"] == "push") & (table["indicator"] == "rd_spend")]
    assert push["p_attain"].iloc[0] == pytest.approx(0.65)


def test_run_manifest(first_run):
    run = first_run["run"]
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_id"] == "2017-03-01_120000"
    assert manifest["status"] == "ok"
    assert manifest["started"].startswith("2017-03-01T12:00:00")
    assert datetime.fromisoformat(manifest["finished"]) > datetime.fromisoformat(manifest["started"])
    assert manifest["wall_time_s"] > 0
    done = {(r["label"], r["notebook"]): r for r in manifest["notebooks"]}
    assert set(done) == {
        ("overview", "overview.ipynb"), ("base", "report.ipynb"), ("push", "report.ipynb"),
        ("comparison", "compare.ipynb"),
    }
    assert all(r["status"] == "ok" and r["seconds"] > 0 for r in done.values())
    assert manifest["scenarios"]["push"]["parameters"]["growth_shift"] == 0.03
    assert manifest["scenarios"]["base"]["parameters"] == Scenario(
        scenario="base", title="基线 Base", n_paths=100
    ).to_parameters()
    history = next(d for d in manifest["data"] if d["file"].endswith("xiamen_history_2010_2016.csv"))
    assert history["sha256"] == hashlib.sha256(Path(history["file"]).read_bytes()).hexdigest()
    assert history["max_year"] == 2016
    assert {"python", "xmforecast", "pandas", "numpy", "statsmodels", "papermill"} <= set(manifest["versions"])
    assert manifest["git_revision"] is None or re.fullmatch(r"[0-9a-f]{40}", manifest["git_revision"])
    assert manifest["command"]


def test_html_has_no_code(first_run):
    folder = first_run["run"] / "base"
    assert CODE_MARKER in (folder / "report.ipynb").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert PROSE_MARKER in page
    assert "probability 0.5" in page
    assert CODE_MARKER not in page
    assert "matplotlib.use" not in page


def test_index_compares_scenarios(first_run):
    out = first_run["out"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    assert "Noto Sans CJK SC" in page
    assert "基线 Base" in page and "push" in page
    row = re.search(r"<tr><th>rd_spend</th><th>2017</th>.*?</tr>", page).group(0)
    assert re.findall(r">(\d+ %)</td>", row) == ["50 %", "65 %"]
    links = re.findall(r'href="([^"]+)"', page)
    assert "2017-03-01_120000/base/report.html" in links
    assert "2017-03-01_120000/_overview/overview.html" in links
    assert all((out / link).exists() for link in links)


def test_progress_lines(first_run):
    lines = first_run["lines"]
    assert len(lines) == 5
    assert re.fullmatch(r"\[\d/4\] push · report\.ipynb · ok · \d+\.\d s", next(l for l in lines if "push" in l))
    assert lines[3].startswith("[4/4] comparison · compare.ipynb · ok")
    assert re.match(r"done in \d+\.\d s: ", lines[4])


def test_second_run_beside_first(first_run, project, tmp_path):
    out = _copy_reports(first_run, tmp_path)
    first = out / first_run["run"].name
    before = _hashes(first)
    second = _run(project, out, names=("push",), progress=None)
    assert second.name == "2017-03-01_120000-2"
    assert first.is_dir() and second.is_dir()
    assert _hashes(first) == before
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "2017-03-01_120000-2/push/report.html" in page
    assert 'href="2017-03-01_120000/index.html"' in page
    assert "基线 Base" not in page


def test_failing_scenario_keeps_earlier_run(first_run, project, tmp_path):
    out = _copy_reports(first_run, tmp_path)
    before = _hashes(out)
    with pytest.raises(
        RunError,
        match=r"^scenario 'slow': fragile\.ipynb failed at cell \d+: ValueError: volatility too high for fixture "
        r"\(see .*2017-03-01_120000-failed/slow/fragile\.ipynb\)$",
    ):
        _run(project, out, names=("base", "slow"), scenario_notebooks=("fragile.ipynb",), progress=None)
    failed = out / "2017-03-01_120000-failed"
    nb = nbformat.read(failed / "slow" / "fragile.ipynb", as_version=4)
    assert any("papermill-error-cell-tag" in c.metadata.get("tags", []) for c in nb.cells)
    assert json.loads((failed / "manifest.json").read_text(encoding="utf-8"))["status"] == "failed"
    after = _hashes(out)
    assert {k: v for k, v in after.items() if not k.startswith(failed.name)} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_summary_without_a_column_fails_the_run(project, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(RunError, match=r"^scenario 'push': summary\.csv lacks the columns p_attain \(see .*-failed/push/summary\.csv\)$"):
        _run(project, out, names=("push",), scenario_notebooks=("incomplete.ipynb",), progress=None)
    assert [p.name for p in out.iterdir()] == ["2017-03-01_120000-failed"]


def test_invalid_params_writes_nothing(project, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ScenarioError, match=r"typo\.yaml: key 'n_path': unknown key"):
        _run(project, out, names=("base", "typo"))
    assert not out.exists()


def test_missing_notebook_writes_nothing(project, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(RunError, match=r"notebook .*absent\.ipynb not found"):
        _run(project, out, run_notebooks=("absent.ipynb",))
    assert not out.exists()


def test_notebook_without_a_parameter_writes_nothing(project, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(RunError, match=r"overview\.ipynb: its cell tagged 'parameters' does not declare"):
        _run(project, out, scenario_notebooks=("overview.ipynb",))
    assert not out.exists()


def test_interrupted_run_keeps_earlier_run(first_run, project, tmp_path, monkeypatch):
    import concurrent.futures
    import multiprocessing

    real_wait = concurrent.futures.wait

    def interrupt(futures, *args, **kwargs):
        real_wait(futures, timeout=0.5)  # notebooks are running when Ctrl-C arrives
        raise KeyboardInterrupt

    out = _copy_reports(first_run, tmp_path)
    before = _hashes(out)
    monkeypatch.setattr(concurrent.futures, "wait", interrupt)
    with pytest.raises(RunError, match=r"^run interrupted; earlier reports untouched; partial output in .*-interrupted$"):
        _run(project, out, progress=None)
    assert multiprocessing.active_children() == []
    interrupted = out / "2017-03-01_120000-interrupted"
    assert interrupted.is_dir()
    after = _hashes(out)
    assert {k: v for k, v in after.items() if not k.startswith(interrupted.name)} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_missing_data_file_writes_nothing(project, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ParameterError, match=r"`data_file` must be an existing CSV file; got '.*nowhere\.csv'"):
        _run(project, out, data_file=tmp_path / "nowhere.csv")
    assert not out.exists()


def test_bad_jobs_writes_nothing(project, tmp_path):
    out = tmp_path / "reports"
    with pytest.raises(ParameterError, match=r"`jobs` must be a positive integer; got 0"):
        _run(project, out, jobs=0)
    assert not out.exists()


def test_data_file_reaches_every_notebook(project, tmp_path):
    data = tmp_path / "actuals.csv"
    data.write_text("indicator,year,value\nrd_spend,2017,141.2\n", encoding="utf-8")
    out = tmp_path / "reports"
    run = _run(project, out, names=("push",), summary_notebook=None, progress=None, data_file=data)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenarios"]["push"]["parameters"]["data_file"] == str(data.resolve())
    vintage = next(d for d in manifest["data"] if d["file"] == str(data.resolve()))
    assert vintage["max_year"] == 2017
    for executed in (run / "_overview" / "overview.ipynb", run / "push" / "report.ipynb"):
        cells = nbformat.read(executed, as_version=4).cells
        injected = next(c for c in cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'data_file = "{data.resolve()}"' in injected.source


def test_a_stuck_cell_fails_the_run_instead_of_hanging(tmp_path):
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    parameters = {**Scenario(scenario="fixture").to_parameters(), "output_dir": "."}
    _notebook(nbdir / "slow.ipynb", parameters, ["import time\ntime.sleep(120)"])
    scenario = tmp_path / "a.yaml"
    scenario.write_text("scenario: a\n", encoding="utf-8")
    with pytest.raises(RunError, match=r"scenario 'a': slow\.ipynb failed: CellTimeoutError: A cell timed out"):
        run_suite([scenario], out=tmp_path / "reports", jobs=1, notebooks_dir=nbdir, run_notebooks=(),
                  scenario_notebooks=("slow.ipynb",), summary_notebook=None, progress=None, cell_timeout=3)
    assert not (tmp_path / "reports" / "index.html").exists()
    assert [p.name for p in (tmp_path / "reports").iterdir()][0].endswith("-failed")


def test_a_bad_observations_file_stops_the_run_before_anything_is_written(tmp_path):
    from xmforecast.exceptions import DataError

    bad = tmp_path / "obs.csv"
    bad.write_text("indicator,year,value\ntech_trade,2017,abc\n", encoding="utf-8")
    scenario = tmp_path / "a.yaml"
    scenario.write_text("scenario: a\ndata_file: obs.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"obs\.csv: line 2: `value` must be a number; got 'abc'"):
        run_suite([scenario], out=tmp_path / "reports", progress=None)
    assert not (tmp_path / "reports").exists()


def test_the_folder_of_a_killed_run_is_recovered_as_interrupted(project, tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that no longer runs, as after `kill -9`
    out = tmp_path / "reports"
    left = out / f".building-2017-02-01_090000-{dead.pid}"
    (left / "base").mkdir(parents=True)
    (left / "base" / "report.ipynb").write_text("{}", encoding="utf-8")
    lines: list[str] = []
    run = _run(project, out, names=("base",), progress=lines.append)
    assert (out / "2017-02-01_090000-interrupted" / "base" / "report.ipynb").is_file()
    assert not left.exists() and run.is_dir()
    assert any("killed before it finished" in line for line in lines)
