"""Shared constants and vocabulary: one definition of each, used by every layer.

Swedish names for data (labels, bands), English for code. Importing this module costs
nothing: it needs only NumPy.
"""

from __future__ import annotations

import numpy as np

#: The label of a table's total row or column, in the data and in Swedish reports.
TOTAL = "Totalt"
#: Days per year when a duration in days is turned into years (tenure, retention).
DAYS_PER_YEAR = 365.25
#: What a suppressed (hidden) figure shows in tables and text.
SUPPRESSED = "–"

#: Age bands of turnover, exits and sick leave, as SKR reports them: label, first age, last age.
ALDERSBAND = (("≤29", 0, 29), ("30–49", 30, 49), ("≥50", 50, 200))
ALDERSBAND_NAMN = tuple(band[0] for band in ALDERSBAND)
#: Age bands of the staff tables, as the plans show them.
PERSONAL_ALDERSBAND = (("–29", 0, 29), ("30–39", 30, 39), ("40–49", 40, 49), ("50–59", 50, 59), ("60–", 60, 200))
#: Age bands of the manager statistics.
CHEF_ALDERSBAND = (("–39", 0, 39), ("40–49", 40, 49), ("50–59", 50, 59), ("60–", 60, 200))
#: Tenure bands (years of employment): label, from (inclusive), to (exclusive).
ANSTALLNINGSTID = (("<1", 0, 1), ("1–3", 1, 3), ("3–10", 3, 10), ("10+", 10, 200))


def age_band_index(age) -> np.ndarray:
    """Index into ALDERSBAND of each age (years): 0 for ≤29, 1 for 30–49, 2 for ≥50."""
    age = np.asarray(age)
    return np.select([age <= 29, age <= 49], [0, 1], 2)


def tenure_band_index(years) -> np.ndarray:
    """Index into ANSTALLNINGSTID of each tenure in years."""
    years = np.asarray(years, dtype=float)
    return np.select([years < 1, years < 3, years < 10], [0, 1, 2], 3)
