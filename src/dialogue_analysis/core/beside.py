"""A stage run in a forked process beside the ones this process runs meanwhile.

Two stages that do not read each other's results (the themes and the typology, the analyst's
QDA exports and the report) can use two cores. :func:`beside` starts ``work`` in a child forked
from this process (it inherits the tables, nothing is pickled on the way in) and returns a
:class:`Beside`; :meth:`Beside.result` waits for it and returns what ``work`` returned, or
raises what it raised. The child computes exactly what this process would (same inputs, same
code, the same one-thread math libraries), so the outputs are those of the stages run one after
the other. Leaving the ``with`` block of a :class:`Beside` ends the child: a failure of the
stages run meanwhile stops it before anything else is cleaned up.

Where processes cannot be forked (not Linux), ``work`` runs in this process when its result is
asked for: the same result, one stage after the other.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from typing import Any

from .usage import peak_rss_mb

__all__ = ["Beside", "beside"]


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``, its wall seconds and the CPU seconds of the process that ran it."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    out = work()
    return out, time.perf_counter() - t0, time.process_time() - cpu0


# What the forked child runs: set just before it is started, so that it inherits it.
_WORK: Callable[[], Any] | None = None


def _run_inherited() -> tuple[Any, float, float]:
    return _timed(_WORK)


class Beside:
    """A stage running in a forked child (see :func:`beside`)."""

    def __init__(self, work: Callable[[], Any]):
        global _WORK
        self._work = work
        self._pool = None
        self._pending = None
        if "fork" in multiprocessing.get_all_start_methods():
            _WORK = work
            try:
                self._pool = multiprocessing.get_context("fork").Pool(1)
                self._pending = self._pool.apply_async(_run_inherited)
            finally:
                _WORK = None

    def result(self) -> tuple[Any, dict[str, float | None]]:
        """What ``work`` returned and its usage: ``{"seconds", "cpu_seconds", "peak_rss_mb"}``
        (wall and CPU of the child, this process's peak memory so far); raises what ``work``
        raised. The child has ended when it returns."""
        if self._pending is None:
            out, secs, cpu = _timed(self._work)
        else:
            try:
                out, secs, cpu = self._pending.get()
            finally:
                self.close()
        return out, {"seconds": round(secs, 3), "cpu_seconds": round(cpu, 3),
                     "peak_rss_mb": peak_rss_mb()}

    def close(self) -> None:
        """End the child (at once if it is still running)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Beside:
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False


def beside(work: Callable[[], Any]) -> Beside:
    """Start ``work()`` (no arguments: a closure over what it needs) in a forked child.

    Use as ``with beside(work) as other: ...; out, usage = other.result()``. ``work`` must
    return something that can be pickled (tables, not open files), and must not depend on what
    this process does meanwhile.
    """
    return Beside(work)
