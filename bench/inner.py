"""Score a calibration choice on inner splits of a calibration part, never on its evaluation part.

Usage::

    OPENBLAS_NUM_THREADS=1 .venv-bench/bin/python bench/inner.py [--panel china] [--fold 0|1]
        [--jobs N] [--set calibration.SHRINKAGE={"china_regions":4}] ...

A choice in ``xmforecast.calibration`` or ``xmforecast.auto`` (a constant's value) is made by
this script's figures: fold ``f``'s calibration part (bench/skill.py's :func:`~skill.split_panel`)
is split again by entity (scikit-learn ``GroupKFold(n_splits=2)``), ``auto`` is calibrated on
one inner part (vintage-honest, as in bench/skill.py) and scored on the other, both ways. The
evaluation part of fold ``f`` is never read. ``--set module.NAME=json`` replaces a constant of
``xmforecast.<module>`` before anything runs (e.g. to compare two values of ``POOLING``).

Prints, per inner split and their mean: Brier and log score of the threshold events of
bench/probability.py (for ``auto`` and the family's base rate), 80 % coverage (overall and
its lowest horizon), MSIS and MAPE of ``auto``, and MAPE of rw_drift and log_drift.

Findings: the own view's spread and pooling (Chinese panel)
-----------------------------------------------------------
Mean of the two inner splits, fold 0 | fold 1: Brier, log score, 80 % coverage, MSIS. The
error quantiles are already learned per history length and the spread already scales with
the series' own volatility (``SHRINKAGE`` pseudo-observations of the family's); what the
code makes cheap is how far each leans on its own evidence:

================================  ==============================  ==============================
setting                           fold 0                          fold 1
================================  ==============================  ==============================
as shipped (shrinkage 8, pool 4)  0.1196  0.3766  81.2 %  12.76   0.1277  0.4046  76.5 %  15.61
SHRINKAGE 4                       0.1194  0.3758  81.5 %  12.74   0.1274  0.4032  77.2 %  15.49
SHRINKAGE 16                      0.1198  0.3779  81.0 %  12.82   0.1280  0.4061  76.0 %  15.74
SHRINKAGE 32                      0.1200  0.3789  81.1 %  12.88   0.1282  0.4070  75.8 %  15.82
MAX_HISTORY 5                     0.1197  0.3771  81.2 %  12.78   0.1271  0.4027  76.8 %  15.56
MAX_HISTORY 4                     0.1192  0.3761  81.4 %  12.82   0.1270  0.4024  76.8 %  15.64
SHRINKAGE 4, MAX_HISTORY 4        0.1191  0.3753  81.7 %  12.79   0.1268  0.4014  77.6 %  15.56
POOLING 1                         0.1208  0.3803  79.5 %  12.97   0.1309  0.4156  73.7 %  16.09
POOLING 16                        0.1196  0.3765  82.1 %  12.67   0.1260  0.3992  77.5 %  15.37
POOLING 64                        0.1203  0.3784  82.3 %  12.71   0.1255  0.3977  77.8 %  15.33
POOLING 16, SHRINKAGE 4           0.1194  0.3757  82.7 %  12.63   0.1257  0.3978  78.5 %  15.24
POOLING 64, SHRINKAGE 4           0.1202  0.3778  82.9 %  12.69   0.1252  0.3962  78.6 %  15.18
================================  ==============================  ==============================

Every Brier ratio to the base rate stays between 0.93 and 0.97: no setting comes near 0.9. POOLING 16 with SHRINKAGE 4 won on both folds in every score and was looked
at once on the evaluation parts (bench/probability.py, bench/skill.py): Brier 0.1139 and
0.1232 (0.972x and 0.957x the base rate, from 0.977x and 0.963x), log score 0.362 and 0.387,
MSIS 14.4 and 12.4, MAPE 0.94x and 0.95x rw-drift's, coverage 84.5 % and 80.3 %; but fold 0's
80 % intervals then cover 86.3 % of outcomes at h = 2, outside 75-85 % at every horizon, so
it is not shipped.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import probability  # noqa: E402
import skill  # noqa: E402


def apply_settings(settings: list[str]) -> None:
    """``module.NAME=json`` → ``xmforecast.module.NAME = json.loads(...)``."""
    for setting in settings:
        target, _, value = setting.partition("=")
        module_name, _, name = target.rpartition(".")
        module = importlib.import_module(f"xmforecast.{module_name}")
        if not hasattr(module, name):
            raise SystemExit(f"--set {setting}: xmforecast.{module_name} has no {name}")
        setattr(module, name, json.loads(value))


def inner_scores(train: pd.DataFrame, test: pd.DataFrame, reference_class: str, jobs: int) -> dict[str, float]:
    """The figures of ``auto`` calibrated on `train` and scored on `test`'s windows."""
    windows = skill.make_windows(test)
    growth = probability.growth_quantiles(train)
    levels = probability.thresholds(windows.history[:, -1], growth)
    outcome = probability.outcomes(windows.actual, levels)
    run = skill.xmforecast_method(train, windows, reference_class, jobs=jobs)
    p_auto = probability.xmforecast_probability(run.fits, levels)
    p_base = probability.base_rate_probability(windows, growth, run.calibration)
    point, lower, upper = run.forecast
    scale = skill.mase_scale(windows.history)
    flat = scale > 0
    return {
        "windows": len(windows),
        "Brier": probability.brier(p_auto, outcome),
        "Brier base": probability.brier(p_base, outcome),
        "log": probability.log_score(p_auto, outcome),
        "log base": probability.log_score(p_base, outcome),
        "Brier mix": probability.brier((p_auto + p_base) / 2, outcome),
        "log mix": probability.log_score((p_auto + p_base) / 2, outcome),
        "cover %": 100 * skill.coverage(windows.actual, lower, upper),
        "min cov h %": 100 * float(np.min(skill.coverage(windows.actual, lower, upper, axis=0))),
        "MSIS": skill.msis(windows.actual[flat], lower[flat], upper[flat], scale[flat]),
        "MAPE": skill.mape(windows.actual, point),
        "MAPE rw": skill.mape(windows.actual, skill.rw_drift(windows.history)[0]),
        "MAPE log": skill.mape(windows.actual, skill.log_drift(windows.history)[0]),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panel", default="china", choices=sorted(skill.PANELS))
    parser.add_argument("--fold", type=int, default=0, choices=(0, 1))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="module.NAME=json")
    args = parser.parse_args(argv)
    apply_settings(args.settings)
    reference_class = skill.PANELS[args.panel][1]
    calibration_part, _ = skill.split_panel(skill.load_panel(args.panel), args.fold)
    rows = {}
    for inner in (0, 1):
        train, test = skill.split_panel(calibration_part, inner)
        rows[f"fold {args.fold} inner {inner}"] = inner_scores(train, test, reference_class, args.jobs)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.loc["mean"] = table.mean()
    table["Brier ratio"] = table["Brier"] / table["Brier base"]
    print(" ".join(args.settings) or "(as shipped)")
    print(table.round(4).to_string())


if __name__ == "__main__":
    main()
