"""The report module: one format per kind of number, one colour scale, the summary's columns."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from xmforecast import colours, phrases, report


@pytest.mark.parametrize(
    "value, text",
    [(0.9988, ">99 %"), (0.995, ">99 %"), (0.004, "<1 %"), (0.0, "0 %"), (1.0, "100 %"), (0.2149, "21 %"),
     (0.845, "84 %"), (float("nan"), "—"), (None, "—"), (pd.NA, "—")],
)
def test_probabilities_read_the_same_everywhere(value, text):
    assert report.format_probability(value) == text


@pytest.mark.parametrize(
    "function, value, text",
    [
        (report.format_count, 1225.0, "1,225"),
        (report.format_count, 1400.000000, "1,400"),
        (report.format_amount, 45.16, "45.16"),
        (report.format_amount, 141.24, "141.2"),
        (report.format_amount, -0.0001, "0.00"),
        (report.format_percent, 0.19999999999999996, "20 %"),
        (report.format_percent, -0.0004, "0 %"),
        (report.format_percent, -0.004, "0 %"),
        (report.format_ratio, -0.001, "0.00"),
        (report.format_year, 2017.0, "2017"),
        (report.format_value, pd.NA, "—"),
    ],
)
def test_numbers_as_people_write_them(function, value, text):
    assert function(value) == text


@pytest.mark.parametrize("value", [float("nan"), None, pd.NA, "nan", "<NA>", "None"])
def test_no_missing_value_is_written_as_nan_none_or_na(value):
    for function in (report.format_count, report.format_amount, report.format_percent,
                     report.format_probability, report.format_ratio, report.format_year):
        assert function(value) == report.MISSING


def test_one_band_for_every_probability_and_a_verdict_in_words():
    edges = [b.low for b in report.PROBABILITY_BANDS] + [1.0]
    assert edges == sorted(edges) and edges[0] == 0
    for p in [i / 100 for i in range(101)]:
        band = report.probability_band(p)
        assert band.low <= p <= band.high
    assert report.verdict({"p_attain": 0.84, "status": "on track", "base_value": 1}).endswith("likely, 84 %")
    assert report.verdict({"p_attain": 0.21, "status": "on track", "base_value": 1}).endswith(": unlikely, 21 %")
    assert report.probability_band(0.21) is report.probability_band(0.30)


def test_csv_rounded_to_the_precision_of_the_inputs():
    frame = pd.DataFrame({
        "indicator": ["rd_spend", "hightech_enterprises"], "base_value": [117.7, 1225.0],
        "latest_value": [117.7, 1225.0], "target_level": [141.24, 1400.0],
        "point": [128.2811, 1482.4], "required_growth": [0.19999999999999996, 0.1428571428571428],
        "p_attain": [0.31812345, 0.894], "progress_ratio": [0.5248401715490215, 1.002127229027396],
        "expected_year": [2018.0, math.nan],
    })
    text = report.round_for_csv(frame).to_csv(index=False)
    assert "0.19999999999999996" not in text and ",0.2," in text
    assert "128.3" in text and ",1482," in text and "2018.0" not in text and "nan" not in text.lower()


def _row(**values):
    base = dict(indicator="x", name_zh="某指标", name_en="Some indicator", unit="家", target_year=2017,
                target_type="flow", target_value=200.0, target_level=200.0, base_value=346.0, latest_value=346.0,
                latest_year=2016, direction="increase", required_growth=-0.42, status="on track", p_attain=math.nan,
                expected_year=math.nan, note="", lever=None, lever_needed=None)
    return {**base, **values}


def test_a_target_already_exceeded_says_so_instead_of_not_within_the_horizon():
    rows = report.answer_table(pd.DataFrame([_row()]), "en")
    assert rows[0]["expected"] == "2016 figure already beyond it"
    assert rows[0]["takes"] == "no growth needed"


def test_the_page_says_why_a_model_cannot_fit_and_escapes_every_value():
    from xmforecast.scenarios import Scenario

    note = "not simulated: `ets` needs at least 8 observations; got 3."
    summary = pd.DataFrame([_row(indicator="rd_spend", latest_value=117.7, target_level=141.24, note=note,
                                 name_en="R&D <spending>")])
    page = report.render_summary(summary, Scenario(scenario="t", title="A <b>bold</b> title", model="ets"), "en")
    assert "no estimate: the model cannot fit" in page and "needs at least 8 observations; got 3" in page
    assert "A &lt;b&gt;bold&lt;/b&gt; title" in page and "R&amp;D &lt;spending&gt;" in page
    assert "ets" in page.split("What this scenario assumes")[1]


def test_assumptions_are_words_with_units_not_raw_keys():
    from xmforecast.scenarios import Scenario

    words = dict(report.assumptions(Scenario(scenario="s", recertification_rate=0.9, new_certifications=250,
                                             volatility_scale=1.3), "en"))
    assert words["Expiring high-tech certificates renewed"] == "90 %"
    assert words["New high-tech certifications a year"] == "250 firms"
    assert words["Spread around the trend"] == "130 % of what history shows"
    assert not any("_" in label for label in words)


def test_an_expected_year_beyond_the_simulation_is_written_as_such():
    row = _row(p_attain=0.2, expected_year="after 2035", latest_value=100.0, confidence="low")
    rows = report.answer_table(pd.DataFrame([row]), "en")
    assert rows[0]["expected"] == "after 2035" and rows[0]["confidence"] == "confidence low"
    assert report.answer_table(pd.DataFrame([row]), "zh")[0]["expected"] == "2035 年以后"
    text = report.round_for_csv(pd.DataFrame([row, _row(expected_year=2019.0)])).to_csv(index=False)
    assert ",after 2035," in text and ",2019," in text


@pytest.mark.parametrize("lang, words", [("zh", "2017 年新认定高新技术企业 ≥ 242"), ("en", "≥ 242 new certifications in 2017")])
def test_what_it_takes_names_the_lever_as_its_model_declares(lang, words):
    from xmforecast.phrases import takes_words

    row = {"required_growth": 0.143, "lever": "first-time certifications per year [firms]", "lever_needed": 241.3,
           "target_year": 2017}
    assert words in takes_words(row, lang)
    unknown = {**row, "lever": "hubs opened per year [hubs]"}
    assert "hubs opened per year [hubs]" in takes_words(unknown, lang)  # a lever no model declares is shown as given


def test_the_page_shows_each_target_s_base_rate_with_whose_it_is():
    from xmforecast.scenarios import Scenario

    row = _row(indicator="rd_spend", target_type="growth", target_value=0.2, required_growth=0.2, base_year=2016,
               p_attain=0.1, latest_value=117.7, base_rate=0.3002, reference_class="china_regions",
               family="rd_money", vintage=2016)
    en = report.answer_table(pd.DataFrame([row]), "en")[0]
    assert en["base_rate"] == "30 %" and en["base_rate_of"] == "R&D spending, Chinese provinces 2010–2016"
    assert en["base_rate_note"] == ("Chinese provinces' R&D spending grew 20 % or more in a year in 30 % of "
                                    "province-years 2010-2016.")
    zh = report.answer_table(pd.DataFrame([row]), "zh")[0]
    assert zh["base_rate_of"] == "中国各省份研发经费 2010–2016" and "一年增长20%及以上的省份年占30%" in zh["base_rate_note"]
    page = report.render_summary(pd.DataFrame([row]), Scenario(scenario="t"), "en")
    assert "<th>Base rate</th>" in page and 'title="Chinese provinces&#39; R&amp;D spending grew 20\u00a0%' in page
    # no base rate (no required growth): a dash, no sentence
    assert report.answer_table(pd.DataFrame([_row()]), "en")[0]["base_rate"] == report.MISSING


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_target_wanted_down_reads_at_most_and_fall(lang):
    row = {"indicator": "energy_intensity", "target_type": "level", "target_value": 4.8, "target_year": 2025,
           "unit": "MJ per EUR", "direction": "decrease", "latest_value": 5.6, "latest_year": 2023,
           "target_level": 4.8, "required_growth": -0.0378, "status": "deterioration", "p_attain": 0.0,
           "base_value": 5.6}
    target = report.answer_table(pd.DataFrame([row]), lang)[0]
    assert "≤ 4.8" in target["target"] and "≥" not in target["target"]
    assert target["takes"] == ("年降 7 %" if lang == "zh" else "fall 7 % a year")  # (4.8 / 5.6) ** (1 / 2) - 1
    up = report.answer_table(pd.DataFrame([{**row, "direction": "increase", "target_value": 6.0,
                                            "target_level": 6.0}]), lang)[0]
    assert "≥ 6" in up["target"] and up["takes"] == ("年增 4 %" if lang == "zh" else "4 % a year")


def test_what_it_takes_counts_from_the_latest_figure_not_the_base_year():
    row = {"indicator": "research_spending", "target_type": "level", "target_value": 520.0, "target_year": 2025, "base_year": 2021,
           "base_value": 412.0, "required_growth": 0.06, "latest_value": 470.0, "latest_year": 2023,
           "target_level": 520.0, "direction": "increase", "status": "on track", "p_attain": 0.3}
    assert report.answer_table(pd.DataFrame([row]), "en")[0]["takes"] == "5 % a year"  # (520 / 470) ** .5 - 1


def test_one_rounding_rule_for_the_lever_everywhere():
    row = {"indicator": "x", "lever": "first-time certifications per year [firms]", "lever_needed": 242.3, "target_year": 2017, "base_value": 1,
           "latest_value": 1225, "latest_year": 2016, "target_level": 1400, "direction": "increase"}
    csv = report.round_for_csv(pd.DataFrame([row]))
    assert int(csv["lever_needed"].iloc[0]) == 243 == report.lever_count(242.3)
    assert "≥ 243 " in phrases.takes_words(row, "en") and "≥ 243 " in phrases.takes_words(
        {**row, "lever_needed": csv["lever_needed"].iloc[0]}, "en")


@pytest.mark.parametrize("p, words", [(0.896, "very likely"), (0.0996, "unlikely"), (0.6551, "likely"), (0.6549, "about as likely as not"),
                                      (0.004, "very unlikely"), (0.995, "very likely")])
def test_a_probability_is_worded_and_coloured_as_written(p, words):
    """"90 %" never sits in the 66–90 % class: words and colour go by the number shown."""
    shown = report.format_probability(p)
    band = report.probability_band(p)
    assert band.key == words
    number = float(shown.strip("<> %"))
    assert band.low * 100 <= number <= band.high * 100 and not (number == band.high * 100 and band.high < 1)
    assert report.verdict({"p_attain": p, "status": "on track", "base_value": 1}).endswith(f"{words}, {shown}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_required_rate_scenario_is_a_grey_check_not_a_forecast(lang):
    rows = pd.DataFrame([
        {"scenario": s, "title": s, "indicator": "tech_trade", "name_zh": "技术合同交易额", "name_en": "Tech trade",
         "target_type": "level", "target_value": 60, "target_year": 2017, "unit": "亿元", "base_value": 45.16,
         "status": "on track", "p_attain": 0.51, "at_required_rate": flag}
        for s, flag in (("baseline", False), ("required_rate", True))])
    html = report.comparison_table(rows, lang)
    cells = re.findall(r'<td class="p" style="background: (#\w+);[^>]*>([^<]*)</td>', html)
    assert cells[0][0] == report.probability_color(0.51) and cells[1][0] == colours.NO_PROBABILITY
    assert ("检验而非预测" if lang == "zh" else "a check, not a forecast") in cells[1][1] and "51\u00a0%" in cells[1][1]
    answer = report.answer_table(rows[rows["scenario"] == "required_rate"], lang)[0]
    assert answer["color"] == colours.NO_PROBABILITY


def test_the_comparison_chart_greys_the_required_rate_column(close_figures):
    import matplotlib

    from xmforecast import plots
    from xmforecast.registry import load_indicators

    base = load_indicators().rename(columns={"id": "indicator"}).head(2)
    summary = pd.concat([base.assign(scenario=s, p_attain=0.5, at_required_rate=flag)
                         for s, flag in (("baseline", False), ("required_rate", True))])
    fig = plots.comparison_chart(summary, lang="en")
    image = fig.axes[0].get_images()[0]
    rgba = image.to_rgba(image.get_array())
    assert matplotlib.colors.to_hex(rgba[0, 1]) == colours.NO_PROBABILITY
    assert matplotlib.colors.to_hex(rgba[0, 0]) == report.probability_color(0.5)
    assert [t.get_text() for t in fig.axes[0].texts][:2] == ["50 %", "50 %"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_very_wide_interval_is_explained_on_the_page(lang):
    row = {"indicator": "fund", "name_zh": "基金规模", "name_en": "Fund size", "unit": "亿元", "kind": "stock",
           "target_type": "level", "target_value": 4.0, "target_year": 2017, "base_value": 2.0, "latest_value": 2.0,
           "latest_year": 2016, "target_level": 4.0, "status": "insufficient data", "p_attain": 0.01,
           "point": 2.1, "lower": 0.6, "upper": 7.5, "level": 80.0}
    about = report.detail_table(pd.DataFrame([row]), lang).iloc[0, -1]
    assert ("区间很宽" if lang == "zh" else "interval for 2017 is wide") in about and "0.60" in about
    narrow = report.detail_table(pd.DataFrame([{**row, "lower": 1.9, "upper": 2.3}]), lang).iloc[0, -1]
    assert ("区间很宽" if lang == "zh" else "wide") not in narrow


def test_a_gap_has_the_decimals_of_the_published_figures():
    row = {"indicator": "hongbao", "name_en": "Innovation vouchers", "unit": "万元", "kind": "flow",
           "target_type": "flow", "target_value": 1600.0, "target_year": 2017, "base_value": 1849.0,
           "latest_value": 1849.0, "latest_year": 2016, "target_level": 1600.0, "gap": -249.0, "status": "on track",
           "p_attain": 0.96}
    table = report.detail_table(pd.DataFrame([row]), "en")
    assert table.loc[0, "Gap"] == "-249"  # not -249.0 beside counts written -146


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_and_its_history_are_tables_in_words(lang):
    import xmforecast
    from xmforecast import report

    registry = xmforecast.load_indicators()
    obs = xmforecast.load_observations(indicators=registry)
    targets, others = report.plan_table(registry, lang), report.plan_table(registry, lang, targets=False)
    history = report.observations_table(obs, registry, lang)
    assert len(targets) + len(others) == len(registry) and len(history) == len(obs)
    for table in (targets, others, history):
        assert not [c for c in table.columns if "_" in c]
        assert not table.isin(["nan", "None", "<NA>"]).any().any() and not table.isna().any().any()
    name = "指标" if lang == "zh" else "Indicator"
    firms = targets.set_index(name).iloc[1]
    assert firms.iloc[2] == "1,225"  # a count is whole
    assert firms.iloc[4] in ("2017 年 ≥ 1,400 家", "≥ 1,400 firms by 2017")  # as in the first table
    # The units in the page's language, as its target sentences and charts have them.
    units = {*targets[report.say("t_unit", lang)], *history[report.say("t_unit", lang)]}
    assert ("家" in units) == (lang == "zh") and ("firms" in units) == (lang == "en")


def test_the_backtest_is_a_table_in_words():
    import xmforecast
    from xmforecast import report

    registry = xmforecast.load_indicators()
    obs = xmforecast.load_observations(indicators=registry)
    scores = xmforecast.backtest_table(obs, registry, origin=2016, level=80)
    table = report.backtest_words(scores, registry, "en")
    assert len(table) == len(scores) and not [c for c in table.columns if "_" in c]
    assert table["Nominal level"].eq("80 %").all() and table["Interval coverage"].str.fullmatch(r"\d+ %|—").all()
    assert table.loc[scores["chosen"].to_numpy(), "Used to forecast"].eq("yes").all()
    assert not table["Model"].isin(["auto", "certified_stock"]).any()


def test_every_message_id_of_the_templates_and_code_is_in_the_catalog_in_both_languages():
    from pathlib import Path

    from xmforecast.words import catalog

    package = Path(report.__file__).parent
    ids = set()
    for path in [*package.glob("templates/*.html"), *package.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        ids |= set(re.findall(r"""\b_\(["']([a-z][a-z0-9_]*)["']\s*[,)]""", text))
        ids |= set(re.findall(r"""\bsay\(["']([a-z][a-z0-9_]*)["']\s*[,)]""", text))
    assert ids, "no message ids found"
    missing = sorted(i for i in ids if i not in catalog())
    assert not missing
    for key, entry in catalog().items():
        assert set(entry) == {"zh", "en"} and entry["zh"].strip() and entry["en"].strip(), key


def test_the_chinese_note_of_a_target_year_before_the_data_says_so_with_both_years():
    from xmforecast.targets import _no_baseline_note

    before = _no_baseline_note(2012, 2016, pd.Series([1.0, 2.0], index=[2015, 2016]))
    plain = _no_baseline_note(2021, 2020, pd.Series([1.0], index=[2015]))
    zh_before, zh_plain = (phrases.note_words({"note": n}, "zh") for n in (before, plain))
    assert "2012" in zh_before and "2015" in zh_before and "target_year" in zh_before
    assert "规划未给出" not in zh_before and "规划未给出" in zh_plain
    assert phrases.note_words({"note": before}, "en") == before


@pytest.mark.parametrize("lang, model_said", [("zh", ";模型:"), ("en", "; model: ")])
def test_the_fan_caption_is_escaped_and_punctuated_in_the_page_language(lang, model_said):
    row = {"indicator": "x", "name_zh": "技术<b>合同", "name_en": "Tech <b>trade", "p_attain": 0.19,
           "status": "on track", "base_value": 1, "direction": "increase"}
    caption = report.render_fan_caption(row, "auto", lang)
    assert caption.count("<b>") == 1 and "&lt;b&gt;" in caption  # the name's tag is text, not markup
    assert model_said in caption and "19\u00a0%" in caption and caption.endswith(("。</p>" if lang == "zh" else ".</p>"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_model_ladder_is_a_table_in_words(lang):
    from xmforecast import models

    history = pd.Series([26.4, 38.8, 34.0, 45.16], index=[2010, 2011, 2015, 2016])
    fitted, skipped = models.fit_ladder(history)
    row = {"unit": "亿元", "kind": "flow", "base_value": 45.16, "latest_value": 45.16}
    forecasts = {label: fit.forecast(3, level=80) for label, fit in fitted.items()}
    table = report.ladder_table(forecasts, row, lang)
    assert len(table) == len(fitted) and list(table.columns[1:]) == ["2017", "2018", "2019"]
    assert not table.iloc[:, 0].isin(list(fitted)).any()  # model names in words
    first = forecasts[next(iter(fitted))].loc[2017]
    assert table.iloc[0, 1] == f"{first['point']:.2f} ({first['lower']:.2f}–{first['upper']:.2f})"
    reasons = report.skipped_table(skipped, lang)
    assert len(reasons) == len(skipped) and not [c for c in reasons.columns if "_" in c or c == "model"]
    assert not reasons.iloc[:, 0].isin([name for name, _ in skipped]).any()


def test_an_indicator_s_ladder_section_is_in_the_page_language():
    from xmforecast import models
    from xmforecast.fitting import ModelNote

    history = pd.Series([26.4, 38.8, 34.0, 45.16], index=[2010, 2011, 2015, 2016])
    fitted, skipped = models.fit_ladder(history)
    row = {"id": "tech_trade", "name_zh": "技术合同交易额", "name_en": "Tech trade", "unit": "亿元", "kind": "flow",
           "base_value": 45.16}
    html = report.render_ladder(row, "auto", "<calibrated>", {k: f.forecast(2) for k, f in fitted.items()}, skipped,
                                "zh")
    assert "<h2>技术合同交易额 (亿元)</h2>" in html and "预测采用:按同类序列校准的增长规则" in html
    assert "&lt;calibrated&gt;" in html and "<th>2017</th>" in html and html.count("未使用") == len(skipped)
    assert not re.search(r">\s*(naive|drift|ets|logistic)\s*<", html)
    note = ModelNote("auto", reference_class="china_regions", family="tech_market", vintage=2016)
    calibrated = report.render_ladder(row, "auto", note, {}, [], "zh")
    assert "理由:按中国各省份的技术合同成交校准,2016 年版本" in calibrated


@pytest.mark.parametrize(("lang", "title", "sentence"), [
    ("zh", "<h2>每万人有效发明专利拥有量 (件/万人)</h2>", "预测起点及以前没有观测值,无从预测。"),
    ("en", "<h2>Valid invention patents per 10,000 (per 10,000 residents)</h2>",
     "No observation up to the forecast&#39;s origin, so nothing to forecast."),
])
def test_an_indicator_first_observed_after_the_origin_has_a_ladder_section_saying_so(lang, title, sentence):
    row = {"id": "invention_patents_per_10k", "name_zh": "每万人有效发明专利拥有量",
           "name_en": "Valid invention patents per 10,000", "unit": "件/万人", "kind": "ratio"}
    html = report.render_ladder(row, None, "", {}, [], lang)
    assert title in html and sentence in html and "<table" not in html


def test_the_backtest_s_reasons_read_in_chinese_on_a_chinese_page():
    import xmforecast
    from xmforecast.reference import CLASSES, FAMILIES

    scores = xmforecast.Plan.default().backtest(level=80)
    reasons = [r for r in scores["reason"].dropna().unique() if r]
    assert any("calibrated on" in r for r in reasons) and any("structural model" in r for r in reasons)
    zh = report.backtest_words(scores, xmforecast.load_indicators(), "zh")
    said = [w for w in zh["说明"] if w != report.MISSING]
    assert len(said) == len(reasons)
    for words in said:
        assert not re.search(r"calibrated|backtested|structural model|vintage|origin|model auto", words), words
    assert any(CLASSES["china_regions"]["zh"] in w and FAMILIES["rd_money"]["zh"] in w and "2016" in w for w in said)
    en = report.backtest_words(scores, xmforecast.load_indicators(), "en")["Why"]
    assert any(w.startswith("auto (calibrated on Chinese provinces, family rd_money, vintage 2016)") for w in en)
