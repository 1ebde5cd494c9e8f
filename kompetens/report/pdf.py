"""rapport.pdf: the rendered report printed on A4 by headless Chromium, for the board's papers.

Chromium prints the page with the report's print styles (A4, page numbers, headings kept with
what follows, tables that wrap instead of scrolling). It prints the loaded page twice: the
first print's PDF outline tells on which page each section starts, and those page numbers are
written into the contents (in room the first print reserved) before the second print. Chromium is a system package (Debian: apt-get install
chromium); without it there is no PDF, and the runner says so.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import html as html_text
import itertools
import json
import multiprocessing.util
import os
import re
import select
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from kompetens.errors import ReportError

FILENAME = "rapport.pdf"
#: Chromium's names on Debian/Ubuntu and elsewhere, in the order tried.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str | None:
    """The path of a Chromium or Chrome, or None when none is installed."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


#: Seconds Chromium may take to start, to load a page, or to print it.
TIMEOUT = 120.0
#: Headless, no network of its own, nothing kept between runs. One renderer process: the
#: browser loads one page at a time (measured: the same PDF, fewer processes, less memory).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-extensions",
    "--renderer-process-limit=1",
    "--remote-debugging-pipe",
)


class Browser:
    """One headless Chromium, driven over the DevTools protocol on a pipe (its fds 3 and 4;
    JSON messages ending in NUL), that prints any number of pages. No port is opened and no
    script runs in the pages: the client navigates, prints, and writes the contents' page
    numbers through the DOM domain. Chromium exits when
    the pipe closes, so a process that dies takes its browser with it."""

    def __init__(self, path: str | None = None, timeout: float = TIMEOUT):
        path = path or chromium()
        if path is None:
            raise ReportError("Chromium saknas, så ingen PDF skrevs (Debian/Ubuntu: apt-get install chromium)")
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="kompetens-chromium-")
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  Chromium's stderr, closed in close()
        self._ids = itertools.count(1)
        self._events: list[dict] = []
        self._buffer = b""
        # the shell moves the pipes from stdin/stdout to the fds 3 and 4 Chromium reads and writes
        self._proc = subprocess.Popen(
            [
                "/bin/sh",
                "-c",
                'exec "$@" 3<&0 4>&1 </dev/null >/dev/null',
                "sh",
                path,
                *FLAGS,
                f"--user-data-dir={self._profile}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )

    def alive(self) -> bool:
        return self._proc.poll() is None

    def _fail(self, what: str) -> ReportError:
        self._log.seek(0)
        said = self._log.read().decode("utf-8", "replace").strip()[-500:]
        self.close(grace=0)
        return ReportError(f"Chromium {what}: {said}".rstrip(": "))

    def _message(self, deadline: float) -> dict:
        """The next message from the browser."""
        fd = self._proc.stdout.fileno()
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise self._fail(f"svarade inte inom {self.timeout:.0f} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise self._fail("avslutades oväntat")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        if not self.alive():
            raise self._fail("avslutades oväntat")
        ident = next(self._ids)
        command = {"id": ident, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        try:
            self._proc.stdin.write(json.dumps(command).encode() + b"\0")
            self._proc.stdin.flush()
        except OSError:
            raise self._fail("avslutades oväntat") from None
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._message(deadline)
            if message.get("id") == ident:
                if "error" in message:
                    raise ReportError(f"Chromium: {method}: {message['error'].get('message', message['error'])}")
                return message.get("result", {})
            self._events.append(message)

    def wait_for(self, method: str, session: str) -> dict:
        """The next event method of the session."""
        deadline = time.monotonic() + self.timeout
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self._events.pop(i)
            self._events.append(self._message(deadline))

    @contextlib.contextmanager
    def tab(self, html: Path):
        """A new tab with html loaded, closed on leaving: print it, change it, print again."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        try:
            session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self.send("Page.enable", session=session)
            self._events.clear()
            navigated = self.send("Page.navigate", {"url": html.as_uri()}, session)
            if navigated.get("errorText"):
                raise ReportError(f"Chromium kunde inte öppna {html.name}: {navigated['errorText']}")
            self.wait_for("Page.loadEventFired", session)
            yield Tab(self, session)
        finally:
            if self.alive():
                self.send("Target.closeTarget", {"targetId": target})
            self._events.clear()

    def print_pdf(self, html: Path, pdf: Path) -> None:
        """Load html in a new tab and print it (see Tab.print)."""
        with self.tab(html) as tab:
            tab.print(pdf)

    def close(self, grace: float = 5.0) -> None:
        """Stop the browser (killed if it has not quit within grace seconds) and remove its
        profile."""
        with contextlib.suppress(OSError, ValueError):
            self._proc.stdin.close()  # Chromium quits when its pipe closes
        try:
            self._proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        with contextlib.suppress(OSError, ValueError):
            self._proc.stdout.close()
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)


class Tab:
    """A loaded page in the browser."""

    def __init__(self, browser: Browser, session: str):
        self.browser, self.session = browser, session

    def print(self, pdf: Path) -> None:
        """Print the page as Chromium's --print-to-pdf does: the page's own @page size and
        margins, backgrounds, no header or footer, the headings as the PDF's outline."""
        printed = self.browser.send(
            "Page.printToPDF",
            {
                "printBackground": True,
                "preferCSSPageSize": True,
                "displayHeaderFooter": False,
                "generateDocumentOutline": True,
            },
            self.session,
        )
        pdf.write_bytes(base64.b64decode(printed["data"]))

    def set_texts(self, selector: str, texts: list[str]) -> None:
        """Give the elements selector finds, in document order, the texts (escaped; through
        the DOM domain, so no script runs in the page). ReportError when their number differs."""
        root = self.browser.send("DOM.getDocument", {"depth": 0}, self.session)["root"]["nodeId"]
        nodes = self.browser.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector}, self.session)
        if len(nodes["nodeIds"]) != len(texts):
            raise ReportError(f"Chromium: {len(nodes['nodeIds'])} {selector} i sidan, {len(texts)} texter")
        for node, text in zip(nodes["nodeIds"], texts, strict=True):
            element = self.browser.send("DOM.getOuterHTML", {"nodeId": node}, self.session)["outerHTML"]
            opening = re.match(r"<([\w-]+)[^>]*>", element)  # the element's own start tag, kept
            changed = f"{opening.group(0)}{html_text.escape(text)}</{opening.group(1)}>"
            self.browser.send("DOM.setOuterHTML", {"nodeId": node, "outerHTML": changed}, self.session)


_shared: Browser | None = None
_registered = False
_lock = threading.Lock()


def shared_browser() -> Browser:
    """This process's browser, started on first use (or again after a failure) and stopped
    when the process exits: a batch worker prints all its reports with one Chromium."""
    global _shared, _registered
    with _lock:
        if not _registered:  # at exit, in the main process and in multiprocessing workers alike
            atexit.register(close_shared_browser)
            multiprocessing.util.Finalize(None, close_shared_browser, exitpriority=10)
            _registered = True
        if _shared is None or not _shared.alive():
            _shared = Browser()
        return _shared


def close_shared_browser() -> None:
    """Stop this process's browser, if one runs."""
    global _shared
    with _lock:
        if _shared is not None:
            _shared.close()
            _shared = None


def _forget_in_child() -> None:
    """A forked process starts its own browser; its copies of the parent's pipes are closed,
    so the parent's browser still quits when the parent closes them."""
    global _shared, _lock
    _lock = threading.Lock()
    if _shared is not None:
        for pipe in (_shared._proc.stdin, _shared._proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                pipe.close()
        _shared = None


os.register_at_fork(after_in_child=_forget_in_child)


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


TOC_ENTRY = re.compile(r'(<a href="#[^"]*">)(.*?)</a>', flags=re.S)
TOC = re.compile(r'<nav class="kompetens-toc">.*?</nav>', flags=re.S)


def _title(entry: str) -> str:
    """A contents entry's text as the PDF outline has it: tags dropped, whitespace collapsed."""
    return html_text.unescape(" ".join(re.sub(r"<[^>]+>", "", entry).split()))


def _toc_titles(page: str) -> list[str]:
    """The contents entries' titles, in order."""
    toc = TOC.search(page)
    return [_title(m.group(2)) for m in TOC_ENTRY.finditer(toc.group(0))] if toc else []


def _with_page_numbers(page: str, pages: dict[str, int]) -> str:
    """The page with each contents entry followed by its section's page number."""

    def number(match: re.Match) -> str:
        found = pages.get(_title(match.group(2)))
        return f'{match.group(1)}{match.group(2)}</a><span class="sida">{found or ""}</span>'

    toc = TOC.search(page)
    if toc is None:
        return page
    entries = TOC_ENTRY.sub(number, toc.group(0))
    return page[: toc.start()] + entries + page[toc.end() :]


def write_pdf(html: Path, pdf: Path, browser: Browser | None = None) -> int:
    """Print the report html as an A4 PDF with page numbers in its contents; returns the
    number of pages. Uses browser (say shared_browser()), else starts and stops its own.
    ReportError when Chromium is missing or fails."""
    from pypdf import PdfReader

    if browser is None:
        if chromium() is None:
            raise ReportError("Chromium saknas, så ingen PDF skrevs (Debian/Ubuntu: apt-get install chromium)")
        own = Browser()
        try:
            return write_pdf(html, pdf, own)
        finally:
            own.close()
    with tempfile.TemporaryDirectory(prefix="kompetens-pdf-") as tmp:
        tmp = Path(tmp)
        page = html.read_text(encoding="utf-8")
        loaded = tmp / "rapport.html"
        # the first print reserves the page numbers' room (two digits), so the second lays out the same
        loaded.write_text(
            _with_page_numbers(page, {}).replace('class="sida"></span>', 'class="sida">00</span>'), encoding="utf-8"
        )
        try:
            with browser.tab(loaded) as tab:
                tab.print(tmp / "utkast.pdf")
                pages = section_pages(tmp / "utkast.pdf")
                tab.set_texts("nav.kompetens-toc span.sida", [str(pages.get(t, "")) for t in _toc_titles(page)])
                tab.print(tmp / FILENAME)
        except ReportError as exc:
            raise ReportError(f"Chromium kunde inte skriva ut {html.name} som PDF ({exc})") from None
        shutil.move(tmp / FILENAME, pdf)
    return len(PdfReader(pdf).pages)
