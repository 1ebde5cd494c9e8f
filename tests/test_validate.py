"""The fast check on distinct values must accept exactly what pandera accepts, and return
the same table; failures still get pandera's explanation."""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import pandas as pd
import pandera.errors
import pytest
from hypothesis import given, settings

from kompetens import InputError, demo_dir, validate_table
from kompetens.io.load import find_file, read_table
from kompetens.io.schemas import HEADER_ALIASES, TABLES
from kompetens.io.validate import _parse_bools, _prepare, as_categories, check_fast, map_categories, renamed


def _prepared(df: pd.DataFrame, table: str) -> pd.DataFrame:
    schema = TABLES[table][0]
    df, problems = _prepare(as_categories(renamed(df, HEADER_ALIASES[table])), "t")
    df, more = _parse_bools(df, schema, "t")
    assert not problems + more
    return df


def _pandera(df: pd.DataFrame, table: str) -> pd.DataFrame:
    plain = pd.DataFrame(
        {c: df[c].astype(object) if isinstance(df[c].dtype, pd.CategoricalDtype) else df[c] for c in df.columns}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return TABLES[table][0].validate(plain, lazy=True)


@pytest.mark.parametrize("table", ["personal", "avgangar", "franvaro", "befolkning", "kostnader"])
def test_fast_check_returns_what_pandera_returns_on_the_demo(table):
    df = _prepared(read_table(find_file(demo_dir(), table)), table)
    fast = check_fast(df, TABLES[table][0])
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _pandera(df, table))


def test_parquet_and_csv_give_the_same_validated_table(tmp_path):
    raw = read_table(demo_dir() / "personal.csv")
    assert all(isinstance(t, pd.CategoricalDtype) for t in raw.dtypes)  # no string object per cell
    csv = validate_table(raw, "personal", "personal.csv")
    csv.to_parquet(tmp_path / "personal.parquet")
    parquet = read_table(tmp_path / "personal.parquet")
    assert isinstance(parquet["yrkesgrupp"].dtype, pd.CategoricalDtype)  # read as dictionary, not as 10⁵ strings
    pd.testing.assert_frame_equal(validate_table(parquet, "personal", "personal.parquet"), csv)


def test_formats_that_mean_the_same_value_become_one_category():
    s = as_categories(pd.DataFrame({"manad": ["202501", "2025M01", "2025-01", None, "2025-02-28"]}))["manad"]
    months = map_categories(s, lambda v: v.map(lambda m: m[:4] + "-" + m[-2:] if len(m) in (6, 7) else m[:7]))
    assert list(months.cat.categories) == ["2025-01", "2025-02"]
    assert months.astype(object).tolist()[:3] == ["2025-01"] * 3 and pd.isna(months[3])


def test_a_bad_distinct_value_is_reported_on_every_row_that_has_it():
    rows = pd.DataFrame(
        {
            "manad": ["2025-01", "2025-13", "2025-01", "2025-13"],
            "schemalagd_tid": ["160"] * 4,
            "sjuk_tid": ["8", "0", "1 000", "0"],
        }
    )
    with pytest.raises(InputError) as err:
        validate_table(rows, "franvaro", "franvaro.csv")
    found = sorted((p.row, p.column) for p in err.value.problems)
    # Excel rows 3 and 5 have the impossible month; row 4 has more sick hours than scheduled
    assert found == [(3, "manad"), (4, "sjuk_tid"), (5, "manad")]


_VALID = {
    "ar": ["2024", "2025"],
    "forvaltning": ["Äldreomsorg", "IFO"],
    "enhet": ["Enhet 1", "Enhet 2"],
    "yrkesgrupp": ["Sjuksköterska", "Socialsekreterare"],
    "fodelsear": ["1960", "1985", "1 990"],
    "kon": ["K", "M"],
    "sysselsattningsgrad": ["1", "0,75", "0.5"],
    "manadslon": ["31 000", "28500,5"],
    "anstallningsdatum": ["2010-01-01", "2015-06-30"],
    "anstallningsform": ["tillsvidare", "visstid"],
    "chef": ["ja", "nej", "False"],
}
_BAD = ["", None, "0", "-1", "2025-02-30", "X", "1,2,3", "2101", "1,5"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.fixed_dictionaries({c: st.sampled_from(v) for c, v in _VALID.items()}), min_size=1, max_size=8),
    st.lists(
        st.tuples(
            st.integers(0, 7), st.sampled_from(["person_id", *sorted(set(_VALID) - {"chef"})]), st.sampled_from(_BAD)
        ),
        max_size=2,
    ),
)
def test_fast_check_accepts_exactly_what_pandera_accepts(rows, corruptions):
    """Valid registers with zero to two corrupted cells: the fast check must return pandera's
    table when pandera accepts, and must never accept what pandera rejects."""
    df = pd.DataFrame(rows, dtype=object)
    df.insert(0, "person_id", [f"A{i}" for i in range(len(df))])
    for i, column, value in corruptions:
        df.loc[i % len(df), column] = value
    df = _prepared(df, "personal")
    fast = check_fast(df, TABLES["personal"][0])
    try:
        expected = _pandera(df, "personal")
    except pandera.errors.SchemaErrors:
        assert fast is None
        return
    assert fast is not None
    pd.testing.assert_frame_equal(fast, expected)


def test_numeric_person_ids_are_read_as_text_and_checked_for_personnummer():
    df = read_table(demo_dir() / "personal.csv").iloc[:20].astype(object).reset_index(drop=True)
    ids = pd.Series(range(20), dtype="int64")
    assert validate_table(df.assign(person_id=ids), "personal", "p.parquet")["person_id"].tolist()[:3] == [
        "0",
        "1",
        "2",
    ]
    ids[3] = 198001011234
    with pytest.raises(InputError) as err:
        validate_table(df.assign(person_id=ids), "personal", "p.parquet")
    assert [(p.row, p.column) for p in err.value.problems] == [(5, "person_id")]  # header is row 1
