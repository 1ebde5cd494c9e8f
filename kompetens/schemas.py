"""Data contracts (DESIGN §3) as pandera schemas: types, ranges and allowed values."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

ORSAKER = ("pension", "egen_begaran", "intern_rorlighet", "ovrigt")
ANSTALLNINGSFORMER = ("tillsvidare", "visstid")
KON = ("K", "M")
MANAD_REGEX = r"^\d{4}-(0[1-9]|1[0-2])$"


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
        "manadslon": pa.Column(float, pa.Check.ge(0)),
        "anstallningsdatum": pa.Column("datetime64[ns]"),
        "anstallningsform": pa.Column(str, pa.Check.isin(ANSTALLNINGSFORMER)),
        "chef": pa.Column(bool),
    },
    checks=[
        _rows(lambda df: (df["ar"] - df["fodelsear"]).between(15, 80), "ålder (ar - fodelsear) ska vara 15–80"),
        _rows(lambda df: ~df.duplicated(["person_id", "ar"], keep="first"), "samma person två gånger samma år"),
        _rows(lambda df: df["anstallningsdatum"].dt.year <= df["ar"], "anställningsdatum efter ögonblicksbildens år"),
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
    },
    checks=[
        _rows(lambda df: df["anstallningsdatum"] <= df["datum"] if "anstallningsdatum" in df else df["datum"].notna(),
              "avgång före anställningsdatum"),
        _rows(lambda df: df["datum"] <= pd.Timestamp.today().normalize(), "datum i framtiden"),
        _rows(lambda df: ~df.duplicated(["person_id", "datum", "orsak"]), "samma avgång två gånger"),
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
    checks=[_rows(lambda df: df["sjuk_tid"] <= df["schemalagd_tid"], "sjuk_tid större än schemalagd_tid")],
    coerce=True,
    strict=False,
)

BEFOLKNING = pa.DataFrameSchema(
    {
        "ar": pa.Column(int, pa.Check.in_range(1990, 2100)),
        "alder": pa.Column(int, pa.Check.in_range(0, 120)),
        "antal": pa.Column(float, pa.Check.ge(0)),
    },
    checks=[_rows(lambda df: ~df.duplicated(["ar", "alder"]), "samma år och ålder två gånger")],
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
    checks=[_rows(lambda df: ~df.duplicated(["ar", "yrkesgrupp"]), "samma år och yrkesgrupp två gånger")],
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
