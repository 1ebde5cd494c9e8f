"""Running one report: Papermill on the report notebook, HTML without code, the privacy scan.

Each report runs into a temporary folder beside its destination and replaces
outputs/<slug>/ only when complete, so a failure never leaves a half-written report
and the previous good one survives.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kompetens.errors import ReportError
from kompetens.io.fingerprint import PACKAGE_ROOT, package_hash
from kompetens.io.params import DEFAULTS, load_params
from kompetens.plan.key_figures import FILENAME as NYCKELTAL
from kompetens.plan.key_figures import read_key_figures
from kompetens.privacy.scanner import scan_outputs
from kompetens.report.narrative import TEMPLATES

NOTEBOOK = PACKAGE_ROOT / "notebooks" / "kompetensforsorjning.ipynb"
EXECUTED = "rapport.ipynb"
HTML = "rapport.html"
FINGERPRINT = ".fingeravtryck"  # what the report was made from; see fingerprint()


@dataclass
class RunResult:
    """The outcome of one report."""

    params_file: str
    slug: str
    titel: str
    ok: bool
    seconds: float
    error: str | None = None
    nyckeltal: dict = field(default_factory=dict)
    skipped: bool = False  # unchanged since the last successful run, not run again


@cache
def html_exporter():
    """The HTML exporter, code and prompts hidden; made once per process (it takes a few
    tenths of a second to import and set up)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="rapport",
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def render_html(executed, html: Path) -> None:
    """Export an executed notebook (a NotebookNode or a path) as HTML without code."""
    exporter = html_exporter()
    if isinstance(executed, (str, Path)):
        body, _ = exporter.from_filename(str(executed))
    else:
        body, _ = exporter.from_notebook_node(executed)
    html.write_text(static_page(body), encoding="utf-8")


def static_page(body: str) -> str:
    """The report without scripts: it is static text, tables and images, and opening it must
    not make the reader's browser fetch anything (the exporter links require.js, MathJax
    and mermaid from CDNs)."""
    return re.sub(r"<script\b[^>]*>.*?</script>\s*", "", body, flags=re.S | re.I)


def _error_text(exc: BaseException) -> str:
    """A short readable error: the notebook's own exception when papermill reports one."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{type(exc).__name__}: {exc}"


def fingerprint(params_file: str | Path, input_hashes: dict) -> str:
    """What a report depends on: the notebook, the params file, the inputs (their SHA-256)
    and the package (its version and source files). Equal fingerprints, equal reports."""
    h = hashlib.sha256()
    h.update(NOTEBOOK.read_bytes())
    h.update(Path(params_file).read_bytes())
    h.update(json.dumps(input_hashes, sort_keys=True).encode())
    h.update(package_hash().encode())
    return h.hexdigest()


def run_report(
    params_file: str | Path,
    out_dir: str | Path,
    data_dir: str | Path | None = None,
    person_ids: frozenset = frozenset(),
    input_hashes: dict | None = None,
    force: bool = True,
) -> RunResult:
    """Execute the report notebook for one params file into out_dir/<slug>/, after the privacy
    scanner has read every output; a finding fails the report. Unless force, a report whose
    fingerprint equals that of its last successful run is not run again."""
    import papermill as pm

    start = time.perf_counter()
    params = load_params(params_file)
    slug = params.get("slug", "rapport")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = fingerprint(params_file, input_hashes or {})
    done = out_dir / slug / FINGERPRINT
    if not force and done.exists() and done.read_text(encoding="utf-8") == stamp:
        return RunResult(
            str(params_file),
            slug,
            params.get("titel", slug),
            ok=True,
            seconds=time.perf_counter() - start,
            nyckeltal=read_key_figures(out_dir / slug),
            skipped=True,
        )
    tmp = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=out_dir))
    tmp.chmod(0o755)
    parameters = {**params, "utkatalog": str(tmp)}
    if data_dir is not None:
        parameters["data_dir"] = str(Path(data_dir).resolve())
    result = RunResult(str(params_file), slug, params.get("titel", slug), ok=False, seconds=0.0)
    try:
        # the exporter is set up while the kernel works, on the core the kernel leaves idle
        warm = threading.Thread(target=html_exporter, daemon=True)
        warm.start()
        # absolute paths only, and no cwd: papermill would change the whole process's directory.
        # The notebook is written once at the end, not after every cell, and the kernel is
        # stopped as soon as the last cell is done: its outputs are all in by then.
        with _single_threaded_kernel():
            executed = pm.execute_notebook(
                str(NOTEBOOK),
                str(tmp / EXECUTED),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                request_save_on_cell_execute=False,
                shutdown_kernel="immediate",
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        warm.join()
        render_html(executed, tmp / HTML)
        if not (tmp / NYCKELTAL).exists():
            raise RuntimeError(f"the notebook wrote no {NYCKELTAL}")
        result.nyckeltal = read_key_figures(tmp)
        findings = scan_outputs(tmp, person_ids, params.get("k_anonymitet", DEFAULTS["k_anonymitet"]))
        if findings:
            shown = "; ".join(str(f) for f in findings[:5])
            raise ReportError(f"integritetskontrollen hittade {len(findings)} fynd: {shown}")
        (tmp / FINGERPRINT).write_text(stamp, encoding="utf-8")
        _replace_dir(tmp, out_dir / slug)
        result.ok = True
    except Exception as exc:  # a failed report is reported, never raised: the batch goes on
        result.error = _error_text(exc)
        shutil.rmtree(tmp, ignore_errors=True)
    result.seconds = time.perf_counter() - start
    return result


#: The kernel's numerical libraries run on one thread: reports already run in parallel, and
#: the same summation order everywhere (a laptop, CI, a Dask worker) gives the same digits.
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextmanager
def _single_threaded_kernel():
    saved = {k: os.environ.get(k) for k in SINGLE_THREAD}
    os.environ.update(SINGLE_THREAD)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _replace_dir(new: Path, dest: Path) -> None:
    """Move new into dest, replacing an existing dest only once new is in place."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}-old-{time.time_ns()}")
        dest.rename(old)
    new.rename(dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
