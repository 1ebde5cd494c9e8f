"""Shared fixtures: the demo inputs, loaded once per test session."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import kompetens
from kompetens.run.batch import run_batch

ROOT = Path(__file__).resolve().parent.parent
PARAMS = sorted((ROOT / "params").glob("*.yaml"))


@pytest.fixture(scope="session")
def demo():
    return kompetens.load_inputs()


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    """Every params file run once through the runner: (outputs folder, results)."""
    out = tmp_path_factory.mktemp("outputs")
    return out, run_batch(PARAMS, out, jobs=2, progress=False)


FAILS = "Misslyckas"  # the titel that makes the planted notebook fail


@pytest.fixture
def failing_notebook(tmp_path, monkeypatch):
    """The report notebook with one cell more that fails when titel is FAILS: a report that
    passes the input gate and fails while it runs (in-process batches only, jobs=1)."""
    import nbformat

    from kompetens.run import execute

    nb = nbformat.read(execute.NOTEBOOK, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])) + 1
    nb.cells.insert(at, nbformat.v4.new_code_cell(f"assert titel != {FAILS!r}, 'rapporten avbröts i ett test'"))
    path = tmp_path / "misslyckas.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setattr(execute, "NOTEBOOK", path)
    return path


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(url: str, profile: Path, *flags: str, budget_ms: int = 5000) -> subprocess.CompletedProcess:
    """Debian's headless Chromium on a page (no background network, a fresh profile), its DOM
    after the page has loaded on stdout; flags such as a window size come before the URL."""
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *flags,
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
