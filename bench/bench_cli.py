"""Wall times of the command line, run by hand (`make bench`); prints medians of several runs.

- `python -c "import xmforecast"` against a bare `python -c pass`;
- `xmforecast targets` for every target with 10,000 paths, interpreter start included, against
  its floor `python -c "import numpy, pandas"` measured in the same run;
- `xmforecast run` of the scenarios in params/ against its floor: the notebooks' count x one
  bare kernel start that imports the stack (numpy, pandas, matplotlib, xmforecast) and stops,
  spread over the 2 workers; then, for one run, what each notebook's seconds went to.

Usage: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_cli.py [--skip-run]``
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def wall(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float]) -> None:
    print(f"{name:<48} median {statistics.median(times):6.3f} s  (min {min(times):.3f}, max {max(times):.3f}, n={len(times)})")


def main() -> None:
    py = sys.executable
    bare = wall([py, "-c", "pass"], 9)
    imp = wall([py, "-c", "import xmforecast"], 9)
    report("python -c pass", bare)
    report("python -c 'import xmforecast'", imp)
    print(f"{'  import xmforecast alone (difference of medians)':<48} {statistics.median(imp) - statistics.median(bare):6.3f} s")
    # The floor and the command take turns, so that a shared machine's slow spells hit both.
    floor, targets = [], []
    for _ in range(9):
        floor += wall([py, "-c", "import numpy, pandas"], 1)
        targets += wall([str(BIN / "xmforecast"), "targets", "--format", "csv"], 1)
    report("python -c 'import numpy, pandas' (floor)", floor)
    report("xmforecast targets (10,000 paths, all targets)", targets)
    print(f"{'  ratio to the floor (median of paired ratios)':<48} "
          f"{statistics.median(t / f for t, f in zip(targets, floor)):6.2f}")
    if "--skip-run" in sys.argv:
        return

    import json

    # Warm up the disk cache of the stack once, then time bare kernels.
    bare_kernel()
    kernel = [bare_kernel() for _ in range(5)]
    report("bare kernel: start, import the stack, stop", kernel)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "runs"
        run = wall([str(BIN / "xmforecast"), "run", "--out", str(out), "--jobs", "2"], 3)
        manifest = json.loads(next(out.glob("*/manifest.json")).read_text(encoding="utf-8"))
        notebooks = len(manifest["notebooks"])
        run_floor = notebooks * statistics.median(kernel) / 2
        report("xmforecast run (params/, 2 workers)", run)
        print(f"{'  floor: %d notebooks x bare kernel / 2' % notebooks:<48} {run_floor:6.3f} s")
        print(f"{'  ratio to the floor':<48} {statistics.median(run) / run_floor:6.2f}")
        where_the_time_goes(next(out.glob("*/manifest.json")))


def where_the_time_goes(manifest_path: Path) -> None:
    """Print, for each notebook of one run, when it started and what its seconds went to.

    From the run's manifest (start, seconds per notebook) and papermill's timings in each
    executed notebook: kernel start (papermill's start to the first cell), cells, and the rest
    (kernel shutdown, writing the notebook, exporting its HTML).
    """
    import json
    from datetime import datetime

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    run_start = datetime.fromisoformat(manifest["started"])
    print(f"  one run, {manifest['wall_time_s']:.1f} s: notebook, start [s], seconds = kernel start + cells + rest")
    for record in manifest["notebooks"]:
        notebook = json.loads((manifest_path.parent / record["output"]).read_text(encoding="utf-8"))
        cells = [cell["metadata"].get("papermill", {}) for cell in notebook["cells"] if cell["cell_type"] == "code"]
        opened = datetime.fromisoformat(notebook["metadata"]["papermill"]["start_time"])
        first = min(datetime.fromisoformat(c["start_time"]) for c in cells if c.get("start_time"))
        kernel = (first - opened).total_seconds()
        in_cells = sum(c.get("duration") or 0.0 for c in cells)
        started = (datetime.fromisoformat(record["started"]) - run_start).total_seconds()
        print(f"    {record['label'] + ' · ' + record['notebook']:<44} {started:5.0f} {record['seconds']:6.2f} = "
              f"{kernel:4.2f} + {in_cells:4.2f} + {record['seconds'] - kernel - in_cells:4.2f}")


def bare_kernel() -> float:
    """Seconds to start a python3 kernel, run the stack's imports in it and shut it down.

    Measured from this (already running) process with jupyter_client, as papermill drives a
    kernel: no interpreter or papermill start is counted, only what every notebook of a run
    must pay before its first cell of its own.
    """
    from jupyter_client.manager import start_new_kernel

    tic = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3", stderr=subprocess.DEVNULL)
    try:
        reply = client.execute_interactive("import numpy, pandas, matplotlib.pyplot, xmforecast", timeout=120)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the stack does not import in a kernel: {reply['content']}")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=False)
    return time.perf_counter() - tic


if __name__ == "__main__":
    main()
