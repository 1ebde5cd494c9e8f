"""Running a batch on a Dask distributed cluster (the optional extra `kompetens[dask]`).

Each report runs on a worker into a temporary folder there; the worker sends the finished
folder back as a tar archive, and the client unpacks it into the same outputs/<slug>/ layout
a local run writes, so the index and incremental runs work as before. Workers need this
package installed and the data folder at the same path (a shared file system, or the
files copied to each node); nothing else is shared.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from pathlib import Path

from kompetens.io.params import load_params
from kompetens.run.execute import RunResult, _replace_dir, run_report, work_dir


def _run_on_worker(params_name: str, params_text: str, data_dir: str) -> tuple[RunResult, bytes | None]:
    """Run one report on a worker; return its result and the report folder as a tar archive."""
    work = Path(tempfile.mkdtemp(prefix="kompetens-worker-"))
    try:
        params = work / params_name
        params.write_text(params_text, encoding="utf-8")
        result = run_report(params, work / "out", data_dir, force=True)
        archive = None
        if result.ok:
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
                tar.add(work / "out" / result.slug, arcname=result.slug)
            archive = buffer.getvalue()
        return result, archive
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_on_cluster(client, todo: list[tuple[Path, Path]], out_dir: Path, progress) -> list[RunResult]:
    """Submit every (params file, data folder) to the cluster and unpack each finished
    report into out_dir/<slug>/. A report that fails, or whose worker dies, is a failed
    result; the others go on."""
    from distributed import as_completed

    futures = {
        client.submit(_run_on_worker, p.name, p.read_text(encoding="utf-8"), str(folder), pure=False): p
        for p, folder in todo
    }
    results = []
    for future in as_completed(futures):
        params_file = futures[future]
        try:
            result, archive = future.result()
        except Exception as exc:  # the worker died or the task could not run: this report only
            slug = load_params(params_file).get("slug", "rapport")
            result, archive = RunResult(str(params_file), slug, slug, ok=False, seconds=0.0), None
            result.error, result.fel = f"{type(exc).__name__}: {exc}", type(exc).__name__
        result.params_file = str(params_file)
        if archive is not None:
            try:
                _unpack(archive, result.slug, out_dir)
            except Exception as exc:  # e.g. a full disk: the previous report stays
                result.ok, result.error, result.fel = False, f"{type(exc).__name__}: {exc}", type(exc).__name__
        results.append(result)
        progress.update()
    return results


def _unpack(archive: bytes, slug: str, out_dir: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f"{slug}-", dir=work_dir(out_dir)))
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            tar.extractall(staging, filter="data")
        _replace_dir(staging / slug, out_dir / slug)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
