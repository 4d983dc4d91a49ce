"""Charts of a run's overview: scenarios compared, sensitivity, published history, run by run.

Each takes its data as arguments (pandas objects) and returns a matplotlib
:class:`~matplotlib.figure.Figure`; see :mod:`xmforecast.plots` for the conventions.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

from .chart_parts import (as_frame, date_axis, empty_figure, fractions, new_axes, panels, probability_handles,
                          scenario_title, start, title_and_note, year_axis)
from .chart_text import chart_words, indicator_label, name_of, unit_words, wrap, year_label
from .exceptions import ParameterError
from .fonts import Lang
from .colours import probability_color, probability_colormap, probability_text_color
from .formatting import format_probability, format_short

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["comparison_chart", "sensitivity_chart", "history_chart", "probability_history_chart", "outcomes_chart"]


def comparison_chart(
    summary: pd.DataFrame, *, title: str | None = None, source_note: str = "", lang: Lang = "zh"
) -> Figure:
    """Heatmap of the probability of attainment, targets × scenarios, values in the cells.

    Parameters
    ----------
    summary : DataFrame
        Long table with ``indicator``, ``scenario`` and ``p_attain`` (a fraction in
        [0, 1]), one row per pair; names from ``name_zh`` / ``name_en`` / ``unit`` when
        present. Rows and columns keep their first-appearance order; NaN cells are grey
        and written "n/a".
    title : str, optional
        Figure title; a default one when None.
    source_note : str
        Source of the figures, written under the chart before the method note.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    Figure
        An image with one cell per target and scenario, and a colour bar [%].

    Raises
    ------
    ParameterError
        For missing columns, a repeated (indicator, scenario) pair or a ``p_attain``
        outside [0, 1].
    """
    import numpy as np

    plt, lang = start(lang)
    data = as_frame(summary, "summary", ("indicator", "scenario", "p_attain"))
    data, grid, indicators, scenarios = _probability_grid(data)
    names = data.drop_duplicates("indicator").set_index("indicator").loc[indicators]
    labels = [wrap(indicator_label(rec | {"indicator": ind}, lang), 30)
              for ind, rec in zip(indicators, names.to_dict("records"))]
    n_rows, n_cols = grid.shape
    longest = max((len(s) for s in scenarios), default=1)
    rotate = n_cols > 3 or longest > 12
    fig, ax, _ = new_axes(plt, None, (max(6.0, 3.2 + 1.15 * n_cols),
                                       1.9 + 0.5 * n_rows + (0.5 if rotate else 0)))

    from .targets import shown_probability

    cmap, norm = probability_colormap()
    shown = np.array([[shown_probability(v) if math.isfinite(v) else math.nan for v in row] for row in grid])
    # A scenario centred on each target's required path gives about 50 % by construction: grey, not a forecast.
    checks = {str(s) for s, v in zip(data["scenario"], data.get("at_required_rate", [False] * len(data)))
              if str(v).strip().lower() in ("true", "1", "1.0")}
    for j, scenario in enumerate(scenarios):
        if scenario in checks:
            shown[:, j] = math.nan
    image = ax.imshow(np.ma.masked_invalid(shown), cmap=cmap, norm=norm, aspect="auto")  # the colour of the number written
    _write_cells(ax, grid, shown, lang)
    titles = [scenario_title(data[data["scenario"].astype(str) == name], name) for name in scenarios]
    ax.set_xticks(range(n_cols), [wrap(t, 16) for t in titles], fontsize=9,
                  rotation=30 if rotate else 0, ha="right" if rotate else "center",
                  rotation_mode="anchor")
    ax.set_yticks(range(n_rows), labels, fontsize=9)
    ax.set_xlabel(chart_words("scenario", lang))
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    bar.set_ticks(list(norm.boundaries))
    bar.ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
    bar.set_label(chart_words("p_axis", lang) + " [%]", fontsize=8.5)
    title_and_note(fig, ax, title if title is not None else chart_words("c_title", lang), "c_note", source_note, lang)
    return fig


def _probability_grid(data: pd.DataFrame):
    """The probabilities as a grid targets × scenarios (first-appearance order), one row per pair."""
    dup = data.duplicated(["indicator", "scenario"])
    if dup.any():
        first = data.loc[dup, ["indicator", "scenario"]].iloc[0].tolist()
        raise ParameterError("`summary` must have one row per (indicator, scenario); "
                             f"got {first} more than once.")
    data = data.assign(p_attain=fractions(data["p_attain"], "summary['p_attain']"))
    indicators = list(dict.fromkeys(data["indicator"]))
    scenarios = list(dict.fromkeys(data["scenario"].astype(str)))
    grid = (data.assign(scenario=data["scenario"].astype(str))
            .pivot(index="indicator", columns="scenario", values="p_attain")
            .reindex(index=indicators, columns=scenarios).to_numpy(dtype=float))
    return data, grid, indicators, scenarios


def _write_cells(ax, grid, shown, lang: str) -> None:
    """Each cell's probability as written on the pages, in the colour that reads on its fill."""
    import numpy as np

    for (i, j), value in np.ndenumerate(grid):
        if math.isfinite(value):
            text = format_probability(value)
            color = probability_text_color(value if math.isfinite(shown[i, j]) else None)
        else:
            text, color = chart_words("na", lang), "0.3"
        ax.text(j, i, text, ha="center", va="center", fontsize=9, color=color)


def sensitivity_chart(
    frame: pd.DataFrame,
    *,
    parameter: str,
    title: str | None = None,
    source_note: str = "",
    lang: Lang = "zh",
    percent: bool = False,
) -> Figure:
    """Probability of attainment as one assumption varies, one line per indicator.

    Parameters
    ----------
    frame : DataFrame
        Columns ``value`` (the assumption) and ``p_attain`` (a fraction in [0, 1]);
        optionally ``indicator`` (one line each, named from ``name_zh`` / ``name_en``
        when present). NaN probabilities leave gaps.
    parameter : str
        The assumption's label for the x axis, with its unit (e.g. ``"re-certification
        rate [fraction]"``).
    title : str, optional
        Figure title; a default one naming `parameter` when None.
    source_note : str
        Source of the figures, written under the chart before the method note.
    lang : {"zh", "en"}
        Language of the labels.
    percent : bool
        The assumption is a fraction (a growth rate, a share): its axis reads in whole
        percentages, as the pages do.

    Returns
    -------
    Figure

    Raises
    ------
    ParameterError
        For missing columns, an empty `parameter` or a ``p_attain`` outside [0, 1].
    """
    import numpy as np
    import pandas as pd

    plt, lang = start(lang)
    if not isinstance(parameter, str) or not parameter.strip():
        raise ParameterError(f"`parameter` must be a non-empty string; got {parameter!r}.")
    data = as_frame(frame, "frame", ("value", "p_attain"))
    data = data.assign(value=pd.to_numeric(data["value"], errors="coerce"),
                       p_attain=100 * fractions(data["p_attain"], "frame['p_attain']"))
    if not np.isfinite(data["value"].to_numpy(dtype=float)).any():
        raise ParameterError("`frame['value']` must hold at least one number; got none.")
    fig, ax, _ = new_axes(plt, None, (7.5, 4.4))
    groups = data.groupby("indicator", sort=False) if "indicator" in data.columns else [(None, data)]
    markers = "osD^vP*X"
    for i, (ind, group) in enumerate(groups):
        group = group.sort_values("value")
        label = wrap(name_of(group.iloc[0].to_dict(), lang), 28) if ind is not None else None
        ax.plot(group["value"], group["p_attain"], marker=markers[i % len(markers)], ms=5,
                lw=1.6, label=label)
    from matplotlib.ticker import PercentFormatter

    ax.set_ylim(-2, 102)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.axhline(50, color="0.6", lw=0.8, ls=":")
    if percent:  # ticks on the values tried, in whole percentages (never 2.5 % written as 3 %)
        tried = sorted(set(data["value"].dropna().round(6)))
        if len(tried) <= 8:
            ax.set_xticks(tried)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(parameter)
    ax.set_ylabel(chart_words("p_axis", lang) + " [%]")
    ax.grid(True, color="0.9", lw=0.6)
    if "indicator" in data.columns:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    default = chart_words("s_title", lang).format(parameter=parameter)
    title_and_note(fig, ax, wrap(title if title is not None else default, 70), "s_note", source_note, lang)
    return fig


_GRADE_MARKERS = {"A": "o", "B": "s", "C": "^", "seed": "D"}


def history_chart(
    observations: pd.DataFrame,
    indicators: pd.DataFrame,
    ids: Sequence[str],
    *,
    title: str | None = None,
    source_note: str = "",
    lang: Lang = "zh",
) -> Figure:
    """Small multiples of the published history, marker by quality grade.

    Parameters
    ----------
    observations : DataFrame
        Long table with ``indicator``, ``year``, ``value`` and optionally ``quality``
        (A, B, C, seed, or other) and ``status`` (published / derived).
    indicators : DataFrame
        The registry: ``id`` (column or index), ``name_zh``, ``name_en``, ``unit``.
    ids : sequence of str
        Indicators to draw, one panel each, in this order.
    title : str, optional
        Figure title; a default one when None.
    source_note : str
        Source of the figures, written under the chart before the grade note.
    lang : {"zh", "en"}
        Language of the labels.

    Returns
    -------
    Figure
        One axes per id: a line through the values and a marker per observation
        (circle A, square B, triangle C, diamond seed, cross other; hollow if derived).

    Raises
    ------
    ParameterError
        For an empty `ids`, an id missing from `indicators`, or missing columns.
    """
    plt, lang = start(lang)
    if isinstance(ids, str):
        ids = [ids]
    ids = list(ids)
    if not ids:
        raise ParameterError("`ids` must name at least one indicator; got none.")
    obs = as_frame(observations, "observations", ("indicator", "year", "value"))
    registry = _registry_of(indicators, ids)
    n = len(ids)
    n_cols = 1 if n == 1 else (2 if n <= 4 else 3)
    n_rows = math.ceil(n / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.9 * n_cols + 0.4, 2.7 * n_rows + 1.2),
                             layout="constrained", squeeze=False)
    grades_seen: set[str] = set()
    derived_seen = False
    for ax, ind in zip(axes.flat, ids):
        seen = _history_panel(ax, registry.loc[ind].to_dict() | {"indicator": ind}, obs[obs["indicator"] == ind], lang)
        grades_seen |= seen[0]
        derived_seen |= seen[1]
    for ax in list(axes.flat)[n:]:
        ax.remove()
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], ls="none", marker=_GRADE_MARKERS.get(g, "X"), ms=6.5,
                      color="#1f5fa8", label=chart_words(f"grade {g}", lang))
               for g in (*_GRADE_MARKERS, "other") if g in grades_seen]
    if derived_seen:
        handles.append(Line2D([], [], ls="none", marker="o", ms=6.5, color="#1f5fa8",
                              mfc="white", mew=1.4, label=chart_words("derived", lang)))
    if handles:
        fig.legend(handles=handles, loc="outside right upper", ncols=1,
                   frameon=False, fontsize=8.5)
    title_and_note(fig, None, title if title is not None else chart_words("h_title", lang), "grades_note", source_note, lang)
    return fig


def _registry_of(indicators: pd.DataFrame, ids: list) -> pd.DataFrame:
    """The registry indexed by id; every id of `ids` must be in it."""
    import pandas as pd

    registry = indicators
    if not isinstance(registry, pd.DataFrame):
        raise ParameterError(f"`indicators` must be a DataFrame; got {type(registry).__name__}.")
    if "id" in registry.columns:
        registry = registry.set_index("id")
    unknown = [i for i in ids if i not in registry.index]
    if unknown:
        raise ParameterError(f"`ids` must be indicators of the registry; unknown: "
                             f"{', '.join(map(str, unknown))}. Known: "
                             f"{', '.join(map(str, registry.index))}.")
    return registry


def _history_panel(ax, rec: dict, sub: pd.DataFrame, lang: str) -> tuple[set[str], bool]:
    """One indicator's observations: a line through the best grade of each year, a marker per grade
    (hollow when derived); returns the grades drawn and whether a derived point was."""
    import numpy as np
    import pandas as pd

    rank = {"A": 0, "B": 1, "seed": 2, "C": 3}
    grades_seen: set[str] = set()
    derived_seen = False
    sub = sub.copy()
    sub["value"] = pd.to_numeric(sub["value"], errors="coerce")
    sub["year"] = pd.to_numeric(sub["year"], errors="coerce")
    sub = sub[np.isfinite(sub["value"]) & np.isfinite(sub["year"])]
    ax.set_title(wrap(indicator_label(rec, lang), 34), fontsize=9.5, loc="left")
    ax.grid(True, color="0.9", lw=0.6)
    if sub.empty:
        ax.text(0.5, 0.5, chart_words("no_data", lang), transform=ax.transAxes, ha="center",
                va="center", color="0.4")
        ax.set_xticks([])
        ax.set_yticks([])
        return set(), False
    grade = sub["quality"].astype(str) if "quality" in sub.columns else pd.Series(
        "other", index=sub.index)
    grade = grade.where(grade.isin(list(_GRADE_MARKERS)), "other")
    derived = (sub["status"].astype(str) == "derived") if "status" in sub.columns else (
        pd.Series(False, index=sub.index))
    sub = sub.assign(grade=grade, derived=derived, rank=grade.map(rank).fillna(4))
    line = sub.sort_values(["year", "rank"]).drop_duplicates("year")
    ax.plot(line["year"], line["value"], "-", color="#4a4a4a", lw=1.4, zorder=2)
    for (g, d), part in sub.groupby(["grade", "derived"]):
        grades_seen.add(g)
        derived_seen |= bool(d)
        ax.plot(part["year"], part["value"], ls="none",
                marker=_GRADE_MARKERS.get(g, "X"), ms=6.5, color="#1f5fa8",
                mfc="white" if d else "#1f5fa8", mew=1.4, zorder=3)
    year_axis(ax)
    if len(line) == 1:
        year = float(line["year"].iloc[0])
        ax.set_xlim(year - 1, year + 1)
    return grades_seen, derived_seen


def probability_history_chart(history: pd.DataFrame, *, title: str | None = None, source_note: str = "",
                              lang: Lang = "zh") -> Figure:
    """Each target's probability of attainment by run date, one panel per target.

    Parameters
    ----------
    history : DataFrame
        From :func:`xmforecast.history.probability_history`: ``run_date``, ``scenario``,
        ``indicator``, ``p_attain`` (a fraction) and names from ``name_zh`` / ``name_en``.
        Targets with no probability in any run are left out.
    title : str, optional
    source_note : str
    lang : {"zh", "en"}

    Returns
    -------
    Figure
        Points coloured by the probability scale of :mod:`xmforecast.colours`, one line
        style per scenario.
    """
    import pandas as pd


    plt, lang = start(lang)
    data = as_frame(history, "history", ("run_date", "scenario", "indicator", "p_attain"))
    data = data.assign(p_attain=fractions(data["p_attain"], "history['p_attain']"),
                       run_date=pd.to_datetime(data["run_date"]))
    data = data[data["p_attain"].notna()]
    indicators = list(dict.fromkeys(data["indicator"]))
    if not indicators:
        return empty_figure(plt, lang)
    fig, axes = panels(plt, len(indicators), 2.3)
    styles = ["-", "--", ":", "-."]
    scenarios = list(dict.fromkeys(data["scenario"].astype(str)))
    for ax, ind in zip(axes, indicators):
        rows = data[data["indicator"] == ind]
        for k, (scenario, group) in enumerate(rows.groupby(rows["scenario"].astype(str), sort=False)):
            group = group.sort_values("run_date")
            ax.plot(group["run_date"], 100 * group["p_attain"], ls=styles[scenarios.index(scenario) % 4],
                    color="0.45", lw=1.1, zorder=2, label=scenario_title(group, scenario) if ind == indicators[0] else None)
            ax.scatter(group["run_date"], 100 * group["p_attain"], s=36, zorder=3, edgecolors="0.25",
                       linewidths=0.6, c=[probability_color(v) for v in group["p_attain"]])
        ax.set_ylim(-4, 104)
        ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
        ax.axhline(50, color="0.7", lw=0.7, ls=":")
        ax.grid(True, color="0.92", lw=0.6)
        ax.set_title(wrap(name_of(rows.iloc[0].to_dict(), lang), 34), fontsize=9.5, loc="left")
        date_axis(ax, list(rows["run_date"]))
        ax.tick_params(labelsize=8)
    handles = [*axes[0].get_legend_handles_labels()[0], *probability_handles(lang)]
    # Beside the panels: above them the legend sat on the title, below them on the note.
    fig.legend(handles=handles, loc="outside right upper", ncols=1, frameon=False, fontsize=8)
    title_and_note(fig, None, title if title is not None else chart_words("ph_title", lang), "ph_note", source_note, lang)
    return fig


def outcomes_chart(outcomes: pd.DataFrame, *, title: str | None = None, source_note: str = "",
                   lang: Lang = "zh", units: dict | None = None) -> Figure:
    """What each run forecast for an observed year, against the actual, one panel per indicator and year.

    Parameters
    ----------
    outcomes : DataFrame
        From :func:`xmforecast.history.forecasts_against_outcomes`: ``run_date``,
        ``indicator``, ``year``, ``point``, ``lower``, ``upper``, ``actual``, ``inside``;
        names from ``name_zh`` / ``name_en`` when present.
    units : dict, optional
        Unit of each indicator, for the y axis.

    Returns
    -------
    Figure
    """
    import pandas as pd

    plt, lang = start(lang)
    data = as_frame(outcomes, "outcomes", ("run_date", "indicator", "year", "point", "lower", "upper", "actual"))
    data = data.assign(run_date=pd.to_datetime(data["run_date"]))
    keys = list(dict.fromkeys(zip(data["indicator"], data["year"])))
    if not keys:
        return empty_figure(plt, lang)
    fig, axes = panels(plt, len(keys), 2.5)
    for ax, (ind, year) in zip(axes, keys):
        rows = data[(data["indicator"] == ind) & (data["year"] == year)].sort_values("run_date")
        x = rows["run_date"]
        ax.vlines(x, rows["lower"], rows["upper"], color="0.35", lw=2.2, zorder=2)
        inside = rows["inside"].astype(bool) if "inside" in rows else pd.Series(True, index=rows.index)
        ax.scatter(x[inside], rows["point"][inside], s=30, color="0.15", zorder=3)
        ax.scatter(x[~inside], rows["point"][~inside], s=40, marker="x", color="0.15", zorder=3)
        actual = float(rows["actual"].iloc[-1])
        ax.axhline(actual, color="black", lw=1.1, ls="--", zorder=1)
        ax.annotate(f"{chart_words('actual', lang)}\n{format_short(actual)}", xy=(1.0, actual), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", fontsize=8, ha="left", va="center",
                    annotation_clip=False)
        ax.margins(x=0.12, y=0.12)
        ax.set_title(wrap(f"{name_of(rows.iloc[0].to_dict(), lang)}{year_label(year, lang)}", 34), fontsize=9.5,
                     loc="left")
        date_axis(ax, list(x))
        ax.grid(True, color="0.92", lw=0.6)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(lambda v, _pos: format_short(v))
        if units and units.get(ind):
            ax.set_ylabel(unit_words(units[ind], lang), fontsize=8)
    title_and_note(fig, None, title if title is not None else chart_words("o_title", lang), "o_note", source_note, lang)
    return fig
