"""Readers for files users save from SCB and Kolada (nothing is fetched at run time).

- SCB's population forecast (BE0401) as JSON-stat 2 (read with pyjstat) or as the CSV that
  the statistical database downloads, in long or wide (one column per year) form, into the
  `befolkning` contract: ar, alder (0–100, 100 = 100+), antal, summed over kön.
- A saved Kolada API response (`/v2/data/kpi/...`) into kpi, kommun, ar, kon, varde.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd

from kompetens.errors import InputError, Problem

_TOTAL = re.compile(r"^(totalt|total|samtliga|1\+2|tot)", re.I)


def _age(label: str) -> int | None:
    """'0 år' -> 0, '100+ år' -> 100, '100+' -> 100; totals -> None."""
    text = str(label).strip()
    if _TOTAL.match(text):
        return None
    found = re.match(r"^(\d+)", text)
    return int(found.group(1)) if found else None


def _to_contract(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """Columns region?, alder, kon?, ar, antal (labels or codes) -> ar, alder, antal."""
    cols = {c.lower(): c for c in df.columns}
    region = next((cols[c] for c in cols if c.startswith("region")), None)
    if region is not None and df[region].nunique() > 1:
        raise InputError(
            Problem(
                source,
                None,
                region,
                "filen har flera regioner; spara en kommun i taget",
                ", ".join(map(str, df[region].unique()[:3])),
            )
        )
    sex = next((cols[c] for c in cols if c in ("kon", "kön", "sex")), None)
    if sex is not None:
        totals = df[sex].astype(str).str.match(_TOTAL)
        df = df[totals] if totals.any() else df
    age_col = next(cols[c] for c in cols if c in ("alder", "ålder", "age"))
    year_col = next(cols[c] for c in cols if c in ("tid", "ar", "år", "year"))
    out = pd.DataFrame(
        {
            "ar": df[year_col].astype(str).str[:4],
            "alder": df[age_col].map(_age),
            "antal": pd.to_numeric(df["antal"], errors="coerce"),
        }
    )
    bad = out["ar"].str.fullmatch(r"\d{4}") == False  # noqa: E712
    if bad.any():
        i = out.index[bad][0]
        raise InputError(Problem(source, int(i) + 2, year_col, "år ska vara fyra siffror", df.at[i, year_col]))
    out = out.dropna(subset=["alder"])
    out["ar"], out["alder"] = out["ar"].astype(int), out["alder"].astype(int)
    return out.groupby(["ar", "alder"], as_index=False)["antal"].sum()


def read_scb_jsonstat(path: str | Path) -> pd.DataFrame:
    """An SCB JSON-stat 2 file of the population (forecast) by age (and kön) and year."""
    from pyjstat import pyjstat

    path = Path(path)
    try:
        with warnings.catch_warnings():  # pyjstat warns about its own internals
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = pyjstat.Dataset.read(path.read_text(encoding="utf-8-sig"))
            df = dataset.write("dataframe", naming="id")
            labels = dataset.write("dataframe", naming="label")
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise InputError(Problem(path.name, None, None, f"kan inte läsas som JSON-stat: {exc}")) from None
    df = df.rename(columns={"value": "antal"})
    age_id = next(c for c in df.columns if c.lower() in ("alder", "ålder", "age"))
    age_label = labels.columns[list(df.columns).index(age_id)]
    df[age_id] = labels[age_label]  # "0 år" … "100+ år"
    return _to_contract(df, path.name)


def read_scb_csv(df: pd.DataFrame, source: str) -> pd.DataFrame:
    """The CSV from SCB's statistical database, long (one value column) or wide (one column
    per year), with headers already normalised (ålder -> alder)."""
    years = [c for c in df.columns if re.fullmatch(r"\d{4}", str(c))]
    if years:
        keys = [c for c in df.columns if c not in years]
        df = df.melt(id_vars=keys, value_vars=years, var_name="ar", value_name="antal")
    elif "antal" not in df:
        value = [c for c in df.columns if c not in ("region", "alder", "kon", "ar", "tid")]
        df = df.rename(columns={value[-1]: "antal"})
    df["antal"] = df["antal"].astype(str).str.replace(r"[\s\u00a0]", "", regex=True).str.replace(",", ".")
    return _to_contract(df, source)


def looks_like_scb(df: pd.DataFrame) -> bool:
    """True for SCB's own shape: ages written '0 år' or one column per year."""
    if any(re.fullmatch(r"\d{4}", str(c)) for c in df.columns):
        return True
    return "alder" in df and df["alder"].astype(str).str.contains("år|\\+", regex=True).any()


def read_kolada(path: str | Path) -> pd.DataFrame:
    """A saved Kolada API response: one row per kpi, kommun, ar and kon (T, K, M)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        rows = [
            {
                "kpi": item["kpi"],
                "kommun": str(item["municipality"]),
                "ar": int(item["period"]),
                "kon": v.get("gender", "T"),
                "varde": v.get("value"),
            }
            for item in data["values"]
            for v in item["values"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(Problem(path.name, None, None, f"kan inte läsas som ett Kolada-svar: {exc}")) from None
    return pd.DataFrame(rows, columns=["kpi", "kommun", "ar", "kon", "varde"])


#: The Kolada KPIs the report compares with, and what in the report they match.
KOLADA_KPI = {
    "N00090": ("Sjukfrånvaro, kommunalt anställda (%)", "sjukfranvaro"),
    "N00216": ("Personalomsättning, tillsvidareanställda (%)", "personalomsattning"),
}
RIKET = "0000"


def kolada_comparison(kolada: pd.DataFrame, figures: dict) -> dict:
    """Per known KPI, its latest year: the municipality's and the country's value (%) and
    the report's own figure for that year when it has one."""
    out = {}
    total = kolada[kolada["kon"] == "T"]
    for kpi, (label, key) in KOLADA_KPI.items():
        rows = total[total["kpi"] == kpi]
        if rows.empty:
            continue
        year = int(rows["ar"].max())
        rows = rows[rows["ar"] == year]
        local = rows[rows["kommun"] != RIKET]["varde"]
        country = rows[rows["kommun"] == RIKET]["varde"]
        ours = (figures.get(key) or {}).get(str(year))
        out[kpi] = {
            "namn": label,
            "ar": year,
            "kommun": float(local.iloc[0]) if len(local) else None,
            "riket": float(country.iloc[0]) if len(country) else None,
            "rapport": None if ours is None else 100 * ours,
        }
    return out
