"""How far below the random walk with drift can a point forecast go on the reference panel?

Scores simple point rules and combinations of peers on the *calibration* part of
:func:`skill.split_panel` only (the part xmforecast may learn from; the evaluation part is never
read), with the windows of ``bench/skill.py`` (7 years of history, 1-4 years ahead). Prints
MAPE overall and by horizon, and each rule's ratio to rw_drift, best first.

Usage (``make bench``; the statsforecast rows need ``.venv-bench``)::

    OPENBLAS_NUM_THREADS=1 .venv-bench/bin/python bench/point_rules.py [--fold 0|1] [--jobs N]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import skill  # noqa: E402 - the benchmark's own windows, split and peers

STEPS = np.arange(1, skill.HORIZON + 1)


def _ols_slope(history: np.ndarray, k: int) -> np.ndarray:
    """Least-squares slope of the last `k` values on time [units / year], per window."""
    x = np.arange(k) - (k - 1) / 2
    return (history[:, -k:] @ x / (x @ x))[:, None]


def _ses_level(history: np.ndarray, alpha: float) -> np.ndarray:
    level = history[:, 0].copy()
    for t in range(1, history.shape[1]):
        level = alpha * history[:, t] + (1 - alpha) * level
    return level[:, None]


def rules(history: np.ndarray) -> dict[str, np.ndarray]:
    """Point forecasts (windows x horizons) of every candidate rule that needs no fitting."""
    last = history[:, -1:]
    steps = np.diff(history, axis=1)
    drift = steps.mean(axis=1, keepdims=True)
    log_steps = np.diff(np.log(history), axis=1)
    volatility = log_steps.std(axis=1, ddof=1, keepdims=True)
    naive = np.repeat(last, skill.HORIZON, axis=1)
    rw_drift = last + drift * STEPS
    log_drift = last * np.exp(log_steps.mean(axis=1, keepdims=True) * STEPS)
    return {
        "naive": naive,
        "rw_drift": rw_drift,
        "drift, median step": last + np.median(steps, axis=1, keepdims=True) * STEPS,
        "drift, last 3 steps": last + steps[:, -3:].mean(axis=1, keepdims=True) * STEPS,
        "drift, last 4 steps": last + steps[:, -4:].mean(axis=1, keepdims=True) * STEPS,
        "drift x 0.5": last + 0.5 * drift * STEPS,
        "drift x 1.1": last + 1.1 * drift * STEPS,
        "damped drift, phi 0.8": last + drift * np.cumsum(0.8 ** STEPS),
        "damped drift, phi 0.9": last + drift * np.cumsum(0.9 ** STEPS),
        "log drift (compound growth)": log_drift,
        "log drift, median step": last * np.exp(np.median(log_steps, axis=1, keepdims=True) * STEPS),
        "OLS trend of 7, from last": last + _ols_slope(history, 7) * STEPS,
        "OLS trend of 5, from last": last + _ols_slope(history, 5) * STEPS,
        "mean of drift and log drift": (rw_drift + log_drift) / 2,
        "0.75 drift + 0.25 naive": 0.75 * rw_drift + 0.25 * naive,
        "theta-like: SES(0.5) + half OLS slope": (_ses_level(history, 0.5) + _ols_slope(history, 7) / 2 * (STEPS + 3)
                                                  + rw_drift) / 2,
        # The median minimises absolute error on the log scale; MAPE rewards a forecast below it
        # where uncertainty is large. Shift the drift forecast down by a multiple of the variance.
        "drift x exp(-0.25 s^2 h)": rw_drift * np.exp(-0.25 * volatility**2 * STEPS),
        "drift x exp(-1 s^2 h)": rw_drift * np.exp(-1.0 * volatility**2 * STEPS),
    }


def peer_rules(history: np.ndarray, jobs: int) -> dict[str, np.ndarray]:
    """AutoETS and AutoTheta, and their combinations with rw_drift (empty without statsforecast)."""
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return {}
    drift = rules(history)["rw_drift"]
    theta = skill.statsforecast_method("AutoTheta", history, jobs)[0][0]
    ets = skill.statsforecast_method("AutoETS", history, jobs)[0][0]
    return {
        "AutoTheta": theta,
        "AutoETS": ets,
        "mean of rw_drift and AutoTheta": (drift + theta) / 2,
        "mean of rw_drift, AutoTheta and AutoETS": (drift + theta + ets) / 3,
        "median of rw_drift, AutoTheta and AutoETS": np.median(np.stack([drift, theta, ets]), axis=0),
    }


def table(actual: np.ndarray, forecasts: dict[str, np.ndarray]) -> pd.DataFrame:
    """MAPE [%] overall and by horizon, and the ratio to rw_drift, best first."""
    rows = {}
    for name, point in forecasts.items():
        by_h = skill.mape(actual, point, axis=0)
        rows[name] = {"MAPE %": skill.mape(actual, point)} | {f"h{h}": v for h, v in zip(STEPS, by_h)}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.insert(1, "vs rw_drift", out["MAPE %"] / out.loc["rw_drift", "MAPE %"])
    out.index.name = "rule"
    return out.sort_values("MAPE %")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fold", type=int, default=0, choices=[0, 1],
                        help="the split of bench/skill.py whose calibration part is scored")
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes for statsforecast")
    args = parser.parse_args(argv)
    calibration_part, _ = skill.split_panel(skill.load_panel(), args.fold)
    windows = skill.make_windows(calibration_part)
    forecasts = rules(windows.history) | peer_rules(windows.history, args.jobs)
    print(f"Point rules on the calibration part of fold {args.fold} only: {len(windows)} windows of "
          f"{calibration_part['series_id'].nunique()} series (7 years of history, 1-4 ahead)")
    print(table(windows.actual, forecasts).round({"MAPE %": 2, "vs rw_drift": 3, "h1": 1, "h2": 1, "h3": 1, "h4": 1})
          .to_string())


if __name__ == "__main__":
    main()
