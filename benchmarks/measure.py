"""Wall time and peak memory of commands, children included.

Peak memory is the largest sum of resident memory over the whole process tree (the command,
the Jupyter kernel it starts, worker processes), sampled every 20 ms with psutil: what the
machine must hold at once. Without psutil it falls back to ru_maxrss of the children (the
largest single process)."""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import time


def _tree_rss(proc, include_root: bool = True) -> int:
    import psutil

    total = 0
    try:
        procs = [proc] if include_root else []
        procs += proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_measured(commands: list[list[str]], env: dict | None = None, all_children: bool = False) -> tuple[float, float]:
    """(seconds, peak MiB) of running the commands one after the other; a failing command
    raises CalledProcessError. all_children: count every child process of this one (say a
    Dask cluster's workers) instead of the command's tree only."""
    try:
        import psutil
    except ImportError:  # pragma: no cover
        psutil = None
    env = {**os.environ, **(env or {})}
    peak = 0
    start = time.perf_counter()
    for cmd in commands:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        if psutil is not None:
            watched = psutil.Process() if all_children else psutil.Process(proc.pid)
            while proc.poll() is None:
                peak = max(peak, _tree_rss(watched, include_root=not all_children))
                time.sleep(0.02)
        _, err = proc.communicate()
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=err)
    seconds = time.perf_counter() - start
    if psutil is None:  # pragma: no cover
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak / 2**20


def load_average() -> str:
    """The 1-minute load average now, to print beside a measurement."""
    return f"{os.getloadavg()[0]:.1f}"
