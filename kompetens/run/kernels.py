"""Report kernels forked from a warm process instead of started cold.

A report's kernel spends about 2 s of CPU importing the report's stack (pandas, statsmodels,
lifelines, seaborn, matplotlib, openpyxl, ipykernel) before its first cell does any work, and
a batch pays that once per report. Here one process per batch, the fork server, imports the
stack once, and each report's kernel is a fork of it: the same interpreter and modules, then
what `python -m ipykernel_launcher` does with papermill's connection file and arguments.

The fork server starts as soon as a run knows it will need kernels (`start()`), so its
imports overlap the runner's own checks; batch workers forked from the runner use the same
one. It takes requests on a Unix socket in a folder only its user can open, and quits when
the process that started it (and every worker) has let go of its stdin. Nothing else
changes: the notebook imports what it imports, and a kernel spec of another interpreter is
started the usual way. `tests/test_kernels.py` checks that a report is the same either way.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
import uuid
from contextlib import contextmanager
from pathlib import Path

#: What the fork server imports once: everything a report's kernel imports by its last cell
#: (a module missing here is imported by the kernel itself, as before, only later).
PRELOAD = (
    "ipykernel.kernelapp",
    "kompetens.plan.prepare",
    "kompetens.plan.robustness",
    "kompetens.plan.scenarios",
    "kompetens.plan.sensitivity",
    "kompetens.models.competence",
    "kompetens.models.retention",
    "kompetens.io.activities",
    "kompetens.io.texts",
    "kompetens.report.assumptions",
    "kompetens.report.common",
    "kompetens.report.excel",
    "kompetens.report.exits",
    "kompetens.report.sickleave",
    "kompetens.report.skills",
    "kompetens.report.staffing",
    "lifelines",
    "openpyxl",
    "pyarrow.parquet",
    "statsmodels.api",
    "PIL.PngImagePlugin",
)

#: The kernel's numerical libraries run on one thread: reports already run in parallel, and
#: the same summation order everywhere (a laptop, CI, a Dask worker) gives the same digits.
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@contextmanager
def single_threaded():
    """SINGLE_THREAD in the environment while kernels or worker processes start inside."""
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


class ForkServer:
    """The fork server as its clients see it: its process, started here, and its socket."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="kompetens-kernels-")  # 0700: only this user
        self.address = os.path.join(self.folder, "s")
        self.owner = os.getpid()
        with single_threaded():  # its libraries start single-threaded, as kernels' do
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-c", "from kompetens.run.kernels import serve; serve()", self.address],
                stdin=subprocess.PIPE,
            )

    def fork(self, argv: list[str], env: dict[str, str], cwd: str | None) -> int:
        """A new kernel's pid: the server forks, the fork runs IPKernelApp with argv."""
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
        with socket.socket(socket.AF_UNIX) as client:
            for _ in range(600):  # the server binds its socket when its imports are done
                try:
                    client.connect(self.address)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if self.ended():
                        break
                    select.select([], [], [], 0.05)
            else:
                raise RuntimeError("kernelservern startade inte")
            client.sendall(request)
            client.shutdown(socket.SHUT_WR)
            answer = _read_all(client)
        if not answer.strip().isdigit():
            raise RuntimeError("kernelservern kunde inte starta en kernel")
        return int(answer)

    def ended(self) -> bool:
        """True when the server has quit (only the process that started it can tell; a
        worker forked from that process trusts it to live as long as the batch)."""
        return self.owner == os.getpid() and self.process.poll() is not None

    def close(self) -> None:
        """Let go of the server: it quits once every process holding it has."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        if self.owner == os.getpid():  # not waited for: it quits at once (see serve)
            shutil.rmtree(self.folder, ignore_errors=True)


def _read_all(sock: socket.socket) -> bytes:
    """Everything the other end sends until it shuts down its side."""
    return b"".join(iter(lambda: sock.recv(1 << 16), b""))


def serve() -> None:
    """The fork server's main: import PRELOAD, then fork one kernel per connection on
    sys.argv[1] until stdin closes."""
    address = sys.argv[1]
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(name)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner's Ctrl-C is the runner's
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end
    with socket.socket(socket.AF_UNIX) as listener:
        try:
            listener.bind(address)
        except OSError:  # the runner let go while the imports ran, and took the folder
            os._exit(0)
        listener.listen()
        while True:
            ready = select.select([listener, sys.stdin], [], [])[0]
            if sys.stdin in ready:  # the runner has let go (or died): quit without tearing
                os._exit(0)  # down the preloaded modules (half a second, for nothing)
            connection, _ = listener.accept()
            with connection:
                request = json.loads(_read_all(connection))
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    connection.close()
                    _kernel_main(request["argv"], request["env"], request["cwd"])
                connection.sendall(str(pid).encode())


def _kernel_main(argv: list[str], env: dict[str, str], cwd: str | None) -> None:
    """A forked kernel: in a session of its own (as jupyter_client starts kernels, so that
    signals to its group reach only it), with the environment and folder it was given, then
    what `python -m ipykernel_launcher <argv>` does. Never returns."""
    code = 1
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(env)
        if cwd:
            os.chdir(cwd)
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


_lock = threading.Lock()
_server: ForkServer | None = None
_stop_after_next = False


def start() -> ForkServer:
    """This process's fork server, started if none runs (it imports PRELOAD in the
    background: a first kernel waits for it). A batch worker forked from the process that
    started it uses the same one."""
    global _server
    with _lock:
        if _server is None or _server.ended():
            _server = ForkServer()
            atexit.register(stop)  # its socket folder goes with the process, whatever ends it
        return _server


def stop_after_next() -> None:
    """Stop the fork server when the next report's kernel has ended: that report is the
    last of this process, and its PDF is printed without the server's memory beside it."""
    global _stop_after_next
    _stop_after_next = True


def kernel_ended() -> None:
    """Called by the runner when a report's kernel has stopped (see stop_after_next)."""
    global _stop_after_next
    if _stop_after_next:
        _stop_after_next = False
        stop()


def stop() -> None:
    """Let go of this process's fork server; the next start() starts a new one."""
    global _server
    with _lock:
        if _server is not None:
            _server.close()
            _server = None
            atexit.unregister(stop)


def _in_child() -> None:
    global _lock, _stop_after_next
    _lock, _stop_after_next = threading.Lock(), False


os.register_at_fork(after_in_child=_in_child)


class _Forked:
    """A forked kernel as the subprocess.Popen that jupyter_client's provisioner expects;
    it is the fork server's child, so it is watched through a pidfd (its exit status is
    the server's to reap: an ended kernel reads 0)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self._fd = os.pidfd_open(pid)
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.wait(0)

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], timeout)[0]:
            self.returncode = 0
            os.close(self._fd)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is not None:
            raise ProcessLookupError(3, "the kernel has ended")
        signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _forkable(cmd: list[str]) -> bool:
    """True when the kernel spec starts this interpreter's ipykernel, which a fork of the
    fork server is."""
    try:
        same = os.path.samefile(cmd[0], sys.executable)
    except (OSError, IndexError):
        return False
    return same and cmd[1:3] == ["-m", "ipykernel_launcher"]


def kernel_manager():
    """The kernel manager class papermill is given (kernel_manager_class): jupyter_client's
    AsyncKernelManager whose kernels are forks of the fork server (started if need be)."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class ForkedProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            if not _forkable(cmd):
                return await super().launch_kernel(cmd, **kwargs)
            env = kwargs.get("env") or dict(os.environ)
            cwd = kwargs.get("cwd")
            pid = start().fork(cmd[3:], env, str(cwd) if cwd else None)
            self.process = _Forked(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd or Path.cwd()
            return self.connection_info

    class ForkedKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = ForkedProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
                )
            return await super()._async_pre_start_kernel(**kw)

    return ForkedKernelManager
