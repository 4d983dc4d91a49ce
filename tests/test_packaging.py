"""The wheel ships every file the package reads at run time, without setuptools warnings."""
from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_data_and_template_folders_are_packages_with_their_files_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    # A fixed `packages` list leaves xmforecast.data out and setuptools warns "Package ... is absent".
    assert isinstance(config["packages"], dict) and "xmforecast*" in config["packages"]["find"]["include"]
    package_data = config["package-data"]
    for path in sorted((ROOT / "xmforecast").rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        # A file is shipped when a pattern of its folder's package or of a package above matches it.
        parts = path.relative_to(ROOT).parts
        shipped = any(_glob_matches(parts[depth:], pattern)
                      for depth in range(1, len(parts))
                      for pattern in package_data.get(".".join(parts[:depth]), []))
        assert shipped, f"{path} is not shipped"


def _glob_matches(parts: tuple[str, ...], pattern: str) -> bool:
    """As setuptools globs package data: each `*` stays within one folder level."""
    levels = pattern.split("/")
    return len(levels) == len(parts) and all(fnmatch.fnmatch(p, g) for p, g in zip(parts, levels))


def test_templates_are_there():
    assert (ROOT / "xmforecast" / "templates" / "summary.html").is_file()


def test_the_package_gives_its_public_names_and_modules_after_a_bare_import():
    import subprocess
    import sys

    code = ("import xmforecast as x; x.registry.headline_ids; x.report.format_percent; x.Plan; x.load_indicators; "
            "print(sorted(set(x.__all__) - set(dir(x))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    missing = subprocess.run([sys.executable, "-c", "import xmforecast; xmforecast.no_such_thing"],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "has no attribute 'no_such_thing'" in missing.stderr
