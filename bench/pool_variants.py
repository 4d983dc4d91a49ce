"""Could ``auto``'s pooled probability be recalibrated? Variants scored on inner splits of a calibration part.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv-bench/bin/python bench/pool_variants.py [--panel china] [--fold 0|1]
        [--jobs N] [--variants pool,w,logit,...] [--mode realtime|insample] [--objective log|brier]
        [--min-history N]

As in bench/inner.py, fold ``f``'s calibration part (bench/skill.py's :func:`~skill.split_panel`)
is split again by entity (``GroupKFold(n_splits=2)``) and each inner part is scored with what was
learned on the other, both ways; the evaluation part of fold ``f`` is never read.

Design
------
- **Test events** are bench/probability.py's: every window of the scoring part (7 years of
  history, 1-4 ahead), ``E = y_{T+h} >= y_T (1 + g)^h`` for the growth quantiles ``g`` of the
  learning part; ``auto`` is calibrated on the learning part once a year and each window uses
  the vintage of its origin ``V``. Of every fit both views are kept: ``P_own`` (the series'
  calibrated view) and ``P_out`` (the family's base rate); the shipped probability is the
  linear pool ``(1 - w) P_own + w P_out``, w = ``OUTSIDE_WEIGHT`` = 0.5.
- **Learning events** are built the same way on the learning part: every series, every origin
  ``T`` with the last up to 7 consecutive points as history (at least ``--min-history``), every
  ``h`` with ``T + h`` observed. ``--mode realtime`` forecasts each with the vintage of its
  origin; ``--mode insample`` with vintage ``V`` itself (the windows it learned from). The
  parameters used at vintage ``V`` are learned from the events resolved by then
  (``T + h <= V``), each entity weighing the same, by minimising the log score or the Brier
  score (``--objective``, scipy L-BFGS-B).
- **Variants** (``--variants``):

  ``pool``         the shipped pool, w = 0.5;
  ``w``            w learned;
  ``logit``        ``logit p' = a + b logit p`` on the shipped pool [Ranjan & Gneiting 2010];
  ``w+logit``      w, a and b learned (a beta-transformed pool's logistic form);
  ``w+logit+h``    the same with ``b + c log h`` in place of ``b``;
  ``w/n``          w = n0 / (n0 + n) for a history of n points, n0 learned: short series lean
                   on the base rate, long ones on themselves;
  ``w/h``          w learned per horizon;
  ``w/fam``        w learned per family, shrunk towards the class's w as if the class were
                   :data:`POOLING` entities more (partial pooling);
  ``cond<share>``  the pool (w = 0.5) with a *conditional* base rate in place of ``P_out``:
                   among the family's (learning part's) runs resolved by ``V``, the nearest
                   ``share`` of them in recent growth (mean yearly log growth over the last
                   :data:`RECENT` years) to the window's own, each entity weighing the same, the
                   share that grew at least at ``g`` a year over ``h`` years (``cond1.0``: all of them).

- **Test events** ``--test every``: in place of the 7-year windows, every origin of the
  scoring part's series from the first vintage on, with the last up to 7 consecutive points
  as history (at least ``--min-history``), so short histories are scored too; their base
  rate is ``P_out``, and parameters are learned as in ``--mode realtime``. Adds the Brier
  ratio to the base rate for histories of 2-4 and 5-7 points.

Prints, per variant, inner split and their mean: Brier and log score, the family base rate's,
their ratios, and 80 % coverage read off the variant's distribution (the share of outcomes
whose CDF value lies in [0.1, 0.9]; overall and at its lowest horizon).

Findings (Chinese panel; mean of the two inner splits; Brier / log score; coverage)
----------------------------------------------------------------------------------
No variant beat the shipped pool on both folds. Fold 0: pool 0.1196 / 0.3766 (81 %); fold 1:
0.1277 / 0.4046 (76 %). In-sample (``--mode insample``) the pool is slightly under-confident
(b = 1.06-1.11, a ~ 0) and w comes out at 0.2-0.6 depending on the provinces: ``logit``
0.1197 / 0.3767 and 0.1290 / 0.4116 (coverage down to 77 % and 72 %), ``w+logit`` 0.1201 and
0.1309, ``w/h`` 0.1205 and 0.1310, ``w/fam`` 0.1204 and 0.1306. In real time
(``--mode realtime``) the learned shift a ~ -0.4 (growth slowing through the 2010s) made
``logit`` 0.1319 on fold 0. Conditioning the base rate on recent growth made it worse the
tighter the neighbourhood: ``cond1.0`` 0.1216 and 0.1293, ``cond0.5`` 0.1218 and 0.1292,
``cond0.25`` 0.1227 and 0.1297. A fixed w = 0.65 (bench/inner.py ``--set``) gave 0.1201 and
0.1287.

The outside view's weight by history length (``w/n``; constants of the time: shrinkage 8,
pooling 4) did no better. On the windows (every history 7 points): fold 0 pool 0.1196 /
0.3766 (81 %), ``w`` 0.1216 / 0.3819 (80 %), ``w/n`` 0.1218 / 0.3824 (79 %); fold 1 pool 0.1277 /
0.4046 (76 %), ``w`` 0.1302 / 0.4120 (75 %), ``w/n`` 0.1296 / 0.4112 (75 %). On every origin
(``--test every``, histories of 2-7 points): fold 0 pool 0.1340 / 0.4210 (77 %; Brier ratio to
the base rate 0.975 for 2-4 points, 0.963 for 5-7), ``w`` 0.1358 / 0.4279, ``w/n`` 0.1356 /
0.4265 (0.983 for 2-4 points); fold 1 pool 0.1371 / 0.4308 (75 %; 0.966 and 0.946), ``w``
0.1390 / 0.4367, ``w/n`` 0.1381 / 0.4348 (0.972). The learned n0 (1.5-6.3 at the last vintage)
swings with the provinces of the learning part, and short series gain no more from the base
rate than long ones: w = 0.5 at every length is the better choice.

References
----------
.. [1] Ranjan, R. & Gneiting, T. (2010) Combining probability forecasts. *Journal of the Royal
   Statistical Society B* 72(1), 71-91.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probability  # noqa: E402
import skill  # noqa: E402

#: Probabilities are kept within [EPS, 1 - EPS] before a logit.
EPS = 1e-6
#: The rest of the class counts as this many entities in a family's w (``w/fam``).
POOLING = 4.0
#: Years of recent growth that place a window among its family's runs (``cond``).
RECENT = 3
#: A family's own runs make its conditional base rate from this many entities on.
MIN_ENTITIES = 5
VARIANTS = ("pool", "w", "w/n", "logit", "w+logit", "w+logit+h", "w/h", "w/fam", "cond1.0", "cond0.5", "cond0.25")
#: History lengths [points] of the short and long bands of ``--test every``'s Brier ratios.
SHORT_LONG = {"2-4": (2, 4), "5-7": (5, 7)}


# --- the two views of auto's probability -----------------------------------------------------

def views(fit, h: int, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``P(y_{T+h} >= level)`` of a fitted ``auto``'s own view and of its outside view."""
    log_levels = np.log(np.maximum(np.asarray(levels, dtype=float), 1e-300))
    return 1.0 - fit._own_cdf(h, log_levels), 1.0 - fit._outside_cdf(h, log_levels)


def _specs(calibration: dict, reference_class: str):
    from xmforecast.model_registry import get_model

    cache = {}

    def spec(family: str):
        if family not in cache:
            cache[family] = get_model("auto", calibration=calibration, family=family, reference_class=reference_class)
        return cache[family]
    return spec


def _family(part: pd.DataFrame) -> str:
    return skill._known_family(str(part["family"].iat[0]) if "family" in part.columns else skill.NO_FAMILY)


def learning_events(panel: pd.DataFrame, calibration: dict, reference_class: str, growth: np.ndarray) -> pd.DataFrame:
    """Every event of every origin of `panel`'s series: entity, family, origin, h, n, both views, outcome."""
    spec = _specs(calibration, reference_class)
    entity = dict(zip(panel["series_id"], skill.entity_groups(panel)))
    rows = []
    for series_id, part in panel.groupby("series_id", sort=True):
        part = part.sort_values("year")
        years, values = part["year"].to_numpy(), part["value"].to_numpy(dtype=float)
        for i in range(len(years) - 1):
            start = i
            while start > 0 and years[start - 1] == years[start] - 1 and i - start + 1 < skill.HISTORY:
                start -= 1
            if values[start:i + 1].min() <= 0:
                continue
            history = pd.Series(values[start:i + 1], index=pd.Index(years[start:i + 1], name="year"))
            fit = None
            for h in range(1, skill.HORIZON + 1):
                j = i + h
                if j >= len(years) or years[j] != years[i] + h:
                    break
                if fit is None:
                    fit = spec(_family(part)).fit(history)
                levels = values[i] * (1 + growth) ** h
                own, out = views(fit, h, levels)
                (own_y,), (out_y,) = views(fit, h, values[j:j + 1])
                rows += [(entity[series_id], _family(part), int(years[i]), h, i - start + 1, own[k], out[k],
                          bool(values[j] >= levels[k]), own_y, out_y) for k in range(len(growth))]
    return pd.DataFrame(rows, columns=["entity", "family", "origin", "h", "n", "own", "out", "outcome",
                                       "own_y", "out_y"])


def scoring_events(panel: pd.DataFrame, calibration: dict, reference_class: str, growth: np.ndarray) -> dict:
    """bench/probability.py's events of `panel`'s windows, both views at the thresholds and at the outcomes."""
    spec = _specs(calibration, reference_class)
    windows = skill.make_windows(panel)
    levels = probability.thresholds(windows.history[:, -1], growth)
    own, out = np.empty(levels.shape), np.empty(levels.shape)
    own_y, out_y = np.empty(windows.actual.shape), np.empty(windows.actual.shape)
    n = np.empty(len(windows))
    for i in range(len(windows)):
        history = pd.Series(windows.history[i], index=pd.Index(windows.years[i], name="year"), dtype=float)
        fit = spec(skill._known_family(str(windows.family[i]))).fit(history)
        n[i] = fit.params["history"]
        for j, h in enumerate(probability.STEPS):
            own[i, j], out[i, j] = views(fit, int(h), levels[i, j])
            (own_y[i, j],), (out_y[i, j],) = views(fit, int(h), windows.actual[i, j:j + 1])
    families = np.array([skill._known_family(str(f)) for f in windows.family], dtype=object)
    return {"windows": windows, "outcome": probability.outcomes(windows.actual, levels), "own": own, "out": out,
            "own_y": own_y, "out_y": out_y, "family": families, "n": n,
            "base": probability.base_rate_probability(windows, growth, calibration)}


# --- recalibrations ----------------------------------------------------------------------------

def resolved_by(events: pd.DataFrame, vintage: int, min_history: int = 2) -> pd.DataFrame:
    """The events a vintage may learn from: outcome known by its year (``T + h <= V``), history long enough."""
    return events[(events["n"] >= min_history) & (events["origin"] + events["h"] <= vintage)]


def pooled(w, own, out):
    """The linear pool ``(1 - w) own + w out``."""
    return (1 - w) * own + w * out


def recalibrated(p, a: float, b):
    """``logit p' = a + b logit p``: monotone in p, so a CDF stays a CDF."""
    p = np.clip(p, EPS, 1 - EPS)
    return 1 / (1 + np.exp(-(a + b * np.log(p / (1 - p)))))


#: Each learned variant: start, bounds and its probability from (theta, own, out, h).
_FORMS = {
    "w": ([0.5], [(0, 1)], lambda t, own, out, h, n: pooled(t[0], own, out)),
    "logit": ([0.0, 1.0], [(-3, 3), (0.2, 5)],
              lambda t, own, out, h, n: recalibrated(pooled(0.5, own, out), t[0], t[1])),
    "w+logit": ([0.5, 0.0, 1.0], [(0, 1), (-3, 3), (0.2, 5)],
                lambda t, own, out, h, n: recalibrated(pooled(t[0], own, out), t[1], t[2])),
    "w+logit+h": ([0.5, 0.0, 1.0, 0.0], [(0, 1), (-3, 3), (0.2, 5), (-2, 2)],
                  lambda t, own, out, h, n: recalibrated(pooled(t[0], own, out), t[1], t[2] + t[3] * np.log(h))),
    "w/n": ([7.0], [(0, 500)], lambda t, own, out, h, n: pooled(history_weight(t[0], n), own, out)),
}


def history_weight(n0: float, n):
    """The outside view's weight for a history of `n` points: ``n0 / (n0 + n)``."""
    return n0 / (n0 + np.asarray(n, dtype=float))


def loss(p, outcome, weight, objective: str = "log") -> float:
    """The weighted Brier or log score (lower is better)."""
    if objective == "brier":
        return float(weight @ (p - outcome) ** 2)
    p = np.clip(p, EPS, 1 - EPS)
    return float(weight @ -np.log(np.where(outcome, p, 1 - p)))


def entity_weights(entities: pd.Series) -> np.ndarray:
    """Event weights under which every entity weighs the same (they sum to 1)."""
    counts = entities.map(entities.value_counts()).to_numpy(dtype=float)
    return 1.0 / counts / entities.nunique()


def _minimise(form: str, events: pd.DataFrame, objective: str) -> np.ndarray:
    from scipy.optimize import minimize

    start, bounds, function = _FORMS[form]
    own, out, h = events["own"].to_numpy(), events["out"].to_numpy(), events["h"].to_numpy(dtype=float)
    n = events["n"].to_numpy(dtype=float)
    outcome, weight = events["outcome"].to_numpy(), entity_weights(events["entity"])
    return minimize(lambda t: loss(function(t, own, out, h, n), outcome, weight, objective), start,
                    method="L-BFGS-B", bounds=bounds).x


def learn(variant: str, events: pd.DataFrame, objective: str = "log"):
    """The variant's parameters learned on `events`: an array, or ``{key: w}`` for ``w/h`` and ``w/fam``."""
    if variant in _FORMS:
        return _minimise(variant, events, objective)
    if variant == "w/h":
        return {int(h): float(_minimise("w", part, objective)[0]) for h, part in events.groupby("h")}
    if variant == "w/fam":
        whole = float(_minimise("w", events, objective)[0])
        out = {None: whole}
        for family, part in events.groupby("family"):
            e = part["entity"].nunique()
            out[family] = (e * float(_minimise("w", part, objective)[0]) + POOLING * whole) / (e + POOLING)
        return out
    raise ValueError(f"unknown variant {variant!r}")


def apply(variant: str, theta, own, out, h, family, n):
    """The variant's probabilities (arrays of one shape) with parameters `theta` from :func:`learn`."""
    if variant == "pool":
        return pooled(0.5, own, out)
    if variant in _FORMS:
        return _FORMS[variant][2](theta, own, out, h, n)
    if variant == "w/h":
        return pooled(np.vectorize(lambda k: theta[int(k)])(h), own, out)
    return pooled(np.vectorize(lambda f: theta.get(f, theta[None]))(family), own, out)


# --- the conditional base rate ---------------------------------------------------------------

def growth_runs(panel: pd.DataFrame) -> pd.DataFrame:
    """Every (series, origin T, h): recent yearly log growth ``x`` up to T and yearly log growth ``y`` to T + h."""
    rows = []
    entity = dict(zip(panel["series_id"], skill.entity_groups(panel)))
    for series_id, part in panel.groupby("series_id", sort=True):
        part = part.sort_values("year")
        years, values = part["year"].to_numpy(), part["value"].to_numpy(dtype=float)
        if (values <= 0).any():
            continue
        logs = np.log(values)
        for i in range(RECENT, len(years)):
            if years[i] - years[i - RECENT] != RECENT:
                continue
            for h in range(1, skill.HORIZON + 1):
                if i + h >= len(years) or years[i + h] != years[i] + h:
                    break
                rows.append((entity[series_id], _family(part), int(years[i]), h,
                             (logs[i] - logs[i - RECENT]) / RECENT, (logs[i + h] - logs[i]) / h))
    return pd.DataFrame(rows, columns=["entity", "family", "origin", "h", "x", "y"])


def conditional_exceedance(runs: pd.DataFrame, family: str, h: int, vintage: int, x0: float,
                           log_growth: np.ndarray, share: float) -> np.ndarray:
    """Share of the family's runs nearest `x0` (resolved by `vintage`) that grew at least at each `log_growth`.

    The nearest `share` of the runs (at least 20) in recent growth, each entity weighing the
    same. A horizon without runs of :data:`MIN_ENTITIES` entities of the family yet takes the
    nearest shorter one's; a family without them, the whole class.
    """
    for span in range(h, 0, -1):
        pool = runs[(runs["h"] == span) & (runs["origin"] + span <= vintage)]
        own = pool[pool["family"] == family]
        if own["entity"].nunique() >= MIN_ENTITIES:
            pool = own
            break
    near = np.argsort(np.abs(pool["x"].to_numpy() - x0), kind="stable")[:max(round(share * len(pool)), 20)]
    w = entity_weights(pool["entity"].iloc[near].reset_index(drop=True))
    y = pool["y"].to_numpy()[near]
    return (y[None, :] >= np.asarray(log_growth)[:, None]) @ w / w.sum()


def conditional_outside(runs: pd.DataFrame, events: dict, growth: np.ndarray, share: float):
    """The conditional base rate at every test event and at every outcome."""
    windows = events["windows"]
    logs = np.log(windows.history)
    x0 = (logs[:, -1] - logs[:, -1 - RECENT]) / RECENT
    actual = (np.log(windows.actual) - logs[:, -1:]) / probability.STEPS
    out, out_y = np.empty(events["out"].shape), np.empty(events["out_y"].shape)
    for i in range(len(windows)):
        for j, h in enumerate(probability.STEPS):
            p = conditional_exceedance(runs, events["family"][i], int(h), int(windows.origin[i]), float(x0[i]),
                                       np.append(np.log1p(growth), actual[i, j]), share)
            out[i, j], out_y[i, j] = p[:-1], p[-1]
    return out, out_y


# --- scoring -----------------------------------------------------------------------------------

def _row(p, cdf, events) -> dict[str, float]:
    inside = (cdf >= 0.1) & (cdf <= 0.9)
    outcome, base = events["outcome"], events["base"]
    return {"Brier": probability.brier(p, outcome), "log": probability.log_score(p, outcome),
            "Brier base": probability.brier(base, outcome), "log base": probability.log_score(base, outcome),
            "cover %": 100 * float(inside.mean()), "min cov h %": 100 * float(inside.mean(axis=0).min())}


def _row_every(p, cdf, events: pd.DataFrame) -> dict[str, float]:
    outcome, base = events["outcome"].to_numpy(), events["out"].to_numpy()
    inside = pd.Series((cdf >= 0.1) & (cdf <= 0.9), index=events.index)
    row = {"Brier": probability.brier(p, outcome), "log": probability.log_score(p, outcome),
           "Brier base": probability.brier(base, outcome), "log base": probability.log_score(base, outcome),
           "cover %": 100 * float(inside.mean()), "min cov h %": 100 * float(inside.groupby(events["h"]).mean().min())}
    for band, (low, high) in SHORT_LONG.items():
        rows = ((events["n"] >= low) & (events["n"] <= high)).to_numpy()
        row[f"ratio n{band}"] = probability.brier(p[rows], outcome[rows]) / probability.brier(base[rows], outcome[rows])
    return row


def every_origin_scores(train: pd.DataFrame, test: pd.DataFrame, calibration: dict, reference_class: str,
                        growth: np.ndarray, variants, objective: str, min_history: int):
    """Each variant scored on every origin of `test`'s series (histories of 2-7 points), vintage-honest.

    The test events are :func:`learning_events` of the scoring part from the first vintage on
    (its base rate: the family's, ``P_out``); parameters at origin ``V`` are learned, as in
    ``--mode realtime``, on the learning part's events resolved by ``V``.
    """
    learning = learning_events(train, calibration, reference_class, growth)
    events = learning_events(test, calibration, reference_class, growth)
    events = events[(events["n"] >= min_history) & (events["origin"] >= min(calibration))]
    resolved = {int(v): resolved_by(learning, int(v), min_history) for v in events["origin"].unique()}
    events = events[events["origin"].map(lambda v: len(resolved[int(v)]) > 0)].reset_index(drop=True)
    columns = {k: events[k].to_numpy() for k in ("own", "out", "own_y", "out_y", "family")}
    h, n = events["h"].to_numpy(dtype=float), events["n"].to_numpy(dtype=float)
    scores, params = {}, {}
    for variant in variants:
        p, p_y = np.empty(len(events)), np.empty(len(events))
        for origin, rows in events.groupby("origin").indices.items():
            theta = None if variant == "pool" else learn(variant, resolved[int(origin)], objective)
            params[variant, int(origin)] = theta
            args = (h[rows], columns["family"][rows], n[rows])
            p[rows] = apply(variant, theta, columns["own"][rows], columns["out"][rows], *args)
            p_y[rows] = apply(variant, theta, columns["own_y"][rows], columns["out_y"][rows], *args)
        scores[variant] = _row_every(p, 1 - p_y, events)
    return scores, params


def split_scores(train: pd.DataFrame, test: pd.DataFrame, reference_class: str, *, variants=VARIANTS,
                 jobs: int = 1, mode: str = "realtime", objective: str = "log", min_history: int = 2,
                 test_events: str = "windows"):
    """Each variant learned on `train` and scored on `test`: ``({variant: row}, {(variant, vintage): theta})``."""
    from xmforecast.calibration import calibrate

    growth = probability.growth_quantiles(train)
    calibration = skill.calibrate_vintages(calibrate, train, sorted(set(train["year"].astype(int))),
                                           reference_class, jobs)
    if test_events == "every":
        return every_origin_scores(train, test, calibration, reference_class, growth, variants, objective,
                                   min_history)
    events = scoring_events(test, calibration, reference_class, growth)
    windows, own, out = events["windows"], events["own"], events["out"]
    origins = sorted(set(int(t) for t in windows.origin))
    learning = {}
    if any(not v.startswith("cond") and v != "pool" for v in variants):
        shared = learning_events(train, calibration, reference_class, growth) if mode == "realtime" else None
        for v in origins:
            e = shared if mode == "realtime" else learning_events(train, {v: calibration[v]}, reference_class, growth)
            learning[v] = resolved_by(e, v, min_history)
    h = np.broadcast_to(probability.STEPS[None, :, None], own.shape).astype(float)
    family = np.broadcast_to(events["family"][:, None, None], own.shape)
    n = np.broadcast_to(events["n"][:, None, None], own.shape)
    scores, params, runs = {}, {}, None
    for variant in variants:
        if variant.startswith("cond"):
            runs = growth_runs(train) if runs is None else runs
            out_c, out_cy = conditional_outside(runs, events, growth, float(variant[4:]))
            scores[variant] = _row(pooled(0.5, own, out_c), 1 - pooled(0.5, events["own_y"], out_cy), events)
            continue
        p, p_y = np.empty(own.shape), np.empty(events["own_y"].shape)
        for origin in origins:
            rows = windows.origin == origin
            theta = None if variant == "pool" else learn(variant, learning[origin], objective)
            params[variant, origin] = theta
            p[rows] = apply(variant, theta, own[rows], out[rows], h[rows], family[rows], n[rows])
            p_y[rows] = apply(variant, theta, events["own_y"][rows], events["out_y"][rows], h[rows, :, 0],
                              family[rows, :, 0], n[rows, :, 0])
        scores[variant] = _row(p, 1 - p_y, events)
    return scores, params


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", default="china", choices=sorted(skill.PANELS))
    parser.add_argument("--fold", type=int, default=0, choices=(0, 1))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--mode", default="realtime", choices=("realtime", "insample"))
    parser.add_argument("--objective", default="log", choices=("log", "brier"))
    parser.add_argument("--min-history", type=int, default=2)
    parser.add_argument("--test", default="windows", choices=("windows", "every"))
    args = parser.parse_args(argv)
    variants = args.variants.split(",")
    unknown = [v for v in variants if v not in ("pool", "w/h", "w/fam", *_FORMS) and not v.startswith("cond")]
    if args.test == "every" and any(v.startswith("cond") for v in variants):
        parser.error("--test every scores the pool's learned variants, not cond<share>")
    if args.test == "every" and args.mode != "realtime":
        parser.error("--test every learns in real time only (--mode realtime)")
    if unknown:
        parser.error(f"unknown variants {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    reference_class = skill.PANELS[args.panel][1]
    calibration_part, _ = skill.split_panel(skill.load_panel(args.panel), args.fold)
    rows = {}
    for inner in (0, 1):
        train, test = skill.split_panel(calibration_part, inner)
        scores, params = split_scores(train, test, reference_class, variants=variants, jobs=args.jobs,
                                      mode=args.mode, objective=args.objective, min_history=args.min_history,
                                      test_events=args.test)
        rows |= {(variant, f"inner {inner}"): row for variant, row in scores.items()}
        last = max((origin for _, origin in params), default=None)
        learned = {v: t for (v, origin), t in params.items() if origin == last and t is not None}
        print(f"fold {args.fold} inner {inner}, learned at vintage {last}: "
              + "; ".join(f"{v} {np.round(t, 3) if not isinstance(t, dict) else {k: round(x, 3) for k, x in t.items()}}"
                          for v, t in learned.items()), flush=True)
    table = pd.DataFrame.from_dict(rows, orient="index")
    mean = table.groupby(level=0, sort=False).mean()
    mean.index = pd.MultiIndex.from_product([mean.index, ["mean"]])
    table = pd.concat([table, mean]).loc[[(v, s) for v in variants for s in ("inner 0", "inner 1", "mean")]]
    table["Brier ratio"] = table["Brier"] / table["Brier base"]
    table["log ratio"] = table["log"] / table["log base"]
    print(f"{args.panel} panel, fold {args.fold}, mode {args.mode}, objective {args.objective}, "
          f"min history {args.min_history}, test events {args.test}")
    print(table.round(4).to_string())


if __name__ == "__main__":
    main()
