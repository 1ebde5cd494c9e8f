"""Privacy in outputs: k-anonymity suppression of small counts.

Any figure that describes fewer than k persons is shown as SUPPRESSED. Primary
suppression hides such cells; secondary suppression then hides one more cell in every
row or column of a table that has exactly one hidden cell, so that the cell cannot be
recovered from the totals.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kompetens.vocabulary import SUPPRESSED


def small(counts, k: int):
    """True where a count describes between 1 and k-1 persons (0 persons is no person)."""
    counts = np.asarray(counts, dtype=float)
    return (counts > 0) & (counts < k)


def suppression_mask(counts: pd.DataFrame, k: int, lines: str = "both") -> pd.DataFrame:
    """Which cells of a table of person counts to hide: primary plus secondary suppression.

    The sums along `lines` ("rows", "columns" or "both") are taken as published (they may
    be cells of the table itself, such as a Totalt row), so every such line must have no
    or at least two hidden cells. The secondary cell is the smallest visible non-zero one.
    """
    values = counts.to_numpy(dtype=float)
    mask = small(values, k)
    views = {"rows": [(mask, values)], "columns": [(mask.T, values.T)]}
    views["both"] = views["rows"] + views["columns"]
    changed = True
    while changed:
        changed = False
        for lines_, cells in views[lines]:
            for i in range(lines_.shape[0]):
                if lines_[i].sum() == 1:
                    visible = np.where(~lines_[i] & (cells[i] > 0), cells[i], np.inf)
                    if np.isfinite(visible.min()):
                        lines_[i, int(np.argmin(visible))] = True
                        changed = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def suppress(table: pd.DataFrame, counts: pd.DataFrame, k: int) -> pd.DataFrame:
    """table (same shape as counts) with the cells counts says to hide shown as SUPPRESSED."""
    mask = suppression_mask(counts, k)
    return table.astype(object).mask(mask.reindex_like(table).fillna(False).astype(bool), SUPPRESSED)


def hide_counts(counts: pd.DataFrame, k: int, lines: str = "both") -> pd.DataFrame:
    """counts as floats with the cells to hide (primary and secondary) set to NaN."""
    return counts.astype(float).mask(suppression_mask(counts, k, lines))


def suppress_series(values: pd.Series, counts: pd.Series, k: int) -> pd.Series:
    """values with entries about fewer than k persons set to NaN (for figures and JSON)."""
    return values.where(~small(counts.reindex(values.index).fillna(0), k))


def hidden_groups(counts: pd.Series, k: int) -> set:
    """Groups whose figures must be hidden because they describe fewer than k persons: the
    small ones, plus the next smallest when only one is small (the total is published)."""
    table = counts.to_frame("antal")
    table.loc["__total__"] = counts.sum()
    mask = suppression_mask(table, k, lines="columns")["antal"]
    return {g for g in counts.index if mask[g]} if not mask["__total__"] else set(counts.index)


#: A Swedish personnummer (ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN): a real date and four
#: digits, not part of a longer number or a decimal.
PERSONNUMMER = re.compile(
    r"(?<![\d.,])(?:(?:19|20)\d{2}|\d{2})(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"(?:[-+]\d{4}|(?<=\d{8})\d{4})(?![\d.,])"
)


def find_personnummer(text: str) -> list[str]:
    """Every personnummer-like string in text."""
    return PERSONNUMMER.findall(text)
