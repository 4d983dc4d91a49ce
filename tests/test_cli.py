"""The command line, run in-process through `main` and once as a real console script."""
from __future__ import annotations

import datetime
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from xmforecast.cli import main

HEADLINE = ("rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k")
THIS_YEAR = datetime.date.today().year


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_indicators_csv_lists_the_registry_with_quotes(capsys):
    code, out, err = run(capsys, "indicators", "--format", "csv")
    assert code == 0 and err == ""
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns) == ["id", "name_zh", "name_en", "unit", "base_year", "base_value",
                                   "target_year", "target_type", "target_value", "quote", "source"]
    assert len(frame) >= 19
    assert set(HEADLINE) <= set(frame["id"])
    assert frame.loc[frame["target_type"].notna(), "quote"].notna().all()
    row = frame.set_index("id").loc["tech_trade"]
    assert row["target_value"] == 60 and "60 亿元" in row["quote"]


def test_indicators_json_keeps_chinese(capsys):
    code, out, _ = run(capsys, "indicators", "--format", "json")
    records = json.loads(out)
    assert code == 0 and any(r["name_zh"] == "技术合同交易额" or "技术" in r["name_zh"] for r in records)
    assert "\\u" not in out


def test_targets_csv_headline_required_growth_and_probability(capsys):
    code, out, err = run(capsys, "targets", "--format", "csv", "--n-paths", "2000")
    assert code == 0, err
    t = pd.read_csv(io.StringIO(out)).set_index("indicator")
    # Growth rates to four decimals, as in every summary.csv (report.round_for_csv).
    assert t.loc["rd_spend", "required_growth"] == pytest.approx(0.2, abs=5e-5)
    assert t.loc["tech_trade", "required_growth"] == pytest.approx(60 / 45.16 - 1, abs=5e-5)
    assert t.loc["hightech_enterprises", "required_growth"] == pytest.approx(1400 / 1225 - 1, abs=5e-5)
    assert t.loc["invention_patents_per_10k", "required_growth"] == pytest.approx(20 / 18.75 - 1, abs=5e-5)
    for ind in HEADLINE:
        assert isinstance(t.loc[ind, "status"], str)
        assert 0.0 <= t.loc[ind, "p_attain"] <= 1.0
        year = t.loc[ind, "expected_year"]
        assert pd.isna(year) or str(year).startswith("after ") or int(year) >= 2017
        assert t.loc[ind, "confidence"] in ("high", "medium", "low")


def test_forecast_from_2016_for_the_four_headline_indicators(capsys):
    for ind in HEADLINE:
        code, out, err = run(capsys, "forecast", ind, "--origin", "2016", "--horizon", "4", "--format", "csv",
                             "--n-paths", "2000")
        assert code == 0, err
        f = pd.read_csv(io.StringIO(out))
        assert list(f.columns) == ["indicator", "year", "point", "lower", "upper", "model", "vintage"]
        assert f["year"].tolist() == [2017, 2018, 2019, 2020]
        assert (f["lower"] <= f["point"]).all() and (f["point"] <= f["upper"]).all()


@pytest.mark.parametrize(
    "argv, pattern",
    [
        (("forecast", "tech_trade", "--model", "nonsense"), r"unknown model 'nonsense'"),
        (("forecast", "tech_trade", "--horizon", "-3"), r"`--horizon` must be a whole number of years in 1\.\.30; got -3"),
        (("forecast", "tech_trade", "--origin", "2005"), r"`--origin` 2005 is before the data's first year 2010; "
                                                         r"choose an origin from 2010 on\."),
        (("forecast", "tech_trade", "--level", "120"), r"`--level` must be a percentage in \(50, 99\.9\]; got 120\."),
        (("forecast", "tech_trade", "--level", "0.8"), r"got 0\.8 \(did you mean 80\?\)"),
        (("backtest", "--level", "0.9"), r"did you mean 90\?"),
        (("forecast", "tech_trade", "--level", "50"), r"in \(50, 99\.9\]"),
        (("forecast", "no_such_id"), r"unknown indicator 'no_such_id'"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_1(capsys, argv, pattern):
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(pattern, err), err


def test_bad_data_file_names_file_and_row(capsys, write_csv):
    path = write_csv("indicator,year,value\ntech_trade,2016,abc\n")
    code, out, err = run(capsys, "targets", "--data", str(path))
    assert code == 1 and out == ""
    assert f"{path}: line 2: `value` must be a number" in err


def test_console_script_exits_non_zero_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes("indicator,year,value\ntech_trade,2016,四十\n".encode("gb18030"))
    exe = Path(sys.executable).with_name("xmforecast")
    proc = subprocess.run([str(exe), "targets", "--data", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "not UTF-8" in proc.stderr and "Traceback" not in proc.stderr


def test_indicators_keeps_quotations_in_quote_and_the_provenance_in_source(capsys):
    from xmforecast import load_indicators

    code, out, _ = run(capsys, "indicators", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out)).set_index("id")
    reg = load_indicators().set_index("id")
    not_seed = reg.index[reg["base_source"].notna() & (reg["base_source"] != "seed")]
    assert len(not_seed)
    for ind in not_seed:
        assert frame.loc[ind, "source"] == reg.loc[ind, "base_source"]
        assert frame.loc[ind, "quote"] != reg.loc[ind, "base_source"]
    assert frame.loc["tech_trade", "source"] == "seed"


@pytest.mark.parametrize(
    "argv, pattern",
    [
        (("indicators", "--data", "/nonexistent.csv"), r"/nonexistent\.csv: file not found"),
        (("targets", "--n-paths", "0"), r"`--n-paths` must be a number of simulated paths in 10\.\.1000000; got 0"),
        (("forecast", "rd_spend", "--n-paths", "-5"), r"`--n-paths` must be .*; got -5"),
        (("forecast", "tech_trade", "--origin", "2030"), r"`--origin` 2030 is after the data's last year 2016"),
        (("targets", "--origin", "2030"), r"`--origin` 2030 is after the data's last year 2016"),
        (("forecast", "tech_trade", "--origin", "1066"), rf"`--origin` must be a year 1800-{THIS_YEAR}; got 1066\.$"),
        (("forecast", "tech_trade", "--origin", "1799"), rf"`--origin` must be a year 1800-{THIS_YEAR}; got 1799\.$"),
        (("targets", "--origin", "1799"), rf"`--origin` must be a year 1800-{THIS_YEAR}; got 1799\.$"),
        (("forecast", "tech_trade", "--origin", str(THIS_YEAR + 1)),
         rf"`--origin` {THIS_YEAR + 1} is after the data's last year 2016"),
        (("backtest", "--origin", "3000"), r"`--origin` 3000 is after the data's last year 2016"),
        (("forecast", "tech_trade", "--horizon", "100000"), r"`--horizon` must be a whole number of years in 1\.\.30; got 100000\.$"),
        (("forecast", "tech_trade", "--horizon", "1000000000"), r"`--horizon` must be .* in 1\.\.30; got 1000000000\.$"),
        (("forecast", "tech_trade", "--horizon", "0"), r"`--horizon` must be a whole number of years in 1\.\.30; got 0\.$"),
        (("forecast", "hightech_enterprises", "--seed", "-1"), r"`--seed` must be an integer in 0\.\.2\*\*63-1; got -1\.$"),
        (("targets", "--seed", "-1"), r"`--seed` must be an integer in 0\.\.2\*\*63-1; got -1\.$"),
        (("run", "--out", ""), r"`--out` must name a folder for the reports \(default reports\); got ''\.$"),
        (("run", "--out", "  "), r"`--out` must name a folder"),
        (("run", "--jobs", "0"), r"`--jobs` must be a number of parallel notebooks in 1\.\.64; got 0\.$"),
    ],
)
def test_out_of_range_arguments_give_one_line_and_exit_1(capsys, argv, pattern):
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(pattern, err), err


# --- another plan: --indicators ---------------------------------------------------------------

CITY = Path(__file__).resolve().parent.parent / "examples" / "lakeside"
CITY_ARGS = ("--indicators", str(CITY / "indicators.yaml"), "--data", str(CITY / "observations.csv"))


def test_indicators_with_another_registry_lists_only_it(capsys):
    code, out, err = run(capsys, "indicators", "--format", "csv", "--indicators", str(CITY / "indicators.yaml"))
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0 and err == ""
    assert frame["id"].tolist() == ["research_spending", "startups_founded", "coworking_hubs", "patent_filings",
                                    "energy_intensity"]
    assert (frame["name_zh"] == frame["name_en"]).all()  # no Chinese names: the English ones stand in


def test_another_plans_counts_print_whole_as_its_registry_declares_them(capsys):
    # Lakeside's hubs and applications are stocks and flows of whole items in units no list names.
    code, out, err = run(capsys, "indicators", *CITY_ARGS)
    assert code == 0, err
    lines = {line.split()[0]: line for line in out.splitlines() if line.split()}
    assert "24 in 2021" in lines["coworking_hubs"] and "24.00" not in lines["coworking_hubs"]
    assert "790 in 2021" in lines["patent_filings"]
    assert "412.0 in 2021" in lines["research_spending"]  # money keeps its decimals
    code, out, err = run(capsys, "forecast", "coworking_hubs", "--horizon", "1", *CITY_ARGS)
    assert code == 0, err
    point = out.splitlines()[1].split()[2]
    assert point.isdigit(), out


def test_forecast_with_another_registry_uses_only_its_data(capsys):
    code, out, err = run(capsys, "forecast", "coworking_hubs", "--format", "csv", "--horizon", "2", *CITY_ARGS)
    frame = pd.read_csv(io.StringIO(out))
    assert code == 0, err
    assert frame["year"].tolist() == [2024, 2025] and (frame["point"] > 27 * 0.8).all()
    code, _, err = run(capsys, "forecast", "tech_trade", *CITY_ARGS)
    assert code == 1 and "unknown indicator 'tech_trade'" in err and err.count("\n") == 1


def _grunfeld_plan(tmp_path: Path) -> tuple[str, ...]:
    """General Motors' gross investment 1935-1954 (Grunfeld's panel of firms), as a plan of its own."""
    from statsmodels.datasets import grunfeld

    panel = grunfeld.load_pandas().data
    gm = panel[panel["firm"] == "General Motors"]
    data = tmp_path / "gm.csv"
    data.write_text("indicator,year,value\n" + "".join(f"gm_investment,{int(year)},{value}\n"
                                                      for year, value in zip(gm["year"], gm["invest"])),
                    encoding="utf-8")
    registry = tmp_path / "firms.yaml"
    registry.write_text("- {id: gm_investment, name_en: General Motors gross investment, unit: million USD of 1947, "
                        "kind: amount, direction: increase}\n", encoding="utf-8")
    return "--indicators", str(registry), "--data", str(data)


def test_a_series_of_1935_to_1954_forecasts(capsys, tmp_path):
    plan = _grunfeld_plan(tmp_path)
    code, out, err = run(capsys, "forecast", "gm_investment", "--format", "csv", "--horizon", "3", *plan)
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out))
    assert frame["year"].tolist() == [1955, 1956, 1957] and (frame["point"] > 0).all()
    assert ((frame["lower"] <= frame["point"]) & (frame["point"] <= frame["upper"])).all()
    code, out, err = run(capsys, "forecast", "gm_investment", "--format", "csv", "--horizon", "2", "--origin", "1940",
                         *plan)
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out))["year"].tolist() == [1941, 1942]


def test_an_origin_before_1800_is_refused_for_a_plan_of_the_1930s(capsys, tmp_path):
    code, out, err = run(capsys, "forecast", "gm_investment", "--origin", "1799", *_grunfeld_plan(tmp_path))
    assert code == 1 and out == ""
    assert err == f"xmforecast: error: `--origin` must be a year 1800-{THIS_YEAR}; got 1799.\n"


def test_another_registry_without_data_or_baselines_is_one_line(capsys, tmp_path):
    registry = tmp_path / "bare.yaml"
    registry.write_text("- {id: hubs, name_en: Hubs, unit: hubs, kind: stock, direction: increase}\n",
                        encoding="utf-8")
    for command in ("targets", "backtest", "indicators"):
        code, out, err = run(capsys, command, "--indicators", str(registry))
        assert code == 1 and out == ""
        assert err.startswith("xmforecast: error: bare.yaml: no observations") and err.count("\n") == 1


def test_a_xiamen_id_in_another_plans_data_is_refused(capsys, write_csv):
    path = write_csv("indicator,year,value\nrd_spend,2016,117.7\n")
    code, _, err = run(capsys, "targets", "--indicators", str(CITY / "indicators.yaml"), "--data", str(path))
    assert code == 1 and "unknown indicator 'rd_spend'" in err


def test_run_with_a_missing_registry_is_one_line_and_writes_nothing(capsys, tmp_path):
    params = tmp_path / "a.yaml"
    params.write_text("scenario: a\n", encoding="utf-8")
    code, out, err = run(capsys, "run", str(params), "--indicators", str(tmp_path / "nowhere.yaml"),
                         "--out", str(tmp_path / "reports"))
    errors = [line for line in err.splitlines() if not line.startswith(("xmforecast run: ", "checking "))]
    assert code == 1 and out == "" and len(errors) == 1  # progress lines aside
    assert "`indicators_file` must be an existing registry (YAML) file" in errors[0]
    assert not (tmp_path / "reports").exists()


def test_level_accepts_a_percentage_up_to_99_9(capsys):
    code, out, err = run(capsys, "forecast", "tech_trade", "--level", "99.9", "--format", "csv")
    assert code == 0, err
    f = pd.read_csv(io.StringIO(out))
    assert (f["lower"] <= f["point"]).all() and (f["point"] <= f["upper"]).all()


def test_targets_honours_every_key_of_the_scenario_file(capsys, tmp_path):
    import xmforecast
    from xmforecast.scenarios import load_scenario

    data = tmp_path / "actuals.csv"
    data.write_text("indicator,year,value\ntech_trade,2015,40.0\n", encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text("scenario: s\norigin: 2015\nn_paths: 300\nseed: 5\nmodel: drift\n"
                    f"data_file: {data.name}\n", encoding="utf-8")
    code, out, err = run(capsys, "targets", "--scenario", str(path), "--format", "csv")
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out)).set_index("indicator")
    scenario = load_scenario(path)
    registry = xmforecast.load_indicators()
    obs = xmforecast.load_observations(str(data), indicators=registry)
    expected = xmforecast.assess_targets(obs, registry, origin=2015, scenario=scenario, n_paths=300,
                                         rng=5).set_index("indicator")
    headline = list(HEADLINE)
    assert got.loc[headline, "observed_growth"].tolist() == pytest.approx(
        expected.loc[headline, "observed_growth"].tolist(), nan_ok=True, abs=5e-5), \
        "the file's data_file and origin apply"
    plain = xmforecast.assess_targets(n_paths=300, rng=5).set_index("indicator")
    assert got.loc["tech_trade", "observed_growth"] != pytest.approx(plain.loc["tech_trade", "observed_growth"])
    assert got.loc[headline, "p_attain"].tolist() == pytest.approx(expected.loc[headline, "p_attain"].tolist(),
                                                                   nan_ok=True, abs=5e-5)
    code, out2, _ = run(capsys, "targets", "--scenario", str(path), "--format", "csv", "--seed", "6")
    assert out2 != out, "an option on the command line wins over the file"


def test_a_model_that_cannot_fit_says_why_on_stderr(capsys, tmp_path):
    path = tmp_path / "ets.yaml"
    path.write_text("scenario: t\nmodel: ets\nn_paths: 100\n", encoding="utf-8")
    code, out, err = run(capsys, "targets", "--scenario", str(path), "--format", "csv")
    assert code == 0
    assert re.search(r"rd_spend: no probability: `ets` needs at least 8 observations; got \d", err), err


def test_scenarios_lists_the_params_files_with_their_titles(capsys):
    root = Path(__file__).resolve().parent.parent
    code, out, err = run(capsys, "scenarios", str(root / "params"), "--format", "json")
    assert code == 0, err
    records = json.loads(out)
    by_name = {r["scenario"]: r for r in records}
    assert {"baseline", "slowdown"} <= set(by_name)
    assert "Baseline" in by_name["baseline"]["title"] and by_name["baseline"]["file"].endswith("baseline.yaml")


def test_run_prints_json_when_asked(capsys, monkeypatch, tmp_path):
    import xmforecast.runner

    folder = tmp_path / "reports" / "2017-03-01_120000"
    monkeypatch.setattr(xmforecast.runner, "run_suite", lambda params, **kw: folder)
    code, out, err = run(capsys, "run", "params/baseline.yaml", "--out", str(tmp_path / "reports"),
                         "--format", "json")
    assert code == 0, err
    record = json.loads(out)
    assert record["run_dir"] == str(folder) and record["index"].endswith("reports/index.html")


def test_csv_output_defuses_text_a_spreadsheet_would_run(capsys, tmp_path):
    registry = tmp_path / "r.yaml"
    registry.write_text(
        "- id: x\n  name_en: \"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\"\n  unit: \"@SUM(A1)\"\n  kind: flow\n"
        "  direction: increase\n  notes: \"-2+3\"\n  base_year: 2020\n  base_value: 5\n  base_source: register\n", encoding="utf-8")
    code, out, err = run(capsys, "indicators", "--format", "csv", "--indicators", str(registry))
    assert code == 0, err
    row = pd.read_csv(io.StringIO(out)).iloc[0]
    assert row["name_en"] == "'=HYPERLINK(\"http://x\",\"y\")" and row["unit"] == "'@SUM(A1)"
    # numbers stay numbers: a growth rate of -0.2 is not text
    code, out, err = run(capsys, "targets", "--format", "csv", "--n-paths", "100")
    frame = pd.read_csv(io.StringIO(out))
    assert (frame["required_growth"].dropna() < 0).any() and frame["required_growth"].dtype == float


def test_sigterm_ends_the_command_even_where_the_interrupted_code_swallows_every_exception():
    """SIGTERM during code that catches everything (a bare except, pydantic building a schema)."""
    code = ("import os, signal, sys, time\nfrom xmforecast import cli\n"
            "def swallowing(args):\n"
            "    try:\n        os.kill(os.getpid(), signal.SIGTERM)\n        time.sleep(30)\n"
            "    except BaseException:\n        pass\n"
            "    print('went on')\n"
            "cli._scenarios = swallowing\nsys.exit(cli.main(['scenarios']))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (143, "", "xmforecast: terminated (SIGTERM)\n")


def test_version_prints_the_installed_version_on_stdout(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"xmforecast {version('xmforecast')}\n"


def test_backtest_at_an_origin_with_nothing_to_score_says_so_in_every_format(capsys):
    code, out, err = run(capsys, "backtest", "--origin", "2013")
    assert code == 0 and err == ""
    assert out.splitlines()[0].split() == ["indicator", "model", "n", "mape", "coverage", "nominal", "chosen"]
    assert "nothing to backtest: no indicator has three or more observations up to 2013." in out
    code, out, _ = run(capsys, "backtest", "--origin", "2013", "--format", "csv")
    assert code == 0 and pd.read_csv(io.StringIO(out)).empty
