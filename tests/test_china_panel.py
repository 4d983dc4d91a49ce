"""The shipped Chinese provincial panel (xmforecast/data/reference_panel_cn.csv) and its builder."""
from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xmforecast.calibration import load_panel

DATA = files("xmforecast") / "data"
TECHME = Path(__file__).resolve().parent.parent / "bench" / "techme"
COLUMNS = ["series_id", "family", "dataset", "item", "unit", "entity", "year", "value"]
FAMILIES = {"rd_money", "intensity", "patents", "tech_market", "firms", "personnel", "public_budget"}
UNITS = {"件", "万元", "亿元", "人年", "项", "%", "家"}


@pytest.fixture(scope="module")
def script(bench_script):
    """The builder script as a module."""
    return bench_script("china_panel")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel("china_regions")


@pytest.fixture(scope="module")
def notes() -> str:
    return DATA.joinpath("reference_panel_cn.md").read_text(encoding="utf-8")


# (a) the builder reproduces the shipped files


def test_builder_reproduces_the_shipped_csv_byte_for_byte(script):
    panel = script.build_panel(TECHME)
    assert script.render_csv(panel).encode("utf-8") == DATA.joinpath("reference_panel_cn.csv").read_bytes()


def test_check_option_passes_on_the_shipped_files_and_fails_on_a_changed_one(script, tmp_path):
    """``--check`` compares both the CSV and the notes with a rebuild."""
    assert script.main(["--check", "--source-dir", str(TECHME)]) == 0
    for name in ("reference_panel_cn.csv", "reference_panel_cn.md"):
        (tmp_path / name).write_bytes(DATA.joinpath(name).read_bytes())
    csv = tmp_path / "reference_panel_cn.csv"
    csv.write_bytes(csv.read_bytes().replace(b"\n", b"\r\n"))  # a rebuild must match to the byte
    assert script.main(["--check", "--out-dir", str(tmp_path)]) == 1


def test_source_files_are_the_pinned_blobs():
    """bench/techme/*.rda are the files at the pinned commit (git blob ids, as in its README)."""
    import hashlib

    readme = (TECHME / "README.md").read_text(encoding="utf-8")
    blobs = dict(re.findall(r"\| `(\w+\.rda)` \| `([0-9a-f]{40})` \|", readme))
    assert len(blobs) == 11
    for name, blob in blobs.items():
        data = (TECHME / name).read_bytes()
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob, name
    assert "Copyright (c) 2021 Hu Huaping" in (TECHME / "LICENSE").read_text(encoding="utf-8")


# (b) what the CSV holds


def test_columns_in_order(panel):
    assert list(panel.columns) == COLUMNS


def test_entities_are_the_31_provinces_and_no_aggregate(panel, script):
    entities = set(panel["entity"])
    assert "全国" not in entities
    assert entities == set(script.PROVINCES)
    assert len(entities) == 31
    assert not panel["entity"].str.contains(r"\s").any()


def test_every_family_is_present(panel):
    assert set(panel["family"]) == FAMILIES


def test_values_finite_and_positive(panel):
    values = panel["value"].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert (values > 0).all()


def test_years_integer_and_consecutive_within_each_series(panel):
    assert pd.api.types.is_integer_dtype(panel["year"])
    assert not panel.duplicated(["series_id", "year"]).any()
    steps = panel.groupby("series_id")["year"].diff().dropna()
    assert (steps == 1).all()


def test_every_series_has_at_least_four_points(panel, script):
    assert script.MIN_POINTS == 4
    assert panel.groupby("series_id").size().min() >= 4


def test_sorted_by_series_then_year(panel):
    ordered = panel.sort_values(["series_id", "year"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(panel, ordered)


def test_series_id_is_its_parts_and_one_series_has_one_description(panel):
    parts = panel["series_id"].str.split("/", expand=True)
    assert (parts[0] == "techme").all()
    assert (parts[1] == panel["dataset"]).all()
    assert (parts[3] == panel["entity"]).all()
    assert parts[2].str.fullmatch(r"[A-Za-z0-9_]+").all()  # the ASCII code, not the Chinese item
    assert (panel.groupby("series_id")[["family", "dataset", "item", "unit", "entity"]].nunique() == 1).all().all()
    assert set(panel["unit"]) <= UNITS


def test_families_hold_their_data_sets_and_items(panel):
    pairs = set(map(tuple, panel[["family", "dataset"]].drop_duplicates().to_numpy()))
    assert pairs == {
        ("rd_money", "RDActivity"), ("rd_money", "RDSource"), ("intensity", "RDIntense"),
        ("patents", "RDPatentAccept"), ("patents", "RDPatentAuthority"), ("patents", "RDPatentValid"),
        ("tech_market", "MarketPull"), ("tech_market", "MarketPush"), ("firms", "HitechFirmsPub"),
        ("personnel", "RDLaborHour"), ("public_budget", "PublicBudget"),
    }
    items = panel.groupby("dataset")["item"].agg(set)
    assert items["RDIntense"] == {"RD强度"}  # RD经费 repeats RDActivity's 合计
    assert "合计" not in items["RDSource"]  # the same series as RDActivity's 合计
    assert items["PublicBudget"] == {"合计", "科学技术"}
    assert items["HitechFirmsPub"] == {"高新技术企业数"}
    assert (panel.loc[panel["dataset"] == "HitechFirmsPub", "unit"] == "家").all()


def test_total_rd_spending_is_kept_once(panel):
    """RDActivity 合计 (万元, 2010-2023) is the only total-R&D-spending series of a province."""
    beijing = panel[(panel["entity"] == "北京") & (panel["family"].isin(["rd_money", "intensity"]))]
    totals = beijing[beijing["item"].isin(["合计", "RD经费"])]
    assert set(totals["series_id"]) == {"techme/RDActivity/v4_zh_nbzc_hj/北京"}
    assert (totals["year"].min(), totals["year"].max()) == (2010, 2023)


def test_misprinted_province_names_fill_their_year(panel):
    """江两 (2014 patent applications) is 江西: the series has no hole in 2014."""
    jiangxi = panel[panel["series_id"] == "techme/RDPatentAccept/v4_cg_zlsq_hj/江西"]
    assert list(jiangxi["year"]) == list(range(2010, 2024))


def test_csv_is_small(panel):
    assert DATA.joinpath("reference_panel_cn.csv").stat().st_size < 2_000_000


# (c) the notes agree with the CSV


def _count(notes: str, label: str) -> int:
    match = re.search(rf"^- {label}: (\d+)$", notes, flags=re.MULTILINE)
    assert match, label
    return int(match.group(1))


def test_notes_counts_match_the_csv(panel, notes):
    assert _count(notes, "series") == panel["series_id"].nunique()
    assert _count(notes, "points") == len(panel)
    assert _count(notes, "entities") == panel["entity"].nunique()
    for family, part in panel.groupby("family"):
        row = f"| {family} | {part['series_id'].nunique()} | {len(part)} | {part['year'].min()}-{part['year'].max()} |"
        assert row in notes, row
    for dataset, part in panel.groupby("dataset"):
        row = f"| {part['year'].min()}-{part['year'].max()} | {part['series_id'].nunique()} | {len(part)} |"
        assert any(line.startswith(f"| {dataset} |") and line.endswith(row) for line in notes.splitlines()), dataset


def test_notes_give_provenance_and_how_to_rebuild(notes):
    for text in ("github.com/huhuaping/techme", "9ad60a190dec4a56953da9c478d42cd44c80762a", "MIT",
                 "Copyright (c) 2021 Hu Huaping", "China Statistical Yearbook on Science and Technology",
                 "`make panel`", "`bench/china_panel.py`", "教育", "农林水", "RD经费"):
        assert text in notes, text
