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
