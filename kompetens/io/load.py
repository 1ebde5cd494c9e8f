"""Reading and validating the input tables of a data folder (DESIGN §3).

This is the only module that reads input files. Every table is checked against its
contract on load; all problems are collected and raised together as one InputError.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from kompetens.errors import InputError, Problem
from kompetens.io.fingerprint import PACKAGE_ROOT, demo_dir, package_hash, sha256
from kompetens.io.guard import MAX_TABLE_BYTES, read_input
from kompetens.io.kolada import parse_kolada
from kompetens.io.population import read_population
from kompetens.io.schemas import TABLES, normalize_header
from kompetens.io.validate import duplicate_columns, plausibility_warnings, validate_frame, validate_table

SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".parquet")


@dataclass(frozen=True)
class Inputs:
    """The validated input tables of one data folder, and where each came from."""

    personal: pd.DataFrame
    avgangar: pd.DataFrame
    franvaro: pd.DataFrame
    befolkning: pd.DataFrame
    kostnader: pd.DataFrame | None = None
    kolada: pd.DataFrame | None = None  # a saved Kolada response (kolada.json) for comparison
    sources: dict = field(default_factory=dict)  # table -> {"fil": name, "sha256": hex}

    @property
    def warnings(self) -> list[str]:
        """Values outside their plausible range but possible (e.g. a salary above 150 000 kr),
        one line per table and column: shown under "Om underlaget"."""
        return [w for source in self.sources.values() for w in source.get("varningar", [])]

    @property
    def snapshot_years(self) -> list[int]:
        return sorted(int(y) for y in self.personal["ar"].unique())


def _decompressed(path: Path, raw: bytes, limit: int = MAX_TABLE_BYTES) -> bytes:
    """A file's bytes, unpacked when it is gzip (at most limit bytes unpacked)."""
    import gzip
    import io

    if not path.name.lower().endswith(".gz"):
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as f:
            data = f.read(limit + 1)
    except (OSError, EOFError) as exc:
        raise InputError(Problem(str(path), None, None, f"kan inte läsas som gzip: {exc}")) from None
    if len(data) > limit:
        raise InputError(Problem(str(path), None, None, f"filen är större än {limit >> 20} MiB packad upp"))
    return data


def _head(path: Path, data: bytes, size: int = 1 << 16) -> str:
    """The start of a CSV file as text, for the checks that need only its first lines."""
    raw = data[:size]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:200].count(b"\x00") > 10:
        kind = "UTF-16-text" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[1:200:2].count(b"\x00") > 50 else None
        if kind:
            raise InputError(Problem(str(path), None, None, "filen är UTF-16-text: spara den som CSV (UTF-8)"))
        raise InputError(Problem(str(path), None, None, "kan inte läsas: filen är inte text (CSV)"))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:  # (or a character cut at the end of the block)
            if encoding == "utf-8-sig" and exc.start < len(raw) - 4:
                continue
            if encoding == "utf-8-sig":
                return raw[: exc.start].decode("utf-8-sig")
    raise InputError(Problem(str(path), None, None, "kan inte läsas: filen är varken UTF-8 eller Windows-1252"))


def _mixed_encoding(path: Path, data: bytes, sep: str) -> Problem | None:
    """The first row written in Windows-1252 in a file that is otherwise UTF-8 (a row pasted
    from another export): the Excel row and the column of its first such cell."""
    lines = data.split(b"\n")
    utf8_seen, first_bad = False, None
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            utf8_seen = utf8_seen or any(ord(c) > 127 for c in text)
        except UnicodeDecodeError:
            first_bad = first_bad or number
    if first_bad is None or not utf8_seen:
        return None
    header = lines[0].decode("utf-8-sig", errors="replace").strip().split(sep)
    column = None
    for name, cell in zip(header, lines[first_bad - 1].split(sep.encode())):
        try:
            cell.decode("utf-8")
        except UnicodeDecodeError:
            column = normalize_header(name)
            break
    return Problem(
        str(path),
        first_bad,
        column,
        "raden är skriven i Windows-1252 men resten av filen i UTF-8 (blandad teckenkodning): spara om filen som UTF-8",
    )


def _header_row(rows: list[list], source: str) -> None:
    """Refuse title rows above the header: the header is the first of the widest rows."""
    widths = [sum(1 for c in row if str(c).strip() not in ("", "nan", "None")) for row in rows]
    if not widths or max(widths) < 2:
        return
    first = widths.index(max(widths))
    if first > 0 and widths[0] < max(widths):
        raise InputError(
            Problem(
                source,
                first + 1,
                None,
                f"kolumnrubrikerna står på rad {first + 1}: ta bort rubrik- och tomraderna ovanför, "
                "rubrikraden ska vara rad 1",
            )
        )


def _read_csv(path: Path, data: bytes) -> pd.DataFrame:
    """A CSV file (comma or semicolon, UTF-8 or Windows-1252) with every column as
    categories of its text: large exports are parsed without a string object per cell."""
    import io

    data = _decompressed(path, data)
    head = _head(path, data)
    if not head.strip():
        raise InputError(Problem(str(path), None, None, "filen är tom"))
    lines = head.split("\n")[:20]
    counts = [max(line.count(";"), line.count(",")) for line in lines]
    top = counts.index(max(counts))
    sep = ";" if lines[top].count(";") > lines[top].count(",") else ","
    if max(counts) == 0 and re.search(r"[\t|:]", lines[0]):
        raise InputError(Problem(str(path), 1, None, "bara en kolumn: fel avgränsare? Använd komma eller semikolon"))
    if max(counts) == 0 and any(ord(c) < 32 and c not in "\r\n\t" for c in head):
        raise InputError(Problem(str(path), None, None, "kan inte läsas: filen är inte text (CSV)"))
    import csv

    try:  # quoted cells may hold the separator; the last line of the block may be cut
        rows = list(csv.reader(lines[:-1] or lines, delimiter=sep))
    except csv.Error:
        rows = [line.split(sep) for line in (lines[:-1] or lines)]
    _header_row(rows, str(path))
    options = {"sep": sep, "dtype": "category", "keep_default_na": False, "na_values": [""]}
    try:
        df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", **options)
    except UnicodeDecodeError:
        mixed = _mixed_encoding(path, data, sep)
        if mixed is not None:
            raise InputError(mixed) from None
        df = pd.read_csv(io.BytesIO(data), encoding="cp1252", **options)
    _duplicate_columns(path, head.split("\n")[0], sep)
    return df


def _duplicate_columns(path: Path, header: str, sep: str) -> None:
    """Refuse a header that names one column twice, also literally (pandas would read the
    second as 'x.1', which validation could not see)."""
    import csv

    names = [normalize_header(c) for c in next(csv.reader([header.strip()], delimiter=sep), []) if c.strip()]
    problems = duplicate_columns(names, str(path))
    if problems:
        raise InputError(problems[:1])


def _read_xlsx(path: Path, data: bytes) -> pd.DataFrame:
    """The first sheet of a workbook, which must be the table with its header on row 1."""
    import io

    with pd.ExcelFile(io.BytesIO(data)) as book:
        sheets = book.sheet_names
        head = book.parse(sheets[0], header=None, nrows=20, dtype=str)
        rows = head.fillna("").to_numpy().tolist()
        width = max((sum(1 for c in row if str(c).strip()) for row in rows), default=0)
        if width < 3 and len(sheets) > 1:
            raise InputError(
                Problem(
                    str(path),
                    None,
                    None,
                    f"bladet {sheets[0]!r} är inte en tabell (ett försättsblad?): lägg tabellen på första bladet "
                    f"(arbetsboken har också {', '.join(repr(n) for n in sheets[1:4])})",
                )
            )
        _header_row(rows, str(path))
        if rows:
            _duplicate_columns(path, "\t".join(str(c) for c in rows[0]), "\t")
        return book.parse(sheets[0], dtype=str)


def read_table(path: str | Path, folder: str | Path | None = None) -> pd.DataFrame:
    """Read a CSV (comma or semicolon, UTF-8 or Windows-1252), .xlsx or .parquet file with
    normalized headers; text stays text (as categories) and types are set by validation.
    The file is read through the guard (kompetens.io.guard) as a file of folder (default:
    the folder it is in): a regular file, no link, within MAX_TABLE_BYTES."""
    import io

    path = Path(path)
    name = path.name.lower()
    kind = "Parquet" if name.endswith(".parquet") else "Excel (.xlsx)" if name.endswith(".xlsx") else "CSV"
    folder = Path(folder) if folder is not None else Path(os.path.abspath(path)).parent
    data = read_input(path, folder, MAX_TABLE_BYTES, source=str(path), key=None)
    try:
        if name.endswith(".parquet"):  # text columns as categories: checks then run per distinct value
            import pyarrow as pa
            import pyarrow.parquet as pq

            buffer = pa.BufferReader(data)
            text = [
                f.name for f in pq.read_schema(buffer) if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            ]
            buffer = pa.BufferReader(data)
            df = pq.read_table(buffer, read_dictionary=text).to_pandas(split_blocks=True, self_destruct=True)
            if len(set(df.columns)) != len(df.columns):
                dup = next(c for c in df.columns if list(df.columns).count(c) > 1)
                raise InputError(Problem(str(path), 1, str(dup), "kolumnen finns två gånger: behåll en"))
        elif name.endswith(".xlsx"):
            df = _read_xlsx(path, io.BytesIO(data).getvalue())
        else:
            df = _read_csv(path, data)
    except InputError:
        raise
    except Exception as exc:
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise InputError(Problem(str(path), None, None, f"kan inte läsas som {kind}: {reason}")) from None
    if df.empty and len(df.columns) == 0:
        raise InputError(Problem(str(path), None, None, "filen är tom"))
    df.columns = [normalize_header(c) for c in df.columns]
    return df


def find_file(data_dir: Path, table: str) -> Path | None:
    """The table's file in data_dir; two files for one table (personal.csv and
    personal.parquet) are refused, since either could be the current one."""
    suffixes = (*SUFFIXES, ".json") if table == "befolkning" else SUFFIXES
    found = [data_dir / f"{table}{suffix}" for suffix in suffixes if os.path.lexists(data_dir / f"{table}{suffix}")]
    if len(found) > 1:
        raise InputError(
            Problem(
                str(found[1]),
                None,
                None,
                f"flera filer för samma tabell ({', '.join(p.name for p in found)}): behåll en",
            )
        )
    return found[0] if found else None


CACHE_DIR = PACKAGE_ROOT / "outputs" / ".cache"
CACHE_ENTRIES = 8  # validated data folders kept; older entries are pruned
MANIFEST = "manifest.json"
#: The largest input file a params file may name (an external projection is a few kB).
MAX_FILE_BYTES = 50 * 1024 * 1024


def data_folder(path: str | Path | None, source: str = "parametrar", key: str = "data_dir") -> Path:
    """The data folder a run reads (None: the demo data), resolved; an InputError naming
    the params file and key unless it is an existing folder."""
    if path is None:
        return demo_dir()
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        rule = "är ingen katalog" if folder.exists() else "datakatalogen finns inte"
        raise InputError(Problem(source, None, key, rule, str(path), where="nyckel"))
    return folder


def data_file(
    name: str | Path, data_dir: str | Path | None, source: str = "parametrar", key: str = "personalbehov_extern"
) -> Path:
    """A file a params file names, resolved inside the data folder (a relative name is taken
    from there; links are followed first): a regular file of at most MAX_FILE_BYTES, else an
    InputError. Nothing outside the data folder, no device or pipe, is ever read."""
    from kompetens.io.guard import input_path

    folder = data_folder(data_dir)
    path = input_path(name, folder, source=source, key=key)
    read_input(name, folder, MAX_FILE_BYTES, source=source, key=key)  # a regular file, its size by reading
    return path


def _cache_key(data_dir: Path) -> str | None:
    """The SHA-256 of the folder's input files and of the package: validated tables are
    cached under it, so any change to an input or to the contracts makes a new entry."""
    names = sorted(p.name for p in data_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if not names:
        return None
    h = hashlib.sha256(package_hash().encode())
    for name in names:
        h.update(name.encode())
        h.update(sha256(data_dir / name).encode())
    return h.hexdigest()


#: The installation's key that authenticates the cache's manifests (HMAC-SHA256), owner-only.
CACHE_KEY_FILE = Path.home() / ".config" / "kompetens" / "cachenyckel"


def _cache_secret(create: bool = False) -> bytes | None:
    """The cache key (32 random bytes in a 0600 file outside the out folder), made when
    create and missing; None when there is none or it is readable by others."""
    import secrets
    import stat

    try:
        if create and not CACHE_KEY_FILE.exists():
            CACHE_KEY_FILE.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(CACHE_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
        info = os.stat(CACHE_KEY_FILE, follow_symlinks=False)
        if not stat.S_ISREG(info.st_mode) or info.st_mode & 0o077 or info.st_uid != os.getuid():
            return None
        key = bytes.fromhex(CACHE_KEY_FILE.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return key if len(key) == 32 else None


def _signature(files: dict[str, str], key: bytes) -> str:
    import hmac

    return hmac.new(key, json.dumps(files, sort_keys=True).encode(), "sha256").hexdigest()


def _read_cache(folder: Path) -> Inputs | None:
    """A cache entry whose manifest carries this installation's HMAC and whose every file
    matches its SHA-256, else None (the entry is removed: the caller validates the inputs
    again and writes a new one). Tables and manifest replaced together are not trusted."""
    import hmac

    try:
        key = _cache_secret()
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files_signed = manifest["filer"]
        if key is None or not hmac.compare_digest(str(manifest["hmac"]), _signature(files_signed, key)):
            raise ValueError("cache entry not signed by this installation")
        files = sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)
        if sorted(files_signed) != files or any(sha256(folder / n) != h for n, h in files_signed.items()):
            raise ValueError("cache entry does not match its manifest")
        sources = json.loads((folder / "sources.json").read_text(encoding="utf-8"))
        tables = {t: pd.read_parquet(folder / f"{t}.parquet") for t in sources}
        os.utime(folder)  # recently used: pruned last
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return Inputs(**tables, sources=sources)


def _private_dir(path: Path) -> Path:
    """A folder only its owner can read (0700), made if missing."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def _write_cache(folder: Path, inputs: Inputs) -> None:
    """Write the validated tables as Parquet with a manifest of their SHA-256, readable only
    by the owner; a half-written entry is never read. Older entries are pruned."""
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    try:
        _private_dir(folder.parent)
        _private_dir(tmp)
        for table in inputs.sources:
            getattr(inputs, table).to_parquet(tmp / f"{table}.parquet")
        (tmp / "sources.json").write_text(json.dumps(inputs.sources, ensure_ascii=False), encoding="utf-8")
        key = _cache_secret(create=True)
        if key is None:  # no key of our own: nothing is cached, every run validates
            raise OSError("no cache key")
        files = {p.name: sha256(p) for p in sorted(tmp.iterdir())}
        manifest = {"filer": files, "hmac": _signature(files, key)}
        (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        for p in tmp.iterdir():
            p.chmod(0o600)
        shutil.rmtree(folder, ignore_errors=True)  # a rejected entry of the same key
        os.replace(tmp, folder)
    except OSError:  # another process wrote it first, or the disk is read-only: no cache, no harm
        shutil.rmtree(tmp, ignore_errors=True)
    prune_cache()


def prune_cache(keep: int = CACHE_ENTRIES) -> None:
    """Remove all but the keep most recently used cache entries, and leftovers of writes
    interrupted more than an hour ago."""
    import time

    try:
        entries = [p for p in CACHE_DIR.iterdir() if p.is_dir()]
    except OSError:
        return
    stale = [p for p in entries if ".tmp" in p.name and p.stat().st_mtime < time.time() - 3600]
    done = sorted((p for p in entries if ".tmp" not in p.name), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in stale + done[keep:]:
        shutil.rmtree(p, ignore_errors=True)


def clean_cache() -> bool:
    """Remove the whole input cache (it holds personal data); True if there was one."""
    existed = CACHE_DIR.exists()
    shutil.rmtree(CACHE_DIR, ignore_errors=True)
    return existed


def load_inputs(data_dir: str | Path | None = None, cache: bool = True) -> Inputs:
    """Read and validate every table in data_dir (default: the demo data).

    Validated tables are cached as Parquet in outputs/.cache/ (owner-only, verified against a
    manifest of SHA-256 on every read), keyed by the SHA-256 of the input files and of the
    package, so that every report of a batch reads them fast."""
    data_dir = Path(data_dir) if data_dir is not None else demo_dir()
    if not data_dir.is_dir():
        raise InputError(Problem(str(data_dir), None, None, "datakatalogen finns inte"))
    key = _cache_key(data_dir) if cache else None
    if key is not None and (CACHE_DIR / key).is_dir():
        cached = _read_cache(CACHE_DIR / key)
        if cached is not None:
            return cached
    inputs = _load_inputs(data_dir)
    if key is not None:
        _write_cache(CACHE_DIR / key, inputs)
    return inputs


def _load_inputs(data_dir: Path) -> Inputs:
    tables, sources, problems = {}, {}, []
    for table, (_, required) in TABLES.items():
        try:
            path = find_file(data_dir, table)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if path is None:
            if required:
                problems.append(Problem(str(data_dir / f"{table}.csv"), None, None, "filen saknas"))
            continue
        try:
            if table == "befolkning":
                read_input(path, data_dir, MAX_TABLE_BYTES)  # a regular file of the folder
                raw = read_population(path)
            else:
                raw = read_table(path, data_dir)
            tables[table] = validate_table(raw, table, path.name)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        sources[table] = {"fil": path.name, "sha256": sha256(path)}
        warned = plausibility_warnings(tables[table], table, path.name)
        if warned:
            sources[table]["varningar"] = [str(w) for w in warned]
    if os.path.lexists(data_dir / "kolada.json"):  # every municipality in it; the plan picks its own
        try:
            tables["kolada"] = parse_kolada(data_dir / "kolada.json", data_dir)
            sources["kolada"] = {"fil": "kolada.json", "sha256": sha256(data_dir / "kolada.json")}
        except InputError as exc:
            problems.extend(exc.problems)
    if not problems:
        problems = check_relations(tables, {t: s["fil"] for t, s in sources.items()})
    if problems:
        raise InputError(problems)
    return Inputs(**tables, sources=sources)


def _unknown(df: pd.DataFrame, column: str, known: set, source: str, rule: str, limit: int = 20) -> list[Problem]:
    bad = df.index[~df[column].isin(known)]
    return [Problem(source, int(i) + 2, column, rule, df.at[i, column]) for i in bad[:limit]]


def check_relations(tables: dict, files: dict) -> list[Problem]:
    """Rules between tables: exits and absence of known groups, departments and persons,
    costs of known departments, a population forecast with every age in every year."""
    personal, problems = tables["personal"], []
    groups, depts = set(personal["yrkesgrupp"]), set(personal["forvaltning"])
    exits = tables["avgangar"]
    problems += _unknown(exits, "yrkesgrupp", groups, files["avgangar"], "okänd yrkesgrupp (finns inte i personal)")
    problems += _unknown(exits, "forvaltning", depts, files["avgangar"], "okänd förvaltning (finns inte i personal)")
    if "anstallningsdatum" not in exits:
        problems += _unknown(
            exits,
            "person_id",
            set(personal["person_id"]),
            files["avgangar"],
            "personen finns inte i personal (ange anstallningsdatum för korta anställningar)",
        )
    absence = tables["franvaro"]
    if "person_id" in absence:
        known = set(personal["person_id"]) | set(exits["person_id"])
        problems += _unknown(
            absence, "person_id", known, files["franvaro"], "personen finns varken i personal eller avgangar"
        )
    problems += _absence_after_exit(personal, exits, absence, files["franvaro"])
    problems += _absence_before_hire(personal, exits, absence, files["franvaro"])
    problems += _birth_year_differs(personal, exits, files["avgangar"])
    problems += _exit_while_employed(personal, exits, files["avgangar"])
    for col, known in (("yrkesgrupp", groups), ("forvaltning", depts)):
        if col in absence:
            problems += _unknown(absence, col, known, files["franvaro"], f"okänd {col} (finns inte i personal)")
    if tables.get("kostnader") is not None:
        problems += _unknown(
            tables["kostnader"], "forvaltning", depts, files["kostnader"], "okänd förvaltning (finns inte i personal)"
        )
    problems += _population_gaps(tables["befolkning"], files["befolkning"])
    return problems


def _absence_after_exit(personal, exits, absence, source: str, limit: int = 20) -> list[Problem]:
    """Absence reported for a month after the person's last exit from the municipality
    (not an internal move), unless they were hired again after it (a later
    anstallningsdatum in personal, or an internal move after it)."""
    if "person_id" not in absence or exits.empty:
        return []
    moves = exits["orsak"] == "intern_rorlighet"  # the person stays employed, elsewhere
    last_exit = exits[~moves].groupby("person_id", observed=True)["datum"].max()
    later_move = exits[moves].groupby("person_id", observed=True)["datum"].max()
    last_exit = last_exit[~(later_move.reindex(last_exit.index) >= last_exit).fillna(False).to_numpy()]
    rehired = personal.merge(last_exit.rename("exit"), left_on="person_id", right_index=True)
    rehired = set(rehired.loc[rehired["anstallningsdatum"] > rehired["exit"], "person_id"])
    last_exit = last_exit[~last_exit.index.isin(rehired)]
    exit_month = last_exit.dt.strftime("%Y-%m")
    rows = absence[absence["person_id"].isin(exit_month.index)]  # few of millions of person-months
    ended = rows["person_id"].astype(object).map(exit_month)
    bad = rows.index[(rows["manad"].astype(str) > ended.astype(str)).to_numpy()]
    return [
        Problem(
            source,
            int(i) + 2,
            "manad",
            f"frånvaro efter avgången ({ended[i]}) för samma person",
            absence.at[i, "manad"],
        )
        for i in bad[:limit]
    ]


def _absence_before_hire(personal, exits, absence, source: str, limit: int = 20) -> list[Problem]:
    """Absence reported for a month before the person's first known hiring date (the
    earliest anstallningsdatum in personal and avgangar)."""
    if "person_id" not in absence or absence.empty:
        return []
    hired = [personal[["person_id", "anstallningsdatum"]]]
    if "anstallningsdatum" in exits:
        hired.append(exits[["person_id", "anstallningsdatum"]])
    first = pd.concat(hired).dropna().groupby("person_id", observed=True)["anstallningsdatum"].min()
    first_month = first.dt.strftime("%Y-%m")
    known = absence["person_id"].astype(object).map(first_month)
    bad = absence.index[(known.notna() & (absence["manad"].astype(str) < known.astype(str))).to_numpy()]
    return [
        Problem(
            source,
            int(i) + 2,
            "manad",
            f"frånvaro före anställningen ({known[i]}) för samma person",
            absence.at[i, "manad"],
        )
        for i in bad[:limit]
    ]


def _birth_year_differs(personal, exits, source: str, limit: int = 20) -> list[Problem]:
    """An exit whose födelseår is not the one personal gives the same person."""
    if "fodelsear" not in exits or exits.empty:
        return []
    born = personal.groupby("person_id", observed=True)["fodelsear"].first()
    theirs = exits["person_id"].astype(object).map(born)
    bad = exits.index[(theirs.notna() & exits["fodelsear"].notna() & (theirs != exits["fodelsear"])).to_numpy()]
    return [
        Problem(
            source,
            int(i) + 2,
            "fodelsear",
            f"födelseåret skiljer sig från personal ({int(theirs[i])})",
            exits.at[i, "fodelsear"],
        )
        for i in bad[:limit]
    ]


def _exit_while_employed(personal, exits, source: str, limit: int = 20) -> list[Problem]:
    """An exit (other than an internal move) from an employment that personal still shows in
    a later year's snapshot: same person, hired on or before the exit, snapshot after it."""
    if exits.empty:
        return []
    ext = exits[exits["orsak"] != "intern_rorlighet"].reset_index()
    both = ext[["index", "person_id", "datum"]].merge(
        personal[["person_id", "ar", "anstallningsdatum"]], on="person_id", how="inner"
    )
    later = both[(both["ar"] > both["datum"].dt.year) & (both["anstallningsdatum"] <= both["datum"])]
    rows = sorted(set(later["index"]))
    return [
        Problem(
            source,
            int(i) + 2,
            "datum",
            "avgång men fortfarande anställd: personal visar samma anställning ett senare år",
            str(exits.at[i, "datum"].date()),
        )
        for i in rows[:limit]
    ]


def _population_gaps(pop: pd.DataFrame, source: str) -> list[Problem]:
    """Every year must have every age from 0 to the oldest, and the years must follow on."""
    problems = []
    years = sorted(pop["ar"].unique())
    missing_years = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if missing_years:
        problems.append(Problem(source, None, "ar", "år saknas i prognosen", ", ".join(map(str, missing_years))))
    ages = set(range(0, int(pop["alder"].max()) + 1))
    for year, rows in pop.groupby("ar"):
        gap = sorted(ages - set(rows["alder"]))
        if gap:
            shown = ", ".join(map(str, gap[:10])) + (" …" if len(gap) > 10 else "")
            problems.append(Problem(source, None, "alder", f"åldrar saknas år {year}", shown))
    return problems


def check_data_dir(data_dir: str | Path | None = None, areas=None, extern: str | None = None) -> Inputs:
    """Everything a report reads from a data folder, checked before any report runs: the
    tables and their relations, the activity plan (aktivitetsplan.yaml) against the
    strategy areas (default SKR's nine) and, when named, the external projection (params
    personalbehov_extern). Raises one InputError naming file, row and column."""
    folder = Path(data_dir) if data_dir is not None else demo_dir()
    problems, inputs = [], None
    try:
        inputs = load_inputs(folder)
    except InputError as exc:
        problems += exc.problems
    problems += check_folder_files(folder, areas, extern)
    if problems:
        raise InputError(problems)
    return inputs


def check_folder_files(folder: Path, areas=None, extern: str | None = None) -> list[Problem]:
    """The problems of a data folder's files besides its tables: the activity plan against
    the strategy areas (default SKR's nine) and, when named, the external projection."""
    from kompetens.io import activities

    problems = []
    plan = folder / activities.FILENAME
    if os.path.lexists(plan):
        try:
            activities.load_activities(plan, areas or activities.STRATEGIES["skr2018"])
        except InputError as exc:
            problems += exc.problems
    if extern:
        try:
            load_external_projection(extern, folder)
        except InputError as exc:
            problems += exc.problems
    return problems


def select_forvaltning(inputs: Inputs, forvaltning: str | None) -> Inputs:
    """The inputs of one department; None keeps the whole board. Population is shared."""
    if forvaltning is None:
        return inputs
    known = set(inputs.personal["forvaltning"])
    if forvaltning not in known:
        raise InputError(
            Problem(
                "parametrar", None, "forvaltning", f"okänd förvaltning; finns: {', '.join(sorted(known))}", forvaltning
            )
        )

    def pick(df):
        return None if df is None else df[df["forvaltning"] == forvaltning].reset_index(drop=True)

    return replace(
        inputs,
        personal=pick(inputs.personal),
        avgangar=pick(inputs.avgangar),
        franvaro=pick(inputs.franvaro) if "forvaltning" in inputs.franvaro else inputs.franvaro,
        kostnader=pick(inputs.kostnader),
    )


def load_external_projection(path: str | Path, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a consultant's projection (ar, yrkesgrupp, personalbehov, optional
    rekryteringsbehov), a file in the data folder (see data_file). Every group must cover
    the same consecutive years."""
    from kompetens.io.schemas import PERSONALBEHOV_EXTERN

    path = data_file(path, data_dir)
    table = validate_frame(read_table(path, data_folder(data_dir)), PERSONALBEHOV_EXTERN, path.name)
    years = sorted(table["ar"].unique())
    if years != list(range(years[0], years[-1] + 1)) or len(years) < 2:
        raise InputError(
            Problem(path.name, None, "ar", "åren ska vara minst två och i följd", ", ".join(map(str, years)))
        )
    per_group = table.groupby("yrkesgrupp")["ar"].nunique()
    if (per_group != len(years)).any():
        bad = per_group[per_group != len(years)].index[0]
        raise InputError(Problem(path.name, None, "yrkesgrupp", "gruppen saknar år", bad))
    return table
