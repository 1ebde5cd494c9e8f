"""Report sections on scenarios, competence, managers, qualifications, agency staff and the activity plan."""

from __future__ import annotations

import pandas as pd
from IPython.display import Image, Markdown
from pandas.io.formats.style import Styler

from kompetens.plan.prepare import Plan
from kompetens.report import figures as plots
from kompetens.report import formats as fmt
from kompetens.report import narrative
from kompetens.report.common import HEADERS, as_image, styled
from kompetens.vocabulary import SUPPRESSED


def scenario_table(plan: Plan) -> Styler | Markdown:
    """The baseline, each lever alone and all levers together."""
    figures, sprak = plan.key_figures, plan.sprak
    sc = figures.get("scenarier")
    if not sc or not sc["var_for_sig"]:
        return Markdown(
            "Inga spakar är valda i parametrarna (heltid, forlang_arbetslivet, minska_omsattning, "
            "teknik, kompetensvaxling)."
            if sprak == "sv"
            else "No levers are set in the parameters."
        )
    rows = {"Baslinje" if sprak == "sv" else "Baseline": sc["baslinje"]}
    rows.update({v["namn"]: v for v in sc["var_for_sig"].values()})
    rows["Alla spakar tillsammans" if sprak == "sv" else "All levers together"] = sc["tillsammans"]
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
    return styled(table, sprak, 1)


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
    return Markdown(narrative.scenarios(figures, sprak))


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
            f"var och en inom sitt intervall. **{fmt.escape(best)}** når målet i {share} av utfallen."
        )
        if r["exempel"]:
            text += " Parametrarna anger inga spakar; strategierna visas med exempelnivåer."
    else:
        text = (
            f"Each bar shows in what share of {n} possible outcomes a bundle of strategies lowers the "
            f"recruitment need {fmt.years(plan.basar + 1, plan.slutar)} by at least the directive's {target} of "
            "the staff increase. The outcomes draw the demand drivers' weight, the retirement timing, the "
            "turnover level, each strategy's effect and the random exits together, each within its range. "
            f"**{fmt.escape(_bundle_name(best, sprak))}** meets the target in {share} of the outcomes."
        )
        if r["exempel"]:
            text += " The parameters set no levers; the strategies are shown at example levels."
    return Markdown(text)


def robustness_table(plan: Plan) -> Styler | Markdown:
    """Per bundle: the share of outcomes meeting the directive, the target and the avoided
    recruitment (median, p10–p90) and the median shortfall, in persons."""
    r, sprak = _bundles(plan), plan.sprak
    if r is None:
        return Markdown("")
    sv = sprak == "sv"
    cols = (
        ["Når målet", "Mål (personer)", "Undviket rekryteringsbehov", "p10–p90", "Brist (median)"]
        if sv
        else ["Meets the target", "Target (persons)", "Recruitment avoided", "p10–p90", "Shortfall (median)"]
    )
    rows = {
        _bundle_name(name, sprak): [
            fmt.percent(p["andel_uppfyllt"], 0, sprak),
            fmt.number(p["mal_personer"], 0, sprak),
            fmt.number(p["undviken_rekrytering"], 0, sprak),
            f"{fmt.number(p['undviken_p10'], 0, sprak)}–{fmt.number(p['undviken_p90'], 0, sprak)}",
            fmt.number(p["brist_median"], 0, sprak),
        ]
        for name, p in r["paket"].items()
    }
    return styled(pd.DataFrame.from_dict(rows, orient="index", columns=cols), sprak)


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
    return styled(table, sprak, 1).format(lambda v: fmt.number(v, 0, sprak), subset=names[:3] + names[4:])


def managers_by_sex_age(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    chefer = figures.get("kompetens", {}).get("chefer")
    if not chefer:
        return Markdown("–")
    table = pd.DataFrame.from_dict(chefer["kon_alder"], orient="index")
    table = table.rename(index={"K": "Kvinnor" if sprak == "sv" else "Women", "M": "Män" if sprak == "sv" else "Men"})
    return styled(
        table.rename_axis(columns="Ålder" if sprak == "sv" else "Age").fillna(SUPPRESSED), sprak, counts="alla"
    )


def qualification_table(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    q = figures.get("kompetens", {}).get("behorighet")
    if not q:
        return Markdown(
            "Underlaget har ingen uppgift om behörighet (kolumnen behorig)."
            if sprak == "sv"
            else "The data has no qualification column (behorig)."
        )
    table = pd.DataFrame.from_dict(q, orient="index").astype(float)
    table["andel_behoriga"] = 100 * table["andel_behoriga"]
    names = (
        ["Anställda", "Saknar behörighet", "Andel behöriga (%)"]
        if sprak == "sv"
        else ["Employees", "Not qualified", "Share qualified (%)"]
    )
    table.columns = names
    return styled(table, sprak, 1, counts=[0, 1]).format(lambda v: fmt.number(v, 0, sprak), subset=names[:2])


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
    caption = (
        f"{path['grupp']}: behörighetskrav från {path['datum']}"
        if sprak == "sv"
        else f"{path['grupp']}: qualification required from {path['datum']}"
    )
    return styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, 1).set_caption(caption)


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
        return Markdown(
            "Ingen uppgift om lokalt utbildade (utbildade_per_ar) i parametrarna."
            if sprak == "sv"
            else "No local education supply (utbildade_per_ar) in the parameters."
        )
    table = pd.DataFrame(rows).pivot(index="yrkesgrupp", columns="ar", values="tackning") * 100
    return styled(
        table.rename_axis(
            index=None, columns=(HEADERS[sprak]["ar"] + (" – täckning (%)" if sprak == "sv" else " – coverage (%)"))
        ),
        sprak,
    )


def activity_table(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    plan = figures.get("kompetens", {}).get("aktivitetsplan")
    if not plan:
        return Markdown(
            "Ingen aktivitetsplan (aktivitetsplan.yaml) i underlaget."
            if sprak == "sv"
            else "No activity plan (aktivitetsplan.yaml) in the data."
        )
    table = pd.DataFrame.from_dict(plan["per_omrade"], orient="index")
    return styled(table.rename_axis(index=None, columns="Status"), sprak)


def late_activities(plan: Plan) -> Styler | Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    plan = figures.get("kompetens", {}).get("aktivitetsplan")
    if not plan or not plan["forsenade"]:
        return Markdown("")
    table = pd.DataFrame(plan["forsenade"]).set_index("aktivitet")
    names = (
        {"omrade": "Område", "ansvarig": "Ansvarig", "nar": "När"}
        if sprak == "sv"
        else {"omrade": "Area", "ansvarig": "Responsible", "nar": "When"}
    )
    return styled(table.rename(columns=names).rename_axis(None), sprak).set_caption(
        "Försenade aktiviteter" if sprak == "sv" else "Late activities"
    )
