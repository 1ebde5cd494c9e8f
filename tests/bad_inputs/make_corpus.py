"""Writes the bad-input corpus: one small file (or folder) per case and cases.yaml, which
says where each case's error must point. Run it to rebuild the corpus after changing a case:

    python tests/bad_inputs/make_corpus.py
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent

PERSONAL = [
    "person_id;ar;forvaltning;enhet;yrkesgrupp;fodelsear;kon;sysselsattningsgrad;manadslon;anstallningsdatum;"
    "anstallningsform;chef",
    "A1;2025;Äldreomsorg;Hemtjänst 1;Sjuksköterska;1980;K;1,0;38 500;2015-03-01;tillsvidare;nej",
    "A2;2025;Äldreomsorg;Hemtjänst 1;Sjuksköterska;1990;M;0,75;36 000;2020-08-15;visstid;nej",
    "A3;2025;Stab;HR;Administratör;1975;K;1,0;41 000;2010-01-01;tillsvidare;ja",
]
AVGANGAR = [
    "person_id,datum,forvaltning,yrkesgrupp,orsak,anstallningsdatum",
    "A9,2025-05-31,Äldreomsorg,Sjuksköterska,egen_begaran,2023-02-01",
    "A8,2025-06-30,Stab,Administratör,pension,1995-01-01",
]
FRANVARO = ["person_id,manad,schemalagd_tid,sjuk_tid", "A1,2025-01,168,8", "A2,2025-01,126,0", "A3,2025-02,160,16"]
BEFOLKNING = ["ar,alder,antal", "2025,0,510", "2025,1,498", "2025,2,505", "2026,0,520", "2026,1,512", "2026,2,500"]
KOSTNADER = ["manad,forvaltning,lonekostnad,hyrpersonal", "2025-01,Äldreomsorg,1200000,30000", "2025-01,Stab,400000,0"]
EXTERN = [
    "ar,yrkesgrupp,personalbehov,rekryteringsbehov",
    "2025,Sjuksköterska,100,12",
    "2026,Sjuksköterska,104,13",
    "2025,Undersköterska,400,50",
    "2026,Undersköterska,410,55",
]
TABLES = {
    "personal": PERSONAL,
    "avgangar": AVGANGAR,
    "franvaro": FRANVARO,
    "befolkning": BEFOLKNING,
    "kostnader": KOSTNADER,
}

CASES: list[dict] = []


def case(name, table, lines, row, column, rule, *, encoding="utf-8", raw: bytes | None = None, suffix=".csv"):
    path = HERE / "files" / f"{name}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    CASES.append(
        {
            "id": name,
            "kind": "table",
            "table": table,
            "path": f"files/{path.name}",
            "row": row,
            "column": column,
            "rule": rule,
        }
    )


def edit(lines, row, column, value):
    """lines with one cell changed: row is the Excel row (header = 1)."""
    sep = ";" if ";" in lines[0] else ","
    header = lines[0].split(sep)
    out = list(lines)
    cells = out[row - 1].split(sep)
    cells[header.index(column)] = value
    out[row - 1] = sep.join(cells)
    return out


def folder(name, changes: dict, row, column, rule, file, extra: dict | None = None):
    path = HERE / "folders" / name
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    for table, lines in TABLES.items():
        lines = changes.get(table, lines)
        if lines is not None:
            (path / f"{table}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for filename, raw in (extra or {}).items():
        (path / filename).write_bytes(raw)
    CASES.append(
        {
            "id": name,
            "kind": "folder",
            "path": f"folders/{name}",
            "row": row,
            "column": column,
            "rule": rule,
            "file": file,
        }
    )


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    """An Excel workbook with the given sheets (rows of cells, written as they are)."""
    import datetime as dt
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.properties.created = book.properties.modified = dt.datetime(2025, 11, 1)  # the same bytes every run
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cells(lines):
    sep = ";" if ";" in lines[0] else ","
    return [line.split(sep) for line in lines]


def activities(name, text, row, column, rule):
    path = HERE / "files" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    CASES.append(
        {"id": name, "kind": "aktivitetsplan", "path": f"files/{path.name}", "row": row, "column": column, "rule": rule}
    )


def params(name, text, column, rule, row=None):
    path = HERE / "params" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    CASES.append(
        {"id": name, "kind": "params", "path": f"params/{path.name}", "row": row, "column": column, "rule": rule}
    )


def build():
    # files that cannot be read as a table
    case("tom_fil", "personal", [], None, None, "filen är tom", raw=b"")
    case("bara_rubriker", "personal", PERSONAL[:1], None, None, "filen har inga rader")
    case("fel_avgransare", "befolkning", [line.replace(",", "\t") for line in BEFOLKNING], 1, None, "fel avgränsare")
    mixed = ("\n".join(PERSONAL[:3]) + "\n").encode("utf-8") + (
        PERSONAL[3].replace("Administratör", "Administratör") + "\n"
    ).encode("cp1252")
    case("blandad_kodning", "personal", [], 4, "yrkesgrupp", "Windows-1252", raw=mixed)
    case(
        "saknad_kolumn",
        "personal",
        [";".join(c for c in PERSONAL[0].split(";") if c != "kon")]
        + [";".join(v for i, v in enumerate(line.split(";")) if i != 6) for line in PERSONAL[1:]],
        None,
        "kon",
        "kolumnen saknas",
    )
    # values out of their contract: personal
    case(
        "decimalkomma_i_heltal",
        "personal",
        edit(PERSONAL, 3, "fodelsear", "1990,5"),
        3,
        "fodelsear",
        "ska vara ett heltal",
    )
    case(
        "sysselsattningsgrad_noll",
        "personal",
        edit(PERSONAL, 2, "sysselsattningsgrad", "0"),
        2,
        "sysselsattningsgrad",
        "ska ligga mellan 0 och 1",
    )
    case(
        "sysselsattningsgrad_over_ett",
        "personal",
        edit(PERSONAL, 4, "sysselsattningsgrad", "1,2"),
        4,
        "sysselsattningsgrad",
        "ska ligga mellan 0 och 1",
    )
    case(
        "sysselsattningsgrad_procent",
        "personal",
        edit(PERSONAL, 3, "sysselsattningsgrad", "75"),
        3,
        "sysselsattningsgrad",
        "ska ligga mellan 0 och 1",
    )
    case("alder_under_15", "personal", edit(PERSONAL, 2, "fodelsear", "2013"), 2, "fodelsear", "ålder")
    case("alder_over_80", "personal", edit(PERSONAL, 4, "fodelsear", "1930"), 4, "fodelsear", "ålder")
    case(
        "anstalld_efter_aret",
        "personal",
        edit(PERSONAL, 3, "anstallningsdatum", "2027-01-01"),
        3,
        "anstallningsdatum",
        "anställningsdatum efter",
    )
    case(
        "ogiltigt_datum",
        "personal",
        edit(PERSONAL, 2, "anstallningsdatum", "2021-02-30"),
        2,
        "anstallningsdatum",
        "ska vara ett datum",
    )
    case("dubbel_person_ar", "personal", [*PERSONAL, PERSONAL[2]], 5, "person_id", "samma person två gånger")
    case("okant_kon", "personal", edit(PERSONAL, 3, "kon", "X"), 3, "kon", "ska vara ett av")
    case(
        "okand_anstallningsform",
        "personal",
        edit(PERSONAL, 2, "anstallningsform", "timanställd"),
        2,
        "anstallningsform",
        "ska vara ett av",
    )
    case("chef_otydligt", "personal", edit(PERSONAL, 4, "chef", "kanske"), 4, "chef", "ska vara ja eller nej")
    case(
        "lon_som_text", "personal", edit(PERSONAL, 3, "manadslon", "trettio tusen"), 3, "manadslon", "ska vara ett tal"
    )
    case("negativ_lon", "personal", edit(PERSONAL, 2, "manadslon", "-100"), 2, "manadslon", "ska vara större än 0")
    case("ar_som_text", "personal", edit(PERSONAL, 4, "ar", "tjugo"), 4, "ar", "ska vara ett heltal")
    case(
        "personnummer_kolumn",
        "personal",
        [PERSONAL[0] + ";personnummer"] + [line + ";19800101-1234" for line in PERSONAL[1:]],
        None,
        "personnummer",
        "personuppgift",
    )
    case(
        "personnummer_som_id",
        "personal",
        edit(PERSONAL, 3, "person_id", "19900512-1234"),
        3,
        "person_id",
        "ser ut som ett personnummer",
    )
    case("tom_yrkesgrupp", "personal", edit(PERSONAL, 2, "yrkesgrupp", ""), 2, "yrkesgrupp", "")
    # avgangar
    case(
        "avgang_fore_anstallning",
        "avgangar",
        edit(AVGANGAR, 2, "datum", "2022-01-31"),
        2,
        "datum",
        "avgång före anställningsdatum",
    )
    case("avgang_i_framtiden", "avgangar", edit(AVGANGAR, 3, "datum", "2099-06-30"), 3, "datum", "datum i framtiden")
    case("okand_orsak", "avgangar", edit(AVGANGAR, 3, "orsak", "flytt"), 3, "orsak", "ska vara ett av")
    case("dubbel_avgang", "avgangar", [*AVGANGAR, AVGANGAR[1]], 4, "person_id", "samma avgång två gånger")
    case(
        "tva_avgangar_samma_dag",
        "avgangar",
        [*AVGANGAR, AVGANGAR[1].replace("egen_begaran", "ovrigt")],
        4,
        "person_id",
        "två avgångar samma dag",
    )
    case(
        "avgang_ar_1900",
        "avgangar",
        [",".join(line.split(",")[:5]) for line in edit(AVGANGAR, 3, "datum", "1900-06-30")],
        3,
        "datum",
        "datum före 1990",
    )
    case("avgangsdatum_som_text", "avgangar", edit(AVGANGAR, 2, "datum", "sista maj"), 2, "datum", "ska vara ett datum")
    # franvaro
    case(
        "negativ_schemalagd_tid",
        "franvaro",
        edit(FRANVARO, 3, "schemalagd_tid", "-5"),
        3,
        "schemalagd_tid",
        "ska vara större än 0",
    )
    case(
        "schemalagd_tid_noll",
        "franvaro",
        edit(FRANVARO, 2, "schemalagd_tid", "0"),
        2,
        "schemalagd_tid",
        "ska vara större än 0",
    )
    case(
        "sjuk_over_schemalagd",
        "franvaro",
        edit(FRANVARO, 4, "sjuk_tid", "170"),
        4,
        "sjuk_tid",
        "större än schemalagd_tid",
    )
    case("negativ_sjuk_tid", "franvaro", edit(FRANVARO, 2, "sjuk_tid", "-1"), 2, "sjuk_tid", "får inte vara negativt")
    case("manad_13", "franvaro", edit(FRANVARO, 3, "manad", "2025-13"), 3, "manad", "ska ha formen")
    case("manad_som_ord", "franvaro", edit(FRANVARO, 2, "manad", "januari"), 2, "manad", "ska ha formen")
    # accepted before: implausible dates, duplicates, placeholders, ranges
    case(
        "anstalld_ar_1900",
        "personal",
        edit(PERSONAL, 2, "anstallningsdatum", "1900-01-01"),
        2,
        "anstallningsdatum",
        "anställd innan personen fyllt 13",
    )
    case(
        "anstalld_fore_fodelse",
        "personal",
        edit(edit(PERSONAL, 4, "fodelsear", "1995"), 4, "anstallningsdatum", "1990-01-01"),
        4,
        "anstallningsdatum",
        "anställd innan personen fyllt 13",
    )
    case("ar_i_framtiden", "personal", edit(PERSONAL, 3, "ar", "2031"), 3, "ar", "år i framtiden")
    case("ar_med_decimal", "personal", edit(PERSONAL, 3, "ar", "2025.5"), 3, "ar", "ska vara ett heltal")
    parquet = io.BytesIO()
    pd.DataFrame({"ar": [2019.5, 2020.0], "alder": [0, 0], "antal": [510, 520]}).to_parquet(parquet)
    case(
        "ar_med_decimal_parquet",
        "befolkning",
        [],
        None,
        "ar",
        "år ska vara fyra siffror",
        raw=parquet.getvalue(),
        suffix=".parquet",
    )
    case(
        "scb_ar_med_decimal",
        "befolkning",
        ["region,ålder,kön,år,Folkmängd", "0180 Stockholm,0 år,totalt,2019.5,510"],
        None,
        "år",
        "år ska vara fyra siffror",
    )
    case("lon_noll", "personal", edit(PERSONAL, 2, "manadslon", "0"), 2, "manadslon", "ska vara större än 0")
    case("lon_orimlig", "personal", edit(PERSONAL, 4, "manadslon", "1000000000000"), 4, "manadslon", "orimligt hög")
    case("yrkesgrupp_null", "personal", edit(PERSONAL, 3, "yrkesgrupp", "NULL"), 3, "yrkesgrupp", "saknat värde")
    case("enhet_na", "personal", edit(PERSONAL, 4, "enhet", "N/A"), 4, "enhet", "saknat värde")
    case(
        "forvaltning_med_mellanslag",
        "personal",
        edit(PERSONAL, 3, "forvaltning", "Äldreomsorg "),
        3,
        "forvaltning",
        "mellanslag",
    )
    case(
        "fodelsear_andras",
        "personal",
        [*PERSONAL, PERSONAL[1].replace(";2025;", ";2024;").replace(";1980;", ";1981;")],
        5,
        "fodelsear",
        "födelseår skiljer sig",
    )
    case("manad_i_framtiden", "franvaro", edit(FRANVARO, 4, "manad", "2031-05"), 4, "manad", "månad i framtiden")
    case(
        "dubbel_person_manad",
        "franvaro",
        [*FRANVARO, "A1,2025-01,100,0"],
        5,
        "person_id",
        "samma person två gånger samma månad",
    )
    case(
        "schemalagd_tid_orimlig",
        "franvaro",
        edit(FRANVARO, 2, "schemalagd_tid", "100000"),
        2,
        "schemalagd_tid",
        "fler timmar än en månad har",
    )
    case(
        "sjuk_delar_over_sjuk_tid",
        "franvaro",
        ["person_id,manad,schemalagd_tid,sjuk_tid,sjuk_kort,sjuk_lang", "A1,2025-01,168,8,6,4", "A2,2025-01,126,0,0,0"],
        2,
        "sjuk_kort",
        "sjuk_kort + sjuk_lang större än sjuk_tid",
    )
    # refused before, but without a precise place
    case(
        "datum_med_punkter",
        "personal",
        edit(PERSONAL, 3, "anstallningsdatum", "05.01.2015"),
        3,
        "anstallningsdatum",
        "ska vara ett datum",
    )
    case("utf16", "personal", [], None, None, "UTF-16", raw=("\n".join(PERSONAL) + "\n").encode("utf-16"))
    case(
        "rubrikrader",
        "personal",
        ["Personalregister 1 november 2025", "", *PERSONAL],
        3,
        None,
        "kolumnrubrikerna står på rad 3",
    )
    case(
        "excel_rubrikrader",
        "personal",
        [],
        3,
        None,
        "kolumnrubrikerna står på rad 3",
        suffix=".xlsx",
        raw=xlsx({"Personal": [["Personalregister 1 november 2025"], [], *cells(PERSONAL)]}),
    )
    case(
        "excel_forsattsblad",
        "personal",
        [],
        None,
        None,
        "bladet 'Försättsblad'",
        suffix=".xlsx",
        raw=xlsx({"Försättsblad": [["Personalregister"], ["Kommun X, HR-avdelningen"]], "Data": cells(PERSONAL)}),
    )
    # crashed before
    random_bytes = bytes(range(256)) * 4
    case("slumpbytes_csv", "personal", [], None, None, "kan inte läsas", raw=random_bytes)
    case("slumpbytes_xlsx", "personal", [], None, None, "kan inte läsas", raw=random_bytes, suffix=".xlsx")
    case("slumpbytes_parquet", "personal", [], None, None, "kan inte läsas", raw=random_bytes, suffix=".parquet")
    case("ar_och_ar_med_ring", "befolkning", ["ar,alder,antal,År", "2025,0,510,2025"], 1, "ar", "två kolumner")
    case("json_inte_jsonstat", "befolkning", [], None, None, "JSON-stat", raw=b'{"data": [1, 2, 3]}', suffix=".json")
    # befolkning, kostnader, an external projection
    case("negativ_befolkning", "befolkning", edit(BEFOLKNING, 4, "antal", "-3"), 4, "antal", "får inte vara negativt")
    case("alder_130", "befolkning", edit(BEFOLKNING, 3, "alder", "130"), 3, "alder", "ska ligga mellan")
    case("dubbel_alder", "befolkning", [*BEFOLKNING, BEFOLKNING[1]], 8, "alder", "samma år och ålder")
    case(
        "negativ_hyrpersonal",
        "kostnader",
        edit(KOSTNADER, 3, "hyrpersonal", "-500"),
        3,
        "hyrpersonal",
        "får inte vara negativt",
    )
    case("extern_dubbel", "personalbehov_extern", [*EXTERN, EXTERN[1]], 6, "yrkesgrupp", "samma år och yrkesgrupp")
    case(
        "extern_negativ",
        "personalbehov_extern",
        edit(EXTERN, 3, "personalbehov", "-4"),
        3,
        "personalbehov",
        "får inte vara negativt",
    )
    # relations between the tables of a folder
    folder(
        "okand_yrkesgrupp_i_avgangar",
        {"avgangar": edit(AVGANGAR, 3, "yrkesgrupp", "Lärare")},
        3,
        "yrkesgrupp",
        "okänd yrkesgrupp",
        "avgangar.csv",
    )
    folder(
        "okand_forvaltning_i_avgangar",
        {"avgangar": edit(AVGANGAR, 2, "forvaltning", "Skola")},
        2,
        "forvaltning",
        "okänd förvaltning",
        "avgangar.csv",
    )
    folder(
        "okand_person_i_franvaro",
        {"franvaro": edit(FRANVARO, 4, "person_id", "Z9")},
        4,
        "person_id",
        "finns varken i personal eller avgangar",
        "franvaro.csv",
    )
    folder(
        "okand_forvaltning_i_kostnader",
        {"kostnader": edit(KOSTNADER, 3, "forvaltning", "Teknik")},
        3,
        "forvaltning",
        "okänd förvaltning",
        "kostnader.csv",
    )
    folder(
        "befolkning_saknar_alder",
        {"befolkning": [line for line in BEFOLKNING if line != "2026,1,512"]},
        None,
        "alder",
        "åldrar saknas år 2026",
        "befolkning.csv",
    )
    folder(
        "befolkning_saknar_ar",
        {"befolkning": BEFOLKNING[:4] + [line.replace("2026", "2028") for line in BEFOLKNING[4:]]},
        None,
        "ar",
        "år saknas",
        "befolkning.csv",
    )
    folder(
        "franvaro_efter_avgang",
        {"franvaro": [*FRANVARO, "A9,2025-08,160,0"]},
        5,
        "manad",
        "frånvaro efter avgången",
        "franvaro.csv",
    )
    folder(
        "avgang_men_anstalld",
        {"avgangar": [*AVGANGAR, "A1,2024-05-31,Äldreomsorg,Sjuksköterska,egen_begaran,2015-03-01"]},
        4,
        "datum",
        "avgång men fortfarande anställd",
        "avgangar.csv",
    )
    parquet = io.BytesIO()
    pd.read_csv(io.StringIO("\n".join(PERSONAL)), sep=";", dtype=str).to_parquet(parquet)
    folder(
        "personal_tva_format",
        {},
        None,
        None,
        "flera filer för samma tabell",
        "personal.parquet",
        extra={"personal.parquet": parquet.getvalue()},
    )
    folder(
        "aktivitetsplan_fel_status",
        {},
        5,
        "status",
        "ska vara en av",
        "aktivitetsplan.yaml",
        extra={
            "aktivitetsplan.yaml": b"- omrade: Fler jobbar mer\n  aktivitet: Heltidsresa\n  ansvarig: HR\n"
            b"  nar: 2026-06\n  status: klart\n"
        },
    )
    folder("franvaro_saknas", {"franvaro": None}, None, None, "filen saknas", "franvaro.csv")
    CASES.append(
        {
            "id": "datakatalog_saknas",
            "kind": "folder",
            "path": "folders/finns_inte",
            "row": None,
            "column": None,
            "rule": "datakatalogen finns inte",
            "file": "finns_inte",
        }
    )
    activities(
        "aktivitet_utan_ansvarig",
        "- omrade: Fler jobbar mer\n  aktivitet: Heltidsresa\n  ansvarig: HR\n  nar: 2026-06\n"
        "- omrade: Förläng arbetslivet\n  aktivitet: Seniorsamtal\n  nar: 2026-09\n",
        5,
        "ansvarig",
        "saknas",
    )
    # parameters
    params("okand_parameter", "titel: X\nslug: x\nbasår: 2025\n", "basår", "okänd parameter", 3)
    params("fel_typ", "titel: X\nslug: x\nk_anonymitet: fem\n", "k_anonymitet", "ska vara ett heltal", 3)
    params("ar_i_fel_ordning", "titel: X\nslug: x\nbasar: 2025\nslutar: 2020\n", "slutar", "senare än basar", 4)
    params("direktiv_over_ett", "titel: X\nslug: x\ndirektiv_andel: 1.5\n", "direktiv_andel", "får vara högst 1", 3)
    params("inte_en_samling", "- titel\n- slug\n", None, "nyckel: värde")
    params("ogiltig_yaml", "titel: [X\n", None, "ogiltig YAML", 2)
    params("las_alder_orimlig", "titel: X\nslug: x\nlas_alder: 99\n", "las_alder", "får vara högst 75", 3)
    # round three: what an attacker on a fresh clone still got through
    case(
        "lon_med_punkt_som_tusental",
        "personal",
        edit(PERSONAL, 3, "manadslon", "31.400"),
        3,
        "manadslon",
        "punkt mellan tusentalen",
    )
    case(
        "personnummer_tio_siffror_som_id",
        "personal",
        edit(PERSONAL, 2, "person_id", "8112289874"),
        2,
        "person_id",
        "ser ut som ett personnummer",
    )
    case(
        "samordningsnummer_som_id",
        "personal",
        edit(PERSONAL, 3, "person_id", "701063-2391"),
        3,
        "person_id",
        "ser ut som ett personnummer",
    )
    case(
        "personnummer_med_mellanslag_som_id",
        "personal",
        edit(PERSONAL, 4, "person_id", "19811228 9874"),
        4,
        "person_id",
        "ser ut som ett personnummer",
    )
    case(
        "kyrilliskt_a_i_yrkesgrupp",
        "personal",
        edit(PERSONAL, 4, "yrkesgrupp", "\u0410dministratör"),
        4,
        "yrkesgrupp",
        "blandar latinska och kyrilliska",
    )
    case(
        "grekiskt_o_i_forvaltning",
        "personal",
        edit(PERSONAL, 2, "forvaltning", "Äldre\u03bfmsorg"),
        2,
        "forvaltning",
        "blandar latinska och kyrilliska eller grekiska",
    )
    case("styrtecken_i_enhet", "personal", edit(PERSONAL, 3, "enhet", "Hemtjänst\u200b 1"), 3, "enhet", "styrtecken")
    case(
        "datum_med_klockslag",
        "personal",
        edit(PERSONAL, 2, "anstallningsdatum", "2015-03-01T13:45:00"),
        2,
        "anstallningsdatum",
        "inte en tidpunkt",
    )
    case(
        "datum_med_snedstreck",
        "personal",
        edit(PERSONAL, 3, "anstallningsdatum", "2015/01/01"),
        3,
        "anstallningsdatum",
        "ska vara ett datum",
    )
    case(
        "samma_kolumn_tva_ganger",
        "personal",
        [PERSONAL[0] + ";kon"] + [line + ";K" for line in PERSONAL[1:]],
        1,
        "kon",
        "två kolumner med samma namn",
    )
    case(
        "djupt_nastlad_befolkning",
        "befolkning",
        [],
        None,
        None,
        "för djupt nästlad",
        raw=b"[" * 5_000 + b"]" * 5_000,
        suffix=".json",
    )
    folder(
        "franvaro_fore_anstallning",
        {"personal": edit(PERSONAL, 2, "anstallningsdatum", "2025-03-01")},
        2,
        "manad",
        "frånvaro före anställningen",
        "franvaro.csv",
    )
    folder(
        "avgang_med_annat_fodelsear",
        {
            "avgangar": [
                AVGANGAR[0] + ",fodelsear",
                AVGANGAR[1] + ",1996",
                AVGANGAR[2] + ",1960",
                "A2,2025-09-30,Äldreomsorg,Sjuksköterska,egen_begaran,2020-08-15,1991",
            ]
        },
        4,
        "fodelsear",
        "födelseåret skiljer sig från personal",
        "avgangar.csv",
    )
    folder(
        "djupt_nastlad_kolada",
        {},
        None,
        None,
        "för djupt nästlad",
        "kolada.json",
        extra={"kolada.json": b'{"values": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"},
    )
    activities("aktivitet_som_lista", "- [Heltidsresa, HR, 2026-06]\n", 1, None, "ska vara en aktivitet")
    activities(
        "aktivitet_med_lista_som_text",
        "- omrade: Fler jobbar mer\n  aktivitet: [Heltidsresa, Seniorsamtal]\n  ansvarig: HR\n  nar: 2026-06\n",
        2,
        "aktivitet",
        "inte en lista",
    )
    activities(
        "datum_som_inte_finns",
        "- omrade: Fler jobbar mer\n  aktivitet: Heltidsresa\n  ansvarig: HR\n  nar: 2026-02-30\n",
        4,
        None,
        "datumet finns inte",
    )
    params("k_anonymitet_ett", "titel: X\nslug: x\nk_anonymitet: 1\n", "k_anonymitet", "minst 3", 3)
    params("samma_nyckel_tva_ganger", "titel: X\nslug: x\ntitel: Y\n", "titel", "två gånger", 3)
    (HERE / "cases.yaml").write_text(
        "# Written by make_corpus.py: each bad input and where its error must point.\n"
        + yaml.safe_dump(CASES, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


if __name__ == "__main__":
    build()
    print(f"{len(CASES)} cases")
