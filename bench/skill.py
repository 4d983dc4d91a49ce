"""Forecast skill of xmforecast's calibrated ``auto`` model against peers, on the reference panel.

Usage (``make bench`` builds ``.venv-bench``, with the ``bench`` extra that AutoETS and AutoTheta need)::

    OPENBLAS_NUM_THREADS=1 .venv-bench/bin/python bench/skill.py [--jobs N] [--markdown]
        [--max-windows-per-series N] [--fold 0|1]

Prints one table, then the wall time.

Design
------
- **Windows.** In every series of ``xmforecast/data/reference_panel.csv``, every run of 11
  consecutive years is a window: the first 7 values are the history, each method forecasts
  1-4 years ahead, and the last 4 values score it. ``--max-windows-per-series N`` keeps N
  windows per series, evenly spaced over its years (deterministic), for every method alike.
- **Split by entity, not by time.** :func:`split_panel`: scikit-learn ``GroupKFold(n_splits=2)``
  over the panel's rows with groups ``package/dataset/entity`` (a firm's or a state's series
  all fall on one side); fold 0's train side is the calibration part, its test side the
  evaluation part; ``--fold 1`` swaps the two parts. xmforecast is calibrated on the first; every score is on the second.
- **Methods**, each giving a point forecast and an 80 % interval for h = 1..4:

  ``naive``
      the last value; interval of a random walk on log steps,
      ``last * exp(+-z * s * sqrt(h))`` with ``s`` the sd of the 6 log steps.
  ``last_growth``
      the last year-on-year growth continued, compounded; interval
      ``point * exp(+-z * s * sqrt(h + h**2))``: h future log steps plus the error of a
      growth estimated from a single step.
  ``rw_drift``
      random walk with additive drift (the mean yearly step continued); the textbook
      interval ``+-z * sd * sqrt(h * (1 + h / (n - 1)))``, ``sd`` of the n - 1 = 6 steps.
  ``AutoETS``, ``AutoTheta``
      statsforecast, ``season_length=1``; a window where one fails (error or non-finite
      output) gets the naive forecast and is counted in the ``failed`` column.
  ``xmforecast``
      ``get_model("auto", calibration=calibrate(calibration_panel)).fit(history)``
      ``.forecast(4, level=80)``; while that API is missing the row says why.

- **Metrics** over all window x horizon pairs: MAPE [%] = mean ``|y - f| / |y|``; MASE =
  mean ``|y - f| / scale`` with scale the mean absolute first difference of the window's
  history (windows with a flat history are left out of MASE and MSIS, and counted);
  MAPE and 80 % coverage at each horizon; relative interval width ``(upper - lower) /
  |point|``, mean and largest over the forecasts whose point is above zero (those at or
  below zero, which only additive methods give, are counted in ``point<=0``); MSIS, the Gneiting-Raftery interval score at alpha = 0.2
  divided by the same scale (as in M4); the ratio of each MAPE to rw_drift's.
"""
from __future__ import annotations

import argparse
import math
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.resources import files
from statistics import NormalDist

import numpy as np
import pandas as pd

HISTORY = 7
HORIZON = 4
LEVEL = 80
ALPHA = 1 - LEVEL / 100
PEERS = ("naive", "last_growth", "rw_drift", "AutoETS", "AutoTheta")
STATSFORECAST = ("AutoETS", "AutoTheta")


# --- metrics ---------------------------------------------------------------------------------
# Arrays are windows x horizons; `scale` has one value per window.

def mase_scale(history: np.ndarray) -> np.ndarray:
    """Mean absolute first difference of each window's history; NaN where it is flat (0).

    >>> mase_scale(np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]]))
    array([1.5, nan])
    """
    scale = np.mean(np.abs(np.diff(history, axis=1)), axis=1)
    return np.where(scale > 0, scale, np.nan)


def mape(actual: np.ndarray, point: np.ndarray, axis: int | None = None) -> float | np.ndarray:
    """Mean absolute percentage error [%]: ``100 * mean(|y - f| / |y|)``."""
    return 100 * np.mean(np.abs(actual - point) / np.abs(actual), axis=axis)


def mase(actual: np.ndarray, point: np.ndarray, scale: np.ndarray, axis: int | None = None) -> float | np.ndarray:
    """Mean absolute scaled error: ``mean(|y - f| / scale)``, windows with a NaN scale left out."""
    return np.nanmean(np.abs(actual - point) / scale[:, None], axis=axis)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, axis: int | None = None) -> float | np.ndarray:
    """Fraction of actual values inside ``[lower, upper]``."""
    return np.mean((lower <= actual) & (actual <= upper), axis=axis)


def interval_score(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, alpha: float = ALPHA) -> np.ndarray:
    """Gneiting-Raftery interval score of a central ``1 - alpha`` interval, elementwise.

    ``(u - l) + 2/alpha * (l - y) * [y < l] + 2/alpha * (y - u) * [y > u]``.
    """
    below = np.where(actual < lower, lower - actual, 0.0)
    above = np.where(actual > upper, actual - upper, 0.0)
    return (upper - lower) + 2 / alpha * (below + above)


def msis(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, scale: np.ndarray,
         alpha: float = ALPHA, axis: int | None = None) -> float | np.ndarray:
    """Mean scaled interval score: interval score / scale, averaged (windows with a NaN scale left out)."""
    return np.nanmean(interval_score(actual, lower, upper, alpha) / scale[:, None], axis=axis)


def relative_width(lower: np.ndarray, upper: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Interval width relative to the point forecast, ``(upper - lower) / |point|``."""
    return (upper - lower) / np.abs(point)


# --- panel, split and windows ----------------------------------------------------------------

def load_panel() -> pd.DataFrame:
    """The shipped reference panel (long form)."""
    with (files("xmforecast") / "data" / "reference_panel.csv").open(encoding="utf-8") as handle:
        return pd.read_csv(handle, keep_default_na=False, na_values=[""])


def entity_groups(panel: pd.DataFrame) -> pd.Series:
    """``package/dataset/entity`` of each row: the unit that must stay on one side of the split."""
    return panel["package"] + "/" + panel["dataset"] + "/" + panel["entity"].astype(str)


def split_panel(panel: pd.DataFrame, fold: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the panel by entity into a calibration part and an evaluation part.

    scikit-learn ``GroupKFold(n_splits=2)`` over the rows, groups ``package/dataset/entity``;
    fold `fold`'s train rows are the calibration part, its test rows the evaluation part (fold 1
    swaps the two parts of fold 0). Deterministic: the same panel gives the same split.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(calibration_panel, evaluation_panel)``, each with the panel's columns.
    """
    from sklearn.model_selection import GroupKFold

    panel = panel.reset_index(drop=True)
    train, test = list(GroupKFold(n_splits=2).split(panel, groups=entity_groups(panel)))[fold]
    return panel.iloc[np.sort(train)].reset_index(drop=True), panel.iloc[np.sort(test)].reset_index(drop=True)


@dataclass(frozen=True)
class Windows:
    """Forecast windows: histories (windows x 7), their years, and the 4 actual values that follow."""

    series_id: np.ndarray
    years: np.ndarray  # windows x 7, the history's years
    history: np.ndarray  # windows x 7
    actual: np.ndarray  # windows x 4
    available: int  # windows before any cap per series

    def __len__(self) -> int:
        return len(self.series_id)


def make_windows(panel: pd.DataFrame, max_per_series: int | None = None) -> Windows:
    """Every run of 11 consecutive years of every series, optionally thinned evenly per series."""
    span = HISTORY + HORIZON
    ids, years, values, available = [], [], [], 0
    for series_id, group in panel.groupby("series_id", sort=True):
        group = group.sort_values("year")
        y, v = group["year"].to_numpy(), group["value"].to_numpy(dtype=float)
        starts = [i for i in range(len(y) - span + 1) if y[i + span - 1] - y[i] == span - 1]
        available += len(starts)
        if max_per_series is not None and len(starts) > max_per_series:
            picks = np.unique(np.round(np.linspace(0, len(starts) - 1, max_per_series)).astype(int))
            starts = [starts[i] for i in picks]
        for i in starts:
            ids.append(series_id)
            years.append(y[i:i + HISTORY])
            values.append(v[i:i + span])
    values_array = np.array(values, dtype=float).reshape(-1, span)
    return Windows(
        series_id=np.array(ids, dtype=object),
        years=np.array(years, dtype=int).reshape(-1, HISTORY),
        history=values_array[:, :HISTORY],
        actual=values_array[:, HISTORY:],
        available=available,
    )


# --- methods ---------------------------------------------------------------------------------
# Each returns (point, lower, upper), windows x horizons.

_Z = NormalDist().inv_cdf(1 - ALPHA / 2)
_STEPS = np.arange(1, HORIZON + 1)


def naive(history: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Last value; interval of a random walk on log steps."""
    last = history[:, -1:]
    sigma = np.std(np.diff(np.log(history), axis=1), axis=1, ddof=1)[:, None]
    half = _Z * sigma * np.sqrt(_STEPS)
    point = np.repeat(last, HORIZON, axis=1)
    return point, last * np.exp(-half), last * np.exp(half)


def last_growth(history: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The last year-on-year growth, compounded; log random-walk interval widened for the growth's error."""
    steps = np.diff(np.log(history), axis=1)
    sigma = np.std(steps, axis=1, ddof=1)[:, None]
    point = history[:, -1:] * np.exp(steps[:, -1:] * _STEPS)
    half = _Z * sigma * np.sqrt(_STEPS + _STEPS**2)
    return point, point * np.exp(-half), point * np.exp(half)


def rw_drift(history: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random walk with additive drift; interval ``z * sd * sqrt(h * (1 + h / (n - 1)))``."""
    steps = np.diff(history, axis=1)
    n = history.shape[1]
    point = history[:, -1:] + steps.mean(axis=1, keepdims=True) * _STEPS
    half = _Z * np.std(steps, axis=1, ddof=1)[:, None] * np.sqrt(_STEPS * (1 + _STEPS / (n - 1)))
    return point, point - half, point + half


FAST = {"naive": naive, "last_growth": last_growth, "rw_drift": rw_drift}


def _statsforecast_chunk(name: str, history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forecasts of one statsforecast model for a chunk of windows: (windows x 3 x horizons, failed)."""
    from statsforecast.models import AutoETS, AutoTheta

    model_class = {"AutoETS": AutoETS, "AutoTheta": AutoTheta}[name]
    out = np.full((len(history), 3, HORIZON), np.nan)
    failed = np.zeros(len(history), dtype=bool)
    for i, y in enumerate(history):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = model_class(season_length=1).forecast(y=y, h=HORIZON, level=[LEVEL])
            out[i] = [result["mean"], result[f"lo-{LEVEL}"], result[f"hi-{LEVEL}"]]
        except Exception:  # noqa: BLE001 - any failure of the peer falls back to naive and is counted
            failed[i] = True
            continue
        failed[i] = not np.isfinite(out[i]).all()
    return out, failed


def statsforecast_method(name: str, history: np.ndarray, jobs: int) -> tuple[tuple[np.ndarray, ...], int]:
    """AutoETS or AutoTheta on every window (naive where it fails); returns the forecasts and the failures."""
    chunks = np.array_split(np.arange(len(history)), max(1, jobs) * 4)
    chunks = [c for c in chunks if len(c)]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(pool.map(_statsforecast_chunk, [name] * len(chunks), [history[c] for c in chunks]))
    else:
        parts = [_statsforecast_chunk(name, history[c]) for c in chunks]
    out = np.concatenate([p[0] for p in parts])
    failed = np.concatenate([p[1] for p in parts])
    fallback = np.stack(naive(history[failed]), axis=1)
    out[failed] = fallback
    return (out[:, 0], out[:, 1], out[:, 2]), int(failed.sum())


def xmforecast_api():
    """``(calibrate, get_model)`` of xmforecast's calibration contract; raises ImportError or AttributeError while it is missing."""
    import xmforecast.calibration
    import xmforecast.models

    return xmforecast.calibration.calibrate, xmforecast.models.get_model


def xmforecast_method(calibration_panel: pd.DataFrame, windows: Windows, get_api=xmforecast_api):
    """The calibrated ``auto`` model on every window; ``None`` and the reason when the API is missing."""
    try:
        calibrate, get_model = get_api()
    except (ImportError, AttributeError, TypeError) as error:
        return None, f"{type(error).__name__}: {error}"
    calibration = calibrate(calibration_panel)
    spec = get_model("auto", calibration=calibration)
    out = np.empty((len(windows), 3, HORIZON))
    for i in range(len(windows)):
        history = pd.Series(windows.history[i], index=pd.Index(windows.years[i], name="year"), dtype=float)
        frame = spec.fit(history).forecast(HORIZON, level=LEVEL)
        out[i] = frame[["point", "lower", "upper"]].to_numpy(dtype=float).T
    return (out[:, 0], out[:, 1], out[:, 2]), ""


# --- table -----------------------------------------------------------------------------------

def score(actual: np.ndarray, forecast: tuple[np.ndarray, np.ndarray, np.ndarray], scale: np.ndarray) -> dict[str, float]:
    """Every metric of one method, as a table row."""
    point, lower, upper = forecast
    positive = point > 0  # a width relative to a point at or below zero means nothing
    width = relative_width(lower[positive], upper[positive], point[positive])
    row = {"MAPE %": mape(actual, point)}
    row |= {f"MAPE h{h}": v for h, v in zip(_STEPS, mape(actual, point, axis=0))}
    row["MASE"] = mase(actual, point, scale)
    row["cover %"] = 100 * coverage(actual, lower, upper)
    row |= {f"cov h{h}": 100 * v for h, v in zip(_STEPS, coverage(actual, lower, upper, axis=0))}
    row["width mean"] = float(np.mean(width)) if width.size else math.nan
    row["width max"] = float(np.max(width)) if width.size else math.nan
    row["point<=0"] = int((~positive).sum())
    row["MSIS"] = msis(actual, lower, upper, scale)
    return row


def _markdown(table: pd.DataFrame) -> str:
    cells = [[str(table.index.name or "")] + list(table.columns)]
    cells += [[str(i)] + list(r) for i, r in zip(table.index, table.astype(str).to_numpy())]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("---" for _ in cells[0]) + "|")
    return "\n".join(lines)


def _format(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.copy().astype(object)
    for column in table.columns:
        digits = 0 if column in ("failed", "point<=0") else 3 if column in ("MASE", "vs rw_drift", "width mean") else 1
        shown[column] = [f"{v:.{digits}f}" if isinstance(v, float) and math.isfinite(v) else str(v) for v in table[column]]
    return shown


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="parallel processes for statsforecast (default 1)")
    parser.add_argument("--max-windows-per-series", type=int, default=None, metavar="N",
                        help="keep N evenly spaced windows per series (default: all)")
    parser.add_argument("--fold", type=int, default=0, choices=[0, 1],
                        help="which part is evaluated: 0 (default) or 1, the two parts swapped")
    parser.add_argument("--level", type=int, default=LEVEL, choices=[LEVEL], help="interval level [%%] (80 only)")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    panel = load_panel()
    calibration_panel, evaluation_panel = split_panel(panel, args.fold)
    windows = make_windows(evaluation_panel, args.max_windows_per_series)
    calibration_windows = make_windows(calibration_panel)
    scale = mase_scale(windows.history)

    rows, missing = {}, {}
    for name in PEERS + ("xmforecast",):
        tic = time.perf_counter()
        failed = 0
        if name in FAST:
            forecast = FAST[name](windows.history)
        elif name in STATSFORECAST:
            try:
                import statsforecast  # noqa: F401
            except ImportError as error:
                missing[name] = f"{error}; run it in .venv-bench (make bench)"
                continue
            forecast, failed = statsforecast_method(name, windows.history, args.jobs)
        else:
            forecast, reason = xmforecast_method(calibration_panel, windows)
            if forecast is None:
                missing[name] = reason
                continue
        rows[name] = score(windows.actual, forecast, scale) | {"failed": failed, "time s": time.perf_counter() - tic}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.insert(1, "vs rw_drift", table["MAPE %"] / table.loc["rw_drift", "MAPE %"])
    table.index.name = "method"

    def count(part: pd.DataFrame) -> str:
        return f"{part['series_id'].nunique()} series / {entity_groups(part).nunique()} entities"

    cap = "all" if args.max_windows_per_series is None else f"at most {args.max_windows_per_series} per series"
    print(f"Forecast skill, {LEVEL} % intervals, h = 1..{HORIZON} years after {HISTORY} years of history")
    print(f"panel {count(panel)}, split by entity (GroupKFold 2, fold {args.fold}): "
          f"calibration {count(calibration_panel)} ({len(calibration_windows)} windows), "
          f"evaluation {count(evaluation_panel)}")
    print(f"scored: evaluation windows {len(windows)} of {windows.available} ({cap}); "
          f"{int(np.isnan(scale).sum())} with a flat history left out of MASE and MSIS")
    print()
    shown = _format(table)
    print(_markdown(shown) if args.markdown else shown.to_string())
    for name, reason in missing.items():
        print(f"{name}: not available ({reason})")
    print()
    print(f"wall time {time.perf_counter() - start:.1f} s (jobs {args.jobs})")


if __name__ == "__main__":
    main()
