"""How much better than the base rate can anyone forecast the threshold events? A ceiling, on inner splits.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv-bench/bin/python bench/ceiling.py [--fold 0|1] [--jobs N]

The events are bench/probability.py's (``y_{T+h} >= y_T (1 + g)^h``, g the calibration part's
growth quantiles, h = 1..4, windows of 7 years of history). As in bench/inner.py, fold ``f``'s
calibration part of the Chinese panel is split again by province (``GroupKFold(n_splits=2)``):
everything learns on one inner part and is scored on the other, both ways; the evaluation part
of fold ``f`` is never read.

Each learner below is a scikit-learn ``HistGradientBoostingClassifier`` (a flexible learner of
``P(event | inputs)``; regularised, one setting for all, not tuned) fitted on the stacked events
of the inner training part, with the event's own inputs (h, the required yearly log growth, the
family) and, by row:

``own``
    the series' own history: mean yearly log growth over 6, over the last 3 and the last step,
    the sd of the log steps, and the gaps between those growths and the required one;
``own + class``
    and the family's median yearly log growth across the training provinces in the origin year
    and the year before (a common shock, known at the origin);
``own + class + year``
    and the origin year;
``oracle``
    and the family's median yearly log growth across the training provinces over the *outcome*
    years T+1..T+h: what no forecaster knows at the origin, a bound on what a common shock
    could explain.

The classifiers learn on every year of the training provinces (look-ahead in time allowed,
which only makes the ceiling higher), and so does the column they are compared with,
``frequency``: the share of the training part's events of the same family, horizon and growth
that happened. ``xmforecast`` (the shipped ``auto``, vintage-honest) and ``base rate`` (its
vintage-honest family base rate) are the figures of bench/inner.py on the same windows.

Findings (Chinese panel; Brier; ratio to ``frequency`` in brackets)
-------------------------------------------------------------------
==================  ===============  ===============  ===============  ===============
row                 fold 0 inner 0   fold 0 inner 1   fold 1 inner 0   fold 1 inner 1
==================  ===============  ===============  ===============  ===============
frequency           0.1179           0.1177           0.1162           0.1264
own                 0.1207 (1.024)   0.1167 (0.992)   0.1142 (0.983)   0.1370 (1.084)
own + class         0.1182 (1.003)   0.1152 (0.980)   0.1131 (0.973)   0.1275 (1.009)
own + class + year  0.1179 (1.000)   0.1148 (0.976)   0.1136 (0.978)   0.1286 (1.017)
oracle              0.1162 (0.985)   0.1149 (0.976)   0.1131 (0.973)   0.1272 (1.006)
xmforecast          0.1224 (1.038)   0.1168 (0.992)   0.1193 (1.027)   0.1361 (1.076)
base rate           0.1212 (1.028)   0.1276 (1.084)   0.1352 (1.163)   0.1336 (1.057)
==================  ===============  ===============  ===============  ===============

- Given the event's frequency over every year, no learner gains more than 2.7 % with the
  series' own history, the class's growth up to the origin and the origin year; even the
  oracle, told the class's growth over the very years being forecast, gains at most 2.7 %.
  Beyond the frequency, a province's outcome is unpredictable from anything the panel holds.
- The gap between ``frequency`` and the vintage-honest ``base rate`` (3-16 %) is how much the
  years after an origin differ from the years before it. Only look-ahead closes it: measured
  against the base rate, the look-ahead learners given the class's growth reach 0.84-0.98x
  (0.92x on average), the honest ``xmforecast`` 0.88-1.02x (0.96x and 0.95x over each fold's
  two inner splits, bench/inner.py). Weighing recent years
  more in the base rates and the rule (a window's weight halved every 2 or 4 years before the
  vintage, tried on bench/inner.py's splits and not kept) moved the base rate's Brier by under
  1 % and the pool's not at all (0.1196 -> 0.1198-0.1201 on fold 0, 0.1277 -> 0.1281-0.1285
  on fold 1).
- So a Brier of 0.9x the base rate needs what a forecaster at the origin cannot know: the
  drift of the whole class between the years before and after it. It is out of reach of this
  panel's information, whatever the model.
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

ROWS = ("own", "own + class", "own + class + year", "oracle")


def class_growth(panel: pd.DataFrame) -> pd.Series:
    """Median yearly log growth (year t-1 to t) across a panel's series, by (family, year t)."""
    panel = panel.sort_values(["series_id", "year"])
    step = np.log(panel["value"]).groupby(panel["series_id"]).diff()
    step[panel["year"].groupby(panel["series_id"]).diff() != 1] = np.nan
    return step.groupby([panel["family"], panel["year"]]).median()


def event_inputs(windows: skill.Windows, growth: np.ndarray, shocks: pd.Series, families: list[str]) -> pd.DataFrame:
    """One row per event (window, horizon, growth), in the order of ``outcome.reshape(-1)``."""
    steps = np.diff(np.log(windows.history), axis=1)
    own = pd.DataFrame({"mean6": steps.mean(axis=1), "mean3": steps[:, -3:].mean(axis=1),
                        "last": steps[:, -1], "sd": steps.std(axis=1, ddof=1)})
    shock = {lag: np.array([shocks.get((f, t - lag), np.nan) for f, t in zip(windows.family, windows.origin)])
             for lag in (0, 1)}
    frames = []
    for i in range(len(windows)):
        frame = pd.DataFrame({"h": np.repeat(probability.STEPS, len(growth)),
                              "required": np.tile(np.log1p(growth), len(probability.STEPS))})
        for name, value in own.iloc[i].items():
            frame[name] = value
        frame["class0"], frame["class1"] = shock[0][i], shock[1][i]
        frame["year"] = float(windows.origin[i])
        frame["oracle"] = [np.nanmean([shocks.get((windows.family[i], windows.origin[i] + k), np.nan)
                                       for k in range(1, h + 1)]) for h in frame["h"]]
        for family in families:
            frame[f"family {family}"] = float(windows.family[i] == family)
        frames.append(frame)
    inputs = pd.concat(frames, ignore_index=True)
    for name in ("mean6", "mean3", "last", "class0", "oracle"):
        inputs[f"gap {name}"] = inputs[name] - inputs["required"]
    return inputs


def columns(row: str, inputs: pd.DataFrame) -> list[str]:
    event = ["h", "required"] + [c for c in inputs if c.startswith("family ")]
    own = ["mean6", "mean3", "last", "sd", "gap mean6", "gap mean3", "gap last"]
    known = own + ["class0", "class1", "gap class0"]
    return event + {"own": own, "own + class": known, "own + class + year": known + ["year"],
                    "oracle": known + ["oracle", "gap oracle"]}[row]


def frequency(train_inputs: pd.DataFrame, train_outcome: np.ndarray, test_inputs: pd.DataFrame) -> np.ndarray:
    """The training events' share that happened, by family, horizon and growth."""
    keys = [c for c in train_inputs if c.startswith("family ")] + ["h", "required"]
    rates = pd.Series(train_outcome.astype(float)).groupby([train_inputs[k] for k in keys]).mean()
    index = pd.MultiIndex.from_frame(test_inputs[keys])
    return rates.reindex(index).fillna(float(train_outcome.mean())).to_numpy()


def inner_split(train: pd.DataFrame, test: pd.DataFrame, jobs: int) -> dict[str, float]:
    from sklearn.ensemble import HistGradientBoostingClassifier

    growth = probability.growth_quantiles(train)
    families = sorted(train["family"].unique())
    shocks = class_growth(train)
    scored = {}
    parts = {}
    for name, part in (("train", train), ("test", test)):
        windows = skill.make_windows(part)
        levels = probability.thresholds(windows.history[:, -1], growth)
        outcome = probability.outcomes(windows.actual, levels)
        parts[name] = (windows, levels, outcome, event_inputs(windows, growth, shocks, families))
    _, _, train_outcome, train_inputs = parts["train"]
    windows, levels, outcome, test_inputs = parts["test"]
    y_train, y_test = train_outcome.reshape(-1), outcome.reshape(-1)
    scored["frequency"] = probability.brier(frequency(train_inputs, y_train, test_inputs), y_test)
    for row in ROWS:
        learner = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, max_leaf_nodes=15,
                                                 min_samples_leaf=300, l2_regularization=1.0, random_state=0)
        learner.fit(train_inputs[columns(row, train_inputs)], y_train)
        p = learner.predict_proba(test_inputs[columns(row, test_inputs)])[:, 1]
        scored[row] = probability.brier(p, y_test)
    run = skill.xmforecast_method(train, windows, "china_regions", jobs=jobs)
    scored["xmforecast"] = probability.brier(probability.xmforecast_probability(run.fits, levels), outcome)
    scored["base rate"] = probability.brier(probability.base_rate_probability(windows, growth, run.calibration),
                                            outcome)
    return scored


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fold", type=int, default=0, choices=(0, 1))
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    calibration_part, _ = skill.split_panel(skill.load_panel("china"), args.fold)
    table = {}
    for inner in (0, 1):
        train, test = skill.split_panel(calibration_part, inner)
        table[f"fold {args.fold} inner {inner}"] = inner_split(train, test, args.jobs)
    table = pd.DataFrame(table)
    ratio = table / table.loc["frequency"]
    print("Brier of the threshold events (ratio to the frequency)")
    print(table.round(4).astype(str).add(" (").add(ratio.round(3).astype(str)).add(")").to_string())


if __name__ == "__main__":
    main()
