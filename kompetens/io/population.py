"""The municipality's population forecast from the files users actually have, into the
`befolkning` contract: ar, alder (0–100, 100 = 100 and older), antal.

Accepted (nothing is fetched; every file is one the user saved):

- SCB's statistical database, PxWebApi 2 (and v1) as JSON-stat 2, or JSON-stat 1 with the
  dimensions needed: e.g. BE0401 (befolkningsframskrivning) with Region, Alder,
  InrikesUtrikes, Kon, ContentsCode and Tid.
- SCB's CSV downloads, long (one value column) or wide (one column per year), with or
  without the title line and the footnote block, comma or semicolon, UTF-8 or Windows-1252.
- The contract's own table (ar, alder, antal) and a purchased forecast as Excel, CSV or
  Parquet, with ages down and years across, years down and ages across, or long.

Every dimension other than age and year is reduced to its total: the category marked as
the elimination value, or one labelled as a total ("totalt", "inrikes och utrikes födda",
"män och kvinnor"). Kön without a total is summed (men + women partition the population);
any other dimension with several categories and no total, several regions, or several
measures (ContentsCode) are refused unless the measure is named. Ages above 100 ("105+ år",
101, …) are folded into 100; age classes wider than one year are refused.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from kompetens.errors import InputError, Problem
from kompetens.io.schemas import normalize_header

OLDEST = 100  # the contract's last age: 100 = 100 and older
FIRST_YEAR, LAST_YEAR = 1990, 2120  # SCB's forecast (BE0401) runs to 2120

#: Labels or codes of a dimension's total category.
_TOTAL = re.compile(
    r"^(totalt?|samtliga|tot\w*|1\+2|alla|inrikes och utrikes födda|män och kvinnor|kvinnor och män|both sexes)\b",
    re.I,
)
_AGE = re.compile(r"^\s*(\d{1,3})\s*(\+)?\s*(år)?\s*(\+)?\s*$", re.I)
_AGE_CLASS = re.compile(r"^\s*-?\s*(\d{1,3})?\s*[-–]\s*(\d{1,3})\s*(år)?\s*$", re.I)
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_AGE_HEADER = re.compile(r"^\d{1,3}\+?(_?ar)?\+?$")

ROLES = {
    "region": ("region", "kommun"),
    "alder": ("alder", "age", "alder_ar", "aldersklass"),
    "ar": ("tid", "ar", "year", "prognosar"),
    "kon": ("kon", "sex", "gender"),
    "innehall": ("contentscode", "tabellinnehall", "innehall"),
}
INSTEAD = (
    "Ladda ned tabellen från SCB:s statistikdatabas som JSON-stat 2 (PxWebApi 2, format json-stat2) "
    "eller som CSV, med ettåriga åldrar (t.ex. BE0401, Framskriven folkmängd efter region, ålder, kön och år)"
)


def _fail(source: str, rule: str, column: str | None = None, value=None, row: int | None = None):
    raise InputError(Problem(source, row, column, rule, value))


def _norm(name) -> str:
    return normalize_header(name)


def _role(name: str) -> str | None:
    key = _norm(name)
    for role, names in ROLES.items():
        if key in names or (role == "region" and key.startswith("region")):
            return role
    return None


def read_population(path: str | Path, innehall: str | None = None) -> pd.DataFrame:
    """The population forecast in `path` as ar, alder, antal (persons), one row per year and
    age; innehall names the measure (code or label) when the file holds several. Raises
    InputError, naming the file and what to download instead, for any file it cannot read."""
    path = Path(path)
    source = path.name
    try:
        if path.suffix.lower() == ".json":
            long, totals = _read_json(path, source)
        else:
            long, totals = _read_table(path, source)
        return _to_contract(long, totals, source, innehall)
    except InputError:
        raise
    except RecursionError:
        _fail(source, "kan inte läsas: för djupt nästlad JSON")
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, zipfile.BadZipFile) as exc:
        raise InputError(
            Problem(source, None, None, f"kan inte läsas som befolkningsprognos ({exc}). {INSTEAD}")
        ) from None


# -- JSON-stat ---------------------------------------------------------------------------


def _read_json(path: Path, source: str) -> tuple[pd.DataFrame, dict]:
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if isinstance(data, dict) and "columns" in data and "data" in data:
        _fail(source, f'PxWeb API v1:s format "json" saknar dimensionernas namn och totaler och läses inte. {INSTEAD}')
    if not isinstance(data, dict):
        _fail(source, f"ingen JSON-stat-datamängd. {INSTEAD}")
    if data.get("class") == "dataset" and "id" in data:  # JSON-stat 2
        return _jsonstat(data["id"], data["size"], data["dimension"], data["value"], source)
    sets = [v for k, v in data.items() if isinstance(v, dict) and "dimension" in v]
    if "dimension" in data:
        sets = [data]
    if len(sets) == 1 and "id" in sets[0]["dimension"]:  # JSON-stat 1
        dims = sets[0]["dimension"]
        ids = dims["id"]
        needed = {_role(dims[i].get("label", i)) or _role(i) for i in ids}
        if not {"alder", "ar"} <= needed:
            _fail(source, f"JSON-stat 1 utan dimensionerna ålder och år. {INSTEAD}")
        return _jsonstat(ids, dims["size"], dims, sets[0]["value"], source)
    _fail(source, f"ingen JSON-stat-datamängd. {INSTEAD}")


def _categories(dim: dict) -> tuple[list[str], list[str]]:
    """A JSON-stat dimension's category codes in index order, and their labels."""
    cat = dim["category"]
    index = cat.get("index")
    if index is None:
        codes = list(cat["label"])
    elif isinstance(index, list):
        codes = list(index)
    else:
        codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    labels = cat.get("label") or {}
    return [str(c) for c in codes], [str(labels.get(c, c)) for c in codes]


def _elimination(dim: dict) -> str | None:
    """The code PxWebApi marks as the dimension's elimination value (its total), if any."""
    ext = dim.get("extension") or {}
    for key in ("eliminationValueCode", "elimination_value_code", "eliminationValue"):
        if isinstance(ext.get(key), str):
            return ext[key]
    return None


def _jsonstat(ids, sizes, dims: dict, values, source: str) -> tuple[pd.DataFrame, dict]:
    """Every cell of a JSON-stat cube (row-major order) as one row: one column per
    dimension holding 'code|label', and the value."""
    cols, totals = {}, {}
    cats = []
    for dim_id, size in zip(ids, sizes, strict=True):
        codes, labels = _categories(dims[dim_id])
        if len(codes) != size:
            _fail(source, f"dimensionen {dim_id} har {len(codes)} kategorier men storleken {size}")
        cats.append([f"{c}|{lab}" for c, lab in zip(codes, labels, strict=True)])
        name = dims[dim_id].get("label", dim_id)
        cols[dim_id] = name
        elim = _elimination(dims[dim_id])
        if elim is not None and elim in codes:
            totals[dim_id] = f"{elim}|{labels[codes.index(elim)]}"
    n = int(np.prod(sizes)) if sizes else 0
    if isinstance(values, dict):  # sparse: {"position": value}
        dense = [None] * n
        for k, v in values.items():
            dense[int(k)] = v
        values = dense
    if len(values) != n:
        _fail(source, f"{len(values)} värden men {n} celler")
    frame = pd.DataFrame(list(itertools.product(*cats)), columns=list(ids))
    frame["antal"] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    frame.attrs["labels"] = cols
    return frame, totals


# -- CSV, Excel, Parquet -----------------------------------------------------------------


def _csv_text(path: Path) -> str:
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        import gzip

        raw = gzip.decompress(raw)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    # five bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are undefined in Windows-1252: not a text export
    raise InputError(Problem(str(path), None, None, "kan inte läsas: filen är varken UTF-8 eller Windows-1252"))


def _strip_scb_csv(text: str, source: str) -> str:
    """The table part of an SCB CSV download, as 'sep' + newline + table: the title line
    above the header and the footnote block after the data (from the first blank or
    single-field line on) are dropped."""

    def single(line: str) -> bool:  # blank, or one quoted field such as a title or a footnote
        return not line.strip() or bool(re.fullmatch(r'\s*"[^"]*"\s*', line))

    lines = [line for line in text.splitlines()]
    tabular = [line for line in lines[:10] if not single(line)]
    if not tabular:
        _fail(source, "filen har inga rader")
    sep = ";" if tabular[0].count(";") > tabular[0].count(",") else ","
    start = next(i for i, line in enumerate(lines) if not single(line))
    if lines[start].count(sep) == 0:
        _fail(source, "bara en kolumn: fel avgränsare? Använd komma eller semikolon", row=start + 1)
    end = start + 1
    while end < len(lines) and not single(lines[end]):
        end += 1
    return sep + "\n" + "\n".join(lines[start:end])


def _header_row(raw: pd.DataFrame) -> int:
    """The first row of a sheet that looks like a header (years across, or a known name)."""
    for i in range(min(len(raw), 30)):
        cells = [str(v) for v in raw.iloc[i] if pd.notna(v)]
        if sum(bool(_YEAR.match(c.split(".")[0])) for c in cells) >= 2 or any(_role(c) for c in cells):
            return i
    return 0


def _read_table(path: Path, source: str) -> tuple[pd.DataFrame, dict]:
    name = path.name.lower()
    if name.endswith(".parquet"):
        df = pd.read_parquet(path).astype(str)
    elif name.endswith(".xlsx"):
        raw = pd.read_excel(path, header=None, dtype=object)
        head = _header_row(raw)
        df = raw.iloc[head + 1 :].reset_index(drop=True)
        df.columns = [_header_text(v, i) for i, v in enumerate(raw.iloc[head])]
        df = df.dropna(how="all").dropna(axis=1, how="all").astype(object)
        df = df.map(lambda v: "" if pd.isna(v) else _header_text(v, 0))
    else:
        text = _strip_scb_csv(_csv_text(path), source)
        sep, text = text[0], text[2:]
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    if df.empty:
        _fail(source, "filen har inga rader")
    return _tidy(df, source), {}


def _header_text(value, position: int) -> str:
    """A cell as text: 2025.0 (Excel's numbers) as 2025; an empty header as its position."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return f"kolumn_{position + 1}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _numeric(s: pd.Series) -> pd.Series:
    """SCB's and Excel's numbers as floats: spaces as thousands separators, decimal comma,
    '..' (missing) as NaN."""
    text = s.astype(str).str.replace(r"[\s\u00a0]", "", regex=True).str.replace(",", ".")
    return pd.to_numeric(text.replace({"..": None, "": None, "-": None}), errors="coerce")


def _is_numeric(s: pd.Series) -> bool:
    filled = s.astype(str).str.strip()
    filled = filled[~filled.isin(["", "..", "-"])]
    return len(filled) > 0 and _numeric(filled).notna().all()


def _tidy(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """A sheet in long or wide form as one column per dimension plus antal."""
    df.columns = [str(c).strip() for c in df.columns]
    years = [c for c in df.columns if _YEAR.match(c)]
    ages = [c for c in df.columns if _AGE_HEADER.match(_norm(c)) and not _YEAR.match(c)]
    if len(years) >= 2 or (years and not any(_role(c) == "ar" for c in df.columns)):
        keys = [c for c in df.columns if c not in years]
        df = df.melt(id_vars=keys, value_vars=years, var_name="år", value_name="_varde")
        dims = [*keys, "år"]
    elif len(ages) >= 2:
        keys = [c for c in df.columns if c not in ages]
        df = df.melt(id_vars=keys, value_vars=ages, var_name="ålder", value_name="_varde")
        dims = [*keys, "ålder"]
    else:
        roles = [c for c in df.columns if _role(c) is not None]
        values = [c for c in df.columns if c not in roles and _is_numeric(df[c])]
        dims = [c for c in df.columns if c not in values]
        if not values:
            _fail(source, "ingen kolumn med antal")
        if len(values) > 1 and "antal" in {_norm(v) for v in values}:
            values = [next(v for v in values if _norm(v) == "antal")]
        df = df.melt(id_vars=dims, value_vars=values, var_name="innehåll", value_name="_varde")
        dims = [*dims, "innehåll"]
    # the one unnamed column beside the years (ages down, years across) is the age
    unnamed = [c for c in dims if _role(c) is None and c != "innehåll"]
    if not any(_role(c) == "alder" for c in dims) and len(unnamed) == 1:
        df = df.rename(columns={unnamed[0]: "ålder"})
        dims = [("ålder" if c == unnamed[0] else c) for c in dims]
    out = pd.DataFrame({c: df[c].astype(str).str.strip() for c in dims})
    out["antal"] = _numeric(df["_varde"])
    return out


# -- common ------------------------------------------------------------------------------


def _parts(value: str) -> tuple[str, str]:
    code, _, label = value.partition("|") if "|" in value else (value, "", value)
    return code, label


def _age(value: str, source: str, column: str) -> int | None:
    """'0 år', '0', '100+ år', '105+' -> 0, 0, 100, 100 (ages above 100 fold into 100);
    a total -> None; an age class wider than one year is refused."""
    code, label = _parts(value)
    for text in (label, code):
        if _TOTAL.match(text.strip()):
            return None
        found = _AGE.match(text)
        if found:
            return min(int(found.group(1)), OLDEST)
    for text in (label, code):
        found = _AGE_CLASS.match(text)
        if found:
            _fail(
                source,
                f"åldersklasser bredare än ett år ({label}) kan inte fördelas på ettåriga åldrar. {INSTEAD}",
                column,
                label,
            )
    _fail(source, "okänd ålder", column, label)


def _year(value: str) -> int | None:
    for text in _parts(value):
        found = _YEAR.match(text)
        if found:
            return int(found.group(1))
    return None


def _to_contract(long: pd.DataFrame, totals: dict, source: str, innehall: str | None) -> pd.DataFrame:
    labels = long.attrs.get("labels", {})
    dims = [c for c in long.columns if c != "antal"]
    role = {c: _role(c) or _role(labels.get(c, c)) for c in dims}
    age_col = next((c for c in dims if role[c] == "alder"), None)
    year_col = next((c for c in dims if role[c] == "ar"), None)
    if age_col is None or year_col is None:
        _fail(source, f"filen saknar {'ålder' if age_col is None else 'år'}. {INSTEAD}")
    for col in dims:
        if col in (age_col, year_col):
            continue
        values = long[col].unique()
        if len(values) == 1:
            continue
        name = labels.get(col, col)
        if role[col] == "innehall":
            if innehall is None:
                shown = ", ".join(_parts(v)[1] for v in values)
                _fail(source, f"filen har flera mått ({shown}); ange vilket som ska användas", name)
            keep = [v for v in values if innehall in _parts(v)]
            if not keep:
                _fail(source, "måttet finns inte i filen", name, innehall)
            long = long[long[col] == keep[0]]
            continue
        total = totals.get(col) or next((v for v in values if _TOTAL.match(_parts(v)[1].strip())), None)
        if total is None:
            total = next((v for v in values if _TOTAL.match(_parts(v)[0].strip())), None)
        if total is not None:
            long = long[long[col] == total]
        elif role[col] == "region":
            shown = ", ".join(_parts(v)[1] for v in values[:3])
            _fail(source, "filen har flera regioner; spara en kommun i taget", name, shown)
        elif role[col] != "kon":  # kön without a total is summed: men and women partition
            shown = ", ".join(_parts(v)[1] for v in values[:4])
            _fail(source, f"dimensionen har flera kategorier och ingen total ({shown}); välj totalen", name)
    ages = {v: _age(v, source, labels.get(age_col, age_col)) for v in long[age_col].unique()}
    years = {v: _year(v) for v in long[year_col].unique()}
    bad = [v for v, y in years.items() if y is None or not FIRST_YEAR <= y <= LAST_YEAR]
    if bad:
        _fail(
            source,
            f"år ska vara fyra siffror {FIRST_YEAR}–{LAST_YEAR}",
            labels.get(year_col, year_col),
            _parts(bad[0])[1],
        )
    out = pd.DataFrame(
        {"ar": long[year_col].map(years), "alder": long[age_col].map(ages), "antal": long["antal"].to_numpy()}
    )
    out = out.dropna(subset=["alder"])
    if out.empty:
        _fail(source, "filen har inga rader")
    out["ar"], out["alder"] = out["ar"].astype(int), out["alder"].astype(int)
    return out.groupby(["ar", "alder"], as_index=False)["antal"].sum(min_count=1)
