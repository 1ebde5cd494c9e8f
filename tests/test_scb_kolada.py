"""SCB's population forecast (JSON-stat 2 and CSV) and a saved Kolada answer, from
hand-made fixtures in the published formats (tests/fixtures/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import kompetens
from kompetens import InputError, validate_table
from kompetens.io.load import read_table
from kompetens.io.scb import read_kolada, read_scb_jsonstat

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# men + women per age: 0 år, 1 år, 2 år, 100+ år, in 2025 and 2026
EXPECTED = {
    (2025, 0): 510,
    (2026, 0): 520,
    (2025, 1): 500,
    (2026, 1): 505,
    (2025, 2): 490,
    (2026, 2): 496,
    (2025, 100): 15,
    (2026, 100): 17,
}


def _as_dict(df):
    return {(int(r.ar), int(r.alder)): r.antal for r in df.itertuples()}


def test_jsonstat_sums_kon_and_reads_100_plus():
    df = validate_table(read_scb_jsonstat(FIXTURES / "befolkning_scb.json"), "befolkning", "befolkning_scb.json")
    assert _as_dict(df) == EXPECTED


@pytest.mark.parametrize("name", ["befolkning_scb_bred.csv", "befolkning_scb_lang.csv"])
def test_scb_csv_wide_and_long(name):
    df = validate_table(read_table(FIXTURES / name), "befolkning", name)
    assert _as_dict(df) == EXPECTED  # the long file's "totalt" rows are used, not added twice


def test_a_data_folder_can_hold_scb_json_and_kolada(demo, tmp_path):
    for name in ("personal.csv", "avgangar.csv", "franvaro.csv.gz", "kostnader.csv"):
        shutil.copy(kompetens.demo_dir() / name, tmp_path / name)
    shutil.copy(FIXTURES / "befolkning_scb.json", tmp_path / "befolkning.json")
    shutil.copy(FIXTURES / "kolada.json", tmp_path / "kolada.json")
    with pytest.raises(InputError) as err:  # the fixture has ages 0–2 and 100 only
        kompetens.load_inputs(tmp_path)
    assert any(p.column == "alder" and "åldrar saknas" in p.rule for p in err.value.problems)


def test_kolada_answer():
    k = read_kolada(FIXTURES / "kolada.json")
    assert len(k) == 6
    row = k[(k["kpi"] == "N00090") & (k["kommun"] == "0580") & (k["kon"] == "T")]
    assert row["varde"].item() == 7.9 and row["ar"].item() == 2024
    assert k[(k["kpi"] == "N00216") & (k["kommun"] == "0000")]["varde"].item() == 12.4


def test_bad_kolada_and_jsonstat_are_named(tmp_path):
    bad = tmp_path / "kolada.json"
    bad.write_text('{"values": [{"kpi": "N00090"}]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"kolada\.json: kan inte läsas som ett Kolada-svar"):
        read_kolada(bad)
    bad = tmp_path / "befolkning.json"
    bad.write_text('{"version": "2.0", "class": "dataset"}', encoding="utf-8")
    with pytest.raises(InputError, match=r"befolkning\.json: kan inte läsas som JSON-stat"):
        read_scb_jsonstat(bad)


def test_kolada_comparison_sits_beside_the_reports_figures(demo):
    figures = {"sjukfranvaro": {"2024": 0.0727}, "personalomsattning": {"2024": 0.125}}
    from kompetens.io.scb import kolada_comparison

    out = kolada_comparison(read_kolada(FIXTURES / "kolada.json"), figures)
    assert out["N00090"] == {
        "namn": "Sjukfrånvaro, kommunalt anställda (%)",
        "ar": 2024,
        "kommun": 7.9,
        "riket": 7.1,
        "rapport": pytest.approx(7.27),
    }
    assert out["N00216"]["riket"] == 12.4 and out["N00216"]["rapport"] == pytest.approx(12.5)
