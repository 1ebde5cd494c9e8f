"""Number formats of the report: Swedish by default (1 393, 13,8 %, 37,8 mnkr)."""

from __future__ import annotations

import math
import re

THIN_SPACE = "\u202f"  # narrow no-break space, the thousands separator in Swedish text
EN_DASH = "–"


def number(x: float, decimals: int = 0, sprak: str = "sv") -> str:
    """A number with thousands separator and the language's decimal mark; – when there is
    none (missing, or an error in percent of zero)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return EN_DASH
    text = f"{x:,.{decimals}f}"
    if sprak == "sv":
        text = text.replace(",", THIN_SPACE).replace(".", ",").replace("-", "−")
    return text


def percent(share: float, decimals: int = 1, sprak: str = "sv") -> str:
    """A share (0.138) as a percentage ("13,8 %" in Swedish, "13.8%" in English)."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return EN_DASH
    sep = "\u00a0" if sprak == "sv" else ""
    return f"{number(100 * share, decimals, sprak)}{sep}%"


def mnkr(kronor: float, decimals: int = 1, sprak: str = "sv") -> str:
    """Kronor as millions: "37,8 mnkr" / "SEK 37.8 million"."""
    if sprak == "sv":
        return f"{number(kronor / 1e6, decimals, sprak)}\u00a0mnkr"
    return f"SEK {number(kronor / 1e6, decimals, sprak)} million"


def years(first: int, last: int) -> str:
    """A span of years with an en dash: 2020–2027."""
    return f"{first}{EN_DASH}{last}"


MONTHS = {
    "sv": [
        "januari",
        "februari",
        "mars",
        "april",
        "maj",
        "juni",
        "juli",
        "augusti",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def month_span(first: str, last: str, sprak: str = "sv") -> str:
    """Two months (YYYY-MM) as words: "januari–december 2025", "juli 2024–juni 2025"."""
    (y0, m0), (y1, m1) = (map(int, first.split("-")), map(int, last.split("-")))
    names = MONTHS[sprak]
    if y0 == y1:
        return f"{names[m0 - 1]}{EN_DASH}{names[m1 - 1]} {y1}"
    return f"{names[m0 - 1]} {y0}{EN_DASH}{names[m1 - 1]} {y1}"


def interval(lo: float, hi: float, decimals: int = 1, sprak: str = "sv", scale: float = 1.0, unit: str = "") -> str:
    """A confidence interval: "0,2–0,6", or "−0,35 till 0,04" when a bound is negative."""
    a, b = number(scale * lo, decimals, sprak) + unit, number(scale * hi, decimals, sprak) + unit
    if lo < 0 or hi < 0:
        return f"{a} {'till' if sprak == 'sv' else 'to'} {b}"
    return f"{a}{EN_DASH}{b}"


_ESCAPES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'[]`*_|$\\#~:@"}


def escape(text) -> str:
    """Text from data or params as it must appear in HTML and Markdown: the HTML characters,
    the Markdown ones that make links, code, emphasis, tables or maths, and what would make
    an address a link (: @ www.) written as character references; line breaks as spaces."""
    out = " ".join(str(text).split()).translate(_ESCAPES)
    return re.sub(r"(?i)(www)\.", r"\1&#46;", out)
