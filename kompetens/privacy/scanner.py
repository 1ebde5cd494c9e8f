"""The privacy scanner: reads every output of a run before it is published.

It looks for any person_id of the inputs, personnummer, dates that could be birth dates,
and counts of fewer than k persons in the tables that hold person counts (HTML tables
marked `data-antal`, the count sheets of tabeller.xlsx and the count keys of
nyckeltal.json). A finding fails the report and names the file, the place and the kind of
finding, never the value found (a finding is shown in logs and on the index page).

Person ids of any form are matched as whole tokens (an id may hold /, -, . or :). Ids that
are plain numbers (employee numbers) would match years, counts and cell ids, so they are
matched only as a whole number right after a word that names them ("person_id",
"anställningsnummer", "medarbetarnummer" and the like); a bare column of numbers is not caught.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from kompetens.privacy.suppression import PERSONNUMMER
from kompetens.vocabulary import SUPPRESSED

#: Key figures that are counts of persons: {grupp: value} or {grupp: {år: value}}.
COUNT_KEYS = ("antal_anstallda", "antal_basar", "avgangar")
#: Sheets of tabeller.xlsx whose numbers are counts of persons (None: every column), by
#: their Swedish and English names and columns.
_COUNTED = [
    (("Ålder", "Age"), None),
    (("Antal anställda", "Employees"), None),
    (("Avgångar per orsak", "Exits by reason"), None),
    (("Personal idag", "Staff today"), (["Antal anställda"], ["Employees"])),
    (("Vilka slutar", "Who leaves"), (["Avgångar", "Anställda"], ["Leavers", "Employees"])),
    (("Chefer per kön och ålder", "Managers by sex and age"), None),
    (("Behörighet", "Qualifications"), (["Anställda", "Saknar behörighet"], ["Employees", "Not qualified"])),
]
COUNT_SHEETS = {
    name: columns if columns is None else columns[i] for names, columns in _COUNTED for i, name in enumerate(names)
}
#: A personnummer or samordningsnummer (the day plus 60) in any of the forms people write:
#: ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN, with a space or +, or the 10 and 12 digits alone. Matched only
#: with a real month and day and a valid Luhn check digit (Skatteverket, SKV 704), so that
#: other ten-digit numbers pass (also at the end of a sentence); the forms PERSONNUMMER catches
#: are caught without the check.
PERSONNUMMER_VALID = re.compile(
    r"(?<!\d)(?<!\d[.,])(?:19|20)?(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01]))"
    r"[-+ ]?(\d{4})(?!\d|[.,]\d)"
)


def _luhn(digits: str) -> bool:
    """The Luhn check of a personnummer's ten digits (ÅÅMMDDNNNK)."""
    total = 0
    for i, d in enumerate(map(int, digits)):
        d *= 2 - i % 2
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def find_personnummer(text: str) -> list[str]:
    """Every personnummer or samordningsnummer in text: PERSONNUMMER's forms, and the
    Luhn-valid ones of PERSONNUMMER_VALID (samordningsnummer, ten digits, a space)."""
    found = [(m.start(), m.group(0)) for m in PERSONNUMMER.finditer(text)]
    seen = {start for start, _ in found}
    for m in PERSONNUMMER_VALID.finditer(text):
        if m.start() not in seen and not any(s <= m.start() < s + len(t) for s, t in found) and _luhn(m[1] + m[2]):
            found.append((m.start(), m.group(0)))
    return [t for _, t in sorted(found)]


def _redact_personnummer(line: str) -> str:
    for number in sorted(set(find_personnummer(line)), key=len, reverse=True):
        line = line.replace(number, "…")
    return line


MIN_ID_LENGTH = 4  # shorter non-numeric ids would match ordinary words
DATE = re.compile(r"(?<![\d-])((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?![\d-])")
#: A run of text between delimiters that never occur inside an id.
TOKEN = re.compile(r"[^\s<>\"'`,;()\[\]{}|=*&\\]{1,200}")
#: Separators that may occur inside an id, and between an id and its context.
INNER = re.compile(r"([/.:_+#-])")
MAX_PARTS = 16
#: A number right after a word that names an identifier.
ID_CONTEXT = re.compile(
    r"(?i)(?<![^\W\d_])(?:person_?id|person_?nr|personnummer|anst(?:ä|a)llningsnummer|anst(?:ä|a)?[_.]?nr|"
    r"medarbetar(?:_?id|_?nr|nummer)|employee(?:_?id)?|pers[_.]?nr)\W{0,4}(\d+)(?!\w)"
)
DATA_URI = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")


class PersonIds:
    """The person ids of a report's inputs, prepared for matching as whole tokens."""

    def __init__(self, ids=()):
        ids = {str(i).strip() for i in ids}
        self.numeric = {i.lstrip("0") or "0" for i in ids if i.isdigit()}
        self.other = {i for i in ids if not i.isdigit() and len(i) >= MIN_ID_LENGTH}

    def __len__(self) -> int:
        return len(self.numeric) + len(self.other)

    def count(self, text: str) -> int:
        """How many ids occur in the text as whole tokens (numeric ones in identifier context)."""
        found = 0
        if self.other:
            for token in TOKEN.findall(text):
                parts = INNER.split(token)[: 2 * MAX_PARTS]
                words = range(0, len(parts), 2)
                found += any("".join(parts[a : b + 1]) in self.other for a in words for b in words if b >= a)
        if self.numeric:
            found += sum((m.group(1).lstrip("0") or "0") in self.numeric for m in ID_CONTEXT.finditer(text))
        return found

    def redact(self, text: str) -> str:
        """The text with every id token (and numbers in identifier context) replaced by …."""
        if self.other:
            text = TOKEN.sub(lambda m: "…" if self.count(m.group(0)) else m.group(0), text)
        return ID_CONTEXT.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + "…", text)


def _ids(person_ids) -> PersonIds:
    return person_ids if isinstance(person_ids, PersonIds) else PersonIds(person_ids)


def sanitise(message: str, person_ids=(), limit: int = 300) -> str:
    """An error message fit for a public page: one line without person ids, personnummer,
    dates or numbers (a count or a salary in a message can identify), cut to limit characters."""
    line = " ".join(str(message).split())
    line = _ids(person_ids).redact(line)
    line = _redact_personnummer(line)
    line = re.sub(r"\d+(?:[.,:\s]\d+)*", "#", DATE.sub("…", line))
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class Finding:
    file: str
    place: str
    what: str

    def __str__(self) -> str:
        return f"{self.file} ({self.place}): {self.what}"


def _count(text: str) -> int | None:
    """A whole number as the report writes it ("1 504", "12"), else None."""
    plain = re.sub(r"[\s\u00a0\u202f]", "", text)
    return int(plain) if re.fullmatch(r"\d+", plain) else None


def scan_text(text: str, file: str, person_ids: set, today: dt.date | None = None) -> list[Finding]:
    """Person ids, personnummer and possible birth dates in a text, by line."""
    today = today or dt.date.today()
    ids = _ids(person_ids)
    found = []
    for n, line in enumerate(DATA_URI.sub("", text).splitlines(), start=1):
        found += [Finding(file, f"rad {n}", "person-id")] * ids.count(line)
        found += [Finding(file, f"rad {n}", "personnummer")] * len(find_personnummer(line))
        for match in DATE.finditer(line):
            if int(match.group(1)) <= today.year - 15:
                found.append(Finding(file, f"rad {n}", "datum som kan vara ett födelsedatum"))
    return found


class _Tables(HTMLParser):
    """The cells of HTML tables marked data-antal: [(columns or None, rows of cell texts)]."""

    def __init__(self):
        super().__init__()
        self.tables, self._current, self._row, self._cell = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-antal" in attrs:
            spec = attrs["data-antal"]
            self._current = (None if spec == "alla" else [int(i) for i in spec.split(",")], [])
        elif self._current is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag == "td":
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._current[1].append(self._row)
            self._row = None
        elif tag == "table" and self._current is not None:
            self.tables.append(self._current)
            self._current = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _small(value, k: int) -> bool:
    return value is not None and not isinstance(value, bool) and 0 < value < k


def scan_html(text: str, file: str, person_ids: set, k: int) -> list[Finding]:
    found = scan_text(text, file, person_ids)
    parser = _Tables()
    parser.feed(DATA_URI.sub("", text))
    for t, (columns, rows) in enumerate(parser.tables, start=1):
        for r, cells in enumerate(rows, start=1):
            for c, cell in enumerate(cells):
                if (columns is None or c in columns) and _small(_count(cell), k):
                    found.append(Finding(file, f"tabell {t}, rad {r}, kolumn {c + 1}", f"antal under {k}"))
    return found


def scan_json(text: str, file: str, person_ids: set, k: int) -> list[Finding]:
    found = scan_text(text, file, person_ids)
    figures = json.loads(text)
    for key in COUNT_KEYS:
        for group, value in (figures.get(key) or {}).items():
            values = value.items() if isinstance(value, dict) else [(None, value)]
            for year, v in values:
                if _small(v, k):
                    place = f"{key}[{group!r}]" + (f"[{year!r}]" if year else "")
                    found.append(Finding(file, place, f"antal under {k}"))
    return found


def scan_notebook(text: str, file: str, person_ids: set, k: int) -> list[Finding]:
    """Sources and text outputs of an executed notebook (images are skipped)."""
    nb = json.loads(text)
    found = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        parts = ["".join(cell.get("source", []))]
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", [])))
            data = out.get("data", {})
            parts += ["".join(data.get(kind, [])) for kind in ("text/plain", "text/markdown", "text/html")]
        for f in scan_html("\n".join(parts), file, person_ids, k):
            found.append(Finding(file, f"cell {i}, {f.place}", f.what))
    return found


def scan_workbook(path: Path, person_ids: set, k: int) -> list[Finding]:
    import openpyxl

    found = []
    wb = openpyxl.load_workbook(path, read_only=True)
    for ws in wb:
        rows = list(ws.iter_rows(values_only=True))
        header = [str(h) for h in rows[0]] if rows else []
        counted = COUNT_SHEETS.get(ws.title, "-")
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                place = f"blad {ws.title!r}, rad {r}, kolumn {c + 1}"
                if value is None or value == SUPPRESSED:
                    continue
                for f in scan_text(str(value), path.name, person_ids):
                    found.append(Finding(path.name, place, f.what))
                is_count = counted is None or (counted != "-" and c < len(header) and header[c] in counted)
                if (
                    r > 1
                    and c > 0
                    and is_count
                    and isinstance(value, (int, float))
                    and float(value).is_integer()
                    and _small(int(value), k)
                ):
                    found.append(Finding(path.name, place, f"antal under {k}"))
    wb.close()
    return found


def scan_outputs(folder: str | Path, person_ids: set, k: int) -> list[Finding]:
    """Every finding in the HTML, notebook, JSON and Excel outputs of one report."""
    found = []
    ids = _ids(person_ids)
    for path in sorted(Path(folder).iterdir()):
        if path.suffix == ".xlsx":
            found += scan_workbook(path, ids, k)
            continue
        if path.suffix not in (".html", ".ipynb", ".json"):
            continue
        text = path.read_text(encoding="utf-8")
        scan = {".html": scan_html, ".ipynb": scan_notebook, ".json": scan_json}[path.suffix]
        found += scan(text, path.name, ids, k)
    return found
