"""Flow rates estimated from history: retirement by age, other exits by age and tenure band
with shrinkage for small groups, internal moves, and the hiring-age profile.

All probabilities are per year. Shrinkage is empirical Bayes with a Poisson–gamma prior:
a group's rate is pulled toward the rate of the level above it (board → yrkesgrupp →
förvaltning × yrkesgrupp) with the weight of PRIOR_EVENTS events, so a group with few
exits gets nearly the pooled rate and a large group its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetens.assumptions import retirement_hazards
from kompetens.models.spells import at_risk_on_new_year, exposure
from kompetens.vocabulary import ALDERSBAND, ANSTALLNINGSTID

#: Default retirement profile: the yearly probability of retiring at each age for someone
#: employed on 1 January, from the assumption register's distribution of retirement ages
#: (mean 65,5 years, Pensionsmyndigheten 2025); everyone has left at the LAS age.
DEFAULT_PENSIONSPROFIL = retirement_hazards()
FIRST_AGE = 15
PRIOR_EVENTS = 10.0  # weight of the pooled rate, in events
PRIOR_PERSONS = 10.0  # weight of the default retirement profile, in persons at risk per age
PRIOR_HIRES = 20.0  # weight of the pooled hiring-age profile, in hires
OTHER = ("egen_begaran", "ovrigt")


@dataclass(frozen=True)
class FlowRates:
    """Estimated yearly probabilities, indexed by the projection's cells.

    pension_: Series by age (FIRST_AGE..las_alder), probability of retiring during a year.
    ovriga_: Series by (forvaltning, yrkesgrupp, aldersband, anstallningstid) index numbers,
        probability of leaving for another reason (egen_begaran, ovrigt) during a year.
    ovriga_bas_: Series by (aldersband, anstallningstid): the pooled board-level probability.
    intern_: Series by (forvaltning, yrkesgrupp), probability of moving to another department.
    rekryteringsalder_: DataFrame, rows yrkesgrupp, columns age: share of hires at each age.
    handelser_: DataFrame, rows yrkesgrupp, columns pension/ovriga/intern: effective number of
        events behind each rate (observed + prior), the scale of the rates' uncertainty.
    """

    pension_: pd.Series
    ovriga_: pd.Series
    ovriga_bas_: pd.Series
    intern_: pd.Series
    rekryteringsalder_: pd.DataFrame
    handelser_: pd.DataFrame
    las_alder: int


def estimate_retirement(at_risk: pd.DataFrame, las_alder: int, profile: dict | None = None) -> pd.Series:
    """Retirement probability by age: retirements among those employed on 1 January at that
    age, shrunk toward the profile (default: the assumption register's) with PRIOR_PERSONS;
    1 at the LAS age."""
    prior = pd.Series(profile or retirement_hazards(las_alder=las_alder), dtype=float)
    ages = np.arange(FIRST_AGE, las_alder + 1)
    prior = prior.reindex(ages, fill_value=0.0)
    grouped = at_risk.groupby("alder")["pension"].agg(["sum", "count"]).reindex(ages, fill_value=0)
    q = (grouped["sum"] + PRIOR_PERSONS * prior) / (grouped["count"] + PRIOR_PERSONS)
    q.loc[las_alder] = 1.0
    return q.rename("pension").rename_axis("alder")


def _shrunk_multiplier(events, expected):
    """Poisson–gamma posterior mean of a rate multiplier with prior mean 1."""
    return (events + PRIOR_EVENTS) / (expected + PRIOR_EVENTS)


def _main_effects(events: np.ndarray, years: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Hazards of the Poisson model with age and tenure main effects (h = age factor ×
    tenure hazard) on an age × tenure table of events and person-years, fitted by iterative
    proportional fitting (the maximum likelihood fit: each row's and column's expected
    events equal the observed)."""
    rows, cols = np.ones(events.shape[0]), np.ones(events.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(iterations):
            rows = np.nan_to_num(events.sum(axis=1) / (years @ cols))
            cols = np.nan_to_num(events.sum(axis=0) / (rows @ years))
    return rows[:, None] * cols[None, :]


def estimate_other_exits(exp: pd.DataFrame, forvaltningar, grupper) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Other-exit probability per (forvaltning, yrkesgrupp, aldersband, anstallningstid) and
    the effective events per yrkesgrupp. Base hazards are pooled by age and tenure band; a
    yrkesgrupp multiplier and a förvaltning-within-group multiplier are shrunk toward 1. Each
    age × tenure cell is shrunk toward the age × tenure main-effects fit with PRIOR_EVENTS
    events at that fit's hazard."""
    exp = exp.assign(n=exp["orsak"].isin(OTHER).astype(float))
    cells = exp.groupby(["aldersband", "anstallningstid"])[["personar", "n"]].sum()
    full = pd.MultiIndex.from_product(
        [range(len(ALDERSBAND)), range(len(ANSTALLNINGSTID))], names=["aldersband", "anstallningstid"]
    )
    cells = cells.reindex(full, fill_value=0.0)
    # each age × tenure cell shrunk toward the hazard of the age and tenure main effects
    # (age factor × tenure hazard), not toward one pooled rate: a pooled prior would pull
    # the first year's high hazard far down however many exits the cell has
    prior = _main_effects(cells["n"].unstack().to_numpy(), cells["personar"].unstack().to_numpy()).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = pd.Series(
            np.where(prior > 0, (cells["n"] + PRIOR_EVENTS) / (cells["personar"] + PRIOR_EVENTS / prior), 0.0),
            index=cells.index,
        )
    exp = exp.join(hazard.rename("h"), on=["aldersband", "anstallningstid"])
    exp["expected"] = exp["h"] * exp["personar"]
    by_group = exp.groupby("yrkesgrupp")[["n", "expected"]].sum().reindex(grupper, fill_value=0.0)
    m_group = _shrunk_multiplier(by_group["n"], by_group["expected"])
    exp["expected_g"] = exp["expected"] * exp["yrkesgrupp"].map(m_group)
    by_cell = exp.groupby(["forvaltning", "yrkesgrupp"])[["n", "expected_g"]].sum()
    index = pd.MultiIndex.from_product([forvaltningar, grupper], names=["forvaltning", "yrkesgrupp"])
    by_cell = by_cell.reindex(index, fill_value=0.0)
    m_cell = (
        _shrunk_multiplier(by_cell["n"], by_cell["expected_g"])
        * m_group.reindex(index.get_level_values("yrkesgrupp")).to_numpy()
    )
    # every (forvaltning, yrkesgrupp) cell's multiplier on every age × tenure hazard
    p = 1 - np.exp(-(hazard.to_numpy()[None, :] * m_cell.to_numpy()[:, None]))
    names = ["forvaltning", "yrkesgrupp", "aldersband", "anstallningstid"]
    cells_index = pd.MultiIndex.from_tuples([(d, g, a, t) for d, g in m_cell.index for a, t in full], names=names)
    events = by_group["n"] + PRIOR_EVENTS
    return pd.Series(p.ravel(), index=cells_index, name="ovriga"), (1 - np.exp(-hazard)).rename("ovriga"), events


def estimate_internal_moves(
    personal: pd.DataFrame, avgangar: pd.DataFrame, start, end, forvaltningar, grupper
) -> tuple[pd.Series, pd.Series]:
    """Yearly probability of moving to another department per (forvaltning, yrkesgrupp): moves
    over person-years (snapshot headcounts), shrunk toward the yrkesgrupp's board rate."""
    years = range(start.year, end.year + 1)
    staff = personal[personal["ar"].isin(years)]
    py = staff.groupby(["forvaltning", "yrkesgrupp"]).size().astype(float)
    moves = avgangar[(avgangar["orsak"] == "intern_rorlighet") & avgangar["datum"].between(start, end)]
    n = moves.groupby(["forvaltning", "yrkesgrupp"]).size().astype(float)
    index = pd.MultiIndex.from_product([forvaltningar, grupper], names=["forvaltning", "yrkesgrupp"])
    py, n = py.reindex(index, fill_value=0.0), n.reindex(index, fill_value=0.0)
    group_rate = n.groupby(level="yrkesgrupp").sum() / py.groupby(level="yrkesgrupp").sum().clip(lower=1e-12)
    prior = group_rate.reindex(index.get_level_values("yrkesgrupp")).to_numpy()
    hazard = (n + PRIOR_EVENTS) / (py + PRIOR_EVENTS / np.where(prior > 0, prior, np.inf))
    hazard = hazard.where(prior > 0, 0.0)
    events = n.groupby(level="yrkesgrupp").sum().reindex(grupper, fill_value=0.0) + PRIOR_EVENTS
    return pd.Series(1 - np.exp(-hazard.to_numpy()), index=index, name="intern"), events


def estimate_hiring_ages(spells: pd.DataFrame, start, end, grupper, las_alder: int) -> pd.DataFrame:
    """Share of hires at each age per yrkesgrupp, from spells that began in the window;
    each group's profile is shrunk toward the pooled one with PRIOR_HIRES hires."""
    ages = np.arange(FIRST_AGE, las_alder)
    hired = spells[spells["anstallningsdatum"].between(start, end)]
    age = (hired["anstallningsdatum"].dt.year - hired["fodelsear"]).clip(FIRST_AGE, las_alder - 1)
    counts = pd.crosstab(hired["yrkesgrupp"], age).reindex(index=grupper, columns=ages, fill_value=0)
    pooled = counts.sum(axis=0) / max(counts.to_numpy().sum(), 1)
    if counts.to_numpy().sum() == 0:  # no hires seen: a flat profile over 20–45
        pooled = pd.Series(np.where((ages >= 20) & (ages <= 45), 1.0, 0.0), index=ages)
        pooled /= pooled.sum()
    shares = counts.add(PRIOR_HIRES * pooled, axis=1)
    return shares.div(shares.sum(axis=1), axis=0)


@dataclass(frozen=True)
class ExitHistory:
    """What the flow rates read from the history inside a window whatever the retirement
    assumptions (las_alder, pensionsprofil): other-exit probabilities and their events,
    internal moves, retirements per yrkesgrupp, and the persons at risk of retiring on
    each 1 January."""

    ovriga: pd.Series
    ovriga_bas: pd.Series
    ovriga_events: pd.Series
    intern: pd.Series
    intern_events: pd.Series
    retirements: pd.Series
    at_risk: pd.DataFrame


def exit_history(personal, avgangar, spells, start, end, forvaltningar, grupper) -> ExitHistory:
    """The history's part of the flow rates (see ExitHistory), inside [start, end]."""
    exp = exposure(spells, start, end)
    ovriga, ovriga_bas, ev_other = estimate_other_exits(exp, list(forvaltningar), list(grupper))
    intern, ev_move = estimate_internal_moves(personal, avgangar, start, end, list(forvaltningar), list(grupper))
    retirements = exp[exp["orsak"] == "pension"].groupby("yrkesgrupp").size().reindex(grupper, fill_value=0)
    return ExitHistory(
        ovriga, ovriga_bas, ev_other, intern, ev_move, retirements, at_risk_on_new_year(spells, start, end)
    )


def estimate_rates(
    personal: pd.DataFrame,
    avgangar: pd.DataFrame,
    spells: pd.DataFrame,
    start,
    end,
    forvaltningar,
    grupper,
    las_alder: int = 69,
    pensionsprofil: dict | None = None,
    history: ExitHistory | None = None,
) -> FlowRates:
    """Every flow rate of the projection, from the history inside [start, end] (history:
    exit_history of the same arguments, when already computed)."""
    h = history or exit_history(personal, avgangar, spells, start, end, forvaltningar, grupper)
    pension = estimate_retirement(h.at_risk, las_alder, pensionsprofil)
    events = pd.DataFrame(
        {"pension": h.retirements + PRIOR_PERSONS, "ovriga": h.ovriga_events, "intern": h.intern_events}
    )
    return FlowRates(
        pension_=pension,
        ovriga_=h.ovriga,
        ovriga_bas_=h.ovriga_bas,
        intern_=h.intern,
        rekryteringsalder_=estimate_hiring_ages(spells, start, end, list(grupper), las_alder),
        handelser_=events,
        las_alder=las_alder,
    )
