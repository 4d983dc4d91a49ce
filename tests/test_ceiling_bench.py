"""The ceiling study (bench/ceiling.py): the class's growth and the events' frequency, on hand-worked panels."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def ceiling(bench_script):
    return bench_script("ceiling")


def test_class_growth_is_the_median_log_step_by_family_and_year_and_a_gap_breaks_a_step(ceiling):
    panel = pd.DataFrame({
        "series_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
        "family": ["f", "f", "f", "f", "f", "f", "g", "g", "g"],
        "year": [2010, 2011, 2012, 2010, 2011, 2012, 2010, 2011, 2013],
        "value": [1.0, 2.0, 2.0, 1.0, 4.0, 8.0, 1.0, 3.0, 9.0],
    })
    growth = ceiling.class_growth(panel)
    assert growth[("f", 2011)] == pytest.approx(np.median([math.log(2), math.log(4)]))
    assert growth[("f", 2012)] == pytest.approx(np.median([0.0, math.log(2)]))
    assert growth[("g", 2011)] == pytest.approx(math.log(3))
    assert np.isnan(growth.get(("g", 2013), np.nan))  # 2011 -> 2013 is not a yearly step


def test_the_frequency_is_the_share_of_training_events_with_the_same_family_horizon_and_growth(ceiling):
    train = pd.DataFrame({"family f": [1.0, 1.0, 1.0, 0.0], "h": [1, 1, 2, 1], "required": [0.1] * 4})
    outcome = np.array([True, False, True, True])
    test = pd.DataFrame({"family f": [1.0, 0.0, 1.0, 1.0], "h": [1, 1, 2, 3], "required": [0.1] * 4})
    # unseen (h = 3): the training events' overall share, 3 of 4
    np.testing.assert_allclose(ceiling.frequency(train, outcome, test), [0.5, 1.0, 1.0, 0.75])


def test_only_the_oracle_row_reads_the_outcome_years(ceiling):
    inputs = pd.DataFrame(columns=["h", "required", "family f", "mean6", "mean3", "last", "sd", "gap mean6",
                                   "gap mean3", "gap last", "class0", "class1", "gap class0", "year", "oracle",
                                   "gap oracle"])
    for row in ceiling.ROWS:
        reads_future = {"oracle", "gap oracle"} & set(ceiling.columns(row, inputs))
        assert bool(reads_future) == (row == "oracle"), row
