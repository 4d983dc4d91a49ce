"""Scheduled runs on tiny fixture notebooks: layout, manifest, index, failures."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from xmforecast.exceptions import ParameterError, RunError, ScenarioError
from xmforecast.colours import probability_color
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
        {"lang": "zh", "origin": 2016, "data_file": "", "indicators_file": "", "output_dir": "."},
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
    history = next(d for d in manifest["data"] if d["file"].endswith("plans/xiamen/observations.csv"))
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
    assert "Noto Sans CJK SC" in page and "_fonts/NotoSansSC-Regular.otf" in page
    assert (out / "_fonts" / "NotoSansSC-Regular.otf").is_file()
    assert "基线 Base" in page and "push" in page
    row = re.search(r"<tr>\s*<td><b>rd_spend</b>.*?</tr>", page, re.S).group(0)
    cells = re.findall(r'<td class="p" style="background: (#\w+); color: #\w+">([^<]*)<small>', row)
    # a no-break space keeps a percentage on one line
    assert [text.split(":")[-1] for _, text in cells] == ["可能性约一半,50\u00a0%", "可能性约一半,65\u00a0%"]
    assert [color for color, _ in cells] == [probability_color(0.5), probability_color(0.65)]
    links = re.findall(r'href="([^"]+)"', page)
    assert "2017-03-01_120000/base/report.html" in links
    assert "2017-03-01_120000/_overview/overview.html" in links
    assert all((out / link).exists() for link in links)


def test_progress_lines(first_run):
    lines = first_run["lines"]
    assert lines[0].startswith("checking 2 scenario file(s)")
    assert lines[1] == "running 4 notebook(s), 2 at a time (base, push)"
    finished = [line for line in lines if line.startswith("[")]
    assert len(finished) == 4
    assert re.fullmatch(r"\[\d/4\] push · report\.ipynb · ok · \d+\.\d s", next(l for l in finished if "push" in l))
    assert finished[3].startswith("[4/4] comparison · compare.ipynb · ok")
    for label in ("base · report.ipynb", "push · report.ipynb"):
        cells = [line for line in lines if line.startswith(f"  {label} · cells ")]
        assert cells, f"no progress line for {label}"
        assert re.fullmatch(r"  .* · cells \d+/5 · \d+ s elapsed · (about \d+ s left|estimating)", cells[0])
    assert re.match(r"done in \d+\.\d s: ", lines[-1])


def test_second_run_beside_first(first_run, project, tmp_path):
    out = _copy_reports(first_run, tmp_path)
    first = out / first_run["run"].name
    before = _hashes(first)
    second = _run(project, out, names=("push",), progress=None)
    assert second.name == "2017-03-01_120000-2"
    assert first.is_dir() and second.is_dir()
    # The history drawn ahead under the expected name is redrawn under the name taken.
    runs = (second / "_history" / "probability_history.csv").read_text(encoding="utf-8")
    assert "2017-03-01_120000-2," in runs and "2017-03-01_120000," in runs
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


def test_the_runner_does_not_police_the_summary_columns(project, tmp_path):
    out = tmp_path / "reports"
    run = _run(project, out, names=("push",), scenario_notebooks=("incomplete.ipynb",), progress=None)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert run.name == "2017-03-01_120000"
    assert "rd_spend" in page and "nan" not in page.lower().replace("nanum", "")


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
    with pytest.raises(RunError, match=r"^run interrupted \(SIGINT\); earlier reports untouched; partial output in .*-interrupted$"):
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
    assert [p.name for p in (tmp_path / "reports").iterdir() if p.name != "_fonts"][0].endswith("-failed")


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


# --- faults: killed, terminated and overlapping runs; unwritable folders; a full disk ------------------


def _cli_project(root: Path) -> Path:
    """A folder where `xmforecast run` finds tiny notebooks under the default names.

    ``baselines.ipynb`` writes ``<root>/started`` and then sleeps while ``<root>/slow`` exists,
    so that a test can stop the run while a notebook (and its kernel) is running.
    """
    nbs = root / "notebooks"
    nbs.mkdir(parents=True)
    overview = {"lang": "zh", "origin": 2016, "data_file": "", "indicators_file": "", "output_dir": "."}
    _notebook(nbs / "baselines.ipynb", overview, [
        "import time\nfrom pathlib import Path\n"
        f"Path({str(root / 'started')!r}).write_text('x')\n"
        f"while Path({str(root / 'slow')!r}).exists():\n    time.sleep(0.2)\n"
        "Path(output_dir, 'again').mkdir(parents=True, exist_ok=True)",
    ])
    _notebook(nbs / "growth_models.ipynb", overview, ["pass"])
    _scenario_notebook(nbs / "target_scenarios.ipynb")
    _notebook(nbs / "comparison.ipynb", {"run_dir": ".", "lang": "zh", "output_dir": "."}, ["pass"])
    (root / "a.yaml").write_text("scenario: a\nn_paths: 100\n", encoding="utf-8")
    (root / "slow").write_text("", encoding="utf-8")
    return root


def _signals_at_default() -> None:
    """A command's signals as a terminal gives them: a test suite started as a background job of
    a script inherits SIGINT ignored, and the run would then (rightly) keep ignoring it."""
    import signal

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def _start_cli_run(root: Path, preexec_fn=_signals_at_default):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                         os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-m", "xmforecast.cli", "run", "a.yaml", "--out", "reports", "--jobs", "1"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn,
    )


def _wait_until_a_notebook_runs(root: Path, proc) -> list:
    """Wait for the slow notebook to start; return the run's processes (the command, workers, kernels)."""
    import time

    import psutil

    deadline = time.monotonic() + 600  # kernels start slowly on a busy machine
    while not (root / "started").exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the notebook never started"
        time.sleep(0.2)
    parent = psutil.Process(proc.pid)
    tree = [parent, *parent.children(recursive=True)]
    assert len(tree) >= 3  # the command, a worker, a kernel
    return tree


def _left(processes) -> list:
    import psutil

    gone, alive = psutil.wait_procs(processes, timeout=5)
    return [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]


def test_a_killed_run_leaves_no_process_and_the_next_run_works(tmp_path):
    import signal

    root = _cli_project(tmp_path / "project")
    proc = _start_cli_run(root)
    tree = _wait_until_a_notebook_runs(root, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert _left(tree[1:]) == []  # workers and kernels gone within 5 s
    building = next((root / "reports").glob(".building-*"))
    assert not (building / "_overview" / "again").exists()

    (root / "slow").unlink()
    again = _start_cli_run(root)
    out, err = again.communicate(timeout=900)
    assert again.returncode == 0, err
    assert (root / out.strip()).parent.resolve() == (root / "reports").resolve()
    names = sorted(p.name for p in (root / "reports").iterdir())
    assert any(n.endswith("-interrupted") for n in names) and "index.html" in names
    assert not [n for n in names if n.startswith(".building-")]


def test_sigterm_is_handled_like_ctrl_c_and_an_overlapping_run_stops(tmp_path):
    import signal

    root = _cli_project(tmp_path / "project")
    proc = _start_cli_run(root)
    tree = _wait_until_a_notebook_runs(root, proc)
    with pytest.raises(RunError, match=rf"^another run is writing into .*reports \(run \d{{4}}-\d\d-\d\d_\d{{6}}, "
                                       rf"process {proc.pid}, in \.building-.*\); this run stops without writing"):
        run_suite([root / "a.yaml"], out=root / "reports", notebooks_dir=root / "notebooks", progress=None)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and out == ""
    last = err.strip().splitlines()[-1]
    assert re.fullmatch(r"xmforecast: run interrupted \(SIGTERM\); earlier reports untouched; "
                        r"partial output in .*reports/\d{4}-\d\d-\d\d_\d{6}-interrupted", last), err
    assert "Traceback" not in err
    assert _left(tree) == []
    names = [p.name for p in (root / "reports").iterdir() if p.name != "_fonts"]  # the pages' CJK font
    assert len(names) == 1 and names[0].endswith("-interrupted")  # nothing re-created after the rename
    assert not (root / "reports" / names[0] / "_overview" / "again").exists()


def test_an_unusable_output_folder_gives_one_line_and_writes_nothing(project, tmp_path, monkeypatch):
    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(RunError, match=r"^cannot write into the output folder .*file/sub: a part of the path is a file"):
        _run(project, afile / "sub", progress=None)
    assert afile.read_text(encoding="utf-8") == "x"

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(RunError, match=r"^cannot write into the output folder .*ro: Permission denied; nothing was run\.$"):
        _run(project, tmp_path / "ro", progress=None)
    assert not (tmp_path / "ro").exists()


def test_a_read_only_output_folder_gives_one_line(project, tmp_path, monkeypatch):
    import errno
    import os

    out = tmp_path / "reports"
    out.mkdir()
    real_mkdir = os.mkdir

    def read_only(path, *args, **kwargs):
        if str(path).startswith(str(out)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", read_only)
    with pytest.raises(RunError, match=r"^cannot write into the output folder .*reports: Read-only file system; "):
        _run(project, out, progress=None)
    assert list(out.iterdir()) == []


def test_a_full_disk_leaves_no_empty_manifest(project, tmp_path, monkeypatch):
    import errno
    import os

    import xmforecast.runner

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    import xmforecast.publish

    monkeypatch.setattr(xmforecast.publish, "collect_run", full)
    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "reports"
    with pytest.raises(RunError, match=r"^run failed: OSError: \[Errno 28\] No space left on device") as info:
        _run(project, out, names=("base",), summary_notebook=None, progress=None)
    assert "\n" not in str(info.value)
    failed = next(out.glob("*-failed"))
    assert not (failed / "manifest.json").exists()
    assert not [p for p in failed.rglob("*") if p.is_file() and p.stat().st_size == 0 and p.suffix == ".json"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_the_cli_turns_an_unwritable_out_into_one_line(tmp_path, capsys):
    from xmforecast.cli import main

    afile = tmp_path / "file"
    afile.write_text("x", encoding="utf-8")
    params = tmp_path / "a.yaml"
    params.write_text("scenario: a\n", encoding="utf-8")
    code = main(["run", str(params), "--out", str(afile / "sub")])
    out, err = capsys.readouterr()
    errors = [line for line in err.splitlines() if not line.startswith(("xmforecast run: ", "checking "))]
    assert code == 1 and out == "" and len(errors) == 1 and "Traceback" not in err  # progress lines aside
    assert "cannot write into the output folder" in errors[0]


def _blas_threads() -> str | None:
    import os

    return os.environ.get("OPENBLAS_NUM_THREADS")


def test_workers_give_their_kernels_one_blas_thread(monkeypatch):
    import os
    from concurrent.futures import ProcessPoolExecutor

    from xmforecast.workers import init_worker

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with ProcessPoolExecutor(max_workers=1, initializer=init_worker, initargs=(os.getpid(),)) as pool:
        assert pool.submit(_blas_threads).result(timeout=60) == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # a caller's own setting wins
    with ProcessPoolExecutor(max_workers=1, initializer=init_worker, initargs=(os.getpid(),)) as pool:
        assert pool.submit(_blas_threads).result(timeout=60) == "2"


# --- another plan: indicators_file -------------------------------------------------------------------

CITY = Path(__file__).resolve().parent.parent / "examples" / "lakeside"


def test_indicators_file_reaches_every_notebook_and_the_manifest_lists_only_that_plan(project, tmp_path):
    out = tmp_path / "reports"
    run = _run(project, out, names=("push",), summary_notebook=None, progress=None,
               indicators_file=CITY / "indicators.yaml", data_file=CITY / "observations.csv")
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenarios"]["push"]["parameters"]["indicators_file"] == str((CITY / "indicators.yaml").resolve())
    files = [Path(d["file"]).name for d in manifest["data"]]
    assert "indicators.yaml" in files and "observations.csv" in files
    assert not any("xiamen" in f for f in files)
    for executed in (run / "_overview" / "overview.ipynb", run / "push" / "report.ipynb"):
        cells = nbformat.read(executed, as_version=4).cells
        injected = next(c for c in cells if "injected-parameters" in c.metadata.get("tags", []))
        assert f'indicators_file = "{(CITY / "indicators.yaml").resolve()}"' in injected.source


def test_scenarios_of_two_plans_in_one_run_are_refused_before_anything_is_written(tmp_path):
    from xmforecast.exceptions import ScenarioError

    (tmp_path / "a.yaml").write_text("scenario: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(f"scenario: b\nindicators_file: {CITY / 'indicators.yaml'}\n"
                                     f"data_file: {CITY / 'observations.csv'}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"every scenario of a run must use the same `indicators_file`"):
        run_suite([tmp_path / "a.yaml", tmp_path / "b.yaml"], out=tmp_path / "reports", progress=None)
    assert not (tmp_path / "reports").exists()


def test_another_plans_data_is_checked_against_its_registry_before_anything_is_written(tmp_path):
    from xmforecast.exceptions import DataError

    (tmp_path / "obs.csv").write_text("indicator,year,value\nrd_spend,2016,117.7\n", encoding="utf-8")
    (tmp_path / "a.yaml").write_text(f"scenario: a\nindicators_file: {CITY / 'indicators.yaml'}\n"
                                     "data_file: obs.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"obs\.csv: line 2: unknown indicator 'rd_spend'"):
        run_suite([tmp_path / "a.yaml"], out=tmp_path / "reports", progress=None)
    assert not (tmp_path / "reports").exists()


def test_a_file_system_without_locks_still_runs(project, tmp_path, monkeypatch):
    import errno
    import fcntl

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    run = _run(project, tmp_path / "reports", names=("base",), summary_notebook=None, run_notebooks=(),
               progress=None)
    assert (run / "manifest.json").is_file()


@pytest.mark.parametrize("with_psutil", [True, False])
def test_a_worker_kills_its_children_before_it_exits(monkeypatch, with_psutil):
    import subprocess
    import sys

    from xmforecast.workers import kill_children

    if not with_psutil:
        monkeypatch.setitem(sys.modules, "psutil", None)  # the /proc fallback
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    kill_children()
    # Killed, not left to sleep (psutil reaps the child itself, so its status may read 0).
    assert child.wait(timeout=10) in (-9, 0)


def test_a_notebook_whose_cells_all_finished_between_two_looks_still_gets_a_line():
    import queue

    from xmforecast.workers import show_cells

    cells = queue.Queue()
    for done in range(1, 6):
        cells.put(("base · report.ipynb", done, 5, 0.4 * done))
    lines, shown = [], {}
    show_cells(cells, shown, lines.append)
    assert len(lines) == 1 and re.fullmatch(r"  base · report\.ipynb · cells 5/5 · \d+ s elapsed · about 0 s left",
                                            lines[0])
    show_cells(cells, shown, lines.append)  # finished: no second line
    assert len(lines) == 1


def test_the_run_imports_papermill_without_building_the_iri_grammar():
    # jsonschema builds an Earley parser for IRIs at import (1.5 s); notebooks need no IRI check.
    code = ("from xmforecast.runner import _skip_iri_grammar; _skip_iri_grammar(); import sys, papermill, nbformat; "
            "nbformat.validate(nbformat.v4.new_notebook()); print(sys.modules['rfc3987_syntax'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None"


def test_an_origin_after_the_data_is_refused_before_anything_runs(project, tmp_path):
    params = tmp_path / "late.yaml"
    params.write_text("scenario: late\norigin: 2020\n", encoding="utf-8")
    out = tmp_path / "reports"
    with pytest.raises(ScenarioError, match=r"late\.yaml: key 'origin': 2020 is after the data's last year 2016; "
                                            r"add later observations with data_file"):
        run_suite([params], out=out, notebooks_dir=project["notebooks"], run_notebooks=(),
                  scenario_notebooks=("report.ipynb",), summary_notebook=None, progress=None)
    assert not out.exists()


def _signal_ends_the_run_in_one_line(tmp_path: Path, signum: int, delay: float) -> None:
    """`signum` `delay` seconds after `xmforecast run` starts: 128 + signum, one line, only `-interrupted` left."""
    import signal
    import time

    name = signal.Signals(signum).name
    root = _cli_project(tmp_path / "project")
    proc = _start_cli_run(root)
    time.sleep(delay)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    assert out == "" and "Traceback" not in err
    last = err.strip().splitlines()[-1]
    early = "xmforecast: terminated (SIGTERM)" if signum == signal.SIGTERM else "xmforecast: interrupted"
    assert last == early or re.fullmatch(
        rf"xmforecast: run interrupted \({name}\); earlier reports untouched; partial output in .*-interrupted", last), err
    reports = root / "reports"
    left = [p.name for p in reports.iterdir() if p.name != "_fonts"] if reports.exists() else []
    assert all(name.endswith("-interrupted") for name in left), left


@pytest.mark.parametrize("delay", [0.3, 1.0])
def test_sigterm_from_the_first_instant_exits_143_in_one_line(tmp_path, delay):
    import signal

    _signal_ends_the_run_in_one_line(tmp_path, signal.SIGTERM, delay)


@pytest.mark.parametrize("delay", [0.5, 1.1, 3.0])
def test_sigint_from_the_first_instant_exits_130_in_one_line(tmp_path, delay):
    # 1.1 s fell, on a quiet 2-core machine, while the run imported its notebook machinery: a
    # KeyboardInterrupt there was swallowed (the run went on) or ended the process by SIGINT (-2).
    import signal

    _signal_ends_the_run_in_one_line(tmp_path, signal.SIGINT, delay)


def test_a_run_started_with_sigint_ignored_keeps_it_ignored(tmp_path):
    import signal

    root = _cli_project(tmp_path / "project")
    # as a shell's background job starts it
    proc = _start_cli_run(root, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    _wait_until_a_notebook_runs(root, proc)
    proc.send_signal(signal.SIGINT)
    (root / "slow").unlink()
    out, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, err
    assert not [p for p in (root / "reports").iterdir() if p.name.endswith("-interrupted")]


def _refused_before_running(project, folder: Path, params: str, message: str, **files: str) -> None:
    """`params` (the text of ``<folder>/s.yaml``, beside `files`) is refused with `message`, writing nothing."""
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "s.yaml").write_text(params, encoding="utf-8")
    out = folder / "reports"
    with pytest.raises(ScenarioError, match=message):
        run_suite([folder / "s.yaml"], out=out, notebooks_dir=project["notebooks"], run_notebooks=(),
                  scenario_notebooks=("report.ipynb",), summary_notebook=None, progress=None)
    assert not out.exists()


@pytest.mark.parametrize("origin", [1990, 1800])
def test_an_origin_before_the_data_is_refused_before_anything_runs(project, tmp_path, origin):
    import xmforecast

    first = int(xmforecast.load_observations()["year"].min())
    _refused_before_running(project, tmp_path, f"scenario: early\norigin: {origin}\n",
                            rf"s\.yaml: key 'origin': {origin} is before the data's first year {first}; choose an "
                            rf"origin from {first} on\. Nothing was run\.$")


def test_an_assumption_no_model_can_fit_is_refused_before_anything_runs(project, tmp_path):
    _refused_before_running(project, tmp_path, "scenario: exits\nexit_rate: 0.99\n",
                            r"^.*s\.yaml: indicator 'hightech_enterprises': No `recertification_rate` "
                            r".*`exit_rate` = 0\.99.* Nothing was run\.$")


def test_data_no_model_can_fit_is_refused_naming_the_data_file(project, tmp_path):
    # a last value of 0 leaves a growth model nothing to grow from, whatever the scenario says
    _refused_before_running(project, tmp_path, "scenario: zero\ndata_file: zero.csv\n",
                            r"zero\.csv: indicator 'tech_trade', year 2016: `auto` needs a last value > 0 .*got 0\. "
                            r"Nothing was run\.$",
                            **{"zero.csv": "indicator,year,value,unit\ntech_trade,2016,0,亿元\n"})


def test_a_kernel_that_dies_while_starting_is_started_once_more(tmp_path, monkeypatch):
    import papermill

    from xmforecast import workers

    calls = []

    def flaky(input_path, output_path, **kwargs):
        calls.append(output_path)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("done")]), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    task = {"folder": str(tmp_path / "a"), "log": str(tmp_path / "_logs" / "a.log"), "input": "in.ipynb",
            "output": str(tmp_path / "a" / "n.ipynb"), "parameters": {}, "kernel_name": None, "timeout": 60,
            "label": "a", "notebook": "n.ipynb", "html": str(tmp_path / "a" / "n.html"), "font": None,
            "kind": "scenario", "rel": "a/n.ipynb"}
    record = workers.execute(task)
    assert record["status"] == "ok" and len(calls) == 2
    assert "the kernel died while starting" in (tmp_path / "_logs" / "a.log").read_text(encoding="utf-8")
    # a kernel that dies twice, or any other error, fails the notebook as before
    calls.clear()

    def dead(input_path, output_path, **kwargs):
        calls.append(output_path)
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    record = workers.execute(task)
    assert record["status"] == "failed" and len(calls) == 2
    assert record["error"]["evalue"] == "Kernel died before replying to kernel_info"


# --------------------------------------------------------------------------- one plan per reports folder


def test_a_run_of_some_scenarios_leaves_the_others_on_the_front_page(first_run, project, tmp_path):
    out = _copy_reports(first_run, tmp_path)
    later = datetime(2017, 4, 1, 12, 0, 0)
    run = _run(project, out, names=("base",), progress=None, now=later)
    page = (out / "index.html").read_text(encoding="utf-8")
    header = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    # base from the new run, push from its latest run, named with that run
    assert "基线 Base" in header and "push" in header
    assert f"{first_run['run'].name}/push/report.html" in header and "2017-03-01_120000" in header
    row = re.search(r"<tr>\s*<td><b>rd_spend</b>.*?</tr>", page, re.S).group(0)
    assert len(re.findall(r'<td class="p"', row)) == 2
    # the run's own page shows its own scenarios only
    assert "push" not in re.search(r"<thead>.*?</thead>", (run / "index.html").read_text(encoding="utf-8"),
                                   re.S).group(0)


def test_a_reports_folder_of_another_plan_is_refused_before_anything_is_written(first_run, project, tmp_path):
    out = _copy_reports(first_run, tmp_path)
    before = _hashes(out)
    with pytest.raises(RunError, match=r"holds the runs of another plan \(the embedded plan\).*"
                                       r"pass --out reports/lakeside or another folder\. Nothing was run\.$"):
        _run(project, out, names=("push",), progress=None, indicators_file=CITY / "indicators.yaml",
             data_file=CITY / "observations.csv")
    assert _hashes(out) == before


def test_the_default_reports_folder_belongs_to_the_plan(project, tmp_path, monkeypatch):
    from xmforecast.runner import default_out

    monkeypatch.chdir(tmp_path)
    run = _run(project, None, names=("push",), summary_notebook=None, progress=None,
               indicators_file=CITY / "indicators.yaml", data_file=CITY / "observations.csv")
    assert run.parent.resolve() == (tmp_path / "reports" / "lakeside").resolve()
    assert (tmp_path / "reports" / "lakeside" / "index.html").is_file()
    assert not (tmp_path / "reports" / "index.html").exists(), "the embedded plan's front page is not touched"
    assert json.loads((run / "manifest.json").read_text(encoding="utf-8"))["plan"] == str(
        (CITY / "indicators.yaml").resolve())
    assert default_out() == Path("reports")


def test_a_running_notebook_is_written_now_and_then_and_whole_at_its_end(tmp_path, monkeypatch):
    """papermill would write the notebook before and after each of its cells; the worker writes it as it
    starts, at most every few seconds while it runs, and once more with every output when it ends."""
    import papermill.engines

    from xmforecast import workers

    writes = []
    write = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb", lambda nb, path: (writes.append(path), write(nb, path)))
    monkeypatch.setattr(workers, "_SAVE_EVERY", 3600.0)  # however slow the machine, no save while it runs
    source = _notebook(tmp_path / "in.ipynb", {"output_dir": "."}, [f"print({i})" for i in range(6)] + [
        "from pathlib import Path\nhandle = open(Path(output_dir, 'last.txt'), 'w')\n"
        "handle.write('written by the last cell')\nhandle.close()\nprint('end')"])
    out = tmp_path / "a"
    task = {"folder": str(out), "log": str(tmp_path / "_logs" / "a.log"), "input": str(source),
            "output": str(out / "n.ipynb"), "parameters": {}, "kernel_name": None, "timeout": 60,
            "label": "a", "notebook": "n.ipynb", "html": str(out / "n.html"), "font": None,
            "kind": "scenario", "rel": "a/n.ipynb"}
    record = workers.execute(task)
    assert record["status"] == "ok", record
    assert len(writes) == 2  # as it starts, as it ends (not before and after each cell, as papermill would)
    ended = nbformat.read(out / "n.ipynb", as_version=4)
    printed = ["".join(o.get("text", "") for o in c.outputs) for c in ended.cells if c.cell_type == "code"][1:]
    assert printed == [f"{i}\n" for i in range(6)] + ["end\n"]
    assert (out / "last.txt").read_text(encoding="utf-8") == "written by the last cell"


def test_pages_exported_one_after_another_in_a_worker_do_not_depend_on_each_other(tmp_path):
    """A worker keeps one HTML exporter for all its pages: each page is what it would be alone."""
    from xmforecast.workers import export_html

    def notebook(name: str) -> str:
        nb = nbformat.v4.new_notebook()
        hidden = nbformat.v4.new_markdown_cell(f"explained in the lab only {name}")
        hidden.metadata["tags"] = ["lab-only"]
        shown = nbformat.v4.new_code_cell(f"print('{name}')", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": f"<p>table of {name}</p>"})])
        nb.cells = [hidden, nbformat.v4.new_markdown_cell(f"# prose of {name}"), shown]
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nb, path)
        return str(path)

    notebooks, pages = {name: notebook(name) for name in ("alpha7", "beta7")}, []
    for name, font in (("alpha7", None), ("beta7", "font.ttf"), ("alpha7", None)):
        export_html(notebooks[name], str(tmp_path / "page.html"), f"title of {name}", font=font)
        pages.append((tmp_path / "page.html").read_text(encoding="utf-8"))
    assert pages[0] == pages[2]
    for page, name, other in ((pages[0], "alpha7", "beta7"), (pages[1], "beta7", "alpha7")):
        assert f"title of {name}" in page and f"table of {name}" in page and "prose of" in page
        assert "explained in the lab only" not in page and f"print('{name}')" not in page and other not in page
    assert "font.ttf" in pages[1] and "font.ttf" not in pages[0]



def test_a_kernel_is_ready_for_the_first_cell_as_soon_as_it_has_answered_on_both_channels():
    """The worker's kernel client stops reading once the kernel has answered on shell and IOPub; jupyter_client's
    own reads IOPub on until 0.2 s pass without a message, time each notebook would spend idle."""
    import asyncio
    from queue import Empty

    from xmforecast.workers import _kernel_manager

    reads = []

    class Channel:
        def __init__(self, name: str, messages: list[dict]):
            self.name, self.messages = name, messages

        async def get_msg(self, timeout=None):
            reads.append(self.name)
            if not self.messages:
                raise Empty
            return self.messages.pop(0)

    class Kernel(_kernel_manager()(kernel_name="python3").client_factory):
        shell_channel = Channel("shell", [{"msg_type": "kernel_info_reply", "content": {}}])
        iopub_channel = Channel("iopub", [{"msg_type": "status"}, {"msg_type": "status"}])

        def kernel_info(self):
            reads.append("asked")

        def _handle_kernel_info_reply(self, msg):
            reads.append("answered")

    asyncio.run(Kernel().wait_for_ready(timeout=60))
    assert reads == ["asked", "shell", "iopub", "answered"]
