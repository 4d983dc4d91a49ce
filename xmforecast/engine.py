"""The engine: forecast and simulate any indicator, and assess every target under a scenario.

Each function takes a frame of observations and a registry (the Xiamen files are the
embedded default), so the same calls serve another city or another plan.

Model choice per indicator comes from the registry: its ``model`` (default ``auto``) and,
for a structural model, the indicators that fill the model's input roles (``inputs``).
A structural model is used when all its inputs have observations; otherwise ``auto``
forecasts the indicator's own series and the note says which inputs are missing.
``auto`` (:func:`xmforecast.model_registry.get_model`) is calibrated once on a reference panel, so
a forecast depends only on the indicator's own data, its model and the calibration, never
on the other indicators of the registry.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .exceptions import ParameterError, XMForecastError
from .validation import check_int, check_level

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
    "SIMULATE_TO",
]

log = logging.getLogger(__name__)
_STRUCTURAL_NOTE = "structural model"

#: Paths for the expected year of attainment run at least to this year; a target the median
#: path has not reached by then gets "after <year>".
SIMULATE_TO = 2035

#: The row note of a probability from the outside view (an indicator with one observation).
OUTSIDE_VIEW_NOTE = "outside view (panel of real series), low confidence"


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
    evidence : str
        ``"structural"`` (a structural model on its declared inputs), ``"own series"`` or
        ``"outside view"`` (one observation: the panel's distribution of changes).
    caveat : str
        What a reader of a probability from these paths must know (a structural model's
        missing inputs, the outside view), or empty.
    """

    indicator: str
    history: Any
    paths: Any
    model: str
    notes: str = ""
    evidence: str = "own series"
    caveat: str = ""


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


def _resolve(observations, indicators, data_file=None):
    from .data import load_observations
    from .registry import load_indicators

    if indicators is None:
        indicators = load_indicators()
    if observations is None:
        observations = load_observations(data_file, indicators=indicators)
    return observations, indicators


def _scenario(scenario):
    from .scenarios import Scenario, default_scenario

    if scenario is None:
        return default_scenario()
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        return Scenario(**{"scenario": "custom", **scenario})
    raise ParameterError(f"`scenario` must be a Scenario, a dict or None; got {type(scenario).__name__}.")


def _check_model(model):
    from .model_registry import MODELS

    valid = ["auto", "structural", *sorted(m for m in MODELS if m != "auto")]
    if model not in valid:
        raise ParameterError(f"unknown model {model!r}; valid: {', '.join(valid)}.")


def _check_common(indicator, indicators, horizon, level):
    ids = list(indicators["id"])
    if indicator not in ids:
        raise ParameterError(f"unknown indicator '{indicator}'; valid ids: {', '.join(ids)}.")
    check_int("horizon", horizon)
    check_level(level)


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

    default = next(f.default for f in dataclasses.fields(spec_class) if f.name == field_name)
    if rate is None or not 0.0 <= rate <= 1.0:  # out of range: the spec refuses the rate itself
        return default
    return min(default, 0.5 * math.sqrt(rate * (1.0 - rate)))


def _declared(indicators, indicator) -> tuple[str, dict]:
    """The registry's ``model`` (default ``auto``) and ``inputs`` (role → id) of an indicator."""
    hits = (indicators["id"].to_numpy() == indicator).nonzero()[0]  # not .loc: called per indicator
    model = indicators["model"].iat[hits[0]] if "model" in indicators.columns and len(hits) else None
    inputs = indicators["inputs"].iat[hits[0]] if "inputs" in indicators.columns and len(hits) else None
    model = model if isinstance(model, str) and model else "auto"
    return model, dict(inputs) if isinstance(inputs, dict) else {}


def _configured(spec_class, scenario):
    """A spec with the scenario's model settings that match its own fields.

    Each key of :data:`xmforecast.scenarios.MODEL_SETTINGS` set in the scenario (not None)
    goes to the spec field it names, when the spec has that field; a rate drawn per path
    (the spec's ``spreads``) gets a spread it can bear. A value the spec refuses is
    refused here with the scenario key named.
    """
    import dataclasses

    from .scenarios import MODEL_SETTINGS

    fields = {f.name for f in dataclasses.fields(spec_class)}
    kwargs, keys = {}, {}
    settings = {} if scenario is None else {key: getattr(scenario, key) for key in MODEL_SETTINGS}
    for key, field_name in MODEL_SETTINGS.items():
        value = settings.get(key)
        if value is not None and field_name in fields:
            kwargs[field_name], keys[field_name] = value, key
    for rate, spread in spec_class.spreads.items():
        kwargs[spread] = _spread(spec_class, spread, kwargs.get(rate))
    try:
        return spec_class(**kwargs)
    except XMForecastError as err:
        for field_name, key in keys.items():
            try:
                spec_class(**{field_name: kwargs[field_name]})
            except XMForecastError as one:
                raise ParameterError(f"scenario setting `{key}` = {kwargs[field_name]!r} is out of the range "
                                     f"of model {spec_class.name}: {one}") from None
        raise ParameterError(f"scenario settings {sorted(keys.values())} do not fit model "
                             f"{spec_class.name}: {err}") from None


def _structural(spec_class) -> bool:
    """Whether a registry entry's model (None: not a model name) is structural."""
    return spec_class is not None and spec_class.structural


@dataclass(frozen=True)
class _Fit:
    fitted: Any
    model: str
    note: str
    evidence: str
    caveat: str = ""
    vintage: int | None = None  # auto's calibration vintage


def _reference(indicators, indicator) -> dict:
    """The registry's ``family`` and ``reference_class`` of an indicator, with their defaults."""
    from .reference import default_class

    hits = (indicators["id"].to_numpy() == indicator).nonzero()[0]

    def cell(column):
        return indicators[column].iat[hits[0]] if column in indicators.columns and len(hits) else None

    family, reference_class = cell("family"), cell("reference_class")
    if not isinstance(reference_class, str) or not reference_class:
        zh, en = cell("name_zh"), cell("name_en")
        reference_class = default_class(zh if zh != en else None)
    return {"family": family if isinstance(family, str) and family else "other", "reference_class": reference_class}


def _calibration_note(params: dict) -> str:
    """Which reference class, family and vintage a forecast of ``auto`` rests on, in words."""
    from .reference import CLASSES

    family = "" if params["family"] == "other" else f", family {params['family']}"
    return f"calibrated on {CLASSES[params['reference_class']]['en']}{family}, vintage {params['vintage']}"


def _auto(history, missing="", reference=None):
    """``auto`` on the indicator's own series; ``missing`` says which structural inputs lacked."""
    from .model_registry import get_model

    fitted = get_model("auto", **(reference or {})).fit(history)
    evidence = fitted.evidence
    why = "; ".join(fitted.notes)
    caveat = [missing] if missing else []
    if evidence == "outside view":
        caveat.append(OUTSIDE_VIEW_NOTE)
    note = "; ".join(caveat + [_calibration_note(fitted.params) + (f" ({why})" if why else "")])
    return _Fit(fitted, fitted.name, note, evidence, "; ".join(caveat), fitted.params["vintage"])


def _fit(indicator, observations, indicators, history, origin, model, scenario) -> _Fit:
    """Fit the model for one indicator: the registry's (``auto``, ``structural``) or the one asked."""
    from .data import series
    from .model_registry import MODELS

    declared, inputs = _declared(indicators, indicator)
    if model in ("auto", "structural"):
        chosen = MODELS.get(declared)
        if chosen is not None and chosen.structural:
            data = {role: series(observations, ref, origin=origin) for role, ref in inputs.items()}
            missing = [f"{role} ({ref})" for role, ref in inputs.items() if data[role].empty]
            if not missing:
                return _Fit(_configured(chosen, scenario).fit(data), declared, _STRUCTURAL_NOTE, "structural")
            if model == "structural":
                raise ParameterError(f"structural model {declared} of '{indicator}' needs observations of "
                                     f"{', '.join(missing)}.")
            log.info("%s: inputs of %s missing; using auto", indicator, declared)
            return _auto(history, f"{declared} inputs missing: {', '.join(missing)}; auto used",
                         _reference(indicators, indicator))
        if model == "structural":
            with_one = [i for i in indicators["id"] if _structural(MODELS.get(_declared(indicators, i)[0]))]
            raise ParameterError(f"no structural model for '{indicator}' in the registry; those with one: "
                                 f"{', '.join(with_one) or 'none'}.")
        if declared != "auto":
            spec = _configured(MODELS[declared], scenario)
            return _Fit(spec.fit(history), declared, f"model {declared} as the registry says", "own series")
        return _auto(history, reference=_reference(indicators, indicator))
    if MODELS[model].structural:
        if declared != model:
            raise ParameterError(f"model {model} needs the inputs {', '.join(MODELS[model].roles)}; the registry "
                                 f"declares none for '{indicator}' (its model: {declared}).")
        data = {role: series(observations, ref, origin=origin) for role, ref in inputs.items()}
        return _Fit(_configured(MODELS[model], scenario).fit(data), model, f"model {model} as asked", "structural")
    fitted = _configured(MODELS[model], scenario).fit(history)
    return _Fit(fitted, model, f"model {model} as asked", fitted.evidence)


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
        ``auto`` (the registry's model: a structural model where it declares one and its
        inputs have observations, else its ``model``, by default the calibrated ``auto``),
        ``structural`` (the registry's structural model, or an error) or a name of
        :data:`xmforecast.model_registry.MODELS`.
    level : float
        Central interval level [%].
    n_paths : int
        Paths for models whose intervals come from simulation.
    rng : int or Generator, optional
        For models whose intervals come from simulation; None: a fixed seed, so the same
        call gives the same numbers.

    Returns
    -------
    DataFrame
        Columns ``indicator, year, point, lower, upper, model``; ``.attrs["reason"]`` says
        why the model was used, ``.attrs["evidence"]`` what it rests on (``structural``,
        ``own series`` or ``outside view``), ``.attrs["vintage"]`` the calibration vintage of
        ``auto`` (None for another model).

    Examples
    --------
    >>> from xmforecast import load_indicators
    >>> first = load_indicators()["id"].iloc[0]
    >>> forecast(first, origin=2016, horizon=2)["year"].tolist()
    [2017, 2018]
    """
    observations, indicators = _resolve(observations, indicators, data_file)
    _check_common(indicator, indicators, horizon, level)
    _check_model(model)
    history = _history(observations, indicator, origin)
    fit = _fit(indicator, observations, indicators, history, origin, model, _scenario(None))
    # Models whose intervals come from simulated paths take the caller's n_paths and rng.
    extra = {"n_paths": n_paths, "rng": rng} if fit.fitted.intervals_from_paths else {}
    frame = fit.fitted.forecast(horizon, level=level, **extra).reset_index()
    frame = frame.rename(columns={frame.columns[0]: "year"})
    frame.insert(0, "indicator", indicator)
    frame["model"] = fit.model
    frame = frame[["indicator", "year", "point", "lower", "upper", "model"]]
    frame.attrs["reason"] = fit.note  # why this model: "structural model", auto's note, or "as asked"
    frame.attrs["evidence"] = fit.evidence
    frame.attrs["vintage"] = fit.vintage
    return frame


def _apply_scenario(paths, history, scenario, required):
    """Shift growth, scale spread, or recentre on the required path, as the scenario says."""
    import numpy as np

    values = paths.to_numpy(dtype=float)
    years = paths.index.to_numpy(dtype=int)
    last = int(history.index[-1])
    recentre = scenario.at_required_rate and required is not None
    if scenario.volatility_scale == 1.0 and not recentre and not scenario.growth_shift:
        return paths
    median = np.median(values, axis=1, keepdims=True) if scenario.volatility_scale != 1.0 or recentre else None
    safe = None if median is None else np.where(median > 0, median, 1.0)
    if scenario.volatility_scale != 1.0:
        ratio = np.clip(values / safe, 1e-12, None)
        values = np.where(median > 0, safe * ratio ** scenario.volatility_scale, values)
        median = np.median(values, axis=1, keepdims=True)
        safe = np.where(median > 0, median, 1.0)
    if recentre:
        # Keep the model's spread around a median that grows exactly at the required rate.
        target = required.reindex(years).to_numpy(dtype=float)[:, None]
        values = np.where(median > 0, values / safe * target, target)
    if scenario.growth_shift:
        values = values * (1.0 + scenario.growth_shift) ** (years - last)[:, None]
    return paths.__class__(values, index=paths.index, columns=paths.columns)


def simulate_indicator(indicator: str, *, observations: pd.DataFrame | None = None,
                       indicators: pd.DataFrame | None = None, origin: int | None = None, horizon: int = 4,
                       n_paths: int = 10_000, rng=None, scenario=None, model: str = "auto",
                       required_path: pd.Series | None = None) -> IndicatorSimulation:
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

    Returns
    -------
    IndicatorSimulation
    """
    import numpy as np

    observations, indicators = _resolve(observations, indicators)
    scenario = _scenario(scenario)
    _check_common(indicator, indicators, horizon, scenario.level)
    check_int("n_paths", n_paths)
    history = _history(observations, indicator, origin)
    fit = _fit(indicator, observations, indicators, history, origin, model, scenario)
    paths = fit.fitted.simulate(horizon, n_paths, rng=np.random.default_rng(rng))
    paths = _apply_scenario(paths, history, scenario, required_path)
    return IndicatorSimulation(indicator, history, paths, fit.model, fit.note, fit.evidence, fit.caveat)


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
    import numpy as np

    from .data import series
    from .targets import attainment, required_path, target_table

    observations, indicators = _resolve(observations, indicators)
    scenario = _scenario(scenario)
    n_paths = scenario.n_paths if n_paths is None else n_paths
    model = scenario.model if model is None else model
    _check_model(model)
    seed = _seed(scenario.seed if rng is None else rng)
    table = target_table(indicators, observations, origin=origin)
    if ids is not None:
        table = table[table["indicator"].isin(ids)].reset_index(drop=True)
    table["model"] = ""
    table["confidence"] = np.where(table["status"].isin(["met", "missed"]), "high", "")
    table["expected_year"] = [int(v) if math.isfinite(v) else v for v in table["expected_year"].astype(float)]
    table["expected_year"] = table["expected_year"].astype(object)
    directions = dict(zip(indicators["id"], indicators["direction"]))
    sims, req_paths = {}, {}

    def add_note(i, text):
        table.at[i, "note"] = "; ".join(t for t in (table.at[i, "note"], text) if t)

    for i, row in table.iterrows():
        ind = row["indicator"]
        if not np.isfinite(row["base_value"]) or row["status"] in ("met", "missed"):
            continue
        history = series(observations, ind, origin=origin)
        if history.empty:
            add_note(i, f"no observation up to {origin}: nothing to project from")
            continue
        last, target_year = int(history.index[-1]), int(row["target_year"])
        horizon = max(target_year - last, scenario.horizon, 1)  # the paths kept, for charts
        until = max(last + horizon, SIMULATE_TO)  # the paths simulated, if need be, for the expected year
        req = required_path(int(row["base_year"]), float(row["base_value"]), target_year,
                            float(row["target_level"]), last_year=until)
        req_paths[ind] = req.loc[:last + horizon]
        level, direction = float(row["target_level"]), directions.get(ind, "increase")
        try:
            # Up to the horizon first; further only when the median path has not met the target by then.
            for steps in dict.fromkeys((horizon, until - last)):
                sim = simulate_indicator(ind, observations=observations, indicators=indicators, origin=origin,
                                         horizon=steps, n_paths=n_paths, rng=seed, scenario=scenario,
                                         model=model, required_path=req)
                p, year = attainment(sim.paths, target_year, level, direction=direction)
                if math.isfinite(year):
                    break
        except XMForecastError as err:  # a series a model cannot use: say so in the row, keep the others
            add_note(i, f"not simulated: {err}")
            continue
        sims[ind] = replace(sim, paths=sim.paths.loc[:last + horizon])
        table.at[i, "p_attain"] = p
        table.at[i, "expected_year"] = int(year) if math.isfinite(year) else f"after {until}"
        table.at[i, "model"] = sim.model
        table.at[i, "confidence"] = _confidence(sim.evidence, len(history))
        add_note(i, sim.caveat)
    _add_base_rates(table, observations, indicators, origin)
    return TargetEvaluation(table, sims, req_paths)


def _add_base_rates(table, observations, indicators, origin) -> None:
    """``base_rate``, ``base_rate_note``, ``reference_class``, ``family`` and ``vintage`` of every target row.

    The base rate is the share of the reference class's series of the indicator's family that
    grew at least at the required rate over the target's horizon, in panel years up to the
    vintage of the indicator's last observation (as ``auto`` uses it).
    """
    import pandas as pd

    from .data import series
    from .reference import base_rate, base_rate_sentence, load_vintage, vintage_for, vintages

    directions = dict(zip(indicators["id"], indicators["direction"]))
    rates, notes, classes, families, years = [], [], [], [], []
    for row in table.itertuples(index=False):
        ref = _reference(indicators, row.indicator)
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


def assess_targets(observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                   origin: int | None = None, scenario=None, n_paths: int | None = None, rng=None,
                   model: str | None = None) -> pd.DataFrame:
    """The target table of :func:`evaluate_targets` (one row per target).

    Examples
    --------
    >>> t = assess_targets(n_paths=200, rng=0)
    >>> bool(t["confidence"].isin(["high", "medium", "low", ""]).all())
    True
    """
    return evaluate_targets(observations, indicators, origin=origin, scenario=scenario, n_paths=n_paths,
                            rng=rng, model=model).table


def _backtest_auto(indicator, observations, indicators, history, level, *, min_train=2, horizon=3):
    """Rolling-origin backtest of what ``--model auto`` uses for one indicator.

    At each observed year with at least `min_train` observations up to it, the indicator's
    model is chosen and fitted as :func:`forecast` would with that year as origin (its
    structural model on its inputs up to then, or ``auto`` with that year's vintage) and
    scored on the observed years of the next `horizon`. Returns the rows of
    :func:`xmforecast.backtest.backtest` and the fit at the last observation (the one a
    forecast uses now), and why each origin not scored could not be fitted.
    """
    import numpy as np
    import pandas as pd

    from .backtest import _COLUMNS, _error_ratio

    scenario = _scenario(None)
    years = history.index.to_numpy()
    parts, failed = [], []
    for i, origin in enumerate(years[:-1]):
        ahead = (years > origin) & (years <= origin + horizon)
        if i + 1 < min_train or not ahead.any():
            continue
        try:
            fit = _fit(indicator, observations, indicators, history[history.index <= origin], int(origin), "auto",
                       scenario)
            test = history[ahead]
            steps = test.index.to_numpy() - origin
            extra = {"n_paths": 2000, "rng": 2017} if fit.fitted.intervals_from_paths else {}
            fc = fit.fitted.forecast(int(steps.max()), level=level, **extra).loc[test.index]
        except XMForecastError as err:  # an origin the model cannot fit from is not scored
            log.info("%s: backtest origin %s skipped: %s", indicator, origin, err)
            failed.append(f"{int(origin)}: {err}")
            continue
        actual = test.to_numpy(dtype=float)
        point, lower, upper = (fc[c].to_numpy(dtype=float) for c in ("point", "lower", "upper"))
        with np.errstate(divide="ignore", invalid="ignore"):
            ape = np.abs(point - actual) / np.abs(actual)
        parts.append(pd.DataFrame({
            "model": fit.model, "origin": int(origin), "year": test.index.to_numpy(), "step": steps,
            "actual": actual, "point": point, "lower": lower, "upper": upper, "ape": ape,
            "covered": (lower <= actual) & (actual <= upper),
            "error_ratio": _error_ratio(actual, point, lower, upper, fit.fitted.log_scale),
            "level": float(level)}))
    frame = pd.concat(parts, ignore_index=True)[_COLUMNS] if parts else pd.DataFrame(columns=_COLUMNS)
    return frame, _fit(indicator, observations, indicators, history, int(years[-1]), "auto", scenario), failed


def backtest_table(observations: pd.DataFrame | None = None, indicators: pd.DataFrame | None = None, *,
                   data_file: str | None = None, origin: int | None = None, level: float = 80) -> pd.DataFrame:
    """Rolling-origin backtest per indicator and model: a diagnostic of the growth models.

    Every indicator with at least three observations is backtested (origin moving one year
    at a time, forecasts scored against what followed): the model ``--model auto`` uses for
    it, and every rung of the ladder; the ladder's scores are also pooled over all of them.

    Returns
    -------
    DataFrame
        One row per (indicator, model): ``n`` scored forecasts, ``mape``, ``coverage`` of
        the ``nominal`` interval [%], ``scale_needed`` to reach it. Per indicator, the first
        row (``chosen`` True) is the model a forecast of it uses (``auto``, or its structural
        model), backtested as it forecasts: at each origin with that origin's data only (and
        ``auto``'s vintage of that year); its ``reason`` says what the model rests on and
        ``evidence`` what it forecasts from. Rows with indicator ``all`` hold the ladder's
        pooled scores.
    """
    import pandas as pd

    from .backtest import backtest_panel, score
    from .data import series

    observations, indicators = _resolve(observations, indicators, data_file)
    check_level(level)
    by_id = {ind: s for ind in indicators["id"] if len(s := series(observations, ind, origin=origin)) >= 3}
    panel = backtest_panel(by_id, level=level) if by_id else None
    columns = ["indicator", "model", "n", "mape", "coverage", "nominal", "scale_needed", "chosen",
               "sigma_scale", "evidence", "reason"]
    if panel is None:
        return pd.DataFrame(columns=columns)
    frames = []
    for ind, s in by_id.items():
        own = panel.by_indicator.loc[ind].reset_index() if ind in panel.by_indicator.index.get_level_values(0) \
            else pd.DataFrame(columns=["model"])
        rows, used, failed = _backtest_auto(ind, observations, indicators, s, level)
        scored = score(rows)
        first = scored.iloc[0].to_dict() if len(scored) else {"n": 0, "nominal": float(level)}
        how = "backtested as it forecasts, from each origin's data" if len(scored) else "not backtested"
        if failed:
            how += f"; {len(failed)} origin(s) it cannot be fitted from (first {failed[0]})"
        picked = pd.DataFrame([{**first, "model": used.model, "chosen": True,
                                "sigma_scale": used.fitted.spec.sigma_scale,
                                "evidence": used.evidence,
                                "reason": f"--model auto uses {used.model} ({used.note}); {how}"}])
        own = own[own["model"] != used.model].assign(chosen=False)
        frames.append(pd.concat([picked, own], ignore_index=True).assign(indicator=ind))
    pooled = panel.pooled.reset_index().assign(indicator="all", chosen=False)
    out = pd.concat(frames + [pooled], ignore_index=True)
    out["n"] = pd.to_numeric(out["n"], errors="coerce").fillna(0).astype(int)
    out["chosen"] = out["chosen"].astype(bool)
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
    """What each target with a structural model needs per year, in the unit a programme controls.

    For every registry entry whose ``model`` is structural (its spec declares a ``lever``)
    and whose inputs have observations, the fitted model's ``required_lever`` gives the
    constant yearly amount of its lever that reaches the target level in the target year,
    under the scenario's settings. The embedded registry has two: the certified stock
    (first-time certifications per year [firms],
    :func:`xmforecast.stockflow.required_new_certifications`) and the patent ratio
    (invention patent grants per year [patents], :func:`xmforecast.patents.required_grants`).

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
    from .model_registry import MODELS
    from .targets import target_table

    observations, indicators = _resolve(observations, indicators)
    scenario = _scenario(scenario)
    table = target_table(indicators, observations, origin=origin).set_index("indicator")
    rows = []
    for ind in indicators["id"]:
        declared, inputs = _declared(indicators, ind)
        spec_class = MODELS.get(declared)
        if not _structural(spec_class) or not spec_class.lever or ind not in table.index:
            continue
        data = {role: series(observations, ref, origin=origin) for role, ref in inputs.items()}
        row = table.loc[ind]
        if any(s.empty for s in data.values()) or not math.isfinite(row["target_level"]):
            continue
        year, level = int(row["target_year"]), float(row["target_level"])
        fitted = _configured(spec_class, scenario).fit(data)
        needed = fitted.required_lever(level, year) if fitted.last_year < year else math.nan
        observed_year, observed = fitted.lever_observed
        rows.append(dict(indicator=ind, lever=spec_class.lever, target_level=level, target_year=year,
                         needed_per_year=needed, last_observed=float(observed), last_year=int(observed_year),
                         assumptions=fitted.lever_assumptions(year), lever_indicator=inputs[spec_class.lever_role]))
    return pd.DataFrame(rows, columns=["indicator", "lever", "target_level", "target_year", "needed_per_year",
                                       "last_observed", "last_year", "assumptions", "lever_indicator"])


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
    # The observations' own grades draw derived and grade-C points hollow, a user's file's too.
    flags = [c for c in ("year", "quality", "status") if c in observations.columns]
    quality = (observations.loc[observations["indicator"] == indicator, flags] if len(flags) == 3 else None)
    return target_panel(evaluation, indicator, indicators, lang=changed.lang, level=changed.level, quality=quality)
