"""The tables of the pages: rows of display strings built from the summary, the plan and the data.

Numbers come from :mod:`xmforecast.formatting`, colours from :mod:`xmforecast.colours`,
sentences from :mod:`xmforecast.phrases`; rendering them is :mod:`xmforecast.pages`' job.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .colours import probability_color, probability_text_color
from .formatting import (MISSING, Lang, field, format_count, format_figure, format_percent, format_probability,
                         format_ratio, format_year, is_count, is_missing, lever_count, text_or_missing)
from .phrases import (backtest_reason_words, colour_probability, confidence_words, effort_note, expected_words,
                      growth_words, interval_note, lever_name, model_words, note_words, quality_words, status_label,
                      takes_words, verdict)
from .summary import required_from_latest
from .target_text import sentence_unit, target_text, unit_words
from .words import catalog, say

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "answer_table",
    "assumptions",
    "detail_table",
    "not_assessed",
    "effort_table",
    "lever_table",
    "scenario_titles",
    "plan_table",
    "observations_table",
    "backtest_words",
    "ladder_table",
    "skipped_table",
]


def answer_table(summary: pd.DataFrame, lang: Lang = "en") -> list[dict]:
    """Rows of display strings for the answer-first table, targets with a baseline first.

    Each row has ``name``, ``target``, ``verdict``, ``probability``, ``color``,
    ``text_color``, ``expected``, ``takes``, ``grade``, ``latest``, ``note``, ``indicator``.
    """
    name = "name_zh" if lang == "zh" else "name_en"
    rows = []
    for rec in summary.to_dict("records"):
        p = field(rec, "p_attain")
        unit = sentence_unit(field(rec, "unit"), lang)
        latest = field(rec, "latest_value")
        rows.append(dict(
            indicator=rec["indicator"], name=str(field(rec, name) or rec["indicator"]),
            base_year=format_year(field(rec, "base_year")),
            target=target_text(rec, lang), verdict=verdict(rec, lang), probability=format_probability(p),
            color=probability_color(colour_probability(rec)), text_color=probability_text_color(colour_probability(rec)),
            expected=expected_words(rec, lang), takes=takes_words(rec, lang), grade=status_label(field(rec, "status"), lang),
            latest=(f"{format_figure(latest, rec)} {unit} ({format_year(field(rec, 'latest_year'))})"
                    if latest is not None else MISSING),
            note=str(field(rec, "note") or ""), assessed=field(rec, "base_value") is not None,
            confidence=confidence_words(rec, lang),
            has_p=p is not None,
            **base_rate_words(rec, lang),
        ))
    rows.sort(key=lambda r: (not r["assessed"], not r["has_p"]))
    return rows


def base_rate_words(rec: dict, lang: Lang) -> dict[str, str]:
    """The base rate of a target row in words: ``base_rate`` (a percentage), ``base_rate_of``
    (whose: family, class and years) and ``base_rate_note`` (the whole sentence)."""
    from .reference import CLASSES, base_rate_sentence, family_words, load_vintage

    rate, vintage, cls = field(rec, "base_rate"), field(rec, "vintage"), field(rec, "reference_class")
    if rate is None or vintage is None or cls not in CLASSES:
        return {"base_rate": MISSING, "base_rate_of": "", "base_rate_note": ""}
    table = load_vintage(cls, int(vintage))
    family = str(field(rec, "family") or "other")
    first = table["families"].get(family, table["families"]["all"])["first_year"]
    words = family_words(table, family, lang)
    horizon = int(field(rec, "target_year")) - int(field(rec, "base_year"))
    direction = str(field(rec, "direction") or "increase")
    of = say("base_rate_of", lang, reference=CLASSES[cls][lang], family=words, first=first, last=vintage)
    note = base_rate_sentence(float(field(rec, "required_growth")), horizon, float(rate), table=table,
                              family=family, lang=lang, direction=direction)
    return {"base_rate": format_probability(rate), "base_rate_of": of, "base_rate_note": note}


def settings_used(models: Any) -> set[str]:
    """The scenario keys that set a parameter of one of `models` (model names, as in a registry's
    ``model`` column): a key counts where the model's spec has the field it sets.

    Examples
    --------
    >>> sorted(settings_used(["auto", "patent_ratio"])), settings_used(["auto", None])
    (['patent_lapse_rate', 'population_growth'], set())
    """
    from .scenarios import settings_of

    return set().union(*(settings_of(None if is_missing(model) else str(model)) for model in models))


def assumptions(scenario: Any, lang: Lang = "en", *, models: Any = None) -> list[tuple[str, str]]:
    """The scenario's assumptions in words, with units (not raw keys).

    Parameters
    ----------
    scenario : Scenario
    lang : {"zh", "en"}
    models : iterable of str, optional
        The models the plan uses (its registry's ``model`` column): a model's settings are
        listed only where one of them has it (:func:`settings_used`); None lists them all.

    Examples
    --------
    >>> from xmforecast.scenarios import Scenario
    >>> dict(assumptions(Scenario(scenario="x", growth_shift=0.03)))["Extra growth on every indicator"]
    '+3 percentage points a year'
    >>> [label for label, _ in assumptions(Scenario(scenario="x"), models=["auto"])][:3]
    ['Data up to', 'Extra growth on every indicator', 'Spread around the trend']
    """
    s = scenario
    shift = round(100 * s.growth_shift)
    used = None if models is None else settings_used(models)

    def optional(value: Any, shown: str, default: str) -> str:
        return shown if value is not None else say(default, lang)

    rows = [
        (None, "a_origin", say("a_origin_value", lang, year=s.origin)),
        (None, "a_shift", say("a_shift_value", lang, shift=f"{shift:+d}") if shift else say("a_shift_none", lang)),
        (None, "a_spread", say("a_spread_value", lang, share=format_percent(s.volatility_scale))),
        (None, "a_required", say("yes" if s.at_required_rate else "no", lang)),
        ("recertification_rate", "a_recertification",
         optional(s.recertification_rate, format_percent(s.recertification_rate), "a_implied_by_data")),
        ("exit_rate", "a_exit", format_percent(s.exit_rate) if round(100 * s.exit_rate) else f"{100 * s.exit_rate:.1f} %"),
        ("new_certifications", "a_new_certifications",
         optional(s.new_certifications, say("a_firms", lang, count=format_count(s.new_certifications)),
                  "a_projected")),
        ("patent_lapse_rate", "a_patent_lapse",
         optional(s.patent_lapse_rate, f"{100 * (s.patent_lapse_rate or 0):.1f} %", "a_estimated")),
        ("population_growth", "a_population",
         optional(s.population_growth, f"{100 * (s.population_growth or 0):.1f} %", "a_estimated")),
        (None, "a_model", say("a_model_auto", lang) if s.model == "auto" else s.model),
        (None, "a_paths", say("a_paths_value", lang, n_paths=format_count(s.n_paths), seed=s.seed)),
        (None, "a_interval", say("a_interval_value", lang, level=f"{s.level:g}")),
    ]
    if s.data_file:
        rows.append((None, "a_user_data", Path(s.data_file).name))
    return [(say(label, lang), value) for key, label, value in rows if key is None or used is None or key in used]


def detail_table(summary: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """Every assessed target with its figures as text, headers in words (for a page).

    Required growth is counted from the latest figure, as on the first screen; the growth
    from the base year is a column of its own, labelled with the base year.
    """
    import pandas as pd

    rows = []
    for rec in summary[summary["base_value"].notna()].to_dict("records"):
        unit = unit_words(field(rec, "unit"), lang)
        base_year = format_year(field(rec, "base_year"))
        note = "; ".join(t for t in (quality_words(field(rec, "data_quality"), lang), note_words(rec, lang),
                                     interval_note(rec, lang)) if t)
        rows.append({
            say("t_indicator", lang): field(rec, "name_zh" if lang == "zh" else "name_en") or rec["indicator"],
            say("t_unit", lang): unit,
            say("t_latest_figure", lang): (f"{format_figure(field(rec, 'latest_value'), rec)} "
                                                  f"({format_year(field(rec, 'latest_year'))})"),
            say("t_target", lang): target_text(rec, lang),
            say("t_gap", lang): format_figure(field(rec, "gap"), rec),
            say("t_growth_needed_from_the_latest_figure", lang):
                growth_words(required_from_latest(rec), field(rec, "direction"), lang),
            say("t_growth_needed_from_base", lang, year=base_year):
                format_percent(field(rec, "required_growth")),
            say("t_growth_over_the_last_three_years", lang): format_percent(field(rec, "observed_growth")),
            say("t_progress_ratio_r", lang): format_ratio(field(rec, "progress_ratio")),
            say("t_probability", lang): format_probability(field(rec, "p_attain")),
            say("t_expected_year", lang): expected_words(rec, lang),
            say("t_model", lang): model_words(field(rec, "model"), lang),
            say("t_about_the_data", lang): note or MISSING,
        })
    return pd.DataFrame(rows)


def not_assessed(summary: pd.DataFrame, lang: Lang = "en") -> list[str]:
    """Names (with their target) of the targets that cannot be assessed, for one sentence on a page."""
    name = "name_zh" if lang == "zh" else "name_en"
    return [f"{field(rec, name) or rec['indicator']} ({target_text(rec, lang)})"
            for rec in summary[summary["base_value"].isna()].to_dict("records")]


def effort_table(effort: pd.DataFrame, summary: pd.DataFrame, lang: Lang = "en", *, probability: float = 0.8
                 ) -> pd.DataFrame:
    """:func:`xmforecast.what_it_takes_table` in words: what each target takes, for a page."""
    import pandas as pd

    rows_by = summary.set_index("indicator")
    rows = []
    for rec in effort[effort["indicator"].isin(summary.loc[summary["base_value"].notna(), "indicator"])].to_dict(
            "records"):
        row = {**rows_by.loc[rec["indicator"]].to_dict(), "indicator": rec["indicator"]}
        direction = field(row, "direction")
        rows.append({
            say("t_indicator", lang): field(row, "name_zh" if lang == "zh" else "name_en") or rec["indicator"],
            say("t_latest_figure", lang): (f"{format_figure(field(rec, 'latest_value'), row)} "
                                                  f"({format_year(field(rec, 'latest_year'))})"),
            say("t_target", lang): target_text(row, lang),
            say("t_growth_needed_from_the_latest_figure", lang):
                growth_words(required_from_latest(row), direction, lang),
            say("t_growth_over_the_last_three_years", lang):
                format_percent(field(rec, "observed_growth"), signed=True),
            say("t_growth_the_forecast_expects", lang):
                format_percent(field(rec, "expected_growth"), signed=True),
            say("t_growth_for_a_chance", lang, chance=format_percent(probability)): format_percent(
                field(rec, "growth_for_probability"), signed=True),
            say("t_note", lang): effort_note(rec, lang),
        })
    return pd.DataFrame(rows)


def lever_table(summary: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """The structural levers (new certifications, patent grants, ...) each target needs, in words.

    The numbers are those of the first table and of the index: the same summary rows,
    rounded up by :func:`lever_count`.
    """
    import pandas as pd

    rows = []
    for rec in summary[summary["lever"].notna()].to_dict("records") if "lever" in summary else []:
        needed = lever_count(field(rec, "lever_needed"))
        last = field(rec, "lever_last")
        rows.append({
            say("t_indicator", lang): field(rec, "name_zh" if lang == "zh" else "name_en") or rec["indicator"],
            say("t_lever", lang): lever_name(rec["lever"], lang),
            say("t_needed_each_year", lang, year=format_year(field(rec, "target_year"))):
                (say("t_target_year_already_observed", lang) if needed is None
                 else format_count(needed)),
            say("t_last_observed", lang): (MISSING if last is None else
                                                     f"{format_count(last)} ({format_year(field(rec, 'lever_last_year'))})"),
        })
    return pd.DataFrame(rows)


def scenario_titles(summary: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """The scenarios of a run's summary, in words: title and name, in order."""
    import pandas as pd

    seen = summary.drop_duplicates("scenario")
    return pd.DataFrame({say("t_scenario", lang): seen["title"].fillna(seen["scenario"]).astype(str).tolist(),
                         say("t_name_in_its_params_file", lang): seen["scenario"].astype(str).tolist()})




def plan_table(registry: pd.DataFrame, lang: Lang = "en", *, targets: bool = True) -> pd.DataFrame:
    """The registry's indicators with (`targets`) or without a target, in words and the first screen's formats."""
    import pandas as pd

    rows = registry[registry["target_type"].notna() == targets]
    out = []
    for rec in rows.to_dict("records"):
        row = {say("t_indicator", lang): rec["name_zh" if lang == "zh" else "name_en"] or rec["id"],
               say("t_unit", lang): unit_words(rec["unit"], lang),
               say("t_base_year", lang): format_year(rec["base_year"]),
               say("t_baseline", lang): format_figure(rec["base_value"], rec),
               say("t_growth_before", lang): format_percent(rec["prior_growth"])}
        if targets:
            row[say("t_target", lang)] = target_text(rec, lang)
            row[say("t_baseline_quote", lang)] = text_or_missing(rec.get("base_quote"))
            row[say("t_target_quote", lang)] = text_or_missing(rec.get("target_quote"))
        else:
            quote = rec.get("base_quote")
            row[say("t_quote_or_source", lang)] = text_or_missing(rec.get("base_source") if is_missing(quote) else quote)
        out.append(row)
    return pd.DataFrame(out)


def observations_table(observations: pd.DataFrame, registry: pd.DataFrame, lang: Lang = "en",
                       *, quotes: bool = False) -> pd.DataFrame:
    """Observations in words: indicator name, year, value in its kind's format, status, grade, source."""
    import pandas as pd

    by_id = registry.set_index("id")
    out = []
    for rec in observations.to_dict("records"):
        reg = by_id.loc[rec["indicator"]] if rec["indicator"] in by_id.index else {}
        name = field(reg, "name_zh" if lang == "zh" else "name_en") or rec["indicator"]
        row = {say("t_indicator", lang): name, say("t_year", lang): format_year(rec["year"]),
               say("t_value", lang): (format_count(rec["value"]) if is_count(reg) else
                                          format_figure(rec["value"], {**dict(reg), "base_value": rec["value"]})),
               say("t_unit", lang): unit_words(rec.get("unit") or field(reg, "unit") or "", lang),
               say("t_status", lang): say(f"observation_{rec['status']}", lang) if f"observation_{rec['status']}" in catalog() else rec["status"],
               say("t_grade", lang): say("observation_seed", lang) if rec.get("quality") == "seed"
               else text_or_missing(rec.get("quality")),
               say("t_source", lang): text_or_missing(rec.get("source"))}
        if quotes:
            row[say("t_quote", lang)] = text_or_missing(rec.get("quote"))
        out.append(row)
    return pd.DataFrame(out)


def backtest_words(scores: pd.DataFrame, registry: pd.DataFrame, lang: Lang = "en") -> pd.DataFrame:
    """:func:`xmforecast.backtest_table` for a page: names and models in words, errors and coverage
    in percent, the model each forecast uses marked, and why."""
    import pandas as pd

    names = registry.set_index("id")["name_zh" if lang == "zh" else "name_en"]
    out = []
    for rec in scores.to_dict("records"):
        out.append({
            say("t_indicator", lang): text_or_missing(names.get(rec["indicator"], rec["indicator"])),
            say("t_model", lang): model_words(rec["model"], lang),
            say("t_forecasts_scored", lang): format_count(rec["n"]),
            say("t_mean_absolute_error", lang): format_percent(rec["mape"]),
            say("t_interval_coverage", lang): format_percent(rec["coverage"]),
            say("t_nominal_level", lang): format_percent(rec["nominal"] / 100),
            say("t_used_to_forecast", lang): say("t_yes", lang) if rec["chosen"] else "",
            say("t_why", lang): backtest_reason_words(rec, lang),
        })
    return pd.DataFrame(out)


def ladder_table(forecasts: Mapping[str, pd.DataFrame], row: Any, lang: Lang = "en") -> pd.DataFrame:
    """Every rung of the model ladder side by side, for a page: one row per model (in words),
    one column per year, each cell the median with its interval, written as the row's
    figures are.

    Parameters
    ----------
    forecasts : mapping
        Model name → its forecast (index year; columns ``point``, ``lower``, ``upper``).
    row : mapping
        The indicator's registry or summary row (``unit``, ``kind``, published values).
    """
    import pandas as pd

    out = []
    for model, frame in forecasts.items():
        cells = {say("t_model", lang): model_words(model, lang)}
        for year, rec in frame.iterrows():
            cells[format_year(year)] = (f"{format_figure(rec['point'], row)} "
                                        f"({format_figure(rec['lower'], row)}–{format_figure(rec['upper'], row)})")
        out.append(cells)
    return pd.DataFrame(out)


_TOO_SHORT = re.compile(r"needs at least (\d+) observations; got (\d+)")


def skipped_table(skipped: Sequence[tuple[str, str]], lang: Lang = "en") -> pd.DataFrame:
    """The rungs of the ladder a series is too short for, with why, for a page."""
    import pandas as pd

    def why(reason: str) -> str:
        short = _TOO_SHORT.search(reason)
        return say("skip_too_short", lang, needed=short[1], got=short[2]) if short else reason

    return pd.DataFrame([{say("t_model", lang): model_words(model, lang), say("t_not_used_because", lang): why(reason)}
                         for model, reason in skipped],
                        columns=[say("t_model", lang), say("t_not_used_because", lang)])
