"""`make bench`: run every benchmark in its own process and write a results table.

Benchmarks are never timed tests. Each prints its median over several runs; this script
collects them with the machine's cores and memory into outputs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "outputs" / "benchmarks.md"
BENCHMARKS = ["bench_projection", "bench_absence", "bench_batch", "bench_loading", "bench_explore", "bench_import"]


def _machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GiB memory, Python {sys.version.split()[0]}"


def main() -> int:
    rows = []
    for name in BENCHMARKS:
        code = f"import json, {name}; print(json.dumps({name}.main()))"
        done = subprocess.run([sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True, check=True)
        lines = done.stdout.strip().splitlines()
        print("\n".join(lines[:-1]))
        found = json.loads(lines[-1])
        rows.extend(found if isinstance(found, list) else [found])
    table = [
        "| benchmark | median (s) | min (s) | floor (s) | ratio | peak RSS (MiB) | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        floor = f"{r['floor_s']:.2f}" if "floor_s" in r else "–"
        ratio = f"{r['ratio']:.2f}×" if "ratio" in r else "–"
        table.append(
            f"| {r['benchmark']} | {r['median_s']:.2f} | {r['min_s']:.2f} | {floor} | {ratio} | "
            f"{r['peak_mib']:.0f} | {r['goal']} |"
        )
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(f"Machine: {_machine()}\n\n" + "\n".join(table) + "\n", encoding="utf-8")
    print(f"Results: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
