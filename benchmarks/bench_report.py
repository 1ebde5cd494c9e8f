"""Whole reports against their floor, measured side by side in one run (goals 1 and 2 of the
speed issue; benchmarks, not timed tests).

The floor is the design card's stack with nothing of ours: Papermill executing a notebook that
only imports pandas, seaborn, statsmodels and matplotlib, then `jupyter nbconvert --to html
--no-input` of it. A report costs what it adds to that.

1. One report, `kompetens run params/aldreomsorg.yaml --jobs 1 --force` (figures, tables,
   Excel, PDF, key figures, scan), against the floor: wall time ≤ 1.2 × and peak memory (whole
   process tree) ≤ 1.5 × the floor's. Medians of alternated runs. A second floor, the same
   notebook importing everything the report imports, shows how much is import cost.
   The memory goal is judged on the tree's PSS (proportional set size): the RSS sum counts
   a page shared by n processes n times (Chromium's libraries in each of its processes, the
   same libraries in runner and kernel), PSS counts it once, which is what the machine must
   hold. Both are printed and kept in the table, with each kind of process's own peak.
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
from measure import Measured, load_average, measure

from kompetens.demo import truth

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "kompetensforsorjning.ipynb"
BIN = Path(sys.executable).parent
DEPARTMENTS = list(truth.FORVALTNINGAR)  # the demo board's departments, in its order

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
    runs: dict[str, list[Measured]] = {"report": [], "card": [], "heavy": []}
    loads = []
    for i in range(repeats + 1):  # alternated; the first round warms caches and is not counted
        loads.append(load_average())
        measured = {
            "report": measure(kompetens_run([one], work / f"r{i}", 1)),
            "card": measure(papermill_and_html(card, one, work / f"g{i}")),
            "heavy": measure(papermill_and_html(heavy, one, work / f"h{i}")),
        }
        if i:
            for k, v in measured.items():
                runs[k].append(v)
    med = {k: _median(v) for k, v in runs.items()}
    r, c, h = med["report"], med["card"], med["heavy"]
    batch_load = load_average()
    batch = measure(kompetens_run(files, work / "batch", 2))
    loop = measure([c for p in files for c in papermill_and_html(NOTEBOOK, p, work / "loop")])
    load_end = load_average()
    shutil.rmtree(work, ignore_errors=True)
    load = f"{min(loads)}–{max(loads)}"
    fastest = min(m.seconds for m in runs["report"])
    one_report = _against(
        "one report (kompetens run, 1 job) against papermill + nbconvert of an "
        "import-only notebook (pandas, seaborn, statsmodels, matplotlib); memory as PSS",
        "≤ 1.2 × the floor's time, ≤ 1.5 × its peak memory (PSS)",
        r,
        c,
        load,
        fastest,
    )
    one_report["pass"] = one_report["ratio"] <= 1.2 and one_report["mem_ratio"] <= 1.5
    in_batch = _against(
        f"batch of {len(files)} reports, kompetens run --jobs 2, against a shell loop of papermill + nbconvert (PSS)",
        "≥ 2.5 × faster than the loop",
        batch,
        loop,
        f"{batch_load}–{load_end}",
        faster=True,
    )
    in_batch["pass"] = in_batch["ratio"] >= 2.5
    results = [
        one_report,
        _against(
            "the same, memory as the RSS sum (shared pages counted once per process)",
            "(RSS, for comparison with earlier runs)",
            r,
            c,
            load,
            fastest,
            rss=True,
        ),
        _against(
            "one report against a floor that imports everything the report imports (PSS)",
            "(what the report adds beyond its imports)",
            r,
            h,
            load,
            fastest,
        ),
        in_batch,
    ]
    print(
        f"report {r.seconds:.1f} s, PSS {r.pss_mib:.0f} MiB (RSS {r.rss_mib:.0f}); floor {c.seconds:.1f} s, "
        f"PSS {c.pss_mib:.0f} MiB (RSS {c.rss_mib:.0f}): {r.seconds / c.seconds:.2f} × time, "
        f"{r.pss_mib / c.pss_mib:.2f} × PSS, {r.rss_mib / c.rss_mib:.2f} × RSS "
        f"({repeats} runs, medians; load {load})"
    )
    print(f"report's peak PSS by process: {_peaks(r)}; floor's: {_peaks(c)}")
    print(
        f"import-everything floor {h.seconds:.1f} s, PSS {h.pss_mib:.0f} MiB (RSS {h.rss_mib:.0f}): "
        f"{r.seconds / h.seconds:.2f} × time, {r.pss_mib / h.pss_mib:.2f} × PSS"
    )
    print(
        f"batch of {len(files)}: kompetens run {batch.seconds:.1f} s (PSS {batch.pss_mib:.0f} MiB, "
        f"RSS {batch.rss_mib:.0f}), shell loop {loop.seconds:.1f} s: {loop.seconds / batch.seconds:.2f} × faster "
        f"(load {batch_load}–{load_end})"
    )
    return results


def _against(
    name: str,
    goal: str,
    ours: Measured,
    floor: Measured,
    load: str,
    fastest: float | None = None,
    rss: bool = False,
    faster: bool = False,
) -> dict:
    """A result row: our time and peak memory (PSS, or the RSS sum) against the floor's; the
    time ratio is ours / floor's, or floor's / ours when faster (how many times faster)."""
    mine, theirs = (ours.rss_mib, floor.rss_mib) if rss else (ours.pss_mib, floor.pss_mib)
    return {
        "benchmark": name,
        "median_s": ours.seconds,
        "min_s": ours.seconds if fastest is None else fastest,
        "floor_s": floor.seconds,
        "ratio": floor.seconds / ours.seconds if faster else ours.seconds / floor.seconds,
        "peak_mib": mine,
        "floor_mib": theirs,
        "mem_ratio": mine / theirs,
        "goal": goal,
        "load": load,
    }


def _median(runs: list[Measured]) -> Measured:
    """The median of each figure over the runs."""
    kinds = {k for m in runs for k in m.peaks}
    return Measured(
        statistics.median(m.seconds for m in runs),
        statistics.median(m.rss_mib for m in runs),
        statistics.median(m.pss_mib for m in runs),
        {k: statistics.median(m.peaks.get(k, 0.0) for m in runs) for k in sorted(kinds)},
    )


def _peaks(m: Measured) -> str:
    return ", ".join(f"{k} {v:.0f} MiB" for k, v in m.peaks.items() if round(v))  # not processes gone at once


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
