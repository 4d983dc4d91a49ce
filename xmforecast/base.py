"""The one model contract: a frozen spec, ``fit(inputs)``, a frozen fitted model.

Every model, growth (:mod:`xmforecast.models`, :mod:`xmforecast.auto`) or structural
(:mod:`xmforecast.stockflow`, :mod:`xmforecast.patents`), derives from :class:`ModelSpec`
and :class:`FittedModel`. What a model can do is declared here as plain class attributes
with defaults, and overridden by the models that can do more; callers read the attribute
and never probe for it:

==========================  =============  ==================================================
attribute                   default        meaning
==========================  =============  ==================================================
``ModelSpec.roles``         ``("series",)``  input roles ``fit`` takes (one: a Series)
``ModelSpec.structural``    False          fitted on other indicators' series (its roles)
``ModelSpec.lever``         ``""``         what ``required_lever`` answers, words and [unit]
``ModelSpec.lever_key``     ``""``         the catalog message that names the lever for a planner
``ModelSpec.lever_role``    ``""``         the input role that is the lever
``ModelSpec.spreads``       ``{}``         rates drawn per path → the field of their spread
``ModelSpec.sigma_scale``   NaN            multiplier of all uncertainty (growth models)
``FittedModel.intervals_from_paths``  False  ``forecast`` takes ``n_paths`` and ``rng``
``FittedModel.evidence``    own series     what a forecast rests on
``FittedModel.log_scale``   False          the model works on log values
==========================  =============  ==================================================
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import pandas as pd

from xmforecast.exceptions import ParameterError

__all__ = ["ModelSpec", "FittedModel", "by_role", "build_spec"]


@dataclass(frozen=True)
class ModelSpec:
    """Hyperparameters of a model, without data; :meth:`fit` returns a :class:`FittedModel`.

    Subclasses are frozen dataclasses. ``name`` and ``min_obs`` are class attributes, and so
    are the capabilities in the module's table.
    """

    name: ClassVar[str] = ""
    min_obs: ClassVar[int] = 1
    roles: ClassVar[tuple[str, ...]] = ("series",)
    structural: ClassVar[bool] = False
    lever: ClassVar[str] = ""
    lever_key: ClassVar[str] = ""
    lever_role: ClassVar[str] = ""
    spreads: ClassVar[Mapping[str, str]] = {}
    # Growth specs make these instance fields of their own, hence no annotation here (an
    # annotated default would take a dataclass field's place in the subclasses' signatures).
    sigma_scale = math.nan  #: float: multiplies every standard deviation; NaN: no such scale

    @property
    def label(self) -> str:
        """Name used in tables (the registry name)."""
        return self.name

    def fit(self, inputs: Any) -> FittedModel:
        """Fit the model; the spec itself is left unchanged (see :func:`by_role` for `inputs`)."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class FittedModel:
    """A fitted model: ``forecast(horizon, level)``, ``simulate(horizon, n_paths, *, rng)``, ``summary()``.

    A model with a lever (``spec.lever`` not empty) also answers ``required_lever``,
    ``lever_observed`` and ``lever_assumptions``.
    """

    spec: ModelSpec

    intervals_from_paths: ClassVar[bool] = False
    # Fitted models that set these per fit make them fields (see ModelSpec.sigma_scale).
    evidence = "own series"  #: str: "own series", "outside view" or "structural"
    log_scale = False  #: bool: the model works on natural-log values

    @property
    def name(self) -> str:
        """The spec's label."""
        return self.spec.label

    @property
    def last_year(self) -> int:
        """Last observed year; forecasts start the year after."""
        raise NotImplementedError

    def forecast(self, horizon: int, level: float = 80) -> pd.DataFrame:
        """Point forecast and interval by year: columns ``point``, ``lower``, ``upper``."""
        raise NotImplementedError

    def simulate(self, horizon: int, n_paths: int, *, rng: Any = None) -> pd.DataFrame:
        """Simulated future paths, years × paths."""
        raise NotImplementedError

    def summary(self) -> pd.DataFrame:
        """Parameters and notes: index ``item``, columns ``value`` and ``note``."""
        raise NotImplementedError


def by_role(spec: ModelSpec, inputs: Any) -> dict[str, Any]:
    """The inputs of ``spec.fit`` as a mapping of role to data.

    Parameters
    ----------
    spec : ModelSpec
        The model whose ``roles`` the inputs must fill.
    inputs : Series or Mapping
        A Series (models with a single role only), or a mapping of role to Series.

    Returns
    -------
    dict
        One entry per role of ``spec.roles``, in that order.

    Raises
    ------
    ParameterError
        If a model with several roles gets something other than a mapping, or the mapping
        lacks a role or holds one the model does not have (the message names them).

    Examples
    --------
    >>> import pandas as pd
    >>> from xmforecast.models import Drift
    >>> list(by_role(Drift(), pd.Series([1.0, 2.0], index=[2015, 2016])))
    ['series']
    """
    roles, label = spec.roles, spec.label
    if not isinstance(inputs, Mapping):
        if len(roles) == 1:
            return {roles[0]: inputs}
        raise ParameterError(
            f"`{label}` takes a mapping of its roles ({', '.join(roles)}) to Series; "
            f"got {type(inputs).__name__}."
        )
    given = [str(k) for k in inputs]
    missing = [r for r in roles if r not in inputs]
    extra = [k for k in given if k not in roles]
    if missing or extra:
        parts = ([f"missing role(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown role(s) {', '.join(extra)}"] if extra else [])
        raise ParameterError(
            f"`{label}` needs the roles {', '.join(roles)}; {' and '.join(parts)} "
            f"(got {', '.join(given) or 'none'})."
        )
    return {role: inputs[role] for role in roles}


def build_spec(models: Mapping[str, type[ModelSpec]], name: str, **hyperparameters: Any) -> ModelSpec:
    """The spec ``models[name](**hyperparameters)``; an unknown name or hyperparameter is refused.

    The message for an unknown name lists the valid ones; for an unknown hyperparameter,
    the model's fields.
    """
    if name not in models:
        raise ParameterError(f"`name` must be one of {', '.join(sorted(models))}; got {name!r}.")
    cls = models[name]
    try:
        return cls(**hyperparameters)
    except TypeError as exc:
        valid = ", ".join(f.name for f in dataclasses.fields(cls))
        raise ParameterError(
            f"`{name}` takes hyperparameters {valid}; got {sorted(hyperparameters)} ({exc})."
        ) from None
