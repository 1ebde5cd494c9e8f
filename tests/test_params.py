"""Parameters: the notebook's defaults, the params files, and bad parameters."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from kompetens import DEFAULTS, InputError, check_params, load_params
from kompetens.run.batch import check_batch
from kompetens.run.execute import NOTEBOOK

ROOT = Path(__file__).resolve().parent.parent


def _parameters_cell() -> dict:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    values = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.Assign), "the parameters cell holds plain assignments only"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def test_notebook_defaults_are_the_package_defaults():
    assert _parameters_cell() == DEFAULTS


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


def test_params_files_cover_the_board_and_three_departments():
    files = sorted((ROOT / "params").glob("*.yaml"))
    params = check_batch(files)
    assert len(params) >= 4
    assert sum(p.get("forvaltning") is None for p in params) == 1
    assert len({p["forvaltning"] for p in params if p.get("forvaltning")}) >= 3
    assert all(p["titel"] and p["slug"] for p in params)


def test_unknown_key_and_wrong_type_are_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("titel: X\nslug: x\nbasår: 2025\nk_anonymitet: fem\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_params(bad)
    columns = {(p.column, p.rule) for p in err.value.problems}
    assert columns == {("basår", "okänd parameter"), ("k_anonymitet", "fel typ")}
    assert all(p.file == str(bad) for p in err.value.problems)


def test_years_out_of_order():
    with pytest.raises(InputError, match="slutar"):
        check_params({"basar": 2025, "slutar": 2020})


def test_duplicate_slugs_are_rejected(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text("titel: X\nslug: samma\n", encoding="utf-8")
    with pytest.raises(InputError, match="används redan"):
        check_batch(sorted(tmp_path.glob("*.yaml")))
