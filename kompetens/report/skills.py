"""Report sections on scenarios, competence, managers, qualifications, agency staff and the activity plan."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown
from pandas.io.formats.style import Styler

from kompetens import assumptions
from kompetens.plan.prepare import Plan
from kompetens.report import figures as plots
from kompetens.report import formats as fmt
from kompetens.report import narrative
from kompetens.report.common import HEADERS, as_image, caption, styled, whole
from kompetens.vocabulary import SUPPRESSED, TOTAL


def scenario_table(plan: Plan) -> Styler | Markdown:
    """The baseline, each lever alone and all levers together."""
    figures, sprak = plan.key_figures, plan.sprak
    sc = figures.get("scenarier")
    if not sc or not sc["var_for_sig"]:
        return None  # the text says that no strategy is chosen
    rows = {"Baslinje" if sprak == "sv" else "Baseline": sc["baslinje"]}
    rows.update({v["namn"]: v for v in sc["var_for_sig"].values()})
    rows["Alla valda strategier tillsammans" if sprak == "sv" else "All chosen strategies together"] = sc["tillsammans"]
    names = (
        {
            "personalbehov_slutar": "Personalbehov slutår",
            "personalokning": "Personalökning (personer)",
            "rekryteringsbehov_period": "Rekryteringsbehov under perioden",
            "kostnad_personalokning_mnkr": "Kostnad för ökningen (mnkr/år)",
        }
        if sprak == "sv"
        else {
            "personalbehov_slutar": "Staff need, last year",
            "personalokning": "Staff increase (persons)",
            "rekryteringsbehov_period": "Recruitment need over the period",
            "kostnad_personalokning_mnkr": "Cost of the increase (SEK m/year)",
        }
    )
    table = pd.DataFrame(rows).T[list(names)].astype(float).rename(columns=names)
    title = caption(
        plan,
        "Varje strategi för sig jämförd med baslinjen (stegen i diagrammet nedan räknas i stället "
        "en i taget ovanpå varandra och kan därför skilja sig)",
        "Each strategy alone against the baseline (the chart below adds them one at a time on top of "
        "each other, so its steps can differ)",
    )
    persons = list(names.values())[:3]
    return whole(styled(table, sprak, 1, caption=title), sprak, persons)


def scenario_figure(plan: Plan) -> Image | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    sc = figures.get("scenarier")
    if not sc or not sc["vattenfall"]:
        return Markdown("")
    span = fmt.years(figures["basar"] + 1, figures["slutar"])
    steps = [(s["namn"], s["rekryteringsbehov"]) for s in sc["vattenfall"]]
    return as_image(plots.waterfall(sc["baslinje"]["rekryteringsbehov_period"], steps, span, sprak))


def scenario_text(plan: Plan) -> Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    return Markdown(narrative.scenarios(figures, sprak, plan.params["andra_losningar_namn"]))


#: The bundles' names in an English report (the Swedish ones are kompetens.models.scenarios.NAMES).
BUNDLES_EN = {
    "Fler jobbar mer (heltid)": "More full-time work",
    "Förläng arbetslivet": "Longer working life",
    "Minska personalomsättningen": "Lower turnover",
    "Använd tekniken": "Use technology",
    "Använd kompetensen rätt": "Task shifting",
    "Alla tillsammans": "All together",
}


def _bundles(plan: Plan) -> dict | None:
    r = plan.key_figures.get("robusthet")
    return r if r and r["paket"] else None


def _bundle_name(name: str, sprak: str) -> str:
    return BUNDLES_EN.get(name, name) if sprak == "en" else name


def robustness_text(plan: Plan) -> Markdown:
    """What the robustness section shows, in two sentences, and the best bundle's result."""
    r, sprak = _bundles(plan), plan.sprak
    if r is None:
        return Markdown("")
    best = max(r["paket"], key=lambda n: r["paket"][n]["andel_uppfyllt"])
    share = fmt.percent(r["paket"][best]["andel_uppfyllt"], 0, sprak)
    n, target = fmt.number(r["simuleringar"], 0, sprak), fmt.percent(r["direktiv_andel"], 0, sprak)
    if sprak == "sv":
        text = (
            f"Varje stapel visar i hur stor andel av {n} möjliga utfall ett paket av strategier minskar "
            f"rekryteringsbehovet {fmt.years(plan.basar + 1, plan.slutar)} med minst direktivets {target} av "
            "personalökningen. Utfallen drar samtidigt befolkningsdrivarnas genomslag, pensionstidpunkten, "
            "personalomsättningens nivå, hur stor effekt varje strategi får och de slumpmässiga avgångarna, "
            "var och en inom sitt intervall (intervallen och deras källor står under ”Om underlaget”). "
            f"**{fmt.escape(best)}** når målet i {share} av utfallen. "
            "Här räknas allt undvikt rekryteringsbehov, även personal som stannar längre; kolumnen "
            "”Minskar personalbehovet så mycket” visar hur ofta paketet i stället minskar själva "
            "personalökningen lika mycket, vilket scenariojämförelsen ovan mäter."
        )
        if r["exempel"]:
            text += " Parametrarna anger inga spakar; strategierna visas med exempelnivåer."
    else:
        text = (
            f"Each bar shows in what share of {n} possible outcomes a bundle of strategies lowers the "
            f"recruitment need {fmt.years(plan.basar + 1, plan.slutar)} by at least the directive’s {target} of "
            "the staff increase. The outcomes draw the demand drivers’ weight, the retirement timing, the "
            "turnover level, each strategy’s effect and the random exits together, each within its range "
            "(the ranges and their sources are listed with the assumptions at the end of the report). "
            f"**{fmt.escape(_bundle_name(best, sprak))}** meets the target in {share} of the outcomes. "
            "All avoided recruitment counts here, staff who stay longer too; the column “Lowers the staff "
            "need as much” shows how often the bundle instead lowers the staff increase itself as much, "
            "which the scenario comparison above measures."
        )
        if r["exempel"]:
            text += " The parameters set no levers; the strategies are shown at example levels."
    return Markdown(text)


def robustness_table(plan: Plan) -> Styler | Markdown:
    """Per bundle: the share of outcomes meeting the directive (avoided recruitment), the share
    in which the staff need itself falls as much (the scenario comparison's measure), the
    target and the avoided recruitment (median, p10–p90) and the median shortfall, in persons."""
    r, sprak = _bundles(plan), plan.sprak
    if r is None:
        return Markdown("")
    sv = sprak == "sv"
    cols = (
        [
            "Når målet",
            "Minskar personalbehovet så mycket",
            "Mål (personer)",
            "Undviket rekryteringsbehov",
            "p10–p90",
            "Brist (median)",
        ]
        if sv
        else [
            "Meets the target",
            "Lowers the staff need as much",
            "Target (persons)",
            "Recruitment avoided",
            "p10–p90",
            "Shortfall (median)",
        ]
    )
    rows = {
        _bundle_name(name, sprak): [
            fmt.percent(p["andel_uppfyllt"], 0, sprak),
            fmt.percent(p["andel_uppfyllt_personalbehov"], 0, sprak),
            fmt.number(p["mal_personer"], 0, sprak),
            fmt.number(p["undviken_rekrytering"], 0, sprak),
            f"{fmt.number(p['undviken_p10'], 0, sprak)}–{fmt.number(p['undviken_p90'], 0, sprak)}",
            fmt.number(p["brist_median"], 0, sprak),
        ]
        for name, p in r["paket"].items()
    }
    title = caption(
        plan,
        "Strategipaketen: hur ofta de når direktivets mål och hur mycket rekrytering de undviker",
        "The bundles of strategies: how often they meet the directive and how much recruitment they avoid",
    )
    return styled(pd.DataFrame.from_dict(rows, orient="index", columns=cols), sprak, caption=title)


def robustness_ranges(plan: Plan) -> Styler | Markdown:
    """The ranges the robustness draws took, each with its unit, public source and vintage
    (the assumption register's `osakerhet`)."""
    r, sprak = _bundles(plan), plan.sprak
    if r is None:
        return Markdown("")
    register = assumptions.uncertainty()
    cols = (
        ["Antagande", "Intervall", "Enhet", "Källa", "Årgång"]
        if sprak == "sv"
        else ["Assumption", "Range", "Unit", "Source", "Vintage"]
    )
    rows = [
        [
            register[key]["namn"],
            f"{fmt.number(low, 2, sprak)} – {fmt.number(high, 2, sprak)}",
            register[key]["enhet"],
            register[key]["kalla"],
            str(register[key]["argang"]),
        ]
        for key, (low, high) in r["intervall"].items()
    ]
    title = caption(
        plan,
        "Osäkerheterna i robusthetsanalysen: intervall, källa och årgång",
        "The uncertainties of the robustness analysis: range, source and vintage",
    )
    return styled(pd.DataFrame(rows, columns=cols).set_index(cols[0]), sprak, caption=title)


def robustness_figure(plan: Plan) -> Image | Markdown:
    """The share of outcomes in which each bundle meets the directive, as bars."""
    r, sprak = _bundles(plan), plan.sprak
    if r is None:
        return Markdown("")
    shares = pd.Series({_bundle_name(n, sprak): p["andel_uppfyllt"] for n, p in r["paket"].items()})
    return as_image(plots.robustness_bars(shares, r["simuleringar"], sprak))


def competence_text(plan: Plan) -> Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    return Markdown(narrative.competence(figures, sprak))


def managers_table(plan: Plan) -> Styler | Markdown:
    """Staff per first-line manager by förvaltning: mean, smallest, median and largest unit."""
    figures, sprak = plan.key_figures, plan.sprak
    chefer = figures.get("kompetens", {}).get("chefer")
    if not chefer:
        return Markdown("–")
    table = pd.DataFrame.from_dict(chefer["per_chef"], orient="index").astype(float)
    names = (
        ["Enheter", "Chefer", "Medarbetare", "Medarbetare per chef", "Minst", "Median", "Störst"]
        if sprak == "sv"
        else ["Units", "Managers", "Staff", "Staff per manager", "Smallest", "Median", "Largest"]
    )
    table.columns = names
    title = caption(
        plan, "Medarbetare per första linjens chef, per förvaltning", "Staff per first-line manager, by department"
    )
    return whole(styled(table, sprak, 1, caption=title), sprak, names[:3] + names[4:])


def managers_by_sex_age(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    chefer = figures.get("kompetens", {}).get("chefer")
    if not chefer:
        return Markdown("–")
    table = pd.DataFrame.from_dict(chefer["kon_alder"], orient="index")
    table = table.rename(index={"K": "Kvinnor" if sprak == "sv" else "Women", "M": "Män" if sprak == "sv" else "Men"})
    title = caption(plan, f"Chefer per kön och ålder {plan.basar}", f"Managers by sex and age, {plan.basar}")
    return styled(
        table.rename_axis(columns="Ålder" if sprak == "sv" else "Age").fillna(SUPPRESSED),
        sprak,
        counts="alla",
        caption=title,
    )


def qualification_table(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    q = figures.get("kompetens", {}).get("behorighet")
    if not q:
        return None  # the section and its heading are left out
    table = pd.DataFrame.from_dict(q, orient="index").astype(float)
    required = (plan.params.get("behorighet") or {}).get("grupp")
    shown = (table["obehoriga"] != 0) | (table.index == required) | (table.index == TOTAL)
    table = table[shown]
    table["andel_behoriga"] = 100 * table["andel_behoriga"]
    names = (
        ["Anställda", "Saknar behörighet", "Andel behöriga (%)"]
        if sprak == "sv"
        else ["Employees", "Not qualified", "Share qualified (%)"]
    )
    table.columns = names
    title = caption(
        plan,
        "Yrkesgrupper där medarbetare saknar behörighet (i övriga grupper har alla behörighet eller finns inget krav)",
        "Groups where staff lack the qualification (in the other groups all are qualified or no qualification is required)",
    )
    return whole(styled(table, sprak, 1, counts=[0, 1], caption=title), sprak, names[:2])


def qualification_path_table(plan: Plan) -> Styler | Markdown:
    """How the number without the qualification falls: through turnover versus training."""
    figures, sprak = plan.key_figures, plan.sprak
    path = figures.get("kompetens", {}).get("behorighet_framskrivning")
    if not path:
        return Markdown("")
    table = pd.DataFrame({c: path[c] for c in ("slutar", "vidareutbildade", "obehoriga")}).T.astype(float)
    table.index = (
        ["Slutar (personalomsättning)", "Vidareutbildas", "Saknar behörighet vid årets slut"]
        if sprak == "sv"
        else ["Leave (turnover)", "Trained", "Without the qualification at year end"]
    )
    title = caption(
        plan,
        f"{path['grupp']}: behörighetskrav från {path['datum']} (personer)",
        f"{path['grupp']}: qualification required from {path['datum']} (persons)",
    )
    return styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, 0, caption=title)


def agency_figure(plan: Plan) -> Image | Markdown:
    """Agency staff as a share of wage cost per month and department, with the target."""
    from kompetens.models.competence import agency_share

    if plan.inputs.kostnader is None:
        return Markdown("")
    return as_image(plots.agency_staff(agency_share(plan.inputs.kostnader), plan.params["hyrpersonal_mal"], plan.sprak))


def education_table(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    rows = figures.get("kompetens", {}).get("utbildning")
    if not rows:
        return None  # the section and its heading are left out
    table = pd.DataFrame(rows).pivot(index="yrkesgrupp", columns="ar", values="tackning") * 100
    title = caption(
        plan,
        "Hur stor del av rekryteringsbehovet som de lokalt utbildade täcker, per år (%)",
        "Share of the recruitment need met by local education, by year (%)",
    )
    return styled(table.rename_axis(index=None, columns=HEADERS[sprak]["ar"]), sprak, caption=title)


#: SKL's nine strategies (2018) in English, for English reports.
AREAS_EN = {
    "Använd kompetens rätt": "Use competence right",
    "Bredda rekryteringen": "Broaden recruitment",
    "Förläng arbetslivet": "Extend working life",
    "Marknadsför jobben": "Market the jobs",
    "Skapa engagemang": "Create engagement",
    "Använd tekniken & digitaliseringen": "Use technology and digitalisation",
    "Fler jobbar mer": "More people work more",
    "Lönekarriär och löneutveckling": "Pay careers and pay development",
    "Utvecklings- och karriärmöjligheter": "Development and career opportunities",
}


def _area(name: str, sprak: str) -> str:
    return AREAS_EN.get(name, name) if sprak == "en" else name


def activity_table(plan: Plan) -> Styler | Markdown:
    """Activities per strategy area and status, with totals."""
    figures, sprak = plan.key_figures, plan.sprak
    acts = figures.get("kompetens", {}).get("aktivitetsplan")
    if not acts:
        return Markdown(
            "Underlaget har ingen aktivitetsplan (aktivitetsplan.yaml)."
            if sprak == "sv"
            else "The data has no activity plan (aktivitetsplan.yaml)."
        )
    table = pd.DataFrame.from_dict(acts["per_omrade"], orient="index")
    table = table.rename(index=lambda a: _area(a, sprak))
    title = caption(plan, "Antal aktiviteter per strategiområde och status", "Activities by strategy area and status")
    return styled(table.rename_axis(index=None, columns="Status"), sprak, caption=title).format_index(
        escape="html", axis=0
    )


def activity_plan_table(plan: Plan) -> Styler | None:
    """The whole activity plan as the plans show it: Område · Vad · Aktivitet · Ansvarig ·
    När · Uppföljning · Status, grouped by strategy area in the list's order, late ones marked."""
    acts, sprak = plan.activities, plan.sprak
    if acts is None or acts.empty:
        return None
    from kompetens.io.activities import STRATEGIES

    order = list(plan.params["omraden"] or STRATEGIES["skr2018"])
    acts = acts.assign(_order=acts["omrade"].map(order.index)).sort_values(["_order", "nar"], kind="stable")
    h = HEADERS[sprak]
    names = (
        ["Område", "Vad", "Aktivitet", "Ansvarig", "När", "Uppföljning", "Status"]
        if sprak == "sv"
        else ["Area", "What", "Activity", "Responsible", "When", "Follow-up", "Status"]
    )
    table = pd.DataFrame(
        {
            names[0]: [_area(a, sprak) for a in acts["omrade"]],
            names[1]: acts["vad"].fillna("").astype(str),
            names[2]: acts["aktivitet"].astype(str),
            names[3]: acts["ansvarig"].astype(str),
            names[4]: acts["nar"].astype(str),
            names[5]: acts["uppfoljning"].fillna("").astype(str),
            names[6]: [h.get(v, v) for v in acts["status"]],
        }
    )
    table = table.set_index(names[0])
    late = h["försenad"]
    title = caption(
        plan,
        "Aktivitetsplan per strategiområde (försenade aktiviteter i fetstil)",
        "Activity plan by strategy area (late activities in bold)",
    )
    return (
        styled(table, sprak, caption=title)
        .format(escape="html")
        .format_index(escape="html", axis=0)
        .map(lambda v: "font-weight: bold; color: #a4000f" if v == late else "", subset=[names[6]])
        .set_table_attributes('class="kompetens-aktiviteter"')
    )


def late_activities(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    acts = figures.get("kompetens", {}).get("aktivitetsplan")
    if not acts or not acts["forsenade"]:
        return Markdown("")
    table = pd.DataFrame(acts["forsenade"]).set_index("aktivitet")
    table["omrade"] = [_area(a, sprak) for a in table["omrade"]]
    names = (
        {"omrade": "Område", "ansvarig": "Ansvarig", "nar": "När"}
        if sprak == "sv"
        else {"omrade": "Area", "ansvarig": "Responsible", "nar": "When"}
    )
    title = caption(plan, "Försenade aktiviteter", "Late activities")
    return (
        styled(table.rename(columns=names).rename_axis(None), sprak, caption=title)
        .format(escape="html")
        .format_index(escape="html", axis=0)
    )
