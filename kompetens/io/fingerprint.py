"""Where the project lives and what its files hash to: the keys of the input cache and of
the runner's incremental check."""

from __future__ import annotations

import contextlib
import hashlib
from functools import cache
from pathlib import Path

#: The project folder (notebooks/, params/, data/, outputs/ beside kompetens/).
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = PACKAGE_ROOT / "kompetens"
VERSION = "0.1.0"


def demo_dir() -> Path:
    """The embedded demo data folder, data/demo/ in the project."""
    return PACKAGE_ROOT / "data" / "demo"


def sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@cache
def package_hash() -> str:
    """The kompetens version and the SHA-256 of its source and template files."""
    h = hashlib.sha256(VERSION.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".j2", ".json", ".yaml", ".csv") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


#: The pinned versions (with hashes) a report runs with; `make report` installs from it.
LOCK_FILE = PACKAGE_ROOT / "requirements" / "report.lock"


def locked_versions(path: Path = LOCK_FILE) -> dict[str, str]:
    """{package: version} pinned in a lock file (names normalised as pip does)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, rest = line.partition("==")
        if sep and not line.startswith((" ", "#")):
            pins[name.strip().lower().replace("_", "-")] = rest.split()[0].rstrip("\\").split(";")[0].strip()
    return pins


def environment_drift(path: Path = LOCK_FILE) -> list[str]:
    """The locked packages whose installed version differs from the lock ("name: installed ≠ locked")."""
    from importlib.metadata import PackageNotFoundError, version

    drift = []
    for name, locked in sorted(locked_versions(path).items()):
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "saknas"
        if installed != locked:
            drift.append(f"{name}: {installed} ≠ {locked}")
    return drift


def named_inputs(params_file: str | Path, folder: str | Path) -> bytes:
    """What a report reads besides its data folder's visible files, for its fingerprint:
    the texts and the external table its params file names (also in hidden folders), and the
    run date when the folder has an activity plan (an activity's overdue status depends on
    it). Unreadable params give nothing here: the gate reports them."""
    import datetime as dt

    from kompetens.errors import InputError
    from kompetens.io.activities import FILENAME as ACTIVITIES
    from kompetens.io.params import load_params
    from kompetens.io.texts import text_files

    folder = Path(folder)
    h = hashlib.sha256()
    try:
        params = load_params(params_file)
        files = list(text_files(folder, params.get("slug", ""), params.get("texter")).values())
        if params.get("personalbehov_extern"):
            files.append(folder / params["personalbehov_extern"])
    except (InputError, OSError, TypeError):
        return h.digest()
    for path in files:
        h.update(str(path).encode() + b"\0")
        with contextlib.suppress(OSError):
            h.update(sha256(path).encode())
    if (folder / ACTIVITIES).exists():
        h.update(dt.date.today().isoformat().encode())
    return h.digest()
