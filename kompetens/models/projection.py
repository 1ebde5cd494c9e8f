"""The cohort stock-flow projection: pensionsavgångar, övriga avgångar, interna flyttar and
rekryteringsbehov per förvaltning, yrkesgrupp and year, with Monte Carlo percentiles.

The state is persons per (förvaltning, yrkesgrupp, age, calendar tenure). Each year everyone
ages one year; retirements, other exits and internal moves are taken out at the estimated
rates; recruits enter with the hiring-age profile so that the stock meets the year's need.
Recruits themselves face half a year of first-year exits, which are replaced too. The
identity stock(t) = stock(t−1) − exits(t) + recruits(t) holds exactly in every year and
every simulated draw.

The Monte Carlo draws, per förvaltning and yrkesgrupp and year, binomial exits at the
expected path's rates, each rate multiplied by a draw from its estimation uncertainty
(a gamma with mean 1 and the shape of its effective number of events); exits at the LAS
age are certain and are not multiplied.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kompetens.vocabulary import TOTAL

TENURE_YEARS = 11  # calendar tenure 0..9 and 10+
FLOWS = ("pensionsavgangar", "ovriga_avgangar", "interna_flyttar", "rekryteringsbehov")


def tenure_weights(n_bands: int = 4) -> np.ndarray:
    """Weight of each tenure band (<1, 1–3, 3–10, 10+) for calendar tenure j during a year:
    a person in calendar tenure j has 0.5 + (j − 1) to 0.5 + j years of service."""
    w = np.zeros((TENURE_YEARS, n_bands))
    w[0, 0] = 1.0
    w[1, [0, 1]] = 0.5
    w[2, 1] = 1.0
    w[3, [1, 2]] = 0.5
    w[4:10, 2] = 1.0
    w[10, 3] = 1.0
    return w


@dataclass(frozen=True)
class FlowArrays:
    """Rates laid out on the projection's cells (D förvaltningar, G grupper, A ages)."""

    pension: np.ndarray  # [A + 1]: probability by age; the last slot is past the LAS age (1.0)
    ovriga: np.ndarray  # [D, G, A, TENURE_YEARS]
    ovriga_first_year: np.ndarray  # [D, G, A]: a recruit's probability of leaving in half a year
    intern: np.ndarray  # [D, G]
    hiring: np.ndarray  # [G, A]: shares of recruits by age, rows sum to 1
    events: np.ndarray  # [G, 3]: effective events behind pension, ovriga, intern


@dataclass(frozen=True)
class DemographicArrays:
    """What the demographic projection starts from: persons [D, G, A, J] in basår, need
    [D, G, T+1] at the central assumptions, årsarbetare per person [D, G], the flow rates on
    those cells, the plan's years basår..slutår, its groups and scope ("namnd" or
    "forvaltning"); forvaltningar and rates (FlowRates) as the plan estimated them."""

    stock: np.ndarray
    need: np.ndarray
    fte: np.ndarray
    flows: FlowArrays
    years: list
    grupper: list
    scope: str
    forvaltningar: list = ()
    rates: object = None


@dataclass(frozen=True)
class Projection:
    """A fitted projection. Arrays are [D, G, years]; year 0 is basår, where flows are NaN.

    scope "namnd": internal moves stay inside the board, so they are neither exits nor
    recruitment needs in the totals; scope "forvaltning": a move out is an exit.
    """

    years: list
    forvaltningar: list
    grupper: list
    scope: str
    personalbehov: np.ndarray
    arsarbetare: np.ndarray
    bestand: np.ndarray
    pensionsavgangar: np.ndarray
    ovriga_avgangar: np.ndarray
    interna_flyttar: np.ndarray
    rekryteringsbehov: np.ndarray
    draws_rekrytering: np.ndarray | None  # [N, D, G, T] recruitment need per draw (scope totals)

    def cells(self, name: str) -> np.ndarray:
        """[D, G, years] of a measure as the scope counts it."""
        values = getattr(self, name)
        if self.scope == "forvaltning" and name == "ovriga_avgangar":
            return values + self.interna_flyttar
        if self.scope == "namnd" and name == "rekryteringsbehov":
            return values - self.interna_flyttar
        return values

    def table(self, name: str) -> pd.DataFrame:
        """Rows yrkesgrupp and Totalt, columns years: the measure summed over förvaltningar."""
        values = self.cells(name).sum(axis=0)
        table = pd.DataFrame(values, index=self.grupper, columns=self.years)
        table.loc[TOTAL] = table.sum(axis=0, min_count=1)
        return table

    def percentiles(self, q: float) -> pd.DataFrame:
        """The q-th percentile of rekryteringsbehov per yrkesgrupp (and Totalt) and year.

        At board scope a draw where more staff moved between departments than the receiving
        departments needed would give a negative need; it is counted as zero."""
        if self.draws_rekrytering is None:
            raise ValueError("the projection was not simulated")
        per_group = np.maximum(self.draws_rekrytering.sum(axis=1), 0)  # [N, G, T]
        total = per_group.sum(axis=1)
        rows = np.vstack([np.percentile(per_group, q, axis=0), np.percentile(total, q, axis=0)[None, :]])
        return pd.DataFrame(rows, index=[*self.grupper, TOTAL], columns=self.years[1:])


def _shift(stock: np.ndarray) -> np.ndarray:
    """Everyone one year older and one calendar year longer employed; adds an age slot past
    the LAS age for those who must retire."""
    d, g, a, j = stock.shape
    out = np.zeros((d, g, a + 1, j))
    out[:, :, 1:, 1:] = stock[:, :, :, :-1]
    out[:, :, 1:, j - 1] += stock[:, :, :, j - 1]
    return out


def _step(stock, need, f: FlowArrays):
    """One year of the expected path. Returns the new stock and the year's flows [D, G]."""
    s = _shift(stock)
    retire = s * f.pension[None, None, :, None]
    forced = (s * (f.pension >= 1.0)[None, None, :, None]).sum(axis=(2, 3))  # at or past the LAS age
    s = (s - retire)[:, :, :-1]
    other = s * f.ovriga
    s = s - other
    moves = s * f.intern[:, :, None, None]
    s = s - moves
    gap = np.maximum(need - s.sum(axis=(2, 3)), 0.0)
    stay = 1 - (f.hiring[None] * f.ovriga_first_year).sum(axis=2)  # [D, G]
    recruits = gap / stay
    s[:, :, :, 0] += recruits[:, :, None] * f.hiring[None] * (1 - f.ovriga_first_year)
    start = stock.sum(axis=(2, 3))
    n_retire, n_other, n_moves = retire.sum(axis=(2, 3)), other.sum(axis=(2, 3)), moves.sum(axis=(2, 3))
    flows = {
        "pensionsavgangar": n_retire,
        "ovriga_avgangar": n_other + recruits - gap,
        "interna_flyttar": n_moves,
        "rekryteringsbehov": recruits,
    }
    rates = {
        "pension_las": _ratio(forced, start),
        "pension": _ratio(n_retire - forced, start - forced),
        "ovriga": _ratio(n_other, start - n_retire),
        "intern": _ratio(n_moves, start - n_retire - n_other),
        "forsta_aret": 1 - stay,
    }
    return s, flows, rates


def _ratio(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b > 0, a / b, 0.0)


def expected_path(stock: np.ndarray, need: np.ndarray, flows: FlowArrays) -> tuple[dict, np.ndarray, list[dict]]:
    """The expected path of stock [D, G, A, J] meeting need [D, G, T+1]: the flows and the
    stock [D, G, T+1] (NaN in basår), and each year's rates over the cells [D, G] (persons'
    shares: pension, ovriga, intern, forsta_aret), which the Monte Carlo draws around."""
    n_years = need.shape[2]
    shape = (*need.shape[:2], n_years)
    out = {k: np.full(shape, np.nan) for k in FLOWS}
    bestand = np.full(shape, np.nan)
    bestand[:, :, 0] = stock.sum(axis=(2, 3))
    rates = []
    s = stock.astype(float)
    for t in range(1, n_years):
        s, year_flows, year_rates = _step(s, need[:, :, t], flows)
        for k, v in year_flows.items():
            out[k][:, :, t] = v
        bestand[:, :, t] = s.sum(axis=(2, 3))
        rates.append(year_rates)
    return out, bestand, rates


def project(
    stock: np.ndarray,
    need: np.ndarray,
    fte_per_person: np.ndarray,
    flows: FlowArrays,
    years: list,
    forvaltningar: list,
    grupper: list,
    scope: str,
    draws: int = 1000,
    seed: int = 0,
) -> Projection:
    """Project stock [D, G, A, J] (persons in basår) to meet need [D, G, T+1] in every year.

    fte_per_person [D, G] (or [D, G, T+1] per year) turns persons into årsarbetare. draws = 0
    skips the simulation.
    """
    if scope not in ("namnd", "forvaltning"):
        raise ValueError("scope is 'namnd' or 'forvaltning'")
    n_years = need.shape[2]
    out, bestand, expected_rates = expected_path(stock, need, flows)
    sims = None
    if draws > 0 and n_years > 1:
        sims = simulate(
            np.rint(stock.sum(axis=(2, 3))).astype(np.int64),
            np.rint(need[:, :, 1:]).astype(np.int64),
            expected_rates,
            flows.events,
            scope,
            draws,
            seed,
        )
    return Projection(
        years=list(years),
        forvaltningar=list(forvaltningar),
        grupper=list(grupper),
        scope=scope,
        personalbehov=need.astype(float),
        arsarbetare=need * (fte_per_person if fte_per_person.ndim == 3 else fte_per_person[:, :, None]),
        bestand=bestand,
        draws_rekrytering=sims,
        **out,
    )


def _binomial(rng, n, p):
    return rng.binomial(n, np.clip(p, 0.0, 1.0))


def simulate(
    stock0: np.ndarray, need: np.ndarray, rates: list[dict], events: np.ndarray, scope: str, draws: int, seed: int
) -> np.ndarray:
    """Recruitment need per draw [N, D, G, T], as the scope counts it.

    stock0 [D, G] persons in basår; need [D, G, T] persons per year; rates per year from the
    expected path (pension_las: the share who reach the LAS age, not multiplied; pension:
    retirements among the rest); events [G, 3] set the spread of each group's rate
    multipliers.
    """
    rng = np.random.default_rng(seed)
    n_d, n_g, n_t = need.shape
    shape = np.maximum(events, 1.0)
    theta = rng.gamma(shape[None], 1.0 / shape[None], size=(draws, n_g, 3))  # [N, G, 3]
    th_ret, th_oth, th_mov = (theta[:, None, :, k] for k in range(3))
    s = np.broadcast_to(stock0, (draws, n_d, n_g)).copy()
    out = np.empty((draws, n_d, n_g, n_t))
    for t in range(n_t):
        r = rates[t]
        # exits at the LAS age are certain: the rate multiplier scales only chosen retirements
        forced = _binomial(rng, s, r["pension_las"])
        retire = forced + _binomial(rng, s - forced, th_ret * r["pension"])
        other = _binomial(rng, s - retire, th_oth * r["ovriga"])
        moves = _binomial(rng, s - retire - other, th_mov * r["intern"])
        remain = s - retire - other - moves
        gap = np.maximum(need[None, :, :, t] - remain, 0)
        p_stay = 1 - np.clip(th_oth * r["forsta_aret"], 0.0, 0.95)
        extra = np.where(gap > 0, rng.negative_binomial(np.maximum(gap, 1), p_stay), 0)
        recruits = gap + extra
        s = remain + gap
        out[:, :, :, t] = recruits - moves if scope == "namnd" else recruits
    return out
