"""Key figures only (`kompetens run --bara-nyckeltal`): nyckeltal.json per params file straight
from the plan, without Papermill, notebook or HTML.

Made for many boards or municipalities at once: each params file is prepared (its own
`data_dir`, or one given for all), its key figures computed and read by the privacy scanner
as a report's are, and written as out/<slug>/nyckeltal.json. The figures run in worker
processes or on a Dask cluster; every worker runs its numerical libraries on one thread and
writes the same sorted JSON, so the bytes are the same whichever way they ran, and equal to
the nyckeltal.json of the full report. The batch's gate is the reports' (check_batch: params,
data folders, every table validated): the params files are checked here first, each data
folder in the worker that then computes its key figures from the tables it has just
validated (once, and not cached: they are read once). Nothing is written until every params
file has been computed: a bad input stops the batch with one InputError listing every problem.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from kompetens.errors import InputError
from kompetens.io.load import Inputs
from kompetens.plan.key_figures import FILENAME, key_figures_json
from kompetens.run.kernels import single_threaded


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


def compute_key_figures(
    params_file: str, params: dict, data_dir: str | None = None, inputs: Inputs | None = None
) -> KeyFiguresResult:
    """Prepare one params file's plan (on inputs already validated, when given) and return
    its nyckeltal.json text, scanned for person ids and small counts. Never raises: a
    failure is in the result."""
    from kompetens.plan.prepare import prepare
    from kompetens.privacy.scanner import scan_json

    start = time.perf_counter()
    slug = params.get("slug", "rapport")
    result = KeyFiguresResult(params_file, slug, params.get("titel", slug), ok=False, seconds=0.0)
    try:
        given = {**params, "data_dir": data_dir} if data_dir is not None else params
        plan = prepare(inputs, **given)
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


def compute_folder(folder: str, reports: list[tuple[str, dict]]) -> tuple[list, list[KeyFiguresResult]]:
    """The batch gate's checks of one data folder, its tables validated once (not cached:
    they are read once), then the key figures of each params file that reads it. Returns
    (problems, []) when the folder's input is bad, else ([], one result per params file)."""
    from kompetens.run.batch import check_folder

    start = time.perf_counter()
    inputs, problems = check_folder(Path(folder), [(Path(f), p) for f, p in reports], cache=False)
    if problems:
        return problems, []
    results = [compute_key_figures(f, p, folder, inputs) for f, p in reports]
    results[0].seconds = time.perf_counter() - start - sum(r.seconds for r in results[1:])  # with the checks
    return [], results


def run_key_figures(
    params_files: list[Path],
    out_dir: str | Path,
    jobs: int = 1,
    data_dir: str | Path | None = None,
    scheduler=None,
) -> list[KeyFiguresResult]:
    """Key figures of every params file, in `jobs` fresh worker processes (or on a Dask
    cluster when scheduler is an address or a distributed Client), written as
    out_dir/<slug>/nyckeltal.json once all are computed. The batch gate runs as for the
    reports, its checks of each data folder in the workers (one task per folder: workers
    read their own inputs, nothing large is sent between processes). Raises InputError,
    writing nothing, when any params file or its data is bad."""
    from kompetens.run.batch import check_folder, check_params_files

    _, folders, problems = check_params_files(params_files, data_dir)
    if problems:  # bad params files: the folders are checked too, so that one error lists everything
        for folder, reports in folders.items():
            problems.extend(p for p in check_folder(folder, reports, cache=False)[1] if p not in problems)
        raise InputError(problems)
    # one task per folder; with fewer folders than workers (one board's departments), a
    # folder's params files are shared out, each share validating the folder itself
    shares = max(1, jobs // max(1, len(folders))) if scheduler is None else 1
    tasks = [
        (str(folder), [(str(path), params) for path, params in reports[i::shares]])
        for folder, reports in folders.items()
        for i in range(min(shares, len(reports)))
    ]
    # the largest folders first, so that no worker is left with a large one at the end
    order = sorted(range(len(tasks)), key=lambda i: -_input_bytes(Path(tasks[i][0])))
    if scheduler is not None:
        done = _on_cluster([tasks[i] for i in order], scheduler)
    else:
        # fresh (spawned) processes, so the single-thread setting reaches numpy at its import
        with (
            single_threaded(),
            ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=multiprocessing.get_context("spawn")) as pool,
        ):
            done = list(pool.map(compute_folder, *zip(*[tasks[i] for i in order], strict=True)))
    outcome = dict(zip(order, done, strict=True))
    for i in range(len(tasks)):  # the problems in the order of the params files, as the gate's
        problems.extend(p for p in outcome[i][0] if p not in problems)
    by_file = {r.params_file: r for i in range(len(tasks)) for r in outcome[i][1]}
    results = [by_file[str(path)] for path in params_files if str(path) in by_file]
    problems += [p for r in results if r.problems for p in r.problems if p not in problems]
    if problems:
        raise InputError(problems)
    for r in results:
        if r.ok:
            write_text(Path(out_dir) / r.slug, r.text)
    return results


def _input_bytes(folder: Path) -> int:
    """The size of a data folder's files (0 if it cannot be read): the order of the work."""
    try:
        return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    except OSError:
        return 0


def _on_cluster(tasks: list[tuple], scheduler) -> list[tuple]:
    """compute_folder of every task on a Dask cluster, in the order of tasks. Workers
    need this package and the data folders at the same paths."""
    from distributed import Client

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = [client.submit(compute_folder, *task, pure=False) for task in tasks]
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
