"""The board's own words: texts found by slug or named in params, shown safely, checked by
`kompetens validate`, placed in fixed sections of the rendered report."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

import kompetens
from kompetens import InputError
from kompetens.io.texts import load_texts, read_text, render_text, text_files
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


def test_a_text_is_rendered_whole_by_the_allow_list(tmp_path):
    """The full rendered HTML: raw HTML as text, images as their description, links to the
    web, javascript: and data: (inline, reference-style, autolinks) as their text only,
    headings (ATX and setext) one level below the section's, paragraphs kept apart."""
    path = tmp_path / "inledning.md"
    path.write_text(
        "# Vår plan\n"
        "Se <script>alert(1)</script> och ![logga](https://example.org/x.png) "
        "samt [sidan](https://example.org). **Viktigt** & klart.\n"
        "## Mål\n"
        "Första stycket.\n\n"
        "Setext\n======\n"
        "- ![bild][r] [l][js] <https://beacon.example/a> [d](data:text/html,x)\n"
        "- [tabellerna](tabeller.xlsx) och [avsnittet](#aktivitetsplan)\n\n"
        '<meta http-equiv="refresh" content="0;url=https://beacon.example">\n\n'
        "[r]: https://beacon.example/i.png\n"
        "[js]: javascript:alert(1)\n",
        encoding="utf-8",
    )
    assert render_text(read_text(path), level=2) == (
        "<h3>Vår plan</h3>\n"
        "<p>Se &lt;script&gt;alert(1)&lt;/script&gt; och logga samt sidan. <strong>Viktigt</strong> &amp; klart.</p>\n"
        "<h3>Mål</h3>\n"
        "<p>Första stycket.</p>\n"
        "<h3>Setext</h3>\n"
        "<ul>\n"
        "<li>bild [l][js] https://beacon.example/a [d](data:text/html,x)</li>\n"
        '<li><a href="tabeller.xlsx">tabellerna</a> och <a href="#aktivitetsplan">avsnittet</a></li>\n'
        "</ul>\n"
        "<p>&lt;meta http-equiv=&quot;refresh&quot; content=&quot;0;url=https://beacon.example&quot;&gt;</p>\n"
        "<p>[js]: javascript:alert(1)</p>\n"
    )
    assert render_text("### Tre\n#### Fyra\n##### Fem", level=3) == "<h5>Tre</h5>\n<h6>Fyra</h6>\n<h6>Fem</h6>\n"


def test_subheadings_do_not_collapse_into_one_paragraph():
    """A `##` line directly followed by text is a heading and a paragraph, not one line."""
    html = render_text("Inledning.\n## Bakgrund\nKommunen växer.\n## Syfte\nAtt planera.", level=2)
    assert html == (
        "<p>Inledning.</p>\n<h3>Bakgrund</h3>\n<p>Kommunen växer.</p>\n<h3>Syfte</h3>\n<p>Att planera.</p>\n"
    )


def test_a_text_that_is_a_link_a_pipe_or_too_large_is_refused(tmp_path):
    import os

    data = _folder(tmp_path, inledning="Text.")
    texts = tmp_path / "texter" / "namnden"
    os.symlink("/proc/self/environ", texts / "utmaningar.md")
    with pytest.raises(InputError, match="symbolisk länk"):
        load_texts(data, "namnden", None)
    (texts / "utmaningar.md").unlink()
    os.mkfifo(texts / "utmaningar.md")
    with pytest.raises(InputError, match="ingen vanlig fil"):
        load_texts(data, "namnden", None)
    (texts / "utmaningar.md").unlink()
    (texts / "utmaningar.md").write_text("x" * (33 * 1024), encoding="utf-8")
    with pytest.raises(InputError, match="större än 32 KiB"):
        load_texts(data, "namnden", None)
    (texts / "utmaningar.md").unlink()
    os.symlink(texts, tmp_path / "texter" / "lankad")  # a symlinked texts folder
    with pytest.raises(InputError, match="symbolisk länk"):
        load_texts(data, "lankad", None)
    with pytest.raises(InputError, match="symbolisk länk"):
        load_texts(data, "x", "texter/lankad")
    assert load_texts(data, "namnden", None) == {"inledning": "Text."}


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
