"""Notebooks executed in worker processes, each with its own kernel, and their progress.

A worker runs one notebook at a time with papermill, reports each finished cell to the parent,
exports the notebook's HTML and returns a record of what happened. A worker and its kernel die
with the parent, however the parent ends.
"""
from __future__ import annotations

import functools
import math
import os
import re
import signal
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["StepFailed", "execute", "export_html", "init_worker", "kill_children", "run_batch",
           "show_cells", "stop", "task_record"]


_PROGRESS_EVERY = 10.0  # seconds between two progress lines of one notebook
_SAVE_EVERY = 5.0  # seconds between two saves of a running notebook (papermill saves at every cell)


class StepFailed(Exception):
    """A notebook or a run step failed; `where` is relative to the run folder."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.where = where


def run_batch(pool, tasks, records, counter, say, cells=None) -> None:
    import concurrent.futures

    pending = {pool.submit(execute, t): t for t in tasks}
    shown: dict[str, list] = {}
    while pending:
        done, _ = concurrent.futures.wait(pending, timeout=1.0, return_when=concurrent.futures.FIRST_COMPLETED)
        show_cells(cells, shown, say)
        for future in done:
            task = pending.pop(future)
            shown[f"{task['label']} · {task['notebook']}"] = None  # finished: late reports are ignored
            try:
                record = future.result()
            except Exception as exc:  # the worker process died
                record = task_record(task, 0.0, None, {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)})
            records.append(record)
            counter["done"] += 1
            say(f"[{counter['done']}/{counter['total']}] {task['label']} · {task['notebook']} · "
                f"{record['status']} · {record['seconds']:.1f} s")
            if record["status"] != "ok":
                raise StepFailed(_failure_text(task, record["error"]), task["rel"])


def _failure_text(task: dict, error: dict) -> str:
    who = {"scenario": f"scenario '{task['label']}'", "overview": "run overview", "comparison": "comparison"}
    where = f" at cell {error['cell']}" if error.get("cell") is not None else ""
    lines = str(error.get("evalue") or "").strip().splitlines()
    value = lines[0] if lines else ""
    value = value if len(value) <= 200 else value[:197] + "..."
    return f"{who[task['kind']]}: {task['notebook']} failed{where}: {error['ename']}: {value}"


def stop(pool) -> None:
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


def init_worker(parent: int, cells=None) -> None:
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
        kill_children()
    finally:
        os._exit(128 + int(signum))


def kill_children() -> None:
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


def show_cells(cells, shown: dict[str, list], say) -> None:
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
    """A papermill engine that reports each finished code cell to the parent process.

    papermill writes the whole notebook, figures included, before and after every cell; here a
    running notebook is written at most every few seconds (what an interrupted run keeps of it),
    and in full once it ends, failed or not.
    """
    from papermill.engines import NBClientEngine

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            total = sum(1 for c in nb_man.nb.cells if c.cell_type == "code")
            done, clock, complete = [0], time.monotonic(), nb_man.cell_complete
            save, saved = nb_man.save, [time.monotonic()]  # papermill saved it as it started

            def save_now_and_then(**more):
                if time.monotonic() - saved[0] >= _SAVE_EVERY:
                    save(**more)
                    saved[0] = time.monotonic()

            def cell_complete(cell, cell_index=None, **more):
                complete(cell, cell_index=cell_index, **more)
                if cell.cell_type == "code" and _CELLS is not None:
                    done[0] += 1
                    try:
                        _CELLS.put_nowait((key, done[0], total, time.monotonic() - clock))
                    except Exception:  # progress is never worth a failed notebook
                        pass

            nb_man.cell_complete = cell_complete
            nb_man.save = save_now_and_then
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                nb_man.save = save  # papermill's notebook_complete, next, writes the notebook as it ended

    return Engine


def task_record(task: dict, seconds: float, started: str | None, error: dict | None) -> dict:
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


def execute(task: dict) -> dict:
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
                            kernel_manager_class=_kernel_manager(),  # ready without 0.2 s of waiting
                            # Once the last cell has replied, every output is in the notebook, and the notebooks
                            # close what they write within their cells: the kernel is killed rather than asked
                            # to exit, about 0.3 s less per notebook.
                            shutdown_kernel="immediate",
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
            export_html(task["output"], task["html"], f"{task['label']} · {Path(task['notebook']).stem}",
                         font=task.get("font"))
        except Exception as exc:
            if error is None:
                error = {"cell": None, "ename": type(exc).__name__, "evalue": f"HTML export failed: {exc}"}
    return task_record(task, time.monotonic() - clock, started, error)


def export_html(notebook: str, target: str, title: str, font: str | None = None) -> None:
    """Write the notebook as HTML without code: prose, tables and figures only.

    The page falls back to the reports folder's CJK font (``<out>/_fonts/<font>``, two
    folders up from the page) where the reader's machine has none.
    """
    import nbformat

    from .pages import FONT_FOLDER, FONT_STACK, font_face_css

    body, _ = _html_exporter().from_notebook_node(
        nbformat.read(notebook, as_version=4), resources={"metadata": {"name": title}}
    )
    style = (f"<style>{font_face_css(f'../../{FONT_FOLDER}/{font}' if font else None)}\n"
             f"body, .jp-Notebook, .jp-RenderedHTMLCommon {{ font-family: {FONT_STACK}; }}</style>\n")
    body = body.replace("</head>", style + "</head>", 1)
    Path(target).write_text(body, encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """The one HTML exporter of a process: a new one would compile its templates again (about 0.1 s a page)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    # A cell tagged "lab-only" explains the notebook to whoever opens it; the page has its own words.
    config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": ["lab-only"]}})
    return HTMLExporter(config=config, exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


@functools.lru_cache(maxsize=1)
def _kernel_manager():
    """nbclient's kernel manager, with a client that is ready once the kernel has answered on both channels.

    jupyter_client's own client, once the kernel has answered, also waits for 0.2 s of silence
    on IOPub before it returns: 0.2 s of each notebook spent idle. The status messages it would
    drop are harmless: nbclient takes each cell's outputs by the request they answer.
    """
    from queue import Empty

    from jupyter_client import AsyncKernelManager
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_core.utils import ensure_async

    class Client(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (math.inf if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:
                    pass
                else:
                    if reply["msg_type"] == "kernel_info_reply":
                        try:  # the kernel's status for that request: IOPub is connected too
                            await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(reply)
                            return
                if not await ensure_async(self.is_alive()):
                    raise RuntimeError("Kernel died before replying to kernel_info")  # the words workers retry on
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    class Manager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.client_factory = Client

    return Manager
