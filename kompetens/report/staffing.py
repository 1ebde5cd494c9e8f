"""Report sections on staff today, the projected need, recruitment and the cost against the frame."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown
from pandas.io.formats.style import Styler

from kompetens.models import staff
from kompetens.plan.prepare import Plan
from kompetens.report import figures as plots
from kompetens.report import formats as fmt
from kompetens.report import narrative
from kompetens.report.common import HEADERS, as_image, caption, period_table, styled, whole, year_table
from kompetens.vocabulary import TOTAL


def need_table(plan: Plan) -> Styler:
    """Personalbehov (persons) per yrkesgrupp and year, Totalt last."""
    figures, sprak = plan.key_figures, plan.sprak
    table = year_table(figures["personalbehov"])
    title = caption(
        plan, "Personalbehov per yrkesgrupp och år (personer)", "Staff need by occupational group and year (persons)"
    )
    return styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, caption=title)


def population_table(plan: Plan) -> Styler:
    """Residents per age band and year over the plan period (the municipality's forecast)."""
    table = staff.population_by_band(plan.inputs.befolkning, plan.basar, plan.slutar)
    title = caption(
        plan,
        "Befolkningen per åldersgrupp och år enligt kommunens prognos (invånare)",
        "Population by age group and year, the municipality’s forecast (residents)",
    )
    return styled(table.rename_axis(index=None, columns=HEADERS[plan.sprak]["ar"]), plan.sprak, caption=title)


def population_figure(plan: Plan) -> Image:
    """Each age band's population as an index, the base year = 100."""
    table = staff.population_by_band(plan.inputs.befolkning, plan.basar, plan.slutar)
    index = 100 * table.div(table[plan.basar], axis=0)
    sv = plan.sprak == "sv"
    title = (
        f"Befolkningen per åldersgrupp, {plan.basar} = 100" if sv else f"Population by age group, {plan.basar} = 100"
    )
    return as_image(plots.lines_by_group(index, title, "Index", plan.sprak, legend="Ålder" if sv else "Age"))


def need_figure(plan: Plan) -> Image:
    figures, sprak = plan.key_figures, plan.sprak
    return as_image(plots.need_by_group(year_table(figures["personalbehov"]), sprak))


def recruitment_table(plan: Plan) -> Styler:
    """Rekryteringsbehov per yrkesgrupp and year, with the period's sum."""
    return period_table(
        plan,
        "rekryteringsbehov",
        "Rekryteringsbehov per yrkesgrupp och år (personer)",
        "Recruitment need by occupational group and year (persons)",
    )


def _components(figures: dict) -> pd.DataFrame | None:
    if figures.get("pensionsavgangar") is None:
        return None
    return pd.DataFrame(
        {
            "pension": year_table(figures["pensionsavgangar"]).loc[TOTAL],
            "other": year_table(figures["ovriga_avgangar"]).loc[TOTAL],
            "growth": year_table(figures["okat_behov"]).loc[TOTAL],
            "total": year_table(figures["rekryteringsbehov"]).loc[TOTAL],
        }
    ).T


def components_table(plan: Plan) -> Styler | Markdown:
    """The recruitment need split into retirements, other exits and growth, per year."""
    figures, sprak = plan.key_figures, plan.sprak
    parts = _components(figures)
    if parts is None:
        return Markdown(
            "Rekryteringsbehovet är hämtat ur den externa framskrivningen och delas inte upp."
            if sprak == "sv"
            else "The recruitment need comes from the external projection."
        )
    h = HEADERS[sprak]
    parts.index = [h["pensionsavgangar"], h["ovriga_avgangar"], h["okat_behov"], h["rekryteringsbehov"]]
    title = caption(
        plan, "Rekryteringsbehovet och vad det består av (personer)", "What the recruitment need is made of (persons)"
    )
    return styled(parts.rename_axis(columns=h["ar"]), sprak, caption=title)


def recruitment_figure(plan: Plan) -> Image:
    figures, sprak = plan.key_figures, plan.sprak
    parts = _components(figures)
    total = year_table(figures["rekryteringsbehov"]).loc[[TOTAL]].rename(index={TOTAL: "total"})
    band = None
    if "rekryteringsbehov_p10" in figures:
        band = pd.DataFrame(
            {f"p{q}": year_table(figures[f"rekryteringsbehov_p{q}"]).loc[TOTAL] for q in (10, 50, 90)}
        ).T
    return as_image(plots.recruitment_need(parts if parts is not None else total, band, sprak))


def economics_text(plan: Plan) -> Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    return Markdown(narrative.economics(figures, sprak, plan.params["andra_losningar_namn"]))


def economics_table(plan: Plan) -> Styler:
    """Per yrkesgrupp: staff increase, yearly cost per person (tkr), cost (mnkr), directive."""
    figures, sprak = plan.key_figures, plan.sprak
    h = HEADERS[sprak]
    table = pd.DataFrame(
        {
            h["personalokning"]: pd.Series(figures["personalokning"], dtype=float),
            h["kostnad_per_person"]: pd.Series(figures["kostnad_per_person"], dtype=float) / 1e3,
            h["kostnad_personalokning_mnkr"]: pd.Series(figures["kostnad_personalokning_mnkr"], dtype=float),
            h["direktiv_personer"]: pd.Series(figures["direktiv"]["personer"], dtype=float),
            h["direktiv_mnkr"]: pd.Series(figures["direktiv"]["mnkr"], dtype=float),
        }
    )
    title = caption(
        plan,
        f"Personalökning {figures['basar']}–{figures['slutar']} och dess kostnad per yrkesgrupp",
        f"Staff increase {figures['basar']}–{figures['slutar']} and its cost by occupational group",
    )
    table = table.reindex([g for g in figures["personalokning"] if g != TOTAL] + [TOTAL])
    return whole(styled(table, sprak, 1, caption=title), sprak, [h["personalokning"], h["direktiv_personer"]])


def backtest_table(plan: Plan) -> Styler | Markdown:
    """The backtest: projected against actual staff and exits, per yrkesgrupp."""
    figures, sprak = plan.key_figures, plan.sprak
    bt = figures.get("backtest")
    if bt is None:
        return Markdown(
            "Historiken räcker inte för en efterhandsprövning."
            if sprak == "sv"
            else "The history is too short for a backtest."
        )
    h = HEADERS[sprak]
    table = pd.DataFrame.from_dict(bt["tabell"], orient="index").astype(float)
    table.columns = [h.get(c, c) for c in table.columns]
    intro = caption(
        plan,
        f"Efterhandsprövning: framskrivning från {bt['basar']} jämförd med utfallet {bt['slutar']} (personer)",
        f"Backtest: projection from {bt['basar']} compared with the outcome in {bt['slutar']} (persons)",
    )
    persons = [c for c in table.columns if "(%)" not in c]
    return whole(styled(table, sprak, 1, caption=intro), sprak, persons)


def staff_by_group_age_table(plan: Plan) -> Styler:
    table = staff.staff_by_group_age(plan.inputs.personal, plan.basar, plan.k, plan.masks)
    h = HEADERS[plan.sprak]
    return styled(
        table.rename_axis(index=h["yrkesgrupp"], columns="Ålder" if plan.sprak == "sv" else "Age"),
        plan.sprak,
        counts="alla",
        caption=caption(
            plan,
            f"Anställda per yrkesgrupp och ålder {plan.basar}",
            f"Employees by occupational group and age, {plan.basar}",
        ),
    )


def staff_by_group_age_figure(plan: Plan) -> Image:
    counts = staff.staff_counts_by_group_age(plan.inputs.personal, plan.basar, plan.k, plan.masks)
    return as_image(plots.staff_by_group_age(counts, plan.basar, plan.sprak))


def staff_summary_table(plan: Plan) -> Styler:
    table = staff.staff_summary(plan.inputs.personal, plan.basar, plan.k, plan.masks).rename_axis(None)
    for col in ("sysselsattningsgrad", "andel_60_plus"):
        table[col] = 100 * table[col]
    title = caption(plan, f"Personalen per yrkesgrupp {plan.basar}", f"Staff by occupational group, {plan.basar}")
    return styled(table, plan.sprak, 1, counts=[0], caption=title).format(
        lambda v: fmt.number(v, 0, plan.sprak),
        subset=[HEADERS[plan.sprak]["antal"], HEADERS[plan.sprak]["arsarbetare"]],
    )


def headcount_table(plan: Plan) -> Styler:
    table = staff.headcount_by_year(plan.inputs.personal, plan.k, plan.masks)
    title = caption(plan, "Anställda per yrkesgrupp och år", "Employees by occupational group and year")
    return styled(
        table.rename_axis(index=None, columns=HEADERS[plan.sprak]["ar"]), plan.sprak, counts="alla", caption=title
    )


def headcount_figure(plan: Plan) -> Image:
    return as_image(
        plots.headcount_history(staff.headcount_by_year(plan.inputs.personal, plan.k, plan.masks), plan.sprak)
    )


def exits_table(plan: Plan) -> Styler:
    table = staff.exits_by_year(plan.inputs.avgangar, plan.k, plan.masks)
    title = caption(plan, "Avslutade anställningar per orsak och år", "Ended employments by reason and year")
    return styled(
        table.rename_axis(index=None, columns=HEADERS[plan.sprak]["ar"]), plan.sprak, counts="alla", caption=title
    )


def costs_table(plan: Plan) -> Styler | Markdown:
    if plan.inputs.kostnader is None:
        return Markdown("Kostnadsuppgifter saknas i underlaget." if plan.sprak == "sv" else "No cost data.")
    costs = staff.costs_by_year(plan.inputs.kostnader)
    table = (
        pd.DataFrame(
            {
                "lonekostnad": costs["lonekostnad"] / 1e6,
                "hyrpersonal": costs["hyrpersonal"] / 1e6,
                "hyrpersonal_andel": 100 * costs["hyrpersonal_andel"],
            }
        )
        .rename_axis(None)
        .T
    )
    return styled(
        table,
        plan.sprak,
        1,
        caption=caption(plan, "Lönekostnad och hyrpersonal per år", "Wage cost and agency staff by year"),
    )
