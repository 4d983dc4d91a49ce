"""A scenario's default values and the model settings it may carry, without the schema.

:class:`xmforecast.scenarios.Scenario` (pydantic) validates what a params file or a notebook
gives, and takes its defaults from :data:`DEFAULTS`. A command that reads no scenario file
(``xmforecast targets``) needs only the defaults: :data:`DEFAULT_SCENARIO` holds them as a
scenario's attributes, so the engine runs on them without importing pydantic (60-90 ms of a
command that takes well under a second).
"""
from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

__all__ = ["DEFAULTS", "MODEL_SETTINGS", "DEFAULT_SCENARIO"]

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
