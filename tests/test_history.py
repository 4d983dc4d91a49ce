"""Run history: three runs with actuals arriving between them, read back from the run folders."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from xmforecast.history import RunRecord, completed_runs, hit_rate
from xmforecast.runner import run_suite
from xmforecast.scenarios import Scenario

IDS = ["rd_spend", "tech_trade"]
BODY = f"""\
from pathlib import Path
import xmforecast
from xmforecast import report
from xmforecast.scenarios import SCENARIO_KEYS, scenario_from_parameters
sc = scenario_from_parameters({{key: globals()[key] for key in SCENARIO_KEYS}})
registry = xmforecast.load_indicators()
obs = xmforecast.load_observations(sc.data_file or None, indicators=registry)
ev = xmforecast.evaluate_targets(obs, registry, origin=sc.origin, scenario=sc, ids={IDS!r})
summary = report.scenario_summary(ev, registry, sc)
report.round_for_csv(summary).to_csv(Path(output_dir, "summary.csv"), index=False)
report.round_for_csv(report.scenario_forecasts(ev, sc)).to_csv(Path(output_dir, "forecasts.csv"), index=False)
"""
#: The user's data file as it grows: (run date, origin, rows of actuals).
RUNS = [
    (datetime(2017, 3, 1, 9), 2016, []),
    (datetime(2018, 3, 1, 9), 2017, [("tech_trade", 2017, 72.5)]),
    (datetime(2019, 3, 1, 9), 2018, [("tech_trade", 2017, 72.5), ("rd_spend", 2017, 130.0),
                                     ("tech_trade", 2018, 80.0)]),
]


@pytest.fixture(scope="module")
def three_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("history")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = {**Scenario(scenario="fixture").to_parameters(), "output_dir": "."}
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in parameters.items()))
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell(BODY)]
    nbformat.write(nb, root / "real.ipynb")
    out, data = root / "reports", root / "actuals.csv"
    runs = []
    for started, origin, rows in RUNS:
        data.write_text("indicator,year,value\n" + "".join(f"{i},{y},{v}\n" for i, y, v in rows), encoding="utf-8")
        params = root / f"base-{origin}.yaml"
        params.write_text(f"scenario: base\norigin: {origin}\nn_paths: 300\nmodel: drift\n"
                          + (f"data_file: {data.name}\n" if rows else ""), encoding="utf-8")
        runs.append(run_suite([params], out=out, jobs=1, notebooks_dir=root, run_notebooks=(),
                              scenario_notebooks=("real.ipynb",), summary_notebook=None, progress=None,
                              now=started))
    return out, runs


def test_probability_history_has_every_run_by_date(three_runs):
    out, runs = three_runs
    history = pd.read_csv(runs[-1] / "_history" / "probability_history.csv")
    assert history["run_id"].drop_duplicates().tolist() == [r.name for r in runs]
    assert pd.to_datetime(history["run_date"]).dt.year.drop_duplicates().tolist() == [2017, 2018, 2019]
    trade = history[history["indicator"] == "tech_trade"].set_index("run_id")
    first = pd.read_csv(runs[0] / "summary.csv").set_index("indicator")
    assert trade.loc[runs[0].name, "p_attain"] == pytest.approx(first.loc["tech_trade", "p_attain"])
    assert 0 < trade.loc[runs[0].name, "p_attain"] < 1
    # From the second run on, 2017 is observed: 72.5 ≥ 60, the target is met.
    assert trade.loc[runs[1].name, "status"] == "met" and trade.loc[runs[2].name, "status"] == "met"
    assert (runs[-1] / "_history" / "probability_history.png").stat().st_size > 10_000


def test_forecasts_against_outcomes(three_runs):
    out, runs = three_runs
    table = pd.read_csv(runs[-1] / "_history" / "forecasts_vs_outcomes.csv")
    got = {(r.run_id, r.indicator, r.year) for r in table.itertuples()}
    assert got == {
        (runs[0].name, "tech_trade", 2017), (runs[0].name, "tech_trade", 2018), (runs[0].name, "rd_spend", 2017),
        (runs[1].name, "rd_spend", 2017),  # run 2 had no 2017 R&D figure yet: it forecast it
    }
    assert (table["year"] > table["origin"]).all()
    for row in table.itertuples():
        said = pd.read_csv(out / row.run_id / "forecasts.csv")
        said = said[(said["indicator"] == row.indicator) & (said["year"] == row.year)].iloc[0]
        assert (row.point, row.lower, row.upper) == (said["point"], said["lower"], said["upper"])
        assert row.actual == {"tech_trade": {2017: 72.5, 2018: 80.0}, "rd_spend": {2017: 130.0}}[row.indicator][row.year]
        assert bool(row.inside) == (said["lower"] <= row.actual <= said["upper"])
    target = table[(table["indicator"] == "tech_trade") & (table["year"] == 2017)].iloc[0]
    assert bool(target["reached"]) and 0 < target["p_attain"] < 1, "the probability run 1 gave, and the outcome"

    page = (out / "index.html").read_text(encoding="utf-8")
    assert "预测与实际" in page and f"{runs[-1].name}/_history/forecasts_vs_outcomes.png" in page
    rate = round(100 * table["inside"].mean())
    assert re.search(rf"<b>{rate}\u00a0%</b>\s*\({int(table['inside'].sum())}/{len(table)}\)", page)
    assert (runs[-1] / "_history" / "forecasts_vs_outcomes.png").stat().st_size > 10_000


def test_failed_and_unfinished_runs_are_not_history(three_runs, tmp_path):
    out, runs = three_runs
    assert [r.run_id for r in completed_runs(out)] == [r.name for r in runs]
    extra = RunRecord("2020-01-01_000000", datetime(2020, 1, 1), tmp_path)
    assert completed_runs(out, extra=extra)[-1] is extra
    assert hit_rate(pd.DataFrame({"inside": []})) != hit_rate(pd.DataFrame({"inside": []}))  # NaN with none


def test_the_history_of_another_plan_reads_that_plan(tmp_path):
    from datetime import datetime
    from pathlib import Path

    from xmforecast.publish import write_history

    example = Path(__file__).resolve().parents[1] / "examples" / "lakeside"
    run_dir = tmp_path / "building"
    run_dir.mkdir()
    write_history(tmp_path, run_dir, "2026-01-01", datetime(2026, 1, 1), reference="baseline",
                  data_file=str(example / "observations.csv"), indicators_file=str(example / "indicators.yaml"),
                  lang="en")
    assert (run_dir / "_history" / "forecasts_vs_outcomes.csv").is_file()


def test_a_plans_history_never_mixes_in_another_plans_runs(three_runs, tmp_path):
    """A reports folder that holds another plan's runs (written before runs were kept apart)."""
    import json
    import shutil

    from xmforecast.history import plan_key
    from xmforecast.publish import write_history

    example = Path(__file__).resolve().parents[1] / "examples" / "lakeside"
    out = tmp_path / "reports"
    shutil.copytree(three_runs[0], out)
    lakeside = out / "2020-01-01_090000"
    lakeside.mkdir()
    (lakeside / "summary.csv").write_text("scenario,indicator,p_attain\nlake,energy_intensity,0.1\n", encoding="utf-8")
    (lakeside / "manifest.json").write_text(json.dumps({"status": "ok", "started": "2020-01-01T09:00:00", "scenarios": {
        "lake": {"parameters": {"indicators_file": str(example / "indicators.yaml")}}}}), encoding="utf-8")
    assert [r.plan for r in completed_runs(out)].count(plan_key(example / "indicators.yaml")) == 1
    run_dir = tmp_path / "building"
    run_dir.mkdir()
    write_history(out, run_dir, "2021-01-01_090000", datetime(2021, 1, 1, 9), reference="base", lang="zh")
    history = pd.read_csv(run_dir / "_history" / "probability_history.csv")
    assert "energy_intensity" not in set(history["indicator"]) and set(history["indicator"]) == set(IDS)
    assert len(completed_runs(out, plan=plan_key(example / "indicators.yaml"))) == 1
