"""Benchmark: project a synthetic register of 100 000 employees over 10 years, 1 000 draws.

Goal (issue: projection engine): at most 5 s and 1 GiB peak memory on 2 cores. Prints the
median of several runs and the process's peak resident memory.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd

from kompetens.models.projection import TENURE_YEARS, FlowArrays, project
from kompetens.models.rates import FIRST_AGE
from kompetens.plan.staffplan import base_stock

EMPLOYEES, YEARS, DRAWS, DEPTS, GROUPS, LAS = 100_000, 10, 1_000, 10, 12, 69


def synthetic_register(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(20, 67, EMPLOYEES)
    return pd.DataFrame(
        {
            "ar": 2025,
            "forvaltning": rng.integers(0, DEPTS, EMPLOYEES).astype(str),
            "yrkesgrupp": rng.integers(0, GROUPS, EMPLOYEES).astype(str),
            "fodelsear": 2025 - age,
            "anstallningsdatum": pd.to_datetime(
                (2025 - np.minimum(rng.exponential(7, EMPLOYEES), age - 18).astype(int)).astype(str), format="%Y"
            ),
            "sysselsattningsgrad": rng.choice([1.0, 0.75, 0.5], EMPLOYEES),
        }
    )


def synthetic_flows(seed: int = 2) -> FlowArrays:
    rng = np.random.default_rng(seed)
    ages = LAS - FIRST_AGE + 1
    pension = np.zeros(ages + 1)
    pension[61 - FIRST_AGE :] = [0.06, 0.085, 0.116, 0.184, 0.516, 0.4, 0.5, 0.556, 1.0, 1.0]
    return FlowArrays(
        pension=pension,
        ovriga=rng.uniform(0.04, 0.25, (DEPTS, GROUPS, ages, TENURE_YEARS)),
        ovriga_first_year=rng.uniform(0.05, 0.12, (DEPTS, GROUPS, ages)),
        intern=rng.uniform(0.0, 0.03, (DEPTS, GROUPS)),
        hiring=rng.dirichlet(np.ones(ages), GROUPS),
        events=rng.uniform(10, 300, (GROUPS, 3)),
    )


def run_once(register: pd.DataFrame, flows: FlowArrays) -> float:
    start = time.perf_counter()
    depts, groups = sorted(register["forvaltning"].unique()), sorted(register["yrkesgrupp"].unique())
    stock, fte = base_stock(register, 2025, depts, groups, LAS)
    growth = np.linspace(1.0, 1.15, YEARS + 1)
    need = stock.sum(axis=(2, 3))[:, :, None] * growth
    p = project(stock, need, fte, flows, list(range(2025, 2026 + YEARS)), depts, groups, "namnd", DRAWS, seed=3)
    p.percentiles(10), p.percentiles(90)
    return time.perf_counter() - start


def main(repeats: int = 5) -> dict:
    register, flows = synthetic_register(), synthetic_flows()
    times = [run_once(register, flows) for _ in range(repeats)]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "projection 100 000 employees × 10 years × 1 000 draws",
        "median_s": statistics.median(times),
        "min_s": min(times),
        "peak_mib": peak_mib,
        "goal": "≤ 5 s, ≤ 1 024 MiB",
    }
    print(
        f"{result['benchmark']}: median {result['median_s']:.2f} s (min {result['min_s']:.2f} s, "
        f"{repeats} runs), peak RSS {peak_mib:.0f} MiB; goal {result['goal']}"
    )
    return result


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
