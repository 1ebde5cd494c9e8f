"""Reading and validating the input tables of a data folder (DESIGN §3).

This is the only module that reads input files. Every table is checked against its
contract on load; all problems are collected and raised together as one InputError.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pandera.errors

from kompetens.errors import InputError, Problem
from kompetens.schemas import TABLES

SUFFIXES = (".csv", ".csv.gz", ".xlsx", ".parquet")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def demo_dir() -> Path:
    """The embedded demo data folder, data/demo/ in the project."""
    return PACKAGE_ROOT / "data" / "demo"


@dataclass(frozen=True)
class Inputs:
    """The validated input tables of one data folder, and where each came from."""

    personal: pd.DataFrame
    avgangar: pd.DataFrame
    franvaro: pd.DataFrame
    befolkning: pd.DataFrame
    kostnader: pd.DataFrame | None = None
    sources: dict = field(default_factory=dict)  # table -> {"fil": name, "sha256": hex}

    @property
    def snapshot_years(self) -> list[int]:
        return sorted(int(y) for y in self.personal["ar"].unique())


def normalize_header(name: str) -> str:
    """Header as matched against the contracts: lower case, å/ä/ö folded, spaces as _."""
    text = unicodedata.normalize("NFKD", str(name).strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "_".join(text.split())


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("cp1252 decodes any byte string")  # pragma: no cover


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (comma or semicolon, UTF-8 or Windows-1252), .xlsx or .parquet file as text
    columns with normalized headers; types are set by validation."""
    path = Path(path)
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            df = pd.read_parquet(path)
        elif name.endswith(".xlsx"):
            df = pd.read_excel(path, dtype=str)
        else:
            raw = path.read_bytes()
            if name.endswith(".gz"):
                import gzip

                raw = gzip.decompress(raw)
            text = _decode(raw)
            first = text.split("\n", 1)[0]
            sep = ";" if first.count(";") > first.count(",") else ","
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
            if sep == ";":  # Swedish Excel: decimal comma
                df = df.apply(lambda s: s.str.replace(",", ".", regex=False) if _is_text(s) else s)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(Problem(str(path), None, None, f"kan inte läsas: {exc}")) from None
    if df.empty and len(df.columns) == 0:
        raise InputError(Problem(str(path), None, None, "filen är tom"))
    return df.rename(columns=normalize_header)


def validate_table(df: pd.DataFrame, table: str, source: str) -> pd.DataFrame:
    """Coerce and check df against the table's contract; raise InputError listing every problem."""
    schema, _ = TABLES[table]
    if df.empty:
        raise InputError(Problem(source, None, None, "filen har inga rader"))
    df, problems = _parse_bools(df, schema, source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            validated = schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        problems += _problems(exc.failure_cases, source)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    return validated


_TRUE = {"true", "1", "ja", "j", "sant", "x", "yes"}
_FALSE = {"false", "0", "nej", "n", "falskt", "", "no"}


def _parse_bools(df: pd.DataFrame, schema, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read yes/no text (True/False, ja/nej, 1/0) in the schema's bool columns."""
    out, problems = df, []
    for name, column in schema.columns.items():
        if str(column.dtype) == "bool" and name in df and _is_text(df[name]):
            text = df[name].fillna("").astype(str).str.strip().str.lower()
            bad = ~text.isin(_TRUE | _FALSE)
            problems += [Problem(source, int(i) + 2, name, "ska vara ja eller nej", df[name][i])
                         for i in df.index[bad]]
            out = out.assign(**{name: text.isin(_TRUE)})
    return out, problems


_TYPE_NAMES = {"int64": "ett heltal", "float64": "ett tal", "datetime64[ns]": "ett datum (ÅÅÅÅ-MM-DD)",
               "bool": "ja eller nej", "str": "text"}


def _rule(check: str) -> str:
    """A readable Swedish rule for a pandera check name."""
    for prefix in ("coerce_dtype('", "dtype('"):
        if check.startswith(prefix):
            return "ska vara " + _TYPE_NAMES.get(check[len(prefix):-2], check[len(prefix):-2])
    if check.startswith("in_range("):
        lo, hi = check[len("in_range("):-1].split(", ")
        return f"ska ligga mellan {lo} och {hi}"
    if check.startswith("isin("):
        return "ska vara ett av " + check[len("isin("):-1]
    replacements = {"greater_than(0)": "ska vara större än 0", "greater_than_or_equal_to(0)": "får inte vara negativt",
                    "not_nullable": "saknar värde", "str_length(1, None)": "saknar värde"}
    if check.startswith("str_matches("):
        return "ska ha formen ÅÅÅÅ-MM"
    return replacements.get(check, check)


def _problems(cases: pd.DataFrame, source: str) -> list[Problem]:
    problems, seen = [], set()
    for case in cases.itertuples(index=False):
        value = case.failure_case
        if isinstance(value, str) and value.startswith(("TypeError(", "KeyError(")):
            continue  # a rule that could not run: a column is missing or has the wrong type
        if case.schema_context == "DataFrameSchema" and case.check == "column_in_dataframe":
            problems.append(Problem(source, None, str(value), "kolumnen saknas"))
            continue
        row = None if pd.isna(case.index) else int(case.index) + 2  # header is Excel row 1
        column = None if case.schema_context == "DataFrameSchema" else case.column
        rule = _rule(str(case.check))
        key = (row, column, rule)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(source, row, column, rule, None if column is None else value))
    return problems


def find_file(data_dir: Path, table: str) -> Path | None:
    for suffix in SUFFIXES:
        path = data_dir / f"{table}{suffix}"
        if path.exists():
            return path
    return None


def load_inputs(data_dir: str | Path | None = None) -> Inputs:
    """Read and validate every table in data_dir (default: the demo data)."""
    data_dir = Path(data_dir) if data_dir is not None else demo_dir()
    if not data_dir.is_dir():
        raise InputError(Problem(str(data_dir), None, None, "datakatalogen finns inte"))
    tables, sources, problems = {}, {}, []
    for table, (_, required) in TABLES.items():
        path = find_file(data_dir, table)
        if path is None:
            if required:
                problems.append(Problem(str(data_dir / f"{table}.csv"), None, None, "filen saknas"))
            continue
        try:
            tables[table] = validate_table(read_table(path), table, path.name)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        sources[table] = {"fil": path.name, "sha256": sha256(path)}
    if problems:
        raise InputError(problems)
    return Inputs(**tables, sources=sources)


def select_forvaltning(inputs: Inputs, forvaltning: str | None) -> Inputs:
    """The inputs of one department; None keeps the whole board. Population is shared."""
    if forvaltning is None:
        return inputs
    known = set(inputs.personal["forvaltning"])
    if forvaltning not in known:
        raise InputError(Problem("parametrar", None, "forvaltning",
                                 f"okänd förvaltning; finns: {', '.join(sorted(known))}", forvaltning))

    def pick(df):
        return None if df is None else df[df["forvaltning"] == forvaltning].reset_index(drop=True)

    return replace(inputs, personal=pick(inputs.personal), avgangar=pick(inputs.avgangar),
                   franvaro=pick(inputs.franvaro) if "forvaltning" in inputs.franvaro else inputs.franvaro,
                   kostnader=pick(inputs.kostnader))


def load_external_projection(path: str | Path, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read and validate a consultant's projection (ar, yrkesgrupp, personalbehov, optional
    rekryteringsbehov). A relative path is taken from the data folder. Every group must
    cover the same consecutive years."""
    from kompetens.schemas import PERSONALBEHOV_EXTERN

    path = Path(path)
    if not path.is_absolute():
        path = (Path(data_dir) if data_dir is not None else demo_dir()) / path
    if not path.exists():
        raise InputError(Problem(str(path), None, None, "filen finns inte"))
    df = read_table(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            table = PERSONALBEHOV_EXTERN.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise InputError(_problems(exc.failure_cases, path.name)) from None
    years = sorted(table["ar"].unique())
    if years != list(range(years[0], years[-1] + 1)) or len(years) < 2:
        raise InputError(Problem(path.name, None, "ar", "åren ska vara minst två och i följd", ", ".join(map(str, years))))
    per_group = table.groupby("yrkesgrupp")["ar"].nunique()
    if (per_group != len(years)).any():
        bad = per_group[per_group != len(years)].index[0]
        raise InputError(Problem(path.name, None, "yrkesgrupp", "gruppen saknar år", bad))
    return table
