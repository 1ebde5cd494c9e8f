"""The board's own words: texts found by slug or named in params, shown safely, checked by
`kompetens validate`, placed in fixed sections of the rendered report."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

import kompetens
from kompetens import InputError
from kompetens.io.texts import load_texts, read_text, text_files
from kompetens.run.cli import main
from kompetens.run.execute import HTML


def _folder(tmp_path, slug="namnden", **texts):
    folder = tmp_path / "texter" / slug
    folder.mkdir(parents=True)
    for section, text in texts.items():
        (folder / f"{section}.md").write_text(text, encoding="utf-8")
    return tmp_path


def test_default_folder_holds_the_texts_that_exist(tmp_path):
    data = _folder(tmp_path, inledning="Planen visar behovet.", uppfoljning="Två gånger per år.")
    assert load_texts(data, "namnden", None) == {
        "inledning": "Planen visar behovet.",
        "uppfoljning": "Två gånger per år.",
    }
    assert load_texts(data, "en-annan-rapport", None) == {}  # no folder: no texts, no error


def test_texts_named_in_params_must_exist_inside_the_data_folder(tmp_path):
    data = _folder(tmp_path, "egna", inledning="Text.")
    assert set(text_files(data, "x", "texter/egna")) == {"inledning"}
    assert set(text_files(data, "x", {"inledning": "texter/egna/inledning.md"})) == {"inledning"}
    with pytest.raises(InputError) as err:
        text_files(data, "x", {"inledning": "texter/egna/inledning.md", "utmaningar": "saknas.md"})
    assert [(p.column, p.value) for p in err.value.problems] == [("texter.utmaningar", "saknas.md")]
    with pytest.raises(InputError, match="mappen finns inte"):
        text_files(data, "x", "texter/andra")
    (tmp_path.parent / "utanfor.md").write_text("hemligt", encoding="utf-8")
    with pytest.raises(InputError, match="ska ligga i datakatalogen"):
        text_files(data, "x", {"inledning": "../utanfor.md"})


def test_a_text_is_prose_html_escaped_without_images_links_or_headings(tmp_path):
    path = tmp_path / "inledning.md"
    path.write_text(
        "# Vår plan\n\nSe <script>alert(1)</script> och ![logga](https://example.org/x.png) "
        "samt [sidan](https://example.org). **Viktigt** & klart.\n",
        encoding="utf-8",
    )
    text = read_text(path)
    assert text.startswith("**Vår plan**\n")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "example.org" not in text and "logga" in text and "sidan" in text
    assert "**Viktigt** &amp; klart." in text


def test_validate_reports_a_text_named_in_params_that_does_not_exist(tmp_path, capsys):
    params = tmp_path / "x.yaml"
    params.write_text("titel: X\nslug: x\ntexter: {utmaningar: texter/x/utmaningar.md}\n", encoding="utf-8")
    assert main(["validate", str(kompetens.demo_dir()), str(params)]) == 2
    err = capsys.readouterr().err
    assert f"{params}, nyckel 'texter.utmaningar': filen finns inte" in err
    assert main(["validate", str(kompetens.demo_dir())]) == 0
    assert "texter       social-och-omsorgsnamnden inledning, utmaningar, uppfoljning  OK" in capsys.readouterr().out


def test_prepare_refuses_a_missing_named_text(demo):
    with pytest.raises(InputError, match="texter"):
        kompetens.prepare(inputs=demo, texter="texter/finns-inte")


def _sections(page: BeautifulSoup) -> dict[str, str]:
    """{h2 heading: the text up to the next h2}."""
    out, current = {}, None
    for el in page.find_all(["h2", "p"]):
        if el.name == "h2":
            current = el.get_text(strip=True).rstrip("¶")
            out[current] = ""
        elif current:
            out[current] += el.get_text(" ", strip=True) + "\n"
    return out


def test_the_board_texts_stand_in_their_sections_and_missing_ones_leave_no_heading(batch):
    out, results = batch
    demo = kompetens.demo_dir() / "texter"
    for r in results:
        sections = _sections(BeautifulSoup((out / r.slug / HTML).read_text(encoding="utf-8"), "html.parser"))
        headings = list(sections)
        for section, heading in (
            ("inledning", "Inledning och syfte"),
            ("utmaningar", "Förvaltningens utmaningar"),
            ("uppfoljning", "Uppföljning av planen"),
        ):
            path = demo / r.slug / f"{section}.md"
            if path.exists():
                first = path.read_text(encoding="utf-8").split("\n")[0]
                assert first[:60] in " ".join(sections[heading].split()), (r.slug, section)
            else:
                assert heading not in headings, (r.slug, section)
        order = [h for h in headings if h in ("Inledning och syfte", "Sammanfattning", "Förvaltningens utmaningar")]
        assert order == sorted(order, key=["Inledning och syfte", "Sammanfattning", "Förvaltningens utmaningar"].index)
    assert {r.slug for r in results} >= {"social-och-omsorgsnamnden", "funktionsstod"}  # with and without texts
