"""A run's folder, from the lock on the reports folder to the rename that publishes it.

A run is built aside in a hidden folder ``<out>/.building-<stamp>-<pid>/`` and renamed to
``<out>/<YYYY-MM-DD_HHMMSS>/`` (or ``<stamp>-failed``, ``<stamp>-interrupted``) in one step.
One run at a time writes into a reports folder (an ``flock`` on it); a run whose process was
killed is recovered as interrupted by the next. The manifest says what a run did and how to
redo it. :mod:`xmforecast.runner` calls these steps in order.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from xmforecast.exceptions import RunError

__all__ = ["OutputLock", "checked_out", "default_out", "move_into_place", "open_run", "reason", "write_atomic",
           "write_manifest"]


_VERSIONED = ("xmforecast", "pandas", "numpy", "statsmodels", "papermill", "nbconvert", "matplotlib")


def checked_out(out: str | Path | None, indicators_file: str, plan: str) -> Path:
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


def open_run(out: Path, stamp: str, say: Callable[[str], Any]) -> tuple[OutputLock, str | None, Path]:
    """Take the output folder's lock, recover abandoned runs, copy the font, make the hidden run folder."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = OutputLock(out.resolve())  # one run at a time per output folder
        _recover_abandoned(out.resolve(), say)
        from .publish import install_font

        font = install_font(out.resolve())
        building = _make_building(out.resolve(), f".building-{stamp}-{os.getpid()}")
    except OSError as exc:
        if "lock" in locals():
            lock.release()
        raise RunError(f"cannot write into the output folder {out}: {reason(exc)}; nothing was run.") from None
    return lock, font, building


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


def reason(exc: OSError) -> str:
    """An OS error in a few words: 'No space left on device', 'Read-only file system', ..."""
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "a part of the path is a file, not a folder"
    return exc.strerror or type(exc).__name__


class OutputLock:
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
        final = move_into_place(path, out, f"{match.group(1)}-interrupted", lambda name: None)
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


def move_into_place(building: Path, out: Path, base: str, before: Callable[[str], None]) -> Path:
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


def write_manifest(path: Path, *, run_id, status, started, clock, scenarios, records, jobs, nb_dir, error):
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
    write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


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


def write_atomic(path: Path, text: str) -> None:
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
