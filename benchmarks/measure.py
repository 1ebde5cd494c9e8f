"""Wall time and peak memory of commands, children included.

Peak memory is taken over the whole process tree (the command, the Jupyter kernel it starts,
Chromium's processes, worker processes), sampled every 50 ms with psutil (reading a process's PSS costs a little CPU), two ways:

- RSS summed: what each process has resident. Pages shared between processes (Chromium's
  binary and libraries in each of its processes, the pages of forked workers, the same
  shared libraries in the runner and its kernel) count once per process, so the sum
  overstates what the machine holds.
- PSS summed (proportional set size, Linux): each shared page divided among the processes
  that share it, so the sum is what the tree really holds at once.

Without psutil it falls back to ru_maxrss of the children (the largest single process)."""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import time
from dataclasses import dataclass, field

MIB = 2**20


@dataclass
class Measured:
    """One measurement: seconds, the tree's peak RSS and PSS sums (MiB), and each kind of
    process's own peak PSS (MiB; the kind's processes summed), e.g. runner, kernel, chromium."""

    seconds: float
    rss_mib: float
    pss_mib: float
    peaks: dict[str, float] = field(default_factory=dict)


def kind(proc) -> str:
    """What a process of the tree is: chromium, kernel (ipykernel), or its command's name."""
    import psutil

    try:
        cmdline = proc.cmdline()
        name = proc.name()
    except psutil.Error:
        return "?"
    text = " ".join(cmdline)
    if "chrom" in name or "chrom" in text.split(" ", 1)[0] or " --type=" in text:
        return "chromium"
    if "kompetens.run.kernels" in text:  # the fork server, or a kernel forked from it
        with contextlib.suppress(psutil.Error, AttributeError):
            if "kompetens.run.kernels" in " ".join(proc.parent().cmdline()):
                return "kernel"
        return "kernel server"
    if "ipykernel" in text:
        return "kernel"
    words = [w for w in cmdline if not w.startswith("-")]
    if words and os.path.basename(words[0]).startswith("python") and len(words) > 1:
        words = words[1:]  # python path/to/script: the script's name
    return os.path.basename(words[0]) if words else name


def _sample(root, include_root: bool, kinds: dict) -> tuple[int, int, dict[str, int]]:
    """(RSS sum, PSS sum, {kind: PSS sum}) of the tree now, in bytes."""
    import psutil

    try:
        procs = [root] if include_root else []
        procs += root.children(recursive=True)
    except psutil.Error:
        return 0, 0, {}
    rss = pss = 0
    by_kind: dict[str, int] = {}
    for p in procs:
        with contextlib.suppress(psutil.Error):
            info = p.memory_full_info()
            if p.pid not in kinds or kinds[p.pid] in ("?", "python"):  # a fork not yet exec'd
                kinds[p.pid] = kind(p)
            rss += info.rss
            pss += info.pss
            by_kind[kinds[p.pid]] = by_kind.get(kinds[p.pid], 0) + info.pss
    return rss, pss, by_kind


def measure(commands: list[list[str]], env: dict | None = None, all_children: bool = False) -> Measured:
    """Run the commands one after the other, measured; a failing command raises
    CalledProcessError. all_children: count every child process of this one (say a Dask
    cluster's workers) instead of the command's tree only."""
    try:
        import psutil
    except ImportError:  # pragma: no cover
        psutil = None
    env = {**os.environ, **(env or {})}
    rss_peak = pss_peak = 0
    peaks: dict[str, int] = {}
    start = time.perf_counter()
    for cmd in commands:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        if psutil is not None:
            watched = psutil.Process() if all_children else psutil.Process(proc.pid)
            kinds: dict[int, str] = {}
            while proc.poll() is None:
                rss, pss, by_kind = _sample(watched, not all_children, kinds)
                rss_peak, pss_peak = max(rss_peak, rss), max(pss_peak, pss)
                for k, v in by_kind.items():
                    peaks[k] = max(peaks.get(k, 0), v)
                time.sleep(0.05)
        _, err = proc.communicate()
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=err)
    seconds = time.perf_counter() - start
    if psutil is None:  # pragma: no cover
        rss_peak = pss_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return Measured(seconds, rss_peak / MIB, pss_peak / MIB, {k: v / MIB for k, v in sorted(peaks.items())})


def run_measured(commands: list[list[str]], env: dict | None = None, all_children: bool = False) -> tuple[float, float]:
    """(seconds, peak RSS sum in MiB) of measure(commands)."""
    m = measure(commands, env, all_children)
    return m.seconds, m.rss_mib


def load_average() -> str:
    """The 1-minute load average now, to print beside a measurement."""
    return f"{os.getloadavg()[0]:.1f}"
