"""A scenario's default values and the model settings it may carry, without the schema.

:class:`xmforecast.scenarios.Scenario` (pydantic) validates what a params file or a notebook
gives, and takes its defaults from :data:`DEFAULTS`. A command that reads no scenario file
(``xmforecast targets``) needs only the defaults: :data:`DEFAULT_SCENARIO` holds them as a
scenario's attributes, so the engine runs on them without importing pydantic (60-90 ms of a
command that takes well under a second).

A plan may declare its own defaults for scenario keys in :data:`PLAN_DEFAULTS_FILE`, a flat
YAML file in its registry's folder (the plan folder's, or the folder of a registry file given
alone); :func:`read_plan_defaults` reads them (:func:`xmforecast.scenarios.plan_defaults` checks them too). A value given by a scenario file or a notebook
parameter wins over the plan's default, which wins over :data:`DEFAULTS`.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = ["DEFAULTS", "MODEL_SETTINGS", "DEFAULT_SCENARIO", "PLAN_DEFAULTS_FILE", "NOT_PLAN_DEFAULTS",
           "read_plan_defaults", "plan_defaults_file", "restates_library_defaults"]

#: Every scenario key but ``scenario`` (the name, always given) with its default value.
DEFAULTS = MappingProxyType({
    "title": "",
    "lang": "zh",
    "origin": None,
    "horizon": 4,
    "n_paths": 10_000,
    "seed": 2017,
    "model": "auto",
    "level": 80.0,
    "growth_shift": 0.0,
    "volatility_scale": 1.0,
    "at_required_rate": False,
    "recertification_rate": None,
    "exit_rate": 0.01,
    "new_certifications": None,
    "patent_lapse_rate": None,
    "population_growth": None,
    "data_file": "",
    "indicators_file": "",
})

#: Scenario keys that set a parameter of the chosen model, and the spec field each one sets
#: (the same name, or the model's own name for it). The engine passes a key to a model whose
#: spec has that field and ignores it otherwise; the spec refuses a value out of its range.
MODEL_SETTINGS: dict[str, str] = {
    "recertification_rate": "recertification_rate",
    "exit_rate": "exit_rate",
    "new_certifications": "new_per_year",
    "patent_lapse_rate": "lapse_rate",
    "population_growth": "population_growth",
}


def _to_parameters(self) -> dict[str, Any]:
    """The values as a plain dict, as :meth:`xmforecast.scenarios.Scenario.to_parameters` gives them."""
    return dataclasses.asdict(self)


#: The scenario named "default" with every default, read like a validated scenario's attributes.
DEFAULT_SCENARIO = dataclasses.make_dataclass(
    "DefaultScenario", [("scenario", str, dataclasses.field(default="default")),
                        *((key, Any, dataclasses.field(default=value)) for key, value in DEFAULTS.items())],
    frozen=True, namespace={"to_parameters": _to_parameters, "model_dump": _to_parameters, "source": None,
                            "__module__": __name__})()


#: The file, in the folder of a plan's registry, that declares the plan's scenario defaults.
PLAN_DEFAULTS_FILE = "scenario_defaults.yaml"

#: Keys a plan cannot give a default: the scenario's name and the plan's own files, and every
#: key whose null has a meaning of its own (the origin: the plan's last observed year; a model
#: setting: solved or projected from the data). A notebook parameter left None means "the
#: plan's default", so with a plan default for such a key a notebook could not ask for null.
NOT_PLAN_DEFAULTS = frozenset({"scenario", "data_file", "indicators_file",
                               *(key for key, value in DEFAULTS.items() if value is None)})


def plan_defaults_file(registry: str | Path | None = None) -> Path | None:
    """The scenario defaults file of the plan whose registry is `registry` (None: the default
    plan's), or None when the plan declares no defaults."""
    if registry is None:
        from .folder import read_plan_folder

        registry = read_plan_folder().registry
    path = Path(registry).parent / PLAN_DEFAULTS_FILE
    return path if path.is_file() else None


def read_plan_defaults(registry: str | Path | None = None) -> tuple[str, dict[str, Any]]:
    """The scenario defaults a plan declares (:data:`PLAN_DEFAULTS_FILE` beside its registry), with
    their keys checked but not their values (:func:`xmforecast.scenarios.plan_defaults` checks both).

    Parameters
    ----------
    registry : path, optional
        The plan's registry file; None: the default plan's.

    Returns
    -------
    (str, dict)
        The file's name ("" when the plan has none) and its keys and values ({} then).

    Raises
    ------
    ScenarioError
        One line naming the file and the key: not a mapping, an unknown key or a key a plan
        cannot set (:data:`NOT_PLAN_DEFAULTS`).
    """
    from .exceptions import ScenarioError
    from .inputs import MAX_YAML_BYTES, load_yaml, read_bytes

    path = plan_defaults_file(registry)
    if path is None:
        return "", {}
    file = str(path)
    raw = read_bytes(path, max_bytes=MAX_YAML_BYTES, error=ScenarioError, not_found="no such file")
    values = load_yaml(raw.decode("utf-8-sig", errors="replace"), file=file, error=ScenarioError)
    if values is None:
        return file, {}
    if not isinstance(values, dict):
        raise ScenarioError(f"{file}: expected a mapping of 'key: value' lines (scenario keys and the plan's "
                            f"defaults for them); got {type(values).__name__}.")
    for key in values:
        if key in NOT_PLAN_DEFAULTS:
            raise ScenarioError(f"{file}: key '{key}': a plan cannot set a default for it (a scenario's name, "
                                "its plan's files, or a key whose null means 'from the data').")
        if key not in DEFAULTS:
            known = ", ".join(k for k in DEFAULTS if k not in NOT_PLAN_DEFAULTS)
            raise ScenarioError(f"{file}: key '{key}': not a scenario key a plan can set (one of {known}).")
    return file, dict(values)


def restates_library_defaults(values: dict[str, Any]) -> bool:
    """Whether every value is the library's default, type and all: such values need no check, so
    a plan that restates the defaults keeps the schema library out of a command that reads no
    scenario file."""
    return all(type(value) is type(DEFAULTS[key]) and value == DEFAULTS[key] for key, value in values.items())
