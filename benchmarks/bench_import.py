"""Benchmark: `kompetens import` of a national-size synthetic novemberstatistik, 100 000
employments in each of 7 yearly snapshots (headerless, semicolon, Windows-1252), about 10 %
leaving each year, 5 % with a second employment and 3 % moving between departments.

Measured as a user runs it: `python -m kompetens import …`, process start and imports included.
`write_snapshots` is also the generator of the report test on imported data
(tests/test_import_report.py).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

EMPLOYMENTS, YEARS = 100_000, list(range(2018, 2025))
AID = ["207010", "207011", "207023", "351034", "351015", "151020", "152010"]
MAPPING = """rubrikrad: false
avgransare: ";"
kodning: cp1252
kolumner: {personnummer: 7, yrkeskod: 9, organisation: 5, enhet: 4, anstallningsform: 10,
           sysselsattningsgrad: 11, manadslon: 12}
forvaltning: verksamhet_forvaltning.csv
anstallningsform: {"1": tillsvidare, "2": visstid}
"""


def _personnummer(rng, n: int) -> np.ndarray:
    """n distinct valid 10-digit personnummer (2 % samordningsnummer), born 1960–2003."""
    m = int(n * 1.3) + 100  # candidates: some coincide
    year = rng.integers(1960, 2004, m)
    month, day = rng.integers(1, 13, m), rng.integers(1, 29, m)
    day = np.where(rng.random(m) < 0.02, day + 60, day)
    serial = rng.integers(0, 1000, m)
    date = [year // 10 % 10, year % 10, month // 10, month % 10, day // 10, day % 10]
    digits = np.stack([*date, serial // 100, serial // 10 % 10, serial % 10], axis=1)
    weighted = digits * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    check = (10 - (weighted // 10 + weighted % 10).sum(axis=1) % 10) % 10
    number = ((year % 100) * 100 + month) * 100 + day
    number = (number.astype(np.int64) * 1000 + serial) * 10 + check
    distinct = np.unique(np.char.zfill(number.astype(str), 10))
    assert len(distinct) >= n
    return rng.permutation(distinct)[:n]


def write_snapshots(folder: Path, employments: int = EMPLOYMENTS, years=YEARS, seed: int = 11) -> list[Path]:
    """One file per year, novemberstatistik_<year>.txt, plus the mapping and its tables."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pool = _personnummer(rng, int(employments * (1 + 0.12 * len(years))))
    n_pool = len(pool)
    org = rng.choice(["512", "513"], n_pool)
    aid = rng.choice(AID, n_pool, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05])
    form = np.where(rng.random(n_pool) < 0.8, "1", "2")
    rate = rng.choice(["100", "090", "075", "050"], n_pool)
    salary = np.char.zfill(rng.integers(24_000, 42_000, n_pool).astype(str), 6)
    names = np.char.add("Efternamn", np.arange(n_pool).astype(str))
    active = np.arange(employments)
    fresh = employments
    files = []
    for y in years:
        if y != years[0]:
            leave = rng.random(len(active)) < 0.10
            hires = np.arange(fresh, fresh + int(leave.sum()))
            fresh += len(hires)
            active = np.concatenate([active[~leave], hires])
            move = rng.choice(active, int(0.03 * len(active)), replace=False)
            org[move] = np.where(org[move] == "512", "513", "512")
        second = rng.choice(active, int(0.05 * len(active)), replace=False)
        rows = np.concatenate([active, second])
        frame = pd.DataFrame(
            {
                "kommun": "0999",
                "stadsdel": "",
                "orgnr": "2120000000",
                "arbetsstalle": np.where(org[rows] == "512", "12345", "22222"),
                "verksamhet": np.where(np.arange(len(rows)) >= len(active), "513", org[rows]),
                "underlag": "",
                "pnr": pool[rows],
                "namn": names[rows],
                "aid": aid[rows],
                "form": form[rows],
                "rate": np.where(np.arange(len(rows)) >= len(active), "020", rate[rows]),
                "lon": salary[rows],
            }
        )
        path = folder / f"novemberstatistik_{y}.txt"
        frame.to_csv(path, sep=";", header=False, index=False, encoding="cp1252", lineterminator="\r\n")
        files.append(path)
    (folder / "mappning.yaml").write_text(MAPPING, encoding="utf-8")
    (folder / "verksamhet_forvaltning.csv").write_text(
        "kod;forvaltning\n512;Äldreomsorg\n513;Funktionsstöd (LSS)\n", encoding="utf-8"
    )
    return files


def main(repeats: int = 3) -> dict:
    """`kompetens import` from the shell (process start, imports, reading, writing), each run
    a process of its own: median wall time and the largest peak memory of the repeats."""
    from measure import load_average, run_measured

    base = Path(tempfile.mkdtemp(prefix="kompetens-import-"))
    files = write_snapshots(base / "in")
    rows = sum(1 for f in files for _ in f.open(encoding="cp1252"))
    key = base / "nyckel"
    key.write_text("5" * 64 + "\n", encoding="ascii")
    key.chmod(0o600)
    root = str(Path(__file__).resolve().parents[1])
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    times, peaks, load = [], [], load_average()
    for i in range(repeats):
        command = [sys.executable, "-m", "kompetens", "import", *map(str, files)]
        command += [
            "--mappning",
            str(base / "in" / "mappning.yaml"),
            "--ut",
            str(base / f"ut{i}"),
            "--nyckel",
            str(key),
        ]
        seconds, peak = run_measured([command], env=env)
        times.append(seconds)
        peaks.append(peak)
    personal = pd.read_csv(base / "ut0" / "personal.csv", usecols=["ar"])
    exits = pd.read_csv(base / "ut0" / "avgangar.csv", usecols=["orsak"])
    result = {
        "benchmark": f"kompetens import of {rows} employment rows ({EMPLOYMENTS} employments × {len(YEARS)} "
        f"snapshots) → {len(personal)} person-years, {len(exits)} exits and moves",
        "median_s": statistics.median(times),
        "min_s": min(times),
        "peak_mib": max(peaks),
        "goal": "≤ 20 s, ≤ 2 048 MiB",
        "pass": statistics.median(times) <= 20 and max(peaks) <= 2048,
        "load": f"{load}–{load_average()}",
    }
    print(
        f"{result['benchmark']}: median {result['median_s']:.1f} s (min {result['min_s']:.1f} s, {repeats} runs), "
        f"peak {result['peak_mib']:.0f} MiB; load {result['load']}; goal {result['goal']}"
    )
    return result


if __name__ == "__main__":
    main()
