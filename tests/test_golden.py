"""The figures the product prints, frozen: `targets` CSV and each shipped scenario's summary.csv.

A refactor must leave every byte of these unchanged; a change that means to move a figure
rewrites the files on purpose (``python tests/test_golden.py --write``) and says why in its commit.
"""
from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
SCENARIOS = {
    "baseline": REPO / "params" / "baseline.yaml",
    "plan_push": REPO / "params" / "plan_push.yaml",
    "required_rate": REPO / "params" / "required_rate.yaml",
    "slowdown": REPO / "params" / "slowdown.yaml",
    "lakeside": REPO / "examples" / "lakeside" / "baseline.yaml",
}


def targets_csv(scenario: Path | None) -> str:
    """What ``xmforecast targets --format csv [--scenario F]`` prints."""
    from xmforecast import cli

    argv = ["targets", "--format", "csv"] + (["--scenario", str(scenario)] if scenario else [])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(argv) == 0
    return out.getvalue()


def summary_csv(scenario: Path) -> str:
    """The summary.csv the target_scenarios notebook writes for this scenario file."""
    import xmforecast
    from xmforecast import report
    from xmforecast.scenarios import load_scenario

    sc = load_scenario(scenario)
    plan = xmforecast.Plan.from_scenario(sc)  # as the notebook builds it
    registry, obs = plan.indicators, plan.observations
    ev = xmforecast.evaluate_targets(obs, registry, origin=sc.origin, scenario=sc)
    levers = xmforecast.what_it_takes(obs, registry, origin=sc.origin, scenario=sc)
    summary = report.scenario_summary(ev, registry, sc, levers=levers)
    return report.round_for_csv(summary).to_csv(index=False)


def _cases() -> dict[str, callable]:
    cases = {"targets_default.csv": lambda: targets_csv(None)}
    for name, path in SCENARIOS.items():
        cases[f"targets_{name}.csv"] = lambda path=path: targets_csv(path)
        cases[f"summary_{name}.csv"] = lambda path=path: summary_csv(path)
    return cases


@pytest.mark.parametrize("name", sorted(_cases()))
def test_printed_figures_are_byte_identical_to_the_frozen_ones(name):
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    assert _cases()[name]() == expected, f"{name} changed; if on purpose, rewrite it with --write"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_golden.py --write   (rewrites tests/golden/*.csv)")
    for name, make in _cases().items():
        (GOLDEN / name).write_text(make(), encoding="utf-8")
        print("wrote", GOLDEN / name)
