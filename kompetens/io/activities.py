"""The activity plan (aktivitetsplan.yaml): what the board will do, in SKR's strategy areas.

Each activity has omrade (one of the strategies of the chosen list), vad, aktivitet,
ansvarig, nar (YYYY-MM-DD or YYYY-MM), uppfoljning and status (planerad, pågår, klar).
An activity past its date and not done is försenad. The strategy lists are versioned:
`skr2018` is the nine strategies of SKL's 2018 strategy ("SKLs nio rekryteringsstrategier").
SKR revised its strategies in 2024; a board that works with the revised list gives it as
params `omraden` (a list of names), which then replaces the versioned list.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import yaml

from kompetens.errors import InputError, Problem

STRATEGIES = {
    "skr2018": (
        "Använd kompetens rätt",
        "Bredda rekryteringen",
        "Förläng arbetslivet",
        "Marknadsför jobben",
        "Skapa engagemang",
        "Använd tekniken & digitaliseringen",
        "Fler jobbar mer",
        "Lönekarriär och löneutveckling",
        "Utvecklings- och karriärmöjligheter",
    ),
}
STATUSES = ("planerad", "pågår", "klar")
COLUMNS = ("omrade", "vad", "aktivitet", "ansvarig", "nar", "uppfoljning", "status")
FILENAME = "aktivitetsplan.yaml"
MAX_BYTES = 1024 * 1024  # a plan of a few hundred activities is far smaller


def load_activities(path: str | Path, areas) -> pd.DataFrame:
    """Read and check the activity plan; every problem names the file, the line, the activity
    (its number in the list) and the field."""
    from kompetens.io.guard import read_input
    from kompetens.io.params import read_yaml

    path = Path(path)
    folder = path.absolute().parent  # a file of the data folder: a regular file, no link
    raw = read_yaml(path, limit=MAX_BYTES, folder=folder)[0] or []  # size limit, no aliases
    text = read_input(path, folder, MAX_BYTES).decode("utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)  # the lines
    if isinstance(raw, dict):
        raw = raw.get("aktiviteter", [])
        node = next((v for k, v in node.value if k.value == "aktiviteter"), None)
    if not isinstance(raw, list):
        raise InputError(Problem(path.name, None, None, "ska vara en lista av aktiviteter (nyckel: värde)"))
    for i, row in enumerate(raw, start=1):
        if not isinstance(row, dict):
            item = node.value[i - 1] if isinstance(node, yaml.SequenceNode) and i <= len(node.value) else None
            line = item.start_mark.line + 1 if item is not None else None
            rule = "ska vara en aktivitet (nyckel: värde), inte en lista eller en text"
            raise InputError(Problem(path.name, line, None, rule, where=f"aktivitet {i}, nyckel"))
    lines = _lines(node)
    problems = []
    for i, row in enumerate(raw, start=1):

        def where(col, rule, value=None, i=i):
            line = lines[i - 1].get(col, lines[i - 1].get(None)) if i <= len(lines) else None
            return Problem(path.name, line, col, rule, value, where=f"aktivitet {i}, nyckel")

        unknown = sorted(set(map(str, row)) - set(COLUMNS))
        for col in unknown:
            problems.append(where(col, f"okänd nyckel; tillåtna är {', '.join(COLUMNS)}"))
        if row.get("omrade") not in areas:
            problems.append(where("omrade", "okänt område; ska vara en av SKR:s strategier", row.get("omrade")))
        for col in ("aktivitet", "ansvarig"):
            if isinstance(row.get(col), (list, dict)):
                problems.append(where(col, "ska vara text, inte en lista", None))
            elif not str(row.get(col) or "").strip():
                problems.append(where(col, "saknas"))
        for col in ("vad", "uppfoljning"):
            if row.get(col) is not None and not isinstance(row[col], str):
                problems.append(where(col, "ska vara text", row[col]))
        if row.get("status", "planerad") not in STATUSES:
            problems.append(where("status", f"ska vara en av {', '.join(STATUSES)}", row.get("status")))
        if _date(row.get("nar")) is None:
            problems.append(where("nar", "ska vara ett datum (ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM)", row.get("nar")))
    if problems:
        raise InputError(problems)
    df = pd.DataFrame([{c: r.get(c) for c in COLUMNS} for r in raw], columns=list(COLUMNS))
    df["status"] = df["status"].fillna("planerad")
    df["nar"] = [_date(v) for v in df["nar"]]
    for col in ("vad", "uppfoljning"):
        df[col] = df[col].fillna("")
    return df


def _lines(node) -> list[dict]:
    """For each activity of a composed YAML list: {key: line number}, and None: its first line."""
    out = []
    for item in getattr(node, "value", []) if isinstance(node, yaml.SequenceNode) else []:
        keys = {None: item.start_mark.line + 1}
        if isinstance(item, yaml.MappingNode):
            keys.update({k.value: k.start_mark.line + 1 for k, _ in item.value})
        out.append(keys)
    return out


def _date(value) -> dt.date | None:
    """A date from YYYY-MM-DD, or the last day of YYYY-MM; None when neither."""
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return (pd.Period(text, "M").end_time).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def with_delays(activities: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Activities with status försenad when their date has passed and they are not done."""
    late = (activities["status"] != "klar") & (activities["nar"] < today)
    return activities.assign(status=activities["status"].where(~late, "försenad"))


def summary(activities: pd.DataFrame) -> pd.DataFrame:
    """Activities per area (rows) and status (columns), with totals."""
    table = pd.crosstab(activities["omrade"], activities["status"])
    table = table.reindex(columns=[*STATUSES[:2], "försenad", "klar"], fill_value=0)
    table.loc["Totalt"] = table.sum()
    return table
