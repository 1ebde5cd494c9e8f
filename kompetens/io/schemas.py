"""Data contracts (DESIGN §3) as pandera schemas: types, ranges and allowed values."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pandera.pandas as pa

#: okand: an exit derived from consecutive snapshots without an exit list (cause unknown)
ORSAKER = ("pension", "egen_begaran", "intern_rorlighet", "ovrigt", "okand")
ANSTALLNINGSFORMER = ("tillsvidare", "visstid")
KON = ("K", "M")
MANAD_REGEX = r"^\d{4}-(0[1-9]|1[0-2])$"
#: Limits that no real record exceeds (errors); plausible ranges that may be exceeded are
#: warnings (kompetens.io.validate.WARN_LIMITS).
MAX_MANADSLON = 1_000_000  # kr a month
HOURS_IN_MONTH = 31 * 24  # one person's scheduled hours in a month cannot exceed them
MIN_HIRE_AGE = 13  # youngest age for light work (Arbetsmiljöverket AFS 2012:3, minderåriga)
FIRST_DATE = pd.Timestamp("1990-01-01")  # the first snapshot year the contracts accept


def _today() -> pd.Timestamp:
    return pd.Timestamp.today().normalize()


def _hours(df: pd.DataFrame, column: str) -> pd.Series:
    """An optional hours column, 0 where it is missing."""
    return df[column].fillna(0) if column in df else pd.Series(0.0, index=df.index)


def _first_of_pair(df: pd.DataFrame, a: str, b: str) -> pd.Series:
    """True on the first row of each (a, b) pair; as ~df.duplicated([a, b]), but pairs of
    integer codes are hashed instead of pairs of strings (millions of person-months)."""
    codes_a, codes_b = pd.factorize(df[a])[0].astype("int64"), pd.factorize(df[b])[0].astype("int64")
    return ~pd.Series(codes_a * (codes_b.max() + 2) + codes_b, index=df.index).duplicated()


def _not_after(months: pd.Series, last: str) -> pd.Series:
    """True where a YYYY-MM month (text, or categories of text) is not after last."""
    if isinstance(months.dtype, pd.CategoricalDtype):
        ok = np.append(np.asarray(months.cat.categories.astype(str) <= last), True)
        codes = months.cat.codes.to_numpy()
        return pd.Series(ok[np.where(codes >= 0, codes, len(ok) - 1)], index=months.index)
    return months <= last


def _first_differs(df: pd.DataFrame, key: str, column: str) -> pd.Series:
    """True on rows whose column differs from the key's first row."""
    return df[column] != df.groupby(key, observed=True)[column].transform("first")


def _text(**kw):
    return pa.Column(str, pa.Check.str_length(min_value=1), **kw)


def _rows(check_fn, error):
    """A table-level check that reports the offending rows, not just the table."""
    return pa.Check(check_fn, element_wise=False, error=error)


PERSONAL = pa.DataFrameSchema(
    {
        "person_id": _text(),
        "ar": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "forvaltning": _text(),
        "enhet": _text(),
        "yrkesgrupp": _text(),
        "fodelsear": pa.Column(int, pa.Check.in_range(1900, 2100)),
        "kon": pa.Column(str, pa.Check.isin(KON)),
        "sysselsattningsgrad": pa.Column(float, pa.Check.in_range(0, 1, include_min=False)),
        "manadslon": pa.Column(float, pa.Check.gt(0)),
        "anstallningsdatum": pa.Column("datetime64[ns]"),
        "anstallningsform": pa.Column(str, pa.Check.isin(ANSTALLNINGSFORMER)),
        "chef": pa.Column(bool),
        "behorig": pa.Column(bool, required=False),  # has the qualification the work requires
        # True: the employment began before the first snapshot, on an unknown date (left-censored)
        "anstallningsdatum_okand": pa.Column(bool, required=False),
    },
    checks=[
        _rows(
            lambda df: (df["ar"] - df["fodelsear"]).between(15, 80), "fodelsear: ålder (ar - fodelsear) ska vara 15–80"
        ),
        _rows(
            lambda df: ~df.duplicated(["person_id", "ar"], keep="first"), "person_id: samma person två gånger samma år"
        ),
        _rows(
            lambda df: df["anstallningsdatum"].dt.year <= df["ar"],
            "anstallningsdatum: anställningsdatum efter ögonblicksbildens år",
        ),
        _rows(
            lambda df: df["anstallningsdatum"].dt.year >= df["fodelsear"] + MIN_HIRE_AGE,
            f"anstallningsdatum: anställd innan personen fyllt {MIN_HIRE_AGE} (fodelsear + {MIN_HIRE_AGE})",
        ),
        _rows(lambda df: df["ar"] <= _today().year, "ar: år i framtiden"),
        _rows(
            lambda df: df["manadslon"] <= MAX_MANADSLON,
            f"manadslon: orimligt hög månadslön (över {MAX_MANADSLON:,} kr)".replace(",", " "),
        ),
        _rows(
            lambda df: ~_first_differs(df, "person_id", "fodelsear"),
            "fodelsear: födelseår skiljer sig från personens tidigare rad",
        ),
    ],
    coerce=True,
    strict=False,
)

AVGANGAR = pa.DataFrameSchema(
    {
        "person_id": _text(),
        "datum": pa.Column("datetime64[ns]"),
        "forvaltning": _text(),
        "yrkesgrupp": _text(),
        "orsak": pa.Column(str, pa.Check.isin(ORSAKER)),
        "enhet": _text(required=False),
        "anstallningsdatum": pa.Column("datetime64[ns]", required=False),
        "anstallningsform": pa.Column(str, pa.Check.isin(ANSTALLNINGSFORMER), required=False),
        "fodelsear": pa.Column(int, pa.Check.in_range(1900, 2100), required=False),
        "kon": pa.Column(str, pa.Check.isin(KON), required=False),
        "anstallningsdatum_okand": pa.Column(bool, required=False),
    },
    checks=[
        _rows(
            lambda df: df["anstallningsdatum"] <= df["datum"] if "anstallningsdatum" in df else df["datum"].notna(),
            "datum: avgång före anställningsdatum",
        ),
        _rows(lambda df: df["datum"] <= _today(), "datum: datum i framtiden"),
        _rows(lambda df: df["datum"] >= FIRST_DATE, f"datum: datum före {FIRST_DATE.year}"),
        _rows(lambda df: ~df.duplicated(["person_id", "datum", "orsak"]), "person_id: samma avgång två gånger"),
        _rows(
            lambda df: ~df.duplicated(["person_id", "datum"]) | df.duplicated(["person_id", "datum", "orsak"]),
            "person_id: två avgångar samma dag",
        ),
    ],
    coerce=True,
    strict=False,
)

FRANVARO = pa.DataFrameSchema(
    {
        "person_id": _text(required=False),
        "manad": pa.Column(str, pa.Check.str_matches(MANAD_REGEX)),
        "schemalagd_tid": pa.Column(float, pa.Check.gt(0)),
        "sjuk_tid": pa.Column(float, pa.Check.ge(0)),
        "sjuk_kort": pa.Column(float, pa.Check.ge(0), required=False),
        "sjuk_lang": pa.Column(float, pa.Check.ge(0), required=False),
        "fodelsear": pa.Column(int, pa.Check.in_range(1900, 2100), required=False),
        "kon": pa.Column(str, pa.Check.isin(KON), required=False),
    },
    checks=[
        _rows(lambda df: df["sjuk_tid"] <= df["schemalagd_tid"], "sjuk_tid: sjuk_tid större än schemalagd_tid"),
        _rows(
            lambda df: _hours(df, "sjuk_kort") + _hours(df, "sjuk_lang") <= df["sjuk_tid"] + 1e-9,
            "sjuk_kort: sjuk_kort + sjuk_lang större än sjuk_tid",
        ),
        _rows(lambda df: _not_after(df["manad"], _today().strftime("%Y-%m")), "manad: månad i framtiden"),
        _rows(
            lambda df: _first_of_pair(df, "person_id", "manad") if "person_id" in df else df["manad"].notna(),
            "person_id: samma person två gånger samma månad",
        ),
        _rows(
            lambda df: df["schemalagd_tid"] <= HOURS_IN_MONTH if "person_id" in df else df["manad"].notna(),
            f"schemalagd_tid: fler timmar än en månad har ({HOURS_IN_MONTH})",
        ),
    ],
    coerce=True,
    strict=False,
)

BEFOLKNING = pa.DataFrameSchema(
    {
        "ar": pa.Column(int, pa.Check.in_range(1990, 2120)),  # SCB's forecast runs to 2120
        "alder": pa.Column(int, pa.Check.in_range(0, 100)),  # 100 = 100 and older
        "antal": pa.Column(float, pa.Check.ge(0)),
    },
    checks=[_rows(lambda df: ~df.duplicated(["ar", "alder"]), "alder: samma år och ålder två gånger")],
    coerce=True,
    strict=False,
)

KOSTNADER = pa.DataFrameSchema(
    {
        "manad": pa.Column(str, pa.Check.str_matches(MANAD_REGEX)),
        "forvaltning": _text(),
        "lonekostnad": pa.Column(float, pa.Check.ge(0)),
        "hyrpersonal": pa.Column(float, pa.Check.ge(0)),
    },
    coerce=True,
    strict=False,
)

PERSONALBEHOV_EXTERN = pa.DataFrameSchema(
    {
        "ar": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "yrkesgrupp": _text(),
        "personalbehov": pa.Column(float, pa.Check.ge(0)),
        "rekryteringsbehov": pa.Column(float, pa.Check.ge(0), required=False, nullable=True),
    },
    checks=[_rows(lambda df: ~df.duplicated(["ar", "yrkesgrupp"]), "yrkesgrupp: samma år och yrkesgrupp två gånger")],
    coerce=True,
    strict=False,
)

#: Each input table: its schema and whether a data folder must have it.
TABLES = {
    "personal": (PERSONAL, True),
    "avgangar": (AVGANGAR, True),
    "franvaro": (FRANVARO, True),
    "befolkning": (BEFOLKNING, True),
    "kostnader": (KOSTNADER, False),
}


#: Header names common in Swedish HR-system and SCB exports, after normalisation (lower
#: case, å/ä/ö folded, spaces as _), and the contract's name they stand for.
HEADER_ALIASES = {
    "personal": {
        "anstallningsnummer": "person_id",
        "anst_nr": "person_id",
        "anstnr": "person_id",
        "pseudonym": "person_id",
        "id": "person_id",
        "year": "ar",
        "ar_": "ar",
        "forvaltning_namn": "forvaltning",
        "organisation": "forvaltning",
        "enhet_namn": "enhet",
        "arbetsplats": "enhet",
        "befattningsgrupp": "yrkesgrupp",
        "yrke": "yrkesgrupp",
        "fodelse_ar": "fodelsear",
        "fodd_ar": "fodelsear",
        "kon_kod": "kon",
        "syssgrad": "sysselsattningsgrad",
        "syss_grad": "sysselsattningsgrad",
        "tjanstgoringsgrad": "sysselsattningsgrad",
        "grundlon": "manadslon",
        "manadslon_kr": "manadslon",
        "lon": "manadslon",
        "anst_datum": "anstallningsdatum",
        "startdatum": "anstallningsdatum",
        "anst_form": "anstallningsform",
        "chefsbefattning": "chef",
        "ar_chef": "chef",
    },
    "avgangar": {
        "anstallningsnummer": "person_id",
        "anst_nr": "person_id",
        "anstnr": "person_id",
        "slutdatum": "datum",
        "avgangsdatum": "datum",
        "slutade": "datum",
        "avgangsorsak": "orsak",
        "slutorsak": "orsak",
        "forvaltning_namn": "forvaltning",
        "befattningsgrupp": "yrkesgrupp",
        "yrke": "yrkesgrupp",
        "anst_datum": "anstallningsdatum",
        "startdatum": "anstallningsdatum",
        "anst_form": "anstallningsform",
        "fodelse_ar": "fodelsear",
    },
    "franvaro": {
        "anstallningsnummer": "person_id",
        "anst_nr": "person_id",
        "period": "manad",
        "manad_ar": "manad",
        "schematid": "schemalagd_tid",
        "schemalagd_tid_timmar": "schemalagd_tid",
        "ordinarie_tid": "schemalagd_tid",
        "sjuktimmar": "sjuk_tid",
        "sjukfranvaro_timmar": "sjuk_tid",
        "sjuk_dag_1_14": "sjuk_kort",
        "sjuk_dag_60_": "sjuk_lang",
        "fodelse_ar": "fodelsear",
    },
    "befolkning": {"tid": "ar", "year": "ar", "alder_ar": "alder", "folkmangd": "antal", "personer": "antal"},
    "kostnader": {
        "period": "manad",
        "lonekostnader": "lonekostnad",
        "inhyrd_personal": "hyrpersonal",
        "bemanningsforetag": "hyrpersonal",
    },
}

#: Column names that must never be in an input: the data carries pseudonymous ids only.
FORBIDDEN_COLUMNS = ("personnummer", "pnr", "personnr", "namn", "fornamn", "efternamn", "fodelsedatum")


def normalize_header(name: str) -> str:
    """Header as matched against the contracts: lower case, å/ä/ö folded, spaces as _."""
    text = unicodedata.normalize("NFKD", str(name).strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return "_".join(text.split())
