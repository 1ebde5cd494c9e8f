"""Robustness of lever bundles: hand-made cases where the answer is known (about half of the
draws when a lever closes the gap exactly at the centre of its range, all of them when the
whole range is above it), agreement with the deterministic scenarios and the projection's own
Monte Carlo on the demo board, and determinism for a seed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import kompetens
from kompetens import assumptions
from kompetens.models.projection import TENURE_YEARS, DemographicArrays, FlowArrays, project
from kompetens.models.rates import FIRST_AGE
from kompetens.models.robustness import draw_assumptions, ranges_of, robustness, simulate_bundle
from kompetens.models.scenarios import rate_levers, shift_pension
from kompetens.plan.staffplan import demographic_arrays, staff_plan

YEARS = [2025, 2026, 2027]
LAS = 69
AGES = LAS - FIRST_AGE + 1
#: every uncertainty switched off, so that only the ranges a test opens vary
POINT = {k: (1.0, 1.0) for k in assumptions.UNCERTAIN} | {"pensionstidpunkt": (0.0, 0.0)}


def _case(exits: float = 0.0):
    """One group of 100 persons aged 40 with five years' tenure whose need grows 100 → 110 →
    120, hired at 30: the directive (30 %) asks for 6 persons fewer to recruit by 2027."""
    stock = np.zeros((1, 1, AGES, TENURE_YEARS))
    stock[0, 0, 40 - FIRST_AGE, 5] = 100.0
    need = np.array([[[100.0, 110.0, 120.0]]])
    pension = np.zeros(AGES + 1)
    pension[-2:] = 1.0
    flows = FlowArrays(
        pension=pension,
        ovriga=np.full((1, 1, AGES, TENURE_YEARS), exits),
        ovriga_first_year=np.full((1, 1, AGES), exits / 2),
        intern=np.zeros((1, 1)),
        hiring=np.eye(AGES)[None, 30 - FIRST_AGE],  # everyone is hired at 30
        events=np.full((1, 3), 200.0),
    )
    return DemographicArrays(stock, need, np.array([[0.9]]), flows, YEARS, ["A"], "namnd")


def _run(case, bundles, ranges, draws=1000, seed=0):
    return robustness(case, bundles, 0.3, ranges, draws, seed)


# with no exits the recruitment need is the growth: 120·(1 − a)² − 100 with technology; it is
# 6 lower than the baseline's 20 exactly when (1 − a)² = 0.95
EXACT = 1 - np.sqrt(0.95)


def test_a_lever_exactly_closing_the_gap_at_its_centre_meets_the_target_in_half_the_draws():
    shares = [
        _run(_case(), {"teknik": {"teknik": {"andel_per_ar": EXACT}}}, POINT | {"teknik": (0.5, 1.5)}, seed=s).loc[
            "teknik", "andel_uppfyllt"
        ]
        for s in range(20)
    ]
    # each share is a binomial proportion of 1 000 draws at p = 0.5 (sd 0.016)
    assert abs(np.mean(shares) - 0.5) < 0.01
    assert max(abs(np.array(shares) - 0.5)) < 0.06
    table = _run(_case(), {"teknik": {"teknik": {"andel_per_ar": EXACT}}}, POINT | {"teknik": (0.5, 1.5)})
    assert table.loc["teknik", "mal_personer"] == pytest.approx(6.0)
    assert table.loc["teknik", "undviken_rekrytering"] == pytest.approx(6.0, abs=0.3)  # median of 1 000 draws


def _centre(case, ranges):
    """The technology share at which the median draw avoids exactly the directive's target."""
    low, high = 0.0, 0.2
    for _ in range(40):
        mid = (low + high) / 2
        row = _run(case, {"t": {"teknik": {"andel_per_ar": mid}}}, ranges, draws=400).loc["t"]
        low, high = (mid, high) if row["undviken_rekrytering"] < row["mal_personer"] else (low, mid)
    return (low + high) / 2


def test_about_half_with_exits_and_every_uncertainty_open():
    """Turnover, rate uncertainty and the drivers vary too; the lever is set so that it closes
    the gap at the centre of every range, over many seeds the share stays near one half."""
    case = _case(exits=0.1)
    centre = {k: ((lo + hi) / 2, (lo + hi) / 2) for k, (lo, hi) in ranges_of().items()}
    andel = _centre(case, centre | {"teknik": (1.0, 1.0)})
    shares = [
        _run(case, {"t": {"teknik": {"andel_per_ar": andel}}}, {"teknik": (0.5, 1.5)}, draws=1000, seed=s).loc[
            "t", "andel_uppfyllt"
        ]
        for s in range(10)
    ]
    assert 0.4 < np.mean(shares) < 0.6


def test_a_range_wholly_above_the_need_meets_the_target_in_every_draw():
    bundles = {"teknik": {"teknik": {"andel_per_ar": EXACT}}}
    above = _run(_case(), bundles, POINT | {"teknik": (1.2, 2.0)}).loc["teknik"]
    assert above["andel_uppfyllt"] == 1.0
    assert above["brist_median"] == 0.0
    below = _run(_case(), bundles, POINT | {"teknik": (0.2, 0.8)}).loc["teknik"]
    assert below["andel_uppfyllt"] == 0.0
    # at genomslag 0.5 (the median draw) technology avoids 120 − 120·(1 − a/2)² persons
    assert below["brist_median"] == pytest.approx(6 - 120 * (1 - (1 - EXACT / 2) ** 2), abs=0.1)
    with_exits = _run(_case(0.1), bundles, {"teknik": (3.0, 4.0)}).loc["teknik"]
    assert with_exits["andel_uppfyllt"] == 1.0


def test_seeded_and_deterministic():
    case, bundles = _case(0.1), {"t": {"teknik": {"andel_per_ar": EXACT}}, "m": {"minska_omsattning": {"andel": 0.1}}}
    first, again = _run(case, bundles, None, seed=3), _run(case, bundles, None, seed=3)
    assert first.equals(again)
    assert not first.equals(_run(case, bundles, None, seed=4))


def test_the_retirement_profile_moves_later_and_earlier():
    pension = np.zeros(AGES + 1)
    pension[-2:] = 1.0
    pension[64 - FIRST_AGE] = 0.5
    pension[67 - FIRST_AGE] = 0.8
    later, earlier = shift_pension(pension, 2), shift_pension(pension, -1)
    assert later[66 - FIRST_AGE] == 0.5 and later[-2:].tolist() == [1.0, 1.0]
    assert later[64 - FIRST_AGE] == 0.0 and later[67 - FIRST_AGE] == 0.0  # 67 moved past the LAS age
    assert earlier[63 - FIRST_AGE] == 0.5 and earlier[66 - FIRST_AGE] == 0.8
    assert earlier[-3] == pension[-3]  # the age before LAS keeps the oldest probability
    flows = _case().flows
    assert np.array_equal(
        rate_levers(replace(flows, pension=pension), ["A"], {"forlang_arbetslivet": 2}).pension, later
    )


def test_the_ranges_are_the_assumption_registers_with_their_sources():
    """Every range the draws use comes from assumptions.yaml with a source and a vintage; a
    caller's range replaces the register's for that assumption only."""
    register = assumptions.uncertainty()
    assert list(ranges_of()) == list(assumptions.UNCERTAIN) == list(register)
    for key, entry in register.items():
        assert ranges_of()[key] == tuple(entry["intervall"])
        assert entry["kalla"] and 2000 <= int(entry["argang"]) <= 2026 and entry["namn"]
        low, high = entry["intervall"]
        assert low <= (0.0 if key == "pensionstidpunkt" else 1.0) <= high  # the central value is inside
    assert "Pensionsmyndigheten" in register["pensionstidpunkt"]["kalla"]
    assert ranges_of({"omsattning": (0.9, 1.1)}) == {**ranges_of(), "omsattning": (0.9, 1.1)}


def test_only_levers_that_lower_the_need_meet_the_narrower_measure():
    """Longer working life avoids recruitment (staff stay) but does not lower the staff
    increase; technology does both. With every range a point the measures are exact."""
    case = _case(exits=0.1)
    table = _run(case, {"t": {"teknik": {"andel_per_ar": 0.05}}, "f": {"forlang_arbetslivet": 3}}, POINT)
    assert table.loc["t", "andel_uppfyllt_personalbehov"] == 1.0  # 120·(1 − 0.05)² = 108.3: 11.7 fewer ≥ 6
    assert table.loc["f", "andel_uppfyllt_personalbehov"] == 0.0
    assert table.loc["f", "undviken_rekrytering"] >= 0.0


def test_assumptions_are_drawn_within_their_ranges():
    drawn = draw_assumptions(ranges_of({"omsattning": (0.9, 1.1)}), 5000, np.random.default_rng(0))
    assert drawn["omsattning"].min() >= 0.9 and drawn["omsattning"].max() <= 1.1
    assert drawn["drivare"].mean() == pytest.approx(1.0, abs=0.01)
    with pytest.raises(ValueError, match="okänt antagande"):
        ranges_of({"vader": (0, 1)})


@pytest.fixture(scope="module")
def plan():
    return kompetens.prepare()


LEVERS = {
    "heltid": {"heltid": {"sysselsattningsgrad": 0.95, "ar": 2030}},
    "forlang": {"forlang_arbetslivet": 2},
    "minska": {"minska_omsattning": {"andel": 0.2}},
    "teknik": {"teknik": {"andel_per_ar": 0.01}},
}


def test_at_the_centre_the_avoided_recruitment_is_the_deterministic_scenarios(plan):
    """With every range a point, the median draw avoids what staff_plan's expected paths say."""
    a = demographic_arrays(plan, plan.basar, plan.slutar)
    bundles = LEVERS | {"alla": {k: v for b in LEVERS.values() for k, v in b.items()}}
    table = robustness(a, bundles, 0.3, POINT, 400)

    def period(levers):
        return staff_plan(plan, levers, draws=0).projection.table("rekryteringsbehov").loc["Totalt", 2026:].sum()

    base = period({})
    for name, levers in bundles.items():
        assert table.loc[name, "undviken_rekrytering"] == pytest.approx(base - period(levers), rel=0.03), name


def test_the_baseline_draws_match_the_projections_monte_carlo(plan):
    """The normal approximation of the exits gives the recruitment need over the period the
    projection's binomial Monte Carlo gives (10th, 50th, 90th percentiles within 4 %: the
    approximation clipped at zero overstates the exits of small cells, about 1.5 % of the
    period's need on the demo)."""
    a = demographic_arrays(plan, plan.basar, plan.slutar)
    draws = draw_assumptions(ranges_of(POINT), 2000, np.random.default_rng(1))
    ours = simulate_bundle(a, {}, draws, 2)
    proj = project(a.stock, a.need, a.fte, a.flows, a.years, a.forvaltningar, a.grupper, a.scope, 2000, 5)
    theirs = proj.draws_rekrytering.sum(axis=(1, 2, 3))
    for q in (10, 50, 90):
        assert np.percentile(ours.rekrytering, q) == pytest.approx(np.percentile(theirs, q), rel=0.04), q


def test_plan_robustness_bundles_and_example_levers(plan):
    result = kompetens.robustness(plan, {"Heltid + längre arbetsliv": LEVERS["heltid"] | LEVERS["forlang"]}, 300)
    assert result.exempel  # the demo params set no lever
    assert list(result.table.index) == [
        "Fler jobbar mer (heltid)",
        "Förläng arbetslivet",
        "Minska personalomsättningen",
        "Använd tekniken",
        "Alla tillsammans",
        "Heltid + längre arbetsliv",
    ]
    t = result.table
    assert ((t["andel_uppfyllt"] >= 0) & (t["andel_uppfyllt"] <= 1)).all()
    # all four together avoid more than any one alone, in the median draw
    assert t.loc["Alla tillsammans", "undviken_rekrytering"] > t["undviken_rekrytering"].drop("Alla tillsammans").max()
    assert t.loc["Alla tillsammans", "andel_uppfyllt"] >= t["andel_uppfyllt"].drop("Alla tillsammans").max()


def test_report_shows_both_measures_and_the_ranges_with_their_sources(plan):
    """The robustness table puts the narrower measure beside the directive's: longer working
    life and lower turnover avoid recruitment but never lower the staff need; the ranges table
    is the register's, with sources."""
    from kompetens import report

    table = report.robustness_table(plan).data
    narrow = table["Minskar personalbehovet så mycket"]
    assert narrow["Förläng arbetslivet"] == "0\u00a0%" and narrow["Minska personalomsättningen"] == "0\u00a0%"
    assert narrow["Använd tekniken"] != "0\u00a0%"
    shares = plan.key_figures["robusthet"]["paket"]
    assert all(p["andel_uppfyllt_personalbehov"] <= 1 for p in shares.values())
    ranges = report.robustness_ranges(plan).data
    register = assumptions.uncertainty()
    assert list(ranges.index) == [register[k]["namn"] for k in assumptions.UNCERTAIN]
    assert ranges.loc["Personalomsättningens nivå", "Intervall"] == "0,80 – 1,20"
    assert ranges.loc["Personalomsättningens nivå", "Årgång"] == "2018"
    assert "Familjen Helsingborg" in ranges.loc["Personalomsättningens nivå", "Källa"]
    text = report.robustness_text(plan).data
    assert "Minskar personalbehovet så mycket" in text and "stannar längre" in text
