"""The projection engine: properties of the stock-flow model, recovery of the demo's true
rates, the demand index by hand, roll-up, economics and an external projection."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kompetens
from kompetens.demo import truth
from kompetens.models import economics
from kompetens.models.demand import demand_index, parse_band, staff_need
from kompetens.models.projection import TENURE_YEARS, FlowArrays, project
from kompetens.models.rates import FIRST_AGE
from kompetens.plan.key_figures import _clean
from kompetens.plan.staffplan import staff_plan

A = 55  # ages 15..69


def _flows(rng, n_d, n_g, scale):
    pension = np.zeros(A + 1)
    pension[46:] = scale * rng.uniform(0, 1, A + 1 - 46)
    pension[-2:] = 1.0
    return FlowArrays(
        pension=pension,
        ovriga=scale * rng.uniform(0, 0.3, (n_d, n_g, A, TENURE_YEARS)),
        ovriga_first_year=scale * rng.uniform(0, 0.2, (n_d, n_g, A)),
        intern=scale * rng.uniform(0, 0.05, (n_d, n_g)),
        hiring=rng.dirichlet(np.ones(A), n_g),
        events=np.full((n_g, 3), 20.0),
    )


def _case(seed, n_d, n_g, years, scale, growing):
    rng = np.random.default_rng(seed)
    stock = np.zeros((n_d, n_g, A, TENURE_YEARS))
    stock[..., 5:50, :] = rng.poisson(0.4, (n_d, n_g, 45, TENURE_YEARS))
    base = stock.sum(axis=(2, 3))
    steps = rng.uniform(0.0 if growing else -0.1, 0.08, (n_d, n_g, years))
    need = base[:, :, None] * np.cumprod(np.concatenate([np.ones((n_d, n_g, 1)), 1 + steps], axis=2), axis=2)
    return stock, need, _flows(rng, n_d, n_g, scale)


def _run(stock, need, flows, scope="namnd", draws=50):
    n_d, n_g, n_t = need.shape
    return project(
        stock,
        need,
        np.full((n_d, n_g), 0.9),
        flows,
        list(range(2025, 2025 + n_t)),
        [f"d{i}" for i in range(n_d)],
        [f"g{i}" for i in range(n_g)],
        scope,
        draws,
        seed=1,
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_d=st.integers(1, 3),
    n_g=st.integers(1, 3),
    years=st.integers(1, 8),
    scale=st.floats(0.0, 1.0),
)
def test_stock_identity_holds_exactly_and_nothing_is_negative(seed, n_d, n_g, years, scale):
    stock, need, flows = _case(seed, n_d, n_g, years, scale, growing=False)
    p = _run(stock, need, flows, scope="forvaltning")
    exits = p.pensionsavgangar + p.ovriga_avgangar + p.interna_flyttar
    lhs = p.bestand[:, :, 1:]
    rhs = p.bestand[:, :, :-1] - exits[:, :, 1:] + p.rekryteringsbehov[:, :, 1:]
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=1e-9)
    assert (p.rekryteringsbehov[:, :, 1:] >= -1e-12).all() and (p.draws_rekrytering >= 0).all()
    assert (p.percentiles(10).to_numpy() >= 0).all()
    assert (p.personalbehov >= 0).all() and (p.bestand >= -1e-9).all()
    # the stock meets the need whenever anyone was recruited
    recruited = p.rekryteringsbehov[:, :, 1:] > 1e-9
    np.testing.assert_allclose(p.bestand[:, :, 1:][recruited], need[:, :, 1:][recruited], rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_g=st.integers(1, 3), years=st.integers(1, 8))
def test_zero_exits_give_a_recruitment_need_equal_to_the_growth(seed, n_g, years):
    stock, need, _ = _case(seed, 1, n_g, years, 0.0, growing=True)
    stock[..., 40:, :] = 0  # nobody reaches the LAS age within the horizon
    need = stock.sum(axis=(2, 3))[:, :, None] * need / need[:, :, :1]
    flows = _flows(np.random.default_rng(seed), 1, n_g, 0.0)
    hiring = np.zeros_like(flows.hiring)
    hiring[:, :25] = np.random.default_rng(seed).dirichlet(np.ones(25), n_g)  # recruits aged 15–39
    flows = replace(flows, hiring=hiring)
    p = _run(stock, need, flows, draws=30)
    np.testing.assert_allclose(p.rekryteringsbehov[:, :, 1:], np.diff(need, axis=2), atol=1e-9)
    assert np.nansum(p.pensionsavgangar) == 0 and np.nansum(p.ovriga_avgangar) == 0
    growth = np.diff(np.rint(need), axis=2)
    assert (p.draws_rekrytering == growth[None]).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_d=st.integers(2, 4), years=st.integers(1, 6))
def test_board_is_the_sum_of_its_departments_minus_internal_moves(seed, n_d, years):
    stock, need, flows = _case(seed, n_d, 2, years, 0.7, growing=False)
    board = _run(stock, need, flows, scope="namnd", draws=0)
    depts = []
    for d in range(n_d):
        f = FlowArrays(
            pension=flows.pension,
            ovriga=flows.ovriga[d : d + 1],
            ovriga_first_year=flows.ovriga_first_year[d : d + 1],
            intern=flows.intern[d : d + 1],
            hiring=flows.hiring,
            events=flows.events,
        )
        depts.append(_run(stock[d : d + 1], need[:, :][d : d + 1], f, scope="forvaltning", draws=0))
    for name in ("rekryteringsbehov", "ovriga_avgangar", "pensionsavgangar", "personalbehov"):
        summed = sum(p.table(name) for p in depts)
        if name in ("rekryteringsbehov", "ovriga_avgangar"):
            summed = summed - sum(p.table("interna_flyttar") for p in depts)
        pd.testing.assert_frame_equal(board.table(name), summed, check_exact=False, rtol=1e-9, atol=1e-9)


def test_demand_index_and_need_by_hand():
    pop = pd.DataFrame(
        {"ar": [2025] * 3 + [2026] * 3, "alder": [10, 70, 85] * 2, "antal": [100, 200, 50, 110, 200, 60]}
    )
    drivers = {"A": {"80+": 0.5, "65-79": 0.5}, "B": {"0-17": 1.0}}
    index = demand_index(pop, drivers, ["A", "B", "C"], 2025, [2025, 2026])
    # A: (0.5*60 + 0.5*200) / (0.5*50 + 0.5*200) = 130/125; B: 110/100; C follows everyone: 370/350
    assert index.loc[2026, "A"] == pytest.approx(130 / 125)
    assert index.loc[2026, "B"] == pytest.approx(1.1)
    assert index.loc[2026, "C"] == pytest.approx(370 / 350)
    base = pd.DataFrame({"forvaltning": ["x", "x"], "yrkesgrupp": ["A", "B"], "antal": [40, 10]})
    need = staff_need(base, index)
    assert need.loc[("x", "A"), 2026] == pytest.approx(40 * 130 / 125)
    assert need.loc[("x", "B"), 2025] == 10
    assert parse_band("65–79") == (65, 79) and parse_band("80+") == (80, 200)


@pytest.fixture(scope="module")
def board_plan(demo):
    plan = kompetens.prepare(inputs=demo, simuleringar=200)
    return plan, staff_plan(plan)


def test_other_exit_rates_recover_the_truth(board_plan, demo):
    """Every age × tenure cell with 20+ exits has a z-score (on the hazard scale, SE h/√n)
    below 3 against the generator's hazard; the simulated registers of test_recovery check
    the z-scores' distribution over seeds."""
    _, sp = board_plan
    estimated = sp.rates.ovriga_bas_
    tenure = list(truth.OVRIGA_AVGANGAR_ANSTALLNINGSTID.values())
    age = list(truth.OVRIGA_AVGANGAR_ALDER.values())
    spells = kompetens.employment_spells(demo.personal, demo.avgangar)
    from kompetens.models.spells import exposure, observation_window

    exp = exposure(spells, *observation_window(demo.personal, demo.avgangar))
    events = exp[exp["orsak"].isin(["egen_begaran", "ovrigt"])].groupby(["aldersband", "anstallningstid"]).size()
    checked = 0
    for (a, t), p in estimated.items():
        n = events.get((a, t), 0)
        if n < 20:
            continue
        true, h = -np.log(1 - tenure[t] * age[a]), -np.log(1 - p)
        assert abs(h - true) < 3 * h / np.sqrt(n), (a, t, h, true, n)
        checked += 1
    assert checked >= 8


def test_retirement_profile_recovers_the_truth(board_plan):
    """The mean retirement age implied by the estimated probabilities is within half a year
    of the generator's 64.3 (the register's default prior says 65.5); nobody works past 69;
    nobody retired before 61 in the demo."""
    _, sp = board_plan
    q = sp.rates.pension_
    survive, mean_age = 1.0, 0.0
    for age in range(61, 70):
        mean_age += age * survive * q[age]
        survive *= 1 - q[age]
    true_mean = sum(a * p for a, p in truth.PENSIONSALDER.items())
    assert mean_age == pytest.approx(true_mean, abs=0.5)
    assert q[69] == 1.0 and (q.loc[:60] == 0).all()


def test_hiring_ages_recover_the_truth(board_plan):
    _, sp = board_plan
    r = truth.REKRYTERING_ALDER
    rng = np.random.default_rng(0)
    true_mean = np.minimum(r["min"] + rng.gamma(r["shape"], r["scale"], 1_000_000), r["max"]).astype(int).mean()
    profile = sp.rates.rekryteringsalder_
    mean = (profile * profile.columns.to_numpy()).sum(axis=1)
    assert mean["Vårdare/undersköterska/assistent"] == pytest.approx(true_mean, abs=1.0)
    assert mean["Ledning"] > mean["Vårdare/undersköterska/assistent"] + 5  # managers are hired older


def test_demo_projection_is_plausible(board_plan):
    """Against the demo's history: retirements about 15–25 a year, other exits about 11–13 %."""
    _, sp = board_plan
    p = sp.projection
    pension = p.table("pensionsavgangar").loc["Totalt", 2026:]
    assert pension.between(12, 28).all()
    other_rate = (
        p.table("ovriga_avgangar").loc["Totalt", 2026:] / p.table("bestand").loc["Totalt", 2025:2029].to_numpy()
    )
    assert other_rate.between(0.10, 0.14).all()
    p10, p90 = p.percentiles(10).loc["Totalt"], p.percentiles(90).loc["Totalt"]
    expected = p.table("rekryteringsbehov").loc["Totalt", 2026:]
    assert (p10 < expected).all() and (expected < p90).all()
    assert ((p90 - p10) / expected).between(0.1, 0.4).all()


def test_backtest_is_reported(board_plan):
    plan, sp = board_plan
    bt = sp.backtest
    assert sp.backtest_basar == 2022
    assert bt.loc["Totalt", "personalbehov_utfall"] == len(plan.inputs.personal.query("ar == 2025"))
    assert abs(bt.loc["Totalt", "personalbehov_fel_procent"]) < 3
    assert abs(bt.loc["Totalt", "avgangar_fel_procent"]) < 15


def test_cost_per_person_by_hand():
    personal = pd.DataFrame(
        {
            "ar": [2025, 2025, 2025],
            "yrkesgrupp": ["A", "A", "B"],
            "manadslon": [30_000.0, 40_000.0, 50_000.0],
            "sysselsattningsgrad": [1.0, 0.5, 1.0],
        }
    )
    cost = economics.cost_per_person(personal, 2025, ["A", "B", "C"], 0.4)
    assert cost["A"] == pytest.approx((30_000 * 12 + 40_000 * 12 * 0.5) / 2 * 1.4)
    assert cost["C"] == pytest.approx((360_000 + 240_000 + 600_000) / 3 * 1.4)  # unknown group: the mean
    override = economics.cost_per_person(personal, 2025, ["A", "B"], 0.4, {"B": 700_000})
    assert override["B"] == 700_000 and override["A"] == cost["A"]


def test_external_projection_gives_exact_increase_cost_and_directive(demo, tmp_path):
    table = pd.DataFrame(
        {
            "ar": [2020, 2021, 2022, 2020, 2021, 2022],
            "yrkesgrupp": [
                "Undersköterska",
                "Undersköterska",
                "Undersköterska",
                "Myndighetsutövare",
                "Myndighetsutövare",
                "Myndighetsutövare",
            ],
            "personalbehov": [400, 410, 430, 100, 104, 109],
            "rekryteringsbehov": [50, 55, 60, 12, 13, 14],
        }
    )
    path = tmp_path / "pwc.csv"
    table.to_csv(path, index=False)
    plan = kompetens.prepare(
        inputs=demo,
        data_dir=str(tmp_path),
        personalbehov_extern=path.name,
        simuleringar=0,
        kostnad_per_person={"Undersköterska": 500_000, "Myndighetsutövare": 800_000},
        ram_mnkr=10.0,
        direktiv_andel=0.3,
    )
    f = kompetens.key_figures(plan)
    assert (f["basar"], f["slutar"]) == (2020, 2022) and f["personalbehov_extern"] is True
    # increase: 430 − 400 = 30 and 109 − 100 = 9 persons
    assert f["personalokning"] == {"Myndighetsutövare": 9.0, "Undersköterska": 30.0, "Totalt": 39.0}
    # cost: 30 × 0.5 + 9 × 0.8 = 15 + 7.2 = 22.2 mnkr; directive 30 %: 11.7 persons, 6.66 mnkr
    assert f["kostnad_personalokning_mnkr"]["Totalt"] == pytest.approx(22.2)
    assert f["kostnad_personalokning_mnkr"]["Myndighetsutövare"] == pytest.approx(7.2)
    assert f["direktiv"]["personer"]["Totalt"] == pytest.approx(11.7)
    assert f["direktiv"]["mnkr"]["Totalt"] == pytest.approx(6.66)
    assert f["ram"]["mnkr"] == pytest.approx(12.2)
    # the given recruitment need is used as given, including the table's first year
    assert f["rekryteringsbehov"]["Undersköterska"] == {"2020": 50.0, "2021": 55.0, "2022": 60.0}
    assert f["rekryteringsbehov_period"]["Totalt"] == pytest.approx(50 + 55 + 60 + 12 + 13 + 14)
    assert f["pensionsavgangar"] is None
    assert f["forandring_procent"]["personalbehov"]["Totalt"] == pytest.approx(100 * (539 / 500 - 1))


def test_external_projection_without_recruitment_computes_the_flows(demo, tmp_path):
    table = pd.DataFrame(
        {
            "ar": [2025, 2026, 2027] * 2,
            "yrkesgrupp": ["Sjuksköterska"] * 3 + ["Ny roll"] * 3,
            "personalbehov": [110, 115, 120, 10, 12, 14],
        }
    )
    path = tmp_path / "extern.csv"
    table.to_csv(path, index=False)
    plan = kompetens.prepare(inputs=demo, data_dir=str(tmp_path), personalbehov_extern=path.name, simuleringar=0)
    f = kompetens.key_figures(plan)
    rec = f["rekryteringsbehov"]
    assert set(rec["Totalt"]) == {"2026", "2027"}
    for g in ("Sjuksköterska", "Ny roll"):
        growth = f["okat_behov"][g]
        parts = [f["pensionsavgangar"][g][y] + f["ovriga_avgangar"][g][y] + growth[y] for y in ("2026", "2027")]
        assert [rec[g]["2026"], rec[g]["2027"]] == pytest.approx(parts)
        assert (
            rec[g]["2027"]
            > growth["2027"]
            == pytest.approx(f["personalbehov"][g]["2027"] - f["personalbehov"][g]["2026"])
        )


def test_demo_board_rolls_up_its_departments(demo):
    board = staff_plan(kompetens.prepare(inputs=demo, simuleringar=0)).projection
    depts = [
        staff_plan(kompetens.prepare(inputs=demo, forvaltning=d, simuleringar=0)).projection
        for d in sorted(demo.personal["forvaltning"].unique())
    ]
    for name in ("personalbehov", "pensionsavgangar"):
        pd.testing.assert_series_equal(
            board.table(name).loc["Totalt"], sum(p.table(name).loc["Totalt"] for p in depts), check_names=False
        )
    moves = sum(p.table("interna_flyttar").loc["Totalt"] for p in depts)
    recruits = sum(p.table("rekryteringsbehov").loc["Totalt"] for p in depts)
    pd.testing.assert_series_equal(board.table("rekryteringsbehov").loc["Totalt"], recruits - moves, check_names=False)
    assert moves.loc[2026:].gt(5).all()  # the departments do move staff between them


def test_exposure_counts_every_day_of_a_spell_once_and_bands_meet_exactly():
    """A spell from 2019-01-01 still open at the end of 2025 has 2 557 days at risk, split at
    the days tenure_band_index puts in a new band (366, 1 096, 3 653)."""
    from kompetens.models.spells import exposure
    from kompetens.vocabulary import tenure_band_index

    spells = pd.DataFrame(
        {
            "person_id": ["a", "b"],
            "anstallningsdatum": pd.to_datetime(["2019-01-01", "2015-03-01"]),
            "slutdatum": pd.to_datetime([None, "2018-02-28"]),  # b ends on day 1 095: tenure 2.998 years
            "orsak": [None, "egen_begaran"],
            "yrkesgrupp": "A",
            "forvaltning": "x",
            "fodelsear": 1980,
            "kon": "K",
        }
    )
    exp = exposure(spells, pd.Timestamp("2015-01-01"), pd.Timestamp("2025-12-31"))
    days_a = (pd.Timestamp("2026-01-01") - pd.Timestamp("2019-01-01")).days
    total = exp.groupby("anstallningstid")["personar"].sum() * 365.25
    days_b = (pd.Timestamp("2018-02-28") - pd.Timestamp("2015-03-01")).days
    assert total.sum() == pytest.approx(days_a + days_b)
    by_band_a = [366, 1096 - 366, days_a - 1096]
    by_band_b = [366, days_b - 366]
    expected = [by_band_a[0] + by_band_b[0], by_band_a[1] + by_band_b[1], by_band_a[2]]
    np.testing.assert_allclose(total.to_numpy(), expected)
    exit_band = exp.loc[exp["orsak"].notna(), "anstallningstid"].tolist()
    assert exit_band == [int(tenure_band_index(days_b / 365.25))] == [1]


def test_las_age_exits_are_certain_in_every_draw():
    """Everyone is at the LAS age: all retire in every draw, however uncertain the voluntary
    retirement rate (1 event behind it), so every draw's need is the whole need."""
    ages = 69 - FIRST_AGE + 1
    stock = np.zeros((1, 1, ages, TENURE_YEARS))
    stock[0, 0, ages - 1, 5] = 40.0
    pension = np.zeros(ages + 1)
    pension[-2:] = 1.0
    flows = FlowArrays(
        pension=pension,
        ovriga=np.zeros((1, 1, ages, TENURE_YEARS)),
        ovriga_first_year=np.zeros((1, 1, ages)),
        intern=np.zeros((1, 1)),
        hiring=np.eye(ages)[[20]],
        events=np.array([[1.0, 1.0, 1.0]]),
    )
    need = np.full((1, 1, 2), 40.0)
    p = project(stock, need, np.ones((1, 1)), flows, [2025, 2026], ["x"], ["A"], "forvaltning", draws=400, seed=3)
    assert p.pensionsavgangar[0, 0, 1] == 40
    np.testing.assert_array_equal(p.draws_rekrytering[:, 0, 0, 0], 40)


def _strict(text: str):
    """json.loads that refuses NaN and ±Infinity, as any strict JSON parser does."""

    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_backtest_against_an_outcome_of_zero_has_no_infinite_error_and_json_is_strict(demo, tmp_path):
    """No manager left in the backtest's years: the relative error is undefined (null), never
    Infinity, and nyckeltal.json parses with a strict parser."""
    exits = demo.avgangar
    years = exits["datum"].dt.year
    quiet = exits[~((exits["yrkesgrupp"] == "Ledning") & (years > 2022) & (years <= 2025))]
    plan = kompetens.prepare(inputs=replace(demo, avgangar=quiet), simuleringar=0)
    bt = plan.staff_plan.backtest
    assert bt.loc["Ledning", "avgangar_utfall"] == 0
    assert np.isnan(bt.loc["Ledning", "avgangar_fel_procent"])
    assert np.isfinite(bt["avgangar_fel_procent"].drop("Ledning")).all()
    path = kompetens.write_key_figures(plan.key_figures, tmp_path)
    figures = _strict(path.read_text(encoding="utf-8"))
    assert figures["backtest"]["tabell"]["Ledning"]["avgangar_fel_procent"] is None
    with pytest.raises(ValueError):
        kompetens.write_key_figures({"x": float("inf")}, tmp_path / "raw")  # never written unclean
    clean = _clean({"a": float("inf"), "b": np.float64("-inf"), "c": 1.5})
    assert clean == {"a": None, "b": None, "c": 1.5}


def test_the_history_part_of_the_rates_is_the_same_whatever_the_retirement_assumptions(demo):
    """exit_history is estimated once per window and shared by the sensitivity ranking's
    retirement assumptions: rates made from it equal rates estimated from scratch."""
    from kompetens.models.rates import estimate_rates, exit_history
    from kompetens.models.spells import employment_spells, observation_window

    spells = employment_spells(demo.personal, demo.avgangar)
    start, end = observation_window(demo.personal, demo.avgangar)
    d, g = sorted(set(demo.personal["forvaltning"])), sorted(set(demo.personal["yrkesgrupp"]))
    history = exit_history(demo.personal, demo.avgangar, spells, start, end, d, g)
    for las, profile in ((69, None), (67, None), (69, {60: 0.1, 64: 0.5, 69: 1.0})):
        shared = estimate_rates(demo.personal, demo.avgangar, spells, start, end, d, g, las, profile, history)
        alone = estimate_rates(demo.personal, demo.avgangar, spells, start, end, d, g, las, profile)
        assert shared.pension_.equals(alone.pension_) and shared.ovriga_.equals(alone.ovriga_)
        assert shared.rekryteringsalder_.equals(alone.rekryteringsalder_)
        assert shared.handelser_.equals(alone.handelser_) and shared.intern_.equals(alone.intern_)
        assert shared.pension_.index.max() == las and shared.pension_[las] == 1.0
    assert len(history.ovriga) == len(d) * len(g) * 3 * 4  # every cell, every age × tenure band


def test_flow_arrays_give_a_cell_unknown_to_the_history_the_mean_of_the_known(board_plan):
    """A förvaltning the history does not know gets the mean other-exit bands and the mean
    internal-move rate; a known one its own."""
    from kompetens.plan.staffplan import _rates, flow_arrays

    plan, _ = board_plan
    staff = plan.inputs.personal
    d, g = sorted(set(staff["forvaltning"])), sorted(set(staff["yrkesgrupp"]))
    rates = _rates(plan, plan.basar, d, g)
    flows = flow_arrays(rates, [d[0], "Ny förvaltning"], g, "forvaltning")
    ovr = rates.ovriga_.unstack(["aldersband", "anstallningstid"])
    assert flows.intern[0, 1] == rates.intern_[(d[0], g[1])]
    assert flows.intern[1, 1] == rates.intern_.mean()
    first_year = 1 - np.sqrt(1 - ovr.mean(axis=0).to_numpy().reshape(3, 4)[:, 0])
    own = 1 - np.sqrt(1 - ovr.loc[(d[0], g[1])].to_numpy().reshape(3, 4)[:, 0])
    assert np.array_equal(flows.ovriga_first_year[1, 1, [0, 20, 40]], first_year)  # ages 15, 35, 55
    assert np.array_equal(flows.ovriga_first_year[0, 1, [0, 20, 40]], own)
    assert not np.array_equal(own, first_year)
