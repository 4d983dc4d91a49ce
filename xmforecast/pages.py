"""The pages: jinja2 rendering of the package's templates (``xmforecast/templates/``).

Templates get display strings (from :mod:`xmforecast.tables` and :mod:`xmforecast.phrases`)
and write markup; every value is autoescaped.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .colours import PROBABILITY_BANDS, probability_color, probability_text_color
from .formatting import (MISSING, Lang, field, format_amount, format_count, format_percent, format_probability,
                         format_year)
from .phrases import (baseline_years, colour_probability, confidence_words, expected_words, lever_words_of,
                      interval_note, method_facts, model_note_words, model_words, status_label, takes_words,
                      verdict)
from .summary import SUMMARY_COLUMNS
from .target_text import target_text, unit_words
from .tables import answer_table, assumptions, ladder_table, skipped_table
from .words import catalog, say, translator

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FONT_FOLDER",
    "FONT_STACK",
    "font_face_css",
    "render_template",
    "render_summary",
    "render_section",
    "comparison_table",
    "page_words",
    "index_page",
]


#: Folder of the reports folder that holds the CJK web font the pages fall back to.
FONT_FOLDER = "_fonts"


_FONT_FAMILY = "xmforecast CJK"


#: Fonts of every page: Chinese from an installed Noto Sans SC / CJK SC or the copy in
#: ``<reports>/_fonts/``, everything else from the reader's own fonts.
FONT_STACK = (f'"{_FONT_FAMILY}", system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
              '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
              '"WenQuanYi Micro Hei", sans-serif')


# The CJK face covers Chinese characters and punctuation only; Latin text keeps the reader's fonts.
_CJK_RANGE = "U+2E80-9FFF, U+3000-303F, U+F900-FAFF, U+FF00-FFEF"


def font_face_css(url: str | None) -> str:
    """CSS declaring the fallback CJK font: installed copies first, then `url` (relative)."""
    sources = ['local("Noto Sans SC")', 'local("Noto Sans CJK SC")', 'local("Source Han Sans SC")']
    if url and not any(ch in url for ch in "\"'()<>\\"):
        sources.append(f'url("{url}") format("opentype")')
    return (f'@font-face {{ font-family: "{_FONT_FAMILY}"; src: {", ".join(sources)}; '
            f"font-display: block; unicode-range: {_CJK_RANGE}; }}")


_SPACE_BEFORE_PERCENT = re.compile(r"(\d) %")


def _glue_percent(value: Any) -> Any:
    """Every value a page writes, with a number and its "%" kept on one line (a no-break space)."""
    if isinstance(value, str) and not hasattr(value, "__html__"):  # markup is the templates' own
        return _SPACE_BEFORE_PERCENT.sub("\\1\u00a0%", value)
    return value


@cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("xmforecast", "templates"), autoescape=True, finalize=_glue_percent,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(probability=format_probability, percent=format_percent, count=format_count,
                       amount=format_amount, year=format_year, pcolor=probability_color,
                       ptext=probability_text_color)
    return env


def render_template(name: str, **context: Any) -> str:
    """Render one of the package's templates (``xmforecast/templates/``), autoescaped."""
    from markupsafe import Markup

    context.setdefault("font_url", None)
    context.setdefault("_", translator(context.get("lang", "en")))
    return _environment().get_template(name).render(
        bands=PROBABILITY_BANDS, font_stack=Markup(FONT_STACK),  # noqa: S704 (constants of this module)
        font_face=lambda url: Markup(font_face_css(url)), **context)


def render_fan_caption(row: Any, model: Any, lang: Lang = "en") -> str:
    """The line under a headline indicator's fan chart: its name, its verdict, the model, and
    why the interval is very wide where it is."""
    name = field(row, "name_zh" if lang == "zh" else "name_en") or field(row, "indicator")
    return render_template("fan_caption.html", lang=lang, indicator_name=str(name), verdict=verdict(row, lang),
                           model=model_words(model, lang), wide=interval_note(row, lang))


def render_summary(summary: pd.DataFrame, scenario: Any, lang: Lang = "en", *,
                   registry: pd.DataFrame | None = None) -> str:
    """The answer-first block of a scenario page: the table, then the assumptions in words.

    Parameters
    ----------
    summary : DataFrame
        From :func:`scenario_summary`.
    scenario : Scenario
    lang : {"zh", "en"}
    registry : DataFrame, optional
        The plan's registry: its ``model`` column says which models' settings the assumptions
        list (default: the models of the summary's rows).

    Returns
    -------
    str
        An HTML fragment (for ``IPython.display.HTML``), every value escaped.
    """
    plan = registry if registry is not None and "model" in registry else summary
    models = plan["model"].fillna("auto").tolist() if "model" in plan else None
    rows = answer_table(summary, lang)
    return render_template("summary.html", rows=rows, lang=lang,
                           title=scenario.title or scenario.scenario, scenario=scenario.scenario,
                           skipped_years=baseline_years(r for r in rows if not r["assessed"]),
                           assumptions=assumptions(scenario, lang, models=models))


def render_section(name: str, lang: Lang = "en", *, table: pd.DataFrame | None = None,
                   notes: list[str] | tuple[str, ...] = (), summary: pd.DataFrame | None = None,
                   scenario: Any = None, level: int = 2) -> str:
    """A section of the scenario page: heading and lead in `lang`, a table of display strings, notes.

    Parameters
    ----------
    name : str
        One of the page's sections (``details``, ``takes``, ``levers``, ...).
    table : DataFrame, optional
        Display strings (e.g. from :func:`detail_table`); headers are its columns.
    notes : sequence of str
        Sentences written under the table.
    summary, scenario : optional
        For ``how_to_read``: the method's words name the scenario's number of paths and the
        summary's indicators that a structural model forecasts.
    level : {1, 2}
        The heading's level: 1 for a page's own title and introduction.
    """
    say("section_" + name, lang)  # an unknown section fails here, by its name
    lead = f"section_{name}_lead"
    facts = {}
    if name == "how_to_read":
        facts = method_facts(summary if summary is not None else _no_rows(), getattr(scenario, "n_paths", None)
                             if scenario is not None else None, lang)
    headers, rows = _table_cells(table)
    return render_template("section.html", lang=lang, title=say("section_" + name, lang), level=1 if level == 1 else 2,
                           lead=say(lead, lang) if lead in catalog() else "", method=name == "how_to_read",
                           headers=headers, rows=rows, notes=list(notes), **facts)


_NUMBER = re.compile(r"^[<>≥≤+\-−]?\s?[\d,.]+( %)?( \(\d{4}\))?$")


def _table_cells(table: pd.DataFrame | None) -> tuple[list[str], list[list[dict]]]:
    """Headers and cells of a table of display strings; empty columns left out, numbers flagged
    (right-aligned on the page)."""
    if table is None or not len(table):
        return [], []
    table = table.loc[:, [(table[c].astype(str).str.strip() != "").any() for c in table.columns]]
    rows = [[dict(text=str(v), num=bool(_NUMBER.match(str(v)))) for v in rec]
            for rec in table.astype(str).itertuples(index=False)]
    return [str(c) for c in table.columns], rows


def render_ladder(row: Any, model: Any, why: str, forecasts: Mapping[str, pd.DataFrame],
                  skipped: Sequence[tuple[str, str]], lang: Lang = "en") -> str:
    """One indicator's section of the model-ladder page: its name and unit, the model its
    forecast uses and why, every rung's forecast (:func:`ladder_table`) and the rungs skipped.

    Parameters
    ----------
    row : mapping
        The indicator's registry row (``id``, names, ``unit``, ``kind``, ...).
    model : str or None
        The model the indicator's forecast uses; None when it has no observation up to the
        origin (the section then says there is nothing to forecast).
    why : ModelNote or str
        Why (a forecast's ``.attrs["why"]``), worded in `lang`.
    forecasts : mapping
        Rung name → its forecast (index year; ``point``, ``lower``, ``upper``).
    skipped : sequence of (str, str)
        Rungs not fitted, with the reason.
    """
    name = field(row, "name_zh" if lang == "zh" else "name_en") or field(row, "id")
    unit = unit_words(field(row, "unit"), lang)
    title = f"{name} ({unit})" if unit else str(name)
    if model is None:
        return render_template("section.html", lang=lang, title=title, level=2, lead=say("ladder_no_history", lang),
                               method=False, headers=[], rows=[], notes=[])
    headers, rows = _table_cells(ladder_table(forecasts, row, lang))
    notes = [say("ladder_skipped", lang, model=model_name, why=reason)
             for model_name, reason in skipped_table(skipped, lang).itertuples(index=False)]
    lead = say("ladder_chosen", lang, model=model_words(model, lang), why=model_note_words(why, lang))
    return render_template("section.html", lang=lang, title=title, level=2,
                           lead=lead, method=False, headers=headers, rows=rows, notes=notes)


def comparison_table(summary: pd.DataFrame, lang: Lang = "en", *, value: Literal["probability", "expected"] =
                     "probability") -> str:
    """Targets × scenarios as HTML: the verdict coloured by probability, or the expected year.

    Parameters
    ----------
    summary : DataFrame
        A run's ``summary.csv`` (a ``scenario`` and a ``title`` column).
    value : {"probability", "expected"}
        What the cells hold; with ``"expected"`` a column gives the trend grade in words.
    """
    titles = list(dict.fromkeys(zip(summary["scenario"], summary["title"].fillna(summary["scenario"]))))
    name = "name_zh" if lang == "zh" else "name_en"
    rows = []
    for _, group in summary.groupby("indicator", sort=False):
        first = group.iloc[0].to_dict()
        cells = []
        for scenario, _title in titles:
            hit = group[group["scenario"] == scenario]
            rec = hit.iloc[0].to_dict() if len(hit) else {}
            p = colour_probability(rec)
            if value == "probability":
                cells.append(dict(text=verdict(rec, lang) if rec else MISSING, color=probability_color(p),
                                  text_color=probability_text_color(p)))
            else:
                cells.append(dict(text=expected_words(rec, lang) if rec else MISSING, color="#ffffff",
                                  text_color="#222222"))
        rows.append(dict(name=str(field(first, name) or first["indicator"]), target=target_text(first, lang),
                         grade=status_label(field(first, "status"), lang), cells=cells))
    return render_template("comparison.html", rows=rows, titles=[t for _, t in titles], lang=lang,
                           with_grade=value == "expected")


def page_words(notebook: str | Path, lang: Lang = "en") -> str:
    """What a notebook's page holds, in words (a link's text), else the notebook's name.

    Examples
    --------
    >>> page_words("target_scenarios.ipynb"), page_words("comparison.ipynb", "zh"), page_words("mine.ipynb")
    ('targets under this scenario', '情景比较', 'mine')
    """
    stem = Path(str(notebook)).stem
    return say(f"page_{stem}", lang) if f"page_{stem}" in catalog() else stem


def history_context(run_dir: Path, prefix: str, lang: Lang) -> dict:
    import pandas as pd

    from .history import hit_rate

    folder = run_dir / "_history"
    context: dict[str, Any] = {"history_png": None, "outcomes_png": None, "outcomes": [], "hit_rate": None,
                               "n_runs": 0}
    path = folder / "probability_history.csv"
    if path.is_file():
        context["n_runs"] = int(pd.read_csv(path)["run_id"].nunique())
    if (folder / "probability_history.png").is_file():
        context["history_png"] = f"{prefix}_history/probability_history.png"
    path = folder / "forecasts_vs_outcomes.csv"
    if path.is_file():
        table = pd.read_csv(path)
        if len(table):
            name = "name_zh" if lang == "zh" else "name_en"
            context["hit_rate"] = (format_percent(hit_rate(table)), int(table["inside"].astype(bool).sum()),
                                   len(table))
            yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
            for rec in table.sort_values(["indicator", "year", "run_id"]).to_dict("records"):
                unit = ""
                reached = field(rec, "reached")
                context["outcomes"].append(dict(
                    run=str(rec["run_id"]), name=str(field(rec, name) or rec["indicator"]), year=format_year(rec["year"]),
                    point=format_amount(rec["point"]), interval=f"{format_amount(rec['lower'])} – "
                    f"{format_amount(rec['upper'])}", level=f"{float(rec['level']):g} %",
                    probability=format_probability(field(rec, "p_attain")), color=probability_color(field(rec, "p_attain")),
                    text_color=probability_text_color(field(rec, "p_attain")),
                    actual=format_amount(rec["actual"]) + unit, inside=yes if bool(rec["inside"]) else no,
                    reached=MISSING if reached is None else (yes if str(reached).lower() in ("true", "1", "1.0") else no),
                ))
        if (folder / "forecasts_vs_outcomes.png").is_file():
            context["outcomes_png"] = f"{prefix}_history/forecasts_vs_outcomes.png"
    return context


def index_page(run_dir: str | Path, run_id: str, scenarios: list[Any], records: list[dict], *, prefix: str,
               earlier: list[str] | None, font: str | None = None, others: list[dict] | None = None) -> str:
    """The HTML page comparing the scenarios of one run; links start with `prefix`.

    Parameters
    ----------
    run_dir : str or Path
        The run folder (its ``summary.csv`` and ``_history/``).
    run_id : str
        The run's name.
    scenarios : list of Scenario
        In the order of the report.
    records : list of dict
        The executed notebooks (``label``, ``notebook``, ``html``, ``status``).
    prefix : str
        Prepended to every link (``""`` inside the run folder, ``"<run_id>/"`` from the reports folder).
    earlier : list of str, optional
        Earlier runs to link to (None: a link to the reports folder's index instead).
    font : str, optional
        File name of the CJK font in ``<reports>/_fonts/`` (see :func:`install_font`).
    others : list of dict, optional
        Scenarios of the plan's earlier runs that this run left out (see
        :func:`latest_of_each_scenario`): shown after this run's, each with its run's date.
    """
    import pandas as pd

    run_dir = Path(run_dir)
    others = others or []
    lang: Lang = scenarios[0].lang if scenarios else "zh"
    name_col = "name_zh" if lang == "zh" else "name_en"
    path = run_dir / "summary.csv"
    summary = pd.read_csv(path) if path.is_file() else pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    pages: dict[str, list[dict]] = {}
    for r in records:
        if r.get("status") == "ok":
            pages.setdefault(r["label"], []).append(r)
    columns = [dict(name=s.scenario, title=s.title or s.scenario, run=None,
                    link=(prefix + pages[s.scenario][0]["html"]) if s.scenario in pages else None) for s in scenarios]
    columns += [dict(name=o["name"], title=o["title"], run=o["run_id"], link=o["html"]) for o in others]
    if others:
        summary = pd.concat([summary, *(o["summary"] for o in others)], ignore_index=True)
    rows, skipped = _index_rows(summary, columns, lang)
    links = [dict(text=page_words(r["notebook"], lang), href=prefix + r["html"])
             for key in ("overview", "comparison") for r in pages.get(key, [])]
    scenario_links = [dict(title=c["title"], name=c["name"],
                           pages=[dict(text=page_words(r["notebook"], lang), href=prefix + r["html"])
                                  for r in pages.get(c["name"], [])]) for c in columns]
    runs = None if earlier is None else [
        dict(name=n, href=f"{n}/index.html" if (run_dir.parent / n / "index.html").is_file() else f"{n}/")
        for n in earlier]
    data_year = summary["latest_year"].max() if "latest_year" in summary and len(summary) else None
    return render_template(
        "index.html", lang=lang, run_id=run_id, columns=columns, rows=rows, links=links,
        skipped=[str(field(r, name_col) or r["indicator"]) for r in skipped], skipped_years=baseline_years(skipped),
        **method_facts(summary, [s.n_paths for s in scenarios], lang),
        scenario_links=scenario_links, earlier=runs, prefix=prefix, data_year=format_year(data_year),
        reference=columns[0]["title"] if columns else "", **history_context(run_dir, prefix, lang),
        font_url=(f"{'../' if earlier is None else ''}{FONT_FOLDER}/{font}" if font else None),
    )


def _no_rows() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=list(SUMMARY_COLUMNS))


def _index_rows(summary: pd.DataFrame, columns: list[dict], lang: Lang) -> tuple[list[dict], list[dict]]:
    """The index's rows, one per target with a cell per scenario column; and the targets without a
    baseline (not assessed), as their first summary row."""
    name_col = "name_zh" if lang == "zh" else "name_en"
    rows, skipped = [], []
    if len(summary):
        keys = ["indicator", "target_year", "target_type", "target_value"]
        for _, group in summary.groupby(keys, sort=False, dropna=False):
            first = group.iloc[0].to_dict()
            if field(first, "base_value") is None:
                skipped.append(first)
                continue
            cells = []
            for column in columns:
                hit = group[group["scenario"] == column["name"]]
                rec = hit.iloc[0].to_dict() if len(hit) else {}
                p = colour_probability(rec)
                cells.append(dict(verdict=verdict(rec, lang) if rec else MISSING, color=probability_color(p),
                                  confidence=confidence_words(rec, lang) if rec else "",
                                  text_color=probability_text_color(p), expected=expected_words(rec, lang) if rec else MISSING,
                                  lever=lever_words_of(rec, lang) if rec else "", note=str(field(rec, "note") or "")))
            # The growth needed depends on the data only; the lever on each scenario's settings (in its cell).
            takes = list(dict.fromkeys(takes_words(r, lang, lever=False) for r in group.to_dict("records")))
            rows.append(dict(name=str(field(first, name_col) or first["indicator"]), indicator=first["indicator"],
                             target=target_text(first, lang), takes="; ".join(takes), cells=cells,
                             has_p=any(field(r, "p_attain") is not None for r in group.to_dict("records"))))
        rows.sort(key=lambda r: not r["has_p"])
    return rows, skipped
