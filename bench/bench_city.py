"""Wall time of `xmforecast targets` on another plan: a made-up registry of 30 indicators.

Writes a registry (30 indicators of every kind, each with a baseline and a target, a few
wanted down) and 8 years of observations into a temporary folder, then times
`xmforecast targets --indicators R --data D` (10,000 paths, interpreter start included)
against its floor `python -c "import numpy, pandas"` measured in the same run, median of 5.
Goal: at most 2 s and at most 4x the floor on a quiet machine.

Usage: ``OPENBLAS_NUM_THREADS=1 PYTHONPATH=$PWD .venv/bin/python bench/bench_city.py [--n 30] [--runs 5]``
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_cli import report, wall  # the same timing helpers as the other bench (bench/ is on sys.path)

KINDS = ("stock", "flow", "ratio", "amount")


def write_plan(folder: Path, n: int, seed: int = 7) -> tuple[Path, Path]:
    """A made-up plan of `n` indicators: registry YAML and observations CSV."""
    rnd = random.Random(seed)
    entries, rows = [], ["indicator,year,value"]
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        down = i % 7 == 3
        growth = (-0.03 if down else 0.06) + rnd.uniform(-0.04, 0.04)
        value = rnd.uniform(10, 5000)
        for year in range(2016, 2024):
            rows.append(f"ind_{i:02d},{year},{value:.3f}")
            value *= 1 + growth + rnd.gauss(0, 0.03)
        base = value / (1 + growth)
        target = base * (0.85 if down else 1.3)
        entries.append(
            f"- id: ind_{i:02d}\n  name_en: Indicator {i}\n  unit: units\n  kind: {kind}\n"
            f"  direction: {'decrease' if down else 'increase'}\n"
            f"  target_year: 2026\n  target_type: {'flow' if kind == 'flow' else 'level'}\n"
            f"  target_value: {target:.3f}\n  base_year: 2023\n  base_value: {base:.3f}\n  base_source: made up\n"
        )
    registry, data = folder / "indicators.yaml", folder / "observations.csv"
    registry.write_text("".join(entries), encoding="utf-8")
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return registry, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="indicators in the made-up registry (default 30)")
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        registry, data = write_plan(Path(tmp), args.n)
        command = [py, "-m", "xmforecast.cli", "targets", "--indicators", str(registry), "--data", str(data),
                   "--format", "csv"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)  # warm the file cache
        floor, targets = [], []
        for _ in range(args.runs):  # interleaved, so that both see the same load
            floor += wall([py, "-c", "import numpy, pandas"], 1)
            targets += wall(command, 1)
    report("python -c 'import numpy, pandas' (floor)", floor)
    report(f"xmforecast targets --indicators ({args.n} indicators)", targets)
    ratio = statistics.median(targets) / statistics.median(floor)
    print(f"{'  ratio to the floor':<52} {ratio:6.2f}   (goal: <= 2 s and <= 4x the floor)")


if __name__ == "__main__":
    main()
