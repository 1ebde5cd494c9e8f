"""Benchmark: validate and load a 100 000-employee register with 7 snapshot years and monthly
absence (8.4 million person-months), from Parquet and from CSV, without the cache.

Goal (issue: speed and scale): at most 10 s and 2 GiB peak memory.
"""

from __future__ import annotations

import multiprocessing
import resource
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from kompetens.io.load import load_inputs

EMPLOYEES, YEARS, MONTHS = 100_000, list(range(2019, 2026)), 84
DEPTS = [f"Förvaltning {i}" for i in range(10)]
GROUPS = [f"Yrkesgrupp {i}" for i in range(12)]


def write_register(folder: Path, seed: int = 5) -> None:
    rng = np.random.default_rng(seed)
    ids = np.char.add("P", np.arange(EMPLOYEES).astype(str))
    birth = rng.integers(1958, 2000, EMPLOYEES)
    dept = np.array(DEPTS)[rng.integers(0, len(DEPTS), EMPLOYEES)]
    group = np.array(GROUPS)[rng.integers(0, len(GROUPS), EMPLOYEES)]
    personal = pd.concat(
        [
            pd.DataFrame(
                {
                    "person_id": ids,
                    "ar": y,
                    "forvaltning": dept,
                    "enhet": np.char.add(dept, " enhet"),
                    "yrkesgrupp": group,
                    "fodelsear": birth,
                    "kon": np.where(rng.random(EMPLOYEES) < 0.8, "K", "M"),
                    "sysselsattningsgrad": rng.choice([1.0, 0.75, 0.5], EMPLOYEES),
                    "manadslon": 30_000.0,
                    "anstallningsdatum": pd.Timestamp("2015-01-01"),
                    "anstallningsform": "tillsvidare",
                    "chef": False,
                }
            )
            for y in YEARS
        ],
        ignore_index=True,
    )
    personal.to_parquet(folder / "personal.parquet")
    pd.DataFrame(  # leavers of short employments outside the snapshots (the register's staff stay)
        {
            "person_id": np.char.add("L", np.arange(5000).astype(str)),
            "datum": pd.Timestamp("2024-05-31"),
            "forvaltning": dept[:5000],
            "yrkesgrupp": group[:5000],
            "orsak": "egen_begaran",
            "anstallningsdatum": pd.Timestamp("2023-09-01"),
        }
    ).to_parquet(folder / "avgangar.parquet")
    months = pd.period_range("2019-01", periods=MONTHS, freq="M").astype(str).to_numpy()
    hours = np.full(EMPLOYEES * MONTHS, 160.0)
    pd.DataFrame(
        {
            "person_id": np.repeat(ids, MONTHS),
            "manad": np.tile(months, EMPLOYEES),
            "schemalagd_tid": hours,
            "sjuk_tid": np.round(hours * rng.random(EMPLOYEES * MONTHS) * 0.1, 1),
        }
    ).to_parquet(folder / "franvaro.parquet")
    pd.DataFrame(
        [(y, a, 500) for y in range(2019, 2036) for a in range(101)], columns=["ar", "alder", "antal"]
    ).to_parquet(folder / "befolkning.parquet")


def as_csv(folder: Path, into: Path) -> None:
    """The same register as the CSV files an HR system exports."""
    into.mkdir()
    for path in folder.glob("*.parquet"):
        pd.read_parquet(path).to_csv(into / f"{path.stem}.csv", index=False)


def load_once(folder: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of one uncached load, in a fresh process."""
    start = time.perf_counter()
    inputs = load_inputs(folder, cache=False)
    seconds = time.perf_counter() - start
    assert len(inputs.franvaro) == EMPLOYEES * MONTHS
    return seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(repeats: int = 3) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="kompetens-load-"))
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:
        pool.submit(write_register, folder).result()
        pool.submit(as_csv, folder, folder / "csv").result()
    results = []
    for fmt, where in (("Parquet", folder), ("CSV", folder / "csv")):
        runs = []
        for _ in range(repeats):  # each load in its own process, so each peak is that load's own
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                runs.append(pool.submit(load_once, where).result())
        times, peak = [t for t, _ in runs], max(p for _, p in runs)
        result = {
            "benchmark": f"load and validate {EMPLOYEES} employees × {len(YEARS)} years + {MONTHS} months "
            f"of absence, {fmt}",
            "median_s": statistics.median(times),
            "min_s": min(times),
            "peak_mib": peak,
            "goal": "≤ 10 s, ≤ 2 048 MiB",
        }
        print(
            f"{result['benchmark']}: median {result['median_s']:.1f} s (min {result['min_s']:.1f} s, "
            f"{repeats} runs), peak RSS {peak:.0f} MiB; goal {result['goal']}"
        )
        results.append(result)
    return results


if __name__ == "__main__":
    main()
