"""A synthetic Sweden for the national-scale benchmark: 290 municipalities of realistic sizes,
each a data folder and a params file.

Sizes: Sweden's 290 municipalities employ about 850 000 people (SKR, Kommunernas personal
2023: 853 000 employees). Stockholm, the largest employer, has about 50 000 (Stockholms stad,
personalredovisning); the others follow a log-normal spread (σ = 1.0 on log size, the shape
of Swedish municipal population sizes), scaled so that the 290 sum to the national total and
no municipality has fewer than 150 staff.

Data: each municipality is the embedded demo board resampled. Persons are drawn with
replacement from the demo register with their whole history (employments, exits, monthly
absence), get new pseudonymous ids, and are spread over copies of the demo's units (about one
copy per √scale) so that units keep plausible sizes; population and costs are scaled. So
every folder meets the data contracts and looks like a plausible board, at the size asked.
Run as a script to write a country: `python benchmarks/national.py OUT [--n 290]`.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import time
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
MUNICIPALITIES = 290
TOTAL_STAFF = 850_000
LARGEST = 50_000
SMALLEST = 150
SIGMA = 1.0
SEED = 20251125


def sizes(n: int = MUNICIPALITIES, total: int = TOTAL_STAFF, largest: int = LARGEST) -> np.ndarray:
    """Staff per municipality, largest first: `largest`, then n − 1 log-normal quantiles
    scaled to make the sum `total` (each at least SMALLEST)."""
    z = np.array([NormalDist().inv_cdf((i + 0.5) / (n - 1)) for i in range(n - 1)])[::-1]
    rest = np.exp(SIGMA * z)
    rest = np.maximum(rest * (total - largest) / rest.sum(), SMALLEST)
    rest *= (total - largest) / rest.sum()
    return np.concatenate([[largest], np.round(rest)]).astype(int)


def _read_demo() -> dict[str, pd.DataFrame]:
    return {
        # numbers stay numbers and dates text, as a payroll system's Parquet export has them
        "personal": pd.read_csv(DEMO / "personal.csv", dtype={"person_id": str}),
        "avgangar": pd.read_csv(DEMO / "avgangar.csv", dtype={"person_id": str}),
        "franvaro": pd.read_csv(DEMO / "franvaro.csv.gz", dtype={"person_id": str}),
        "befolkning": pd.read_csv(DEMO / "befolkning.csv"),
        "kostnader": pd.read_csv(DEMO / "kostnader.csv"),
    }


def municipality(demo: dict[str, pd.DataFrame], staff: int, number: int, rng: np.random.Generator) -> dict:
    """One municipality's tables with about `staff` employees in the last snapshot year."""
    personal = demo["personal"]
    last = personal["ar"].max()
    base_staff = int((personal["ar"] == last).sum())
    persons = personal["person_id"].unique()
    scale = staff / base_staff
    draws = rng.choice(len(persons), size=max(1, round(scale * len(persons))))
    copies = max(1, math.ceil(math.sqrt(scale)))
    new = pd.DataFrame(
        {
            "old": persons[draws],
            "new_id": [f"K{number:03d}P{j:07d}" for j in range(len(draws))],
            "kopia": rng.integers(copies, size=len(draws)) + 1,
        }
    )
    out = {}
    for table in ("personal", "avgangar", "franvaro"):
        df = demo[table].merge(new, left_on="person_id", right_on="old", how="inner")
        df["person_id"] = df.pop("new_id")
        if copies > 1 and "enhet" in df:
            df["enhet"] = df["enhet"] + " " + df["kopia"].astype(str)
        out[table] = df.drop(columns=["old", "kopia"])
    befolkning = demo["befolkning"].copy()
    befolkning["antal"] = np.maximum(1, np.round(befolkning["antal"] * scale)).astype(int)
    kostnader = demo["kostnader"].copy()
    for col in ("lonekostnad", "hyrpersonal"):
        kostnader[col] = (kostnader[col] * scale).round(0)
    out["befolkning"], out["kostnader"] = befolkning, kostnader
    return out


def write_country(out: str | Path, step: int = 1, seed: int = SEED) -> list[Path]:
    """Write the municipalities (every `step`th by size, to try things on a sample) under
    out/data/<slug>/ and their params under out/params/; return the params files, largest
    municipality first."""
    out = Path(out)
    (out / "params").mkdir(parents=True, exist_ok=True)
    demo = _read_demo()
    rng = np.random.default_rng(seed)
    files = []
    for i, staff in enumerate(sizes(), start=1):
        if (i - 1) % step:
            continue
        slug = f"kommun-{i:03d}"
        folder = out / "data" / slug
        folder.mkdir(parents=True, exist_ok=True)
        for table, df in municipality(demo, int(staff), i, rng).items():
            if table in ("personal", "avgangar", "franvaro"):
                df.to_parquet(folder / f"{table}.parquet", index=False)
            else:
                df.to_csv(folder / f"{table}.csv", index=False)
        shutil.copy(DEMO / "aktivitetsplan.yaml", folder / "aktivitetsplan.yaml")
        params = out / "params" / f"{slug}.yaml"
        params.write_text(f"titel: Kommun {i:03d}\nslug: {slug}\ndata_dir: {folder}\n", encoding="utf-8")
        files.append(params)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--step", type=int, default=1, help="every step-th municipality by size")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = write_country(args.out, args.step)
    s = sizes()[:: args.step]
    print(
        f"{len(files)} kommuner, {s.sum():,} anställda (störst {s.max():,}, median {int(np.median(s)):,}, "
        f"minst {s.min():,}) på {time.perf_counter() - start:.0f} s i {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
