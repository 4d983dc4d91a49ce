"""Evaluating targets: deterministic metrics, then probability and year of attainment.

:func:`evaluate_targets` takes the target table (:func:`xmforecast.targets.target_table`),
simulates every target's indicator under the scenario (:mod:`xmforecast.simulation`) and
adds the probability, the expected year, the confidence and the outside view's base rate.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .exceptions import XMForecastError
from .fitting import as_scenario, check_model, fit_indicator, reference_of
from .simulation import simulate_with

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["TargetEvaluation", "TargetEvaluator", "evaluate_targets", "assess_targets", "SIMULATE_TO"]


#: Paths for the expected year of attainment run at least to this year; a target the median
#: path has not reached by then gets "after <year>".
SIMULATE_TO = 2035


@dataclass(frozen=True)
class TargetEvaluation:
    """Everything :func:`evaluate_targets` computed.

    Attributes
    ----------
    table : DataFrame
        One row per target (see :data:`xmforecast.targets.TARGET_COLUMNS`) plus ``model``,
        ``confidence``, ``target_level``, ``gap``, ``latest_year``, ``latest_value`` and ``note``.
    simulations : dict[str, IndicatorSimulation]
        The paths behind each probability, up to the scenario's horizon (or the target year).
    required_paths : dict[str, Series]
        Constant-growth path from the base to the target, by indicator, for charts.
    """

    table: Any
    simulations: dict = field(default_factory=dict)
    required_paths: dict = field(default_factory=dict)


def _confidence(evidence: str, n_own: int) -> str:
    """How far to trust a probability: ``high``, ``medium`` or ``low``.

    - ``low``: the outside view (one observation: the panel's distribution of changes), or
      two observations (one growth rate);
    - ``medium``: three to five observations, or a structural model (known arithmetic, but
      rates partly assumed) on an indicator with fewer than six;
    - ``high``: six observations or more, growth or structural model alike.
    """
    if evidence == "outside view" or n_own < 3:
        return "low"
    return "high" if n_own >= 6 else "medium"


def _seed(rng):
    """One seed for every indicator's paths, so that no indicator's draws depend on another's."""
    import numpy as np

    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    return rng


class _FitCache:
    """The fits of one plan (data and origin), by indicator, model and the scenario's model settings.

    A fit depends on nothing else, so the simulations of one evaluation (to the horizon, then
    further) and the evaluations of a sensitivity (one per value of an assumption) share it.
    """

    def __init__(self):
        self._fits = {}

    def __call__(self, plan, indicator, history, model, scenario):
        from .scenario_defaults import MODEL_SETTINGS

        key = (indicator, model, *(getattr(scenario, name) for name in MODEL_SETTINGS))
        if key not in self._fits:
            self._fits[key] = fit_indicator(plan, indicator, history, model, scenario)
        return self._fits[key]


@dataclass(frozen=True)
class _Run:
    """What the simulation of every target of one evaluation shares."""

    plan: Any
    scenario: Any
    n_paths: int
    model: str
    seed: Any
    fit: Any = fit_indicator


def _attain(run: _Run, row, history, direction: str):
    """One target's required path (up to the paths kept), simulation, probability and expected year.

    The simulation is None, and the error says why, when the indicator's model cannot be
    fitted or simulated.
    """
    from .targets import attainment, required_path

    last, target_year = int(history.index[-1]), int(row["target_year"])
    horizon = max(target_year - last, run.scenario.horizon, 1)  # the paths kept, for charts
    until = max(last + horizon, SIMULATE_TO)  # the paths simulated, if need be, for the expected year
    req = required_path(int(row["base_year"]), float(row["base_value"]), target_year,
                        float(row["target_level"]), last_year=until)
    kept = req.loc[:last + horizon]
    try:
        # Up to the horizon first; further only when the median path has not met the target by then.
        for steps in dict.fromkeys((horizon, until - last)):
            sim = simulate_with(run.plan, row["indicator"], horizon=steps, n_paths=run.n_paths, rng=run.seed,
                                scenario=run.scenario, model=run.model, required_path=req, fit_model=run.fit)
            p, year = attainment(sim.paths, target_year, float(row["target_level"]), direction=direction)
            if math.isfinite(year):
                break
    except XMForecastError as err:
        return kept, None, math.nan, None, err
    expected = int(year) if math.isfinite(year) else f"after {until}"
    return kept, replace(sim, paths=sim.paths.loc[:last + horizon]), p, expected, None


def evaluate_targets(plan, *, scenario=None, n_paths: int | None = None, rng=None, model: str | None = None,
                     ids: list[str] | None = None) -> TargetEvaluation:
    """Assess every target: deterministic metrics, then probability and year of attainment.

    Parameters
    ----------
    plan : Plan
        The registry and observations; only data up to its ``origin`` is used.
    scenario : Scenario, dict or None
        Assumptions; its ``n_paths``, ``seed``, ``model`` and ``horizon`` are the defaults here.
    n_paths : int, optional
    rng : int or Generator, optional
        Default: the scenario's seed. Every indicator's paths start from the same seed (a
        Generator gives one draw for it), so a probability does not depend on which other
        indicators the registry holds or in which order.
    model : str, optional
    ids : list of str, optional
        Only these targets.

    Returns
    -------
    TargetEvaluation
        Its table adds to :func:`xmforecast.target_table`: ``model``; ``confidence``
        (``high``/``medium``/``low``: six observations or more are high, three to five or
        a structural model on fewer are medium, two observations or the outside view are
        low; a target whose year is observed is high); ``expected_year``, the first year
        the median path meets the target, simulated to :data:`SIMULATE_TO` at least
        (an int, or the text ``"after 2035"``). An indicator with a single observation gets
        its probability from ``auto``'s outside view, said so in ``note``.
    """
    scenario = as_scenario(scenario, plan)
    check_model(scenario.model if model is None else model)
    return TargetEvaluator(plan, ids).evaluate(scenario, n_paths, rng, model)


class TargetEvaluator:
    """Evaluations of the same targets of one plan, under several scenarios.

    What does not depend on the scenario is computed once: the target table, the base rates
    and each model's fit (:class:`_FitCache`); :meth:`evaluate` is :func:`evaluate_targets`.
    """

    def __init__(self, plan, ids: list[str] | None = None):
        self.plan, self.ids = plan, ids
        self._fits = _FitCache()
        self._targets = None
        self._base_rates = None

    def _target_table(self):
        from .targets import target_table

        if self._targets is None:
            table = target_table(self.plan.registry, self.plan.all_observations, origin=self.plan.origin)
            if self.ids is not None:
                table = table[table["indicator"].isin(self.ids)].reset_index(drop=True)
            self._targets = table
        return self._targets.copy()

    def _add_base_rates(self, table) -> None:
        if self._base_rates is None:
            rates = self._target_table()
            _add_base_rates(rates, self.plan)
            self._base_rates = rates[_BASE_RATE_COLUMNS]
        for column in self._base_rates.columns:
            table[column] = self._base_rates[column].copy()

    def evaluate(self, scenario, n_paths: int | None = None, rng=None, model: str | None = None) -> TargetEvaluation:
        """:func:`evaluate_targets` of these targets under `scenario` (a Scenario)."""
        import numpy as np

        from .data import series

        model = scenario.model if model is None else model
        check_model(model)
        run = _Run(self.plan, scenario,
                   scenario.n_paths if n_paths is None else n_paths, model,
                   _seed(scenario.seed if rng is None else rng), self._fits)
        table = self._target_table()
        table["model"] = ""
        table["confidence"] = np.where(table["status"].isin(["met", "missed"]), "high", "")
        table["expected_year"] = [int(v) if math.isfinite(v) else v for v in table["expected_year"].astype(float)]
        table["expected_year"] = table["expected_year"].astype(object)
        directions = dict(zip(self.plan.registry["id"], self.plan.registry["direction"]))
        sims, req_paths = {}, {}

        def add_note(i, text):
            table.at[i, "note"] = "; ".join(t for t in (table.at[i, "note"], text) if t)

        for i, row in table.iterrows():
            ind = row["indicator"]
            if not np.isfinite(row["base_value"]) or row["status"] in ("met", "missed"):
                continue
            history = series(self.plan.all_observations, ind, origin=self.plan.origin)
            if history.empty:
                add_note(i, f"no observation up to {self.plan.origin}: nothing to project from")
                continue
            req_paths[ind], sim, p, expected, error = _attain(run, row, history, directions.get(ind, "increase"))
            if sim is None:  # a series a model cannot use: say so in the row, keep the others
                add_note(i, f"not simulated: {error}")
                continue
            sims[ind] = sim
            table.at[i, "p_attain"] = p
            table.at[i, "expected_year"] = expected
            table.at[i, "model"] = sim.model
            table.at[i, "confidence"] = _confidence(sim.evidence, len(history))
            add_note(i, sim.caveat)
        self._add_base_rates(table)
        return TargetEvaluation(table, sims, req_paths)


_BASE_RATE_COLUMNS = ["base_rate", "base_rate_note", "reference_class", "family", "vintage"]


def _add_base_rates(table, plan) -> None:
    """``base_rate``, ``base_rate_note``, ``reference_class``, ``family`` and ``vintage`` of every target row.

    The base rate is the share of the reference class's series of the indicator's family that
    grew at least at the required rate over the target's horizon, in panel years up to the
    vintage of the indicator's last observation (as ``auto`` uses it).
    """
    import pandas as pd

    from .data import series
    from .reference import base_rate, base_rate_sentence, load_vintage, vintage_for, vintages

    observations, indicators, origin = plan.all_observations, plan.registry, plan.origin
    directions = dict(zip(indicators["id"], indicators["direction"]))
    rates, notes, classes, families, years = [], [], [], [], []
    for row in table.itertuples(index=False):
        ref = reference_of(indicators, row.indicator)
        history = series(observations, row.indicator, origin=origin)
        last = int(history.index[-1]) if not history.empty else row.base_year
        rate, note, vintage = math.nan, "", None
        if isinstance(last, (int, float)) and math.isfinite(last) and math.isfinite(row.required_growth):
            vintage, _ = vintage_for(int(last), vintages(ref["reference_class"]))
            vintage_table = load_vintage(ref["reference_class"], vintage)
            horizon = int(row.target_year) - int(row.base_year)
            direction = directions.get(row.indicator, "increase")
            rate = base_rate(float(row.required_growth), horizon, table=vintage_table, family=ref["family"],
                             direction=direction)
            note = base_rate_sentence(float(row.required_growth), horizon, rate, table=vintage_table,
                                      family=ref["family"], direction=direction)
        rates.append(rate)
        notes.append(note)
        classes.append(ref["reference_class"])
        families.append(ref["family"])
        years.append(vintage)
    table["base_rate"] = rates
    table["base_rate_note"] = notes
    table["reference_class"] = classes
    table["family"] = families
    table["vintage"] = pd.array(years, dtype="Int64")  # a year, or missing


def assess_targets(plan, *, scenario=None, n_paths: int | None = None, rng=None,
                   model: str | None = None) -> pd.DataFrame:
    """The target table of :func:`evaluate_targets` (one row per target).

    Examples
    --------
    >>> from xmforecast import Plan
    >>> t = assess_targets(Plan.default(), n_paths=200, rng=0)
    >>> bool(t["confidence"].isin(["high", "medium", "low", ""]).all())
    True
    """
    return evaluate_targets(plan, scenario=scenario, n_paths=n_paths, rng=rng, model=model).table
