"""`kompetens import`: three yearly snapshots in SKR's novemberstatistik layout (headerless,
semicolon, Windows-1252, packed fields) -> personal and avgangar, worked out by hand here.

The fixture (tests/fixtures/import/): P1 stays; P2 has two employments in 2023; P3 has a
samordningsnummer; P4 moves from Äldreomsorg to Funktionsstöd in 2023; P5 leaves after
2023; P6 (written with '-') leaves after 2022 and returns in 2024; P7 (12 digits) is
hired in 2023."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import importlib.util
import re
import shutil
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kompetens import InputError
from kompetens.io.importer import (
    import_snapshots,
    parse_personnummer,
    parse_personnummer_many,
    pseudonym,
    pseudonym_many,
)
from kompetens.io.load import load_inputs
from kompetens.run.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "import"
FILES = sorted(FIX.glob("novemberstatistik_*.txt"))
PNR = {  # 12-digit forms, as the pseudonym is made from them
    "P1": "196503122423",
    "P2": "198007011318",
    "P3": "199005742284",
    "P4": "197511301553",
    "P5": "198802020464",
    "P6": "199509093846",
    "P7": "200001205178",
}
NAMES = ["Andersson", "Anna", "Berg", "Chen", "Dahl", "David", "Öberg", "Åsa", "Falk", "Frida", "Gustafsson"]
KEY = "5" * 64


def _id(key_hex: str, who: str) -> str:
    digest = hmac.new(bytes.fromhex(key_hex), PNR[who].encode(), hashlib.sha256).digest()
    return "p" + base64.b32encode(digest).decode()[:16].lower()


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "hemlig" / "nyckel"
    path.parent.mkdir()
    path.write_text(KEY + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


@pytest.fixture
def imported(tmp_path, key_file):
    out = tmp_path / "data"
    written = import_snapshots(FILES, FIX / "mappning.yaml", out, key_file=key_file)
    return out, written


def _personal(out):
    df = pd.read_csv(out / "personal.csv", dtype={"person_id": str})
    who = {_id(KEY, p): p for p in PNR}
    df["vem"] = df["person_id"].map(who)
    return df.set_index(["vem", "ar"])


def test_personal_one_row_per_person_and_year(imported):
    out, written = imported
    assert set(written) == {"personal", "avgangar"}
    p = _personal(out)
    assert sorted(p.index) == sorted(
        [(w, y) for w in ("P1", "P2", "P3", "P4") for y in (2022, 2023, 2024)]
        + [("P5", 2022), ("P5", 2023), ("P6", 2022), ("P6", 2024), ("P7", 2023), ("P7", 2024)]
    )
    # personnummer -> fodelsear and kon (9th digit odd = man); samordningsnummer day 74 = 14
    assert p.loc[("P1", 2022), ["fodelsear", "kon"]].tolist() == [1965, "K"]
    assert p.loc[("P2", 2022), ["fodelsear", "kon"]].tolist() == [1980, "M"]
    assert p.loc[("P3", 2022), ["fodelsear", "kon"]].tolist() == [1990, "K"]
    assert p.loc[("P7", 2023), ["fodelsear", "kon"]].tolist() == [2000, "M"]
    # codes mapped: AID 207010 -> Vårdare…, 151020 -> Socialsekreterare…, 512/513 -> förvaltning
    assert p.loc[("P1", 2024), ["forvaltning", "enhet", "yrkesgrupp"]].tolist() == [
        "Äldreomsorg",
        12345,
        "Vårdare/undersköterska/assistent",
    ]
    assert p.loc[("P3", 2023), ["forvaltning", "yrkesgrupp"]].tolist() == [
        "Funktionsstöd (LSS)",
        "Socialsekreterare/biståndsbedömare",
    ]
    # P2's two employments in 2023 (50 % at 27 000 in 512, 40 % at 28 000 in 513): the
    # larger one's place, rates summed, full-time salaries weighted by rate
    two = p.loc[("P2", 2023)]
    assert two["forvaltning"] == "Äldreomsorg" and two["enhet"] == 12345
    assert two["sysselsattningsgrad"] == pytest.approx(0.9)
    assert two["manadslon"] == round((27000 * 0.5 + 28000 * 0.4) / 0.9)
    assert p.loc[("P5", 2022), ["anstallningsform", "sysselsattningsgrad", "manadslon"]].tolist() == [
        "visstid",
        0.75,
        27000,
    ]


def test_tenure_from_first_snapshot_is_left_censored(imported):
    p = _personal(imported[0])
    # in the first snapshot: start unknown, counted from 1 Nov 2022 and marked
    assert p.loc[("P1", 2024), ["anstallningsdatum", "anstallningsdatum_okand"]].tolist() == ["2022-11-01", True]
    # hired between snapshots: midway, known to the year
    assert p.loc[("P7", 2023), ["anstallningsdatum", "anstallningsdatum_okand"]].tolist() == ["2023-05-02", False]
    # back after a gap: a new spell, midway between 2023 and 2024 (a leap year: 366 days)
    assert p.loc[("P6", 2024), ["anstallningsdatum", "anstallningsdatum_okand"]].tolist() == ["2024-05-02", False]
    assert p.loc[("P6", 2022), "anstallningsdatum_okand"]


def test_exits_and_internal_moves_from_consecutive_snapshots(imported):
    a = pd.read_csv(imported[0] / "avgangar.csv", dtype={"person_id": str})
    who = {_id(KEY, p): p for p in PNR}
    got = sorted(
        (who[r.person_id], r.datum, r.orsak, r.forvaltning, r.yrkesgrupp, r.anstallningsdatum) for r in a.itertuples()
    )
    assert got == [
        ("P4", "2023-05-02", "intern_rorlighet", "Äldreomsorg", "Vårdare/undersköterska/assistent", "2022-11-01"),
        ("P5", "2024-05-02", "okand", "Funktionsstöd (LSS)", "Vårdare/undersköterska/assistent", "2022-11-01"),
        ("P6", "2023-05-02", "okand", "Äldreomsorg", "Vårdare/undersköterska/assistent", "2022-11-01"),
    ]


def test_the_same_key_gives_the_same_ids_and_another_key_others(tmp_path, imported, key_file):
    first = set(pd.read_csv(imported[0] / "personal.csv", dtype=str)["person_id"])
    assert first == {_id(KEY, p) for p in PNR}
    again = import_snapshots(FILES, FIX / "mappning.yaml", tmp_path / "igen", key_file=key_file)
    assert set(pd.read_csv(again["personal"], dtype=str)["person_id"]) == first
    other = tmp_path / "annan" / "nyckel"
    new = import_snapshots(FILES, FIX / "mappning.yaml", tmp_path / "annan_data", key_file=other)
    ids = set(pd.read_csv(new["personal"], dtype=str)["person_id"])
    assert len(ids) == 7 and not ids & first
    assert all(re.fullmatch(r"p[a-z2-7]{16}", i) for i in ids)  # no 0 or 1: never a date
    # the new key file was created owner-only, 32 random bytes
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
    assert re.fullmatch(r"[0-9a-f]{64}\n", other.read_text())


def test_no_personnummer_and_no_name_in_anything_written(imported):
    out = imported[0]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert sorted(p.name for p in files) == ["avgangar.csv", "personal.csv"]  # no temporary files left
    digits = {v for p in PNR.values() for v in (p, p[2:], p[2:8] + "-" + p[8:])}
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not any(d in text for d in digits), path
        assert not any(n.lower() in text.lower() for n in NAMES), path
        assert not re.search(r"\d{6}[-+]?\d{4}", text), path


def test_the_imported_folder_passes_validation(imported, tmp_path):
    out = imported[0]
    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    shutil.copy(demo / "befolkning.csv", out / "befolkning.csv")
    _group_absence(out)
    inputs = load_inputs(out, cache=False)
    assert len(inputs.personal) == 18 and len(inputs.avgangar) == 3
    assert inputs.personal["anstallningsdatum_okand"].dtype == bool


def _group_absence(out: Path) -> None:
    """A sick-leave file by group and month (no person ids), as payroll systems report it."""
    rows = [
        {"manad": f"{y}-{m:02d}", "yrkesgrupp": g, "schemalagd_tid": 1000.0, "sjuk_tid": 60.0 + m}
        for y in (2023, 2024)
        for m in range(1, 13)
        for g in ("Vårdare/undersköterska/assistent", "Socialsekreterare/biståndsbedömare")
    ]
    pd.DataFrame(rows).to_csv(out / "franvaro.csv", index=False)


def test_unknown_codes_stop_the_import_with_one_error_listing_them(tmp_path, key_file):
    (tmp_path / "in").mkdir()
    for f in FILES:
        text = f.read_text(encoding="cp1252").replace(";207010;", ";999999;").replace(";513;", ";777;")
        (tmp_path / "in" / f.name).write_text(text, encoding="cp1252", newline="")
    mapping = tmp_path / "in" / "mappning.yaml"
    shutil.copy(FIX / "mappning.yaml", mapping)
    shutil.copy(FIX / "verksamhet_forvaltning.csv", tmp_path / "in")
    out = tmp_path / "data"
    with pytest.raises(InputError) as err:
        import_snapshots(sorted((tmp_path / "in").glob("*.txt")), mapping, out, key_file=key_file)
    rules = sorted(p.rule.split(";")[0] for p in err.value.problems)
    # 999999: P1 in all three years; 777 (was 513): 2 rows in 2022, 4 in 2023, 2 in 2024
    assert rules == ["okänd kod 777: 8 rader", "okänd kod 999999: 3 rader"]
    assert not out.exists()  # nothing written


def test_a_bad_personnummer_names_the_row_not_the_value(tmp_path, key_file):
    (tmp_path / "in").mkdir()
    for f in FILES:
        text = f.read_text(encoding="cp1252")
        if f.name.endswith("2023.txt"):
            text = text.replace("7511301553", "7511301554")  # wrong check digit, row 5
        (tmp_path / "in" / f.name).write_text(text, encoding="cp1252", newline="")
    shutil.copy(FIX / "mappning.yaml", tmp_path / "in")
    shutil.copy(FIX / "verksamhet_forvaltning.csv", tmp_path / "in")
    out = tmp_path / "data"
    out.mkdir()
    (out / "personal.csv").write_text("tidigare import\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_snapshots(sorted((tmp_path / "in").glob("*.txt")), tmp_path / "in" / "mappning.yaml", out, key_file)
    (p,) = err.value.problems
    assert (p.file, p.row, p.column, p.value) == ("novemberstatistik_2023.txt", 5, "personnummer", None)
    assert "751130" not in str(err.value) and "Dahl" not in str(err.value)
    assert (out / "personal.csv").read_text(encoding="utf-8") == "tidigare import\n"  # untouched
    assert sorted(x.name for x in out.iterdir()) == ["personal.csv"]


def test_the_key_file_must_be_outside_the_data_folder_and_owner_only(tmp_path):
    out = tmp_path / "data"
    with pytest.raises(InputError, match="data- eller utkatalogen"):
        import_snapshots(FILES, FIX / "mappning.yaml", out, key_file=out / "nyckel")
    with pytest.raises(InputError, match="data- eller utkatalogen"):
        import_snapshots(FILES, FIX / "mappning.yaml", out, key_file=FIX / "nyckel")
    loose = tmp_path / "nyckel"
    loose.write_text(KEY, encoding="ascii")
    loose.chmod(0o644)
    with pytest.raises(InputError, match="chmod 600"):
        import_snapshots(FILES, FIX / "mappning.yaml", out, key_file=loose)
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("6503122423", 2024, ("196503122423", 1965, "K")),
        ("650312-2423", 2024, ("196503122423", 1965, "K")),
        ("196503122423", 2024, ("196503122423", 1965, "K")),
        ("650312+2423", 2024, ("186503122423", 1865, "K")),  # '+': 100 years or older
        ("9005742284", 2024, ("199005742284", 1990, "K")),  # samordningsnummer (day 14 + 60)
        ("0001205178", 2024, ("200001205178", 2000, "M")),
        ("6503122424", 2024, None),  # check digit
        ("6513122423", 2024, None),  # month 13
        ("650312242", 2024, None),
        ("ABCDEFGHIJ", 2024, None),
    ],
)
def test_personnummer(text, year, expected):
    # Luhn by hand for 650312-242?: 6·2→1+2, 5, 0, 3, 1·2, 2, 2·2, 4, 2·2 → 3+5+0+3+2+2+4+4+4 = 27 → 3
    assert parse_personnummer(text, year) == expected


def test_cli_import_then_validate(tmp_path, key_file, capsys):
    out = tmp_path / "data"
    args = ["import", *map(str, FILES), "--mappning", str(FIX / "mappning.yaml"), "--ut", str(out)]
    assert main([*args, "--nyckel", str(key_file)]) == 0
    printed = capsys.readouterr().out
    assert "personal" in printed and "18 rader" in printed and "3 rader" in printed
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "demo" / "befolkning.csv", out)
    _group_absence(out)
    assert main(["validate", str(out)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("kolumner: {personnummer: 7}\n", encoding="utf-8")
    assert main([*args[:-4], "--mappning", str(bad), "--ut", str(tmp_path / "x"), "--nyckel", str(key_file)]) == 2
    assert "kolumner.yrkeskod" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_an_exit_list_gives_exits_their_date_and_cause(tmp_path, key_file):
    out = tmp_path / "data"
    written = import_snapshots(FILES, FIX / "mappning.yaml", out, key_file=key_file, exit_list=FIX / "avgangslista.csv")
    a = pd.read_csv(written["avgangar"], dtype={"person_id": str})
    who = {_id(KEY, p): p for p in PNR}
    got = sorted((who[r.person_id], r.datum, r.orsak) for r in a.itertuples())
    # P1's 2021 exit lies before the first snapshot: not an exit seen in the snapshots, ignored
    assert got == [
        ("P4", "2023-05-02", "intern_rorlighet"),
        ("P5", "2024-03-31", "egen_begaran"),
        ("P6", "2023-01-15", "ovrigt"),
    ]
    text = written["avgangar"].read_text(encoding="utf-8")
    assert "Öberg" not in text and "198802020464" not in text


def test_an_unknown_exit_cause_is_listed(tmp_path, key_file):
    (tmp_path / "lista").mkdir()
    bad = tmp_path / "lista" / "avgangslista.csv"
    bad.write_bytes((FIX / "avgangslista.csv").read_bytes().replace("Övrigt".encode("cp1252"), b"Flytt"))
    with pytest.raises(InputError) as err:
        import_snapshots(FILES, FIX / "mappning.yaml", tmp_path / "data", key_file=key_file, exit_list=bad)
    assert [p.rule for p in err.value.problems] == ["okänd orsakskod Flytt: 1 rader"]
    assert not (tmp_path / "data").exists()


# -- the vectorised importer against definitions kept here --------------------------------


def _reference_personnummer(text: str, year: int):
    """One personnummer checked by hand: the form, the date (day + 60 for a samordningsnummer)
    and the Luhn check digit of the last ten digits."""
    text = text.strip().replace(" ", "")
    m = re.fullmatch(r"([0-9]{2})?([0-9]{6})([-+]?)([0-9]{4})", text)
    if not m:
        return None
    ten = m.group(2) + m.group(4)
    luhn = sum(sum(divmod(int(c) * (2 - i % 2), 10)) for i, c in enumerate(ten))
    yy, month, day = int(ten[:2]), int(ten[2:4]), int(ten[4:6])
    if m.group(1):
        born = int(m.group(1)) * 100 + yy
    else:
        born = year - (year - yy) % 100 - (100 if m.group(3) == "+" else 0)
    try:
        date = datetime.date(born, month, day - 60 if day > 60 else day)
    except ValueError:
        return None
    if luhn % 10 or not datetime.date(1677, 9, 22) <= date <= datetime.date(2262, 4, 11):  # as a Timestamp holds
        return None
    return f"{born}{ten[2:]}", born, "M" if int(ten[8]) % 2 else "K"


def _random_personnummer(rng, n: int) -> list[str]:
    """Texts in every form, most with a correct check digit, a tenth with a wrong one, some
    with impossible dates, samordningsnummer, centuries 00–21, spaces and non-ASCII digits."""
    out = []
    for _ in range(n):
        yy, month, day = rng.integers(0, 100), rng.integers(0, 14), rng.integers(0, 93)
        nine = f"{yy:02d}{month:02d}{day:02d}{rng.integers(0, 1000):03d}"
        check = (10 - sum(sum(divmod(int(c) * (2 - i % 2), 10)) for i, c in enumerate(nine)) % 10) % 10
        ten = nine + str((check + (rng.random() < 0.1)) % 10)
        century = f"{rng.integers(0, 22):02d}"
        form = rng.integers(0, 8)
        out.append(
            [
                ten,
                ten[:6] + "-" + ten[6:],
                ten[:6] + "+" + ten[6:],
                century + ten,
                century + ten[:6] + "-" + ten[6:],
                f" {ten[:6]} {ten[6:]} ",
                ten[:-1] + "٣",  # an Arabic-Indic digit: not a personnummer
                ten[:-1],
            ][form]
        )
    return out


@pytest.mark.parametrize("year", [2024, 1999, 2100])
def test_the_vectorised_personnummer_check_agrees_with_the_one_by_hand(year):
    rng = np.random.default_rng(year)
    texts = [*_random_personnummer(rng, 20_000), "", "nan", "6503122423x", "650312--2423", "+6503122423"]
    got = parse_personnummer_many(pd.Series(texts, index=np.arange(len(texts)) * 7), year)
    assert list(got.index) == list(np.arange(len(texts)) * 7)
    expected = [_reference_personnummer(t, year) for t in texts]
    assert [None if pd.isna(p) else (p, int(b), k) for p, b, k in got.itertuples(index=False)] == expected
    valid = sum(e is not None for e in expected)
    assert 4_000 < valid < 16_000  # both kinds well represented
    assert parse_personnummer("002005763426", 2024) is None  # century 00: no date of birth a Timestamp holds


def test_the_pseudonyms_are_the_ones_made_before_and_by_definition():
    key = bytes.fromhex(KEY)
    # made by the importer before it was vectorised, from the fixture's P1 and P7
    assert pseudonym(key, PNR["P1"]) == "plkiqdzf35rawdnve" == _id(KEY, "P1")
    assert pseudonym(key, PNR["P7"]) == "pummvyvgqlzyqoolr" == _id(KEY, "P7")
    rng = np.random.default_rng(7)
    numbers = [str(n) for n in rng.integers(10**11, 10**12, 2_000)]
    for key in (bytes.fromhex(KEY), rng.bytes(16), rng.bytes(64), rng.bytes(100)):  # > 64 bytes: hashed first
        by_definition = [
            "p" + base64.b32encode(hmac.new(key, n.encode(), hashlib.sha256).digest()).decode()[:16].lower()
            for n in numbers
        ]
        assert list(pseudonym_many(key, numbers)) == by_definition
    assert len(pseudonym_many(key, [])) == 0


def test_an_import_writes_the_same_bytes_as_before(tmp_path, key_file):
    """The generator's snapshots (400 employments, three years) give the files the importer
    wrote before it was vectorised, byte for byte (their SHA-256 then)."""
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "benchmarks" / "bench_import.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    files = bench.write_snapshots(tmp_path / "in", employments=400, years=[2021, 2022, 2023], seed=5)
    written = import_snapshots(files, tmp_path / "in" / "mappning.yaml", tmp_path / "ut", key_file=key_file)
    digests = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in written.items()}
    assert digests == {
        "personal": "91e17e18b0ca55e8ec0ab081c9e12ff4c492c9cac5c7cdfe08baf1591f1c72f2",
        "avgangar": "090caeceaacc7ae00888452c751013f77da92498dd8cc10b7957ad18819d1eaf",
    }
