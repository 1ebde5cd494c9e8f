"""Running a batch of reports: check every params file first, run the reports in parallel
processes (or on a Dask cluster), and write the index page. One failing report never stops
the others.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import jinja2

from kompetens.errors import InputError, Problem
from kompetens.io.load import load_inputs
from kompetens.io.params import load_params
from kompetens.report.narrative import TEMPLATES
from kompetens.run.execute import FINGERPRINT, HTML, RunResult, fingerprint, run_report


def check_batch(params_files: list[Path]) -> list[dict]:
    """Load every params file first; raise one InputError for all bad files or clashing slugs."""
    problems, loaded, slugs = [], [], {}
    for path in params_files:
        try:
            params = load_params(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        slug = params.get("slug")
        if not slug:
            problems.append(Problem(str(path), None, "slug", "saknas"))
        elif slug in slugs:
            problems.append(Problem(str(path), None, "slug", f"används redan i {slugs[slug]}", slug))
        else:
            slugs[slug] = str(path)
        loaded.append(params)
    if problems:
        raise InputError(problems)
    return loaded


def run_batch(
    params_files: list[Path],
    out_dir: str | Path,
    jobs: int = 1,
    data_dir: str | Path | None = None,
    progress: bool | None = None,
    force: bool = True,
    scheduler=None,
) -> list[RunResult]:
    """Run every params file (jobs in parallel processes, or on a Dask cluster when scheduler
    is an address or a distributed Client) and write the index page. Unless force, reports
    unchanged since their last successful run are skipped (and still listed)."""
    check_batch(params_files)
    inputs = load_inputs(data_dir)
    person_ids = frozenset(inputs.personal["person_id"]) | frozenset(inputs.avgangar["person_id"])
    hashes = {table: source["sha256"] for table, source in inputs.sources.items()}
    extra = (person_ids, hashes, force)
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    results: list[RunResult] = []
    bar = tqdm(total=len(params_files), desc="Rapporter", unit="rapport", disable=not progress)
    try:
        if scheduler is not None:
            results = _run_distributed(params_files, Path(out_dir).resolve(), data_dir, extra, bar, scheduler)
        elif jobs <= 1:
            for path in params_files:
                results.append(run_report(path, out_dir, data_dir, *extra))
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(run_report, path, out_dir, data_dir, *extra) for path in params_files]
                for future in as_completed(futures):
                    results.append(future.result())
                    bar.update()
    finally:
        bar.close()
    order = {str(p): i for i, p in enumerate(params_files)}
    results.sort(key=lambda r: order[r.params_file])
    write_index(results, out_dir)
    return results


def _run_distributed(params_files, out_dir: Path, data_dir, extra, bar, scheduler) -> list[RunResult]:
    """Reports on a Dask cluster; unchanged ones are skipped locally first."""
    from distributed import Client

    from kompetens.run.distributed import run_on_cluster

    person_ids, hashes, force = extra
    out_dir.mkdir(parents=True, exist_ok=True)
    skipped, todo = [], []
    for path in params_files:
        slug = load_params(path).get("slug", "rapport")
        done = out_dir / slug / FINGERPRINT
        if not force and done.exists() and done.read_text(encoding="utf-8") == fingerprint(path, hashes):
            skipped.append(run_report(path, out_dir, data_dir, person_ids, hashes, force=False))
            bar.update()
        else:
            todo.append(path)
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        return skipped + run_on_cluster(client, todo, out_dir, data_dir, person_ids, hashes, bar)
    finally:
        if client is not scheduler:
            client.close()


def write_index(results: list[RunResult], out_dir: str | Path) -> Path:
    """outputs/index.html: one row per report with its headline figures and a link."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    from kompetens.report import formats as fmt

    env.filters["tal"] = lambda x, d=0: fmt.number(x, d)
    env.filters["procent"] = lambda x: fmt.percent(x)
    html = env.get_template("index.html.j2").render(results=results, html=HTML)
    path = Path(out_dir) / "index.html"
    path.write_text(html, encoding="utf-8")
    return path
