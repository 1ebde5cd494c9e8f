"""Turnover definitions on a hand-made register, retention against lifelines, recovery of
the demo's truth, and bad exit records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter

import kompetens
from kompetens import InputError, validate_table
from kompetens.demo import truth
from kompetens.models.retention import retention
from kompetens.models.turnover import by_category, reconciliation, tenure_shares, turnover


def _register():
    """2024: 10 staff (8 tillsvidare); 2025: 12 staff (9 tillsvidare)."""
    personal = pd.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(10)] + [f"q{i}" for i in range(12)],
            "ar": [2024] * 10 + [2025] * 12,
            "anstallningsform": ["tillsvidare"] * 8 + ["visstid"] * 2 + ["tillsvidare"] * 9 + ["visstid"] * 3,
        }
    )
    avgangar = pd.DataFrame(
        {
            "datum": pd.to_datetime(
                ["2025-02-01", "2025-03-01", "2025-05-01", "2025-06-15", "2025-09-01", "2024-04-01"]
            ),
            "orsak": ["egen_begaran", "pension", "intern_rorlighet", "ovrigt", "egen_begaran", "egen_begaran"],
            "anstallningsform": ["tillsvidare", "tillsvidare", "tillsvidare", "visstid", "tillsvidare", "tillsvidare"],
            "anstallningsdatum": pd.to_datetime(
                ["2024-06-01", "1990-01-01", "2015-01-01", "2025-01-01", "2020-01-01", "2023-01-01"]
            ),
        }
    )
    starters = pd.Series(pd.to_datetime(["2025-01-01", "2025-03-01", "2024-06-01"]))
    return personal, avgangar, starters


def test_kolada_counts_permanent_leavers_over_permanent_headcount():
    personal, avgangar, _ = _register()
    t = turnover(personal, avgangar, "kolada")
    # 2025: tillsvidare leavers, internal move excluded: egen_begaran, pension, egen_begaran = 3; base 9
    assert t.loc[2025, "avgangar"] == 3 and t.loc[2025, "bas"] == 9
    assert t.loc[2025, "andel"] == pytest.approx(3 / 9)
    assert turnover(personal, avgangar, "kolada", pension=False).loc[2025, "andel"] == pytest.approx(2 / 9)
    assert turnover(personal, avgangar, "kolada", extern=False).loc[2025, "andel"] == pytest.approx(4 / 9)
    assert t.loc[2024, "andel"] == pytest.approx(1 / 8)


def test_arbetsgivarverket_uses_the_mean_of_start_and_end_headcount():
    personal, avgangar, _ = _register()
    t = turnover(personal, avgangar, "arbetsgivarverket")
    # 2025: all external leavers (4, the visstid one included) / mean(10, 12) = 11
    assert t.loc[2025, "andel"] == pytest.approx(4 / 11)
    assert np.isnan(t.loc[2024, "andel"])  # no snapshot before 2024


def test_nyckeltalsinstitutet_takes_the_smaller_of_starters_and_leavers():
    personal, avgangar, starters = _register()
    t = turnover(personal, avgangar, "nyckeltalsinstitutet", starters=starters)
    # 2025: min(2 starters, 4 leavers) / 12; 2024: min(1, 1) / 10
    assert t.loc[2025, "andel"] == pytest.approx(2 / 12)
    assert t.loc[2024, "andel"] == pytest.approx(1 / 10)
    table = reconciliation(personal, avgangar, starters)
    assert table.loc[("kolada", "extern, med pension"), 2025] == pytest.approx(3 / 9)
    assert table.loc[("arbetsgivarverket", "inklusive intern rörlighet"), 2025] == pytest.approx(5 / 11)


def test_monthly_turnover_divides_each_months_leavers_by_the_base():
    personal, avgangar, _ = _register()
    m = turnover(personal, avgangar, "kolada", period="manad")
    assert m.loc["2025-02", "andel"] == pytest.approx(1 / 9)
    assert m.loc["2025-01", "andel"] == 0
    assert m.loc[m.index.str.startswith("2025"), "andel"].sum() == pytest.approx(3 / 9)


def test_tenure_shares_by_hand():
    _, avgangar, _ = _register()
    shares = tenure_shares(avgangar, [2025])
    # external leavers 2025 with tenure: 0.67, 35.2, 0.45, 5.7 years -> 2 of 4 under 1 and under 3
    assert shares == {"under_1_ar": 0.5, "under_3_ar": 0.5, "antal": 4}


def _spells():
    return pd.DataFrame(
        {
            "anstallningsdatum": pd.to_datetime(
                [
                    "2015-01-01",
                    "2018-06-01",
                    "1988-03-01",
                    "2020-01-01",
                    "2021-05-01",
                    "2019-02-01",
                    "2022-01-01",
                    "2016-09-01",
                ]
            ),
            "slutdatum": pd.to_datetime(
                ["2020-01-01", None, "2021-03-31", "2021-01-01", None, "2024-02-01", "2022-07-01", None]
            ),
            "orsak": ["egen_begaran", None, "pension", "egen_begaran", None, "ovrigt", "egen_begaran", None],
            "grupp": ["a", "a", "a", "b", "b", "b", "b", "a"],
        }
    )


@pytest.mark.filterwarnings("ignore:Tied event times")
def test_retention_agrees_with_lifelines_fitted_directly():
    spells = _spells()
    r = retention(spells, observationsdatum="2025-12-31")
    end = spells["slutdatum"].fillna(pd.Timestamp("2025-12-31"))
    durations = (end - spells["anstallningsdatum"]).dt.days / 365.25
    kmf = KaplanMeierFitter().fit(durations, spells["slutdatum"].notna())
    ours = r.survival.set_index("ar")["andel_kvar"]
    pd.testing.assert_series_equal(ours, kmf.survival_function_.iloc[:, 0], check_names=False)
    np.testing.assert_allclose(r.survival["ki_lag"], kmf.confidence_interval_survival_function_.iloc[:, 0])
    assert r.median_ar["Totalt"] == pytest.approx(kmf.median_survival_time_)
    codes = spells["orsak"].map({"egen_begaran": 1, "ovrigt": 2, "pension": 3}).fillna(0).astype(int)
    for i, reason in enumerate(("egen_begaran", "ovrigt", "pension"), start=1):
        ajf = AalenJohansenFitter(calculate_variance=False).fit(durations, codes, event_of_interest=i)
        cif = r.kumulativ_incidens[r.kumulativ_incidens["orsak"] == reason].set_index("ar")["andel"]
        theirs = ajf.cumulative_density_.iloc[:, 0]  # lifelines spreads the tie at 5.0 years by jitter
        at = np.searchsorted(theirs.index, cif.index.to_numpy() + 1e-3, side="right") - 1
        np.testing.assert_allclose(cif.to_numpy(), theirs.to_numpy()[at])
    assert set(r.kumulativ_incidens["orsak"]) == {"egen_begaran", "ovrigt", "pension"}


def _random_spells(rng, n, zero_share):
    """n spells over 2015–2024 in whole months (so exits tie), some ending the day they start."""
    start = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.integers(0, 120, n) * 30, unit="D")
    length = pd.to_timedelta(rng.integers(0, 60, n) * 30, unit="D")
    length = length.where(rng.random(n) > zero_share, pd.Timedelta(0))
    end = (start + length).where(rng.random(n) < 0.7)
    reasons = rng.choice(["egen_begaran", "ovrigt", "pension"], n)
    return pd.DataFrame({"anstallningsdatum": start, "slutdatum": end, "orsak": np.where(end.notna(), reasons, None)})


def _lifelines_cif(r, spells, start):
    """lifelines' Aalen–Johansen on the same spells, as step functions per orsak. Exits are
    spread by under a day (lifelines needs distinct exit times, after entry), so the curves are
    compared at the end of each day, where these shifts do not show."""
    observed = pd.Timestamp("2025-12-31")
    entry_day = np.maximum((pd.Timestamp(start) - spells["anstallningsdatum"]).dt.days.to_numpy(), 0)
    end = spells["slutdatum"].where(spells["slutdatum"] <= observed, observed).fillna(observed)
    days = (end - spells["anstallningsdatum"]).dt.days.to_numpy().astype(float)
    keep = ~((spells["slutdatum"] < pd.Timestamp(start)).to_numpy())
    ended = (spells["slutdatum"] <= observed).to_numpy()
    codes = {reason: i for i, reason in enumerate(sorted(set(spells.loc[ended & keep, "orsak"])), start=1)}
    events = np.array([codes.get(o, 0) if e else 0 for o, e in zip(spells["orsak"], ended)])
    rng = np.random.default_rng(0)
    # exits spread within their day, censored spells after that day's exits (still at risk at them)
    shifted = days + np.where(ended, rng.uniform(0.01, 0.5, len(days)), 0.9)
    out = {}
    for reason, i in codes.items():
        ajf = AalenJohansenFitter(calculate_variance=False).fit(
            shifted[keep] / 365.25, events[keep], event_of_interest=i, entry=entry_day[keep] / 365.25
        )
        out[reason] = ajf.cumulative_density_.iloc[:, 0]
    return out


@pytest.mark.parametrize("start", [None, "2018-01-01"])
def test_cumulative_incidence_with_zero_length_and_tied_spells_matches_lifelines(start):
    """Spells that start and end on the same day (hourly staff) and exits tied on the same
    day: no crash, and over 30 random registers the curves equal lifelines' on every day."""
    rng = np.random.default_rng(14)
    for _ in range(30):
        spells = _random_spells(rng, int(rng.integers(20, 200)), zero_share=0.2)
        r = retention(spells, observationsdatum="2025-12-31", observationsstart=start)
        cif = r.kumulativ_incidens
        theirs = _lifelines_cif(r, spells, start or "1900-01-01")
        days = np.arange(0, 11 * 365, 7) / 365.25 + 0.999 / 365.25  # just before the next day
        for reason, curve in theirs.items():
            ours = cif[cif["orsak"] == reason].set_index("ar")["andel"]
            at = lambda c, t: c.loc[:t].iloc[-1] if (c.index <= t).any() else 0.0  # noqa: E731
            np.testing.assert_allclose([at(ours, t) for t in days], [at(curve, t) for t in days], atol=1e-12)
        # the causes together are everything that ended: 1 - Kaplan–Meier at every exit time
        total = cif.groupby("ar")["andel"].sum()
        km = r.survival.set_index("ar")["andel_kvar"]
        both = total.index.intersection(km.index)
        np.testing.assert_allclose(total.loc[both], 1 - km.loc[both], atol=1e-12)


def test_retention_by_group_and_left_truncation():
    spells = _spells()
    r = retention(spells, by="grupp", observationsdatum="2025-12-31", observationsstart="2019-01-01")
    # the spell that ended in 2020-01 started in 2015: it enters the risk set at 4.0 years
    assert set(r.survival["grupp"]) == {"a", "b"}
    assert r.sammanfattning.loc["b", "antal"] == 4
    first_a = r.survival.query("grupp == 'a'")
    assert first_a["andel_kvar"].iloc[0] == 1.0 and first_a["andel_kvar"].min() < 1
    assert np.isnan(r.median_ar["a"]) or r.median_ar["a"] > 0


def test_retention_names_a_spell_that_ends_before_it_starts():
    spells = _spells()
    spells.loc[3, "slutdatum"] = pd.Timestamp("2019-01-01")
    with pytest.raises(InputError) as err:
        retention(spells)
    assert [(p.row, p.column) for p in err.value.problems] == [(5, "slutdatum")]


def test_demo_retention_and_tenure_recover_the_truth(demo):
    """One- and three-year retention within 0.03 of the generator's hazards applied to its
    hiring ages (32 % of recruits are under 30); half of the leavers under three years."""
    spells = kompetens.employment_spells(demo.personal, demo.avgangar)
    r = retention(spells, observationsstart="2019-01-01").sammanfattning.loc["Totalt"]
    a = truth.REKRYTERING_ALDER
    young = (np.random.default_rng(0).gamma(a["shape"], a["scale"], 1_000_000) + a["min"] < 30).mean()
    tenure = truth.OVRIGA_AVGANGAR_ANSTALLNINGSTID
    age = truth.OVRIGA_AVGANGAR_ALDER

    def stay(mult):
        return [(1 - tenure[(0, 1)] * mult), (1 - tenure[(0, 1)] * mult) * (1 - tenure[(1, 3)] * mult) ** 2]

    true_1, true_3 = young * np.array(stay(age[(0, 29)])) + (1 - young) * np.array(stay(age[(30, 49)]))
    assert r["kvar_1_ar"] == pytest.approx(true_1, abs=0.03)
    assert r["kvar_3_ar"] == pytest.approx(true_3, abs=0.03)
    assert r["kvar_1_ki_lag"] < true_1 < r["kvar_1_ki_hog"]
    shares = tenure_shares(demo.avgangar, range(2019, 2026))
    assert shares["under_3_ar"] == pytest.approx(0.5, abs=0.06)


def test_by_category_hides_small_cells(demo):
    t = by_category(demo.personal, demo.avgangar, 2025, "yrkesgrupp", k=5)
    staff = int((demo.personal["ar"] == 2025).sum())
    assert t.loc["Totalt", "antal"] == staff
    assert (t["avgangar"].dropna() >= 5).all()
    assert t.loc["Totalt", "andel"] == pytest.approx(t.loc["Totalt", "avgangar"] / staff)


def _exit_rows():
    return pd.DataFrame(
        {
            "person_id": ["a", "b", "c", "d"],
            "datum": ["2024-05-01", "2024-06-01", "2024-07-01", "2024-07-01"],
            "forvaltning": ["X"] * 4,
            "yrkesgrupp": ["Y"] * 4,
            "orsak": ["pension", "ovrigt", "egen_begaran", "ovrigt"],
            "anstallningsdatum": ["2000-01-01", "2010-01-01", "2015-01-01", "2016-01-01"],
        }
    )


@pytest.mark.parametrize(
    "column,value,row,rule",
    [
        ("datum", "1999-01-01", 3, "avgång före anställningsdatum"),
        ("datum", "2099-01-01", 3, "datum i framtiden"),
        ("orsak", "flytt", 3, "ska vara ett av"),
    ],
)
def test_bad_exit_records_are_named(column, value, row, rule):
    df = _exit_rows()
    df.loc[1, column] = value
    with pytest.raises(InputError) as err:
        validate_table(df, "avgangar", "avgangar.csv")
    found = [(p.row, p.rule) for p in err.value.problems]
    assert any(r == row and p.startswith(rule) for r, p in found), found


def test_duplicate_exit_is_named():
    df = pd.concat([_exit_rows(), _exit_rows().iloc[[2]]], ignore_index=True)
    with pytest.raises(InputError) as err:
        validate_table(df, "avgangar", "avgangar.csv")
    assert [(p.file, p.row, p.column, p.rule) for p in err.value.problems] == [
        ("avgangar.csv", 6, "person_id", "samma avgång två gånger")
    ]


def test_report_sections_share_one_retention_per_plan(demo):
    """The retention table's total row, the key figures and the exit-cause table use the
    same fit of all the department's employments, computed once per plan."""
    from kompetens import report
    from kompetens.plan.key_figures import turnover_figures

    plan = kompetens.prepare(demo, titel="t", slug="t", forvaltning="Äldreomsorg")
    assert plan.retention is plan.retention and plan.spells is plan.spells
    assert (plan.spells["forvaltning"] == "Äldreomsorg").all()
    total = turnover_figures(plan)["retention"]["Totalt"]
    table = report.retention_table(plan).data
    assert (
        table.loc["Totalt", "Anställningar"] == total["antal"] == plan.retention.sammanfattning.loc["Totalt", "antal"]
    )
    assert table.loc["Totalt", "Kvar efter 1 år (%)"] == pytest.approx(100 * total["kvar_1_ar"])
    groups = plan.retention_by_group.sammanfattning
    counts = plan.spells["yrkesgrupp"].value_counts()
    assert set(groups.index) == set(counts[counts >= plan.k].index)
    causes = report.exit_causes_table(plan).data
    cif = plan.retention.kumulativ_incidens.query("orsak == 'pension'").set_index("ar")["andel"]
    assert causes.loc["Pension", "Efter 5 år (%)"] == pytest.approx(100 * cif.loc[:5].iloc[-1])


def test_kolada_without_anstallningsform_counts_all_staff_and_says_so():
    """Leavers without anstallningsform are not divided by a permanent-only headcount: both
    are all staff, and the result is labelled so."""
    personal, avgangar, _ = _register()
    t = turnover(personal, avgangar.drop(columns="anstallningsform"), "kolada", extern=True)
    # 2025: 5 leavers but the internal move; base 12 staff
    assert t.loc[2025, "avgangar"] == 4 and t.loc[2025, "bas"] == 12
    assert (t["avser"] == "alla anställda").all()
    both = turnover(personal, avgangar, "kolada", extern=True)
    assert both.loc[2025, "avgangar"] == 3 and both.loc[2025, "bas"] == 9
    assert (both["avser"] == "tillsvidareanställda").all()


@pytest.mark.filterwarnings("ignore:Tied event times")
def test_an_exit_without_orsak_is_an_exit_for_both_estimators():
    """Without censoring before the last exit, 1 − KM equals the sum of the cumulative
    incidences of all reasons: an ended spell with no orsak counts in both."""
    spells = _spells()
    spells.loc[3, "orsak"] = None  # ended 2021-01-01, reason not given
    r = retention(spells, observationsdatum="2025-12-31")
    km = r.survival.set_index("ar")["andel_kvar"]
    cif = r.kumulativ_incidens.pivot_table(index="ar", columns="orsak", values="andel").sort_index().ffill()
    assert "okand" in cif.columns
    for t in (1.5, 4.8, 9.0):  # between event times (Aalen–Johansen jitters ties)
        assert 1 - km.loc[:t].iloc[-1] == pytest.approx(cif.loc[:t].iloc[-1].sum(), abs=1e-9)
    assert 1 - km.loc[:9.0].iloc[-1] == pytest.approx(0.55)


@pytest.mark.filterwarnings("ignore:Tied event times")
def test_an_exit_on_the_hire_day_does_not_break_the_competing_exits():
    spells = _spells()
    spells.loc[6, "slutdatum"] = spells.loc[6, "anstallningsdatum"]  # left on the first day
    spells.loc[5, "slutdatum"] = spells.loc[5, "anstallningsdatum"]
    r = retention(spells, observationsdatum="2025-12-31")
    cif = r.kumulativ_incidens.pivot_table(index="ar", columns="orsak", values="andel").sort_index().ffill()
    km = r.survival.set_index("ar")["andel_kvar"]
    assert 1 - km.loc[:9.0].iloc[-1] == pytest.approx(cif.loc[:9.0].iloc[-1].sum(), abs=1e-9)
    assert km.loc[:0.0].iloc[-1] == pytest.approx(6 / 8)  # two of eight left on day 0
