"""Tests of the indicator registry and of the seed cleaning."""
from __future__ import annotations

import datetime
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from xmforecast.exceptions import DataError
from xmforecast.registry import clean_seed, load_indicators, seed_text

HISTORY = Path(__file__).resolve().parent.parent / "xmforecast" / "plans" / "xiamen" / "observations.csv"
SCHEMA = [
    "id", "name_zh", "name_en", "unit", "kind", "direction",
    "base_year", "base_value", "base_quote", "base_source",
    "prior_growth", "prior_growth_quote",
    "target_year", "target_type", "target_value", "target_quote",
    "notes", "model", "inputs", "headline", "family", "reference_class",
]
NUMBER = re.compile(r"\d+(?:\.\d+)?")
THIS_YEAR = datetime.date.today().year


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _numbers(text: str) -> list[float]:
    return [float(n) for n in NUMBER.findall(text)]


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return load_indicators()


@pytest.fixture(scope="module")
def records(registry) -> list[dict]:
    return registry.to_dict("records")


@pytest.fixture(scope="module")
def seed() -> str:
    return seed_text()


# --- the registry against the seed -----------------------------------------------------------


def test_every_quote_is_in_the_cleaned_seed(records, seed):
    missing = [
        (rec["id"], field, rec[field])
        for rec in records
        for field in ("base_quote", "prior_growth_quote", "target_quote")
        if _present(rec[field]) and rec[field] not in seed
    ]
    assert missing == []


def test_every_number_is_in_its_quote(records):
    checks = []
    for rec in records:
        if _present(rec["base_quote"]):
            checks.append((rec["id"], "base_value", rec["base_value"], rec["base_quote"]))
        if _present(rec["prior_growth"]):
            checks.append((rec["id"], "prior_growth", rec["prior_growth"] * 100, rec["prior_growth_quote"]))
        if _present(rec["target_type"]):
            scale = 100 if rec["target_type"] == "growth" else 1
            checks.append((rec["id"], "target_value", rec["target_value"] * scale, rec["target_quote"]))
    wrong = [
        (ident, field, value, quote)
        for ident, field, value, quote in checks
        if not _present(quote) or not any(math.isclose(value, n, rel_tol=1e-9) for n in _numbers(quote))
    ]
    assert len(checks) > 40
    assert wrong == []


def test_seed_baselines_have_quotes_and_targets_are_2017(records):
    for rec in records:
        if rec["base_source"] == "seed":
            assert rec["base_year"] == 2016 and _present(rec["base_quote"]), rec["id"]
        if _present(rec["target_type"]):
            assert rec["target_year"] == 2017, rec["id"]
        else:
            assert not _present(rec["target_value"]) and not _present(rec["target_quote"]), rec["id"]


def test_fragments_quoted_in_notes_are_in_the_seed(records, seed):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    fragments = [
        (rec["id"], frag)
        for rec in records
        if _present(rec["notes"])
        for frag in re.findall(r'"([^"]+)"', rec["notes"])
        if cjk.search(frag)
    ]
    assert len(fragments) >= 5
    assert [f for f in fragments if f[1] not in seed] == []


def test_history_baselines_match_the_shipped_csv(records):
    history = pd.read_csv(HISTORY)
    values = history.set_index(["indicator", "year"])
    from_history = 0
    for rec in records:
        if not _present(rec["base_value"]):
            continue
        key = (rec["id"], int(rec["base_year"]))
        if rec["base_source"] != "seed":
            from_history += 1
            assert key in values.index, key
        if key in values.index:
            row = values.loc[key]
            assert math.isclose(rec["base_value"], row["value"], rel_tol=1e-9), key
            if rec["base_source"] == "seed":
                assert row["quality"] == "seed", key
            else:
                assert f"grade {row['quality']}" in rec["base_source"], key
                assert row["status"] in rec["base_source"], key
    assert from_history == 5  # rd_spend, valid_invention_patents, population, gdp, rd_intensity


def test_every_history_indicator_is_registered(registry):
    history = pd.read_csv(HISTORY)
    assert set(history["indicator"]) - set(registry["id"]) == set()


# --- the registry's content -------------------------------------------------------------------


def test_headline_targets(registry):
    reg = registry.set_index("id")
    expected = {
        "rd_spend": (117.7, "growth", 0.20),
        "hightech_enterprises": (1225, "level", 1400),
        "hightech_new_certified": (281, "flow", 200),
        "tech_trade": (45.16, "level", 60),
        "invention_patents_per_10k": (18.75, "level", 20),
    }
    for ident, (base, kind, target) in expected.items():
        assert reg.loc[ident, "base_value"] == pytest.approx(base)
        assert reg.loc[ident, "target_type"] == kind
        assert reg.loc[ident, "target_value"] == pytest.approx(target)
        assert reg.loc[ident, "target_year"] == 2017
    assert reg.loc["hightech_enterprises", "prior_growth"] == pytest.approx(0.225)
    assert reg.loc["tech_trade", "prior_growth"] == pytest.approx(0.3369)
    assert reg.loc["invention_patent_grants", "prior_growth"] == pytest.approx(0.1996)
    assert pd.isna(reg.loc["rd_spend", "base_quote"])
    assert "grade A" in reg.loc["rd_spend", "base_source"]


def test_enough_entries_with_a_baseline_or_target(registry):
    useful = registry["base_value"].notna() | registry["target_type"].notna()
    assert useful.sum() >= 19
    assert registry["target_type"].notna().sum() >= 19


def test_the_cumulative_online_baseline_is_flagged(registry):
    notes = registry.set_index("id").loc["online_tech_trade", "notes"]
    assert "CUMULATIVE" in notes and "一年多" in notes


def test_frame_shape_order_and_types(registry):
    assert list(registry.columns) == SCHEMA
    raw = yaml.safe_load((Path(__file__).resolve().parent.parent / "xmforecast" / "plans" / "xiamen"
                          / "indicators.yaml").read_text(encoding="utf-8"))
    assert registry["id"].tolist() == [entry["id"] for entry in raw]
    assert str(registry["base_value"].dtype) == "float64"
    assert str(registry["target_year"].dtype) == "Int64"


# --- the seed's traps -------------------------------------------------------------------------


def test_the_seed_traps_are_undone(seed):
    raw = seed_text(clean=False)
    assert "320 个" in raw and "华8为" in raw and "同比增长718" in raw
    for fixed in ["台湾青年创业团队287 个", "厦门大学、华为三方共建", "扶持骨干企业建设20 个",
                  "协同推进自创区建设", "所得税收入", "奖。(三)创新创业", "。四是科技人才",
                  "同比增长18%", "倍。三是科技企业", "进一步扩大科研人员", "重要讲话精神",
                  "批准。3.策划启动", "中科院沈阳自动化所", "提前梳理、总结", "重点实验室、工程中心",
                  "研发机构、工程中心", "科技担保、科技保险", "增长;促进知识产权", "执行党的各项",
                  ",提 升 管 理"]:
        assert fixed in seed, fixed
    for broken in ["320 个", "华8为", "718%", "10、87", "123.", "\n"]:
        assert broken not in seed, broken


def test_exactly_the_twenty_page_numbers_are_removed(seed):
    raw = seed_text(clean=False)
    joined = re.sub(r"(?m)^\d+、", "", raw).replace("\n", "")
    removed_digits = sum(len(str(page)) for page in range(1, 21))
    assert len(joined) - len(seed) == removed_digits == 31


def test_clean_seed_on_tiny_strings():
    assert clean_seed("1、abc\n2、def") == "abcdef"
    assert clean_seed("31、首期 1\n32、 亿元") == "首期 1 亿元"
    assert clean_seed("1、一、2016 年\r\n2、二、") == "一、2016 年二、"
    assert clean_seed("1、共 3、4 项") == "共 3、4 项"
    assert clean_seed("4、扶持骨干企业建设320 个平台") == "扶持骨干企业建设20 个平台"
    assert clean_seed("1、拟建设320 台设备") == "拟建设320 台设备"  # not a known page position
    assert clean_seed("") == ""


def test_seed_text_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"nowhere\.txt: seed document not found"):
        seed_text(tmp_path / "nowhere.txt")


def test_seed_text_reads_a_given_file(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("1、厦门大学、华8\n2、为三方共建", encoding="utf-8")
    assert seed_text(path) == "厦门大学、华为三方共建"
    assert seed_text(path, clean=False) == "1、厦门大学、华8\n2、为三方共建"


# --- validation -------------------------------------------------------------------------------


def _entry(**changes) -> dict:
    entry = {
        "id": "tech_trade", "name_zh": "技术合同交易额", "name_en": "Technology contract turnover",
        "unit": "亿元", "kind": "amount", "direction": "increase",
        "base_year": 2016, "base_value": 45.16, "base_quote": "45.16 亿元", "base_source": "seed",
        "target_year": 2017, "target_type": "level", "target_value": 60.0,
    }
    entry.update(changes)
    return {k: v for k, v in entry.items() if v != "DROP"}


def _write(tmp_path: Path, entries, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path


def test_a_minimal_registry_loads(tmp_path):
    path = _write(tmp_path, [_entry(), _entry(id="gdp", base_quote="DROP", base_source="history",
                                             target_type=None, target_value=None, target_year=None)],
                  name="other_city.yaml")
    frame = load_indicators(path)
    assert frame["id"].tolist() == ["tech_trade", "gdp"]
    assert list(frame.columns) == SCHEMA
    assert frame["notes"].isna().all() and pd.isna(frame.loc[1, "base_quote"])
    assert frame["model"].tolist() == ["auto", "auto"] and frame["inputs"].isna().all()


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry(target_type="lvl")],
         "bad.yaml: entry 'tech_trade': `target_type` must be one of level, growth, flow; got 'lvl'."),
        ([_entry(), _entry(base_value=50.0)],
         "bad.yaml: entry 'tech_trade': `id` must be unique; it appears again as entry #2."),
        ([_entry(unit="DROP")], "bad.yaml: entry 'tech_trade': `unit` is required."),
        ([_entry(id="DROP")], "bad.yaml: entry #1: `id` is required."),
        ([_entry(base_value=-1.0)], "bad.yaml: entry 'tech_trade': `base_value` must be >= 0; got -1.0."),
        ([_entry(kind="money")], "bad.yaml: entry 'tech_trade': `kind` must be one of stock, flow"),
        ([_entry(direction="up")], "bad.yaml: entry 'tech_trade': `direction` must be one of"),
        ([_entry(target_value=float("nan"))], "bad.yaml: entry 'tech_trade': `target_value` must be a finite"),
        ([_entry(target_value="60")], "bad.yaml: entry 'tech_trade': `target_value` must be a finite"),
        ([_entry(target_value=None)], "bad.yaml: entry 'tech_trade': `target_type` level needs a `target_value`."),
        ([_entry(target_year=None)], "bad.yaml: entry 'tech_trade': `target_type` level needs a `target_year`."),
        ([_entry(target_type=None)], "bad.yaml: entry 'tech_trade': a `target_value` needs a `target_type`"),
        ([_entry(target_type="flow")], "bad.yaml: entry 'tech_trade': `target_type` flow is for kind flow"),
        ([_entry(target_type="growth", target_value=-2.0)], "bad.yaml: entry 'tech_trade': a growth `target_value`"),
        ([_entry(target_year=2016)], "bad.yaml: entry 'tech_trade': `target_year` must be after `base_year`"),
        ([_entry(base_year=None)], "bad.yaml: entry 'tech_trade': a `base_value` needs a `base_year`."),
        ([_entry(base_quote=None)], "bad.yaml: entry 'tech_trade': a baseline with `base_source` seed needs"),
        ([_entry(prior_growth=-1.5)], "bad.yaml: entry 'tech_trade': `prior_growth` is a fraction"),
        ([_entry(target_vlaue=60)], "bad.yaml: entry 'tech_trade': unknown field(s) target_vlaue"),
        ([_entry(id="Tech-Trade")], "bad.yaml: entry 'Tech-Trade': `id` must be snake_case"),
        ([_entry(base_year=16.5)], "bad.yaml: entry 'tech_trade': `base_year` must be a year"),
        (["tech_trade"], "bad.yaml: entry #1: must be a mapping of fields; got str."),
        ({"tech_trade": _entry()}, "bad.yaml: the registry must be a non-empty YAML list"),
    ],
)
def test_validation_errors_name_file_entry_and_rule(tmp_path, entries, message):
    path = _write(tmp_path, entries)
    with pytest.raises(DataError, match=re.escape(message)):
        load_indicators(path)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"base_year": 1799}, f"`base_year` must be a year 1800-{THIS_YEAR}; got 1799."),
        ({"base_year": THIS_YEAR + 1, "target_year": THIS_YEAR + 2},
         f"`base_year` must be a year 1800-{THIS_YEAR}; got {THIS_YEAR + 1}."),
        ({"target_year": 1799}, "`target_year` must be a year 1800-2100; got 1799."),
        ({"target_year": 2101}, "`target_year` must be a year 1800-2100; got 2101."),
        ({"base_year": True}, f"`base_year` must be a year 1800-{THIS_YEAR}; got True."),
    ],
)
def test_a_year_outside_the_rule_is_refused_in_one_line(tmp_path, changes, message):
    with pytest.raises(DataError) as info:
        load_indicators(_write(tmp_path, [_entry(**changes)]))
    assert str(info.value) == f"bad.yaml: entry 'tech_trade': {message}"


@pytest.mark.parametrize(("base_year", "target_year"), [(1800, 1801), (THIS_YEAR, THIS_YEAR + 1), (2016, 2100)])
def test_a_base_year_up_to_this_year_and_a_target_up_to_2100_load(tmp_path, base_year, target_year):
    frame = load_indicators(_write(tmp_path, [_entry(base_year=base_year, target_year=target_year)]))
    assert frame.loc[0, ["base_year", "target_year"]].tolist() == [base_year, target_year]


def test_unreadable_registry_files(tmp_path):
    with pytest.raises(DataError, match=r"missing\.yaml: indicator registry not found"):
        load_indicators(tmp_path / "missing.yaml")
    path = tmp_path / "broken.yaml"
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^broken\.yaml: not valid YAML"):
        load_indicators(path)


# --- model declarations ----------------------------------------------------------------------


def _stock_entries(**changes) -> list[dict]:
    flow = _entry(id="new_firms", kind="flow", base_quote="DROP", base_source="history",
                  target_type=None, target_value=None, target_year=None)
    declared = {"model": "certified_stock", "inputs": {"stock": "firms", "new": "new_firms"}, **changes}
    return [_entry(id="firms", kind="stock", **declared), flow]


def test_the_structural_indicators_declare_their_models(registry):
    reg = registry.set_index("id")
    assert reg.loc["hightech_enterprises", "model"] == "certified_stock"
    assert reg.loc["hightech_enterprises", "inputs"] == {"stock": "hightech_enterprises",
                                                         "new": "hightech_new_certified"}
    assert reg.loc["invention_patents_per_10k", "model"] == "patent_ratio"
    assert set(reg.loc["invention_patents_per_10k", "inputs"]) == {"valid", "grants", "population"}
    assert (reg.drop(["hightech_enterprises", "invention_patents_per_10k"])["model"] == "auto").all()


def test_a_declared_model_loads(tmp_path):
    frame = load_indicators(_write(tmp_path, _stock_entries()))
    assert frame["model"].tolist() == ["certified_stock", "auto"]
    assert frame.loc[0, "inputs"] == {"stock": "firms", "new": "new_firms"}
    frame = load_indicators(_write(tmp_path, [_entry(model="drift")]))
    assert frame.loc[0, "model"] == "drift"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "arima"}, "bad.yaml: entry 'firms': `model` must be one of auto, additive_drift, cagr, certified_stock"),
        ({"model": 3}, "bad.yaml: entry 'firms': `model` must be a model name; got 3."),
        ({"inputs": {"stock": "firms"}},
         "bad.yaml: entry 'firms': model certified_stock needs `inputs` for the roles stock, new; "
         "missing role(s) new."),
        ({"inputs": {"stock": "firms", "new": "new_firms", "valid": "firms"}},
         "bad.yaml: entry 'firms': model certified_stock needs `inputs` for the roles stock, new; "
         "unknown role(s) valid."),
        ({"inputs": None}, "missing role(s) stock, new."),
        ({"inputs": {"stock": "firms", "new": "hightech_new_certified"}},
         "bad.yaml: entry 'firms': `inputs` must name indicators of the registry; not found: "
         "new: hightech_new_certified."),
        ({"inputs": ["firms", "new_firms"]}, "bad.yaml: entry 'firms': `inputs` must map input roles"),
        ({"model": "drift"}, "bad.yaml: entry 'firms': model drift is fitted to the entry's own series "
                             "and takes no `inputs`; got roles new, stock."),
        ({"model": "auto"}, "bad.yaml: entry 'firms': model auto is fitted to the entry's own series"),
    ],
)
def test_model_declaration_errors_name_file_entry_and_rule(tmp_path, changes, message):
    with pytest.raises(DataError, match=re.escape(message)):
        load_indicators(_write(tmp_path, _stock_entries(**changes)))


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([_entry(base_value=0)], "bad.yaml: entry 'tech_trade': `base_value` must be > 0 for an indicator with a target"),
        ([_entry(target_value=0)], "bad.yaml: entry 'tech_trade': a level `target_value` must be > 0"),
        ([_entry(target_value=1e300)], "bad.yaml: entry 'tech_trade': `target_value` must be at most 1e+15"),
        ([_entry(notes=list(range(1000)))], "bad.yaml: entry 'tech_trade': `notes` must be text; got [0, 1, 2, 3, ...]."),
    ],
)
def test_each_entry_is_checked_where_the_targets_need_it(tmp_path, entries, message):
    path = _write(tmp_path, entries)
    with pytest.raises(DataError, match=re.escape(message)):
        load_indicators(path)


def test_a_registry_without_a_target_may_have_a_zero_baseline(tmp_path):
    path = _write(tmp_path, [_entry(base_value=0, target_type=None, target_value=None, target_year=None)])
    assert load_indicators(path)["base_value"].tolist() == [0.0]


def _alias_bomb(key: str) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return f"{key}: {{" + ", ".join(lines) + "}"


def test_an_alias_bomb_in_notes_is_refused_without_expanding_it(tmp_path):
    text = yaml.safe_dump([_entry()], allow_unicode=True).rstrip("\n") + "\n  " + _alias_bomb("notes") + "\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"^bomb\.yaml: not valid YAML: line \d+: more than 100,000 values once its "
                                        r"aliases are expanded\.$"):
        load_indicators(path)


def test_deep_nesting_is_refused_in_one_line(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("- notes: " + "[" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^deep\.yaml: not valid YAML: line 1: nested more than 32 levels deep\.$"):
        load_indicators(path)


def test_a_gbk_registry_is_refused_in_one_line(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(yaml.safe_dump([_entry()], allow_unicode=True).encode("gbk"))
    with pytest.raises(DataError, match=r"^gbk\.yaml: line \d+: not UTF-8 text \(byte 0x[0-9a-f]{2}; GBK or another"):
        load_indicators(path)


@pytest.mark.parametrize("target", ["/dev/null", "folder", "file/sub.yaml"])
def test_a_registry_path_that_is_not_a_file_gives_one_line(tmp_path, target):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    path = target if target.startswith("/") else tmp_path / target
    with pytest.raises(DataError, match=r": (not a regular file|cannot read)"):
        load_indicators(path)


_YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10), st.sampled_from(["stock", "flow", "level", "growth", "increase", "decrease", "seed"]),
)
_FIELD = st.sampled_from([*SCHEMA, "bogus"])


@settings(max_examples=500, deadline=None)
@given(
    entries=st.lists(
        st.one_of(
            st.builds(lambda changes: _entry(**changes), st.dictionaries(_FIELD, _YAML_SCALARS, max_size=4)),
            st.dictionaries(_FIELD, st.one_of(_YAML_SCALARS, st.lists(_YAML_SCALARS, max_size=3)), max_size=6),
            _YAML_SCALARS,
        ),
        max_size=4,
    ),
    tail=st.one_of(st.just(""), st.text(max_size=20), st.sampled_from(["\n- *x", "\n- &x [", "\n<<: {a: 1}", "\t"])),
)
def test_property_any_registry_gives_a_frame_or_a_data_error(tmp_path_factory, entries, tail):
    path = tmp_path_factory.getbasetemp() / "property-registry.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True) + tail, encoding="utf-8", errors="surrogatepass")
    try:
        frame = load_indicators(path)
    except DataError as err:
        assert "\n" not in str(err)
    else:
        assert list(frame.columns) == SCHEMA and len(frame)


# --- another plan's registry ------------------------------------------------------------------


@pytest.mark.parametrize("dropped, kept", [("name_zh", "name_en"), ("name_en", "name_zh")])
def test_either_name_is_enough_and_fills_the_other(tmp_path, dropped, kept):
    path = _write(tmp_path, [_entry(**{dropped: "DROP"})], name="city.yaml")
    row = load_indicators(path).iloc[0]
    assert row[dropped] == row[kept] == _entry()[kept]


def test_a_registry_without_any_name_is_refused(tmp_path):
    path = _write(tmp_path, [_entry(name_zh="DROP", name_en="DROP")])
    with pytest.raises(DataError, match=re.escape(
            "bad.yaml: entry 'tech_trade': a name is required: `name_en` or `name_zh` (either is enough).")):
        load_indicators(path)


def test_a_registry_belongs_to_the_plan_folder_it_was_read_from(tmp_path):
    from xmforecast.folder import DEFAULT_PLAN
    from xmforecast.registry import registry_plan

    other = load_indicators(_write(tmp_path, [_entry(name_zh="DROP")], name="city.yaml"))
    assert registry_plan(load_indicators()).path == registry_plan(None).path == DEFAULT_PLAN
    assert registry_plan(other) is None and registry_plan(pd.DataFrame(other.to_dict("records"))) is None
    (tmp_path / "plan.yaml").write_text("name_en: City\nregistry: city.yaml\n", encoding="utf-8")
    assert registry_plan(load_indicators(tmp_path / "city.yaml")).name("zh") == "City"


def test_the_headline_is_marked_in_the_registry_or_taken_from_the_first_observed_targets():
    from xmforecast.registry import headline_ids, indicators_from_records

    assert headline_ids(load_indicators()) == ["rd_spend", "hightech_enterprises", "tech_trade",
                                               "invention_patents_per_10k"]
    base = {"unit": "u", "kind": "stock", "direction": "increase", "name_en": "x"}
    entries = [{**base, "id": f"i{k}", "target_year": 2020, "target_type": "level", "target_value": 9.0}
               for k in range(6)]
    plain = indicators_from_records(entries, name="city")
    obs = pd.DataFrame({"indicator": ["i1", "i2", "i3", "i4", "i5"], "year": [2016, 2016, 2016, 2019, 2016],
                        "value": 1.0})
    assert headline_ids(plain, obs) == ["i1", "i2", "i3", "i4"]
    assert headline_ids(plain, obs, origin=2016) == ["i1", "i2", "i3", "i5"]
    marked = indicators_from_records([{**e, "headline": e["id"] == "i5"} for e in entries], name="city")
    assert headline_ids(marked, obs) == ["i5"]
    with pytest.raises(DataError, match=r"entry 'i0': `headline` must be true or false; got 'yes'"):
        indicators_from_records([{**entries[0], "headline": "yes"}], name="city")


def test_family_and_reference_class_default_from_the_plan_and_are_checked(tmp_path):
    from xmforecast.registry import indicators_from_records

    base = {"id": "x", "unit": "件", "kind": "flow", "direction": "increase"}
    frame = indicators_from_records([{**base, "name_zh": "专利"}, {**base, "id": "y", "name_en": "Patents"}])
    assert frame["family"].tolist() == ["other", "other"]
    # an entry with a Chinese name is a Chinese plan's; one with an English name only, the global class
    assert frame["reference_class"].tolist() == ["china_regions", "global"]
    declared = indicators_from_records([{**base, "name_en": "R&D", "family": "rd_money",
                                         "reference_class": "china_regions"}])
    assert declared[["family", "reference_class"]].iloc[0].tolist() == ["rd_money", "china_regions"]
    with pytest.raises(DataError, match=r"entry 'x': `family` must be one of rd_money, .*; got 'money'"):
        indicators_from_records([{**base, "name_en": "R&D", "family": "money"}])
    with pytest.raises(DataError, match=r"entry 'x': `reference_class` must be one of china_regions, global"):
        indicators_from_records([{**base, "name_en": "R&D", "reference_class": "mars"}])


def test_xiamen_declares_the_families_of_its_headline_indicators():
    reg = load_indicators()
    families = dict(zip(reg["id"], reg["family"]))
    assert families["rd_spend"] == "rd_money" and families["tech_trade"] == "tech_market"
    assert families["invention_patent_grants"] == "patents" and families["hightech_new_certified"] == "firms"
    assert set(reg["reference_class"]) == {"china_regions", "global"}  # population: the global class (countries' populations)


@pytest.mark.parametrize(("field", "value", "shown"), [
    ("name_en", "R&D\x1b[2J spending", "U+001B"), ("unit", "件\x07", "U+0007"), ("notes", "a\x00b", "U+0000"),
    ("name_zh", "研发\n经费", "U+000A"),
])
def test_control_characters_are_refused_in_one_line(tmp_path, field, value, shown):
    with pytest.raises(DataError) as info:
        load_indicators(_write(tmp_path, [_entry(**{field: value})]))
    assert str(info.value) == f"bad.yaml: entry 'tech_trade': `{field}` must not hold control characters; got {shown}."


def test_line_breaks_and_tabs_stay_allowed_in_notes(tmp_path):
    frame = load_indicators(_write(tmp_path, [_entry(notes="first line\nsecond\tcolumn")]))
    assert frame.loc[0, "notes"] == "first line\nsecond\tcolumn"


def test_a_derived_value_above_the_limit_is_refused(tmp_path):
    with pytest.raises(DataError) as info:
        load_indicators(_write(tmp_path, [_entry(base_value=1e15, prior_growth=-0.9)]))
    assert str(info.value) == ("bad.yaml: entry 'tech_trade': `base_value` / (1 + `prior_growth`), the value derived "
                               "for the year before the base, must be at most 1e+15; got 1e+16.")


def test_an_id_longer_than_64_characters_is_refused(tmp_path):
    long_id = "a" * 65
    assert load_indicators(_write(tmp_path, [_entry(id="a" * 64)]))["id"].tolist() == ["a" * 64]
    with pytest.raises(DataError, match=r"`id` must be snake_case \(a-z, 0-9, _\) of at most 64 characters; got "):
        load_indicators(_write(tmp_path, [_entry(id=long_id)]))
