"""Build the Chinese provincial science-and-technology reference panel from techme's R tables.

Usage (``make panel``; needs the ``rdata`` package, in the ``calibrate`` and ``dev`` extras)::

    .venv/bin/python bench/china_panel.py [--source-dir bench/techme] [--out-dir xmforecast/data] [--check]

It reads eleven ``.rda`` tables of the R package techme (MIT, copyright 2021 Hu Huaping; kept
verbatim in ``bench/techme/``, see its README) and writes ``reference_panel_cn.csv`` (long form,
one row per point) and ``reference_panel_cn.md`` (provenance and counts) into ``--out-dir``.
The figures are those of the China Statistical Yearbook on Science and Technology, by province
(PublicBudget: the China Statistical Yearbook; HitechFirmsPub: innocom.gov.cn), per techme's
help pages.
Both files are deterministic: a rebuild from the same ``.rda`` files reproduces them byte for
byte. ``--check`` writes nothing and exits 1 when a rebuild differs from the shipped files.

Inclusion rules
---------------
1. **Tables.** Exactly the eleven in ``TABLES``, read with ``rdata.read_rda``.
2. **Items.** An item is a table's ``chn_block4`` (its code is ``variables``); HitechFirmsPub has
   one, the number of high-tech firms (``高新技术企业数``, unit 家, code ``hitech_firms``). Every
   item of every table is in exactly one of ``FAMILY`` (kept, with its family) and ``DROPPED``
   (with the reason); an item in neither stops the script. Dropped:

   - RDIntense ``RD经费`` (亿元): total R&D spending, the same quantity as RDActivity ``合计``
     (万元, 2010-2023; the two agree to rounding), which is kept.
   - RDSource ``合计`` (万元): the same series as RDActivity ``合计`` (same code
     ``v4_zh_nbzc_hj``; equal to rounding), which is kept.
   - PublicBudget ``教育`` (education) and ``农林水`` (agriculture, forestry and water): only the
     budget's total (``合计``) and its science-and-technology line (``科学技术``) are kept.

   Families: ``rd_money`` (RDActivity, RDSource), ``intensity`` (RDIntense ``RD强度``, %),
   ``patents`` (RDPatentAccept, RDPatentAuthority, RDPatentValid: every type), ``tech_market``
   (MarketPull, MarketPush: ``金额`` and ``数量``), ``firms`` (HitechFirmsPub), ``personnel``
   (RDLaborHour), ``public_budget`` (PublicBudget ``合计`` and ``科学技术``).
3. **Units.** Each item must carry a single unit over all its rows; the script stops otherwise.
4. **Entities.** Provinces, named in Chinese with all white space removed (``上   海`` -> 上海).
   Misprinted names are mapped to the province they stand for (``NAME_FIXES``; each is the only
   row of that province, table and year, e.g. ``江两`` for 江西). The national total ``全国`` and
   the regional total ``东部地区`` (misprinted ``尔部地区``) are dropped (``AGGREGATES``). Every
   other name must be one of the 31 provinces in ``PROVINCES``, or the script stops.
5. **Years.** Integer years; one row per table, item, province and year, or the script stops.
6. **Points.** Only finite, strictly positive values. Of each series (table, item, province)
   the longest run of consecutive years with such values is kept (the latest run on a tie);
   the other points are dropped. Gaps in the tables: MarketPull and MarketPush have no 2011
   (and only 2000 and 2005 before 2010), so their series run 2012-2023 (MarketPush for 西藏
   has no value before 2017); the few other series cut or left out are listed in the notes.
7. **Length.** A series is kept when that run has at least ``MIN_POINTS`` (4) years.
8. **Values.** Written as Python's shortest round-trip representation of the stored doubles.

Columns of the CSV: ``series_id, family, dataset, item, unit, entity, year, value`` with
``series_id = techme/<dataset>/<code>/<entity>``, sorted by ``series_id`` then ``year``.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # loaded by path (the tests) rather than run as a script
    sys.path.insert(0, str(HERE))
from reference_panel import longest_positive_run  # noqa: E402  (the same rule as the R panel)

MIN_POINTS = 4
CSV_NAME = "reference_panel_cn.csv"
MD_NAME = "reference_panel_cn.md"
DEFAULT_SOURCE = HERE / "techme"
DEFAULT_OUT = HERE.parent / "xmforecast" / "data"
COLUMNS = ["series_id", "family", "dataset", "item", "unit", "entity", "year", "value"]

REPOSITORY = "github.com/huhuaping/techme"
COMMIT = "9ad60a190dec4a56953da9c478d42cd44c80762a"
COMMIT_DATE = "2026-07-17"

YEARBOOK_ST = "China Statistical Yearbook on Science and Technology"
# table -> (what it holds, where techme took it from; its help pages)
TABLES: dict[str, tuple[str, str]] = {
    "RDActivity": ("R&D spending by type of activity", YEARBOOK_ST),
    "RDSource": ("R&D spending by source of funds", YEARBOOK_ST),
    "RDIntense": ("R&D spending and R&D intensity (spending / GDP)", YEARBOOK_ST),
    "RDLaborHour": ("R&D personnel, full-time equivalent", YEARBOOK_ST),
    "RDPatentAccept": ("domestic patent applications accepted", YEARBOOK_ST),
    "RDPatentAuthority": ("domestic patents granted", YEARBOOK_ST),
    "RDPatentValid": ("valid domestic patents", YEARBOOK_ST),
    "MarketPull": ("technology market: contracts bought (inflow)", YEARBOOK_ST),
    "MarketPush": ("technology market: contracts sold (outflow)", YEARBOOK_ST),
    "PublicBudget": ("general public budget expenditure", "China Statistical Yearbook"),
    "HitechFirmsPub": ("high-tech enterprises on the year's lists", "innocom.gov.cn (high-tech enterprise recognition site)"),
}

HITECH_ITEM, HITECH_CODE, HITECH_UNIT = "高新技术企业数", "hitech_firms", "家"

# (table, item) -> family
FAMILY: dict[tuple[str, str], str] = {
    **{("RDActivity", i): "rd_money" for i in ("合计", "基础研究", "应用研究", "试验发展")},
    **{("RDSource", i): "rd_money" for i in ("政府资金", "企业资金")},
    ("RDIntense", "RD强度"): "intensity",
    **{(t, i): "patents" for t in ("RDPatentAccept", "RDPatentAuthority", "RDPatentValid")
       for i in ("合计", "发明", "实用新型", "外观设计")},
    **{(t, i): "tech_market" for t in ("MarketPull", "MarketPush") for i in ("金额", "数量")},
    ("HitechFirmsPub", HITECH_ITEM): "firms",
    **{("RDLaborHour", i): "personnel" for i in ("合计", "研究人员", "基础研究", "应用研究", "试验发展")},
    **{("PublicBudget", i): "public_budget" for i in ("合计", "科学技术")},
}
FAMILIES = ("rd_money", "intensity", "patents", "tech_market", "firms", "personnel", "public_budget")

# (table, item) -> why it is not in the panel
DROPPED: dict[tuple[str, str], str] = {
    ("RDIntense", "RD经费"): "total R&D spending in 亿元: the same quantity as RDActivity 合计 (万元, kept)",
    ("RDSource", "合计"): "total R&D spending: the same series as RDActivity 合计 (code v4_zh_nbzc_hj, kept)",
    ("RDSource", "国外资金"): "foreign funds: reclassified in 2019 (the national figure 714,143 -> 239,108 -> 900,678"
                          " 万元 in 2018-2020, most provinces alike), and values down to 2 万元 jump 10-270x a year",
    ("RDSource", "其他资金"): "other funds: the counterpart of the 2019 reclassification of foreign funds",
    ("PublicBudget", "教育"): "education spending: only the total and the science-and-technology line are kept",
    ("PublicBudget", "农林水"): "agriculture, forestry and water: only the total and the science-and-technology line are kept",
}

PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
)
# misprint in the tables -> the province it stands for
NAME_FIXES: dict[str, str] = {
    "内蒙占": "内蒙古", "江两": "江西", "江四": "江西", "山两": "山西",
    "两藏": "西藏", "四藏": "西藏", "浙汀": "浙江",
}
# totals over provinces, not provinces
AGGREGATES: dict[str, str] = {"全国": "national total", "尔部地区": "东部地区 (eastern region total), misprinted"}

# What a user of the panel should know; kept in the series, told in the notes.
DATA_NOTES: tuple[str, ...] = (
    "HitechFirmsPub counts the firms on each year's lists (Beijing about 10,000 a year, Guangdong"
    " 17,000-27,000): likely the firms recognised that year, a flow rather than the stock.",
    "Patents granted (RDPatentAuthority 合计) fall in 25 provinces in 2022 and in all 31 in 2023"
    " (utility models and designs above all), after the rises of 2020-2021.",
    "MarketPush for 西藏 has no value (NA) before 2017. Technology-market series of smaller"
    " provinces (广西, 海南, 西藏, 贵州, 重庆, ...) move by factors of 3 to 25 in a year.",
)


def read_table(source_dir: Path, table: str) -> pd.DataFrame:
    """One techme table as ``province, year, item, code, unit, value`` rows (names not yet checked)."""
    import rdata

    frame = rdata.read_rda(str(Path(source_dir) / f"{table}.rda"))[table]
    if table == "HitechFirmsPub":
        return pd.DataFrame({
            "province": frame["province"].astype(str), "year": frame["year"].to_numpy(dtype=float),
            "item": HITECH_ITEM, "code": HITECH_CODE, "unit": HITECH_UNIT,
            "value": frame["num"].to_numpy(dtype=float),
        })
    return pd.DataFrame({
        "province": frame["province"].astype(str), "year": frame["year"].astype(str).astype(float).to_numpy(),
        "item": frame["chn_block4"].astype(str), "code": frame["variables"].astype(str),
        "unit": frame["units"].astype(str), "value": frame["value"].to_numpy(dtype=float),
    })


def normalise_provinces(names: pd.Series, table: str) -> pd.Series:
    """Province names without white space and misprints; aggregates become NA (rule 4)."""
    cleaned = names.str.replace(r"\s+", "", regex=True).replace(NAME_FIXES)
    unknown = sorted(set(cleaned) - set(PROVINCES) - set(AGGREGATES))
    if unknown:
        raise SystemExit(f"{table}: province names neither known nor aggregates: {unknown}")
    return cleaned.where(~cleaned.isin(list(AGGREGATES)))


def table_rows(source_dir: Path, table: str) -> pd.DataFrame:
    """The kept items of one table: checked, provinces normalised, aggregates out (rules 2-5)."""
    rows = read_table(source_dir, table)
    items = set(rows["item"])
    unknown = sorted(i for i in items if (table, i) not in FAMILY and (table, i) not in DROPPED)
    missing = sorted(i for (t, i) in FAMILY if t == table and i not in items)
    if unknown or missing:
        raise SystemExit(f"{table}: items in neither FAMILY nor DROPPED: {unknown}; kept items missing: {missing}")
    per_item = rows.groupby("item")[["code", "unit"]].nunique()
    if (per_item > 1).any().any():
        raise SystemExit(f"{table}: an item with more than one code or unit:\n{per_item[(per_item > 1).any(axis=1)]}")
    if not np.array_equal(rows["year"], rows["year"].round()):
        raise SystemExit(f"{table}: years that are not whole numbers")
    rows["year"] = rows["year"].astype("int64")
    rows["entity"] = normalise_provinces(rows["province"], table)
    rows = rows[rows["entity"].notna() & rows["item"].map(lambda i: (table, i) in FAMILY)]
    if rows.duplicated(["code", "entity", "year"]).any():
        raise SystemExit(f"{table}: more than one row per item, province and year")
    return rows.assign(dataset=table, family=rows["item"].map(lambda i: FAMILY[(table, i)]))


def source_series(source_dir: Path | str = DEFAULT_SOURCE) -> pd.DataFrame:
    """Every point of every kept item and province, before rules 6 and 7, with its ``series_id``."""
    rows = pd.concat([table_rows(Path(source_dir), table) for table in TABLES], ignore_index=True)
    rows["series_id"] = "techme/" + rows["dataset"] + "/" + rows["code"] + "/" + rows["entity"]
    return rows[COLUMNS].sort_values(["series_id", "year"], kind="stable").reset_index(drop=True)


def build_panel(source_dir: Path | str = DEFAULT_SOURCE, min_points: int = MIN_POINTS) -> pd.DataFrame:
    """The panel: every kept series' longest positive run of at least ``min_points`` years.

    Returns
    -------
    pandas.DataFrame
        Columns ``series_id, family, dataset, item, unit, entity, year, value``, one row per
        point, sorted by ``series_id`` then ``year``.
    """
    return select_runs(source_series(source_dir), min_points)


def select_runs(source: pd.DataFrame, min_points: int = MIN_POINTS) -> pd.DataFrame:
    """Rules 6 and 7 applied to ``source_series()``: the panel that ``build_panel`` returns."""
    parts = []
    for _, group in source.groupby("series_id", sort=True):
        run = longest_positive_run(group.set_index("year")["value"])
        if len(run) >= min_points:
            parts.append(group[group["year"].isin(run.index)])
    return pd.concat(parts).reset_index(drop=True)


def render_csv(panel: pd.DataFrame) -> str:
    """The CSV text: ``\\n`` line ends, values as their shortest round-trip representation."""
    buffer = io.StringIO()
    panel.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _years(part: pd.DataFrame) -> str:
    return f"{part['year'].min()}-{part['year'].max()}"


def _lengths(part: pd.DataFrame) -> str:
    sizes = part.groupby("series_id").size()
    return f"{sizes.min()}-{sizes.max()}"


def _spans(years) -> str:
    """Years as compact runs: ``2000, 2005, 2012-2023``."""
    years, spans = sorted(years), []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)


def trimmed_series(panel: pd.DataFrame, source: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """``(series_id, years in the table, of which with a positive value, years kept)`` of every
    series that rules 6 and 7 cut or left out, except the technology-market series cut to
    2012-2023 only because the tables have no 2011."""
    source = source.assign(good=np.isfinite(source["value"]) & (source["value"] > 0))
    kept = panel.groupby("series_id")["year"].agg(list)
    rows = []
    for series_id, group in source.groupby("series_id"):
        years, years_kept = list(group["year"]), kept.get(series_id, [])
        if len(years_kept) == len(years):
            continue
        if _spans(years) == "2000, 2005, 2010, 2012-2023" and years_kept == list(range(2012, 2024)):
            continue
        good = _spans(group.loc[group["good"], "year"]) or "none"
        rows.append((series_id, _spans(years), good, _spans(years_kept) or "none"))
    return rows


def render_markdown(panel: pd.DataFrame, source: pd.DataFrame) -> str:
    """Provenance, counts and rules of the panel, as markdown (``source``: ``source_series()``)."""
    lines = [
        "# Chinese provincial science-and-technology reference panel",
        "",
        "`reference_panel_cn.csv` holds annual series for China's 31 provinces (R&D spending and",
        "intensity, R&D personnel, patents, technology-market contracts, high-tech firms, public",
        f"budget) as compiled in the R package techme: from the {YEARBOOK_ST}",
        "(National Bureau of Statistics), except the public budget (China Statistical Yearbook) and",
        "the high-tech firms (innocom.gov.cn, 2018-2024). `year` is the year the figures describe.",
        "",
        f"- source: {REPOSITORY}, commit `{COMMIT}` ({COMMIT_DATE}), `data/*.rda`",
        "- licence: MIT, Copyright (c) 2021 Hu Huaping (`bench/techme/LICENSE`)",
        "- the eleven `.rda` files are kept verbatim in `bench/techme/`, so the panel is rebuilt offline",
        "",
        "Rebuilt by `make panel` (script `bench/china_panel.py`, whose docstring gives every",
        "inclusion rule). A test checks that the script reproduces the CSV byte for byte.",
        "",
        "Columns: `series_id, family, dataset, item, unit, entity, year, value`, with",
        "`series_id = techme/<dataset>/<code>/<entity>` (`code` is techme's `variables` column,",
        "`hitech_firms` for HitechFirmsPub); `entity` is the province's Chinese name.",
        "",
        "## Counts",
        "",
        f"- series: {panel['series_id'].nunique()}",
        f"- points: {len(panel)}",
        f"- entities: {panel['entity'].nunique()}",
        f"- years: {_years(panel)}; series length: {_lengths(panel)} years",
        "",
        "| family | series | points | years | series length |",
        "|---|---|---|---|---|",
    ]
    for family in FAMILIES:
        part = panel[panel["family"] == family]
        lines.append(f"| {family} | {part['series_id'].nunique()} | {len(part)} | {_years(part)} | {_lengths(part)} |")
    lines += [
        "",
        "## Data sets",
        "",
        "| dataset | content | source | family | items kept [unit] (code) | years | series | points |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for table, (content, origin) in TABLES.items():
        part = panel[panel["dataset"] == table]
        kept = part[["item", "unit", "series_id"]].assign(code=part["series_id"].str.split("/").str[2])
        items = "; ".join(
            f"{item} [{unit}] (`{code}`)"
            for item, unit, code in kept[["item", "unit", "code"]].drop_duplicates().itertuples(index=False)
        )
        lines.append(
            f"| {table} | {content} | {origin} | {', '.join(sorted(set(part['family'])))} | {items} "
            f"| {_years(part)} | {part['series_id'].nunique()} | {len(part)} |"
        )
    lines += ["", "## Items left out", "", "| dataset | item | reason |", "|---|---|---|"]
    lines += [f"| {table} | {item} | {reason} |" for (table, item), reason in DROPPED.items()]
    lines += [
        "",
        "## Series cut or left out",
        "",
        "Every technology-market series (MarketPull, MarketPush) is cut to 2012-2023, as the tables",
        f"have no 2011; besides, rules 6 and 7 cut or leave out these (a series needs {MIN_POINTS} consecutive years):",
        "",
        "| series | years in the table | of which with a positive value | years kept |",
        "|---|---|---|---|",
    ]
    lines += [f"| `{sid}` | {have} | {good} | {kept} |" for sid, have, good, kept in trimmed_series(panel, source)]
    lines += ["", "## Notes on the data", ""]
    lines += [f"- {note}" for note in DATA_NOTES]
    lines += [
        "",
        "## Rules in short",
        "",
        "- province names without white space; the national total 全国 and the regional total",
        "  东部地区 (misprinted 尔部地区) left out; misprinted names mapped to their province: "
        + ", ".join(f"{bad} -> {good}" for bad, good in NAME_FIXES.items()) + ";",
        "- only finite, strictly positive values; of each series the longest run of consecutive",
        "  years kept (the latest run on a tie);",
        f"- a series is kept when that run has at least {MIN_POINTS} years.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE, help="folder of the techme .rda files")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT, help="folder of the CSV and the notes")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the shipped files differ from a rebuild")
    args = parser.parse_args(argv)
    source = source_series(args.source_dir)
    panel = select_runs(source)
    files = {CSV_NAME: render_csv(panel), MD_NAME: render_markdown(panel, source)}
    if args.check:
        stale = [name for name, text in files.items()
                 if not (args.out_dir / name).is_file() or (args.out_dir / name).read_bytes() != text.encode("utf-8")]
        for name in stale:
            print(f"{args.out_dir / name} differs from a rebuild: run `make panel`", file=sys.stderr)
        return 1 if stale else 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out_dir / name).write_text(text, encoding="utf-8", newline="")
    print(f"{panel['series_id'].nunique()} series, {len(panel)} points -> {args.out_dir / CSV_NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
