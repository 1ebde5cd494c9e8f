"""The one way an input file is opened: every table, text, activity plan, external table,
Kolada response and mapping file is read through `read_input`.

A file is read only when it is a regular file (not a symbolic link, pipe, device or a file
of /proc or /sys), lies inside its folder (no `..`, no link on the way), and is within its
size limit as measured by reading it (the size /proc and pipes report is 0). Opening never
blocks: a pipe is refused before anything is read from it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from kompetens.errors import InputError, Problem

#: The largest table a data folder may hold (a municipality's register of many years).
MAX_TABLE_BYTES = 2 * 1024 * 1024 * 1024
#: Folders whose files describe the running system, never data.
SYSTEM = ("/proc", "/sys", "/dev")


def _refuse(source: str, key: str | None, rule: str, name, where: str) -> InputError:
    if key is None:
        return InputError(Problem(source, None, None, rule))
    return InputError(Problem(source, None, key, rule, str(name), where=where))


def input_path(
    name: str | Path,
    folder: str | Path | None,
    *,
    source: str | None = None,
    key: str | None = None,
    where: str = "nyckel",
) -> Path:
    """The file `name` inside folder (a relative name is taken from there), checked without
    reading it: no symbolic link on the way from the folder, nothing outside it, no system
    folder. With folder None only the file itself is checked. An InputError names source and
    key (the params file and its key) when given, else the file."""
    name = Path(name)
    if folder is None:  # a file named on the command line: links followed, then checked
        base, rel = None, None
        path = Path(os.path.realpath(name))
    else:
        base = Path(os.path.abspath(folder))
        path = Path(os.path.normpath(name if name.is_absolute() else base / name))
        rel = _relative(path, base)
    source = source or str(name)
    if rel is None and base is not None:
        raise _refuse(source, key, "filen ska ligga i datakatalogen", name, where)
    parts = [base / Path(*rel.parts[: i + 1]) for i in range(len(rel.parts))] if base else [path]
    for part in parts:
        try:
            info = os.lstat(part)
        except FileNotFoundError:
            raise _refuse(source, key, "filen finns inte", name, where) from None
        except OSError as exc:
            raise _refuse(source, key, f"kan inte läsas: {exc.strerror}", name, where) from None
        if stat.S_ISLNK(info.st_mode):
            raise _refuse(source, key, "är en symbolisk länk: lägg själva filen i datakatalogen", name, where)
    if _system(path):
        raise _refuse(source, key, "är ingen vanlig fil (en systemfil)", name, where)
    return path


def _system(path: Path) -> str | None:
    real = os.path.realpath(path)
    for s in SYSTEM:
        if real == s or real.startswith(s + "/") or str(path).startswith(s + "/"):
            return s
    return None


def _relative(path: Path, base: Path) -> Path | None:
    for root in {base, Path(os.path.realpath(base))}:
        try:
            return path.relative_to(root)
        except ValueError:
            continue
    return None


def read_input(
    name: str | Path,
    folder: str | Path | None,
    limit: int,
    *,
    source: str | None = None,
    key: str | None = None,
    where: str = "nyckel",
) -> bytes:
    """The bytes of the file `name` inside folder (see input_path), at most limit bytes, or
    an InputError: not a regular file (a pipe, a device), too large, unreadable."""
    path = input_path(name, folder, source=source, key=key, where=where)
    source = source or str(name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(source, key, "är en symbolisk länk: lägg själva filen i datakatalogen", name, where) from None
        if exc.errno == errno.EISDIR:
            raise _refuse(source, key, "är ingen vanlig fil (en katalog)", name, where) from None
        raise _refuse(source, key, f"kan inte läsas: {exc.strerror}", name, where) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "en katalog" if stat.S_ISDIR(info.st_mode) else "en pipe eller enhet"
            raise _refuse(source, key, f"är ingen vanlig fil ({kind})", name, where)
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
    except OSError as exc:
        raise _refuse(source, key, f"kan inte läsas: {exc.strerror}", name, where) from None
    finally:
        os.close(fd)
    if size > limit:
        shown = f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"
        raise _refuse(source, key, f"filen är större än {shown}", name, where)
    return b"".join(chunks)


def regular_file(name: str | Path, source: str | None = None, key: str | None = None) -> Path:
    """A file named on the command line, checked to be a regular file (links followed; no
    pipe, device or system file) without reading it; an InputError names it otherwise."""
    path = input_path(name, None, source=source, key=key, where="argument")
    source = source or str(name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _refuse(source, key, f"kan inte läsas: {exc.strerror}", name, "argument") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _refuse(source, key, "är ingen vanlig fil (en pipe, enhet eller katalog)", name, "argument")
    finally:
        os.close(fd)
    return path


def output_folder(name: str | Path, key: str) -> Path:
    """A folder to write into, named on the command line: an existing folder or one that can
    be made, never a file, a device or a system folder."""
    path = Path(os.path.realpath(name))
    if _system(path):
        raise _refuse(f"{key} {name}", None, "kan inte skriva där (en systemkatalog eller enhet)", name, "")
    if path.exists() and not path.is_dir():
        raise _refuse(f"{key} {name}", None, "är ingen katalog", name, "")
    return path
