"""Running a batch of reports: check every params file and data folder first, run the
reports in parallel processes (or on a Dask cluster), and write the index page. One failing
report never stops the others; one batch at a time writes to an out folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

import jinja2

from kompetens.errors import InputError, Problem, ReportError
from kompetens.io.kolada import select_kommun
from kompetens.io.load import Inputs, check_folder_files, data_file, load_inputs
from kompetens.io.params import SLUG, load_params
from kompetens.io.texts import load_texts
from kompetens.plan.key_figures import FILENAME as NYCKELTAL
from kompetens.plan.key_figures import read_key_figures
from kompetens.report.narrative import TEMPLATES
from kompetens.report.pdf import FILENAME as PDF
from kompetens.run import kernels
from kompetens.run.execute import (
    FAILURE,
    HTML,
    WORK,
    RunResult,
    fingerprint,
    report_folder,
    run_report,
    unchanged,
    work_dir,
)

INDEX = "index.html"
#: The key figures an index row shows; a report without them (an older version's) is only linked.
INDEX_KEYS = {
    "basar",
    "slutar",
    "antal_basar",
    "forandring_procent",
    "rekryteringsbehov",
    "rekryteringsbehov_period",
    "pensionsavgangar_period",
    "kostnad_personalokning_mnkr",
    "personalomsattning",
    "sjukfranvaro_12_manader",
}
LOCK_WAIT = 600.0  # seconds a batch waits for another batch on the same out folder


def check_batch(params_files: list[Path], data_dir: str | Path | None = None) -> list[dict]:
    """The gate before any report runs: every params file, every data folder a report reads
    (--data, else the params file's data_dir) with all its tables, and every file a params
    file names. Raises one InputError for everything found; nothing is written."""
    loaded, folders, problems = check_params_files(params_files, data_dir)
    for folder, reports in folders.items():
        problems.extend(p for p in check_folder(folder, reports)[1] if p not in problems)
    if problems:
        raise InputError(problems)
    return loaded


def check_params_files(
    params_files: list[Path], data_dir: str | Path | None = None
) -> tuple[list[dict], dict[Path, list[tuple[Path, dict]]], list[Problem]]:
    """The gate's checks of the params files themselves: each file, unique slugs, a data
    folder and the files it names. Returns the params, the params files of each data folder
    ((path, params) in the given order) and the problems found."""
    problems, loaded, slugs, folders = [], [], {}, {}
    for path in params_files:
        try:
            params = load_params(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        slug = params.get("slug")
        if not slug:
            problems.append(Problem(str(path), None, "slug", "saknas", where="nyckel"))
        elif slug in slugs:
            problems.append(Problem(str(path), None, "slug", f"används redan i {slugs[slug]}", slug, where="nyckel"))
        else:
            slugs[slug] = str(path)
        try:
            folder = report_folder(params, data_dir, path)
            folders.setdefault(folder, []).append((path, params))
            if params.get("personalbehov_extern"):
                data_file(params["personalbehov_extern"], folder, str(path))
        except InputError as exc:
            problems.extend(exc.problems)
        loaded.append(params)
    return loaded, folders, problems


def check_folder(folder: Path, reports: list[tuple[Path, dict]], cache: bool = True) -> tuple[Inputs | None, list]:
    """The gate's checks of one data folder for the params files that read it: every table
    and their relations (validated once; cached when cache), the activity plan (each report's
    areas), external tables, Kolada and what each params file asks of the data. Returns the
    inputs (None when the tables are bad) and the problems found."""
    problems, inputs = [], None
    try:
        inputs = load_inputs(folder, cache=cache)
    except InputError as exc:
        problems.extend(exc.problems)
    for areas, extern in sorted(
        {(tuple(p["omraden"]) if p.get("omraden") else (), p.get("personalbehov_extern") or "") for _, p in reports}
    ):
        problems.extend(p for p in check_folder_files(folder, areas or None, extern or None) if p not in problems)
    for _path, params in reports:  # the board's texts: regular files of the folder, within their size
        if params.get("slug"):
            try:
                load_texts(folder, params["slug"], params.get("texter"))
            except InputError as exc:
                problems.extend(p for p in exc.problems if p not in problems)
    try:
        if inputs is not None and inputs.kolada is not None:  # each report's municipality must be in it
            for _, params in reports:
                select_kommun(inputs.kolada, params.get("kommunkod"), inputs.sources["kolada"]["fil"])
    except InputError as exc:
        problems.extend(p for p in exc.problems if p not in problems)
    if inputs is not None:
        problems.extend(_years_and_department(inputs, reports))
    return inputs, problems


def _years_and_department(inputs, reports) -> list[Problem]:
    """What a params file asks of its data: a department the register has, a base year that is
    a snapshot year, and a population forecast that covers basår to slutår."""
    problems = []
    known = sorted(set(inputs.personal["forvaltning"]))
    snapshots = inputs.snapshot_years
    forecast = set(int(y) for y in inputs.befolkning["ar"].unique())
    for path, params in reports:
        forvaltning, basar = params.get("forvaltning"), params.get("basar")
        if forvaltning is not None and forvaltning not in known:
            rule = f"okänd förvaltning; finns: {', '.join(known)}"
            problems.append(Problem(str(path), None, "forvaltning", rule, forvaltning, where="nyckel"))
        if basar is not None and basar not in snapshots:
            rule = f"basåret ska vara ett år med en ögonblicksbild i personal ({snapshots[0]}–{snapshots[-1]})"
            problems.append(Problem(str(path), None, "basar", rule, basar, where="nyckel"))
        if params.get("personalbehov_extern"):
            continue  # the consultant's table gives the years
        first = basar if basar is not None else snapshots[-1]
        last = params.get("slutar") or first + 5
        missing = sorted(set(range(first, last + 1)) - forecast)
        if missing:
            rule = f"befolkningsprognosen saknar åren {missing[0]}–{missing[-1]}"
            problems.append(Problem(str(path), None, "slutar", rule, last, where="nyckel"))
    return problems


_held_locks: set[int] = set()


def _close_locks_in_child() -> None:
    """A forked child lets go of its copy of the out folder's lock: the lock is the run's
    alone, released by the kernel when the run's process ends, however it ends."""
    for fd in list(_held_locks):
        with contextlib.suppress(OSError):
            os.close(fd)
    _held_locks.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


@contextmanager
def batch_lock(out_dir: Path, wait: float | None = None):
    """Hold the out folder's lock (flock on the open folder, which the kernel releases when
    the process ends, kill -9 included; forked children close their copy) for a batch; a
    second batch waits up to LOCK_WAIT seconds, then stops with a clear message."""
    import fcntl

    fd = os.open(out_dir, os.O_RDONLY | os.O_CLOEXEC)
    _held_locks.add(fd)
    try:
        deadline, told = time.monotonic() + (LOCK_WAIT if wait is None else wait), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ReportError(
                        f"en annan körning skriver redan i {out_dir}; försök igen när den är klar"
                    ) from None
                if not told:
                    print(f"kompetens: väntar på en annan körning i {out_dir} …", file=sys.stderr)
                    told = True
                time.sleep(0.2)
        yield
    finally:
        _held_locks.discard(fd)
        os.close(fd)  # releases the lock


def _worker_start(runner: int) -> None:
    """A batch worker dies with the runner (see kernels.die_with_parent)."""
    kernels.die_with_parent(runner)


def _run_pool(params_files, out_dir: Path, data_dir, force, jobs: int, bar) -> list[RunResult]:
    """The reports in jobs worker processes. A worker that dies (killed, out of memory)
    breaks the pool: the reports it took with it are run once more, each in a process of its
    own, so that only the report whose process dies again fails."""
    results, broken = [], []
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start, initargs=(os.getpid(),)) as pool:
        futures = {pool.submit(run_report, path, out_dir, data_dir, force): path for path in params_files}
        for future in as_completed(futures):
            if isinstance(future.exception(), BrokenProcessPool):
                broken.append(futures[future])
                continue
            results.append(_result(future, futures[future]))
            bar.update()
    if broken:
        from concurrent.futures import ThreadPoolExecutor

        def alone(path):
            with ProcessPoolExecutor(1, initializer=_worker_start, initargs=(os.getpid(),)) as one:
                return _result(one.submit(run_report, path, out_dir, data_dir, force), path, retried=True)

        with ThreadPoolExecutor(max_workers=jobs) as threads:
            for result in threads.map(alone, broken):
                results.append(result)
                bar.update()
    return results


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
    unchanged since their last successful run are skipped (and still listed). Bad input
    raises InputError before anything is written; an out folder that cannot be written
    raises ReportError."""
    if scheduler is None:  # the kernels' fork server imports the report's stack during the checks
        kernels.start()
    check_batch(params_files, data_dir)
    out_dir = Path(out_dir).resolve()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"kan inte skriva i utkatalogen {out_dir}: {exc.strerror}") from None
    if progress is None:
        progress = sys.stderr.isatty()
    from tqdm.auto import tqdm

    with batch_lock(out_dir):
        try:
            shutil.rmtree(out_dir / WORK, ignore_errors=True)  # what a crashed run left
            work_dir(out_dir)
        except OSError as exc:
            raise ReportError(f"kan inte skriva i utkatalogen {out_dir}: {exc.strerror}") from None
        results: list[RunResult] = []
        bar = tqdm(total=len(params_files), desc="Rapporter", unit="rapport", disable=not progress)
        try:
            if scheduler is not None:
                results = _run_distributed(params_files, out_dir, data_dir, force, bar, scheduler)
            elif jobs <= 1:
                for i, path in enumerate(params_files):
                    if i == len(params_files) - 1:
                        kernels.stop_after_next()
                    results.append(run_report(path, out_dir, data_dir, force))
                    bar.update()
            else:
                results = _run_pool(params_files, out_dir, data_dir, force, jobs, bar)
        finally:
            bar.close()
            kernels.stop()
        try:
            order = {str(p): i for i, p in enumerate(params_files)}
            results.sort(key=lambda r: order[r.params_file])
            write_index(results, out_dir)
        finally:
            with contextlib.suppress(OSError):
                (out_dir / WORK).rmdir()  # left only when empty
    return results


def _result(future, params_file: Path, retried: bool = False) -> RunResult:
    """A finished report's result; a process that died gives a failed result, not an error."""
    try:
        return future.result()
    except Exception as exc:
        died = isinstance(exc, BrokenProcessPool)
        error = "processen som körde rapporten dog (två gånger)" if died and retried else f"{type(exc).__name__}: {exc}"
        return RunResult(
            str(params_file),
            _slug(params_file),
            _slug(params_file),
            ok=False,
            seconds=0.0,
            error=error,
            fel="processen dog" if died else type(exc).__name__,
        )


def _slug(params_file: Path) -> str:
    with contextlib.suppress(InputError):
        return load_params(params_file).get("slug", "rapport")
    return "rapport"


def _run_distributed(params_files, out_dir: Path, data_dir, force, bar, scheduler) -> list[RunResult]:
    """Reports on a Dask cluster; unchanged ones are skipped locally first."""
    from distributed import Client

    from kompetens.run.distributed import run_on_cluster

    skipped, todo = [], []
    for path in params_files:
        params = load_params(path)
        folder = report_folder(params, data_dir, path)
        if not force and unchanged(out_dir / params.get("slug", "rapport"), fingerprint(path, folder)):
            skipped.append(run_report(path, out_dir, data_dir, force=False))
            bar.update()
        else:
            todo.append((path, folder))
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        return skipped + run_on_cluster(client, todo, out_dir, bar)
    finally:
        if client is not scheduler:
            client.close()


def reports_present(out_dir: Path) -> dict[str, dict]:
    """Every finished report in the out folder: {slug: key figures}, by slug."""
    found = {}
    for folder in sorted(p for p in out_dir.iterdir() if p.is_dir() and not p.is_symlink()):
        if re.fullmatch(SLUG, folder.name) and (folder / HTML).is_file() and (folder / NYCKELTAL).is_file():
            with contextlib.suppress(OSError, ValueError):
                figures = read_key_figures(folder)
                found[folder.name] = figures if isinstance(figures, dict) else {}
    return found


def write_index(results: list[RunResult], out_dir: str | Path) -> Path:
    """outputs/index.html: one row per report present in the out folder (this run's and
    earlier ones) with its headline figures, a link, and the last failure's sanitised message
    when its latest run failed; reports that failed with no earlier output are listed apart.
    Written atomically: a full disk leaves the previous index."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    from kompetens.report import formats as fmt

    out_dir = Path(out_dir)
    env.filters["tal"] = lambda x, d=0: fmt.number(x, d)
    env.filters["procent"] = lambda x: fmt.percent(x)
    present = reports_present(out_dir)
    this_run = {r.slug: r for r in results}
    slugs = [r.slug for r in results if r.slug in present] + [s for s in present if s not in this_run]
    rows, others = [], []
    for slug in slugs:
        r = this_run.get(slug)
        fel = (r.fel if r is not None and not r.ok else None) or _failure(out_dir / slug)
        row = {"slug": slug, "titel": str(present[slug].get("titel", slug)), "nyckeltal": present[slug], "fel": fel}
        row["pdf"] = (out_dir / slug / PDF).is_file()
        (rows if set(present[slug]) >= INDEX_KEYS else others).append(row)
    rows.sort(key=lambda row: bool(row["nyckeltal"].get("forvaltning")))  # the board first
    failed = [
        {"titel": r.titel, "fil": Path(r.params_file).name, "fel": r.fel}
        for r in results
        if not r.ok and r.slug not in present
    ]
    html = env.get_template("index.html.j2").render(rows=rows, others=others, failed=failed, html=HTML, pdf=PDF)
    path = out_dir / INDEX
    tmp = out_dir / f".{INDEX}.{os.getpid()}.tmp"
    try:
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise ReportError(f"kan inte skriva {path}: {exc.strerror}") from None
    return path


def _failure(report: Path) -> str | None:
    try:
        return (report / FAILURE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
