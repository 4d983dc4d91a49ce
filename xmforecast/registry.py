"""The indicator registry and the seed document it quotes.

A registry (``indicators.yaml`` of a plan folder, or any file) lists every indicator with its
baseline, its target and, for a plan with a seed document, the exact fragment each number
comes from. A seed is text extracted from a PDF: each line starts with a chunk marker ``N、``
and printed page numbers sit inside sentences; :func:`clean_seed` undoes both (with the
plan's table of page numbers) so that the quotes can be checked.
"""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .rules import MAX_VALUE, in_year_range, year_rule
from .exceptions import DataError
from .folder import DEFAULT_PLAN, PlanFolder, plan_folder_of, read_plan_folder
from .reference import CLASSES, FAMILIES, default_class

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["INDICATORS_FILE", "FIELDS", "REGISTRY_ATTR", "PLAN_ATTR", "load_indicators", "indicators_from_records",
           "registry_plan", "clean_seed", "seed_text"]

#: The default plan's registry.
INDICATORS_FILE = DEFAULT_PLAN / "indicators.yaml"

#: Registry fields, in the order of the returned frame's columns.
FIELDS = (
    "id", "name_zh", "name_en", "unit", "kind", "direction",
    "base_year", "base_value", "base_quote", "base_source",
    "prior_growth", "prior_growth_quote",
    "target_year", "target_type", "target_value", "target_quote",
    "notes", "model", "inputs", "headline", "family", "reference_class",
)
_REQUIRED = ("id", "unit", "kind", "direction")
#: Either name is enough; a missing one is filled from the other.
_NAMES = ("name_zh", "name_en")
#: ``DataFrame.attrs`` key of a registry frame: the file it was read from, or the name given.
REGISTRY_ATTR = "registry"
#: ``DataFrame.attrs`` key of a registry read from a plan folder: the folder, whose
#: observations complete the registry's baselines (see :func:`registry_plan`).
PLAN_ATTR = "plan"
_CHOICES = {
    "kind": ("stock", "flow", "ratio", "amount"),
    "direction": ("increase", "decrease"),
    "target_type": ("level", "growth", "flow"),
    "family": tuple(FAMILIES),
    "reference_class": tuple(CLASSES),
}
_TEXT = ("name_zh", "name_en", "unit", "base_quote", "base_source", "prior_growth_quote",
         "target_quote", "notes")
_ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")

_MARKER = re.compile(r"^\d+、")


def clean_seed(text: str, page_numbers: tuple[tuple[str, str, str], ...] | None = None) -> str:
    """Undo the PDF extraction's damage to the seed document.

    Parameters
    ----------
    text : str
        Raw seed text: lines that each start with a chunk marker ``N、``.
    page_numbers : tuple, optional
        ``(text before, page, text after)`` contexts of printed page numbers (default: the
        default plan's, from its ``plan.yaml``).

    Returns
    -------
    str
        One line: the markers removed, the lines joined with no separator and the printed
        page numbers removed where the hand-written table of known positions finds them.
        Everything else, spaces included, is kept as it is.

    Notes
    -----
    A chunk marker can split a number (``团队2`` / ``10、87 个`` is 287) or a word, which
    is why the lines are joined without a separator. A page-number position that does
    not occur in ``text`` is skipped, so the function also works on excerpts.

    Examples
    --------
    >>> clean_seed("9、其中台湾青年创业团队2\\n10、87 个。")
    '其中台湾青年创业团队287 个。'
    >>> clean_seed("1、甲大学、华8为三方共建", page_numbers=(("甲大学、华", "8", "为三方共建"),))
    '甲大学、华为三方共建'
    """
    if page_numbers is None:
        page_numbers = read_plan_folder().page_numbers
    joined = "".join(_MARKER.sub("", line, count=1) for line in text.splitlines())
    for before, page, after in page_numbers:
        joined = joined.replace(before + page + after, before + after)
    return joined


def seed_text(path: str | Path | None = None, clean: bool = True) -> str:
    """The seed document's text.

    Parameters
    ----------
    path : path, optional
        Text file (UTF-8); default: the default plan's seed document (its ``plan.yaml``
        names it; it lies in the repository's ``seeds/``).
    clean : bool, default True
        Return :func:`clean_seed` of the text rather than the raw text.

    Returns
    -------
    str

    Raises
    ------
    DataError
        The file does not exist (the seed ships with the repository, not the wheel).

    Examples
    --------
    >>> "台湾青年创业团队287 个" in seed_text()
    True
    """
    path = read_plan_folder().seed_file if path is None else Path(path)
    if path is None or not path.is_file():
        raise DataError(f"{path}: seed document not found.")
    text = path.read_text(encoding="utf-8")
    return clean_seed(text) if clean else text


def load_indicators(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate an indicator registry.

    Parameters
    ----------
    path : path, optional
        A YAML file holding one list of mappings, one per indicator (default: the default
        plan's, :data:`xmforecast.folder.DEFAULT_PLAN`). See ``plans/xiamen/indicators.yaml``
        for the fields and their meaning.
        Required per entry: ``id``, ``name_zh`` or ``name_en``, ``unit``, ``kind`` and
        ``direction``; every other field is optional.

    Returns
    -------
    DataFrame
        One row per indicator in the order of the file, columns :data:`FIELDS` (absent
        optional fields are null). ``base_value``, ``prior_growth`` [fraction] and
        ``target_value`` are floats; the years are nullable integers. An entry needs one
        name, ``name_zh`` or ``name_en``: a missing one is filled from the other, so that
        outputs in either language name every indicator. ``attrs["registry"]`` is the
        file's path; ``attrs["plan"]`` the plan folder when the file is one's registry
        (see :func:`registry_plan`).

    Raises
    ------
    DataError
        The file is missing or not YAML, or an entry breaks a rule: required fields,
        unknown fields, allowed values of ``kind``, ``direction`` and ``target_type``,
        finite numbers, ``base_value`` >= 0, growth rates > -1, a ``target_type`` with
        its ``target_value`` and ``target_year`` (and the converse), ``flow`` targets
        for kind ``flow`` only and ``level`` targets for the other kinds, a ``base_value``
        with its ``base_year`` and ``base_source``, a quote for every seed baseline,
        unique ids, a known ``model`` whose roles ``inputs`` fill exactly with ids of
        the registry (see :func:`_check_models`). The message names the file, the
        entry and the rule.

    Examples
    --------
    >>> reg = load_indicators()
    >>> bool(reg["id"].is_unique), sorted(set(reg["model"]))
    (True, ['auto', 'certified_stock', 'patent_ratio'])
    """
    import pandas as pd

    from .inputs import MAX_YAML_BYTES, load_yaml, read_bytes

    path = INDICATORS_FILE if path is None else Path(path)
    name = path.name
    raw = read_bytes(path, max_bytes=MAX_YAML_BYTES, error=DataError, not_found="indicator registry not found")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{name}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}; GBK or another "
                        "encoding?); save the file as UTF-8.") from None
    try:
        entries = load_yaml(text, file=name, error=DataError)
    except DataError as exc:
        raise DataError(str(exc).replace(f"{name}: ", f"{name}: not valid YAML: ", 1)) from None
    if not isinstance(entries, list) or not entries:
        raise DataError(f"{name}: the registry must be a non-empty YAML list of mappings.")
    frame = _registry_frame(entries, name)
    frame.attrs[REGISTRY_ATTR] = str(path)
    folder = plan_folder_of(path)
    if folder is not None:
        frame.attrs[PLAN_ATTR] = str(folder.path)
    return frame


def indicators_from_records(entries: list[dict[str, Any]], *, name: str = "registry") -> pd.DataFrame:
    """Validate registry entries given as mappings (e.g. a frame's records) into a registry frame.

    Parameters
    ----------
    entries : list of dict
        One mapping per indicator, with the fields of :func:`load_indicators`; a missing
        value may be None or NaN.
    name : str
        What the messages call the registry.

    Returns
    -------
    DataFrame
        As :func:`load_indicators`; ``attrs["registry"]`` is ``name``; no plan folder.

    Raises
    ------
    DataError
        An entry breaks a rule of :func:`load_indicators`.

    Examples
    --------
    >>> reg = indicators_from_records([{"id": "hubs", "name_en": "Hubs", "unit": "hubs", "kind": "stock",
    ...                                 "direction": "increase"}], name="city")
    >>> reg.loc[0, "name_zh"], reg.attrs["registry"]
    ('Hubs', 'city')
    """
    entries = [{key: _none_if_missing(value) for key, value in entry.items()} if isinstance(entry, dict) else entry
               for entry in entries]
    frame = _registry_frame(entries, name)
    frame.attrs[REGISTRY_ATTR] = name
    return frame


def _registry_frame(entries: list[Any], name: str) -> pd.DataFrame:
    """Validate entries (file values as they are) into the registry frame."""
    import pandas as pd

    rows, seen = [], set()
    for index, entry in enumerate(entries, start=1):
        row = _validate_entry(entry, f"{name}: entry #{index}", name)
        if row["id"] in seen:
            raise DataError(f"{name}: entry '{row['id']}': `id` must be unique; it appears again as entry #{index}.")
        seen.add(row["id"])
        rows.append(row)
    _check_models(rows, name)

    frame = pd.DataFrame(rows, columns=list(FIELDS))
    for col in ("base_value", "prior_growth", "target_value"):
        frame[col] = frame[col].astype("float64")
    for col in ("base_year", "target_year"):
        frame[col] = frame[col].astype("Int64")
    return frame


def _none_if_missing(value: Any) -> Any:
    """None for a frame's missing values (NaN, NA, NaT); whole floats of year columns as int."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    kind = type(value).__name__
    if kind in ("NAType", "NaTType"):
        return None
    if kind.startswith(("int", "uint")) and hasattr(value, "item"):
        return int(value.item())
    if kind.startswith("float") and hasattr(value, "item"):
        return float(value.item())
    return value


def headline_ids(indicators: pd.DataFrame, observations: pd.DataFrame | None = None, *,
                 origin: int | None = None, limit: int = 4) -> list[str]:
    """The plan's headline indicators: the ones its registry marks ``headline: true``.

    Parameters
    ----------
    indicators : DataFrame
        A registry frame (:func:`load_indicators`).
    observations : DataFrame, optional
        For a registry that marks none: its first `limit` targets with an observation (up
        to `origin`) are the headline.
    origin : int, optional
        Ignore observations after this year.
    limit : int, default 4
        How many to take when none is marked.

    Returns
    -------
    list of str
        Registry ids, in registry order.

    Examples
    --------
    >>> plan = indicators_from_records([
    ...     {"id": i, "name_en": i, "unit": "u", "kind": "stock", "direction": "increase", "headline": i == "b"}
    ...     for i in "abc"])
    >>> headline_ids(plan)
    ['b']
    """
    marked = indicators.loc[indicators["headline"].fillna(False).astype(bool), "id"].tolist() \
        if "headline" in indicators.columns else []
    if marked or observations is None:
        return marked
    years = observations["year"]
    observed = set(observations.loc[years <= origin if origin is not None else years.notna(), "indicator"])
    return [i for i in indicators.loc[indicators["target_type"].notna(), "id"] if i in observed][:limit]


def registry_plan(indicators: pd.DataFrame | None) -> PlanFolder | None:
    """The plan folder a registry frame was read from (None stands for the default plan).

    Parameters
    ----------
    indicators : DataFrame or None
        A registry as returned by :func:`load_indicators` (its ``attrs`` say where it
        comes from), or a frame built by hand, which belongs to no folder.

    Returns
    -------
    PlanFolder or None
        None for a registry file given alone or a frame built by hand.

    Examples
    --------
    >>> registry_plan(None).path == registry_plan(load_indicators()).path
    True
    """
    if indicators is None:
        return read_plan_folder(DEFAULT_PLAN)
    folder = indicators.attrs.get(PLAN_ATTR)
    return read_plan_folder(folder) if folder else None


def _check_models(rows: list[dict[str, Any]], name: str) -> None:
    """Check each entry's ``model`` and ``inputs``; fill ``model`` with ``auto`` where absent.

    ``model`` is ``auto`` or a name of :data:`xmforecast.model_registry.MODELS`; ``inputs`` maps
    each input role of that model (its ``roles``) to an indicator id of the registry.
    A model with the one role ``series`` (every growth model) takes no ``inputs``: it is
    fitted to the entry's own series. A model with several roles needs all of them.
    """
    ids = {row["id"] for row in rows}
    for row in rows:
        where = f"{name}: entry '{row['id']}'"
        model, inputs = row.get("model"), row.get("inputs")
        if model is None:
            model = row["model"] = "auto"
        if not isinstance(model, str) or not model:
            raise DataError(f"{where}: `model` must be a model name; got {_show(model)}.")
        if inputs is not None and (not isinstance(inputs, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in inputs.items())):
            raise DataError(f"{where}: `inputs` must map input roles to indicator ids (text: text); "
                            f"got {_show(inputs)}.")
        if model == "auto":
            if inputs:
                raise DataError(f"{where}: model auto is fitted to the entry's own series and takes no "
                                f"`inputs`; got roles {', '.join(inputs)}.")
            continue
        from .model_registry import MODELS

        if model not in MODELS:
            valid = ", ".join(["auto", *sorted(m for m in MODELS if m != "auto")])
            raise DataError(f"{where}: `model` must be one of {valid}; got {_show(model)}.")
        roles = MODELS[model].roles
        if roles == ("series",):
            if inputs:
                raise DataError(f"{where}: model {model} is fitted to the entry's own series and takes no "
                                f"`inputs`; got roles {', '.join(inputs)}.")
            continue
        given = inputs or {}
        missing = [r for r in roles if r not in given]
        unknown = [r for r in given if r not in roles]
        if missing or unknown:
            what = "; ".join(part for part in (
                f"missing role(s) {', '.join(missing)}" if missing else "",
                f"unknown role(s) {', '.join(unknown)}" if unknown else "") if part)
            raise DataError(f"{where}: model {model} needs `inputs` for the roles {', '.join(roles)}; {what}.")
        absent = [f"{role}: {ref}" for role, ref in given.items() if ref not in ids]
        if absent:
            raise DataError(f"{where}: `inputs` must name indicators of the registry; not found: "
                            f"{', '.join(absent)}.")


def _show(value: Any) -> str:
    """A received value for a message: its repr on one line, at most 60 characters."""
    import reprlib

    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxdict, short.maxstring, short.maxother = 2, 4, 4, 50, 50
    text = " ".join(short.repr(value).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _validate_entry(entry: Any, where: str, name: str) -> dict[str, Any]:
    """Check one registry entry; return it with every field present."""
    row, where = _entry_fields(entry, where, name)
    _check_texts(row, where)
    _check_values(row, where)
    _check_baseline(row, where)
    _check_target(row, where)
    return row


def _entry_fields(entry: Any, where: str, name: str) -> tuple[dict[str, Any], str]:
    """The entry's fields, every one present, with defaults; and how messages name the entry."""
    if not isinstance(entry, dict):
        raise DataError(f"{where}: must be a mapping of fields; got {type(entry).__name__}.")
    if isinstance(entry.get("id"), str) and entry["id"].isprintable() and 0 < len(entry["id"]) <= 64:
        where = f"{name}: entry '{entry['id']}'"
    unknown = sorted(set(map(str, entry)) - set(FIELDS))
    if unknown:
        shown = ", ".join(_show(key).strip("'") for key in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise DataError(f"{where}: unknown field(s) {shown}; allowed: {', '.join(FIELDS)}.")
    for key in _REQUIRED:
        if entry.get(key) in (None, ""):
            raise DataError(f"{where}: `{key}` is required.")
    if all(entry.get(key) in (None, "") for key in _NAMES):
        raise DataError(f"{where}: a name is required: `name_en` or `name_zh` (either is enough).")
    row = {key: entry.get(key) for key in FIELDS}
    if row["family"] is None:
        row["family"] = "other"
    if row["reference_class"] is None:  # before a missing Chinese name is filled from the English one
        row["reference_class"] = default_class(row["name_zh"])
    if row["headline"] is None:
        row["headline"] = False
    elif not isinstance(row["headline"], bool):
        raise DataError(f"{where}: `headline` must be true or false; got {_show(row['headline'])}.")
    return row, where


def _check_texts(row: dict[str, Any], where: str) -> None:
    """Text fields are text without control characters; the names fill each other; the id is snake_case."""
    for key in _TEXT:
        if row[key] is not None and not isinstance(row[key], str):
            raise DataError(f"{where}: `{key}` must be text; got {_show(row[key])}.")
        # ESC, BEL, NUL and the like would reach a terminal raw (ANSI injection); a line break
        # or a tab is text only in the longer fields
        allowed = "" if key in ("name_zh", "name_en", "unit") else "\n\t"
        bad = sorted({f"U+{ord(ch):04X}" for ch in row[key] or "" if ch not in allowed
                      and unicodedata.category(ch) == "Cc"})
        if bad:
            raise DataError(f"{where}: `{key}` must not hold control characters; got {', '.join(bad)}.")
    zh, en = row["name_zh"], row["name_en"]
    row["name_zh"], row["name_en"] = zh if zh not in (None, "") else en, en if en not in (None, "") else zh
    if not isinstance(row["id"], str) or not _ID.fullmatch(row["id"]) or len(row["id"]) > 64:
        # at most 64: an id names the run's files (fan_<id>.png), and a longer one can pass a file
        # system's name limit inside a notebook
        raise DataError(f"{where}: `id` must be snake_case (a-z, 0-9, _) of at most 64 characters; "
                        f"got {_show(row['id'])}.")


def _check_values(row: dict[str, Any], where: str) -> None:
    """Choices among their allowed values, years in range, numbers finite and bounded."""
    for key, allowed in _CHOICES.items():
        if row[key] is not None and row[key] not in allowed:
            raise DataError(f"{where}: `{key}` must be one of {', '.join(allowed)}; got {_show(row[key])}.")
    for key in ("base_year", "target_year"):  # a base year is observed; only a target may lie ahead
        value, target = row[key], key == "target_year"
        if value is not None and not in_year_range(value, target=target):
            raise DataError(f"{where}: `{key}` {year_rule(target=target)}; got {_show(value)}.")
    for key in ("base_value", "prior_growth", "target_value"):
        value = row[key]
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not math.isfinite(value)):
            raise DataError(f"{where}: `{key}` must be a finite number or null; got {_show(value)}.")
        if value is not None and abs(value) > MAX_VALUE:
            raise DataError(f"{where}: `{key}` must be at most {MAX_VALUE:g} in size; got {_show(value)}.")


def _check_baseline(row: dict[str, Any], where: str) -> None:
    """A baseline is positive where a target is measured from it, with its year and source."""
    if row["base_value"] is not None:
        if row["base_value"] < 0:
            raise DataError(f"{where}: `base_value` must be >= 0; got {_show(row['base_value'])}.")
        if row["target_type"] is not None and row["base_value"] == 0:
            raise DataError(f"{where}: `base_value` must be > 0 for an indicator with a target (growth to the "
                            f"target is measured from it); got {_show(row['base_value'])}.")
        for key in ("base_year", "base_source"):
            if row[key] is None:
                raise DataError(f"{where}: a `base_value` needs a `{key}`.")
        if row["base_source"] == "seed" and not row["base_quote"]:
            raise DataError(f"{where}: a baseline with `base_source` seed needs a `base_quote`.")
    if row["prior_growth"] is not None and row["prior_growth"] <= -1:
        raise DataError(f"{where}: `prior_growth` is a fraction and must be > -1; got {_show(row['prior_growth'])}.")
    if row["prior_growth"] is not None and row["base_value"] is not None:
        # the year before the base is derived from the two: it must keep the values' limit too
        derived = row["base_value"] / (1.0 + row["prior_growth"])
        if derived > MAX_VALUE:
            raise DataError(f"{where}: `base_value` / (1 + `prior_growth`), the value derived for the year before "
                            f"the base, must be at most {MAX_VALUE:g}; got {derived:g}.")


def _check_target(row: dict[str, Any], where: str) -> None:
    """A target has its type, value and year, in a form its kind allows, after the base year."""
    if row["target_type"] is None:
        if row["target_value"] is not None:
            raise DataError(f"{where}: a `target_value` needs a `target_type` (level, growth or flow).")
    else:
        for key in ("target_value", "target_year"):
            if row[key] is None:
                raise DataError(f"{where}: `target_type` {row['target_type']} needs a `{key}`.")
        if (row["target_type"] == "flow") != (row["kind"] == "flow") and row["target_type"] != "growth":
            raise DataError(f"{where}: `target_type` flow is for kind flow and level for the other kinds; "
                            f"got target_type {row['target_type']} with kind {row['kind']}.")
        if row["target_type"] == "growth" and row["target_value"] <= -1:
            raise DataError(f"{where}: a growth `target_value` is a fraction and must be > -1; "
                            f"got {_show(row['target_value'])}.")
        if row["target_type"] != "growth" and row["target_value"] <= 0:
            raise DataError(f"{where}: a {row['target_type']} `target_value` must be > 0 (growth to it is "
                            f"measured in ratios); got {_show(row['target_value'])}.")
        if row["base_year"] is not None and row["target_year"] <= row["base_year"]:
            raise DataError(f"{where}: `target_year` must be after `base_year`; "
                            f"got {row['target_year']} <= {row['base_year']}.")
