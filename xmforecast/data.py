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
seed (as recorded in the registry), then the shipped history.

The shipped history is Xiamen's: it completes the embedded registry only. Another plan's
registry gets its observations from its own baselines and the user's file, nothing else.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .exceptions import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COLUMNS", "FIRST_YEAR", "LAST_TARGET_YEAR", "MAX_VALUE", "HISTORY_FILE", "last_observed_year",
           "year_rule", "in_year_range", "load_observations", "read_user_observations", "check_observation_frame",
           "series"]

COLUMNS = ["indicator", "year", "value", "unit", "status", "quality", "source", "quote"]
HISTORY_FILE = Path(__file__).resolve().parent / "data" / "xiamen_history_2010_2016.csv"
SEED_SOURCE = "seed document: 厦门市科学技术局 2016 年科技创新工作总结及 2017 年工作要点"
_REQUIRED = ("indicator", "year", "value")
#: Earliest year any input may carry [year]: an observation, a registry's ``base_year`` or
#: ``target_year``, an origin. The one year rule: an observed year lies in
#: FIRST_YEAR..:func:`last_observed_year`, a target year in FIRST_YEAR..:data:`LAST_TARGET_YEAR`.
FIRST_YEAR = 1800
#: Latest year a target may name [year]; only targets may lie in the future.
LAST_TARGET_YEAR = 2100
#: Largest value an observation may carry [indicator's unit]: above any real figure, and far
#: from float overflow once growth is compounded over a horizon.
MAX_VALUE = 1e15


def last_observed_year() -> int:
    """The latest year an observed year may be: the current calendar year, read on each call.

    Observed years are a CSV row's ``year``, a registry's ``base_year``, the CLI's
    ``--origin`` and a scenario's ``origin``.

    Returns
    -------
    int
        ``datetime.date.today().year``.
    """
    return _dt.date.today().year


def year_rule(*, target: bool = False) -> str:
    """The year rule in the words every message uses, e.g. ``"must be a year 1800-2100"``.

    A message names the input, states this rule and shows the value received:
    ``"`origin` must be a year 1800-<this year>; got 1700."``

    Parameters
    ----------
    target : bool
        The rule for a target year (up to :data:`LAST_TARGET_YEAR`) rather than for an
        observed year (up to :func:`last_observed_year`).

    Returns
    -------
    str

    Examples
    --------
    >>> year_rule(target=True)
    'must be a year 1800-2100'
    """
    last = LAST_TARGET_YEAR if target else last_observed_year()
    return f"must be a year {FIRST_YEAR}-{last}"


def in_year_range(value: object, *, target: bool = False) -> bool:
    """Whether `value` is a year the rule allows: an integer (not a bool) in the range.

    Parameters
    ----------
    value : object
        The year received.
    target : bool
        Check against the target years' range rather than the observed years'.

    Returns
    -------
    bool
        True for :data:`FIRST_YEAR` <= value <= :func:`last_observed_year` (or
        :data:`LAST_TARGET_YEAR` with `target`).

    Examples
    --------
    >>> in_year_range(1935), in_year_range(1799), in_year_range(2100, target=True), in_year_range(True)
    (True, False, True, False)
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return FIRST_YEAR <= value <= (LAST_TARGET_YEAR if target else last_observed_year())


def load_observations(
    data_file: str | Path | None = None,
    *,
    indicators: pd.DataFrame | None = None,
    history_file: str | Path | None = "embedded",
    origin: int | None = None,
) -> pd.DataFrame:
    """All observations as one long frame: seed + shipped history (+ a user's CSV).

    Parameters
    ----------
    data_file : path, optional
        A user's CSV with columns ``indicator, year, value`` and optionally ``unit, status,
        quality, source, quote``. Its rows win over the embedded data.
    indicators : DataFrame, optional
        The registry (default: :func:`xmforecast.load_indicators`). Its baselines are seed
        rows; a baseline with a prior-year growth rate yields a derived row for the year
        before: ``value / (1 + prior_growth)``. The embedded registry turns only baselines
        taken from the seed into rows (the others are in the shipped history); another
        registry turns every baseline into a row.
    history_file : path, None or "embedded"
        Published history in the same long format. ``"embedded"`` (default): the shipped
        Xiamen history with the embedded registry, none with any other registry (see
        :func:`xmforecast.registry.is_embedded`); None for none.
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
    >>> obs.columns[:3].tolist(), bool(obs["year"].between(FIRST_YEAR, 2016).all())
    (['indicator', 'year', 'value'], True)
    """
    import pandas as pd

    from .registry import is_embedded, load_indicators

    if indicators is None:
        indicators = load_indicators()
    embedded = is_embedded(indicators)
    if isinstance(history_file, str) and history_file == "embedded":
        history_file = HISTORY_FILE if embedded else None
    frames = []
    if data_file is not None:
        frames.append(read_user_observations(data_file, indicators=indicators))
    frames.append(_seed_rows(indicators, every_baseline=not embedded))
    if history_file is not None:
        frames.append(_read_history(Path(history_file)))
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
    >>> obs = pd.DataFrame({"indicator": ["spend", "spend", "firms"], "year": [2016, 2015, 2016],
    ...                     "value": [117.7, 103.4, 1225.0]})
    >>> series(obs, "spend").to_dict()
    {2015: 103.4, 2016: 117.7}
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


def _seed_rows(indicators: pd.DataFrame, *, every_baseline: bool = False) -> pd.DataFrame:
    """Baselines the registry takes from the seed, and the prior year they imply.

    With ``every_baseline`` (another plan's registry), every baseline is a row, whatever
    its ``base_source``, and the rows name that source rather than Xiamen's seed document.
    """
    import pandas as pd

    rows = []
    for rec in indicators.to_dict("records"):
        base = rec.get("base_value")
        if base is None or pd.isna(base) or (rec.get("base_source") != "seed" and not every_baseline):
            continue
        year = int(rec["base_year"])
        quote = rec.get("base_quote")
        quote = "" if quote is None or (isinstance(quote, float) and pd.isna(quote)) else quote
        if every_baseline:
            source, quality = f"registry baseline: {rec.get('base_source') or 'not stated'}", "user"
        else:
            source, quality = SEED_SOURCE, "seed"
        rows.append(
            dict(indicator=rec["id"], year=year, value=float(base), unit=rec["unit"],
                 status="published", quality=quality, source=source, quote=quote)
        )
        growth = rec.get("prior_growth")
        if growth is not None and not pd.isna(growth):
            origin = "the registry" if every_baseline else "the seed"
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

    from .registry import is_embedded

    listing = "`xmforecast indicators`" if is_embedded(indicators) else "`xmforecast indicators --indicators FILE`"
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
