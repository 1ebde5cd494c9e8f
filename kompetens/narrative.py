"""Generated text: Jinja2 templates filled only with values from the key figures."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from kompetens import fmt

TEMPLATES = Path(__file__).parent / "templates"
#: A relative change smaller than this (0.05 %) is described as unchanged.
UNCHANGED = 0.0005


@lru_cache(maxsize=None)
def _environment(sprak: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES / sprak),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False)
    env.filters["tal"] = lambda x, d=0: fmt.number(x, d, sprak)
    env.filters["procent"] = lambda x, d=1: fmt.percent(abs(x), d, sprak)
    env.filters["mnkr"] = lambda x, d=1: fmt.mnkr(x, d, sprak)
    env.globals["ar_span"] = fmt.years
    env.globals["riktning"] = lambda change, words: direction(change, words)
    return env


def direction(change: float, words: tuple[str, str, str]) -> str:
    """Pick the word for an increase, a decrease or no change: words = (up, down, same)."""
    if abs(change) < UNCHANGED:
        return words[2]
    return words[0] if change > 0 else words[1]


def render(template: str, sprak: str, **values) -> str:
    return _environment(sprak).get_template(template).render(**values).strip() + "\n"


def _largest(counts: dict) -> tuple[str, float] | None:
    groups = {g: n for g, n in counts.items() if g != "Totalt" and n is not None}
    if not groups:
        return None
    name = max(sorted(groups), key=lambda g: groups[g])
    return name, groups[name]


def summary_values(figures: dict) -> dict:
    """The values the summary states, each taken from the key figures."""
    basar = figures["basar"]
    history = figures["antal_anstallda"]["Totalt"]
    years = sorted(int(y) for y, n in history.items() if n is not None)
    sick = {int(y): v for y, v in figures["sjukfranvaro"].items() if v is not None}
    values = {
        "titel": figures["titel"], "basar": basar, "slutar": figures["slutar"],
        "antal": figures["antal_basar"]["Totalt"],
        "arsarbetare": figures["arsarbetare_basar"]["Totalt"],
        "sysselsattningsgrad": figures["sysselsattningsgrad_basar"]["Totalt"],
        "medelalder": figures["medelalder_basar"]["Totalt"],
        "andel_60_plus": figures["andel_60_plus_basar"]["Totalt"],
        "antal_grupper": len(figures["grupper"]),
        "storsta": _largest(figures["antal_basar"]),
        "forsta_ar": years[0] if years else None,
        "personal_forandring": (history[str(basar)] / history[str(years[0])] - 1)
        if years and years[0] < basar and history.get(str(basar)) else None,
        "befolkning": figures["befolkning_forandring"]["Totalt"],
        "befolkning_80": figures["befolkning_forandring"]["80+"],
        "sjuk_sista": (max(sick), sick[max(sick)]) if sick else None,
        "sjuk_forsta": (min(sick), sick[min(sick)]) if len(sick) > 1 else None,
    }
    return values


def summary(figures: dict, sprak: str = "sv") -> str:
    """The Sammanfattning as Markdown, in the report's language."""
    return render("sammanfattning.md.j2", sprak, **summary_values(figures))
