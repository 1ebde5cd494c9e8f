"""The assumption register in the report: values the run used (overrides marked), and the
sensitivity ranking worked out against what each assumption can change."""

from __future__ import annotations

import pytest
from IPython.display import Image

import kompetens
from kompetens import assumptions, report
from kompetens.plan.sensitivity import register_table


@pytest.fixture(scope="module")
def plan(demo):
    return kompetens.prepare(inputs=demo, simuleringar=0)


def test_register_rows_show_defaults_and_mark_overrides(demo, plan):
    rows = {r["nyckel"]: r for r in register_table(plan)}
    assert list(rows) == list(assumptions.KEYS)
    assert not any(r["andrad"] for r in rows.values())
    assert rows["po_palagg"]["varde"] == assumptions.value("po_palagg") and "SKR" in rows["po_palagg"]["kalla"]
    changed = {r["nyckel"]: r for r in register_table(kompetens.prepare(inputs=demo, po_palagg=0.40, las_alder=68))}
    assert changed["po_palagg"]["andrad"] and changed["po_palagg"]["varde"] == 0.40
    assert changed["las_alder"]["andrad"] and changed["las_alder"]["varde"] == 68
    assert not changed["drivare"]["andrad"]


def test_sensitivity_moves_what_each_assumption_can_move(plan):
    """PO-pålägg changes the cost in proportion to 1 + PO and never the recruitment; more
    weight on residents 80+ (the fastest-growing band) raises the need; retiring a year
    later lowers the recruitment need over the period. Rows are ranked by swing."""
    rows = {r["nyckel"]: r for r in plan.sensitivity}
    po = rows["po_palagg"]
    assert po["rekryteringsbehov_lag"] == po["rekryteringsbehov_hog"] == po["rekryteringsbehov_bas"]
    base_po = assumptions.value("po_palagg")
    assert po["kostnad_mnkr_lag"] / po["kostnad_mnkr_bas"] == pytest.approx((1 + po["lag"]) / (1 + base_po))
    assert po["kostnad_mnkr_hog"] / po["kostnad_mnkr_bas"] == pytest.approx((1 + po["hog"]) / (1 + base_po))
    drivers = rows["drivare"]
    assert drivers["rekryteringsbehov_lag"] < drivers["rekryteringsbehov_bas"] < drivers["rekryteringsbehov_hog"]
    retire = rows["pensionsalder"]
    assert retire["rekryteringsbehov_hog"] < retire["rekryteringsbehov_lag"]
    swings = [abs(r["rekryteringsbehov_hog"] - r["rekryteringsbehov_lag"]) for r in plan.sensitivity]
    assert swings == sorted(swings, reverse=True)
    assert "riktalder" not in rows  # shown in the register, not used by the projection


def test_report_shows_the_register_and_the_tornado(plan):
    table = report.assumptions_table(plan).data
    assert list(table.index) == [assumptions.register()[k]["namn"] for k in assumptions.KEYS]
    assert table.loc["PO-pålägg", "Årgång"] == "2023"
    figure = report.sensitivity_figure(plan)
    assert isinstance(figure, Image) and "Rekryteringsbehov" in figure.alt
