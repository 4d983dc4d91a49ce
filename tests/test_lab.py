"""JupyterLab on the notebooks, driven through Jupyter Server's REST API as the lab's autosave drives it."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def _lab_config() -> str:
    """The config file `make lab` gives JupyterLab (the Makefile's own words)."""
    recipe = re.search(r"^lab:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert recipe, "a `lab` target in the Makefile"
    config = re.search(r"--config[= ](\S+)", recipe.group(1))
    assert config, "`make lab` starts JupyterLab with the project's config file"
    return config.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A Jupyter Server as `make lab` configures it, on a committed copy of the project's notebooks."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "notebooks", repo / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / ".gitignore", repo / ".gitignore")
    shutil.copy(ROOT / "Makefile", repo / "Makefile")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "notebooks as committed")
    port, token = _free_port(), "t" + os.urandom(8).hex()
    command = [str(BIN / "jupyter"), "server", f"--config={repo / _lab_config()}", "--no-browser",
               f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={repo / 'notebooks'}"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(command, cwd=repo, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api"

    def call(method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(f"{base}/{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"token {token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"{}")

    try:
        for _ in range(600):  # a busy machine starts a server slowly
            try:
                call("GET", "status")
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        yield repo, call
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


def test_running_and_saving_the_notebooks_in_the_lab_leaves_every_tracked_file_unchanged(lab):
    repo, call = lab
    names = sorted(p.name for p in (repo / "notebooks").glob("*.ipynb"))
    assert "explore.ipynb" in names
    for name in names:
        model = call("GET", f"contents/{name}?content=1")
        nb = nbformat.from_dict(model["content"])
        if name == "explore.ipynb":  # run all cells: outputs, widget views and state, timings
            NotebookClient(nb, timeout=300, startup_timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(repo / "notebooks")}}).execute()
            assert nb.metadata.get("widgets") and any(c.get("outputs") for c in nb.cells)
        else:  # opened: the lab adds what it knows of the kernel and of the cells' display
            nb.metadata["language_info"] = {"name": "python", "version": "3"}
            for cell in nb.cells:
                cell.metadata["jupyter"] = {"source_hidden": False}
        call("PUT", f"contents/{name}", {"type": "notebook", "format": "json", "content": nb})
    assert _git(repo, "status", "--porcelain") == "", "a save changed a tracked file"
    reopened = nbformat.from_dict(call("GET", "contents/explore.ipynb?content=1")["content"])
    assert not any(c.get("outputs") for c in reopened.cells if c.cell_type == "code"), "no stale widget view"
    before_widgets = next(i for i, c in enumerate(reopened.cells) if "interactive_output(" in c.source)
    assert "Run All" in reopened.cells[before_widgets - 1].source, "a reopened explore asks to run its cells"
