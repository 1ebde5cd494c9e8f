"""Report sections on turnover, who leaves, how long employments last and projected retirements."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown
from pandas.io.formats.style import Styler

from kompetens.plan.prepare import Plan
from kompetens.privacy.suppression import hidden_groups
from kompetens.report import figures as plots
from kompetens.report import formats as fmt
from kompetens.report import narrative
from kompetens.report.common import HEADERS, as_image, caption, period_table, styled
from kompetens.vocabulary import SUPPRESSED, TOTAL


def turnover_text(plan: Plan) -> Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    return Markdown(narrative.turnover(figures, sprak))


def turnover_table(plan: Plan) -> Styler:
    """Turnover (%) per year under every definition and variant, side by side."""
    figures, sprak = plan.key_figures, plan.sprak
    table = 100 * pd.DataFrame.from_dict(figures["personalomsattning_definitioner"], orient="index").astype(float)
    table.columns = [int(c) for c in table.columns]
    labels = {
        "kolada": "Kolada (tillsvidare)",
        "arbetsgivarverket": "Arbetsgivarverket",
        "nyckeltalsinstitutet": "Nyckeltalsinstitutet",
    }
    if sprak == "en":
        labels.update(
            {
                "kolada": "Kolada (permanent staff)",
                "extern": "external",
                "med pension": "with retirements",
                "utan pension": "without retirements",
                "inklusive intern rörlighet": "internal moves included",
            }
        )
    table.index = [", ".join(labels.get(part, part) for part in key.split(", ")) for key in table.index]
    title = caption(
        plan,
        "Personalomsättning per år enligt olika definitioner (%)",
        "Turnover by year under different definitions (%)",
    )
    return styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, 1, caption=title)


def leavers_table(plan: Plan) -> Styler:
    """Leavers, headcount and turnover in the base year by age band and by tenure band."""
    from kompetens.models.turnover import by_category

    extern = plan.params["forvaltning"] is None
    parts = []
    for by, label in (
        ("aldersband", "Ålder" if plan.sprak == "sv" else "Age"),
        ("anstallningstid", "Anställningstid (år)" if plan.sprak == "sv" else "Tenure (years)"),
    ):
        hidden = plan.masks.hidden_age_bands() if by == "aldersband" else plan.masks.hidden_tenure_bands()
        t = by_category(plan.inputs.personal, plan.inputs.avgangar, plan.basar, by, plan.k, extern, hidden)
        t.index = pd.MultiIndex.from_product([[label], t.index])
        parts.append(t)
    table = pd.concat(parts)
    table["andel"] = 100 * table["andel"]
    names = {"sv": ["Avgångar", "Anställda", "Personalomsättning (%)"], "en": ["Leavers", "Employees", "Turnover (%)"]}[
        plan.sprak
    ]
    table.columns = names
    title = caption(
        plan,
        f"Avgångar och personalomsättning {plan.basar} per ålder och anställningstid",
        f"Leavers and turnover {plan.basar} by age and tenure",
    )
    return styled(table, plan.sprak, 1, counts=[0, 1], caption=title).format(
        lambda v: fmt.number(v, 0, plan.sprak), subset=names[:2]
    )


def retention_figure(plan: Plan) -> Image:
    """Kaplan–Meier curves of the yrkesgrupper with at least 20 (and k) employments."""
    counts = plan.spells["yrkesgrupp"].value_counts()
    curves = plan.retention_by_group.survival
    curves = curves[curves["grupp"].isin(counts[counts >= max(plan.k, 20)].index)]
    return as_image(plots.retention_curves(curves, plan.sprak))


def retirement_table(plan: Plan) -> Styler | Markdown:
    """Projected retirements per yrkesgrupp and year, with the period's sum."""
    figures, sprak = plan.key_figures, plan.sprak
    if figures.get("pensionsavgangar") is None:
        return Markdown(
            "Pensionsavgångarna ingår i den externa framskrivningen."
            if sprak == "sv"
            else "Retirements are part of the external projection."
        )
    return period_table(
        plan,
        "pensionsavgangar",
        "Beräknade pensionsavgångar per yrkesgrupp och år (personer)",
        "Projected retirements by occupational group and year (persons)",
    )


def retention_table(plan: Plan) -> Styler:
    """Per yrkesgrupp with at least k spells: median length of employment and the share
    still employed after one and three years, with 95 % CIs (Kaplan–Meier)."""
    table = pd.concat([plan.retention_by_group.sammanfattning, plan.retention.sammanfattning])
    groups = table["antal"].drop(TOTAL, errors="ignore")
    # a group's curve may rest on fewer employments than it has (new hires only): hidden with complements
    table.loc[list(hidden_groups(groups, plan.k)), table.select_dtypes("number").columns] = float("nan")
    sv = plan.sprak == "sv"

    def ci(lo, hi, scale=1.0, d=1):
        return table.apply(
            lambda r: (
                fmt.interval(scale * r[lo], scale * r[hi], d, plan.sprak)
                if pd.notna(r[lo]) and pd.notna(r[hi])
                else SUPPRESSED
            ),
            axis=1,
        )

    shown = pd.DataFrame(
        {
            "Anställningar" if sv else "Employments": table["antal"].astype(float),
            "Median (år)" if sv else "Median (years)": table["median_ar"],
            "Median, 95 % KI" if sv else "Median, 95% CI": ci("median_ki_lag", "median_ki_hog"),
            "Kvar efter 1 år (%)" if sv else "Still employed after 1 year (%)": 100 * table["kvar_1_ar"],
            "1 år, 95 % KI" if sv else "1 year, 95% CI": ci("kvar_1_ki_lag", "kvar_1_ki_hog", 100, 0),
            "Kvar efter 3 år (%)" if sv else "Still employed after 3 years (%)": 100 * table["kvar_3_ar"],
            "3 år, 95 % KI" if sv else "3 years, 95% CI": ci("kvar_3_ki_lag", "kvar_3_ki_hog", 100, 0),
        }
    )
    title = caption(
        plan, "Hur länge anställningarna varar, per yrkesgrupp", "How long employments last, by occupational group"
    )
    return styled(shown.rename_axis(None), plan.sprak, 1, caption=title).format(
        lambda v: fmt.number(v, 0, plan.sprak), subset=[shown.columns[0]]
    )


def exit_causes_table(plan: Plan) -> Styler:
    """Cumulative incidence of each exit reason after 1, 3 and 5 years of employment
    (Aalen–Johansen: retirement, own request and other exits compete)."""
    cif = plan.retention.kumulativ_incidens
    rows = {}
    for reason, curve in cif.groupby("orsak"):
        curve = curve.set_index("ar")["andel"]
        rows[HEADERS[plan.sprak].get(reason, reason)] = {
            y: 100 * float(curve.loc[:y].iloc[-1]) if (curve.index <= y).any() else 0.0 for y in (1, 3, 5)
        }
    sv = plan.sprak == "sv"
    table = pd.DataFrame(rows).T.rename(
        columns=lambda y: f"Efter {y} år (%)" if sv else f"After {y} year{'s' if y > 1 else ''} (%)"
    )
    title = caption(
        plan,
        "Andel av de anställda som har slutat, per orsak, efter 1, 3 och 5 år",
        "Share of employees who have left, by reason, after 1, 3 and 5 years",
    )
    return styled(table, plan.sprak, 1, caption=title)
