"""What a planner reads: one verdict per target and scenario, the same in the CLI, the charts and the pages."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import xmforecast
from xmforecast import plots, report, targets
from xmforecast.cli import main
from xmforecast.scenarios import Scenario

ROOT = Path(__file__).resolve().parent.parent
CITY = ROOT / "examples" / "lakeside"


@pytest.fixture(scope="module")
def lakeside():
    registry = xmforecast.load_indicators(CITY / "indicators.yaml")
    obs = xmforecast.load_observations(CITY / "observations.csv", indicators=registry)
    scenario = Scenario(scenario="s", lang="en", origin=2023, n_paths=300, seed=1,
                        indicators_file=str(CITY / "indicators.yaml"), data_file=str(CITY / "observations.csv"))
    ev = xmforecast.evaluate_targets(obs, registry, origin=2023, scenario=scenario)
    return registry, obs, scenario, ev


def test_a_plan_without_structural_models_has_none_of_their_assumptions_or_words(lakeside):
    # Lakeside forecasts every indicator with `auto`: no certificates to renew, no patents to lapse.
    registry, _obs, scenario, ev = lakeside
    summary = report.scenario_summary(ev, registry, scenario)
    page = report.render_summary(summary, scenario, "en", registry=registry)
    method = report.render_section("how_to_read", "en", summary=summary, scenario=scenario)
    for words in ("high-tech", "certificat", "patents lapsing", "Growth in residents", "2016"):
        assert words not in page and words not in method, words
    assert "share of 300 simulated futures" in method  # the scenario's own number of paths
    xiamen = xmforecast.load_indicators()
    rows = dict(report.assumptions(scenario, "en", models=xiamen["model"].fillna("auto")))
    assert "Expiring high-tech certificates renewed" in rows and "Valid invention patents lapsing a year" in rows


def test_the_index_title_names_no_city_the_plan_does_not_name(tmp_path):
    from xmforecast.pages import index_page

    page = index_page(tmp_path, "r", [Scenario(scenario="s", lang="zh")], [], prefix="", earlier=None)
    assert "<h1>科技指标" in page and "厦门" not in page


def test_the_cli_prints_the_pages_verdict(capsys, lakeside):
    registry, obs, scenario, ev = lakeside
    code = main(["targets", "--indicators", str(CITY / "indicators.yaml"), "--data", str(CITY / "observations.csv"),
                 "--origin", "2023", "--n-paths", "300", "--seed", "1", "--format", "csv"])
    out = capsys.readouterr().out
    assert code == 0
    printed = pd.read_csv(io.StringIO(out)).set_index("indicator")
    summary = report.scenario_summary(ev, registry, scenario)
    for row in summary.to_dict("records"):
        cli = printed.loc[row["indicator"]]
        # the same inputs give the same verdict (the probabilities are drawn with the same seed)
        assert cli["verdict"] == targets.verdict(
            cli["status"], cli["p_attain"], direction=row["direction"], note=str(row["note"] or ""))
        assert cli["verdict"].startswith(targets.grade_words(cli["status"]))
    assert "moving away from the target so far" in printed.loc["energy_intensity", "verdict"]


def test_the_explore_chart_title_is_the_verdict(lakeside, close_figures):
    registry, obs, scenario, ev = lakeside
    fig = plots.target_panel(ev, "energy_intensity", registry, lang="en")
    title = fig.axes[0].get_title(loc="left").replace("\n", " ")
    row = report.scenario_summary(ev, registry, scenario).set_index("indicator").loc["energy_intensity"]
    said = report.verdict({**row.to_dict(), "indicator": "energy_intensity"}, "en")
    assert " ".join(said.split()) in " ".join(title.split())
    assert "P(attain)" not in title and "deterioration" not in title


# --------------------------------------------------------------------------- rendered pages
#
# One real run per plan (papermill, the real notebooks, 200 paths; the overview notebooks are left
# out): Xiamen's embedded plan in Chinese with two scenarios, Lakeside in English. Each test runs
# its own, so that the two runs share the two cores instead of repeating on each.

import re  # noqa: E402

from bs4 import BeautifulSoup  # noqa: E402

from xmforecast.runner import run_suite  # noqa: E402
from xmforecast.targets import STATUSES, grade_words  # noqa: E402

SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
GRADES = {lang: [grade_words(s, lang) for s in STATUSES] for lang in ("zh", "en")}
LEVER = {"zh": re.compile(r"新认定高新技术企业 ≥ ([\d,]+)"), "en": re.compile(r"≥ ([\d,]+) new certifications")}


def _run(tmp_path, plan: str):
    params = tmp_path / "params"
    params.mkdir()
    if plan == "xiamen":
        files = [params / "baseline.yaml", params / "plan_push.yaml"]
        files[0].write_text("scenario: baseline\ntitle: 基线\nn_paths: 200\n", encoding="utf-8")
        files[1].write_text("scenario: plan_push\ntitle: 规划推动\nn_paths: 200\ngrowth_shift: 0.03\n"
                            "recertification_rate: 0.8\n", encoding="utf-8")
    else:
        files = [params / "lakeside.yaml"]
        files[0].write_text(
            "scenario: lakeside-baseline\ntitle: 'Lakeside: trend continues'\nlang: en\norigin: 2023\nn_paths: 200\n"
            f"indicators_file: {CITY / 'indicators.yaml'}\ndata_file: {CITY / 'observations.csv'}\n", encoding="utf-8")
    run = run_suite(files, out=tmp_path / "reports", jobs=2, notebooks_dir=ROOT / "notebooks", run_notebooks=(),
                    progress=None)
    pages = {"index": run.parent / "index.html", "comparison": run / "_comparison" / "comparison.html"}
    for folder in sorted(p for p in run.iterdir() if (p / "target_scenarios.html").is_file()):
        pages[folder.name] = folder / "target_scenarios.html"
    return run, {name: BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser") for name, path in pages.items()}


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def _table(soup, first_header: str, containing: str | None = None):
    """Rows (header → cell text) of the first table whose first header is `first_header`
    (and that has a header `containing`)."""
    for table in soup.find_all("table"):
        headers = [_text(th) for th in table.find_all("th")]
        if (headers and headers[0] == first_header and table.find("thead")
                and (containing is None or containing in headers)):
            heads = [_text(th) for th in table.thead.find_all("th")]
            return [dict(zip(heads, [_text(td) for td in tr.find_all("td")])) for tr in table.tbody.find_all("tr")]
    raise AssertionError(f"no table starting with {first_header!r}")


@pytest.mark.parametrize("plan, lang", [("xiamen", "zh"), ("lakeside", "en")])
def test_rendered_pages_a_planner_can_trust(tmp_path, plan, lang):
    zh = lang == "zh"
    run, pages = _run(tmp_path, plan)
    scenario_pages = [k for k in pages if k not in ("index", "comparison")]
    assert scenario_pages and len(scenario_pages) == (2 if plan == "xiamen" else 1)
    for name, soup in pages.items():
        html, text = str(soup), _text(soup)
        # the final folder, never the hidden one it was built in
        assert ".building-" not in html, name
        # headers in words
        for th in soup.find_all("th"):
            assert not SNAKE.search(_text(th)), (name, _text(th))
        # numbers as on the first screen: whole percentages, no long decimals, counts whole, no True/False
        assert not re.search(r"\d[.,]\d+ ?%", text), (name, re.search(r".{30}\d[.,]\d+ ?%.{10}", text))
        assert not re.search(r"\d\.\d{3,}", text), (name, re.search(r".{30}\d\.\d{3,}", text))
        assert not re.search(r"\b(True|False|nan|None)\b", text), name
        # a number and its "%" never part at a line break ("年增 20" on one line, "%" on the next)
        assert not re.search(r"\d[ \t\n]+%", soup.get_text()), (name, re.search(r".{20}\d[ \t\n]+%", soup.get_text()))
        if zh:  # the page's language below the first table too
            for heading in soup.find_all(["h1", "h2"]):
                assert re.search(r"[\u4e00-\u9fff]", _text(heading)), (name, _text(heading))
    # one verdict per cell: the past pace and the forecast in one sentence, never side by side
    cells = [td for name in ("index", *scenario_pages) for td in pages[name].find_all("td", class_="p")]
    assert cells
    for td in cells:
        said = _text(td)
        assert sum(said.count(g) for g in GRADES[lang] if g) == 1 or said.startswith(
            "无法评估" if zh else "not assessed"), said
    for name in ("index", *scenario_pages):
        headers = " ".join(_text(th) for th in pages[name].find_all("th"))
        assert ("至今趋势" if zh else "Trend so far") not in headers
    # required growth on the first screen equals the detail table's, per target
    target, needed = ("目标", "所需年增速(自最新值起)") if zh else ("Target", "Growth needed (from the latest figure)")
    first = {r[target]: r[needed] for r in _table(pages["index"], target) if needed in r}
    indicator = "指标" if zh else "Indicator"
    for name in scenario_pages:
        detail = {r[indicator]: r[needed] for r in _table(pages[name], indicator) if needed in r}
        for label, growth in first.items():
            matches = [v for n, v in detail.items() if label.startswith(n)]
            assert matches and matches[0] == growth, (name, label, growth, detail)
    # targets wanted down read "at most" and "fall"
    if plan == "lakeside":
        for name in ("index", *scenario_pages):
            text = _text(pages[name])
            assert "≤ 4.8 MJ per EUR" in text and "≥ 4.8" not in text, name
            assert re.search(r"fall \d+ % a year", text), name
    # the lever: one number per scenario, the same on the index, the scenario's first table and its lever table
    if plan == "xiamen":
        index_cells = _table(pages["index"], target)
        for name in scenario_pages:
            title = "基线" if name == "baseline" else "规划推动"
            on_index = {m for r in index_cells for m in LEVER[lang].findall(r.get(title, ""))}
            answer = pages[name].find("table", class_="answer")
            on_page = set(LEVER[lang].findall(_text(answer)))
            lever_rows = _table(pages[name], indicator, containing="杠杆")
            in_lever_table = {r.get("2017 年前每年需要") for r in lever_rows if r.get("杠杆") == "新认定高新技术企业"}
            assert len(on_index) == 1 and on_index == on_page == in_lever_table, (name, on_index, on_page,
                                                                                 in_lever_table)
