"""Shared parts of the report: labels, headings, table styling, images, the summary and provenance."""

from __future__ import annotations

import datetime as dt
import html
import io
import subprocess
from importlib.metadata import PackageNotFoundError, version

import pandas as pd
from IPython.display import Image, Markdown
from matplotlib.figure import Figure
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


def styled(table: pd.DataFrame, sprak: str, decimals: int = 0, counts=None) -> Styler:
    """A table with the language's number format; text cells (like –) stay as they are,
    every text escaped (SafeStyler).

    counts: the columns (positions) that hold counts of persons, or "alla"; the privacy
    scanner checks those cells for counts under k."""

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
    styler = SafeStyler(shown).format(cell).format_index(axis=0).format_index(axis=1)
    if counts is not None:
        spec = counts if counts == "alla" else ",".join(str(i) for i in counts)
        styler = styler.set_table_attributes(f'data-antal="{spec}"')
    return styler


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
        "scenarier": "Scenarier: andra lösningar",
        "robusthet": "Håller strategierna när antagandena varierar?",
        "kompetens": "Kompetens och chefer",
        "chefer": "Chefer",
        "behorighet": "Behörighet",
        "utbildning": "Lokalt utbildade",
        "aktivitetsplan": "Aktivitetsplan",
        "ekonomi_ram": "Avvikelse mellan personalframskrivning och ram",
        "backtest": "Efterhandsprövning",
        "personal_idag": "Personalen idag",
        "utveckling": "Antal anställda över tid",
        "omsattning": "Personalomsättning och pensionsavgångar",
        "sjukfranvaro": "Sjukfrånvaro",
        "ekonomi": "Lönekostnader och hyrpersonal",
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
        "scenarier": "Scenarios: other solutions",
        "robusthet": "Do the strategies hold up when the assumptions vary?",
        "kompetens": "Competence and managers",
        "chefer": "Managers",
        "behorighet": "Qualifications",
        "utbildning": "Local education",
        "aktivitetsplan": "Activity plan",
        "ekonomi_ram": "Staff increase against the budget frame",
        "backtest": "Backtest",
        "utveckling": "Employees over time",
        "omsattning": "Turnover and retirements",
        "sjukfranvaro": "Sick leave",
        "ekonomi": "Wage and agency-staff costs",
        "om_underlaget": "About the data",
        "antaganden": "Assumptions and their sources",
        "kanslighet": "Which assumption matters most",
    },
}


#: The report's main sections in order: the table of contents links to them.
TOC = (
    "sammanfattning",
    "personalbehov",
    "rekrytering",
    "omsattning",
    "sjukfranvaro",
    "ekonomi_ram",
    "scenarier",
    "kompetens",
    "aktivitetsplan",
    "om_underlaget",
)


def heading(plan: Plan, section: str, level: int = 2) -> Markdown:
    """A section heading in the report's language, with a stable anchor (id = section key)."""
    return Markdown(f'<a id="{section}"></a>\n\n{"#" * level} {SECTIONS[plan.sprak][section]}')


def table_of_contents(plan: Plan) -> Markdown:
    """Links to the report's main sections."""
    title = "Innehåll" if plan.sprak == "sv" else "Contents"
    links = "\n".join(f"{i}. [{SECTIONS[plan.sprak][key]}](#{key})" for i, key in enumerate(TOC, start=1))
    return Markdown(f"**{title}**\n\n{links}")


def as_image(fig: Figure) -> Image:
    """A figure as an embedded PNG, so the HTML report carries it (no pyplot needed), with
    its titles as the image's alt text."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    titles = [fig.get_suptitle(), *(ax.get_title() for ax in fig.axes)]
    return Image(data=buf.getvalue(), format="png", alt=". ".join(t for t in titles if t) or None)


def title(plan: Plan) -> Markdown:
    h = HEADERS[plan.sprak]
    return Markdown(f"# {h['title']}: {escape(plan.params['titel'])}\n\n{fmt.years(plan.basar, plan.slutar)}")


def save_key_figures(plan: Plan) -> None:
    """Write the run's key figures as nyckeltal.json in the output folder."""
    write_key_figures(plan.key_figures, plan.utkatalog)


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


def provenance(plan: Plan) -> Markdown:
    """Om underlaget: input files with SHA-256, parameters, version, commit, date, privacy rule."""
    try:
        pkg = version("kompetens")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        pkg = "okänd"
    sv = plan.sprak == "sv"
    lines = ["| Tabell | Fil | SHA-256 |" if sv else "| Table | File | SHA-256 |", "|---|---|---|"]
    lines += [f"| {t} | {escape(s['fil'])} | `{s['sha256']}` |" for t, s in plan.inputs.sources.items()]
    shown = {k: v for k, v in plan.params.items() if k not in ("data_dir", "utkatalog")}
    params = ", ".join(f"`{k}` = {escape(repr(v))}" for k, v in shown.items())
    k = plan.k
    text = [
        "\n".join(lines),
        "",
        (f"**Parametrar:** {params}" if sv else f"**Parameters:** {params}"),
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
            "that they cannot be derived from totals, other tables, other measures or the board's other "
            "reports. No person ids, names or birth dates are shown."
        ),
    ]
    return Markdown("\n".join(text))


def excel_tables(plan: Plan) -> Markdown:
    """Write tabeller.xlsx beside the report and link to it."""
    from kompetens.report.excel import FILENAME, write_tables

    write_tables(plan, plan.key_figures, plan.utkatalog)
    text = (
        "Alla tabeller finns också som Excel-fil, ett blad per avsnitt: "
        if plan.sprak == "sv"
        else "All tables are also in an Excel file, one sheet per section: "
    )
    return Markdown(f"{text}[{FILENAME}]({FILENAME}).")
