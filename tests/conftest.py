"""Shared fixtures: the embedded registry and observations, and a writer for user CSVs."""
from __future__ import annotations

from pathlib import Path

import pytest

import xmforecast

REPO = Path(__file__).resolve().parent.parent


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
