from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xmforecast.exceptions import ParameterError
from xmforecast.targets import (
    attainment,
    observed_growth,
    progress_ratio,
    progress_status,
    required_growth,
    required_path,
    target_level,
    target_table,
)


def test_required_growth_closed_form():
    assert required_growth(45.16, 60, 1) == pytest.approx(60 / 45.16 - 1, abs=1e-12)
    assert required_growth(100, 200, 3) == pytest.approx(2 ** (1 / 3) - 1, abs=1e-12)
    with pytest.raises(ParameterError, match="`years` must be at least 1; got 0"):
        required_growth(1, 2, 0)
    with pytest.raises(ParameterError, match="levels must be positive"):
        required_growth(0, 2, 1)


def test_observed_growth_uses_the_window_and_gaps():
    s = pd.Series({2010: 50.0, 2013: 100.0, 2016: 200.0})
    # window 3 → from 2013 to 2016: doubling in 3 years
    assert observed_growth(s, window=3) == pytest.approx(2 ** (1 / 3) - 1)
    assert observed_growth(s, window=6) == pytest.approx(4 ** (1 / 6) - 1)
    assert math.isnan(observed_growth(pd.Series({2016: 1.0})))


@pytest.mark.parametrize(
    "ratio, status",
    [(0.95, "on track"), (0.9499, "acceleration needed"), (0.6, "acceleration needed"),
     (0.5999, "limited progress"), (0.0, "limited progress"), (-0.01, "deterioration"),
     (math.nan, "insufficient data")],
)
def test_eurostat_grades_at_their_thresholds(ratio, status):
    assert progress_status(ratio) == status


def test_already_met_overrides_and_falling_targets_are_on_track():
    assert progress_status(-1.0, already_met=True) == "already met"
    assert progress_status(math.nan, required=-0.1) == "on track"
    assert math.isnan(progress_ratio(0.1, -0.2))


def test_target_level_and_path():
    assert target_level("growth", 0.2, 117.7) == pytest.approx(141.24)
    assert target_level("flow", 200, 281) == 200
    with pytest.raises(ParameterError, match="target_type"):
        target_level("lvl", 1, 1)
    path = required_path(2016, 1225.0, 2017, 1400.0, last_year=2019)
    assert list(path.index) == [2016, 2017, 2018, 2019]
    assert path[2017] == pytest.approx(1400.0)
    assert path[2019] == pytest.approx(1225 * (1400 / 1225) ** 3)


def test_attainment_counts_paths_and_median_year():
    paths = pd.DataFrame(np.array([[1, 2, 3, 4], [2, 3, 4, 5], [5, 6, 7, 8]], dtype=float), index=[2017, 2018, 2019])
    p, year = attainment(paths, 2018, 4.0)
    assert p == 0.5  # 4 and 5 of (2, 3, 4, 5)
    assert year == 2019  # median 2.5, 3.5, 6.5
    p, year = attainment(paths, 2017, 1.5, direction="decrease")
    assert p == 0.25  # only the path at 1 is at most 1.5
    assert math.isnan(year)  # the median (2.5, 3.5, 6.5) never falls to 1.5


def test_headline_required_growth(indicators, observations):
    table = target_table(indicators, observations).set_index("indicator")
    assert table.loc["rd_spend", "required_growth"] == pytest.approx(0.2, abs=1e-6)
    assert table.loc["tech_trade", "required_growth"] == pytest.approx(60 / 45.16 - 1, abs=1e-6)
    assert table.loc["hightech_enterprises", "required_growth"] == pytest.approx(1400 / 1225 - 1, abs=1e-6)
    assert table.loc["invention_patents_per_10k", "required_growth"] == pytest.approx(20 / 18.75 - 1, abs=1e-6)
    for ind in ("rd_spend", "tech_trade", "hightech_enterprises", "invention_patents_per_10k"):
        assert table.loc[ind, "status"] in {"on track", "acceleration needed", "limited progress", "deterioration"}


def test_headline_progress_ratio_by_hand(indicators, observations):
    table = target_table(indicators, observations).set_index("indicator")
    # high-tech enterprises: window 2013..2016, 820 → 1225
    observed = (1225 / 820) ** (1 / 3) - 1
    assert table.loc["hightech_enterprises", "observed_growth"] == pytest.approx(observed)
    assert table.loc["hightech_enterprises", "progress_ratio"] == pytest.approx(observed / (1400 / 1225 - 1))


def test_target_year_already_observed_is_met_or_missed(indicators, observations):
    extra = pd.DataFrame([dict(indicator="tech_trade", year=2017, value=61.0, unit="亿元", status="user",
                               quality="user", source="t", quote=""),
                          dict(indicator="hightech_enterprises", year=2017, value=1300.0, unit="家",
                               status="user", quality="user", source="t", quote="")])
    obs = pd.concat([observations, extra], ignore_index=True)
    table = target_table(indicators, obs, origin=2017).set_index("indicator")
    assert table.loc["tech_trade", "status"] == "met" and table.loc["tech_trade", "p_attain"] == 1.0
    assert table.loc["hightech_enterprises", "status"] == "missed" and table.loc["hightech_enterprises", "p_attain"] == 0.0


def test_only_stocks_and_ratios_can_be_already_met(indicators, observations):
    table = target_table(indicators, observations).set_index("indicator")
    # 2016 national funding 6.94 亿元 is above the 2017 aim of 6 亿元, but it is a yearly amount
    assert table.loc["national_st_funding", "status"] == "on track"
    assert table.loc["hightech_new_certified", "status"] == "on track"  # flow 281 vs 200
    reg = indicators.set_index("id")
    assert reg.loc["national_st_funding", "kind"] == "amount"


def test_a_target_without_baseline_says_so(indicators, observations):
    row = target_table(indicators, observations).set_index("indicator").loc["online_tech_trade"]
    assert row["status"] == "insufficient data" and "no baseline" in row["note"]
    assert math.isnan(row["required_growth"])


def test_the_table_says_which_points_are_derived_or_grade_c(indicators, observations):
    table = target_table(indicators, observations).set_index("indicator")
    # tech_trade: 2010 derived from the 2011 bulletin (C), 2011 published (C), 2015 derived from the seed
    assert table.loc["tech_trade", "data_quality"] == "derived: 2010, 2015; grade C: 2011"
    assert table.loc["rd_spend", "data_quality"] == "derived: 2014; grade C: 2012"
    assert target_table(indicators, observations, origin=2013).set_index("indicator").loc[
        "tech_trade", "data_quality"] == "derived: 2010; grade C: 2011"


def _decrease_plan(history: dict[int, float], target: float):
    """A one-indicator plan whose target is a ceiling below the base (e.g. energy per unit of GDP)."""
    import xmforecast

    indicators = pd.DataFrame([dict(
        id="energy_intensity", name_zh="能耗", name_en="Energy intensity", unit="t/万元", kind="ratio",
        direction="decrease", base_year=2016, base_value=history[2016], base_quote=None, base_source="history",
        prior_growth=None, prior_growth_quote=None, target_year=2018, target_type="level", target_value=target,
        target_quote=None, notes=None,
    )])
    rows = [dict(indicator="energy_intensity", year=y, value=v, unit="t/万元", status="published", quality="A",
                 source="t", quote="") for y, v in history.items()]
    return indicators, pd.DataFrame(rows, columns=xmforecast.data.COLUMNS)


def test_a_decrease_target_moving_away_is_deterioration():
    indicators, obs = _decrease_plan({2014: 0.50, 2015: 0.55, 2016: 0.60}, target=0.48)
    row = target_table(indicators, obs).iloc[0]
    assert row["required_growth"] < 0 < row["observed_growth"]
    assert row["progress_ratio"] == pytest.approx(row["observed_growth"] / row["required_growth"])
    assert row["progress_ratio"] < 0 and row["status"] == "deterioration"


def test_a_decrease_target_falling_fast_enough_is_on_track():
    indicators, obs = _decrease_plan({2014: 0.80, 2015: 0.70, 2016: 0.60}, target=0.55)
    row = target_table(indicators, obs).iloc[0]
    assert row["progress_ratio"] > 0.95 and row["status"] == "on track"
    assert progress_status(0.7, required=-0.1, direction="decrease") == "acceleration needed"
    assert progress_status(math.nan, required=0.1, direction="decrease") == "on track"
    assert progress_ratio(0.05, -0.1, direction="decrease") == pytest.approx(-0.5)


def test_attainment_counts_a_decrease_target_met_at_or_below_it():
    paths = pd.DataFrame([[0.48, 0.47, 0.49, 0.60], [0.40, 0.45, 0.48, 0.46]], index=[2017, 2018])
    p, year = attainment(paths, 2018, 0.48, direction="decrease")
    assert p == 1.0  # every 2018 value is at or below 0.48, the one at 0.48 included
    assert year == 2018  # medians 0.485 (above the ceiling), then 0.455
    p, _ = attainment(paths, 2018, 0.48)
    assert p == 0.25  # as a floor only the path at 0.48 meets it


def test_a_user_row_for_the_base_year_sets_base_value_and_required_growth(indicators, write_csv):
    import xmforecast

    path = write_csv("indicator,year,value\ntech_trade,2016,50\n")
    obs = xmforecast.load_observations(path, indicators=indicators)
    row = target_table(indicators, obs).set_index("indicator").loc["tech_trade"]
    assert row["latest_value"] == 50 and row["base_value"] == 50
    assert row["required_growth"] == pytest.approx(60 / 50 - 1)


@pytest.mark.parametrize("direction, median", [("increase", 199.99999999999997), ("decrease", 200.00000000000003)])
def test_a_median_on_the_target_up_to_rounding_meets_it(direction, median):
    # the required-rate scenario centres the paths on the target: a rounding error is not a miss
    falling = pd.DataFrame([[median - 1, median, median + 1], [140.0, 142.0, 144.0]], index=[2017, 2018])
    rising = pd.DataFrame([[median - 1, median, median + 1], [260.0, 262.0, 264.0]], index=[2017, 2018])
    _, year = attainment(falling if direction == "increase" else rising, 2017, 200.0, direction=direction)
    assert year == 2017
    _, year = attainment(falling, 2017, 200.01, direction="increase")
    assert math.isnan(year)  # a real shortfall still is one


# --------------------------------------------------------------------------- one verdict

from xmforecast.targets import grade_words, required_growth_from_latest, verdict, verdicts  # noqa: E402


@pytest.mark.parametrize("lang, status, p, direction, text", [
    ("en", "on track", 0.14, "increase", "past pace sufficient, but the forecast expects a slowdown: unlikely, 14 %"),
    ("zh", "on track", 0.14, "increase", "以往增速足够,但预测增长将放缓:不太可能,14 %"),
    ("en", "on track", 0.03, "decrease", "past pace sufficient, but the forecast expects the fall to slow: "
                                         "very unlikely, 3 %"),
    ("en", "on track", 0.84, "increase", "past pace sufficient, and the forecast agrees: likely, 84 %"),
    ("zh", "on track", 0.84, "increase", "以往增速足够,预测也如此:可能,84 %"),
    ("en", "limited progress", 0.9, "increase", "past pace far too slow, but the forecast expects a speed-up: "
                                                "very likely, 90 %"),
    ("zh", "deterioration", 0.0, "decrease", "以往在背离目标,预测也如此:很不可能,0 %"),
    ("en", "insufficient data", 0.004, "increase", "too little history to judge the past pace; forecast: "
                                                   "very unlikely, <1 %"),
    ("zh", "insufficient data", 0.004, "increase", "历史太短,无法判断以往增速;预测:很不可能,<1 %"),
    ("en", "already met", 0.2, "increase", "already at the target, but the forecast expects it to slip back: "
                                           "unlikely, 20 %"),
    ("en", "met", 1.0, "increase", "met"),
    ("zh", "missed", 0.0, "increase", "未实现"),
])
def test_one_verdict_reconciles_the_past_pace_and_the_forecast(lang, status, p, direction, text):
    assert verdict(status, p, direction=direction, lang=lang) == text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_verdict_without_a_probability_says_why_and_keeps_the_past_pace(lang):
    cannot = verdict("on track", math.nan, note="not simulated: too short", lang=lang)
    assert cannot.startswith(grade_words("on track", lang))
    assert ("模型无法拟合" if lang == "zh" else "the model cannot fit") in cannot
    assert verdict("insufficient data", None, has_baseline=False, lang=lang) == (
        "无法评估(无基期值)" if lang == "zh" else "not assessed: no baseline")


def test_the_grade_is_named_for_what_it_measures():
    for status in ("on track", "acceleration needed", "limited progress"):
        assert grade_words(status).startswith("past pace") and grade_words(status, "zh").startswith("以往增速")
    assert "on track" not in grade_words("on track")


def test_verdicts_take_the_direction_from_the_registry():
    table = pd.DataFrame({"indicator": ["down", "up"], "status": ["on track"] * 2, "p_attain": [0.1, 0.1],
                          "base_value": [5.6, 1.0]})
    registry = pd.DataFrame({"id": ["down", "up"], "direction": ["decrease", "increase"]})
    said = verdicts(table, registry).tolist()
    assert "the fall to slow" in said[0] and "a slowdown" in said[1]


def test_required_growth_is_counted_from_the_latest_observation(indicators):
    from xmforecast.registry import load_indicators
    from xmforecast.data import load_observations
    from pathlib import Path

    city = Path(__file__).resolve().parent.parent / "examples" / "lakeside"
    registry = load_indicators(city / "indicators.yaml")
    obs = load_observations(city / "observations.csv", indicators=registry)
    table = target_table(registry, obs, origin=2023).set_index("indicator")
    for ind, row in table.iterrows():
        latest = obs[(obs["indicator"] == ind) & (obs["year"] == row["latest_year"])]["value"].iloc[0]
        expected = (row["target_level"] / latest) ** (1 / (row["target_year"] - row["latest_year"])) - 1
        assert row["required_from_latest"] == pytest.approx(expected)
    assert table.loc["energy_intensity", "required_from_latest"] < 0, "a target wanted down must fall"
    assert math.isnan(required_growth_from_latest(5.0, 2025, 4.8, 2025))


def test_a_target_year_before_the_data_is_not_assessed_and_said_on_stderr(tmp_path, capsys):
    from pathlib import Path

    from xmforecast.cli import main

    data = tmp_path / "observations.csv"
    data.write_text("indicator,year,value\nresearch_spending,2015,301\nresearch_spending,2016,318.5\n", encoding="utf-8")
    (tmp_path / "indicators.yaml").write_text(
        "- {id: research_spending, name_en: Research spending, unit: million EUR, kind: amount, "
        "direction: increase, target_year: 2012, target_type: level, target_value: 520}\n", encoding="utf-8")
    code = main(["targets", "--format", "csv", "--indicators", str(tmp_path / "indicators.yaml"), "--data", str(data)])
    out, err = capsys.readouterr()
    assert code == 0 and "not assessed: no baseline" in out
    assert err.strip() == ("xmforecast: warning: research_spending: not assessed: the target year 2012 is before the "
                           "first observation (2015); check the registry's target_year")
