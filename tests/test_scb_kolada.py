"""Population forecasts (SCB's JSON-stat 2 and 1, CSV, a municipality's own Excel sheet) and
saved Kolada answers, from hand-made fixtures on the published structures
(tests/fixtures/README.md), each asserting exact values."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import kompetens
from kompetens import InputError, read_kolada, read_population
from kompetens.io.kolada import select_kommun
from kompetens.plan.key_figures import kolada_comparison

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# men + women per age: 0 år, 1 år, 2 år, 100+ år, in 2025 and 2026
EXPECTED = {
    (2025, 0): 510,
    (2026, 0): 520,
    (2025, 1): 500,
    (2026, 1): 505,
    (2025, 2): 490,
    (2026, 2): 496,
    (2025, 100): 15,
    (2026, 100): 17,
}


def _as_dict(df):
    assert list(df.columns) == ["ar", "alder", "antal"]
    return {(int(r.ar), int(r.alder)): r.antal for r in df.itertuples()}


def test_jsonstat_sums_kon_and_reads_100_plus():
    assert _as_dict(read_population(FIXTURES / "befolkning_scb.json")) == EXPECTED


@pytest.mark.parametrize("name", ["befolkning_scb_bred.csv", "befolkning_scb_lang.csv", "befolkning_scb_fotnoter.csv"])
def test_scb_csv_wide_long_and_with_footnotes(name):
    # the long file's "totalt" rows are used, not added twice; the footnote file's title
    # line and footnote block are not read as regions
    assert _as_dict(read_population(FIXTURES / name)) == EXPECTED


def test_inrikes_utrikes_keeps_the_total_not_the_sum_and_folds_ages_above_100():
    got = _as_dict(read_population(FIXTURES / "befolkning_scb_inrikes_utrikes.json"))
    # inrikes + utrikes födda, men + women; 104 år and 105+ år are both 100+; years to 2120
    assert got == {
        (2025, 0): 638,
        (2120, 0): 662,
        (2025, 1): 633,
        (2120, 1): 645,
        (2025, 100): 12,
        (2120, 100): 18,
    }


def _without_total(tmp_path, elimination: bool):
    data = json.loads((FIXTURES / "befolkning_scb_inrikes_utrikes.json").read_text(encoding="utf-8"))
    dim = data["dimension"]["InrikesUtrikes"]
    if elimination:  # the total marked as PxWebApi's elimination value under its own label
        dim["category"]["label"]["83"] = "alla födelseländer"
        dim["extension"] = {"elimination": True, "eliminationValueCode": "83"}
    else:  # only inrikes and utrikes födda: the first two thirds of the cube
        dim["category"] = {"index": {"13": 0, "23": 1}, "label": {"13": "inrikes födda", "23": "utrikes födda"}}
        data["size"][1] = 2
        data["value"] = data["value"][: len(data["value"]) * 2 // 3]
    path = tmp_path / "befolkning.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_dimension_without_total_is_refused_by_name(tmp_path):
    with pytest.raises(InputError) as err:
        read_population(_without_total(tmp_path, elimination=False))
    p = err.value.problems[0]
    assert p.column == "inrikes/utrikes född" and "ingen total" in p.rule and "utrikes födda" in p.rule


def test_the_elimination_value_is_the_total(tmp_path):
    got = _as_dict(read_population(_without_total(tmp_path, elimination=True)))
    assert got[(2025, 0)] == 638 and got[(2120, 100)] == 18


def test_two_measures_are_refused_unless_one_is_named():
    path = FIXTURES / "befolkning_scb_tva_matt.json"
    with pytest.raises(InputError, match="flera mått \\(Folkmängd, Folkökning\\)"):
        read_population(path)
    assert _as_dict(read_population(path, innehall="BE0101N1")) == {(2024, 0): 1000, (2024, 1): 1010}
    assert _as_dict(read_population(path, innehall="Folkökning")) == {(2024, 0): 12, (2024, 1): -5}


def test_jsonstat_1_with_age_reads():
    assert _as_dict(read_population(FIXTURES / "befolkning_jsonstat1.json")) == {
        (2023, 0): 990,
        (2024, 0): 1000,
        (2023, 1): 1005,
        (2024, 1): 1010,
    }


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("befolkning_pxweb_v1_json.json", 'PxWeb API v1:s format "json"'),
        ("befolkning_jsonstat1_utan_alder.json", "JSON-stat 1 utan dimensionerna ålder och år"),
        ("befolkning_scb_femarsklasser.csv", "åldersklasser bredare än ett år \\(0-4 år\\)"),
    ],
)
def test_files_we_cannot_use_are_refused_with_what_to_download(name, says):
    with pytest.raises(InputError, match=says) as err:
        read_population(FIXTURES / name)
    assert "JSON-stat 2" in err.value.problems[0].rule  # says what to download instead
    assert err.value.problems[0].file == name


@pytest.mark.parametrize(
    "content",
    ["", "{", "[1, 2]", '{"version": "2.0", "class": "dataset"}', '{"dataset": {"dimension": {}}}', "null"],
)
def test_broken_json_raises_input_error_only(tmp_path, content):
    path = tmp_path / "befolkning.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError):
        read_population(path)


def _own_forecast(tmp_path, ages_down: bool) -> Path:
    """A purchased forecast as municipalities get it: a title, a blank row, then the table."""
    ages = [*range(0, 101)]
    years = [2025, 2026, 2027]
    counts = {(y, a): 1000 + 10 * a + (y - 2025) for y in years for a in ages}
    label = [f"{a} år" if a < 100 else "100+ år" for a in ages]
    if ages_down:
        table = pd.DataFrame({y: [counts[(y, a)] for a in ages] for y in years}, index=label)
        table.index.name = "Ålder"
    else:
        table = pd.DataFrame({lab: [counts[(y, a)] for y in years] for a, lab in zip(ages, label)}, index=years)
        table.index.name = "År"
    path = tmp_path / "befolkning.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame([["Befolkningsprognos 2025–2027, Exempelkommun (konsult AB)"]]).to_excel(
            xl, header=False, index=False
        )
        table.to_excel(xl, startrow=2)
    return path, counts


@pytest.mark.parametrize("ages_down", [True, False])
def test_own_excel_forecast_either_way_round(tmp_path, ages_down):
    path, counts = _own_forecast(tmp_path, ages_down)
    got = _as_dict(read_population(path))
    assert got == counts and len(got) == 303


def test_a_data_folder_can_hold_scb_json_and_kolada(demo, tmp_path):
    for name in ("personal.csv", "avgangar.csv", "franvaro.csv.gz", "kostnader.csv"):
        shutil.copy(kompetens.demo_dir() / name, tmp_path / name)
    shutil.copy(FIXTURES / "befolkning_scb.json", tmp_path / "befolkning.json")
    shutil.copy(FIXTURES / "kolada.json", tmp_path / "kolada.json")
    with pytest.raises(InputError) as err:  # the fixture has ages 0–2 and 100 only
        kompetens.load_inputs(tmp_path)
    assert any(p.column == "alder" and "åldrar saknas" in p.rule for p in err.value.problems)


def test_kolada_v2_answer():
    k = read_kolada(FIXTURES / "kolada.json")
    assert len(k) == 6
    row = k[(k["kpi"] == "N00090") & (k["kommun"] == "0580") & (k["kon"] == "T")]
    assert row["varde"].item() == 7.9 and row["ar"].item() == 2024
    assert k[(k["kpi"] == "N00216") & (k["kommun"] == "0000")]["varde"].item() == 12.4


def test_kolada_v3_drops_deleted_values_and_skips_a_latest_year_without_value():
    k = read_kolada(FIXTURES / "kolada_v3_borttaget_varde_och_tomt_senaste_ar.json")
    live = k[(k["kpi"] == "N00090") & (k["kommun"] == "0580") & (k["kon"] == "T")]
    assert live["varde"].tolist() == [7.9]  # the deleted 8.4 is gone
    out = kolada_comparison(k, {"personalomsattning": {"2024": 0.125}})
    assert out["N00090"]["kommun"] == 7.9 and out["N00090"]["riket"] == 7.1
    # 2025 has only nulls: 2024 is the latest year with a value
    assert out["N00216"] == {
        "namn": "Personalomsättning, tillsvidareanställda (%)",
        "ar": 2024,
        "kommun": 11.8,
        "riket": 12.4,
        "rapport": pytest.approx(12.5),
    }


def test_kolada_several_municipalities_need_kommunkod():
    path = FIXTURES / "kolada_v3_flera_kommuner.json"
    with pytest.raises(InputError) as err:
        read_kolada(path)
    p = err.value.problems[0]
    assert p.file == "kolada_v3_flera_kommuner.json" and p.value == "0001, 0180, 0580" and "kommunkod" in p.rule
    k = read_kolada(path, kommunkod="0580")
    assert sorted(k["kommun"]) == ["0000", "0580"]
    assert kolada_comparison(k, {})["N00090"]["kommun"] == 7.9  # not the region's 6.2
    with pytest.raises(InputError, match="kommunen finns inte"):
        select_kommun(k, "2480")


def test_kolada_saved_first_page_warns():
    with pytest.warns(UserWarning, match="bara första sidan"):
        k = read_kolada(FIXTURES / "kolada_v3_forsta_sidan.json")
    assert k["varde"].tolist() == [7.9]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_kolada(FIXTURES / "kolada.json")  # next_page null: no warning


def test_bad_kolada_is_named(tmp_path):
    bad = tmp_path / "kolada.json"
    bad.write_text('{"values": [{"kpi": "N00090"}]}', encoding="utf-8")
    with pytest.raises(InputError, match=r"kolada\.json: kan inte läsas som ett Kolada-svar"):
        read_kolada(bad)


def test_kolada_comparison_sits_beside_the_reports_figures():
    figures = {"sjukfranvaro": {"2024": 0.0727}, "personalomsattning": {"2024": 0.125}}
    out = kolada_comparison(read_kolada(FIXTURES / "kolada.json"), figures)
    assert out["N00090"] == {
        "namn": "Sjukfrånvaro, kommunalt anställda (%)",
        "ar": 2024,
        "kommun": 7.9,
        "riket": 7.1,
        "rapport": pytest.approx(7.27),
    }
    assert out["N00216"]["riket"] == 12.4 and out["N00216"]["rapport"] == pytest.approx(12.5)


def test_the_comparison_table_names_its_source():
    from types import SimpleNamespace

    from kompetens.report.sickleave import kolada_table

    figures = {"kolada": kolada_comparison(read_kolada(FIXTURES / "kolada.json"), {})}
    html = kolada_table(SimpleNamespace(key_figures=figures, sprak="sv")).to_html()
    # the table's title names the source, escaped like every text
    assert (
        "<caption>Nyckeltal från Kolada&#58; kommunen och riket. Källa&#58; Kolada (RKA), kolada.se</caption>" in html
    )


def test_a_report_needs_kommunkod_when_kolada_has_several_municipalities(demo, tmp_path, capsys):
    from kompetens.run.cli import main

    data = tmp_path / "data"
    shutil.copytree(kompetens.demo_dir(), data)
    shutil.copy(FIXTURES / "kolada_v3_flera_kommuner.json", data / "kolada.json")
    params = tmp_path / "p.yaml"
    params.write_text("titel: Test\nslug: test\n", encoding="utf-8")
    assert main(["run", str(params), "--data", str(data), "--out", str(tmp_path / "out")]) == 2
    assert "flera kommuner" in capsys.readouterr().err and not (tmp_path / "out" / "test").exists()
    plan = kompetens.prepare(data_dir=str(data), kommunkod="0580", simuleringar=0)
    assert sorted(set(plan.inputs.kolada["kommun"])) == ["0000", "0580"]
    with pytest.raises(InputError, match="kommunen finns inte"):
        kompetens.prepare(data_dir=str(data), kommunkod="2480")
