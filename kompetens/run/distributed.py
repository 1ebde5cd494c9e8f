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

from kompetens.run.execute import RunResult, _replace_dir, run_report


def _run_on_worker(
    params_name: str, params_text: str, data_dir: str | None, person_ids: frozenset, input_hashes: dict
) -> tuple[RunResult, bytes | None]:
    """Run one report on a worker; return its result and the report folder as a tar archive."""
    work = Path(tempfile.mkdtemp(prefix="kompetens-worker-"))
    try:
        params = work / params_name
        params.write_text(params_text, encoding="utf-8")
        result = run_report(params, work / "out", data_dir, person_ids, input_hashes, force=True)
        archive = None
        if result.ok:
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
                tar.add(work / "out" / result.slug, arcname=result.slug)
            archive = buffer.getvalue()
        return result, archive
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_on_cluster(
    client, params_files: list[Path], out_dir: Path, data_dir, person_ids, input_hashes, progress
) -> list[RunResult]:
    """Submit every report to the cluster and unpack each finished one into out_dir/<slug>/."""
    from distributed import as_completed

    data = str(Path(data_dir).resolve()) if data_dir is not None else None
    futures = {
        client.submit(
            _run_on_worker, p.name, p.read_text(encoding="utf-8"), data, person_ids, input_hashes, pure=False
        ): p
        for p in params_files
    }
    results = []
    for future in as_completed(futures):
        result, archive = future.result()
        result.params_file = str(futures[future])
        if archive is not None:
            staging = Path(tempfile.mkdtemp(prefix=f".{result.slug}-", dir=out_dir))
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
                tar.extractall(staging, filter="data")
            _replace_dir(staging / result.slug, out_dir / result.slug)
            shutil.rmtree(staging, ignore_errors=True)
        results.append(result)
        progress.update()
    return results
