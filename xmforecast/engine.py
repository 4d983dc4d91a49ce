"""The engine: forecast and simulate any indicator, and assess every target under a scenario.

Each function takes a frame of observations and a registry (the Xiamen files are the
embedded default), so the same calls serve another city or another plan.

Model choice per indicator: a structural model where the arithmetic is known
(``hightech_enterprises``: three-year certificates; ``invention_patents_per_10k``: valid
patents over population) and its inputs are present; otherwise the growth-model ladder,
chosen by rolling-origin backtest (:func:`xmforecast.backtest.choose`), with the pooled
backtest over all indicators as evidence since each series alone is short.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .exceptions import ParameterError, XMForecastError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "IndicatorSimulation",
    "TargetEvaluation",
    "forecast",
    "simulate_indicator",
    "evaluate_targets",
    "assess_targets",
    "backtest_table",
    "sensitivity",
    "what_it_takes",
    "explore",
    "STRUCTURAL",
]

log = logging.getLogger(__name__)
_STRUCTURAL_NOTE = "structural model"

#: Indicators with a structural model, and the observation ids each model needs.
STRUCTURAL = {
    "hightech_enterprises": ("hightech_enterprises", "hightech_new_certified"),
    "invention_patents_per_10k": ("valid_invention_patents", "invention_patent_grants", "population"),
}


@dataclass(frozen=True)
class IndicatorSimulation:
    """Simulated future of one indicator.

    Attributes
    ----------
    indicator : str
        Registry id.
    history : Series
        The observations used (up to the origin), by year.
    paths : DataFrame
        Years × paths of simulated values, after the scenario's adjustments.
    model : str
        Name of the model behind the paths.
    notes : str
        How the model was chosen, and what was assumed.
    """

    indicator: str
    history: Any
    paths: Any
    model: str
    notes: str = ""


@dataclass(frozen=True)
class TargetEvaluation:
    """Everything :func:`evaluate_targets` computed.

    Attributes
    ----------
    table : DataFrame
        One row per target (see :data:`xmforecast.targets.TARGET_COLUMNS`) plus ``model``,
        ``target_level``, ``gap``, ``latest_year``, ``latest_value`` and ``note``.
    simulations : dict[str, IndicatorSimulation]
        The paths behind each probability.
    required_paths : dict[str, Series]
        Constant-growth path from the base to the target, by indicator, for charts.
    """

    table: Any
    simulations: dict = field(default_factory=dict)
    required_paths: dict = field(default_factory=dict)


def _resolve(observations, indicators, data_file=None):
    from .data import load_observations
    from .registry import load_indicators

    if indicators is None:
        indicators = load_indicators()
    if observations is None:
        observations = load_observations(data_file, indicators=indicators)
    return observations, indicators


def _scenario(scenario):
    from .scenarios import Scenario

    if scenario is None:
        return Scenario(scenario="default")
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario(**{"scenario": "custom", **scenario})
    raise ParameterError(f"`scenario` must be a Scenario, a dict or None; got {type(scenario).__name__}.")


def _check_model(model):
    from .models import MODELS

    valid = ["auto", "structural", *sorted(MODELS)]
    if model not in valid:
        raise ParameterError(f"unknown model {model!r}; valid: {', '.join(valid)}.")


def _check_common(indicator, indicators, horizon, level):
    ids = list(indicators["id"])
    if indicator not in ids:
        raise ParameterError(f"unknown indicator '{indicator}'; valid ids: {', '.join(ids)}.")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ParameterError(f"`horizon` must be a positive integer; got {horizon!r}.")
    if not (0 < float(level) < 100):
        raise ParameterError(f"`level` must be between 0 and 100 (a percentage); got {level:g}.")


def _history(observations, indicator, origin):
    from .data import series

    full = series(observations, indicator)
    if full.empty:
        raise ParameterError(f"no observations of '{indicator}'; add some with --data.")
    if origin is not None and origin < int(full.index[0]):
        raise ParameterError(
            f"`origin` {origin} is before the first observation of '{indicator}' ({int(full.index[0])})."
        )
    return full if origin is None else full[full.index <= origin]


def _spread(spec_class, field_name, rate):
    """The spec's default spread of a rate, narrowed where a given rate near 0 or 1 cannot bear it."""
    import dataclasses
    import math

    default = next(f.default for f in dataclasses.fields(spec_class) if f.name == field_name)
    return default if rate is None else min(default, 0.5 * math.sqrt(rate * (1.0 - rate)))


def _structural_spec(indicator, scenario):
    from .patents import PatentRatio
    from .stockflow import CertifiedStock

    if indicator == "hightech_enterprises":
        return CertifiedStock(
            recertification_rate=scenario.recertification_rate,
            recertification_sd=_spread(CertifiedStock, "recertification_sd", scenario.recertification_rate),
            exit_rate=scenario.exit_rate,
            new_per_year=scenario.new_certifications,
        )
    kwargs = {"lapse_sd": _spread(PatentRatio, "lapse_sd", scenario.patent_lapse_rate)}
    if scenario.patent_lapse_rate is not None:
        kwargs["lapse_rate"] = scenario.patent_lapse_rate
    if scenario.population_growth is not None:
        kwargs["population_growth"] = scenario.population_growth
    return PatentRatio(**kwargs)


def _fit(indicator, observations, history, origin, model, scenario, level, panel_scores):
    """Fit the model for one indicator; returns (fitted, model name, notes)."""
    from .backtest import choose
    from .data import series
    from .models import get_model

    if model in ("auto", "structural") and indicator in STRUCTURAL:
        inputs = [series(observations, i, origin=origin) for i in STRUCTURAL[indicator]]
        if all(len(s) for s in inputs):
            spec = _structural_spec(indicator, scenario)
            return spec.fit(dict(zip(spec.roles, inputs))), spec.name, _STRUCTURAL_NOTE
        if model == "structural":
            missing = [i for i, s in zip(STRUCTURAL[indicator], inputs) if not len(s)]
            raise ParameterError(f"structural model of '{indicator}' needs observations of {', '.join(missing)}.")
        log.info("%s: structural inputs missing; using the growth-model ladder", indicator)
    elif model == "structural":
        raise ParameterError(f"no structural model for '{indicator}'; those with one: {', '.join(STRUCTURAL)}.")
    if model == "auto":
        fitted, table = choose(history, panel_scores=panel_scores, level=level)
        why = str(table["reason"].iloc[0]) if len(table) else ""  # the chosen model is the first row
        return fitted, getattr(fitted.spec, "name", "auto"), f"chosen by backtest{': ' + why if why else ''}"
    spec = get_model(model)
    return spec.fit(history), spec.name, f"model {model} as asked"


def forecast(indicator: str, *, observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None,
             data_file: str | None = None, origin: int | None = None, horizon: int = 4, model: str = "auto",
             level: float = 80, n_paths: int = 10_000, rng=None) -> pd.DataFrame:
    """Point and interval forecast of one indicator from an origin year.

    Parameters
    ----------
    indicator : str
        Registry id.
    observations, indicators : DataFrame, optional
        Default: the embedded data (plus ``data_file``).
    origin : int, optional
        Use only data up to this year (default: all).
    horizon : int
        Years ahead of the last observation used.
    model : str
        ``auto`` (structural where known, else chosen by backtest), ``structural`` or a
        ladder name (see :data:`xmforecast.models.MODELS`).
    level : float
        Central interval level [%].
    n_paths : int
        Paths for models whose intervals come from simulation.
    rng : int or Generator, optional

    Returns
    -------
    DataFrame
        Columns ``indicator, year, point, lower, upper, model``; ``.attrs["reason"]`` says
        why the model was used.

    Examples
    --------
    >>> f = forecast("tech_trade", origin=2016, horizon=2, n_paths=500, rng=1)
    >>> f["year"].tolist()
    [2017, 2018]
    """
    observations, indicators = _resolve(observations, indicators, data_file)
    _check_common(indicator, indicators, horizon, level)
    _check_model(model)
    history = _history(observations, indicator, origin)
    scenario = _scenario(None)
    panel = _panel_scores(observations, indicators, origin, level) if model == "auto" else None
    fitted, name, notes = _fit(indicator, observations, history, origin, model, scenario, level, panel)
    # Structural models take their intervals from simulated paths: pass the caller's n_paths and rng.
    extra = {"n_paths": n_paths, "rng": rng} if notes == _STRUCTURAL_NOTE else {}
    frame = fitted.forecast(horizon, level=level, **extra).reset_index()
    frame = frame.rename(columns={frame.columns[0]: "year"})
    frame.insert(0, "indicator", indicator)
    frame["model"] = name
    frame = frame[["indicator", "year", "point", "lower", "upper", "model"]]
    frame.attrs["reason"] = notes  # why this model: "structural model", the backtest's reason, or "as asked"
    return frame


def _panel_scores(observations, indicators, origin, level):
    """Backtest scores pooled over every indicator with enough history (None if too little)."""
    from .backtest import backtest_panel
    from .data import series

    by_id = {}
    for ind in indicators["id"]:
        s = series(observations, ind, origin=origin)
        if len(s) >= 3:
            by_id[ind] = s
    if not by_id:
        return None
    return backtest_panel(by_id, level=level)


def _apply_scenario(paths, history, scenario, required):
    """Shift growth, scale spread, or recentre on the required path, as the scenario says."""
    import numpy as np

    values = paths.to_numpy(dtype=float)
    years = paths.index.to_numpy(dtype=int)
    last = int(history.index[-1])
    median = np.median(values, axis=1, keepdims=True)
    safe = np.where(median > 0, median, 1.0)
    if scenario.volatility_scale != 1.0:
        ratio = np.clip(values / safe, 1e-12, None)
        values = np.where(median > 0, safe * ratio ** scenario.volatility_scale, values)
        median = np.median(values, axis=1, keepdims=True)
        safe = np.where(median > 0, median, 1.0)
    if scenario.at_required_rate and required is not None:
        # Keep the model's spread around a median that grows exactly at the required rate.
        target = required.reindex(years).to_numpy(dtype=float)[:, None]
        values = np.where(median > 0, values / safe * target, target)
    if scenario.growth_shift:
        values = values * (1.0 + scenario.growth_shift) ** (years - last)[:, None]
    return paths.__class__(values, index=paths.index, columns=paths.columns)


def simulate_indicator(indicator: str, *, observations: pd.DataFrame | None = None,
                       indicators: pd.DataFrame | None = None, origin: int | None = None, horizon: int = 4,
                       n_paths: int = 10_000, rng=None, scenario=None, model: str = "auto",
                       required_path: pd.Series | None = None, panel_scores=None) -> IndicatorSimulation:
    """Simulated paths of one indicator under a scenario.

    Parameters
    ----------
    indicator : str
        Registry id.
    observations, indicators : DataFrame, optional
        Default: the embedded data.
    origin : int, optional
        Use only data up to this year.
    horizon : int
        Years simulated after the last observation used.
    n_paths : int
        Number of paths.
    rng : int or Generator, optional
        Passed to :func:`numpy.random.default_rng`.
    scenario : Scenario, dict or None
        Assumptions (see :class:`xmforecast.scenarios.Scenario`).
    model : str
        As in :func:`forecast`.
    required_path : Series, optional
        Needed when the scenario sets ``at_required_rate``.
    panel_scores : optional
        Pooled backtest scores, to avoid recomputing them per indicator.

    Returns
    -------
    IndicatorSimulation
    """
    import numpy as np

    observations, indicators = _resolve(observations, indicators)
    scenario = _scenario(scenario)
    _check_common(indicator, indicators, horizon, scenario.level)
    if isinstance(n_paths, bool) or not isinstance(n_paths, int) or n_paths < 1:
        raise ParameterError(f"`n_paths` must be a positive integer; got {n_paths!r}.")
    history = _history(observations, indicator, origin)
    if panel_scores is None and model == "auto":
        panel_scores = _panel_scores(observations, indicators, origin, scenario.level)
    fitted, name, notes = _fit(indicator, observations, history, origin, model, scenario, scenario.level, panel_scores)
    paths = fitted.simulate(horizon, n_paths, rng=np.random.default_rng(rng))
    paths = _apply_scenario(paths, history, scenario, required_path)
    return IndicatorSimulation(indicator, history, paths, name, notes)


def evaluate_targets(observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                     origin: int | None = None, scenario=None, n_paths: int | None = None, rng=None,
                     model: str | None = None, ids: list[str] | None = None) -> TargetEvaluation:
    """Assess every target: deterministic metrics, then probability and year of attainment.

    Parameters
    ----------
    observations, indicators : DataFrame, optional
        Default: the embedded data.
    origin : int, optional
        Use only data up to this year (default: all data).
    scenario : Scenario, dict or None
        Assumptions; its ``n_paths``, ``seed``, ``model`` and ``horizon`` are the defaults here.
    n_paths : int, optional
    rng : int or Generator, optional
        Default: the scenario's seed.
    model : str, optional
    ids : list of str, optional
        Only these targets.

    Returns
    -------
    TargetEvaluation
    """
    import numpy as np

    from .data import series
    from .targets import attainment, required_path, target_table

    observations, indicators = _resolve(observations, indicators)
    scenario = _scenario(scenario)
    n_paths = scenario.n_paths if n_paths is None else n_paths
    model = scenario.model if model is None else model
    _check_model(model)
    rng = np.random.default_rng(scenario.seed if rng is None else rng)
    table = target_table(indicators, observations, origin=origin)
    if ids is not None:
        table = table[table["indicator"].isin(ids)].reset_index(drop=True)
    table["model"] = ""
    panel = _panel_scores(observations, indicators, origin, scenario.level) if model == "auto" else None
    directions = dict(zip(indicators["id"], indicators["direction"]))
    sims, req_paths = {}, {}
    for i, row in table.iterrows():
        ind = row["indicator"]
        if not np.isfinite(row["base_value"]) or row["status"] in ("met", "missed"):
            continue
        history = series(observations, ind, origin=origin)
        if len(history) < 2:
            # One figure gives no growth to project: any probability would be the spread we assumed.
            seen = f"one observation only ({int(history.index[-1])})" if len(history) else \
                f"no observation up to {origin}"
            table.at[i, "note"] = f"{seen}: no growth can be estimated, so no probability is given"
            continue
        last = int(history.index[-1])
        horizon = max(int(row["target_year"]) - last, scenario.horizon, 1)
        req = required_path(int(row["base_year"]), float(row["base_value"]), int(row["target_year"]),
                            float(row["target_level"]), last_year=last + horizon)
        req_paths[ind] = req
        try:
            sim = simulate_indicator(ind, observations=observations, indicators=indicators, origin=origin,
                                     horizon=horizon, n_paths=n_paths, rng=rng, scenario=scenario, model=model,
                                     required_path=req, panel_scores=panel)
        except XMForecastError as err:  # a series a model cannot use: say so in the row, keep the others
            table.at[i, "note"] = f"not simulated: {err}"
            continue
        sims[ind] = sim
        p, year = attainment(sim.paths, int(row["target_year"]), float(row["target_level"]),
                             direction=directions.get(ind, "increase"))
        table.at[i, "p_attain"] = p
        table.at[i, "expected_year"] = year
        table.at[i, "model"] = sim.model
    return TargetEvaluation(table, sims, req_paths)


def assess_targets(observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                   origin: int | None = None, scenario=None, n_paths: int | None = None, rng=None,
                   model: str | None = None) -> pd.DataFrame:
    """The target table of :func:`evaluate_targets` (one row per target).

    Examples
    --------
    >>> t = assess_targets(n_paths=200, rng=0)
    >>> t.set_index("indicator").loc["tech_trade", "required_growth"].round(4)
    np.float64(0.3286)
    """
    return evaluate_targets(observations, indicators, origin=origin, scenario=scenario, n_paths=n_paths,
                            rng=rng, model=model).table


def backtest_table(observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                   data_file: str | None = None, origin: int | None = None, level: float = 80) -> pd.DataFrame:
    """Rolling-origin backtest per indicator and model, and the model ``auto`` chooses.

    Every indicator with at least three observations is backtested (origin moving one year
    at a time, forecasts scored against what followed); the scores pooled over all of them
    are the evidence ``auto`` uses, as in :func:`forecast`.

    Returns
    -------
    DataFrame
        One row per (indicator, model): ``n`` scored forecasts, ``mape``, ``coverage`` of
        the ``nominal`` interval [%], ``scale_needed`` to reach it; the row with ``chosen``
        True is the model ``auto`` picks for that indicator, with the ``sigma_scale`` its
        intervals are widened by and the ``reason``. Rows with indicator ``all`` hold the
        pooled scores.
    """
    import pandas as pd

    from .backtest import choose
    from .data import series

    observations, indicators = _resolve(observations, indicators, data_file)
    if not (0 < float(level) < 100):
        raise ParameterError(f"`level` must be between 0 and 100 (a percentage); got {level:g}.")
    panel = _panel_scores(observations, indicators, origin, level)
    columns = ["indicator", "model", "n", "mape", "coverage", "nominal", "scale_needed", "chosen",
               "sigma_scale", "evidence", "reason"]
    if panel is None:
        return pd.DataFrame(columns=columns)
    frames = []
    for ind in indicators["id"]:
        s = series(observations, ind, origin=origin)
        if len(s) < 3:
            continue
        own = panel.by_indicator.loc[ind].reset_index() if ind in panel.by_indicator.index.get_level_values(0) \
            else pd.DataFrame(columns=["model"])
        _, table = choose(s, panel_scores=panel, level=level)
        picked = table[table["chosen"]].reset_index()
        if ind in STRUCTURAL:
            picked["reason"] = "auto uses the structural model; best of the ladder: " + picked["reason"].astype(str)
        own = own[~own["model"].isin(picked["model"])].assign(chosen=False)
        frames.append(pd.concat([picked, own], ignore_index=True).assign(indicator=ind))
    pooled = panel.pooled.reset_index().assign(indicator="all", chosen=False)
    out = pd.concat(frames + [pooled], ignore_index=True)
    return out.reindex(columns=columns)


def sensitivity(parameter: str, values, *, ids: list[str] | None = None, scenario=None,
                observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None,
                origin: int | None = None, n_paths: int | None = None, rng=None) -> pd.DataFrame:
    """Probability of attainment as one scenario assumption varies.

    Parameters
    ----------
    parameter : str
        A :class:`~xmforecast.scenarios.Scenario` field, e.g. ``growth_shift`` or
        ``recertification_rate``.
    values : sequence
        Values to try.
    ids : list of str, optional
        Targets to assess (default: all).

    Returns
    -------
    DataFrame
        Columns ``parameter, value, indicator, p_attain``.
    """
    import pandas as pd

    base = _scenario(scenario)
    if parameter not in type(base).model_fields:
        raise ParameterError(f"unknown scenario parameter '{parameter}'; valid: {', '.join(type(base).model_fields)}.")
    observations, indicators = _resolve(observations, indicators)
    rows = []
    for v in values:
        sc = type(base)(**{**base.model_dump(), parameter: v})  # validated like a params file
        t = evaluate_targets(observations, indicators, origin=origin, scenario=sc, n_paths=n_paths, rng=rng, ids=ids).table
        rows.append(t[["indicator", "p_attain"]].assign(parameter=parameter, value=v))
    return pd.concat(rows, ignore_index=True)[["parameter", "value", "indicator", "p_attain"]] if rows else \
        pd.DataFrame(columns=["parameter", "value", "indicator", "p_attain"])



def what_it_takes(observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                  origin: int | None = None, scenario=None) -> pd.DataFrame:
    """What the two structural targets need per year, in the unit a programme controls.

    - ``hightech_enterprises``: first-time certifications per year [firms] that bring the
      certified stock to its target (certificates last three years; the scenario's renewal
      and exit rates apply; :func:`xmforecast.stockflow.required_new_certifications`);
    - ``invention_patents_per_10k``: invention patent grants per year [patents] that bring
      valid patents per 10,000 residents to the target (valid patents lapse, population
      grows; :func:`xmforecast.patents.required_grants`).

    Returns
    -------
    DataFrame
        One row per structural target with the data it needs: ``indicator, lever, target_level,
        target_year, needed_per_year, last_observed, last_year, assumptions``. ``needed_per_year``
        is NaN once the target year is observed; a value ≤ 0 means no new ones are needed.
    """
    import math

    import pandas as pd

    from .data import series
    from .targets import target_table

    observations, indicators = _resolve(observations, indicators)
    scenario = _scenario(scenario)
    table = target_table(indicators, observations, origin=origin).set_index("indicator")
    rows = []
    for ind, inputs in STRUCTURAL.items():
        if ind not in table.index or not all(len(series(observations, i, origin=origin)) for i in inputs):
            continue
        row = table.loc[ind]
        if not math.isfinite(row["target_level"]):
            continue
        year, level = int(row["target_year"]), float(row["target_level"])
        spec = _structural_spec(ind, scenario)
        fitted = spec.fit(dict(zip(spec.roles, (series(observations, i, origin=origin) for i in inputs))))
        open_year = fitted.last_year < year
        if ind == "hightech_enterprises":
            needed = fitted.required_new_certifications(level, year) if open_year else math.nan
            rows.append(dict(indicator=ind, lever="first-time certifications per year [firms]",
                             target_level=level, target_year=year, needed_per_year=needed,
                             last_observed=float(fitted.new_base), last_year=int(fitted.new_base_year),
                             assumptions=f"renewal {fitted.recertification_rate:.0%}, "
                                         f"exits {fitted.exit_rate:.0%}/year"))
        else:
            needed = fitted.required_grants(level, year) if open_year else math.nan
            rows.append(dict(indicator=ind, lever="invention patent grants per year [patents]",
                             target_level=level, target_year=year, needed_per_year=needed,
                             last_observed=float(fitted.grants.iloc[-1]), last_year=int(fitted.grants.index[-1]),
                             assumptions=f"lapses {fitted.lapse_rate:.1%}/year, population "
                                         f"{fitted.population_in(year):,.1f} 万人 in {year}"))
    return pd.DataFrame(rows, columns=["indicator", "lever", "target_level", "target_year", "needed_per_year",
                                       "last_observed", "last_year", "assumptions"])


def explore(indicator: str, *, scenario, observations: pd.DataFrame | None = None,
            indicators: pd.DataFrame | None = None, origin: int | None = None, n_paths: int = 2000,
            implied_renewal: bool = False, projected_new: bool = False, **assumptions):
    """Re-evaluate one target with changed assumptions and draw it (for notebook widgets).

    Parameters
    ----------
    indicator : str
        Registry id of the target.
    scenario : Scenario
        The starting assumptions; ``assumptions`` override its fields and are validated by
        the same schema as a params file.
    implied_renewal, projected_new : bool
        Set ``recertification_rate`` / ``new_certifications`` to None (solved from the data,
        projected from history): widgets cannot hold None themselves.
    **assumptions
        Scenario fields, e.g. ``growth_shift=0.05``.

    Returns
    -------
    Figure
        The probability of attainment and the fan chart (:func:`xmforecast.plots.target_panel`).
    """
    from .plots import target_panel

    base = _scenario(scenario)
    if implied_renewal:
        assumptions["recertification_rate"] = None
    if projected_new:
        assumptions["new_certifications"] = None
    from .scenarios import scenario_from_parameters

    changed = scenario_from_parameters({**base.to_parameters(), **assumptions}, where="explore")
    observations, indicators = _resolve(observations, indicators)
    evaluation = evaluate_targets(observations, indicators, origin=origin, scenario=changed, n_paths=n_paths,
                                  ids=[indicator])
    return target_panel(evaluation, indicator, indicators, lang=changed.lang, level=changed.level)
