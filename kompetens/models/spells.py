"""Employment spells and their exposure: the raw material of every flow rate.

A spell runs from `anstallningsdatum` to `slutdatum` (NaT while still employed). At board
level an internal move (orsak intern_rorlighet) does not end a spell. Exposure splits each
spell by calendar year, age (years reached during the year) and tenure band, inside an
observation window, so that rates are events over person-years at risk.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kompetens.vocabulary import ANSTALLNINGSTID, DAYS_PER_YEAR, age_band_index

INTERNAL = "intern_rorlighet"
#: An exit of unknown cause (orsak okand: derived from consecutive snapshots) at this age or
#: later counts as a retirement, before it as another exit: the age from which the default
#: retirement profile (models.rates.DEFAULT_PENSIONSPROFIL, SKR) has retirements.
PENSION_FROM_AGE = 61


def employment_spells(personal: pd.DataFrame, avgangar: pd.DataFrame) -> pd.DataFrame:
    """One row per employment spell at board level.

    Columns: person_id, anstallningsdatum, slutdatum (NaT = still employed), orsak (NaN
    while employed), yrkesgrupp, forvaltning, fodelsear, kon, and anstallningsdatum_okand
    (start before the first snapshot, unknown) when personal has it. Ended spells come from
    `avgangar` (attributes at the exit); open spells from the last snapshot of each person
    who has not left after it. An exit of unknown cause becomes pension from
    PENSION_FROM_AGE, ovrigt before it.
    """
    exits = avgangar[avgangar["orsak"] != INTERNAL]
    last = personal.sort_values("ar", kind="stable").groupby("person_id").tail(1).set_index("person_id")
    ended = pd.DataFrame(
        {
            "person_id": exits["person_id"].to_numpy(),
            "anstallningsdatum": (
                exits["anstallningsdatum"]
                if "anstallningsdatum" in exits
                else exits["person_id"].map(last["anstallningsdatum"])
            ).to_numpy(),
            "slutdatum": exits["datum"].to_numpy(),
            "orsak": exits["orsak"].to_numpy(),
            "yrkesgrupp": exits["yrkesgrupp"].to_numpy(),
            "forvaltning": exits["forvaltning"].to_numpy(),
            "fodelsear": (
                exits["fodelsear"] if "fodelsear" in exits else exits["person_id"].map(last["fodelsear"])
            ).to_numpy(),
            "kon": (exits["kon"] if "kon" in exits else exits["person_id"].map(last["kon"])).to_numpy(),
        }
    )
    if "anstallningsdatum_okand" in personal:
        ended["anstallningsdatum_okand"] = (
            exits["anstallningsdatum_okand"]
            if "anstallningsdatum_okand" in exits
            else exits["person_id"].map(last["anstallningsdatum_okand"])
        ).to_numpy(dtype=bool)
    unknown = (ended["orsak"] == "okand").to_numpy()
    if unknown.any():
        age = pd.to_datetime(ended["slutdatum"]).dt.year.to_numpy() - ended["fodelsear"].to_numpy(dtype=float)
        ended.loc[unknown, "orsak"] = np.where(age[unknown] >= PENSION_FROM_AGE, "pension", "ovrigt")
    last_exit = exits.groupby("person_id")["datum"].max()
    snapshot_year = last["ar"]
    exit_year = last_exit.reindex(last.index).dt.year
    still = last[~(exit_year >= snapshot_year)]  # no exit in or after the last snapshot year
    still = still[~(last_exit.reindex(still.index) > pd.to_datetime(still["ar"].astype(str) + "-01-01"))]
    current = pd.DataFrame(
        {
            "person_id": still.index.to_numpy(),
            "anstallningsdatum": still["anstallningsdatum"].to_numpy(),
            "slutdatum": pd.NaT,
            "orsak": np.nan,
            "yrkesgrupp": still["yrkesgrupp"].to_numpy(),
            "forvaltning": still["forvaltning"].to_numpy(),
            "fodelsear": still["fodelsear"].to_numpy(),
            "kon": still["kon"].to_numpy(),
        }
    )
    if "anstallningsdatum_okand" in personal:
        current["anstallningsdatum_okand"] = still["anstallningsdatum_okand"].to_numpy(dtype=bool)
    spells = pd.concat([ended, current], ignore_index=True)
    spells["slutdatum"] = pd.to_datetime(spells["slutdatum"])
    spells["anstallningsdatum"] = pd.to_datetime(spells["anstallningsdatum"])
    return spells.sort_values(["person_id", "anstallningsdatum"], kind="stable").reset_index(drop=True)


def observation_window(personal: pd.DataFrame, avgangar: pd.DataFrame, last_year: int | None = None):
    """(start, end) of the history: 1 Jan of the first snapshot year to 31 Dec of the last
    (or of last_year, for a backtest that may only see the past)."""
    first = int(personal["ar"].min())
    last = int(personal["ar"].max()) if last_year is None else last_year
    return pd.Timestamp(f"{first}-01-01"), pd.Timestamp(f"{last}-12-31")


def _band_day(years: float) -> int:
    """The first day (counted from the hire date) with at least `years` of tenure, as
    tenure_band_index measures it (days / DAYS_PER_YEAR): one boundary for both bands that
    meet there, so every day of a spell falls in exactly one band."""
    return int(np.ceil(years * DAYS_PER_YEAR))


def exposure(spells: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Person-years and exits per forvaltning, yrkesgrupp, calendar year, age band and tenure
    band inside [start, end]: one row per spell, year and band it touches, with personar
    (days / DAYS_PER_YEAR) and orsak where the spell ended in that year and band (None
    otherwise). Tenure on a day is (day − hire) / DAYS_PER_YEAR, as tenure_band_index reads it."""
    s = spells
    hire = s["anstallningsdatum"].to_numpy("datetime64[D]")
    stop = s["slutdatum"].fillna(end + pd.Timedelta(days=1)).to_numpy("datetime64[D]")
    ended = s["slutdatum"].notna().to_numpy()
    years = np.arange(start.year, end.year + 1)
    lo = np.datetime64(start.date())
    hi = np.datetime64((end + pd.Timedelta(days=1)).date())
    rows = []
    for y in years:
        y0 = max(np.datetime64(f"{y}-01-01"), lo)
        y1 = min(np.datetime64(f"{y + 1}-01-01"), hi)
        a = np.maximum(hire, y0)
        b = np.minimum(stop, y1)
        for band, (_, t0, t1) in enumerate(ANSTALLNINGSTID):
            b0, b1 = hire + _band_day(t0), hire + _band_day(min(t1, 150))
            days = (np.minimum(b, b1) - np.maximum(a, b0)).astype(float)
            days = np.maximum(days, 0.0)
            ends_here = ended & (stop >= y0) & (stop < y1) & (stop >= b0) & (stop < b1) & (stop >= lo) & (stop < hi)
            keep = (days > 0) | ends_here
            rows.append(
                pd.DataFrame(
                    {
                        "forvaltning": s["forvaltning"].to_numpy()[keep],
                        "yrkesgrupp": s["yrkesgrupp"].to_numpy()[keep],
                        "ar": y,
                        "alder": y - s["fodelsear"].to_numpy()[keep],
                        "anstallningstid": band,
                        "personar": days[keep] / DAYS_PER_YEAR,
                        "orsak": np.where(ends_here[keep], s["orsak"].to_numpy()[keep], None),
                    }
                )
            )
    long = pd.concat(rows, ignore_index=True)
    long["aldersband"] = age_band_index(long["alder"])
    return long


def at_risk_on_new_year(spells: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Persons employed on 1 January of each year in the window, with their age that year
    and whether they retired during it: the binomial retirement estimator's data."""
    rows = []
    for y in range(start.year, end.year + 1):
        day = pd.Timestamp(f"{y}-01-01")
        if day < start or day > end:
            continue
        on = (spells["anstallningsdatum"] <= day) & ~(spells["slutdatum"] < day)
        sel = spells[on]
        retired = (sel["orsak"] == "pension") & (sel["slutdatum"].dt.year == y)
        rows.append(
            pd.DataFrame(
                {
                    "ar": y,
                    "alder": y - sel["fodelsear"].to_numpy(),
                    "yrkesgrupp": sel["yrkesgrupp"].to_numpy(),
                    "forvaltning": sel["forvaltning"].to_numpy(),
                    "pension": retired.to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)
