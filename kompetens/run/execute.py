"""Running one report: Papermill on the report notebook, HTML without code, the privacy scan.

Each report runs into a temporary folder in the out folder's private work area
(`.arbete/`, owner-only, emptied at the start of every batch) and replaces outputs/<slug>/
only when complete and scanned, so a failure or a crash never publishes a half-written or
unscanned report, and the previous good one survives.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kompetens.errors import KompetensError, ReportError
from kompetens.io.fingerprint import PACKAGE_ROOT, named_inputs, package_hash, sha256
from kompetens.io.load import data_folder, load_inputs
from kompetens.io.params import DEFAULTS, load_params
from kompetens.plan.key_figures import FILENAME as NYCKELTAL
from kompetens.plan.key_figures import read_key_figures
from kompetens.privacy.scanner import PersonIds, sanitise, scan_outputs
from kompetens.report import pdf
from kompetens.report.narrative import TEMPLATES
from kompetens.run import kernels
from kompetens.run.kernels import single_threaded

NOTEBOOK = PACKAGE_ROOT / "notebooks" / "kompetensforsorjning.ipynb"
EXECUTED = "rapport.ipynb"
HTML = "rapport.html"
FINGERPRINT = ".fingeravtryck"  # what the report was made from and what it wrote; see fingerprint()
FAILURE = ".fel"  # the last failed run's sanitised message, beside a kept report
WORK = ".arbete"  # the out folder's private work area: temporary report folders
LOCKS = sorted((PACKAGE_ROOT / "requirements").glob("*.lock"))  # the locked dependency versions


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
    fel: str | None = None  # the error sanitised for the index page: no ids, dates or numbers
    notes: list[str] = field(default_factory=list)  # what the reader should know, e.g. no PDF
    pages: int | None = None  # rapport.pdf's page count


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


def render_html(executed, html: Path, title: str | None = None) -> None:
    """Export an executed notebook (a NotebookNode or a path) as HTML without code; title
    is its report_title when the caller has it already."""
    import nbformat

    if isinstance(executed, (str, Path)):
        executed = nbformat.read(str(executed), as_version=4)
    params = {**DEFAULTS, **executed.metadata.get("papermill", {}).get("parameters", {})}
    executed.metadata["title"] = title or report_title(params)
    exporter = html_exporter()
    exporter.language_code = params["sprak"]  # <html lang>: the report's language
    body, _ = exporter.from_notebook_node(executed)
    html.write_text(static_page(body), encoding="utf-8")


def report_title(params: dict) -> str:
    """The page title: the plan's name and the board or department, in the report's language."""
    from kompetens.report.common import HEADERS

    return f"{HEADERS[params['sprak']]['title']}: {params['titel']}"


def static_page(body: str) -> str:
    """The report without scripts: it is static text, tables and images, and opening it must
    not make the reader's browser fetch anything (the exporter links require.js, MathJax
    and mermaid from CDNs)."""
    return re.sub(r"<script\b[^>]*>.*?</script>\s*", "", body, flags=re.S | re.I)


def _error_text(exc: BaseException) -> str:
    """A short readable error: the notebook's own exception when papermill reports one."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return str(evalue) if ename in ("InputError", "ReportError") else f"{ename}: {evalue}"
    if isinstance(exc, KompetensError):  # our own errors say what is wrong in words
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def data_files(folder: Path) -> list[Path]:
    """Every file a report may read from its data folder (tables, Kolada, activity plan,
    an external projection in a subfolder, texts): all regular files not hidden."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def fingerprint(params_file: str | Path, folder: str | Path) -> str:
    """What a report depends on: the notebook, the params file, every file in its data folder
    (SHA-256), the package (version and source files) and the locked dependency versions.
    The texts and external table it names (hidden ones too) and, with an activity plan, the
    run date. Equal fingerprints, equal reports."""
    folder = Path(folder)
    h = hashlib.sha256()
    h.update(NOTEBOOK.read_bytes())
    h.update(Path(params_file).read_bytes())
    for path in data_files(folder):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + sha256(path).encode())
    h.update(named_inputs(params_file, folder))
    h.update(package_hash().encode())
    for lock in LOCKS:
        h.update(lock.read_bytes())
    return h.hexdigest()


def output_hashes(folder: Path) -> dict[str, str]:
    """The SHA-256 of every output file of a report folder (not the hidden bookkeeping)."""
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def unchanged(report: Path, stamp: str) -> bool:
    """True when the report folder was made from this fingerprint and its outputs are still
    the ones it wrote (an edited, added or removed output means a rerun)."""
    try:
        done = json.loads((report / FINGERPRINT).read_text(encoding="utf-8"))
        return done["indata"] == stamp and done["utdata"] == output_hashes(report)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def report_folder(params: dict, data_dir: str | Path | None, params_file: str | Path) -> Path:
    """The data folder a report reads: the runner's (--data) over the params file's data_dir
    over the demo data, checked to be a folder."""
    if data_dir is not None:
        return data_folder(data_dir, "--data", "--data")
    return data_folder(params.get("data_dir"), str(params_file))


def work_dir(out_dir: Path) -> Path:
    """The out folder's private work area (0700), made if missing."""
    work = out_dir / WORK
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    work.chmod(0o700)
    return work


def run_report(
    params_file: str | Path,
    out_dir: str | Path,
    data_dir: str | Path | None = None,
    force: bool = True,
) -> RunResult:
    """Execute the report notebook for one params file into out_dir/<slug>/, after the privacy
    scanner has read every output against the person ids of the report's own inputs; a
    finding fails the report. Unless force, a report whose fingerprint and outputs are those
    of its last successful run is not run again. Never raises: a failure is in the result
    (and its sanitised message in out_dir/<slug>/.fel when an older report is kept)."""
    start = time.perf_counter()
    result = RunResult(str(params_file), "rapport", "rapport", ok=False, seconds=0.0)
    out_dir = Path(out_dir).resolve()
    params, prep = None, None
    try:
        params = load_params(params_file)
        result.slug = params.get("slug", "rapport")
        result.titel = params.get("titel", result.slug)
        folder = report_folder(params, data_dir, params_file)
        stamp = fingerprint(params_file, folder)
        dest = out_dir / result.slug
        prep = _Preparation(folder, params)
        if not force and unchanged(dest, stamp):
            prep.run()  # the inputs are still checked, and their ids redact a failure's message
            prep.raise_error()
            result.ok = result.skipped = True
            result.nyckeltal = read_key_figures(dest)
            (dest / FAILURE).unlink(missing_ok=True)
        else:
            _execute(params, folder, out_dir, stamp, prep, result)
            result.ok = True
    except Exception as exc:  # a failed report is reported, never raised: the batch goes on
        result.error = _error_text(exc)
        result.fel = sanitise(result.error, prep.person_ids if prep is not None else frozenset())
        if params is not None:
            _note_failure(out_dir / result.slug, result.fel)
    result.seconds = time.perf_counter() - start
    return result


def person_ids(folder: Path) -> PersonIds:
    """The person ids of a data folder's validated inputs, for the scan; the tables
    themselves are not kept."""
    inputs = load_inputs(folder)
    ids = PersonIds(set(inputs.personal["person_id"]) | set(inputs.avgangar["person_id"]))
    del inputs
    if "pyarrow" in sys.modules:  # the Parquet reader's buffers go back to the system (~25 MiB)
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    return ids


class _Preparation(threading.Thread):
    """The runner's own work, done while the kernel runs (on the core the kernel leaves
    idle): the person ids of the report's inputs, the HTML exporter and the page title. An
    error is kept for the runner to raise after the kernel."""

    def __init__(self, folder: Path, params: dict):
        super().__init__(daemon=True)
        self.folder, self.params = folder, params
        self.person_ids: PersonIds | frozenset = frozenset()
        self.title: str | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.person_ids = person_ids(self.folder)
            html_exporter()
            self.title = report_title({**DEFAULTS, **self.params})
        except Exception as exc:
            self.error = exc

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


class _Scan(threading.Thread):
    """The privacy scan of a report folder in a thread; raise_findings fails the report when
    it found anything (or could not read the folder)."""

    def __init__(self, folder: Path, person_ids, k: int):
        super().__init__(daemon=True)
        self.folder, self.person_ids, self.k = folder, person_ids, k
        self.findings: list | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            self.findings = scan_outputs(self.folder, self.person_ids, self.k)
        except Exception as exc:
            self.error = exc

    def raise_findings(self) -> None:
        if self.error is not None:
            raise self.error
        if self.findings:
            shown = "; ".join(str(f) for f in self.findings[:5])
            raise ReportError(f"integritetskontrollen hittade {len(self.findings)} fynd: {shown}")


def _papermill():
    """papermill, imported without building jsonschema's IRI grammar: jsonschema builds ~35
    Earley parsers of rfc3987-syntax when it is imported (about 1 s of CPU, before the kernel
    can start; python-jsonschema/jsonschema#1428), for an "iri" format that no notebook
    schema uses and that nbformat, which validates without format checks, never checks."""
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # its import fails: no "iri" checker
        try:
            import jsonschema  # noqa: F401
        finally:
            del sys.modules["rfc3987_syntax"]
    import papermill

    return papermill


def _execute(params: dict, folder: Path, out_dir: Path, stamp: str, prep: _Preparation, result: RunResult) -> None:
    pm = _papermill()

    tmp = Path(tempfile.mkdtemp(prefix=f"{result.slug}-", dir=work_dir(out_dir)))
    parameters = {**params, "utkatalog": str(tmp), "data_dir": str(folder)}
    try:
        prep.start()
        # absolute paths only, and no cwd: papermill would change the whole process's directory.
        # The notebook is written once at the end, not after every cell, and the kernel is
        # stopped as soon as the last cell is done: its outputs are all in by then.
        try:
            with single_threaded():
                executed = pm.execute_notebook(
                    str(NOTEBOOK),
                    str(tmp / EXECUTED),
                    parameters=parameters,
                    kernel_name="python3",
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    shutdown_kernel="immediate",
                    extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                    kernel_manager_class=kernels.kernel_manager(),
                )
        finally:
            kernels.kernel_ended()
            prep.join()
            prep.raise_error()  # bad inputs are told as the runner found them, not as the kernel did
        # Chromium starts now, when the kernel's memory is free again, and gets ready while
        # the page is rendered and scanned (a batch worker's browser is already running)
        browser = pdf.shared_browser() if pdf.chromium() is not None else None
        render_html(executed, tmp / HTML, prep.title)
        del executed
        if not (tmp / NYCKELTAL).exists():
            raise RuntimeError(f"the notebook wrote no {NYCKELTAL}")
        result.nyckeltal = read_key_figures(tmp)
        # the scan reads every output while Chromium prints the page on the other core; the
        # PDF stays outside the report folder until the scan has passed
        k = params.get("k_anonymitet", DEFAULTS["k_anonymitet"])
        scan = _Scan(tmp, prep.person_ids, k)
        scan.start()
        printed = tmp.parent / f".{tmp.name}.pdf"
        try:
            if browser is None:
                result.notes.append("ingen rapport.pdf: Chromium saknas (Debian/Ubuntu: apt-get install chromium)")
            else:
                try:
                    result.pages = pdf.write_pdf(tmp / HTML, printed, browser)
                except ReportError:
                    pdf.close_shared_browser()  # the next report starts a fresh one
                    raise
        finally:
            scan.join()
            scan.raise_findings()  # a finding fails the report before anything else does
        if browser is not None:
            printed.rename(tmp / pdf.FILENAME)
        record = {"indata": stamp, "utdata": output_hashes(tmp)}
        (tmp / FINGERPRINT).write_text(json.dumps(record, indent=1), encoding="utf-8")
        tmp.chmod(0o755)
        _replace_dir(tmp, out_dir / result.slug)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp.parent / f".{tmp.name}.pdf").unlink(missing_ok=True)


def _note_failure(report: Path, message: str) -> None:
    """Keep the failure's sanitised message beside an older report (for the index page)."""
    if (report / NYCKELTAL).is_file():
        with contextlib.suppress(OSError):  # a read-only or full disk: the index shows it anyway
            (report / FAILURE).write_text(message, encoding="utf-8")


def _replace_dir(new: Path, dest: Path) -> None:
    """Move new into dest; an existing dest is first moved into the work area (and then
    removed), so dest is never half one report and half the other."""
    old = None
    if dest.is_symlink() or dest.is_file():
        raise ReportError(f"{dest.name} i utkatalogen är ingen rapportmapp; flytta eller ta bort den")
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{dest.name}-old-", dir=work_dir(dest.parent))) / dest.name
        dest.rename(old)
    try:
        new.rename(dest)
    except OSError:
        if old is not None:  # put the previous report back
            old.rename(dest)
        raise
    if old is not None:
        shutil.rmtree(old.parent, ignore_errors=True)
