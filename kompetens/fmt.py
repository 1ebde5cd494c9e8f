"""Number formats of the report: Swedish by default (1 393, 13,8 %, 37,8 mnkr)."""

from __future__ import annotations

import math

THIN_SPACE = "\u202f"  # narrow no-break space, the thousands separator in Swedish text
EN_DASH = "–"


def number(x: float, decimals: int = 0, sprak: str = "sv") -> str:
    """A number with thousands separator and the language's decimal mark."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
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
