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


#: The size the layout keeps to: a module over this many lines of code does more than one thing.
MAX_MODULE_LINES = 500
#: ... and a function over this many lines (its docstring included) does too.
MAX_FUNCTION_LINES = 80
#: The model ladder: one cohesive family of small models, longer on purpose.
LONG_BY_DESIGN = {"models.py"}


def _lines_of_code(source: str) -> int:
    """Lines holding code: blank lines, comments and docstrings left out."""
    import ast
    import io
    import tokenize

    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            docstrings |= set(range(body[0].lineno, body[0].end_lineno + 1))
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines |= set(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def test_modules_and_functions_keep_to_their_size():
    import ast

    too_long = []
    for path in sorted((ROOT / "xmforecast").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path.name not in LONG_BY_DESIGN and _lines_of_code(source) > MAX_MODULE_LINES:
            too_long.append(f"{path.name}: {_lines_of_code(source)} lines of code")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.name}: {node.name} is {length} lines")
    assert not too_long, too_long


def test_the_size_count_leaves_out_comments_blank_lines_and_docstrings():
    source = 'def f():\n    """Doc\n    string."""\n\n    # why\n    return (1 +\n            2)\n'
    assert _lines_of_code(source) == 3


def test_the_readme_layout_names_every_module_of_the_library():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    words = set(layout.replace(",", " ").replace("(", " ").replace(")", " ").replace(";", " ").replace(":", " ").split())
    modules = {path.stem for path in (ROOT / "xmforecast").glob("*.py")} - {"__init__"}
    assert modules - words == set()
