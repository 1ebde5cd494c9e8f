"""Personalomsättning measured as Kolada, Arbetsgivarverket and Nyckeltalsinstitutet define it.

Each definition is a ratio of leavers to a headcount base for a calendar year (or month):

- `kolada` (N00216): permanent (tillsvidare) employees who left during the year / permanent
  headcount in the year's snapshot; all staff, labelled so, when `anstallningsform` is missing.
- `arbetsgivarverket`: leavers / the mean of the headcount at the start of the year (the
  previous snapshot) and at its end (the year's snapshot).
- `nyckeltalsinstitutet`: min(starters, leavers) / headcount in the year's snapshot, where
  starters are employments that began during the year.

Variants: `extern` leaves out internal moves (orsak intern_rorlighet), as a board counts
them; `pension` False leaves out retirements. A monthly rate divides each month's leavers
by the same base.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetens.privacy.suppression import hide_counts
from kompetens.vocabulary import ALDERSBAND, ANSTALLNINGSTID, DAYS_PER_YEAR, TOTAL, age_band_index, tenure_band_index

DEFINITIONS = ("kolada", "arbetsgivarverket", "nyckeltalsinstitutet")


def _leavers(avgangar: pd.DataFrame, extern: bool, pension: bool) -> pd.DataFrame:
    keep = pd.Series(True, index=avgangar.index)
    if extern:
        keep &= avgangar["orsak"] != "intern_rorlighet"
    if not pension:
        keep &= avgangar["orsak"] != "pension"
    return avgangar[keep]


#: What a turnover's staff (leavers and base alike) are: the column `avser` of turnover().
TILLSVIDARE, ALLA = "tillsvidareanställda", "alla anställda"


def _permanent(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["anstallningsform"] == "tillsvidare"]


def turnover(
    personal: pd.DataFrame,
    avgangar: pd.DataFrame,
    definition: str = "kolada",
    extern: bool = True,
    pension: bool = True,
    period: str = "ar",
    starters: pd.Series | None = None,
) -> pd.DataFrame:
    """Turnover per year (period "ar") or month ("manad") with its parts.

    Returns rows per period with columns avgangar (leavers), bas (the headcount base), andel
    (avgangar / bas, NaN where the base is missing) and avser (TILLSVIDARE or ALLA: whose
    leavers and headcount are counted). kolada counts permanent staff only when both tables
    say who is permanent (anstallningsform); otherwise leavers and base are both all staff,
    and avser says so. starters: the start dates of employments (needed by
    nyckeltalsinstitutet), e.g. employment_spells(...)["anstallningsdatum"].
    """
    if definition not in DEFINITIONS:
        raise ValueError(f"definition is one of {DEFINITIONS}")
    leavers = _leavers(avgangar, extern, pension)
    staff, avser = personal, ALLA
    if definition == "kolada" and "anstallningsform" in leavers and "anstallningsform" in personal:
        leavers, staff, avser = _permanent(leavers), _permanent(personal), TILLSVIDARE
    headcount = staff.groupby("ar").size().astype(float)
    years = sorted(personal["ar"].unique())
    if definition == "arbetsgivarverket":
        base = (headcount.shift(1) + headcount) / 2
        base = base.where(headcount.index.to_series().diff() == 1)
    else:
        base = headcount
    key = leavers["datum"].dt.year if period == "ar" else leavers["datum"].dt.strftime("%Y-%m")
    counts = leavers.groupby(key).size().astype(float)
    if period == "ar":
        index = pd.Index(years, name="ar")
        out = pd.DataFrame({"avgangar": counts.reindex(index, fill_value=0.0), "bas": base.reindex(index)})
    else:
        months = pd.period_range(f"{years[0]}-01", f"{years[-1]}-12", freq="M").strftime("%Y-%m")
        index = pd.Index(months, name="manad")
        out = pd.DataFrame(
            {"avgangar": counts.reindex(index, fill_value=0.0), "bas": [base.get(int(m[:4]), np.nan) for m in months]},
            index=index,
        )
    if definition == "nyckeltalsinstitutet":
        if starters is None:
            raise ValueError("nyckeltalsinstitutet needs the start dates of employments (starters)")
        skey = starters.dt.year if period == "ar" else starters.dt.strftime("%Y-%m")
        started = starters.groupby(skey).size().astype(float).reindex(out.index, fill_value=0.0)
        out["avgangar"] = np.minimum(out["avgangar"], started)
    out["andel"] = out["avgangar"] / out["bas"]
    out["avser"] = avser
    return out


def reconciliation(personal: pd.DataFrame, avgangar: pd.DataFrame, starters: pd.Series) -> pd.DataFrame:
    """Every definition and variant side by side: rows (definition, variant), columns years."""
    rows = {}
    for definition in DEFINITIONS:
        for extern, pension, variant in (
            (True, True, "extern, med pension"),
            (True, False, "extern, utan pension"),
            (False, True, "inklusive intern rörlighet"),
        ):
            t = turnover(personal, avgangar, definition, extern, pension, "ar", starters)
            rows[(definition, variant)] = t["andel"]
    table = pd.DataFrame(rows).T
    table.index.names = ["definition", "variant"]
    return table


def by_category(
    personal: pd.DataFrame,
    avgangar: pd.DataFrame,
    ar: int,
    by: str,
    k: int,
    extern: bool = True,
    hidden_staff: set = frozenset(),
) -> pd.DataFrame:
    """Leavers, headcount and turnover in year ar per category: yrkesgrupp, forvaltning, kon,
    aldersband or anstallningstid. Leavers are counted by their attributes at the exit;
    figures about fewer than k persons are hidden (NaN), and the headcount (with the turnover)
    of the categories in hidden_staff (the report's masks: other tables publish it)."""
    leavers = _leavers(avgangar, extern, True)
    leavers = leavers[leavers["datum"].dt.year == ar]
    staff = personal[personal["ar"] == ar]
    year_end = pd.Timestamp(f"{ar}-12-31")
    if by == "aldersband":
        labels = [b[0] for b in ALDERSBAND]
        left = pd.Series(np.array(labels)[age_band_index(ar - leavers["fodelsear"])], index=leavers.index)
        base = pd.Series(np.array(labels)[age_band_index(ar - staff["fodelsear"])], index=staff.index)
    elif by == "anstallningstid":
        labels = [b[0] for b in ANSTALLNINGSTID]
        tenure = (leavers["datum"] - leavers["anstallningsdatum"]).dt.days / DAYS_PER_YEAR
        left = pd.Series(np.array(labels)[tenure_band_index(tenure)], index=leavers.index)
        base_tenure = (year_end - staff["anstallningsdatum"]).dt.days / DAYS_PER_YEAR
        base = pd.Series(np.array(labels)[tenure_band_index(base_tenure)], index=staff.index)
    else:
        left, base = leavers[by], staff[by]
        labels = sorted(set(base) | set(left))
    counts = pd.DataFrame({"avgangar": left.value_counts(), "antal": base.value_counts()}).reindex(labels).fillna(0.0)
    counts.loc[TOTAL] = counts.sum()
    small_leavers = hide_counts(counts[["avgangar"]], k, lines="columns")["avgangar"].isna()
    small_staff = hide_counts(counts[["antal"]], k, lines="columns")["antal"].isna()
    small_staff |= counts.index.isin(list(hidden_staff))
    counts["andel"] = (counts["avgangar"] / counts["antal"]).where(~(small_leavers | small_staff))
    counts.loc[small_leavers | small_staff, "avgangar"] = np.nan
    counts.loc[small_staff, "antal"] = np.nan
    return counts


def tenure_shares(avgangar: pd.DataFrame, years, extern: bool = True) -> dict[str, float]:
    """Share of leavers in the years who had worked under one and under three years."""
    leavers = _leavers(avgangar, extern, True)
    leavers = leavers[leavers["datum"].dt.year.isin(list(years))]
    tenure = (leavers["datum"] - leavers["anstallningsdatum"]).dt.days / DAYS_PER_YEAR
    return {"under_1_ar": float((tenure < 1).mean()), "under_3_ar": float((tenure < 3).mean()), "antal": len(leavers)}
