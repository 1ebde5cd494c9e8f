"""Benchmark: the explorer's update time on the demo board, and robustness for 1 000 draws ×
the default bundles.

Goal (issue: the analyst's loop): the view updates within 0.3 s of a change to a lever (the
projection with its 1 000 Monte Carlo draws, the summaries per group and the chart). Each
change below alters a lever, so every update projects the scenario again; the baseline and
the estimated rates are reused as in the analyst's session. Prints medians over the changes.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time

import kompetens
from kompetens.plan.robustness import robustness

CHANGES = [
    ("heltid", True),
    ("heltid.sysselsattningsgrad", 0.9),
    ("heltid.sysselsattningsgrad", 0.95),
    ("forlang_arbetslivet", 1),
    ("forlang_arbetslivet", 2),
    ("minska_omsattning.andel", 0.1),
    ("minska_omsattning.andel", 0.2),
    ("teknik.andel_per_ar", 0.01),
    ("teknik.andel_per_ar", 0.02),
    ("heltid.ar", 2029),
]


def main(repeats: int = 3) -> list[dict]:
    plan = kompetens.prepare()
    explorer = kompetens.explore(plan)
    updates = []
    for _ in range(repeats):
        for name, value in CHANGES:
            control = explorer.controls[name]
            control.value = value
            updates.append(explorer.last_seconds)
        for name, _ in CHANGES:  # back to the start, so that the next round changes again
            explorer.controls[name].value = type(explorer.controls[name].value)(0) if name != "heltid.ar" else 2030
    shown = []
    for name, value in (("direktiv_andel", 0.4), ("grupp", "Sjuksköterska"), ("direktiv_andel", 0.3)):
        explorer.controls[name].value = value
        shown.append(explorer.last_seconds)
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = robustness(plan)
        runs.append(time.perf_counter() - start)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        {
            "benchmark": "explorer update after a lever change (demo board, 1 000 draws)",
            "median_s": statistics.median(updates),
            "min_s": min(updates),
            "peak_mib": peak_mib,
            "goal": "≤ 0,3 s",
            "pass": statistics.median(updates) <= 0.3,
        },
        {
            "benchmark": "explorer update after a directive or group change (no projection)",
            "median_s": statistics.median(shown),
            "min_s": min(shown),
            "peak_mib": peak_mib,
            "goal": "≤ 0,3 s",
            "pass": statistics.median(shown) <= 0.3,
        },
        {
            "benchmark": f"robustness 1 000 draws × {len(result.bundles)} default bundles (demo board)",
            "median_s": statistics.median(runs),
            "min_s": min(runs),
            "peak_mib": peak_mib,
            "goal": "modest (part of every report)",
        },
    ]
    for r in rows:
        print(f"{r['benchmark']}: median {r['median_s']:.3f} s (min {r['min_s']:.3f} s); goal {r['goal']}")
    return rows


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
