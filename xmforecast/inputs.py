"""Reading the files users edit by hand: bounded size, regular files, bounded YAML.

Observations CSVs, indicator registries and scenario params files come from people, and
from scheduled jobs that nobody watches. Before anything parses them, a file must be a
regular, readable file no larger than a fixed cap; a YAML file must stay within a bound
on nesting and on its size once aliases are expanded (a "billion laughs" file is small on
disk and enormous in memory). Each refusal is one line naming the file and the rule.

=================== ========== ===================================================
limit               value      why
=================== ========== ===================================================
:data:`MAX_CSV_BYTES`   50 MiB   a plan's observations are a few thousand rows
:data:`MAX_YAML_BYTES`  1 MiB    a registry of a few hundred entries is ~100 kB
:data:`MAX_YAML_NODES`  100,000  nodes after alias expansion
:data:`MAX_YAML_DEPTH`  32       levels of nested lists and mappings
=================== ========== ===================================================
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

from .exceptions import XMForecastError

__all__ = ["MAX_CSV_BYTES", "MAX_YAML_BYTES", "MAX_YAML_NODES", "MAX_YAML_DEPTH", "read_bytes", "load_yaml"]

MAX_CSV_BYTES = 50 * 2**20
MAX_YAML_BYTES = 2**20
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 32


def read_bytes(
    path: str | Path,
    *,
    max_bytes: int,
    error: type[XMForecastError],
    not_found: str = "file not found",
) -> bytes:
    """The bytes of a regular file no larger than ``max_bytes``.

    Parameters
    ----------
    path : str or Path
        The file.
    max_bytes : int
        Largest accepted size [bytes]; checked before reading.
    error : type
        The package exception to raise (``DataError``, ``ScenarioError``, ...).
    not_found : str
        The words used when the file does not exist.

    Returns
    -------
    bytes

    Raises
    ------
    XMForecastError
        Of type ``error``, one line: the file does not exist, is a folder, a FIFO, a
        device or another non-regular file, cannot be read (permission, I/O error), or
        is larger than ``max_bytes``.

    Examples
    --------
    >>> from xmforecast.exceptions import DataError
    >>> read_bytes("/dev/null", max_bytes=10, error=DataError)
    Traceback (most recent call last):
    ...
    xmforecast.exceptions.DataError: /dev/null: not a regular file (a character device); give a file.
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error(f"{path}: {not_found}.") from None
    except OSError as exc:  # permission on a parent folder, FILE/sub, a name too long...
        raise error(f"{path}: cannot read ({_reason(exc)}).") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{path}: not a regular file ({_kind(info.st_mode)}); give a file.")
    if info.st_size > max_bytes:
        raise error(f"{path}: the file is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes.")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read ({_reason(exc)}).") from None
    if len(raw) > max_bytes:  # a file whose stated size was wrong (/proc, a growing file)
        raise error(f"{path}: the file is larger than the limit of {max_bytes:,} bytes.")
    return raw


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return exc.strerror or type(exc).__name__


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


class _Refused(Exception):
    """A YAML document breaks a bound; the message starts with where (line or key)."""


def _safe_base() -> type:
    """``yaml.SafeLoader``'s parts, with libyaml's parser where PyYAML was built with it.

    ``yaml.CSafeLoader`` composes nodes in C, out of reach of the bounds below; this class
    takes only the events from libyaml (scanning and parsing, most of the time of a load)
    and composes them in Python, so that :meth:`compose_node` still sees every node.
    """
    import yaml

    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML without libyaml: the same checks, in pure Python
        return yaml.SafeLoader

    class HybridSafeLoader(yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor,
                           yaml.resolver.Resolver):
        def __init__(self, stream):
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    return HybridSafeLoader


def _loader_class() -> type:
    """A SafeLoader that bounds nesting and expanded size, and reads YAML 1.2 numbers.

    Compared with ``yaml.SafeLoader``: dates stay strings (as in papermill's loader);
    ``5e-2`` is a float (YAML 1.1 wants ``5.0e-2``); a key twice in one mapping is refused;
    a merge key ``<<`` works; composition counts every node as if aliases were expanded and
    stops beyond :data:`MAX_YAML_NODES` nodes or :data:`MAX_YAML_DEPTH` levels.
    """
    import re

    import yaml
    from yaml.events import AliasEvent

    class Loader(_safe_base()):
        def __init__(self, stream):
            super().__init__(stream)
            self._depth = 0
            self._sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded nodes, depth)

        def compose_node(self, parent, index):
            line = self.peek_event().start_mark.line + 1
            alias = self.check_event(AliasEvent)
            self._depth += 1
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"line {line}: nested more than {MAX_YAML_DEPTH} levels deep")
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            known = self._sizes.get(id(node))
            if known is None:
                if alias:
                    raise _Refused(f"line {line}: an alias refers to the node that contains it (a recursive structure)")
                children = (node.value if isinstance(node, yaml.SequenceNode)
                            else [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
                            else [])
                sizes = [self._sizes[id(child)] for child in children]
                known = (1 + sum(s for s, _ in sizes), 1 + max((d for _, d in sizes), default=0))
                self._sizes[id(node)] = known
            if known[0] > MAX_YAML_NODES:
                raise _Refused(f"line {line}: more than {MAX_YAML_NODES:,} values once its aliases are expanded")
            if known[1] + self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"line {line}: nested more than {MAX_YAML_DEPTH} levels deep once its aliases are expanded")
            return node

        def construct_mapping(self, node, deep=False):
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=True)
                    line = key_node.start_mark.line + 1
                    try:
                        first = seen.get(key)
                    except TypeError:  # an unhashable key: the base class says so
                        break
                    if first is not None:
                        raise _Refused(f"key '{key}': duplicate key at line {line} (first at line {first})")
                    seen[key] = line
            return super().construct_mapping(node, deep=deep)

    float_1_2 = re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    )
    resolvers = {}
    for first, items in yaml.SafeLoader.yaml_implicit_resolvers.items():
        kept = [r for r in items if r[0] not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:float")]
        if first in "-+.0123456789":
            kept.append(("tag:yaml.org,2002:float", float_1_2))
        resolvers[first] = kept
    Loader.yaml_implicit_resolvers = resolvers
    return Loader


_LOADER: type | None = None


def load_yaml(text: str, *, file: str, error: type[XMForecastError]) -> Any:
    """Parse YAML text with the bounds of this module.

    Parameters
    ----------
    text : str
        The document.
    file : str
        Names the file in messages.
    error : type
        The package exception to raise.

    Returns
    -------
    object
        Plain Python data (dict, list, str, int, float, bool, None).

    Raises
    ------
    XMForecastError
        Of type ``error``, one line naming the file and the line: a syntax error, a key
        twice in a mapping, nesting deeper than :data:`MAX_YAML_DEPTH`, more than
        :data:`MAX_YAML_NODES` values once aliases are expanded, a recursive alias.

    Examples
    --------
    >>> from xmforecast.exceptions import ScenarioError
    >>> load_yaml("a: 5e-2\\n<<: {b: 1}\\n", file="x.yaml", error=ScenarioError)
    {'b': 1, 'a': 0.05}
    >>> load_yaml("a: &x [1, 1]\\nb: &y [*x, *x]\\nc: [*y, *y]\\n", file="x.yaml", error=ScenarioError)
    {'a': [1, 1], 'b': [[1, 1], [1, 1]], 'c': [[[1, 1], [1, 1]], [[1, 1], [1, 1]]]}
    """
    import yaml

    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    try:
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 (a SafeLoader subclass)
    except _Refused as exc:
        raise error(f"{file}: {exc}.") from None
    except RecursionError:  # a bound above should have stopped it first
        raise error(f"{file}: nested too deeply.") from None
    except (ValueError, OverflowError) as exc:  # e.g. an integer of more than 4,300 digits
        raise error(f"{file}: a value cannot be read: {' '.join(str(exc).split())[:200]}.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if mark is not None and "maximum nesting depth" in problem:  # libyaml's own bound (1,000), ahead of ours
            raise error(f"{file}: line {mark.line + 1}: nested more than {MAX_YAML_DEPTH} levels deep.") from None
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and mark is not None and start.line != mark.line:
            problem += f" ({context} that starts at line {start.line + 1})"
        raise error(f"{file}: {where}YAML syntax error: {problem}.") from None
