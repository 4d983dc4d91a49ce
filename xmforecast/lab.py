"""JupyterLab on the project's notebooks: what a save may write into a tracked notebook.

`make lab` starts JupyterLab with ``notebooks/.jupyter/jupyter_server_config.py``, which makes
:func:`clean_notebook` the contents manager's pre-save hook. A notebook is then saved as it is
committed: its cells' sources and tags, the notebook's kernelspec and jupytext metadata, and
nothing a session leaves (outputs, execution counts, widget state, timings, the kernel's
``language_info``). Running and autosaving any notebook thus leaves every tracked file as it
was, its paired ``.py`` script included, and a reopened notebook shows no stale widget
("model not found"): it asks to run its cells. Editing a cell's source is saved as usual.
"""
from __future__ import annotations

from typing import Any

__all__ = ["clean_notebook", "NOTEBOOK_METADATA", "CELL_METADATA"]

#: Notebook metadata a save keeps unless the notebook's jupytext filter names others.
NOTEBOOK_METADATA = ("kernelspec", "jupytext")
#: Cell metadata a save keeps unless the notebook's jupytext filter names others.
CELL_METADATA = ("tags",)


def _kept(metadata: dict, filter_text: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    """The keys a jupytext metadata filter (``"tags,-all"``) keeps: those it names."""
    if not isinstance(filter_text, str) or not filter_text.strip():
        return default
    named = tuple(k.strip() for k in filter_text.split(",") if k.strip() and not k.strip().startswith("-"))
    return tuple(dict.fromkeys(default + named))


def clean_notebook(model: dict, **_: Any) -> None:
    """Pre-save hook of a Jupyter contents manager: strip what a session adds to a notebook.

    Parameters
    ----------
    model : dict
        The contents model being saved; only ``type == "notebook"`` is changed, in place.
    **_
        ``path`` and ``contents_manager``, passed by Jupyter Server and not needed.

    Examples
    --------
    >>> model = {"type": "notebook", "content": {
    ...     "metadata": {"kernelspec": {"name": "python3"}, "widgets": {"state": {}}, "language_info": {}},
    ...     "cells": [{"cell_type": "code", "execution_count": 3, "metadata": {"tags": ["parameters"],
    ...                "execution": {}}, "outputs": [{"output_type": "stream"}], "source": "x = 1"}]}}
    >>> clean_notebook(model)
    >>> model["content"]["metadata"], model["content"]["cells"][0]
    ({'kernelspec': {'name': 'python3'}}, {'cell_type': 'code', 'execution_count': None, \
'metadata': {'tags': ['parameters']}, 'outputs': [], 'source': 'x = 1'})
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    metadata = notebook.get("metadata") or {}
    filters = metadata.get("jupytext") or {}
    keep = _kept(metadata, filters.get("notebook_metadata_filter"), NOTEBOOK_METADATA)
    notebook["metadata"] = {k: v for k, v in metadata.items() if k in keep}
    keep_cell = _kept(metadata, filters.get("cell_metadata_filter"), CELL_METADATA)
    for cell in notebook.get("cells") or []:
        cell["metadata"] = {k: v for k, v in (cell.get("metadata") or {}).items() if k in keep_cell}
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
