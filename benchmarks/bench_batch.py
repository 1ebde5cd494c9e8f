"""Benchmarks of whole reports, each measured side by side with its floor.

1. Report overhead: one report end to end (papermill, HTML, key figures) against papermill
   plus the HTML export of a notebook that only imports the same libraries.
   Goal (issue: speed and scale): at most 1.3 × the floor.
2. Batch: `kompetens run --jobs 2 --force` over 8 params files against a plain shell loop of
   `papermill … -f params.yaml` and `jupyter nbconvert --no-input` per file. Goal: ≥ 1.8 × faster.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

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


def params_files(folder: Path, n: int = 8) -> list[Path]:
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


#: What the report's kernel imports: the package, its report module, and the libraries the
#: package imports only when a section needs them (statsmodels, lifelines, seaborn via the
#: figures, openpyxl, Parquet for the cached inputs, PNG output).
FLOOR_IMPORTS = (
    "import kompetens\nfrom kompetens import report\n"
    "import statsmodels.genmod.generalized_linear_model, statsmodels.genmod.families\n"
    "import lifelines\nimport seaborn\nimport openpyxl\nimport pyarrow.parquet\n"
    "import matplotlib.backends.backend_agg\nimport PIL.PngImagePlugin"
)


def floor_notebook(folder: Path) -> Path:
    """A notebook that imports what the report imports and does nothing else."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("titel = 'x'\nslug = 'x'\nutkatalog = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(FLOOR_IMPORTS),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "floor.ipynb"
    nbformat.write(nb, path)
    return path


def _timed(commands: list[list[str]]) -> float:
    start = time.perf_counter()
    for cmd in commands:
        subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def papermill_and_html(notebook: Path, params: Path, out: Path) -> list[list[str]]:
    executed = out / f"{params.stem}.ipynb"
    return [
        [
            str(BIN / "papermill"),
            str(notebook),
            str(executed),
            "-f",
            str(params),
            "-p",
            "utkatalog",
            str(out),
            "--no-progress-bar",
        ],
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
    ]


def main(repeats: int = 5) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix="kompetens-bench-"))
    files = params_files(work)
    floor_nb = floor_notebook(work)
    report, floor = [], []
    for i in range(repeats + 1):  # interleaved; the first of each warms caches and is not counted
        r = _timed(
            [[str(BIN / "kompetens"), "run", str(files[2]), "--out", str(work / f"r{i}"), "--jobs", "1", "--force"]]
        )
        (work / f"f{i}").mkdir()
        f = _timed(papermill_and_html(floor_nb, files[2], work / f"f{i}"))
        if i:
            report.append(r)
            floor.append(f)
    batch = _timed(
        [[str(BIN / "kompetens"), "run", *map(str, files), "--out", str(work / "batch"), "--jobs", "2", "--force"]]
    )
    (work / "loop").mkdir()
    loop = _timed([cmd for p in files for cmd in papermill_and_html(NOTEBOOK, p, work / "loop")])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    r, f = statistics.median(report), statistics.median(floor)
    results = [
        {
            "benchmark": "one report against papermill + HTML of an import-only notebook",
            "median_s": r,
            "min_s": min(report),
            "floor_s": f,
            "ratio": r / f,
            "peak_mib": peak,
            "goal": "≤ 1.3 × the floor",
        },
        {
            "benchmark": f"batch of {len(files)} reports, kompetens run --jobs 2 against a shell loop",
            "median_s": batch,
            "min_s": batch,
            "floor_s": loop,
            "ratio": loop / batch,
            "peak_mib": peak,
            "goal": "≥ 1.8 × faster",
        },
    ]
    print(f"report {r:.1f} s against the floor {f:.1f} s: {r / f:.2f} × ({repeats} runs, medians)")
    print(f"batch of {len(files)}: kompetens run {batch:.1f} s, shell loop {loop:.1f} s: {loop / batch:.2f} × faster")
    return results


if __name__ == "__main__":
    main()
