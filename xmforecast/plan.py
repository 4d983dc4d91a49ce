"""A plan as one value: its registry, its observations and the origin year of the forecasts.

:class:`Plan` is the entry point for scripts. Build it once, from files or from frames, and
ask it questions; each method calls the computing function of the same name with the plan
itself (every computing function takes a plan as its first argument), and the plan keeps
what repeated calls share (each indicator's history, the deterministic target table,
answers already computed with a fixed seed). :func:`as_plan` turns the frames and files of
the older keyword arguments (``observations=``, ``indicators=``, ``data_file=``,
``origin=``) into a plan.

>>> import xmforecast
>>> plan = xmforecast.Plan.default()          # the plan folder shipped with the package
>>> plan.forecast(plan.ids[0], horizon=2)["year"].tolist()
[2017, 2018]

Another city's plan is two files (see the README, "Your own city or plan")::

    plan = xmforecast.Plan.from_files(indicators="city/indicators.yaml", data="city/observations.csv")
    plan.assess_targets()
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exceptions import DataError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Plan", "load_plan", "as_plan"]


@dataclass(frozen=True, eq=False)
class Plan:
    """A plan: registry + observations + origin. Immutable; build it with a class method.

    Attributes
    ----------
    name : str
        Where the registry comes from: ``"embedded"``, a file path, or the name given.
    origin : int or None
        Observations after this year are ignored by every method (None: all).

    Notes
    -----
    :attr:`indicators` and :attr:`observations` return copies: changing them does not
    change the plan. :meth:`with_origin` gives the same plan as of another year.
    """

    _indicators: Any = field(repr=False)
    _observations: Any = field(repr=False)
    origin: int | None = None
    name: str = "embedded"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_files(cls, indicators: str | Path | None = None, data: str | Path | None = None, *,
                   origin: int | None = None) -> Plan:
        """A plan from a registry file and an observations CSV.

        Parameters
        ----------
        indicators : path, optional
            A plan folder (see :mod:`xmforecast.folder`), or a registry file (YAML, see
            :func:`xmforecast.load_indicators`); None: the default plan folder. A plan
            folder's registry brings the folder's observations; a registry file given alone
            brings its baselines only, and ``data``.
        data : path, optional
            Observations CSV (``indicator, year, value`` and optional columns); its rows
            win over the registry's baselines.
        origin : int, optional
            Forecast as of this year.

        Returns
        -------
        Plan

        Raises
        ------
        DataError
            A file breaks a rule, or there is no observation at all.
        """
        from .data import load_observations
        from .registry import load_indicators

        if indicators is not None and Path(indicators).is_dir():
            from .folder import read_plan_folder

            reg = load_indicators(read_plan_folder(indicators).registry)
        else:
            reg = load_indicators(indicators)
        obs = load_observations(data, indicators=reg)
        return cls._build(reg, obs, origin, "embedded" if indicators is None else str(indicators))

    @classmethod
    def from_frames(cls, indicators: pd.DataFrame, observations: pd.DataFrame | None = None, *,
                    origin: int | None = None, name: str = "frames") -> Plan:
        """A plan from a registry frame and an observations frame.

        Parameters
        ----------
        indicators : DataFrame
            One row per indicator with the registry's fields (see
            :func:`xmforecast.load_indicators`): at least ``id``, ``name_en`` or
            ``name_zh``, ``unit``, ``kind`` and ``direction``. Validated like a file.
        observations : DataFrame, optional
            Columns ``indicator, year, value`` (optional ``unit, status, quality, source,
            quote``); the rows win over the registry's baselines. None: the baselines only.
        origin : int, optional
        name : str
            What messages call the registry.

        Returns
        -------
        Plan

        Raises
        ------
        DataError
            A registry entry or an observation breaks a rule, or there is no observation.

        Examples
        --------
        >>> import pandas as pd
        >>> reg = pd.DataFrame([{"id": "hubs", "name_en": "Hubs", "unit": "hubs", "kind": "stock",
        ...                      "direction": "increase"}])
        >>> obs = pd.DataFrame({"indicator": "hubs", "year": [2020, 2021, 2022], "value": [10, 12, 13]})
        >>> Plan.from_frames(reg, obs).history("hubs").tolist()
        [10.0, 12.0, 13.0]
        """
        import pandas as pd

        from .data import COLUMNS, baseline_rows, check_observation_frame
        from .registry import indicators_from_records

        if not isinstance(indicators, pd.DataFrame):
            raise ParameterError(f"`indicators` must be a DataFrame; got {type(indicators).__name__}.")
        records = indicators.reset_index(drop="id" in indicators.columns).to_dict("records")
        for rec in records:
            for key in ("base_year", "target_year"):
                value = rec.get(key)
                if isinstance(value, float) and value.is_integer():
                    rec[key] = int(value)
        reg = indicators_from_records(records, name=name)
        frames = []
        if observations is not None:
            frames.append(check_observation_frame(observations, reg, name=f"{name} observations"))
        frames.append(baseline_rows(reg))
        frames = [f for f in frames if len(f)]
        if not frames:
            raise DataError(f"{name}: no observations: the registry has no baseline (base_year, base_value) "
                            "and no observations were given.")
        obs = pd.concat(frames, ignore_index=True).drop_duplicates(["indicator", "year"], keep="first")
        obs = obs.sort_values(["indicator", "year"], ignore_index=True)
        obs["year"] = obs["year"].astype(int)
        obs["value"] = obs["value"].astype(float)
        return cls._build(reg, obs[COLUMNS], origin, name)

    @classmethod
    def from_scenario(cls, scenario: Any) -> Plan:
        """The plan a scenario names (its ``indicators_file`` and ``data_file``), as of its ``origin``.

        Examples
        --------
        >>> from xmforecast.scenarios import Scenario
        >>> Plan.from_scenario(Scenario(scenario="a", origin=2015)).origin
        2015
        """
        return cls.from_files(scenario.indicators_file or None, scenario.data_file or None, origin=scenario.origin)

    @classmethod
    def default(cls, *, origin: int | None = None) -> Plan:
        """The default plan: the registry and observations of :data:`xmforecast.folder.DEFAULT_PLAN`."""
        return cls.from_files(origin=origin)

    @classmethod
    def _build(cls, reg, obs, origin, name) -> Plan:
        if origin is not None:
            if isinstance(origin, bool) or not isinstance(origin, int):
                raise ParameterError(f"`origin` must be a year (an integer); got {origin!r}.")
            first = int(obs["year"].min())
            if origin < first:
                raise ParameterError(f"`origin` {origin} is before the plan's first observation ({first}).")
        return cls(reg, obs, origin, name)

    def with_origin(self, origin: int | None) -> Plan:
        """The same registry and observations, as of another year (a new plan)."""
        return self._build(self._indicators, self._observations, origin, self.name)

    # --- what the plan holds ----------------------------------------------------------

    @property
    def indicators(self) -> pd.DataFrame:
        """The registry (a copy)."""
        return self._indicators.copy()

    @property
    def observations(self) -> pd.DataFrame:
        """Every observation up to the origin (a copy)."""
        return self._observations_as_of().copy()

    @property
    def registry(self) -> pd.DataFrame:
        """The registry itself, not a copy, for the computing functions: read it, never change it."""
        return self._indicators

    @property
    def all_observations(self) -> pd.DataFrame:
        """Every observation, after the origin too (not a copy: read it, never change it).

        The computing functions cut each series at :attr:`origin` themselves, so that an
        origin before an indicator's first observation is named in their messages.
        """
        return self._observations

    @property
    def ids(self) -> list[str]:
        """The registry's indicator ids, in its order."""
        return list(self._indicators["id"])

    def names(self, lang: str = "en") -> dict[str, str]:
        """Indicator names by id in ``lang`` (``zh`` or ``en``), falling back to the other."""
        if lang not in ("zh", "en"):
            raise ParameterError(f"`lang` must be zh or en; got {lang!r}.")
        first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
        reg = self._indicators
        return {i: (a if isinstance(a, str) and a else b) for i, a, b in zip(reg["id"], reg[first], reg[second])}

    def history(self, indicator: str) -> pd.Series:
        """One indicator's observations up to the origin, by year (cached)."""
        from .data import series

        self._check_id(indicator)
        key = ("history", indicator)
        if key not in self._cache:
            self._cache[key] = series(self._observations, indicator, origin=self.origin)
        return self._cache[key].copy()

    def target_table(self) -> pd.DataFrame:
        """The deterministic target metrics (:func:`xmforecast.target_table`), cached."""
        from .targets import target_table

        if "target_table" not in self._cache:
            self._cache["target_table"] = target_table(self._indicators, self._observations, origin=self.origin)
        return self._cache["target_table"].copy()

    @property
    def folder(self) -> Any:
        """The plan folder the registry was read from (:class:`xmforecast.folder.PlanFolder`), or None
        for a registry file given alone or frames."""
        from .registry import registry_plan

        return registry_plan(self._indicators)

    @property
    def scenario_defaults(self) -> dict[str, Any]:
        """The scenario defaults the plan declares (:func:`xmforecast.scenario_defaults.plan_defaults`):
        {} for a plan without a registry file, or whose registry's folder declares none."""
        from .registry import REGISTRY_ATTR
        from .scenario_defaults import read_plan_defaults, restates_library_defaults

        if "scenario_defaults" not in self._cache:
            registry = self._indicators.attrs.get(REGISTRY_ATTR)  # frames: a name, not a file
            file, values = read_plan_defaults(registry) if isinstance(registry, str) and Path(registry).is_file() \
                else ("", {})
            if not restates_library_defaults(values):
                from .scenarios import check_values

                check_values(values, where=file)
            self._cache["scenario_defaults"] = values
        return dict(self._cache["scenario_defaults"])

    @property
    def default_scenario(self) -> Any:
        """The scenario a question without one uses: the library's defaults
        (:data:`xmforecast.scenario_defaults.DEFAULT_SCENARIO`) with the plan's own."""
        import dataclasses

        from .scenario_defaults import DEFAULT_SCENARIO

        declared = self.scenario_defaults
        return dataclasses.replace(DEFAULT_SCENARIO, **declared) if declared else DEFAULT_SCENARIO

    def ladder(self, indicator: str) -> tuple[dict, list[tuple[str, str]]]:
        """Every rung of the growth ladder fitted to one indicator's history up to the origin, and the
        rungs skipped with why (:func:`xmforecast.models.fit_ladder`)."""
        from .models import fit_ladder

        return fit_ladder(self.history(indicator))

    def headline_ids(self, *, limit: int = 4) -> list[str]:
        """The indicators the pages show first (:func:`xmforecast.registry.headline_ids` up to the origin)."""
        from .registry import headline_ids

        return headline_ids(self._indicators, self._observations, origin=self.origin, limit=limit)

    def ids_taking(self, setting: str) -> list[str]:
        """The indicators whose registry model takes a scenario setting (a key of
        :data:`xmforecast.scenarios.MODEL_SETTINGS`, e.g. ``"recertification_rate"``): what a
        sensitivity to that setting or a slider for it can move.
        """
        from .scenarios import MODEL_SETTINGS, settings_of

        if setting not in MODEL_SETTINGS:
            raise ParameterError(f"unknown model setting {setting!r}; one of {', '.join(MODEL_SETTINGS)}.")
        return [str(rec["id"]) for rec in self._indicators.to_dict("records")
                if setting in settings_of(rec.get("model"))]

    # --- the questions ----------------------------------------------------------------

    def forecast(self, indicator: str, *, horizon: int = 4, model: str = "auto", level: float = 80,
                 n_paths: int = 10_000, rng: Any = None) -> pd.DataFrame:
        """Point and interval forecast of one indicator: :func:`xmforecast.forecast` on this plan."""
        from . import fitting

        self._check_id(indicator)
        return self._cached(("forecast", indicator, horizon, model, level, n_paths, rng), lambda: fitting.forecast(
            self, indicator, horizon=horizon, model=model, level=level, n_paths=n_paths, rng=rng))

    def evaluate_targets(self, *, scenario: Any = None, n_paths: int | None = None, rng: Any = None,
                         model: str | None = None, ids: list[str] | None = None):
        """Every target with its paths: :func:`xmforecast.evaluate_targets` on this plan."""
        from . import evaluation

        key = ("evaluate", _key(scenario), n_paths, rng, model, tuple(ids) if ids is not None else None)
        if key[1] is None or not _fixed(rng):
            return evaluation.evaluate_targets(self, scenario=scenario, n_paths=n_paths, rng=rng, model=model, ids=ids)
        if key not in self._cache:
            self._cache[key] = evaluation.evaluate_targets(self, scenario=scenario, n_paths=n_paths, rng=rng,
                                                           model=model, ids=ids)
        return self._cache[key]

    def assess_targets(self, *, scenario: Any = None, n_paths: int | None = None, rng: Any = None,
                       model: str | None = None) -> pd.DataFrame:
        """One row per target: :func:`xmforecast.assess_targets` on this plan."""
        return self.evaluate_targets(scenario=scenario, n_paths=n_paths, rng=rng, model=model).table.copy()

    def what_it_takes(self, *, scenario: Any = None, probability: float = 0.8, n_paths: int | None = None,
                      rng: Any = None) -> pd.DataFrame:
        """What every target takes (:func:`xmforecast.what_it_takes_table` on this plan).

        The required yearly growth and level path, the growth needed for ``probability``
        of attainment and, where the registry declares a structural model, its lever. The
        simulations are those of :meth:`evaluate_targets` with the same arguments (cached).
        """
        from .effort import what_it_takes_table

        evaluation = self.evaluate_targets(scenario=scenario, n_paths=n_paths, rng=rng)
        return what_it_takes_table(self, scenario=scenario, probability=probability, evaluation=evaluation)

    def backtest(self, *, level: float = 80) -> pd.DataFrame:
        """How each model forecast each indicator's past: :func:`xmforecast.backtest_table` on this plan."""
        from .backtest import backtest_table

        return backtest_table(self, level=level)

    def levers(self, *, scenario: Any = None) -> pd.DataFrame:
        """Structural levers only: :func:`xmforecast.what_it_takes` on this plan."""
        from .effort import what_it_takes

        return what_it_takes(self, scenario=scenario)

    # --- helpers ----------------------------------------------------------------------

    def _observations_as_of(self):
        if self.origin is None:
            return self._observations
        if "as_of" not in self._cache:
            self._cache["as_of"] = self._observations[self._observations["year"] <= self.origin]
        return self._cache["as_of"]

    def _check_id(self, indicator: str) -> None:
        if indicator not in set(self._indicators["id"]):
            raise ParameterError(f"unknown indicator {indicator!r}; valid ids: {', '.join(self.ids)}.")

    def _cached(self, key, compute):
        """``compute()`` once per key when the key is deterministic (a fixed seed), else every time."""
        if not _fixed(key[-1]):
            return compute()
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key].copy()

    def __repr__(self) -> str:
        return f"Plan(name={self.name!r}, indicators={len(self._indicators)}, " \
               f"observations={len(self._observations)}, origin={self.origin})"


def _fixed(rng: Any) -> bool:
    """Whether a seed argument gives the same numbers every time (None is the engine's fixed seed)."""
    return rng is None or (isinstance(rng, int) and not isinstance(rng, bool))


def _key(scenario: Any) -> str | None:
    """A hashable key of a scenario argument, or None when it cannot be made."""
    if scenario is None:
        return "default"
    try:
        if hasattr(scenario, "to_parameters"):
            return json.dumps(scenario.to_parameters(), sort_keys=True, default=str)
        if isinstance(scenario, dict):
            return json.dumps(scenario, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return None
    return None


def as_plan(plan: Plan | pd.DataFrame | None = None, *, observations: pd.DataFrame | None = None,
            indicators: pd.DataFrame | None = None, data_file: str | Path | None = None,
            origin: int | None = None) -> Plan:
    """The plan a public function computes on, from a plan or from the older keyword arguments.

    The one place where nothing given means the default plan.

    Parameters
    ----------
    plan : Plan or DataFrame, optional
        A plan (then ``observations``, ``indicators`` and ``data_file`` must be None), or the
        observations frame passed by position as the functions' first argument used to be.
    observations, indicators : DataFrame, optional
        Frames used as they are; a missing registry is the default plan's, missing
        observations are the registry's plan's (plus ``data_file``).
    data_file : path, optional
        Observations CSV merged over the default observations (when ``observations`` is None).
    origin : int, optional
        Forecast as of this year (with a plan: :meth:`Plan.with_origin`).

    Returns
    -------
    Plan

    Examples
    --------
    >>> as_plan(origin=2015).origin
    2015
    >>> plan = as_plan()
    >>> as_plan(plan) is plan
    True
    """
    import pandas as pd

    if isinstance(plan, pd.DataFrame):  # the observations, by position
        if observations is not None:
            raise ParameterError("observations given twice: by position and as `observations`.")
        plan, observations = None, plan
    if plan is not None:
        if not isinstance(plan, Plan):
            raise ParameterError(f"`plan` must be a Plan; got {type(plan).__name__}.")
        given = [name for name, value in (("observations", observations), ("indicators", indicators),
                                          ("data_file", data_file)) if value is not None]
        if given:
            raise ParameterError(f"a plan brings its own data; `{'`, `'.join(given)}` cannot be given with it.")
        return plan if origin is None or origin == plan.origin else plan.with_origin(origin)
    from .data import load_observations
    from .registry import load_indicators

    name = "embedded" if indicators is None and observations is None else "frames"
    if indicators is None:
        indicators = load_indicators()
    if observations is None:
        observations = load_observations(data_file, indicators=indicators)
    # As these arguments always were: the origin is checked against each indicator's own
    # first observation by the function that uses it, not against the plan's.
    return Plan(indicators, observations, origin, name)


def load_plan(indicators: str | Path | None = None, data: str | Path | None = None, *,
              origin: int | None = None) -> Plan:
    """:meth:`Plan.from_files`: a plan folder, or a registry file and data; the default plan with no argument.

    Examples
    --------
    >>> from xmforecast.folder import DEFAULT_PLAN
    >>> load_plan(DEFAULT_PLAN).observations.equals(load_plan().observations)
    True
    """
    return Plan.from_files(indicators, data, origin=origin)
