"""Generated text: Jinja2 templates filled only with values from the key figures.

Each section names its strongest signal, chosen by a fixed rule:

- turnover: the age band whose turnover in the base year is highest relative to the whole
  staff's, when it is at least STANDS_OUT (1.5) times as high; otherwise that turnover is
  much the same across ages;
- recruitment: the yrkesgrupp (at least k staff) whose recruitment need over the period is
  largest relative to its staff in the base year.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from kompetens.report import formats as fmt
from kompetens.vocabulary import TOTAL

TEMPLATES = Path(__file__).parent / "templates"
#: A relative change smaller than this (0.05 %) is described as unchanged.
UNCHANGED = 0.0005
#: An age band's turnover "stands out" when it is at least this many times the total's.
STANDS_OUT = 1.5
#: Age bands as the text writes them.
AGE_WORDS = {
    "sv": {"≤29": "29 år eller yngre", "30–49": "30–49 år", "≥50": "50 år eller äldre"},
    "en": {"≤29": "aged 29 or younger", "30–49": "aged 30–49", "≥50": "aged 50 or older"},
}


@cache
def _environment(sprak: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / sprak),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["tal"] = lambda x, d=0: fmt.number(x, d, sprak)
    env.filters["procent"] = lambda x, d=1: fmt.percent(abs(x), d, sprak)
    env.filters["mnkr"] = lambda x, d=1: fmt.mnkr(x, d, sprak)
    env.globals["ar_span"] = fmt.years
    env.globals["riktning"] = lambda change, words: direction(change, words)
    env.globals["andel_ord"] = lambda share: share_words(share, sprak)
    env.globals["alder_ord"] = lambda band: AGE_WORDS[sprak].get(band, band)
    env.filters["pp"] = lambda x: fmt.number(abs(x), 2, sprak)
    env.filters["pp_signed"] = lambda x: fmt.number(x, 2, sprak)
    env.globals["ki"] = lambda lo, hi, d=1, scale=1.0: fmt.interval(lo, hi, d, sprak, scale)
    env.globals["manader"] = lambda first, last: fmt.month_span(first, last, sprak)
    return env


def share_words(share: float, sprak: str = "sv") -> str:
    """A share in words, as the plans write it: "nästan hälften", "drygt hälften" …"""
    words = {"sv": ("nästan hälften", "drygt hälften"), "en": ("almost half", "just over half")}
    near, over = words[sprak]
    if 0.40 <= share < 0.50:
        return near
    if 0.50 <= share < 0.60:
        return over
    return ""


def direction(change: float, words: tuple[str, str, str]) -> str:
    """Pick the word for an increase, a decrease or no change: words = (up, down, same)."""
    if abs(change) < UNCHANGED:
        return words[2]
    return words[0] if change > 0 else words[1]


def render(template: str, sprak: str, **values) -> str:
    """The template's Markdown; every text among the values (names from the data or the
    params) is escaped first, so a name is shown as written and never becomes markup."""
    return _environment(sprak).get_template(template).render(**_escaped(values)).strip() + "\n"


def _escaped(value):
    if isinstance(value, str):
        return fmt.escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_escaped(v) for v in value)
    return value


def _largest(counts: dict) -> tuple[str, float] | None:
    groups = {g: n for g, n in counts.items() if g != TOTAL and n is not None}
    if not groups:
        return None
    name = max(sorted(groups), key=lambda g: groups[g])
    return name, groups[name]


def summary_values(figures: dict) -> dict:
    """The values the summary states, each taken from the key figures."""
    basar = figures["basar"]
    history = figures["antal_anstallda"][TOTAL]
    years = sorted(int(y) for y, n in history.items() if n is not None)
    sick = {int(y): v for y, v in figures["sjukfranvaro"].items() if v is not None}
    values = {
        "titel": figures["titel"],
        "basar": basar,
        "slutar": figures["slutar"],
        "antal": figures["antal_basar"][TOTAL],
        "arsarbetare": figures["arsarbetare_basar"][TOTAL],
        "sysselsattningsgrad": figures["sysselsattningsgrad_basar"][TOTAL],
        "medelalder": figures["medelalder_basar"][TOTAL],
        "andel_60_plus": figures["andel_60_plus_basar"][TOTAL],
        "antal_grupper": len(figures["grupper"]),
        "storsta": _largest(figures["antal_basar"]),
        "forsta_ar": years[0] if years else None,
        "personal_forandring": (history[str(basar)] / history[str(years[0])] - 1)
        if years and years[0] < basar and history.get(str(basar))
        else None,
        "befolkning": figures["befolkning_forandring"][TOTAL],
        "befolkning_80": figures["befolkning_forandring"]["80+"],
        "sjuk_sista": (max(sick), sick[max(sick)]) if sick else None,
        "sjuk_forsta": (min(sick), sick[min(sick)]) if len(sick) > 1 else None,
        "extern": figures.get("personalbehov_extern", False),
    }
    values.update(_projection_values(figures))
    values["relativt_storst"] = relative_recruitment(figures)
    return values


def relative_recruitment(figures: dict) -> tuple[str, float, float] | None:
    """(yrkesgrupp, recruitment need over the period, as a share of its staff in the base
    year) of the group with the largest such share, among groups of at least k staff."""
    staff, need, k = figures["antal_basar"], figures["rekryteringsbehov_period"], figures["k_anonymitet"]
    shares = {
        g: need[g] / staff[g]
        for g in staff
        if g != TOTAL and staff[g] is not None and staff[g] >= k and need.get(g) is not None
    }
    if not shares:
        return None
    group = max(sorted(shares), key=shares.get)
    return group, need[group], shares[group]


def turnover_signal(figures: dict) -> tuple[str, float, float] | None:
    """(age band, its turnover, the total's) in the base year when the band's turnover is the
    highest relative to the total and at least STANDS_OUT times it; None otherwise."""
    rates = figures.get("personalomsattning_aldersband") or {}
    total = rates.get(TOTAL)
    bands = {b: r for b, r in rates.items() if b != TOTAL and r is not None}
    if not bands or not total:
        return None
    band = max(bands, key=bands.get)
    return (band, bands[band], total) if bands[band] >= STANDS_OUT * total else None


def _projection_values(figures: dict) -> dict:
    change = figures["forandring_procent"]
    recruit = figures["rekryteringsbehov"][TOTAL]
    first = min((int(y) for y, v in recruit.items() if v is not None), default=None)
    slutar = str(figures["slutar"])
    band = None
    if "rekryteringsbehov_p10" in figures and recruit.get(slutar) is not None:
        band = (
            recruit[slutar],
            figures["rekryteringsbehov_p10"][TOTAL][slutar],
            figures["rekryteringsbehov_p90"][TOTAL][slutar],
        )
    pension = figures.get("pensionsavgangar_period")
    return {
        "behov_forandring": _share(change["personalbehov"][TOTAL]),
        "rekrytering_forandring": _share(change["rekryteringsbehov"][TOTAL]),
        "rekrytering_forsta_ar": first,
        "rekrytering_period": figures["rekryteringsbehov_period"][TOTAL],
        "pension_period": pension[TOTAL] if pension else None,
        "band": band,
    }


def _share(percent):
    """A percentage from the key figures (13.8) as the share the templates format (0.138)."""
    return None if percent is None else percent / 100


def economics_values(figures: dict) -> dict:
    """The values of the economics paragraph, each taken from the key figures."""
    increase = figures["personalokning"]
    cost = figures["kostnad_personalokning_mnkr"]
    groups = [g for g in increase if g != TOTAL and increase[g] is not None and increase[g] > 0]
    largest = max(sorted(groups), key=lambda g: increase[g]) if groups else None
    ram = figures.get("ram", {})
    return {
        "extern": figures.get("personalbehov_extern", False),
        "basar": figures["basar"],
        "slutar": figures["slutar"],
        "okning": increase[TOTAL],
        "kostnad": None if cost[TOTAL] is None else cost[TOTAL] * 1e6,
        "storst": (largest, increase[largest], cost[largest] * 1e6) if largest and cost[largest] is not None else None,
        "ram_mnkr": figures.get("ram_mnkr"),
        "ram_gap_mnkr": ram.get("mnkr"),
        "ram_personer": figures.get("ram_personer"),
        "ram_gap_personer": ram.get("personer"),
        "andel": figures["direktiv"]["andel"],
        "direktiv_personer": figures["direktiv"]["personer"][TOTAL],
        "direktiv_kostnad": None
        if figures["direktiv"]["mnkr"][TOTAL] is None
        else figures["direktiv"]["mnkr"][TOTAL] * 1e6,
        "budget": figures.get("budgetperiod"),
    }


def solutions_name(name: str | None, sprak: str) -> str:
    """The board's name for "andra lösningar" (params andra_losningar_namn), or the plain words."""
    if name is None or name == "andra lösningar":
        return "andra lösningar" if sprak == "sv" else "other solutions"
    return name


def economics(figures: dict, sprak: str = "sv", namn: str | None = None) -> str:
    """The paragraph on the staff increase, its cost, the frame and the directive; namn: the
    board's name for other solutions."""
    return render("ekonomi.md.j2", sprak, namn=solutions_name(namn, sprak), **economics_values(figures))


def summary(figures: dict, sprak: str = "sv") -> str:
    """The Sammanfattning as Markdown, in the report's language."""
    return render("sammanfattning.md.j2", sprak, **summary_values(figures))


def turnover_values(figures: dict) -> dict:
    """The values of the turnover paragraph, each taken from the key figures."""
    rate = {int(y): v for y, v in figures["personalomsattning"].items() if v is not None}
    bands = {b: v for b, v in figures["avgangar_aldersband_andel"].items() if v is not None}
    window = figures["avgangar_period"]
    pension = figures.get("pensionsavgangar")
    pension_period = figures.get("pensionsavgangar_period")
    largest = None
    if pension_period:
        groups = {g: v for g, v in pension_period.items() if g != TOTAL and v is not None}
        if groups:
            name = max(sorted(groups), key=groups.get)
            largest = (name, groups[name])
    median = figures["retention"].get(TOTAL, {})
    k = figures["k_anonymitet"]
    if largest and largest[1] < k:
        largest = None
    return {
        "inklusive_intern": figures["forvaltning"] is not None,
        "bara_tillsvidare": figures.get("personalomsattning_avser", "tillsvidareanställda") == "tillsvidareanställda",
        "omsattning_sista": (max(rate), rate[max(rate)]) if rate else None,
        "omsattning_forsta": (min(rate), rate[min(rate)]) if len(rate) > 1 else None,
        "storsta_aldersband": max(bands.items(), key=lambda kv: kv[1]) if bands else None,
        "signal": turnover_signal(figures),
        "signal_jamn": bool(figures.get("personalomsattning_aldersband")) and turnover_signal(figures) is None,
        "basar": figures["basar"],
        "forsta_ar": window[0],
        "sista_ar": window[1],
        "under_3": figures["avgangar_anstallningstid"]["under_3_ar"],
        "under_1": figures["avgangar_anstallningstid"]["under_1_ar"],
        "median": (median["median_ar"], median["median_ki_lag"], median["median_ki_hog"])
        if median.get("median_ar") is not None and median.get("median_ki_hog") is not None
        else None,
        "pension_period": pension_period[TOTAL]
        if pension_period and pension_period.get(TOTAL) is not None and pension_period[TOTAL] >= k
        else None,
        "pension_forsta_ar": min(int(y) for y in pension[TOTAL]) if pension else None,
        "pension_storst": largest,
        "slutar": figures["slutar"],
    }


def turnover(figures: dict, sprak: str = "sv") -> str:
    """The paragraph on turnover, leavers' age and tenure, retention and retirements."""
    return render("omsattning.md.j2", sprak, **turnover_values(figures))


def absence_values(figures: dict) -> dict:
    """The values of the sick-leave paragraph, each taken from the key figures."""
    last = figures["sjukfranvaro_12_manader"]
    trend = figures.get("sjukfranvaro_trend")
    young = trend["aldersband"].get("≤29") if trend else None
    sens = trend["kanslighet"] if trend and trend["kanslighet"]["pp_per_ar"] is not None else None
    return {
        "andel": last["andel"],
        "andel_lang": last.get("andel_lang"),
        "period": figures["sjukfranvaro_period"],
        "trend": trend,
        "unga": young,
        "unga_signifikant": bool(young and (young["ki_lag"] > 0 or young["ki_hog"] < 0)),
        "kanslighet": sens,
        "kanslighet_inom": bool(sens and trend["ki_lag"] <= sens["pp_per_ar"] <= trend["ki_hog"]),
        "prognos": figures.get("sjukfranvaro_prognos"),
        "antal_flaggade": len(figures["sjukfranvaro_flaggade"] or []),
        "grans": figures["sjukfranvaro_grans"],
    }


def absence(figures: dict, sprak: str = "sv") -> str:
    """The paragraph on sick leave: level, trend, young staff, sensitivity, forecast, flags."""
    return render("sjukfranvaro.md.j2", sprak, **absence_values(figures))


def scenario_values(figures: dict) -> dict:
    sc = figures.get("scenarier") or {}
    steps = sc.get("vattenfall") or []
    return {
        "har_spakar": bool(steps),
        "basar": figures["basar"],
        "slutar": figures["slutar"],
        "forsta_ar": figures["basar"] + 1,
        "baslinje": (sc.get("baslinje") or {}).get("rekryteringsbehov_period"),
        "scenario": (sc.get("tillsammans") or {}).get("rekryteringsbehov_period"),
        "steg": [(s["namn"], s["rekryteringsbehov"]) for s in steps],
        "minskning": sc.get("minskning_personer"),
        "direktiv": sc.get("direktiv_personer"),
        "andel": figures["direktiv"]["andel"],
        "tackt": sc.get("direktiv_tackt"),
    }


def scenarios(figures: dict, sprak: str = "sv", namn: str | None = None) -> str:
    """The paragraph on the levers: how far they lower the recruitment need and whether they
    cover the directive's share of the staff increase."""
    return render("scenarier.md.j2", sprak, namn=solutions_name(namn, sprak), **scenario_values(figures))


def competence_values(figures: dict) -> dict:
    """The values of the competence paragraph, each taken from the key figures."""
    c = figures.get("kompetens", {})
    chefer = c.get("chefer")
    education = c.get("utbildning") or []
    first = education[0] if education else None
    q, path = c.get("behorighet"), c.get("behorighet_framskrivning")
    qualification = None
    if path and q and q.get(path["grupp"], {}).get("obehoriga") is not None:
        row = q[path["grupp"]]
        qualification = {"grupp": path["grupp"], "obehoriga": row["obehoriga"], "antal": row["antal"]}
    plan = c.get("aktivitetsplan")
    return {
        "chefer": chefer["per_chef"][TOTAL] if chefer else None,
        "over": len(chefer["over_grans"]) if chefer else 0,
        "grans": chefer["grans"] if chefer else None,
        "utbildning": {
            "grupp": first["yrkesgrupp"],
            "utbildade": first["utbildade"],
            "tackning": first["tackning"],
            "ar": first["ar"],
        }
        if first
        else None,
        "behorighet": qualification,
        "framskrivning": {
            "ar": max(path["obehoriga"], key=int),
            "kvar": path["obehoriga"][max(path["obehoriga"], key=int)],
        }
        if qualification
        else None,
        "hyr": c.get("hyrpersonal"),
        "aktiviteter": plan["per_omrade"][TOTAL]["planerad"]
        + plan["per_omrade"][TOTAL]["pågår"]
        + plan["per_omrade"][TOTAL]["försenad"]
        + plan["per_omrade"][TOTAL]["klar"]
        if plan
        else None,
        "forsenade": plan["per_omrade"][TOTAL]["försenad"] if plan else None,
    }


def competence(figures: dict, sprak: str = "sv") -> str:
    """The paragraph on managers, education supply, qualifications, agency staff and activities."""
    return render("kompetens.md.j2", sprak, **competence_values(figures))
