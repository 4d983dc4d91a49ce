"""The words of the charts: labels, targets and notes in Chinese or English, wrapped to fit.

A CJK character is two columns wide; lines break between CJK characters (never before a
closing mark or after an opening one) and between Latin words.
"""
from __future__ import annotations

import re
import textwrap
import unicodedata
from typing import Any, Sequence

from .fonts import Lang, _check_lang
from .formatting import field
from .target_text import amount_label, target_text, unit_words, year_label
from .targets import STATUSES, grade_words
from .words import say

__all__ = ["chart_words", "indicator_label", "wrap", "name_of", "unit_words", "amount_label",
           "year_label", "note_text", "row_labels", "rows_height"]


def chart_words(key: str, lang: str) -> str:
    """A chart's words for `key` (a status such as ``on track`` in the pages' words)."""
    if key in STATUSES:
        return grade_words(key, lang)
    return say("chart_" + key.replace(" ", "_"), lang)


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


_NO_LINE_START = "）)」』》〉，。、；：！？,.;:!?%"


_NO_LINE_END = "（(「『《〈"


def _segments(paragraph: str) -> list[str]:
    """Split a line where it may break: after spaces, and between two CJK characters
    unless the text is mostly Latin (a Chinese term quoted in English stays whole)."""
    wide = sum(_width(c) == 2 for c in paragraph)
    cjk_breaks = wide >= sum(c.isascii() and c.isalpha() for c in paragraph)
    # A short bracketed unit such as （件/万人） stays on one line.
    kept = set()
    for match in re.finditer(r"（[^（）]{1,8}）|\([^()]{1,8}\)", paragraph):
        kept.update(range(match.start() + 1, match.end()))
    pieces: list[str] = []
    for i, ch in enumerate(paragraph):
        prev = paragraph[i - 1] if i else ""
        breakable = i > 0 and (
            (prev.isspace() and not ch.isspace())
            or (cjk_breaks and i not in kept and _width(prev) == 2 and _width(ch) == 2
                and ch not in _NO_LINE_START and prev not in _NO_LINE_END)
        )
        if breakable or not pieces:
            pieces.append(ch)
        else:
            pieces[-1] += ch
    return pieces


def wrap(text: str, width: int) -> str:
    """Wrap text to `width` columns; a CJK character counts two, Latin words stay whole."""
    if not any(_width(c) == 2 for c in text):
        return textwrap.fill(text, width, break_on_hyphens=False)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in _segments(paragraph):
            if line.strip() and sum(_width(c) for c in (line + piece).rstrip()) > width:
                lines.append(line.rstrip())
                line = ""
            line += piece
        lines.append(line.rstrip())
    return "\n".join(lines)


def indicator_label(row: Any, lang: Lang = "zh") -> str:
    """Name and unit of an indicator, for an axis or a legend.

    Parameters
    ----------
    row : mapping or Series
        A registry record with ``name_zh``, ``name_en`` and ``unit`` (Chinese, e.g.
        ``亿元``; an optional ``unit_en`` overrides the English translation). A missing
        name falls back to the other language, then to ``indicator`` or ``id``.
    lang : {"zh", "en"}
        Language of the label.

    Returns
    -------
    str
        ``"名称（单位）"`` or ``"Name (unit)"``.

    Raises
    ------
    ParameterError
        If `lang` is neither ``"zh"`` nor ``"en"``.

    Examples
    --------
    >>> row = {"name_zh": "技术合同交易额", "name_en": "Technology contract turnover", "unit": "亿元"}
    >>> indicator_label(row, "zh")
    '技术合同交易额（亿元）'
    >>> indicator_label(row, "en")
    'Technology contract turnover (100 million yuan)'
    """
    _check_lang(lang)
    name = name_of(row, lang)
    unit = field(row, "unit_en") if lang == "en" else None
    unit = str(unit) if unit is not None else unit_words(field(row, "unit"), lang)
    if not unit or (len(unit) > 2 and name.endswith(unit)):
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def name_of(row: Any, lang: str) -> str:
    """Indicator name in `lang`, else the other language, else its id."""
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    for key in (first, second, "indicator", "id"):
        name = field(row, key)
        if name is not None:
            return str(name)
    return ""


def note_text(key: str, source_note: str, lang: str) -> str:
    parts = [p for p in (source_note, chart_words(key, lang)) if p]
    return " ".join(parts)


def row_labels(frame, lang: str, width: int, with_target: bool) -> list[str]:
    labels = []
    for rec in frame.to_dict("records"):
        target = target_text(rec, lang, style="chart") if with_target else ""
        if target:
            labels.append(f"{wrap(name_of(rec, lang), width)}\n{target}")
        else:
            labels.append(wrap(indicator_label(rec, lang), width))
    return labels


def rows_height(labels: Sequence[str]) -> float:
    """Figure height [in] giving each row room for its tallest label (9 pt, spacing 1.3)."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return 1.7 + max(len(labels), 1) * max(0.62, 0.17 * lines + 0.14)
