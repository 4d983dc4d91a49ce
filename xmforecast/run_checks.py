"""What a run checks before it writes anything: its scenarios, its plan, its models and its notebooks.

Each refusal is one line that names the file at fault and ends "Nothing was run.", so that a
scheduled run fails at once, not inside a notebook minutes later.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from xmforecast.exceptions import ModelError, ParameterError, RunError, ScenarioError
from xmforecast.scenarios import Scenario, load_scenarios

__all__ = ["check_notebooks", "checked_scenarios"]


def checked_scenarios(params_files: Sequence[str | Path], *, data_file: str | Path | None,
                       indicators_file: str | Path | None) -> list[Scenario]:
    """The scenarios of `params_files`, with the run's data and plan, checked against that data before
    anything is written: one plan per run, readable observations, origins within the data, models known."""
    scenarios = load_scenarios(list(params_files))
    if data_file is not None:
        scenarios = [_with_data_file(s, data_file) for s in scenarios]
    if indicators_file is not None:
        scenarios = [_with_data_file(s, indicators_file, key="indicators_file") for s in scenarios]
    if not scenarios:
        raise ScenarioError("no params files given; pass at least one params/*.yaml file.")
    plans = {s.indicators_file for s in scenarios}
    if len(plans) > 1:
        shown = "; ".join(f"{s.source or s.scenario}: {s.indicators_file or 'embedded'}" for s in scenarios)
        raise ScenarioError(f"every scenario of a run must use the same `indicators_file` (one plan per run); "
                            f"got {shown}.")
    # A bad registry or observations file would fail every notebook: refuse it before anything is written.
    from .data import read_user_observations
    from .registry import load_indicators

    registry = load_indicators(scenarios[0].indicators_file or None)
    for path in sorted({s.data_file for s in scenarios if s.data_file}):
        read_user_observations(path, indicators=registry)
    _check_models(scenarios, _plans(scenarios))
    return scenarios


def _plans(scenarios: list[Scenario]) -> list:
    """One :class:`~xmforecast.Plan` per scenario, as of its origin, once the origin is known to lie
    within its data: a later one would be silently read as the last year, an earlier one would leave
    every indicator without history, found only inside a notebook."""
    from .plan import Plan

    whole = {path: Plan.from_files(scenarios[0].indicators_file or None, path or None)  # one read per data file
             for path in sorted({s.data_file for s in scenarios})}
    for s in scenarios:
        years = whole[s.data_file].all_observations["year"]
        first_year, last_year = int(years.min()), int(years.max())
        if s.origin < first_year:
            raise ScenarioError(f"{s.source or s.scenario}: key 'origin': {s.origin} is before the data's first year "
                                f"{first_year}; choose an origin from {first_year} on. "
                                f"Nothing was run.")
        if s.origin > last_year:
            raise ScenarioError(f"{s.source or s.scenario}: key 'origin': {s.origin} is after the data's last year "
                                f"{last_year}; add later observations with data_file, or choose an "
                                f"earlier origin. Nothing was run.")
    return [whole[s.data_file].with_origin(s.origin) for s in scenarios]


def _check_models(scenarios: list, plans: list) -> None:
    """Refuse a run in which a model cannot fit, before any kernel starts.

    Every indicator with history is fitted under each scenario, on its plan (fitting is cheap;
    simulating is what the notebooks spend their time on). A fit that fails with the default
    assumptions too is the data's doing: a last value of 0 or less, which leaves a growth model
    nothing to grow from, is refused naming the data file; too little history is left to the
    notebooks, which report it per indicator. One that fits with the defaults but not with the
    scenario's assumptions is the scenario's: its file is named, with the message that names the key.
    """
    from .fitting import fit_indicator

    for s, plan in zip(scenarios, plans):
        for ind in plan.ids:
            history = plan.history(ind)
            if history.empty:
                continue
            try:
                fit_indicator(plan, ind, history, s.model, s)
            except (ModelError, ParameterError) as err:
                try:
                    fit_indicator(plan, ind, history, s.model, None)
                except (ModelError, ParameterError) as data_err:
                    if history.iloc[-1] > 0:
                        continue  # too little history, say: the notebooks report it per indicator
                    where = s.data_file or "the plan's observations"
                    raise ScenarioError(f"{where}: indicator '{ind}', year {int(history.index[-1])}: {data_err} "
                                        f"Nothing was run.") from None
                raise ScenarioError(f"{s.source or s.scenario}: indicator '{ind}': {err} Nothing was run.") from None


def check_notebooks(nb_dir: Path, groups: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
    """Every notebook exists and declares every parameter it will be given."""
    import papermill

    for names, injected in groups:
        for name in names:
            path = nb_dir / name
            if not path.is_file():
                raise RunError(f"notebook {path} not found; nothing was run.")
            try:
                declared = papermill.inspect_notebook(str(path))
            except Exception as exc:
                raise RunError(f"notebook {path} cannot be read: {type(exc).__name__}: {exc}") from None
            missing = [key for key in injected if key not in declared]
            if missing:
                raise RunError(
                    f"notebook {path}: its cell tagged 'parameters' does not declare "
                    f"{', '.join(missing)}; the runner injects them. Nothing was run."
                )


def _with_data_file(scenario: Scenario, data_file: str | Path, *, key: str = "data_file") -> Scenario:
    path = Path(data_file).expanduser().resolve()
    if not path.is_file():
        what = "CSV" if key == "data_file" else "registry (YAML)"
        raise ParameterError(f"`{key}` must be an existing {what} file; got {str(data_file)!r}.")
    updated = Scenario.model_validate({**scenario.to_parameters(), key: str(path)})
    updated._source = scenario.source
    return updated
