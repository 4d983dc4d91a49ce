"""The ``xmforecast`` command: indicators, forecast, targets, backtest, scenarios, run.

Every command takes ``--format table|csv|json``, ``--data FILE`` and ``--indicators FILE``
(another plan's registry: then the embedded Xiamen data are not used at all, and the
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
    from pandas.api.types import is_numeric_dtype

    text = [c for c in frame.columns if not is_numeric_dtype(frame[c])]
    if not text:
        return frame
    out = frame.copy()
    for column in text:
        out[column] = [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in out[column]]
    return out


def _emit(frame: pd.DataFrame, fmt: str, *, footer: str = "") -> None:
    out = sys.stdout
    if fmt == "csv":
        _defused(frame).to_csv(out, index=False, lineterminator="\n")
    elif fmt == "json":
        out.write(frame.to_json(orient="records", force_ascii=False, indent=1))
        out.write("\n")
    else:
        import pandas as pd

        with pd.option_context("display.width", 200, "display.max_columns", None,
                               "display.max_colwidth", 60, "display.unicode.east_asian_width", True):
            out.write(frame.to_string(index=False, na_rep="") + "\n")
        if footer:
            out.write(footer + "\n")


def _plan(args) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The registry (``--indicators``, default the embedded one) and its observations (+ ``--data``)."""
    from .data import load_observations
    from .registry import load_indicators

    reg = load_indicators(args.indicators)
    return reg, load_observations(args.data, indicators=reg)


def _indicators(args) -> None:
    from .registry import load_indicators

    reg = load_indicators(args.indicators)
    if args.data is not None:  # checked like every command's --data, though the registry does not use it
        from .data import read_user_observations

        read_user_observations(args.data, indicators=reg)
    frame = reg.copy()
    # `quote`: a quotation only, the target sentence where there is a target, else the baseline's;
    # `source`: where the baseline comes from (the seed, published history, ...).
    frame["quote"] = frame["target_quote"].where(frame["target_quote"].notna(), frame["base_quote"])
    frame["source"] = frame["base_source"]
    if args.format == "table":
        for col in ("quote", "source"):
            frame[col] = frame[col].fillna("").astype(str).str.slice(0, 30)
    _emit(frame[INDICATOR_COLUMNS], args.format)


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
    """An origin is an observed year (:func:`xmforecast.data.year_rule`), not after the data's last year."""
    from .data import in_year_range, year_rule

    if origin is None:
        return
    last = int(observations["year"].max())
    if origin > last:
        raise ParameterError(f"`--origin` {origin} is after the data's last year {last}; "
                             "give --data with later observations, or an earlier origin.")
    if not in_year_range(origin):
        raise ParameterError(f"`--origin` {year_rule()}; got {origin}.")


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
    from .engine import assess_targets
    from .report import run_warnings
    from .scenarios import default_scenario

    if args.n_paths is not None:
        _check_n_paths(args.n_paths)
    _check_range("--seed", args.seed, SEED_RANGE, "an integer")
    scenario = default_scenario()
    if args.scenario:
        from .scenarios import load_scenario

        scenario = load_scenario(args.scenario)
    # Every key of the scenario file applies; an option given on the command line wins.
    if args.data is None and scenario.data_file:
        args.data = scenario.data_file
    if getattr(args, "indicators", None) is None and getattr(scenario, "indicators_file", ""):
        args.indicators = scenario.indicators_file
    origin = args.origin if args.origin is not None else (scenario.origin if args.scenario else None)
    reg, obs = _plan(args)
    _check_origin(origin, obs)
    table = assess_targets(obs, reg, origin=origin, scenario=scenario,
                           n_paths=args.n_paths if args.n_paths is not None else scenario.n_paths,
                           rng=args.seed if args.seed is not None else scenario.seed)
    for line in run_warnings(table):
        print(f"xmforecast: warning: {line}", file=sys.stderr)
    from .targets import verdicts

    table["verdict"] = verdicts(table, reg)  # the pages' one verdict: past pace and forecast together
    cols = ["indicator", "target_year", "target_type", "target_value", "base_year", "base_value",
            "required_growth", "observed_growth", "progress_ratio", "status", "p_attain", "expected_year",
            "confidence", "base_rate", "reference_class", "vintage", "verdict"]
    if args.format == "table":
        table = table.round({"required_growth": 4, "observed_growth": 4, "progress_ratio": 3, "p_attain": 3,
                             "base_rate": 3})
    _emit(table[cols], args.format,
          footer="growth rates are fractions (0.2 = 20 %); p_attain = share of simulated paths meeting the target "
                 "in its year; empty p_attain = no baseline, or a model that cannot fit (stderr says which); "
                 "expected_year = first year the median path meets the target (a year, or 'after 2035'); "
                 "base_rate = share of the reference class's series of the same family that grew at least at the "
                 "required rate, in panel years up to the calibration vintage.")


def _forecast(args) -> None:
    from pandas import array as pd_array

    from .engine import forecast

    args.level = _level(args.level)
    _check_n_paths(args.n_paths)
    _check_range("--horizon", args.horizon, HORIZON_RANGE, "a whole number of years")
    _check_range("--seed", args.seed, SEED_RANGE, "an integer")
    reg, obs = _plan(args)
    _check_origin(args.origin, obs)
    frame = forecast(args.indicator, observations=obs, indicators=reg, origin=args.origin, horizon=args.horizon,
                     model=args.model, level=args.level, n_paths=args.n_paths, rng=args.seed)
    frame["vintage"] = pd_array([frame.attrs.get("vintage")] * len(frame), dtype="Int64")
    if args.format == "table":
        frame = frame.round({"point": 2, "lower": 2, "upper": 2})
    _emit(frame, args.format, footer=f"{args.level:g} % interval; model: {frame.attrs.get('reason', '')}")


def _backtest(args) -> None:
    from .engine import backtest_table

    args.level = _level(args.level)
    reg, obs = _plan(args)
    _check_origin(args.origin, obs)
    frame = backtest_table(obs, reg, origin=args.origin, level=args.level)
    if args.format == "table":
        frame = frame.round(3)
        frame["reason"] = frame["reason"].fillna("").astype(str).str.slice(0, 60)
    _emit(frame, args.format, footer="coverage: share of backtest actuals inside the nominal interval; "
                                     "chosen: the model `--model auto` uses (reason shortened; --format csv for all).")


def _run(args) -> None:
    from pathlib import Path

    if not args.out.strip():
        raise ParameterError("`--out` must name a folder for the reports (default reports); got ''.")
    if args.jobs < 1 or args.jobs > 64:
        raise ParameterError(f"`--jobs` must be a number of parallel notebooks in 1..64; got {args.jobs}.")
    params = args.params or sorted(str(p) for p in Path("params").glob("*.yaml"))
    if not params:
        raise XMForecastError("no scenario files given and none found in params/*.yaml.")
    # Say something at once: loading the runner and checking the notebooks take a few seconds.
    print(f"xmforecast run: {len(params)} scenario file(s) into {args.out}/", file=sys.stderr, flush=True)
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
    _emit(pd.DataFrame(rows), args.format)


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (default table)")
    common.add_argument("--data", metavar="FILE", default=None,
                        help="extra observations: CSV with indicator, year, value (newer rows win)")
    common.add_argument("--indicators", metavar="FILE", default=None,
                        help="another plan's registry (YAML); then observations come from its baselines "
                             "and --data only, none from the embedded Xiamen data")
    p = argparse.ArgumentParser(prog="xmforecast", description="Distance to target, probability of attainment "
                                "and what it would take, for the Xiamen S&T Bureau's 2017 targets.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    s.add_argument("--out", default="reports", help="reports folder (default reports)")
    s.add_argument("--jobs", type=int, default=2, help="notebooks run in parallel, 1-64 (default 2)")
    s.set_defaults(func=_run)
    return p


class _Terminated(BaseException):
    """SIGTERM before or after a run's own handling; a BaseException, as KeyboardInterrupt is,
    so that no ``except Exception`` on the way swallows it."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


def _terminate_gracefully() -> object:
    """SIGTERM ends the command with 143 and one line from the first instant, as Ctrl-C does.

    Only where SIGTERM has its default action: a disposition inherited as ignored stays so.
    The runner takes SIGTERM over while a run builds its folder. Returns the handler to
    restore (None: nothing changed).
    """
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _on_sigterm)
        return signal.SIG_DFL
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``xmforecast`` console script; returns the exit status."""
    previous = _terminate_gracefully()
    try:
        return _main(argv)
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
        args.func(args)
    except _Terminated:
        print("xmforecast: terminated (SIGTERM)", file=sys.stderr)
        return 143
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
