"""tabeller.xlsx: the plan's tables, one sheet per section, for the budget document.

Every table comes from the key figures or the same functions the report uses, so the
workbook says what the report says. Hidden (suppressed) cells are written as "–".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from kompetens.models import staff
from kompetens.plan.prepare import Plan
from kompetens.vocabulary import SUPPRESSED

FILENAME = "tabeller.xlsx"
FIXED_TIME = dt.datetime(2000, 1, 1)  # no run time in the workbook's properties


def _years(per_group: dict | None) -> pd.DataFrame | None:
    if per_group is None:
        return None
    table = pd.DataFrame.from_dict(per_group, orient="index")
    table.columns = [int(c) for c in table.columns]
    return table


def tables(plan: Plan, figures: dict) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: name -> table (rows labelled, numbers unrounded)."""
    inp, k = plan.inputs, plan.k
    sheets = {
        "Personal idag": staff.staff_summary(inp.personal, plan.basar, k, plan.masks),
        "Ålder": staff.staff_by_group_age(inp.personal, plan.basar, k, plan.masks),
        "Antal anställda": staff.headcount_by_year(inp.personal, k, plan.masks),
        "Personalbehov": _years(figures["personalbehov"]),
        "Årsarbetare": _years(figures["arsarbetare"]),
        "Rekryteringsbehov": _years(figures["rekryteringsbehov"]),
        "Pensionsavgångar": _years(figures.get("pensionsavgangar")),
        "Övriga avgångar": _years(figures.get("ovriga_avgangar")),
        "Ekonomi": pd.DataFrame(
            {
                "personalokning": pd.Series(figures["personalokning"], dtype=float),
                "kostnad_per_person_kr": pd.Series(figures["kostnad_per_person"], dtype=float),
                "kostnad_personalokning_mnkr": pd.Series(figures["kostnad_personalokning_mnkr"], dtype=float),
                "direktiv_personer": pd.Series(figures["direktiv"]["personer"], dtype=float),
                "direktiv_mnkr": pd.Series(figures["direktiv"]["mnkr"], dtype=float),
            }
        ),
        "Personalomsättning": _years(figures["personalomsattning_definitioner"]),
        "Avgångar per orsak": staff.exits_by_year(inp.avgangar, k, plan.masks),
        "Sjukfrånvaro per år": pd.Series(figures["sjukfranvaro"], dtype=float).rename("andel").to_frame(),
        "Sjukfrånvaro per grupp": pd.Series(figures.get("sjukfranvaro_per_yrkesgrupp", {}), dtype=float)
        .rename("andel")
        .to_frame(),
        "Enheter över gränsen": pd.DataFrame(figures["sjukfranvaro_flaggade"]),
    }
    if figures.get("backtest"):
        sheets["Efterhandsprövning"] = pd.DataFrame.from_dict(figures["backtest"]["tabell"], orient="index")
    return {name: t for name, t in sheets.items() if t is not None}


def write_tables(plan: Plan, figures: dict, out_dir: str | Path) -> Path:
    """Write tabeller.xlsx into out_dir (NaN, the hidden cells, as –)."""
    path = Path(out_dir) / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in tables(plan, figures).items():
            table.astype(object).where(table.notna(), SUPPRESSED).to_excel(writer, sheet_name=name[:31])
        _text_never_formula(writer.book)
        writer.book.properties.created = FIXED_TIME
        writer.book.properties.modified = FIXED_TIME
    return path


def _text_never_formula(book) -> None:
    """Every cell written as text stays text: a name from the data that starts with = (or
    +, -, @) is shown as written, never evaluated by Excel (formula injection)."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    cell.quotePrefix = True
                elif cell.data_type == "s" and str(cell.value)[:1] in ("+", "-", "@", "\t", "\r"):
                    cell.quotePrefix = True
