"""The worked example of another city (examples/lakeside/) through the CLI, the API and a run."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

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
