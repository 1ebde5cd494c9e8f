"""SKR's strategies as levers: each on a small fixture with the effect worked out by hand,
the defaults give exactly the baseline, and no combination gives a negative need."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kompetens
from kompetens.models.projection import TENURE_YEARS, FlowArrays, project
from kompetens.models.scenarios import active, need_levers, rate_levers
from kompetens.plan.scenarios import compare

YEARS = [2025, 2026, 2027]


def _need():
    return np.full((1, 2, 3), 100.0), np.array([[0.8, 1.0]]), ["A", "B"]


def test_heltid_same_fte_with_fewer_persons():
    need, fte, groups = _need()
    out, out_fte, _ = need_levers(need, fte, groups, YEARS, {"heltid": {"sysselsattningsgrad": 0.95, "ar": 2027}})
    # A: grade 0.8 -> 0.875 -> 0.95, so 100 persons at 0.8 become 100·0.8/0.875 and 100·0.8/0.95
    np.testing.assert_allclose(out[0, 0], [100, 100 * 0.8 / 0.875, 100 * 0.8 / 0.95])
    np.testing.assert_allclose(out[0, 1], [100, 100, 100])  # B already works full time: never lowered
    np.testing.assert_allclose(out_fte, [[[0.8, 0.875, 0.95], [1.0, 1.0, 1.0]]])
    np.testing.assert_allclose(out * out_fte, need * fte[:, :, None])  # the årsarbetare are the baseline's


def test_heltid_ramps_to_a_target_after_slutar_part_of_the_way():
    need, fte, groups = _need()
    out, out_fte, _ = need_levers(need, fte, groups, YEARS, {"heltid": {"sysselsattningsgrad": 1.0, "ar": 2029}})
    np.testing.assert_allclose(out_fte[0, 0], [0.8, 0.85, 0.9])  # a quarter of the way each year
    np.testing.assert_allclose(out * out_fte, need * fte[:, :, None])


def test_teknik_lowers_the_need_each_year_for_chosen_groups():
    need, fte, groups = _need()
    out, _, _ = need_levers(need, fte, groups, YEARS, {"teknik": {"andel_per_ar": 0.1, "grupper": ["B"]}})
    np.testing.assert_allclose(out[0, 1], [100, 90, 81])
    np.testing.assert_allclose(out[0, 0], [100, 100, 100])


def test_kompetensvaxling_moves_a_share_to_a_new_group():
    need, fte, groups = _need()
    out, out_fte, out_groups = need_levers(
        need, fte, groups, YEARS, {"kompetensvaxling": {"fran": "A", "till": "C", "andel": 0.2, "ar": 2027}}
    )
    assert out_groups == ["A", "B", "C"]
    np.testing.assert_allclose(out[0, 0], [100, 90, 80])
    np.testing.assert_allclose(out[0, 2], [0, 10, 20])
    assert out[0].sum(axis=0).tolist() == [200, 200, 200]  # the total need is unchanged
    assert (out_fte[0, 2] == 0.8).all()  # the new role's employment rate starts as the source group's


def _flows():
    ages = 69 - 15 + 1
    pension = np.zeros(ages + 1)
    pension[61 - 15 :] = [0.06, 0.085, 0.116, 0.184, 0.516, 0.4, 0.5, 0.556, 1.0, 1.0]
    return FlowArrays(
        pension=pension,
        ovriga=np.full((1, 2, ages, TENURE_YEARS), 0.1),
        ovriga_first_year=np.full((1, 2, ages), 0.05),
        intern=np.zeros((1, 2)),
        hiring=np.full((2, ages), 1 / ages),
        events=np.full((2, 3), 50.0),
    )


def test_forlang_arbetslivet_shifts_the_profile_and_keeps_the_las_age():
    f = rate_levers(_flows(), ["A", "B"], {"forlang_arbetslivet": 2})
    p = dict(zip(range(15, 71), f.pension))
    assert p[61] == 0 and p[62] == 0 and p[63] == 0.06 and p[68] == 0.4  # p(66)
    assert p[69] == 1.0 and p[70] == 1.0


def test_minska_omsattning_for_chosen_groups():
    f = rate_levers(_flows(), ["A", "B"], {"minska_omsattning": {"andel": 0.25, "grupper": ["A"]}})
    assert f.ovriga[0, 0].max() == pytest.approx(0.075) and f.ovriga[0, 1].max() == pytest.approx(0.1)
    assert f.ovriga_first_year[0, 0].max() == pytest.approx(0.0375)


def test_extreme_levers_never_give_a_negative_need():
    need, fte, groups = _need()
    stock = np.zeros((1, 2, 55, TENURE_YEARS))
    stock[0, :, 10:40, 3] = 100 / 30
    levers = {
        "heltid": {"sysselsattningsgrad": 1.0, "ar": 2026},
        "teknik": {"andel_per_ar": 0.6},
        "minska_omsattning": {"andel": 1.0},
        "forlang_arbetslivet": 10,
    }
    need2, fte2, groups2 = need_levers(need, fte, groups, YEARS, levers)
    p = project(
        stock,
        need2,
        fte2,
        rate_levers(_flows(), groups2, levers),
        YEARS,
        ["d"],
        groups2,
        "forvaltning",
        draws=200,
        seed=1,
    )
    assert (p.rekryteringsbehov[:, :, 1:] >= 0).all() and (p.draws_rekrytering >= 0).all()
    assert (p.personalbehov >= 0).all()


def test_defaults_give_exactly_the_baseline(demo):
    plan = kompetens.prepare(inputs=demo, simuleringar=0)
    assert active(plan.params) == {}
    base = kompetens.staff_plan(plan)
    again = kompetens.staff_plan(plan, levers=active(plan.params))
    for name in ("personalbehov", "rekryteringsbehov", "pensionsavgangar", "ovriga_avgangar"):
        pd.testing.assert_frame_equal(base.projection.table(name), again.projection.table(name))
    result = compare(plan, base)
    assert result["var_for_sig"] == {} and result["tillsammans"] == result["baslinje"]


def test_heltid_lowers_recruitment_but_not_the_wage_bill(demo):
    plan = kompetens.prepare(
        inputs=demo, simuleringar=0, heltid={"sysselsattningsgrad": 0.95, "ar": 2030}, teknik={"andel_per_ar": 0.01}
    )
    result = compare(plan, kompetens.staff_plan(plan))
    base, full_time = result["baslinje"], result["var_for_sig"]["heltid"]
    assert full_time["rekryteringsbehov_period"] < base["rekryteringsbehov_period"] - 50
    assert full_time["personalokning"] < base["personalokning"]
    assert full_time["kostnad_personalokning_mnkr"] == pytest.approx(base["kostnad_personalokning_mnkr"])
    steps = sum(s["rekryteringsbehov"] for s in result["vattenfall"])
    assert base["rekryteringsbehov_period"] + steps == pytest.approx(result["tillsammans"]["rekryteringsbehov_period"])
    assert result["direktiv_personer"] == pytest.approx(0.3 * base["personalokning"])
    assert result["direktiv_tackt"] == (result["minskning_personer"] >= result["direktiv_personer"])


@pytest.mark.parametrize("target_year", [2028, 2040])
def test_heltid_keeps_basar_arsarbetare_and_the_cost_of_the_increase(demo, target_year):
    """Working more hours changes persons, never the årsarbetare: basår årsarbetare are the
    register's (Σ sysselsättningsgrad in basår, not persons × the target rate) and the cost
    of the increase is unchanged, also when the target year lies after slutår."""
    plan = kompetens.prepare(inputs=demo, simuleringar=0, heltid={"sysselsattningsgrad": 0.95, "ar": target_year})
    base = kompetens.staff_plan(plan)
    lever = kompetens.staff_plan(plan, levers={"heltid": plan.params["heltid"]})
    fte_base, fte_lever = base.projection.table("arsarbetare"), lever.projection.table("arsarbetare")
    pd.testing.assert_frame_equal(fte_lever, fte_base)
    register = demo.personal.loc[demo.personal["ar"] == plan.basar, "sysselsattningsgrad"].sum()
    assert fte_lever.loc["Totalt", plan.basar] == pytest.approx(register)
    result = compare(plan, base)
    assert result["var_for_sig"]["heltid"]["kostnad_personalokning_mnkr"] == pytest.approx(
        result["baslinje"]["kostnad_personalokning_mnkr"]
    )
    assert result["var_for_sig"]["heltid"]["rekryteringsbehov_period"] < result["baslinje"]["rekryteringsbehov_period"]
