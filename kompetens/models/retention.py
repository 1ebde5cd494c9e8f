"""Retention: how long employments last (Kaplan–Meier, lifelines) and what ends them
(Aalen–Johansen, computed here with ties handled exactly). Time is in years of employment,
measured as days / 365.25.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from kompetens.errors import InputError, Problem
from kompetens.vocabulary import DAYS_PER_YEAR, TOTAL

#: The orsak of an ended spell whose reason the register does not give.
UNKNOWN = "okand"


@dataclass(frozen=True)
class Retention:
    """survival: grupp, ar, andel_kvar, ki_lag, ki_hog (the Kaplan–Meier curve, 95 % CI).
    median_ar: median length of employment per group, NaN where the curve never reaches 0.5.
    sammanfattning: per group the number of spells, median with CI, the share still
    employed after one and three years with CIs, and bara_nyanstallda: True where the
    group's curve had to use only the employments that began inside the register.
    kumulativ_incidens: grupp, orsak, ar, andel (the share ended by each orsak by time ar),
    fitted when first asked for: Aalen–Johansen is the slow part and few callers need it."""

    survival: pd.DataFrame
    median_ar: pd.Series
    sammanfattning: pd.DataFrame
    competing_: dict = field(repr=False)  # group -> (duration, event code, entry); code -> orsak

    @cached_property
    def kumulativ_incidens(self) -> pd.DataFrame:
        reasons, incidence = self.competing_["orsaker"], []
        for group, (duration, events, entry) in self.competing_["grupper"].items():
            for i, reason in enumerate(reasons, start=1):
                if not (events == i).any():
                    continue
                times, cif = aalen_johansen(duration, events, i, entry)
                incidence.append(pd.DataFrame({"grupp": group, "orsak": reason, "ar": times, "andel": cif}))
        if not incidence:
            return pd.DataFrame(columns=["grupp", "orsak", "ar", "andel"])
        return pd.concat(incidence, ignore_index=True)


def aalen_johansen(duration, events, event_of_interest: int, entry=None) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative incidence of one cause among competing ones (Aalen–Johansen).

    duration: time of exit or censoring (years); events: 0 = censored, k > 0 = ended by
    cause k; entry: time the spell enters the risk set (left truncation), default 0. A
    spell is at risk at t when entry <= t <= duration, as in lifelines, so spells that start
    and end on the same day and tied exits of different causes are counted exactly
    (lifelines' AalenJohansenFitter instead jitters ties, and fails on zero-length spells).
    Returns the distinct times (with 0) and the share ended by the cause at each."""
    duration = np.asarray(duration, dtype=float)
    events = np.asarray(events)
    entry = np.zeros_like(duration) if entry is None else np.asarray(entry, dtype=float)
    times = np.union1d([0.0], duration)
    entered = np.searchsorted(np.sort(entry), times, side="right")
    removed_before = np.searchsorted(np.sort(duration), times, side="left")
    at_risk = entered - removed_before
    ended = events != 0
    d_all = np.bincount(np.searchsorted(times, duration[ended]), minlength=len(times))
    d_cause = np.bincount(np.searchsorted(times, duration[events == event_of_interest]), minlength=len(times))
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_all = np.where(at_risk > 0, d_all / at_risk, 0.0)
        hazard_cause = np.where(at_risk > 0, d_cause / at_risk, 0.0)
    survival_before = np.concatenate([[1.0], np.cumprod(1.0 - hazard_all)[:-1]])
    return times, np.cumsum(survival_before * hazard_cause)


def _durations(spells: pd.DataFrame, observationsdatum, observationsstart):
    start = pd.to_datetime(spells["anstallningsdatum"])
    end = pd.to_datetime(spells["slutdatum"])
    bad = end < start
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        raise InputError(
            [
                Problem("spells", int(i) + 2, "slutdatum", "slutar före anställningsdatum", str(end.iloc[i].date()))
                for i in rows
            ]
        )
    if observationsdatum is None:
        observationsdatum = max(start.max(), end.max() if end.notna().any() else start.max())
    observationsdatum = pd.Timestamp(observationsdatum)
    ended = end.notna() & (end <= observationsdatum)
    stop = end.where(ended, observationsdatum)
    duration = (stop - start).dt.days.to_numpy() / DAYS_PER_YEAR
    entry = np.zeros(len(spells))
    keep = np.ones(len(spells), dtype=bool)
    if observationsstart is not None:
        observationsstart = pd.Timestamp(observationsstart)
        entry = np.maximum((observationsstart - start).dt.days.to_numpy() / DAYS_PER_YEAR, 0.0)
        keep = ~(ended & (end < observationsstart)).to_numpy()
    keep &= (start <= observationsdatum).to_numpy()
    if "anstallningsdatum_okand" in spells:  # left-censored: the time at risk is unknown
        keep &= ~spells["anstallningsdatum_okand"].fillna(False).to_numpy(dtype=bool)
    return duration, ended.to_numpy(), entry, keep


def _at(curve: pd.DataFrame, t: float) -> pd.Series:
    """The step function's value at time t."""
    return curve.loc[:t].iloc[-1] if (curve.index <= t).any() else curve.iloc[0] * np.nan


#: The columns of Retention.sammanfattning (besides grupp, its index).
SUMMARY_COLUMNS = [
    "grupp",
    "antal",
    "median_ar",
    "bara_nyanstallda",
    "median_ki_lag",
    "median_ki_hog",
    *(f"kvar_{y}_{part}" for y in (1, 3) for part in ("ar", "ki_lag", "ki_hog")),
]


def retention(spells: pd.DataFrame, by: str | None = None, observationsdatum=None, observationsstart=None) -> Retention:
    """Retention curves and competing exits per group of spells.

    spells: one row per employment spell with anstallningsdatum, slutdatum (empty = still
    employed, censored at observationsdatum, default the data's last date) and orsak.
    observationsstart: when the register begins; spells that ended before it are left out
    and the others enter the risk set only from it (left truncation), so that long
    employments are not over-represented. Spells whose start is unknown (column
    anstallningsdatum_okand True: employed before an import's first snapshot) are left out.
    """
    from lifelines import KaplanMeierFitter  # lifelines is slow to import
    from lifelines.exceptions import StatError
    from lifelines.utils import median_survival_times

    duration, ended, entry, keep = _durations(spells, observationsdatum, observationsstart)
    groups = spells[by].to_numpy() if by else np.full(len(spells), TOTAL, dtype=object)
    # one definition of an exit for both estimators: every ended spell is an exit, and one
    # whose orsak is missing is an exit for an unknown reason (not censored)
    orsak = spells["orsak"].astype(object).where(spells["orsak"].notna(), UNKNOWN).to_numpy()
    reasons = sorted(pd.unique(orsak[ended & keep]))
    code = {r: i + 1 for i, r in enumerate(reasons)}
    events = np.where(ended, [code.get(o, 0) for o in orsak], 0)
    survival, summary, medians, competing = [], [], {}, {}
    for group in sorted(pd.unique(groups[keep])):
        sel = keep & (groups == group)
        try:
            kmf = KaplanMeierFitter().fit(duration[sel], ended[sel], entry=entry[sel])
        except StatError:
            # with delayed entry the early risk set can run empty in a small group; then the
            # employments that began inside the register, seen from their start, are used
            sel = sel & (entry == 0)
            if not sel.any():
                continue
            kmf = KaplanMeierFitter().fit(duration[sel], ended[sel], entry=entry[sel])
        curve = kmf.survival_function_.iloc[:, 0]
        ci = kmf.confidence_interval_survival_function_
        survival.append(
            pd.DataFrame(
                {
                    "grupp": group,
                    "ar": curve.index,
                    "andel_kvar": curve.to_numpy(),
                    "ki_lag": ci.iloc[:, 0].to_numpy(),
                    "ki_hog": ci.iloc[:, 1].to_numpy(),
                }
            )
        )
        median = kmf.median_survival_time_
        medians[group] = float(median) if np.isfinite(median) else np.nan
        median_ci = median_survival_times(ci).iloc[0].replace(np.inf, np.nan)
        row = {
            "grupp": group,
            "antal": int(sel.sum()),
            "median_ar": medians[group],
            "bara_nyanstallda": bool(
                observationsstart is not None
                and (entry[sel] == 0).all()
                and (entry[keep & (groups == group)] > 0).any()
            ),
            "median_ki_lag": float(median_ci.iloc[0]),
            "median_ki_hog": float(median_ci.iloc[1]),
        }
        for years in (1, 3):
            s, c = _at(kmf.survival_function_, years), _at(ci, years)
            row.update(
                {
                    f"kvar_{years}_ar": float(s.iloc[0]),
                    f"kvar_{years}_ki_lag": float(c.iloc[0]),
                    f"kvar_{years}_ki_hog": float(c.iloc[1]),
                }
            )
        summary.append(row)
        competing[group] = (duration[sel], events[sel], entry[sel])
    if not survival:  # no group with a curve (a department of a few persons): empty tables
        survival = [pd.DataFrame(columns=["grupp", "ar", "andel_kvar", "ki_lag", "ki_hog"])]
    return Retention(
        survival=pd.concat(survival, ignore_index=True),
        median_ar=pd.Series(medians, name="median_ar", dtype=float).rename_axis("grupp"),
        sammanfattning=pd.DataFrame(summary, columns=SUMMARY_COLUMNS).set_index("grupp"),
        competing_={"orsaker": reasons, "grupper": competing},
    )
