"""`make bench`: run every benchmark in its own process and write outputs/benchmarks.md: each
goal, the measured figure, the machine and its load, and PASS or FAIL.

Benchmarks are never timed tests. Each prints its medians (or single runs, said so) and
returns rows; a row with a goal it can judge carries "pass". KOMPETENS_BENCH_REPEATS sets the
report benchmark's rounds (default 5); KOMPETENS_BENCH_STEP=n runs the
national benchmark on every n-th municipality only (a sample; its time is then not judged).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "outputs" / "benchmarks.md"
BENCHMARKS = [
    "bench_projection",
    "bench_absence",
    "bench_loading",
    "bench_explore",
    "bench_import",
    "bench_report",
    "bench_national",
]


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB memory, Python {sys.version.split()[0]}, {platform.system()}"


def _verdict(row: dict) -> str:
    if row.get("pass") is None:
        return "–"
    return "PASS" if row["pass"] else "FAIL"


def _seconds(s: float) -> str:
    """Seconds to one decimal, or to three below one second (an update of 0.043 s is not 0.0)."""
    return f"{s:.3f} s" if s < 1 else f"{s:.1f} s"


def _figure(row: dict) -> str:
    """The measured figure, with its floor and ratios where there is one."""
    if "median_s" not in row:
        return row.get("note", "–")
    text = f"{_seconds(row['median_s'])}, {row['peak_mib']:.0f} MiB"
    if "floor_s" in row:
        text += f"; floor {row['floor_s']:.1f} s"
        if "floor_mib" in row:
            text += f", {row['floor_mib']:.0f} MiB"
        text += f"; {row['ratio']:.2f} × time"
        if "mem_ratio" in row:
            text += f", {row['mem_ratio']:.2f} × memory"
    if row.get("note"):
        text += f"; {row['note']}"
    return text


def table(rows: list[dict]) -> str:
    lines = ["| benchmark | goal | measured | load (1 min) | result |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['benchmark']} | {r['goal']} | {_figure(r)} | {r.get('load', '–')} | {_verdict(r)} |")
    return "\n".join(lines)


def main(names: list[str] | None = None) -> int:
    rows = []
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for name in names or BENCHMARKS:
        code = f"import json, {name}; print(json.dumps({name}.main()))"
        done = subprocess.run([sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            rows.append(
                {
                    "benchmark": name,
                    "goal": "–",
                    "median_s": float("nan"),
                    "peak_mib": float("nan"),
                    "note": "failed",
                    "pass": False,
                }
            )
            continue
        lines = done.stdout.strip().splitlines()
        print("\n".join(lines[:-1]))
        found = json.loads(lines[-1])
        rows.extend(found if isinstance(found, list) else [found])
    OUT.parent.mkdir(exist_ok=True)
    text = f"Machine: {machine()}. Run {started}.\n\n{table(rows)}\n"
    OUT.write_text(text, encoding="utf-8")
    print(text)
    print(f"Results: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or None))
