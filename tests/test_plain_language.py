"""Every rendered report, in Swedish and in English, reads as a board's document: no Python
showing through, persons as whole numbers, every table titled, one way of writing age bands
and kön, a reading guide, the headings of DESIGN §5 in order, the page's title and language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from kompetens.report.common import HEADERS, SECTIONS
from kompetens.run.batch import run_batch
from kompetens.run.execute import HTML

PARAMS = sorted((Path(__file__).resolve().parent.parent / "params").glob("*.yaml"))


@pytest.fixture(scope="module")
def batch_en(tmp_path_factory):
    """Every params file once more, in English."""
    folder = tmp_path_factory.mktemp("params-en")
    files = []
    for path in PARAMS:
        params = yaml.safe_load(path.read_text(encoding="utf-8"))
        en = folder / path.name
        en.write_text(yaml.safe_dump({**params, "sprak": "en"}, allow_unicode=True), encoding="utf-8")
        files.append(en)
    out = tmp_path_factory.mktemp("outputs-en")
    return out, run_batch(files, out, jobs=2, progress=False)


@pytest.fixture(scope="module")
def reports(batch, batch_en):
    """(slug, language, parsed page) of every rendered report."""
    pages = []
    for (out, results), sprak in ((batch, "sv"), (batch_en, "en")):
        for r in results:
            assert r.ok, r.error
            html = (out / r.slug / HTML).read_text(encoding="utf-8")
            pages.append((r.slug, sprak, r.titel, BeautifulSoup(html, "html.parser")))
    return pages


def _visible(page: BeautifulSoup) -> BeautifulSoup:
    """The page without style, script and code (parameter keys and checksums as written)."""
    page = BeautifulSoup(str(page), "html.parser")
    for tag in page(["style", "script", "code", "head"]):
        tag.decompose()
    return page


#: What Python shows through as: literals, dict or list brackets, quotes, snake_case, nan, inf.
PYTHON = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|[{}\[\]']|[^\W\d_]_[^\W\d_]|\b(?i:nan|inf)\b")


def test_page_title_and_language_are_the_reports(reports):
    for slug, sprak, titel, page in reports:
        assert page.html["lang"] == sprak, slug
        assert page.title.get_text() == f"{HEADERS[sprak]['title']}: {titel}", slug


def test_no_python_in_visible_text(reports):
    for slug, sprak, _, page in reports:
        lines = [line.strip() for line in _visible(page).get_text("\n").splitlines() if line.strip()]
        found = [line for line in lines if PYTHON.search(line.replace("¶", ""))]
        assert found == [], (slug, sprak, found[:5])


#: Markers that a table's, column's or row's numbers are not counts of persons.
UNITS = re.compile(
    r"%|mnkr|SEK|tkr|\(år\)|\(years\)|procentenheter|percentage points|per chef|per manager|KI|CI|"
    r"Median|Minst|Störst|Smallest|Largest|Medelålder|Mean age|Parametrar|Parameters|"
    r"Antaganden|Assumptions"  # these tables give each row's unit in a column of its own
)
NUMBER = re.compile(r"^−?-?\d{1,3}(?:[\u202f,]\d{3})*(?:[.,]\d+)?$")


def _columns(table) -> list[str]:
    """The header text above each column (all header rows, colspans expanded)."""
    heads: list[str] = []
    for row in table.select("thead tr"):
        cells = []
        for cell in row.find_all(["th", "td"]):
            cells += [cell.get_text(" ", strip=True)] * int(cell.get("colspan", 1))
        heads = [f"{a} {b}" for a, b in zip(heads, cells, strict=False)] if heads else cells
    return heads


def _fractions(table) -> list[str]:
    """Numbers with decimals in a table where neither caption, column nor row names a unit."""
    caption = table.caption.get_text(" ", strip=True) if table.caption else ""
    if UNITS.search(caption):
        return []
    heads, found = _columns(table), []
    for row in table.select("tbody tr"):
        cells = row.find_all(["th", "td"])
        row_label = " ".join(c.get_text(" ", strip=True) for c in cells if c.name == "th")
        if UNITS.search(row_label):
            continue
        offset = len(heads) - len(cells)  # rows whose group label spans several rows are shorter
        for j, cell in enumerate(cells):
            text = cell.get_text(strip=True)
            head = heads[j + offset] if 0 <= j + offset < len(heads) else ""
            if NUMBER.match(text) and re.search(r"[.,]\d+$", text.replace("\u202f", "")) and not UNITS.search(head):
                if re.search(r",\d{3}$", text) and "," in text and cell.name == "td" and "." not in text:
                    continue  # an English thousands separator
                found.append(f"{caption}: {head}: {text}")
    return found


def test_persons_are_whole_numbers_in_tables_and_text(reports):
    for slug, sprak, _, page in reports:
        shown = _visible(page)
        fractions = [f for table in shown.find_all("table") for f in _fractions(table)]
        assert fractions == [], (slug, sprak, fractions[:5])
        words = r"personer|medarbetare|anställda|persons|employees|staff"
        text = shown.get_text(" ")
        # a ratio (19,7 medarbetare per chef) is not a count
        mark = "," if sprak == "sv" else r"\."
        assert re.findall(rf"\d+{mark}\d+\s+(?:{words})\b(?!\s+per\b)", text) == [], slug


def test_every_table_has_a_title(reports):
    for slug, sprak, _, page in reports:
        tables = page.find_all("table")
        assert len(tables) >= 15, slug
        untitled = [str(t)[:200] for t in tables if not (t.caption and t.caption.get_text(strip=True))]
        assert untitled == [], (slug, sprak, untitled[:2])


#: The report's age bands: the staff tables' five and the two coarser sets made of them.
AGE_BANDS = {"–29", "30–39", "40–49", "50–59", "60–", "30–49", "50–", "–39"}
#: The population's bands: the age groups that drive the demand model (0–17 has one digit).
AGE_BANDS |= {"18–64", "65–79"}


def test_one_way_of_writing_age_bands_and_kon(reports):
    for slug, sprak, _, page in reports:
        labels = {th.get_text(strip=True) for th in _visible(page).find_all("th")}
        ages = {label for label in labels if re.fullmatch(r"[–≤≥]\d{2}|\d{2}[–-]\d{2}|\d{2}–", label)}
        assert ages and ages <= AGE_BANDS, (slug, ages - AGE_BANDS)
        assert not labels & {"K", "M", "≤29", "≥50"}, slug
        sexes = {"Kvinnor", "Män"} if sprak == "sv" else {"Women", "Men"}
        assert sexes <= labels, slug


def test_reading_guide_explains_the_band_and_the_interval(reports):
    for slug, sprak, _, page in reports:
        guide = page.select_one(".kompetens-guide")
        assert guide is not None, slug
        text = guide.get_text(" ")
        assert SECTIONS[sprak]["las"] in text
        if sprak == "sv":
            assert "10:e–90:e percentilen" in text and "95 % KI" in text and "8 av 10" in text
        else:
            assert "10th–90th percentile" in text and "95% CI" in text and "8 of 10" in text


def test_headings_follow_the_design_and_the_contents(reports):
    design = [
        "inledning",
        "sammanfattning",
        "utmaningar",
        "personalbehov",
        "rekrytering",
        "omsattning",
        "sjukfranvaro",
        "ekonomi_ram",
        "scenarier",
        "kompetens",
        "aktivitetsplan",
        "uppfoljning",
        "om_underlaget",
    ]
    for slug, sprak, _, page in reports:
        assert len(page.find_all("h1")) == 1, slug
        h2 = [h.get_text(strip=True).rstrip("¶") for h in page.find_all("h2")]
        expected = [SECTIONS[sprak][key] for key in design]
        assert h2[0] in expected and all(h in expected or h.startswith(expected[8][:8]) for h in h2), h2
        order = [expected.index(h) if h in expected else 8 for h in h2]
        assert order == sorted(order), (slug, h2)
        assert {"sammanfattning", "personalbehov", "aktivitetsplan", "om_underlaget"} <= {design[i] for i in order}
        toc = [a.get_text(strip=True) for a in page.select(".kompetens-toc a")]
        assert toc == h2, slug
        # every subsection sits under a section
        first = page.find(["h2", "h3"])
        assert first.name == "h2", slug


def test_english_reports_have_no_swedish_abbreviations(reports):
    for slug, sprak, _, page in reports:
        if sprak != "en":
            continue
        text = _visible(page).get_text(" ")
        assert " KI" not in text and "After 1 years" not in text and "Använd kompetens rätt" not in text, slug
