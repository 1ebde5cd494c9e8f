"""Privacy in outputs: k-anonymity suppression of small counts.

Any figure that describes fewer than k persons is hidden (shown as SUPPRESSED). Primary
suppression hides such cells; complementary suppression then hides further cells so that no
hidden cell can be recovered from a published sum: every line of cells that sums to a
published total ends with no hidden cell, or with at least two hidden cells that describe at
least k persons together (so neither the cells nor their joint mean or share reveal a group
smaller than k). `protect` does this for tables of any number of dimensions, which is how a
board's reports are protected together (see `kompetens.privacy.disclosure`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kompetens.vocabulary import SUPPRESSED


def small(counts, k: int):
    """True where a count describes between 1 and k-1 persons (0 persons is no person)."""
    counts = np.asarray(counts, dtype=float)
    return (counts > 0) & (counts < k)


def _line_safe(hidden: np.ndarray, values: np.ndarray, k: int) -> bool:
    """A line (cells then their total, last) reveals no hidden cell: none hidden, or at least
    two hidden and, when the total is published, the hidden cells hold at least k persons."""
    n = hidden.sum()
    if n == 0:
        return True
    if n < 2:
        return False
    return bool(hidden[-1]) or values[:-1][hidden[:-1]].sum() >= k


def protect(counts, k: int, margins: Sequence[bool] | None = None, hidden: np.ndarray | None = None) -> np.ndarray:
    """Which cells of an N-dimensional table of person counts to hide (True).

    Along every axis whose entry in `margins` is True (default: all), the last index holds
    the sum of the others, as published. Cells of 1..k-1 persons (and those already in
    `hidden`) are hidden first; then, until every line along those axes is safe (see
    `_line_safe`), the smallest visible non-zero cell of an unsafe line is hidden too.
    """
    values = np.asarray(counts, dtype=float)
    mask = small(values, k)
    if hidden is not None:
        mask |= np.asarray(hidden, dtype=bool)
    margins = [True] * values.ndim if margins is None else list(margins)
    changed = True
    while changed:
        changed = False
        for axis, has_margin in enumerate(margins):
            if not has_margin:
                continue
            lines, cells = np.moveaxis(mask, axis, -1), np.moveaxis(values, axis, -1)  # views
            for idx in np.ndindex(lines.shape[:-1]):
                line, vals = lines[idx], cells[idx]
                while not _line_safe(line, vals, k):
                    candidates = np.where(~line & (vals > 0), vals, np.inf)
                    if not np.isfinite(candidates.min()):
                        break
                    line[int(np.argmin(candidates))] = True
                    changed = True
    return mask


def suppression_mask(counts: pd.DataFrame, k: int, lines: str = "both") -> pd.DataFrame:
    """Which cells of a table of person counts to hide: primary plus complementary.

    The table's last row and/or column is its published total (a Totalt row or column):
    `lines` says which sums are published: "rows" (each row sums into its last column),
    "columns" (each column into its last row) or "both".
    """
    margins = {"rows": (False, True), "columns": (True, False), "both": (True, True)}[lines]
    mask = protect(counts.to_numpy(dtype=float), k, margins)
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
    """Groups whose figures must be hidden when their total is published: those under k
    persons, plus enough further groups (smallest first) that the hidden ones hold at least
    k persons together; every group when the total itself is under k."""
    mask = protect(np.append(counts.to_numpy(dtype=float), counts.sum()), k)
    return set(counts.index) if mask[-1] else {g for g, m in zip(counts.index, mask[:-1]) if m}


#: A Swedish personnummer (ÅÅÅÅMMDD-NNNN, ÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN): a real date and four
#: digits, not part of a longer number or a decimal.
PERSONNUMMER = re.compile(
    r"(?<![\d.,])(?:(?:19|20)\d{2}|\d{2})(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"(?:[-+]\d{4}|(?<=\d{8})\d{4})(?![\d.,])"
)


def find_personnummer(text: str) -> list[str]:
    """Every personnummer-like string in text."""
    return PERSONNUMMER.findall(text)
