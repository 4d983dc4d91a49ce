"""Learn ``auto``'s growth rule, error quantiles and base rates on a reference panel (``make calibrate``).

A reference panel (long form: ``series_id, year, value``, optional ``family`` and ``entity``)
holds real annual series of one reference class (:mod:`xmforecast.reference`). For every
*vintage* year ``V`` this module learns, from the panel's values of years <= V only:

- **the growth rule**, per family and history length ``n``, one for every horizon ``h``
  (fitted on all horizons' windows at once): the yearly log growth to ``h`` years ahead is
  ``b0 + b . x``, with ``x`` the history's mean log growth
  (log drift) or additive drift (as a yearly log growth to ``h``), and the last step's log
  growth (:func:`~xmforecast.auto.growth_features`). The intercept ``b0`` is
  the family's typical growth (the outside view), the slopes how much of a series' own trend
  persists. Fitted by weighted least absolute deviations on the log scale (statsmodels
  ``QuantReg`` at the median), so the data choose between compounding and additive steps;
- **the error quantiles**, per family, ``n`` and ``h``: weighted empirical quantiles of the
  standardised log errors on a grid of standard-normal scores (conformal-style intervals);
- **base rates**, per family and ``h``: the distribution of yearly log growth over ``h``
  years, as quantiles.

Weights: every entity (province, state, firm) weighs the same in coefficients and quantiles
however many series and windows it has, and in the pooled class every family weighs the
same. A family is learned with partial pooling: its own entities count once each, the rest
of the class as :data:`POOLING` entities more, so a thin family leans on the class and a
family without data is the class.

Every window of ``n + h`` consecutive years whose last year is <= V is used. Run time needs
none of this module: it writes small JSON files read with numpy only.

References
----------
.. [1] Koenker, R. & Bassett, G. (1978) Regression quantiles. *Econometrica* 46(1), 33-50.
.. [2] Vovk, V., Gammerman, A. & Shafer, G. (2005) *Algorithmic learning in a random world*.
   Springer (conformal prediction).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import warnings
from importlib import resources
from pathlib import Path
from statistics import NormalDist
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .auto import RULE_FEATURES, VOLATILITY, growth_features, shrunk_volatility
from .exceptions import DataError
from .reference import CLASSES, POOLED

__all__ = ["calibrate", "write_calibration", "load_panel", "panel_frame", "VINTAGES"]

#: Standard-normal scores at which error quantiles are stored (3.29 = a 99.9 % interval).
Z_GRID = tuple(round(z, 2) for z in np.linspace(-3.3, 3.3, 23))
#: Longest history the rule looks at [points] and longest calibrated horizon [years].
MAX_HISTORY, HORIZON = 7, 4
#: Horizons of the stored base rates [years] (a five-year plan's is the longest).
BASE_RATE_HORIZONS = 5
#: Probabilities at which base-rate quantiles are stored.
BASE_RATE_GRID = np.linspace(0.0, 1.0, 51)
#: The rest of the class counts as this many entities in a family's fit (partial pooling).
POOLING = 4.0
#: Pseudo-observations of the family's volatility in a series' own (see ``shrunk_volatility``),
#: by class. Chosen on entity splits of each calibration part of the panels (never on their
#: evaluation parts): for the Chinese provinces, 8 did better than 2 and than the family's
#: volatility alone (1000) in Brier, log score and interval score on both splits. On the global
#: panel (countries' population and GDP with US states, firms and long US series) 0.5 did better
#: than 2 and 8 in every one of those scores and in coverage on both calibration parts' splits
#: (bench/inner.py): its series differ far more from one another and lean on their own.
SHRINKAGE = {"china_regions": 8.0, "global": 0.5}
#: Weight of the family's base rates in a forecast's distribution, by class: the forecast is
#: the linear pool ``(1 - w)`` x the series' own calibrated view + ``w`` x the outside view
#: (how the family's series grew over as many years). Equal weights, set before looking (the
#: robust default for combining forecasts); on entity splits of each calibration part of the
#: Chinese panel the pool's Brier and log scores were lower than either part's on average in
#: both folds. The global panel's series differ too much for one distribution of growth to
#: inform any of them (a population, a profit): there the pool did not help, and w = 0.
OUTSIDE_WEIGHT = {"china_regions": 0.5, "global": 0.0}
#: A (history, horizon) cell is learned only from at least this many entities.
MIN_ENTITIES = 5
#: Largest yearly log growth any forecast may assume (x2.7 a year) [log units / year].
MAX_LOG_GROWTH = 1.0
MIN_VOLATILITY = 0.005
#: The vintages shipped for each class: every year for the Chinese panel (2000-2024), every
#: decade and the last year for the global one (1790-2018). A forecast uses the latest <= its
#: origin, so a sparse list is honest, only less fresh.
VINTAGES = {
    "china_regions": tuple(range(2012, 2025)),
    "global": (1900, 1950, 1960, 1970, 1980, 1990, 2000, 2010, 2018),
}
_SIGNIFICANT = 6


def load_panel(reference_class: str = "global", path: str | Path | None = None) -> pd.DataFrame:
    """The reference panel of a class shipped in the package (or the CSV at `path`)."""
    if path is None:
        source = resources.files("xmforecast").joinpath("data", CLASSES[reference_class]["panel"])
    else:
        source = Path(path)
    with source.open("rb") as handle:
        panel = pd.read_csv(handle, keep_default_na=False, na_values=[""])
    missing = [c for c in ("series_id", "year", "value") if c not in panel.columns]
    if missing:
        raise DataError(f"{path or source.name}: missing columns {', '.join(missing)}.")
    return panel


def panel_frame(panel: pd.DataFrame) -> pd.DataFrame:
    """``series_id, family, group, year, value``: the panel with its entity (``group``) and family.

    The entity is the ``entity`` column, prefixed by ``package/dataset`` where the panel has
    them (a state of one data set is not the same entity as a state of another); else the last
    part of ``series_id``. Panels without a ``family`` column are one family, :data:`POOLED`.
    """
    frame = panel.copy()
    if "entity" not in frame.columns:
        frame["entity"] = frame["series_id"].astype(str).str.rsplit("/", n=1).str[-1]
    group = frame["entity"].astype(str)
    if {"package", "dataset"} <= set(frame.columns):
        group = frame["package"].astype(str) + "/" + frame["dataset"].astype(str) + "/" + group
    frame["group"] = group
    if "family" not in frame.columns:
        frame["family"] = POOLED
    frame = frame[["series_id", "family", "group", "year", "value"]]
    frame = frame[np.isfinite(frame["value"].to_numpy(dtype=float)) & (frame["value"] > 0)]
    return frame.sort_values(["series_id", "year"]).reset_index(drop=True)


def _runs(frame: pd.DataFrame) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """Every run of consecutive years of every series: (family, group, years, log values)."""
    out = []
    for _, part in frame.groupby("series_id", sort=True):
        years = part["year"].to_numpy(dtype=np.int64)
        logs = np.log(part["value"].to_numpy(dtype=float))
        breaks = np.flatnonzero(np.diff(years) != 1) + 1
        family, group = part["family"].iat[0], part["group"].iat[0]
        out += [(family, group, y, v) for y, v in zip(np.split(years, breaks), np.split(logs, breaks))]
    return out


def _windows(runs: list, width: int, vintage: int) -> dict[str, np.ndarray]:
    """All windows of `width` consecutive years ending <= `vintage`."""
    years, logs, family, group = [], [], [], []
    for fam, grp, y, v in runs:
        keep = y <= vintage
        y, v = y[keep], v[keep]
        if len(y) < width:
            continue
        years.append(np.lib.stride_tricks.sliding_window_view(y, width))
        logs.append(np.lib.stride_tricks.sliding_window_view(v, width))
        family += [fam] * (len(y) - width + 1)
        group += [grp] * (len(y) - width + 1)
    if not years:
        return {"years": np.empty((0, width), dtype=np.int64), "logs": np.empty((0, width)),
                "family": np.array([], dtype=object), "group": np.array([], dtype=object)}
    return {"years": np.concatenate(years), "logs": np.concatenate(logs),
            "family": np.array(family, dtype=object), "group": np.array(group, dtype=object)}


def _entity_weights(family: np.ndarray, group: np.ndarray, focus: str | None) -> np.ndarray:
    """Window weights: each entity of a family the same, each family the same; `focus` pooled.

    With ``focus=None`` every family present totals ``1 / F``. With a focus family of ``E``
    entities, it totals ``E / (E + POOLING)`` and the other families share the rest equally.
    """
    pair = pd.Series(family.astype(str)) + "\x1f" + pd.Series(group.astype(str))
    per_pair = pair.map(pair.value_counts()).to_numpy(dtype=float)
    fam = pd.Series(family.astype(str))
    entities = fam.map(pd.Series(group.astype(str)).groupby(fam.to_numpy()).nunique()).to_numpy(dtype=float)
    w = 1.0 / (per_pair * entities)  # each family totals 1
    families = sorted(set(fam))
    if focus is None or focus not in families:
        return w / len(families)
    own = fam.to_numpy() == focus
    e = float(entities[own][0])
    others = len(families) - 1
    share = np.where(own, e / (e + POOLING), (POOLING / (e + POOLING)) / max(others, 1))
    return w * share


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Quantiles of a weighted sample, interpolated between the weights' midpoints.

    Written out (numpy's ``quantile(weights=)`` offers only the inverted-CDF method, a step
    function that would make intervals jump between calibrations).
    """
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    position = (cum - 0.5 * w) / cum[-1]
    return np.interp(probabilities, position, v)


def _lad(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least absolute deviations with an intercept: argmin sum w |y - b0 - x b|.

    Scaling each row by its weight turns the weighted problem into statsmodels' unweighted
    ``QuantReg`` (``|w r| = w |r|`` for ``w > 0``).
    """
    from statsmodels.regression.quantile_regression import QuantReg

    design = np.column_stack([np.ones(len(y)), x])
    scale = w / w.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        beta = QuantReg(y * scale, design * scale[:, None]).fit(q=0.5, max_iter=2000).params
    if not np.isfinite(beta).all():  # a degenerate design: the weighted median growth alone
        beta = np.zeros(design.shape[1])
        beta[0] = _weighted_quantiles(y, w, np.array([0.5]))[0]
    return np.asarray(beta, dtype=float)


def _growth_rule(x: np.ndarray, change: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Coefficients ``[b0, b_log, b_additive, ...]`` of the better of two rules on these windows.

    Compounding (log drift and the recent log growth rates) or additive steps (additive drift
    and the same recent rates): log drift and additive drift move together, so fitting both
    at once trades one against the other with large opposite coefficients. Each form has as
    many coefficients as the other, so the lower weighted absolute log error chooses fairly;
    the unused drift gets a zero.
    """
    best, best_error = None, math.inf
    for drop in (1, 0):  # additive drift out (compounding), then log drift out (additive)
        keep = [j for j in range(x.shape[1]) if j != drop]
        beta = _lad(x[:, keep], change, w)
        error = float(np.sum(w * np.abs(change - beta[0] - x[:, keep] @ beta[1:])))
        if error < best_error - 1e-12:
            full = np.zeros(x.shape[1] + 1)
            full[0], full[[j + 1 for j in keep]] = beta[0], beta[1:]
            best, best_error = full, error
    return best


def _round(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return 0.0 if value == 0 or not math.isfinite(value) else float(f"{value:.{_SIGNIFICANT}g}")
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, np.integer):
        return int(value)
    return value


def _series_volatility(runs: list, vintage: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each run's volatility of yearly log growth up to `vintage` (runs of >= 3 points)."""
    vols, fams, groups = [], [], []
    for fam, grp, y, v in runs:
        v = v[y <= vintage]
        if len(v) >= 3:
            vols.append(float(np.std(np.diff(v), ddof=1)))
            fams.append(fam)
            groups.append(grp)
    return np.array(vols), np.array(fams, dtype=object), np.array(groups, dtype=object)


def _family_fit(focus: str, shared: dict, spans: dict, vols: np.ndarray, vol_fam: np.ndarray,
                vol_grp: np.ndarray, table: dict, probabilities: np.ndarray) -> tuple[dict, dict, list, float]:
    """One family's (or the pooled class's) cells, base rates, their first years and volatility."""
    target = None if focus == POOLED else focus
    w_vol = _entity_weights(vol_fam, vol_grp, target)
    fam_vol = float(_weighted_quantiles(vols, w_vol, np.array([0.5]))[0])
    cal = {"panel_volatility": max(fam_vol, MIN_VOLATILITY), "shrinkage": table["shrinkage"],
           "min_volatility": MIN_VOLATILITY, "max_volatility": table["max_volatility"]}
    cells: dict[str, dict] = {}
    weights = {key: _entity_weights(win["family"], win["group"], target) for key, (win, _, _) in shared.items()}
    # One rule per history length, fitted on every horizon's windows at once (each horizon
    # weighing the same): a vintage with one window of n + 4 years per series would give
    # the fourth year a rule of its own, and a forecast path that jumps.
    rules = {}
    for n in sorted({n for n, _ in shared if n >= 2}):
        keys = [key for key in shared if key[0] == n]
        rules[n] = _growth_rule(np.concatenate([shared[k][2][:, RULE_FEATURES[min(n, 3)]] for k in keys]),
                                np.concatenate([shared[k][1] for k in keys]),
                                np.concatenate([weights[k] / weights[k].sum() for k in keys]))
    for (n, h), (win, change, feats) in shared.items():
        w = weights[n, h]
        if n >= 2:
            x = feats[:, RULE_FEATURES[min(n, 3)]]
            beta = rules[n]
            growth = np.clip(beta[0] + x @ beta[1:], -MAX_LOG_GROWTH, MAX_LOG_GROWTH)
            scale = shrunk_volatility(feats[:, VOLATILITY], n, cal)
        else:  # one point: the family's median growth
            beta = _weighted_quantiles(change, w, np.array([0.5]))
            growth = np.full(len(change), beta[0])
            scale = np.full(len(change), cal["panel_volatility"])
        residual = (change - growth) * h / (scale * math.sqrt(h))
        cells.setdefault(str(n), {})[str(h)] = {"coef": [float(b) for b in beta],
                                                "quantiles": _weighted_quantiles(residual, w, probabilities).tolist()}
    rates: dict[str, dict] = {}
    first_years = []
    for h, win in spans.items():
        if target is not None:
            own = win["family"] == target
            win = {k: v[own] for k, v in win.items()}
        if len(win["logs"]) == 0:
            continue
        w = _entity_weights(win["family"], win["group"], None)
        growth = (win["logs"][:, -1] - win["logs"][:, 0]) / h
        rates[str(h)] = {"quantiles": _weighted_quantiles(growth, w, BASE_RATE_GRID).tolist(),
                         "windows": int(len(growth)), "entities": int(len(set(win["group"])))}
        first_years.append(int(win["years"][:, 0].min()))
    return cells, rates, first_years, cal["panel_volatility"]


def _calibrate_vintage(runs: list, vintage: int, *, reference_class: str = "global",
                      max_history: int = MAX_HISTORY, horizon: int = HORIZON) -> dict | None:
    """The calibration learned from panel values of years <= `vintage` (None if too little data).

    `runs` come from :func:`_runs` of :func:`panel_frame`.
    """
    probabilities = np.array([NormalDist().cdf(z) for z in Z_GRID])
    families = sorted({fam for fam, *_ in runs})
    vols, vol_fam, vol_grp = _series_volatility(runs, vintage)
    if len(vols) == 0:
        return None
    table: dict[str, Any] = {
        "reference_class": reference_class, "vintage": int(vintage), "max_history": max_history,
        "horizon": horizon, "z_grid": list(Z_GRID), "max_log_growth": MAX_LOG_GROWTH,
        "min_volatility": MIN_VOLATILITY, "shrinkage": SHRINKAGE.get(reference_class, 2.0), "pooling": POOLING,
        "outside_weight": OUTSIDE_WEIGHT.get(reference_class, 0.0),
    }
    all_weights = _entity_weights(vol_fam, vol_grp, None)
    table["max_volatility"] = float(_weighted_quantiles(vols, all_weights, np.array([0.99]))[0])
    focuses = [POOLED] + [f for f in families if f != POOLED]
    # The windows and features of each (history, horizon) cell are shared by every family's fit.
    shared = {}
    for h in range(1, horizon + 1):
        for n in range(1, max_history + 1):
            win = _windows(runs, n + h, vintage)
            if len(set(win["group"])) < MIN_ENTITIES:
                continue
            change = (win["logs"][:, -1] - win["logs"][:, n - 1]) / h  # realised yearly log growth
            feats = growth_features(win["years"][:, :n], np.exp(win["logs"][:, :n]), h) if n >= 2 else None
            shared[n, h] = (win, change, feats)
    spans = {h: _windows(runs, h + 1, vintage) for h in range(1, BASE_RATE_HORIZONS + 1)}
    out: dict[str, Any] = {}
    for focus in focuses:
        cells, rates, first_years, volatility = _family_fit(focus, shared, spans, vols, vol_fam, vol_grp, table,
                                                            probabilities)
        if not cells:
            continue
        own_data = bool(rates)
        if not own_data:  # a family with no data yet: the class's base rates, and its years
            rates, first_years = out[POOLED]["base_rates"], [out[POOLED]["first_year"]]
        out[focus] = {"volatility": volatility, "cells": cells, "base_rates": rates,
                      "first_year": min(first_years), "own_data": own_data}
    if POOLED not in out:
        return None
    table["families"] = out
    return _round(table)


def calibrate(panel: pd.DataFrame, *, vintages: Iterable[int] | None = None, reference_class: str = "global",
              max_history: int | None = None, horizon: int = HORIZON) -> dict[int, dict]:
    """Fit ``auto``'s rule on a panel of annual series, once per vintage.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long form with ``series_id``, ``year``, ``value`` (optional ``family``, ``entity``,
        ``package``, ``dataset``; see :func:`panel_frame`).
    vintages : iterable of int, optional
        Years; each vintage is learned from values of years <= it. Default: the panel's last year.
    reference_class : str
        Recorded in each vintage (for sentences).
    max_history : int, optional
        Longest history the rule looks at [points]; default :data:`MAX_HISTORY` (7), read
        at the call (so a benchmark may set it).
    horizon : int, default 4
        Calibrated horizons [years]; beyond them the last horizon's rule continues.

    Returns
    -------
    dict
        ``{vintage: table}`` (JSON-ready, numbers rounded to 6 significant digits); a vintage
        with too little data before it is left out.
    """
    frame = panel_frame(panel)
    if frame.empty:
        raise DataError("the panel has no finite value > 0.")
    runs = _runs(frame)
    max_history = MAX_HISTORY if max_history is None else max_history
    years = [int(frame["year"].max())] if vintages is None else [int(v) for v in vintages]
    out = {}
    for vintage in years:
        table = _calibrate_vintage(runs, vintage, reference_class=reference_class,
                                  max_history=max_history, horizon=horizon)
        if table is not None:
            table["panel"] = _provenance(frame, vintage)
            out[vintage] = table
    if not out:
        raise DataError(f"the panel has no run of 2 consecutive years with values > 0 from {MIN_ENTITIES} "
                        f"entities up to {max(years)}.")
    return out


def _provenance(frame: pd.DataFrame, vintage: int) -> dict:
    seen = frame[frame["year"] <= vintage]
    return {
        "series": int(seen["series_id"].nunique()),
        "entities": int(seen["group"].nunique()),
        "points": int(len(seen)),
        "sha256": hashlib.sha256(seen[["series_id", "year", "value"]].to_csv(index=False).encode()).hexdigest(),
    }


def write_calibration(table: dict, path: str | Path) -> Path:
    """Write one vintage as stable, diff-friendly JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False)
    # One line per list of numbers: a re-calibration shows as a readable diff.
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + " ".join(m.group(1).split()) + "]", text)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:  # ``make calibrate``
    import argparse

    parser = argparse.ArgumentParser(description="Re-learn auto's calibration vintages from the shipped panels.")
    parser.add_argument("--class", dest="classes", action="append", choices=sorted(VINTAGES),
                        help="only this reference class (repeatable; default all)")
    args = parser.parse_args(argv)
    root = Path(__file__).with_name("data") / "calibration"
    for reference_class in args.classes or sorted(VINTAGES):
        folder = root / reference_class
        for old in folder.glob("*.json"):
            old.unlink()
        tables = calibrate(load_panel(reference_class), vintages=VINTAGES[reference_class],
                           reference_class=reference_class)
        for vintage, table in tables.items():
            write_calibration(table, folder / f"{vintage}.json")
        print(f"{folder}: vintages {min(tables)}-{max(tables)} ({len(tables)}), "
              f"{tables[max(tables)]['panel']['series']} series of {tables[max(tables)]['panel']['entities']} entities")


if __name__ == "__main__":
    main()
