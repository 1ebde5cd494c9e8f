"""The bad-input corpus (tests/bad_inputs/, written by make_corpus.py): every case gives one
InputError that names the file, the row as Excel shows it, the column and the rule."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kompetens import InputError, load_inputs, load_params, validate_table
from kompetens.io.load import load_external_projection, read_table

HERE = Path(__file__).resolve().parent / "bad_inputs"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)


def _load(case):
    path = HERE / case["path"]
    if case["kind"] == "params":
        return load_params(path)
    if case["kind"] == "folder":
        return load_inputs(path)
    if case["table"] == "personalbehov_extern":
        return load_external_projection(path.name, path.parent)  # a file in its own data folder
    return validate_table(read_table(path), case["table"], path.name)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_names_file_row_and_column(case):
    with pytest.raises(InputError) as err:
        _load(case)
    problems = err.value.problems
    matching = [p for p in problems if case["rule"] in p.rule]
    assert matching, [str(p) for p in problems]
    p = matching[0]
    assert (p.row, p.column) == (case["row"], case["column"]), str(p)
    expected_file = case.get("file") or Path(case["path"]).name
    assert p.file.endswith(expected_file), p.file
    assert expected_file in str(err.value)  # the message the CLI prints names the file too


def test_swedish_excel_variants_are_read():
    """Semicolons, Windows-1252, a BOM, decimal commas, thousands spaces and header aliases."""
    text = (
        "Anställningsnummer;År;Förvaltning;Enhet;Yrke;Födelseår;Kön;Tjänstgöringsgrad;Grundlön;"
        "Anst datum;Anställningsform;Chef\n"
        "A1;2025;Äldreomsorg;Hemtjänst 1;Sjuksköterska;1980;K;0,75;38 500;2015-03-01;tillsvidare;Ja\n"
    )
    for encoding, bom in (("cp1252", b""), ("utf-8", b"\xef\xbb\xbf")):
        path = HERE.parent / "bad_inputs" / f"_tmp_{encoding}.csv"
        try:
            path.write_bytes(bom + text.encode(encoding))
            df = validate_table(read_table(path), "personal", path.name)
        finally:
            path.unlink()
        assert df.loc[0, "forvaltning"] == "Äldreomsorg" and df.loc[0, "sysselsattningsgrad"] == 0.75
        assert df.loc[0, "manadslon"] == 38_500 and bool(df.loc[0, "chef"]) is True


def test_excel_and_parquet_files_are_read(tmp_path):
    df = pd.DataFrame({"ar": [2025, 2025], "alder": [0, 1], "antal": [500, -2]})
    df.to_excel(tmp_path / "befolkning.xlsx", index=False)
    with pytest.raises(InputError) as err:
        validate_table(read_table(tmp_path / "befolkning.xlsx"), "befolkning", "befolkning.xlsx")
    assert [(p.row, p.column) for p in err.value.problems] == [(3, "antal")]
    df.iloc[:1].to_parquet(tmp_path / "befolkning.parquet")
    assert validate_table(read_table(tmp_path / "befolkning.parquet"), "befolkning", "b").loc[0, "antal"] == 500


_text = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.sampled_from(["2025", "1980", "0,5", "K", "M", "ja", "-1", "2025-02-30", "tillsvidare", "19800101-1234"]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                c: _text
                for c in (
                    "person_id",
                    "ar",
                    "forvaltning",
                    "enhet",
                    "yrkesgrupp",
                    "fodelsear",
                    "kon",
                    "sysselsattningsgrad",
                    "manadslon",
                    "anstallningsdatum",
                    "anstallningsform",
                    "chef",
                )
            }
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_register_validates_or_raises_the_validation_error(rows):
    df = pd.DataFrame(rows, dtype=object)
    try:
        validate_table(df, "personal", "personal.csv")
    except InputError as err:
        assert err.problems and all(p.file == "personal.csv" for p in err.problems)


def test_cli_stops_on_bad_data_and_writes_nothing(tmp_path, capsys):
    from kompetens.run.cli import main

    out = tmp_path / "out"
    code = main(["run", "--data", str(HERE / "folders" / "okand_person_i_franvaro"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "franvaro.csv, rad 4, kolumn 'person_id': personen finns varken i personal eller avgangar" in err
    assert "Traceback" not in err
    assert main(["validate", str(HERE / "folders" / "befolkning_saknar_ar")]) == 2
