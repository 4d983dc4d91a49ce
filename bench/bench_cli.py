"""Wall times of the command line, run by hand (`make bench`); prints medians of several runs.

- `python -c "import xmforecast"` against a bare `python -c pass`;
- `xmforecast targets` for every target with 10,000 paths, interpreter start included;
- papermill on an empty notebook: the bare cost of starting a kernel, to compare a run with.
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
    report("xmforecast targets (10,000 paths, all targets)", wall([str(BIN / "xmforecast"), "targets", "--format", "csv"], 5))

    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("pass")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, empty)
        report("papermill on an empty notebook (kernel start)",
               wall([str(BIN / "papermill"), str(empty), str(Path(tmp) / "out.ipynb"), "--log-level", "ERROR"], 3))


if __name__ == "__main__":
    main()
