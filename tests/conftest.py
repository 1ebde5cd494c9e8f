"""Shared fixtures: the demo inputs, loaded once per test session."""

from __future__ import annotations

import pytest

import kompetens


@pytest.fixture(scope="session")
def demo():
    return kompetens.load_inputs()
