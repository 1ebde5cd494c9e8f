"""Privacy in outputs: k-anonymity suppression of small counts.

Any figure that describes fewer than k persons is shown as SUPPRESSED. Primary
suppression hides such cells; secondary suppression then hides one more cell in every
row or column of a table that has exactly one hidden cell, so that the cell cannot be
recovered from the totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SUPPRESSED = "–"


def small(counts, k: int):
    """True where a count describes between 1 and k-1 persons (0 persons is no person)."""
    counts = np.asarray(counts, dtype=float)
    return (counts > 0) & (counts < k)


def suppression_mask(counts: pd.DataFrame, k: int) -> pd.DataFrame:
    """Which cells of a table of person counts to hide: primary plus secondary suppression.

    `counts` holds the inner cells only (no totals); the totals of its rows and columns
    are assumed published, so every row and column must have zero or at least two hidden
    cells. The secondary cell is the smallest visible non-zero one of the line.
    """
    values = counts.to_numpy(dtype=float)
    mask = small(values, k)
    changed = True
    while changed:
        changed = False
        for lines, cells in ((mask, values), (mask.T, values.T)):
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1:
                    visible = np.where(~lines[i] & (cells[i] > 0), cells[i], np.inf)
                    if np.isfinite(visible.min()):
                        lines[i, int(np.argmin(visible))] = True
                        changed = True
    return pd.DataFrame(mask, index=counts.index, columns=counts.columns)


def suppress(table: pd.DataFrame, counts: pd.DataFrame, k: int) -> pd.DataFrame:
    """table (same shape as counts) with the cells counts says to hide shown as SUPPRESSED."""
    mask = suppression_mask(counts, k)
    return table.astype(object).mask(mask.reindex_like(table).fillna(False).astype(bool), SUPPRESSED)


def suppress_series(values: pd.Series, counts: pd.Series, k: int) -> pd.Series:
    """values with entries about fewer than k persons set to NaN (for figures and JSON)."""
    return values.where(~small(counts.reindex(values.index).fillna(0), k))
