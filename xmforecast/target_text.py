"""A plan's target in words: one wording, in the style of the place that shows it.

The pages and tables write a target as a sentence in the page's language, with its unit in
that language as the charts say it (``2017 年 ≥ 1,400 家``, ``≥ 1,400 firms by 2017``); the command line,
in English without the unit, for a narrow column (``≥ 1,400 by 2017``); the charts, as a
compact label with the unit in the chart's language (``目标 ≥ 1,400家（2017年）``,
``Target ≥ 1,400 firms in 2017``). :func:`target_text` writes all three, so that the sign
(which way the target is wanted), the kind (a level, a growth, a flow) and the figures are
decided once. The chart's unit and year helpers live here too, for the same reason.
"""
from __future__ import annotations

from typing import Any, Literal

from .formatting import (MISSING, Lang, decimals_of, field, format_amount, format_count, format_percent,
                         format_short, format_year, is_count, is_missing, to_float)
from .words import catalog, say

__all__ = ["TargetStyle", "target_text", "unit_words", "sentence_unit", "amount_label", "year_label"]

#: Where a target is shown: a page's or table's sentence, the command line's column, a chart's label.
TargetStyle = Literal["sentence", "command", "chart"]
_STYLES = ("sentence", "command", "chart")


def target_text(row: Any, lang: Lang = "en", *, style: TargetStyle = "sentence", signed: bool = True) -> str:
    """A target in words, in the style of where it is shown.

    Parameters
    ----------
    row : mapping
        A registry or summary row: ``target_type``, ``target_value``, ``target_year``,
        ``direction``, ``unit`` (and ``kind``, ``base_value`` for whether its figures count).
    lang : {"zh", "en"}
        The language of the sentence and the chart label; the command line is English.
    style : {"sentence", "command", "chart"}
        ``sentence``: pages and tables, the unit in `lang`; ``command``: the command line,
        no unit; ``chart``: a chart's label, ``Target`` first and the unit in `lang`.
    signed : bool
        False: a chart's label without the sign, for a chart that draws the target where it
        lies (a fan chart's star).

    Returns
    -------
    str
        The text; without a target, ``—`` as a sentence, else ''.

    Examples
    --------
    >>> row = {"target_type": "level", "target_value": 1400.0, "target_year": 2017, "unit": "家",
    ...        "kind": "stock", "direction": "increase", "base_value": 1225.0}
    >>> [target_text(row, "zh"), target_text(row, "en"), target_text(row, style="command")]
    ['2017 年 ≥ 1,400 家', '≥ 1,400 firms by 2017', '≥ 1,400 by 2017']
    >>> target_text(row, "zh", style="chart"), target_text(row, "en", style="chart")
    ('目标 ≥ 1,400家（2017年）', 'Target ≥ 1,400 firms in 2017')
    >>> target_text(row, "zh", style="chart", signed=False)
    '目标 1,400家（2017年）'
    >>> growth = {"target_type": "growth", "target_value": 0.2, "target_year": 2017, "direction": "increase"}
    >>> target_text(growth), target_text(growth, style="command"), target_text(growth, "zh", style="chart")
    ('growth ≥ 20 % in 2017', 'growth ≥ 20 % in 2017', '目标增长 ≥ 20%（2017年）')
    >>> target_text({}), target_text({}, style="command")
    ('—', '')
    """
    if style not in _STYLES:
        raise ValueError(f"`style` must be one of {', '.join(_STYLES)}; got {style!r}.")
    value, kind = to_float(field(row, "target_value")), field(row, "target_type")
    if value is None or (style == "command" and not kind):
        return MISSING if style == "sentence" else ""
    sign = ("≤" if field(row, "direction") == "decrease" else "≥") if signed or style != "chart" else ""
    if style == "chart":
        return _chart_label(row, value, sign, lang)
    year = format_year(field(row, "target_year"))
    if kind == "growth":
        if style == "command":
            return f"growth {sign} {format_percent(value)} in {year}"
        return say("target_growth", lang, year=year, sign=sign, percent=format_percent(value))
    # As the plan writes it (60, not 60.00), to at most two decimals; counts whole.
    shown = format_count(value) if is_count(row) else format_amount(value, min(decimals_of(value), 2))
    if style == "command":
        return f"{sign} {shown} new in {year}" if kind == "flow" else f"{sign} {shown} by {year}"
    text = say("target_flow" if kind == "flow" else "target_level", lang, year=year, sign=sign, value=shown,
               unit=sentence_unit(field(row, "unit"), lang))
    return text if lang == "zh" else " ".join(text.split())  # no unit: no double space


def sentence_unit(unit: Any, lang: Lang) -> str:
    """A unit after a figure in a sentence: the registry's in Chinese, else the chart's English
    (``firms``), in brackets where it starts with a figure (``(100 million yuan)``).

    >>> sentence_unit("亿元", "zh"), sentence_unit("亿元", "en"), sentence_unit("家", "en")
    ('亿元', '(100 million yuan)', 'firms')
    """
    if lang == "zh":
        return "" if is_missing(unit) else str(unit)
    words = unit_words(unit, lang)
    return f"({words})" if words[:1].isdigit() else words


def _chart_label(row: Any, value: float, sign: str, lang: Lang) -> str:
    """``目标 ≥ 1,400家（2017年）`` / ``Target ≥ 1,400 firms in 2017``: a label beside a bar."""
    if field(row, "target_type") == "growth":
        what = f"{say('chart_growth', lang)} {sign} {format_short(100 * value)}%"
    else:
        what = f"{sign} {amount_label(value, unit_words(field(row, 'unit'), lang), lang)}".lstrip()
    space = "" if lang == "zh" and field(row, "target_type") == "growth" else " "
    return f"{say('chart_target', lang)}{space}{what}{year_label(field(row, 'target_year'), lang)}"


def unit_words(unit: Any, lang: str) -> str:
    """A registry unit in `lang`: as written in Chinese, else its English from the catalog (or as written)."""
    if is_missing(unit):
        return ""
    unit = str(unit)
    if lang == "zh" or f"unit {unit}" not in catalog():
        return unit
    return say(f"unit {unit}", lang)


def amount_label(value: float, unit: str, lang: str) -> str:
    """``1,400家``, ``1,400 firms``, ``60 (100 million yuan)``."""
    if not unit:
        return format_short(value)
    if lang == "zh":
        return f"{format_short(value)}{unit}"
    return f"{format_short(value)} ({unit})" if unit[0].isdigit() else f"{format_short(value)} {unit}"


def year_label(year: Any, lang: str) -> str:
    """``（2017年）`` / `` in 2017`` after a chart's label; '' without a year."""
    if year is None:
        return ""
    return f"（{int(year)}年）" if lang == "zh" else f" in {int(year)}"
