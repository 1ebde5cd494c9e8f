"""Descriptive definitions on a small hand-made register; expected numbers by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kompetens.models import staff
from kompetens.privacy.suppression import SUPPRESSED


def _personal():
    rows = []
    # 2025: 6 nurses (ages 25, 35, 45, 55, 62, 64) and 5 administrators (31, 32, 33, 41, 42)
    for i, age in enumerate([25, 35, 45, 55, 62, 64]):
        rows.append((f"s{i}", 2025, "Sjuksköterska", 2025 - age, 1.0 if i % 2 == 0 else 0.5))
    for i, age in enumerate([31, 32, 33, 41, 42]):
        rows.append((f"a{i}", 2025, "Administratör", 2025 - age, 0.8))
    # 2024: 4 nurses
    for i in range(4):
        rows.append((f"s{i}", 2024, "Sjuksköterska", 1990, 1.0))
    return pd.DataFrame(rows, columns=["person_id", "ar", "yrkesgrupp", "fodelsear", "sysselsattningsgrad"])


def test_staff_summary_by_hand():
    s = staff.staff_summary(_personal(), 2025, k=5)
    nurses = s.loc["Sjuksköterska"]
    assert nurses["antal"] == 6
    assert nurses["arsarbetare"] == pytest.approx(3 * 1.0 + 3 * 0.5)
    assert nurses["medelalder"] == pytest.approx((25 + 35 + 45 + 55 + 62 + 64) / 6)
    # 2 of 6 nurses are 60+, fewer than k = 5 persons: suppressed
    assert math.isnan(nurses["andel_60_plus"])
    assert s.loc["Administratör", "andel_60_plus"] == 0.0
    assert s.loc["Totalt", "antal"] == 11
    assert s.loc["Totalt", "sysselsattningsgrad"] == pytest.approx((4.5 + 4.0) / 11)
    # with k = 2 the nurses' share shows
    assert staff.staff_summary(_personal(), 2025, k=2).loc["Sjuksköterska", "andel_60_plus"] == pytest.approx(2 / 6)


def test_staff_by_group_age_by_hand():
    # counts: nurses [1, 1, 1, 1, 2 | 6], administrators [0, 3, 2, 0, 0 | 5], total [1, 4, 3, 1, 2 | 11].
    # With k = 2 the ones are hidden; columns 30–39 and 40–49 then each need a second
    # hidden cell, the administrators' (3 and 2); every other line already has two.
    t = staff.staff_by_group_age(_personal(), 2025, k=2)
    assert list(t.columns) == ["–29", "30–39", "40–49", "50–59", "60–", "Totalt"]
    assert t.loc["Sjuksköterska"].tolist() == [SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, 2, 6]
    assert t.loc["Administratör"].tolist() == [0, SUPPRESSED, SUPPRESSED, 0, 0, 5]
    assert t.loc["Totalt"].tolist() == [SUPPRESSED, 4, 3, SUPPRESSED, 2, 11]


def test_headcount_by_year_hides_small_counts_and_their_totals():
    h = staff.headcount_by_year(_personal(), k=5)
    # 2024: 4 nurses and no one else, so the year's total (4) is hidden as well
    assert math.isnan(h.loc["Sjuksköterska", 2024]) and math.isnan(h.loc["Totalt", 2024])
    assert h.loc["Sjuksköterska", 2025] == 6 and h.loc["Administratör", 2025] == 5
    assert h.loc["Totalt", 2025] == 11


def test_sick_leave_share_is_hours_over_scheduled_hours():
    f = pd.DataFrame(
        {
            "person_id": list("abcdefabcdef"),
            "manad": ["2024-01"] * 6 + ["2025-01"] * 6,
            "schemalagd_tid": [100.0] * 12,
            "sjuk_tid": [0, 10, 0, 0, 5, 15, 20, 0, 0, 0, 0, 4],
        }
    )
    share = staff.sick_leave_by_year(f, k=5)
    assert share[2024] == pytest.approx(30 / 600)
    assert share[2025] == pytest.approx(24 / 600)
    assert math.isnan(staff.sick_leave_by_year(f, k=7)[2024])


def test_exits_by_year_counts_reasons_and_hides_what_totals_would_reveal():
    a = pd.DataFrame(
        {
            "datum": pd.to_datetime(["2024-03-01"] * 12 + ["2025-01-01"] * 5),
            "orsak": ["pension"] * 5 + ["ovrigt"] + ["egen_begaran"] * 6 + ["pension"] * 5,
        }
    )
    e = staff.exits_by_year(a, k=5)
    # 2024: egen_begaran 6, ovrigt 1 (hidden), pension 5, total 12. The total is published,
    # so the smallest other cell of the year (pension 5) is hidden too.
    assert e.loc["egen_begaran", 2024] == 6 and e.loc["Totalt", 2024] == 12
    assert math.isnan(e.loc["ovrigt", 2024]) and math.isnan(e.loc["pension", 2024])
    # 2025 has no small cell: nothing hidden, and years are not linked to each other
    assert e.loc["pension", 2025] == 5 and e.loc["Totalt", 2025] == 5


def test_population_change_by_band():
    b = pd.DataFrame({"ar": [2025, 2025, 2030, 2030], "alder": [10, 85, 10, 85], "antal": [100, 50, 110, 60]})
    change = staff.population_change(b, 2025, 2030)
    assert change["Totalt"] == pytest.approx(170 / 150 - 1)
    assert change["80+"] == pytest.approx(0.2)
    assert change["0–17"] == pytest.approx(0.1)


def test_population_by_band_partitions_the_forecast(demo):
    from kompetens.models.staff import population_by_band

    table = population_by_band(demo.befolkning, 2025, 2030)
    assert list(table.columns) == list(range(2025, 2031))
    assert list(table.index) == ["0–17", "18–64", "65–79", "80+", "Totalt"]
    by_year = demo.befolkning.groupby("ar")["antal"].sum()
    for year in range(2025, 2031):
        assert table.loc["Totalt", year] == by_year[year] == table[year].iloc[:4].sum()
    old = demo.befolkning[(demo.befolkning["ar"] == 2030) & (demo.befolkning["alder"] >= 80)]["antal"].sum()
    assert table.loc["80+", 2030] == old
