"""One catalog of words, Chinese and English, behind one lookup.

Every sentence a page, table or chart writes is a message id in ``templates/words.yaml``
with its ``zh`` and ``en`` text; :func:`say` returns it in a language, with its
placeholders (``{year}``, ``{n_paths}``, ...) filled from the plan and the scenario, never
written into the message. Templates call the same lookup as ``_(message_id, year=...)``.

Examples
--------
>>> say("target", "zh"), say("target", "en")
('目标', 'Target')
>>> say("not_assessed_no_baseline", "en", year="2021")
'Not assessed (the plan gives no 2021 figure and none was observed):'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Callable

from .formatting import Lang

__all__ = ["say", "catalog", "translator", "Said", "Message", "worded"]


@cache
def catalog() -> dict[str, dict[str, str]]:
    """Every message id with its ``zh`` and ``en`` text (read once from ``templates/words.yaml``)."""
    from importlib.resources import files

    import yaml

    text = files("xmforecast.templates").joinpath("words.yaml").read_text(encoding="utf-8")
    # The C loader when built (8 ms against 50 ms for the whole catalog); the file is the package's own.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def say(key: str, lang: Lang = "en", /, **values: Any) -> str:
    """The words of message `key` in `lang`, placeholders filled from `values`.

    Raises
    ------
    KeyError
        For a message id the catalog does not have (a typo must not print as a blank).
    """
    try:
        entry = catalog()[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalog of words (templates/words.yaml)") from None
    text = entry["zh" if lang == "zh" else "en"]
    return text.format(**values) if values else text


def translator(lang: Lang) -> Callable[..., str]:
    """:func:`say` bound to one language: the ``_`` of the templates."""
    def _(key: str, **values: Any) -> str:
        return say(key, lang, **values)

    return _


class Said:
    """Something the library says as data, worded only by a reader: :meth:`say` in a language,
    ``str`` in English (the command line's words)."""

    def say(self, lang: Lang = "en") -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.say()  # English


@dataclass(frozen=True)
class Message(Said):
    """A catalog message not yet worded: its id and the values of its placeholders.

    A model's note or error carries one, so a Chinese page can say in Chinese what the
    command line says in English.

    >>> note = Message("auto_values_nonpositive", {"year": 2012})
    >>> str(note)
    'values <= 0 up to 2012: only the later ones are used'
    """

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def say(self, lang: Lang = "en") -> str:
        return say(self.key, lang, **self.values)


def worded(value: Any, lang: Lang = "en") -> str:
    """`value` in `lang` if it is something :class:`Said`, else as it is written."""
    return value.say(lang) if isinstance(value, Said) else str(value)
