"""Shared fixtures: the demo inputs, loaded once per test session."""

from __future__ import annotations

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
