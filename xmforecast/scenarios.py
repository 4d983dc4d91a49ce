"""Scenario parameters files: a typed schema and loaders.

A scenario is one flat YAML file in ``params/`` that papermill can read as a
parameters file (``papermill NB OUT -f params/x.yaml``).  Papermill only warns
about keys a notebook does not declare, so every file is validated here before
any notebook runs: an unknown key, a wrong type or an impossible value stops
the run with one line naming the file, the key and the rule.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from xmforecast.rules import FIRST_YEAR, in_year_range, year_rule
from xmforecast.scenario_defaults import DEFAULTS, MODEL_SETTINGS, read_plan_defaults
from xmforecast.exceptions import ScenarioError

__all__ = ["Scenario", "SCENARIO_KEYS", "default_scenario", "MODEL_SETTINGS", "settings_of", "load_scenario",
           "load_scenarios", "scenario_from_parameters", "check_values", "plan_defaults"]

_Probability = Annotated[float, Field(ge=0.0, le=1.0)]

# The rule shown when a value breaks a field's bounds; a callable gives a rule that moves with
# the calendar (the last observed year is this year), read when the message is made.
_RULES: dict[str, str | Callable[[], str]] = {
    "scenario": "must be a name of 1-64 lower-case letters, digits, '_' or '-', not starting with '_' or '-' "
                "(it names the output folder; '_' starts the run's own folders)",
    "title": "must be at most 200 characters",
    "origin": year_rule,
    "horizon": "must be a whole number of years in 1..30",
    "n_paths": "must be a number of simulated paths in 10..1000000",
    "seed": "must be an integer in 0..2**63-1",
    "level": "must be a percentage in (50, 99.9], such as 80 (not a fraction such as 0.8)",
    "growth_shift": "must be a growth rate (fraction) in [-0.5, 0.5], i.e. at most ±50 %/yr",
    "volatility_scale": "must be > 0 and at most 10",
    "recertification_rate": "must be a probability in [0, 1] (or null to solve it from the data)",
    "exit_rate": "must be a share in [0, 1)",
    "new_certifications": "must be a count in 0..1000000 (or null to project it from history)",
    "patent_lapse_rate": "must be a probability in [0, 1] (or null)",
    "population_growth": "must be a growth rate (fraction) in [-0.2, 0.2] (or null)",
}
_SET_BY_RUNNER = {"output_dir", "run_dir"}



def settings_of(model: Any) -> set[str]:
    """The scenario keys (:data:`MODEL_SETTINGS`) that set a parameter of `model`, a name as in a
    registry's ``model`` column: a key counts where the model's spec has the field it sets.

    Examples
    --------
    >>> sorted(settings_of("patent_ratio")), settings_of("auto"), settings_of(None)
    (['patent_lapse_rate', 'population_growth'], set(), set())
    """
    from dataclasses import fields, is_dataclass

    from xmforecast.model_registry import MODELS

    name = str(model).split()[0] if isinstance(model, str) and model.strip() else ""
    spec = MODELS.get(name)
    if spec is None or not is_dataclass(spec):
        return set()
    names = {f.name for f in fields(spec)}
    return {key for key, field_name in MODEL_SETTINGS.items() if field_name in names}


class Scenario(BaseModel):
    """One scenario: the parameters injected into every scenario notebook.

    Parameters
    ----------
    scenario : str
        Name of the scenario, 1-64 characters of ``[a-z0-9_-]`` not starting with ``_`` or
        ``-``; it names the output folder (``_overview``, ``_comparison`` and ``_logs`` are the
        run's own).
    title : str
        Display title, at most 200 characters (empty: use `scenario`).
    lang : {"zh", "en"}
        Language of the notebook's prose and charts.
    origin : int, optional
        Forecast origin [year]; observations after it are ignored. An observed year:
        :data:`xmforecast.rules.FIRST_YEAR` (1800) to the current year
        (:func:`xmforecast.rules.year_rule`). Absent or null: the last year the plan's
        registry and ``data_file`` observe (None while they cannot be read).
    horizon : int
        Years forecast beyond `origin` [years], 1..30.
    n_paths : int
        Simulated paths, 10..1,000,000.
    seed : int
        Seed of the random generator, 0..2**63-1.
    model : str
        Model name, or ``"auto"``: the registry's model for each indicator (a structural
        model where one is declared, else the calibrated ``auto``).
    level : float
        Prediction interval level [%], 50 < level <= 99.9.
    growth_shift : float
        Added to every indicator's expected annual growth [fraction], -0.5..0.5.
    volatility_scale : float
        Multiplies the simulated volatility, 0 < scale ≤ 10.
    at_required_rate : bool
        Each indicator grows exactly at the rate its target requires.
    recertification_rate : float or None
        Share of expiring certificates renewed [probability] (the ``certified_stock``
        model); None solves it from the stock's last two figures and that year's new
        certifications.
    exit_rate : float
        Share of certified firms leaving each year [fraction], 0 ≤ rate < 1.
    new_certifications : int or None
        New certifications per year [firms], 0..1,000,000; None projects them from history.
    patent_lapse_rate : float or None
        Share of the ratio model's numerator (e.g. valid patents) lapsing each year
        [probability].
    population_growth : float or None
        Resident population growth per year [fraction], -0.2..0.2.
    data_file : str
        Extra observations CSV (``indicator, year, value``); a relative path
        is resolved against the params file's folder by :func:`load_scenario`.
    indicators_file : str
        Another plan's indicator registry (YAML), resolved like ``data_file``; empty:
        the default plan's. With it, none of the default plan's observations is used: the
        observations are the registry's baselines and ``data_file``.

    Notes
    -----
    A key left out takes the default of the scenario's plan, if its plan declares one
    (:func:`xmforecast.scenario_defaults.plan_defaults`), else the default above.

    Examples
    --------
    >>> s = Scenario(scenario="baseline", n_paths=500)
    >>> s.to_parameters()["n_paths"], s.lang
    (500, 'zh')
    """

    # defer_build: the validator is built on the first validation, not at import, so a run
    # on the defaults alone (`xmforecast targets`) never pays for it.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    scenario: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$",
        description="Name, 1-64 characters of [a-z0-9_-], not starting with '_' or '-' (names starting "
                    "with '_' are the run's own folders: _overview, _comparison, _logs); it names the output folder.",
    )
    title: str = Field(
        DEFAULTS["title"], max_length=200, description="Display title, at most 200 characters (empty: the name).")
    lang: Literal["zh", "en"] = Field(DEFAULTS["lang"], description="Language of prose and charts: zh or en.")
    origin: int | None = Field(
        DEFAULTS["origin"], description=f"Forecast origin [year], {FIRST_YEAR}..the current year; "
                                        "null or absent: the plan's last observed year.")
    horizon: int = Field(
        DEFAULTS["horizon"], ge=1, le=30, description="Years forecast beyond the origin [years], 1..30.")
    n_paths: int = Field(DEFAULTS["n_paths"], ge=10, le=1_000_000, description="Simulated paths, 10..1,000,000.")
    seed: int = Field(DEFAULTS["seed"], ge=0, le=2**63 - 1, description="Seed of the random generator, 0..2**63-1.")
    model: str = Field(DEFAULTS["model"], description="Model name, or auto (the registry's model: structural where "
                                                      "declared, else the calibrated auto).")
    level: float = Field(
        DEFAULTS["level"], gt=50.0, le=99.9, description="Prediction interval level [%], 50 < level <= 99.9 "
                                                         "(as the command line's --level).")
    growth_shift: float = Field(
        DEFAULTS["growth_shift"], ge=-0.5, le=0.5,
        description="Added to every indicator's expected annual growth [fraction], -0.5..0.5 (±50 %/yr).",
    )
    volatility_scale: float = Field(
        DEFAULTS["volatility_scale"], gt=0.0, le=10.0,
        description="Multiplies the simulated volatility, 0 < scale <= 10.",
    )
    at_required_rate: bool = Field(
        DEFAULTS["at_required_rate"], description="Each indicator grows exactly at its required rate.")
    recertification_rate: _Probability | None = Field(
        DEFAULTS["recertification_rate"],
        description="Share of expiring certificates renewed [probability], 0..1; null solves it from the data."
    )
    exit_rate: Annotated[float, Field(ge=0.0, lt=1.0)] = Field(
        DEFAULTS["exit_rate"], description="Share of certified firms leaving each year [fraction], 0 <= rate < 1."
    )
    new_certifications: Annotated[int, Field(ge=0, le=1_000_000)] | None = Field(
        DEFAULTS["new_certifications"],
        description="New certifications per year [firms], 0..1,000,000; null projects them from history."
    )
    patent_lapse_rate: _Probability | None = Field(
        DEFAULTS["patent_lapse_rate"],
        description="Share of valid invention patents lapsing each year [probability], 0..1, or null."
    )
    population_growth: Annotated[float, Field(ge=-0.2, le=0.2)] | None = Field(
        DEFAULTS["population_growth"],
        description="Resident population growth per year [fraction], -0.2..0.2 (±20 %/yr), or null."
    )
    data_file: str = Field(
        DEFAULTS["data_file"], description="Extra observations CSV; relative to the params file's folder.")
    indicators_file: str = Field(
        DEFAULTS["indicators_file"],
        description="Another plan's indicator registry (YAML); relative to the params file's folder; "
                    "empty: the embedded registry. With it, observations come from its baselines and data_file only."
    )

    _source: Path | None = PrivateAttr(default=None)

    @field_validator("data_file", "indicators_file")
    @classmethod
    def _resolve_data_file(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            return value
        base = Path((info.context or {}).get("base_dir", "."))
        try:
            path = (base / Path(value).expanduser()).resolve()
            found = path.is_file()
        except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a name too long, a loop
            raise ValueError(f"not a usable path ({getattr(exc, 'strerror', None) or type(exc).__name__})") from None
        if not found:
            shown = str(path) if str(path).isprintable() else _show(str(path))[1:-1]  # one line, whatever the name
            shown = shown if len(shown) <= 200 else shown[:197] + "..."
            raise ValueError(f"file not found (looked for {shown})")
        return str(path)

    @field_validator("origin")
    @classmethod
    def _observed_year(cls, value: int | None) -> int | None:
        # The upper bound is this year, so it is checked here rather than frozen in `Field(le=)`
        # at import; the message is the `_RULES` entry.
        if value is not None and not in_year_range(value):
            raise PydanticCustomError("year_range", "not an observed year")
        return value

    @model_validator(mode="before")
    @classmethod
    def _from_plan(cls, data: Any, info: ValidationInfo) -> Any:
        # What the scenario leaves out comes from its plan, read here, where the plan's files
        # are known: first the plan's declared defaults (a given key wins), then an absent
        # origin is the plan's last observed year, so a scenario never silently drops the
        # newer data of a plan. A plan that cannot be read leaves both to the field checks and
        # to reading the data, which every use of the scenario does first and which names
        # the file, row and rule.
        context = info.context or {}
        if not isinstance(data, dict) or context.get("plan") is False:
            return data
        base_dir = Path(context.get("base_dir", "."))
        registry = _registry_named(data, base_dir)
        if registry is not False:
            data = {**plan_defaults(registry), **data}
        if data.get("origin") is None:
            year = _last_observed(data, base_dir)
            if year is not None:
                data = {**data, "origin": year}
        return data

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        from xmforecast.model_registry import MODELS

        valid = ["auto", "structural", *sorted(m for m in MODELS if m != "auto")]
        if value not in valid:
            raise ValueError(f"must be one of {', '.join(valid)}")
        return value

    @property
    def source(self) -> Path | None:
        """The params file this scenario was loaded from, if any."""
        return self._source

    def to_parameters(self) -> dict[str, Any]:
        """Return the parameters as a plain dict, ready for papermill.

        Returns
        -------
        dict
            One entry per key of :data:`SCENARIO_KEYS`.
        """
        return self.model_dump(mode="python")


SCENARIO_KEYS: tuple[str, ...] = tuple(Scenario.model_fields)


def _registry_named(data: dict, base_dir: Path) -> Path | None | bool:
    """The registry file a scenario's raw values name (None: the default plan's); False when
    the value cannot be used (the field's own check says why)."""
    value = data.get("indicators_file") or ""
    if not isinstance(value, str):
        return False
    if not value:
        return None
    try:
        path = base_dir / Path(value).expanduser()
        return path if path.is_file() else False
    except (OSError, ValueError):
        return False


def plan_defaults(registry: str | Path | None = None) -> dict[str, Any]:
    """The scenario defaults a plan declares, checked as a params file's values.

    Parameters
    ----------
    registry : path, optional
        The plan's registry file; ``scenario_defaults.yaml`` in its folder holds them
        (:func:`xmforecast.scenario_defaults.read_plan_defaults`). None: the default plan's.

    Returns
    -------
    dict
        Scenario keys and values; empty when the plan declares none.

    Raises
    ------
    ScenarioError
        One line naming the file and the key: not a mapping, an unknown key, a key a plan
        cannot set, or a value a params file could not hold.

    Examples
    --------
    >>> plan_defaults()["lang"]
    'zh'
    """
    file, values = read_plan_defaults(registry)
    if values:
        check_values(values, where=file)
    return values


def check_values(values: dict, *, where: str) -> None:
    """Check scenario values as a params file's, without a name or a plan (a plan's defaults).

    Raises
    ------
    ScenarioError
        One line: "<where>: key '<key>': <rule>; got <value>."
    """
    try:
        Scenario.model_validate({"scenario": "defaults", **values}, context={"plan": False})
    except ValidationError as exc:
        raise ScenarioError(_error_line(where, exc, values)) from None


def _last_observed(data: dict, base_dir: Path) -> int | None:
    """The last year observed in the plan a scenario's raw values name; None if they cannot be read."""
    from xmforecast.exceptions import XMForecastError

    files = [data.get(key) or "" for key in ("indicators_file", "data_file")]
    if not all(isinstance(f, str) for f in files):
        return None  # a wrong type: the field's own check says so
    from xmforecast.data import load_observations
    from xmforecast.registry import load_indicators

    try:
        indicators_file, data_file = ((base_dir / Path(f).expanduser()) if f else None for f in files)
        obs = load_observations(data_file, indicators=load_indicators(indicators_file))
    except (XMForecastError, OSError, ValueError):
        return None  # the file checks name the problem
    return int(obs["year"].max())


def default_scenario() -> Scenario:
    """``Scenario(scenario="default")``, built without running the validator.

    Every default is valid (a test compares the two), and skipping validation keeps
    pydantic's schema build out of a command that reads no scenario file.
    """
    return Scenario.model_construct(scenario="default")


def _show(value: Any) -> str:
    """Render a received value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    import reprlib

    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxdict, short.maxstring, short.maxother = 2, 4, 4, 60, 60
    if isinstance(value, (dict, list)):
        text = f"a {'mapping' if isinstance(value, dict) else 'list'} {short.repr(value)}"
    else:
        text = short.repr(value)
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


_TYPE_RULES = {
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be a string (quote it)",
}


def _rule(key: str, error: dict) -> str:
    """Turn one pydantic error into the rule it broke."""
    kind = error["type"]
    if kind == "extra_forbidden":
        if key in _SET_BY_RUNNER:
            return "unknown key (it is set by the runner, not by a params file)"
        close = difflib.get_close_matches(key, SCENARIO_KEYS, n=1, cutoff=0.6)
        if close:
            return f"unknown key (did you mean '{close[0]}'?)"
        return f"unknown key (known keys: {', '.join(SCENARIO_KEYS)})"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return f"must be one of {error['ctx']['expected']}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in _TYPE_RULES:
        field = Scenario.model_fields.get(key)
        nullable = field is not None and field.default is None
        return _TYPE_RULES[kind] + (" (or null)" if nullable else "")
    if key in _RULES:
        rule = _RULES[key]
        return rule() if callable(rule) else rule
    message = error["msg"]
    return message[:1].lower() + message[1:]


def _error_line(file: str, exc: ValidationError, data: dict) -> str:
    """One line for a validation error: the first offending key in file order."""
    order = {key: i for i, key in enumerate(data)}
    errors = sorted(exc.errors(), key=lambda e: order.get(e["loc"][0] if e["loc"] else None, -1))
    first = errors[0]
    key = str(first["loc"][0]) if first["loc"] else "?"
    # A key as written in the file: control characters escaped, at most 60 characters.
    shown = key if key.isprintable() and len(key) <= 60 else _show(key)[1:-1]
    if first["type"] == "missing":
        line = f"{file}: key '{shown}': {_rule(key, first)}."
    else:
        line = f"{file}: key '{shown}': {_rule(key, first)}; got {_show(first.get('input'))}."
    if len(errors) > 1:
        line += f" (+{len(errors) - 1} more)"
    return line


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate one params file.

    Parameters
    ----------
    path : str or Path
        A flat YAML file of ``key: value`` pairs (see :class:`Scenario`).

    Returns
    -------
    Scenario
        The validated scenario; `data_file` and `indicators_file`, if given, as absolute paths.

    Raises
    ------
    ScenarioError
        One line naming the file, the key and the rule broken: missing or
        unreadable or non-regular file, larger than 1 MiB, not UTF-8, YAML syntax
        error, nesting or alias expansion beyond the bounds of :mod:`xmforecast.inputs`,
        not a mapping, unknown key, wrong type or out-of-range value.
    """
    from xmforecast.inputs import MAX_YAML_BYTES, load_yaml, read_bytes

    path = Path(path)
    file = str(path)
    raw = read_bytes(path, max_bytes=MAX_YAML_BYTES, error=ScenarioError, not_found="no such params file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"{file}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}); save it as UTF-8."
        ) from None
    data = load_yaml(text, file=file, error=ScenarioError)
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"{type(data).__name__} {_show(data)}"
        raise ScenarioError(f"{file}: expected a mapping of 'key: value' lines; got {got}.")
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": path.resolve().parent})
    except ValidationError as exc:
        raise ScenarioError(_error_line(file, exc, data)) from None
    scenario._source = path
    return scenario


def scenario_from_parameters(parameters: dict, *, where: str = "notebook parameters",
                             params_dir: str | Path = "") -> Scenario:
    """Validate a mapping of scenario parameters (e.g. a notebook's parameters cell).

    Parameters
    ----------
    parameters : dict
        Scenario fields; keys the runner sets (``output_dir``, ``run_dir``) are ignored, and
        so is a None (a notebook parameter left at None): the plan's default applies, or the
        library's (:mod:`xmforecast.scenario_defaults`).
    where : str
        Names the origin of the values in the error message, in place of a file name.
    params_dir : str or Path
        The folder of the params file the values come from (``papermill -f FILE``): a
        relative ``data_file`` or ``indicators_file`` is found there, as :func:`load_scenario`
        finds it; empty: the current folder.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        The same one line a params file would give: "<where>: key '<key>': <rule>; got <value>."

    Examples
    --------
    >>> scenario_from_parameters({"scenario": "a", "n_paths": 500}).n_paths
    500
    """
    # None is "not given" (a notebook's parameters default to None, the plan's default): the
    # plan's default or the library's then applies. A key whose null has a meaning of its own
    # (the origin, a model setting solved from the data) has no plan default and null as the
    # library's, so dropping it keeps that meaning.
    data = {k: v for k, v in parameters.items() if k not in _SET_BY_RUNNER and v is not None}
    base = str(params_dir or ".")
    try:
        return Scenario.model_validate(data, context={"base_dir": base})
    except ValidationError as exc:
        line = _error_line(where, exc, data)
        if "file not found" in line and base == ".":
            line += (" A relative path is read from the params file's folder: under papermill, "
                     "pass it as -p params_dir FOLDER.")
        raise ScenarioError(line) from None


def load_scenarios(paths: list[str | Path] | tuple[str | Path, ...]) -> list[Scenario]:
    """Read and validate several params files, all of them before returning.

    Parameters
    ----------
    paths : sequence of str or Path
        Params files, in the order the scenarios should be reported.

    Returns
    -------
    list of Scenario

    Raises
    ------
    ScenarioError
        With one line per invalid file, and one per scenario name used twice.
    """
    scenarios: list[Scenario] = []
    problems: list[str] = []
    first_file: dict[str, str] = {}
    for path in paths:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            problems.append(str(exc))
            continue
        name = scenario.scenario
        if name in first_file:
            problems.append(
                f"{path}: key 'scenario': duplicate scenario name (also in {first_file[name]}); got '{name}'."
            )
            continue
        first_file[name] = str(path)
        scenarios.append(scenario)
    if problems:
        raise ScenarioError("\n".join(problems))
    return scenarios
