"""National scale on one machine (goal 3 of the speed issue): key figures without HTML for
Sweden's 290 municipalities (synthetic, national.py: about 850 000 staff), with
`kompetens run --bara-nyckeltal --jobs 2`, then the same on a Dask LocalCluster of two worker
processes, whose files must be byte-identical. Goal: ≤ 10 minutes.

`step` > 1 runs every step-th municipality by size (a sample over the whole size range) and
says so in the result; the full country is step 1.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import national
from measure import load_average, run_measured

from kompetens.io.load import CACHE_DIR

BIN = Path(sys.executable).parent
GOAL_S = 600


def _same_bytes(a: Path, b: Path) -> tuple[int, int]:
    """(files compared, files that differ) between two outputs folders."""
    files = sorted(p.relative_to(a) for p in a.rglob("nyckeltal.json"))
    differ = sum((a / f).read_bytes() != (b / f).read_bytes() for f in files)
    missing = sum(not (b / f).exists() for f in files)
    return len(files), differ + missing


def _cache_entries() -> set[Path]:
    return set(CACHE_DIR.iterdir()) if CACHE_DIR.is_dir() else set()


def _drop_cache_entries(before: set[Path]) -> None:
    """Remove the validated-input cache entries written since `before` (this benchmark's)."""
    for entry in _cache_entries() - before:
        shutil.rmtree(entry, ignore_errors=True)


def main(step: int | None = None, dask: bool = True) -> list[dict]:
    step = int(os.environ.get("KOMPETENS_BENCH_STEP", "1")) if step is None else step
    work = Path(tempfile.mkdtemp(prefix="kompetens-land-"))
    start = time.perf_counter()
    files = national.write_country(work, step)
    generated = time.perf_counter() - start
    staff = int(national.sizes()[::step].sum())
    env = None
    cmd = [str(BIN / "kompetens"), "run", "--bara-nyckeltal", "--jobs", "2", *map(str, files)]
    load = load_average()
    before = _cache_entries()
    local_s, local_m = run_measured([[*cmd, "--out", str(work / "lokal")]], env)
    _drop_cache_entries(before)  # each run starts cold, as on a new country's first run
    load_end = load_average()
    what = f"{len(files)} municipalities, {format(staff, ',').replace(',', ' ')} staff"
    results = [
        {
            "benchmark": f"key figures only (kompetens run --bara-nyckeltal --jobs 2), {what}"
            + ("" if step == 1 else f" (every {step}th by size)"),
            "median_s": local_s,
            "min_s": local_s,
            "peak_mib": local_m,
            "goal": "≤ 600 s for 290 municipalities, 850 000 staff",
            "pass": local_s <= GOAL_S if step == 1 else None,
            "load": f"{load}–{load_end}",
        }
    ]
    print(f"generated {what} in {generated:.0f} s")
    print(f"key figures: {local_s:.0f} s, peak {local_m:.0f} MiB (load {load}–{load_end})")
    if dask:
        from distributed import LocalCluster

        load = load_average()
        from kompetens.run.kernels import single_threaded

        # the workers' numerical libraries on one thread, as the runner's own workers run them
        with (
            single_threaded(),
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        ):
            dask_s, dask_m = run_measured(
                [[*cmd, "--out", str(work / "dask"), "--scheduler", cluster.scheduler_address]], env, all_children=True
            )
        _drop_cache_entries(before)
        compared, differ = _same_bytes(work / "lokal", work / "dask")
        results.append(
            {
                "benchmark": f"the same on a Dask LocalCluster (2 workers), {what}",
                "median_s": dask_s,
                "min_s": dask_s,
                "peak_mib": dask_m,
                "goal": "≤ 600 s, every nyckeltal.json byte-identical to the local run",
                "pass": (dask_s <= GOAL_S if step == 1 else True) and differ == 0 and compared == len(files),
                "load": f"{load}–{load_average()}",
                "note": f"{compared} files compared, {differ} differ",
            }
        )
        print(f"Dask: {dask_s:.0f} s ({compared} files compared, {differ} differ)")
    shutil.rmtree(work, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()
