"""Fonts for matplotlib: a CJK font for Chinese labels, DejaVu Sans for Latin text.

:func:`setup_fonts` registers the Noto Sans SC font shipped by the
``pylopdf-fonts-zh-cn`` package (SIL Open Font License 1.1) with matplotlib, or a
CJK font already known to matplotlib, and sets ``rcParams`` so that Chinese and
Latin text both render. The font search runs once per process; when no CJK font
is found, a warning is issued once per process and charts asked for in Chinese
(:mod:`xmforecast.plots`) fall back to English labels.

matplotlib is imported inside the functions, never at module import.
"""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Literal

from .exceptions import ParameterError

__all__ = ["setup_fonts"]

Lang = Literal["zh", "en"]

#: Package and file of the bundled CJK font, tried first.
_FONT_PACKAGE = "pylopdf_fonts_zh_cn"
_FONT_FILE = "NotoSansSC-Regular.otf"
#: CJK families used when already known to matplotlib (system fonts), in order.
_SYSTEM_CJK = (
    "Noto Sans SC", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC",
    "Heiti SC", "SimHei", "Noto Sans CJK JP",
)
_LATIN = "DejaVu Sans"

_state: dict[str, Any] = {"cjk": None, "searched": False, "warned": False}


def _check_lang(lang: Any) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"`lang` must be 'zh' or 'en'; got {lang!r}.")
    return lang


def _bundled_font() -> Path | None:
    """Path of the font file shipped by the font package, or None if not installed."""
    import importlib.resources

    try:
        path = importlib.resources.files(_FONT_PACKAGE) / _FONT_FILE
    except (ModuleNotFoundError, TypeError):
        return None
    if not path.is_file():
        return None
    return Path(str(path))


def _find_cjk_font() -> str | None:
    """Register a CJK font with matplotlib and return its family name, or None."""
    from matplotlib import font_manager

    path = _bundled_font()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        return font_manager.FontProperties(fname=str(path)).get_name()
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in _SYSTEM_CJK:
        if family in known:
            return family
    return None


def setup_fonts(lang: Lang = "zh") -> str | None:
    """Set matplotlib's fonts so that Chinese and Latin text both render.

    Registers the bundled CJK font (Noto Sans SC from ``pylopdf-fonts-zh-cn``, or a
    CJK font matplotlib already knows) and puts it in ``font.sans-serif`` with DejaVu
    Sans, first for ``"zh"`` and second for ``"en"``; ``font.family`` is
    ``["sans-serif", <the other font>]``, so a glyph missing from the first font is
    taken from the second. ``axes.unicode_minus`` is turned off. The settings are
    global ``rcParams``; every chart function calls this itself.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    str or None
        The family name of the first font in ``font.sans-serif``. None when
        ``lang="zh"`` and no CJK font is available: callers then label in English.

    Raises
    ------
    ParameterError
        If `lang` is neither ``"zh"`` nor ``"en"``.

    Warns
    -----
    UserWarning
        Once per process, when ``lang="zh"`` and no CJK font is found.

    Examples
    --------
    >>> setup_fonts("en")
    'DejaVu Sans'
    """
    _check_lang(lang)
    family = _configure_fonts(lang)
    if family is None:
        _warn_no_cjk(stacklevel=3)
    return family


def _configure_fonts(lang: str) -> str | None:
    """Set the rcParams; return the first family, or None for Chinese without a CJK font."""
    import matplotlib

    if not _state["searched"]:
        _state["cjk"] = _find_cjk_font()
        _state["searched"] = True
    cjk = _state["cjk"]
    rc = matplotlib.rcParams
    rest = [f for f in rc["font.sans-serif"] if f not in (cjk, _LATIN)]
    # matplotlib falls back glyph by glyph along ``font.family`` only (an alias such as
    # "sans-serif" resolves to one font), so the second font is named there too.
    if cjk is None:
        rc["font.sans-serif"] = [_LATIN, *rest]
        rc["font.family"] = ["sans-serif"]
    elif lang == "zh":
        rc["font.sans-serif"] = [cjk, _LATIN, *rest]
        rc["font.family"] = ["sans-serif", _LATIN]
    else:
        rc["font.sans-serif"] = [_LATIN, cjk, *rest]
        rc["font.family"] = ["sans-serif", cjk]
    rc["axes.unicode_minus"] = False
    if lang == "zh" and cjk is None:
        return None
    return rc["font.sans-serif"][0]


def _warn_no_cjk(stacklevel: int) -> None:
    """Warn once per process that Chinese labels fall back to English."""
    if _state["warned"]:
        return
    _state["warned"] = True
    warnings.warn(
        "No CJK font found for Chinese labels (install `pylopdf-fonts-zh-cn`); "
        "charts use English labels.",
        UserWarning,
        stacklevel=stacklevel,
    )
