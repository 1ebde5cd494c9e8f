"""Checking a table against its contract (DESIGN §3) and explaining every problem.

Text columns are held as categories while they are checked, so every rule on text
(number formats, months, encodings, personnummer, allowed values) runs once per distinct
value instead of once per row: a monthly absence file has millions of rows but only
thousands of distinct ids and a few dozen months. A table that passes the fast check is
returned as pandera would return it; one that fails is handed to pandera, whose failure
cases become the Problems the user sees.
"""

from __future__ import annotations

import re
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pandera.errors

from kompetens.errors import InputError, Problem
from kompetens.io.schemas import FORBIDDEN_COLUMNS, HEADER_ALIASES, TABLES
from kompetens.privacy.scanner import find_personnummer

#: Columns read as numbers; their text may use spaces as thousands separators.
NUMERIC_COLUMNS = (
    "ar",
    "fodelsear",
    "sysselsattningsgrad",
    "manadslon",
    "schemalagd_tid",
    "sjuk_tid",
    "sjuk_kort",
    "sjuk_lang",
    "alder",
    "antal",
    "lonekostnad",
    "hyrpersonal",
    "personalbehov",
    "rekryteringsbehov",
)
#: Text that exports write for a missing value; as a name it would become a group of its own.
PLACEHOLDERS = {"null", "n/a", "#n/a", "na", "none", "nan", "nil", "-", "–", "?"}
#: Plausible-range limits that may be legitimately exceeded: warnings in "Om underlaget".
#: manadslon: 150 000 kr a month is about four times the mean monthly salary in the municipal
#: sector (SCB, Lönestrukturstatistik, AM0106 "Genomsnittlig månadslön inom kommuner", 2023:
#: about 37 000 kr) and above what most chief executives of municipalities earn; a higher salary is
#: possible but worth a look. schemalagd_tid: 300 hours a person and month is full time
#: (40 h/week, Arbetstidslagen SFS 1982:673 § 5, about 174 h/month) plus far more than the
#: general overtime limit (200 h/year, § 8).
WARN_LIMITS = {"manadslon": 150_000, "schemalagd_tid": 300}
#: A date as ISO 8601 writes it (2015-01-05, 20150105), or with the midnight Excel adds.
ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?|\d{8}"
#: A date with a time of day: which day it means depends on the time zone of the export.
TIMESTAMP = r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
#: Money columns, where 31.400 is 31 400 kr written with a point between the thousands (or a
#: typo of 31,4): never read as 31,4.
THOUSANDS_POINT = ("manadslon", "lonekostnad", "hyrpersonal", "antal")
_TRUE = {"true", "1", "ja", "j", "sant", "x", "yes"}
_FALSE = {"false", "0", "nej", "n", "falskt", "", "no"}


def validate_table(df: pd.DataFrame, table: str, source: str) -> pd.DataFrame:
    """Coerce and check df against the input table's contract; raise InputError listing every problem."""
    if df.empty:
        raise InputError(Problem(source, None, None, "filen har inga rader"))
    duplicated = duplicate_columns(renamed(df, HEADER_ALIASES.get(table, {})).columns, source)
    if duplicated:
        raise InputError(duplicated)
    return validate_frame(renamed(df, HEADER_ALIASES.get(table, {})), TABLES[table][0], source)


def plausibility_warnings(df: pd.DataFrame, table: str, source: str) -> list[Problem]:
    """Values of a validated table outside their plausible range (WARN_LIMITS) but possible:
    one Problem per column, naming the first such row and how many there are."""
    warned = []
    if table == "personal" and {"person_id", "kon"} <= set(df.columns):
        kinds = df.groupby("person_id", observed=True)["kon"].transform("nunique")
        changed = df.index[(kinds > 1).to_numpy()]
        if len(changed):
            rule = (
                f"{df.loc[changed, 'person_id'].nunique()} personer har olika kön olika år; kontrollera att det stämmer"
            )
            warned.append(Problem(source, int(changed[0]) + 2, "kon", rule))
    for column, limit in WARN_LIMITS.items():
        if column not in df or (column == "schemalagd_tid" and "person_id" not in df):
            continue  # hours of a whole group are sums, not one person's month
        high = df.index[df[column] > limit]
        if len(high):
            rule = f"{len(high)} rader över {limit:,} ({table}); kontrollera att de stämmer".replace(",", " ")
            warned.append(Problem(source, int(high[0]) + 2, column, rule))
    return warned


def renamed(df: pd.DataFrame, names: dict) -> pd.DataFrame:
    """df with columns renamed by names, sharing the data (input tables can be large)."""
    out = df.copy(deep=False)
    out.columns = [names.get(c, c) for c in df.columns]
    return out


def duplicate_columns(columns, source: str) -> list[Problem]:
    """Two headers that mean the same column (e.g. ar and År, or ar and its alias year)."""
    seen, problems = set(), []
    for name in columns:
        if name in seen:
            problems.append(
                Problem(
                    source,
                    1,
                    str(name),
                    "två kolumner med samma namn (efter att versaler och å/ä/ö jämnats ut, eller ett alias)",
                )
            )
        seen.add(name)
    return problems


def validate_frame(df: pd.DataFrame, schema, source: str) -> pd.DataFrame:
    """Coerce and check df against a pandera schema after reading Swedish formats; raise
    InputError listing every problem (file, Excel row, column, rule, value)."""
    if df.empty:
        raise InputError(Problem(source, None, None, "filen har inga rader"))
    duplicated = duplicate_columns(df.columns, source)
    if duplicated:
        raise InputError(duplicated)
    df = as_categories(df)
    df, problems = _prepare(df, source, schema)
    df, bool_problems = _parse_bools(df, schema, source)
    problems += bool_problems
    df, date_problems = _parse_dates(df, schema, source)
    problems += date_problems + _fractions(df, schema, source)
    if not problems:
        checked = check_fast(df, schema)
        if checked is not None:
            return checked
    plain = pd.DataFrame({c: _plain(df[c]) for c in df.columns}, index=df.index)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            validated = schema.validate(plain, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        problems += failure_problems(exc.failure_cases, source)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    return validated


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def as_categories(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns, and person ids however they were stored, as categoricals of their
    distinct values (missing values stay missing)."""
    text = [
        c
        for c in df.columns
        if (_is_text(df[c]) or c == "person_id") and not isinstance(df[c].dtype, pd.CategoricalDtype)
    ]
    if not text:
        return df
    out = df.copy(deep=False)
    for col in text:
        codes, uniques = pd.factorize(df[col].to_numpy(dtype=object), use_na_sentinel=True)
        out[col] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    return out


def map_categories(s: pd.Series, func) -> pd.Series:
    """Apply func (a function of an object Series) to the distinct values of a categorical
    column; values it maps together become one category, missing results stay missing."""
    mapped = pd.Series(func(pd.Series(s.cat.categories, dtype=object)), dtype=object)
    codes, uniques = pd.factorize(mapped.to_numpy(), use_na_sentinel=True)
    new = pd.api.extensions.take(codes, s.cat.codes.to_numpy(), allow_fill=True, fill_value=-1)
    return pd.Series(
        pd.Categorical.from_codes(new, categories=pd.Index(uniques, dtype=object)), index=s.index, name=s.name
    )


def _rows_where(s: pd.Series, on_categories: np.ndarray) -> pd.Index:
    """Index labels of the rows whose category satisfies a mask computed on the categories."""
    codes = s.cat.codes.to_numpy()
    hit = np.append(on_categories, False)[np.where(codes >= 0, codes, len(on_categories))]
    return s.index[hit]


def _prepare(df: pd.DataFrame, source: str, schema=None) -> tuple[pd.DataFrame, list[Problem]]:
    """Forbidden columns, Swedish number and month formats, names that are placeholders or
    differ from another only by surrounding spaces, and the hints a user needs when a file
    has a mixed encoding or carries personnummer."""
    names = [n for n, c in schema.columns.items() if str(c.dtype) == "str"] if schema is not None else []
    problems = [
        Problem(source, None, col, "personuppgift som inte får finnas i underlaget: ta bort kolumnen")
        for col in df.columns
        if col in FORBIDDEN_COLUMNS
    ]
    df = df.copy(deep=False)
    for col in df.columns:
        s = df[col]
        if not isinstance(s.dtype, pd.CategoricalDtype):
            continue
        values = pd.Series(s.cat.categories, dtype="string")
        bad = _rows_where(s, values.str.contains("Ã|Â", regex=True, na=False).to_numpy())
        problems += [
            Problem(source, int(i) + 2, col, "blandad teckenkodning (UTF-8 och Windows-1252)", s[i]) for i in bad[:5]
        ]
        if col in THOUSANDS_POINT:
            point = values.str.fullmatch(r"\s*-?\d{1,3}(?:\.\d{3})+\s*").fillna(False).to_numpy(dtype=bool)
            problems += [
                Problem(
                    source,
                    int(i) + 2,
                    col,
                    "punkt mellan tusentalen eller ett decimaltal? Skriv 31400 eller 31 400 (decimaler med komma)",
                    s[i],
                )
                for i in _rows_where(s, point)[:5]
            ]
        if col in NUMERIC_COLUMNS:  # "1 393,5": spaces as thousands separators, decimal comma
            df[col] = map_categories(
                s,
                lambda v: (
                    v.astype("string")
                    .str.replace(r"[\s\u00a0\u202f]", "", regex=True)
                    .str.replace(",", ".", regex=False)
                    .astype(object)
                ),
            )
        if col == "manad":
            df[col] = map_categories(s, lambda v: v.astype(str).map(_month))
        if col in names and col != "manad":
            df[col], found = _names(s, values, source)
            problems += found
        if col == "person_id":
            looks = values.map(lambda v: isinstance(v, str) and bool(find_personnummer(v))).to_numpy(dtype=bool)
            problems += [
                Problem(source, int(i) + 2, "person_id", "ser ut som ett personnummer: använd pseudonyma id")
                for i in _rows_where(s, looks)[:5]
            ]
    return df, problems


def _names(s: pd.Series, values: pd.Series, source: str) -> tuple[pd.Series, list[Problem]]:
    """A name column with surrounding spaces removed; placeholders for missing values, and
    names that differ from another name only by such spaces, are problems."""
    text = values.astype(object).map(lambda v: v if isinstance(v, str) else str(v))
    problems = _lookalikes(s, text, source)
    nfc = text.map(lambda v: unicodedata.normalize("NFC", v))
    if (nfc != text).any():  # "Å" as A and a ring: the same name, one group
        s = map_categories(
            s, lambda v: v.astype(object).map(lambda x: unicodedata.normalize("NFC", x) if isinstance(x, str) else x)
        )
        text = pd.Series(s.cat.categories, dtype=object).map(lambda v: v if isinstance(v, str) else str(v))
    stripped = text.str.strip()
    placeholder = stripped.str.lower().isin(PLACEHOLDERS).to_numpy()
    clash = ((stripped != text) & stripped.isin(set(text))).to_numpy()
    if placeholder.any():
        problems += [
            Problem(
                source, int(i) + 2, s.name, "platshållare för saknat värde: lämna cellen tom eller ange namnet", s[i]
            )
            for i in _rows_where(s, placeholder)[:5]
        ]
    if clash.any():
        problems += [
            Problem(
                source,
                int(i) + 2,
                s.name,
                f"samma namn som {str(s[i]).strip()!r} men med mellanslag före eller efter: blir en egen grupp",
                s[i],
            )
            for i in _rows_where(s, clash)[:5]
        ]
    if (stripped == text).all():
        return s, problems
    return map_categories(s, lambda v: v.astype(object).map(lambda x: x.strip() if isinstance(x, str) else x)), problems


def _scripts(text: str) -> set[str]:
    """The scripts of text's letters (LATIN, CYRILLIC, GREEK, …), by Unicode name."""
    return {unicodedata.name(c, "?").split(" ")[0] for c in text if c.isalpha()}


def _lookalikes(s: pd.Series, text: pd.Series, source: str) -> list[Problem]:
    """Names that mix Latin letters with Cyrillic or Greek ones ("Аdministratör" with a
    Cyrillic А looks like its Latin twin and would become a group of its own), and names
    with control characters."""
    mixed = text.map(lambda v: len(_scripts(v) & {"LATIN", "CYRILLIC", "GREEK"}) > 1).to_numpy(dtype=bool)
    control = text.map(lambda v: any(unicodedata.category(c) in ("Cc", "Cf") for c in v)).to_numpy(dtype=bool)
    problems = [
        Problem(
            source,
            int(i) + 2,
            s.name,
            "blandar latinska och kyrilliska eller grekiska bokstäver (ser ut som ett annat namn)",
        )
        for i in _rows_where(s, mixed)[:5]
    ]
    problems += [
        Problem(source, int(i) + 2, s.name, "innehåller osynliga tecken eller styrtecken")
        for i in _rows_where(s, control & ~mixed)[:5]
    ]
    return problems


def _parse_dates(df: pd.DataFrame, schema, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Dates in the schema's date columns read as ISO 8601 (2015-01-05, 20150105, or with a
    time as Excel writes it); any other form (05.01.2015, 1/5/2015) is a problem of its row."""
    out, problems = df, []
    for name, column in schema.columns.items():
        if not str(column.dtype).startswith("datetime64") or name not in df:
            continue
        s = df[name]
        if not isinstance(s.dtype, pd.CategoricalDtype):
            continue
        values = pd.Series(s.cat.categories, dtype=object).map(lambda v: str(v).strip())
        iso = values.str.fullmatch(ISO_DATE).fillna(False).to_numpy(dtype=bool)
        timed = values.str.fullmatch(TIMESTAMP).fillna(False).to_numpy(dtype=bool) & ~iso
        parsed = pd.to_datetime(values.where(iso), format="ISO8601", errors="coerce")
        for i in _rows_where(s, timed)[:20]:
            rule = "ska vara ett datum (ÅÅÅÅ-MM-DD), inte en tidpunkt: vilken dag gäller?"
            problems.append(Problem(source, int(i) + 2, name, rule, s[i]))
        bad = _rows_where(s, parsed.isna().to_numpy() & ~timed)
        problems += [Problem(source, int(i) + 2, name, "ska vara ett datum (ÅÅÅÅ-MM-DD)", s[i]) for i in bad[:20]]
        codes = s.cat.codes.to_numpy()
        dates = pd.Series(pd.DatetimeIndex(parsed).take(codes, allow_fill=True, fill_value=pd.NaT), index=s.index)
        out = out.assign(**{name: dates.astype("datetime64[ns]")})
    return out, problems


def _fractions(df: pd.DataFrame, schema, source: str) -> list[Problem]:
    """Numbers with a fraction in the schema's integer columns (a year 2019.5 read from
    Excel or Parquet), which coercion would otherwise cut to 2019."""
    problems = []
    for name, column in schema.columns.items():
        if str(column.dtype) == "int64" and name in df and pd.api.types.is_float_dtype(df[name]):
            values = df[name]
            bad = df.index[(values.notna() & (values % 1 != 0)).to_numpy()]
            problems += [Problem(source, int(i) + 2, name, "ska vara ett heltal", values[i]) for i in bad[:20]]
    return problems


def _month(value: str) -> str:
    """YYYY-MM from the month formats exports use: 2025-01, 202501, 2025M01, 2025-01-31."""
    v = value.strip()
    for pattern in (r"^(\d{4})-(\d{2})$", r"^(\d{4})(\d{2})$", r"^(\d{4})M(\d{2})$", r"^(\d{4})-(\d{2})-\d{2}"):
        m = re.match(pattern, v)
        if m:
            return f"{m.group(1)}-{m.group(2)}"
    return v


def _parse_bools(df: pd.DataFrame, schema, source: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read yes/no text (True/False, ja/nej, 1/0) in the schema's bool columns."""
    out, problems = df, []
    for name, column in schema.columns.items():
        if str(column.dtype) == "bool" and name in df and isinstance(df[name].dtype, pd.CategoricalDtype):
            text = df[name].astype(object).fillna("").astype(str).str.strip().str.lower()
            bad = ~text.isin(_TRUE | _FALSE)
            problems += [Problem(source, int(i) + 2, name, "ska vara ja eller nej", df[name][i]) for i in df.index[bad]]
            out = out.assign(**{name: text.isin(_TRUE)})
    return out, problems


def check_fast(df: pd.DataFrame, schema) -> pd.DataFrame | None:
    """The coerced table if every rule of the schema holds, otherwise None.

    A categorical column is coerced and checked on its categories, which is exact for the
    checks pandera marks as determined by the unique values (ranges, allowed values, text
    patterns). Whatever this cannot decide returns None and goes to pandera."""
    if schema.strict or schema.unique or any(c.unique for c in schema.columns.values()):
        return None  # rules the schemas do not use; pandera decides
    coerce = schema.coerce
    out = {}
    for name, column in schema.columns.items():
        if name not in df:
            if column.required:
                return None
            continue
        s = df[name]
        categorical = isinstance(s.dtype, pd.CategoricalDtype)
        if categorical and not all(check.determined_by_unique for check in column.checks):
            return None
        values = pd.Series(s.cat.categories, dtype=object) if categorical else s
        missing = values.isna()
        if (coerce or column.coerce) and str(values.dtype) != str(column.dtype):
            try:
                coerced = column.dtype.try_coerce(values)
            except (pandera.errors.ParserError, ValueError, TypeError):
                return None
            if (coerced.isna() & ~missing).any():
                return None  # a value that did not survive coercion
        else:
            coerced = values
        present = coerced[~missing] if missing.any() else coerced
        if not all(bool(check(present).check_passed) for check in column.checks):
            return None
        if categorical:
            codes = s.cat.codes.to_numpy()
            missing = codes < 0
            coerced = pd.Series(pd.api.extensions.take(coerced.to_numpy(), codes, allow_fill=True), index=s.index)
        if missing.any() and not column.nullable:
            return None
        out[name] = coerced
    checked = pd.DataFrame({c: out[c] if c in out else _plain(df[c]) for c in df.columns}, index=df.index)
    if not all(_holds(check, checked) for check in schema.checks):
        return None
    return checked


def _holds(check, df: pd.DataFrame) -> bool:
    """Whether a table-level check holds on every row, evaluated directly: pandera's own
    call also scans the whole table for missing values after each check, which costs
    seconds on millions of rows. False (also where pandera would excuse a missing value)
    sends the table to pandera, which then decides."""
    fn = getattr(check, "_check_fn", None)
    if fn is None:
        return bool(check(df).check_passed)
    result = fn(df)
    return bool(np.all(result.to_numpy() if hasattr(result, "to_numpy") else result))


def _plain(s: pd.Series) -> pd.Series:
    """A column outside the contract as it was read: text as objects, not categories."""
    return s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s


_TYPE_NAMES = {
    "int64": "ett heltal",
    "float64": "ett tal",
    "datetime64[ns]": "ett datum (ÅÅÅÅ-MM-DD)",
    "bool": "ja eller nej",
    "str": "text",
}


def _rule(check: str) -> str:
    """A readable Swedish rule for a pandera check name."""
    for prefix in ("coerce_dtype('", "dtype('"):
        if check.startswith(prefix):
            return "ska vara " + _TYPE_NAMES.get(check[len(prefix) : -2], check[len(prefix) : -2])
    if check.startswith("in_range("):
        lo, hi = check[len("in_range(") : -1].split(", ")
        return f"ska ligga mellan {lo} och {hi}"
    if check.startswith("isin("):
        return "ska vara ett av " + check[len("isin(") : -1]
    replacements = {
        "greater_than(0)": "ska vara större än 0",
        "greater_than_or_equal_to(0)": "får inte vara negativt",
        "not_nullable": "saknar värde",
        "str_length(1, None)": "saknar värde",
    }
    if check.startswith("str_matches("):
        return "ska ha formen ÅÅÅÅ-MM"
    return replacements.get(check, check)


def failure_problems(cases: pd.DataFrame, source: str) -> list[Problem]:
    """Problems (file, Excel row, column, readable rule, value) from pandera's failure cases."""
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
        if column is None and ": " in rule:  # a rule across columns names its column first
            column, rule = rule.split(": ", 1)
            value = None
        key = (row, column, rule)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(source, row, column, rule, value if case.schema_context != "DataFrameSchema" else None))
    return problems
