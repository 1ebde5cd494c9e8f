"""The generated text states exactly the key figures, formatted the Swedish way."""

from __future__ import annotations

import copy
import re

import pytest

import kompetens
from kompetens.report import formats as fmt
from kompetens.report.narrative import direction, economics, summary


@pytest.fixture(scope="module")
def figures(demo):
    return kompetens.key_figures(kompetens.prepare(inputs=demo))


def _numbers(text: str) -> list[str]:
    """Every number in a Swedish text: digits with thin-space groups and a decimal comma."""
    return re.findall(r"\d+(?:\u202f\d{3})*(?:,\d+)?", text)


def test_every_number_in_the_summary_comes_from_the_key_figures(figures):
    text = summary(figures, "sv")
    total = lambda key: figures[key]["Totalt"]  # noqa: E731
    basar, slutar = str(figures["basar"]), str(figures["slutar"])
    history = figures["antal_anstallda"]["Totalt"]
    sick = figures["sjukfranvaro"]
    largest = max((g for g in figures["antal_basar"] if g != "Totalt"), key=lambda g: figures["antal_basar"][g])
    staff, need = figures["antal_basar"], figures["rekryteringsbehov_period"]
    relative = max((g for g in staff if g != "Totalt" and staff[g] >= 5), key=lambda g: need[g] / staff[g])
    expected = [
        fmt.number(total("antal_basar")),
        str(figures["basar"]),
        fmt.number(total("arsarbetare_basar")),
        fmt.number(100 * total("sysselsattningsgrad_basar"), 1),
        str(len(figures["grupper"])),
        fmt.number(figures["antal_basar"][largest]),
        fmt.number(total("medelalder_basar"), 1),
        fmt.number(100 * total("andel_60_plus_basar"), 1),
        "60",  # the definition of andel_60_plus
        fmt.number(100 * (history[str(figures["basar"])] / history["2019"] - 1), 1),
        "2019",
        # the projection
        fmt.number(figures["forandring_procent"]["personalbehov"]["Totalt"], 1),
        basar,
        slutar,
        fmt.number(figures["forandring_procent"]["rekryteringsbehov"]["Totalt"], 1),
        str(figures["basar"] + 1),
        slutar,
        str(figures["basar"] + 1),
        slutar,
        fmt.number(figures["rekryteringsbehov_period"]["Totalt"]),
        fmt.number(figures["pensionsavgangar_period"]["Totalt"]),
        # the group with the largest recruitment need relative to its size
        fmt.number(figures["rekryteringsbehov_period"][relative]),
        fmt.number(100 * figures["rekryteringsbehov_period"][relative] / figures["antal_basar"][relative]),
        slutar,
        fmt.number(figures["rekryteringsbehov"]["Totalt"][slutar]),
        fmt.number(figures["rekryteringsbehov_p10"]["Totalt"][slutar]),
        fmt.number(figures["rekryteringsbehov_p90"]["Totalt"][slutar]),
        "10",
        "90",  # the percentiles' names
        # population and sick leave
        fmt.number(100 * figures["befolkning_forandring"]["Totalt"], 1),
        basar,
        slutar,
        "80",  # the age band of befolkning_forandring["80+"]
        fmt.number(100 * figures["befolkning_forandring"]["80+"], 1),
        fmt.number(100 * sick["2025"], 1),
        "2025",
        fmt.number(100 * sick["2019"], 1),
        "2019",
    ]
    assert _numbers(text) == expected
    assert f"Den största är {largest} med" in text
    assert "Antalet anställda har ökat med" in text
    assert fmt.years(figures["basar"], figures["slutar"]) in text


def test_the_demo_summary_reads_like_a_plan(figures):
    text = summary(figures, "sv")
    assert text.startswith("Social- och omsorgsnämnden hade 1\u202f500 anställda år 2025")
    assert "Sjukfrånvaron var 7,4\u00a0% år 2025, jämfört med 6,5\u00a0% år 2019." in text
    assert "Det totala personalbehovet beräknas öka med 10,9\u00a0% under åren 2025–2030." in text


def test_economics_paragraph_states_the_key_figures(demo):
    figures = kompetens.key_figures(kompetens.prepare(inputs=demo, ram_mnkr=53.0, simuleringar=0))
    text = economics(figures, "sv")
    inc, cost = figures["personalokning"], figures["kostnad_personalokning_mnkr"]
    largest = max((g for g in inc if g != "Totalt"), key=inc.get)
    expected = [
        fmt.number(inc["Totalt"]),
        "2025",
        "2030",
        fmt.number(cost["Totalt"], 1),
        fmt.number(inc[largest]),
        fmt.number(cost[largest], 1),
        "53,0",
        fmt.number(figures["ram"]["mnkr"], 1),
        "30",
        fmt.number(figures["direktiv"]["personer"]["Totalt"]),
        fmt.number(figures["direktiv"]["mnkr"]["Totalt"], 1),
    ]
    assert _numbers(text) == expected
    assert "överstiger ramen med" in text and f"Störst är ökningen för {largest}" in text
    assert figures["direktiv"]["mnkr"]["Totalt"] == pytest.approx(0.3 * cost["Totalt"])
    assert figures["ram"]["mnkr"] == pytest.approx(cost["Totalt"] - 53.0)
    within = kompetens.key_figures(kompetens.prepare(inputs=demo, ram_mnkr=500.0, simuleringar=0))
    assert "ryms inom ramen med" in economics(within, "sv")


def test_wording_follows_the_direction(figures):
    shrinking = copy.deepcopy(figures)
    shrinking["antal_anstallda"]["Totalt"]["2019"] = 2 * shrinking["antal_anstallda"]["Totalt"]["2025"]
    assert "Antalet anställda har minskat med 50,0\u00a0% sedan 2019." in summary(shrinking, "sv")
    flat = copy.deepcopy(figures)
    flat["antal_anstallda"]["Totalt"]["2019"] = flat["antal_anstallda"]["Totalt"]["2025"]
    assert "Antalet anställda är oförändrat sedan 2019." in summary(flat, "sv")
    assert direction(0.0001, ("upp", "ned", "lika")) == "lika"
    assert direction(-0.01, ("upp", "ned", "lika")) == "ned"


def test_suppressed_figures_leave_their_sentence_out(figures):
    hidden = copy.deepcopy(figures)
    hidden["andel_60_plus_basar"]["Totalt"] = None
    text = summary(hidden, "sv")
    assert f"Medelåldern är {fmt.number(figures['medelalder_basar']['Totalt'], 1)} år.\n" in text
    assert "60 år" not in text
    hidden["andel_60_plus_basar"]["Totalt"] = None
    hidden["medelalder_basar"]["Totalt"] = None
    text = summary(hidden, "sv")
    assert "Medelåldern" not in text and "None" not in text


def test_english_summary(figures):
    text = summary(figures, "en")
    assert text.startswith("Social- och omsorgsnämnden had 1,500 employees in 2025")
    assert "has increased by" in text


def test_turnover_paragraph_states_the_key_figures(figures):
    from kompetens.report.narrative import turnover

    text = turnover(figures, "sv")
    rate = figures["personalomsattning"]
    by_age = figures["personalomsattning_aldersband"]
    tenure = figures["avgangar_anstallningstid"]
    med = figures["retention"]["Totalt"]
    pension = figures["pensionsavgangar_period"]
    largest = max((g for g in pension if g != "Totalt"), key=pension.get)
    expected = [
        fmt.number(100 * rate["2025"], 1),
        "2025",
        fmt.number(100 * rate["2019"], 1),
        "2019",
        # the young staff's turnover is named only when it is 1.5 times the whole staff's
        *(
            ["29", fmt.number(100 * by_age["≤29"]), "2025", fmt.number(100 * by_age["Totalt"])]
            if by_age["≤29"] >= 1.5 * by_age["Totalt"]
            else []
        ),
        fmt.number(100 * tenure["under_3_ar"]),
        fmt.number(100 * tenure["under_1_ar"]),
        fmt.number(med["median_ar"], 1),
        "95",
        fmt.number(med["median_ki_lag"], 1),
        fmt.number(med["median_ki_hog"], 1),
        "2026",
        "2030",
        fmt.number(pension["Totalt"]),
        fmt.number(pension[largest]),
    ]
    assert _numbers(text) == expected
    assert text.count("Nästan hälften") == (0.40 <= tenure["under_3_ar"] < 0.5)
    assert f"flest inom {largest}" in text


def test_absence_paragraph_states_the_key_figures(figures):
    from kompetens.report.narrative import absence

    text = absence(figures, "sv")
    last, trend = figures["sjukfranvaro_12_manader"], figures["sjukfranvaro_trend"]
    young, sens, fc = trend["aldersband"]["≤29"], trend["kanslighet"], figures["sjukfranvaro_prognos"]
    pp = lambda x: fmt.number(x, 2)  # noqa: E731
    expected = [
        fmt.number(100 * last["andel"], 1),
        "2025",
        fmt.number(100 * last["andel_lang"]),
        "60",
        pp(trend["pp_per_ar"]),
        "95",
        pp(trend["ki_lag"]),
        pp(trend["ki_hog"]),
        "29",
        pp(young["pp_per_ar"]),
        "95",
        pp(young["ki_lag"]),
        pp(young["ki_hog"]),
        "2020",
        "2021",
        pp(sens["pp_per_ar"]),
        "2026",
        fmt.number(100 * fc["andel"], 1),
        "95",
        fmt.number(100 * fc["ki_lag"], 1),
        fmt.number(100 * fc["ki_hog"], 1),
        fmt.number(100 * fc["pi_lag"], 1),
        fmt.number(100 * fc["pi_hog"], 1),
        "95",
        str(len(figures["sjukfranvaro_flaggade"])),
        fmt.number(100 * figures["sjukfranvaro_grans"]),
    ]
    assert _numbers(text) == expected
    assert "Sjukfrånvaron ökar med" in text and "så den beror inte på de åren" in text


def test_absence_paragraph_says_plainly_when_the_trend_is_not_clear(figures):
    from kompetens.report.narrative import absence

    flat = copy.deepcopy(figures)
    flat["sjukfranvaro_trend"].update(pp_per_ar=-0.05, ki_lag=-0.2, ki_hog=0.1, signifikant=False)
    text = absence(flat, "sv")
    assert (
        "Sjukfrånvarons förändring, −0,05 procentenheter per år (95 % KI −0,20 till 0,10), går inte att skilja från noll."
        in text
    )


def test_competence_paragraph_states_the_key_figures(demo):
    from kompetens.report.narrative import competence

    plan = kompetens.prepare(
        inputs=demo,
        simuleringar=0,
        utbildade_per_ar={"Vårdare/undersköterska/assistent": 40},
        behorighet={"grupp": "Socialsekreterare/biståndsbedömare", "datum": "2026-07-01", "vidareutbildning_per_ar": 2},
        hyrpersonal_mal=0.015,
    )
    c = kompetens.key_figures(plan)["kompetens"]
    text = competence(kompetens.key_figures(plan), "sv")
    span = c["chefer"]["per_chef"]["Totalt"]
    edu = c["utbildning"][0]
    q = c["behorighet"]["Socialsekreterare/biståndsbedömare"]
    path = c["behorighet_framskrivning"]["obehoriga"]
    hyr = c["hyrpersonal"]
    plan_counts = c["aktivitetsplan"]["per_omrade"]["Totalt"]
    expected = [
        fmt.number(span["per_chef"], 1),
        fmt.number(span["minst"]),
        fmt.number(span["storst"]),
        *([str(len(c["chefer"]["over_grans"]))] if c["chefer"]["over_grans"] else []),
        "30",
        fmt.number(edu["utbildade"]),
        fmt.number(100 * edu["tackning"]),
        str(edu["ar"]),
        fmt.number(q["obehoriga"]),
        fmt.number(q["antal"]),
        fmt.number(path["2030"]),
        "2030",
        fmt.number(100 * hyr["andel_12_man"], 1),
        fmt.number(100 * hyr["mal"], 1),
        fmt.number(abs(hyr["pp_per_ar"]), 2),
        str(sum(plan_counts.values())),
        str(plan_counts["försenad"]),
    ]
    assert _numbers(text) == expected


def test_the_strongest_turnover_signal_follows_the_rule():
    from kompetens.report.narrative import STANDS_OUT, turnover_signal

    rates = {"≤29": 0.26, "30–49": 0.09, "≥50": 0.08, "Totalt": 0.115}
    assert turnover_signal({"personalomsattning_aldersband": rates}) == ("≤29", 0.26, 0.115)
    older = {"≤29": 0.10, "30–49": 0.09, "≥50": 0.25, "Totalt": 0.12}
    assert turnover_signal({"personalomsattning_aldersband": older})[0] == "≥50"
    even = {"≤29": STANDS_OUT * 0.11 - 0.001, "30–49": 0.10, "≥50": 0.09, "Totalt": 0.11}
    assert turnover_signal({"personalomsattning_aldersband": even}) is None
    hidden = {"≤29": None, "30–49": 0.10, "≥50": 0.30, "Totalt": 0.11}
    assert turnover_signal({"personalomsattning_aldersband": hidden})[0] == "≥50"


def test_turnover_text_names_the_signal_or_says_it_is_even(figures):
    from kompetens.report.narrative import turnover

    standout = copy.deepcopy(figures)
    standout["personalomsattning_aldersband"] = {"≤29": 0.26, "30–49": 0.10, "≥50": 0.09, "Totalt": 0.11}
    assert "sticker ut bland medarbetare som är 29 år eller yngre" in turnover(standout, "sv")
    even = copy.deepcopy(figures)
    even["personalomsattning_aldersband"] = {"≤29": 0.12, "30–49": 0.11, "≥50": 0.10, "Totalt": 0.11}
    assert "Personalomsättningen är ungefär lika hög i alla åldrar." in turnover(even, "sv")
    assert "Turnover stands out among staff aged 29 or younger" in turnover(standout, "en")


def test_the_largest_relative_recruitment_need_skips_small_groups():
    from kompetens.report.narrative import relative_recruitment

    figures = {
        "k_anonymitet": 5,
        "antal_basar": {"A": 100, "B": 20, "C": 4, "Totalt": 124},
        "rekryteringsbehov_period": {"A": 50, "B": 15, "C": 10, "Totalt": 75},
    }
    # C needs 250 % of its staff but has fewer than k; B's 75 % beats A's 50 %
    assert relative_recruitment(figures) == ("B", 15, 0.75)


def test_budget_period_gives_the_increase_cost_and_directive_up_to_its_last_year(demo):
    plan = kompetens.prepare(inputs=demo, simuleringar=0, budgetperiod=[2026, 2028], direktiv_andel=0.25)
    figures = kompetens.key_figures(plan)
    need = figures["personalbehov"]
    budget = figures["budgetperiod"]
    groups = [g for g in need if g != "Totalt"]
    increase = need["Totalt"]["2028"] - need["Totalt"]["2025"]
    cost = sum((need[g]["2028"] - need[g]["2025"]) * figures["kostnad_per_person"][g] for g in groups) / 1e6
    assert budget["personalokning"] == pytest.approx(increase)
    assert budget["kostnad_personalokning_mnkr"] == pytest.approx(cost)
    assert budget["direktiv_personer"] == pytest.approx(0.25 * increase)
    assert 0 < budget["personalokning"] < figures["personalokning"]["Totalt"]  # a growing need: less by 2028
    text = economics(figures, "sv")
    assert (
        f"Under budgetperioden 2026–2028 ökar personalbehovet med {fmt.number(increase)} personer fram till år 2028, "
        f"vilket kostar {fmt.mnkr(cost * 1e6)} per år" in text
    )


def test_budget_period_must_lie_within_the_plan():
    with pytest.raises(kompetens.InputError, match="budgetperiod"):
        kompetens.check_params({"basar": 2025, "slutar": 2030, "budgetperiod": [2026, 2032]})
    with pytest.raises(kompetens.InputError, match="budgetperiod"):
        kompetens.check_params({"basar": 2025, "budgetperiod": [2028, 2026]})
