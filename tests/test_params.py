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


def test_notebook_cells_are_one_short_call_each():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []) or cell.cell_type != "code":
            continue
        body = ast.parse(cell.source).body
        assert len(body) <= 2 or all(isinstance(n, ast.Import | ast.ImportFrom) for n in body), cell.source
        assert all(len(line) <= 80 for line in cell.source.splitlines()), cell.source
        calls = [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Call)]
        assert all(ast.unparse(c.func).startswith(("report.", "kompetens.", "globals")) for c in calls), cell.source


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
    assert columns == {("basår", "okänd parameter"), ("k_anonymitet", "ska vara ett heltal")}
    assert all(p.file == str(bad) for p in err.value.problems)
    assert {p.column: p.row for p in err.value.problems} == {"basår": 3, "k_anonymitet": 4}


def test_years_out_of_order():
    with pytest.raises(InputError, match="slutar"):
        check_params({"basar": 2025, "slutar": 2020})


def test_duplicate_slugs_are_rejected(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text("titel: X\nslug: samma\n", encoding="utf-8")
    with pytest.raises(InputError, match="används redan"):
        check_batch(sorted(tmp_path.glob("*.yaml")))


def test_readme_parameter_table_is_the_schemas():
    from kompetens.io.params import params_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index("<!-- params:start"), readme.index("<!-- params:end -->")
    assert readme[start:end].split("\n", 1)[1].strip() == params_table()


@pytest.mark.parametrize(
    "text, key, rule, line",
    [
        ("teknik:\n  andel_per_ar: 2\n", "teknik.andel_per_ar", "får vara högst 0.2", 2),
        ("teknik:\n  andel_per_ar: -0.1\n", "teknik.andel_per_ar", "måste vara minst 0", 2),
        ("heltid:\n  sysselsattningsgrad: 0.95\n", "heltid.ar", "saknas", 1),
        ("heltid:\n  sysselsattningsgrad: 1.5\n  ar: 2030\n", "heltid.sysselsattningsgrad", "får vara högst 1", 2),
        ("minska_omsattning:\n  andel: 0.2\n  grupp: [A]\n", "minska_omsattning.grupp", "okänd parameter", 3),
        (
            "kompetensvaxling:\n  fran: A\n  till: A\n  andel: 0.1\n  ar: 2028\n",
            "kompetensvaxling",
            "fran och till måste vara olika yrkesgrupper",
            1,
        ),
        ("behorighet:\n  grupp: A\n  datum: igår\n", "behorighet.datum", "ska vara ett datum (ÅÅÅÅ-MM-DD)", 3),
        (
            "drivare:\n  A:\n    '80 plus': 1\n",
            "drivare",
            "A: åldersband skrivs '65-79' eller '80+', inte '80 plus'",
            1,
        ),
        ("pensionsprofil:\n  70: 1.2\n", "pensionsprofil.70", "får vara högst 1", 2),
        ("sprak: de\n", "sprak", "måste vara ett av sv eller en", 1),
        ("k_anonymitet: true\n", "k_anonymitet", "ska vara ett heltal", 1),
        ("slug: ../ute\n", "slug", "har fel form (tillåtet: små bokstäver a–z, siffror, - och _)", 1),
    ],
)
def test_every_lever_setting_has_a_type_and_a_range(tmp_path, text, key, rule, line):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_params(path)
    [problem] = err.value.problems
    assert (problem.file, problem.column, problem.row, problem.rule) == (str(path), key, line, rule)


def test_yaml_aliases_and_large_files_are_refused(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", encoding="utf-8")
    with pytest.raises(InputError, match="alias"):
        load_params(bomb)
    big = tmp_path / "big.yaml"
    big.write_text("titel: " + "x" * 70_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="större än 64 KiB"):
        load_params(big)
