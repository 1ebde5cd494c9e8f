"""Disclosure control for a whole board: which cells every report of the board hides.

The reports of a batch (the board and each förvaltning) publish the same counts at different
levels: the board's figure of a yrkesgrupp is the sum of the departments' figures. Hiding a
small cell only in the department that holds it would let a reader take the board's figure
minus the other departments'. So the hidden cells are decided once, from the board's
register, on tables with one more dimension, förvaltning, whose last entry is the board:

- staff at basår by yrkesgrupp × age band × förvaltning (every axis with its total),
- staff by yrkesgrupp × snapshot year × förvaltning (totals over groups and departments),
- staff at basår by tenure band × förvaltning (every axis with its total),
- managers at basår by kön × age band × förvaltning (every axis with its total),
- ended employments by orsak × calendar year × förvaltning (totals over causes and departments),

and complementary suppression (`protect`) runs on each three-way table, the shared slices
(staff at basår by yrkesgrupp) kept equal, until nothing changes. Every report computes the
same masks from the same register and takes its own slice: a group hidden in one report is
hidden wherever its value could be recovered from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetens.privacy.suppression import protect
from kompetens.vocabulary import (
    ALDERSBAND,
    ANSTALLNINGSTID,
    CHEF_ALDERSBAND,
    DAYS_PER_YEAR,
    PERSONAL_ALDERSBAND,
    TOTAL,
    tenure_band_index,
)

BOARD = None  # the key of the board's masks (its report has förvaltning null)


@dataclass(frozen=True)
class Masks:
    """The cells one report hides (True). Tables are labelled as the report's count tables:
    `alder` yrkesgrupp (+ Totalt) × PERSONAL_ALDERSBAND (+ Totalt) at basår, `antal`
    yrkesgrupp (+ Totalt) × snapshot year, `avgangar` orsak (+ Totalt) × calendar year."""

    alder: pd.DataFrame
    antal: pd.DataFrame
    avgangar: pd.DataFrame
    anstallningstid: pd.Series  # ANSTALLNINGSTID bands (+ Totalt) of the staff at basår
    chefer: pd.DataFrame  # managers at basår: kön (+ Totalt) × CHEF_ALDERSBAND (+ Totalt)

    def hidden_tenure_bands(self) -> set:
        """ANSTALLNINGSTID bands (and Totalt) whose staff count at basår is hidden."""
        return set(self.anstallningstid[self.anstallningstid].index)

    def hidden_age_bands(self) -> set:
        """ALDERSBAND bands (≤29, 30–49, ≥50) whose staff count at basår would give back a
        hidden cell of the age table's Totalt row (a band is a sum of its PERSONAL_ALDERSBAND)."""
        hidden = self.alder.loc[TOTAL]
        out = set()
        for name, lo, hi in ALDERSBAND:
            parts = [b for b, b_lo, b_hi in PERSONAL_ALDERSBAND if b_lo >= lo and b_hi <= hi]
            if hidden.reindex(parts).fillna(False).any():
                out.add(name)
        return out

    @property
    def grupper(self) -> set:
        """Yrkesgrupper whose figures at basår (counts, FTE, means, shares, costs, need) are hidden."""
        hidden = self.alder[TOTAL].drop(TOTAL)
        return set(hidden[hidden].index)

    @property
    def totalt_dolt(self) -> bool:
        """True when the report's whole staff is fewer than k persons (then every figure is hidden)."""
        return bool(self.alder.loc[TOTAL, TOTAL])

    @property
    def ar_med_dolda_avgangar(self) -> set:
        """Calendar years with any hidden exit count: their turnover rates are hidden too,
        since each definition (with or without retirements, internal moves, permanent staff)
        is a sum of exit counts."""
        years = self.avgangar.any(axis=0)
        return {int(y) for y in years[years].index}


def _cube(frame: pd.DataFrame, rows: str, cols: str, row_labels, col_labels, depts, col_total: bool) -> np.ndarray:
    """Counts rows × cols × förvaltning with a total along rows, förvaltning and (if col_total) cols."""
    counts = frame.groupby([rows, cols, "forvaltning"], observed=True).size()
    cube = np.zeros((len(row_labels) + 1, len(col_labels) + col_total, len(depts) + 1))
    r = pd.Index(row_labels).get_indexer(counts.index.get_level_values(0))
    c = pd.Index(col_labels).get_indexer(counts.index.get_level_values(1))
    d = pd.Index(depts).get_indexer(counts.index.get_level_values(2))
    keep = (r >= 0) & (c >= 0) & (d >= 0)
    np.add.at(cube, (r[keep], c[keep], d[keep]), counts.to_numpy()[keep])
    cube[-1] = cube[:-1].sum(axis=0)
    if col_total:
        cube[:, -1] = cube[:, :-1].sum(axis=1)
    cube[:, :, -1] = cube[:, :, :-1].sum(axis=2)
    return cube


def batch_masks(personal: pd.DataFrame, avgangar: pd.DataFrame | None, basar: int, k: int) -> dict:
    """Masks of every report of a board: {BOARD: Masks, förvaltning: Masks, ...}, from the
    board's register (personal, avgangar) and the reports' basår. Deterministic: every report
    of the batch computes the same masks."""
    if avgangar is None:
        avgangar = pd.DataFrame({"forvaltning": [], "orsak": [], "datum": pd.to_datetime([])})
    depts = sorted(set(personal["forvaltning"]) | set(avgangar["forvaltning"]))
    groups = sorted(set(personal["yrkesgrupp"]))
    bands = [b[0] for b in PERSONAL_ALDERSBAND]
    years = sorted(set(personal["ar"]))

    staff = personal[personal["ar"] == basar]
    age = staff["ar"] - staff["fodelsear"]
    edges = [PERSONAL_ALDERSBAND[0][1] - 0.5] + [b[2] + 0.5 for b in PERSONAL_ALDERSBAND]
    staff = staff.assign(band=pd.cut(age, edges, labels=bands).astype(str))
    by_age = _cube(staff, "yrkesgrupp", "band", groups, bands, depts, col_total=True)
    by_year = _cube(personal, "yrkesgrupp", "ar", groups, years, depts, col_total=False)
    exits = avgangar.assign(ar=avgangar["datum"].dt.year)
    exit_years = sorted(set(exits["ar"]))
    orsaker = sorted(set(exits["orsak"]))
    by_exit = _cube(exits, "orsak", "ar", orsaker, exit_years, depts, col_total=False)

    age_mask = protect(by_age, k)
    year_mask = protect(by_year, k, margins=(True, False, True))
    base = years.index(basar) if basar in years else None
    while base is not None:  # staff at basår is in both tables: keep their masks equal
        shared = age_mask[:, -1, :] | year_mask[:, base, :]
        if (shared == age_mask[:, -1, :]).all() and (shared == year_mask[:, base, :]).all():
            break
        seed = np.zeros_like(age_mask)
        seed[:, -1, :] = shared
        age_mask = protect(by_age, k, hidden=age_mask | seed)
        seed = np.zeros_like(year_mask)
        seed[:, base, :] = shared
        year_mask = protect(by_year, k, margins=(True, False, True), hidden=year_mask | seed)
    exit_mask = protect(by_exit, k, margins=(True, False, True))
    tenure_labels = [b[0] for b in ANSTALLNINGSTID]
    if "anstallningsdatum" in staff:
        tenure = (pd.Timestamp(f"{basar}-12-31") - staff["anstallningsdatum"]).dt.days / DAYS_PER_YEAR
        staff = staff.assign(tid=np.array(tenure_labels)[tenure_band_index(tenure)], one=0)
    else:
        staff = staff.assign(tid="", one=0)
    by_tenure = _cube(staff, "tid", "one", tenure_labels, [0], depts, col_total=False)[:, 0, :]
    tenure_mask = protect(by_tenure, k)
    chef_bands = [b[0] for b in CHEF_ALDERSBAND]
    bosses = staff[staff["chef"].astype(bool)] if "chef" in staff else staff.iloc[:0]
    bosses = bosses.assign(
        band=pd.cut(
            age.reindex(bosses.index), [b[1] - 0.5 for b in CHEF_ALDERSBAND] + [200.5], labels=chef_bands
        ).astype(str),
        kon=bosses.get("kon", ""),
    )
    sexes = sorted(set(bosses["kon"]))
    chef_mask = protect(_cube(bosses, "kon", "band", sexes, chef_bands, depts, col_total=True), k)

    out = {}
    for i, dept in enumerate([*depts, BOARD]):
        out[dept] = Masks(
            alder=pd.DataFrame(age_mask[:, :, i], index=[*groups, TOTAL], columns=[*bands, TOTAL]),
            antal=pd.DataFrame(year_mask[:, :, i], index=[*groups, TOTAL], columns=years),
            avgangar=pd.DataFrame(exit_mask[:, :, i], index=[*orsaker, TOTAL], columns=exit_years),
            anstallningstid=pd.Series(tenure_mask[:, i], index=[*tenure_labels, TOTAL]),
            chefer=pd.DataFrame(chef_mask[:, :, i], index=[*sexes, TOTAL], columns=[*chef_bands, TOTAL]),
        )
    return out


def own_masks(personal: pd.DataFrame, avgangar: pd.DataFrame | None, basar: int, k: int) -> Masks:
    """The masks of a register published on its own (its förvaltningar summed as one board;
    tables without the column are one förvaltning)."""
    if "forvaltning" not in personal:
        personal = personal.assign(forvaltning="")
    if avgangar is not None and "forvaltning" not in avgangar:
        avgangar = avgangar.assign(forvaltning="")
    return batch_masks(personal, avgangar, basar, k)[BOARD]


def apply(table: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """table as floats with the cells the mask hides set to NaN (labels the mask lacks stay)."""
    hide = mask.reindex(index=table.index, columns=table.columns).fillna(False).astype(bool)
    return table.astype(float).mask(hide)
