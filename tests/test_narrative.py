"""The generated text states exactly the key figures, formatted the Swedish way."""

from __future__ import annotations

import copy
import re

import pytest

import kompetens
from kompetens import fmt
from kompetens.narrative import direction, summary


@pytest.fixture(scope="module")
def figures(demo):
    return kompetens.key_figures(kompetens.prepare(inputs=demo))


def _numbers(text: str) -> list[str]:
    """Every number in a Swedish text: digits with thin-space groups and a decimal comma."""
    return re.findall(r"\d+(?:\u202f\d{3})*(?:,\d+)?", text)


def test_every_number_in_the_summary_comes_from_the_key_figures(figures):
    text = summary(figures, "sv")
    total = lambda key: figures[key]["Totalt"]  # noqa: E731
    history = figures["antal_anstallda"]["Totalt"]
    sick = figures["sjukfranvaro"]
    largest = max((g for g in figures["antal_basar"] if g != "Totalt"), key=lambda g: figures["antal_basar"][g])
    expected = [
        fmt.number(total("antal_basar")), str(figures["basar"]), fmt.number(total("arsarbetare_basar")),
        fmt.number(100 * total("sysselsattningsgrad_basar"), 1),
        str(len(figures["grupper"])), fmt.number(figures["antal_basar"][largest]),
        fmt.number(total("medelalder_basar"), 1), fmt.number(100 * total("andel_60_plus_basar"), 1),
        "60",  # the definition of andel_60_plus
        fmt.number(100 * (history[str(figures["basar"])] / history["2019"] - 1), 1), "2019",
        fmt.number(100 * figures["befolkning_forandring"]["Totalt"], 1), str(figures["basar"]), str(figures["slutar"]),
        "80",  # the age band of befolkning_forandring["80+"]
        fmt.number(100 * figures["befolkning_forandring"]["80+"], 1),
        fmt.number(100 * sick["2025"], 1), "2025", fmt.number(100 * sick["2019"], 1), "2019",
    ]
    assert _numbers(text) == expected
    assert f"Den största är {largest} med" in text
    assert "Antalet anställda har ökat med" in text
    assert fmt.years(figures["basar"], figures["slutar"]) in text


def test_the_demo_summary_reads_like_a_plan(figures):
    text = summary(figures, "sv")
    assert text.startswith("Social- och omsorgsnämnden hade 1\u202f504 anställda år 2025")
    assert "Sjukfrånvaron var 7,5\u00a0% år 2025, jämfört med 6,3\u00a0% år 2019." in text


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
    assert text.startswith("Social- och omsorgsnämnden had 1,504 employees in 2025")
    assert "has increased by" in text
