"""Report kernels forked from a warm process instead of started cold.

A report's kernel spends about 2 s of CPU importing the report's stack (pandas, statsmodels,
lifelines, seaborn, matplotlib, openpyxl, ipykernel) before its first cell does any work, and
a batch pays that once per report. Here one process per batch, the fork server, imports the
stack once, and each report's kernel is a fork of it: the same interpreter and modules, then
what `python -m ipykernel_launcher` does with papermill's connection file and arguments.

The fork server starts as soon as a run knows it will need kernels (`start()`), so its
imports overlap the runner's own checks; batch workers forked from the runner use the same
one. It takes requests on a Unix socket in a folder only its user can open, and quits when
the process that started it (and every worker) has let go of its stdin; its kernels quit
with it. Nothing else changes: the notebook imports what it imports, and a kernel spec of
another interpreter, or any kernel the server cannot give (gone, unreachable, a system
without pidfds), is started the usual way. `tests/test_kernels.py` checks that a report is
the same either way.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
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
import time
import traceback
import uuid
from contextlib import contextmanager

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


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel kill this process (SIGKILL) when its parent dies, however it dies
    (kill -9 included): the fork server, kernels and batch workers never outlive the run.
    parent: the pid the caller expects as parent; if it is gone already, quit now. Linux
    only (prctl); elsewhere nothing happens."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:  # it died before the line above
        os._exit(1)


#: Seconds a kernel may wait for the fork server (its imports), as papermill waits for a kernel.
START_TIMEOUT = 60.0


class ForkServerError(RuntimeError):
    """The fork server gave no kernel (gone, unreachable or refusing): the kernel is then
    started the usual way."""


class ForkServer:
    """The fork server as its clients see it: its process, started here, and its socket."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="kompetens-kernels-")  # 0700: only this user
        self.address = os.path.join(self.folder, "s")
        self.owner = os.getpid()
        with single_threaded():  # its libraries start single-threaded, as kernels' do
            self.process = subprocess.Popen(  # -P and a folder of its own: no module from the cwd
                [sys.executable, "-P", "-c", "from kompetens.run.kernels import serve; serve()", self.address],
                stdin=subprocess.PIPE,
                cwd=self.folder,
                env={**os.environ, **_parent()},
            )

    def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel's pid: the server forks, the fork runs IPKernelApp with argv.
        ForkServerError when the server gives none."""
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
        deadline, refused = time.monotonic() + START_TIMEOUT, 0
        with socket.socket(socket.AF_UNIX) as client:
            while True:
                try:
                    client.connect(self.address)
                    break
                except FileNotFoundError:  # still importing: its socket comes after
                    pass
                except ConnectionRefusedError:  # bound and not yet listening, or gone
                    refused += 1
                    if refused > 20:
                        raise ForkServerError("kernelservern svarar inte") from None
                except OSError as exc:  # e.g. a socket path too long for this system
                    raise ForkServerError(f"kernelservern: {exc}") from None
                if self.ended() or time.monotonic() > deadline:
                    raise ForkServerError("kernelservern startade inte")
                time.sleep(0.05)
            try:
                client.settimeout(START_TIMEOUT)
                client.sendall(request)
                client.shutdown(socket.SHUT_WR)
                answer = _read_all(client)
            except OSError as exc:
                raise ForkServerError(f"kernelservern: {exc}") from None
        if not answer.isdigit():
            raise ForkServerError("kernelservern kunde inte starta en kernel")
        return int(answer)

    def ended(self) -> bool:
        """True when the server has quit (only the process that started it can tell; a
        worker forked from that process trusts it to live as long as the batch)."""
        return self.owner == os.getpid() and self.process.poll() is not None

    def close(self) -> None:
        """Let go of the server: it quits once every process holding it has."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        if self.owner == os.getpid():  # it quits at once (see serve); reaped in the background
            shutil.rmtree(self.folder, ignore_errors=True)
            threading.Thread(target=self.process.wait, daemon=True).start()


def _parent() -> dict[str, str]:
    """The environment that has the fork server die with this process: only when started
    from the main thread (the kernel signals a child when the thread that started it ends)."""
    return {"KOMPETENS_PARENT": str(os.getpid())} if threading.current_thread() is threading.main_thread() else {}


def _read_all(sock: socket.socket) -> bytes:
    """Everything the other end sends until it shuts down its side."""
    return b"".join(iter(lambda: sock.recv(1 << 16), b""))


def serve() -> None:
    """The fork server's main: import PRELOAD, then fork one kernel per connection on
    sys.argv[1] until stdin closes."""
    address = sys.argv[1]
    parent = os.environ.pop("KOMPETENS_PARENT", None)
    die_with_parent(int(parent) if parent and parent.isdigit() else None)
    # what ipykernel sets before a fresh kernel's first import of matplotlib
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(name)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the runner's Ctrl-C is the runner's
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end
    with socket.socket(socket.AF_UNIX) as listener:
        try:
            listener.bind(address)
        except OSError:  # the runner let go while the imports ran and took the folder, or
            os._exit(0)  # the path is too long: either way its clients start kernels themselves
        listener.listen()
        while True:
            ready = select.select([listener, sys.stdin], [], [])[0]
            if sys.stdin in ready:  # the runner has let go (or died): quit without tearing
                os._exit(0)  # down the preloaded modules (half a second, for nothing)
            with contextlib.suppress(Exception):  # a bad request or a client gone: the next one
                _serve_one(listener)


def _serve_one(listener: socket.socket) -> None:
    """Fork one kernel for the next connection and tell the client its pid."""
    connection, _ = listener.accept()
    with connection:
        connection.settimeout(START_TIMEOUT)
        request = json.loads(_read_all(connection))
        argv, env, cwd = list(request["argv"]), dict(request["env"]), str(request["cwd"])
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            die_with_parent(server)  # the kernel goes with the server, the server with the run
            listener.close()
            connection.close()
            _kernel_main(argv, env, cwd)
        connection.sendall(str(pid).encode())


def _kernel_main(argv: list[str], env: dict[str, str], cwd: str) -> None:
    """A forked kernel: in a session of its own (as jupyter_client starts kernels, so that
    signals to its group reach only it), with the environment and folder it was given, then
    what `python -m ipykernel_launcher <argv>` does. It quits when the fork server does (as
    a fresh kernel quits when its runner does: the server quits with the runner). Never
    returns."""
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
        os.chdir(cwd)
        # the server runs with -P: no folder first on sys.path, so a `kompetens/` folder in
        # the cwd is never imported in place of the installed package
        os.environ["PYTHONSAFEPATH"] = "1"  # and so do the kernel's own subprocesses
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=[*argv, f"--IPKernelApp.parent_handle={os.getppid()}"])
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
            if _server is not None:
                _server.close()
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
        self.returncode: int | None = None
        try:
            self._fd = os.pidfd_open(pid)
        except ProcessLookupError:  # it has ended already
            self._fd, self.returncode = None, 0

    def poll(self) -> int | None:
        return self.wait(0)

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            watch = select.poll()
            watch.register(self._fd, select.POLLIN)
            if watch.poll(None if timeout is None else timeout * 1000):
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


@functools.cache
def _pidfds() -> bool:
    """True when this system has pidfds (Linux 5.3 and later, not refused by a sandbox)."""
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError):
        return False
    return hasattr(signal, "pidfd_send_signal")


def _forkable(cmd: list[str]) -> bool:
    """True when the kernel spec starts this interpreter's ipykernel, which a fork of the
    fork server is."""
    try:
        same = os.path.samefile(cmd[0], sys.executable)
    except (OSError, IndexError):
        return False
    return same and cmd[1:3] == ["-m", "ipykernel_launcher"] and _pidfds()


@functools.cache
def kernel_manager():
    """The kernel manager class papermill is given (kernel_manager_class): jupyter_client's
    AsyncKernelManager whose kernels are forks of the fork server (started if need be)."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class ForkedProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            if not _forkable(cmd):
                return await super().launch_kernel(cmd, **kwargs)
            env = {**(kwargs.get("env") or os.environ), "PYTHONSAFEPATH": "1"}  # no module from the cwd
            kwargs["env"] = env
            cwd = kwargs.get("cwd") or os.getcwd()
            try:
                pid = start().fork(cmd[3:], env, str(cwd))
            except ForkServerError as exc:
                self.log.warning("%s; kernel startas som vanligt", exc)
                return await super().launch_kernel(cmd, **kwargs)
            self.process = _Forked(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
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
