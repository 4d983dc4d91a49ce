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
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from .exceptions import DataError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COLUMNS", "HISTORY_FILE", "load_observations", "read_user_observations", "series"]

COLUMNS = ["indicator", "year", "value", "unit", "status", "quality", "source", "quote"]
HISTORY_FILE = Path(__file__).resolve().parent / "data" / "xiamen_history_2010_2016.csv"
SEED_SOURCE = "seed document: 厦门市科学技术局 2016 年科技创新工作总结及 2017 年工作要点"
_REQUIRED = ("indicator", "year", "value")


def load_observations(
    data_file: str | Path | None = None,
    *,
    indicators: pd.DataFrame | None = None,
    history_file: str | Path | None = HISTORY_FILE,
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
        before: ``value / (1 + prior_growth)``.
    history_file : path or None
        Published history in the same long format (default: the shipped Xiamen file);
        None for none, e.g. another city with only its own data.
    origin : int, optional
        Keep only years up to and including ``origin`` ("as of" that year).

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`, sorted by indicator and year, one row per (indicator, year).

    Raises
    ------
    DataError
        A file breaks a rule; the message names the file, the row and the rule.

    Examples
    --------
    >>> obs = load_observations()
    >>> obs.query("indicator == 'tech_trade' and year == 2016")["value"].item()
    45.16
    """
    import pandas as pd

    if indicators is None:
        from .registry import load_indicators

        indicators = load_indicators()
    frames = []
    if data_file is not None:
        frames.append(read_user_observations(data_file, indicators=indicators))
    frames.append(_seed_rows(indicators))
    if history_file is not None:
        frames.append(_read_history(Path(history_file)))
    obs = pd.concat([f for f in frames if len(f)], ignore_index=True)
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
    >>> obs = load_observations()
    >>> series(obs, "rd_spend").round(1).to_dict()
    {2014: 96.4, 2015: 103.4, 2016: 117.7}
    """
    import pandas as pd

    rows = observations[observations["indicator"] == indicator]
    if origin is not None:
        rows = rows[rows["year"] <= int(origin)]
    out = pd.Series(
        rows["value"].to_numpy(dtype=float),
        index=pd.Index(rows["year"].to_numpy(dtype=int), name="year"),
        name=indicator,
    )
    return out.sort_index()


def _read_history(path: Path) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise DataError(f"{path}: history file not found.")
    frame = pd.read_csv(path, encoding="utf-8", dtype={"year": int})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}.")
    return frame[COLUMNS]


def _seed_rows(indicators: pd.DataFrame) -> pd.DataFrame:
    """Baselines the registry takes from the seed, and the prior year they imply."""
    import pandas as pd

    rows = []
    for rec in indicators.to_dict("records"):
        base = rec.get("base_value")
        if rec.get("base_source") != "seed" or base is None or pd.isna(base):
            continue
        year = int(rec["base_year"])
        rows.append(
            dict(indicator=rec["id"], year=year, value=float(base), unit=rec["unit"],
                 status="published", quality="seed", source=SEED_SOURCE, quote=rec["base_quote"])
        )
        growth = rec.get("prior_growth")
        if growth is not None and not pd.isna(growth):
            rows.append(
                dict(indicator=rec["id"], year=year - 1, value=float(base) / (1.0 + float(growth)),
                     unit=rec["unit"], status="derived", quality="seed",
                     source=f"computed: {year} value / (1 + {growth:g}) from the seed",
                     quote=rec.get("prior_growth_quote") or rec["base_quote"])
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
        not UTF-8, a missing column, an unknown indicator, a year that is not a whole number
        or lies in the future, a value that is not a finite number or is negative, a
        duplicated (indicator, year).
    """
    import io

    import numpy as np
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(f"{path}: line {line}: not UTF-8 text (byte 0x{raw[err.start]:02x}); save the file as UTF-8.") from None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(f"{path}: not a readable CSV: {str(err).strip()}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing required column(s) {', '.join(missing)}; found {', '.join(frame.columns)}.")
    if indicators is None:
        from .registry import load_indicators

        indicators = load_indicators()
    units = dict(zip(indicators["id"], indicators["unit"]))
    this_year = _dt.date.today().year
    seen: dict[tuple[str, int], int] = {}
    rows = []
    for i, rec in enumerate(frame.to_dict("records")):
        line = i + 2  # the header is line 1
        where = f"{path}: line {line}"
        ind = rec["indicator"].strip()
        if ind not in units:
            raise DataError(f"{where}: unknown indicator '{ind}'; run `xmforecast indicators` for the ids.")
        try:
            year = int(rec["year"].strip())
        except ValueError:
            raise DataError(f"{where}: `year` must be a whole number; got '{rec['year']}'.") from None
        if year > this_year:
            raise DataError(f"{where}: `year` {year} is in the future (today is {this_year}).")
        try:
            value = float(rec["value"].strip())
        except ValueError:
            raise DataError(f"{where}: `value` must be a number; got '{rec['value']}'.") from None
        if not np.isfinite(value):
            raise DataError(f"{where}: `value` must be finite; got '{rec['value']}'.")
        if value < 0:
            raise DataError(f"{where}: `value` must not be negative for '{ind}'; got {value:g}.")
        if (ind, year) in seen:
            raise DataError(f"{where}: duplicate ({ind}, {year}), first given on line {seen[(ind, year)]}.")
        seen[(ind, year)] = line
        rows.append(
            dict(indicator=ind, year=year, value=value,
                 unit=rec.get("unit") or units[ind],
                 status=rec.get("status") or "user", quality=rec.get("quality") or "user",
                 source=rec.get("source") or path.name, quote=rec.get("quote") or "")
        )
    if not rows:
        raise DataError(f"{path}: no observations (only a header).")
    return pd.DataFrame(rows, columns=COLUMNS)
