"""Whole reports against their floor, measured side by side in one run (goals 1 and 2 of the
speed issue; benchmarks, not timed tests).

The floor is the design card's stack with nothing of ours: Papermill executing a notebook that
only imports pandas, seaborn, statsmodels and matplotlib, then `jupyter nbconvert --to html
--no-input` of it. A report costs what it adds to that.

1. One report, `kompetens run params/aldreomsorg.yaml --jobs 1 --force` (figures, tables,
   Excel, key figures, scan), against the floor: wall time ≤ 1.2 × and peak memory (whole
   process tree) ≤ 1.5 × the floor's. Medians of alternated runs. A second floor, the same
   notebook importing everything the report imports, shows how much is import cost.
2. A batch of 8 reports, `kompetens run --jobs 2 --force`, against a shell loop of papermill
   + nbconvert of the report notebook per params file: ≥ 2.5 × faster.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import nbformat
from measure import load_average, run_measured

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "kompetensforsorjning.ipynb"
BIN = Path(sys.executable).parent
DEPARTMENTS = [
    "Äldreomsorg",
    "Funktionsstöd (LSS)",
    "Individ- och familjeomsorg",
    "Hälso- och sjukvård",
    "Myndighet och bistånd",
    "Stab",
]

#: The design card's stack: what any such notebook imports.
CARD_IMPORTS = (
    "import pandas as pd\nimport seaborn as sns\nimport statsmodels.api as sm\nimport matplotlib.pyplot as plt"
)

#: Everything the report's kernel imports by its end (the secondary floor).
REPORT_IMPORTS = (
    "import kompetens\nfrom kompetens import report\n"
    "import statsmodels.genmod.generalized_linear_model, statsmodels.genmod.families\n"
    "import lifelines\nimport seaborn\nimport openpyxl\nimport pyarrow.parquet\n"
    "import matplotlib.backends.backend_agg\nimport PIL.PngImagePlugin"
)


def params_files(folder: Path, n: int = 8) -> list[Path]:
    """n params files: the board, its six departments, the board in English."""
    specs = [
        ("namnd", None, "sv"),
        *[(f"forv{i}", d, "sv") for i, d in enumerate(DEPARTMENTS)],
        ("board-en", None, "en"),
    ]
    files = []
    for slug, dept, lang in specs[:n]:
        path = folder / f"{slug}.yaml"
        text = f"titel: {slug}\nslug: {slug}\nsprak: {lang}\n" + (f"forvaltning: {dept}\n" if dept else "")
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def floor_notebook(folder: Path, name: str, imports: str) -> Path:
    """A notebook with a parameters cell and one cell of imports, nothing else."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("titel = 'x'\nslug = 'x'\nutkatalog = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(imports),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def papermill_and_html(notebook: Path, params: Path, out: Path) -> list[list[str]]:
    """The shell loop's two commands for one params file."""
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{params.stem}.ipynb"
    papermill = [str(BIN / "papermill"), str(notebook), str(executed), "-f", str(params)]
    papermill += ["-p", "utkatalog", str(out), "--no-progress-bar"]
    return [papermill, [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]]


def kompetens_run(files: list[Path], out: Path, jobs: int) -> list[list[str]]:
    return [[str(BIN / "kompetens"), "run", *map(str, files), "--out", str(out), "--jobs", str(jobs), "--force"]]


def main(repeats: int | None = None) -> list[dict]:
    repeats = int(os.environ.get("KOMPETENS_BENCH_REPEATS", "5")) if repeats is None else repeats
    work = Path(tempfile.mkdtemp(prefix="kompetens-bench-"))
    files = params_files(work)
    one = files[1]  # Äldreomsorg, the largest department
    card = floor_notebook(work, "golv", CARD_IMPORTS)
    heavy = floor_notebook(work, "golv-allt", REPORT_IMPORTS)
    runs: dict[str, list[tuple[float, float]]] = {"report": [], "card": [], "heavy": []}
    loads = []
    for i in range(repeats + 1):  # alternated; the first round warms caches and is not counted
        loads.append(load_average())
        measured = {
            "report": run_measured(kompetens_run([one], work / f"r{i}", 1)),
            "card": run_measured(papermill_and_html(card, one, work / f"g{i}")),
            "heavy": run_measured(papermill_and_html(heavy, one, work / f"h{i}")),
        }
        if i:
            for k, v in measured.items():
                runs[k].append(v)
    med = {k: (statistics.median(s for s, _ in v), statistics.median(m for _, m in v)) for k, v in runs.items()}
    (r_s, r_m), (c_s, c_m), (h_s, h_m) = med["report"], med["card"], med["heavy"]
    batch_load = load_average()
    batch_s, batch_m = run_measured(kompetens_run(files, work / "batch", 2))
    loop_s, loop_m = run_measured([c for p in files for c in papermill_and_html(NOTEBOOK, p, work / "loop")])
    load_end = load_average()
    shutil.rmtree(work, ignore_errors=True)
    results = [
        {
            "benchmark": "one report (kompetens run, 1 job) against papermill + nbconvert of an "
            "import-only notebook (pandas, seaborn, statsmodels, matplotlib)",
            "median_s": r_s,
            "min_s": min(s for s, _ in runs["report"]),
            "floor_s": c_s,
            "ratio": r_s / c_s,
            "peak_mib": r_m,
            "floor_mib": c_m,
            "mem_ratio": r_m / c_m,
            "goal": "≤ 1.2 × the floor's time, ≤ 1.5 × its peak memory",
            "pass": r_s / c_s <= 1.2 and r_m / c_m <= 1.5,
            "load": f"{min(loads)}–{max(loads)}",
        },
        {
            "benchmark": "one report against a floor that imports everything the report imports",
            "median_s": r_s,
            "min_s": min(s for s, _ in runs["report"]),
            "floor_s": h_s,
            "ratio": r_s / h_s,
            "peak_mib": r_m,
            "floor_mib": h_m,
            "mem_ratio": r_m / h_m,
            "goal": "(what the report adds beyond its imports)",
            "load": f"{min(loads)}–{max(loads)}",
        },
        {
            "benchmark": f"batch of {len(files)} reports, kompetens run --jobs 2, against a shell "
            "loop of papermill + nbconvert",
            "median_s": batch_s,
            "min_s": batch_s,
            "floor_s": loop_s,
            "ratio": loop_s / batch_s,
            "peak_mib": batch_m,
            "floor_mib": loop_m,
            "mem_ratio": batch_m / loop_m,
            "goal": "≥ 2.5 × faster than the loop",
            "pass": loop_s / batch_s >= 2.5,
            "load": f"{batch_load}–{load_end}",
        },
    ]
    print(
        f"report {r_s:.1f} s, {r_m:.0f} MiB; floor {c_s:.1f} s, {c_m:.0f} MiB: {r_s / c_s:.2f} × time, "
        f"{r_m / c_m:.2f} × memory ({repeats} runs, medians; load {min(loads)}–{max(loads)})"
    )
    print(f"import-everything floor {h_s:.1f} s, {h_m:.0f} MiB: {r_s / h_s:.2f} × time, {r_m / h_m:.2f} × memory")
    print(
        f"batch of {len(files)}: kompetens run {batch_s:.1f} s, shell loop {loop_s:.1f} s: "
        f"{loop_s / batch_s:.2f} × faster (load {batch_load}–{load_end})"
    )
    return results


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
