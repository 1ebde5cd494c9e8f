"""tabeller.xlsx: every table of the report, one sheet each, for controllers.

Each sheet is the report's own table (the same section function makes both), with headers
in the report's language and the labels as columns (no index column). Numbers are numbers:
the cells keep every decimal and are formatted as the report shows them (persons whole,
shares as %), hidden figures are empty cells, and a note under the table says so. The
header row is frozen and the columns are wide enough for their text.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from kompetens.plan.prepare import Plan
from kompetens.vocabulary import SUPPRESSED

FILENAME = "tabeller.xlsx"
FIXED_TIME = dt.datetime(2000, 1, 1)  # no run time in the workbook's properties

#: (section function, sheet name in Swedish, in English), in the report's order.
SHEETS = (
    ("staff_by_group_age_table", "Ålder", "Age"),
    ("staff_summary_table", "Personal idag", "Staff today"),
    ("headcount_table", "Antal anställda", "Employees"),
    ("population_table", "Befolkning", "Population"),
    ("need_table", "Personalbehov", "Staff need"),
    ("recruitment_table", "Rekryteringsbehov", "Recruitment need"),
    ("components_table", "Rekryteringsbehovets delar", "Recruitment need, parts"),
    ("backtest_table", "Efterhandsprövning", "Backtest"),
    ("turnover_table", "Personalomsättning", "Turnover"),
    ("exits_table", "Avgångar per orsak", "Exits by reason"),
    ("leavers_table", "Vilka slutar", "Who leaves"),
    ("retention_table", "Hur länge stannar", "Retention"),
    ("exit_causes_table", "Avgångsorsaker", "Exit causes"),
    ("retirement_table", "Pensionsavgångar", "Retirements"),
    ("absence_table", "Sjukfrånvaro per grupp", "Sick leave by group"),
    ("flagged_table", "Enheter över gränsen", "Units above threshold"),
    ("kolada_table", "Kolada", "Kolada"),
    ("economics_table", "Ekonomi", "Costs"),
    ("costs_table", "Lönekostnad och hyrpersonal", "Wage and agency costs"),
    ("scenario_table", "Scenarier", "Scenarios"),
    ("managers_table", "Chefer", "Managers"),
    ("managers_by_sex_age", "Chefer per kön och ålder", "Managers by sex and age"),
    ("qualification_table", "Behörighet", "Qualifications"),
    ("qualification_path_table", "Behörighet framåt", "Qualification path"),
    ("education_table", "Lokalt utbildade", "Local education"),
    ("activity_plan_table", "Aktivitetsplan", "Activity plan"),
    ("activity_table", "Aktiviteter per område", "Activities by area"),
    ("late_activities", "Försenade aktiviteter", "Late activities"),
)
PERCENT = re.compile(r"\(%\)|%\)$")


def _label(value) -> str:
    return re.sub(r"<[^>]+>", "", str(value))


def sheet_table(styler: Styler, sprak: str = "sv") -> tuple[pd.DataFrame, list[str]]:
    """(table with its labels as columns, the Excel number format of each column) of one of
    the report's styled tables; the formats follow what the report shows (its decimals)."""
    data = styler.data
    caption = _label(styler.caption or "")
    shown = styler._translate(False, False)  # the report's text of every cell
    body = [[cell.get("display_value") for cell in row if cell.get("type") == "td"] for row in shown["body"]]
    formats = []
    for j, column in enumerate(data.columns):
        texts = [str(row[j]) for row in body if j < len(row)]
        decimals = max((len(t.split(",")[-1]) for t in texts if re.fullmatch(r"−?[\d\u202f]+,\d+", t)), default=0)
        decimals = max(decimals, *(len(t.split(".")[-1]) for t in texts if re.fullmatch(r"-?[\d,]+\.\d+", t)), 0)
        number = "#,##0" + ("." + "0" * decimals if decimals else "")
        percent = PERCENT.search(str(column)) or (PERCENT.search(caption) and not re.search(r"\(\w", str(column)))
        formats.append(("0." + "0" * max(decimals, 1) + "%") if percent else number)
    table = data.copy()
    for j, column in enumerate(table.columns):
        values = pd.to_numeric(table[column].where(table[column] != SUPPRESSED), errors="coerce")
        if values.notna().any() and table[column].map(lambda v: isinstance(v, str) and v != SUPPRESSED).sum() == 0:
            table[column] = values / 100 if formats[j].endswith("%") else values
        else:
            formats[j] = "@"
            table[column] = table[column].map(lambda v: None if v == SUPPRESSED or pd.isna(v) else _label(v))
    names = [_label(n) if n else "" for n in table.index.names]
    table.columns = [_label(c) for c in table.columns]
    group = "Grupp" if sprak == "sv" else "Group"
    labels = [n or (group if i == 0 else f"{group} {i + 1}") for i, n in enumerate(names)]
    table.index = table.index.set_names(labels)
    table = table.reset_index()
    for label in labels:
        table[label] = table[label].map(_label)
    return table, ["@"] * len(labels) + formats


def tables(plan: Plan) -> dict[str, tuple[pd.DataFrame, list[str], str]]:
    """{sheet name: (table, number formats, the report's title of the table)}."""
    from kompetens import report

    sheets = {}
    for function, sv, en in SHEETS:
        styler = getattr(report, function)(plan)
        if isinstance(styler, Styler):
            table, formats = sheet_table(styler, plan.sprak)
            sheets[sv if plan.sprak == "sv" else en] = (table, formats, _label(styler.caption or ""))
    return sheets


def write_tables(plan: Plan, out_dir: str | Path) -> Path:
    """Write tabeller.xlsx into out_dir."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sv = plan.sprak == "sv"
    note = (
        f"Tomma celler: uppgiften gäller färre än {plan.k} personer och döljs. Talen har alla decimaler; "
        "formatet visar dem som rapporten."
        if sv
        else f"Empty cells: the figure concerns fewer than {plan.k} persons and is hidden. The numbers keep "
        "every decimal; the format shows them as the report does."
    )
    wb = Workbook()
    wb.remove(wb.active)
    for name, (table, formats, title) in tables(plan).items():
        ws = wb.create_sheet(name[:31])
        ws.append([str(c) for c in table.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in table.itertuples(index=False):
            ws.append([None if (v is None or (isinstance(v, float) and pd.isna(v))) else v for v in row])
        for j, number_format in enumerate(formats, start=1):
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(table) + 1, min_col=j, max_col=j):
                cell.number_format = number_format
            width = max([len(str(table.columns[j - 1]))] + [len(str(v)) for v in table.iloc[:, j - 1]])
            ws.column_dimensions[get_column_letter(j)].width = min(max(10, width + 2), 60)
        ws.append([])
        ws.append([title])
        ws.append([note])
        ws.freeze_panes = "B2"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    path = Path(out_dir) / FILENAME
    path.parent.mkdir(parents=True, exist_ok=True)
    _text_never_formula(wb)
    wb.save(path)
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
