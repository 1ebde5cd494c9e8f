"""Calibration by simulation: many data sets from generators with a known truth, not one seed.

The sick-leave generator has what real registers have and the binomial GLM ignores: a
persistent person frailty and long-term sick spells that last months (a Markov chain). Its
population-averaged truth (the trend the GLM targets) is the GLM fitted to the generator's
exact expected monthly shares. The projection's Monte Carlo is checked against futures
simulated forward from known rates, with the rates estimated from a simulated history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from kompetens.models.absence import fit_absence_trend
from kompetens.models.projection import simulate

Z95 = 1.959964
#: person frailty: levels and probabilities (mean 1, variance 0.3)
FRAILTY, FRAILTY_P = np.array([0.5, 1.0, 2.5]), np.array([0.3, 0.6, 0.1])
SPELL_START, SPELL_STAY = 0.006, 0.85  # monthly start (× frailty) and continuation of a long spell
ALPHA, BETA = -3.3, 0.08  # logit of the short-term share: level and trend per year
SEASON = 0.2 * np.cos(2 * np.pi * np.arange(12) / 12)


def _short_share(month: np.ndarray) -> np.ndarray:
    """Mean short-term share of a person with frailty 1 in each month (0 = the first)."""
    t = (month + 0.5) / 12 - 1.5
    return expit(ALPHA + BETA * t + SEASON[month % 12])


def _registers(rng, registers: int, persons: int, months: int):
    """Sick and scheduled hours [registers, persons, months]: a long spell is a whole month
    sick; outside spells the share is frailty × short share × Uniform(0, 2)."""
    frailty = rng.choice(FRAILTY, p=FRAILTY_P, size=(registers, persons))
    start = SPELL_START * frailty
    spell = rng.random(frailty.shape) < start / (start + 1 - SPELL_STAY)  # the chain's stationary state
    hours = 165.0 * rng.choice([1.0, 0.75, 0.5], p=[0.6, 0.25, 0.15], size=frailty.shape)
    short = _short_share(np.arange(months))
    sick = np.empty((registers, persons, months))
    for m in range(months):
        if m:
            u = rng.random(frailty.shape)
            spell = np.where(spell, u < SPELL_STAY, u < start)
        share = np.where(spell, 1.0, frailty * short[m] * rng.uniform(0, 2, frailty.shape))
        sick[:, :, m] = hours * share
    return np.broadcast_to(hours[:, :, None], sick.shape), sick


def _expected_share(months: int) -> np.ndarray:
    """The generator's exact mean share per month (the chain starts in its stationary state)."""
    start = SPELL_START * FRAILTY
    in_spell = start / (start + 1 - SPELL_STAY)
    short = _short_share(np.arange(months))
    return ((in_spell + (1 - in_spell) * FRAILTY * short[:, None]) * FRAILTY_P).sum(axis=1)


MONTHS = pd.period_range("2023-01", periods=48, freq="M").astype(str)


def _frame(hours: np.ndarray, sick: np.ndarray) -> pd.DataFrame:
    persons, months = sick.shape
    return pd.DataFrame(
        {
            "person_id": np.repeat(np.arange(persons), months),
            "manad": np.tile(MONTHS[:months], persons),
            "schemalagd_tid": hours.ravel(),
            "sjuk_tid": sick.ravel(),
        }
    )


def _population_averaged_trend(months: int) -> float:
    """The yearly logit trend the GLM converges to: the same model fitted to the exact means."""
    exact = pd.DataFrame({"manad": MONTHS[:months], "schemalagd_tid": 1e6, "sjuk_tid": 1e6 * _expected_share(months)})
    return float(fit_absence_trend(exact, covariates=()).results_.params["t"])


def _quasi_binomial_se(trend) -> float:
    """The trend's SE as the model reported it before clustering: (X'WX)⁻¹ × Pearson scale."""
    r = trend.results_
    X, mu = r.model.exog, r.fittedvalues.to_numpy()
    info = X.T @ (X * (r.model.var_weights * mu * (1 - mu))[:, None])
    return float(np.sqrt(np.linalg.inv(info)[1, 1] * trend.pearson_scale))


def test_sick_leave_trend_standard_errors_are_calibrated():
    """400 registers of 300 persons over 36 months: the mean person-clustered SE of the trend
    is within 10 % of the estimates' SD and 95 % intervals cover the population-averaged
    truth in 92–98 % of registers. The quasi-binomial SE (Pearson scale only) is far too
    small on the same data."""
    hours, sick = _registers(np.random.default_rng(20251125), 400, 300, 36)
    truth = _population_averaged_trend(36)
    est, se, se_pearson = [], [], []
    for h, s in zip(hours, sick):
        trend = fit_absence_trend(_frame(h, s), covariates=())
        assert trend.se_typ == "person"
        est.append(trend.results_.params["t"])
        se.append(trend.results_.bse["t"])
        se_pearson.append(_quasi_binomial_se(trend))
    est, se, se_pearson = np.array(est), np.array(se), np.array(se_pearson)
    sd = est.std(ddof=1)
    assert abs(est.mean() - truth) < 3 * sd / np.sqrt(len(est))  # unbiased for the PA truth
    assert se.mean() / sd == pytest.approx(1.0, abs=0.10)
    coverage = np.mean(np.abs(est - truth) < Z95 * se)
    assert 0.92 <= coverage <= 0.98
    assert se_pearson.mean() / sd < 0.6 and np.mean(np.abs(est - truth) < Z95 * se_pearson) < 0.8


def test_sick_leave_prediction_interval_covers_the_coming_year():
    """Fitted on 36 months, the 95 % prediction interval for the next 12 months' share (and
    for the next month's) covers what the same staff then show in 92–99 % of 200 registers,
    while the band for the mean is narrower."""
    hours, sick = _registers(np.random.default_rng(7), 200, 300, 48)
    year, month, narrower = [], [], []
    for h, s in zip(hours, sick):
        trend = fit_absence_trend(_frame(h[:, :36], s[:, :36]), covariates=())
        total, first = trend.forecast_total(12), trend.forecast(1).iloc[0]
        observed_year = s[:, 36:].sum() / h[:, 36:].sum()
        observed_month = s[:, 36].sum() / h[:, 36].sum()
        year.append(total["pi_lag"] <= observed_year <= total["pi_hog"])
        month.append(first["pi_lag"] <= observed_month <= first["pi_hog"])
        narrower.append(total["pi_hog"] - total["pi_lag"] > total["ki_hog"] - total["ki_lag"])
    assert 0.92 <= np.mean(year) <= 0.99
    assert 0.92 <= np.mean(month) <= 0.99
    assert all(narrower)


def _forward(rng, stock: int, need: np.ndarray, rates: dict, n: int) -> np.ndarray:
    """n futures from the true rates: yearly retirements, other exits and moves drawn
    binomially, the gap to the need recruited, and each recruit who leaves in the first
    half-year replaced until the gap is filled. Returns the recruitment need per year [n, T]."""
    s = np.full(n, stock)
    out = np.empty((n, len(need)))
    for t, target in enumerate(need):
        retire = rng.binomial(s, rates["pension"])
        other = rng.binomial(s - retire, rates["ovriga"])
        moves = rng.binomial(s - retire - other, rates["intern"])
        remain = s - retire - other - moves
        gap = np.maximum(target - remain, 0)
        hired = gap.copy()
        leaving = rng.binomial(gap, rates["forsta_aret"])
        while leaving.any():  # each leaver is replaced, and the replacement may leave too
            hired += leaving
            leaving = rng.binomial(leaving, rates["forsta_aret"])
        out[:, t] = hired
        s = remain + gap
    return out


def _inside(value: float, draws: np.ndarray) -> float:
    """1 inside the draws' p10–p90 band, 0 outside, ½ on an edge: counts are whole numbers,
    and counting the edges in full would add their probability mass to the coverage."""
    lo, hi = np.percentile(draws, [10, 90])
    return float(lo < value < hi) + 0.5 * float(value == lo) + 0.5 * float(value == hi)


def test_monte_carlo_band_covers_futures_from_known_rates():
    """500 histories of 1 200 person-years give estimated rates and their event counts; the
    projection's p10–p90 band of the recruitment need over five years, simulated from the
    estimates, covers a future drawn from the true rates in 74–86 % of histories (80 % is
    the target). With the estimates' uncertainty left out (huge event counts) the band is
    too narrow."""
    rng = np.random.default_rng(11)
    true = {"pension": 0.035, "ovriga": 0.11, "intern": 0.02, "forsta_aret": 0.06}
    stock, exposure, years = 250, 1200.0, 5
    need = np.rint(stock * 1.02 ** np.arange(1, years + 1)).astype(np.int64)
    covered, covered_naive = [], []
    for _ in range(500):
        events = {k: rng.poisson(p * exposure) for k, p in true.items()}
        estimated = {k: e / exposure for k, e in events.items()}
        rates = [{**estimated, "pension_las": 0.0} for _ in range(years)]
        counts = np.array([[events["pension"], events["ovriga"], events["intern"]]], dtype=float)
        seed = int(rng.integers(2**31))
        args = (np.array([[stock]]), need[None, None, :], rates)
        draws = simulate(*args, counts, "forvaltning", 400, seed)[:, 0, 0, :].sum(axis=1)
        naive = simulate(*args, counts * 1e6, "forvaltning", 400, seed)[:, 0, 0, :].sum(axis=1)
        future = _forward(rng, stock, need, true, 1)[0].sum()
        covered.append(_inside(future, draws))
        covered_naive.append(_inside(future, naive))
    assert 0.74 <= np.mean(covered) <= 0.86
    assert np.mean(covered_naive) < np.mean(covered)
