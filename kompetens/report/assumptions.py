"""The assumption register the report ran with, and the sensitivity ranking (tornado)."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown
from pandas.io.formats.style import Styler

from kompetens.plan.prepare import Plan
from kompetens.report import figures as plots
from kompetens.report import formats as fmt
from kompetens.report.common import as_image, styled

COLUMNS = {
    "sv": ["Antagande", "Värde", "Enhet", "Källa", "Årgång", "Ändrat i parametrar"],
    "en": ["Assumption", "Value", "Unit", "Source", "Vintage", "Changed in parameters"],
}
YES_NO = {"sv": ("ja", ""), "en": ("yes", "")}


def _value(v, sprak: str) -> str:
    """An assumption's value as text: numbers in the language's format, tables inline."""
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_value(x, sprak)}" for k, x in v.items())
    if isinstance(v, float):
        decimals = len(f"{v:.4f}".rstrip("0").split(".")[1])
        return fmt.number(v, decimals, sprak)
    return str(v)


def _range(row: dict, sprak: str) -> str:
    """The plausible range of an assumption as the tornado labels it."""
    lo, hi, key = row["lag"], row["hog"], row["nyckel"]
    years = "år" if sprak == "sv" else "years"
    if key == "pensionsalder":
        return f"{lo:+d} / {hi:+d} {years}".replace("-", "−")
    if key == "drivare":
        return f"80+ × {_value(float(lo), sprak)}–{_value(float(hi), sprak)}"
    if key == "po_palagg":
        return f"{fmt.number(100 * lo, 0, sprak)}–{fmt.number(100 * hi, 0, sprak)} %"
    return f"{lo}–{hi} {years}"


def assumptions_table(plan: Plan) -> Styler:
    """Every default assumption: the value the report used, its unit, public source and
    vintage; a params override is marked."""
    sprak = plan.sprak
    rows = [
        [
            r["namn"],
            _value(r["varde"], sprak),
            r["enhet"],
            r["kalla"],
            str(r["argang"]),
            YES_NO[sprak][0] if r["andrad"] else YES_NO[sprak][1],
        ]
        for r in plan.key_figures["antaganden"]
    ]
    table = pd.DataFrame(rows, columns=COLUMNS[sprak]).set_index(COLUMNS[sprak][0])
    title = (
        "Antaganden: värdet rapporten använde, enhet, källa och årgång"
        if sprak == "sv"
        else "Assumptions: the value the report used, unit, source and vintage"
    )
    return styled(table, sprak, caption=title)


def sensitivity_figure(plan: Plan) -> Image | Markdown:
    """The tornado: how far the recruitment need over the plan period moves when each
    assumption moves across its plausible range, the largest swing on top."""
    figures, sprak = plan.key_figures, plan.sprak
    rows = figures.get("kanslighet_antaganden") or []
    if not rows:
        return Markdown("")
    span = fmt.years(figures["basar"] + 1, figures["slutar"])
    bars = [
        (
            f"{r['namn']} ({_range(r, sprak)})",
            r["rekryteringsbehov_lag"],
            r["rekryteringsbehov_hog"],
        )
        for r in rows
    ]
    return as_image(plots.tornado(bars, rows[0]["rekryteringsbehov_bas"], span, sprak))
