"""Shared fixtures: the embedded registry and observations, and a writer for user CSVs."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

import xmforecast

REPO = Path(__file__).resolve().parent.parent


def _load_bench_script(stem: str) -> ModuleType:
    name = f"bench_{stem}"
    if name not in sys.modules:  # registered before it runs: the scripts' dataclasses look their module up
        spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{stem}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def bench_script():
    """A loader: ``bench_script("skill")`` is ``bench/skill.py`` as a module, loaded once."""
    return _load_bench_script


@pytest.fixture(scope="session")
def indicators():
    return xmforecast.load_indicators()


@pytest.fixture(scope="session")
def observations(indicators):
    return xmforecast.load_observations(indicators=indicators)


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes) to a CSV in tmp_path and return its path."""

    def _write(content: str | bytes, name: str = "obs.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write



@pytest.fixture
def patent_history():
    """Xiamen's valid invention patents, grants and population [万人], as published."""
    valid = pd.Series([5552.0, 7291.0], index=[2015, 2016])
    grants = pd.Series([449.0, 617.0, 1014.0, 1691.0, 2028.0], index=[2010, 2011, 2014, 2015, 2016])
    population = pd.Series([353.13, 380.3, 388.9], index=[2010, 2015, 2016])
    return valid, grants, population


@pytest.fixture
def fitted_ratio(patent_history):
    from xmforecast.patents import PatentRatio

    return PatentRatio().fit(dict(zip(PatentRatio.roles, patent_history)))


@pytest.fixture
def close_figures():
    """Close every matplotlib figure a test opened."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def render_png():
    """Draw a figure to PNG through Agg; return the messages of the warnings raised."""
    import io
    import warnings

    def render(fig) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(io.BytesIO(), format="png", dpi=100)
        return [str(w.message) for w in caught]

    return render
