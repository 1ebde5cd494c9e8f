"""A full report on data made by `kompetens import` from synthetic novemberstatistik
snapshots (no exit file: exits come from consecutive snapshots, causes unknown)."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pandas as pd

from kompetens.io.importer import import_snapshots
from kompetens.run.execute import run_report
from kompetens.vocabulary import TOTAL

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "tests" / "fixtures" / "import" / "rapport.yaml"


def _generator():
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "benchmarks" / "bench_import.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_snapshots


def test_a_full_report_runs_on_imported_snapshots(tmp_path):
    files = _generator()(tmp_path / "in", employments=800, years=list(range(2020, 2025)), seed=3)
    data = tmp_path / "data"
    written = import_snapshots(files, tmp_path / "in" / "mappning.yaml", data, key_file=tmp_path / "nyckel")
    personal = pd.read_csv(written["personal"], dtype={"person_id": str})
    exits = pd.read_csv(written["avgangar"], dtype={"person_id": str})
    assert set(exits["orsak"]) == {"okand", "intern_rorlighet"}
    shutil.copy(ROOT / "data" / "demo" / "befolkning.csv", data)
    cells = personal[["enhet", "yrkesgrupp"]].drop_duplicates().sort_values(["enhet", "yrkesgrupp"])
    rows = [  # sick leave by unit, group and month, as payroll systems report it
        {"manad": f"{y}-{m:02d}", "enhet": e, "yrkesgrupp": g, "schemalagd_tid": 20000.0, "sjuk_tid": 1200.0 + 30 * m}
        for y in range(2020, 2025)
        for m in range(1, 13)
        for e, g in cells.itertuples(index=False)
    ]
    pd.DataFrame(rows).to_csv(data / "franvaro.csv", index=False)

    result = run_report(PARAMS, tmp_path / "out", data_dir=data)  # scanned against the inputs' person ids
    assert result.ok, result.error
    folder = tmp_path / "out" / "importerad-novemberstatistik"
    figures = json.loads((folder / "nyckeltal.json").read_text(encoding="utf-8"))
    assert figures["basar"] == 2024
    assert figures["antal_basar"][TOTAL] == (personal["ar"] == 2024).sum() == 800
    html = (folder / "rapport.html").read_text(encoding="utf-8")
    assert "Exempelkommun (importerad novemberstatistik)" in html
    assert not any(pid in html for pid in personal["person_id"])
    numbers = set(pd.concat([pd.read_csv(f, sep=";", header=None, dtype=str, encoding="cp1252")[6] for f in files]))
    assert len(numbers) > 800 and not numbers & set(re.findall(r"\d{10}", html))
