"""The report's sections as displayable objects: one call per notebook cell.

Each function takes the prepared Plan (or the key figures) and returns Markdown, a
styled table or a Figure, labelled in the report's language.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from importlib.metadata import PackageNotFoundError, version

import pandas as pd
import io

from IPython.display import Image, Markdown
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from kompetens import fmt, narrative, plots, staff
from kompetens.privacy import SUPPRESSED
from kompetens.staff import TOTAL
from kompetens.load import PACKAGE_ROOT
from kompetens.nyckeltal import key_figures, write_key_figures
from kompetens.plan import Plan
from kompetens.staffplan import StaffPlan

HEADERS = {
    "sv": {"antal": "Antal anställda", "arsarbetare": "Årsarbetare", "sysselsattningsgrad": "Sysselsättningsgrad (%)",
           "medelalder": "Medelålder (år)", "andel_60_plus": "Andel 60 år och äldre (%)",
           "orsak": "Orsak", "ar": "År", "lonekostnad": "Lönekostnad (mnkr)", "hyrpersonal": "Hyrpersonal (mnkr)",
           "hyrpersonal_andel": "Hyrpersonal, andel av lönekostnad (%)", "yrkesgrupp": "Yrkesgrupp",
           "pension": "Pension", "egen_begaran": "Egen begäran", "intern_rorlighet": "Intern rörlighet",
           "ovrigt": "Övrigt", "Totalt": "Totalt", "summa": "Summa",
           "pensionsavgangar": "Pensionsavgångar", "ovriga_avgangar": "Övriga avgångar",
           "okat_behov": "Ökat behov", "rekryteringsbehov": "Rekryteringsbehov",
           "personalokning": "Personalökning (personer)", "kostnad_per_person": "Kostnad per person (tkr/år)",
           "kostnad_personalokning_mnkr": "Kostnad för ökningen (mnkr/år)",
           "direktiv_personer": "Andra lösningar (personer)", "direktiv_mnkr": "Andra lösningar (mnkr/år)",
           "personalbehov_prognos": "Personal, prognos", "personalbehov_utfall": "Personal, utfall",
           "personalbehov_fel_procent": "Personal, fel (%)", "avgangar_prognos": "Avgångar, prognos",
           "avgangar_utfall": "Avgångar, utfall", "avgangar_fel_procent": "Avgångar, fel (%)",
           "title": "Personal- och kompetensförsörjningsplan"},
    "en": {"antal": "Employees", "arsarbetare": "Full-time equivalents", "sysselsattningsgrad": "Employment rate (%)",
           "medelalder": "Mean age (years)", "andel_60_plus": "Share aged 60 or over (%)",
           "orsak": "Reason", "ar": "Year", "lonekostnad": "Wage cost (SEK m)", "hyrpersonal": "Agency staff (SEK m)",
           "hyrpersonal_andel": "Agency staff, share of wage cost (%)", "yrkesgrupp": "Occupational group",
           "pension": "Retirement", "egen_begaran": "Own request", "intern_rorlighet": "Internal move",
           "ovrigt": "Other", "Totalt": "Total", "summa": "Sum",
           "pensionsavgangar": "Retirements", "ovriga_avgangar": "Other exits",
           "okat_behov": "Increased need", "rekryteringsbehov": "Recruitment need",
           "personalokning": "Staff increase (persons)", "kostnad_per_person": "Cost per person (SEK k/year)",
           "kostnad_personalokning_mnkr": "Cost of the increase (SEK m/year)",
           "direktiv_personer": "Other solutions (persons)", "direktiv_mnkr": "Other solutions (SEK m/year)",
           "personalbehov_prognos": "Staff, projected", "personalbehov_utfall": "Staff, actual",
           "personalbehov_fel_procent": "Staff, error (%)", "avgangar_prognos": "Exits, projected",
           "avgangar_utfall": "Exits, actual", "avgangar_fel_procent": "Exits, error (%)",
           "title": "Staff and competence supply plan"},
}


def _styled(table: pd.DataFrame, sprak: str, decimals: int = 0, counts=None) -> Styler:
    """A table with the language's number format; text cells (like –) stay as they are.

    counts: the columns (positions) that hold counts of persons, or "alla"; the privacy
    scanner checks those cells for counts under k."""
    def cell(v):
        if isinstance(v, str):
            return v
        return fmt.number(v, decimals, sprak)
    h = HEADERS[sprak]
    shown = table.rename(index=lambda x: h.get(x, x), columns=lambda c: h.get(str(c), str(c)))
    styler = shown.style.format(cell)
    if counts is not None:
        spec = counts if counts == "alla" else ",".join(str(i) for i in counts)
        styler = styler.set_table_attributes(f'data-antal="{spec}"')
    return styler


SECTIONS = {
    "sv": {"sammanfattning": "Sammanfattning", "personalbehov": "Personalbehov",
           "framskrivning": "Framskrivning av personalbehovet", "rekrytering": "Rekryteringsbehov och pensionsavgångar",
           "definitioner": "Personalomsättning enligt olika definitioner", "avgangar_profil": "Vilka slutar?",
           "retention": "Hur länge stannar medarbetarna?", "pensioner": "Beräknade pensionsavgångar",
           "avgangar_orsak": "Avslutade anställningar per orsak", "sjuk_trend": "Utveckling och prognos",
           "sjuk_grupper": "Sjukfrånvaro per grupp", "sjuk_enheter": "Enheter", "sjuk_ar": "Sjukfrånvaro per år",
           "kolada": "Kommunen jämfört med riket", "scenarier": "Scenarier: andra lösningar",
           "kompetens": "Kompetens och chefer", "chefer": "Chefer", "behorighet": "Behörighet",
           "utbildning": "Lokalt utbildade", "aktivitetsplan": "Aktivitetsplan",
           "ekonomi_ram": "Avvikelse mellan personalframskrivning och ram", "backtest": "Efterhandsprövning",
           "personal_idag": "Personalen idag", "utveckling": "Antal anställda över tid",
           "omsattning": "Personalomsättning och pensionsavgångar", "sjukfranvaro": "Sjukfrånvaro",
           "ekonomi": "Lönekostnader och hyrpersonal", "om_underlaget": "Om underlaget"},
    "en": {"sammanfattning": "Summary", "personalbehov": "Staff need", "personal_idag": "Staff today",
           "framskrivning": "Projected staff need", "rekrytering": "Recruitment need and retirements",
           "definitioner": "Turnover by definition", "avgangar_profil": "Who leaves?",
           "retention": "How long do staff stay?", "pensioner": "Projected retirements",
           "avgangar_orsak": "Ended employments by reason", "sjuk_trend": "Trend and forecast",
           "sjuk_grupper": "Sick leave by group", "sjuk_enheter": "Units", "sjuk_ar": "Sick leave per year",
           "kolada": "The municipality against Sweden", "scenarier": "Scenarios: other solutions",
           "kompetens": "Competence and managers", "chefer": "Managers", "behorighet": "Qualifications",
           "utbildning": "Local education", "aktivitetsplan": "Activity plan",
           "ekonomi_ram": "Staff increase against the budget frame", "backtest": "Backtest",
           "utveckling": "Employees over time", "omsattning": "Turnover and retirements",
           "sjukfranvaro": "Sick leave", "ekonomi": "Wage and agency-staff costs", "om_underlaget": "About the data"},
}


#: The report's main sections in order: the table of contents links to them.
TOC = ("sammanfattning", "personalbehov", "rekrytering", "omsattning", "sjukfranvaro", "ekonomi_ram", "scenarier",
       "kompetens", "aktivitetsplan", "om_underlaget")


def heading(section: str, plan: Plan, level: int = 2) -> Markdown:
    """A section heading in the report's language, with a stable anchor (id = section key)."""
    return Markdown(f'<a id="{section}"></a>\n\n{"#" * level} {SECTIONS[plan.sprak][section]}')


def table_of_contents(plan: Plan) -> Markdown:
    """Links to the report's main sections."""
    title = "Innehåll" if plan.sprak == "sv" else "Contents"
    links = "\n".join(f"{i}. [{SECTIONS[plan.sprak][key]}](#{key})" for i, key in enumerate(TOC, start=1))
    return Markdown(f"**{title}**\n\n{links}")


def as_image(fig: Figure) -> Image:
    """A figure as an embedded PNG, so the HTML report carries it (no pyplot needed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return Image(data=buf.getvalue(), format="png")


def title(plan: Plan) -> Markdown:
    h = HEADERS[plan.sprak]
    return Markdown(f"# {h['title']}: {plan.params['titel']}\n\n{fmt.years(plan.basar, plan.slutar)}")


def compute_key_figures(plan: Plan, sp: StaffPlan | None = None, trend=False) -> dict:
    """Compute the run's key figures and write them as nyckeltal.json in the output folder."""
    figures = key_figures(plan, sp, trend)
    write_key_figures(figures, plan.utkatalog)
    return figures


def _year_table(per_group: dict) -> pd.DataFrame:
    """{grupp: {"år": value}} from the key figures as rows grupp, columns years (int)."""
    table = pd.DataFrame.from_dict(per_group, orient="index")
    table.columns = [int(c) for c in table.columns]
    return table.astype(float)


def need_table(figures: dict, sprak: str = "sv") -> Styler:
    """Personalbehov (persons) per yrkesgrupp and year, Totalt last."""
    table = _year_table(figures["personalbehov"])
    return _styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak)


def need_figure(figures: dict, sprak: str = "sv") -> Image:
    return as_image(plots.need_by_group(_year_table(figures["personalbehov"]), sprak))


def recruitment_table(figures: dict, sprak: str = "sv") -> Styler:
    """Rekryteringsbehov per yrkesgrupp and year, with the period's sum."""
    table = _year_table(figures["rekryteringsbehov"])
    table[HEADERS[sprak]["summa"]] = pd.Series(figures["rekryteringsbehov_period"], dtype=float)
    return _styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak)


def _components(figures: dict) -> pd.DataFrame | None:
    if figures.get("pensionsavgangar") is None:
        return None
    return pd.DataFrame({
        "pension": _year_table(figures["pensionsavgangar"]).loc[TOTAL],
        "other": _year_table(figures["ovriga_avgangar"]).loc[TOTAL],
        "growth": _year_table(figures["okat_behov"]).loc[TOTAL],
        "total": _year_table(figures["rekryteringsbehov"]).loc[TOTAL],
    }).T


def components_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """The recruitment need split into retirements, other exits and growth, per year."""
    parts = _components(figures)
    if parts is None:
        return Markdown("Rekryteringsbehovet är hämtat ur den externa framskrivningen och delas inte upp."
                        if sprak == "sv" else "The recruitment need comes from the external projection.")
    h = HEADERS[sprak]
    parts.index = [h["pensionsavgangar"], h["ovriga_avgangar"], h["okat_behov"], h["rekryteringsbehov"]]
    return _styled(parts.rename_axis(columns=h["ar"]), sprak)


def recruitment_figure(figures: dict, sprak: str = "sv") -> Image:
    parts = _components(figures)
    total = _year_table(figures["rekryteringsbehov"]).loc[[TOTAL]].rename(index={TOTAL: "total"})
    band = None
    if "rekryteringsbehov_p10" in figures:
        band = pd.DataFrame({f"p{q}": _year_table(figures[f"rekryteringsbehov_p{q}"]).loc[TOTAL]
                             for q in (10, 50, 90)}).T
    return as_image(plots.recruitment_need(parts if parts is not None else total, band, sprak))


def economics_text(figures: dict, sprak: str = "sv") -> Markdown:
    return Markdown(narrative.economics(figures, sprak))


def economics_table(figures: dict, sprak: str = "sv") -> Styler:
    """Per yrkesgrupp: staff increase, yearly cost per person (tkr), cost (mnkr), directive."""
    h = HEADERS[sprak]
    table = pd.DataFrame({
        h["personalokning"]: pd.Series(figures["personalokning"], dtype=float),
        h["kostnad_per_person"]: pd.Series(figures["kostnad_per_person"], dtype=float) / 1e3,
        h["kostnad_personalokning_mnkr"]: pd.Series(figures["kostnad_personalokning_mnkr"], dtype=float),
        h["direktiv_personer"]: pd.Series(figures["direktiv"]["personer"], dtype=float),
        h["direktiv_mnkr"]: pd.Series(figures["direktiv"]["mnkr"], dtype=float),
    })
    return _styled(table.reindex([g for g in figures["personalokning"] if g != TOTAL] + [TOTAL]), sprak, 1)


def backtest_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """The backtest: projected against actual staff and exits, per yrkesgrupp."""
    bt = figures.get("backtest")
    if bt is None:
        return Markdown("Historiken räcker inte för en efterhandsprövning." if sprak == "sv"
                        else "The history is too short for a backtest.")
    h = HEADERS[sprak]
    table = pd.DataFrame.from_dict(bt["tabell"], orient="index").astype(float)
    table.columns = [h.get(c, c) for c in table.columns]
    intro = (f"Framskrivning från {bt['basar']} jämförd med utfallet {bt['slutar']}." if sprak == "sv"
             else f"Projection from {bt['basar']} compared with the outcome in {bt['slutar']}.")
    return _styled(table, sprak, 1).set_caption(intro)


def summary(figures: dict, sprak: str = "sv") -> Markdown:
    return Markdown(narrative.summary(figures, sprak))


def staff_by_group_age_table(plan: Plan) -> Styler:
    table = staff.staff_by_group_age(plan.inputs.personal, plan.basar, plan.k)
    h = HEADERS[plan.sprak]
    return _styled(table.rename_axis(index=h["yrkesgrupp"], columns="Ålder" if plan.sprak == "sv" else "Age"),
                   plan.sprak, counts="alla")


def staff_by_group_age_figure(plan: Plan) -> Image:
    counts = staff.staff_counts_by_group_age(plan.inputs.personal, plan.basar, plan.k)
    return as_image(plots.staff_by_group_age(counts, plan.basar, plan.sprak))


def staff_summary_table(plan: Plan) -> Styler:
    table = staff.staff_summary(plan.inputs.personal, plan.basar, plan.k).rename_axis(None)
    for col in ("sysselsattningsgrad", "andel_60_plus"):
        table[col] = 100 * table[col]
    return _styled(table, plan.sprak, 1, counts=[0]).format(
        lambda v: fmt.number(v, 0, plan.sprak), subset=[HEADERS[plan.sprak]["antal"], HEADERS[plan.sprak]["arsarbetare"]])


def headcount_table(plan: Plan) -> Styler:
    table = staff.headcount_by_year(plan.inputs.personal, plan.k)
    return _styled(table.rename_axis(index=None, columns=HEADERS[plan.sprak]["ar"]), plan.sprak, counts="alla")


def headcount_figure(plan: Plan) -> Image:
    return as_image(plots.headcount_history(staff.headcount_by_year(plan.inputs.personal, plan.k), plan.sprak))


def exits_table(plan: Plan) -> Styler:
    table = staff.exits_by_year(plan.inputs.avgangar, plan.k)
    return _styled(table.rename_axis(index=None, columns=HEADERS[plan.sprak]["ar"]), plan.sprak, counts="alla")


def sick_leave_figure(plan: Plan) -> Image:
    return as_image(plots.sick_leave_history(staff.sick_leave_by_year(plan.inputs.franvaro, plan.k), plan.sprak))


def costs_table(plan: Plan) -> Styler | Markdown:
    if plan.inputs.kostnader is None:
        return Markdown("Kostnadsuppgifter saknas i underlaget." if plan.sprak == "sv" else "No cost data.")
    costs = staff.costs_by_year(plan.inputs.kostnader)
    table = pd.DataFrame({"lonekostnad": costs["lonekostnad"] / 1e6, "hyrpersonal": costs["hyrpersonal"] / 1e6,
                          "hyrpersonal_andel": 100 * costs["hyrpersonal_andel"]}).rename_axis(None).T
    return _styled(table, plan.sprak, 1)


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PACKAGE_ROOT, capture_output=True,
                             text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def provenance(plan: Plan) -> Markdown:
    """Om underlaget: input files with SHA-256, parameters, version, commit, date, privacy rule."""
    try:
        pkg = version("kompetens")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        pkg = "okänd"
    sv = plan.sprak == "sv"
    lines = ["| Tabell | Fil | SHA-256 |" if sv else "| Table | File | SHA-256 |", "|---|---|---|"]
    lines += [f"| {t} | {s['fil']} | `{s['sha256']}` |" for t, s in plan.inputs.sources.items()]
    shown = {k: v for k, v in plan.params.items() if k not in ("data_dir", "utkatalog")}
    params = ", ".join(f"`{k}` = {v!r}" for k, v in shown.items())
    k = plan.k
    text = [
        "\n".join(lines), "",
        (f"**Parametrar:** {params}" if sv else f"**Parameters:** {params}"), "",
        f"**{'Version' if sv else 'Version'}:** kompetens {pkg}" + (f", commit `{c}`" if (c := _git_commit()) else ""),
        "", f"**{'Körning' if sv else 'Run date'}:** {dt.date.today().isoformat()}", "",
        (f"**Integritet:** uppgifter som avser färre än {k} personer visas som –, och ytterligare celler döljs "
         "så att de inte kan räknas fram ur summorna. Inga person-id, namn eller födelsedatum visas."
         if sv else
         f"**Privacy:** figures about fewer than {k} persons are shown as –, and further cells are hidden so "
         "that they cannot be derived from totals. No person ids, names or birth dates are shown."),
    ]
    return Markdown("\n".join(text))


def turnover_text(figures: dict, sprak: str = "sv") -> Markdown:
    return Markdown(narrative.turnover(figures, sprak))


def turnover_table(figures: dict, sprak: str = "sv") -> Styler:
    """Turnover (%) per year under every definition and variant, side by side."""
    table = 100 * pd.DataFrame.from_dict(figures["personalomsattning_definitioner"], orient="index").astype(float)
    table.columns = [int(c) for c in table.columns]
    labels = {"kolada": "Kolada (tillsvidare)", "arbetsgivarverket": "Arbetsgivarverket",
              "nyckeltalsinstitutet": "Nyckeltalsinstitutet"}
    if sprak == "en":
        labels.update({"kolada": "Kolada (permanent staff)", "extern": "external", "med pension": "with retirements",
                       "utan pension": "without retirements", "inklusive intern rörlighet": "internal moves included"})
    table.index = [", ".join(labels.get(part, part) for part in key.split(", ")) for key in table.index]
    return _styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, 1)


def leavers_table(plan: Plan) -> Styler:
    """Leavers, headcount and turnover in the base year by age band and by tenure band."""
    from kompetens.turnover import by_category

    extern = plan.params["forvaltning"] is None
    parts = []
    for by, label in (("aldersband", "Ålder" if plan.sprak == "sv" else "Age"),
                      ("anstallningstid", "Anställningstid (år)" if plan.sprak == "sv" else "Tenure (years)")):
        t = by_category(plan.inputs.personal, plan.inputs.avgangar, plan.basar, by, plan.k, extern)
        t.index = pd.MultiIndex.from_product([[label], t.index])
        parts.append(t)
    table = pd.concat(parts)
    table["andel"] = 100 * table["andel"]
    names = {"sv": ["Avgångar", "Anställda", "Personalomsättning (%)"],
             "en": ["Leavers", "Employees", "Turnover (%)"]}[plan.sprak]
    table.columns = names
    return _styled(table, plan.sprak, 1, counts=[0, 1]).format(lambda v: fmt.number(v, 0, plan.sprak),
                                                                subset=names[:2])


def retention_figure(plan: Plan) -> Image:
    """Kaplan–Meier curves of the yrkesgrupper with at least 20 (and k) employments."""
    counts = plan.spells["yrkesgrupp"].value_counts()
    curves = plan.retention_by_group.survival
    curves = curves[curves["grupp"].isin(counts[counts >= max(plan.k, 20)].index)]
    return as_image(plots.retention_curves(curves, plan.sprak))


def retirement_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """Projected retirements per yrkesgrupp and year, with the period's sum."""
    if figures.get("pensionsavgangar") is None:
        return Markdown("Pensionsavgångarna ingår i den externa framskrivningen." if sprak == "sv"
                        else "Retirements are part of the external projection.")
    table = _year_table(figures["pensionsavgangar"])
    table[HEADERS[sprak]["summa"]] = pd.Series(figures["pensionsavgangar_period"], dtype=float)
    return _styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, 1)


def absence_text(figures: dict, sprak: str = "sv") -> Markdown:
    return Markdown(narrative.absence(figures, sprak))


def absence_monthly_figure(plan: Plan, trend) -> Image | Markdown:
    f = plan.inputs.franvaro
    observed = f.groupby("manad")["sjuk_tid"].sum() / f.groupby("manad")["schemalagd_tid"].sum()
    if trend is None:
        return Markdown("För kort tidsserie för en trendmodell." if plan.sprak == "sv" else "Too few months for a trend.")
    from kompetens.absence import rolling_12

    return as_image(plots.sick_leave_monthly(observed, trend.fitted(), trend.forecast(12), plan.sprak,
                                             rolling_12(f).dropna()))


def absence_age_band_figure(figures: dict, sprak: str = "sv") -> Image | Markdown:
    trend = figures.get("sjukfranvaro_trend")
    if not trend or not trend["aldersband"]:
        return Markdown("–")
    bands = pd.DataFrame.from_dict(trend["aldersband"], orient="index")
    return as_image(plots.age_band_trends(bands, sprak))


def absence_heatmap(plan: Plan, max_units: int = 30) -> Image:
    """Units × the last 24 months; at most max_units units, those with the highest share."""
    from kompetens.absence import unit_month_shares

    shares = unit_month_shares(plan.inputs.franvaro, plan.k).dropna(how="all")
    top = shares.iloc[:, -12:].mean(axis=1).sort_values(ascending=False).index[:max_units]
    return as_image(plots.unit_heatmap(shares.loc[top], plan.sprak))


def absence_table(figures: dict, sprak: str = "sv") -> Styler:
    """Sick-leave share (%) over the last 12 months by yrkesgrupp, age band and kön."""
    parts = []
    labels = {"yrkesgrupp": HEADERS[sprak]["yrkesgrupp"], "aldersband": "Ålder" if sprak == "sv" else "Age",
              "kon": "Kön" if sprak == "sv" else "Sex"}
    for by, label in labels.items():
        values = figures.get(f"sjukfranvaro_per_{by}")
        if values:
            s = pd.Series(values, dtype=float) * 100
            s.index = pd.MultiIndex.from_product([[label], s.index])
            parts.append(s)
    table = pd.concat(parts).to_frame("Sjukfrånvaro (%)" if sprak == "sv" else "Sick leave (%)")
    return _styled(table, sprak, 1)


def flagged_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """Units above the threshold over the last 12 months, with the change from the 12 before."""
    rows = figures["sjukfranvaro_flaggade"]
    if not rows:
        return Markdown("Ingen enhet är över gränsen." if sprak == "sv" else "No unit is above the threshold.")
    table = pd.DataFrame(rows).set_index("enhet")
    for c in ("andel_12_man", "andel_foregaende_12_man"):
        table[c] = 100 * table[c]
    names = {"forvaltning": "Förvaltning" if sprak == "sv" else "Department",
             "andel_12_man": "Senaste 12 mån (%)" if sprak == "sv" else "Last 12 months (%)",
             "andel_foregaende_12_man": "Föregående 12 mån (%)" if sprak == "sv" else "Previous 12 months (%)",
             "forandring_pp": "Förändring (procentenheter)" if sprak == "sv" else "Change (percentage points)"}
    return _styled(table.rename(columns=names).rename_axis(None), sprak, 1)


def excel_tables(plan: Plan, figures: dict) -> Markdown:
    """Write tabeller.xlsx beside the report and link to it."""
    from kompetens.export import FILENAME, write_tables

    write_tables(plan, figures, plan.utkatalog)
    text = ("Alla tabeller finns också som Excel-fil, ett blad per avsnitt: " if plan.sprak == "sv"
            else "All tables are also in an Excel file, one sheet per section: ")
    return Markdown(f"{text}[{FILENAME}]({FILENAME}).")


def kolada_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """Kommunen jämfört med riket: the saved Kolada figures beside the report's own."""
    kolada = figures.get("kolada")
    if not kolada:
        return Markdown("Ingen Kolada-fil (kolada.json) i underlaget." if sprak == "sv"
                        else "No Kolada file (kolada.json) in the data.")
    names = (["Nyckeltal", "År", "Kommunen", "Riket", "Denna rapport"] if sprak == "sv"
             else ["Indicator", "Year", "Municipality", "Sweden", "This report"])
    table = pd.DataFrame([[v["namn"], v["ar"], v["kommun"], v["riket"], v["rapport"]] for v in kolada.values()],
                         index=list(kolada), columns=names)
    return _styled(table, sprak, 1).format(str, subset=[names[0], names[1]])


def scenario_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """The baseline, each lever alone and all levers together."""
    sc = figures.get("scenarier")
    if not sc or not sc["var_for_sig"]:
        return Markdown("Inga spakar är valda i parametrarna (heltid, forlang_arbetslivet, minska_omsattning, "
                        "teknik, kompetensvaxling)." if sprak == "sv" else "No levers are set in the parameters.")
    rows = {"Baslinje" if sprak == "sv" else "Baseline": sc["baslinje"]}
    rows.update({v["namn"]: v for v in sc["var_for_sig"].values()})
    rows["Alla spakar tillsammans" if sprak == "sv" else "All levers together"] = sc["tillsammans"]
    names = ({"personalbehov_slutar": "Personalbehov slutår", "personalokning": "Personalökning (personer)",
              "rekryteringsbehov_period": "Rekryteringsbehov under perioden",
              "kostnad_personalokning_mnkr": "Kostnad för ökningen (mnkr/år)"} if sprak == "sv" else
             {"personalbehov_slutar": "Staff need, last year", "personalokning": "Staff increase (persons)",
              "rekryteringsbehov_period": "Recruitment need over the period",
              "kostnad_personalokning_mnkr": "Cost of the increase (SEK m/year)"})
    table = pd.DataFrame(rows).T[list(names)].astype(float).rename(columns=names)
    return _styled(table, sprak, 1)


def scenario_figure(figures: dict, sprak: str = "sv") -> Image | Markdown:
    sc = figures.get("scenarier")
    if not sc or not sc["vattenfall"]:
        return Markdown("")
    span = fmt.years(figures["basar"] + 1, figures["slutar"])
    steps = [(s["namn"], s["rekryteringsbehov"]) for s in sc["vattenfall"]]
    return as_image(plots.waterfall(sc["baslinje"]["rekryteringsbehov_period"], steps, span, sprak))


def scenario_text(figures: dict, sprak: str = "sv") -> Markdown:
    return Markdown(narrative.scenarios(figures, sprak))


def competence_text(figures: dict, sprak: str = "sv") -> Markdown:
    return Markdown(narrative.competence(figures, sprak))


def managers_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """Staff per first-line manager by förvaltning: mean, smallest, median and largest unit."""
    chefer = figures.get("kompetens", {}).get("chefer")
    if not chefer:
        return Markdown("–")
    table = pd.DataFrame.from_dict(chefer["per_chef"], orient="index").astype(float)
    names = (["Enheter", "Chefer", "Medarbetare", "Medarbetare per chef", "Minst", "Median", "Störst"] if sprak == "sv"
             else ["Units", "Managers", "Staff", "Staff per manager", "Smallest", "Median", "Largest"])
    table.columns = names
    return _styled(table, sprak, 1).format(lambda v: fmt.number(v, 0, sprak), subset=names[:3] + names[4:])


def managers_by_sex_age(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    chefer = figures.get("kompetens", {}).get("chefer")
    if not chefer:
        return Markdown("–")
    table = pd.DataFrame.from_dict(chefer["kon_alder"], orient="index")
    table = table.rename(index={"K": "Kvinnor" if sprak == "sv" else "Women", "M": "Män" if sprak == "sv" else "Men"})
    return _styled(table.rename_axis(columns="Ålder" if sprak == "sv" else "Age").fillna(SUPPRESSED), sprak,
                   counts="alla")


def qualification_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    q = figures.get("kompetens", {}).get("behorighet")
    if not q:
        return Markdown("Underlaget har ingen uppgift om behörighet (kolumnen behorig)." if sprak == "sv"
                        else "The data has no qualification column (behorig).")
    table = pd.DataFrame.from_dict(q, orient="index").astype(float)
    table["andel_behoriga"] = 100 * table["andel_behoriga"]
    names = (["Anställda", "Saknar behörighet", "Andel behöriga (%)"] if sprak == "sv"
             else ["Employees", "Not qualified", "Share qualified (%)"])
    table.columns = names
    return _styled(table, sprak, 1, counts=[0, 1]).format(lambda v: fmt.number(v, 0, sprak), subset=names[:2])


def qualification_path_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    """How the number without the qualification falls: through turnover versus training."""
    path = figures.get("kompetens", {}).get("behorighet_framskrivning")
    if not path:
        return Markdown("")
    table = pd.DataFrame({c: path[c] for c in ("slutar", "vidareutbildade", "obehoriga")}).T.astype(float)
    table.index = (["Slutar (personalomsättning)", "Vidareutbildas", "Saknar behörighet vid årets slut"] if sprak == "sv"
                   else ["Leave (turnover)", "Trained", "Without the qualification at year end"])
    caption = (f"{path['grupp']}: behörighetskrav från {path['datum']}" if sprak == "sv"
               else f"{path['grupp']}: qualification required from {path['datum']}")
    return _styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, 1).set_caption(caption)


def agency_figure(plan: Plan) -> Image | Markdown:
    """Agency staff as a share of wage cost per month and department, with the target."""
    from kompetens.competence import agency_share

    if plan.inputs.kostnader is None:
        return Markdown("")
    return as_image(plots.agency_staff(agency_share(plan.inputs.kostnader), plan.params["hyrpersonal_mal"], plan.sprak))


def education_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    rows = figures.get("kompetens", {}).get("utbildning")
    if not rows:
        return Markdown("Ingen uppgift om lokalt utbildade (utbildade_per_ar) i parametrarna." if sprak == "sv"
                        else "No local education supply (utbildade_per_ar) in the parameters.")
    table = pd.DataFrame(rows).pivot(index="yrkesgrupp", columns="ar", values="tackning") * 100
    return _styled(table.rename_axis(index=None, columns=(HEADERS[sprak]["ar"] + (" – täckning (%)" if sprak == "sv"
                                                                              else " – coverage (%)"))), sprak)


def activity_table(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    plan = figures.get("kompetens", {}).get("aktivitetsplan")
    if not plan:
        return Markdown("Ingen aktivitetsplan (aktivitetsplan.yaml) i underlaget." if sprak == "sv"
                        else "No activity plan (aktivitetsplan.yaml) in the data.")
    table = pd.DataFrame.from_dict(plan["per_omrade"], orient="index")
    return _styled(table.rename_axis(index=None, columns="Status"), sprak)


def late_activities(figures: dict, sprak: str = "sv") -> Styler | Markdown:
    plan = figures.get("kompetens", {}).get("aktivitetsplan")
    if not plan or not plan["forsenade"]:
        return Markdown("")
    table = pd.DataFrame(plan["forsenade"]).set_index("aktivitet")
    names = {"omrade": "Område", "ansvarig": "Ansvarig", "nar": "När"} if sprak == "sv" else \
        {"omrade": "Area", "ansvarig": "Responsible", "nar": "When"}
    return _styled(table.rename(columns=names).rename_axis(None), sprak).set_caption(
        "Försenade aktiviteter" if sprak == "sv" else "Late activities")


def retention_table(plan: Plan) -> Styler:
    """Per yrkesgrupp with at least k spells: median length of employment and the share
    still employed after one and three years, with 95 % CIs (Kaplan–Meier)."""
    table = pd.concat([plan.retention_by_group.sammanfattning, plan.retention.sammanfattning])
    sv = plan.sprak == "sv"

    def ci(lo, hi, scale=1.0, d=1):
        return table.apply(lambda r: fmt.interval(scale * r[lo], scale * r[hi], d, plan.sprak)
                           if pd.notna(r[lo]) and pd.notna(r[hi]) else SUPPRESSED, axis=1)

    shown = pd.DataFrame({
        "Anställningar" if sv else "Employments": table["antal"].astype(float),
        "Median (år)" if sv else "Median (years)": table["median_ar"],
        "95 % KI" if sv else "95% CI": ci("median_ki_lag", "median_ki_hog"),
        "Kvar efter 1 år (%)" if sv else "Still employed after 1 year (%)": 100 * table["kvar_1_ar"],
        "95 % KI ": ci("kvar_1_ki_lag", "kvar_1_ki_hog", 100, 0),
        "Kvar efter 3 år (%)" if sv else "Still employed after 3 years (%)": 100 * table["kvar_3_ar"],
        "95 % KI  ": ci("kvar_3_ki_lag", "kvar_3_ki_hog", 100, 0),
    })
    return _styled(shown.rename_axis(None), plan.sprak, 1).format(
        lambda v: fmt.number(v, 0, plan.sprak), subset=[shown.columns[0]])


def exit_causes_table(plan: Plan) -> Styler:
    """Cumulative incidence of each exit reason after 1, 3 and 5 years of employment
    (Aalen–Johansen: retirement, own request and other exits compete)."""
    cif = plan.retention.kumulativ_incidens
    rows = {}
    for reason, curve in cif.groupby("orsak"):
        curve = curve.set_index("ar")["andel"]
        rows[HEADERS[plan.sprak].get(reason, reason)] = {
            y: 100 * float(curve.loc[:y].iloc[-1]) if (curve.index <= y).any() else 0.0 for y in (1, 3, 5)}
    sv = plan.sprak == "sv"
    table = pd.DataFrame(rows).T.rename(columns=lambda y: (f"Efter {y} år (%)" if sv else f"After {y} years (%)"))
    return _styled(table, plan.sprak, 1)
