"""Choosing and fitting a model for an indicator, and forecasting it.

Each function takes a frame of observations and a registry (None: the default plan's), so
the same calls serve another city or another plan.

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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .exceptions import ParameterError, XMForecastError
from .validation import check_int, check_level
from .words import Said, catalog, say, worded

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "IndicatorFit",
    "ModelNote",
    "fit_indicator",
    "forecast",
    "as_scenario",
    "check_model",
    "check_arguments",
    "indicator_history",
    "declared_model",
    "reference_of",
    "configured_spec",
    "is_structural",
    "OUTSIDE_VIEW_NOTE",
]

log = logging.getLogger(__name__)

#: The row note of a probability from the outside view (an indicator with one observation).
#: (The catalog's ``why_outside_view`` in English, written here so importing needs no catalog.)
OUTSIDE_VIEW_NOTE = "outside view (panel of real series), low confidence"


def as_scenario(scenario, plan=None):
    """`scenario` as a :class:`~xmforecast.scenarios.Scenario`: None is the default one (its values
    only, :data:`~xmforecast.scenario_defaults.DEFAULT_SCENARIO`, with the defaults `plan`
    declares), a dict its fields over the plan's defaults."""
    from .scenario_defaults import DEFAULT_SCENARIO

    if scenario is None or scenario is DEFAULT_SCENARIO:
        return DEFAULT_SCENARIO if plan is None else plan.default_scenario
    if isinstance(scenario, type(DEFAULT_SCENARIO)):  # a plan's default scenario
        return scenario
    from .scenarios import Scenario

    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, dict):
        declared = {} if plan is None else plan.scenario_defaults
        return Scenario(**{"scenario": "custom", **declared, **scenario})
    raise ParameterError(f"`scenario` must be a Scenario, a dict or None; got {type(scenario).__name__}.")


def check_model(model):
    """Refuse a model name that is neither ``auto``, ``structural`` nor a registered model."""
    from .model_registry import MODELS

    valid = ["auto", "structural", *sorted(m for m in MODELS if m != "auto")]
    if model not in valid:
        raise ParameterError(f"unknown model {model!r}; valid: {', '.join(valid)}.")


def check_arguments(indicator, indicators, horizon, level):
    """Refuse an unknown indicator id, a horizon that is not a positive integer or a level out of range."""
    ids = list(indicators["id"])
    if indicator not in ids:
        raise ParameterError(f"unknown indicator '{indicator}'; valid ids: {', '.join(ids)}.")
    check_int("horizon", horizon)
    check_level(level)


def indicator_history(observations, indicator, origin):
    """The indicator's observations up to `origin` (all when None); refused when there are none."""
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


def declared_model(indicators, indicator) -> tuple[str, dict]:
    """The registry's ``model`` (default ``auto``) and ``inputs`` (role → id) of an indicator."""
    hits = (indicators["id"].to_numpy() == indicator).nonzero()[0]  # not .loc: called per indicator
    model = indicators["model"].iat[hits[0]] if "model" in indicators.columns and len(hits) else None
    inputs = indicators["inputs"].iat[hits[0]] if "inputs" in indicators.columns and len(hits) else None
    model = model if isinstance(model, str) and model else "auto"
    return model, dict(inputs) if isinstance(inputs, dict) else {}


def configured_spec(spec_class, scenario):
    """A spec with the scenario's model settings that match its own fields.

    Each key of :data:`xmforecast.scenario_defaults.MODEL_SETTINGS` set in the scenario (not None)
    goes to the spec field it names, when the spec has that field; a rate drawn per path
    (the spec's ``spreads``) gets a spread it can bear. A value the spec refuses is
    refused here with the scenario key named.
    """
    import dataclasses

    from .scenario_defaults import MODEL_SETTINGS

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


def is_structural(spec_class) -> bool:
    """Whether a registry entry's model (None: not a model name) is structural."""
    return spec_class is not None and spec_class.structural


@dataclass(frozen=True)
class ModelNote(Said):
    """Why a forecast uses its model, as data; :meth:`say` words it (``str``: in English, as the
    command line writes it).

    ``kind`` is ``structural`` (the registry's structural model), ``registry`` (the model the
    registry names), ``asked`` (the model the caller asked for) or ``auto``; then ``missing``
    lists the inputs (role, indicator) of the registry's structural model ``model`` that have
    no observations, ``outside_view`` whether the forecast rests on the panel alone, and
    ``reference_class``, ``family`` and ``vintage`` what ``auto`` is calibrated on, with its
    own ``notes``.

    >>> str(ModelNote("auto", reference_class="global", family="other", vintage=2018))
    'calibrated on countries, states and firms, vintage 2018'
    """

    kind: str
    model: str = ""
    missing: tuple[tuple[str, str], ...] = ()
    outside_view: bool = False
    reference_class: str = ""
    family: str = "other"
    vintage: int | None = None
    notes: tuple[Any, ...] = ()

    def caveat(self, lang="en") -> str:
        """What a reader of a probability from this model must know, in `lang` ('' if nothing)."""
        parts = []
        if self.missing:
            listed = (say("and", lang) if lang == "zh" else ", ").join(f"{role} ({ref})" for role, ref in self.missing)
            parts.append(say("why_inputs_missing", lang, model=self._model_name(lang), missing=listed))
        if self.outside_view:
            parts.append(say("why_outside_view", lang))
        return say("why_separator", lang).join(parts)

    def _model_name(self, lang) -> str:
        # The command line names a model by its id; a Chinese page by its name where the catalog has one.
        key = f"model_{self.model}"
        return say(key, lang) if lang == "zh" and key in catalog() else self.model

    def say(self, lang="en") -> str:
        if self.kind in ("structural", "registry", "asked"):
            return say(f"why_{self.kind}", lang, model=self._model_name(lang))
        from .reference import CLASSES, FAMILIES

        # The command line names the family by its id; a Chinese page by its name.
        family = "" if self.family == "other" else FAMILIES[self.family][lang] if lang == "zh" else self.family
        calibrated = say("why_calibrated_family" if family else "why_calibrated", lang,
                         reference=CLASSES[self.reference_class][lang], family=family, vintage=self.vintage)
        separator = say("why_separator", lang)
        if self.notes:
            calibrated += say("why_model_notes", lang, notes=separator.join(worded(n, lang) for n in self.notes))
        return separator.join(part for part in (self.caveat(lang), calibrated) if part)


@dataclass(frozen=True)
class IndicatorFit:
    """A fitted model for one indicator, with why it was chosen.

    ``model`` is its registry name, ``note`` why it was used (``str(note)`` in English),
    ``evidence`` what it rests on (``structural``, ``own series`` or ``outside view``),
    ``caveat`` what a reader of a probability from it must know, in English, ``vintage``
    ``auto``'s calibration vintage.
    """

    fitted: Any
    model: str
    note: ModelNote
    evidence: str
    vintage: int | None = None  # auto's calibration vintage

    @property
    def caveat(self) -> str:
        return self.note.caveat("en")


def reference_of(indicators, indicator) -> dict:
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


def _auto(history, missing=(), reference=None, declared=""):
    """``auto`` on the indicator's own series; ``missing`` lists the inputs (role, indicator) of
    the registry's structural model `declared` that have no observations."""
    from .model_registry import get_model

    fitted = get_model("auto", **(reference or {})).fit(history)
    params = fitted.params
    note = ModelNote("auto", declared, tuple(missing), fitted.evidence == "outside view", params["reference_class"],
                     params["family"], params["vintage"], tuple(fitted.notes))
    return IndicatorFit(fitted, fitted.name, note, fitted.evidence, params["vintage"])


def fit_indicator(plan, indicator, history, model, scenario) -> IndicatorFit:
    """Fit the model for one indicator: the registry's (``auto``, ``structural``) or the one asked.

    Parameters
    ----------
    plan : Plan
        The registry and observations; its ``origin`` is the last year of data a structural
        model's inputs may use.
    indicator : str
        Registry id.
    history : Series
        The indicator's own observations up to the plan's origin (:func:`indicator_history`).
    model : str
        ``auto``, ``structural`` or a name of :data:`xmforecast.model_registry.MODELS`.
    scenario : Scenario or None
        Its model settings configure the spec (None: the spec's defaults).

    Returns
    -------
    IndicatorFit

    Raises
    ------
    ParameterError
        If the model asked needs inputs the registry does not declare, or a scenario
        setting is out of the model's range.
    ModelError
        If the model cannot be fitted to the data.
    """
    from .data import series
    from .model_registry import MODELS

    observations, indicators, origin = plan.all_observations, plan.registry, plan.origin
    declared, inputs = declared_model(indicators, indicator)
    if model in ("auto", "structural"):
        chosen = MODELS.get(declared)
        if chosen is not None and chosen.structural:
            data = {role: series(observations, ref, origin=origin) for role, ref in inputs.items()}
            missing = [(role, ref) for role, ref in inputs.items() if data[role].empty]
            if not missing:
                return IndicatorFit(configured_spec(chosen, scenario).fit(data), declared, ModelNote("structural"),
                                    "structural")
            if model == "structural":
                raise ParameterError(f"structural model {declared} of '{indicator}' needs observations of "
                                     f"{', '.join(f'{role} ({ref})' for role, ref in missing)}.")
            log.info("%s: inputs of %s missing; using auto", indicator, declared)
            return _auto(history, missing, reference_of(indicators, indicator), declared)
        if model == "structural":
            with_one = [i for i in indicators["id"] if is_structural(MODELS.get(declared_model(indicators, i)[0]))]
            raise ParameterError(f"no structural model for '{indicator}' in the registry; those with one: "
                                 f"{', '.join(with_one) or 'none'}.")
        if declared != "auto":
            spec = configured_spec(MODELS[declared], scenario)
            return IndicatorFit(spec.fit(history), declared, ModelNote("registry", declared), "own series")
        return _auto(history, reference=reference_of(indicators, indicator))
    if MODELS[model].structural:
        if declared != model:
            raise ParameterError(f"model {model} needs the inputs {', '.join(MODELS[model].roles)}; the registry "
                                 f"declares none for '{indicator}' (its model: {declared}).")
        data = {role: series(observations, ref, origin=origin) for role, ref in inputs.items()}
        fitted = configured_spec(MODELS[model], scenario).fit(data)
        return IndicatorFit(fitted, model, ModelNote("asked", model), "structural")
    fitted = configured_spec(MODELS[model], scenario).fit(history)
    return IndicatorFit(fitted, model, ModelNote("asked", model), fitted.evidence)


def forecast(plan, indicator: str, *, horizon: int = 4, model: str = "auto", level: float = 80,
             n_paths: int = 10_000, rng=None) -> pd.DataFrame:
    """Point and interval forecast of one indicator from an origin year.

    Parameters
    ----------
    plan : Plan
        The registry and observations; only data up to its ``origin`` is used.
    indicator : str
        Registry id.
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
        why the model was used in English (``.attrs["why"]`` the same as a
        :class:`ModelNote`), ``.attrs["evidence"]`` what it rests on (``structural``,
        ``own series`` or ``outside view``), ``.attrs["vintage"]`` the calibration vintage of
        ``auto`` (None for another model).

    Examples
    --------
    >>> from xmforecast import Plan
    >>> plan = Plan.default(origin=2016)
    >>> forecast(plan, plan.ids[0], horizon=2)["year"].tolist()
    [2017, 2018]
    """
    check_arguments(indicator, plan.registry, horizon, level)
    check_model(model)
    history = indicator_history(plan.all_observations, indicator, plan.origin)
    fit = fit_indicator(plan, indicator, history, model, as_scenario(None, plan))
    # Models whose intervals come from simulated paths take the caller's n_paths and rng.
    extra = {"n_paths": n_paths, "rng": rng} if fit.fitted.intervals_from_paths else {}
    frame = fit.fitted.forecast(horizon, level=level, **extra).reset_index()
    frame = frame.rename(columns={frame.columns[0]: "year"})
    frame.insert(0, "indicator", indicator)
    frame["model"] = fit.model
    frame = frame[["indicator", "year", "point", "lower", "upper", "model"]]
    frame.attrs["reason"] = str(fit.note)  # why this model: "structural model", auto's note, or "as asked"
    frame.attrs["why"] = fit.note
    frame.attrs["evidence"] = fit.evidence
    frame.attrs["vintage"] = fit.vintage
    return frame
