"""Scenario parameters files: a typed schema and loaders.

A scenario is one flat YAML file in ``params/`` that papermill can read as a
parameters file (``papermill NB OUT -f params/x.yaml``).  Papermill only warns
about keys a notebook does not declare, so every file is validated here before
any notebook runs: an unknown key, a wrong type or an impossible value stops
the run with one line naming the file, the key and the rule.
"""
from __future__ import annotations

import difflib
import functools
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
)

from xmforecast.exceptions import ScenarioError

__all__ = ["Scenario", "SCENARIO_KEYS", "load_scenario", "load_scenarios", "scenario_from_parameters"]

_Probability = Annotated[float, Field(ge=0.0, le=1.0)]
_Growth = Annotated[float, Field(gt=-1.0)]

# The rule shown when a value breaks a field's bounds.
_RULES = {
    "scenario": "must be a non-empty name of lower-case letters, digits, '_' or '-' (it names the output folder)",
    "origin": "must be a year in 1990..2100",
    "horizon": "must be a whole number of years in 1..30",
    "n_paths": "must be a number of simulated paths in 10..1000000",
    "seed": "must be an integer >= 0",
    "level": "must be a percentage strictly between 0 and 100",
    "growth_shift": "must be a growth rate (fraction) > -1",
    "volatility_scale": "must be > 0",
    "recertification_rate": "must be a probability in [0, 1] (or null to calibrate it on 2016)",
    "exit_rate": "must be a share in [0, 1)",
    "new_certifications": "must be a count >= 0 (or null to project it from history)",
    "patent_lapse_rate": "must be a probability in [0, 1] (or null)",
    "population_growth": "must be a growth rate (fraction) > -1 (or null)",
}
_SET_BY_RUNNER = {"output_dir", "run_dir"}


class Scenario(BaseModel):
    """One scenario: the parameters injected into every scenario notebook.

    Parameters
    ----------
    scenario : str
        Name of the scenario, ``[a-z0-9_-]+``; it names the output folder.
    title : str
        Display title (empty: use `scenario`).
    lang : {"zh", "en"}
        Language of the notebook's prose and charts.
    origin : int
        Forecast origin [year]; observations after it are ignored.
    horizon : int
        Years forecast beyond `origin` [years], 1..30.
    n_paths : int
        Simulated paths, 10..1,000,000.
    seed : int
        Seed of the random generator, >= 0.
    model : str
        Model name, or ``"auto"`` for selection by backtest.
    level : float
        Prediction interval level [%], 0 < level < 100.
    growth_shift : float
        Added to every indicator's expected annual growth [fraction], > -1.
    volatility_scale : float
        Multiplies the simulated volatility, > 0.
    at_required_rate : bool
        Each indicator grows exactly at the rate its target requires.
    recertification_rate : float or None
        Share of expiring high-tech certificates renewed [probability]; None solves it
        from the seed's 2016 figures (1000 + 281 new − 1225 = 56 firms leaving).
    exit_rate : float
        Share of certified firms leaving each year [fraction], 0 ≤ rate < 1.
    new_certifications : int or None
        New certifications per year [firms]; None projects them from history.
    patent_lapse_rate : float or None
        Share of valid invention patents lapsing each year [probability].
    population_growth : float or None
        Resident population growth per year [fraction], > -1.
    data_file : str
        Extra observations CSV (``indicator, year, value``); a relative path
        is resolved against the params file's folder by :func:`load_scenario`.

    Examples
    --------
    >>> s = Scenario(scenario="baseline", n_paths=500)
    >>> s.to_parameters()["n_paths"], s.lang
    (500, 'zh')
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    scenario: str = Field(pattern=r"^[a-z0-9_-]+$")
    title: str = ""
    lang: Literal["zh", "en"] = "zh"
    origin: int = Field(2016, ge=1990, le=2100)
    horizon: int = Field(4, ge=1, le=30)
    n_paths: int = Field(10_000, ge=10, le=1_000_000)
    seed: int = Field(2017, ge=0)
    model: str = "auto"
    level: float = Field(80.0, gt=0.0, lt=100.0)
    growth_shift: _Growth = 0.0
    volatility_scale: float = Field(1.0, gt=0.0)
    at_required_rate: bool = False
    recertification_rate: _Probability | None = None
    exit_rate: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.01
    new_certifications: Annotated[int, Field(ge=0)] | None = None
    patent_lapse_rate: _Probability | None = None
    population_growth: _Growth | None = None
    data_file: str = ""

    _source: Path | None = PrivateAttr(default=None)

    @field_validator("data_file")
    @classmethod
    def _resolve_data_file(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            return value
        base = Path((info.context or {}).get("base_dir", "."))
        path = (base / Path(value).expanduser()).resolve()
        if not path.is_file():
            raise ValueError(f"file not found (looked for {path})")
        return str(path)

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        from xmforecast.models import MODELS

        valid = ["auto", "structural", *sorted(MODELS)]
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


@functools.cache
def _yaml_loader() -> type:
    """A safe YAML loader that rejects duplicate keys and keeps dates as strings."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(f"key '{key}': duplicate key at line {line} (first at line {seen[key]}).")
            seen[key] = line
        return loader.construct_mapping(node, deep=deep)

    # As papermill's own loader: a date-like value stays a string.
    Loader.yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


class _DuplicateKey(Exception):
    """A key appears twice in one YAML mapping."""


def _show(value: Any) -> str:
    """Render a received value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = f"a {'mapping' if isinstance(value, dict) else 'list'} {value!r}"
    else:
        text = repr(value)
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
        return _RULES[key]
    message = error["msg"]
    return message[:1].lower() + message[1:]


def _error_line(file: str, exc: ValidationError, data: dict) -> str:
    """One line for a validation error: the first offending key in file order."""
    order = {key: i for i, key in enumerate(data)}
    errors = sorted(exc.errors(), key=lambda e: order.get(e["loc"][0] if e["loc"] else None, -1))
    first = errors[0]
    key = str(first["loc"][0]) if first["loc"] else "?"
    if first["type"] == "missing":
        line = f"{file}: key '{key}': {_rule(key, first)}."
    else:
        line = f"{file}: key '{key}': {_rule(key, first)}; got {_show(first.get('input'))}."
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
        The validated scenario; `data_file`, if given, as an absolute path.

    Raises
    ------
    ScenarioError
        One line naming the file, the key and the rule broken: missing or
        unreadable file, not UTF-8, YAML syntax error, not a mapping, unknown
        key, wrong type or impossible value.
    """
    import yaml

    path = Path(path)
    file = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(f"{file}: no such params file.") from None
    except OSError as exc:
        raise ScenarioError(f"{file}: cannot read the params file ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"{file}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}); save it as UTF-8."
        ) from None
    try:
        data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 (a SafeLoader subclass)
    except _DuplicateKey as exc:
        raise ScenarioError(f"{file}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and mark is not None and start.line != mark.line:
            problem += f" ({context} that starts at line {start.line + 1})"
        raise ScenarioError(f"{file}: {where}YAML syntax error: {problem}.") from None
    if not isinstance(data, dict):
        got = "an empty file" if data is None else f"{type(data).__name__} {_show(data)}"
        raise ScenarioError(f"{file}: expected a mapping of 'key: value' lines; got {got}.")
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": path.resolve().parent})
    except ValidationError as exc:
        raise ScenarioError(_error_line(file, exc, data)) from None
    scenario._source = path
    return scenario


def scenario_from_parameters(parameters: dict, *, where: str = "notebook parameters") -> Scenario:
    """Validate a mapping of scenario parameters (e.g. a notebook's parameters cell).

    Parameters
    ----------
    parameters : dict
        Scenario fields; keys the runner sets (``output_dir``, ``run_dir``) are ignored.
    where : str
        Names the origin of the values in the error message, in place of a file name.

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
    data = {k: v for k, v in parameters.items() if k not in _SET_BY_RUNNER}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_error_line(where, exc, data)) from None


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
