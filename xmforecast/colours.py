"""The one probability colour scale of every page and chart.

Five bands with the words of the IPCC's calibrated language: very unlikely < 10 % ≤
unlikely < 33 % ≤ about as likely as not < 66 % ≤ likely < 90 % ≤ very likely (red
unlikely, blue likely); a missing probability is light grey. The trend grade is a column
of words, never a colour of a probability.

References
----------
Mastrandrea, M. D. et al. (2010), *Guidance Note for Lead Authors of the IPCC Fifth
Assessment Report on Consistent Treatment of Uncertainties*, IPCC, table 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .formatting import Lang, to_float
from .words import say

__all__ = [
    "Band",
    "PROBABILITY_BANDS",
    "NO_PROBABILITY",
    "probability_band",
    "probability_color",
    "probability_text_color",
    "probability_colormap",
    "STATUS_COLORS",
]


@dataclass(frozen=True)
class Band:
    """One band of the probability scale.

    Attributes
    ----------
    low, high : float
        The band holds probabilities ``low <= p < high`` [fraction] (the last one includes 1).
    key : str
        English words of the band.
    zh : str
        Chinese words of the band.
    color, text_color : str
        Fill colour, and the colour of text written on it.
    """

    low: float
    high: float
    key: str
    zh: str
    color: str
    text_color: str

    def words(self, lang: Lang = "en") -> str:
        """The band's words in `lang`."""
        return self.zh if lang == "zh" else self.key


#: The one probability scale of every page and chart (red unlikely, blue likely).
def _bands() -> tuple[Band, ...]:
    from .targets import LIKELIHOOD

    colors = (("#b2182b", "#ffffff"), ("#ef8a62", "#111111"), ("#f7dc8c", "#111111"), ("#74add1", "#111111"),
              ("#2c5f9e", "#ffffff"))
    highs = [low for low, _ in LIKELIHOOD[1:]] + [1.0]
    return tuple(Band(low, high, en, say(f"likelihood {en}", "zh"), *color)
                 for (low, en), high, color in zip(LIKELIHOOD, highs, colors))


PROBABILITY_BANDS = _bands()


NO_PROBABILITY = "#e6e6e6"


def probability_band(p: Any) -> Band | None:
    """The band of the probability scale that holds `p` [fraction]; None when missing.

    Examples
    --------
    >>> probability_band(0.84).key, probability_band(0.21).color
    ('likely', '#ef8a62')
    """
    from .targets import shown_probability

    number = to_float(p)
    if number is None:
        return None
    number = shown_probability(number)  # the band of the number written: "90 %" is very likely
    for band in PROBABILITY_BANDS:
        if number < band.high:
            return band
    return PROBABILITY_BANDS[-1]


def probability_color(p: Any) -> str:
    """Fill colour of a probability (light grey when missing)."""
    band = probability_band(p)
    return NO_PROBABILITY if band is None else band.color


def probability_text_color(p: Any) -> str:
    """Colour of text written on :func:`probability_color`."""
    band = probability_band(p)
    return "#333333" if band is None else band.text_color


def probability_colormap():
    """The scale for matplotlib: ``(cmap, norm)``, missing values light grey.

    Returns
    -------
    tuple
        A :class:`~matplotlib.colors.ListedColormap` and its
        :class:`~matplotlib.colors.BoundaryNorm` over [0, 1].
    """
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap([b.color for b in PROBABILITY_BANDS]).with_extremes(bad=NO_PROBABILITY)
    bounds = [PROBABILITY_BANDS[0].low, *(b.high for b in PROBABILITY_BANDS)]
    return cmap, BoundaryNorm(bounds, cmap.N)


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
STATUS_ORDER = tuple(STATUS_COLORS)
