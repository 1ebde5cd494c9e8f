"""Report kernels forked from the warm fork server: the same report as from a fresh kernel,
one server per batch (workers share it), a private socket, and a preload list that covers
what a report imports."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
import zipfile

from conftest import ROOT
from kompetens.run import kernels
from kompetens.run.execute import HTML, run_report


def _page(path) -> str:
    """A report page without what differs between any two runs: the cell id papermill gives
    its injected parameters and the random ids pandas gives styled tables."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r'(celltag_injected-parameters" id="cell-id=)[0-9a-f]+', r"\1", text)
    return re.sub(r"\bT_[0-9a-f]{5}", "T_", text)


def _workbook(path) -> dict[str, bytes]:
    """The workbook's parts, without its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_a_report_from_a_forked_kernel_is_the_one_from_a_fresh_kernel(batch, tmp_path, monkeypatch):
    out, _ = batch  # run_batch: every kernel forked from the fork server
    fresh = tmp_path / "fresh"

    def gone(*args):  # a fork server that gives no kernel: the kernel starts the usual way
        raise kernels.ForkServerError("kernelservern svarar inte")

    monkeypatch.setattr(kernels.ForkServer, "fork", gone)
    result = run_report(ROOT / "params" / "aldreomsorg.yaml", fresh)
    assert result.ok, result.error
    forked, cold = out / result.slug, fresh / result.slug
    assert _page(forked / HTML) == _page(cold / HTML)
    assert _workbook(forked / "tabeller.xlsx") == _workbook(cold / "tabeller.xlsx")
    assert (forked / "nyckeltal.json").read_bytes() == (cold / "nyckeltal.json").read_bytes()
    assert len(_page(cold / HTML)) > 500_000  # a whole report, figures included


def test_a_forked_batch_worker_uses_its_parents_server_and_the_socket_is_private():
    server = kernels.start()
    try:
        assert kernels.start() is server  # one per process
        folder = os.stat(server.folder)
        assert stat.S_IMODE(folder.st_mode) == 0o700 and folder.st_uid == os.getuid()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # a worker: the same server, not a new one
            try:
                os.write(write, json.dumps([kernels.start().address, kernels.start().process.pid]).encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        assert json.loads(os.read(read, 4096)) == [server.address, server.process.pid]
        os.close(read)
    finally:
        kernels.stop()
    assert server.process.wait(timeout=30) == 0  # it quits when let go of, even mid-import
    assert not os.path.exists(server.folder)
    assert kernels.start() is not server
    kernels.stop()


def test_a_forked_kernel_quits_with_the_server_and_a_gone_server_gives_no_kernel(tmp_path):
    """A fresh kernel quits when its runner does; a forked one when the fork server does,
    which quits with the runner. A client of a server that is gone gets ForkServerError,
    and its kernel is then started the usual way."""
    import psutil
    import pytest

    server = kernels.start()
    connection = tmp_path / "kernel.json"
    pid = server.fork(["-f", str(connection), "--IPKernelApp.log_level=CRITICAL"], dict(os.environ), str(tmp_path))
    kernel = psutil.Process(pid)
    assert kernel.ppid() == server.process.pid
    for _ in range(200):  # the kernel is up when it has written its connection file
        if connection.exists() and connection.stat().st_size:
            break
        time.sleep(0.05)
    assert kernel.is_running() and kernel.cwd() == str(tmp_path) and os.getsid(pid) == pid  # its own session
    kernels.stop()
    assert server.process.wait(timeout=30) == 0
    gone, _ = psutil.wait_procs([kernel], timeout=15)  # not our child: wait until it has gone
    assert gone, "the forked kernel outlived its fork server"
    with pytest.raises(kernels.ForkServerError, match="startade inte"):
        server.fork(["-f", str(tmp_path / "k2.json")], dict(os.environ), str(tmp_path))


def test_only_this_interpreters_ipykernel_is_forked():
    assert kernels._forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not kernels._forkable([sys.executable, "-m", "other_kernel", "-f", "k.json"])
    assert not kernels._forkable(["/bin/sh", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not kernels._forkable([])


PROBE = """
import json, sys
from kompetens.run.kernels import PRELOAD
for name in PRELOAD:
    __import__(name)
before = set(sys.modules)
from kompetens.io.params import load_params
params = load_params(sys.argv[1])
params["utkatalog"] = sys.argv[2]
notebook = json.load(open(sys.argv[3], encoding="utf-8"))
namespace = dict(params)
for cell in notebook["cells"]:
    if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", []):
        exec("".join(cell["source"]), namespace)
print(json.dumps(sorted(set(sys.modules) - before)))
"""

#: Libraries whose import a report's kernel must not still pay after the preload.
HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "lifelines", "matplotlib", "seaborn", "openpyxl")


def test_the_preload_covers_what_a_report_imports(tmp_path):
    notebook = ROOT / "notebooks" / "kompetensforsorjning.ipynb"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "params" / "social-och-omsorgsnamnden.yaml"), str(tmp_path), notebook],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "MPLBACKEND": "agg"},
    )
    later = json.loads(done.stdout.splitlines()[-1])
    assert (tmp_path / "nyckeltal.json").exists()  # the whole notebook ran
    assert [m for m in later if m.startswith("kompetens.")] == []
    # a library's own lazily imported submodules are small; a library not yet imported is not
    assert sorted(m for m in later if m in HEAVY) == []


def test_a_run_stopped_by_bad_input_leaves_no_fork_server_behind(tmp_path):
    params = tmp_path / "fel.yaml"
    params.write_text("titel: Fel\nslug: fel\nbasar: tjugo\n", encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "kompetens", "run", str(params), "--out", str(tmp_path / "ut")],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "basar" in done.stderr and "Traceback" not in done.stderr
    assert list(temp.iterdir()) == []  # the server's socket folder is gone with it
