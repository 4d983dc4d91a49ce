"""What every chart shares: pyplot and fonts, input checks, axes, notes, legends, saving.

matplotlib is imported inside the functions, never at module import. When no backend has
been chosen (a script, a scheduled run) the non-interactive Agg backend is selected; a
notebook's inline backend is left as it is.
"""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from .chart_text import chart_words, note_text, wrap
from .colours import PROBABILITY_BANDS, STATUS_COLORS, STATUS_ORDER
from .exceptions import ParameterError
from .fonts import Lang, _check_lang, _configure_fonts, _warn_no_cjk

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["SAVE_DPI", "save_figure", "publish"]


#: Colour of each target status (the strings of ``table['status']``).
#: Resolution of every saved chart [dots per inch].
SAVE_DPI = 150


def pyplot():
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


def start(lang: Any) -> tuple[Any, str]:
    """Check `lang`, set fonts and return (pyplot, language actually used).

    Called first by every chart function, so a missing CJK font is reported at the
    caller's line of the chart function.
    """
    _check_lang(lang)
    plt = pyplot()
    if _configure_fonts(lang) is None:
        _warn_no_cjk(stacklevel=4)
        lang = "en"
    return plt, lang


def title_and_note(fig: Figure, ax: Axes | None, title: str, note_key: str, source_note: str, lang: str) -> None:
    """The closing touches every chart on its own figure shares: a left-aligned title and the note."""
    fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    add_note(fig, ax, note_text(note_key, source_note, lang), True)


def add_note(fig: Figure, ax: Axes | None, text: str, own_figure: bool) -> None:
    """Write the source / grade note under the chart, inside the layout."""
    if not text:
        return
    fontsize = 7.5
    if own_figure:
        width = fig.get_figwidth() * 72 * 0.96 / (0.55 * fontsize)
        fig.supxlabel(wrap(text, int(width)), x=0.01, ha="left", fontsize=fontsize,
                      color="0.35")
    else:
        width = ax.get_position().width * fig.get_figwidth() * 72 / (0.55 * fontsize)
        ax.annotate(wrap(text, max(int(width), 20)), xy=(0, 0),
                    xycoords=("axes fraction", ax.xaxis.label), xytext=(0, -4),
                    textcoords="offset points", ha="left", va="top", fontsize=fontsize,
                    color="0.35")


def unit_axis_label(ax: Axes, unit: str, lang: str) -> None:
    """Unit on the y axis: upright above the axis for Chinese, rotated alongside for English."""
    if lang == "zh" and unit:
        ax.set_ylabel(unit, rotation=0, ha="right", va="bottom", fontfamily=font_family())
        ax.yaxis.set_label_coords(-0.01, 1.01)
    else:
        ax.set_ylabel(unit, fontfamily=font_family())


def font_family() -> list[str]:
    """The current ``font.family``, for texts of axes created before :func:`setup_fonts`."""
    import matplotlib

    return list(matplotlib.rcParams["font.family"])


def year_axis(ax: Axes) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins="auto", steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(round(v))}"))


def as_frame(table: Any, name: str, required: Sequence[str]):
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


def year_series(series: Any, name: str, *, allow_empty: bool = False):
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


def fractions(values: Any, name: str):
    import numpy as np
    import pandas as pd

    p = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = np.isfinite(p) & ((p < 0) | (p > 1 + 1e-9))
    if bad.any():
        raise ParameterError(f"`{name}` must be a probability in [0, 1] (a fraction); "
                             f"got {p[bad][0]!r}.")
    return p


def status_handles(statuses: Sequence[str], lang: str) -> list:
    from matplotlib.patches import Patch

    present = [s for s in STATUS_ORDER if s in set(statuses)]
    return [Patch(color=STATUS_COLORS[s], label=chart_words(s, lang)) for s in present]


def probability_handles(lang: str) -> list:
    """Legend entries of the probability colour scale (see :mod:`xmforecast.colours`)."""
    from matplotlib.patches import Patch

    return [Patch(facecolor=b.color, edgecolor="0.45", linewidth=0.5,
                  label=f"{b.words(lang)} {100 * b.low:.0f}–{100 * b.high:.0f}%") for b in PROBABILITY_BANDS]


def status_color(status: Any) -> str:
    return STATUS_COLORS.get(str(status), STATUS_COLORS["insufficient data"])


def hollow_points(years, quality) -> Any:
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


def new_axes(plt, ax, figsize):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax, True
    return ax.figure, ax, False


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
    fmt = path.suffix[1:].lower() or "png"
    # zlib level 3 writes these charts (mostly flat colour) a little smaller than PIL's default
    # level 6, in about half the time.
    encoding = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
    engine = fig.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine):
        fig.savefig(path, dpi=SAVE_DPI, bbox_inches="tight", format=fmt, **encoding)
        return path
    # Constrained layout keeps every artist of the charts here inside the figure (a test checks
    # each kind), so no crop to a "tight" box is needed. savefig would lay the figure out in a
    # draw of its own before the draw that renders it; laid out here, at the saving resolution,
    # and saved without an engine, the figure is drawn once.
    dpi = fig.dpi
    fig.set_dpi(SAVE_DPI)
    try:
        engine.execute(fig)
        fig.set_layout_engine(None)
        fig.savefig(path, dpi=SAVE_DPI, format=fmt, **encoding)
    finally:
        fig.set_layout_engine(engine)
        fig.set_dpi(dpi)
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


def panels(plt, n: int, height: float):
    cols = min(n, 2)
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols + 0.6, height * rows + 0.9), layout="constrained",
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def date_axis(ax: Axes, dates) -> None:
    """Run dates as whole dates (``2026-12-04``): the first and last run's, and one between.

    Runs hours apart (or a single run) get an axis some days wide, never ticks of hours.
    """
    import matplotlib.dates as mdates
    import pandas as pd

    first_day, last_day = pd.Timestamp(min(dates)).normalize(), pd.Timestamp(max(dates)).normalize()
    ticks = [first_day, last_day]
    if last_day - first_day >= day_span(20):
        ticks.insert(1, (first_day + (last_day - first_day) / 2).normalize())
    ax.set_xticks(list(dict.fromkeys(ticks)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    first, last = min(dates), max(dates)
    if last - first < day_span(2):
        ax.set_xlim(first - day_span(15), last + day_span(15))
    else:
        pad = (last - first) * 0.08
        ax.set_xlim(first - pad, last + pad)


def day_span(days: int):
    import pandas as pd

    return pd.Timedelta(days=days)


def empty_figure(plt: Any, lang: Lang) -> Figure:
    """A short figure that says there is nothing to draw yet."""
    fig, ax = plt.subplots(figsize=(7.5, 1.6), layout="constrained")
    ax.axis("off")
    ax.text(0, 0.5, chart_words("na", lang), va="center")
    return fig


def scenario_title(rows, scenario: str) -> str:
    """A scenario's title where the rows carry one, else its name."""
    titles = rows["title"].dropna().astype(str) if "title" in rows else []
    return titles.iloc[0] if len(titles) else scenario
