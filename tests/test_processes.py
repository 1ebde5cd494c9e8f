"""The runner's processes: nothing outlives a killed runner, its lock goes with it, a dead
batch worker fails (after one more try) only its own report, and the package is the same
from any working directory."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from kompetens.run import batch
from kompetens.run.execute import RunResult

ROOT = Path(__file__).resolve().parent.parent
KOMPETENS = Path(sys.executable).parent / "kompetens"


def _marked(marker: str) -> list[int]:
    """The pids of the processes whose environment holds marker (this user's processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _params(tmp_path: Path, *names: str) -> list[Path]:
    files = []
    for name in names:
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(f"titel: {name}\nslug: {name}\nforvaltning: Stab\nsimuleringar: 0\n", encoding="utf-8")
    return files


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_a_runner_killed_with_sigkill_leaves_no_process_and_no_lock(tmp_path):
    """kill -9 of the runner while its workers, the fork server and kernels run: within a few
    seconds nothing of the run is left, and the next run gets the out folder's lock at once."""
    marker = f"KOMPETENS_TEST_RUN={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    out = tmp_path / "out"
    runner = subprocess.Popen(
        [str(KOMPETENS), "run", "--jobs", "2", "--out", str(out), *map(str, _params(tmp_path, "a", "b"))],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(_marked(marker)) < 5:  # runner, server, 2 workers, a kernel
        time.sleep(0.2)
    started = len(_marked(marker))
    assert started >= 4, f"only {started} processes of the run started"
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _marked(marker):
        time.sleep(0.2)
    left = _marked(marker)
    for pid in left:  # (the test's own clean-up, so a failure leaves nothing either)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert left == [], f"{len(left)} of {started} processes outlived the runner"
    start = time.monotonic()
    with batch.batch_lock(out, wait=2):
        pass
    assert time.monotonic() - start < 2


def _dies_for_trasig(params_file, out_dir, data_dir=None, force=True):
    """A report run that kills its process for params files named trasig*; every attempt
    leaves a line in <params>.forsok."""
    params_file = Path(params_file)
    with open(params_file.with_suffix(".forsok"), "a") as f:
        f.write(f"{os.getpid()}\n")
    if params_file.stem.startswith("trasig"):
        os._exit(9)
    time.sleep(0.5)  # still running when the other worker dies
    return RunResult(str(params_file), params_file.stem, params_file.stem, ok=True, seconds=0.5)


def test_a_dead_pool_worker_fails_only_its_report_after_one_retry(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "run_report", _dies_for_trasig)
    files = [tmp_path / f"{n}.yaml" for n in ("hel", "trasig", "hel2", "hel3")]

    class Bar:
        def update(self):
            pass

    results = batch._run_pool(files, tmp_path, None, True, 2, Bar())
    by_slug = {r.slug if r.ok else Path(r.params_file).stem: r for r in results}
    assert set(by_slug) == {"hel", "trasig", "hel2", "hel3"}
    assert [s for s, r in sorted(by_slug.items()) if not r.ok] == ["trasig"]
    assert by_slug["trasig"].fel == "processen dog"
    assert len((tmp_path / "trasig.forsok").read_text().split()) == 2  # tried, and tried once more
    for name in ("hel", "hel2", "hel3"):
        assert 1 <= len((tmp_path / f"{name}.forsok").read_text().split()) <= 2


def test_the_package_is_the_same_from_a_folder_holding_a_kompetens_folder(tmp_path):
    """A run started in a folder that has a `kompetens/` folder of its own (the checkout's
    parent) uses the installed package: in the runner, the fork server and the kernel."""
    (tmp_path / "kompetens").mkdir()
    (tmp_path / "kompetens" / "run").mkdir()  # a namespace package that would shadow ours
    [params] = _params(tmp_path, "fran-cwd")
    out = tmp_path / "out"
    done = subprocess.run(
        [str(KOMPETENS), "run", "--jobs", "1", "--out", str(out), str(params)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "fran-cwd" / "rapport.html").is_file()
    probe = subprocess.run(
        [sys.executable, "-P", "-c", "import kompetens; print(kompetens.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip() == str(ROOT / "kompetens" / "__init__.py")
