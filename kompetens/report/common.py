"""Shared parts of the report: labels, headings, table styling, images, the summary and provenance."""

from __future__ import annotations

import datetime as dt
import html
import io
import subprocess
from importlib.metadata import PackageNotFoundError, version

import pandas as pd
from IPython.display import HTML, Image, Markdown
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from pandas.io.formats.style import Styler

from kompetens.io.fingerprint import PACKAGE_ROOT
from kompetens.plan.key_figures import write_key_figures
from kompetens.plan.prepare import Plan
from kompetens.report import formats as fmt
from kompetens.report import narrative
from kompetens.report.formats import escape

HEADERS = {
    "sv": {
        "antal": "Antal anställda",
        "arsarbetare": "Årsarbetare",
        "sysselsattningsgrad": "Sysselsättningsgrad (%)",
        "medelalder": "Medelålder (år)",
        "andel_60_plus": "Andel 60 år och äldre (%)",
        "orsak": "Orsak",
        "ar": "År",
        "lonekostnad": "Lönekostnad (mnkr)",
        "hyrpersonal": "Hyrpersonal (mnkr)",
        "hyrpersonal_andel": "Hyrpersonal, andel av lönekostnad (%)",
        "yrkesgrupp": "Yrkesgrupp",
        "pension": "Pension",
        "egen_begaran": "Egen begäran",
        "intern_rorlighet": "Intern rörlighet",
        "ovrigt": "Övrigt",
        "okand": "Okänd (från ögonblicksbilder)",
        "Totalt": "Totalt",
        "summa": "Summa",
        "planerad": "Planerad",
        "pågår": "Pågår",
        "försenad": "Försenad",
        "klar": "Klar",
        "pensionsavgangar": "Pensionsavgångar",
        "ovriga_avgangar": "Övriga avgångar",
        "okat_behov": "Ökat behov",
        "rekryteringsbehov": "Rekryteringsbehov",
        "personalokning": "Personalökning (personer)",
        "kostnad_per_person": "Kostnad per person (tkr/år)",
        "kostnad_personalokning_mnkr": "Kostnad för ökningen (mnkr/år)",
        "direktiv_personer": "Andra lösningar (personer)",
        "direktiv_mnkr": "Andra lösningar (mnkr/år)",
        "personalbehov_prognos": "Personal, prognos",
        "personalbehov_utfall": "Personal, utfall",
        "personalbehov_fel_procent": "Personal, fel (%)",
        "avgangar_prognos": "Avgångar, prognos",
        "avgangar_utfall": "Avgångar, utfall",
        "avgangar_fel_procent": "Avgångar, fel (%)",
        "title": "Personal- och kompetensförsörjningsplan",
        "≤29": "–29",
        "≥50": "50–",
        "K": "Kvinnor",
        "M": "Män",
    },
    "en": {
        "antal": "Employees",
        "arsarbetare": "Full-time equivalents",
        "sysselsattningsgrad": "Employment rate (%)",
        "medelalder": "Mean age (years)",
        "andel_60_plus": "Share aged 60 or over (%)",
        "orsak": "Reason",
        "ar": "Year",
        "lonekostnad": "Wage cost (SEK m)",
        "hyrpersonal": "Agency staff (SEK m)",
        "hyrpersonal_andel": "Agency staff, share of wage cost (%)",
        "yrkesgrupp": "Occupational group",
        "pension": "Retirement",
        "egen_begaran": "Own request",
        "intern_rorlighet": "Internal move",
        "ovrigt": "Other",
        "okand": "Unknown (from snapshots)",
        "Totalt": "Total",
        "summa": "Sum",
        "planerad": "Planned",
        "pågår": "In progress",
        "försenad": "Late",
        "klar": "Done",
        "pensionsavgangar": "Retirements",
        "ovriga_avgangar": "Other exits",
        "okat_behov": "Increased need",
        "rekryteringsbehov": "Recruitment need",
        "personalokning": "Staff increase (persons)",
        "kostnad_per_person": "Cost per person (SEK k/year)",
        "kostnad_personalokning_mnkr": "Cost of the increase (SEK m/year)",
        "direktiv_personer": "Other solutions (persons)",
        "direktiv_mnkr": "Other solutions (SEK m/year)",
        "personalbehov_prognos": "Staff, projected",
        "personalbehov_utfall": "Staff, actual",
        "personalbehov_fel_procent": "Staff, error (%)",
        "avgangar_prognos": "Exits, projected",
        "avgangar_utfall": "Exits, actual",
        "avgangar_fel_procent": "Exits, error (%)",
        "title": "Staff and competence supply plan",
        "≤29": "–29",
        "≥50": "50–",
        "K": "Women",
        "M": "Men",
    },
}


class SafeStyler(Styler):
    """A Styler whose every text is HTML-escaped: cells and labels (whatever formatter a
    section sets later), the axis names and the caption. Names in the data are text, never
    markup (pandas does not escape by default)."""

    def format(self, formatter=None, subset=None, na_rep=None, precision=None, decimal=".", thousands=None, **_):
        return super().format(formatter, subset, na_rep, precision, decimal, thousands, escape="html")

    def format_index(self, formatter=None, axis=0, level=None, na_rep=None, precision=None, **kwargs):
        kwargs["escape"] = "html"
        return super().format_index(formatter, axis, level, na_rep, precision, **kwargs)

    def set_caption(self, caption: str):
        return super().set_caption(escape(str(caption)))


def styled(table: pd.DataFrame, sprak: str, decimals: int = 0, counts=None, *, caption: str) -> Styler:
    """A titled table with the language's number format; text cells (like –) stay as they are,
    every text escaped (SafeStyler).

    Row and column labels that are data keys (age bands, kön, exit reasons) are written as the
    report writes them everywhere. counts: the columns (positions) that hold counts of persons,
    or "alla"; the privacy scanner checks those cells for counts under k."""

    def cell(v):
        if isinstance(v, str):
            return v
        return fmt.number(v, decimals, sprak)

    h = HEADERS[sprak]
    shown = table.rename(index=lambda x: h.get(x, x), columns=lambda c: h.get(str(c), str(c)))
    shown = shown.rename_axis(
        index=[None if n is None else html.escape(str(n)) for n in shown.index.names],
        columns=[None if n is None else html.escape(str(n)) for n in shown.columns.names],
    )
    styler = SafeStyler(shown).format(cell).format_index(axis=0).format_index(axis=1).set_caption(caption)
    if counts is not None:
        spec = counts if counts == "alla" else ",".join(str(i) for i in counts)
        styler = styler.set_table_attributes(f'data-antal="{spec}"')
    return styler


def whole(styler: Styler, sprak: str, columns) -> Styler:
    """Show the given columns (labels as shown) as whole numbers: they count persons."""
    return styler.format(lambda v: v if isinstance(v, str) else fmt.number(v, 0, sprak), subset=list(columns))


def caption(plan: Plan, sv: str, en: str) -> str:
    """A table's title in the report's language."""
    return sv if plan.sprak == "sv" else en


SECTIONS = {
    "sv": {
        "sammanfattning": "Sammanfattning",
        "personalbehov": "Personalbehov",
        "framskrivning": "Framskrivning av personalbehovet",
        "rekrytering": "Rekryteringsbehov och pensionsavgångar",
        "definitioner": "Personalomsättning enligt olika definitioner",
        "avgangar_profil": "Vilka slutar?",
        "retention": "Hur länge stannar medarbetarna?",
        "pensioner": "Beräknade pensionsavgångar",
        "avgangar_orsak": "Avslutade anställningar per orsak",
        "sjuk_trend": "Utveckling och prognos",
        "sjuk_grupper": "Sjukfrånvaro per grupp",
        "sjuk_enheter": "Enheter",
        "sjuk_ar": "Sjukfrånvaro per år",
        "kolada": "Kommunen jämfört med riket",
        "las": "Så läser du rapporten",
        "inledning": "Inledning och syfte",
        "utmaningar": "Förvaltningens utmaningar",
        "uppfoljning": "Uppföljning av planen",
        "befolkning": "Befolkningen under planperioden",
        "scenarier": "Scenarier: andra lösningar",
        "robusthet": "Håller strategierna när antagandena varierar?",
        "kompetens": "Kompetens och chefer",
        "chefer": "Chefer",
        "behorighet": "Behörighet",
        "utbildning": "Lokalt utbildade",
        "aktivitetsplan": "Aktivitetsplan",
        "ekonomi_ram": "Ekonomi och ram",
        "backtest": "Efterhandsprövning",
        "personal_idag": "Personalen idag",
        "utveckling": "Antal anställda över tid",
        "omsattning": "Personalomsättning",
        "sjukfranvaro": "Sjukfrånvaro",
        "ekonomi": "Lönekostnader och hyrpersonal",
        "aktiviteter": "Aktiviteter per strategiområde",
        "om_underlaget": "Om underlaget",
        "antaganden": "Antaganden och deras källor",
        "kanslighet": "Vilket antagande betyder mest",
    },
    "en": {
        "sammanfattning": "Summary",
        "personalbehov": "Staff need",
        "personal_idag": "Staff today",
        "framskrivning": "Projected staff need",
        "rekrytering": "Recruitment need and retirements",
        "definitioner": "Turnover by definition",
        "avgangar_profil": "Who leaves?",
        "retention": "How long do staff stay?",
        "pensioner": "Projected retirements",
        "avgangar_orsak": "Ended employments by reason",
        "sjuk_trend": "Trend and forecast",
        "sjuk_grupper": "Sick leave by group",
        "sjuk_enheter": "Units",
        "sjuk_ar": "Sick leave per year",
        "kolada": "The municipality against Sweden",
        "las": "How to read this report",
        "inledning": "Introduction and purpose",
        "utmaningar": "The department’s challenges",
        "uppfoljning": "How the plan is followed up",
        "befolkning": "The population over the plan period",
        "scenarier": "Scenarios: other solutions",
        "robusthet": "Do the strategies hold up when the assumptions vary?",
        "kompetens": "Competence and managers",
        "chefer": "Managers",
        "behorighet": "Qualifications",
        "utbildning": "Local education",
        "aktivitetsplan": "Activity plan",
        "ekonomi_ram": "Costs and the budget frame",
        "backtest": "Backtest",
        "utveckling": "Employees over time",
        "omsattning": "Turnover",
        "sjukfranvaro": "Sick leave",
        "ekonomi": "Wage and agency-staff costs",
        "aktiviteter": "Activities by strategy area",
        "om_underlaget": "About the data",
        "antaganden": "Assumptions and their sources",
        "kanslighet": "Which assumption matters most",
    },
}


#: The report's main sections in order: the table of contents links to those present.
TOC = (
    "inledning",
    "sammanfattning",
    "utmaningar",
    "personalbehov",
    "rekrytering",
    "omsattning",
    "sjukfranvaro",
    "ekonomi_ram",
    "scenarier",
    "kompetens",
    "aktivitetsplan",
    "uppfoljning",
    "om_underlaget",
)


def present(plan: Plan, section: str) -> bool:
    """Whether a section has anything to show: the board's texts and the Kolada comparison
    are optional, and a missing one leaves no empty heading."""
    from kompetens.io.texts import SECTIONS as TEXTS

    if section in TEXTS:
        return section in plan.texts
    if section == "kolada":
        return bool(plan.key_figures.get("kolada"))
    if section in ("utbildning", "behorighet"):
        return bool(plan.key_figures.get("kompetens", {}).get(section))
    return True


def heading(plan: Plan, section: str, level: int = 2) -> Markdown | None:
    """A section heading in the report's language, with a stable anchor (id = section key);
    None (nothing shown) for an optional section without content."""
    if not present(plan, section):
        return None
    text = SECTIONS[plan.sprak][section]
    if section == "scenarier":
        from kompetens.report.narrative import solutions_name

        name = solutions_name(plan.params["andra_losningar_namn"], plan.sprak)
        text = f"{text.split(':')[0]}: {escape(name)}"
    return Markdown(f'<a id="{section}"></a>\n\n{"#" * level} {text}')


def table_of_contents(plan: Plan) -> Markdown:
    """Links to the report's main sections."""
    title = "Innehåll" if plan.sprak == "sv" else "Contents"
    keys = [key for key in TOC if present(plan, key)]
    links = "\n".join(f"{i}. [{SECTIONS[plan.sprak][key]}](#{key})" for i, key in enumerate(keys, start=1))
    return Markdown(f'<nav class="kompetens-toc">\n\n**{title}**\n\n{links}\n\n</nav>')


def board_text(plan: Plan, section: str, level: int = 2) -> HTML | None:
    """The board's own words for a section (texter/<slug>/<section>.md) as safe HTML (the
    allow-list of kompetens.io.texts; its headings one level below the section's, level),
    or None. Never Markdown: nothing of the text is left for a notebook viewer to render."""
    from kompetens.io.texts import render_text

    text = plan.texts.get(section)
    return HTML(render_text(text, level)) if text else None


def reading_guide(plan: Plan) -> Markdown:
    """Så läser du rapporten: persons, the band and the confidence interval, one sentence each."""
    if plan.sprak == "sv":
        lines = [
            f"**{SECTIONS['sv']['las']}**",
            "",
            "- **Personer** anges i hela tal; beräkningarna görs med decimaler, som finns i Excel-filen.",
            "- **Osäkerhetsintervallet (10:e–90:e percentilen)** är det spann som framskrivningen hamnar inom "
            "i 8 av 10 simuleringar, när avgångarna varierar slumpmässigt.",
            "- **Konfidensintervallet (95 % KI)** anger hur säkert ett beräknat värde är: med den data vi har "
            "ligger det sanna värdet inom intervallet med 95 % säkerhet.",
            f"- **–** betyder att uppgiften gäller färre än {plan.k} personer och döljs.",
        ]
    else:
        lines = [
            f"**{SECTIONS['en']['las']}**",
            "",
            "- **Persons** are shown as whole numbers; the calculations keep decimals, which the Excel file has.",
            "- **The uncertainty band (10th–90th percentile)** is the range the projection falls within in "
            "8 of 10 simulations, when exits vary at random.",
            "- **The confidence interval (95% CI)** shows how certain an estimate is: given the data, the true "
            "value lies within it with 95% confidence.",
            f"- **–** means that the figure concerns fewer than {plan.k} persons and is hidden.",
        ]
    return Markdown('<div class="kompetens-guide">\n\n' + "\n".join(lines) + "\n\n</div>")


#: Pixels per inch of the report's images: a figure 8 inches wide is 880 pixels.
DPI = 110


def as_image(fig: Figure) -> Image:
    """A figure as an embedded PNG, so the HTML report carries it (no pyplot needed), with
    its titles as the image's alt text.

    Drawn once at DPI, layout and pixels in one pass: the same PNG as ``fig.savefig(...,
    dpi=DPI)``, which draws a constrained layout twice (once to place, once to paint)."""
    from kompetens.report.figures import plain_text

    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    with plain_text():  # tick labels are made while drawing: names from data stay plain text
        canvas.draw()
    buf = io.BytesIO()
    imsave(buf, canvas.buffer_rgba(), format="png", dpi=DPI, metadata={"Software": None})
    titles = [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)]
    return Image(data=buf.getvalue(), format="png", alt=". ".join(t for t in titles if t) or None)


def title(plan: Plan) -> Markdown:
    """The title page: the plan, the board or department, the period and the date."""
    h, sv = HEADERS[plan.sprak], plan.sprak == "sv"
    lines = [f"# {h['title']}: {escape(plan.params['titel'])}", ""]
    if plan.params["forvaltning"] and plan.params["forvaltning"] != plan.params["titel"]:
        lines += [f"{'Förvaltning' if sv else 'Department'}: {escape(plan.params['forvaltning'])}", ""]
    lines += [
        f"{'Planperiod' if sv else 'Plan period'}: {fmt.years(plan.basar, plan.slutar)}",
        "",
        f"{'Datum' if sv else 'Date'}: {dt.date.today().isoformat()}",
    ]
    return Markdown('<div class="kompetens-titel">\n\n' + "\n".join(lines) + "\n\n</div>")


def save_key_figures(plan: Plan) -> None:
    """Write the run's key figures as nyckeltal.json in the output folder."""
    write_key_figures(plan.key_figures, plan.utkatalog)


def period_table(plan: Plan, measure: str, sv: str, en: str) -> Styler:
    """A flow of the key figures (persons) per yrkesgrupp and year, with the period's sum
    (the key `<measure>_period`), titled in the report's language."""
    figures, sprak = plan.key_figures, plan.sprak
    table = year_table(figures[measure])
    table[HEADERS[sprak]["summa"]] = pd.Series(figures[f"{measure}_period"], dtype=float)
    return styled(table.rename_axis(columns=HEADERS[sprak]["ar"]), sprak, 0, caption=caption(plan, sv, en))


def year_table(per_group: dict) -> pd.DataFrame:
    """{grupp: {"år": value}} from the key figures as rows grupp, columns years (int)."""
    table = pd.DataFrame.from_dict(per_group, orient="index")
    table.columns = [int(c) for c in table.columns]
    return table.astype(float)


def summary(plan: Plan) -> Markdown:
    figures, sprak = plan.key_figures, plan.sprak
    return Markdown(narrative.summary(figures, sprak))


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PACKAGE_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _dependencies(sv: bool) -> str:
    """The lock file the report's libraries are pinned in, its SHA-256, and whether the
    installed versions are the locked ones."""
    from kompetens.io.fingerprint import LOCK_FILE, environment_drift, sha256

    if not LOCK_FILE.exists():
        return "**Beroenden:** låsfilen saknas" if sv else "**Dependencies:** the lock file is missing"
    drift = environment_drift()
    head = "**Beroenden:**" if sv else "**Dependencies:**"
    name = LOCK_FILE.relative_to(LOCK_FILE.parent.parent).as_posix()
    text = f"{head} `{name}`, SHA-256 `{sha256(LOCK_FILE)}`; "
    if not drift:
        return text + ("installerade versioner enligt låsfilen." if sv else "installed versions as locked.")
    shown = ", ".join(drift[:5]) + (" …" if len(drift) > 5 else "")
    return text + (f"{len(drift)} paket avviker: {shown}" if sv else f"{len(drift)} packages differ: {shown}")


def _plain_markdown(text: str) -> str:
    """text shown as itself in Markdown: &, < and > as HTML entities, Markdown's own
    characters quoted with a backslash."""
    import html
    import re

    return re.sub(r"([\\`*_\[\]()#!|{}~])", r"\\\1", html.escape(text, quote=False))


def provenance(plan: Plan) -> Markdown:
    """Om underlaget: input files with SHA-256, parameters, version, commit, date, privacy rule."""
    try:
        pkg = version("kompetens")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        pkg = "okänd"
    sv = plan.sprak == "sv"
    files = pd.DataFrame(
        [[s["fil"], s["sha256"]] for s in plan.inputs.sources.values()],
        index=list(plan.inputs.sources),
        columns=["Fil" if sv else "File", "SHA-256"],
    ).rename_axis("Tabell" if sv else "Table")
    shown = {k: v for k, v in plan.params.items() if k not in ("data_dir", "utkatalog")}
    # settings with keys of their own (levers, qualification rule) as written in the params file
    params = pd.DataFrame(
        {
            "Värde" if sv else "Value": [
                f"<code>{html.escape(_value(v, plan.sprak))}</code>"
                if isinstance(v, dict)
                else html.escape(_value(v, plan.sprak))
                for v in shown.values()
            ]
        },
        index=pd.Index(list(shown), name="Parameter"),
    )
    k = plan.k

    def html_table(table: pd.DataFrame, title: str, code: bool = False) -> str:
        if code:  # parameter keys as written in a params file; values escaped above
            styler = table.style.set_caption(title)
            return styler.format_index(lambda key: f"<code>{html.escape(str(key))}</code>", axis=0).to_html()
        styler = table.style.set_caption(title).format(escape="html")
        return styler.format_index(escape="html", axis=0).to_html()

    warned = plan.inputs.warnings
    text = [
        html_table(files, "Indatafiler och deras kontrollsummor" if sv else "Input files and their checksums"),
        "",
        *(
            [
                "**Varningar om underlaget** (möjliga men ovanliga värden):"
                if sv
                else "**Warnings about the data** (possible but unusual values):",
                "",
                *(f"- {_plain_markdown(w)}" for w in warned),
                "",
            ]
            if warned
            else []
        ),
        html_table(
            params,
            "Parametrar, med namnen som i params-filen (– = inte angiven)"
            if sv
            else "Parameters, named as in the params file (– = not set)",
            code=True,
        ),
        "",
        f"**Version:** kompetens {pkg}" + (f", commit `{c}`" if (c := _git_commit()) else ""),
        "",
        _dependencies(sv),
        "",
        f"**{'Körning' if sv else 'Run date'}:** {dt.date.today().isoformat()}",
        "",
        (
            f"**Integritet:** uppgifter som avser färre än {k} personer visas som –, och ytterligare celler döljs "
            "så att de inte kan räknas fram ur summor, andra tabeller, andra mått eller nämndens och "
            "förvaltningarnas övriga rapporter. Inga person-id, namn eller födelsedatum visas."
            if sv
            else f"**Privacy:** figures about fewer than {k} persons are shown as –, and further cells are hidden so "
            "that they cannot be derived from totals, other tables, other measures or the board’s other "
            "reports. No person ids, names or birth dates are shown."
        ),
    ]
    return Markdown("\n".join(text))


def _value(value, sprak: str) -> str:
    """A parameter's value as a reader reads it: – for none, lists and mappings as text."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return ("ja" if value else "nej") if sprak == "sv" else ("yes" if value else "no")
    if isinstance(value, float):
        return fmt.number(value, 4, sprak).rstrip("0").rstrip(",.")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v, sprak)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(_value(v, sprak) for v in value)
    return str(value).replace("|", "/")


def excel_tables(plan: Plan) -> Markdown:
    """Write tabeller.xlsx beside the report and link to it."""
    from kompetens.report.excel import FILENAME, write_tables

    write_tables(plan, plan.utkatalog)
    text = (
        "Alla tabeller finns också som Excel-fil, ett blad per avsnitt: "
        if plan.sprak == "sv"
        else "All tables are also in an Excel file, one sheet per section: "
    )
    return Markdown(f"{text}[{FILENAME}]({FILENAME}).")
