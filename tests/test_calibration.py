"""Calibration of ``auto`` on the reference panel: reproducible, and honest about what it learns."""
from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from xmforecast.calibration import calibrate, load_panel, panel_windows, write_calibration
from xmforecast.exceptions import DataError


def test_recalibrating_reproduces_the_shipped_file(tmp_path):
    shipped = resources.files("xmforecast").joinpath("data/calibration.json").read_text("utf-8")
    path = write_calibration(calibrate(load_panel()), tmp_path / "calibration.json")
    assert path.read_text("utf-8") == shipped


def test_windows_are_runs_of_consecutive_years():
    panel = pd.DataFrame({"series_id": "p/d/c/e", "year": [*range(2000, 2012), *range(2013, 2024)],
                          "value": np.arange(1.0, 24.0)})
    w = panel_windows(panel)
    # 12 consecutive years give 2 windows, the 11 after the gap 1
    assert len(w["logs"]) == 3
    assert (np.diff(w["years"], axis=1) == 1).all()
    assert set(w["group"]) == {"p/d/e"}


def test_a_panel_without_a_long_run_is_refused():
    panel = pd.DataFrame({"series_id": "p/d/c/e", "year": range(2000, 2010), "value": 1.0})
    with pytest.raises(DataError, match="no run of 11 consecutive years"):
        panel_windows(panel)


def test_calibration_learns_a_steady_growth():
    # Series growing by exactly 5 % a year: the rule must forecast 5 % a year, errors near zero.
    rng = np.random.default_rng(0)
    rows = []
    for i in range(30):
        start = rng.uniform(10, 1000)
        rows += [(f"p/d/c/e{i}", 1990 + t, start * 1.05**t) for t in range(15)]
    cal = calibrate(pd.DataFrame(rows, columns=["series_id", "year", "value"]), shrinkage=2.0)
    from xmforecast.auto import Auto

    s = pd.Series(100 * 1.05 ** np.arange(7), index=range(2010, 2017))
    f = Auto(calibration=cal).fit(s).forecast(4)
    np.testing.assert_allclose(f["point"].to_numpy(), s.iloc[-1] * 1.05 ** np.arange(1, 5), rtol=2e-3)
    assert json.loads(json.dumps(cal)) == cal  # plain JSON


def test_clustered_standard_error_counts_entities_not_windows():
    from xmforecast.calibration import _clustered_se

    values = np.array([0.3, -0.1, 0.5, 0.2, -0.4, 0.1])
    # One window per entity: the textbook standard error of the mean.
    alone = _clustered_se(values, np.arange(6))
    assert alone == pytest.approx(values.std(ddof=1) / np.sqrt(6))
    # Each entity's value seen in four overlapping windows is still six observations:
    # the error must not shrink by sqrt(4) as it would if the copies were independent.
    copies = _clustered_se(np.repeat(values, 4), np.repeat(np.arange(6), 4))
    assert copies == pytest.approx(alone)
    assert values.std(ddof=1) / np.sqrt(24) < copies / 1.9
