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
    bands = figures["avgangar_aldersband_andel"]
    band = max(bands, key=bands.get)
    tenure = figures["avgangar_anstallningstid"]
    med = figures["retention"]["Totalt"]
    pension = figures["pensionsavgangar_period"]
    largest = max((g for g in pension if g != "Totalt"), key=pension.get)
    expected = [
        fmt.number(100 * rate["2025"], 1),
        "2025",
        fmt.number(100 * rate["2019"], 1),
        "2019",
        "2019",
        "2025",
        *band.split("–"),
        fmt.number(100 * bands[band]),
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
