"""Charts for analysts: history and fan charts, probability, progress, scenarios.

Every chart function takes pandas objects, returns a matplotlib
:class:`~matplotlib.figure.Figure`, writes its labels in Chinese (``lang="zh"``) or
English (``lang="en"``), states the units, and carries a note on the data's source
and quality grade (A official, B news, C mirror copy, seed = the plan document;
*derived* points are computed, not published).

Chinese text needs a CJK font. :func:`~xmforecast.fonts.setup_fonts` (defined in
:mod:`xmforecast.fonts`, re-exported here) registers the Noto Sans SC font shipped by
the ``pylopdf-fonts-zh-cn`` package (SIL Open Font License 1.1) with matplotlib, or a
CJK font already known to matplotlib; without one, charts asked for in Chinese fall
back to English labels with a warning.

matplotlib is imported inside the functions, never at module import. When no
backend has been chosen (a script, a scheduled run) the non-interactive Agg backend
is selected; a notebook's inline backend is left as it is.
"""
from __future__ import annotations

import math
import os
import re
import sys
import textwrap
import unicodedata
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .exceptions import ParameterError
from .fonts import Lang, _check_lang, _configure_fonts, _warn_no_cjk, setup_fonts
from .targets import _GRADE_WORDS as _STATUS_WORDS

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
]

#: Colour of each target status (the strings of ``table['status']``).
#: Resolution of every saved chart [dots per inch].
SAVE_DPI = 150

STATUS_COLORS = {
    "on track": "#1a9850",
    "acceleration needed": "#e6a100",
    "limited progress": "#f46d43",
    "deterioration": "#c2182b",
    "already met": "#3b6fb6",
    "met": "#3b6fb6",
    "missed": "#6b2c91",
    "insufficient data": "#9a9a9a",
}
_STATUS_ORDER = tuple(STATUS_COLORS)
_GRADE_THRESHOLDS = (0.0, 0.6, 0.95)

_TEXT = {
    **_STATUS_WORDS,  # the status words of the pages, so charts and pages say the same
    "year": ("年份", "Year"),
    "history": ("实际值", "Observed"),
    "hollow": ("空心：推算值或C级数据", "Hollow: derived or grade C"),
    "band": ("{level}% 区间", "{level} % band"),
    "median": ("模拟中位数", "Simulated median"),
    "forecast": ("预测", "Forecast"),
    "interval": ("预测区间", "Prediction interval"),
    "target": ("目标", "Target"),
    "required": ("达标所需路径", "Path required to reach the target"),
    "na": ("无估计", "no estimate"),
    "no_data": ("无观测数据", "no observations"),
    "p_axis": ("实现目标的概率", "Probability of attaining the target"),
    "p_title": ("各目标的实现概率", "Probability of attaining each target"),
    "r_axis": ("进展比 R = 实际增长 / 所需增长", "Progress ratio R = observed / required growth"),
    "r_title": ("以往增速与所需增速之比", "Past pace against the pace required"),
    "s_title": ("实现概率对假设的敏感性：{parameter}", "Sensitivity of the probability to {parameter}"),
    "c_title": ("各情景下的实现概率", "Probability of attainment by scenario"),
    "scenario": ("情景", "Scenario"),
    "h_title": ("已发布的历史数据", "Published history"),
    "grade A": ("A 官方统计", "A official"),
    "grade B": ("B 新闻报道", "B news"),
    "grade C": ("C 镜像转载", "C mirror copy"),
    "grade seed": ("seed 计划文本", "seed plan text"),
    "grade other": ("其他来源", "other source"),
    "derived": ("空心：推算值", "hollow: derived"),
    "grades_note": (
        "数据等级：A 官方统计，B 新闻报道，C 镜像转载，seed 计划文本；推算值非直接发布。",
        "Grades: A official statistics, B news, C mirror copy, seed = plan text; "
        "derived values are computed, not published.",
    ),
    "p_note": (
        "概率 = 模拟路径中在目标年份达到目标的比例；颜色表示概率（各页面、各图相同）；括号内为以往增速评级。",
        "Probability = share of simulated paths that reach the target in the target year; "
        "colour = probability (the same on every page and chart); in brackets: the past pace.",
    ),
    "r_note": (
        "以往增速评级：R ≥ 0.95 足够，0.6–0.95 略慢，0–0.6 远远不够，R < 0 背离目标（Eurostat / Open SDG）；只看过去，不是预测。",
        "Past pace: R ≥ 0.95 sufficient, 0.6–0.95 a little too slow, 0–0.6 far too slow, "
        "R < 0 moving away from the target (Eurostat / Open SDG); the past only, not a forecast.",
    ),
    "s_note": (
        "每个点用该假设值重新模拟；概率 = 达标路径所占比例。",
        "Each point re-runs the simulation with the assumption set to that value; "
        "probability = share of paths reaching the target.",
    ),
    "c_note": (
        "单元格：该情景下实现目标的概率 [%]；颜色表示概率（各页面、各图相同）；灰色为无估计。",
        "Cells: probability of attaining the target under each scenario [%]; colour = probability "
        "(the same on every page and chart); grey = no estimate.",
    ),
    "ph_title": ("历次运行的达标概率", "Probability of attainment, run by run"),
    "ph_axis": ("运行日期", "Run date"),
    "ph_note": (
        "每个点为一次运行给出的达标概率，颜色表示概率；线型区分情景。",
        "Each point is the probability one run gave; colour = probability; line style = scenario.",
    ),
    "o_title": ("预测与实际", "Forecasts against outcomes"),
    "o_note": (
        "竖线：各次运行的预测区间，圆点为中位数（实心：实际值落在区间内；叉：落在区间外）；虚线：实际值。",
        "Bars: each run's forecast interval, dot = median (filled: the actual fell inside; cross: outside); "
        "dashed line: the actual.",
    ),
    "actual": ("实际值", "Actual"),
    "growth": ("增长", "growth"),
}

#: English for the registry's Chinese units.
_UNIT_EN = {
    "亿元": "100 million yuan",
    "万元": "10,000 yuan",
    "元": "yuan",
    "家": "firms",
    "个": "units",
    "件": "items",
    "项": "projects",
    "人": "persons",
    "万人": "10,000 persons",
    "名": "persons",
    "件/万人": "per 10,000 residents",
    "万平方米": "10,000 m²",
    "平方米": "m²",
    "%": "%",
}


def _t(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


# --------------------------------------------------------------------------- setup


def _pyplot():
    """Import pyplot, selecting Agg only when no backend has been chosen."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        try:
            chosen = matplotlib.get_backend(auto_select=False)
        except TypeError:  # matplotlib < 3.10
            from matplotlib import rcsetup

            chosen = matplotlib.rcParams._get("backend")
            chosen = None if chosen is rcsetup._auto_backend_sentinel else chosen
        if chosen is None:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _start(lang: Any) -> tuple[Any, str]:
    """Check `lang`, set fonts and return (pyplot, language actually used).

    Called first by every chart function, so a missing CJK font is reported at the
    caller's line of the chart function.
    """
    _check_lang(lang)
    plt = _pyplot()
    if _configure_fonts(lang) is None:
        _warn_no_cjk(stacklevel=4)
        lang = "en"
    return plt, lang


# --------------------------------------------------------------------------- text


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _field(row: Any, key: str) -> Any:
    try:
        value = row[key]
    except (KeyError, IndexError, TypeError):
        value = getattr(row, key, None)
    return None if _missing(value) else value


def _unit(unit: Any, lang: str) -> str:
    if _missing(unit):
        return ""
    unit = str(unit)
    return unit if lang == "zh" else _UNIT_EN.get(unit, unit)


def _number(value: float) -> str:
    """Format a figure for a label: thousands separator, at most two decimals."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


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


def _wrap(text: str, width: int) -> str:
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
    name = _name(row, lang)
    unit = _field(row, "unit_en") if lang == "en" else None
    unit = str(unit) if unit is not None else _unit(_field(row, "unit"), lang)
    if not unit or (len(unit) > 2 and name.endswith(unit)):
        return name
    return f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})"


def _name(row: Any, lang: str) -> str:
    """Indicator name in `lang`, else the other language, else its id."""
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    for key in (first, second, "indicator", "id"):
        name = _field(row, key)
        if name is not None:
            return str(name)
    return ""


def _target_text(row: Any, lang: str) -> str:
    """``目标 ≥ 1,400 家（2017年）`` / ``Target ≥ 1,400 firms (2017)``; '' without a target."""
    value = _field(row, "target_value")
    if value is None:
        return ""
    sign = "≤" if _field(row, "direction") == "decrease" else "≥"
    if _field(row, "target_type") == "growth":
        what = f"{_t('growth', lang)} {sign} {_number(100 * float(value))}%"
    else:
        what = f"{sign} {_amount(float(value), _unit(_field(row, 'unit'), lang), lang)}"
    space = "" if lang == "zh" and not what.startswith(sign) else " "
    return f"{_t('target', lang)}{space}{what}{_year_text(_field(row, 'target_year'), lang)}"


def _amount(value: float, unit: str, lang: str) -> str:
    """``1,400家``, ``1,400 firms``, ``60 (100 million yuan)``."""
    if not unit:
        return _number(value)
    if lang == "zh":
        return f"{_number(value)}{unit}"
    return f"{_number(value)} ({unit})" if unit[0].isdigit() else f"{_number(value)} {unit}"


def _year_text(year: Any, lang: str) -> str:
    if year is None:
        return ""
    return f"（{int(year)}年）" if lang == "zh" else f" in {int(year)}"


def _title_and_note(fig: Figure, ax: Axes | None, title: str, note_key: str, source_note: str, lang: str) -> None:
    """The closing touches every chart on its own figure shares: a left-aligned title and the note."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    _add_note(fig, ax, _note(note_key, source_note, lang), True)


def _add_note(fig: Figure, ax: Axes | None, text: str, own_figure: bool) -> None:
    """Write the source / grade note under the chart, inside the layout."""
    if not text:
        return
    fontsize = 7.5
    if own_figure:
        width = fig.get_figwidth() * 72 * 0.96 / (0.55 * fontsize)
        fig.supxlabel(_wrap(text, int(width)), x=0.01, ha="left", fontsize=fontsize,
                      color="0.35")
    else:
        width = ax.get_position().width * fig.get_figwidth() * 72 / (0.55 * fontsize)
        ax.annotate(_wrap(text, max(int(width), 20)), xy=(0, 0),
                    xycoords=("axes fraction", ax.xaxis.label), xytext=(0, -4),
                    textcoords="offset points", ha="left", va="top", fontsize=fontsize,
                    color="0.35")


def _note(key: str, source_note: str, lang: str) -> str:
    parts = [p for p in (source_note, _t(key, lang)) if p]
    return " ".join(parts)


def _unit_label(ax: Axes, unit: str, lang: str) -> None:
    """Unit on the y axis: upright above the axis for Chinese, rotated alongside for English."""
    if lang == "zh" and unit:
        ax.set_ylabel(unit, rotation=0, ha="right", va="bottom", fontfamily=_family())
        ax.yaxis.set_label_coords(-0.01, 1.01)
    else:
        ax.set_ylabel(unit, fontfamily=_family())


def _family() -> list[str]:
    """The current ``font.family``, for texts of axes created before :func:`setup_fonts`."""
    import matplotlib

    return list(matplotlib.rcParams["font.family"])


def _year_axis(ax: Axes) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins="auto", steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(round(v))}"))


# --------------------------------------------------------------------------- inputs


def _as_frame(table: Any, name: str, required: Sequence[str]):
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise ParameterError(f"`{name}` must be a pandas DataFrame; got {type(table).__name__}.")
    frame = table
    if "indicator" not in frame.columns and frame.index.name in ("indicator", "id"):
        frame = frame.reset_index().rename(columns={"id": "indicator"})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"`{name}` must have columns {', '.join(required)}; missing {', '.join(missing)}."
        )
    return frame.reset_index(drop=True)


def _year_series(series: Any, name: str, *, allow_empty: bool = False):
    import numpy as np
    import pandas as pd

    if isinstance(series, dict):
        series = pd.Series(series, dtype=float)
    if not isinstance(series, pd.Series):
        raise ParameterError(f"`{name}` must be a pandas Series indexed by year; "
                             f"got {type(series).__name__}.")
    try:
        values = pd.to_numeric(series, errors="raise").astype(float)
        index = np.asarray(series.index, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"`{name}` must hold numbers on an integer year index; {exc}.") from None
    if np.any(np.isfinite(index) & (index != np.round(index))):
        raise ParameterError(f"`{name}` must be indexed by integer years; got {list(series.index)}.")
    out = pd.Series(values.to_numpy(), index=index.astype(int)).sort_index()
    out = out[np.isfinite(out.to_numpy())]
    if out.empty and not allow_empty:
        raise ParameterError(f"`{name}` must hold at least one finite value; got none.")
    return out


def _fraction(values: Any, name: str):
    import numpy as np
    import pandas as pd

    p = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = np.isfinite(p) & ((p < 0) | (p > 1 + 1e-9))
    if bad.any():
        raise ParameterError(f"`{name}` must be a probability in [0, 1] (a fraction); "
                             f"got {p[bad][0]!r}.")
    return p


def _row_labels(frame, lang: str, width: int, with_target: bool) -> list[str]:
    labels = []
    for rec in frame.to_dict("records"):
        target = _target_text(rec, lang) if with_target else ""
        if target:
            labels.append(f"{_wrap(_name(rec, lang), width)}\n{target}")
        else:
            labels.append(_wrap(indicator_label(rec, lang), width))
    return labels


def _rows_height(labels: Sequence[str]) -> float:
    """Figure height [in] giving each row room for its tallest label (9 pt, spacing 1.3)."""
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    return 1.7 + max(len(labels), 1) * max(0.62, 0.17 * lines + 0.14)


def _status_handles(statuses: Sequence[str], lang: str) -> list:
    from matplotlib.patches import Patch

    present = [s for s in _STATUS_ORDER if s in set(statuses)]
    return [Patch(color=STATUS_COLORS[s], label=_t(s, lang)) for s in present]


def _probability_handles(lang: str) -> list:
    """Legend entries of the probability colour scale (see :mod:`xmforecast.colours`)."""
    from matplotlib.patches import Patch

    from .colours import PROBABILITY_BANDS

    return [Patch(facecolor=b.color, edgecolor="0.45", linewidth=0.5,
                  label=f"{b.words(lang)} {100 * b.low:.0f}–{100 * b.high:.0f}%") for b in PROBABILITY_BANDS]


def _status_color(status: Any) -> str:
    return STATUS_COLORS.get(str(status), STATUS_COLORS["insufficient data"])


def _grade_status(ratio: float) -> str:
    if not math.isfinite(ratio):
        return "insufficient data"
    if ratio >= _GRADE_THRESHOLDS[2]:
        return "on track"
    if ratio >= _GRADE_THRESHOLDS[1]:
        return "acceleration needed"
    if ratio >= _GRADE_THRESHOLDS[0]:
        return "limited progress"
    return "deterioration"


def _hollow(years, quality) -> Any:
    """True for years whose point is derived or of grade C."""
    import numpy as np
    import pandas as pd

    mask = np.zeros(len(years), dtype=bool)
    if quality is None:
        return mask
    if isinstance(quality, pd.Series):
        frame = quality.to_frame("quality")
    elif isinstance(quality, pd.DataFrame):
        frame = quality
        if "year" in frame.columns:
            frame = frame.set_index("year")
    else:
        raise ParameterError("`quality` must be a Series year → grade or a DataFrame with "
                             f"quality and status columns; got {type(quality).__name__}.")
    frame = frame[~frame.index.duplicated(keep="last")]
    frame.index = frame.index.astype(int)
    for i, year in enumerate(years):
        if year not in frame.index:
            continue
        rec = frame.loc[year]
        flags = {str(rec.get(c, "")).strip() for c in ("quality", "status")}
        mask[i] = bool(flags & {"C", "derived"})
    return mask


def _new_axes(plt, ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax, True
    return ax.figure, ax, False


# --------------------------------------------------------------------------- charts


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
    import numpy as np

    plt, lang = _start(lang)
    hist = _year_series(history, "history")
    levels = sorted({float(level) for level in levels}, reverse=True)
    for level in levels:
        if not 0 < level < 100:
            raise ParameterError(f"`levels` must be percentages in (0, 100); got {level:g}.")
    fig, ax, own = _new_axes(plt, ax, (7.5, 4.4))
    last_year, last_value = int(hist.index[-1]), float(hist.iloc[-1])

    if paths is not None:
        import pandas as pd

        if not isinstance(paths, pd.DataFrame):
            raise ParameterError(f"`paths` must be a DataFrame years × paths; "
                                 f"got {type(paths).__name__}.")
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
                                label=_t("band", lang).format(level=_number(level)))
            median = np.nanpercentile(values, 50, axis=1)
        ax.plot(years, median, "--", color=cmap(0.85), lw=1.6, zorder=2, label=_t("median", lang))

    if forecast is not None:
        frame = _as_frame(forecast, "forecast", ("point", "lower", "upper"))
        years = np.asarray(forecast.index, dtype=int)
        point, lower, upper = (frame[c].to_numpy(dtype=float) for c in ("point", "lower", "upper"))
        color = "#d95f02"
        if paths is None:
            ax.fill_between(years, lower, upper, color=color, alpha=0.18, lw=0, zorder=1,
                            label=_t("interval", lang))
        else:
            ax.plot(years, lower, color=color, lw=0.8, ls=(0, (4, 2)), zorder=2)
            ax.plot(years, upper, color=color, lw=0.8, ls=(0, (4, 2)), zorder=2,
                    label=_t("interval", lang))
        ax.plot(np.concatenate([[last_year], years]), np.concatenate([[last_value], point]),
                color=color, lw=1.6, zorder=2, label=_t("forecast", lang))

    if required_path is not None:
        req = _year_series(required_path, "required_path", allow_empty=True)
        ax.plot(req.index, req.to_numpy(), ":", color="#555555", lw=1.8, zorder=3,
                label=_t("required", lang))

    hollow = _hollow(list(hist.index), quality)
    color = "#222222"
    ax.plot(hist.index, hist.to_numpy(), "-o", color=color, lw=1.8, ms=6, zorder=4,
            label=_t("history", lang))
    if hollow.any():
        ax.plot(hist.index[hollow], hist.to_numpy()[hollow], "o", ms=6, mfc="white", mec=color,
                mew=1.5, zorder=5, label=_t("hollow", lang))

    unit_text = _unit(unit, lang)
    if target_value is not None and math.isfinite(float(target_value)):
        target_color = "#c2182b"
        label = f"{_t('target', lang)} {_amount(float(target_value), unit_text, lang)}"
        label += _year_text(target_year, lang)
        ax.axhline(float(target_value), ls="--", lw=1.1, color=target_color, zorder=2)
        if target_year is not None:
            ax.plot([int(target_year)], [float(target_value)], marker="*", ms=15, ls="--",
                    lw=1.1, color=target_color, mec="white", mew=0.6, zorder=6, label=label)
        else:
            ax.plot([], [], ls="--", lw=1.1, color=target_color, label=label)
        left, right = ax.get_xlim()
        if target_year is not None and int(target_year) + 0.3 > right:
            ax.set_xlim(left, int(target_year) + 0.3)

    _year_axis(ax)
    ax.set_xlabel(_t("year", lang), fontfamily=_family())
    _unit_label(ax, unit_text, lang)
    if title:
        # In Chinese the unit stands upright above the axis; the title goes above it.
        pad = 18 if lang == "zh" and unit_text else 6
        ax.set_title(_wrap(title, 60), loc="left", fontfamily=_family(), pad=pad)
    ax.grid(True, color="0.9", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    _add_note(fig, ax, _note("grades_note", source_note, lang), own)
    return fig


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

    plt, lang = _start(lang)
    frame = _as_frame(table, "table", ("p_attain", "status"))
    p = 100 * _fraction(frame["p_attain"], "table['p_attain']")
    n = len(frame)
    labels = _row_labels(frame, lang, 30, True)
    fig, ax, _ = _new_axes(plt, None, (7.5, _rows_height(labels)))
    y = np.arange(n)
    ok = np.isfinite(p)
    from .colours import probability_color, probability_text_color
    from .formatting import format_probability
    from .phrases import status_label

    colors = [probability_color(None if check else v / 100) for v in p]
    ax.barh(y[ok], p[ok], height=0.62, color=[c for c, k in zip(colors, ok) if k], edgecolor="0.45",
            linewidth=0.5, zorder=2)
    for yi, pi, status in zip(y, p, frame["status"]):
        grade = f"（{status_label(status, lang)}）" if lang == "zh" else f" ({status_label(status, lang)})"
        if not math.isfinite(pi):
            ax.text(1, yi, _t("na", lang) + grade, va="center", ha="left", fontsize=9, color="0.35")
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
    ax.set_xlabel(_t("p_axis", lang) + " [%]")
    ax.grid(True, axis="x", color="0.88", lw=0.6, zorder=0)
    ax.axvline(50, color="0.6", lw=0.8, ls=":", zorder=1)
    if check:
        from matplotlib.patches import Patch

        words = ("检验而非预测:按所需路径推演,概率约 50 % 系设定所致" if lang == "zh"
                 else "a check, not a forecast: centred on the required path, about 50 % by construction")
        handles = [Patch(facecolor=probability_color(None), edgecolor="0.45", linewidth=0.5, label=words)]
    else:
        handles = _probability_handles(lang)
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncols=1 if check else 3,
              frameon=False, fontsize=8.5, borderaxespad=0)
    _title_and_note(fig, ax, title if title is not None else _t("p_title", lang), "p_note", source_note, lang)
    return fig


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

    plt, lang = _start(lang)
    frame = _as_frame(table, "table", ("progress_ratio",))
    r = pd.to_numeric(frame["progress_ratio"], errors="coerce").to_numpy(dtype=float)
    statuses = (frame["status"].astype(str).tolist() if "status" in frame.columns
                else [_grade_status(v) for v in r])
    n = len(frame)
    finite = r[np.isfinite(r)]
    low = max(min(-0.3, finite.min() - 0.15) if finite.size else -0.3, -1.5)
    high = min(max(1.3, finite.max() + 0.25) if finite.size else 1.3, 2.0)
    labels = _row_labels(frame, lang, 30, True)
    fig, ax, _ = _new_axes(plt, None, (7.5, _rows_height(labels)))
    edges = (low, *_GRADE_THRESHOLDS, high)
    grades = ("deterioration", "limited progress", "acceleration needed", "on track")
    for k, (a, b, grade) in enumerate(zip(edges[:-1], edges[1:], grades)):
        ax.axvspan(a, b, color="0.5", alpha=0.04 + 0.05 * k, lw=0, zorder=0)
        ax.text((a + b) / 2, -0.5, _wrap(_t(grade, lang), 14), ha="center", va="bottom", fontsize=8,
                color="0.3", transform=ax.transData, clip_on=False)
    for x in _GRADE_THRESHOLDS:
        ax.axvline(x, color="0.55", lw=0.8, zorder=1)
    y = np.arange(n)
    ok = np.isfinite(r)
    shown = np.clip(r, low, high)
    ax.barh(y[ok], shown[ok], height=0.55, color="0.42", zorder=2)
    for yi, ri, si, status in zip(y, r, shown, statuses):
        if not math.isfinite(ri):  # no ratio: say why (the figure itself is shown elsewhere)
            ax.text(0.02, yi, _t(status, lang) if status in _STATUS_WORDS else _t("na", lang), va="center",
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
    ax.xaxis.set_major_formatter(lambda v, _pos: _number(v))
    ax.set_xlabel(_t("r_axis", lang))
    _title_and_note(fig, ax, title if title is not None else _t("r_title", lang), "r_note", source_note, lang)
    return fig


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

    plt, lang = _start(lang)
    if not isinstance(parameter, str) or not parameter.strip():
        raise ParameterError(f"`parameter` must be a non-empty string; got {parameter!r}.")
    data = _as_frame(frame, "frame", ("value", "p_attain"))
    data = data.assign(value=pd.to_numeric(data["value"], errors="coerce"),
                       p_attain=100 * _fraction(data["p_attain"], "frame['p_attain']"))
    if not np.isfinite(data["value"].to_numpy(dtype=float)).any():
        raise ParameterError("`frame['value']` must hold at least one number; got none.")
    fig, ax, _ = _new_axes(plt, None, (7.5, 4.4))
    groups = data.groupby("indicator", sort=False) if "indicator" in data.columns else [(None, data)]
    markers = "osD^vP*X"
    for i, (ind, group) in enumerate(groups):
        group = group.sort_values("value")
        label = _wrap(_name(group.iloc[0].to_dict(), lang), 28) if ind is not None else None
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
    ax.set_ylabel(_t("p_axis", lang) + " [%]")
    ax.grid(True, color="0.9", lw=0.6)
    if "indicator" in data.columns:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    default = _t("s_title", lang).format(parameter=parameter)
    _title_and_note(fig, ax, _wrap(title if title is not None else default, 70), "s_note", source_note, lang)
    return fig


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

    plt, lang = _start(lang)
    data = _as_frame(summary, "summary", ("indicator", "scenario", "p_attain"))
    dup = data.duplicated(["indicator", "scenario"])
    if dup.any():
        first = data.loc[dup, ["indicator", "scenario"]].iloc[0].tolist()
        raise ParameterError("`summary` must have one row per (indicator, scenario); "
                             f"got {first} more than once.")
    p = _fraction(data["p_attain"], "summary['p_attain']")
    data = data.assign(p_attain=p)
    indicators = list(dict.fromkeys(data["indicator"]))
    scenarios = list(dict.fromkeys(data["scenario"].astype(str)))
    grid = (data.assign(scenario=data["scenario"].astype(str))
            .pivot(index="indicator", columns="scenario", values="p_attain")
            .reindex(index=indicators, columns=scenarios).to_numpy(dtype=float))
    names = data.drop_duplicates("indicator").set_index("indicator").loc[indicators]
    labels = [_wrap(indicator_label(rec | {"indicator": ind}, lang), 30)
              for ind, rec in zip(indicators, names.to_dict("records"))]
    n_rows, n_cols = grid.shape
    longest = max((len(s) for s in scenarios), default=1)
    rotate = n_cols > 3 or longest > 12
    fig, ax, _ = _new_axes(plt, None, (max(6.0, 3.2 + 1.15 * n_cols),
                                       1.9 + 0.5 * n_rows + (0.5 if rotate else 0)))
    from .colours import probability_colormap, probability_text_color
    from .formatting import format_probability

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
    for (i, j), value in np.ndenumerate(grid):
        if math.isfinite(value):
            text = format_probability(value)
            color = probability_text_color(value if math.isfinite(shown[i, j]) else None)
        else:
            text, color = _t("na", lang), "0.3"
        ax.text(j, i, text, ha="center", va="center", fontsize=9, color=color)
    titles = [_scenario_title(data[data["scenario"].astype(str) == name], name) for name in scenarios]
    ax.set_xticks(range(n_cols), [_wrap(t, 16) for t in titles], fontsize=9,
                  rotation=30 if rotate else 0, ha="right" if rotate else "center",
                  rotation_mode="anchor")
    ax.set_yticks(range(n_rows), labels, fontsize=9)
    ax.set_xlabel(_t("scenario", lang))
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02)
    bar.set_ticks(list(norm.boundaries))
    bar.ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
    bar.set_label(_t("p_axis", lang) + " [%]", fontsize=8.5)
    _title_and_note(fig, ax, title if title is not None else _t("c_title", lang), "c_note", source_note, lang)
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
    import numpy as np
    import pandas as pd

    plt, lang = _start(lang)
    if isinstance(ids, str):
        ids = [ids]
    ids = list(ids)
    if not ids:
        raise ParameterError("`ids` must name at least one indicator; got none.")
    obs = _as_frame(observations, "observations", ("indicator", "year", "value"))
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
    n = len(ids)
    n_cols = 1 if n == 1 else (2 if n <= 4 else 3)
    n_rows = math.ceil(n / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(3.9 * n_cols + 0.4, 2.7 * n_rows + 1.2),
                             layout="constrained", squeeze=False)
    grades_seen: set[str] = set()
    derived_seen = False
    rank = {"A": 0, "B": 1, "seed": 2, "C": 3}
    for ax, ind in zip(axes.flat, ids):
        rec = registry.loc[ind].to_dict() | {"indicator": ind}
        sub = obs[obs["indicator"] == ind].copy()
        sub["value"] = pd.to_numeric(sub["value"], errors="coerce")
        sub["year"] = pd.to_numeric(sub["year"], errors="coerce")
        sub = sub[np.isfinite(sub["value"]) & np.isfinite(sub["year"])]
        ax.set_title(_wrap(indicator_label(rec, lang), 34), fontsize=9.5, loc="left")
        ax.grid(True, color="0.9", lw=0.6)
        if sub.empty:
            ax.text(0.5, 0.5, _t("no_data", lang), transform=ax.transAxes, ha="center",
                    va="center", color="0.4")
            ax.set_xticks([])
            ax.set_yticks([])
            continue
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
        _year_axis(ax)
        if len(line) == 1:
            year = float(line["year"].iloc[0])
            ax.set_xlim(year - 1, year + 1)
    for ax in list(axes.flat)[n:]:
        ax.remove()
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], ls="none", marker=_GRADE_MARKERS.get(g, "X"), ms=6.5,
                      color="#1f5fa8", label=_t(f"grade {g}", lang))
               for g in (*_GRADE_MARKERS, "other") if g in grades_seen]
    if derived_seen:
        handles.append(Line2D([], [], ls="none", marker="o", ms=6.5, color="#1f5fa8",
                              mfc="white", mew=1.4, label=_t("derived", lang)))
    if handles:
        fig.legend(handles=handles, loc="outside right upper", ncols=1,
                   frameon=False, fontsize=8.5)
    _title_and_note(fig, None, title if title is not None else _t("h_title", lang), "grades_note", source_note, lang)
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
    plt, lang = _start(lang)
    reg = indicators.set_index("id")
    table = evaluation.table.set_index("indicator")
    if indicator not in table.index or indicator not in reg.index:
        raise ParameterError(f"`indicator` {indicator!r} is not among the evaluated targets.")
    row, rec = table.loc[indicator], reg.loc[indicator]
    status = _t(str(row["status"]), lang)
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

    title = f"{_name(rec, lang)} · " + verdict(
        str(row["status"]), row["p_attain"], direction=str(rec.get("direction") or "increase"),
        note=str(row.get("note") or ""), lang=lang)
    return fan_chart(sim.history, sim.paths, target_value=float(row["target_level"]),
                     target_year=int(row["target_year"]), required_path=evaluation.required_paths.get(indicator),
                     title=title, unit=str(rec["unit"]), levels=(50, level), lang=lang, quality=quality)


def save_figure(fig: Figure, path: str | os.PathLike[str]) -> Path:
    """Write a figure at 150 dpi, creating parent folders; cropped to what it draws unless laid out by constrained layout.

    Parameters
    ----------
    fig : Figure
        The chart.
    path : str or path-like
        Output file; its suffix picks the format (PNG when it has none).

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ParameterError
        If `fig` is not a matplotlib Figure.
    """
    from matplotlib.figure import Figure as _Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if not isinstance(fig, _Figure):
        raise ParameterError(f"`fig` must be a matplotlib Figure; got {type(fig).__name__}.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Constrained layout keeps every artist of the charts here inside the figure (a test checks
    # each kind), so cropping to a "tight" box would only cost a second full draw; any other
    # figure is still cropped to what it draws.
    tight = None if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine) else "tight"
    fig.savefig(path, dpi=SAVE_DPI, bbox_inches=tight, format=path.suffix[1:].lower() or "png")
    return path


def publish(fig: Figure, path: str | os.PathLike[str]):
    """Save a chart as a PNG (:func:`save_figure`), close it, and return that PNG for display.

    A notebook cell that ends with ``plots.publish(fig, out / "x.png")`` shows the file just
    published, at the size of a 100 dpi figure, instead of drawing the figure a second time
    for matplotlib's inline display: one rendering per chart, and the page shows exactly
    the picture saved beside it.

    Parameters
    ----------
    fig : Figure
        The chart; closed on return.
    path : str or path-like
        Output file, ``.png``.

    Returns
    -------
    IPython.display.Image
        The saved picture.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image
    from matplotlib.figure import Figure as _Figure
    from PIL import Image as Picture

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ParameterError(f"`path` must name a .png file; got {path.name!r}.")
    try:
        save_figure(fig, path)
    finally:
        if isinstance(fig, _Figure):
            plt.close(fig)
    with Picture.open(path) as picture:
        width = picture.width
    return Image(filename=str(path), width=round(width * 100 / SAVE_DPI))


def _panels(plt, n: int, height: float):
    cols = min(n, 2)
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols + 0.6, height * rows + 0.9), layout="constrained",
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _date_axis(ax: Axes, dates) -> None:
    """Run dates as whole dates (``2026-12-04``): the first and last run's, and one between.

    Runs hours apart (or a single run) get an axis some days wide, never ticks of hours.
    """
    import matplotlib.dates as mdates
    import pandas as pd

    first_day, last_day = pd.Timestamp(min(dates)).normalize(), pd.Timestamp(max(dates)).normalize()
    ticks = [first_day, last_day]
    if last_day - first_day >= _timedelta(20):
        ticks.insert(1, (first_day + (last_day - first_day) / 2).normalize())
    ax.set_xticks(list(dict.fromkeys(ticks)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    first, last = min(dates), max(dates)
    if last - first < _timedelta(2):
        ax.set_xlim(first - _timedelta(15), last + _timedelta(15))
    else:
        pad = (last - first) * 0.08
        ax.set_xlim(first - pad, last + pad)


def _timedelta(days: int):
    import pandas as pd

    return pd.Timedelta(days=days)


def _empty_figure(plt: Any, lang: Lang) -> Figure:
    """A short figure that says there is nothing to draw yet."""
    fig, ax = plt.subplots(figsize=(7.5, 1.6), layout="constrained")
    ax.axis("off")
    ax.text(0, 0.5, _t("na", lang), va="center")
    return fig


def _scenario_title(rows, scenario: str) -> str:
    """A scenario's title where the rows carry one, else its name."""
    titles = rows["title"].dropna().astype(str) if "title" in rows else []
    return titles.iloc[0] if len(titles) else scenario


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

    from .colours import probability_color

    plt, lang = _start(lang)
    data = _as_frame(history, "history", ("run_date", "scenario", "indicator", "p_attain"))
    data = data.assign(p_attain=_fraction(data["p_attain"], "history['p_attain']"),
                       run_date=pd.to_datetime(data["run_date"]))
    data = data[data["p_attain"].notna()]
    indicators = list(dict.fromkeys(data["indicator"]))
    if not indicators:
        return _empty_figure(plt, lang)
    fig, axes = _panels(plt, len(indicators), 2.3)
    styles = ["-", "--", ":", "-."]
    scenarios = list(dict.fromkeys(data["scenario"].astype(str)))
    for ax, ind in zip(axes, indicators):
        rows = data[data["indicator"] == ind]
        for k, (scenario, group) in enumerate(rows.groupby(rows["scenario"].astype(str), sort=False)):
            group = group.sort_values("run_date")
            ax.plot(group["run_date"], 100 * group["p_attain"], ls=styles[scenarios.index(scenario) % 4],
                    color="0.45", lw=1.1, zorder=2, label=_scenario_title(group, scenario) if ind == indicators[0] else None)
            ax.scatter(group["run_date"], 100 * group["p_attain"], s=36, zorder=3, edgecolors="0.25",
                       linewidths=0.6, c=[probability_color(v) for v in group["p_attain"]])
        ax.set_ylim(-4, 104)
        ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
        ax.axhline(50, color="0.7", lw=0.7, ls=":")
        ax.grid(True, color="0.92", lw=0.6)
        ax.set_title(_wrap(_name(rows.iloc[0].to_dict(), lang), 34), fontsize=9.5, loc="left")
        _date_axis(ax, list(rows["run_date"]))
        ax.tick_params(labelsize=8)
    handles = [*axes[0].get_legend_handles_labels()[0], *_probability_handles(lang)]
    # Beside the panels: above them the legend sat on the title, below them on the note.
    fig.legend(handles=handles, loc="outside right upper", ncols=1, frameon=False, fontsize=8)
    _title_and_note(fig, None, title if title is not None else _t("ph_title", lang), "ph_note", source_note, lang)
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

    plt, lang = _start(lang)
    data = _as_frame(outcomes, "outcomes", ("run_date", "indicator", "year", "point", "lower", "upper", "actual"))
    data = data.assign(run_date=pd.to_datetime(data["run_date"]))
    keys = list(dict.fromkeys(zip(data["indicator"], data["year"])))
    if not keys:
        return _empty_figure(plt, lang)
    fig, axes = _panels(plt, len(keys), 2.5)
    for ax, (ind, year) in zip(axes, keys):
        rows = data[(data["indicator"] == ind) & (data["year"] == year)].sort_values("run_date")
        x = rows["run_date"]
        ax.vlines(x, rows["lower"], rows["upper"], color="0.35", lw=2.2, zorder=2)
        inside = rows["inside"].astype(bool) if "inside" in rows else pd.Series(True, index=rows.index)
        ax.scatter(x[inside], rows["point"][inside], s=30, color="0.15", zorder=3)
        ax.scatter(x[~inside], rows["point"][~inside], s=40, marker="x", color="0.15", zorder=3)
        actual = float(rows["actual"].iloc[-1])
        ax.axhline(actual, color="black", lw=1.1, ls="--", zorder=1)
        ax.annotate(f"{_t('actual', lang)}\n{_number(actual)}", xy=(1.0, actual), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", fontsize=8, ha="left", va="center",
                    annotation_clip=False)
        ax.margins(x=0.12, y=0.12)
        ax.set_title(_wrap(f"{_name(rows.iloc[0].to_dict(), lang)}{_year_text(year, lang)}", 34), fontsize=9.5,
                     loc="left")
        _date_axis(ax, list(x))
        ax.grid(True, color="0.92", lw=0.6)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(lambda v, _pos: _number(v))
        if units and units.get(ind):
            ax.set_ylabel(_unit(units[ind], lang), fontsize=8)
    _title_and_note(fig, None, title if title is not None else _t("o_title", lang), "o_note", source_note, lang)
    return fig
