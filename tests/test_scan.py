"""The privacy scanner on hand-made outputs, and a deliberately leaking report."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl

from kompetens.privacy.scanner import scan_html, scan_json, scan_outputs, scan_text
from kompetens.run import batch, execute

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_text_findings_name_the_line():
    text = "rad ett\nmedarbetare D01234 slutade\npnr 19850312-1234\nfödd 1985-03-12, körd 2026-11-23\n"
    found = [(f.place, f.what.split(" ")[0]) for f in scan_text(text, "x.html", {"D01234"})]
    assert found == [("rad 2", "person-id"), ("rad 3", "personnummer"), ("rad 4", "datum")]
    assert scan_text("0,191771562945 och 12 345 kr", "x", {"D01234"}) == []
    assert all("D01234" not in str(f) and "1985" not in str(f) for f in scan_text(text, "x", {"D01234"}))


def test_ids_of_any_form_are_whole_tokens_and_numbers_only_in_identifier_context():
    ids = {"ab/123", "X-99.7", "D01234", "2019", "0042"}
    lines = {
        "avslutad: ab/123.": 1,
        "sökväg foo/ab/123": 1,
        "ab/1234 och cab/123": 0,
        "X-99.7 slutade": 1,
        "D012345": 0,
        "år 2019, 2019-05-01 och 2019 anställda": 0,
        '"person_id": 2019,': 1,
        "anst.nr 42": 1,
        "medarbetarnummer 2019 slutade": 1,
        "1 393 medarbetare 2025": 0,
        'id="cell-id=2019" "id": "2019"': 0,
        "kostnad per person 2019 kr": 0,
    }
    for line, n in lines.items():
        assert len(scan_text(line, "x", ids)) == n, line


def test_count_tables_marked_for_the_scanner():
    html = (
        '<table data-antal="alla"><tr><th>a</th><th>b</th></tr><tr><th>x</th><td>12</td><td>3</td></tr></table>'
        '<table data-antal="1"><tr><th>y</th><td>2,5</td><td>4</td></tr></table>'
        "<table><tr><td>1</td></tr></table>"
    )
    found = scan_html(html, "r.html", set(), 5)
    assert [(f.place, f.what) for f in found] == [
        ("tabell 1, rad 2, kolumn 2", "antal under 5"),
        ("tabell 2, rad 1, kolumn 2", "antal under 5"),
    ]


def test_count_keys_in_the_key_figures():
    figures = {
        "antal_basar": {"A": 12, "B": 3, "Totalt": 15},
        "antal_anstallda": {"A": {"2025": 4.0}},
        "personalbehov": {"A": {"2025": 2.5}},
    }
    found = scan_json(json.dumps(figures), "nyckeltal.json", set(), 5)
    assert [f.place for f in found] == ["antal_anstallda['A']['2025']", "antal_basar['B']"]


def test_count_sheets_in_the_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Antal anställda"
    ws.append(["yrkesgrupp", 2024, 2025])
    ws.append(["Sjuksköterska", 12, 3])
    ws.append(["Administratör", "–", 7])
    other = wb.create_sheet("Personalbehov")
    other.append(["yrkesgrupp", 2025])
    other.append(["A", 2])
    wb.save(tmp_path / "tabeller.xlsx")
    found = scan_outputs(tmp_path, set(), 5)
    assert [(f.file, f.place) for f in found] == [("tabeller.xlsx", "blad 'Antal anställda', rad 2, kolumn 3")]


def test_a_leaking_report_fails_and_leaves_nothing(monkeypatch, tmp_path):
    params = tmp_path / "lacker.yaml"
    params.write_text("titel: Läckande rapport\nslug: lacker\n", encoding="utf-8")
    monkeypatch.setattr(execute, "NOTEBOOK", FIXTURES / "lacker.ipynb")
    out = tmp_path / "out"
    [result] = batch.run_batch([params], out, jobs=1, progress=False)
    assert not result.ok
    assert "integritetskontrollen" in result.error
    assert re.search(r"rapport\.html \(rad \d+\): person-id", result.error), result.error
    assert re.search(r"rapport\.ipynb \(cell \d+, rad \d+\): person-id", result.error), result.error
    assert not re.search(r"D\d{5}", result.error), "a finding never shows the value it found"
    assert not (out / "lacker").exists()
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert "integritetskontrollen" in (out / "index.html").read_text(encoding="utf-8")
