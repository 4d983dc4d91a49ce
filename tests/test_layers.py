"""The import layering of pyproject.toml's [tool.importlinter] contracts holds (no circles; computing
never imports drawing, pages or the runner; one layer order). ``.venv/bin/lint-imports`` prints it."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold():
    # In a process of its own: import-linter configures logging, which would silence the
    # package's loggers for the tests that follow in this one.
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT,  # reads the pyproject.toml of the cwd
                          capture_output=True, text=True, timeout=120)
    report = done.stdout
    assert done.returncode == 0, (report[report.find("Broken contracts"):] or report) + done.stderr


def test_every_module_has_its_place_in_the_layers():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["type"] == "layers")["layers"]
    placed = {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    modules = {f"xmforecast.{p.stem}" for p in (ROOT / "xmforecast").glob("*.py") if p.stem != "__init__"}
    assert modules - placed == set(), "a new module needs a layer in pyproject.toml [tool.importlinter]"
    assert placed - modules == set(), "a layer names a module that no longer exists"
