"""Scheduled runs: every scenario through the notebooks, into one dated folder.

:func:`run_suite` calls the steps in order: check everything before writing anything
(:mod:`xmforecast.run_checks`), lock the reports folder and build the run aside
(:mod:`xmforecast.run_folder`), execute the notebooks in worker processes
(:mod:`xmforecast.workers`), then publish: a complete run is renamed to
``<out>/<YYYY-MM-DD_HHMMSS>/`` and ``<out>/index.html`` replaced in one step; a failed or
interrupted run is renamed to ``<stamp>-failed`` or ``<stamp>-interrupted`` and never
touches an earlier run or the index. SIGTERM is handled as Ctrl-C is; the worker processes
and their kernels die with the run, even when it is killed with SIGKILL.

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

import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from xmforecast.exceptions import ParameterError, RunError, RunInterrupted
from xmforecast.run_checks import check_notebooks, checked_scenarios
from xmforecast.run_folder import OutputLock, checked_out, default_out, move_into_place, open_run, reason, \
    write_atomic, write_manifest
from xmforecast.scenarios import SCENARIO_KEYS, Scenario
from xmforecast.workers import StepFailed, init_worker, run_batch, stop, task_record

__all__ = ["run_suite", "print_to_stderr", "default_out"]

_RUN_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}_\d{6}(-\d+)?(-failed|-interrupted)?(-\d+)?$")


def print_to_stderr(line: str) -> None:
    """Write one progress line to standard error (the default `progress`)."""
    print(line, file=sys.stderr, flush=True)


def run_suite(params_files: Sequence[str | Path], *, out: str | Path | None = None, jobs: int = 2,
              notebooks_dir: str | Path | None = None,
              run_notebooks: Sequence[str] | None = ("baselines.ipynb", "growth_models.ipynb"),
              scenario_notebooks: Sequence[str] | None = ("target_scenarios.ipynb",),
              summary_notebook: str | None = "comparison.ipynb",
              progress: Callable[[str], Any] | None = print_to_stderr, kernel_name: str | None = None,
              now: datetime | None = None, data_file: str | Path | None = None,
              cell_timeout: float | None = 1800, indicators_file: str | Path | None = None) -> Path:
    """Run every scenario through the notebooks and publish one dated run folder.

    Everything is checked before anything is written (:mod:`xmforecast.run_checks`); the run
    is built aside and published by one rename (:mod:`xmforecast.run_folder`); the notebooks
    run in worker processes, each with its kernel (:mod:`xmforecast.workers`). Every notebook
    receives ``output_dir``, the absolute path of its folder, and runs in it.

    Parameters
    ----------
    params_files : sequence of str or Path
        Scenario params files (``params/*.yaml``).
    out : str or Path, optional
        Reports folder (default: the plan's own, :func:`default_out`); the run goes into
        ``<out>/<YYYY-MM-DD_HHMMSS>/``. A folder that holds another plan's runs is refused.
    jobs : int
        Notebooks executed at once, each in its own process and kernel.
    notebooks_dir : str or Path, optional
        Default: ``./notebooks`` if it exists, else the ``notebooks/`` beside the package.
    run_notebooks, scenario_notebooks, summary_notebook : optional
        Executed once into ``<run>/_overview/`` (with the first scenario's ``lang``,
        ``origin``, ``data_file`` and ``indicators_file``), once per scenario into
        ``<run>/<scenario>/`` (with all its parameters), and last into
        ``<run>/_comparison/`` (with ``run_dir`` and ``lang``); None: none.
    progress : callable, optional
        Receives the progress lines: the checks, each running notebook's cells every few
        seconds, each finished notebook, the wall time [s]. None is silent.
    kernel_name : str, optional
        Kernel to use instead of the one each notebook names.
    now : datetime, optional
        Start time for the folder name (default: the current time).
    data_file, indicators_file : str or Path, optional
        Observations CSV and registry for every scenario (the CLI's ``--data`` and
        ``--indicators``), in place of each params file's own; one registry per run.
    cell_timeout : float or None
        Longest a notebook cell may run [s] before the notebook fails; None waits for ever.

    Returns
    -------
    Path
        The run folder, ``<out>/<YYYY-MM-DD_HHMMSS>`` (``-2``, ``-3``, ... if taken).

    Raises
    ------
    ScenarioError, ParameterError
        A params file or an argument is invalid; nothing has been written.
    RunError
        A notebook is missing or does not declare its parameters, the output folder cannot
        be written or another run writes into it (nothing written); a notebook failed or the
        disk filled up (the run is kept as ``<stamp>-failed``).
    RunInterrupted
        Ctrl-C or SIGTERM (``<stamp>-interrupted``); ``signal_number`` tells which.
    """
    say = progress or (lambda line: None)
    notebooks = (run_notebooks, scenario_notebooks, summary_notebook)
    scenarios, nb_dir, out, plan = _checked_run(params_files, jobs, notebooks_dir, notebooks, data_file,
                                                indicators_file, out, say)
    # Everything is valid: from here on, files are written.
    run = _opened_run(out, scenarios, nb_dir, jobs, now, say)
    setup = {"building": run["building"], "nb_dir": nb_dir, "kernel_name": kernel_name, "timeout": cell_timeout,
             "font": run["font"]}
    tasks, last = _tasks(setup, scenarios, tuple(run_notebooks or ()), tuple(scenario_notebooks or ()),
                         summary_notebook)
    counter = {"done": 0, "total": len(tasks) + (last is not None)}
    say(f"running {counter['total']} notebook(s), {min(jobs, max(len(tasks), 1))} at a time "
        f"({', '.join(s.scenario for s in scenarios)})")
    history = _history_arguments(out, run)
    run["previous"] = _catch_signals()
    outcome = _execute_catching(tasks, last, scenarios, tuple(scenario_notebooks or ()), run["building"], jobs,
                                run["records"], counter, say, history)
    _ignore_signals(run["previous"])  # publishing takes a moment and must not be cut in half
    return _published(run, out, plan, outcome, [*tasks, *([last] if last else [])], history, say)


def _checked_run(params_files, jobs, notebooks_dir, notebooks, data_file, indicators_file, out, say):
    """The run's scenarios, notebooks folder, reports folder and plan key, all checked before anything
    is written (:func:`run_suite` explains the arguments)."""
    from .history import plan_key

    _skip_iri_grammar()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"`jobs` must be a positive integer; got {jobs!r}.")
    say(f"checking {len(params_files)} scenario file(s) and the notebooks before running anything")
    scenarios = checked_scenarios(params_files, data_file=data_file, indicators_file=indicators_file)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else _default_notebooks_dir()
    run_nbs, scen_nbs, summary_notebook = notebooks
    check_notebooks(nb_dir, [
        (tuple(run_nbs or ()), ("lang", "origin", "data_file", "indicators_file", "output_dir")),
        (tuple(scen_nbs or ()), (*SCENARIO_KEYS, "output_dir")),
        ((summary_notebook,) if summary_notebook else (), ("run_dir", "lang", "output_dir")),
    ])
    plan = plan_key(scenarios[0].indicators_file)
    return scenarios, nb_dir, checked_out(out, scenarios[0].indicators_file, plan), plan


def _opened_run(out: Path, scenarios: list[Scenario], nb_dir: Path, jobs: int, now: datetime | None,
                say: Callable[[str], Any]) -> dict:
    """What a run keeps from start to end, once its output folder is locked and its building folder made."""
    started = now if now is not None else datetime.now()
    stamp = started.strftime("%Y-%m-%d_%H%M%S")
    lock, font, building = open_run(out, stamp, say)
    return {"started": started, "clock": time.monotonic(), "scenarios": scenarios, "records": [], "jobs": jobs,
            "nb_dir": nb_dir, "stamp": stamp, "lock": lock, "font": font, "building": building, "previous": None}


def _history_arguments(out: Path, run: dict) -> dict:
    """The arguments of :func:`_write_history` for this run.

    The run history is drawn in a worker beside the comparison notebook, under the name the
    run will most likely get; publishing redraws it only if the name turns out taken.
    """
    first = run["scenarios"][0]
    return {"out": str(out.resolve()), "run_dir": str(run["building"]), "run_id": run["stamp"],
            "reference": first.scenario, "started": run["started"].astimezone().replace(microsecond=0),
            "lang": first.lang, "data_file": first.data_file or None, "indicators_file": first.indicators_file or None}


def _published(run: dict, out: Path, plan: str, outcome: tuple, every_task: list[dict], history: dict,
               say: Callable[[str], Any]) -> Path:
    """Move a complete run into place and replace the index; keep a failed or interrupted one aside."""
    outcome, failure, signum, drawn = outcome
    stamp, lock, previous = run["stamp"], run["lock"], run["previous"]
    if outcome == "ok":
        try:
            final = move_into_place(run["building"], out, stamp,
                                    lambda name: _finish_building(run, name, redraw=name != stamp or not drawn,
                                                                  history=history, say=say))
        except Exception as exc:  # e.g. a disk full while writing the index
            outcome, failure = "failed", StepFailed(f"run failed while publishing: {type(exc).__name__}: {exc}")
    if outcome != "ok":
        _give_up(run, out, outcome, failure, signum, every_task, lock, previous, say)
    try:
        _publish_index(out, final, plan, run)
    except OSError as exc:
        raise RunError(f"the run is complete in {final} but {out / 'index.html'} could not be written: "
                       f"{reason(exc)}.") from None
    finally:
        lock.release()
        _restore_signals(previous)
    say(f"done in {time.monotonic() - run['clock']:.1f} s: {final}")
    return final


def _execute_catching(*args) -> tuple[str, StepFailed | None, int, bool]:
    """:func:`_execute_all`, its end as an outcome: ``ok``, ``interrupted`` (with the signal) or
    ``failed`` (with why); and whether the run history was drawn beside it."""
    try:
        return "ok", None, signal.SIGINT, _execute_all(*args)
    except _Signalled as exc:
        return "interrupted", None, exc.signum, False
    except KeyboardInterrupt:
        return "interrupted", None, signal.SIGINT, False
    except StepFailed as exc:
        return "failed", exc, signal.SIGINT, False
    except Exception as exc:  # a worker died, a disk filled up, ...
        return "failed", StepFailed(f"run failed: {type(exc).__name__}: {exc}"), signal.SIGINT, False


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
    write_manifest(
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


def _give_up(run: dict, out: Path, outcome: str, failure: StepFailed | None, signum: int, every_task: list[dict],
             lock: OutputLock, previous: dict | None, say: Callable[[str], Any]) -> NoReturn:
    """Keep a failed or interrupted run as ``<stamp>-failed`` / ``-interrupted`` and raise."""
    building, stamp, records = run["building"], run["stamp"], run["records"]
    finished = {(r["label"], r["notebook"]) for r in records}
    records += [{**task_record(t, 0.0, None, None), "status": "cancelled"}
                for t in every_task if (t["label"], t["notebook"]) not in finished]
    try:
        _manifest(run, f"{stamp}-{outcome}", outcome, failure)
    except OSError:
        pass
    try:
        final = move_into_place(building, out, f"{stamp}-{outcome}", lambda name: None)
    except OSError as exc:
        final = building
        failure = failure or StepFailed(f"run {outcome}")
        failure = StepFailed(f"{failure}; and its folder could not be renamed: {reason(exc)}", failure.where)
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
    write_atomic(out / "index.html", page)


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
    pool = ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), initializer=init_worker,
                               initargs=(os.getpid(), cells))
    try:
        run_batch(pool, tasks, records, counter, say, cells)
        if scen_nbs:
            summary = collect_run(building, [s.scenario for s in scenarios])
            for line in run_warnings(summary):
                say(line)
        drawn = None
        if history is not None:
            say("comparing with earlier runs")
            drawn = pool.submit(_write_history, history)
        if last is not None:
            run_batch(pool, [last], records, counter, say, cells)
        error = drawn.result() if drawn is not None else "not asked"
        if drawn is not None and error:
            say(f"run history not written: {error}")
    except BaseException:
        stop(pool)
        raise
    pool.shutdown(wait=True)
    return drawn is not None


