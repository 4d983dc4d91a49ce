"""A target row in words: its target, verdict, expected year, what it takes, notes.

Every page and table writes a row of the summary (:mod:`xmforecast.summary`) through
these, so that the index, the scenario page and the CLI say the same thing the same way.
"""
from __future__ import annotations

import re
from typing import Any

from .formatting import (MISSING, Lang, field, format_amount, format_count, format_percent,
                         format_probability, format_year, is_count, is_missing, lever_count, to_float)
from .summary import required_from_latest
from .words import catalog, say, worded

__all__ = [
    "status_label",
    "verdict",
    "by_construction",
    "colour_probability",
    "expected_words",
    "confidence_words",
    "growth_words",
    "lever_name",
    "lever_words_of",
    "takes_words",
    "plan_target_sentence",
    "model_words",
    "quality_words",
    "interval_note",
    "note_words",
    "effort_note",
    "backtest_reason_words",
    "model_note_words",
]


def lever_name(lever: Any, lang: Lang) -> str:
    """A structural model's lever (its ``lever`` text) in the planner's words: its model's catalog message."""
    from .model_registry import MODELS

    for spec in MODELS.values():
        if spec.lever and spec.lever == str(lever):
            return say(spec.lever_key, lang)
    return str(lever)


def status_label(status: Any, lang: Lang = "en") -> str:
    """The progress grade named for what it is, the past pace (``"on track"`` → ``"past pace sufficient"``).

    Examples
    --------
    >>> status_label("on track"), status_label("acceleration needed", "zh")
    ('past pace sufficient', '以往增速略慢')
    """
    from .targets import grade_words

    return MISSING if is_missing(status) else grade_words(str(status), lang)


def reached_at_base(row: Any) -> bool:
    """The latest figure is already at or beyond the target level."""
    latest, level = to_float(field(row, "latest_value")), to_float(field(row, "target_level"))
    if latest is None or level is None:
        return False
    return latest <= level if field(row, "direction") == "decrease" else latest >= level


def verdict(row: Any, lang: Lang = "en") -> str:
    """The one verdict of a target row in words (:func:`xmforecast.targets.verdict`).

    Parameters
    ----------
    row : mapping
        A row of :func:`scenario_summary` (``p_attain``, ``status``, ``direction``, ``note``, ...).
    lang : {"zh", "en"}

    Examples
    --------
    >>> verdict({"p_attain": 0.84, "status": "on track", "base_value": 1.0})
    'past pace sufficient, and the forecast agrees: likely, 84 %'
    >>> verdict({"p_attain": 0.9988, "status": "acceleration needed", "base_value": 1.0}, "zh")
    '以往增速略慢,但预测增长将加快:很可能,>99 %'
    """
    from .targets import verdict as _verdict

    p = to_float(field(row, "p_attain"))
    if by_construction(row) and p is not None:
        return say("verdict_check", lang, p=format_probability(p))
    return _verdict(str(field(row, "status") or "insufficient data"), to_float(field(row, "p_attain")),
                    direction=str(field(row, "direction") or "increase"), note=str(field(row, "note") or ""),
                    has_baseline=field(row, "base_value") is not None, lang=lang)


def by_construction(row: Any) -> bool:
    """The row comes from a scenario centred on each target's required path (``at_required_rate``)."""
    value = field(row, "at_required_rate")
    return value is not None and str(value).strip().lower() in ("true", "1", "1.0", "yes")


def colour_probability(row: Any) -> Any:
    """The probability a cell is coloured by: none for a check centred on the required path."""
    return None if by_construction(row) else field(row, "p_attain")


def expected_words(row: Any, lang: Lang) -> str:
    raw = field(row, "expected_year")
    year = to_float(raw)
    if year is not None:
        return format_year(year)
    if isinstance(raw, str) and raw.startswith("after "):  # beyond the last simulated year
        return say("expected_after", lang, year=raw.split()[-1])
    status = field(row, "status")
    if status in ("met", "already met"):
        return say("expected_reached", lang, year=format_year(field(row, "latest_year")))
    if reached_at_base(row):
        return say("expected_beyond", lang, year=format_year(field(row, "latest_year")))
    if to_float(field(row, "p_attain")) is not None:
        return say("expected_not_within", lang)
    return MISSING


def confidence_words(row: Any, lang: Lang) -> str:
    """How far to trust a probability (the engine's grade), in words; empty when not given."""
    grade = field(row, "confidence")
    if grade is None or field(row, "p_attain") is None:
        return ""
    grade = str(grade)
    return say("confidence", lang, grade=say(f"confidence_{grade}", lang) if f"confidence_{grade}" in catalog() else grade)


def growth_words(growth: Any, direction: Any, lang: Lang) -> str:
    """A required growth in the target's direction: ``"7 % a year"``, ``"fall 9 % a year"``.

    Examples
    --------
    >>> growth_words(-0.09, "decrease", "en"), growth_words(0.02, "decrease", "zh"), growth_words(0.07, "increase", "en")
    ('fall 9 % a year', '无需下降', '7 % a year')
    """
    number = to_float(growth)
    if number is None:
        return MISSING
    percent = round(100 * number)
    if direction == "decrease":
        if percent >= 0:
            return say("growth_no_fall", lang)
        return say("growth_fall", lang, percent=format_percent(-number))
    if percent <= 0:
        return say("growth_none", lang)
    return say("growth_rise", lang, percent=format_percent(number))


def lever_words_of(row: Any, lang: Lang) -> str:
    needed, lever = lever_count(field(row, "lever_needed")), field(row, "lever")
    if lever is None or needed is None:
        return ""
    return say("lever_needs", lang, lever=lever_name(lever, lang), year=format_year(field(row, "target_year")),
               count=format_count(needed))


def takes_words(row: Any, lang: Lang, *, lever: bool = True) -> str:
    """Required growth per year from the latest figure, and the structural lever where there is one."""
    parts = []
    growth = required_from_latest(row)
    if growth is not None:
        parts.append(growth_words(growth, field(row, "direction"), lang))
    if lever and lever_words_of(row, lang):
        parts.append(lever_words_of(row, lang))
    return "; ".join(parts) if parts else MISSING


def plan_target_sentence(registry_row: Any, lang: Lang = "en") -> str:
    """The plan's own target for a lever indicator, with its sentence, in words."""
    name = field(registry_row, "name_zh" if lang == "zh" else "name_en") or field(registry_row, "id")
    value = format_count(field(registry_row, "target_value"))
    year = format_year(field(registry_row, "target_year"))
    quote = str(field(registry_row, "target_quote") or "")
    return (say("plan_target", lang, name=name, year=year, value=value)
            + (say("plan_target_quote", lang, quote=quote) if quote else "") + say("sentence_end", lang))


def model_words(model: Any, lang: Lang = "en") -> str:
    """A model's name in words (``certified_stock`` → ``stock of three-year certificates``).

    Examples
    --------
    >>> model_words("auto"), model_words("certified_stock", "zh"), model_words(None)
    ('growth rule calibrated on comparable series', '证书存量模型(证书三年有效)', '—')
    """
    if is_missing(model):
        return MISSING
    text = str(model).strip()
    key = re.split(r"[\s(\[:]", text, maxsplit=1)[0]
    return say(f"model_{key}", lang) if f"model_{key}" in catalog() else text


_QUALITY = re.compile(r"(derived|grade C): ")


def quality_words(text: Any, lang: Lang) -> str:
    if is_missing(text):
        return ""
    return _QUALITY.sub(lambda m: say("quality_" + m.group(1).replace(" ", "_"), lang) + ": ", str(text))


def interval_note(row: Any, lang: Lang = "en") -> str:
    """Why a forecast interval is very wide, in words; empty when it is not.

    Very wide: the upper end at least three times the lower one, or a spread at least as
    large as the median itself, in the target year.

    Examples
    --------
    >>> interval_note({"point": 100.0, "lower": 40.0, "upper": 180.0, "level": 80, "unit": "亿元", "target_year": 2017})
    'the 80 % interval for 2017 is wide (40.00 to 180.0 亿元): the series is short or uneven, and the forecast keeps that uncertainty instead of hiding it'
    >>> interval_note({"point": 100.0, "lower": 90.0, "upper": 110.0, "level": 80})
    ''
    """
    point, lower, upper = (to_float(field(row, k)) for k in ("point", "lower", "upper"))
    if point is None or lower is None or upper is None or point <= 0:
        return ""
    wide = (upper - lower) >= point or (lower > 0 and upper / lower >= 3) or lower <= 0
    if not wide:
        return ""
    level = to_float(field(row, "level")) or 80
    unit = str(field(row, "unit") or "")
    shown = format_count if is_count(row) else format_amount  # a forecast's own precision, not the data's
    low, high = shown(lower), shown(upper)
    year = format_year(field(row, "target_year"))
    return say("interval_wide", lang, year=year, level=f"{level:g}", low=low, high=high, unit=unit)


#: The notes of the engine (English, for logs and the CLI) a page writes in its own words: a note that
#: starts with (or, for the effort table, holds) the text, and its message id; ``{why}`` is the note's
#: text after its first ": ".
_NOTES = (("not simulated", "note_not_simulated"), ("observed growth needs", "note_observed_growth"),
          ("target year observed", "note_target_year_observed"),
          ("no baseline: the target year", "note_target_year_before_data"), ("no baseline", "note_no_baseline"))
_EFFORT_NOTES = (("beyond the scenario range", "effort_beyond_range"), ("no growth shift reaches", "effort_none_reaches"),
                 ("target year", "effort_target_year_observed"))


def note_words(rec: Any, lang: Lang) -> str:
    """The row's note for a reader: why a probability is missing, in the page's language where known."""
    note = str(field(rec, "note") or "")
    years = re.findall(r"\b\d{4}\b", note) + ["", ""]  # the years a note names, in its order
    for start, key in _NOTES:
        if note.startswith(start):
            return say(key, lang, note=note, why=note.split(": ", 1)[-1], year=years[0], first=years[1])
    return note


def effort_note(rec: Any, lang: Lang) -> str:
    """A note of the effort table (:func:`xmforecast.what_it_takes_table`) in the page's language where known."""
    note = str(field(rec, "note") or "")
    for part, key in _EFFORT_NOTES:
        if (note.startswith(part) if key == "effort_target_year_observed" else part in note):
            return say(key, lang, note=note)
    return note


def structural_names(summary: Any, lang: Lang = "en") -> str:
    """The names of the summary's indicators that a structural model forecasts (one whose
    inputs are more than the series itself), joined in words; empty when there is none."""
    from .model_registry import MODELS
    from .words import say

    name = "name_zh" if lang == "zh" else "name_en"
    names = []
    for rec in summary.drop_duplicates("indicator").to_dict("records") if len(summary) else []:
        model = field(rec, "model")
        spec = None if model is None else MODELS.get(str(model).split()[0])
        if spec is not None and tuple(spec.roles) != ("series",):
            names.append(str(field(rec, name) or rec["indicator"]))
    return say("and", lang).join(names)


def method_facts(summary: Any, n_paths: Any, lang: Lang = "en") -> dict[str, str]:
    """What the method's words say of this plan and run: the number of simulated paths (one
    number, or each scenario's) and the indicators a structural model forecasts."""
    counts = list(dict.fromkeys(format_count(n) for n in (n_paths if isinstance(n_paths, (list, tuple)) else [n_paths])))
    return {"n_paths": " / ".join(counts), "structural": structural_names(summary, lang)}


def baseline_years(records: Any) -> str:
    """The base years of target rows, each once (``"2016"``), for the sentence on targets not assessed."""
    years = [format_year(field(rec, "base_year")) for rec in records]
    return ", ".join(dict.fromkeys(y for y in years if y != MISSING))


def backtest_reason_words(row: Any, lang: Lang = "en") -> str:
    """Why a backtest row's model is the one a forecast uses, and how it was scored, in `lang`,
    from the row's columns (:data:`xmforecast.backtest.WHY_COLUMNS`); '—' on a row not chosen.

    In English the model keeps its name and the note its words, as the command line's
    ``reason`` has them; a model's own message (why an origin cannot be fitted) is in `lang`
    where the model said it as a :class:`~xmforecast.words.Message`, else as it wrote it.
    """
    if not field(row, "chosen") or field(row, "note") is None:
        return MISSING
    zh = lang == "zh"
    parts = [say("why_backtested" if field(row, "backtested") else "why_not_backtested", lang)]
    failed = to_float(field(row, "failed_origins"))
    if failed:
        parts.append(say("why_failed_origins", lang, n=f"{failed:.0f}", year=format_year(field(row, "first_failed_year")),
                         why=worded(field(row, "first_failed_why") or "", lang)))
    model = field(row, "model")
    return say("why_used", lang, model=model_words(model, lang) if zh else model,
               note=worded(field(row, "note"), lang), how=say("why_separator", lang).join(parts))


def model_note_words(note: Any, lang: Lang = "en") -> str:
    """Why a forecast uses its model (a forecast's ``.attrs["why"]``, a
    :class:`~xmforecast.fitting.ModelNote`), in `lang`; a note written as text is as it is."""
    if is_missing(note) or not str(note).strip():
        return MISSING
    return worded(note, lang)


