"""Benchmark: the sick-leave trend fitted on cells against the same GLM on every person-month.

5 000 employees × 84 months (420 000 person-months). Goal (issue: sick leave): identical
coefficients, and the cell fit at least 50 times faster. Both timings include building the
design from the same rows.
"""

from __future__ import annotations

import resource
import statistics
import time

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from kompetens.demo import truth
from kompetens.models.absence import _design, _formula, fit_absence_trend, formula_term, with_age_band

EMPLOYEES, MONTHS = 5_000, 84
GROUPS = [
    "Administratör",
    "Ledning",
    "Personlig assistent",
    "Sjuksköterska",
    "Socialsekreterare/biståndsbedömare",
    "Vårdare/undersköterska/assistent",
    "Övriga yrkeskategorier",
]
DEPTS = list(truth.FORVALTNINGAR)  # the demo board's departments, in its order


def synthetic_absence(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.period_range("2019-01", periods=MONTHS, freq="M").astype(str)
    person = np.repeat(np.arange(EMPLOYEES), MONTHS)
    month = np.tile(np.asarray(months, dtype=object), EMPLOYEES)
    birth = rng.integers(1958, 2004, EMPLOYEES)[person]
    hours = np.round(165 * rng.choice([1.0, 0.75, 0.5], EMPLOYEES)[person], 1)
    t = np.tile(np.arange(MONTHS) / 12 - 3.5, EMPLOYEES)
    p = 1 / (1 + np.exp(-(-2.7 + 0.03 * t + 0.2 * np.cos(2 * np.pi * np.tile(np.arange(MONTHS), EMPLOYEES) / 12))))
    sick = np.round(hours * rng.binomial(21, np.clip(p * rng.gamma(3, 1 / 3, EMPLOYEES)[person], 0, 1)) / 21, 1)
    # text as the loader delivers it: each distinct value one string object, shared by its rows
    return pd.DataFrame(
        {
            "person_id": person.astype(str).astype(object),
            "manad": month,
            "yrkesgrupp": np.array(GROUPS, dtype=object)[rng.integers(0, len(GROUPS), EMPLOYEES)][person],
            "forvaltning": np.array(DEPTS, dtype=object)[rng.integers(0, len(DEPTS), EMPLOYEES)][person],
            "kon": np.array(["K", "M"], dtype=object)[(rng.random(EMPLOYEES) >= 0.8).astype(int)][person],
            "fodelsear": birth,
            "schemalagd_tid": hours,
            "sjuk_tid": sick,
        }
    )


def person_level(rows: pd.DataFrame, covariates, origin):
    design = _design(with_age_band(rows), origin)
    return smf.glm(
        _formula(covariates), data=design, family=sm.families.Binomial(), var_weights=design["schemalagd_tid"]
    ).fit(scale="X2")


def main(repeats: int = 3, cell_repeats: int = 5) -> dict:
    """Interleaved runs; the cell fit, a fifth of a second, runs cell_repeats times per
    round so that its median is not one scheduler hiccup."""
    rows = synthetic_absence()
    cell_times, person_times = [], []
    for _ in range(repeats):
        for _ in range(cell_repeats):
            start = time.perf_counter()
            cells = fit_absence_trend(rows)
            cell_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        person = person_level(rows, cells.covariates, cells.origin)
        person_times.append(time.perf_counter() - start)
    names = [formula_term(n) for n in cells.results_.params.index]
    diff_coef = float(np.max(np.abs(cells.results_.params.to_numpy() - person.params[names].to_numpy())))
    diff_se = float(np.max(np.abs(cells.results_.bse.to_numpy() - person.bse[names].to_numpy())))
    cell, pers = statistics.median(cell_times), statistics.median(person_times)
    result = {
        "benchmark": f"sick-leave fit, {EMPLOYEES} employees × {MONTHS} months: cells vs person-months",
        "median_s": cell,
        "min_s": min(cell_times),
        "floor_s": pers,
        "ratio": pers / cell,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "goal": "≥ 50× faster, identical coefficients",
        "max_coef_diff": diff_coef,
        "max_se_diff": diff_se,
    }
    print(
        f"{result['benchmark']}: cells {cell:.2f} s, person-months {pers:.2f} s, {pers / cell:.0f}× faster; "
        f"max |Δcoef| {diff_coef:.1e}, max |ΔSE| {diff_se:.1e} (medians of {len(cell_times)} and {repeats} runs)"
    )
    return result


if __name__ == "__main__":
    main()
