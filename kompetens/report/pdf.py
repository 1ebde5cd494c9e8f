"""rapport.pdf: the rendered report printed on A4 by headless Chromium, for the board's papers.

Chromium prints the page with the report's print styles (A4, page numbers, headings kept with
what follows, tables that wrap instead of scrolling). It runs twice: the first print's PDF
outline tells on which page each section starts, and those page numbers are written into the
contents before the second print. Chromium is a system package (Debian: apt-get install
chromium); without it there is no PDF, and the runner says so.
"""

from __future__ import annotations

import html as html_text
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from kompetens.errors import ReportError

FILENAME = "rapport.pdf"
#: Chromium's names on Debian/Ubuntu and elsewhere, in the order tried.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str | None:
    """The path of a Chromium or Chrome, or None when none is installed."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _print(browser: str, html: Path, pdf: Path, profile: Path) -> None:
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise ReportError(f"Chromium kunde inte skriva ut {html.name} som PDF: {done.stderr.strip()[-500:]}")


def section_pages(pdf: Path) -> dict[str, int]:
    """{heading: page number (1-based)} of the sections in a PDF's outline."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages: dict[str, int] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                pages.setdefault(" ".join(item.title.split()), reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    return pages


def _with_page_numbers(page: str, pages: dict[str, int]) -> str:
    """The page with each contents entry followed by its section's page number."""

    def number(match: re.Match) -> str:
        title = " ".join(re.sub(r"<[^>]+>", "", match.group(2)).split())
        found = pages.get(html_text.unescape(title))
        return f'{match.group(1)}{match.group(2)}</a><span class="sida">{found or ""}</span>'

    toc = re.search(r'<nav class="kompetens-toc">.*?</nav>', page, flags=re.S)
    if toc is None:
        return page
    entries = re.sub(r'(<a href="#[^"]*">)(.*?)</a>', number, toc.group(0), flags=re.S)
    return page[: toc.start()] + entries + page[toc.end() :]


def write_pdf(html: Path, pdf: Path) -> int:
    """Print the report html as an A4 PDF with page numbers in its contents; returns the
    number of pages. ReportError when Chromium is missing or fails."""
    from pypdf import PdfReader

    browser = chromium()
    if browser is None:
        raise ReportError("Chromium saknas, så ingen PDF skrevs (Debian/Ubuntu: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="kompetens-pdf-") as tmp:
        tmp = Path(tmp)
        page = html.read_text(encoding="utf-8")
        first = tmp / "utkast.html"
        # the first print reserves the page numbers' room, so the second lays out the same
        first.write_text(
            _with_page_numbers(page, {}).replace('class="sida"></span>', 'class="sida">00</span>'), encoding="utf-8"
        )
        _print(browser, first, tmp / "utkast.pdf", tmp / "profil")
        final = tmp / "rapport.html"
        final.write_text(_with_page_numbers(page, section_pages(tmp / "utkast.pdf")), encoding="utf-8")
        _print(browser, final, tmp / FILENAME, tmp / "profil")
        shutil.move(tmp / FILENAME, pdf)
    return len(PdfReader(pdf).pages)
