"""What it takes for every target: required growth and path, growth for a probability, levers."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import xmforecast
from xmforecast import what_it_takes_table
from xmforecast.effort import EFFORT_COLUMNS, shift_for_probability
from xmforecast.exceptions import ParameterError
from xmforecast.scenarios import Scenario

CITY = Path(__file__).resolve().parent.parent / "examples" / "lakeside"


@pytest.fixture(scope="module")
def city():
    return xmforecast.Plan.from_files(indicators=CITY / "indicators.yaml", data=CITY / "observations.csv")


@pytest.fixture(scope="module")
def city_effort(city):
    return what_it_takes_table(city.observations, city.indicators, n_paths=1000, rng=5)


def test_one_row_per_target_with_every_column(city, city_effort):
    assert list(city_effort.columns) == EFFORT_COLUMNS
    assert city_effort["indicator"].tolist() == city.ids
    assert city_effort["growth_for_probability"].notna().all() and (city_effort["probability"] == 0.8).all()


def test_the_shift_found_gives_the_probability_asked_and_no_less_shift_does(city, city_effort):
    for row in city_effort.itertuples():
        down = -1 if row.direction == "decrease" else 1
        for nudge, meets in ((1e-6, True), (-1e-3, False)):
            sc = Scenario(scenario="check", growth_shift=row.growth_shift_for_probability + down * nudge)
            p = city.assess_targets(scenario=sc, n_paths=1000, rng=5).set_index("indicator").loc[row.indicator,
                                                                                                  "p_attain"]
            assert bool(p >= 0.8) == meets, (row.indicator, nudge, p)


def test_the_required_path_runs_from_the_latest_value_to_the_target(city_effort):
    row = city_effort.set_index("indicator").loc["energy_intensity"]
    path = row["required_path"]
    assert list(path) == [2023, 2024, 2025]
    assert path[2023] == pytest.approx(row["latest_value"]) and path[2025] == pytest.approx(row["target_level"])
    assert row["required_growth"] < 0 < row["expected_growth"]  # wanted down, moving up
    assert row["growth_for_probability"] < row["required_growth"]  # 80 % needs more than the median path


def test_structural_targets_get_their_lever_and_every_target_a_row(indicators, observations):
    table = what_it_takes_table(observations, indicators, n_paths=300, rng=0)
    assert len(table) == indicators["target_type"].notna().sum()
    by_id = table.set_index("indicator")
    structural = indicators.loc[indicators["model"] != "auto", "id"]
    assert len(structural) >= 1
    for ind in structural:
        if ind in by_id.index:
            assert by_id.loc[ind, "lever"] and math.isfinite(by_id.loc[ind, "lever_needed_per_year"])
    assert (by_id.loc[by_id["latest_value"].isna(), "note"] == "no baseline or observation to start from").all()


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(0.1, 1e6), min_size=1, max_size=50), target=st.floats(0.1, 1e6),
       years=st.integers(1, 10), probability=st.floats(0.05, 0.95), down=st.booleans())
def test_property_the_shift_meets_the_target_on_the_share_asked(values, target, years, probability, down):
    direction = "decrease" if down else "increase"
    shift = shift_for_probability(values, target, years, probability, direction=direction)
    shifted = np.asarray(values) * (1 + shift) ** years
    meets = shifted >= target * (1 - 1e-9) if not down else shifted <= target * (1 + 1e-9)
    assert meets.mean() >= probability - 1e-12


def test_a_probability_outside_0_1_is_refused():
    with pytest.raises(ParameterError, match="`probability` must be between 0 and 1"):
        shift_for_probability([1.0], 2.0, 1, 1.2)
