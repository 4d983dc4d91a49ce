"""Observations: the seed's figures, the shipped history and a user's own CSV, in one long frame.

The frame has one row per (indicator, year) and keeps where each figure comes from:

========== ==================================================================
column     meaning
========== ==================================================================
indicator  registry id
year       calendar year (year-end for stocks)
value      the figure, in the registry's unit
unit       unit as published (亿元 = 10^8 yuan, 万人 = 10^4 persons)
status     ``published``, ``derived`` (computed from stated figures) or ``user``
quality    ``seed``, ``A`` official, ``B`` news, ``C`` mirror copy, or ``user``
source     where it comes from, or how it was derived
quote      the sentence it comes from, in the original language
========== ==================================================================

Precedence when two sources give the same (indicator, year): a user's file, then the
registry's baselines quoted from the plan's seed document, then the plan folder's own
observations, then the registry's other baselines.

A plan folder's observations (see :mod:`xmforecast.folder`) complete a registry read from
that folder. A registry file given alone gets its observations from its own baselines and the
user's file, nothing else.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .exceptions import DataError
from .rules import FIRST_YEAR, LAST_TARGET_YEAR, MAX_VALUE, in_year_range, last_observed_year, year_rule

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COLUMNS", "FIRST_YEAR", "LAST_TARGET_YEAR", "MAX_VALUE", "last_observed_year",
           "year_rule", "in_year_range", "load_observations", "read_user_observations", "check_observation_frame",
           "series"]

COLUMNS = ["indicator", "year", "value", "unit", "status", "quality", "source", "quote"]
_REQUIRED = ("indicator", "year", "value")
def load_observations(
    data_file: str | Path | None = None,
    *,
    indicators: pd.DataFrame | None = None,
    history_file: str | Path | None = "plan",
    origin: int | None = None,
) -> pd.DataFrame:
    """All observations as one long frame: the registry's baselines + the plan's history (+ a user's CSV).

    Parameters
    ----------
    data_file : path, optional
        A user's CSV with columns ``indicator, year, value`` and optionally ``unit, status,
        quality, source, quote``. Its rows win over every other source.
    indicators : DataFrame, optional
        The registry (default: the default plan's, :func:`xmforecast.load_indicators`).
        Every baseline is a row; a baseline with a prior-year growth rate yields a derived
        row for the year before: ``value / (1 + prior_growth)``. A baseline quoted from the
        plan's seed document (``base_source: seed``) wins over the plan's history; the
        others fill in where the history has no figure.
    history_file : path, None or "plan"
        Published history in the same long format. ``"plan"`` (default): the observations
        of the plan folder the registry was read from, none for a registry file given alone
        (see :func:`xmforecast.registry.registry_plan`); None for none.
    origin : int, optional
        Keep only years up to and including ``origin`` ("as of" that year).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, sorted by indicator and year, one row per (indicator, year).

    Raises
    ------
    DataError
        A file breaks a rule; the message names the file, the row and the rule. Or there
        is no observation at all: a registry without baselines and no ``data_file``.

    Examples
    --------
    >>> obs = load_observations()
    >>> obs.columns[:3].tolist(), bool(obs["year"].between(FIRST_YEAR, last_observed_year()).all())
    (['indicator', 'year', 'value'], True)
    """
    import pandas as pd

    from .registry import load_indicators, registry_plan

    if indicators is None:
        indicators = load_indicators()
    plan = registry_plan(indicators)
    if isinstance(history_file, str) and history_file == "plan":
        history_file = plan.observations if plan else None
    seed = plan.seed_title if plan else None
    frames = []
    if data_file is not None:
        frames.append(read_user_observations(data_file, indicators=indicators))
    frames.append(baseline_rows(indicators, seed=seed, quoted=True))
    if history_file is not None:
        frames.append(_read_history(Path(history_file)))
    frames.append(baseline_rows(indicators, seed=seed, quoted=False))
    frames = [f for f in frames if len(f)]
    if not frames:
        where = Path(str(indicators.attrs.get("registry") or "registry")).name
        raise DataError(f"{where}: no observations: the registry "
                        "has no baseline (base_year, base_value) and no data file was given; pass a CSV of "
                        "indicator, year, value (--data FILE, or data_file).")
    obs = pd.concat(frames, ignore_index=True)
    # Earlier frames win: drop later duplicates of (indicator, year).
    obs = obs.drop_duplicates(["indicator", "year"], keep="first")
    if origin is not None:
        obs = obs[obs["year"] <= int(origin)]
    obs = obs.sort_values(["indicator", "year"], ignore_index=True)
    obs["year"] = obs["year"].astype(int)
    obs["value"] = obs["value"].astype(float)
    return obs[COLUMNS]


def series(observations: pd.DataFrame, indicator: str, *, origin: int | None = None) -> pd.Series:
    """One indicator's values as a float Series on an integer year index.

    Parameters
    ----------
    observations : DataFrame
        As returned by :func:`load_observations`.
    indicator : str
        Registry id.
    origin : int, optional
        Ignore years after ``origin``.

    Returns
    -------
    Series
        Named ``indicator``; empty when there is no observation.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"indicator": ["spend", "spend", "firms"], "year": [2021, 2020, 2021],
    ...                     "value": [117.7, 103.4, 1225.0]})
    >>> series(obs, "spend").to_dict()
    {2020: 103.4, 2021: 117.7}
    """
    import numpy as np
    import pandas as pd

    # Masks on numpy arrays, not DataFrame indexing: an assessment asks for dozens of series
    # and pandas' per-call overhead was most of its time.
    years = observations["year"].to_numpy(dtype=int)
    keep = observations["indicator"].to_numpy() == indicator
    if origin is not None:
        keep &= years <= int(origin)
    order = np.argsort(years[keep], kind="stable")
    return pd.Series(observations["value"].to_numpy(dtype=float)[keep][order],
                     index=pd.Index(years[keep][order], name="year"), name=indicator)


def _read_history(path: Path) -> pd.DataFrame:
    import io

    import pandas as pd

    from .inputs import MAX_CSV_BYTES, read_bytes

    raw = read_bytes(path, max_bytes=MAX_CSV_BYTES, error=DataError, not_found="history file not found")
    try:
        frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8", dtype={"year": int})
    except (ValueError, OverflowError, pd.errors.ParserError) as exc:  # not UTF-8, a year not an integer
        detail = " ".join(str(exc).split())[:200]
        raise DataError(f"{path}: not a readable history file: {detail}.") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}.")
    return frame[COLUMNS]


def baseline_rows(indicators: pd.DataFrame, *, seed: str | None = None, quoted: bool | None = None) -> pd.DataFrame:
    """The registry's baselines as observation rows, with the prior year they imply.

    Parameters
    ----------
    indicators : DataFrame
        The registry.
    seed : str, optional
        The title of the plan's seed document; then a baseline with ``base_source: seed``
        cites it (quality ``seed``). Without one, every baseline cites the registry
        (quality ``user``).
    quoted : bool, optional
        Only the baselines quoted from the seed (True), only the others (False), or all.
    """
    import pandas as pd

    rows = []
    for rec in indicators.to_dict("records"):
        base = rec.get("base_value")
        if base is None or pd.isna(base):
            continue
        from_seed = seed is not None and rec.get("base_source") == "seed"
        if quoted is not None and from_seed != quoted:
            continue
        year = int(rec["base_year"])
        quote = rec.get("base_quote")
        quote = "" if quote is None or (isinstance(quote, float) and pd.isna(quote)) else quote
        if from_seed:
            source, quality, origin = f"seed document: {seed}", "seed", "the seed"
        else:
            source, quality = f"registry baseline: {rec.get('base_source') or 'not stated'}", "user"
            origin = "the registry"
        rows.append(
            dict(indicator=rec["id"], year=year, value=float(base), unit=rec["unit"],
                 status="published", quality=quality, source=source, quote=quote)
        )
        growth = rec.get("prior_growth")
        if growth is not None and not pd.isna(growth):
            rows.append(
                dict(indicator=rec["id"], year=year - 1, value=float(base) / (1.0 + float(growth)),
                     unit=rec["unit"], status="derived", quality=quality,
                     source=f"computed: {year} value / (1 + {growth:g}) from {origin}",
                     quote=rec.get("prior_growth_quote") or quote)
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def read_user_observations(path: str | Path, *, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check a user's long CSV of observations.

    Parameters
    ----------
    path : path
        UTF-8 CSV with a header; required columns ``indicator, year, value``; optional
        ``unit, status, quality, source, quote``.
    indicators : DataFrame, optional
        The registry the ids must belong to (default: the embedded one).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`; missing optional columns are filled (status and quality
        ``user``, source the file name, unit from the registry).

    Raises
    ------
    DataError
        One line naming the file, the row (as the line number in the file) and the rule:
        not a regular readable file (a folder, FIFO, device), larger than
        :data:`xmforecast.inputs.MAX_CSV_BYTES` (50 MiB), not UTF-8, a duplicated or
        missing column, a row with more fields than the header, an unknown indicator, a
        year that is not a whole number or lies outside [:data:`FIRST_YEAR`,
        :func:`last_observed_year`] (see :func:`year_rule`),
        a value that is not a finite number in [0, :data:`MAX_VALUE`], a duplicated
        (indicator, year).
    """
    import pandas as pd

    from .inputs import MAX_CSV_BYTES, read_bytes

    path = Path(path)
    raw = read_bytes(path, max_bytes=MAX_CSV_BYTES, error=DataError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(f"{path}: line {line}: not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8.") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(f"{path}: line {line}: a NUL character; this is not a CSV text file.")
    if indicators is None:
        from .registry import load_indicators

        indicators = load_indicators()
    return _checked_rows(_csv_records(path, text), indicators, str(path), path.name, "line")


def check_observation_frame(frame: pd.DataFrame, indicators: pd.DataFrame, *, name: str = "observations") -> pd.DataFrame:
    """Check a frame of observations by the rules of :func:`read_user_observations`.

    Parameters
    ----------
    frame : DataFrame
        Columns ``indicator, year, value`` and optionally ``unit, status, quality, source,
        quote``.
    indicators : DataFrame
        The registry the ids must belong to.
    name : str
        What the messages call the frame; rows are named by their position (``row 1``
        is the first).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, optional ones filled as for a file.

    Raises
    ------
    DataError
        A missing column or a row that breaks a rule, named by its position.
    """
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{name}: must be a DataFrame; got {type(frame).__name__}.")
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(f"{name}: missing required column(s) {', '.join(missing)}; "
                        f"found {', '.join(map(_clip, map(str, frame.columns)))}.")
    columns = [c for c in frame.columns if c in COLUMNS]

    def records():
        for number, values in enumerate(frame[columns].itertuples(index=False, name=None), start=1):
            yield number, {c: "" if v is None or (isinstance(v, float) and math.isnan(v)) else
                           (str(int(v)) if c == "year" and isinstance(v, float) and v.is_integer() else str(v))
                           for c, v in zip(columns, values)}

    return _checked_rows(records(), indicators, name, name, "row")


def _checked_rows(records, indicators: pd.DataFrame, label: str, source: str, unit_name: str) -> pd.DataFrame:
    """Check (number, {column: text}) records; a DataFrame of :data:`COLUMNS`."""
    import pandas as pd

    from .registry import registry_plan

    listing = "`xmforecast indicators`" if _is_default(registry_plan(indicators)) else \
        "`xmforecast indicators --indicators FILE`"
    units = dict(zip(indicators["id"], indicators["unit"]))
    last_year = last_observed_year()  # once, not per row: a file may hold a million rows
    seen: dict[tuple[str, int], int] = {}
    rows = []
    for line, rec in records:
        where = f"{label}: {unit_name} {line}"
        ind = rec["indicator"].strip()
        if ind not in units:
            raise DataError(f"{where}: unknown indicator {_clip(ind)}; run {listing} for the ids.")
        try:
            if not re.fullmatch(r"[+-]?[0-9]+", rec["year"].strip()):
                raise ValueError
            year = int(rec["year"].strip())
        except ValueError:
            raise DataError(f"{where}: `year` must be a whole number; got {_clip(rec['year'])}.") from None
        if not FIRST_YEAR <= year <= last_year:
            raise DataError(f"{where}: `year` {year_rule()}; got {_clip(str(year))}.")
        try:
            if "_" in rec["value"]:  # Python reads 1_470 as 1470; a CSV refuses it like 1,470
                raise ValueError
            value = float(rec["value"].strip())
        except ValueError:
            raise DataError(f"{where}: `value` must be a number; got {_clip(rec['value'])}.") from None
        if not math.isfinite(value):
            raise DataError(f"{where}: `value` must be finite; got {_clip(rec['value'])}.")
        if value < 0:
            raise DataError(f"{where}: `value` must not be negative for '{ind}'; got {value:g}.")
        if value > MAX_VALUE:
            raise DataError(f"{where}: `value` must be at most {MAX_VALUE:g} (no indicator is that large); "
                            f"got {_clip(rec['value'])}.")
        unit = (rec.get("unit") or "").strip()
        if unit and unit != units[ind]:
            raise DataError(f"{where}: `unit` {_clip(unit)} is not the unit of '{ind}', {units[ind]}; give the "
                            f"value in {units[ind]}, or leave `unit` empty.")
        if (ind, year) in seen:
            raise DataError(f"{where}: duplicate ({ind}, {year}), first given on {unit_name} {seen[(ind, year)]}.")
        seen[(ind, year)] = line
        rows.append(
            dict(indicator=ind, year=year, value=value,
                 unit=units[ind],
                 status=rec.get("status") or "user", quality=rec.get("quality") or "user",
                 source=rec.get("source") or source, quote=rec.get("quote") or "")
        )
    if not rows:
        raise DataError(f"{label}: no observations (only a header).")
    return pd.DataFrame(rows, columns=COLUMNS)


def _csv_records(path: Path, text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows of a CSV text as (line number, {column: text}), header checked first."""
    import csv
    import io

    from collections import Counter

    # strict: a quote left open must not swallow the rows after it into one value
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True, strict=True)
    started = 1  # the line the record being read starts on
    try:
        header = [c.strip() for c in next(reader, [])]
        if not any(header):
            raise DataError(f"{path}: not a readable CSV: the first line must be a header (indicator, year, value).")
        twice = sorted(c for c, n in Counter(header).items() if n > 1)
        if twice:
            raise DataError(f"{path}: line 1: duplicated column(s) {', '.join(map(_clip, twice))} in the header.")
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise DataError(f"{path}: missing required column(s) {', '.join(missing)}; "
                            f"found {', '.join(map(_clip, header))}.")
        started = reader.line_num + 1
        for fields in reader:
            line, started = started, reader.line_num + 1
            if not fields or fields == [""]:
                continue
            if len(fields) > len(header):
                raise DataError(f"{path}: line {reader.line_num}: {len(fields)} fields, more than the "
                                f"{len(header)} columns of the header; quote a value that holds a comma.")
            fields += [""] * (len(header) - len(fields))
            yield line, dict(zip(header, fields))
    except csv.Error as err:
        if "unexpected end of data" in str(err):
            raise DataError(f"{path}: line {started}: a quoted value opened on this line is never closed; "
                            f"close its quote (\"), or no row after it could be read.") from None
        raise DataError(f"{path}: line {reader.line_num}: not a readable CSV: {err}.") from None


def _clip(text: str, width: int = 40) -> str:
    """A received value for a message: quoted, on one line, at most `width` characters."""
    shown = repr(str(text))
    return shown if len(shown) <= width else shown[: width - 4] + "...'"


def _is_default(plan) -> bool:
    """Whether a plan folder is the one the CLI uses when given none (for a hint's wording)."""
    from .folder import DEFAULT_PLAN

    return plan is not None and plan.path == DEFAULT_PLAN
