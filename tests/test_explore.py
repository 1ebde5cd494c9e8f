"""The explorer in plain pytest: controls set programmatically show what staff_plan gives for
the same parameters, the saved params file round-trips through prepare and the key figures,
and the report notebook never opens the explorer."""

from __future__ import annotations

import json
from dataclasses import replace

import nbformat
import numpy as np
import pytest

import kompetens
from kompetens.io.fingerprint import PACKAGE_ROOT
from kompetens.io.params import check_params
from kompetens.models.demand import DEFAULT_DRIVARE
from kompetens.plan.key_figures import key_figures
from kompetens.plan.scenarios import summarise
from kompetens.plan.staffplan import staff_plan
from kompetens.report import formats as fmt
from kompetens.vocabulary import TOTAL

NURSE = "Sjuksköterska"
CARE = "Vårdare/undersköterska/assistent"
LEVERS = {
    "heltid": {"sysselsattningsgrad": 0.92, "ar": 2029},
    "forlang_arbetslivet": 2,
    "teknik": {"andel_per_ar": 0.015, "grupper": [NURSE]},
}


@pytest.fixture(scope="module")
def plan():
    return kompetens.prepare()


@pytest.fixture(scope="module")
def explorer(plan):
    ex = kompetens.explore(plan)
    c = ex.controls
    c["heltid"].value = True
    c["heltid.sysselsattningsgrad"].value = 0.92
    c["heltid.ar"].value = 2029
    c["forlang_arbetslivet"].value = 2
    c["teknik.andel_per_ar"].value = 0.015
    c["teknik.grupper"].value = (NURSE,)
    c["direktiv_andel"].value = 0.4
    c[f"drivare.{CARE}.80+"].value = 0.9
    return ex


def _same_plan(plan):
    """The demo plan with the settings the controls were given, written out by hand."""
    drivare = {g: dict(b) for g, b in DEFAULT_DRIVARE.items()}
    drivare[CARE]["80+"] = 0.9
    return replace(plan, params=check_params({**plan.params, **LEVERS, "direktiv_andel": 0.4, "drivare": drivare}))


def test_the_view_shows_staff_plan_with_the_same_parameters(plan, explorer):
    same = _same_plan(plan)
    base, scenario = staff_plan(same), staff_plan(same, LEVERS)
    expected = summarise(scenario, base)
    shown = explorer.figures["grupper"]
    assert set(shown) == {*scenario.projection.grupper, TOTAL}
    for group, row in expected.items():
        for key, value in row.items():
            assert shown[group][key] == pytest.approx(value, rel=1e-12), (group, key)
    # the drivers moved the baseline: more weight on 80+ raises the care staff's need
    assert (
        explorer.figures["baslinje"][CARE]["personalokning"]
        > summarise(plan.staff_plan, plan.staff_plan)[CARE]["personalokning"]
    )
    # p10 and p90 per year are the scenario's simulated percentiles
    for q, key in ((10, "p10"), (90, "p90")):
        table = scenario.projection.percentiles(q)
        assert explorer.figures["per_ar"][NURSE][key] == pytest.approx(table.loc[NURSE].to_dict())
    total = explorer.figures["direktiv"][TOTAL]
    base_increase = summarise(base, base)[TOTAL]["personalokning"]
    assert total["direktiv_personer"] == pytest.approx(0.4 * base_increase)
    assert total["tackning"] == pytest.approx(
        (base_increase - expected[TOTAL]["personalokning"]) / (0.4 * base_increase)
    )
    # what the reader sees carries the same numbers
    assert fmt.number(expected[TOTAL]["rekryteringsbehov_period"]) in explorer.summary.value
    assert fmt.percent(total["tackning"], 0) in explorer.summary.value
    assert f"<td>{NURSE}</td><td>{fmt.number(expected[NURSE]['rekryteringsbehov_period'])}</td>" in (
        explorer.table.value
    )


def test_a_group_and_the_directive_change_the_view_without_projecting_again(explorer):
    scenario = next(iter(explorer._scenarios.values()))
    explorer.controls["grupp"].value = NURSE
    assert f"Rekryteringsbehov per år: {NURSE}" in explorer.chart.value
    assert explorer.summary.value.startswith(f"<b>{NURSE}</b>")
    explorer.controls["direktiv_andel"].value = 0.3
    assert next(iter(explorer._scenarios.values())) is scenario
    assert explorer.figures["direktiv"][TOTAL]["direktiv_personer"] == pytest.approx(
        0.3 * explorer.figures["baslinje"][TOTAL]["personalokning"]
    )
    explorer.controls["direktiv_andel"].value = 0.4
    explorer.controls["grupp"].value = TOTAL


def test_switching_a_lever_off_gives_the_baseline(plan):
    ex = kompetens.explore(plan)
    start = ex.figures["grupper"][TOTAL]["rekryteringsbehov_period"]
    ex.controls["minska_omsattning.andel"].value = 0.3
    assert ex.figures["grupper"][TOTAL]["rekryteringsbehov_period"] < start
    assert ex.levers() == {"minska_omsattning": {"andel": 0.3}}
    ex.controls["minska_omsattning.andel"].value = 0.0
    assert ex.figures["grupper"][TOTAL]["rekryteringsbehov_period"] == start
    assert ex.levers() == {}
    assert ex.params() == {"basar": plan.basar, "slutar": plan.slutar}


def test_saved_params_round_trip_to_the_same_key_figures(plan, explorer, tmp_path):
    path = explorer.save(tmp_path / "utforskad.yaml")
    loaded = kompetens.load_params(path)
    assert loaded["heltid"] == LEVERS["heltid"] and loaded["direktiv_andel"] == 0.4
    assert "utkatalog" not in loaded  # the run writes where its own slug says
    again = kompetens.prepare(**loaded)
    figures = key_figures(again)
    together = figures["scenarier"]["tillsammans"]
    for key, value in together.items():
        assert explorer.figures["grupper"][TOTAL][key] == pytest.approx(value, rel=1e-12), key
    assert figures["scenarier"]["direktiv_personer"] == pytest.approx(
        explorer.figures["direktiv"][TOTAL]["direktiv_personer"]
    )
    json.dumps(figures)  # still plain data


def test_robustness_button_uses_the_ranges_set(explorer):
    explorer.controls["intervall.teknik"].value = (1.5, 2.0)
    result = explorer.show_robustness()
    assert result.ranges["teknik"] == (1.5, 2.0)
    assert result.draws == explorer.plan.params["simuleringar"]
    assert "Använd tekniken" in explorer.robust.value
    assert list(result.table.index)[-1] == "Alla tillsammans"
    assert np.isfinite(result.table["andel_uppfyllt"]).all()


def test_the_report_notebook_never_opens_the_explorer():
    nb = nbformat.read(PACKAGE_ROOT / "notebooks" / "kompetensforsorjning.ipynb", as_version=4)
    assert not any("explore" in c.source for c in nb.cells)
