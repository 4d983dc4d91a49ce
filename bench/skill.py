"""Forecast skill of xmforecast's calibrated ``auto`` model against peers, on a reference panel.

Usage (``make bench`` builds ``.venv-bench``, with the ``bench`` extra that AutoETS and AutoTheta need)::

    OPENBLAS_NUM_THREADS=1 .venv-bench/bin/python bench/skill.py [--panel global|china] [--jobs N]
        [--markdown] [--max-windows-per-series N] [--fold 0|1]

Prints the table of every method, on the China panel a second one by family, then the wall time.

Design
------
- **Panels.** ``--panel global`` (default): ``xmforecast/data/reference_panel.csv``, reference
  class ``global``, one family; an entity is ``package/dataset/entity``. ``--panel china``:
  ``xmforecast/data/reference_panel_cn.csv``, reference class ``china_regions``, its
  ``family`` column; an entity is a province.
- **Windows.** In every series of the panel, every run of 11 consecutive years is a window:
  the first 7 values are the history, each method forecasts 1-4 years ahead, and the last 4
  values score it. The last history year is the window's *origin*. ``--max-windows-per-series N``
  keeps N windows per series, evenly spaced over its years (deterministic), for every method alike.
- **Split by entity, not by time.** :func:`split_panel`: scikit-learn ``GroupKFold(n_splits=2)``
  over the panel's rows with groups the entities (a firm's, a state's or a province's series
  all fall on one side); fold 0's train side is the calibration part, its test side the
  evaluation part; ``--fold 1`` swaps the two parts. xmforecast is calibrated on the first; every score is on the second.
- **Vintages.** xmforecast is calibrated once per vintage, the vintages being the evaluation
  windows' origins (``calibrate(calibration_part, vintages=origins, reference_class=...)``;
  the vintage of year V sees the calibration part's values of years <= V only). Each window's
  model picks the latest vintage <= its origin. A window whose origin precedes every vintage
  (too little calibration data then) gets the first, which saw later values: those windows
  are still scored, and counted in the header.
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
  ``log_drift``
      random walk with drift on the logs: ``last * exp(h * m)``, ``m`` the mean log step;
      interval ``point * exp(+-z * s * sqrt(h * (1 + h / (n - 1))))``, ``s`` the sd of the log steps.
  ``AutoETS``, ``AutoTheta``
      statsforecast, ``season_length=1``; a window where one fails (error or non-finite
      output) gets the naive forecast and is counted in the ``failed`` column.
  ``xmforecast``
      ``get_model("auto", calibration=vintages, family=..., reference_class=...).fit(history)``
      ``.forecast(4, level=80)``, with the window's family (``other`` on the global panel, or
      where xmforecast does not know the family); while that API is missing the row says why.

- **Metrics** over all window x horizon pairs: MAPE [%] = mean ``|y - f| / |y|``; MASE =
  mean ``|y - f| / scale`` with scale the mean absolute first difference of the window's
  history (windows with a flat history are left out of MASE and MSIS, and counted);
  MAPE and 80 % coverage at each horizon; relative interval width ``(upper - lower) /
  |point|``, mean and largest over the forecasts whose point is above zero (those at or
  below zero, which only additive methods give, are counted in ``point<=0``); MSIS, the Gneiting-Raftery interval score at alpha = 0.2
  divided by the same scale (as in M4); the ratio of each MAPE to rw_drift's. By family (China
  panel): MAPE, coverage and MSIS of xmforecast, rw_drift, log_drift and AutoETS.
"""
from __future__ import annotations

import argparse
import math
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from statistics import NormalDist

import numpy as np
import pandas as pd

HISTORY = 7
HORIZON = 4
LEVEL = 80
ALPHA = 1 - LEVEL / 100
PEERS = ("naive", "last_growth", "rw_drift", "log_drift", "AutoETS", "AutoTheta")
STATSFORECAST = ("AutoETS", "AutoTheta")
#: ``--panel``: the CSV shipped in ``xmforecast/data`` and the reference class it stands for.
PANELS = {
    "global": ("reference_panel.csv", "global"),
    "china": ("reference_panel_cn.csv", "china_regions"),
}
#: The family of every series of a panel without a ``family`` column (the whole class).
NO_FAMILY = "other"
#: The methods of the table by family.
FAMILY_METHODS = ("xmforecast", "rw_drift", "log_drift", "AutoETS")


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

def load_panel(panel: str = "global") -> pd.DataFrame:
    """A shipped reference panel (long form): ``global`` or ``china``."""
    name = PANELS[panel][0]
    with (files("xmforecast") / "data" / name).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, keep_default_na=False, na_values=[""])


def entity_groups(panel: pd.DataFrame) -> pd.Series:
    """The entity of each row, the unit that must stay on one side of the split.

    ``package/dataset/entity`` on the global panel (a state of one data set is not a state of
    another); the ``entity`` column alone (a province) on a panel without ``package``.
    """
    if {"package", "dataset"} <= set(panel.columns):
        return panel["package"] + "/" + panel["dataset"] + "/" + panel["entity"].astype(str)
    return panel["entity"].astype(str)


def split_panel(panel: pd.DataFrame, fold: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the panel by entity into a calibration part and an evaluation part.

    scikit-learn ``GroupKFold(n_splits=2)`` over the rows, groups :func:`entity_groups`;
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
    family: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))  # per window

    def __len__(self) -> int:
        return len(self.series_id)

    @property
    def origin(self) -> np.ndarray:
        """The last history year of each window."""
        return self.years[:, -1]


def make_windows(panel: pd.DataFrame, max_per_series: int | None = None) -> Windows:
    """Every run of 11 consecutive years of every series, optionally thinned evenly per series.

    Each window carries its series' ``family`` (:data:`NO_FAMILY` where the panel has none).
    """
    span = HISTORY + HORIZON
    ids, years, values, families, available = [], [], [], [], 0
    for series_id, group in panel.groupby("series_id", sort=True):
        group = group.sort_values("year")
        y, v = group["year"].to_numpy(), group["value"].to_numpy(dtype=float)
        family = str(group["family"].iat[0]) if "family" in group.columns else NO_FAMILY
        starts = [i for i in range(len(y) - span + 1) if y[i + span - 1] - y[i] == span - 1]
        available += len(starts)
        if max_per_series is not None and len(starts) > max_per_series:
            picks = np.unique(np.round(np.linspace(0, len(starts) - 1, max_per_series)).astype(int))
            starts = [starts[i] for i in picks]
        for i in starts:
            ids.append(series_id)
            years.append(y[i:i + HISTORY])
            values.append(v[i:i + span])
            families.append(family)
    values_array = np.array(values, dtype=float).reshape(-1, span)
    return Windows(
        series_id=np.array(ids, dtype=object),
        years=np.array(years, dtype=int).reshape(-1, HISTORY),
        history=values_array[:, :HISTORY],
        actual=values_array[:, HISTORY:],
        available=available,
        family=np.array(families, dtype=object),
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


def drift_spread(history: np.ndarray) -> np.ndarray:
    """``sqrt(h * (1 + h / (n - 1)))`` for h = 1..4: a drift's sd per step sd, future steps plus the drift's error."""
    n = history.shape[1]
    return np.sqrt(_STEPS * (1 + _STEPS / (n - 1)))


def rw_drift(history: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random walk with additive drift; interval ``z * sd * sqrt(h * (1 + h / (n - 1)))``."""
    steps = np.diff(history, axis=1)
    point = history[:, -1:] + steps.mean(axis=1, keepdims=True) * _STEPS
    half = _Z * np.std(steps, axis=1, ddof=1)[:, None] * drift_spread(history)
    return point, point - half, point + half


def log_drift(history: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random walk with drift on the logs; interval ``point * exp(+-z * s * sqrt(h * (1 + h / (n - 1))))``."""
    steps = np.diff(np.log(history), axis=1)
    point = history[:, -1:] * np.exp(steps.mean(axis=1, keepdims=True) * _STEPS)
    half = _Z * np.std(steps, axis=1, ddof=1)[:, None] * drift_spread(history)
    return point, point * np.exp(-half), point * np.exp(half)


FAST = {"naive": naive, "last_growth": last_growth, "rw_drift": rw_drift, "log_drift": log_drift}


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
        except Exception:  # noqa: BLE001 - any failure of the peer falls back and is counted
            failed[i] = True
            continue
        failed[i] = not np.isfinite(out[i]).all()
    return out, failed


def statsforecast_method(name: str, history: np.ndarray, jobs: int,
                         fallback=naive) -> tuple[tuple[np.ndarray, ...], int]:
    """AutoETS or AutoTheta on every window (`fallback` where it fails); returns the forecasts and the failures."""
    chunks = np.array_split(np.arange(len(history)), max(1, jobs) * 4)
    chunks = [c for c in chunks if len(c)]
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            parts = list(pool.map(_statsforecast_chunk, [name] * len(chunks), [history[c] for c in chunks]))
    else:
        parts = [_statsforecast_chunk(name, history[c]) for c in chunks]
    out = np.concatenate([p[0] for p in parts])
    failed = np.concatenate([p[1] for p in parts])
    if failed.any():
        out[failed] = np.stack(fallback(history[failed]), axis=1)
    return (out[:, 0], out[:, 1], out[:, 2]), int(failed.sum())


def xmforecast_api():
    """``(calibrate, get_model)`` of xmforecast's calibration contract; raises ImportError or AttributeError while it is missing."""
    import xmforecast.calibration
    import xmforecast.models

    return xmforecast.calibration.calibrate, xmforecast.model_registry.get_model


def _calibrate_chunk(calibrate, panel: pd.DataFrame, vintages: list[int], reference_class: str) -> dict:
    """One worker's vintages; none when all of them come before enough data."""
    from xmforecast.exceptions import DataError

    try:
        return calibrate(panel, vintages=vintages, reference_class=reference_class)
    except DataError:
        return {}


def calibrate_vintages(calibrate, panel: pd.DataFrame, vintages: list[int], reference_class: str,
                       jobs: int = 1) -> dict:
    """``calibrate(panel, vintages=vintages, reference_class=...)``, its vintages shared among `jobs` processes.

    Vintages are dealt round-robin (later ones see more data and cost more). The result is
    the one serial call's: a vintage with too little data before it is left out.
    """
    vintages = sorted(int(v) for v in vintages)
    if jobs <= 1 or len(vintages) < 2:
        return calibrate(panel, vintages=vintages, reference_class=reference_class)
    chunks = [vintages[k::jobs] for k in range(min(jobs, len(vintages)))]
    with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
        parts = list(pool.map(_calibrate_chunk, [calibrate] * len(chunks), [panel] * len(chunks), chunks,
                              [reference_class] * len(chunks)))
    merged = {v: table for part in parts for v, table in part.items()}
    if not merged:  # no vintage has enough data: the serial call says why
        return calibrate(panel, vintages=vintages, reference_class=reference_class)
    return dict(sorted(merged.items()))


def _known_family(family: str) -> str:
    """`family` if xmforecast knows it, else :data:`NO_FAMILY` (the whole class)."""
    try:
        from xmforecast.reference import FAMILIES
    except ImportError:
        return family
    return family if family in FAMILIES else NO_FAMILY


@dataclass(frozen=True)
class XmforecastRun:
    """The calibrated ``auto`` model on every window.

    Attributes
    ----------
    forecast : tuple of ndarray or None
        ``(point, lower, upper)``, windows x horizons; None when the API is missing.
    reason : str
        Why `forecast` is None.
    fits : tuple
        The fitted model of each window (``exceedance`` for bench/probability.py).
    calibration : dict
        ``{vintage: table}`` learned on the calibration part.
    vintage : ndarray of int
        The vintage each window's fit used (``params["vintage"]``).
    look_ahead : ndarray of bool
        Windows whose origin precedes every vintage (they used the first).
    """

    forecast: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    reason: str = ""
    fits: tuple = ()
    calibration: dict = field(default_factory=dict)
    vintage: np.ndarray = field(default_factory=lambda: np.array([], dtype=int))
    look_ahead: np.ndarray = field(default_factory=lambda: np.array([], dtype=bool))


def xmforecast_method(calibration_panel: pd.DataFrame, windows: Windows, reference_class: str = "global", *,
                      jobs: int = 1, get_api=xmforecast_api) -> XmforecastRun:
    """The calibrated ``auto`` model on every window; the reason, and no forecast, when the API is missing.

    Calibrated on `calibration_panel` once per vintage, the vintages being the windows'
    origins; each window is fitted with its family, and its model picks the latest vintage
    <= its origin.
    """
    try:
        calibrate, get_model = get_api()
    except (ImportError, AttributeError, TypeError) as error:
        return XmforecastRun(reason=f"{type(error).__name__}: {error}")
    origins = sorted({int(t) for t in windows.origin})
    calibration = calibrate_vintages(calibrate, calibration_panel, origins, reference_class, jobs)
    families = windows.family if len(windows.family) == len(windows) else np.full(len(windows), NO_FAMILY, object)
    specs = {fam: get_model("auto", calibration=calibration, family=_known_family(fam), reference_class=reference_class)
             for fam in sorted(set(families))}
    out = np.empty((len(windows), 3, HORIZON))
    fits, vintage, look_ahead = [], np.empty(len(windows), dtype=int), np.empty(len(windows), dtype=bool)
    for i in range(len(windows)):
        history = pd.Series(windows.history[i], index=pd.Index(windows.years[i], name="year"), dtype=float)
        fit = specs[families[i]].fit(history)
        out[i] = fit.forecast(HORIZON, level=LEVEL)[["point", "lower", "upper"]].to_numpy(dtype=float).T
        fits.append(fit)
        vintage[i] = int(fit.params["vintage"])
        look_ahead[i] = vintage[i] > windows.origin[i]
    return XmforecastRun(forecast=(out[:, 0], out[:, 1], out[:, 2]), fits=tuple(fits), calibration=calibration,
                         vintage=vintage, look_ahead=look_ahead)


def vintage_note(run: XmforecastRun) -> str:
    """One header line: the vintages and the windows scored with one that saw later values."""
    if not run.calibration:
        return ""
    years = sorted(run.calibration)
    return (f"xmforecast vintages: {len(years)} ({years[0]}-{years[-1]}), each learned from the calibration "
            f"part's values <= its year; each window uses the latest <= its origin; "
            f"LOOK-AHEAD: {int(run.look_ahead.sum())} of {len(run.look_ahead)} windows have an origin before "
            f"{years[0]} and use that first vintage (scored all the same)")


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


def window_entities(windows: Windows, panel: pd.DataFrame) -> np.ndarray:
    """The entity of each window (:func:`entity_groups` of its series)."""
    entity = dict(zip(panel["series_id"], entity_groups(panel)))
    return np.array([entity[s] for s in windows.series_id], dtype=object)


def entity_weights(entities: np.ndarray) -> np.ndarray:
    """Window weights under which every entity weighs the same (they sum to 1).

    >>> entity_weights(np.array(["a", "a", "a", "b"]))
    array([0.16666667, 0.16666667, 0.16666667, 0.5       ])
    """
    counts = pd.Series(entities).map(pd.Series(entities).value_counts()).to_numpy(dtype=float)
    return 1.0 / counts / len(set(entities))


def weighted_table(actual: np.ndarray, forecasts: dict[str, tuple[np.ndarray, ...]], scale: np.ndarray,
                   weights: np.ndarray) -> pd.DataFrame:
    """MAPE [%], 80 % coverage [%] overall and by horizon, and MSIS of each method, windows weighted.

    The same metrics as :func:`score`, each window's mean over horizons weighted by `weights`
    (windows with a flat history are left out of MSIS, as there).
    """
    rows = {}
    flat = np.isnan(scale)
    for name, (point, lower, upper) in forecasts.items():
        inside = (lower <= actual) & (actual <= upper)
        rows[name] = {"MAPE %": 100 * float(weights @ (np.abs(actual - point) / np.abs(actual)).mean(axis=1)),
                      "cover %": 100 * float(weights @ inside.mean(axis=1))}
        rows[name] |= {f"cov h{h}": 100 * float(weights @ inside[:, h - 1]) for h in _STEPS}
        scored = interval_score(actual, lower, upper)[~flat] / scale[~flat, None]
        rows[name]["MSIS"] = float(weights[~flat] @ scored.mean(axis=1) / weights[~flat].sum())
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.insert(1, "vs rw_drift", table["MAPE %"] / table.loc["rw_drift", "MAPE %"])
    table.index.name = "method"
    return table


def family_table(actual: np.ndarray, forecasts: dict[str, tuple[np.ndarray, ...]], scale: np.ndarray,
                 family: np.ndarray) -> pd.DataFrame:
    """MAPE [%], 80 % coverage [%] and MSIS of each method within each family (rows family x method)."""
    rows = {}
    for fam in sorted(set(family)):
        own = family == fam
        for name, (point, lower, upper) in forecasts.items():
            rows[fam, name] = {"windows": int(own.sum()),
                               "MAPE %": mape(actual[own], point[own]),
                               "cover %": 100 * coverage(actual[own], lower[own], upper[own]),
                               "MSIS": msis(actual[own], lower[own], upper[own], scale[own])}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["family", "method"])
    return table


def _markdown(table: pd.DataFrame) -> str:
    names = [str(n or "") for n in table.index.names]
    cells = [names + list(table.columns)]
    labels = [i if isinstance(i, tuple) else (i,) for i in table.index]
    cells += [[str(x) for x in label] + list(r) for label, r in zip(labels, table.astype(str).to_numpy())]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + "|".join("---" for _ in cells[0]) + "|")
    return "\n".join(lines)


def _format(table: pd.DataFrame) -> pd.DataFrame:
    shown = table.copy().astype(object)
    for column in table.columns:
        digits = (0 if column in ("failed", "point<=0", "windows")
                  else 3 if column in ("MASE", "vs rw_drift", "width mean") else 1)
        shown[column] = [f"{v:.{digits}f}" if isinstance(v, float) and math.isfinite(v) else str(v) for v in table[column]]
    return shown


def show(table: pd.DataFrame, markdown: bool) -> str:
    """A table as text or markdown."""
    return _markdown(table) if markdown else table.to_string()


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """The options shared with bench/probability.py.

    ``--panel``, ``--jobs``, ``--max-windows-per-series``, ``--fold``, ``--markdown`` and
    ``--evaluate-without``.
    """
    parser.add_argument("--panel", default="global", choices=sorted(PANELS),
                        help="reference panel: global (default) or china")
    parser.add_argument("--jobs", type=int, default=1,
                        help="parallel processes for calibration and statsforecast (default 1)")
    parser.add_argument("--max-windows-per-series", type=int, default=None, metavar="N",
                        help="keep N evenly spaced windows per series (default: all)")
    parser.add_argument("--fold", type=int, default=0, choices=[0, 1],
                        help="which part is evaluated: 0 (default) or 1, the two parts swapped")
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    parser.add_argument("--evaluate-without", action="append", default=[], metavar="PACKAGE",
                        help="leave an R package's series out of the scored part (the calibration part keeps "
                             "them); e.g. dslabs: the global panel's series other than countries'")


def without_packages(part: pd.DataFrame, packages: list[str]) -> pd.DataFrame:
    """`part` without the rows of the named packages (a panel without a ``package`` column is kept whole)."""
    if not packages or "package" not in part.columns:
        return part
    return part[~part["package"].isin(packages)].reset_index(drop=True)


def describe_split(panel_name: str, panel: pd.DataFrame, calibration_panel: pd.DataFrame,
                   evaluation_panel: pd.DataFrame, fold: int, calibration_windows: int) -> str:
    """The header line on the panel and its split."""
    def count(part: pd.DataFrame) -> str:
        return f"{part['series_id'].nunique()} series / {entity_groups(part).nunique()} entities"

    return (f"panel {panel_name} (class {PANELS[panel_name][1]}): {count(panel)}, split by entity "
            f"(GroupKFold 2, fold {fold}): calibration {count(calibration_panel)} ({calibration_windows} windows), "
            f"evaluation {count(evaluation_panel)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_options(parser)
    parser.add_argument("--level", type=int, default=LEVEL, choices=[LEVEL], help="interval level [%%] (80 only)")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    panel = load_panel(args.panel)
    reference_class = PANELS[args.panel][1]
    calibration_panel, evaluation_panel = split_panel(panel, args.fold)
    evaluation_panel = without_packages(evaluation_panel, args.evaluate_without)
    windows = make_windows(evaluation_panel, args.max_windows_per_series)
    calibration_windows = make_windows(calibration_panel)
    scale = mase_scale(windows.history)

    rows, missing, forecasts, run = {}, {}, {}, XmforecastRun()
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
            run = xmforecast_method(calibration_panel, windows, reference_class, jobs=args.jobs)
            if run.forecast is None:
                missing[name] = run.reason
                continue
            forecast = run.forecast
        forecasts[name] = forecast
        rows[name] = score(windows.actual, forecast, scale) | {"failed": failed, "time s": time.perf_counter() - tic}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.insert(1, "vs rw_drift", table["MAPE %"] / table.loc["rw_drift", "MAPE %"])
    table.index.name = "method"

    cap = "all" if args.max_windows_per_series is None else f"at most {args.max_windows_per_series} per series"
    print(f"Forecast skill, {LEVEL} % intervals, h = 1..{HORIZON} years after {HISTORY} years of history")
    print(describe_split(args.panel, panel, calibration_panel, evaluation_panel, args.fold, len(calibration_windows)))
    print(f"scored: evaluation windows {len(windows)} of {windows.available} ({cap}); "
          f"{int(np.isnan(scale).sum())} with a flat history left out of MASE and MSIS")
    if run.calibration:
        print(vintage_note(run))
    print()
    print(show(_format(table), args.markdown))
    for name, reason in missing.items():
        print(f"{name}: not available ({reason})")
    entities = window_entities(windows, evaluation_panel)
    print()
    print(f"Each entity weighing the same ({len(set(entities))} entities; the calibration weighs them so too):")
    print(show(_format(weighted_table(windows.actual, forecasts, scale, entity_weights(entities))), args.markdown))
    if run.look_ahead.any():
        honest = ~run.look_ahead
        print()
        print(f"Only the {int(honest.sum())} windows whose origin has a vintage (no look-ahead), each window "
              "weighing the same:")
        kept = {name: tuple(part[honest] for part in forecast) for name, forecast in forecasts.items()}
        weights = np.full(int(honest.sum()), 1.0 / honest.sum())
        print(show(_format(weighted_table(windows.actual[honest], kept, scale[honest], weights)), args.markdown))
    if "family" in evaluation_panel.columns:
        chosen = {name: forecasts[name] for name in FAMILY_METHODS if name in forecasts}
        print()
        print("By family: MAPE [%], 80 % coverage [%], MSIS")
        by_family = family_table(windows.actual, chosen, scale, windows.family)
        print(show(_format(by_family), args.markdown))
    print()
    print(f"wall time {time.perf_counter() - start:.1f} s (jobs {args.jobs})")


if __name__ == "__main__":
    main()
