"""The worked example of another city (examples/lakeside/) through the CLI, the API and a run."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest

import xmforecast
from xmforecast.cli import main

CITY = Path(__file__).resolve().parent.parent / "examples" / "lakeside"
IDS = ["research_spending", "startups_founded", "coworking_hubs", "patent_filings", "energy_intensity"]


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_targets_prints_only_the_citys_targets_each_answered(capsys):
    out = _cli(capsys, "targets", "--indicators", str(CITY / "indicators.yaml"), "--data",
               str(CITY / "observations.csv"), "--format", "csv", "--n-paths", "2000")
    table = pd.read_csv(io.StringIO(out)).set_index("indicator")
    assert table.index.tolist() == IDS
    assert table["p_attain"].between(0, 1).all() and table["expected_year"].notna().all()
    down = table.loc["energy_intensity"]  # wanted down, rising since 2016
    assert down["status"] == "deterioration" and down["progress_ratio"] < 0 and down["p_attain"] < 0.05
    assert table.loc["coworking_hubs", "status"] == "on track"


def test_the_plan_api_gives_the_same_answers(capsys):
    plan = xmforecast.Plan.from_files(indicators=CITY / "indicators.yaml", data=CITY / "observations.csv")
    api = plan.assess_targets(n_paths=2000).set_index("indicator")
    out = _cli(capsys, "targets", "--indicators", str(CITY / "indicators.yaml"), "--data",
               str(CITY / "observations.csv"), "--format", "csv", "--n-paths", "2000")
    cli = pd.read_csv(io.StringIO(out)).set_index("indicator")
    pd.testing.assert_series_equal(api["p_attain"].astype(float), cli["p_attain"].astype(float), check_exact=False,
                                   atol=1e-9, check_names=False)
    effort = plan.what_it_takes(n_paths=2000).set_index("indicator")
    assert effort.loc["energy_intensity", "growth_for_probability"] < effort.loc["energy_intensity",
                                                                                 "required_growth"] < 0


def _page_text(html: str) -> str:
    """A page's text without embedded images (base64 could spell anything)."""
    return re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+", "", html)


def test_a_scheduled_run_of_the_example_names_only_the_city(tmp_path, capsys):
    registry = xmforecast.load_indicators()  # the embedded plan: none of it may show
    xiamen_ids = list(registry["id"])
    xiamen_names = [n for n in registry["name_zh"] if isinstance(n, str)] + ["厦门", "Xiamen"]
    out = _cli(capsys, "run", str(CITY / "baseline.yaml"), "--out", str(tmp_path / "reports"), "--jobs", "2")
    run = Path(out.strip().splitlines()[-1])
    pages = sorted(run.rglob("*.html")) + [tmp_path / "reports" / "index.html"]
    assert len(pages) >= 5
    city_names = [n for n in pd.read_csv(run / "summary.csv")["name_en"]] if (run / "summary.csv").exists() else []
    seen_city = False
    for page in pages:
        text = _page_text(page.read_text(encoding="utf-8"))
        for ident in xiamen_ids:
            assert not re.search(rf"(?<![\w]){re.escape(ident)}(?![\w])", text), (page.name, ident)
        for name in xiamen_names:
            assert name.lower() not in text.lower(), (page.name, name)
        seen_city |= any(i in text for i in IDS) or any(n in text for n in city_names)
    assert seen_city
