"""Report sections on sick leave: yearly and monthly series, trend, groups, units and Kolada."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown
from pandas.io.formats.style import Styler

from kompetens.models import staff
from kompetens.plan.prepare import Plan
from kompetens.report import figures as plots
from kompetens.report import narrative
from kompetens.report.common import HEADERS, as_image, caption, styled


def sick_leave_figure(plan: Plan) -> Image:
    return as_image(plots.sick_leave_history(staff.sick_leave_by_year(plan.inputs.franvaro, plan.k), plan.sprak))


def absence_text(plan: Plan) -> Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    return Markdown(narrative.absence(figures, sprak))


def absence_monthly_figure(plan: Plan) -> Image | Markdown:
    f, trend = plan.inputs.franvaro, plan.absence_trend
    observed = f.groupby("manad")["sjuk_tid"].sum() / f.groupby("manad")["schemalagd_tid"].sum()
    if trend is None:
        return Markdown(
            "För kort tidsserie för en trendmodell." if plan.sprak == "sv" else "Too few months for a trend."
        )
    from kompetens.models.absence import rolling_12

    return as_image(
        plots.sick_leave_monthly(observed, trend.fitted(), trend.forecast(12), plan.sprak, rolling_12(f).dropna())
    )


def absence_age_band_figure(plan: Plan) -> Image | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    trend = figures.get("sjukfranvaro_trend")
    if not trend or not trend["aldersband"]:
        return Markdown("–")
    bands = pd.DataFrame.from_dict(trend["aldersband"], orient="index")
    return as_image(plots.age_band_trends(bands, sprak))


def absence_heatmap(plan: Plan, max_units: int = 30) -> Image | Markdown:
    """Units × the last 24 months; at most max_units units, those with the highest share.
    A dash when the sick-leave file has no units (or none of at least k persons)."""
    from kompetens.models.absence import unit_month_shares

    shares = unit_month_shares(plan.inputs.franvaro, plan.k).dropna(how="all")
    if shares.empty:
        return Markdown("–")
    top = shares.iloc[:, -12:].mean(axis=1).sort_values(ascending=False).index[:max_units]
    return as_image(plots.unit_heatmap(shares.loc[top], plan.sprak))


def absence_table(plan: Plan) -> Styler:
    """Sick-leave share (%) over the last 12 months by yrkesgrupp, age band and kön."""
    figures, sprak = plan.key_figures, plan.sprak
    parts = []
    labels = {
        "yrkesgrupp": HEADERS[sprak]["yrkesgrupp"],
        "forvaltning": "Förvaltning" if sprak == "sv" else "Department",
        "aldersband": "Ålder" if sprak == "sv" else "Age",
        "kon": "Kön" if sprak == "sv" else "Sex",
    }
    for by, label in labels.items():
        values = figures.get(f"sjukfranvaro_per_{by}")
        if values:
            s = pd.Series(values, dtype=float) * 100
            s.index = pd.MultiIndex.from_product([[label], s.index])
            parts.append(s)
    table = pd.concat(parts).to_frame("Sjukfrånvaro (%)" if sprak == "sv" else "Sick leave (%)")
    title = caption(
        plan,
        "Sjukfrånvaro de senaste tolv månaderna per grupp (yrkesgrupp, förvaltning, ålder, kön)"
        if plan.params["forvaltning"] is None
        else "Sjukfrånvaro de senaste tolv månaderna per yrkesgrupp, ålder och kön",
        "Sick leave over the last twelve months by group (occupation, department, age, sex)"
        if plan.params["forvaltning"] is None
        else "Sick leave over the last twelve months by occupational group, age and sex",
    )
    return styled(table, sprak, 1, caption=title)


def flagged_table(plan: Plan) -> Styler | Markdown:
    """Units above the threshold over the last 12 months, with the change from the 12 before."""
    figures, sprak = plan.key_figures, plan.sprak
    rows = figures["sjukfranvaro_flaggade"]
    if rows is None:
        return Markdown(
            "Sjukfrånvaron finns inte per enhet i underlaget, så ingen enhet kan jämföras med gränsen."
            if sprak == "sv"
            else "The sick-leave data has no units, so no unit can be compared with the threshold."
        )
    if not rows:
        return Markdown("Ingen enhet är över gränsen." if sprak == "sv" else "No unit is above the threshold.")
    table = pd.DataFrame(rows).set_index("enhet")
    for c in ("andel_12_man", "andel_foregaende_12_man"):
        table[c] = 100 * table[c]
    names = {
        "forvaltning": "Förvaltning" if sprak == "sv" else "Department",
        "andel_12_man": "Senaste 12 mån (%)" if sprak == "sv" else "Last 12 months (%)",
        "andel_foregaende_12_man": "Föregående 12 mån (%)" if sprak == "sv" else "Previous 12 months (%)",
        "forandring_pp": "Förändring (procentenheter)" if sprak == "sv" else "Change (percentage points)",
    }
    title = caption(
        plan,
        f"Enheter med sjukfrånvaro över {plan.params['sjukfranvaro_grans'] * 100:.0f} %",
        f"Units with sick leave above {plan.params['sjukfranvaro_grans'] * 100:.0f}%",
    )
    return styled(table.rename(columns=names).rename_axis(None), sprak, 1, caption=title)


def kolada_table(plan: Plan) -> Styler | Markdown:
    """Kommunen jämfört med riket: the saved Kolada figures beside the report's own."""
    figures, sprak = plan.key_figures, plan.sprak
    kolada = figures.get("kolada")
    if not kolada:
        return None  # the section and its heading are left out
    names = (
        ["Nyckeltal", "År", "Kommunen", "Riket", "Denna rapport"]
        if sprak == "sv"
        else ["Indicator", "Year", "Municipality", "Sweden", "This report"]
    )
    table = pd.DataFrame(
        [[v["namn"], v["ar"], v["kommun"], v["riket"], v["rapport"]] for v in kolada.values()],
        index=list(kolada),
        columns=names,
    )
    source = "Källa: Kolada (RKA), kolada.se" if sprak == "sv" else "Source: Kolada (RKA), kolada.se"
    title = caption(
        plan, "Nyckeltal från Kolada: kommunen och riket", "Indicators from Kolada: the municipality and Sweden"
    )
    return styled(table, sprak, 1, caption=f"{title}. {source}").format(str, subset=[names[0], names[1]])
