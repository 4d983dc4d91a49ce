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
