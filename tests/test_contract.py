"""The one model contract, checked on every registered model, growth and structural alike."""
from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xmforecast
from xmforecast.base import FittedModel, ModelSpec
from xmforecast.exceptions import ParameterError
from xmforecast.model_registry import MODELS, get_model
from xmforecast.words import catalog, say

TEN = pd.Series(
    [100.0, 112.0, 121.0, 138.0, 150.0, 171.0, 185.0, 204.0, 226.0, 245.0],
    index=range(2007, 2017),
)

#: Example data for every input role a model may declare (Xiamen's published figures).
ROLE_DATA = {
    "series": TEN,
    "stock": pd.Series([665.0, 820.0, 907.0, 1000.0, 1225.0], index=[2011, 2013, 2014, 2015, 2016]),
    "new": pd.Series([104.0, 281.0], index=[2013, 2016]),
    "valid": pd.Series([5552.0, 7291.0], index=[2015, 2016]),
    "grants": pd.Series([449.0, 617.0, 1014.0, 1691.0, 2028.0], index=[2010, 2011, 2014, 2015, 2016]),
    "population": pd.Series([353.13, 380.3, 388.9], index=[2010, 2015, 2016]),
}


def _inputs(spec):
    if spec.roles == ("series",):
        return TEN
    return {role: ROLE_DATA[role] for role in spec.roles}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_contract(name):
    spec = get_model(name)
    assert isinstance(spec.name, str) and spec.name == name
    assert isinstance(spec.min_obs, int) and spec.min_obs >= 1
    assert isinstance(spec.roles, tuple) and spec.roles and all(isinstance(r, str) for r in spec.roles)
    fitted = spec.fit(_inputs(spec))
    assert spec == get_model(name)  # the spec holds no data and is unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        fitted.spec = None

    horizon, last = 4, 2016
    years = list(range(last + 1, last + horizon + 1))
    fc = fitted.forecast(horizon, level=80)
    assert list(fc.columns) == ["point", "lower", "upper"]
    assert list(fc.index) == years and fc.index.name == "year"
    assert np.isfinite(fc.to_numpy()).all()
    assert (fc["lower"] <= fc["point"]).all() and (fc["point"] <= fc["upper"]).all()
    assert (fc["lower"] < fc["upper"]).all()
    pd.testing.assert_frame_equal(fc, fitted.forecast(horizon, level=80), check_exact=True)  # deterministic
    wide = fitted.forecast(horizon, level=95)
    assert ((wide["upper"] - wide["lower"]) > (fc["upper"] - fc["lower"])).all()

    paths = fitted.simulate(horizon, 500, rng=7)
    assert paths.shape == (horizon, 500) and list(paths.index) == years and paths.index.name == "year"
    assert np.isfinite(paths.to_numpy()).all()
    pd.testing.assert_frame_equal(paths, fitted.simulate(horizon, 500, rng=7), check_exact=True)
    pd.testing.assert_frame_equal(paths, fitted.simulate(horizon, 500, rng=np.random.default_rng(7)), check_exact=True)
    assert not np.allclose(paths.to_numpy(), fitted.simulate(horizon, 500, rng=8).to_numpy())

    summary = fitted.summary()
    assert isinstance(summary, pd.DataFrame)
    assert summary.index.name == "item" and list(summary.columns) == ["value", "note"]
    assert len(summary) >= 1 and summary.index.is_unique


@pytest.mark.parametrize("name", sorted(MODELS))
def test_roles_are_checked_by_name(name):
    spec = get_model(name)
    if spec.roles == ("series",):
        same = spec.fit({"series": TEN}).forecast(2)
        pd.testing.assert_frame_equal(same, spec.fit(TEN).forecast(2))
        with pytest.raises(ParameterError, match=r"unknown role\(s\) stock"):
            spec.fit({"series": TEN, "stock": TEN})
        return
    inputs = _inputs(spec)
    dropped = spec.roles[-1]
    with pytest.raises(ParameterError, match=rf"`{name}` needs the roles .*missing role\(s\) {dropped}"):
        spec.fit({k: v for k, v in inputs.items() if k != dropped})
    with pytest.raises(ParameterError, match=r"unknown role\(s\) extra"):
        spec.fit({**inputs, "extra": TEN})
    with pytest.raises(ParameterError, match=rf"`{name}` takes a mapping of its roles"):
        spec.fit(TEN)


@pytest.mark.parametrize("name", [n for n in sorted(MODELS) if MODELS[n].roles != ("series",)])
def test_structural_models_declare_a_lever(name):
    spec = get_model(name)
    assert "[" in spec.lever and "]" in spec.lever  # words and a unit
    # What the report pages call it: a message id of the one catalog of words, never text.
    assert spec.lever_key in catalog()
    zh, en = say(spec.lever_key, "zh"), say(spec.lever_key, "en")
    assert zh and en and zh != en
    assert spec.lever_role in spec.roles
    fitted = spec.fit(_inputs(spec))
    low, high = (fitted.required_lever(level, 2018) for level in np.array([0.9, 1.1]) * fitted.forecast(2)["point"].loc[2018])
    assert low < high
    year, value = fitted.lever_observed
    assert year <= 2016 and value > 0 and fitted.lever_assumptions(2018)


#: What a model can do, declared on the base (:mod:`xmforecast.base`) with defaults.
CAPABILITIES = ("roles", "structural", "lever", "lever_key", "lever_role", "spreads", "sigma_scale",
                "intervals_from_paths", "evidence", "log_scale")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_capabilities_are_declared_on_the_one_base(name):
    spec = get_model(name)
    fitted = spec.fit(_inputs(spec))
    assert isinstance(spec, ModelSpec) and isinstance(fitted, FittedModel)
    assert spec.structural == (spec.roles != ("series",))
    assert not spec.lever or spec.lever_role in spec.roles
    fields = {f.name for f in dataclasses.fields(spec)}
    assert set(spec.spreads) <= fields and set(spec.spreads.values()) <= fields
    assert fitted.evidence in ("own series", "outside view", "structural")
    assert isinstance(fitted.log_scale, bool) and isinstance(fitted.intervals_from_paths, bool)
    if fitted.intervals_from_paths:  # then forecast takes the paths' number and seed
        one = fitted.forecast(2, n_paths=300, rng=3)
        pd.testing.assert_frame_equal(one, fitted.forecast(2, n_paths=300, rng=3))
        assert not one.equals(fitted.forecast(2, n_paths=300, rng=4))


def test_capabilities_are_read_never_probed():
    probe = re.compile(r"(getattr|hasattr)\([^)]*[\"'](%s)[\"']" % "|".join(CAPABILITIES))
    package = Path(xmforecast.__file__).parent
    found = [f"{path.name}:{number}" for path in sorted(package.glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if probe.search(line)]
    assert found == []


def _named_subclasses(cls):
    for sub in cls.__subclasses__():
        if sub.name:
            yield sub
        yield from _named_subclasses(sub)


def test_the_registry_holds_every_model():
    assert {cls.name: cls for cls in _named_subclasses(ModelSpec)} == MODELS


def test_models_import_neither_the_registry_nor_each_other_upwards():
    code = ("import sys, xmforecast.models; "
            "print(sorted(m for m in sys.modules if m.split('.')[-1] in "
            "('auto', 'stockflow', 'patents', 'model_registry'))); "
            "import xmforecast.auto, xmforecast.stockflow, xmforecast.patents; "
            "print('xmforecast.model_registry' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split("\n")[:2] == ["[]", "False"]


def test_each_argument_rule_is_worded_once():
    # The interval level had five wordings; its rule now lives in validation.py alone.
    package = Path(xmforecast.__file__).parent
    worded = sorted(path.name for path in package.glob("*.py") if "`level` must" in path.read_text(encoding="utf-8"))
    assert worded == ["validation.py"]
