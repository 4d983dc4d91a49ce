"""Every model by name: the growth ladder, ``auto`` and the structural models.

This module imports the models and none of them imports it, so a model never depends on
the list of the others. A registry entry's ``model:``, a scenario's ``model`` and the
command line's ``--model`` name a key of :data:`MODELS`.
"""
from __future__ import annotations

from typing import Any

from xmforecast.auto import Auto
from xmforecast.base import ModelSpec, build_spec
from xmforecast.models import GROWTH_MODELS
from xmforecast.patents import PatentRatio
from xmforecast.stockflow import CertifiedStock

__all__ = ["MODELS", "get_model"]

#: Every model spec by name: the growth ladder and its combination
#: (:mod:`xmforecast.models`), the structural models (several input roles,
#: :mod:`xmforecast.stockflow`, :mod:`xmforecast.patents`) and the default ``auto``
#: (:mod:`xmforecast.auto`).
MODELS: dict[str, type[ModelSpec]] = {
    **GROWTH_MODELS,
    **{cls.name: cls for cls in (CertifiedStock, PatentRatio, Auto)},
}


def get_model(name: str, **hyperparameters: Any) -> ModelSpec:
    """Build a model spec from the registry.

    Parameters
    ----------
    name : str
        A key of :data:`MODELS`.
    **hyperparameters
        Passed to the spec (e.g. ``window=5`` for ``cagr``).

    Returns
    -------
    ModelSpec
        The spec; call ``.fit(inputs)`` on it.

    Raises
    ------
    ParameterError
        If `name` is unknown (the message lists the valid names) or a
        hyperparameter is unknown or out of range.

    Examples
    --------
    >>> get_model("cagr", window=5)
    CAGR(fallback_sigma=0.1, sigma_scale=1.0, min_df=2, window=5)
    """
    return build_spec(MODELS, name, **hyperparameters)
