"""Loading and validation: the demo loads with the contract's types; bad input is named."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from kompetens import InputError, demo_dir, load_inputs, select_forvaltning, validate_table
from kompetens.io.load import normalize_header, read_table


def test_demo_loads_with_contract_types(demo):
    p = demo.personal
    assert p["ar"].dtype == "int64" and p["chef"].dtype == bool
    assert str(p["anstallningsdatum"].dtype).startswith("datetime64")
    assert p["chef"].sum() == (p["yrkesgrupp"] == "Ledning").sum() > 0
    assert set(demo.sources) == {"personal", "avgangar", "franvaro", "befolkning", "kostnader"}
    assert all(len(s["sha256"]) == 64 for s in demo.sources.values())


def test_headers_match_without_case_or_swedish_letters():
    assert normalize_header(" Sysselsättningsgrad ") == "sysselsattningsgrad"
    assert normalize_header("Födelseår") == "fodelsear"
    assert normalize_header("Anställnings Datum") == "anstallnings_datum"


def test_swedish_excel_csv(tmp_path):
    path = tmp_path / "befolkning.csv"
    path.write_bytes("År;Ålder;Antal\n2025;0;512,0\n2025;1;498\n".encode("cp1252"))
    df = validate_table(read_table(path), "befolkning", path.name)
    assert df["antal"].tolist() == [512.0, 498.0] and df["alder"].tolist() == [0, 1]


def _personal_rows():
    return pd.read_csv(demo_dir() / "personal.csv", dtype=str, nrows=6)


def test_every_problem_is_named_with_row_and_column():
    df = _personal_rows()
    df.loc[1, "chef"] = "kanske"
    df.loc[2, "sysselsattningsgrad"] = "1.5"
    df.loc[3, "fodelsear"] = "abc"
    df.loc[4, "sysselsattningsgrad"] = "0"
    with pytest.raises(InputError) as err:
        validate_table(df.drop(columns="kon"), "personal", "personal.csv")
    found = {(p.row, p.column) for p in err.value.problems}
    # Excel rows: the header is row 1, so index i is row i + 2
    assert found == {
        (None, "kon"),
        (3, "chef"),
        (4, "sysselsattningsgrad"),
        (5, "fodelsear"),
        (6, "sysselsattningsgrad"),
    }
    assert "personal.csv, rad 4, kolumn 'sysselsattningsgrad'" in str(err.value)


def test_rules_across_columns_name_the_row():
    df = _personal_rows()
    df.loc[2, "fodelsear"] = str(int(df.loc[2, "ar"]) - 12)  # a 12-year-old
    df.loc[4, "person_id"] = df.loc[3, "person_id"]  # same person twice in a year
    with pytest.raises(InputError) as err:
        validate_table(df, "personal", "personal.csv")
    rows = {(p.row, p.column, p.rule) for p in err.value.problems}
    assert (4, "fodelsear", "ålder (ar - fodelsear) ska vara 15–80") in rows
    assert (6, "person_id", "samma person två gånger samma år") in rows


def test_missing_folder_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="datakatalogen finns inte"):
        load_inputs(tmp_path / "nej")
    for name in ("personal.csv", "avgangar.csv", "befolkning.csv"):
        shutil.copy(demo_dir() / name, tmp_path / name)
    with pytest.raises(InputError) as err:
        load_inputs(tmp_path)
    assert [p.file for p in err.value.problems] == [str(tmp_path / "franvaro.csv")]


def test_select_forvaltning(demo):
    lss = select_forvaltning(demo, "Funktionsstöd (LSS)")
    assert set(lss.personal["forvaltning"]) == {"Funktionsstöd (LSS)"}
    assert set(lss.franvaro["forvaltning"]) == {"Funktionsstöd (LSS)"}
    assert lss.befolkning is demo.befolkning
    with pytest.raises(InputError, match="okänd förvaltning"):
        select_forvaltning(demo, "Skola")


def test_validated_tables_are_cached_by_the_inputs_hashes(tmp_path):
    from kompetens.io.load import CACHE_DIR, _cache_key

    for name in ("personal.csv", "avgangar.csv", "franvaro.csv.gz", "befolkning.csv"):
        shutil.copy(demo_dir() / name, tmp_path / name)
    fresh = load_inputs(tmp_path, cache=False)
    key = _cache_key(tmp_path)
    shutil.rmtree(CACHE_DIR / key, ignore_errors=True)
    first = load_inputs(tmp_path)
    assert (CACHE_DIR / key / "personal.parquet").exists()
    cached = load_inputs(tmp_path)
    for table in ("personal", "avgangar", "franvaro", "befolkning"):
        pd.testing.assert_frame_equal(getattr(cached, table), getattr(fresh, table))
        pd.testing.assert_frame_equal(getattr(first, table), getattr(fresh, table))
    assert cached.sources == fresh.sources and cached.kostnader is None
    (tmp_path / "befolkning.csv").write_text("ar,alder,antal\n2025,0,1\n", encoding="utf-8")
    assert _cache_key(tmp_path) != key
