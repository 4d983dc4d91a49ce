"""Learn ``auto``'s growth rule and error quantiles once, on the reference panel (``make calibrate``).

The reference panel (``data/reference_panel.csv``, long form: ``series_id, package, dataset,
column, entity, year, value, licence``) holds real annual series from public R data sets. Every
run of ``max_history + horizon`` consecutive years gives a window: the first ``max_history``
points are the history, the rest the truth. For each history length ``n`` (the last ``n`` points
of the window) and horizon ``h`` this module fits

- the yearly growth rule by least absolute deviations (scikit-learn ``QuantileRegressor`` at
  the median: it minimises the absolute log error, the log-scale analogue of MAPE);
- the quantiles of the standardised errors on a grid of standard-normal scores (empirical,
  conformal-style intervals);
- the shrinkage of each series' own volatility towards the panel's, chosen by cross-validation
  over entities (``GroupKFold``: a firm's or a state's series stay on one side).

The result is a small JSON file read by :mod:`xmforecast.auto` with numpy only. Run time needs
none of this module; it imports scikit-learn inside :func:`calibrate`.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from importlib import resources
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .auto import history_features, rule_features, shrunk_volatility
from .exceptions import DataError

__all__ = ["panel_windows", "calibrate", "write_calibration", "load_panel", "PANEL_COLUMNS"]

PANEL_COLUMNS = ["series_id", "package", "dataset", "column", "entity", "year", "value", "licence"]

#: Standard-normal scores at which error quantiles are stored (3.29 = a 99.9 % interval).
Z_GRID = tuple(round(z, 2) for z in np.linspace(-3.3, 3.3, 23))
#: Candidate pseudo-observations of the panel's volatility, chosen by cross-validation.
SHRINKAGE_GRID = (1.0, 2.0, 4.0, 8.0, 16.0)
#: Candidate L1 penalties on the corrections to additive drift (0: none), chosen by cross-validation.
PENALTY_GRID = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
#: Largest yearly log growth any forecast may assume (x2.7 a year) [log units / year].
MAX_LOG_GROWTH = 1.0
_SIGNIFICANT = 6


def load_panel(path: str | Path | None = None) -> pd.DataFrame:
    """The reference panel shipped in the package (or the CSV at `path`)."""
    source = resources.files("xmforecast").joinpath("data/reference_panel.csv") if path is None else Path(path)
    with source.open("rb") as handle:
        panel = pd.read_csv(handle)
    missing = [c for c in ("series_id", "year", "value") if c not in panel.columns]
    if missing:
        raise DataError(f"{path or 'reference_panel.csv'}: missing columns {', '.join(missing)}.")
    return panel


def _group(series_id: str) -> str:
    package, dataset, _column, entity = series_id.split("/", 3)
    return f"{package}/{dataset}/{entity}"


def panel_windows(panel: pd.DataFrame, *, max_history: int = 7, horizon: int = 4) -> dict[str, np.ndarray]:
    """Every window of ``max_history + horizon`` consecutive years in the panel.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long form with ``series_id, year, value`` (values > 0).
    max_history, horizon : int
        Points of history and of truth per window.

    Returns
    -------
    dict of ndarray
        ``years`` and ``logs`` (windows x (max_history + horizon)), ``series`` and ``group``
        (the entity, for splits) per window.
    """
    width = max_history + horizon
    years_out, logs_out, series_out, group_out = [], [], [], []
    for sid, frame in panel.sort_values(["series_id", "year"]).groupby("series_id", sort=True):
        years = frame["year"].to_numpy(dtype=np.int64)
        values = frame["value"].to_numpy(dtype=float)
        ok = np.isfinite(values) & (values > 0)
        for start in range(len(years) - width + 1):
            span = slice(start, start + width)
            if years[span][-1] - years[span][0] == width - 1 and ok[span].all():
                years_out.append(years[span])
                logs_out.append(np.log(values[span]))
                series_out.append(sid)
                group_out.append(_group(sid))
    if not years_out:
        raise DataError(f"the panel has no run of {width} consecutive years with values > 0.")
    return {"years": np.array(years_out), "logs": np.array(logs_out),
            "series": np.array(series_out), "group": np.array(group_out)}


def _features(windows: dict, n: int, max_history: int) -> np.ndarray:
    """:func:`~xmforecast.auto.history_features` of the last `n` history points, per window."""
    years = windows["years"][:, max_history - n:max_history]
    values = np.exp(windows["logs"][:, max_history - n:max_history])
    return np.array([history_features(y, v) for y, v in zip(years, values)])


def _weighted_lad(x: np.ndarray, ratio: np.ndarray, penalty: float) -> np.ndarray:
    """Coefficients w minimising the mean absolute percentage error of ``1 + h g + x @ w``.

    The rule is additive drift (``1 + h g``, with ``g`` the mean yearly change relative to the
    last value, the first column of `x`) plus learned corrections ``x @ w``:
    ``sum |1 + x[:, 0] + x w - r| / r`` is a least-absolute-deviations fit of
    ``r - 1 - x[:, 0]`` on `x` with weights ``1 / r``, and the L1 `penalty` pulls every
    correction to exactly zero unless the panel supports it (scikit-learn
    ``QuantileRegressor``). No intercept: no change is forecast where the history shows none.
    """
    from sklearn.linear_model import QuantileRegressor

    model = QuantileRegressor(quantile=0.5, alpha=penalty, solver="highs", fit_intercept=False)
    correction = model.fit(x, ratio - 1.0 - x[:, 0], sample_weight=1.0 / ratio).coef_
    return correction + np.eye(x.shape[1])[0]


def _growth_rule(feats: dict, changes: np.ndarray, idx: np.ndarray, horizon: int, bound: float,
                 penalty: float) -> tuple[dict, dict]:
    """Growth-rule coefficients fitted on windows `idx`, and the centre they give every window.

    Returns ``coef[n]`` (one list per horizon) and ``centre[n]`` (windows x horizons, the
    forecast h-year log change).
    """
    coef, centre = {}, {}
    for n, f in feats.items():
        x = f[:, rule_features(n)]
        coef[n], centre[n] = [], np.empty(changes.shape)
        for h in range(1, horizon + 1):
            change = changes[:, h - 1]
            if n >= 2:  # a calibrated additive change, relative to the last value
                beta = _weighted_lad(h * x[idx], np.exp(change[idx]), penalty)
                centre[n][:, h - 1] = np.log(np.clip(1.0 + h * x @ beta, math.exp(-h * bound), math.exp(h * bound)))
            else:  # one point: the panel's median yearly log growth
                beta = np.array([float(np.median(change[idx] / h))])
                centre[n][:, h - 1] = h * beta[0]
            coef[n].append([float(b) for b in beta])
    return coef, centre


def _error_scale(feats: dict, cal: dict, horizon: int) -> dict:
    """Each window's error scale per history length: shrunk volatility x sqrt(h)."""
    root = np.sqrt(np.arange(1, horizon + 1))
    return {n: (shrunk_volatility(f[:, 3], n, cal) if n >= 2 else np.ones(len(f)))[:, None] * root
            for n, f in feats.items()}


def _interval_score(residual: np.ndarray, spread: np.ndarray, z_grid: np.ndarray, quantiles: np.ndarray,
                    level: float = 80) -> float:
    """Mean interval score (alpha = 1 - level) on the log scale of windows x horizons."""
    alpha = 1 - level / 100
    z = NormalDist().inv_cdf(0.5 + level / 200)
    lo = np.array([np.interp(-z, z_grid, q) for q in quantiles]) * spread
    hi = np.array([np.interp(z, z_grid, q) for q in quantiles]) * spread
    score = (hi - lo) + 2 / alpha * ((lo - residual) * (residual < lo) + (residual - hi) * (residual > hi))
    return float(np.mean(score))


def _clustered_se(values: np.ndarray, groups: np.ndarray) -> float:
    """Standard error of ``values.mean()`` when observations of one group are correlated.

    The cluster-robust (sandwich) estimate ``sqrt(sum_g (sum_{i in g} (x_i - mean))^2) / N``,
    with the usual small-sample factor ``G / (G - 1)``; written out because it is three lines
    of numpy (statsmodels has it only inside regression results).
    """
    deviation = pd.Series(values - values.mean()).groupby(groups).sum().to_numpy()
    n_groups = len(deviation)
    return float(math.sqrt(n_groups / (n_groups - 1) * np.sum(deviation**2)) / len(values))


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return 0.0 if value == 0 or not math.isfinite(value) else float(f"{value:.{_SIGNIFICANT}g}")
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def calibrate(panel: pd.DataFrame, *, max_history: int = 7, horizon: int = 4,
              shrinkage: float | None = None, penalty: float | None = None) -> dict:
    """Fit ``auto``'s rule on a panel of annual series.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long form with ``series_id`` (``package/dataset/column/entity``), ``year``, ``value``.
    max_history : int, default 7
        Longest history the rule looks at [points].
    horizon : int, default 4
        Calibrated horizons [years]; beyond them the last horizon's rule continues.
    shrinkage : float, optional
        Pseudo-observations of the panel's volatility; default chosen among
        :data:`SHRINKAGE_GRID` by 3-fold cross-validation over entities on the interval score.
    penalty : float, optional
        L1 penalty on the rule's corrections to additive drift; default chosen among
        :data:`PENALTY_GRID` by the same cross-validation, on the absolute percentage error,
        with the one-standard-error rule (the strongest penalty within one standard error of
        the best: corrections must earn their place).

    Returns
    -------
    dict
        The calibration (JSON-ready, numbers rounded to 6 significant digits).
    """
    from sklearn.model_selection import GroupKFold

    windows = panel_windows(panel, max_history=max_history, horizon=horizon)
    probabilities = np.array([NormalDist().cdf(z) for z in Z_GRID])
    feats = {n: _features(windows, n, max_history) for n in range(1, max_history + 1)}
    changes = windows["logs"][:, max_history:] - windows["logs"][:, max_history - 1:max_history]
    vols = feats[max_history][:, 3]
    base = {
        "max_history": max_history,
        "horizon": horizon,
        "z_grid": list(Z_GRID),
        "panel_volatility": float(np.median(vols)),
        "min_volatility": 0.005,
        "max_volatility": float(np.quantile(vols, 0.99)),
        "max_log_growth": MAX_LOG_GROWTH,
    }

    def quantiles(centre: dict, scale: dict, idx: np.ndarray) -> dict:
        return {n: np.quantile((changes[idx] - centre[n][idx]) / scale[n][idx], probabilities, axis=0).T
                for n in feats}

    folds = list(GroupKFold(n_splits=3).split(changes, groups=windows["group"]))
    full = {max_history: feats[max_history]}  # folds are scored on full histories only

    def fold_centres(p: float) -> list[np.ndarray]:
        return [_growth_rule(full, changes, train, horizon, MAX_LOG_GROWTH, p)[1][max_history] for train, _ in folds]

    if penalty is None:
        # Out-of-fold absolute percentage error per window, for each penalty.
        ape = {}
        for p in PENALTY_GRID:
            ape[p] = np.concatenate([np.abs(np.expm1(centre[test] - changes[test])).mean(axis=1)
                                     for centre, (_, test) in zip(fold_centres(p), folds)])
        groups = np.concatenate([windows["group"][test] for _, test in folds])
        best = min(PENALTY_GRID, key=lambda p: ape[p].mean())
        # One-standard-error rule: the strongest penalty (the rule closest to plain additive
        # drift) whose error is within one standard error of the best, paired by window.
        # Windows of one entity overlap and share its shocks, so the standard error is
        # clustered by entity: counting them as independent makes any correction look proven.
        def close(p: float) -> bool:
            return p == best or (ape[p] - ape[best]).mean() <= _clustered_se(ape[p] - ape[best], groups)
        penalty = max(p for p in PENALTY_GRID if close(p))
    if shrinkage is None:
        # The shrinkage only moves the error scale: each fold's growth rule is fitted once.
        scores = {k: [] for k in SHRINKAGE_GRID}
        for centre, (train, test) in zip(fold_centres(penalty), folds):
            for k in SHRINKAGE_GRID:
                scale = _error_scale(full, {**base, "shrinkage": k}, horizon)[max_history]
                q = np.quantile((changes[train] - centre[train]) / scale[train], probabilities, axis=0).T
                scores[k].append(_interval_score(changes[test] - centre[test], scale[test], np.asarray(Z_GRID), q))
        shrinkage = min(SHRINKAGE_GRID, key=lambda k: np.mean(scores[k]))
    cal = {**base, "shrinkage": float(shrinkage), "penalty": float(penalty)}
    everything = np.arange(len(changes))
    coef, centre = _growth_rule(feats, changes, everything, horizon, MAX_LOG_GROWTH, penalty)
    q = quantiles(centre, _error_scale(feats, cal, horizon), everything)
    cal["by_length"] = {str(n): {"coef": coef[n], "quantiles": q[n].tolist()} for n in feats}
    cal["panel"] = {
        "windows": int(len(windows["logs"])),
        "series": int(len(set(windows["series"]))),
        "entities": int(len(set(windows["group"]))),
        "sha256": hashlib.sha256(
            panel.sort_values(["series_id", "year"])[["series_id", "year", "value"]]
            .to_csv(index=False).encode()).hexdigest(),
    }
    return _round(cal)


def write_calibration(calibration: dict, path: str | Path) -> Path:
    """Write `calibration` as stable, diff-friendly JSON."""
    path = Path(path)
    text = json.dumps(calibration, indent=1, sort_keys=True, ensure_ascii=False)
    # One line per list of numbers: a re-calibration shows as a readable diff.
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def main() -> None:  # ``make calibrate``
    target = Path(__file__).with_name("data") / "calibration.json"
    cal = calibrate(load_panel())
    write_calibration(cal, target)
    print(f"{target}: shrinkage {cal['shrinkage']:g}, {cal['panel']['windows']} windows "
          f"from {cal['panel']['series']} series of {cal['panel']['entities']} entities")


if __name__ == "__main__":
    main()
