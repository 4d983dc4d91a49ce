"""A target in words: one function writes it for the pages, the command line and the charts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from xmforecast.registry import load_indicators
from xmforecast.target_text import target_text

ROOT = Path(__file__).resolve().parent.parent
LAKESIDE = ROOT / "examples" / "lakeside" / "indicators.yaml"


def _row(registry, indicator: str) -> dict:
    return registry.set_index("id").loc[indicator].to_dict()


@pytest.mark.parametrize("indicator, style, lang, text", [
    ("hightech_enterprises", "sentence", "zh", "2017 年 ≥ 1,400 家"),
    ("hightech_enterprises", "sentence", "en", "≥ 1,400 firms by 2017"),
    ("hightech_enterprises", "command", "en", "≥ 1,400 by 2017"),
    ("hightech_enterprises", "chart", "zh", "目标 ≥ 1,400家（2017年）"),
    ("hightech_enterprises", "chart", "en", "Target ≥ 1,400 firms in 2017"),
    ("rd_spend", "sentence", "zh", "2017 年增长 ≥ 20 %"),
    ("rd_spend", "command", "en", "growth ≥ 20 % in 2017"),
    ("rd_spend", "chart", "zh", "目标增长 ≥ 20%（2017年）"),
    ("rd_spend", "chart", "en", "Target growth ≥ 20% in 2017"),
    ("tech_trade", "chart", "en", "Target ≥ 60 (100 million yuan) in 2017"),
    ("tech_trade", "sentence", "en", "≥ 60 (100 million yuan) by 2017"),
    ("tech_trade", "sentence", "zh", "2017 年 ≥ 60 亿元"),
])
def test_the_embedded_plans_targets_in_each_style(indicator, style, lang, text):
    registry = load_indicators()
    row = {**_row(registry, indicator), "id": indicator}
    assert target_text(row, lang, style=style) == text


@pytest.mark.parametrize("indicator, style, text", [
    ("energy_intensity", "sentence", "≤ 4.8 MJ per EUR by 2025"),
    ("energy_intensity", "command", "≤ 4.8 by 2025"),
    ("energy_intensity", "chart", "Target ≤ 4.8 MJ per EUR in 2025"),
    ("startups_founded", "sentence", "≥ 150 new firms in 2025"),
    ("startups_founded", "command", "≥ 150 new in 2025"),
    ("research_spending", "sentence", "≥ 520 million EUR by 2025"),
])
def test_another_plans_targets_in_each_style(indicator, style, text):
    assert target_text(_row(load_indicators(LAKESIDE), indicator), "en", style=style) == text


def test_a_target_without_a_unit_reads_without_a_gap():
    row = {"target_type": "flow", "target_value": 150.0, "target_year": 2025, "direction": "increase"}
    assert target_text(row, "en") == "≥ 150 new in 2025"


def test_no_target_is_a_dash_in_a_sentence_and_nothing_elsewhere():
    row = {"target_type": None, "target_value": float("nan"), "direction": "increase"}
    assert [target_text(row, "en", style=s) for s in ("sentence", "command", "chart")] == ["—", "", ""]
    with pytest.raises(ValueError, match="style"):
        target_text(row, "en", style="page")


def test_the_target_sign_is_decided_in_one_module_only():
    """Which way a target is wanted (≥ or ≤) is written by target_text alone; the pages, tables,
    charts and command line call it."""
    sign = re.compile(r"""["']≤["']\s+if\b""")
    writers = sorted(p.name for p in (ROOT / "xmforecast").glob("*.py") if sign.search(p.read_text(encoding="utf-8")))
    assert writers == ["target_text.py"]
