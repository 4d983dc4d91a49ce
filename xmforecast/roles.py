"""Model inputs by role: how every model's ``fit`` reads what it is given.

A model spec declares the input roles it needs in its class attribute ``roles``: a growth
model has the one role ``("series",)``, a structural model several (the certified stock:
``("stock", "new")``; the patent ratio: ``("valid", "grants", "population")``). ``fit``
takes a Series when there is one role, or a mapping of role to Series; :func:`by_role`
turns either into a mapping and refuses missing or unknown roles.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xmforecast.exceptions import ParameterError

__all__ = ["by_role"]


def by_role(spec: Any, inputs: Any) -> dict[str, Any]:
    """The inputs of ``spec.fit`` as a mapping of role to data.

    Parameters
    ----------
    spec : model spec
        Any spec with the class attributes ``name`` and ``roles``.
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
    roles = tuple(getattr(spec, "roles", ("series",)))
    label = getattr(spec, "label", getattr(spec, "name", type(spec).__name__))
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
