from __future__ import annotations

import datetime
import math
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import xmforecast
from xmforecast.data import COLUMNS, FIRST_YEAR, last_observed_year, read_user_observations, year_rule
from xmforecast.folder import DEFAULT_PLAN

HISTORY_FILE = DEFAULT_PLAN / "observations.csv"
from xmforecast.exceptions import DataError, ScenarioError

THIS_YEAR = datetime.date.today().year


def test_columns_and_one_row_per_indicator_year(observations):
    assert list(observations.columns) == COLUMNS
    assert not observations.duplicated(["indicator", "year"]).any()
    assert observations["year"].dtype.kind == "i"


def test_shipped_history_is_kept_with_its_columns(observations):
    history = pd.read_csv(HISTORY_FILE)
    assert list(history.columns) == COLUMNS
    row = observations.query("indicator == 'hightech_enterprises' and year == 2013").iloc[0]
    assert row["value"] == 820 and row["quality"] == "A" and row["status"] == "published"
    assert "MOST" in row["source"]


def test_derived_rows_are_computed_from_the_seed_growth(observations):
    row = observations.query("indicator == 'tech_trade' and year == 2015").iloc[0]
    assert row["value"] == pytest.approx(45.16 / 1.3369, rel=1e-12)
    assert row["status"] == "derived" and row["quality"] == "seed"
    assert "1.3369" in row["source"] or "0.3369" in row["source"]
    grants = observations.query("indicator == 'invention_patent_grants' and year == 2015").iloc[0]
    assert grants["value"] == pytest.approx(2028 / 1.1996, rel=1e-12)


def test_seed_baselines_are_present(observations):
    def value(ind, year):
        return observations.query("indicator == @ind and year == @year")["value"].item()

    assert value("hightech_enterprises", 2016) == 1225
    assert value("tech_trade", 2016) == 45.16
    assert value("invention_patents_per_10k", 2016) == 18.75
    assert value("rd_spend", 2016) == 117.7


def test_origin_drops_later_years(indicators):
    obs = xmforecast.load_observations(indicators=indicators, origin=2014)
    assert obs["year"].max() == 2014


def test_series_is_year_indexed(observations):
    s = xmforecast.series(observations, "hightech_enterprises")
    assert list(s.index) == [2011, 2013, 2014, 2015, 2016]
    assert s.name == "hightech_enterprises"
    assert xmforecast.series(observations, "hightech_enterprises", origin=2014).index.max() == 2014


def test_user_rows_win_and_are_marked(write_csv, indicators):
    path = write_csv("indicator,year,value\ntech_trade,2016,50\ntech_trade,2017,61.5\n")
    obs = xmforecast.load_observations(path, indicators=indicators)
    rows = obs.query("indicator == 'tech_trade' and year >= 2016").set_index("year")
    assert rows.loc[2016, "value"] == 50 and rows.loc[2017, "value"] == 61.5
    assert set(rows["status"]) == {"user"} and rows.loc[2017, "source"] == "obs.csv"
    assert rows.loc[2017, "unit"] == "亿元"


def test_optional_columns_are_kept(write_csv, indicators):
    path = write_csv("indicator,year,value,quality,source\nrd_spend,2017,140.2,A,statistics bureau 2018\n")
    row = xmforecast.load_observations(path, indicators=indicators).query("indicator=='rd_spend' and year==2017").iloc[0]
    assert row["quality"] == "A" and row["source"] == "statistics bureau 2018"


@pytest.mark.parametrize(
    "content, pattern",
    [
        ("indicator,year\ntech_trade,2016\n", r"obs\.csv: missing required column\(s\) value"),
        ("indicator,year,value\nno_such_thing,2016,1\n", r"obs\.csv: line 2: unknown indicator 'no_such_thing'"),
        ("indicator,year,value\ntech_trade,2016,1\ntech_trade,2017,abc\n", r"obs\.csv: line 3: `value` must be a number; got 'abc'"),
        ("indicator,year,value\ntech_trade,2016,-5\n", r"line 2: `value` must not be negative"),
        ("indicator,year,value\ntech_trade,2016,1\ntech_trade,2016,2\n", r"line 3: duplicate \(tech_trade, 2016\), first given on line 2"),
        ("indicator,year,value\ntech_trade,2999,1\n", rf"line 2: `year` must be a year 1800-{THIS_YEAR}; got '2999'\.$"),
        ("indicator,year,value\ntech_trade,20x6,1\n", r"line 2: `year` must be a whole number"),
        ("indicator,year,value\ntech_trade,2016,inf\n", r"line 2: `value` must be finite"),
        ("indicator,year,value\n", r"no observations"),
    ],
)
def test_bad_user_files_name_file_row_and_rule(write_csv, indicators, content, pattern):
    path = write_csv(content)
    with pytest.raises(DataError, match=pattern):
        xmforecast.load_observations(path, indicators=indicators)


def test_non_utf8_file_is_refused_with_its_line(write_csv, indicators):
    path = write_csv("indicator,year,value,source\ntech_trade,2016,1,统计局\n".encode("gb18030"))
    with pytest.raises(DataError, match=r"obs\.csv: line 2: not UTF-8"):
        xmforecast.load_observations(path, indicators=indicators)


def test_missing_file(tmp_path, indicators):
    with pytest.raises(DataError, match="file not found"):
        xmforecast.load_observations(tmp_path / "nope.csv", indicators=indicators)


def test_another_city_without_the_shipped_history(write_csv, indicators):
    path = write_csv("indicator,year,value\ntech_trade,2014,10\ntech_trade,2015,12\n")
    obs = xmforecast.load_observations(path, indicators=indicators, history_file=None)
    s = xmforecast.series(obs, "tech_trade")
    # the seed rows still come from the registry; the user's rows are added
    assert s[2014] == 10 and s[2015] == 12 and not math.isnan(s[2016])


@pytest.mark.parametrize(
    "content, pattern",
    [
        ("indicator,year,value\ntech_trade,-99999999999999999999999,1\n", rf"line 2: `year` must be a year 1800-{THIS_YEAR}; got '-99999999999999999999999'"),
        ("indicator,year,value\ntech_trade,1066,1\n", rf"line 2: `year` must be a year 1800-{THIS_YEAR}; got '1066'"),
        ("indicator,year,value\ntech_trade,0,1\n", rf"line 2: `year` must be a year 1800-{THIS_YEAR}; got '0'"),
        ("indicator,year,value\ntech_trade,-5,1\n", rf"line 2: `year` must be a year 1800-{THIS_YEAR}; got '-5'"),
        ("indicator,year,value\ntech_trade,2_016,1\n", r"line 2: `year` must be a whole number; got '2_016'"),
        ("indicator,year,value\ntech_trade,2016,1e200\n", r"line 2: `value` must be at most 1e\+15 .*; got '1e200'"),
        ("indicator,year,value\ntech_trade,2016,72.5,B\n", r"line 2: 4 fields, more than the 3 columns of the header"),
        ("indicator,year,value,value\ntech_trade,2016,1,2\n", r"obs\.csv: line 1: duplicated column\(s\) 'value' in the header"),
        ("indicator,year,value\ntech_trade,2016,1\x00\n", r"line 2: a NUL character"),
    ],
)
def test_out_of_range_and_malformed_rows_are_refused(write_csv, indicators, content, pattern):
    path = write_csv(content)
    with pytest.raises(DataError, match=pattern):
        xmforecast.load_observations(path, indicators=indicators)


def test_a_long_received_value_is_shortened_in_the_message(write_csv, indicators):
    path = write_csv("indicator,year,value\ntech_trade,2016," + "x" * 100_000 + "\n")
    with pytest.raises(DataError) as info:
        xmforecast.load_observations(path, indicators=indicators)
    assert len(str(info.value)) < 300 and "\n" not in str(info.value)


@pytest.mark.parametrize("make", ["directory", "fifo", "devnull", "proc_mem"])
def test_a_path_that_is_not_a_regular_file_gives_one_line(tmp_path, indicators, make):
    import os

    if make == "directory":
        path = tmp_path
    elif make == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    elif make == "devnull":
        path = "/dev/null"
    else:
        path = "/proc/self/mem"
    with pytest.raises(DataError, match=r"^\S+: (not a regular file \(a (folder|FIFO|character device)\)|cannot read .*)"
                       r"|^/proc/self/mem: the file is larger than"):
        xmforecast.load_observations(path, indicators=indicators)


def test_proc_self_mem_is_refused_as_unreadable(indicators):
    with pytest.raises(DataError, match=r"^/proc/self/mem: cannot read \(Input/output error\)\.$"):
        xmforecast.load_observations("/proc/self/mem", indicators=indicators)


def test_an_unreadable_file_gives_one_line(write_csv, indicators, monkeypatch):
    import os

    import xmforecast.inputs

    path = write_csv("indicator,year,value\ntech_trade,2016,1\n")
    real_open = os.open

    def refuse(name, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(xmforecast.inputs.os, "open", refuse)
    with pytest.raises(DataError, match=r"obs\.csv: cannot read \(Permission denied\)\.$"):
        xmforecast.load_observations(path, indicators=indicators)


def test_a_file_above_the_size_cap_is_refused_before_parsing(write_csv, indicators, monkeypatch):
    import xmforecast.inputs

    path = write_csv("indicator,year,value\n" + "tech_trade,2016,1\n" * 100)
    monkeypatch.setattr(xmforecast.inputs, "MAX_CSV_BYTES", 1000)
    with pytest.raises(DataError, match=r"obs\.csv: the file is 1,821 bytes; the limit is 1,000 bytes\."):
        xmforecast.load_observations(path, indicators=indicators)


def test_a_path_through_a_file_gives_one_line(write_csv, indicators):
    path = write_csv("indicator,year,value\ntech_trade,2016,1\n")
    with pytest.raises(DataError, match=r"obs\.csv/sub\.csv: cannot read \(a part of the path is a file"):
        xmforecast.load_observations(path / "sub.csv", indicators=indicators)


_CSV_CELLS = [
    "tech_trade", "rd_spend", "hightech_enterprises", "no_such", "", " ", "2016", "2015", "1949", "1948", "0", "-5",
    "1800", "1799", "9" * 30, "1e200", "1e15", "nan", "inf", "-1", "12.5", "abc", '"a,b"', '"', "\x00", "\r", "\t", "值", "\ufeff",
]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from(["indicator", "year", "value", "unit", "source", "quote", "status", "", "value"]),
                    max_size=6),
    rows=st.lists(st.lists(st.one_of(st.sampled_from(_CSV_CELLS), st.text(max_size=8)), max_size=6), max_size=6),
    raw=st.one_of(st.none(), st.binary(max_size=64)),
)
def test_property_any_csv_gives_observations_or_a_data_error(tmp_path, indicators, header, rows, raw):
    if raw is not None:
        content = raw
    else:
        content = "\n".join(",".join(r) for r in [header, *rows]).encode("utf-8")
    path = tmp_path / "prop.csv"
    path.write_bytes(content)
    try:
        frame = xmforecast.load_observations(path, indicators=indicators, history_file=None)
    except DataError as err:
        assert "\n" not in str(err)
    else:
        assert list(frame.columns) == COLUMNS and len(frame)
        assert frame["value"].between(0, 1e15).all() and frame["year"].between(FIRST_YEAR, THIS_YEAR).all()

def test_every_published_point_is_used_by_the_headline_series(observations):
    # Years of the four headline series with the 2012 R&D figure (grade C) shipped.
    years = {ind: xmforecast.series(observations, ind).index.tolist() for ind in
             ("rd_spend", "hightech_enterprises", "tech_trade", "invention_patents_per_10k")}
    assert years == {
        "rd_spend": [2012, 2014, 2015, 2016],
        "hightech_enterprises": [2011, 2013, 2014, 2015, 2016],
        "tech_trade": [2010, 2011, 2015, 2016],
        "invention_patents_per_10k": [2014, 2015, 2016],
    }


def _city_registry(tmp_path, baseline: bool = True):
    """A one-indicator registry of another city whose id is also one of Xiamen's."""
    import yaml

    entry = {"id": "tech_trade", "name_en": "Technology contracts", "unit": "million", "kind": "amount",
             "direction": "increase"}
    if baseline:
        entry.update(base_year=2016, base_value=7.5, base_source="city yearbook")
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump([entry]), encoding="utf-8")
    return xmforecast.load_indicators(path)


def test_another_registry_gets_no_xiamen_history(tmp_path, write_csv):
    reg = _city_registry(tmp_path)
    obs = xmforecast.load_observations(write_csv("indicator,year,value\ntech_trade,2014,5\ntech_trade,2015,6\n"),
                                       indicators=reg)
    assert xmforecast.series(obs, "tech_trade").to_dict() == {2014: 5.0, 2015: 6.0, 2016: 7.5}
    assert not obs["source"].str.contains("厦门").any() and set(obs["quality"]) == {"user"}


def test_another_registry_baselines_alone_are_observations(tmp_path):
    obs = xmforecast.load_observations(indicators=_city_registry(tmp_path))
    assert obs[["indicator", "year", "value"]].values.tolist() == [["tech_trade", 2016, 7.5]]
    assert obs["source"].item() == "registry baseline: city yearbook"


def test_no_baseline_and_no_data_is_one_clear_error(tmp_path):
    with pytest.raises(DataError, match=r"^city\.yaml: no observations: the registry has no baseline .*--data FILE"):
        xmforecast.load_observations(indicators=_city_registry(tmp_path, baseline=False))


def test_the_shipped_history_can_still_be_asked_for(tmp_path):
    obs = xmforecast.load_observations(indicators=_city_registry(tmp_path), history_file=HISTORY_FILE)
    assert len(xmforecast.series(obs, "tech_trade")) > 1


def test_a_bad_history_file_gives_one_line(write_csv, indicators):
    path = write_csv("indicator,year,value,unit,status,quality,source,quote\ntech_trade,20x6,1,,,,,\n", name="h.csv")
    with pytest.raises(DataError, match=r"h\.csv: not a readable history file: "):
        xmforecast.load_observations(indicators=indicators, history_file=path)
    with pytest.raises(DataError, match=r"^/dev/null: not a regular file"):
        xmforecast.load_observations(indicators=indicators, history_file="/dev/null")


# --- one year rule for every input ------------------------------------------------------------


def test_the_year_rule_runs_from_1800_to_this_year_and_to_2100_for_a_target():
    assert FIRST_YEAR == 1800 and last_observed_year() == THIS_YEAR
    assert year_rule() == f"must be a year 1800-{THIS_YEAR}"
    assert year_rule(target=True) == "must be a year 1800-2100"


def test_a_series_of_1935_to_1954_loads(tmp_path, write_csv):
    rows = "".join(f"tech_trade,{year},{year - 1900}\n" for year in range(1935, 1955))
    obs = xmforecast.load_observations(write_csv("indicator,year,value\n" + rows),
                                       indicators=_city_registry(tmp_path, baseline=False))
    assert xmforecast.series(obs, "tech_trade").to_dict() == {year: year - 1900.0 for year in range(1935, 1955)}


def test_the_first_year_and_this_year_are_accepted(write_csv, indicators):
    path = write_csv(f"indicator,year,value\ntech_trade,1800,1\ntech_trade,{THIS_YEAR},2\n")
    assert read_user_observations(path, indicators=indicators)["year"].tolist() == [1800, THIS_YEAR]


@pytest.mark.parametrize("year", [1799, THIS_YEAR + 1])
def test_a_row_before_1800_or_after_this_year_is_refused_in_one_line(write_csv, indicators, year):
    path = write_csv(f"indicator,year,value\ntech_trade,2016,1\ntech_trade,{year},1\n")
    with pytest.raises(DataError) as info:
        xmforecast.load_observations(path, indicators=indicators)
    assert str(info.value) == f"{path}: line 3: `year` must be a year 1800-{THIS_YEAR}; got '{year}'."


def _accepted(loaders: dict, errors) -> tuple[dict[str, bool], list[str]]:
    """Which loaders accept their input, and the messages of those that refuse it with `errors`."""
    accepted, messages = {}, []
    for name, load in loaders.items():
        try:
            load()
        except errors as err:
            accepted[name] = False
            messages.append(str(err))
        else:
            accepted[name] = True
    return accepted, messages


@settings(max_examples=500, deadline=None)
@given(year=st.integers(1700, 2200))
@example(year=1799)
@example(year=1800)
@example(year=THIS_YEAR)
@example(year=THIS_YEAR + 1)
def test_property_csv_registry_and_scenario_accept_the_same_years(tmp_path_factory, indicators, year):
    import yaml

    from xmforecast.scenarios import scenario_from_parameters

    folder = tmp_path_factory.getbasetemp()
    csv = folder / "year-rule.csv"
    csv.write_text(f"indicator,year,value\ntech_trade,{year},1\n", encoding="utf-8")
    registry = folder / "year-rule.yaml"
    registry.write_text(yaml.safe_dump([{"id": "hubs", "name_en": "Hubs", "unit": "hubs", "kind": "stock",
                                         "direction": "increase", "base_year": year, "base_value": 3,
                                         "base_source": "city yearbook"}]), encoding="utf-8")
    loaders = {
        "csv": lambda: read_user_observations(csv, indicators=indicators),
        "registry": lambda: xmforecast.load_indicators(registry),
        "scenario": lambda: scenario_from_parameters({"scenario": "a", "origin": year}),
    }
    accepted, messages = _accepted(loaders, (DataError, ScenarioError))
    assert accepted == dict.fromkeys(loaders, 1800 <= year <= THIS_YEAR)
    # One line each, naming the input, in the same words.
    rule = re.compile(rf": (`year` |`base_year` |key 'origin': )must be a year 1800-{THIS_YEAR}; got '?{year}'?\.$")
    assert all("\n" not in message and rule.search(message) for message in messages), messages


def test_a_quote_left_open_is_refused_instead_of_swallowing_the_rows_after_it(write_csv, indicators):
    path = write_csv('indicator,year,value,source\ntech_trade,2017,72.5,"2017 statistical bulletin\n'
                     "hightech_enterprises,2017,1470,science and technology bureau\n")
    with pytest.raises(DataError) as info:
        read_user_observations(path, indicators=indicators)
    assert str(info.value) == (f"{path}: line 2: a quoted value opened on this line is never closed; "
                               'close its quote ("), or no row after it could be read.')


def test_a_closed_quote_may_span_lines_and_rows_keep_their_first_line(write_csv, indicators):
    path = write_csv('indicator,year,value,quote\ntech_trade,2017,72.5,"one sentence\nover two lines"\n'
                     "hightech_enterprises,2017,1470,x\nhightech_enterprises,2017x,1,x\n")
    with pytest.raises(DataError, match=r"line 5: `year`"):
        read_user_observations(path, indicators=indicators)
    obs = read_user_observations(write_csv('indicator,year,value,quote\ntech_trade,2017,72.5,"a\nb"\n'
                                           "hightech_enterprises,2017,1470,x\n", "ok.csv"), indicators=indicators)
    assert obs["indicator"].tolist() == ["tech_trade", "hightech_enterprises"] and obs["quote"].iloc[0] == "a\nb"


def test_a_header_of_100_000_columns_is_checked_for_duplicates(write_csv, indicators):
    # the duplicated-column check counted each name in the whole header: 100,000 columns took minutes
    names = ["indicator", "year", "value", *(f"c{i}" for i in range(100_000)), "c7"]
    with pytest.raises(DataError, match=r"line 1: duplicated column\(s\) 'c7' in the header"):
        read_user_observations(write_csv(",".join(names) + "\n"), indicators=indicators)


def test_a_unit_other_than_the_registry_s_is_refused_not_relabelled(write_csv, indicators):
    path = write_csv("indicator,year,value,unit\ntech_trade,2017,7.25e9,yuan\n")
    with pytest.raises(DataError) as info:
        read_user_observations(path, indicators=indicators)
    assert str(info.value) == (f"{path}: line 2: `unit` 'yuan' is not the unit of 'tech_trade', 亿元; give the "
                               "value in 亿元, or leave `unit` empty.")
    same = read_user_observations(write_csv("indicator,year,value,unit\ntech_trade,2017,72.5, 亿元\n", "ok.csv"),
                                  indicators=indicators)
    assert same["unit"].tolist() == ["亿元"]


@pytest.mark.parametrize("text", ["1_470", "1,470"])
def test_digit_separators_are_refused_alike(write_csv, indicators, text):
    path = write_csv(f'indicator,year,value\nhightech_enterprises,2017,"{text}"\n')
    with pytest.raises(DataError) as info:
        read_user_observations(path, indicators=indicators)
    assert str(info.value) == f"{path}: line 2: `value` must be a number; got '{text}'."


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(st.floats(allow_nan=False, allow_infinity=True),
                       st.floats(min_value=-10.0, max_value=10.0),
                       st.floats(min_value=1e14, max_value=1e16)))
@example(value=0.0)
@example(value=-0.0)
@example(value=1e15)
@example(value=1.0000000000000002e15)
@example(value=-1e-300)
def test_property_csv_and_registry_accept_the_same_values(tmp_path_factory, indicators, value):
    import yaml

    folder = tmp_path_factory.getbasetemp()
    csv = folder / "value-rule.csv"
    csv.write_text(f"indicator,year,value\ntech_trade,2016,{value!r}\n", encoding="utf-8")
    registry = folder / "value-rule.yaml"
    registry.write_text(yaml.safe_dump([{"id": "hubs", "name_en": "Hubs", "unit": "hubs", "kind": "stock",
                                         "direction": "increase", "base_year": 2016, "base_value": value,
                                         "base_source": "city yearbook"}]), encoding="utf-8")
    loaders = {
        "csv": lambda: read_user_observations(csv, indicators=indicators),
        "registry": lambda: xmforecast.load_indicators(registry),
    }
    accepted, messages = _accepted(loaders, DataError)
    assert accepted == dict.fromkeys(loaders, 0 <= value <= 1e15), messages
    assert all("\n" not in message for message in messages), messages


@settings(max_examples=500, deadline=None)
@given(level=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=0.0, max_value=120.0)))
@example(level=50.0)
@example(level=50.000001)
@example(level=99.9)
@example(level=99.90001)
@example(level=0.8)
def test_property_command_line_and_scenario_accept_the_same_levels(level):
    from xmforecast.cli import _level
    from xmforecast.exceptions import ParameterError
    from xmforecast.scenarios import scenario_from_parameters

    loaders = {"command line": lambda: _level(repr(level)),
               "scenario": lambda: scenario_from_parameters({"scenario": "a", "level": level})}
    accepted, _ = _accepted(loaders, (ParameterError, ScenarioError))
    assert accepted == dict.fromkeys(loaders, 50 < level <= 99.9)
