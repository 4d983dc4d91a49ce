"""Charts for analysts: history and fan charts, probability, progress, scenarios.

Every chart function takes pandas objects, returns a matplotlib
:class:`~matplotlib.figure.Figure`, writes its labels in Chinese (``lang="zh"``) or
English (``lang="en"``), states the units, and carries a note on the data's source
and quality grade (A official, B news, C mirror copy, seed = the plan document;
*derived* points are computed, not published). Numbers are written by
:mod:`xmforecast.formatting`, probabilities coloured by :mod:`xmforecast.colours`, words
taken from :mod:`xmforecast.words`.

This module holds the charts of one scenario's targets and gathers the others
(:mod:`xmforecast.overview_charts`) and the shared parts (:mod:`xmforecast.chart_parts`,
:mod:`xmforecast.chart_text`) under one name, ``plots``.

Chinese text needs a CJK font. :func:`~xmforecast.fonts.setup_fonts` (defined in
:mod:`xmforecast.fonts`, re-exported here) registers the Noto Sans SC font shipped by
the ``pylopdf-fonts-zh-cn`` package (SIL Open Font License 1.1) with matplotlib, or a
CJK font already known to matplotlib; without one, charts asked for in Chinese fall
back to English labels with a warning.
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, Sequence

from .chart_parts import (SAVE_DPI, add_note, as_frame, font_family, fractions, hollow_points, new_axes,
                          probability_handles, publish, save_figure, start, title_and_note, unit_axis_label,
                          year_axis, year_series)
from .chart_text import (chart_words, indicator_label, name_of, note_text, row_labels, rows_height, unit_words,
                         wrap)
from .colours import STATUS_COLORS, probability_color, probability_text_color
from .exceptions import ParameterError
from .fonts import Lang, setup_fonts
from .formatting import MISSING, format_probability, format_short, is_missing
from .overview_charts import (comparison_chart, history_chart, outcomes_chart, probability_history_chart,
                              sensitivity_chart)
from .target_text import target_text
from .targets import STATUSES, grade_words, progress_status

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "publish",
    "setup_fonts",
    "indicator_label",
    "fan_chart",
    "probability_chart",
    "progress_chart",
    "sensitivity_chart",
    "comparison_chart",
    "history_chart",
    "probability_history_chart",
    "outcomes_chart",
    "target_panel",
    "save_figure",
    "STATUS_COLORS",
    "SAVE_DPI",
]


_GRADE_THRESHOLDS = (0.0, 0.6, 0.95)


def fan_chart(
    history: pd.Series,
    paths: pd.DataFrame | None = None,
    forecast: pd.DataFrame | None = None,
    *,
    target_value: float | None = None,
    target_year: int | None = None,
    required_path: pd.Series | None = None,
    title: str = "",
    unit: str = "",
    source_note: str = "",
    quality: pd.Series | pd.DataFrame | None = None,
    levels: Sequence[float] = (50, 80),
    ax: Axes | None = None,
    lang: Lang = "zh",
) -> Figure:
    """History, simulated fan, target and required path of one indicator.

    Parameters
    ----------
    history : Series
        Observed values by integer year; NaN values are left out.
    paths : DataFrame, optional
        Simulated values, years × paths. Each level in `levels` is drawn as the central
        band between the ``(100 − level)/2`` and ``(100 + level)/2`` percentiles, and the
        median as a dashed line.
    forecast : DataFrame, optional
        Point forecast by year with columns ``point``, ``lower``, ``upper``; drawn as a
        line in an interval (or a line with interval edges over a fan).
    target_value : float, optional
        Target level [indicator unit]: a dashed horizontal line, with a star at
        `target_year` when given.
    target_year : int, optional
        Year of the target.
    required_path : Series, optional
        Values by year on the path that just reaches the target; a dotted line.
    title : str
        Axes title.
    unit : str
        Unit of the values (Chinese registry unit, translated for ``lang="en"``).
    source_note : str
        Source of the data, written under the chart before the grade note.
    quality : Series or DataFrame, optional
        Grade by year (A, B, C, seed, or ``derived``), or a frame by year with
        ``quality`` and ``status`` (published / derived) columns. Derived and grade-C
        points get hollow markers, explained in the legend.
    levels : sequence of float
        Central band widths [%], each in (0, 100).
    ax : Axes, optional
        Draw into these axes instead of a new figure.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    Figure

    Raises
    ------
    ParameterError
        For an empty `history`, a `forecast` without point/lower/upper, a level outside
        (0, 100) or an unknown `lang`.
    """
    plt, lang = start(lang)
    hist = year_series(history, "history")
    levels = _band_levels(levels)
    fig, ax, own = new_axes(plt, ax, (7.5, 4.4))
    last = int(hist.index[-1]), float(hist.iloc[-1])  # the fan and the forecast start from it
    if paths is not None:
        _draw_paths(plt, ax, paths, levels, last, lang)
    if forecast is not None:
        _draw_forecast(ax, forecast, paths is not None, last, lang)
    if required_path is not None:
        _draw_required(ax, required_path, lang)
    _draw_history(ax, hist, quality, lang)
    unit_text = unit_words(unit, lang)
    if target_value is not None and math.isfinite(float(target_value)):
        _draw_target(ax, float(target_value), target_year, unit, lang)
    _finish_fan(fig, ax, own, title=title, unit_text=unit_text, source_note=source_note, lang=lang)
    return fig


def _band_levels(levels: Sequence[float]) -> list[float]:
    """The fan's band widths [%], widest first; each must lie in (0, 100)."""
    levels = sorted({float(level) for level in levels}, reverse=True)
    for level in levels:
        if not 0 < level < 100:
            raise ParameterError(f"`levels` must be percentages in (0, 100); got {level:g}.")
    return levels


def _draw_required(ax: Axes, required_path: Any, lang: str) -> None:
    """The constant-growth path that just reaches the target, dotted."""
    req = year_series(required_path, "required_path", allow_empty=True)
    ax.plot(req.index, req.to_numpy(), ":", color="#555555", lw=1.8, zorder=3, label=chart_words("required", lang))


def _finish_fan(fig: Figure, ax: Axes, own: bool, *, title: str, unit_text: str, source_note: str, lang: str) -> None:
    """The fan chart's axes, title, legend and note."""
    year_axis(ax)
    ax.set_xlabel(chart_words("year", lang), fontfamily=font_family())
    unit_axis_label(ax, unit_text, lang)
    if title:
        # In Chinese the unit stands upright above the axis; the title goes above it.
        pad = 18 if lang == "zh" and unit_text else 6
        ax.set_title(wrap(title, 60), loc="left", fontfamily=font_family(), pad=pad)
    ax.grid(True, color="0.9", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    add_note(fig, ax, note_text("grades_note", source_note, lang), own)


def _draw_paths(plt, ax: Axes, paths: pd.DataFrame, levels: list[float], last: tuple[int, float], lang: str) -> None:
    """The fan: each central band of the simulated paths, and their median, from the last observation on."""
    import numpy as np
    import pandas as pd

    if not isinstance(paths, pd.DataFrame):
        raise ParameterError(f"`paths` must be a DataFrame years × paths; "
                             f"got {type(paths).__name__}.")
    last_year, last_value = last
    years = np.asarray(paths.index, dtype=int)
    values = paths.to_numpy(dtype=float)
    if years.size and last_year < years.min():
        years = np.concatenate([[last_year], years])
        values = np.vstack([np.full((1, values.shape[1]), last_value), values])
    cmap = plt.get_cmap("Blues")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # years with only NaN paths
        for i, level in enumerate(levels):
            lower, upper = np.nanpercentile(values, [50 - level / 2, 50 + level / 2], axis=1)
            shade = 0.22 + 0.28 * i / max(len(levels) - 1, 1)
            ax.fill_between(years, lower, upper, color=cmap(shade), lw=0, zorder=1,
                            label=chart_words("band", lang).format(level=format_short(level)))
        median = np.nanpercentile(values, 50, axis=1)
    ax.plot(years, median, "--", color=cmap(0.85), lw=1.6, zorder=2, label=chart_words("median", lang))


def _draw_forecast(ax: Axes, forecast: pd.DataFrame, over_fan: bool, last: tuple[int, float], lang: str) -> None:
    """A point forecast in its interval (its edges only, over a fan)."""
    import numpy as np

    last_year, last_value = last
    frame = as_frame(forecast, "forecast", ("point", "lower", "upper"))
    years = np.asarray(forecast.index, dtype=int)
    point, lower, upper = (frame[c].to_numpy(dtype=float) for c in ("point", "lower", "upper"))
    color = "#d95f02"
    if not over_fan:
        ax.fill_between(years, lower, upper, color=color, alpha=0.18, lw=0, zorder=1,
                        label=chart_words("interval", lang))
    else:
        ax.plot(years, lower, color=color, lw=0.8, ls=(0, (4, 2)), zorder=2)
        ax.plot(years, upper, color=color, lw=0.8, ls=(0, (4, 2)), zorder=2,
                label=chart_words("interval", lang))
    ax.plot(np.concatenate([[last_year], years]), np.concatenate([[last_value], point]),
            color=color, lw=1.6, zorder=2, label=chart_words("forecast", lang))


def _draw_history(ax: Axes, hist: pd.Series, quality: Any, lang: str) -> None:
    """The observations, derived and grade-C ones hollow."""
    hollow = hollow_points(list(hist.index), quality)
    color = "#222222"
    ax.plot(hist.index, hist.to_numpy(), "-o", color=color, lw=1.8, ms=6, zorder=4,
            label=chart_words("history", lang))
    if hollow.any():
        ax.plot(hist.index[hollow], hist.to_numpy()[hollow], "o", ms=6, mfc="white", mec=color,
                mew=1.5, zorder=5, label=chart_words("hollow", lang))


def _draw_target(ax: Axes, target_value: float, target_year: Any, unit: Any, lang: str) -> None:
    """The target: a dashed level, a star in its year, the axis stretched to show it."""
    target_color = "#c2182b"
    label = target_text({"target_type": "level", "target_value": target_value, "target_year": target_year,
                         "unit": unit}, lang, style="chart", signed=False)
    ax.axhline(target_value, ls="--", lw=1.1, color=target_color, zorder=2)
    if target_year is not None:
        ax.plot([int(target_year)], [target_value], marker="*", ms=15, ls="--",
                lw=1.1, color=target_color, mec="white", mew=0.6, zorder=6, label=label)
    else:
        ax.plot([], [], ls="--", lw=1.1, color=target_color, label=label)
    left, right = ax.get_xlim()
    if target_year is not None and int(target_year) + 0.3 > right:
        ax.set_xlim(left, int(target_year) + 0.3)


def probability_chart(
    table: pd.DataFrame, *, title: str | None = None, source_note: str = "", lang: Lang = "zh",
    check: bool = False,
) -> Figure:
    """Horizontal bars of the probability of attaining each target, coloured by probability.

    Parameters
    ----------
    table : DataFrame
        One row per target with ``p_attain`` (a fraction in [0, 1]) and ``status``
        (on track, acceleration needed, limited progress, deterioration, already met,
        met, missed, insufficient data; written in words beside the value, never as the
        bar's colour); labels from ``name_zh`` / ``name_en`` / ``unit``
        (else ``indicator``) and ``target_value`` / ``target_year`` / ``target_type``
        when present. A NaN ``p_attain`` is written "n/a" with no bar.
    title : str, optional
        Figure title; a default one when None.
    source_note : str
        Source of the figures, written under the chart before the method note.
    lang : {"zh", "en"}
        Language of the labels.
    check : bool
        The scenario centres each indicator on its required path (``at_required_rate``): its
        probabilities are about 50 % by construction, so the bars are grey, not coloured like a
        forecast, and the legend says so.

    Returns
    -------
    Figure
        One bar per row with a finite ``p_attain``, top to bottom in table order.

    Raises
    ------
    ParameterError
        For missing columns or a ``p_attain`` outside [0, 1].
    """
    import numpy as np

    plt, lang = start(lang)
    frame = as_frame(table, "table", ("p_attain", "status"))
    p = 100 * fractions(frame["p_attain"], "table['p_attain']")
    n = len(frame)
    labels = row_labels(frame, lang, 30, True)
    fig, ax, _ = new_axes(plt, None, (7.5, rows_height(labels)))
    y = np.arange(n)
    ok = np.isfinite(p)

    colors = [probability_color(None if check else v / 100) for v in p]
    ax.barh(y[ok], p[ok], height=0.62, color=[c for c, k in zip(colors, ok) if k], edgecolor="0.45",
            linewidth=0.5, zorder=2)
    for yi, pi, status in zip(y, p, frame["status"]):
        grade = f"（{_grade(status, lang)}）" if lang == "zh" else f" ({_grade(status, lang)})"
        if not math.isfinite(pi):
            ax.text(1, yi, chart_words("na", lang) + grade, va="center", ha="left", fontsize=9, color="0.35")
        elif pi > 70:
            ax.text(pi - 1.5, yi, format_probability(pi / 100) + grade, va="center", ha="right", fontsize=9,
                    color="0.1" if check else probability_text_color(pi / 100))
        else:
            ax.text(pi + 1.5, yi, format_probability(pi / 100) + grade, va="center", ha="left", fontsize=9)
    ax.set_yticks(y, labels, fontsize=9, linespacing=1.3)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 100)
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(100))
    ax.set_xlabel(chart_words("p_axis", lang) + " [%]")
    ax.grid(True, axis="x", color="0.88", lw=0.6, zorder=0)
    ax.axvline(50, color="0.6", lw=0.8, ls=":", zorder=1)
    _probability_legend(fig, ax, lang, check)
    title_and_note(fig, ax, title if title is not None else chart_words("p_title", lang), "p_note", source_note, lang)
    return fig


def _probability_legend(fig: Figure, ax: Any, lang: Lang, check: bool) -> None:
    """The probability bands (or, for a check, what its grey bars mean) above the bars."""
    from matplotlib.transforms import blended_transform_factory

    if check:
        from matplotlib.patches import Patch

        handles = [Patch(facecolor=probability_color(None), edgecolor="0.45", linewidth=0.5,
                         label=chart_words("check legend", lang))]
    else:
        handles = probability_handles(lang)
    # Above the bars but starting at the figure's left edge, not the axes': long target names push
    # the axes right, and a legend starting there ran past the figure's edge.
    columns = 1 if check else 3 if lang == "zh" else 2  # English band names are twice as long
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 1.01),
              bbox_transform=blended_transform_factory(fig.transFigure, ax.transAxes), ncols=columns,
              frameon=False, fontsize=8.5, borderaxespad=0)


def progress_chart(
    table: pd.DataFrame, *, title: str | None = None, source_note: str = "", lang: Lang = "zh"
) -> Figure:
    """Progress ratio R of each target against the grade thresholds 0, 0.6 and 0.95.

    Parameters
    ----------
    table : DataFrame
        One row per target with ``progress_ratio`` (R = observed / required growth);
        ``status`` colours the bar when present (else the grade of R); labels as in
        :func:`probability_chart`. A NaN R is written "n/a" with no bar; values beyond the
        axis are clipped and their value written at the edge.
    title : str, optional
        Figure title; a default one when None.
    source_note : str
        Source of the figures, written under the chart before the grade note.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    Figure
        Shaded vertical bands for the four grades and one bar per finite R.

    Raises
    ------
    ParameterError
        For a missing ``progress_ratio`` column.
    """
    import numpy as np
    import pandas as pd

    plt, lang = start(lang)
    frame = as_frame(table, "table", ("progress_ratio",))
    r = pd.to_numeric(frame["progress_ratio"], errors="coerce").to_numpy(dtype=float)
    statuses = (frame["status"].astype(str).tolist() if "status" in frame.columns
                else [progress_status(v) for v in r])
    n = len(frame)
    finite = r[np.isfinite(r)]
    low = max(min(-0.3, finite.min() - 0.15) if finite.size else -0.3, -1.5)
    high = min(max(1.3, finite.max() + 0.25) if finite.size else 1.3, 2.0)
    labels = row_labels(frame, lang, 30, True)
    fig, ax, _ = new_axes(plt, None, (7.5, rows_height(labels)))
    edges = (low, *_GRADE_THRESHOLDS, high)
    grades = ("deterioration", "limited progress", "acceleration needed", "on track")
    for k, (a, b, grade) in enumerate(zip(edges[:-1], edges[1:], grades)):
        ax.axvspan(a, b, color="0.5", alpha=0.04 + 0.05 * k, lw=0, zorder=0)
        ax.text((a + b) / 2, -0.5, wrap(chart_words(grade, lang), 14), ha="center", va="bottom", fontsize=8,
                color="0.3", transform=ax.transData, clip_on=False)
    for x in _GRADE_THRESHOLDS:
        ax.axvline(x, color="0.55", lw=0.8, zorder=1)
    y = np.arange(n)
    ok = np.isfinite(r)
    shown = np.clip(r, low, high)
    ax.barh(y[ok], shown[ok], height=0.55, color="0.42", zorder=2)
    for yi, ri, si, status in zip(y, r, shown, statuses):
        if not math.isfinite(ri):  # no ratio: say why (the figure itself is shown elsewhere)
            ax.text(0.02, yi, chart_words(status, lang) if status in STATUSES else chart_words("na", lang), va="center",
                    ha="left", fontsize=9, color="0.35")
            continue
        inside = (si >= high - 0.3) if ri >= 0 else (si <= low + 0.3)
        if ri >= 0:
            x, ha = (si - 0.03, "right") if inside else (si + 0.03, "left")
        else:
            x, ha = (si + 0.03, "left") if inside else (si - 0.03, "right")
        clipped = not low <= ri <= high
        ax.text(x, yi, f"{ri:.2f}{' ›' if clipped and ri > 0 else ''}"
                if not (clipped and ri < 0) else f"‹ {ri:.2f}", va="center", ha=ha, fontsize=9,
                color="white" if inside else "black", zorder=3)
    ax.set_yticks(y, labels, fontsize=9, linespacing=1.3)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(low, high)
    extra = [v for v in np.arange(math.ceil(low * 2) / 2, high + 1e-9, 0.5)
             if min(abs(v - t) for t in _GRADE_THRESHOLDS) > 0.2]
    ax.set_xticks(sorted({*_GRADE_THRESHOLDS, *extra}))
    ax.xaxis.set_major_formatter(lambda v, _pos: format_short(v))
    ax.set_xlabel(chart_words("r_axis", lang))
    title_and_note(fig, ax, title if title is not None else chart_words("r_title", lang), "r_note", source_note, lang)
    return fig


def target_panel(evaluation: Any, indicator: str, indicators: pd.DataFrame, *, lang: Lang = "zh",
                 level: float = 80, quality: pd.DataFrame | None = None) -> Figure:
    """One target at a glance: fan chart, target, required path, probability and grade.

    Parameters
    ----------
    evaluation : TargetEvaluation
        From :func:`xmforecast.evaluate_targets` (with ``indicator`` among its targets).
    indicator : str
        Registry id.
    indicators : DataFrame
        The registry (names and unit).
    lang : {"zh", "en"}
    level : float
        Outer band of the fan [%].
    quality : DataFrame, optional
        ``year, quality, status`` of the indicator's observations, so that derived and
        grade-C points are hollow as in the reports; default: those of the shipped data.

    Returns
    -------
    Figure
        The fan chart titled with the probability of attainment and the progress grade;
        where nothing could be simulated, a figure saying why.
    """
    plt, lang = start(lang)
    reg = indicators.set_index("id")
    table = evaluation.table.set_index("indicator")
    if indicator not in table.index or indicator not in reg.index:
        raise ParameterError(f"`indicator` {indicator!r} is not among the evaluated targets.")
    row, rec = table.loc[indicator], reg.loc[indicator]
    status = chart_words(str(row["status"]), lang)
    sim = evaluation.simulations.get(indicator)
    if sim is None:
        fig, ax = plt.subplots(figsize=(8, 2), layout="constrained")
        ax.axis("off")
        ax.text(0.0, 0.5, f"{indicator_label(rec, lang)}\n{status}: {row.get('note', '')}", va="center", wrap=True)
        return fig
    if quality is None:
        from .data import load_observations

        shipped = load_observations(indicators=indicators)
        quality = shipped[shipped["indicator"] == indicator][["year", "quality", "status"]]
    from .targets import verdict

    title = f"{name_of(rec, lang)} · " + verdict(
        str(row["status"]), row["p_attain"], direction=str(rec.get("direction") or "increase"),
        note=str(row.get("note") or ""), lang=lang)
    return fan_chart(sim.history, sim.paths, target_value=float(row["target_level"]),
                     target_year=int(row["target_year"]), required_path=evaluation.required_paths.get(indicator),
                     title=title, unit=str(rec["unit"]), levels=(50, level), lang=lang, quality=quality)


def _grade(status: Any, lang: str) -> str:
    """The progress grade in the pages' words (a dash when there is none)."""
    return MISSING if is_missing(status) else grade_words(str(status), lang)
