"""What each stage of a run costs: wall time, CPU time and the process's peak memory.

The figures go to the run manifest, so a benchmark (``benchmarks/bench_scale.py``) or an analyst
can see where the time and the memory go on a large wave.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

try:  # not on Windows: the CPU and memory figures are then left out
    import resource
except ImportError:  # pragma: no cover
    resource = None


def give_back_freed_memory(collect: bool = True) -> None:
    """Collect this process's garbage and hand the memory freed to the system.

    The C library keeps what a process frees for its later allocations: once the models and
    the early stages' working tables are let go, 130 MB on a wave of 100,000 answers, held
    (and shared with every process forked next) though no object lives there.
    ``malloc_trim`` gives it back where the C library has it (glibc, Linux); elsewhere only
    the collection is done. Arrow's own allocator gives back what it keeps unused too.

    ``collect=False`` gives back what is free without collecting first: a collection writes to
    every object it visits, which, just before a fork, makes the pages this process shares
    with its children private to each of them.
    """
    import ctypes
    import ctypes.util
    import gc

    if collect:
        gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # no glibc: the system's allocator keeps its own rules
        pass
    arrow = sys.modules.get("pyarrow")  # not imported for this: only if a stage has used it
    if arrow is not None:
        arrow.default_memory_pool().release_unused()


def cpu_seconds() -> float | None:
    """CPU time (user + system) of this process and of its finished child processes."""
    if resource is None:
        return None
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def since_start() -> dict[str, float | None]:
    """Wall and CPU seconds since this process started (its start-up and imports, when asked
    first thing); the wall time only on Linux."""
    wall = None
    try:  # field 22 of /proc/self/stat: the start, in clock ticks after boot
        with open("/proc/self/stat", encoding="ascii") as stat:
            start = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            wall = float(uptime.read().split()[0]) - start / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    cpu = cpu_seconds()
    return {"seconds": None if wall is None else round(wall, 3),
            "cpu_seconds": None if cpu is None else round(cpu, 3)}


def peak_rss_mb() -> float | None:
    """The peak resident memory of this process so far, in MB (the worker processes of a
    parallel stage are counted in the manifest of the stage that starts them, as their CPU)."""
    try:  # Linux: the peak of this program's own memory (VmHWM)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    # elsewhere; on Linux ru_maxrss would also keep the peak of the process that started this
    # one (it survives fork and exec), hence /proc first
    if resource is None:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)  # bytes on macOS


class StageTimer:
    """Times the stages of a run and reports progress as ``progress(stage, seconds)``.

    ``timings[stage]`` is the wall time in seconds; ``usage[stage]`` adds the CPU seconds the
    stage used and the process's peak memory when it ended (the peak so far: the stage that
    raised it is the first whose figure grows).
    """

    def __init__(self, progress: Callable[[str, float | None], Any] | None = None):
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.usage: dict[str, dict[str, float | None]] = {}

    def __call__(self, stage: str):
        timer = self

        class _Stage:
            def __enter__(self):
                if timer.progress:
                    timer.progress(stage, None)
                self.t0, self.cpu0 = time.perf_counter(), cpu_seconds()

            def __exit__(self, *exc):
                timer.timings[stage] = round(time.perf_counter() - self.t0, 3)
                cpu = cpu_seconds()
                timer.usage[stage] = {
                    "cpu_seconds": None if cpu is None else round(cpu - self.cpu0, 3),
                    "peak_rss_mb": peak_rss_mb()}
                if timer.progress and exc[0] is None:
                    timer.progress(stage, timer.timings[stage])
                return False

        return _Stage()

    def started(self, stage: str) -> None:
        """Report the start of a stage timed elsewhere (see :meth:`record`)."""
        if self.progress:
            self.progress(stage, None)

    def record(self, stage: str, usage: dict[str, float | None]) -> None:
        """The figures of a stage that ran in another process (``seconds``, ``cpu_seconds``,
        ``peak_rss_mb``), reported as a stage timed here would be."""
        self.timings[stage] = usage["seconds"]
        self.usage[stage] = {k: usage.get(k) for k in ("cpu_seconds", "peak_rss_mb")}
        if self.progress:
            self.progress(stage, usage["seconds"])
