"""Scheduled runs: every scenario through the notebooks, into one dated folder.

A run is built aside in a hidden folder ``<out>/.building-<stamp>-<pid>/`` and
renamed to ``<out>/<YYYY-MM-DD_HHMMSS>/`` only when every notebook succeeded;
then ``<out>/index.html`` is replaced in one step.  A failed or interrupted run
is renamed to ``<stamp>-failed`` or ``<stamp>-interrupted`` and never touches
an earlier run or the index.  One run at a time writes into an output folder
(an ``flock`` on the folder): an overlapping run stops at once, naming the run
in progress.  SIGTERM is handled as Ctrl-C is; the worker processes and their
kernels die with the run, even when it is killed with SIGKILL.

Layout of a run folder::

    <run>/
      manifest.json          parameters, data vintage, versions, timings
      summary.csv            every scenario's summary.csv, with a `scenario` column
      forecasts.csv          every scenario's forecasts.csv (point and interval by year)
      index.html             the scenarios compared (links relative to the run)
      _history/              probabilities across runs, forecasts against outcomes
      _overview/             run-level notebooks (baselines, growth_models)
      <scenario>/            executed notebook, its HTML, PNG figures, summary.csv
      _comparison/           comparison notebook over the whole run
      _logs/                 what each notebook's kernel wrote to stderr
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from xmforecast.exceptions import ParameterError, RunError, RunInterrupted, ScenarioError
from xmforecast.scenarios import SCENARIO_KEYS, Scenario, load_scenarios

__all__ = ["run_suite", "print_to_stderr", "default_out"]

_RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}(-\d+)?(-failed|-interrupted)?(-\d+)?$")
_VERSIONED = ("xmforecast", "pandas", "numpy", "statsmodels", "papermill", "nbconvert", "matplotlib")
_PROGRESS_EVERY = 10.0  # seconds between two progress lines of one notebook


def print_to_stderr(line: str) -> None:
    """Write one progress line to standard error (the default `progress`)."""
    print(line, file=sys.stderr, flush=True)


class _Failed(Exception):
    """A notebook or a run step failed; `where` is relative to the run folder."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.where = where


def run_suite(
    params_files: Sequence[str | Path],
    *,
    out: str | Path | None = None,
    jobs: int = 2,
    notebooks_dir: str | Path | None = None,
    run_notebooks: Sequence[str] | None = ("baselines.ipynb", "growth_models.ipynb"),
    scenario_notebooks: Sequence[str] | None = ("target_scenarios.ipynb",),
    summary_notebook: str | None = "comparison.ipynb",
    progress: Callable[[str], Any] | None = print_to_stderr,
    kernel_name: str | None = None,
    now: datetime | None = None,
    data_file: str | Path | None = None,
    cell_timeout: float | None = 1800,
    indicators_file: str | Path | None = None,
) -> Path:
    """Run every scenario through the notebooks and publish one dated run folder.

    Parameters
    ----------
    params_files : sequence of str or Path
        Scenario params files (``params/*.yaml``), all validated first.
    out : str or Path, optional
        Reports folder; the run goes into ``<out>/<YYYY-MM-DD_HHMMSS>/``. Default: the
        plan's own (:func:`default_out`): ``reports`` for the embedded plan,
        ``reports/<plan>`` for another plan's registry. A folder holds the runs of one
        plan only: one that holds another plan's runs is refused.
    jobs : int
        Notebooks executed at once, each in its own process and kernel.
    notebooks_dir : str or Path, optional
        Folder of the notebooks; default ``./notebooks`` if it exists, else
        the ``notebooks/`` folder beside the package.
    run_notebooks : sequence of str
        Run-level notebooks, executed once into ``<run>/_overview/`` with
        ``lang``, ``origin``, ``data_file`` and ``indicators_file`` of the first scenario.
    scenario_notebooks : sequence of str
        Notebooks executed once per scenario into ``<run>/<scenario>/`` with
        all the scenario's parameters; each writes a ``summary.csv`` there.
    summary_notebook : str or None
        Notebook executed last into ``<run>/_comparison/`` with ``run_dir``
        and ``lang``; None skips it.
    progress : callable, optional
        Receives a line at once (what is being checked), one when the notebooks
        start, the cells done / total of each running notebook every few seconds
        with the time elapsed and an estimate of the time left, one line per
        finished notebook, and a last line with the wall time [s]; None is silent.
    kernel_name : str, optional
        Kernel to use instead of the one named in each notebook.
    now : datetime, optional
        Start time used for the folder name (default: the current time).
    data_file : str or Path, optional
        Extra observations CSV for every scenario (the CLI's ``--data``); it
        replaces each params file's own `data_file`.
    indicators_file : str or Path, optional
        Another plan's registry for every scenario (the CLI's ``--indicators``); it
        replaces each params file's own `indicators_file`. Every scenario of a run must
        use the same registry.
    cell_timeout : float or None
        Longest a notebook cell may run [s] before the notebook counts as failed, so that
        a stuck cell cannot hang a scheduled run; None waits for ever.

    Returns
    -------
    Path
        The run folder, ``<out>/<YYYY-MM-DD_HHMMSS>`` (``-2``, ``-3``, ... if
        that name is taken).

    Raises
    ------
    ScenarioError
        A params file is invalid; nothing has been written.
    RunError
        A notebook is missing or does not declare the parameters it will be
        given, the output folder cannot be written (a file in its path, read-only,
        no permission) or another run is writing into it (nothing written); a
        notebook failed or the disk filled up (the run is kept as ``<stamp>-failed``).
    RunInterrupted
        Ctrl-C or SIGTERM (``<stamp>-interrupted``); ``signal_number`` tells which.
    ParameterError
        `jobs` is not a positive integer, or `data_file` does not exist.

    Notes
    -----
    Every notebook receives ``output_dir``, the absolute path of its folder,
    and runs with that folder as working directory.  The interrupted and
    failed paths stop the worker processes, and each worker kills its kernel
    before it exits, so nothing writes into the run folder once it is renamed.
    A worker also exits, killing its kernel, when the parent process is gone.
    """
    say = progress or (lambda line: None)
    _skip_iri_grammar()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"`jobs` must be a positive integer; got {jobs!r}.")
    say(f"checking {len(params_files)} scenario file(s) and the notebooks before running anything")
    scenarios = _checked_scenarios(params_files, data_file=data_file, indicators_file=indicators_file)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else _default_notebooks_dir()
    run_nbs, scen_nbs = tuple(run_notebooks or ()), tuple(scenario_notebooks or ())
    first = scenarios[0]
    _check_notebooks(nb_dir, [
        (run_nbs, ("lang", "origin", "data_file", "indicators_file", "output_dir")),
        (scen_nbs, (*SCENARIO_KEYS, "output_dir")),
        ((summary_notebook,) if summary_notebook else (), ("run_dir", "lang", "output_dir")),
    ])
    from .history import plan_key

    plan = plan_key(first.indicators_file)
    out = _checked_out(out, first.indicators_file, plan)

    # Everything is valid: from here on, files are written.
    started = now if now is not None else datetime.now()
    stamp = started.strftime("%Y-%m-%d_%H%M%S")
    run = {"started": started, "clock": time.monotonic(), "scenarios": scenarios, "records": [], "jobs": jobs,
           "nb_dir": nb_dir, "stamp": stamp}
    lock, font, building = _open_run(out, stamp, say)
    run.update(building=building, font=font)
    setup = {"building": building, "nb_dir": nb_dir, "kernel_name": kernel_name, "timeout": cell_timeout,
             "font": font}
    tasks, last = _tasks(setup, scenarios, run_nbs, scen_nbs, summary_notebook)
    counter = {"done": 0, "total": len(tasks) + (last is not None)}
    say(f"running {counter['total']} notebook(s), {min(jobs, max(len(tasks), 1))} at a time "
        f"({', '.join(s.scenario for s in scenarios)})")

    # The run history is drawn in a worker beside the comparison notebook, under the name the
    # run will most likely get; publishing redraws it only if the name turns out taken.
    history = {"out": str(out.resolve()), "run_dir": str(building), "run_id": stamp, "reference": first.scenario,
               "started": started.astimezone().replace(microsecond=0), "lang": first.lang,
               "data_file": first.data_file or None, "indicators_file": first.indicators_file or None}
    previous = _catch_signals()
    outcome, failure, signum, drawn = _execute_catching(tasks, last, scenarios, scen_nbs, building, jobs,
                                                        run["records"], counter, say, history)

    _ignore_signals(previous)  # publishing takes a moment and must not be cut in half
    if outcome == "ok":
        try:
            final = _move_into_place(building, out, stamp,
                                     lambda name: _finish_building(run, name, redraw=name != stamp or not drawn,
                                                                   history=history, say=say))
        except Exception as exc:  # e.g. a disk full while writing the index
            outcome, failure = "failed", _Failed(f"run failed while publishing: {type(exc).__name__}: {exc}")
    if outcome != "ok":
        _give_up(run, out, outcome, failure, signum, [*tasks, *([last] if last else [])], lock, previous, say)
    try:
        _publish_index(out, final, plan, run)
    except OSError as exc:
        raise RunError(f"the run is complete in {final} but {out / 'index.html'} could not be written: "
                       f"{_reason(exc)}.") from None
    finally:
        lock.release()
        _restore_signals(previous)
    say(f"done in {time.monotonic() - run['clock']:.1f} s: {final}")
    return final


def _execute_catching(*args) -> tuple[str, _Failed | None, int, bool]:
    """:func:`_execute_all`, its end as an outcome: ``ok``, ``interrupted`` (with the signal) or
    ``failed`` (with why); and whether the run history was drawn beside it."""
    try:
        return "ok", None, signal.SIGINT, _execute_all(*args)
    except _Signalled as exc:
        return "interrupted", None, exc.signum, False
    except KeyboardInterrupt:
        return "interrupted", None, signal.SIGINT, False
    except _Failed as exc:
        return "failed", exc, signal.SIGINT, False
    except Exception as exc:  # a worker died, a disk filled up, ...
        return "failed", _Failed(f"run failed: {type(exc).__name__}: {exc}"), signal.SIGINT, False


def _checked_scenarios(params_files: Sequence[str | Path], *, data_file: str | Path | None,
                       indicators_file: str | Path | None) -> list[Scenario]:
    """The scenarios of `params_files`, with the run's data and plan, checked against that data before
    anything is written: one plan per run, readable observations, origins within the data, models known."""
    scenarios = load_scenarios(list(params_files))
    if data_file is not None:
        scenarios = [_with_data_file(s, data_file) for s in scenarios]
    if indicators_file is not None:
        scenarios = [_with_data_file(s, indicators_file, key="indicators_file") for s in scenarios]
    if not scenarios:
        raise ScenarioError("no params files given; pass at least one params/*.yaml file.")
    plans = {s.indicators_file for s in scenarios}
    if len(plans) > 1:
        shown = "; ".join(f"{s.source or s.scenario}: {s.indicators_file or 'embedded'}" for s in scenarios)
        raise ScenarioError(f"every scenario of a run must use the same `indicators_file` (one plan per run); "
                            f"got {shown}.")
    # A bad registry or observations file would fail every notebook: refuse it before anything is written.
    from .data import read_user_observations
    from .registry import load_indicators

    registry = load_indicators(scenarios[0].indicators_file or None)
    for path in sorted({s.data_file for s in scenarios if s.data_file}):
        read_user_observations(path, indicators=registry)
    _check_models(scenarios, _plans(scenarios))
    return scenarios


def _plans(scenarios: list[Scenario]) -> list:
    """One :class:`~xmforecast.Plan` per scenario, as of its origin, once the origin is known to lie
    within its data: a later one would be silently read as the last year, an earlier one would leave
    every indicator without history, found only inside a notebook."""
    from .plan import Plan

    whole = {path: Plan.from_files(scenarios[0].indicators_file or None, path or None)  # one read per data file
             for path in sorted({s.data_file for s in scenarios})}
    for s in scenarios:
        years = whole[s.data_file].all_observations["year"]
        first_year, last_year = int(years.min()), int(years.max())
        if s.origin < first_year:
            raise ScenarioError(f"{s.source or s.scenario}: key 'origin': {s.origin} is before the data's first year "
                                f"{first_year}; choose an origin from {first_year} on. "
                                f"Nothing was run.")
        if s.origin > last_year:
            raise ScenarioError(f"{s.source or s.scenario}: key 'origin': {s.origin} is after the data's last year "
                                f"{last_year}; add later observations with data_file, or choose an "
                                f"earlier origin. Nothing was run.")
    return [whole[s.data_file].with_origin(s.origin) for s in scenarios]


def _checked_out(out: str | Path | None, indicators_file: str, plan: str) -> Path:
    """The reports folder: given, else the plan's own; refused when it holds another plan's runs."""
    from .history import EMBEDDED, completed_runs

    out = Path(out) if out is not None else default_out(indicators_file)
    if out.exists() and not out.is_dir():
        raise RunError(f"output folder {out} exists and is not a folder.")
    # One plan per reports folder: its index and its run-by-run history never mix two plans.
    foreign = sorted({r.plan for r in completed_runs(out)} - {plan})
    if foreign:
        theirs = "the embedded plan" if foreign[0] == EMBEDDED else foreign[0]
        raise RunError(f"output folder {out} holds the runs of another plan ({theirs}); a plan's reports and "
                       f"history stay apart: pass --out {default_out(indicators_file)} or another folder. "
                       f"Nothing was run.")
    return out


def _open_run(out: Path, stamp: str, say: Callable[[str], Any]) -> tuple[_OutputLock, str | None, Path]:
    """Take the output folder's lock, recover abandoned runs, copy the font, make the hidden run folder."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = _OutputLock(out.resolve())  # one run at a time per output folder
        _recover_abandoned(out.resolve(), say)
        from .publish import install_font

        font = install_font(out.resolve())
        building = _make_building(out.resolve(), f".building-{stamp}-{os.getpid()}")
    except OSError as exc:
        if "lock" in locals():
            lock.release()
        raise RunError(f"cannot write into the output folder {out}: {_reason(exc)}; nothing was run.") from None
    return lock, font, building


def _task(setup: dict, label: str, kind: str, notebook: str, folder: str, parameters: dict) -> dict:
    """One notebook to execute into ``<run>/<folder>/``, with its parameters and log."""
    building, where = setup["building"], setup["building"] / folder
    return {
        "label": label, "kind": kind, "notebook": notebook,
        "input": str((setup["nb_dir"] / notebook).resolve()),
        "output": str(where / notebook), "html": str(where / (Path(notebook).stem + ".html")),
        "rel": f"{folder}/{notebook}", "folder": str(where), "kernel_name": setup["kernel_name"],
        "timeout": setup["timeout"], "font": setup["font"],
        "log": str(building / "_logs" / f"{label}.{Path(notebook).stem}.log"),
        "parameters": {**parameters, "output_dir": str(where)},
    }


def _tasks(setup: dict, scenarios: list[Scenario], run_nbs: tuple, scen_nbs: tuple,
           summary_notebook: str | None) -> tuple[list[dict], dict | None]:
    """The run's notebooks: the overview's, each scenario's, and the comparison that runs last."""
    first = scenarios[0]
    overview = {"lang": first.lang, "origin": first.origin, "data_file": first.data_file,
                "indicators_file": first.indicators_file}
    tasks = [_task(setup, "overview", "overview", nb, "_overview", overview) for nb in run_nbs]
    tasks += [_task(setup, s.scenario, "scenario", nb, s.scenario, s.to_parameters())
              for s in scenarios for nb in scen_nbs]
    last = (_task(setup, "comparison", "comparison", summary_notebook, "_comparison",
                  {"run_dir": str(setup["building"]), "lang": first.lang})
            if summary_notebook else None)
    return tasks, last


def _manifest(run: dict, run_id: str, outcome: str, failure: Exception | None) -> None:
    _write_manifest(
        run["building"] / "manifest.json", run_id=run_id, status=outcome, started=run["started"],
        clock=run["clock"], scenarios=run["scenarios"], records=run["records"], jobs=run["jobs"],
        nb_dir=run["nb_dir"], error=str(failure) if failure else None,
    )


def _finish_building(run: dict, name: str, *, redraw: bool, history: dict, say: Callable[[str], Any]) -> None:
    """The last files of a complete run, under its final name: manifest, history (when not drawn
    under that name already) and the run's own index."""
    from .pages import index_page

    _manifest(run, name, "ok", None)
    if redraw:
        say("comparing with earlier runs")
        error = _write_history({**history, "run_id": name})
        if error:  # the history is a bonus: a run is not lost for it
            say(f"run history not written: {error}")
    page = index_page(run["building"], name, run["scenarios"], run["records"], prefix="", earlier=None,
                      font=run["font"])
    (run["building"] / "index.html").write_text(page, encoding="utf-8")


def _give_up(run: dict, out: Path, outcome: str, failure: _Failed | None, signum: int, every_task: list[dict],
             lock: _OutputLock, previous: dict | None, say: Callable[[str], Any]) -> NoReturn:
    """Keep a failed or interrupted run as ``<stamp>-failed`` / ``-interrupted`` and raise."""
    building, stamp, records = run["building"], run["stamp"], run["records"]
    finished = {(r["label"], r["notebook"]) for r in records}
    records += [{**_record(t, 0.0, None, None), "status": "cancelled"}
                for t in every_task if (t["label"], t["notebook"]) not in finished]
    try:
        _manifest(run, f"{stamp}-{outcome}", outcome, failure)
    except OSError:
        pass
    try:
        final = _move_into_place(building, out, f"{stamp}-{outcome}", lambda name: None)
    except OSError as exc:
        final = building
        failure = failure or _Failed(f"run {outcome}")
        failure = _Failed(f"{failure}; and its folder could not be renamed: {_reason(exc)}", failure.where)
    finally:
        lock.release()
        _restore_signals(previous)
    # The workers and their kernels are stopped before the move; should anything have
    # re-created part of the hidden building folder after it, it holds nothing of value.
    if final != building:
        shutil.rmtree(building, ignore_errors=True)
    say(f"run {outcome} after {time.monotonic() - run['clock']:.1f} s: {final}")
    if outcome == "interrupted":
        name = signal.Signals(signum).name
        raise RunInterrupted(
            f"run interrupted ({name}); earlier reports untouched; partial output in {final}", int(signum)
        ) from None
    see = f" (see {final / failure.where})" if failure.where else f" (see {final})"
    raise RunError(f"{failure}{see}") from None


def _publish_index(out: Path, final: Path, plan: str, run: dict) -> None:
    """The reports folder's front page: this run's scenarios, and the others from their latest run."""
    from .pages import index_page
    from .publish import latest_of_each_scenario

    earlier = [p.name for p in out.iterdir() if _RUN_NAME.match(p.name) and p.name != final.name]
    others = latest_of_each_scenario(out, plan, shown=[s.scenario for s in run["scenarios"]], current=final.name)
    page = index_page(out / final.name, final.name, run["scenarios"], run["records"], prefix=final.name + "/",
                      earlier=sorted(earlier, reverse=True), font=run["font"], others=others)
    _write_atomic(out / "index.html", page)


def default_out(indicators_file: str | Path | None = None) -> Path:
    """The reports folder a plan's runs go to by default.

    ``reports`` for the embedded plan; ``reports/<plan>`` for another plan's registry,
    named after the registry's folder (``examples/lakeside/indicators.yaml`` →
    ``reports/lakeside``), or after the registry file when its folder gives no name.

    Examples
    --------
    >>> str(default_out()), str(default_out("examples/lakeside/indicators.yaml"))
    ('reports', 'reports/lakeside')
    """
    if not indicators_file or not str(indicators_file).strip():
        return Path("reports")
    path = Path(indicators_file).expanduser().resolve()
    name = path.parent.name if path.stem in ("indicators", "registry") and path.parent.name else path.stem
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-").lower() or "plan"
    return Path("reports") / name


def _reason(exc: OSError) -> str:
    """An OS error in a few words: 'No space left on device', 'Read-only file system', ..."""
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "a part of the path is a file, not a folder"
    return exc.strerror or type(exc).__name__


class _OutputLock:
    """An exclusive lock (``flock``) on the output folder, held from the first write to the index.

    A second run into the same folder (two cron jobs) stops at once with one line naming the
    run in progress, instead of publishing beside it and leaving the index to the older run.
    """

    def __init__(self, out: Path):
        self.fd: int | None = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        fd = os.open(out, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise RunError(f"another run is writing into {out}{_run_in_progress(out)}; this run stops without "
                           "writing anything: start it again once that one has finished.") from None
        except OSError:  # a file system without locks (some network mounts): run unlocked
            os.close(fd)
            return
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    __del__ = release


def _run_in_progress(out: Path) -> str:
    """' (run <stamp>, process <pid>)' for a live run's building folder in `out`, else ''."""
    for path in sorted(out.glob(".building-*"), reverse=True):
        match = re.fullmatch(r"\.building-(\d{4}-\d{2}-\d{2}_\d{6})-(\d+)(?:-\d+)?", path.name)
        if match and _alive(int(match.group(2))):
            return f" (run {match.group(1)}, process {match.group(2)}, in {path.name})"
    return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


class _Signalled(KeyboardInterrupt):
    """SIGTERM (or SIGINT) reached the run; handled as Ctrl-C is."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _catch_signals() -> dict | None:
    """Make SIGTERM and SIGINT raise :class:`_Signalled` once; return the previous handlers."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        _ignore_signals(previous)  # a second signal must not cut the clean-up short
        raise _Signalled(signum)

    # A signal inherited as ignored stays ignored: a run started in the background by a script
    # (SIGINT ignored) must not stop at the script's Ctrl-C.
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)
                if signal.getsignal(sig) != signal.SIG_IGN}
    for sig in previous:
        signal.signal(sig, handler)
    return previous


def _ignore_signals(previous: dict | None) -> None:
    if previous is not None:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)


def _restore_signals(previous: dict | None) -> None:
    if previous is not None:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _with_data_file(scenario: Scenario, data_file: str | Path, *, key: str = "data_file") -> Scenario:
    path = Path(data_file).expanduser().resolve()
    if not path.is_file():
        what = "CSV" if key == "data_file" else "registry (YAML)"
        raise ParameterError(f"`{key}` must be an existing {what} file; got {str(data_file)!r}.")
    updated = Scenario.model_validate({**scenario.to_parameters(), key: str(path)})
    updated._source = scenario.source
    return updated


def _skip_iri_grammar() -> None:
    """Keep jsonschema from compiling its IRI grammar (1.5 s) when papermill imports nbformat.

    jsonschema imports the optional ``rfc3987_syntax`` for its "iri" format checks whenever
    that package is installed (a JupyterLab dependency brings it), and the import builds an
    Earley parser. Notebook schemas use no IRI format: marked absent, the module is skipped
    as on a machine without it. Only where jsonschema has not been imported yet, so that a
    program that validates IRIs itself keeps its checker.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def _default_notebooks_dir() -> Path:
    here = Path.cwd() / "notebooks"
    return here if here.is_dir() else Path(__file__).resolve().parent.parent / "notebooks"


def _check_models(scenarios: list, plans: list) -> None:
    """Refuse a run in which a model cannot fit, before any kernel starts.

    Every indicator with history is fitted under each scenario, on its plan (fitting is cheap;
    simulating is what the notebooks spend their time on). A fit that fails with the default
    assumptions too is the data's doing: a last value of 0 or less, which leaves a growth model
    nothing to grow from, is refused naming the data file; too little history is left to the
    notebooks, which report it per indicator. One that fits with the defaults but not with the
    scenario's assumptions is the scenario's: its file is named, with the message that names the key.
    """
    from .exceptions import ModelError
    from .fitting import fit_indicator

    for s, plan in zip(scenarios, plans):
        for ind in plan.ids:
            history = plan.history(ind)
            if history.empty:
                continue
            try:
                fit_indicator(plan, ind, history, s.model, s)
            except (ModelError, ParameterError) as err:
                try:
                    fit_indicator(plan, ind, history, s.model, None)
                except (ModelError, ParameterError) as data_err:
                    if history.iloc[-1] > 0:
                        continue  # too little history, say: the notebooks report it per indicator
                    where = s.data_file or "the plan's observations"
                    raise ScenarioError(f"{where}: indicator '{ind}', year {int(history.index[-1])}: {data_err} "
                                        f"Nothing was run.") from None
                raise ScenarioError(f"{s.source or s.scenario}: indicator '{ind}': {err} Nothing was run.") from None


def _check_notebooks(nb_dir: Path, groups: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
    """Every notebook exists and declares every parameter it will be given."""
    import papermill

    for names, injected in groups:
        for name in names:
            path = nb_dir / name
            if not path.is_file():
                raise RunError(f"notebook {path} not found; nothing was run.")
            try:
                declared = papermill.inspect_notebook(str(path))
            except Exception as exc:
                raise RunError(f"notebook {path} cannot be read: {type(exc).__name__}: {exc}") from None
            missing = [key for key in injected if key not in declared]
            if missing:
                raise RunError(
                    f"notebook {path}: its cell tagged 'parameters' does not declare "
                    f"{', '.join(missing)}; the runner injects them. Nothing was run."
                )


def _recover_abandoned(out: Path, say: Callable[[str], Any]) -> None:
    """Rename the building folders of runs whose process is gone (killed) to ``<stamp>-interrupted``."""
    for path in sorted(out.glob(".building-*")):
        match = re.fullmatch(r"\.building-(\d{4}-\d{2}-\d{2}_\d{6})-(\d+)(?:-\d+)?", path.name)
        if not match or not path.is_dir():
            continue
        try:
            os.kill(int(match.group(2)), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:  # alive, another user's
            continue
        final = _move_into_place(path, out, f"{match.group(1)}-interrupted", lambda name: None)
        say(f"an earlier run was killed before it finished; its partial output is now {final}")


def _make_building(out: Path, name: str) -> Path:
    for k in range(1, 1000):
        path = out / (name if k == 1 else f"{name}-{k}")
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
    raise RunError(f"cannot create a working folder {out / name}.")


def _move_into_place(building: Path, out: Path, base: str, before: Callable[[str], None]) -> Path:
    """Rename `building` to ``out/base`` (or ``base-2``, ``base-3``, ...)."""
    for k in range(1, 1000):
        name = base if k == 1 else f"{base}-{k}"
        if (out / name).exists():
            continue
        before(name)
        try:
            os.rename(building, out / name)
        except OSError:
            if (out / name).exists():  # taken meanwhile by another run
                continue
            raise
        return out / name
    raise RunError(f"no free run folder name for {out / base}.")


def _write_history(arguments: dict) -> str | None:
    """:func:`xmforecast.publish.write_history`; the error in one line, or None (runs in a worker)."""
    from .publish import write_history

    try:
        write_history(arguments["out"], arguments["run_dir"], arguments["run_id"], arguments["started"],
                      reference=arguments["reference"], data_file=arguments["data_file"],
                      indicators_file=arguments["indicators_file"], lang=arguments["lang"])
    except Exception as exc:  # noqa: BLE001 - reported, never fatal
        return f"{type(exc).__name__}: {exc}"
    return None


def _execute_all(tasks, last, scenarios, scen_nbs, building, jobs, records, counter, say, history=None) -> bool:
    """Run `tasks` in parallel, then the summary table, then `last` beside the run history.

    Returns whether the history (`history`: arguments of :func:`_write_history`) was drawn, or
    its error said.
    """
    from concurrent.futures import ProcessPoolExecutor

    import multiprocessing

    from .publish import collect_run
    from .summary import run_warnings

    cells = multiprocessing.get_context().Queue()
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=_init_worker,
                               initargs=(os.getpid(), cells))
    try:
        _run_batch(pool, tasks, records, counter, say, cells)
        if scen_nbs:
            summary = collect_run(building, [s.scenario for s in scenarios])
            for line in run_warnings(summary):
                say(line)
        drawn = None
        if history is not None:
            say("comparing with earlier runs")
            drawn = pool.submit(_write_history, history)
        if last is not None:
            _run_batch(pool, [last], records, counter, say, cells)
        error = drawn.result() if drawn is not None else "not asked"
        if drawn is not None and error:
            say(f"run history not written: {error}")
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)
    return drawn is not None


def _run_batch(pool, tasks, records, counter, say, cells=None) -> None:
    import concurrent.futures

    pending = {pool.submit(_execute, t): t for t in tasks}
    shown: dict[str, list] = {}
    while pending:
        done, _ = concurrent.futures.wait(pending, timeout=1.0, return_when=concurrent.futures.FIRST_COMPLETED)
        _show_cells(cells, shown, say)
        for future in done:
            task = pending.pop(future)
            shown[f"{task['label']} · {task['notebook']}"] = None  # finished: late reports are ignored
            try:
                record = future.result()
            except Exception as exc:  # the worker process died
                record = _record(task, 0.0, None, {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)})
            records.append(record)
            counter["done"] += 1
            say(f"[{counter['done']}/{counter['total']}] {task['label']} · {task['notebook']} · "
                f"{record['status']} · {record['seconds']:.1f} s")
            if record["status"] != "ok":
                raise _Failed(_failure_text(task, record["error"]), task["rel"])


def _failure_text(task: dict, error: dict) -> str:
    who = {"scenario": f"scenario '{task['label']}'", "overview": "run overview", "comparison": "comparison"}
    where = f" at cell {error['cell']}" if error.get("cell") is not None else ""
    lines = str(error.get("evalue") or "").strip().splitlines()
    value = lines[0] if lines else ""
    value = value if len(value) <= 200 else value[:197] + "..."
    return f"{who[task['kind']]}: {task['notebook']} failed{where}: {error['ename']}: {value}"


def _stop(pool) -> None:
    """Cancel queued notebooks and terminate the worker processes now."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
    if manager is not None:
        manager.join(timeout=5)


#: Environment variables that cap a kernel's BLAS and OpenMP threads (kernels inherit them).
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


_CELLS = None  # in a worker: the queue its notebooks report finished cells to


def _init_worker(parent: int, cells=None) -> None:
    """Set up a worker: it and its kernel die with the parent, however the parent ends.

    Ctrl-C goes to the parent only, which stops the workers itself (SIGTERM). On SIGTERM a
    worker kills its kernel and waits for it before exiting, so nothing writes into the run
    folder once the parent has moved it. On Linux the kernel delivers SIGTERM to the worker
    when the parent dies, even by SIGKILL (``PR_SET_PDEATHSIG``); elsewhere, and as a second
    line, a watchdog thread notices that the parent is gone within half a second.
    """
    import threading

    global _CELLS
    _CELLS = cells
    # Parallel kernels each get one BLAS thread: two OpenBLAS pools on two cores
    # oversubscribe them and make every kernel slower. A caller's own setting wins.
    for name in _BLAS_THREADS:
        os.environ.setdefault(name, "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_exit)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc: the watchdog remains
            pass
    if os.getppid() != parent:  # the parent died before the line above
        _worker_exit(signal.SIGTERM, None)
    threading.Thread(target=_watch_parent, args=(parent,), name="xmforecast-watchdog", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            _worker_exit(signal.SIGTERM, None)


def _worker_exit(signum: int, frame: Any) -> None:
    """Kill this worker's children (the notebook kernel), wait for them, and exit now."""
    try:
        _kill_children()
    finally:
        os._exit(128 + int(signum))


def _kill_children() -> None:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        pids = []
        for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
            pids += [int(p) for p in children.read_text().split()]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return
    children = psutil.Process().children(recursive=True)
    for child in children:
        try:
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(children, timeout=5)


def _show_cells(cells, shown: dict[str, list], say) -> None:
    """Print each running notebook's progress: its first finished cell, then every few seconds.

    `shown` maps a notebook to ``[done, total, elapsed, received, printed]`` (monotonic
    clock of the parent), or to None once it finished; a notebook in a long cell still
    gets a line, its elapsed time counted on from the last report.
    """
    import queue

    now = time.monotonic()
    while cells is not None:
        try:
            key, done, total, elapsed = cells.get_nowait()
        except (queue.Empty, OSError, ValueError, EOFError):
            break
        if key in shown and shown[key] is None:
            continue
        state = shown.setdefault(key, [0, total, 0.0, now, -float("inf")])
        state[:4] = [done, total, elapsed, now]
    for key, state in shown.items():
        if state is None:
            continue
        done, total, elapsed, received, printed = state
        # Every notebook gets its first line, even one whose cells all finished between two
        # looks; after that a line every _PROGRESS_EVERY seconds while cells remain.
        if (done >= total and printed > -math.inf) or now - printed < _PROGRESS_EVERY:
            continue
        shown[key][4] = now
        elapsed += now - received
        left = max(elapsed / done * total - elapsed, 0.0) if done else float("nan")
        estimate = f"about {left:.0f} s left" if left == left else "estimating"
        say(f"  {key} · cells {done}/{total} · {elapsed:.0f} s elapsed · {estimate}")


def _progress_engine(key: str):
    """A papermill engine that reports each finished code cell to the parent process."""
    from papermill.engines import NBClientEngine

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            total = sum(1 for c in nb_man.nb.cells if c.cell_type == "code")
            done, clock, complete = [0], time.monotonic(), nb_man.cell_complete

            def cell_complete(cell, cell_index=None, **more):
                complete(cell, cell_index=cell_index, **more)
                if cell.cell_type == "code" and _CELLS is not None:
                    done[0] += 1
                    try:
                        _CELLS.put_nowait((key, done[0], total, time.monotonic() - clock))
                    except Exception:  # progress is never worth a failed notebook
                        pass

            nb_man.cell_complete = cell_complete
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

    return Engine


def _record(task: dict, seconds: float, started: str | None, error: dict | None) -> dict:
    return {
        "scenario": task["label"] if task["kind"] == "scenario" else None,
        "kind": task["kind"], "notebook": task["notebook"], "label": task["label"],
        "output": task["rel"], "html": str(Path(task["rel"]).with_suffix(".html")),
        "log": str(Path(task["log"]).relative_to(Path(task["log"]).parent.parent)),
        "status": "ok" if error is None else "failed",
        "started": started, "seconds": round(seconds, 3), "error": error,
    }


#: nbclient's words for a kernel that died before it could run anything.
_KERNEL_DIED_STARTING = re.compile(r"Kernel died before replying to kernel_info")


def _execute(task: dict) -> dict:
    """Execute one notebook with papermill and export its HTML (in a worker)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    Path(task["folder"]).mkdir(parents=True, exist_ok=True)
    log = Path(task["log"])
    log.parent.mkdir(parents=True, exist_ok=True)
    started, clock = datetime.now().astimezone().isoformat(timespec="seconds"), time.monotonic()
    error = None
    # The kernel and papermill write warnings to stderr: keep them in a log
    # file so that the terminal shows only the progress lines.
    saved = os.dup(2)
    try:
        with open(log, "ab") as handle:
            sys.stderr.flush()
            os.dup2(handle.fileno(), 2)
            try:
                from papermill.engines import papermill_engines

                engine = f"xmforecast-{os.getpid()}"
                papermill_engines.register(engine, _progress_engine(f"{task['label']} · {task['notebook']}"))
                for attempt in (1, 2):
                    try:
                        papermill.execute_notebook(
                            task["input"], task["output"], parameters=task["parameters"], cwd=task["folder"],
                            kernel_name=task["kernel_name"], progress_bar=False, log_output=False,
                            execution_timeout=task["timeout"],
                            # Kernels start slowly on a busy machine; nbclient's 60 s default has proved short.
                            start_timeout=300, engine_name=engine,
                        )
                        break
                    except RuntimeError as exc:
                        # A kernel that dies while it starts has run no cell: one more start is safe, and an
                        # unattended run should not fail for it (seen once in a few hundred starts).
                        if attempt == 2 or not _KERNEL_DIED_STARTING.search(str(exc)):
                            raise
                        os.write(2, f"xmforecast: the kernel died while starting ({exc}); starting it again\n"
                                 .encode())  # fd 2 is the log here
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    except PapermillExecutionError as exc:
        error = {"cell": exc.exec_count, "cell_index": exc.cell_index, "ename": exc.ename, "evalue": exc.evalue}
    except Exception as exc:
        error = {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)}
    finally:
        os.close(saved)
    if Path(task["output"]).is_file():
        try:
            _export_html(task["output"], task["html"], f"{task['label']} · {Path(task['notebook']).stem}",
                         font=task.get("font"))
        except Exception as exc:
            if error is None:
                error = {"cell": None, "ename": type(exc).__name__, "evalue": f"HTML export failed: {exc}"}
    return _record(task, time.monotonic() - clock, started, error)


def _export_html(notebook: str, target: str, title: str, font: str | None = None) -> None:
    """Write the notebook as HTML without code: prose, tables and figures only.

    The page falls back to the reports folder's CJK font (``<out>/_fonts/<font>``, two
    folders up from the page) where the reader's machine has none.
    """
    import nbformat
    from nbconvert import HTMLExporter

    from .pages import FONT_FOLDER, FONT_STACK, font_face_css

    from traitlets.config import Config

    # A cell tagged "lab-only" explains the notebook to whoever opens it; the page has its own words.
    config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": ["lab-only"]}})
    exporter = HTMLExporter(config=config, exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(
        nbformat.read(notebook, as_version=4), resources={"metadata": {"name": title}}
    )
    style = (f"<style>{font_face_css(f'../../{FONT_FOLDER}/{font}' if font else None)}\n"
             f"body, .jp-Notebook, .jp-RenderedHTMLCommon {{ font-family: {FONT_STACK}; }}</style>\n")
    body = body.replace("</head>", style + "</head>", 1)
    Path(target).write_text(body, encoding="utf-8")


def _write_manifest(path: Path, *, run_id, status, started, clock, scenarios, records, jobs, nb_dir, error):
    """Everything needed to tell what a run did and to redo it."""
    from importlib.metadata import PackageNotFoundError, version

    def package_version(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    # The shipped reference data, the default plan's files when a scenario runs it, and the
    # files the scenarios name.
    own = sorted({Path(f) for s in scenarios for f in (s.indicators_file, s.data_file) if f})
    from .folder import DEFAULT_PLAN

    data_files = sorted(p for p in (Path(__file__).parent / "data").iterdir() if p.is_file())
    if any(not s.indicators_file for s in scenarios):
        data_files += sorted(p for p in DEFAULT_PLAN.iterdir() if p.is_file())
    data_files += own
    from .history import plan_key

    manifest = {
        "run_id": run_id,
        "status": status,
        "plan": plan_key(scenarios[0].indicators_file if scenarios else ""),
        "error": error,
        "started": started.astimezone().isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "wall_time_s": round(time.monotonic() - clock, 3),
        "jobs": jobs,
        "notebooks_dir": str(Path(nb_dir).resolve()),
        "notebooks": records,
        "scenarios": {
            s.scenario: {"params_file": str(s.source) if s.source else None, "parameters": s.to_parameters()}
            for s in scenarios
        },
        "data": [_vintage(p) for p in data_files],
        "versions": {"python": sys.version.split()[0], **{n: package_version(n) for n in _VERSIONED}},
        "git_revision": _git_revision(),
        "command": shlex.join(sys.argv),
    }
    # Written aside and renamed: a full disk leaves no manifest rather than a truncated one.
    _write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def _vintage(path: Path) -> dict:
    """sha256 and the latest year of a data file (None if it has no `year` column)."""
    import csv

    raw = path.read_bytes()
    max_year = None
    if path.suffix.lower() == ".csv":
        try:
            rows = csv.DictReader(raw.decode("utf-8-sig").splitlines())
            years = [int(float(r["year"])) for r in rows if (r.get("year") or "").strip()]
            max_year = max(years) if years else None
        except (KeyError, ValueError, UnicodeDecodeError):
            max_year = None
    return {"file": str(path), "sha256": hashlib.sha256(raw).hexdigest(), "max_year": max_year}


def _git_revision() -> str | None:
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    if not (repo / ".git").exists():
        return None
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def _write_atomic(path: Path, text: str) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
