"""Plan folders: a plan is a folder of data, read the same way whichever plan it is.

A plan folder holds a manifest, ``plan.yaml``, naming the plan and its files::

    name_zh: 某市科技工作要点          # at least one of the two names
    name_en: A city's S&T plan
    registry: indicators.yaml         # required: the indicator registry
    observations: observations.csv    # optional: the plan's published history
    seed:                             # optional: the document the registry quotes
      title: ...                      # cited by baselines with base_source: seed
      file: ...                       # its text, for the registry's quote checks
      page_numbers: [[before, page, after], ...]

Beside the registry, ``scenario_defaults.yaml`` may set the plan's scenario defaults (see
:func:`xmforecast.scenario_defaults.plan_defaults`); a registry file given alone reads it
from its own folder too.

The package ships one (:data:`DEFAULT_PLAN`) and uses it when no plan is given;
nothing else about it is special. A registry read from a plan folder brings the folder's
observations; a registry file given alone (``--indicators FILE``) brings only its baselines.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exceptions import DataError

__all__ = ["DEFAULT_PLAN", "MANIFEST", "PlanFolder", "read_plan_folder", "plan_folder_of"]

#: The plan used when none is given.
DEFAULT_PLAN = Path(__file__).resolve().parent / "plans" / "xiamen"
MANIFEST = "plan.yaml"
_KEYS = {"name_zh", "name_en", "registry", "observations", "seed"}
_SEED_KEYS = {"title", "file", "page_numbers"}


@dataclass(frozen=True)
class PlanFolder:
    """What a plan folder's manifest says, with its paths resolved.

    Attributes
    ----------
    path : Path
        The folder.
    name_zh, name_en : str
        The plan's name (a missing one is the other).
    registry : Path
        The indicator registry.
    observations : Path or None
        The plan's own observations CSV.
    seed_title : str or None
        The document that registry baselines with ``base_source: seed`` are quoted from.
    seed_file : Path or None
        That document's text.
    page_numbers : tuple
        ``(before, page, after)`` contexts of printed page numbers left in the seed's text.
    """

    path: Path
    name_zh: str
    name_en: str
    registry: Path
    observations: Path | None = None
    seed_title: str | None = None
    seed_file: Path | None = None
    page_numbers: tuple[tuple[str, str, str], ...] = ()

    def name(self, lang: str = "en") -> str:
        """The plan's name in ``lang`` (``zh`` or ``en``)."""
        return self.name_zh if lang == "zh" else self.name_en


def read_plan_folder(path: str | Path | None = None) -> PlanFolder:
    """Read a plan folder's manifest.

    Parameters
    ----------
    path : path, optional
        The folder (or its ``plan.yaml``); default :data:`DEFAULT_PLAN`.

    Returns
    -------
    PlanFolder

    Raises
    ------
    DataError
        One line naming the manifest and the rule: no manifest, not YAML, an unknown key,
        no name, a missing registry or a named file that does not exist.

    Examples
    --------
    >>> folder = read_plan_folder()
    >>> folder.registry.name, folder.observations.name
    ('indicators.yaml', 'observations.csv')
    """
    from .inputs import MAX_YAML_BYTES, load_yaml, read_bytes

    folder = DEFAULT_PLAN if path is None else Path(path)
    if folder.name == MANIFEST:
        folder = folder.parent
    manifest = folder / MANIFEST
    where = str(manifest)
    raw = read_bytes(manifest, max_bytes=MAX_YAML_BYTES, error=DataError,
                     not_found=f"not a plan folder (no {MANIFEST})")
    data = load_yaml(raw.decode("utf-8-sig", errors="replace"), file=where, error=DataError)
    if not isinstance(data, dict):
        raise DataError(f"{where}: a plan manifest is a YAML mapping of {', '.join(sorted(_KEYS))}.")
    _no_unknown(data, _KEYS, where)
    names = {k: data.get(k) for k in ("name_zh", "name_en")}
    if not any(isinstance(v, str) and v.strip() for v in names.values()):
        raise DataError(f"{where}: `name_zh` or `name_en` is required (the plan's name).")
    name_zh = names["name_zh"] or names["name_en"]
    name_en = names["name_en"] or names["name_zh"]
    seed = data.get("seed") or {}
    if not isinstance(seed, dict):
        raise DataError(f"{where}: `seed` is a mapping of {', '.join(sorted(_SEED_KEYS))}.")
    _no_unknown(seed, _SEED_KEYS, f"{where}: seed")
    return PlanFolder(
        path=folder.resolve(), name_zh=str(name_zh), name_en=str(name_en),
        registry=_file(folder, data.get("registry"), "registry", where, required=True),
        observations=_file(folder, data.get("observations"), "observations", where),
        seed_title=str(seed["title"]) if seed.get("title") else None,
        # The seed's text is for checks in a source checkout; an installed plan may lack it.
        seed_file=(folder / str(seed["file"])).resolve() if seed.get("file") else None,
        page_numbers=_page_numbers(seed.get("page_numbers") or (), where),
    )


def plan_folder_of(registry: str | Path) -> PlanFolder | None:
    """The plan folder whose registry is this file, or None when it has none.

    Examples
    --------
    >>> plan_folder_of(DEFAULT_PLAN / "indicators.yaml").path == DEFAULT_PLAN
    True
    """
    path = Path(registry).resolve()
    if not (path.parent / MANIFEST).is_file():
        return None
    folder = read_plan_folder(path.parent)
    return folder if folder.registry == path else None


def _no_unknown(data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise DataError(f"{where}: unknown key `{unknown[0]}` (allowed: {', '.join(sorted(allowed))}).")


def _file(folder: Path, name: Any, key: str, where: str, *, required: bool = False) -> Path | None:
    if name is None or name == "":
        if required:
            raise DataError(f"{where}: `{key}` is required (a file in the plan folder).")
        return None
    path = (folder / str(name)).resolve()
    if not path.is_file():
        raise DataError(f"{where}: `{key}`: file not found ({path}).")
    return path


def _page_numbers(rows: Any, where: str) -> tuple[tuple[str, str, str], ...]:
    if not isinstance(rows, (list, tuple)) or not all(
            isinstance(r, (list, tuple)) and len(r) == 3 and all(isinstance(x, str) for x in r) for r in rows):
        raise DataError(f"{where}: seed: `page_numbers` is a list of [text before, page, text after] strings.")
    return tuple(tuple(r) for r in rows)
