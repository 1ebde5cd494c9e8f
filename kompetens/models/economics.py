"""Economics of the staff increase: cost per person, the increase in persons and mnkr, the
gap to the board's budget frame (ram) and the directive that a share be met by other means.
"""

from __future__ import annotations

import pandas as pd

from kompetens.assumptions import value
from kompetens.vocabulary import TOTAL

#: PO-pålägg for municipalities, from the assumption register (SKR 2023: statutory fees
#: 31.42 %, agreed insurance 0.13 %, occupational pension 12.98 %). Use the municipality's
#: own figure when it has one.
DEFAULT_PO_PALAGG = value("po_palagg")


def cost_per_person(personal: pd.DataFrame, ar: int, grupper, po_palagg: float, kostnad_per_person=None) -> pd.Series:
    """Yearly cost of one person per yrkesgrupp (kr): mean of monthly salary × 12 ×
    sysselsättningsgrad × (1 + PO), or the params override (one number or per group).
    A group absent from the register gets the mean over all staff."""
    if isinstance(kostnad_per_person, (int, float)):
        return pd.Series(float(kostnad_per_person), index=list(grupper))
    staff = personal[personal["ar"] == ar]
    yearly = staff["manadslon"] * 12 * staff["sysselsattningsgrad"] * (1 + po_palagg)
    per_group = yearly.groupby(staff["yrkesgrupp"]).mean()
    cost = per_group.reindex(list(grupper)).fillna(yearly.mean())
    if isinstance(kostnad_per_person, dict):
        cost.update(pd.Series(kostnad_per_person, dtype=float))
    return cost.rename("kostnad_per_person")


def staff_increase(personalbehov: pd.DataFrame, basar: int, slutar: int) -> pd.Series:
    """need(slutår) − need(basår) in persons, per row of a groups × years table."""
    return (personalbehov[slutar] - personalbehov[basar]).rename("personalokning")


def increase_cost(increase: pd.Series, cost: pd.Series) -> pd.Series:
    """Cost of the increase in mnkr per group; the Totalt row is the sum of the groups."""
    groups = increase.drop(TOTAL, errors="ignore")
    mnkr = groups * cost.reindex(groups.index) / 1e6
    mnkr.loc[TOTAL] = mnkr.sum()
    return mnkr.rename("kostnad_personalokning_mnkr")


def directive(increase: pd.Series, cost_mnkr: pd.Series, andel: float) -> dict:
    """The share of the increase to be met by other solutions, in persons and mnkr."""
    return {"andel": andel, "personer": (andel * increase).to_dict(), "mnkr": (andel * cost_mnkr).to_dict()}


def frame_gap(increase_total: float, cost_total_mnkr: float, ram_personer=None, ram_mnkr=None) -> dict:
    """How far the increase exceeds the budget frame (positive = over the frame)."""
    gap = {}
    if ram_personer is not None:
        gap["personer"] = increase_total - ram_personer
    if ram_mnkr is not None:
        gap["mnkr"] = cost_total_mnkr - ram_mnkr
    return gap
