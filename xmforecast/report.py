"""The report's names in one place, for notebooks and scripts: ``from xmforecast import report``.

The report is built by modules of one concern each, and this module only gathers their
public names:

- :mod:`xmforecast.formatting`: how a figure is written (counts, amounts, percentages,
  probabilities, years, the dash of a missing value);
- :mod:`xmforecast.colours`: the one probability colour scale;
- :mod:`xmforecast.phrases`: a target row in words (target, verdict, expected year, ...);
- :mod:`xmforecast.summary`: the summary table's schema and its CSV precision;
- :mod:`xmforecast.tables`: the pages' tables of display strings;
- :mod:`xmforecast.pages`: rendering the templates;
- :mod:`xmforecast.publish`: run folders, output folders, the run history's files;
- :mod:`xmforecast.words`: the catalog of words (``say``);
- :mod:`xmforecast.plots` and :mod:`xmforecast.explorer`: the charts a notebook draws, and
  the explore notebook's live chart.

With the public names of :mod:`xmforecast`, these are all a notebook imports.
"""
from __future__ import annotations

from .colours import PROBABILITY_BANDS, Band, probability_band, probability_color, probability_colormap, \
    probability_text_color
from .explorer import interactive_output
from .formatting import MISSING, format_amount, format_count, format_figure, format_percent, format_probability, \
    format_ratio, format_value, format_year, is_count, lever_count
from .pages import FONT_FOLDER, FONT_STACK, comparison_table, font_face_css, index_page, page_words, \
    render_fan_caption, render_ladder, render_section, render_summary, render_template
from .phrases import growth_words, interval_note, model_words, plan_target_sentence, status_label, verdict
from .plots import comparison_chart, fan_chart, history_chart, indicator_label, probability_chart, \
    progress_chart, publish, sensitivity_chart
from .publish import collect_run, install_font, latest_of_each_scenario, newest_run, output_folder, write_history
from .summary import FORECAST_COLUMNS, SUMMARY_COLUMNS, required_from_latest, round_for_csv, run_warnings, \
    scenario_forecasts, scenario_summary
from .tables import answer_table, assumptions, backtest_words, detail_table, effort_table, ladder_table, \
    lever_table, not_assessed, observations_table, plan_table, scenario_titles, skipped_table
from .words import say

__all__ = [
    "MISSING",
    "SUMMARY_COLUMNS",
    "FORECAST_COLUMNS",
    "PROBABILITY_BANDS",
    "Band",
    "FONT_FOLDER",
    "FONT_STACK",
    "format_count",
    "format_amount",
    "format_value",
    "format_percent",
    "format_probability",
    "format_ratio",
    "format_year",
    "format_figure",
    "is_count",
    "lever_count",
    "probability_band",
    "probability_color",
    "probability_text_color",
    "probability_colormap",
    "status_label",
    "verdict",
    "growth_words",
    "interval_note",
    "model_words",
    "plan_target_sentence",
    "required_from_latest",
    "scenario_summary",
    "scenario_forecasts",
    "round_for_csv",
    "answer_table",
    "assumptions",
    "detail_table",
    "effort_table",
    "lever_table",
    "not_assessed",
    "scenario_titles",
    "plan_table",
    "observations_table",
    "backtest_words",
    "ladder_table",
    "skipped_table",
    "render_template",
    "render_summary",
    "render_section",
    "render_fan_caption",
    "render_ladder",
    "comparison_table",
    "font_face_css",
    "page_words",
    "index_page",
    "install_font",
    "collect_run",
    "run_warnings",
    "write_history",
    "latest_of_each_scenario",
    "output_folder",
    "newest_run",
    "say",
    "comparison_chart",
    "fan_chart",
    "history_chart",
    "indicator_label",
    "probability_chart",
    "progress_chart",
    "publish",
    "sensitivity_chart",
    "interactive_output",
]
