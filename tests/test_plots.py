"""Charts: Chinese labels or their English fallback, the artists drawn, inputs rejected."""
from __future__ import annotations

import os
import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from xmforecast import fonts, plots, report  # noqa: E402
from xmforecast.exceptions import ParameterError  # noqa: E402

NAMES = {
    "rd_spend": ("R&D经费投入", "R&D spending", "亿元"),
    "hightech_enterprises": ("高新技术企业总数", "High-tech enterprises (total)", "家"),
    "tech_trade": ("技术合同交易额", "Technology contract turnover", "亿元"),
    "invention_patents_per_10k": ("每万人有效发明专利拥有量",
                                  "Valid invention patents per 10,000 residents", "件/万人"),
}
HISTORY = pd.Series({2011: 665.0, 2013: 820.0, 2014: 907.0, 2015: 1000.0, 2016: 1225.0})


pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture
def registry():
    return pd.DataFrame([dict(id=k, name_zh=z, name_en=e, unit=u) for k, (z, e, u) in NAMES.items()])


@pytest.fixture
def table(registry):
    frame = registry.rename(columns={"id": "indicator"})
    return frame.assign(
        p_attain=[0.83, 0.62, np.nan, 0.05],
        status=["on track", "acceleration needed", "insufficient data", "deterioration"],
        target_type=["growth", "level", "flow", "level"],
        target_value=[0.2, 1400.0, 60.0, 20.0],
        target_year=2017,
        progress_ratio=[1.1, 0.7, np.nan, -0.4],
    )


@pytest.fixture
def paths():
    rng = np.random.default_rng(7)
    steps = rng.normal(0.12, 0.08, size=(3, 4000))
    return pd.DataFrame(1225.0 * np.exp(np.cumsum(steps, axis=0)), index=[2017, 2018, 2019])


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


# --------------------------------------------------------------------------- fonts


def test_chart_in_chinese_renders_every_glyph(table, paths, render_png):
    for fig in (plots.fan_chart(HISTORY, paths, target_value=1400, target_year=2017, unit="家",
                                title="高新技术企业总数"),
                plots.probability_chart(table), plots.progress_chart(table)):
        assert not [m for m in render_png(fig) if "missing from font" in m]


def test_without_a_cjk_font_charts_warn_once_and_fall_back_to_english(monkeypatch, table):
    monkeypatch.setattr(fonts, "_find_cjk_font", lambda: None)
    monkeypatch.setitem(fonts._state, "cjk", None)
    monkeypatch.setitem(fonts._state, "searched", False)
    monkeypatch.setitem(fonts._state, "warned", False)
    with pytest.warns(UserWarning, match="No CJK font") as record:
        fig = plots.probability_chart(table, lang="zh")
    assert record[0].filename == __file__
    assert fig.axes[0].get_xlabel().startswith("Probability of attaining")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plots.setup_fonts("zh") is None
        plots.probability_chart(table, lang="zh")


def test_unknown_language_is_rejected(table):
    with pytest.raises(ParameterError, match="`lang` must be 'zh' or 'en'; got 'fr'"):
        plots.setup_fonts("fr")
    with pytest.raises(ParameterError, match="`lang`"):
        plots.probability_chart(table, lang="de")


def test_importing_plots_does_not_import_matplotlib_and_scripts_get_agg(table):
    code = (
        "import sys, pandas as pd\n"
        "import xmforecast.plots as p\n"
        "print('matplotlib' in sys.modules)\n"
        "p.probability_chart(pd.DataFrame({'indicator': ['a'], 'p_attain': [0.5],"
        " 'status': ['on track']}), lang='en')\n"
        "import matplotlib; print(matplotlib.get_backend().lower())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["False", "agg"]
    env["MPLBACKEND"] = "svg"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["False", "svg"]


# --------------------------------------------------------------------------- labels


def test_indicator_label_in_both_languages(registry):
    row = registry.iloc[3]
    assert plots.indicator_label(row, "zh") == "每万人有效发明专利拥有量（件/万人）"
    assert plots.indicator_label(row, "en") == "Valid invention patents per 10,000 residents"
    assert plots.indicator_label(registry.iloc[0], "en") == "R&D spending (100 million yuan)"
    assert plots.indicator_label({"name_zh": "家数", "name_en": None, "unit": "家"}, "en") == (
        "家数 (firms)")
    assert plots.indicator_label({"id": "x", "unit": "", "name_en": float("nan")}, "en") == "x"
    assert plots.indicator_label({"name_zh": "自创区拟推出创新事项", "unit": "项"}) == (
        "自创区拟推出创新事项（项）")
    assert plots.indicator_label({"name_en": "GDP", "unit": "亿元", "unit_en": "CNY 100m"},
                                 "en") == "GDP (CNY 100m)"


# --------------------------------------------------------------------------- fan chart


def test_fan_chart_draws_bands_median_target_and_required_path(paths):
    quality = pd.Series({2011: "C", 2013: "A", 2014: "C", 2015: "seed", 2016: "seed"})
    fig = plots.fan_chart(HISTORY, paths, target_value=1400, target_year=2017,
                          required_path=pd.Series({2016: 1225.0, 2017: 1400.0}), unit="家",
                          quality=quality, levels=(50, 80), lang="zh")
    ax = fig.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2
    median = next(line for line in ax.lines if line.get_label() == "模拟中位数")
    assert list(median.get_xdata()) == [2016, 2017, 2018, 2019]
    np.testing.assert_allclose(median.get_ydata()[1:], paths.median(axis=1).to_numpy())
    star = [line for line in ax.lines if line.get_marker() == "*"]
    assert len(star) == 1 and list(star[0].get_xydata()[0]) == [2017, 1400]
    assert any(line.get_linestyle() == ":" for line in ax.lines)
    hollow = next(line for line in ax.lines if line.get_markerfacecolor() == "white")
    assert list(hollow.get_xdata()) == [2011, 2014]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["80% 区间", "50% 区间", "模拟中位数", "达标所需路径", "实际值",
                      "空心：推算值或C级数据", "目标 1,400家（2017年）"]
    assert ax.xaxis.get_major_formatter()(2016.0, 0) == "2016"
    assert ax.get_xlim()[1] >= 2017


def test_fan_chart_bands_are_the_central_quantiles(paths):
    fig = plots.fan_chart(HISTORY, paths, levels=(80,), lang="en")
    band = next(c for c in fig.axes[0].collections if isinstance(c, PolyCollection))
    vertices = band.get_paths()[0].vertices
    at_2019 = sorted({y for x, y in vertices if x == 2019})
    np.testing.assert_allclose(at_2019, np.percentile(paths.loc[2019], [10, 90]))


def test_fan_chart_in_english_with_forecast_and_a_nan_year():
    history = pd.Series({2013: 820.0, 2014: np.nan, 2015: 1000.0, 2016: 1225.0})
    forecast = pd.DataFrame({"point": [1390.0, 1560.0], "lower": [1250.0, 1330.0],
                             "upper": [1540.0, 1820.0]}, index=[2017, 2018])
    quality = pd.DataFrame({"quality": ["A", "B", "seed"], "status": ["published", "derived",
                                                                     "published"]},
                           index=[2013, 2015, 2016])
    fig = plots.fan_chart(history, forecast=forecast, target_value=1400, target_year=2017,
                          unit="家", quality=quality, title="High-tech enterprises", lang="en")
    ax = fig.axes[0]
    observed = next(line for line in ax.lines if line.get_label() == "Observed")
    assert list(observed.get_xdata()) == [2013, 2015, 2016]
    hollow = next(line for line in ax.lines if line.get_markerfacecolor() == "white")
    assert list(hollow.get_xdata()) == [2015]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Prediction interval", "Forecast", "Observed",
                      "Hollow: derived or grade C", "Target 1,400 firms in 2017"]
    assert ax.get_ylabel() == "firms" and ax.get_xlabel() == "Year"
    assert "Grades: A official" in " ".join(_texts(fig))


def test_fan_chart_draws_into_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    out = plots.fan_chart(HISTORY, ax=right, target_value=1400, lang="en")
    assert out is fig and right.lines and not left.lines
    assert any("Target 1,400" in t.get_text() for t in right.get_legend().get_texts())


def test_fan_chart_rejects_bad_inputs(paths):
    with pytest.raises(ParameterError, match="`history` must hold at least one finite value"):
        plots.fan_chart(pd.Series({2015: np.nan}))
    with pytest.raises(ParameterError, match="`levels` must be percentages in \\(0, 100\\); got 100"):
        plots.fan_chart(HISTORY, paths, levels=(50, 100))
    with pytest.raises(ParameterError, match="missing lower, upper"):
        plots.fan_chart(HISTORY, forecast=pd.DataFrame({"point": [1.0]}, index=[2017]))
    with pytest.raises(ParameterError, match="integer years"):
        plots.fan_chart(pd.Series({2015.5: 1.0}))


# --------------------------------------------------------------------------- probability


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_probability_chart_one_bar_per_finite_probability(table, lang):
    fig = plots.probability_chart(table, lang=lang)
    ax = fig.axes[0]
    bars = list(ax.containers[0])
    assert len(bars) == 3 and len(ax.patches) == 3
    np.testing.assert_allclose([b.get_width() for b in bars], [83, 62, 5])
    colors = [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars]
    # The colour means probability, as on the pages; the trend grade is written in words.
    assert colors == [report.probability_color(p) for p in (0.83, 0.62, 0.05)]
    texts = _texts(fig)
    grade = {"zh": "（以往增速足够）", "en": " (past pace sufficient)"}[lang]
    assert any(t.startswith("无估计" if lang == "zh" else "no estimate") for t in texts)
    assert "83 %" + grade in texts and any(t.startswith("5 %") for t in texts)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    name = 0 if lang == "zh" else 1
    assert [label.replace("\n", " ").startswith(NAMES[k][name].split(" (")[0][:12])
            for label, k in zip(labels, NAMES)] == [True] * 4
    assert labels[1].endswith("目标 ≥ 1,400家（2017年）" if lang == "zh"
                              else "Target ≥ 1,400 firms in 2017")
    assert labels[0].endswith("目标增长 ≥ 20%（2017年）" if lang == "zh"
                              else "Target growth ≥ 20% in 2017")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == len(report.PROBABILITY_BANDS)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_probability_chart_of_a_check_is_grey_and_says_so(table, lang):
    # centred on each required path, the probabilities are about 50 % by construction: not a forecast
    ax = plots.probability_chart(table, lang=lang, check=True).axes[0]
    colors = {matplotlib.colors.to_hex(b.get_facecolor()) for b in ax.containers[0]}
    assert colors == {report.probability_color(None)}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["检验而非预测:按所需路径推演,概率约 50 % 系设定所致" if lang == "zh"
                      else "a check, not a forecast: centred on the required path, about 50 % by construction"]


def test_probability_chart_labels_do_not_overlap(table):
    long = table.assign(name_en="A very long English indicator name that needs wrapping on the axis")
    fig = plots.probability_chart(pd.concat([long, table]), lang="en")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].get_yticklabels()]
    assert "\n" in fig.axes[0].get_yticklabels()[0].get_text().split("\nTarget")[0]
    for a, b in zip(boxes, boxes[1:]):
        assert not a.overlaps(b)
    axes_box = fig.axes[0].get_window_extent(renderer)
    assert all(box.x1 <= axes_box.x0 for box in boxes)
    assert all(box.x0 >= 0 for box in boxes)


def test_probability_chart_rejects_percentages_and_missing_columns(table):
    with pytest.raises(ParameterError, match=r"must be a probability in \[0, 1\].*83"):
        plots.probability_chart(table.assign(p_attain=table["p_attain"] * 100))
    with pytest.raises(ParameterError, match="missing status"):
        plots.probability_chart(table.drop(columns="status"))


def test_probability_chart_accepts_the_targets_table_indexed_by_indicator(table):
    fig = plots.probability_chart(table[["indicator", "p_attain", "status"]].set_index("indicator"),
                                  lang="en")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == list(NAMES)


# --------------------------------------------------------------------------- progress


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_progress_chart_draws_grade_bands_and_one_bar_per_ratio(table, lang):
    big = table.assign(progress_ratio=[1.1, 0.7, np.nan, 5.0],
                       status=["on track", "acceleration needed", "insufficient data",
                               "already met"])
    fig = plots.progress_chart(big, lang=lang)
    ax = fig.axes[0]
    bars = list(ax.containers[0])
    spans = [p for p in ax.patches if p not in bars]
    assert len(bars) == 3 and len(spans) == 4
    # One colour scale means probability on every page: the grades are grey bands named in words.
    span_colors = {matplotlib.colors.to_hex(s.get_facecolor()[:3]) for s in spans}
    bar_colors = {matplotlib.colors.to_hex(b.get_facecolor()[:3]) for b in bars}
    assert len(bar_colors) == 1 and all(len(set(c[1:].upper()[k:k + 2] for k in (0, 2, 4))) == 1
                                        for c in span_colors | bar_colors), "greys only"
    assert [s.get_x() + s.get_width() for s in spans[:3]] == pytest.approx([0, 0.6, 0.95])
    assert [round(b.get_width(), 6) for b in bars] == [1.1, 0.7, ax.get_xlim()[1]]
    assert sorted(x for x in (line.get_xdata()[0] for line in ax.lines)) == [0, 0.6, 0.95]
    texts = [t.replace("\n", "") for t in _texts(fig)]
    # A target without a ratio says why, not "no data": its figure is on the page.
    assert "5.00 ›" in texts and ("历史太短,无法判断以往增速" if lang == "zh"
                                  else "too little history to judge the past pace") in texts
    bands = ({"以往增速足够", "以往增速略慢", "以往增速远远不够", "以往在背离目标"} if lang == "zh"
             else {"past pace sufficient", "past pace a little too slow", "past pace far too slow",
                   "moving away from the target so far"})
    assert bands <= {t.replace(" ", "") if lang == "zh" else t for t in texts} | {
        " ".join(t.split()) for t in _texts(fig)}
    assert ax.get_legend() is None


def test_progress_chart_grades_ratios_when_status_is_absent(table):
    fig = plots.progress_chart(table[["indicator", "progress_ratio"]], lang="en")
    assert len(list(fig.axes[0].containers[0])) == 3
    assert "far too slow" in " ".join(" ".join(_texts(fig)).split())


# --------------------------------------------------------------------------- sensitivity


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sensitivity_chart_one_line_per_indicator(lang):
    values = np.linspace(0.5, 0.95, 5)
    frame = pd.concat([
        pd.DataFrame({"indicator": "hightech_enterprises", "name_zh": "高新技术企业总数",
                      "name_en": "High-tech enterprises", "value": values[::-1],
                      "p_attain": np.linspace(0.9, 0.2, 5)}),
        pd.DataFrame({"indicator": "tech_trade", "name_zh": "技术合同交易额",
                      "name_en": "Technology contract turnover", "value": values,
                      "p_attain": [0.1, np.nan, 0.3, 0.4, 0.5]}),
    ])
    fig = plots.sensitivity_chart(frame, parameter="re-certification rate [fraction]", lang=lang)
    ax = fig.axes[0]
    lines = [line for line in ax.lines if line.get_label() and not line.get_label().startswith("_")]
    assert len(lines) == 2
    np.testing.assert_allclose(lines[0].get_xdata(), values)
    np.testing.assert_allclose(lines[0].get_ydata(), [20, 37.5, 55, 72.5, 90])
    assert np.isnan(lines[1].get_ydata()[1])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == ("高新技术企业总数" if lang == "zh" else "High-tech enterprises")
    assert ax.get_xlabel() == "re-certification rate [fraction]"
    assert ax.get_ylim() == (-2, 102)


def test_sensitivity_chart_without_indicator_has_a_single_unlabelled_line():
    fig = plots.sensitivity_chart(pd.DataFrame({"value": [1, 2, 3], "p_attain": [0.2, 0.5, 0.7]}),
                                  parameter="new certifications [firms/year]", lang="en")
    ax = fig.axes[0]
    assert len([line for line in ax.lines if len(line.get_xdata()) == 3]) == 1
    assert ax.get_legend() is None
    with pytest.raises(ParameterError, match="`parameter` must be a non-empty string"):
        plots.sensitivity_chart(pd.DataFrame({"value": [1], "p_attain": [0.2]}), parameter="")


# --------------------------------------------------------------------------- comparison


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_comparison_chart_writes_a_percentage_in_every_cell(registry, lang):
    base = registry.rename(columns={"id": "indicator"})
    summary = pd.concat([base.assign(scenario=s, p_attain=p) for s, p in
                         [("baseline", [0.8, 0.6, 0.4, np.nan]), ("optimistic", [0.9, 0.7, 0.5, 1.0]),
                          ("pessimistic", [0.5, 0.3, 0.1, 0.0])]])
    fig = plots.comparison_chart(summary, lang=lang)
    ax = fig.axes[0]
    image = ax.get_images()[0].get_array()
    assert image.shape == (4, 3)
    assert bool(image.mask[3, 0]) and float(image[1, 2]) == pytest.approx(0.3)
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 12
    assert cells[:3] == ["80 %", "90 %", "50 %"]
    colors = [matplotlib.colors.to_hex(c) for c in ax.get_images()[0].cmap(ax.get_images()[0].norm(
        [0.8, 0.9, 0.5]))]
    assert colors == [report.probability_color(p) for p in (0.8, 0.9, 0.5)]
    assert cells[9] == ("无估计" if lang == "zh" else "no estimate")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["baseline", "optimistic", "pessimistic"]
    first = ax.get_yticklabels()[0].get_text()
    assert first == ("R&D经费投入（亿元）" if lang == "zh" else "R&D spending (100 million\nyuan)")


def test_long_names_wrap_without_splitting_units_or_quoted_terms():
    summary = pd.DataFrame({
        "indicator": ["a", "b"], "scenario": "baseline", "p_attain": [0.5, 0.6],
        "name_zh": ["全社会研究与试验发展经费支出每万人有效发明专利拥有量", "在线技术交易额"],
        "name_en": ["Size of the technology transfer and industrialisation fund",
                    'Online technology trade ("科易宝" platform)'],
        "unit": ["件/万人", "亿元"],
    })
    zh = [t.get_text() for t in plots.comparison_chart(summary, lang="zh").axes[0].get_yticklabels()]
    assert zh[0].split("\n") == ["全社会研究与试验发展经费支出每", "万人有效发明专利拥有量", "（件/万人）"]
    en = [t.get_text() for t in plots.comparison_chart(summary, lang="en").axes[0].get_yticklabels()]
    assert all(len(line) <= 30 for label in en for line in label.split("\n"))
    assert '("科易宝" platform)' in en[1].replace("\n", " ")


def test_comparison_chart_rejects_repeated_pairs():
    summary = pd.DataFrame({"indicator": ["a", "a"], "scenario": ["s", "s"], "p_attain": [0.1, 0.2]})
    with pytest.raises(ParameterError, match=r"one row per \(indicator, scenario\); got \['a', 's'\]"):
        plots.comparison_chart(summary)


# --------------------------------------------------------------------------- history


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_history_chart_small_multiples_with_grade_markers(registry, lang):
    observations = pd.DataFrame({
        "indicator": ["hightech_enterprises"] * 5 + ["tech_trade"] * 2,
        "year": [2011, 2013, 2014, 2015, 2016, 2015, 2016],
        "value": [665, 820, 907, 1000, 1225, 33.78, 45.16],
        "status": ["published", "published", "published", "derived", "published", "derived",
                   "published"],
        "quality": ["C", "A", "C", "seed", "seed", "seed", "B"],
    })
    ids = ["hightech_enterprises", "tech_trade", "rd_spend"]
    fig = plots.history_chart(observations, registry, ids, lang=lang)
    assert len(fig.axes) == 3
    first = fig.axes[0]
    markers = {line.get_marker() for line in first.lines if line.get_linestyle() == "None"}
    assert markers == {"o", "^", "D"}
    hollow = [line for line in first.lines if line.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2015]
    assert first.get_title(loc="left") == ("高新技术企业总数（家）" if lang == "zh"
                                           else "High-tech enterprises (total)\n(firms)")
    empty = [t.get_text() for t in fig.axes[2].texts]
    assert empty == ["无观测数据" if lang == "zh" else "no observations"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(legend) == 5


def test_history_chart_rejects_unknown_ids(registry):
    observations = pd.DataFrame({"indicator": ["rd_spend"], "year": [2016], "value": [117.7]})
    with pytest.raises(ParameterError, match="unknown: gdp_per_head"):
        plots.history_chart(observations, registry, ["rd_spend", "gdp_per_head"])
    with pytest.raises(ParameterError, match="at least one indicator"):
        plots.history_chart(observations, registry, [])


# --------------------------------------------------------------------------- saving


def test_save_figure_writes_a_png_at_150_dpi(tmp_path, table):
    from PIL import Image

    fig = plots.probability_chart(table, lang="zh")
    out = plots.save_figure(fig, tmp_path / "a" / "b" / "probability.png")
    assert out == tmp_path / "a" / "b" / "probability.png"
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    with Image.open(out) as image:
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.1)
        assert image.size[0] > 0.9 * 150 * fig.get_figwidth()
    with pytest.raises(ParameterError, match="`fig` must be a matplotlib Figure"):
        plots.save_figure(fig.axes[0], tmp_path / "x.png")


def _every_chart(registry, table, paths):
    base = registry.rename(columns={"id": "indicator"})
    summary = pd.concat([base.assign(scenario=s, p_attain=p) for s, p in
                         [("baseline", [0.8, 0.6, 0.4, np.nan]), ("optimistic", [0.9, 0.7, 0.5, 1.0])]])
    observations = pd.DataFrame({"indicator": ["hightech_enterprises"] * 3, "year": [2014, 2015, 2016],
                                 "value": [907.0, 1000.0, 1225.0], "status": "published", "quality": "A"})
    sensitivity = pd.DataFrame({"indicator": "tech_trade", "name_zh": "技术合同交易额", "name_en": "Technology trade",
                                "value": [0.5, 0.7, 0.9], "p_attain": [0.1, 0.4, 0.8]})
    history = pd.Series([820.0, 907.0, 1000.0, 1225.0], index=[2013, 2014, 2015, 2016])
    return {
        "probability": plots.probability_chart(table, lang="zh"),
        "progress": plots.progress_chart(table, lang="zh"),
        "fan": plots.fan_chart(history, paths, target_value=1400.0, target_year=2017, title="高新技术企业总数",
                               unit="家", lang="zh"),
        "sensitivity": plots.sensitivity_chart(sensitivity, parameter="增速调整 [比例]", lang="zh"),
        "comparison": plots.comparison_chart(summary, lang="zh"),
        "history": plots.history_chart(observations, registry, ["hightech_enterprises"], lang="zh"),
    }


def test_every_chart_stays_inside_its_figure_so_saving_needs_no_tight_crop(registry, table, paths):
    for kind, fig in _every_chart(registry, table, paths).items():
        fig.canvas.draw()
        drawn, page = fig.get_tightbbox(fig.canvas.get_renderer()), fig.bbox_inches
        assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, kind
        assert drawn.x1 <= page.x1 + 0.01 and drawn.y1 <= page.y1 + 0.01, kind


def test_saving_draws_a_chart_once_with_the_pixels_savefig_gives(tmp_path, table):
    from PIL import Image

    fig = plots.probability_chart(table, lang="en")
    draws = []
    fig.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    engine, dpi = fig.get_layout_engine(), fig.dpi
    plots.save_figure(fig, tmp_path / "once.png")
    assert len(draws) == 1
    assert fig.get_layout_engine() is engine and fig.dpi == dpi  # the figure is left as it was
    plots.probability_chart(table, lang="en").savefig(tmp_path / "savefig.png", dpi=plots.SAVE_DPI)
    with Image.open(tmp_path / "once.png") as once, Image.open(tmp_path / "savefig.png") as reference:
        assert np.array_equal(np.asarray(once), np.asarray(reference))


def test_a_figure_without_constrained_layout_is_cropped_to_what_it_draws(tmp_path):
    import matplotlib.pyplot as plt
    from PIL import Image

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.text(1.6, 0.5, "outside the axes", transform=ax.transAxes)
    with Image.open(plots.save_figure(fig, tmp_path / "t.png")) as image:
        assert image.width > 4 * 150  # the text beyond the figure's right edge is kept


def test_publish_saves_closes_and_returns_the_saved_picture(tmp_path, table):
    import matplotlib.pyplot as plt
    from PIL import Image

    fig = plots.probability_chart(table, lang="zh")
    shown = plots.publish(fig, tmp_path / "p.png")
    assert not plt.fignum_exists(fig.number)  # nothing left for the inline backend to draw again
    assert shown.data == (tmp_path / "p.png").read_bytes()
    with Image.open(tmp_path / "p.png") as image:
        assert shown.width == round(image.width * 100 / 150)
    with pytest.raises(ParameterError, match=r"must name a \.png file"):
        plots.publish(plots.probability_chart(table, lang="zh"), tmp_path / "p.svg")


def test_target_panel_draws_derived_and_grade_c_points_hollow_as_the_reports_do(close_figures):
    import xmforecast

    registry = xmforecast.load_indicators()
    evaluation = xmforecast.evaluate_targets(None, registry, ids=["hightech_enterprises"], n_paths=100)
    fig = plots.target_panel(evaluation, "hightech_enterprises", registry, lang="en")
    hollow = [line for line in fig.axes[0].lines if line.get_markerfacecolor() == "white"]
    assert hollow and {2011, 2014, 2015} <= set(hollow[0].get_xdata())


def test_runs_minutes_apart_get_an_axis_of_days():
    import matplotlib.dates as mdates

    history = pd.DataFrame({
        "run_date": pd.to_datetime(["2026-11-26 11:14:50", "2026-11-26 11:15:14"]), "scenario": "baseline",
        "indicator": "tech_trade", "p_attain": [0.16, 0.18], "name_zh": "技术合同交易额", "name_en": "Technology trade",
    })
    fig = plots.probability_history_chart(history, lang="en")
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert high - low >= 30  # days, both runs inside
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and not any(":" in label for label in labels), labels
    assert mdates.num2date(low) < history["run_date"].min().tz_localize("UTC")


def test_the_run_history_chart_keeps_title_legend_and_dates_apart(close_figures):
    history = pd.DataFrame({
        "run_date": pd.to_datetime(["2026-01-05", "2026-04-05", "2026-10-05", "2026-12-04"] * 2),
        "scenario": ["baseline"] * 4 + ["plan_push"] * 4, "title": ["Baseline"] * 4 + ["Plan push"] * 4,
        "indicator": "tech_trade", "p_attain": [0.16, 0.2, 0.5, 0.9, 0.2, 0.25, 0.6, 0.95],
        "name_zh": "技术合同交易额", "name_en": "Technology trade",
    })
    fig = plots.probability_history_chart(history, lang="en")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = fig.legends[0].get_window_extent(renderer)
    title = fig._suptitle.get_window_extent(renderer)
    note = fig._supxlabel.get_window_extent(renderer)
    assert not legend.overlaps(title) and not legend.overlaps(note)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels[0] == "2026-01-05" and labels[-1] == "2026-12-04" and len(labels) <= 3, labels
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert not any(a.overlaps(b) for a, b in zip(boxes, boxes[1:]))
    assert "Plan push" in [t.get_text() for t in fig.legends[0].get_texts()], "scenarios by their titles"


def test_a_sensitivity_to_a_fraction_reads_in_the_percentages_tried(close_figures):
    frame = pd.DataFrame({"value": [-0.10, -0.05, 0.0, 0.05, 0.10], "p_attain": [0.1, 0.2, 0.3, 0.4, 0.5]})
    fig = plots.sensitivity_chart(frame, parameter="growth shift [a year]", lang="en", percent=True)
    fig.canvas.draw()
    labels = [t.get_text().replace("−", "-") for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels == ["-10%", "-5%", "0%", "5%", "10%"], labels


def test_the_comparison_chart_names_scenarios_by_their_titles(registry, close_figures):
    base = registry.rename(columns={"id": "indicator"}).head(2)
    summary = pd.concat([base.assign(scenario=s, title=t, p_attain=0.5)
                         for s, t in (("baseline", "Baseline"), ("plan_push", "Plan push"))])
    fig = plots.comparison_chart(summary, lang="en")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["Baseline", "Plan push"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_probability_legend_fits_inside_the_saved_chart(table, tmp_path, lang):
    fig = plots.probability_chart(table, lang=lang)
    plots.save_figure(fig, tmp_path / "p.png")  # lays the figure out as published
    renderer = fig.canvas.get_renderer()
    width = fig.bbox.width
    legend = fig.legends[0] if fig.legends else fig.axes[0].get_legend()
    for text in legend.get_texts():
        box = text.get_window_extent(renderer)
        assert 0 <= box.x0 and box.x1 <= width, (lang, text.get_text(), box.x1, width)
