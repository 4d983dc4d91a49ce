"""The ``xmforecast`` command: indicators, forecast, targets, backtest, scenarios, run.

Every command takes ``--format table|csv|json``, ``--data FILE`` and ``--indicators FILE``
(another plan's registry: then the default plan's data are not used at all, and the
observations are the registry's baselines and ``--data``). A user's mistake gives one line
on stderr and exit status 1 (2 for a malformed command line); never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .exceptions import ParameterError, RunInterrupted, XMForecastError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["main"]

INDICATOR_COLUMNS = ["id", "name_zh", "name_en", "unit", "base_year", "base_value",
                     "target_year", "target_type", "target_value", "quote", "source"]
#: Simulated paths accepted by --n-paths, as in a scenario file.
N_PATHS_RANGE = (10, 1_000_000)
#: `--horizon` [years] and `--seed`, the ranges a scenario's `horizon` and `seed` have.
HORIZON_RANGE = (1, 30)
SEED_RANGE = (0, 2**63 - 1)


#: A text cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula, behind a leading apostrophe (OWASP's advice).

    Numbers stay numbers: only text cells change, so `-0.2` in a number column is untouched.
    """
    import pandas as pd
    from pandas.api.types import is_numeric_dtype

    text = [c for c in frame.columns if not is_numeric_dtype(frame[c])]
    if not text:
        return frame
    out = frame.copy()
    for column in text:
        risky = [isinstance(v, str) and v.startswith(_FORMULA_START) for v in out[column]]
        if any(risky):  # only then rewritten: a list of years and None would become floats
            out[column] = out[column].astype(object).where(~pd.Series(risky, index=out.index),
                                                           "'" + out[column].astype(str))
    return out


#: Columns a table may take in a terminal by default (`--wide`: every column, uncut).
TABLE_WIDTH = 100
#: Longest quotation or source shown by `--wide` in a table [terminal columns].
WIDE_TEXT = 40


def _text_width(text: str) -> int:
    """Terminal columns of `text`: a CJK character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shorten(text: str, width: int) -> str:
    """`text` in at most `width` columns, cut between words (never inside a number) with "…"."""
    if _text_width(text) <= width:
        return text
    if width < 2:
        return "…"[:width]
    head, used = [], 0
    for char in text:
        used += _text_width(char)
        if used > width - 1:
            break
        head.append(char)
    cut = "".join(head)
    following = text[len(cut)]

    def inside(a: str, b: str) -> bool:  # an ASCII word or number goes on across the cut
        return a.isascii() and b.isascii() and (a.isalnum() or a in ".,%") and (b.isalnum() or b in ".,%")

    if cut and inside(cut[-1], following):
        start = len(cut)
        while start > 0 and inside(cut[start - 1], cut[start - 1]):
            start -= 1
        cut = cut[:start] if start > 0 else cut
    return cut.rstrip(" ,;:、，；") + "…"


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` columns, broken between words."""
    import textwrap

    if _text_width(text) <= width:
        return [text]
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    return [line if _text_width(line) <= width else _shorten(line, width) for line in lines]


def _layout(cells: pd.DataFrame, *, right: tuple[str, ...] = (), shrink: tuple[str, ...] = (),
            wrap: tuple[str, ...] = (), width: int | None = TABLE_WIDTH) -> str:
    """Text cells as aligned columns two spaces apart; numbers right, text left.

    When the table is wider than `width`, the `wrap` columns (sentences) go on over several
    lines and the `shrink` columns (names, quotes) are cut at a word, the last first, to fit.
    """
    columns = list(cells.columns)
    rows = [[str(v) for v in row] for row in cells.itertuples(index=False)]
    sizes = {c: max([_text_width(c)] + [_text_width(r[i]) for r in rows]) for i, c in enumerate(columns)}
    if width is not None:
        excess = sum(sizes.values()) + 2 * (len(columns) - 1) - width
        for column, floor in [(c, 30) for c in wrap] + [(c, 12) for c in reversed(shrink)]:
            if excess <= 0:
                break
            take = min(excess, max(sizes[column] - max(_text_width(column), floor), 0))
            sizes[column] -= take
            excess -= take
        for column in shrink:
            i = columns.index(column)
            for r in rows:
                r[i] = _shorten(r[i], sizes[column])

    def pad(text: str, column: str) -> str:
        gap = " " * (sizes[column] - _text_width(text))
        return gap + text if column in right else text + gap

    lines = ["  ".join(pad(c, c) for c in columns)]
    for r in rows:
        parts = [_wrap(v, sizes[c]) if c in wrap else [v] for v, c in zip(r, columns)]
        for k in range(max(len(p) for p in parts)):
            lines.append("  ".join(pad(p[k] if k < len(p) else "", c) for p, c in zip(parts, columns)))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _emit(frame: pd.DataFrame, fmt: str, *, footer: str = "", table: pd.DataFrame | None = None,
          right: tuple[str, ...] = (), shrink: tuple[str, ...] = (), wrap: tuple[str, ...] = (),
          wide: bool = False) -> None:
    """`frame` as CSV or JSON (every column, numbers as numbers), or as a table for a person.

    A table shows `table` (text cells; default `frame`, blanks for missing values), fitted into
    :data:`TABLE_WIDTH` columns by wrapping the `wrap` columns and cutting the `shrink` ones,
    unless `wide`.
    """
    out = sys.stdout
    if fmt == "csv":
        _defused(frame).to_csv(out, index=False, lineterminator="\n")
    elif fmt == "json":
        out.write(frame.to_json(orient="records", force_ascii=False, indent=1))
        out.write("\n")
    else:
        cells = _cells(frame if table is None else table)
        out.write(_layout(cells, right=right, shrink=shrink, wrap=wrap, width=None if wide else TABLE_WIDTH))
        if footer:
            import textwrap

            for line in footer.splitlines():
                indent = line[: len(line) - len(line.lstrip())]
                out.write(textwrap.fill(line, TABLE_WIDTH, subsequent_indent=indent + "  ") + "\n")


def _cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text: blanks for missing values, whole numbers without ``.0``."""
    from .formatting import is_missing

    def text(value) -> str:
        if isinstance(value, str):
            return value
        if is_missing(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            return f"{value:.0f}"
        return str(value)

    return frame.astype(object).map(text)


def _numbers(frame: pd.DataFrame) -> list[str]:
    """The columns of `frame` a table aligns right: numbers, and years (``after 2035`` too)."""
    import numbers

    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    from .formatting import is_missing

    def numeric(column) -> bool:
        if is_bool_dtype(frame[column]):
            return False
        if is_numeric_dtype(frame[column]) or column.endswith("year"):
            return True
        values = [v for v in frame[column] if not is_missing(v)]
        return bool(values) and all(isinstance(v, numbers.Number) and not isinstance(v, bool) for v in values)

    return [c for c in frame.columns if numeric(c)]



def pd_frame(columns: dict) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns)


def _blank(text: str) -> str:
    """A table's empty cell where the report's formats write a dash for a missing value."""
    from .formatting import MISSING

    return "" if text == MISSING else text


def _percent(fraction, decimals: int = 0) -> str:
    from .formatting import to_float

    number = to_float(fraction)
    return "" if number is None else f"{100 * number:.{decimals}f} %"


def _plan(args, origin: int | None = None):
    """The one :class:`~xmforecast.Plan` a command works on: ``--indicators`` (default: the default
    plan folder) and ``--data``, as of ``origin`` (checked against the data first)."""
    from .plan import Plan

    plan = Plan.from_files(args.indicators, args.data)
    _check_origin(origin, plan.observations)
    return plan.with_origin(origin)


def _indicators(args) -> None:
    from .formatting import format_value, format_year, is_missing
    from .target_text import target_text

    # The plan every command reads, so a registry or --data another command refuses is refused
    # here in the same words, though the listing shows the registry only.
    reg = _plan(args).indicators
    frame = reg.copy()
    # `quote`: a quotation only, the target sentence where there is a target, else the baseline's;
    # `source`: where the baseline comes from (the seed, published history, ...).
    frame["quote"] = frame["target_quote"].where(frame["target_quote"].notna(), frame["base_quote"])
    frame["source"] = frame["base_source"]
    frame = frame[INDICATOR_COLUMNS]
    if args.format != "table":
        _emit(frame, args.format)
    elif args.wide:
        cells = _cells(frame)
        for column in ("quote", "source"):
            cells[column] = [_shorten(v, WIDE_TEXT) for v in cells[column]]
        _emit(frame, "table", table=cells, right=tuple(_numbers(frame)), wide=True)
    else:
        name = frame["name_en"].where(frame["name_en"].notna() & (frame["name_en"] != ""), frame["name_zh"])
        base = [f"{format_value(row['base_value'], row)} in {format_year(row['base_year'])}"
                if not is_missing(row["base_value"]) else "" for row in reg.to_dict("records")]
        target = [target_text(row, style="command") for row in reg.to_dict("records")]
        table = pd_frame({"id": frame["id"], "name": name.fillna(""), "unit": frame["unit"], "base": base,
                          "target": target})
        _emit(frame, "table", table=table, right=("base",), shrink=("name",),
              footer="--wide: every column, with the seed's quote and the source; --format csv|json: uncut.")


def _check_n_paths(n_paths: int) -> None:
    low, high = N_PATHS_RANGE
    if not low <= n_paths <= high:
        raise ParameterError(f"`--n-paths` must be a number of simulated paths in {low}..{high}; got {n_paths}.")


def _check_range(option: str, value: int | None, bounds: tuple[int, int], what: str) -> None:
    low, high = bounds
    if value is not None and not low <= value <= high:
        shown = "2**63-1" if high == 2**63 - 1 else high
        raise ParameterError(f"`{option}` must be {what} in {low}..{shown}; got {value}.")


def _check_origin(origin: int | None, observations: pd.DataFrame) -> None:
    """An origin is an observed year (:func:`xmforecast.rules.year_rule`) within the data's years."""
    from .rules import in_year_range, year_rule

    if origin is None:
        return
    last = int(observations["year"].max())
    if origin > last:
        raise ParameterError(f"`--origin` {origin} is after the data's last year {last}; "
                             "give --data with later observations, or an earlier origin.")
    if not in_year_range(origin):
        raise ParameterError(f"`--origin` {year_rule()}; got {origin}.")
    first = int(observations["year"].min())
    if origin < first:
        raise ParameterError(f"`--origin` {origin} is before the data's first year {first}; "
                             f"choose an origin from {first} on.")


def _level(text: str) -> float:
    """An interval level given as a percentage in (50, 99.9]; refuses a fraction such as 0.8."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ParameterError(f"`--level` must be a percentage such as 80; got {text!r}.") from None
    if not 50 < value <= 99.9:
        hint = f" (did you mean {100 * value:g}?)" if 0.5 < value <= 0.999 else ""
        raise ParameterError(f"`--level` must be a percentage in (50, 99.9]; got {value:g}{hint}.")
    return value


def _targets(args) -> None:
    from .formatting import format_percent
    from .summary import run_warnings
    from .summary import round_for_csv
    from .scenario_defaults import DEFAULT_SCENARIO
    from .target_text import target_text

    if args.n_paths is not None:
        _check_n_paths(args.n_paths)
    _check_range("--seed", args.seed, SEED_RANGE, "an integer")
    scenario = DEFAULT_SCENARIO  # its values only: pydantic is imported only to read a scenario file
    if args.scenario:
        from .scenarios import load_scenario

        scenario = load_scenario(args.scenario)
    # Every key of the scenario file applies; an option given on the command line wins.
    if args.data is None and scenario.data_file:
        args.data = scenario.data_file
    if getattr(args, "indicators", None) is None and getattr(scenario, "indicators_file", ""):
        args.indicators = scenario.indicators_file
    origin = args.origin if args.origin is not None else (scenario.origin if args.scenario else None)
    plan = _plan(args, origin)
    if not args.scenario:
        scenario = plan.default_scenario  # with the plan's own defaults, as a scenario file would have
    reg = plan.indicators
    table = plan.assess_targets(scenario=scenario, n_paths=args.n_paths if args.n_paths is not None else scenario.n_paths,
                                rng=args.seed if args.seed is not None else scenario.seed)
    for line in run_warnings(table):
        print(f"xmforecast: warning: {line}", file=sys.stderr)
    from .targets import verdicts

    table["verdict"] = verdicts(table, reg)  # the pages' one verdict: past pace and forecast together
    cols = ["indicator", "target_year", "target_type", "target_value", "base_year", "base_value",
            "required_growth", "observed_growth", "progress_ratio", "status", "p_attain", "expected_year",
            "confidence", "base_rate", "reference_class", "vintage", "verdict"]
    frame = round_for_csv(table)[cols]
    footer = ("growth rates are fractions (0.2 = 20 %); p_attain = share of simulated paths meeting the target "
              "in its year; empty p_attain = no baseline, or a model that cannot fit (stderr says which); "
              "expected_year = first year the median path meets the target (a year, or 'after 2035'); "
              "base_rate = share of the reference class's series of the same family that grew at least at the "
              "required rate, in panel years up to the calibration vintage.")
    if args.format != "table" or args.wide:
        _emit(frame, args.format, right=tuple(_numbers(frame)), wide=args.wide, footer=footer)
        return
    rows = table.merge(reg[["id", "unit", "direction"]].rename(columns={"id": "indicator"}), how="left",
                       on="indicator").to_dict("records")
    shown = pd_frame({
        "indicator": frame["indicator"],
        "target": [target_text(r, style="command") for r in rows],
        "required": [_blank(format_percent(r["required_growth"])) for r in rows],
        "expected": _cells(frame[["expected_year"]])["expected_year"],
        "verdict": frame["verdict"],
    })
    _emit(frame, "table", table=shown, right=("required", "expected"), shrink=("target",), wrap=("verdict",),
          footer="required: growth a year the target needs; expected: first year the median simulated path meets "
                 "it; verdict: the pace so far and the forecast's probability of meeting the target in its year. "
                 "--wide or --format csv|json: every column.")


def _forecast(args) -> None:
    from pandas import array as pd_array

    from .formatting import format_value
    from .summary import round_for_csv

    args.level = _level(args.level)
    _check_n_paths(args.n_paths)
    _check_range("--horizon", args.horizon, HORIZON_RANGE, "a whole number of years")
    _check_range("--seed", args.seed, SEED_RANGE, "an integer")
    plan = _plan(args, args.origin)
    reg = plan.indicators
    frame = plan.forecast(args.indicator, horizon=args.horizon, model=args.model, level=args.level,
                          n_paths=args.n_paths, rng=args.seed)
    frame["vintage"] = pd_array([frame.attrs.get("vintage")] * len(frame), dtype="Int64")
    reason = frame.attrs.get("reason", "")
    frame = round_for_csv(frame)
    table = None
    if args.format == "table":
        row = reg.loc[reg["id"] == args.indicator].iloc[0].to_dict()
        table = _cells(frame)
        for column in ("point", "lower", "upper"):
            table[column] = [_blank(format_value(v, row)) for v in frame[column]]
    _emit(frame, args.format, table=table, right=("year", "point", "lower", "upper", "vintage"), wide=args.wide,
          footer=f"{args.level:g} % interval; model: {reason}")


def _backtest(args) -> None:
    from .backtest import WHY_COLUMNS

    args.level = _level(args.level)
    plan = _plan(args, args.origin)
    reg = plan.indicators
    # `reason` says it in one sentence here; the same as data is for the pages, in their language.
    frame = plan.backtest(level=args.level).drop(columns=list(WHY_COLUMNS))
    frame = frame.round({"mape": 4, "coverage": 4, "scale_needed": 3, "sigma_scale": 3})
    table = None
    if args.format == "table":
        table = _cells(frame)
        table["mape"] = [_percent(v, 1) for v in frame["mape"]]
        table["coverage"] = [_percent(v) for v in frame["coverage"]]
        table["nominal"] = [_percent(v / 100) for v in frame["nominal"]]
        table["chosen"] = ["yes" if v else "" for v in frame["chosen"]]
    footer = ("coverage: share of backtest actuals inside the nominal interval; chosen: the model "
              "`--model auto` uses for the indicator, backtested as it forecasts; all: the ladder pooled.")
    if table is not None and not args.wide:
        table = table[["indicator", "model", "n", "mape", "coverage", "nominal", "chosen"]]
    if frame.empty:
        up_to = f" up to {plan.origin}" if plan.origin is not None else ""
        footer = f"nothing to backtest: no indicator has three or more observations{up_to}."
    elif table is not None and not args.wide:
        # The reasons, one line per indicator below the table, rather than a column cut to nothing.
        picked = frame[frame["chosen"].astype(bool)]  # an empty column is object-typed: index by truth
        footer = "\n".join([footer, "chosen, why:"] + [
            f"  {ind}: {why}" for ind, why in zip(picked["indicator"], picked["reason"])]
            + ["--wide or --format csv|json: every column, reasons uncut."])
    _emit(frame, args.format, table=table, right=("n", "mape", "coverage", "nominal", "scale_needed", "sigma_scale"),
          wide=args.wide, footer=footer)


def _run(args) -> None:
    from pathlib import Path

    if args.out is not None and not args.out.strip():
        raise ParameterError("`--out` must name a folder for the reports (default reports); got ''.")
    if args.jobs < 1 or args.jobs > 64:
        raise ParameterError(f"`--jobs` must be a number of parallel notebooks in 1..64; got {args.jobs}.")
    params = args.params or sorted(str(p) for p in Path("params").glob("*.yaml"))
    if not params:
        raise XMForecastError("no scenario files given and none found in params/*.yaml.")
    # Say something at once: loading the runner and checking the notebooks take a few seconds.
    where = f"{args.out}/" if args.out is not None else "the plan's reports folder"  # reports/ or reports/<plan>/
    print(f"xmforecast run: {len(params)} scenario file(s) into {where}", file=sys.stderr, flush=True)
    from .runner import run_suite

    run_dir = run_suite(params, out=args.out, jobs=args.jobs, data_file=args.data,
                        indicators_file=args.indicators)
    if args.format == "table":
        print(run_dir)
        return
    import pandas as pd

    record = {"status": "ok", "run_dir": str(run_dir.resolve()), "index": str((run_dir.parent / "index.html").resolve()),
              "run_index": str((run_dir / "index.html").resolve()), "summary": str((run_dir / "summary.csv").resolve()),
              "manifest": str((run_dir / "manifest.json").resolve())}
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    else:
        _emit(pd.DataFrame([record]), "csv")


def _scenarios(args) -> None:
    from pathlib import Path

    import pandas as pd

    from .scenarios import load_scenario

    folder = Path(args.folder)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise XMForecastError(f"no scenario files (*.yaml) in {folder}.")
    rows = []
    for path in files:
        s = load_scenario(path)
        rows.append({"file": str(path), "scenario": s.scenario, "title": s.title or s.scenario, "origin": s.origin,
                     "model": s.model, "n_paths": s.n_paths})
    frame = pd.DataFrame(rows)
    _emit(frame, args.format, right=("origin", "n_paths"), shrink=("title",), wide=args.wide)


class _Version(argparse.Action):
    """``--version``: the installed version, read from the package metadata only when asked
    (importing importlib.metadata costs every other command 10-30 ms)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from . import __version__

        print(f"{parser.prog} {__version__}")  # on stdout, as argparse's own version action
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (default table)")
    common.add_argument("--data", metavar="FILE", default=None,
                        help="extra observations: CSV with indicator, year, value (newer rows win)")
    common.add_argument("--indicators", metavar="FILE", default=None,
                        help="another plan's registry (YAML); then observations come from its baselines "
                             "and --data only, none from the default plan's")
    common.add_argument("--wide", action="store_true",
                        help=f"a table with every column, however wide (default: the main ones in {TABLE_WIDTH} "
                             "columns; --format csv|json always gives every column)")
    p = argparse.ArgumentParser(prog="xmforecast", description="Distance to target, probability of attainment "
                                "and what it would take, for a science and technology plan's targets "
                                "(default: the plan folder shipped with the package).")
    p.add_argument("--version", action=_Version, help="show the installed version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("indicators", parents=[common], help="the indicator registry, with seed quotes")
    s.set_defaults(func=_indicators)

    s = sub.add_parser("targets", parents=[common], help="distance to target, progress grade, probability")
    s.add_argument("--origin", type=int, default=None, help="use data up to this year (default: all data)")
    s.add_argument("--scenario", metavar="FILE", default=None, help="a params/*.yaml scenario file")
    s.add_argument("--n-paths", type=int, default=None, help="simulated paths (default: the scenario's, else 10000)")
    s.add_argument("--seed", type=int, default=None,
                   help="random seed, 0 to 2**63-1 (default: the scenario's, else 2017)")
    s.set_defaults(func=_targets)

    s = sub.add_parser("forecast", parents=[common], help="point and interval forecast of one indicator")
    s.add_argument("indicator", metavar="ID")
    s.add_argument("--origin", type=int, default=None, help="ignore data after this year")
    s.add_argument("--horizon", type=int, default=4, help="years ahead, 1-30 (default 4)")
    s.add_argument("--model", default="auto", help="model name, or auto (default)")
    s.add_argument("--level", default="80", help="interval level in percent, in (50, 99.9] (default 80)")
    s.add_argument("--n-paths", type=int, default=10_000, help="simulated paths for structural models")
    s.add_argument("--seed", type=int, default=2017, help="random seed, 0 to 2**63-1 (default 2017)")
    s.set_defaults(func=_forecast)

    s = sub.add_parser("backtest", parents=[common], help="rolling-origin backtest of every model and indicator")
    s.add_argument("--origin", type=int, default=None, help="ignore data after this year")
    s.add_argument("--level", default="80", help="interval level in percent, in (50, 99.9] (default 80)")
    s.set_defaults(func=_backtest)

    s = sub.add_parser("scenarios", parents=[common], help="the scenario files (params/*.yaml) with their titles")
    s.add_argument("folder", nargs="?", default="params", help="folder of the scenario files (default params)")
    s.set_defaults(func=_scenarios)

    s = sub.add_parser("run", parents=[common], help="run the notebooks over scenario files into a dated folder")
    s.add_argument("params", nargs="*", metavar="PARAMS", help="scenario files (default params/*.yaml)")
    s.add_argument("--out", default=None,
                   help="reports folder (default reports, or reports/<plan> for another plan's registry)")
    s.add_argument("--jobs", type=int, default=2, help="notebooks run in parallel, 1-64 (default 2)")
    s.set_defaults(func=_run)
    return p


def _on_sigterm(signum, frame) -> None:
    """Say so and exit with 143 at once.

    Not by raising an exception: the code a signal interrupts may swallow it (an import that
    wraps every error, as pydantic does while it builds its schemas, or a bare ``except``) and
    go on. Before a run takes SIGTERM over (and after) there is nothing to clean up.
    """
    import os

    os.write(2, b"xmforecast: terminated (SIGTERM)\n")
    os._exit(143)


def _on_sigint(signum, frame) -> None:
    """Ctrl-C outside a run: say so and exit with 130 at once.

    Not by the KeyboardInterrupt Python raises by default: one that lands while C code of an
    import evaluates Python (as some extensions do) marks the interpreter, which then ends the
    process by SIGINT (status -2) even after the command has said so and returned 130.
    """
    import os

    os.write(2, b"xmforecast: interrupted\n")
    os._exit(130)


def _take_over(signum: int, handler, default) -> object:
    """Install `handler` for `signum` where it still has its `default` disposition; return what to restore.

    SIGTERM and Ctrl-C then end the command with 143 or 130 and one line from the first instant
    (:func:`_on_sigterm`, :func:`_on_sigint`). A disposition inherited as ignored stays so (a
    background job of a script), and a caller's own handler is kept. The runner takes both
    signals over while a run builds its folder. None: nothing changed.
    """
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and signal.getsignal(signum) == default:
        signal.signal(signum, handler)
        return default
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``xmforecast`` console script; returns the exit status."""
    import signal

    previous = {signal.SIGTERM: _take_over(signal.SIGTERM, _on_sigterm, signal.SIG_DFL),
                signal.SIGINT: _take_over(signal.SIGINT, _on_sigint, signal.default_int_handler)}
    try:
        return _main(argv)
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def _main(argv: list[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        args.func(args)
    except RunInterrupted as err:  # Ctrl-C or SIGTERM during a run: 130 or 143, as the shell would
        print(f"xmforecast: {err}", file=sys.stderr)
        return 128 + err.signal_number
    except XMForecastError as err:
        print(f"xmforecast: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("xmforecast: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `xmforecast indicators | head`
        return 0
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
