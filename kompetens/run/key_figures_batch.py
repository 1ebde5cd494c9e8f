"""Key figures only (`kompetens run --bara-nyckeltal`): nyckeltal.json per params file straight
from the plan, without Papermill, notebook or HTML.

Made for many boards or municipalities at once: each params file is prepared (its own
`data_dir`, or one given for all), its key figures computed and read by the privacy scanner
as a report's are, and written as out/<slug>/nyckeltal.json. The figures run in worker
processes or on a Dask cluster; every worker runs its numerical libraries on one thread and
writes the same sorted JSON, so the bytes are the same whichever way they ran, and equal to
the nyckeltal.json of the full report. The batch's gate (check_batch: params, data folders,
every table validated) runs first, and nothing is written until every params file has been
computed: a bad input stops the batch with one InputError listing every problem.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from kompetens.errors import InputError
from kompetens.plan.key_figures import FILENAME, key_figures_json
from kompetens.run.execute import single_threaded


@dataclass
class KeyFiguresResult:
    """The outcome of one params file: its JSON text when ok, else the error."""

    params_file: str
    slug: str
    titel: str
    ok: bool
    seconds: float
    text: str | None = None
    error: str | None = None
    problems: list | None = None  # the InputError's problems, when the input was bad


def compute_key_figures(params_file: str, params: dict, data_dir: str | None = None) -> KeyFiguresResult:
    """Prepare one params file's plan and return its nyckeltal.json text, scanned for
    person ids and small counts. Never raises: a failure is in the result."""
    from kompetens.plan.prepare import prepare
    from kompetens.privacy.scanner import scan_json

    start = time.perf_counter()
    slug = params.get("slug", "rapport")
    result = KeyFiguresResult(params_file, slug, params.get("titel", slug), ok=False, seconds=0.0)
    try:
        given = {**params, "data_dir": data_dir} if data_dir is not None else params
        plan = prepare(**given)
        text = key_figures_json(plan.key_figures)
        person_ids = {str(i) for i in plan.board.personal["person_id"]} | {
            str(i) for i in plan.board.avgangar["person_id"]
        }
        findings = scan_json(text, FILENAME, person_ids, plan.k)
        if findings:
            shown = "; ".join(str(f) for f in findings[:5])
            raise RuntimeError(f"integritetskontrollen hittade {len(findings)} fynd: {shown}")
        result.text, result.ok = text, True
    except InputError as exc:  # problems with the parameters are named by their params file
        result.problems = [
            replace(p, file=params_file, where="nyckel") if p.file == "parametrar" else p for p in exc.problems
        ]
        result.error = InputError(result.problems).summary()
    except Exception as exc:  # one failing params file never stops the others
        result.error = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    return result


def run_key_figures(
    params_files: list[Path],
    out_dir: str | Path,
    jobs: int = 1,
    data_dir: str | Path | None = None,
    scheduler=None,
) -> list[KeyFiguresResult]:
    """Key figures of every params file, in `jobs` fresh worker processes (or on a Dask
    cluster when scheduler is an address or a distributed Client), written as
    out_dir/<slug>/nyckeltal.json once all are computed. Raises InputError, writing nothing,
    when any params file or its data is bad."""
    from kompetens.run.batch import check_batch
    from kompetens.run.execute import report_folder

    loaded = check_batch(params_files, data_dir)  # the reports' gate: params, data folders, inputs
    tasks = [
        (str(path), params, str(report_folder(params, data_dir, path)))
        for path, params in zip(params_files, loaded, strict=True)
    ]
    if scheduler is not None:
        results = _on_cluster(tasks, scheduler)
    else:
        # fresh (spawned) processes, so the single-thread setting reaches numpy at its import
        with (
            single_threaded(),
            ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=multiprocessing.get_context("spawn")) as pool,
        ):
            results = list(pool.map(compute_key_figures, *zip(*tasks, strict=True)))
    problems = [p for r in results if r.problems for p in r.problems]
    if problems:
        raise InputError(problems)
    for r in results:
        if r.ok:
            write_text(Path(out_dir) / r.slug, r.text)
    return results


def _on_cluster(tasks: list[tuple], scheduler) -> list[KeyFiguresResult]:
    """compute_key_figures of every task on a Dask cluster, in the order of tasks. Workers
    need this package and the data folders at the same paths."""
    from distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = [client.submit(compute_key_figures, *task, pure=False) for task in tasks]
        return client.gather(futures)
    finally:
        if client is not scheduler:
            client.close()


def write_text(folder: Path, text: str) -> Path:
    """Write nyckeltal.json into folder atomically. A full report already in the folder whose
    key figures differ loses its fingerprint, so the next `kompetens run` makes it again."""
    from kompetens.run.execute import FINGERPRINT

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILENAME
    if path.exists() and path.read_text(encoding="utf-8") != text:
        (folder / FINGERPRINT).unlink(missing_ok=True)
    tmp = folder / f".{FILENAME}.{os.getpid()}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o644)
    os.replace(tmp, path)
    return path
