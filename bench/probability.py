"""How good are xmforecast's probabilities of reaching a level, against peers, on a reference panel?

Usage (``make bench``; the AutoETS row needs ``.venv-bench``)::

    OPENBLAS_NUM_THREADS=1 .venv-bench/bin/python bench/probability.py [--panel global|china] [--jobs N]
        [--markdown] [--max-windows-per-series N] [--fold 0|1]

Prints the growth thresholds, the events, a table of every method overall, Brier and log
scores by horizon and (China panel) by family, then the wall time.

Design
------
The panels, the split by entity, the windows (7 years of history, 1-4 ahead) and the
calibration vintages are those of ``bench/skill.py``; every score is on the evaluation part.

- **Events.** For every window (origin ``T``, last value ``y_T``), horizon ``h = 1..4`` and
  yearly growth ``g``: ``E = "y_{T+h} >= y_T (1 + g)^h"``. The ``g`` are fixed once: the 10,
  25, 50, 75 and 90 % quantiles of the year-on-year growth ``y_t / y_{t-1} - 1`` over every
  pair of consecutive years of the *calibration* part (:func:`growth_quantiles`).
- **Methods**, each a probability of every event:

  ``xmforecast``
      ``fit.exceedance(h, thresholds)`` of the calibrated ``auto`` model (bench/skill.py's
      :func:`~skill.xmforecast_method`: the window's family, the vintage <= its origin).
  ``rw_drift``
      normal around the drift forecast ``y_T + h d``, sd ``s sqrt(h (1 + h / (n - 1)))``
      with ``d`` and ``s`` the mean and sd of the ``n - 1`` additive steps;
      ``P = 1 - Phi((threshold - point) / sd)``.
  ``log_drift``
      the same on the logs (log steps, log threshold).
  ``AutoETS``
      statsforecast, ``season_length=1``: normal with mean its point forecast and sd
      ``(hi80 - lo80) / (2 * 1.2816)``; rw_drift where it fails (counted).
  ``base_rate``
      the share of the class's series of the window's family that grew at least at ``g`` a
      year over ``h`` years (:func:`xmforecast.reference.base_rate` of the calibration
      vintage <= the origin, the first where none is): the outside view alone.
  ``climatology``
      0.5 for every event, a floor.

  A zero sd (a history of equal steps) is a point mass: ``P = 1`` when the point reaches
  the threshold, else 0.
- **Scores.** Brier: mean ``(p - o)^2`` over events, ``o`` = 1 when the event happened;
  log score: mean ``-log`` of the probability given to what happened, ``p`` clipped to
  ``[0.001, 0.999]`` for every method alike (lower is better for both). ``vs best peer``:
  each Brier over the lowest Brier of the methods other than xmforecast.

References
----------
.. [1] Brier, G. W. (1950) Verification of forecasts expressed in terms of probability.
   *Monthly Weather Review* 78(1), 1-3.
.. [2] Gneiting, T. & Raftery, A. E. (2007) Strictly proper scoring rules, prediction, and
   estimation. *Journal of the American Statistical Association* 102(477), 359-378.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import skill  # noqa: E402 - the benchmark's own panels, split, windows and peers

#: Probabilities of the calibration part's yearly growth that set the thresholds.
GROWTH_PROBABILITIES = (0.10, 0.25, 0.50, 0.75, 0.90)
#: Probabilities are clipped to [CLIP, 1 - CLIP] in the log score.
CLIP = 0.001
#: z of the upper bound of a central 80 % interval.
Z80 = 1.2815515655446004
METHODS = ("xmforecast", "rw_drift", "log_drift", "AutoETS", "base_rate", "climatology")
STEPS = np.arange(1, skill.HORIZON + 1)


# --- events and scores -----------------------------------------------------------------------
# Probability and outcome arrays are windows x horizons x growth thresholds.

def growth_quantiles(panel: pd.DataFrame, probabilities=GROWTH_PROBABILITIES) -> np.ndarray:
    """Quantiles of the year-on-year growth ``y_t / y_{t-1} - 1`` [fraction] of a panel's series.

    Every pair of consecutive years of every series counts once (a gap breaks the pair).
    """
    panel = panel.sort_values(["series_id", "year"])
    same = (panel["series_id"].to_numpy()[1:] == panel["series_id"].to_numpy()[:-1])
    consecutive = same & (np.diff(panel["year"].to_numpy()) == 1)
    values = panel["value"].to_numpy(dtype=float)
    growth = values[1:][consecutive] / values[:-1][consecutive] - 1
    return np.quantile(growth, probabilities)


def thresholds(last: np.ndarray, growth: np.ndarray) -> np.ndarray:
    """``y_T (1 + g)^h``: windows x horizons x growths, for h = 1..4."""
    return last[:, None, None] * (1 + np.asarray(growth))[None, None, :] ** STEPS[None, :, None]


def outcomes(actual: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Whether each event happened: ``y_{T+h} >= threshold`` (actual is windows x horizons)."""
    return actual[:, :, None] >= levels


def brier(p: np.ndarray, outcome: np.ndarray, axis=None) -> float | np.ndarray:
    """Brier score: mean ``(p - o)^2``."""
    return np.mean((np.asarray(p, dtype=float) - outcome) ** 2, axis=axis)


def log_score(p: np.ndarray, outcome: np.ndarray, axis=None, clip: float = CLIP) -> float | np.ndarray:
    """Mean ``-log`` of the probability given to what happened, ``p`` clipped to ``[clip, 1 - clip]``."""
    p = np.clip(np.asarray(p, dtype=float), clip, 1 - clip)
    return np.mean(-np.log(np.where(outcome, p, 1 - p)), axis=axis)


# --- probabilities ---------------------------------------------------------------------------

def normal_exceedance(mean: np.ndarray, sd: np.ndarray, level: np.ndarray) -> np.ndarray:
    """``P(X >= level)`` for ``X ~ N(mean, sd)``, broadcast; a zero sd is a point mass at the mean."""
    from scipy.special import ndtr

    mean, sd, level = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (mean, sd, level)))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 1 - ndtr((level - mean) / sd)
    return np.where(sd > 0, p, (mean >= level).astype(float))


def rw_drift_probability(history: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Normal around the additive drift, sd ``s sqrt(h (1 + h / (n - 1)))`` of the additive steps."""
    steps = np.diff(history, axis=1)
    point = history[:, -1:] + steps.mean(axis=1, keepdims=True) * STEPS
    sd = np.std(steps, axis=1, ddof=1)[:, None] * skill.drift_spread(history)
    return normal_exceedance(point[:, :, None], sd[:, :, None], levels)


def log_drift_probability(history: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Normal on the logs around the log drift, sd ``s sqrt(h (1 + h / (n - 1)))`` of the log steps."""
    steps = np.diff(np.log(history), axis=1)
    point = np.log(history[:, -1:]) + steps.mean(axis=1, keepdims=True) * STEPS
    sd = np.std(steps, axis=1, ddof=1)[:, None] * skill.drift_spread(history)
    return normal_exceedance(point[:, :, None], sd[:, :, None], np.log(levels))


def interval_probability(forecast: tuple[np.ndarray, np.ndarray, np.ndarray], levels: np.ndarray) -> np.ndarray:
    """Normal with mean the point forecast and sd read off its 80 % interval, ``(hi - lo) / (2 z80)``."""
    point, lower, upper = forecast
    sd = (upper - lower) / (2 * Z80)
    return normal_exceedance(point[:, :, None], sd[:, :, None], levels)


def xmforecast_probability(fits, levels: np.ndarray) -> np.ndarray:
    """``fit.exceedance(h, thresholds)`` of each window's fitted model."""
    out = np.empty(levels.shape)
    for i, fit in enumerate(fits):
        for j, h in enumerate(STEPS):
            out[i, j] = fit.exceedance(int(h), levels[i, j])
    return out


def base_rate_probability(windows: skill.Windows, growth: np.ndarray, calibration: dict) -> np.ndarray:
    """The family's base rate of each growth and horizon, from the vintage <= each window's origin."""
    from xmforecast.reference import base_rate, vintage_for

    available = sorted(calibration)
    cache: dict[tuple[int, str], np.ndarray] = {}
    out = np.empty((len(windows), len(STEPS), len(growth)))
    for i, (origin, family) in enumerate(zip(windows.origin, windows.family)):
        vintage = vintage_for(int(origin), available)[0]
        if (vintage, family) not in cache:
            cache[vintage, family] = np.array([[base_rate(float(g), int(h), table=calibration[vintage], family=family)
                                                for g in growth] for h in STEPS])
        out[i] = cache[vintage, family]
    return out


# --- tables ----------------------------------------------------------------------------------

def overall_table(probabilities: dict[str, np.ndarray], outcome: np.ndarray) -> pd.DataFrame:
    """Brier, its ratio to the best peer's, log score and mean probability of each method."""
    table = weighted_table(probabilities, outcome, np.ones(outcome.shape[0]))
    table["mean p"] = [float(np.mean(p)) for p in probabilities.values()]
    return table


def weighted_table(probabilities: dict[str, np.ndarray], outcome: np.ndarray, weights: np.ndarray) -> pd.DataFrame:
    """Brier and log score of each method, each window's mean over its events weighted by `weights`."""
    def per_window(scores: np.ndarray) -> float:
        return float(weights @ scores.reshape(len(weights), -1).mean(axis=1) / weights.sum())

    clipped = {name: np.clip(p, CLIP, 1 - CLIP) for name, p in probabilities.items()}
    rows = {name: {"Brier": per_window((p - outcome) ** 2),
                   "log score": per_window(-np.log(np.where(outcome == 1, clipped[name], 1 - clipped[name])))}
            for name, p in probabilities.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    peers = [name for name in table.index if name != "xmforecast"]
    table.insert(1, "vs best peer", table["Brier"] / table.loc[peers, "Brier"].min())
    table.index.name = "method"
    return table


def breakdown(probabilities: dict[str, np.ndarray], outcome: np.ndarray, key: np.ndarray, metric,
              name: str) -> pd.DataFrame:
    """One score of each method (columns) within each value of `key` (rows), with the events and their frequency."""
    rows = {}
    for value in sorted(set(key.ravel().tolist())):
        own = key == value
        rows[value] = {"events": int(own.sum()), "base freq %": 100 * float(outcome[own].mean())}
        rows[value] |= {method: metric(p[own], outcome[own]) for method, p in probabilities.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = name
    return table


def _format(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.copy().astype(object)
    for column in table.columns:
        digits = 0 if column in ("events", "failed") else 1 if column in ("base freq %", "time s") else 4
        shown[column] = [f"{v:.{digits}f}" if isinstance(v, (float, int)) and math.isfinite(v) else str(v)
                         for v in table[column]]
    return shown


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    skill.add_common_options(parser)
    args = parser.parse_args(argv)
    start = time.perf_counter()

    panel = skill.load_panel(args.panel)
    reference_class = skill.PANELS[args.panel][1]
    calibration_panel, evaluation_panel = skill.split_panel(panel, args.fold)
    evaluation_panel = skill.without_packages(evaluation_panel, args.evaluate_without)
    windows = skill.make_windows(evaluation_panel, args.max_windows_per_series)
    growth = growth_quantiles(calibration_panel)
    levels = thresholds(windows.history[:, -1], growth)
    outcome = outcomes(windows.actual, levels)

    probabilities, extra, missing = {}, {}, {}
    run = skill.XmforecastRun()
    for name in METHODS:
        tic = time.perf_counter()
        failed = 0
        if name == "xmforecast":
            run = skill.xmforecast_method(calibration_panel, windows, reference_class, jobs=args.jobs)
            if run.forecast is None:
                missing[name] = run.reason
                continue
            p = xmforecast_probability(run.fits, levels)
        elif name == "rw_drift":
            p = rw_drift_probability(windows.history, levels)
        elif name == "log_drift":
            p = log_drift_probability(windows.history, levels)
        elif name == "AutoETS":
            try:
                import statsforecast  # noqa: F401
            except ImportError as error:
                missing[name] = f"{error}; run it in .venv-bench (make bench)"
                continue
            forecast, failed = skill.statsforecast_method(name, windows.history, args.jobs, fallback=skill.rw_drift)
            p = interval_probability(forecast, levels)
        elif name == "base_rate":
            if not run.calibration:
                missing[name] = "needs xmforecast's calibration"
                continue
            p = base_rate_probability(windows, growth, run.calibration)
        else:
            p = np.full(levels.shape, 0.5)
        probabilities[name] = p
        extra[name] = {"failed": failed, "time s": time.perf_counter() - tic}
    table = overall_table(probabilities, outcome).join(pd.DataFrame.from_dict(extra, orient="index"))

    horizon_key = np.broadcast_to(STEPS[None, :, None], outcome.shape)
    family_key = np.broadcast_to(windows.family[:, None, None], outcome.shape)

    cap = "all" if args.max_windows_per_series is None else f"at most {args.max_windows_per_series} per series"
    print(f"Probability of reaching a level, h = 1..{skill.HORIZON} years after {skill.HISTORY} years of history")
    print(skill.describe_split(args.panel, panel, calibration_panel, evaluation_panel, args.fold,
                               len(skill.make_windows(calibration_panel))))
    print(f"scored: evaluation windows {len(windows)} of {windows.available} ({cap})")
    if run.calibration:
        print(skill.vintage_note(run))
    print("thresholds g (yearly growth of the calibration part, quantiles): "
          + ", ".join(f"{100 * q:.0f} % {100 * g:+.2f} %" for q, g in zip(GROWTH_PROBABILITIES, growth)))
    print(f"events: {outcome.size} (windows x horizons x thresholds), happened {100 * outcome.mean():.1f} %")
    print()
    print(skill.show(_format(table), args.markdown))
    for name, reason in missing.items():
        print(f"{name}: not available ({reason})")
    entities = skill.window_entities(windows, evaluation_panel)
    print()
    print(f"Each entity weighing the same ({len(set(entities))} entities):")
    print(skill.show(_format(weighted_table(probabilities, outcome, skill.entity_weights(entities))), args.markdown))
    if run.look_ahead.any():
        honest = ~run.look_ahead
        print()
        print(f"Only the {int(honest.sum())} windows whose origin has a vintage (no look-ahead):")
        kept = {name: p[honest] for name, p in probabilities.items()}
        print(skill.show(_format(weighted_table(kept, outcome[honest], np.ones(int(honest.sum())))), args.markdown))
    sections = [("horizon", horizon_key)]
    if "family" in evaluation_panel.columns:
        sections.append(("family", family_key))
    for label, key in sections:
        for metric_name, metric in (("Brier", brier), ("log score", log_score)):
            print()
            print(f"{metric_name} by {label}")
            print(skill.show(_format(breakdown(probabilities, outcome, key, metric, label)), args.markdown))
    print()
    print(f"wall time {time.perf_counter() - start:.1f} s (jobs {args.jobs})")


if __name__ == "__main__":
    main()
