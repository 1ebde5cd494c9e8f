"""The board's own words: short Markdown texts the report places around the generated text.

A report's texts live in the data folder, by default in `texter/<slug>/`, one file per
section: `inledning.md` (inledning och syfte), `utmaningar.md` (förvaltningens utmaningar)
and `uppfoljning.md` (hur planen följs upp). Params `texter` names another folder, or the
files one by one ({avsnitt: fil}); a folder or file named there must exist, inside the data
folder. A missing default folder or file simply leaves its section out.

The texts are prose. They are read through the guard (regular files inside the data folder,
no links, at most MAX_TEXT_BYTES) and rendered by `render_text` with an allow-list:
paragraphs, lists, emphasis and subheadings (one level below the section's own heading,
never h1 or h2). Raw HTML is shown as text; images become their description; a link keeps
its target only when it is one of the report's own files (or an anchor in it), otherwise
only its text (inline, reference-style and autolinks alike).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from kompetens.errors import InputError, Problem

SECTIONS = ("inledning", "utmaningar", "uppfoljning")
FOLDER = "texter"
MAX_TEXT_BYTES = 32 * 1024  # a section of a plan is a few paragraphs
#: The files of a report folder a text may link to (besides anchors in the report).
OWN_FILES = ("rapport.html", "rapport.pdf", "tabeller.xlsx", "nyckeltal.json")
_OWN_LINK = re.compile(r"(?:(?:{})(?:#[\w-]*)?|#[\w-]+)".format("|".join(re.escape(f) for f in OWN_FILES)))


def text_files(data_dir: Path, slug: str, texter: str | dict | None) -> dict[str, Path]:
    """{section: file} of the report's texts that exist; InputError for a folder or file
    named in params that does not exist or lies outside the data folder, and for a text
    (or a folder on its way) that is a symbolic link."""
    from kompetens.io.guard import input_path

    data_dir = Path(data_dir).resolve()
    if texter is None:
        folder = data_dir / FOLDER / slug
        found = {}
        for s in SECTIONS:
            name = f"{FOLDER}/{slug}/{s}.md"
            if _lexists_on_the_way(data_dir, name):
                found[s] = input_path(name, data_dir, source=str(folder / f"{s}.md"), key=None)
        return found
    named = {s: f"{texter}/{s}.md" for s in SECTIONS} if isinstance(texter, str) else dict(texter)
    problems, found = [], {}
    if isinstance(texter, str):
        folder = _inside(data_dir, texter)
        if not folder.is_dir():
            raise InputError(Problem("parametrar", None, "texter", f"mappen finns inte i {data_dir}", texter, "nyckel"))
        input_path(texter, data_dir, source="parametrar", key="texter")  # no link on the way
    for section, name in named.items():
        _inside(data_dir, name)
        if _lexists_on_the_way(data_dir, str(name)):
            found[section] = input_path(name, data_dir, source="parametrar", key=f"texter.{section}")
        elif not isinstance(texter, str):
            problems.append(
                Problem("parametrar", None, f"texter.{section}", f"filen finns inte i {data_dir}", name, "nyckel")
            )
    if problems:
        raise InputError(problems)
    return found


def _lexists_on_the_way(data_dir: Path, name: str) -> bool:
    """True when the file (or a link in its place) exists, without following links."""
    import os

    return os.path.lexists(os.path.normpath(data_dir / name))


def _inside(data_dir: Path, name: str) -> Path:
    import os

    path = Path(os.path.normpath(data_dir / name))
    if not path.is_relative_to(data_dir):
        raise InputError(Problem("parametrar", None, "texter", "ska ligga i datakatalogen", name, "nyckel"))
    return path


def read_text(path: Path, data_dir: Path | None = None) -> str:
    """A text's Markdown (a file of data_dir, default its own folder; through the guard)."""
    from kompetens.io.guard import read_input

    path = Path(path)
    folder = Path(data_dir).resolve() if data_dir is not None else path.absolute().parent
    raw = read_input(path, folder, MAX_TEXT_BYTES, source=str(path.name))
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise InputError(Problem(str(path.name), None, None, "filen är inte UTF-8-text")) from None


def load_texts(data_dir: Path, slug: str, texter: str | dict | None) -> dict[str, str]:
    """{section: Markdown} of the report's texts (only those that exist), read and checked;
    shown only through render_text."""
    data_dir = Path(data_dir).resolve()
    return {s: read_text(p, data_dir) for s, p in text_files(data_dir, slug, texter).items()}


def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["code", "fence", "blockquote", "hr", "html_block", "html_inline", "backticks"])
    return md


def render_text(text: str, level: int = 2) -> str:
    """A board text as safe HTML under a section heading of the given level: the allow-list
    of the module docstring; headings become h(level+1) (h(level+2) for a third level …,
    at most h6)."""
    md = _parser()
    tokens = md.parse(text)
    out = []
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            depth = int(token.tag[1])
            token.tag = f"h{min(6, level + max(1, depth - 1))}"
        elif token.type == "inline" and token.children:
            token.children = _safe_inline(token.children)
        out.append(token)
    return md.renderer.render(out, md.options, {})


def _safe_inline(children) -> list:
    """Inline tokens with images as their description and links kept only to own files."""
    from markdown_it.token import Token

    safe, dropped = [], []
    for child in children:
        if child.type == "image":
            alt = "".join(c.content for c in child.children or []) or child.content
            safe.append(Token("text", "", 0, content=alt))
        elif child.type == "link_open":
            href = str(child.attrGet("href") or "")
            keep = bool(_OWN_LINK.fullmatch(href)) and child.markup != "autolink"
            dropped.append(not keep)
            if keep:
                child.attrs = {"href": html.unescape(href)}
                safe.append(child)
        elif child.type == "link_close":
            if not (dropped.pop() if dropped else True):
                safe.append(child)
        else:
            safe.append(child)
    return safe
