"""`kompetens import`: a municipality's yearly employment snapshots (SKR's personal- och
lönestatistik, "novemberstatistiken", or an HR system's own export; one file per year) into
the `personal` and `avgangar` contracts, pseudonymised on read.

- A mapping file (YAML; template in kompetens/io/mappings/novemberstatistik.yaml) says
  which column, by header or by position (1 = first) for headerless files, holds which
  field, and which editable CSV tables map AID etikett -> yrkesgrupp and
  verksamhetskod/organisation -> förvaltning. Every unknown code stops the import with one
  error listing each code and how many rows carry it.
- Personnummer (10 or 12 digits, '-' or '+', samordningsnummer) is checked (date and Luhn
  check digit), turned into fodelsear and kon, and replaced by HMAC-SHA256 under a secret
  key kept in a file outside the data folder (created on first use, owner-only). The same
  person gets the same id in every year and every import with the same key. Names and
  personnummer are never written, nor shown in an error (errors name the row).
- A person's several employments in one snapshot become one row (the largest employment's
  group, department and unit; rates summed, at most 1; full-time salaries weighted by rate).
- Exits from consecutive snapshots: present in year t, absent in t+1 is an exit dated
  midway between the snapshots, orsak `okand`; a move between förvaltningar is an internal
  move (intern_rorlighet). Without an employment-date column, a spell starts at its first
  snapshot (midway from the one before for those hired between snapshots); the start of
  everyone in the first snapshot is unknown (left-censored) and marked so.
- Nothing is written unless every file reads; the files are replaced atomically.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kompetens.errors import InputError, Problem
from kompetens.io.schemas import normalize_header
from kompetens.io.validate import validate_table

MAPPINGS = Path(__file__).resolve().parent / "mappings"
MAX_MAPPING_BYTES = 64 * 1024
DEFAULT_KEY_FILE = Path.home() / ".config" / "kompetens" / "pseudonymnyckel"

Ref = Annotated[int, Field(ge=1, le=500)] | Annotated[str, Field(min_length=1, max_length=100)]
_STRICT = ConfigDict(extra="forbid")


class Kolumner(BaseModel):
    """Where each field is: a header name, or a position (1 = first) in headerless files."""

    model_config = _STRICT
    personnummer: Ref
    yrkeskod: Ref = Field(description="AID etikett (6 siffror) eller systemets befattningskod")
    organisation: Ref = Field(description="verksamhetskod eller organisationskod, mappas till förvaltning")
    enhet: Ref | None = Field(None, description="enhet, t.ex. arbetsställenummer; saknas = förvaltningen")
    sysselsattningsgrad: Ref
    manadslon: Ref
    anstallningsform: Ref
    anstallningsdatum: Ref | None = None
    chef: Ref | None = None
    ar: Ref | None = Field(None, description="ögonblicksbildens år; saknas = årtalet i filnamnet")


class Avgangslista(BaseModel):
    """An exit list from the payroll system: who left, when and why."""

    model_config = _STRICT
    rubrikrad: bool = True
    avgransare: Literal[";", ",", "\t", "|"] = ";"
    kodning: Literal["cp1252", "utf-8", "utf-8-sig", "latin-1"] = "utf-8-sig"
    personnummer: Ref
    datum: Ref = Field(description="slutdatum, ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD")
    orsak: Ref
    orsaker: dict[str, Literal["pension", "egen_begaran", "ovrigt"]] = Field(
        description="filens orsakskoder -> pension, egen_begaran eller ovrigt"
    )


class Mapping(BaseModel):
    """A mapping file: how one payroll system's snapshot files read."""

    model_config = _STRICT
    rubrikrad: bool = True
    avgransare: Literal[";", ",", "\t", "|"] = ";"
    kodning: Literal["cp1252", "utf-8", "utf-8-sig", "latin-1"] = "utf-8-sig"
    ogonblicksdatum: str = Field("11-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    kolumner: Kolumner
    yrkesgrupp: str = "aid_yrkesgrupp.csv"
    forvaltning: str
    anstallningsform: dict[str, Literal["tillsvidare", "visstid"]]
    sysselsattningsgrad_skala: float = Field(100, gt=0)
    chef_varden: list[str] = ["1", "J", "JA", "X"]
    chefsgrupper: list[str] = ["Ledning"]
    avgangslista: Avgangslista | None = None


# -- personnummer --------------------------------------------------------------------------

#: Where the separator ('-' or '+') of a personnummer stands, by the text's length: 10 and 12
#: digits have none, 6+1+4 and 8+1+4 characters one.
_SEPARATOR = {10: None, 11: 6, 12: None, 13: 8}
_LUHN = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
#: The days a Timestamp can hold (pandas' nanosecond range), as datetime64[D].
_FIRST_DAY = np.datetime64(pd.Timestamp.min.ceil("D").date(), "D")
_LAST_DAY = np.datetime64(pd.Timestamp.max.floor("D").date(), "D")


def parse_personnummer_many(values: pd.Series, year: int) -> pd.DataFrame:
    """For each text in values (index kept): pnr12 (12-digit form), fodelsear and kon (K/M)
    of a valid personnummer or samordningsnummer (day + 60), 10 or 12 digits with '-' or
    '+' (100 years or older); all missing where it is not valid (ASCII digits, date or Luhn
    check digit). year: the snapshot's year, which settles the century of a 10-digit number.
    Vectorised over the characters' code points: about 1 µs a value."""
    text = [str(v).strip().replace(" ", "") for v in values]
    n = len(text)
    length = np.fromiter(map(len, text), dtype=int, count=n)
    fits = np.isin(length, list(_SEPARATOR))
    chars = np.array(text, dtype=object)
    chars[~fits] = ""
    chars = chars.astype("U13").view(np.uint32).reshape(n, 13)
    digit = (chars >= ord("0")) & (chars <= ord("9"))
    ok = np.zeros(n, dtype=bool)
    plus = np.zeros(n, dtype=bool)
    digits = np.zeros((n, 12), dtype=int)  # the 12-digit form, right-aligned (10 digits: no century)
    for size, sep in _SEPARATOR.items():
        where = np.flatnonzero(length == size)
        positions = [i for i in range(size) if i != sep]
        form = digit[np.ix_(where, positions)].all(axis=1)
        if sep is not None:
            form &= (chars[where, sep] == ord("-")) | (chars[where, sep] == ord("+"))
            plus[where] = form & (chars[where, sep] == ord("+"))
        where = where[form]
        ok[where] = True
        digits[np.ix_(where, range(12 - len(positions), 12))] = chars[np.ix_(where, positions)] - ord("0")
    d = digits[:, 2:]
    weighted = d * _LUHN
    ok &= (weighted // 10 + weighted % 10).sum(axis=1) % 10 == 0
    yy, month, day = d[:, 0] * 10 + d[:, 1], d[:, 2] * 10 + d[:, 3], d[:, 4] * 10 + d[:, 5]
    long = (length == 12) | (length == 13)
    born = np.where(long, (digits[:, 0] * 10 + digits[:, 1]) * 100 + yy, year - (year - yy) % 100 - 100 * plus)
    day = np.where(day > 60, day - 60, day)  # samordningsnummer
    ok &= (month >= 1) & (month <= 12) & (day >= 1)
    first_of_month = ((np.where(ok, born, 2000) - 1970) * 12 + np.where(ok, month, 1) - 1).astype("datetime64[M]")
    date = first_of_month.astype("datetime64[D]") + (np.where(ok, day, 1) - 1)
    ok &= (date.astype("datetime64[M]") == first_of_month) & (date >= _FIRST_DAY) & (date <= _LAST_DAY)
    index = values.index
    twelve = np.concatenate([np.stack([born // 1000 % 10, born // 100 % 10], axis=1), d], axis=1)
    pnr12 = (twelve + ord("0")).astype(np.uint8).view("S12").ravel().astype("U12").astype(object)
    return pd.DataFrame(
        {
            "pnr12": pd.Series(pnr12, index=index, dtype=object).where(ok),
            "fodelsear": pd.Series(born, index=index).where(ok).astype("Int64"),
            "kon": pd.Series(np.where(d[:, 8] % 2 == 1, "M", "K"), index=index).where(ok),
        }
    )


def parse_personnummer(text: str, year: int) -> tuple[str, int, str] | None:
    """(12-digit form, fodelsear, kon) of one personnummer, or None: see parse_personnummer_many."""
    row = parse_personnummer_many(pd.Series([text]), year).iloc[0]
    return None if pd.isna(row["pnr12"]) else (row["pnr12"], int(row["fodelsear"]), row["kon"])


def load_key(path: str | Path | None, forbidden: list[Path]) -> bytes:
    """The secret key for the pseudonyms: read from path, or created there (32 random bytes,
    owner-only permissions) on first use. The file must lie outside every folder in
    forbidden (the data and output folders) and be readable by its owner only."""
    path = Path(path) if path is not None else DEFAULT_KEY_FILE
    resolved = path.expanduser().resolve()
    for folder in forbidden:
        if resolved.is_relative_to(folder.resolve()):
            raise InputError(
                Problem(str(path), None, None, "nyckelfilen får inte ligga i data- eller utkatalogen", str(folder))
            )
    if not resolved.exists():
        resolved.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(resolved, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # created meanwhile by another import
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
    mode = resolved.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(
            Problem(str(path), None, None, "nyckelfilen kan läsas av andra än ägaren; kör chmod 600 på den")
        )
    key = resolved.read_text(encoding="ascii").strip()
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        raise InputError(Problem(str(path), None, None, "nyckelfilen ska innehålla 64 hexadecimala tecken"))
    return bytes.fromhex(key)


def pseudonym(key: bytes, personnummer12: str) -> str:
    """The person's id: 'p' and the first 80 bits of HMAC-SHA256 of the 12-digit personnummer
    under key, in base32 (a–z, 2–7): with no 0 or 1 no run of digits can look like a date,
    so no id is ever mistaken for a personnummer."""
    digest = hmac.new(key, personnummer12.encode("ascii"), hashlib.sha256).digest()
    return "p" + base64.b32encode(digest).decode("ascii")[:16].lower()


_BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def pseudonym_many(key: bytes, personnummer12) -> np.ndarray:
    """pseudonym(key, p) for every 12-digit personnummer p (a sequence of str), as an object
    array, about 1 µs a value: HMAC as RFC 2104 defines it, from the key's inner and outer
    SHA-256 states computed once; the base32 encoding vectorised (the first 80 bits are
    exactly 16 base32 letters)."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def mac(message: str) -> bytes:
        h = inner.copy()
        h.update(message.encode("ascii"))
        o = outer.copy()
        o.update(h.digest())
        return o.digest()

    digests = b"".join(map(mac, personnummer12))
    head = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 32)[:, :10]
    letters = _BASE32[np.unpackbits(head, axis=1).reshape(-1, 16, 5) @ np.array([16, 8, 4, 2, 1], dtype=np.uint8)]
    ids = np.concatenate([np.full((len(letters), 1), ord("p"), dtype=np.uint8), letters], axis=1)
    return ids.view("S17").ravel().astype("U17").astype(object)


# -- the mapping and its tables ------------------------------------------------------------


def load_mapping(path: str | Path) -> tuple[Mapping, Path]:
    """The mapping file and the folder its tables are looked up in first."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise InputError(Problem(str(path), None, None, "mappningsfilen är för stor"))
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), None, None, f"kan inte läsas: {exc}")) from None
    try:
        return Mapping.model_validate(raw or {}), path.parent
    except ValidationError as exc:
        problems = [
            Problem(str(path), None, ".".join(map(str, e["loc"])), e["msg"], where="nyckel") for e in exc.errors()
        ]
        raise InputError(problems) from None


def read_code_table(name: str, folder: Path, target: str) -> dict[str, str]:
    """A code table (CSV, ';' or ',', columns kod and target) from the mapping's folder or
    the package's kompetens/io/mappings/: code -> name."""
    path = folder / name if (folder / name).exists() else MAPPINGS / name
    if not path.exists() or path.resolve().parent not in (folder.resolve(), MAPPINGS):
        raise InputError(Problem(name, None, None, "kodtabellen finns inte (bredvid mappningsfilen)"))
    text = path.read_text(encoding="utf-8-sig")
    sep = ";" if text.split("\n", 1)[0].count(";") >= 1 else ","
    table = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig", comment="#")
    table.columns = [normalize_header(c) for c in table.columns]
    if "kod" not in table or target not in table:
        raise InputError(Problem(path.name, 1, None, f"kodtabellen ska ha kolumnerna kod och {target}"))
    table = table[table[target].str.strip() != ""]
    return dict(zip(table["kod"].str.strip(), table[target].str.strip()))


# -- reading one snapshot file -------------------------------------------------------------


def per_value(s: pd.Series, func) -> pd.Series:
    """func (a function of an object Series, giving one value each) applied once per distinct
    value of s and spread back over its rows; missing values stay missing. A payroll file
    has a million rows but a few thousand distinct codes, rates or salaries."""
    codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    mapped = np.asarray(func(pd.Series(uniques, dtype=object)))
    return pd.Series(pd.api.extensions.take(mapped, codes, allow_fill=True), index=s.index)


def _column(df: pd.DataFrame, ref, field: str, source: str) -> pd.Series:
    """The field's column (by position or header), surrounding spaces removed."""
    return per_value(_raw_column(df, ref, field, source), _strip)


def _raw_column(df: pd.DataFrame, ref, field: str, source: str) -> pd.Series:
    """The field's column (by position or header) as read."""
    if isinstance(ref, int):
        if ref > df.shape[1]:
            raise InputError(
                Problem(source, None, field, f"filen har bara {df.shape[1]} fält; mappningen anger fält {ref}")
            )
        return df.iloc[:, ref - 1]
    names = {normalize_header(c): c for c in df.columns}
    if normalize_header(ref) not in names:
        raise InputError(Problem(source, 1, field, f"kolumnen {ref!r} finns inte i filen"))
    return df[names[normalize_header(ref)]]


def _strip(values: pd.Series) -> list:
    return [v.strip() if isinstance(v, str) else v for v in values]


def _snapshot_year(path: Path, mapping: Mapping, df: pd.DataFrame) -> int:
    if mapping.kolumner.ar is not None:
        years = pd.to_numeric(_column(df, mapping.kolumner.ar, "ar", path.name), errors="coerce").dropna().unique()
        if len(years) != 1:
            raise InputError(Problem(path.name, None, "ar", "filen ska gälla ett år"))
        return int(years[0])
    found = re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", path.name)
    if len(set(found)) != 1:
        raise InputError(Problem(path.name, None, None, "året ska stå i filnamnet (t.ex. novemberstatistik_2024.txt)"))
    return int(found[0])


def _number(s: pd.Series) -> pd.Series:
    """Numbers written with spaces between thousands and a decimal comma; NaN where not a number."""
    text = s.str.replace(r"[\s\u00a0]", "", regex=True).str.replace(",", ".")
    return pd.to_numeric(text, errors="coerce")


def _pseudonymise(pnr: pd.Series, year: int, key: bytes, pseudonyms: dict) -> pd.DataFrame:
    """person_id, fodelsear and kon of each row's personnummer (all missing where it is not
    valid): each distinct personnummer checked once, each new person hashed once (pseudonyms,
    12-digit personnummer -> id, is shared between the files of one import)."""
    codes, distinct = pd.factorize(pnr.to_numpy(dtype=object), use_na_sentinel=True)
    parsed = parse_personnummer_many(pd.Series(distinct, dtype=object), year)
    valid = parsed["pnr12"].notna().to_numpy()
    pnr12 = parsed["pnr12"].to_numpy()[valid]
    new = list(dict.fromkeys(p for p in pnr12 if p not in pseudonyms))
    pseudonyms.update(zip(new, pseudonym_many(key, new)))
    ids = np.full(len(distinct), np.nan, dtype=object)
    ids[valid] = [pseudonyms[p] for p in pnr12]
    take = pd.api.extensions.take
    return pd.DataFrame(
        {
            "person_id": take(ids, codes, allow_fill=True),
            "fodelsear": parsed["fodelsear"].array.take(codes, allow_fill=True),
            "kon": take(parsed["kon"].to_numpy(dtype=object), codes, allow_fill=True),
        },
        index=pnr.index,
    )


def _read_delimited(path: Path, spec) -> pd.DataFrame:
    """A payroll export as text columns, with the separator, header row and encoding its
    mapping (or exit-list settings) gives; an unreadable file is an InputError."""
    try:
        return pd.read_csv(
            path,
            sep=spec.avgransare,
            header=0 if spec.rubrikrad else None,
            dtype=str,
            keep_default_na=False,
            encoding=spec.kodning,
            skipinitialspace=True,
        )
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(Problem(path.name, None, None, f"kan inte läsas: {type(exc).__name__}")) from None


def read_snapshot(
    path: Path, mapping: Mapping, key: bytes, pseudonyms: dict | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """One snapshot file as one row per employment: person_id, fodelsear, kon, ar, yrkeskod,
    organisation, enhet, sysselsattningsgrad (0–1), manadslon, anstallningsform code,
    anstallningsdatum (or NaT), chef; and the problems found (rows, never values).
    pseudonyms: 12-digit personnummer -> id, shared between the files of one import."""
    pseudonyms = {} if pseudonyms is None else pseudonyms
    source = path.name
    df = _read_delimited(path, mapping)
    if df.empty:
        raise InputError(Problem(source, None, None, "filen har inga rader"))
    first_row = 2 if mapping.rubrikrad else 1
    k = mapping.kolumner
    year = _snapshot_year(path, mapping, df)
    problems: list[Problem] = []

    pnr = _raw_column(df, k.personnummer, "personnummer", source)  # stripped as it is checked
    person = _pseudonymise(pnr, year, key, pseudonyms)
    person_id = person["person_id"]
    bad = person_id.isna()
    for i in np.flatnonzero(bad.to_numpy())[:20]:
        problems.append(
            Problem(source, int(i) + first_row, "personnummer", "ogiltigt personnummer (datum eller kontrollsiffra)")
        )
    if bad.sum() > 20:
        problems.append(
            Problem(source, None, "personnummer", f"ytterligare {int(bad.sum()) - 20} rader med ogiltigt personnummer")
        )

    rate = (
        per_value(_column(df, k.sysselsattningsgrad, "sysselsattningsgrad", source), _number)
        / mapping.sysselsattningsgrad_skala
    )
    salary = per_value(_column(df, k.manadslon, "manadslon", source), _number)
    for name, ok in (
        ("sysselsattningsgrad", rate.between(0, 1, inclusive="right")),
        ("manadslon", salary.ge(0)),
    ):
        for i in np.flatnonzero(~ok.fillna(False).to_numpy())[:20]:
            problems.append(Problem(source, int(i) + first_row, name, "saknas eller utanför tillåtna värden"))
    if k.anstallningsdatum is not None:
        raw = _column(df, k.anstallningsdatum, "anstallningsdatum", source)
        start = per_value(raw, lambda v: pd.to_datetime(v.str.replace("-", ""), format="%Y%m%d", errors="coerce"))
        for i in np.flatnonzero(start.isna().to_numpy())[:20]:
            problems.append(
                Problem(source, int(i) + first_row, "anstallningsdatum", "datum ska skrivas ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD")
            )
    else:
        start = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    if k.chef is not None:
        yes = [v.upper() for v in mapping.chef_varden]
        chef = (
            per_value(_column(df, k.chef, "chef", source), lambda v: v.str.upper().isin(yes)).fillna(False).astype(bool)
        )
    else:
        chef = pd.Series(False, index=df.index)
    org = _column(df, k.organisation, "organisation", source)
    out = pd.DataFrame(
        {
            "person_id": person_id.to_numpy(),
            "fodelsear": person["fodelsear"].to_numpy(),
            "kon": person["kon"].to_numpy(),
            "ar": year,
            "yrkeskod": _column(df, k.yrkeskod, "yrkeskod", source).to_numpy(),
            "organisation": org.to_numpy(),
            "enhet": (_column(df, k.enhet, "enhet", source) if k.enhet is not None else org).to_numpy(),
            "sysselsattningsgrad": rate.to_numpy(),
            "manadslon": salary.to_numpy(),
            "anstallningsform": _column(df, k.anstallningsform, "anstallningsform", source).to_numpy(),
            "anstallningsdatum": start.to_numpy(),
            "chef": chef.to_numpy(),
            "rad": np.arange(len(df)) + first_row,
            "fil": source,
        }
    )
    return out, problems


def read_exit_list(path: Path, spec: Avgangslista, key: bytes, pseudonyms: dict) -> pd.DataFrame:
    """An exit list as person_id, datum, orsak (pseudonymised like the snapshots); every
    unknown cause code in one error, bad rows named by row."""
    source = path.name
    df = _read_delimited(path, spec)
    first_row = 2 if spec.rubrikrad else 1
    raw_date = _column(df, spec.datum, "datum", source)
    datum = pd.to_datetime(raw_date.str.replace("-", ""), format="%Y%m%d", errors="coerce")
    pnr = _column(df, spec.personnummer, "personnummer", source)
    parsed = parse_personnummer_many(pnr, int(datum.dt.year.max()) if datum.notna().any() else 2000)
    code = _column(df, spec.orsak, "orsak", source)
    problems = [
        Problem(source, int(i) + first_row, column, rule)
        for column, bad, rule in (
            ("datum", datum.isna(), "datum ska skrivas ÅÅÅÅ-MM-DD eller ÅÅÅÅMMDD"),
            ("personnummer", parsed["pnr12"].isna(), "ogiltigt personnummer (datum eller kontrollsiffra)"),
        )
        for i in np.flatnonzero(bad.to_numpy())[:20]
    ]
    for value, n in code[~code.isin(spec.orsaker.keys())].value_counts().sort_index().items():
        problems.append(Problem(source, None, "orsak", f"okänd orsakskod {value or '(tomt)'}: {n} rader"))
    if problems:
        raise InputError(problems)
    for p12 in set(parsed["pnr12"]) - pseudonyms.keys():
        pseudonyms[p12] = pseudonym(key, p12)
    return pd.DataFrame({"person_id": parsed["pnr12"].map(pseudonyms), "datum": datum, "orsak": code.map(spec.orsaker)})


def _apply_exit_list(avgangar: pd.DataFrame, exit_list: pd.DataFrame, dates: dict) -> pd.DataFrame:
    """The date and cause of each exit of unknown cause from the exit list, where the list
    has that person leaving between the two snapshots; other exits keep okand."""
    derived = avgangar[avgangar["orsak"] == "okand"].reset_index()
    derived["fran"] = derived["ar"].map(dates)
    derived["till"] = derived["ar"].map({y: dates[n] for y, n in zip(sorted(dates), sorted(dates)[1:])})
    both = derived.merge(exit_list, on="person_id", suffixes=("", "_lista"))
    both = both[(both["datum_lista"] > both["fran"]) & (both["datum_lista"] <= both["till"])]
    both = both.sort_values("datum_lista").drop_duplicates("index", keep="last").set_index("index")
    out = avgangar.copy()
    out.loc[both.index, "datum"] = both["datum_lista"]
    out.loc[both.index, "orsak"] = both["orsak_lista"]
    return out


# -- from employments to the contracts -----------------------------------------------------


def _map_codes(rows: pd.DataFrame, mapping: Mapping, folder: Path) -> pd.DataFrame:
    """Codes -> yrkesgrupp, forvaltning, anstallningsform; one error for all unknown codes."""
    groups = read_code_table(mapping.yrkesgrupp, folder, "yrkesgrupp")
    depts = read_code_table(mapping.forvaltning, folder, "forvaltning")
    forms = {str(k): v for k, v in mapping.anstallningsform.items()}
    problems, mapped = [], {}
    for field, table, target in (
        ("yrkeskod", groups, "yrkesgrupp"),
        ("organisation", depts, "forvaltning"),
        ("anstallningsform", forms, "anstallningsform"),
    ):
        codes, distinct = pd.factorize(rows[field], use_na_sentinel=True)  # each code looked up once
        known = np.array([code in table for code in distinct], dtype=bool)
        counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
        for code, n in pd.Series(counts[~known], index=distinct[~known]).sort_index().items():
            shown = code if code else "(tomt)"
            problems.append(
                Problem("mappning", None, field, f"okänd kod {shown}: {n} rader; lägg till den i kodtabellen")
            )
        names = np.array([table.get(code, np.nan) for code in distinct], dtype=object)
        mapped[target] = pd.api.extensions.take(names, codes, allow_fill=True)
    if problems:
        raise InputError(problems)
    return rows.assign(**mapped)


def _one_row_per_person(rows: pd.DataFrame) -> pd.DataFrame:
    """Several employments of a person in one snapshot as one row: the largest employment's
    group, department and unit; rates summed (at most 1); salaries weighted by rate."""
    rows = rows.sort_values(["person_id", "ar", "sysselsattningsgrad", "rad"], ascending=[True, True, False, True])
    rows["tillsvidare"] = rows["anstallningsform"] == "tillsvidare"  # rows is sort_values' copy
    weighted = (rows["manadslon"] * rows["sysselsattningsgrad"]).groupby([rows["person_id"], rows["ar"]]).sum()
    keys = ["person_id", "ar"]
    agg = rows.groupby(keys, sort=False).agg(
        forvaltning=("forvaltning", "first"),
        enhet=("enhet", "first"),
        yrkesgrupp=("yrkesgrupp", "first"),
        fodelsear=("fodelsear", "first"),
        kon=("kon", "first"),
        sysselsattningsgrad=("sysselsattningsgrad", "sum"),
        anstallningsdatum=("anstallningsdatum", "min"),
        tillsvidare=("tillsvidare", "any"),
        chef=("chef", "any"),
    )
    agg["manadslon"] = (weighted.reindex(agg.index) / agg["sysselsattningsgrad"]).round(0)
    agg["sysselsattningsgrad"] = agg["sysselsattningsgrad"].clip(upper=1.0).round(4)
    agg["anstallningsform"] = np.where(agg.pop("tillsvidare"), "tillsvidare", "visstid")
    return agg.reset_index()


def _midway(a: pd.Timestamp, b: pd.Timestamp) -> pd.Timestamp:
    return (a + (b - a) / 2).normalize()


def snapshots_to_tables(
    rows: pd.DataFrame, chefsgrupper: list[str], day: str, exit_list: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """personal (one row per person and snapshot) and avgangar (exits and internal moves
    between consecutive snapshots) from the mapped employments (person_id never missing); an
    exit list (person_id, datum, orsak) gives exits between snapshots their date and cause.
    Persons are handled as integer codes ordered as their ids, so every sort and grouping
    gives what it gives on the ids."""
    person, person_ids = pd.factorize(rows["person_id"], sort=True)
    columns = [
        "ar", "forvaltning", "enhet", "yrkesgrupp", "fodelsear", "kon", "sysselsattningsgrad", "manadslon",
        "anstallningsdatum", "anstallningsform", "chef", "rad",
    ]  # fmt: skip
    personal = _one_row_per_person(
        pd.DataFrame({"person_id": person, **{c: rows[c] for c in columns}}, index=rows.index)
    )
    personal["chef"] = personal["chef"] | personal["yrkesgrupp"].isin(chefsgrupper)
    years = sorted(personal["ar"].unique())
    dates = {y: pd.Timestamp(f"{y}-{day}") for y in years}
    present = {y: personal[personal["ar"] == y].set_index("person_id") for y in years}

    # spell starts: a person's first snapshot, or the first after a gap
    personal = personal.sort_values(["person_id", "ar"]).reset_index(drop=True)
    known_start = personal["anstallningsdatum"].notna()
    previous_year = {y: years[i - 1] if i else None for i, y in enumerate(years)}
    prev = personal.groupby("person_id")["ar"].shift()
    new_spell = prev.isna() | (prev != personal["ar"].map(previous_year))
    first_year = years[0]
    starts = {y: dates[y] if y == first_year else _midway(dates[previous_year[y]], dates[y]) for y in years}
    spell_start = personal["ar"].map(starts).where(new_spell)
    spell_start = spell_start.groupby(new_spell.cumsum()).transform("first")
    personal["anstallningsdatum_okand"] = ~known_start.to_numpy() & (spell_start == dates[first_year]).to_numpy()
    personal["anstallningsdatum"] = personal["anstallningsdatum"].where(known_start.to_numpy(), spell_start)

    exits = [pd.DataFrame(columns=["person_id", "datum", "forvaltning", "enhet", "yrkesgrupp", "orsak", "ar"])]
    for a, b in itertools.pairwise(years):
        before, after = present[a], present[b]
        when = _midway(dates[a], dates[b])
        gone = before.index.difference(after.index)
        both = before.index.intersection(after.index)
        moved = both[(before.loc[both, "forvaltning"] != after.loc[both, "forvaltning"]).to_numpy()]
        for ids, orsak in ((gone, "okand"), (moved, "intern_rorlighet")):
            sel = before.loc[ids]
            exits.append(
                pd.DataFrame(
                    {
                        "person_id": ids,
                        "datum": when,
                        "forvaltning": sel["forvaltning"].to_numpy(),
                        "enhet": sel["enhet"].to_numpy(),
                        "yrkesgrupp": sel["yrkesgrupp"].to_numpy(),
                        "orsak": orsak,
                        "anstallningsform": sel["anstallningsform"].to_numpy(),
                        "fodelsear": sel["fodelsear"].to_numpy(),
                        "kon": sel["kon"].to_numpy(),
                        "ar": a,
                    }
                )
            )
    avgangar = pd.concat([e for e in exits if len(e)] or exits[:1], ignore_index=True)
    start = personal.set_index(["person_id", "ar"])[["anstallningsdatum", "anstallningsdatum_okand"]]
    avgangar = avgangar.join(start, on=["person_id", "ar"])
    personal["person_id"] = person_ids.take(personal["person_id"].to_numpy())
    avgangar["person_id"] = person_ids.take(avgangar["person_id"].to_numpy(dtype=int))
    if exit_list is not None and len(avgangar):
        avgangar = _apply_exit_list(avgangar, exit_list, dates)
    avgangar = avgangar.drop(columns="ar")
    columns = [
        "person_id", "ar", "forvaltning", "enhet", "yrkesgrupp", "fodelsear", "kon", "sysselsattningsgrad",
        "manadslon", "anstallningsdatum", "anstallningsform", "chef", "anstallningsdatum_okand",
    ]  # fmt: skip
    return personal[columns], avgangar.sort_values(["datum", "person_id"]).reset_index(drop=True)


def import_snapshots(
    files: list[str | Path],
    mapping_file: str | Path,
    out_dir: str | Path,
    key_file: str | Path | None = None,
    exit_list: str | Path | None = None,
) -> dict[str, Path]:
    """Read every snapshot file through the mapping, pseudonymise, derive exits (their date
    and cause from exit_list when given, read as the mapping's `avgangslista` says), and
    write personal.csv and avgangar.csv into out_dir (atomically; nothing is written on
    error). Returns table -> path."""
    files = [Path(f) for f in files]
    out_dir = Path(out_dir)
    if not files:
        raise InputError(Problem("import", None, None, "inga filer att importera"))
    mapping, folder = load_mapping(mapping_file)
    inputs = [*files, *([Path(exit_list)] if exit_list is not None else [])]
    key = load_key(key_file, [out_dir, *{f.resolve().parent for f in inputs}])
    parts, problems, years, pseudonyms = [], [], {}, {}
    for path in sorted(files):
        if not path.is_file():
            problems.append(Problem(str(path), None, None, "filen finns inte"))
            continue
        try:
            rows, found = read_snapshot(path, mapping, key, pseudonyms)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        year = int(rows["ar"].iloc[0])
        if year in years:
            problems.append(Problem(path.name, None, "ar", f"samma år som {years[year]}", year))
        years[year] = path.name
        problems.extend(found)
        parts.append(rows)
    if problems:
        raise InputError(problems)
    rows = _map_codes(pd.concat(parts, ignore_index=True), mapping, folder)
    exits = None
    if exit_list is not None:
        if mapping.avgangslista is None:
            raise InputError(
                Problem(str(mapping_file), None, "avgangslista", "mappningen beskriver ingen avgångslista")
            )
        exits = read_exit_list(Path(exit_list), mapping.avgangslista, key, pseudonyms)
    personal, avgangar = snapshots_to_tables(rows, mapping.chefsgrupper, mapping.ogonblicksdatum, exits)
    validate_table(personal, "personal", "personal.csv (import)")  # checks copies: the tables stay as they are
    if len(avgangar):
        validate_table(avgangar, "avgangar", "avgangar.csv (import)")
    return _write_atomically(out_dir, {"personal": personal, "avgangar": avgangar})


def _write_atomically(out_dir: Path, tables: dict[str, pd.DataFrame]) -> dict[str, Path]:
    """Write every table to a temporary file beside its target, then rename them all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done, tmp = {}, {}
    try:
        for name, table in tables.items():
            tmp[name] = out_dir / f".{name}.csv.tmp{os.getpid()}"
            table.to_csv(tmp[name], index=False, date_format="%Y-%m-%d")
        for name, path in tmp.items():
            done[name] = out_dir / f"{name}.csv"
            os.replace(path, done[name])
    finally:
        for path in tmp.values():
            path.unlink(missing_ok=True)
    return done
