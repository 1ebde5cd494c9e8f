"""Competence, managers, agency staff and the activity plan on hand-made data."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from kompetens import InputError
from kompetens.io.activities import STRATEGIES, load_activities, summary, with_delays
from kompetens.models.competence import (
    agency_share,
    agency_trend,
    education_coverage,
    first_line_staff,
    managers,
    qualified_share,
    span_of_control,
    unqualified_path,
    wide_spans,
)


def _staff():
    rows = []
    # unit U1: 1 manager and 12 staff; U2: 2 managers and 40 staff; management team: 2 managers only
    for unit, managers_, staff_, dept in (("U1", 1, 12, "A"), ("U2", 2, 40, "A"), ("Ledning", 2, 0, "A")):
        rows += [
            {"ar": 2025, "forvaltning": dept, "enhet": unit, "chef": True, "kon": "K", "fodelsear": 1975}
        ] * managers_
        rows += [
            {"ar": 2025, "forvaltning": dept, "enhet": unit, "chef": False, "kon": "K", "fodelsear": 1990}
        ] * staff_
    return pd.DataFrame(rows)


def test_span_of_control_by_hand():
    units = first_line_staff(_staff(), 2025)
    assert list(units["enhet"]) == ["U1", "U2"]  # the management team has no staff
    span = span_of_control(units, k=3)
    assert span.loc["Totalt", "per_chef"] == pytest.approx(52 / 3)
    assert (span.loc["A", "minst"], span.loc["A", "storst"]) == (12, 20)
    # three first-line managers: with k = 5 their department (and so the total) is hidden
    assert span_of_control(units, k=5).isna().all().all()
    assert list(wide_spans(units, 15)["enhet"]) == ["U2"]


def test_managers_by_sex_and_age_hide_small_cells():
    table = managers(_staff(), 2025, k=5)
    # five managers, all women aged 50: one cell of 5, nothing hidden
    assert table.loc["K", "50–59"] == 5 and table.loc["Totalt", "Totalt"] == 5
    assert managers(_staff(), 2025, k=6).loc["K", "50–59"] == "–"


def test_qualification_share_and_its_path():
    personal = pd.DataFrame({"ar": 2025, "yrkesgrupp": ["S"] * 10 + ["V"] * 6, "behorig": [False] * 5 + [True] * 11})
    q = qualified_share(personal, 2025, k=5)
    assert q.loc["S", "obehoriga"] == 5 and q.loc["S", "andel_behoriga"] == 0.5
    assert q.loc["V", "andel_behoriga"] == 1.0
    assert math.isnan(qualified_share(personal, 2025, k=6).loc["S", "obehoriga"])
    # 1 of 6 in V without the qualification: hidden, and S's count with it (Totalt shows 6)
    personal.loc[15, "behorig"] = False
    q = qualified_share(personal, 2025, k=5)
    assert math.isnan(q.loc["V", "obehoriga"]) and math.isnan(q.loc["S", "obehoriga"])
    assert q.loc["Totalt", "obehoriga"] == 6 and q.loc["V", "antal"] == 6
    # a group hidden by the report's masks shows nothing, its count included
    assert qualified_share(personal, 2025, 5, hidden={"V", "S"}).loc["V"].isna().all()
    # 10 without: 20 % leave, then 2 are trained each year
    path = unqualified_path(10, pd.Series({2026: 0.2, 2027: 0.2}), 2)
    assert path.loc[2026].tolist() == pytest.approx([2.0, 2.0, 6.0])  # slutar, vidareutbildade, obehoriga
    assert path.loc[2027].tolist() == pytest.approx([1.2, 2.0, 6 * 0.8 - 2])
    assert unqualified_path(1, pd.Series({2026: 0.0}), 5).loc[2026, "obehoriga"] == 0.0  # never below zero


def test_education_coverage_by_hand():
    recruitment = pd.DataFrame({"2026": [100.0, 20.0], "2027": [80.0, 10.0]}, index=["USK", "SSK"])
    cov = education_coverage({"USK": 40}, recruitment)
    assert cov["tackning"].tolist() == [0.4, 0.5]


def test_agency_share_and_trend_by_hand():
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    k = pd.DataFrame(
        {
            "manad": months * 2,
            "forvaltning": ["A"] * 24 + ["B"] * 24,
            "lonekostnad": [1000.0] * 48,
            "hyrpersonal": [20.0 + i for i in range(24)] + [0.0] * 24,
        }
    )
    share = agency_share(k)
    assert share.loc["2024-01", "A"] == 0.02 and share.loc["2024-01", "Totalt"] == 0.01
    trend = agency_trend(share["A"])
    assert trend["pp_per_ar"] == pytest.approx(100 * 12 / 1000)  # +1 kr a month of 1 000 = 1.2 pp a year


def _plan(tmp_path, rows):
    import yaml

    path = tmp_path / "aktivitetsplan.yaml"
    path.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    return path


GOOD = {
    "omrade": "Fler jobbar mer",
    "vad": "Deltid",
    "aktivitet": "Heltid som norm",
    "ansvarig": "HR-chef",
    "nar": "2025-06",
    "uppfoljning": "Sysselsättningsgrad",
    "status": "pågår",
}


def test_activity_plan_delays_and_summary(tmp_path):
    rows = [
        GOOD,
        {**GOOD, "aktivitet": "Klar sak", "status": "klar", "nar": "2024-01-31"},
        {**GOOD, "omrade": "Förläng arbetslivet", "nar": "2027-01-01", "status": "planerad"},
    ]
    acts = with_delays(load_activities(_plan(tmp_path, rows), STRATEGIES["skr2018"]), dt.date(2025, 11, 23))
    assert acts["status"].tolist() == ["försenad", "klar", "planerad"]
    table = summary(acts)
    assert table.loc["Fler jobbar mer", "försenad"] == 1 and table.loc["Totalt"].sum() == 3


def test_activity_plan_keeps_vad_and_uppfoljning_and_rejects_unknown_keys(tmp_path):
    acts = load_activities(_plan(tmp_path, [GOOD, {**GOOD, "vad": None}]), STRATEGIES["skr2018"])
    assert acts["vad"].tolist() == ["Deltid", ""] and acts["uppfoljning"].tolist() == ["Sysselsättningsgrad"] * 2
    with pytest.raises(InputError) as err:
        load_activities(_plan(tmp_path, [{**GOOD, "uppföljning": "x", "vad": 3}]), STRATEGIES["skr2018"])
    assert [(p.row, p.column) for p in err.value.problems] == [(7, "uppföljning"), (8, "vad")]


def test_activity_plan_names_bad_rows(tmp_path):
    rows = [GOOD, {**GOOD, "omrade": "Höj lönerna"}, {**GOOD, "ansvarig": ""}, {**GOOD, "nar": "snart"}]
    with pytest.raises(InputError) as err:
        load_activities(_plan(tmp_path, rows), STRATEGIES["skr2018"])
    # the line of the bad key (yaml.safe_dump writes each activity's keys sorted, 7 lines each)
    # and the activity's number in the list
    assert [(p.row, p.column, p.where) for p in err.value.problems] == [
        (11, "omrade", "aktivitet 2, nyckel"),
        (16, "ansvarig", "aktivitet 3, nyckel"),
        (24, "nar", "aktivitet 4, nyckel"),
    ]
    assert "aktivitetsplan.yaml, rad 11, aktivitet 2, nyckel 'omrade'" in str(err.value)
    assert all(p.file == "aktivitetsplan.yaml" for p in err.value.problems)
    # a board that works with its own (e.g. SKR's revised 2024) list of areas
    assert len(load_activities(_plan(tmp_path, [{**GOOD, "omrade": "Värna arbetstiden"}]), ["Värna arbetstiden"])) == 1
