"""Calibration of ``auto``: reproducible, honest in time, and fair to every entity."""
from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from xmforecast.auto import Auto
from xmforecast.calibration import (
    VINTAGES,
    _entity_weights,
    _runs,
    _windows,
    calibrate,
    load_panel,
    panel_frame,
    write_calibration,
)
from xmforecast.exceptions import DataError


@pytest.mark.parametrize("reference_class, vintage", [("global", 2018), ("china_regions", 2016),
                                                      ("china_regions", 2023)])
def test_recalibrating_reproduces_the_shipped_vintage(tmp_path, reference_class, vintage):
    assert vintage in VINTAGES[reference_class]
    shipped = resources.files("xmforecast").joinpath("data", "calibration", reference_class,
                                                     f"{vintage}.json").read_text("utf-8")
    table = calibrate(load_panel(reference_class), vintages=[vintage], reference_class=reference_class)[vintage]
    assert write_calibration(table, tmp_path / "v.json").read_text("utf-8") == shipped


def test_every_listed_vintage_is_shipped_and_nothing_else():
    for reference_class, years in VINTAGES.items():
        folder = resources.files("xmforecast").joinpath("data", "calibration", reference_class)
        shipped = sorted(int(p.name[:-5]) for p in folder.iterdir() if p.name.endswith(".json"))
        assert shipped and set(shipped) <= set(years)
        # a listed vintage is missing only where the panel had too little data before it
        assert shipped == [y for y in years if y >= shipped[0]]


def test_no_look_ahead_changing_later_panel_values_changes_nothing():
    panel = load_panel("china_regions")
    later = panel["year"] > 2014
    changed = panel.copy()
    changed.loc[later, "value"] = changed.loc[later, "value"] * np.random.default_rng(0).uniform(0.2, 5.0, later.sum())
    first = calibrate(panel, vintages=[2014], reference_class="china_regions")
    second = calibrate(changed, vintages=[2014], reference_class="china_regions")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    history = pd.Series([80.0, 95.0, 117.7], index=[2012, 2013, 2014])
    a = Auto(calibration=first, family="rd_money").fit(history).forecast(4)
    b = Auto(calibration=second, family="rd_money").fit(history).forecast(4)
    pd.testing.assert_frame_equal(a, b)
    # and the later values do matter to a later vintage: the test above can fail
    assert calibrate(panel, vintages=[2016], reference_class="china_regions") != \
        calibrate(changed, vintages=[2016], reference_class="china_regions")


def test_windows_are_runs_of_consecutive_years_up_to_the_vintage():
    panel = pd.DataFrame({"series_id": "p/d/c/e", "year": [*range(2000, 2006), *range(2007, 2012)],
                          "value": np.arange(1.0, 12.0)})
    runs = _runs(panel_frame(panel))
    w = _windows(runs, 4, vintage=2010)
    # 2000-2005 gives 3 windows of 4 years, 2007-2010 one (2011 is after the vintage)
    assert len(w["logs"]) == 4
    assert (np.diff(w["years"], axis=1) == 1).all() and w["years"].max() == 2010
    assert set(w["group"]) == {"e"}  # the last part of the id, without package and dataset columns


def test_a_panel_without_enough_entities_is_refused():
    panel = pd.DataFrame({"series_id": "p/d/c/e", "year": range(2000, 2010), "value": 1.0})
    with pytest.raises(DataError, match="from 5 entities"):
        calibrate(panel)


def test_each_entity_weighs_the_same_however_many_windows():
    family = np.array(["a"] * 12 + ["b"] * 2, dtype=object)
    group = np.array(["x"] * 10 + ["y"] * 2 + ["x", "z"], dtype=object)
    w = _entity_weights(family, group, None)
    # within family a: entity x (10 windows) and y (2) weigh the same; each family the same
    assert w[:10].sum() == pytest.approx(w[10:12].sum()) == pytest.approx(0.25)
    assert w[12:].sum() == pytest.approx(0.5)
    focus = _entity_weights(family, group, "b")
    # family b's own 2 entities count once each, the rest of the class as 4 entities more
    assert focus[12:].sum() == pytest.approx(2 / 6) and focus[:12].sum() == pytest.approx(4 / 6)


def _growing_panel(rate: float, entities: int = 12, years: int = 15, noise: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(entities):
        start = rng.uniform(10, 1000)
        shocks = rng.normal(0, noise, years).cumsum() if noise else np.zeros(years)
        rows += [(f"p/d/c/e{i}", 1990 + t, start * (1 + rate) ** t * np.exp(shocks[t])) for t in range(years)]
    return pd.DataFrame(rows, columns=["series_id", "year", "value"])


def test_calibration_learns_a_steady_compound_growth():
    cal = calibrate(_growing_panel(0.15))
    s = pd.Series(100 * 1.15 ** np.arange(7), index=range(1998, 2005))
    f = Auto(calibration=cal).fit(s).forecast(4)
    np.testing.assert_allclose(f["point"].to_numpy(), s.iloc[-1] * 1.15 ** np.arange(1, 5), rtol=2e-3)
    # the outside view of a single observation is the class's growth too
    one = Auto(calibration=cal).fit(s.iloc[-1:]).forecast(2)
    np.testing.assert_allclose(one["point"].to_numpy(), s.iloc[-1] * 1.15 ** np.arange(1, 3), rtol=2e-3)
    assert json.loads(json.dumps(cal[2004])) == cal[2004]  # plain JSON


def test_base_rates_are_learned_per_family_and_horizon():
    from xmforecast.reference import base_rate

    panel = pd.concat([_growing_panel(0.2, noise=0.05).assign(family="fast"),
                       _growing_panel(0.02, noise=0.05).assign(family="slow",
                                                               series_id=lambda d: d["series_id"] + "s")])
    table = calibrate(panel, reference_class="china_regions")[2004]
    assert base_rate(0.10, 1, table=table, family="fast") > 0.8
    assert base_rate(0.10, 1, table=table, family="slow") < 0.2
    assert 0.3 < base_rate(0.10, 1, table=table, family="other") < 0.7  # the class pooled
    assert base_rate(0.10, 1, table=table, family="slow", direction="decrease") > 0.8
