"""The import layering of pyproject.toml's [tool.importlinter] contracts holds (no circles; computing
never imports drawing, pages or the runner). ``.venv/bin/lint-imports`` prints the same report."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold(capsys):
    from importlinter.cli import lint_imports

    here = os.getcwd()
    os.chdir(ROOT)  # the contracts are read from the project's pyproject.toml
    try:
        code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    finally:
        os.chdir(here)
    report = capsys.readouterr().out
    assert code == 0, report[report.find("Broken contracts"):] or report


def test_every_module_has_its_place_in_the_layers():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    modules = {f"xmforecast.{p.stem}" for p in (ROOT / "xmforecast").glob("*.py") if p.stem != "__init__"}
    assert modules - placed == set(), "a new module needs a layer in pyproject.toml [tool.importlinter]"
    assert placed - modules == set(), "a layer names a module that no longer exists"
