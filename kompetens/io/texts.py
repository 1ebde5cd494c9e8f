"""The board's own words: short Markdown texts the report places around the generated text.

A report's texts live in the data folder, by default in `texter/<slug>/`, one file per
section: `inledning.md` (inledning och syfte), `utmaningar.md` (förvaltningens utmaningar)
and `uppfoljning.md` (hur planen följs upp). Params `texter` names another folder, or the
files one by one ({avsnitt: fil}); a folder or file named there must exist, inside the data
folder. A missing default folder or file simply leaves its section out.

The texts are prose: they are shown as Markdown with every HTML tag escaped, without images
or links that fetch anything.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from kompetens.errors import InputError, Problem

SECTIONS = ("inledning", "utmaningar", "uppfoljning")
FOLDER = "texter"
MAX_TEXT_BYTES = 32 * 1024  # a section of a plan is a few paragraphs


def text_files(data_dir: Path, slug: str, texter: str | dict | None) -> dict[str, Path]:
    """{section: file} of the report's texts that exist; InputError for a folder or file
    named in params that does not exist or lies outside the data folder."""
    data_dir = Path(data_dir).resolve()
    if texter is None:
        folder = data_dir / FOLDER / slug
        return {s: folder / f"{s}.md" for s in SECTIONS if (folder / f"{s}.md").is_file()}
    named = {s: f"{texter}/{s}.md" for s in SECTIONS} if isinstance(texter, str) else dict(texter)
    problems, found = [], {}
    if isinstance(texter, str) and not _inside(data_dir, texter).is_dir():
        raise InputError(Problem("parametrar", None, "texter", f"mappen finns inte i {data_dir}", texter, "nyckel"))
    for section, name in named.items():
        path = _inside(data_dir, name)
        if path.is_file():
            found[section] = path
        elif not isinstance(texter, str):
            problems.append(
                Problem("parametrar", None, f"texter.{section}", f"filen finns inte i {data_dir}", name, "nyckel")
            )
    if problems:
        raise InputError(problems)
    return found


def _inside(data_dir: Path, name: str) -> Path:
    path = (data_dir / name).resolve()
    if not path.is_relative_to(data_dir):
        raise InputError(Problem("parametrar", None, "texter", "ska ligga i datakatalogen", name, "nyckel"))
    return path


def read_text(path: Path) -> str:
    """A text as safe Markdown: HTML escaped, images and link targets removed."""
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise InputError(Problem(str(path.name), None, None, f"texten är större än {MAX_TEXT_BYTES // 1024} KiB"))
    try:
        text = path.read_text(encoding="utf-8").strip()
    except UnicodeDecodeError:
        raise InputError(Problem(str(path.name), None, None, "filen är inte UTF-8-text")) from None
    text = html.escape(text, quote=False)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: only their description
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: only their text
    # no headings of its own: the report's hierarchy stays as it is
    return re.sub(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", r"**\1**", text, flags=re.M)


def load_texts(data_dir: Path, slug: str, texter: str | dict | None) -> dict[str, str]:
    """{section: safe Markdown} of the report's texts (only those that exist)."""
    return {s: read_text(p) for s, p in text_files(data_dir, slug, texter).items()}
