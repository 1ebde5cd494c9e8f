"""The bad-input corpus (tests/bad_inputs/, written by make_corpus.py): every case gives one
InputError that names the file, the row as Excel shows it, the column and the rule."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import kompetens
from kompetens import InputError, load_params, validate_table
from kompetens.io.activities import STRATEGIES, load_activities
from kompetens.io.load import check_data_dir, load_external_projection, read_table
from kompetens.io.population import read_population

HERE = Path(__file__).resolve().parent / "bad_inputs"
sys.path.insert(0, str(HERE))  # make_corpus: the small valid tables the corpus edits
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert len({c["id"] for c in CASES}) == len(CASES)


def _load(case):
    path = HERE / case["path"]
    if case["kind"] == "params":
        return load_params(path)
    if case["kind"] == "folder":
        return check_data_dir(path)
    if case["kind"] == "aktivitetsplan":
        return load_activities(path, STRATEGIES["skr2018"])
    if case["table"] == "personalbehov_extern":
        return load_external_projection(path.name, path.parent)  # a file in its own data folder
    if case["table"] == "befolkning" and (path.suffix in (".json", ".parquet") or case["id"].startswith("scb_")):
        return validate_table(read_population(path), "befolkning", path.name)  # SCB's own shapes
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


def test_batch_gate_checks_a_params_files_own_data_folder_and_activity_plan(tmp_path, capsys):
    """A params file's data_dir and the folder's aktivitetsplan.yaml are checked before any
    report runs: exit 2, the place of the problem, nothing written."""
    from kompetens.run.cli import main

    out = tmp_path / "out"
    for folder, where in (
        ("avgang_men_anstalld", "avgangar.csv, rad 4, kolumn 'datum': avgång men fortfarande anställd"),
        ("aktivitetsplan_fel_status", "aktivitetsplan.yaml, rad 5, aktivitet 1, nyckel 'status': ska vara en av"),
    ):
        params = tmp_path / f"{folder}.yaml"
        params.write_text(f"titel: X\nslug: x\ndata_dir: {HERE / 'folders' / folder}\n", encoding="utf-8")
        assert main(["run", str(params), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert where in err and "Traceback" not in err
        assert not out.exists()
        assert main(["validate", str(HERE / "folders" / folder)]) == 2
        assert where in capsys.readouterr().err


def _folder(tmp_path, **changes):
    """The corpus's small valid folder with some tables replaced (table -> lines)."""
    import make_corpus

    folder = tmp_path / "data"
    folder.mkdir(parents=True)
    for table, lines in {**make_corpus.TABLES, **changes}.items():
        (folder / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_plausible_range_warnings_are_carried_not_raised(tmp_path, capsys):
    import make_corpus

    from kompetens.run.cli import main

    personal = make_corpus.edit(make_corpus.PERSONAL, 4, "manadslon", "180 000")
    franvaro = make_corpus.edit(make_corpus.FRANVARO, 3, "schemalagd_tid", "320")
    folder = _folder(tmp_path, personal=personal, franvaro=franvaro)
    inputs = check_data_dir(folder)
    assert inputs.personal["manadslon"].max() == 180_000
    assert inputs.warnings == [
        "personal.csv, rad 4, kolumn 'manadslon': 1 rader över 150 000 (personal); kontrollera att de stämmer",
        "franvaro.csv, rad 3, kolumn 'schemalagd_tid': 1 rader över 300 (franvaro); kontrollera att de stämmer",
    ]
    assert main(["validate", str(folder)]) == 0
    assert "varning: personal.csv, rad 4, kolumn 'manadslon'" in capsys.readouterr().out
    assert check_data_dir(_folder(tmp_path / "ok")).warnings == []


READERS = {
    "personal.csv": lambda p: validate_table(read_table(p), "personal", p.name),
    "personal.xlsx": lambda p: validate_table(read_table(p), "personal", p.name),
    "personal.parquet": lambda p: validate_table(read_table(p), "personal", p.name),
    "befolkning.csv": lambda p: validate_table(read_population(p), "befolkning", p.name),
    "befolkning.json": lambda p: validate_table(read_population(p), "befolkning", p.name),
    "kolada.json": lambda p: __import__("kompetens.io.kolada", fromlist=["parse_kolada"]).parse_kolada(p),
    "aktivitetsplan.yaml": lambda p: load_activities(p, STRATEGIES["skr2018"]),
    "params.yaml": load_params,
    "personalbehov_extern.csv": lambda p: load_external_projection(p.name, p.parent),
}


def _fed(tmp_path_factory, name: str, raw: bytes):
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(raw)
    try:
        READERS[name](path)
    except InputError as err:
        assert err.problems and all(p.file.endswith(name) for p in err.problems), err.problems


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(READERS)), raw=st.binary(max_size=400))
def test_random_bytes_give_an_input_error_or_a_table(tmp_path_factory, name, raw):
    _fed(tmp_path_factory, name, raw)


_cell = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6),  # what a spreadsheet can hold
    st.sampled_from(["", "2025", "2031", "1900-01-01", "05.01.2015", "0,5", "1e12", "NULL", "N/A", "Äldreomsorg "]),
    st.integers(-(10**13), 10**13).map(str),
    st.floats(allow_nan=True).map(str),
)
_HEADERS = ["person_id", "ar", "År", "alder", "antal", "forvaltning", "enhet", "yrkesgrupp", "fodelsear", "kon"]


@settings(max_examples=120, deadline=None)
@given(
    name=st.sampled_from(["personal.csv", "personal.xlsx", "personal.parquet", "befolkning.csv"]),
    headers=st.lists(
        st.sampled_from([*_HEADERS, "sysselsattningsgrad", "manadslon", "anstallningsdatum", "chef"]),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    rows=st.lists(st.lists(_cell, min_size=8, max_size=8), min_size=0, max_size=5),
    sep=st.sampled_from([",", ";"]),
)
def test_random_valid_looking_tables_give_an_input_error_or_a_table(tmp_path_factory, name, headers, rows, sep):
    frame = pd.DataFrame([r[: len(headers)] for r in rows], columns=headers, dtype=object)
    folder = tmp_path_factory.mktemp("tables")
    path = folder / name
    if name.endswith(".xlsx"):
        frame.to_excel(path, index=False)
    elif name.endswith(".parquet"):
        frame.astype(str).to_parquet(path)
    else:
        path.write_text(frame.to_csv(sep=sep, index=False), encoding="utf-8")
    _fed(tmp_path_factory, name, path.read_bytes())


def test_warnings_are_shown_under_om_underlaget(tmp_path):
    import shutil

    from kompetens import prepare, report

    folder = tmp_path / "demo"
    shutil.copytree(kompetens.demo_dir(), folder)
    lines = (folder / "personal.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[6].split(",")
    cells[header.index("manadslon")] = "210000"
    lines[6] = ",".join(cells)
    (folder / "personal.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    inputs = check_data_dir(folder)
    plan = prepare(inputs=inputs, titel="X", slug="x", data_dir=str(folder))
    text = report.provenance(plan).data
    assert "Varningar om underlaget" in text
    assert r"personal.csv, rad 7, kolumn 'manadslon': 1 rader över 150 000 \(personal\)" in text
    assert "Varningar" not in report.provenance(prepare(titel="X", slug="x")).data


def test_batch_gate_checks_the_external_projection(tmp_path, capsys):
    import make_corpus

    from kompetens.run.cli import main

    folder = _folder(tmp_path)
    (folder / "extern.csv").write_text("\n".join(make_corpus.edit(make_corpus.EXTERN, 3, "personalbehov", "-4")) + "\n")
    params = tmp_path / "extern.yaml"
    params.write_text(f"titel: X\nslug: x\ndata_dir: {folder}\npersonalbehov_extern: extern.csv\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(params), "--out", str(out)]) == 2
    assert "extern.csv, rad 3, kolumn 'personalbehov': får inte vara negativt" in capsys.readouterr().err
    assert not out.exists()


def test_ar_and_År_in_an_scb_file_are_two_columns_with_one_name():
    """Found by the random tables: SCB's shape ('0 år', '+') was read before the headers
    were checked, and two year columns crashed pandas."""
    df = pd.DataFrame({"ar": ["2025"], "År": ["2025"], "alder": ["100+"], "antal": ["5"]}, dtype=object)
    df.columns = ["ar", "ar", "alder", "antal"]  # as read_table normalises them
    with pytest.raises(InputError) as err:
        validate_table(df, "befolkning", "befolkning.csv")
    assert [(p.row, p.column) for p in err.value.problems] == [(1, "ar")]
    assert "två kolumner med samma namn" in err.value.problems[0].rule


def test_a_quoted_separator_in_a_name_is_not_a_title_row(tmp_path):
    """A name with the separator inside quotes makes its row look wider than the header
    when split naively; the title-row check must read the quotes."""
    import make_corpus

    lines = make_corpus.edit(make_corpus.PERSONAL, 3, "yrkesgrupp", '"Sjuksköterska; natt"')
    path = tmp_path / "personal.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert validate_table(read_table(path), "personal", path.name).loc[1, "yrkesgrupp"] == "Sjuksköterska; natt"


def test_the_gate_checks_what_a_params_file_asks_of_its_data(tmp_path, capsys):
    """An unknown department, a base year without a snapshot and a forecast too short for
    the plan years stop the batch before any report runs: exit 2, nothing written."""
    from kompetens.run.cli import main

    params = tmp_path / "p.yaml"
    params.write_text("titel: X\nslug: x\nforvaltning: Finns inte\nbasar: 2031\nslutar: 2040\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(params), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{params}, nyckel 'forvaltning': okänd förvaltning; finns: Funktionsstöd (LSS)" in err
    assert f"{params}, nyckel 'basar': basåret ska vara ett år med en ögonblicksbild i personal (2019–2025)" in err
    assert f"{params}, nyckel 'slutar': befolkningsprognosen saknar åren 2036–2040" in err
    assert "Traceback" not in err and not out.exists()
