"""rapport.pdf for the board's papers: A4, page numbers, a title page, contents with the right
page numbers, every section heading in the text, nothing printed outside the text block."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from kompetens.errors import ReportError
from kompetens.report import pdf
from kompetens.run.execute import HTML

PDFTOTEXT = shutil.which("pdftotext")
needs_chromium = pytest.mark.skipif(
    pdf.chromium() is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed (apt-get install chromium); CI installs it",
)
A4 = (595.28, 841.89)  # points
MARGIN_MM = 16  # left and right, as the report's @page rule sets them
MM = 72 / 25.4


def _text(page) -> str:
    """A page's text, whitespace collapsed and ligatures (ﬁ) spelled out."""
    return " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())


@needs_chromium
def test_every_report_has_an_a4_pdf_with_its_headings(batch):
    out, results = batch
    for r in results:
        path = out / r.slug / pdf.FILENAME
        assert path.exists(), r.slug
        reader = PdfReader(path)
        assert r.pages == len(reader.pages) >= 8, r.slug
        for page in reader.pages:
            assert abs(float(page.mediabox.width) - A4[0]) < 1 and abs(float(page.mediabox.height) - A4[1]) < 1
        text = " ".join(_text(p) for p in reader.pages)
        page = BeautifulSoup((out / r.slug / HTML).read_text(encoding="utf-8"), "html.parser")
        headings = [" ".join(h.get_text().rstrip("¶").split()) for h in page.find_all(["h1", "h2", "h3"])]
        assert len(headings) >= 20
        missing = [h for h in headings if h not in text]
        assert missing == [], (r.slug, missing)
        # the title page: the plan, the board, the period and the date
        first = _text(reader.pages[0])
        assert r.titel in first and "Planperiod" in first and re.search(r"\d{4}-\d{2}-\d{2}", first)


@needs_chromium
def test_contents_give_the_page_each_section_starts_on(batch):
    out, results = batch
    board = next(r for r in results if r.slug == "social-och-omsorgsnamnden")
    reader = PdfReader(out / board.slug / pdf.FILENAME)
    pages = pdf.section_pages(out / board.slug / pdf.FILENAME)
    contents = _text(reader.pages[1])
    # the page numbers float right of the entries, so the text holds them first
    numbers, rest = re.match(r"^((?:\d+ )+)Innehåll (.*)$", contents).groups()
    titles = re.findall(r"\d+\. (.+?)(?= \d+\. | Så läser)", rest)
    footer, *numbers = numbers.split()  # the contents page's own number comes first
    assert footer == "2"
    entries = list(zip(titles, numbers, strict=True))
    assert len(entries) >= 10, contents
    for title, number in entries:
        assert pages[title] == int(number), title
        assert title in _text(reader.pages[int(number) - 1]), title


@needs_chromium
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed (apt-get install poppler-utils)")
def test_page_numbers_and_nothing_outside_the_text_block(batch):
    out, results = batch
    for r in results:
        bbox = subprocess.run(
            [PDFTOTEXT, "-bbox", str(out / r.slug / pdf.FILENAME), "-"], capture_output=True, text=True, check=True
        ).stdout
        doc = BeautifulSoup(bbox, "html.parser")
        for number, page in enumerate(doc.find_all("page"), start=1):
            width, height = float(page["width"]), float(page["height"])
            words = page.find_all("word")
            left = min(float(w["xmin"]) for w in words)
            right = max(float(w["xmax"]) for w in words)
            # a clipped or too wide table would print into the margins
            assert left >= MARGIN_MM * MM - 1 and right <= width - MARGIN_MM * MM + 1, (r.slug, number, left, right)
            footer = [w.get_text() for w in words if float(w["ymin"]) > height - 20 * MM]
            assert footer == ([] if number == 1 else [str(number)]), (r.slug, number, footer)


def test_contents_get_the_page_numbers_of_the_outline():
    page = (
        '<p>x</p><nav class="kompetens-toc">\n<ol><li><a href="#sammanfattning">Sammanfattning</a></li>'
        '<li><a href="#om_underlaget">Om underlaget &amp; data</a></li></ol></nav>'
    )
    shown = pdf._with_page_numbers(page, {"Sammanfattning": 3, "Om underlaget & data": 14})
    assert '<a href="#sammanfattning">Sammanfattning</a><span class="sida">3</span>' in shown
    assert 'data</a><span class="sida">14</span>' in shown
    assert shown.startswith("<p>x</p>")


def test_without_chromium_the_run_says_there_is_no_pdf(tmp_path, monkeypatch):
    from kompetens.run.execute import run_report

    monkeypatch.setattr(pdf, "chromium", lambda: None)
    params = tmp_path / "liten.yaml"
    params.write_text(
        "titel: Individ- och familjeomsorg\nslug: ifo\nforvaltning: Individ- och familjeomsorg\nsimuleringar: 0\n"
    )
    result = run_report(params, tmp_path / "out")
    assert result.ok, result.error
    assert not (tmp_path / "out" / "ifo" / pdf.FILENAME).exists()
    assert result.notes == ["ingen rapport.pdf: Chromium saknas (Debian/Ubuntu: apt-get install chromium)"]
    with pytest.raises(Exception, match="Chromium saknas"):
        pdf.write_pdf(tmp_path / "out" / "ifo" / HTML, tmp_path / "x.pdf")


def test_a_browser_that_dies_or_never_answers_is_a_clear_error(tmp_path):
    page = tmp_path / "sida.html"
    page.write_text("<html><body><h1>Sida</h1></body></html>", encoding="utf-8")
    dies = tmp_path / "dies"
    dies.write_text("#!/bin/sh\necho 'kan inte starta' >&2\nexit 3\n")
    silent = tmp_path / "silent"
    silent.write_text("#!/bin/sh\nexec sleep 30\n")
    for script in (dies, silent):
        script.chmod(0o755)
    browser = pdf.Browser(str(dies), timeout=10)
    with pytest.raises(
        ReportError,
        match=r"^Chromium kunde inte skriva ut sida\.html som PDF \(Chromium avslutades oväntat: kan inte starta\)$",
    ):
        pdf.write_pdf(page, tmp_path / "x.pdf", browser)
    assert not browser.alive()
    browser = pdf.Browser(str(silent), timeout=0.5)
    with pytest.raises(ReportError, match=r"\(Chromium svarade inte inom [01] s"):
        pdf.write_pdf(page, tmp_path / "x.pdf", browser)
    assert not browser.alive() and not (tmp_path / "x.pdf").exists()


@needs_chromium
def test_one_browser_prints_both_passes_and_later_reports(tmp_path):
    """write_pdf's two prints of one loaded page and a second report go through one Chromium process, which
    quits when its pipe closes."""
    import psutil

    page = tmp_path / "sida.html"
    body = "".join(f"<h2 id='s{i}'>Avsnitt {i}</h2><p style='break-after: page'>Text {i}</p>" for i in range(3))
    page.write_text(f"<html><head><style>@page {{ size: A4 }}</style></head><body>{body}</body></html>")
    browser = pdf.Browser()
    pid = browser._proc.pid
    assert pdf.write_pdf(page, tmp_path / "a.pdf", browser) == 3
    assert pdf.write_pdf(page, tmp_path / "b.pdf", browser) == 3
    assert browser._proc.pid == pid and browser.alive()
    assert pdf.section_pages(tmp_path / "a.pdf") == {"Avsnitt 0": 1, "Avsnitt 1": 2, "Avsnitt 2": 3}
    browser.close()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


@needs_chromium
def test_texts_written_into_a_loaded_page_are_text_and_must_match_in_number(tmp_path):
    """The contents' page numbers go into the loaded page through the DOM domain: as text
    (markup is escaped, no script runs), one per element, else a clear error."""
    page = tmp_path / "sida.html"
    page.write_text('<html><body><p><span class="sida">00</span> och <span class="sida">00</span></p></body></html>')
    browser = pdf.Browser()
    try:
        with browser.tab(page) as tab:
            tab.set_texts("span.sida", ["7", "<b>12</b>"])
            tab.print(tmp_path / "a.pdf")
            with pytest.raises(ReportError, match=r"2 span\.sida i sidan, 1 texter"):
                tab.set_texts("span.sida", ["1"])
    finally:
        browser.close()
    assert _text(PdfReader(tmp_path / "a.pdf").pages[0]) == "7 och <b>12</b>"
