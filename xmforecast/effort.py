"""What it takes, for every target: the growth, the level path and the lever each one needs.

One row per target of the registry, whatever its model:

- the constant yearly growth from the latest observation that just reaches the target,
  and that path year by year (``required_path``);
- the growth the model expects (its median path) and the probability of attainment;
- the growth needed to reach the target with a given probability (80 % by default), not
  only on the median path: the scenario's ``growth_shift`` scales every simulated path
  by ``(1 + shift) ** years``, so the shift that puts the chosen quantile of the
  target year's simulated values on the target is exact for those paths (the same seed
  re-run with that shift gives the probability asked);
- for an indicator with a structural model in the registry, the yearly amount of its
  lever (new certifications, patent grants, ...) that reaches the target
  (:func:`xmforecast.what_it_takes`).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .exceptions import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["EFFORT_COLUMNS", "what_it_takes", "what_it_takes_table", "shift_for_probability"]

#: Columns of :func:`what_it_takes_table`, in order.
EFFORT_COLUMNS = [
    "indicator", "direction", "target_year", "target_level", "latest_year", "latest_value", "years_left",
    "required_growth", "observed_growth", "expected_growth", "p_attain", "probability", "growth_for_probability",
    "growth_shift_for_probability", "lever", "lever_needed_per_year", "lever_last_observed", "required_path", "note",
]


def shift_for_probability(values, target: float, years: int, probability: float, *,
                          direction: str = "increase") -> float:
    """The yearly growth shift that makes a share ``probability`` of simulated values meet a target.

    Parameters
    ----------
    values : array-like
        Simulated values of the target year (one per path), before the shift.
    target : float
        Level to reach (a floor for ``increase``, a ceiling for ``decrease``).
    years : int
        Years over which the shift compounds (target year − last observed year), ≥ 1.
    probability : float
        Wanted share of paths meeting the target, in (0, 1).
    direction : {"increase", "decrease"}

    Returns
    -------
    float
        ``s`` such that ``values * (1 + s) ** years`` meets the target on that share of
        paths; NaN when the quantile is not positive (no growth rate reaches the target).

    Examples
    --------
    >>> round(shift_for_probability([90.0, 100.0, 110.0, 120.0, 130.0], 121.0, 1, 0.8), 4)
    0.21
    >>> round(shift_for_probability([4.0, 5.0, 6.0], 3.0, 2, 0.5, direction="decrease"), 4)
    -0.2254
    """
    import numpy as np

    if not 0.0 < probability < 1.0:
        raise ParameterError(f"`probability` must be between 0 and 1 (a fraction); got {probability!r}.")
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ParameterError(f"`years` must be a positive integer; got {years!r}.")
    arr = np.asarray(values, dtype=float)
    arr = arr[np.isfinite(arr)]
    if not arr.size or not target > 0:
        return math.nan
    # At least k = ceil(p * n) paths must meet the target: the k-th largest value must reach
    # a floor (increase), the k-th smallest stay under a ceiling (decrease).
    ordered = np.sort(arr)
    k = max(1, math.ceil(probability * arr.size - 1e-9))
    quantile = float(ordered[arr.size - k] if direction == "increase" else ordered[k - 1])
    if quantile <= 0:
        return math.nan
    return (target / quantile) ** (1.0 / years) - 1.0


def what_it_takes_table(plan, *, scenario: Any = None, probability: float = 0.8, n_paths: int | None = None,
                        rng: Any = None, evaluation: Any = None) -> pd.DataFrame:
    """What every target takes: growth, level path, probability-based growth and structural lever.

    Parameters
    ----------
    plan : Plan
        The registry and observations; only data up to its ``origin`` is used.
    scenario : Scenario, dict or None
        Assumptions; the probabilities are those of this scenario, and the growth shift
        needed is the scenario's ``growth_shift`` value that gives ``probability``.
    probability : float
        Wanted probability of attainment (default 0.8).
    n_paths : int, optional
    rng : int or Generator, optional
        As in :func:`xmforecast.evaluate_targets`.
    evaluation : TargetEvaluation, optional
        An evaluation already computed for the same plan and scenario (saves simulating
        again).

    Returns
    -------
    DataFrame
        Columns :data:`EFFORT_COLUMNS`, one row per target. Growth rates are fractions.
        ``required_growth``: constant yearly growth from ``latest_value`` to the target;
        ``expected_growth``: the median simulated path's; ``growth_for_probability``:
        the median path's yearly growth once shifted so that ``probability`` of the
        paths meet the target; ``growth_shift_for_probability``: the scenario's
        ``growth_shift`` that does it; ``required_path``: {year: level} from the latest
        observation to the target. NaN where the target year is already observed or
        there is nothing to project from (``note`` says which).

    Examples
    --------
    >>> from xmforecast import Plan
    >>> t = what_it_takes_table(Plan.default(), n_paths=200, rng=0)
    >>> bool((t.dropna(subset=["growth_for_probability"])["growth_for_probability"]
    ...       >= t.dropna(subset=["growth_for_probability"])["expected_growth"] - 1).all())
    True
    """
    import pandas as pd

    from .evaluation import evaluate_targets
    from .fitting import as_scenario

    sc = as_scenario(scenario, plan)
    if not 0.0 < float(probability) < 1.0:
        raise ParameterError(f"`probability` must be between 0 and 1 (a fraction); got {probability!r}.")
    ev = evaluation if evaluation is not None else evaluate_targets(plan, scenario=sc, n_paths=n_paths, rng=rng)
    levers = what_it_takes(plan, scenario=sc).set_index("indicator")
    directions = dict(zip(plan.registry["id"], plan.registry["direction"]))
    rows = []
    for rec in ev.table.to_dict("records"):
        ind = rec["indicator"]
        row = dict.fromkeys(EFFORT_COLUMNS, math.nan)
        row.update(indicator=ind, direction=directions.get(ind, "increase"), target_year=rec["target_year"],
                   target_level=rec.get("target_level", math.nan), latest_year=rec.get("latest_year", math.nan),
                   latest_value=rec.get("latest_value", math.nan), observed_growth=rec["observed_growth"],
                   p_attain=rec["p_attain"], probability=float(probability), lever="", required_path={},
                   note="")
        if ind in levers.index:
            lev = levers.loc[ind]
            row.update(lever=lev["lever"], lever_needed_per_year=lev["needed_per_year"],
                       lever_last_observed=lev["last_observed"])
        rows.append(_with_growths(row, rec, ev.simulations.get(ind), sc.growth_shift))
    out = pd.DataFrame(rows, columns=EFFORT_COLUMNS)
    for col in ("target_year", "latest_year", "years_left"):
        out[col] = pd.array(out[col], dtype="Float64").round().astype("Int64")
    return out


def _with_growths(row: dict, rec: dict, sim: Any, growth_shift: float) -> dict:
    """`row` with the growths its target needs: required, expected, and for the wanted probability.

    ``rec`` is the target's row of the evaluation, ``sim`` its simulation (None: not
    simulated) and ``growth_shift`` the scenario's.
    """
    import numpy as np

    from .targets import required_path

    notes = []
    level, latest, last = row["target_level"], row["latest_value"], row["latest_year"]
    target_year = int(rec["target_year"])
    if not (_finite(level) and _finite(latest) and _finite(last)):
        row["note"] = "no baseline or observation to start from"
        return row
    last = int(last)
    years = target_year - last
    row["years_left"] = years
    if years < 1:
        row["note"] = f"target year {target_year} already observed"
        return row
    if latest > 0:
        row["required_growth"] = (level / latest) ** (1.0 / years) - 1.0
        path = required_path(last, float(latest), target_year, float(level))
        row["required_path"] = {int(y): float(v) for y, v in path.items()}
    if sim is None or target_year not in sim.paths.index:
        notes.append("not simulated: " + (rec.get("note") or "no model could be fitted"))
    else:
        values = sim.paths.loc[target_year].to_numpy(dtype=float)
        median = float(np.median(values))
        if latest > 0 and median > 0:
            row["expected_growth"] = (median / latest) ** (1.0 / years) - 1.0
        extra = shift_for_probability(values, float(level), years, float(row["probability"]),
                                      direction=row["direction"])
        if math.isfinite(extra):
            total = (1.0 + growth_shift) * (1.0 + extra) - 1.0
            row["growth_shift_for_probability"] = total
            if _finite(row["expected_growth"]):
                row["growth_for_probability"] = (1.0 + row["expected_growth"]) * (1.0 + extra) - 1.0
            if (total > 0.5) if row["direction"] == "increase" else (total < -0.5):
                notes.append("needs a growth shift beyond the scenario range of ±0.5 a year")
        else:
            notes.append("no growth shift reaches the target (simulated values at or below zero)")
    row["note"] = "; ".join(notes)
    return row


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def what_it_takes(plan, *, scenario=None) -> pd.DataFrame:
    """What each target with a structural model needs per year, in the unit a programme controls.

    For every registry entry whose ``model`` is structural (its spec declares a ``lever``)
    and whose inputs have observations, the fitted model's ``required_lever`` gives the
    constant yearly amount of its lever that reaches the target level in the target year,
    under the scenario's settings. The embedded registry has two: the certified stock
    (first-time certifications per year [firms],
    :func:`xmforecast.stockflow.required_new_certifications`) and the patent ratio
    (invention patent grants per year [patents], :func:`xmforecast.patents.required_grants`).

    Parameters
    ----------
    plan : Plan
        The registry and observations; only data up to its ``origin`` is used.
    scenario : Scenario, dict or None
        Its model settings configure each structural model.

    Returns
    -------
    DataFrame
        One row per such target: ``indicator, lever, target_level, target_year,
        needed_per_year, last_observed, last_year, assumptions, lever_indicator``.
        ``needed_per_year`` is NaN once the target year is observed; a value ≤ 0 means no
        more of the lever is needed. ``lever_indicator`` is the registry id filling the
        model's lever role (its own target, if the plan sets one, is the plan's view of it).
    """
    import pandas as pd

    from .data import series
    from .fitting import as_scenario, configured_spec, declared_model, is_structural
    from .model_registry import MODELS
    from .targets import target_table

    observations, indicators, origin = plan.all_observations, plan.registry, plan.origin
    scenario = as_scenario(scenario, plan)
    table = target_table(indicators, observations, origin=origin).set_index("indicator")
    rows = []
    for ind in indicators["id"]:
        declared, inputs = declared_model(indicators, ind)
        spec_class = MODELS.get(declared)
        if not is_structural(spec_class) or not spec_class.lever or ind not in table.index:
            continue
        data = {role: series(observations, ref, origin=origin) for role, ref in inputs.items()}
        row = table.loc[ind]
        if any(s.empty for s in data.values()) or not math.isfinite(row["target_level"]):
            continue
        year, level = int(row["target_year"]), float(row["target_level"])
        fitted = configured_spec(spec_class, scenario).fit(data)
        needed = fitted.required_lever(level, year) if fitted.last_year < year else math.nan
        observed_year, observed = fitted.lever_observed
        rows.append(dict(indicator=ind, lever=spec_class.lever, target_level=level, target_year=year,
                         needed_per_year=needed, last_observed=float(observed), last_year=int(observed_year),
                         assumptions=fitted.lever_assumptions(year), lever_indicator=inputs[spec_class.lever_role]))
    return pd.DataFrame(rows, columns=["indicator", "lever", "target_level", "target_year", "needed_per_year",
                                       "last_observed", "last_year", "assumptions", "lever_indicator"])
