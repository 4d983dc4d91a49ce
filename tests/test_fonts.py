"""Fonts: the bundled CJK font is registered, Chinese text renders, a missing font warns."""
from __future__ import annotations

import importlib.resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.font_manager import FontProperties, findfont  # noqa: E402

from xmforecast import fonts  # noqa: E402

FONT_DIR = Path(str(importlib.resources.files("pylopdf_fonts_zh_cn")))


pytestmark = pytest.mark.usefixtures("close_figures")


def test_setup_fonts_registers_the_packaged_cjk_font():
    family = fonts.setup_fonts("zh")
    assert family == "Noto Sans SC"
    path = Path(findfont(FontProperties(family=family), fallback_to_default=False))
    assert path.parent == FONT_DIR
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    assert fonts.setup_fonts("en") == "DejaVu Sans"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chinese_text_renders_with_the_cjk_font_and_no_missing_glyph(lang, render_png):
    fonts.setup_fonts(lang)
    fig, ax = plt.subplots()
    title = ax.set_title("高新技术企业总数 每万人有效发明专利拥有量（件/万人）技术合同交易额（亿元）−1")
    ax.set_xlabel("R&D经费投入 (亿元)")
    messages = render_png(fig)
    assert not [m for m in messages if "missing from font" in m]
    used = [Path(findfont(FontProperties(family=[f]), fallback_to_default=False))
            for f in title.get_fontproperties().get_family()]
    assert FONT_DIR in {p.parent for p in used}


def test_missing_glyph_warning_is_detected_when_only_a_latin_font_is_used(render_png):
    fonts.setup_fonts("zh")
    fig, ax = plt.subplots()
    ax.set_title("高新技术企业总数", fontfamily="DejaVu Sans")
    assert [m for m in render_png(fig) if "missing from font" in m]


def test_setup_fonts_warning_points_at_the_caller(monkeypatch):
    monkeypatch.setattr(fonts, "_find_cjk_font", lambda: None)
    monkeypatch.setitem(fonts._state, "cjk", None)
    monkeypatch.setitem(fonts._state, "searched", False)
    monkeypatch.setitem(fonts._state, "warned", False)
    with pytest.warns(UserWarning, match="pylopdf-fonts-zh-cn") as record:
        assert fonts.setup_fonts("zh") is None
    assert record[0].filename == __file__
    assert fonts.setup_fonts("en") == "DejaVu Sans"


def test_a_font_copy_that_fails_leaves_no_partial_file(tmp_path, monkeypatch):
    import errno
    import shutil

    import pytest

    from xmforecast import report
    from xmforecast.fonts import _bundled_font

    if _bundled_font() is None:
        pytest.skip("the font package is not installed")

    def disk_full(source, target):
        with open(target, "wb") as handle:  # half the font, then the disk is full
            handle.write(b"\0" * 1024)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", disk_full)
    with pytest.raises(OSError, match="No space left"):
        report.install_font(tmp_path)
    assert list((tmp_path / report.FONT_FOLDER).iterdir()) == []
