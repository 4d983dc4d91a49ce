"""What the command line shows a person (a terminal's table) and what it gives a script (CSV, JSON)."""
from __future__ import annotations

import json
import re
import unicodedata
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest

from xmforecast.cli import INDICATOR_COLUMNS, main
from xmforecast.registry import load_indicators

LAKESIDE = Path(__file__).resolve().parent.parent / "examples" / "lakeside"
PLANS = {
    "xiamen": (),
    "lakeside": ("--indicators", str(LAKESIDE / "indicators.yaml"), "--data", str(LAKESIDE / "observations.csv")),
}
TARGET_COLUMNS = ["indicator", "target_year", "target_type", "target_value", "base_year", "base_value",
                  "required_growth", "observed_growth", "progress_ratio", "status", "p_attain", "expected_year",
                  "confidence", "base_rate", "reference_class", "vintage", "verdict"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def width(line: str) -> int:
    """Columns a terminal gives the line (a CJK character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@pytest.fixture
def data_2017(write_csv):
    """Actuals of 2017: two targets are then met, with an expected year from the data."""
    return write_csv("indicator,year,value\ntech_trade,2017,72.5\nhightech_enterprises,2017,1470\n")


@pytest.mark.parametrize("plan", PLANS)
def test_every_default_table_fits_100_columns_and_shows_no_na(capsys, plan):
    first = "rd_spend" if plan == "xiamen" else "research_spending"
    for command in (("indicators",), ("targets", "--n-paths", "200"), ("backtest",), ("forecast", first),
                    ("scenarios",)):
        out = run(capsys, *command, *PLANS[plan])
        too_wide = [line for line in out.splitlines() if width(line) > 100]
        assert not too_wide, (command, too_wide[:2])
        assert "<NA>" not in out and "nan" not in out.lower().split(), command


def test_wide_table_shows_every_column_of_the_contract(capsys):
    out = run(capsys, "indicators", "--wide")
    assert out.splitlines()[0].split() == INDICATOR_COLUMNS
    assert "<NA>" not in out
    out = run(capsys, "targets", "--wide", "--n-paths", "200")
    assert out.splitlines()[0].split() == TARGET_COLUMNS
    assert "<NA>" not in out


def test_quotes_are_cut_at_a_word_with_an_ellipsis(capsys):
    reg = load_indicators()
    full = reg["target_quote"].where(reg["target_quote"].notna(), reg["base_quote"]).fillna("")
    out = run(capsys, "indicators", "--wide")
    cut = 0
    for ind, quote in zip(reg["id"], full):
        line = next(line for line in out.splitlines() if line.split()[0] == ind)
        if not quote or quote in line:
            continue
        shown = next(cell for cell in re.split(r"\s{2,}", line) if cell.endswith("…"))
        head = shown[:-1]
        assert quote.startswith(head), (ind, shown)
        # Never inside a number or a word: "... 2028" not "... 20".
        assert not (head[-1:].isascii() and head[-1:].isalnum() and quote[len(head)].isascii()
                    and quote[len(head)].isalnum()), (ind, shown, quote)
        cut += 1
    assert cut, "no quote was long enough to be cut: the test proves nothing"


def test_years_are_integers_in_every_format(capsys, data_2017):
    table = run(capsys, "targets", "--data", data_2017, "--n-paths", "200")
    assert not re.search(r"\b(19|20)\d\d\.0\b", table)
    csv = pd.read_csv(StringIO(run(capsys, "targets", "--data", data_2017, "--n-paths", "200", "--format", "csv")),
                      dtype=str, keep_default_na=False)
    for column in ("target_year", "base_year", "expected_year", "vintage"):
        assert csv[column].str.fullmatch(r"\d{4}|after \d{4}|").all(), (column, csv[column].tolist())
    records = json.loads(run(capsys, "targets", "--data", data_2017, "--n-paths", "200", "--format", "json"))
    for record in records:
        year = record["expected_year"]
        assert year is None or isinstance(year, int) or (isinstance(year, str) and year.startswith("after")), record


def test_csv_and_json_numbers_are_rounded(capsys):
    csv = run(capsys, "targets", "--n-paths", "200", "--format", "csv")
    assert not re.search(r"\d\.\d{5,}", csv), re.findall(r"[-\d.]*\d\.\d{5,}", csv)[:5]
    records = json.loads(run(capsys, "targets", "--n-paths", "200", "--format", "json"))
    assert next(r for r in records if r["indicator"] == "rd_spend")["required_growth"] == 0.2
    backtest = run(capsys, "backtest", "--format", "csv")
    assert not re.search(r"\d\.\d{5,}", backtest), re.findall(r"[-\d.]*\d\.\d{5,}", backtest)[:5]


@pytest.mark.parametrize("plan", PLANS)
def test_backtest_chosen_row_is_the_model_each_forecast_uses(capsys, plan):
    frame = pd.read_csv(StringIO(run(capsys, "backtest", "--format", "csv", *PLANS[plan])))
    per_indicator = frame[frame["indicator"] != "all"]
    chosen = per_indicator[per_indicator["chosen"]]
    assert chosen["indicator"].is_unique
    assert set(chosen["indicator"]) == set(per_indicator["indicator"])
    models = set()
    for row in chosen.itertuples():
        used = pd.read_csv(StringIO(run(capsys, "forecast", row.indicator, "--format", "csv", *PLANS[plan])))
        assert row.model == used["model"].iloc[0], row
        assert row.model in row.reason or "structural" in row.reason, row
        models.add((row.model, row.n, row.mape))
    # One line per indicator, from its own series: not the same pooled line for every one.
    assert len(models) == len(chosen) or len(chosen) == 1


def test_backtest_shows_coverage_in_the_unit_of_its_nominal_level(capsys):
    out = run(capsys, "backtest")
    header, first = out.splitlines()[:2]
    cells = dict(zip(re.split(r"\s{2,}", header.strip()), re.split(r"\s{2,}", first.strip())))
    assert cells["nominal"] == "80 %" and re.fullmatch(r"\d{1,3} %|", cells["coverage"]), cells
