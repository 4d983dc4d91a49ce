"""Benchmark: simulate 10,000 paths x 10 years for ~30 series with the chosen models.

Run by hand: ``.venv/bin/python bench/bench_simulate.py [--runs 5] [--series 30]``.
Each series gets its model from :func:`xmforecast.backtest.choose` (own
backtest, timed once); then every series is simulated ``--runs`` times and
the medians are printed: per run over all series, and per series by model.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from xmforecast.backtest import choose

LENGTHS = (2, 3, 3, 4, 5, 5, 6, 8, 10, 12, 15)


def make_series(n_series: int, rng: np.random.Generator) -> dict[str, pd.Series]:
    """Synthetic annual series like the bureau's: short, growing, some with gaps."""
    out = {}
    for i in range(n_series):
        n = LENGTHS[i % len(LENGTHS)]
        years = np.arange(2016 - n - 2, 2017)
        if i % 3 == 0 and n >= 4:  # drop one interior year
            years = np.delete(years, rng.integers(1, len(years) - 1))
        years = years[-n:]
        growth = rng.uniform(-0.02, 0.25)
        noise = rng.normal(0, rng.uniform(0.02, 0.12), len(years))
        values = 100 * np.exp(growth * (years - years[0]) + np.cumsum(noise))
        out[f"s{i:02d}"] = pd.Series(values, index=years)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--series", type=int, default=30)
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--horizon", type=int, default=10)
    args = parser.parse_args()

    series = make_series(args.series, np.random.default_rng(20170101))
    start = time.perf_counter()
    fitted = {key: choose(s)[0] for key, s in series.items()}
    choose_seconds = time.perf_counter() - start

    totals, per_kind = [], defaultdict(list)
    for run in range(args.runs):
        total = 0.0
        for fit in fitted.values():
            t0 = time.perf_counter()
            paths = fit.simulate(args.horizon, args.paths, rng=run)
            elapsed = time.perf_counter() - t0
            assert paths.shape == (args.horizon, args.paths)
            total += elapsed
            per_kind[kind(fit.name)].append(elapsed)
        totals.append(total)

    print(f"{len(series)} series, {args.paths:,} paths x {args.horizon} years, {args.runs} runs")
    print(f"choose() for all series (once): {choose_seconds:.2f} s")
    print("chosen:", ", ".join(f"{name} x{count}" for name, count in
                              sorted(Counter(f.name for f in fitted.values()).items())))
    print(f"simulate, all series, median of runs: {statistics.median(totals) * 1000:.1f} ms "
          f"(min {min(totals) * 1000:.1f}, max {max(totals) * 1000:.1f})")
    print(f"{'kind':<34} {'series':>6} {'median ms / series':>19}")
    for name, times in sorted(per_kind.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"{name:<34} {len(times) // args.runs:>6} {statistics.median(times) * 1000:>19.2f}")


def kind(name: str) -> str:
    """``ets`` -> ``ets``; ``combination[a+b+ets]`` -> ``combination with ets`` etc."""
    if not name.startswith("combination"):
        return name
    members = name[len("combination["):-1].split("+")
    slow = [m for m in ("ets", "theta") if m in members]
    return f"combination of {len(members)}" + (f" incl. {'+'.join(slow)}" if slow else "")


if __name__ == "__main__":
    main()
