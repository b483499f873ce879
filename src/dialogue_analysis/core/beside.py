"""A stage run in a forked process beside the ones this process runs meanwhile.

Two stages that do not read each other's results (the themes and the typology, the analyst's
QDA exports and the report) can use two cores. :func:`beside` starts ``work`` in a child forked
from this process (it inherits the tables, nothing is pickled on the way in) and returns a
:class:`Beside`; :meth:`Beside.result` waits for it and returns what ``work`` returned, or
raises what it raised. The child computes exactly what this process would (same inputs, same
code, the same one-thread math libraries), so the outputs are those of the stages run one after
the other. Leaving the ``with`` block of a :class:`Beside` ends the child: a failure of the
stages run meanwhile stops it before anything else is cleaned up. A child that dies without a
result (killed, out of memory) is an error too, never a wait without end.

Where processes cannot be forked (not Linux), ``work`` runs in this process when its result is
asked for: the same result, one stage after the other.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from .usage import give_back_freed_memory, peak_rss_mb

__all__ = ["Beside", "beside", "heap_frozen"]


@contextlib.contextmanager
def heap_frozen() -> Iterator[None]:
    """This process's objects left out of the garbage collector while children are forked.

    A forked child shares this process's memory until either writes to a page. Its garbage
    collector, walking over every object it inherited, would write to each (the collector's
    own marks) and so copy nearly the whole heap into the child; frozen first
    (:func:`gc.freeze`), the inherited objects are never walked in the child, and their pages
    stay shared. This process takes them back into its collector when the block ends, unless
    a child started by :func:`beside` still runs (see :func:`_hold_frozen`). Nothing computed
    depends on it: only when memory is freed.
    """
    _hold_frozen()
    try:
        yield
    finally:
        _release_frozen()


_frozen_holders = 0
_frozen_lock = threading.Lock()


def _hold_frozen() -> None:
    """Freeze every object this process holds now, until the matching :func:`_release_frozen`.

    Held as long as a child forked by :func:`beside` runs: this process's own collector would
    otherwise write to every object the two share, and so copy them all again, into this
    process, at its next full collection. Its garbage made meanwhile is collected as usual;
    what was frozen is collected once the last holder lets go.
    """
    global _frozen_holders
    with _frozen_lock:
        gc.freeze()  # what was made since an earlier hold too
        _frozen_holders += 1


def _release_frozen() -> None:
    global _frozen_holders
    with _frozen_lock:
        _frozen_holders -= 1
        if _frozen_holders == 0:
            gc.unfreeze()


def _timed(work: Callable[[], Any]) -> tuple[Any, float, float]:
    """``work()``, its wall seconds and the CPU seconds of the process that ran it."""
    t0, cpu0 = time.perf_counter(), time.process_time()
    out = work()
    return out, time.perf_counter() - t0, time.process_time() - cpu0


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - an exception whose class cannot be rebuilt
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _child(work: Callable[[], Any], send) -> None:
    """In the forked child: run ``work`` and send back ``("ok", timed result)`` or
    ``("error", exception)``."""
    try:
        message = ("ok", _timed(work))
    except BaseException as exc:  # noqa: BLE001 - raised again in the parent
        message = ("error", _portable(exc))
    send.send(message)
    send.close()


class Beside:
    """A stage running in a forked child (see :func:`beside`)."""

    def __init__(self, work: Callable[[], Any]):
        self._work = work
        self._process = self._receive = self._receiver = None
        self._message: bytes | None = None
        self._closed = False
        if "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            # forked: the child inherits ``work`` and what it holds, nothing is pickled
            self._process = context.Process(target=_child, args=(work, send), daemon=True)
            _hold_frozen()  # until the child has ended (:meth:`close`)
            # What this process has freed is given back first: pages it would write to again
            # after the fork would otherwise be copied, their old content kept by the child.
            give_back_freed_memory(collect=False)
            try:
                self._process.start()
                send.close()  # the child's end: reading sees the end of it if the child dies
                # The result's bytes are taken as soon as they are sent: a result larger than
                # the pipe's buffer would otherwise keep the child waiting, with all its memory,
                # until :meth:`result` is called (a national consultation's themes: about 550
                # MB for the length of three stages). They are read back into objects there.
                self._receiver = threading.Thread(target=self._take_message, daemon=True)
                self._receiver.start()
            except BaseException:
                if self._process.is_alive():
                    self._process.terminate()
                self._process = None
                _release_frozen()
                raise

    def _take_message(self) -> None:
        try:
            message = self._receive.recv_bytes()
        except (EOFError, OSError):  # the child died, or was ended: no message
            message = None
        finally:
            self._receive.close()
        if not self._closed:  # a message that comes after close() is dropped
            self._message = message

    def result(self) -> tuple[Any, dict[str, float | None]]:
        """What ``work`` returned and its usage: ``{"seconds", "cpu_seconds", "peak_rss_mb"}``
        (wall and CPU of the child, this process's peak memory so far); raises what ``work``
        raised. The child has ended when it returns."""
        if self._process is None:
            out, secs, cpu = _timed(self._work)
        else:
            try:
                self._receiver.join()
                message, exit_code = self._message, None
                if message is None:
                    self._process.join()
                    exit_code = self._process.exitcode
            finally:
                self.close()
            if message is None:
                raise RuntimeError(
                    "the process of a stage run beside the others ended without its result "
                    f"(exit code {exit_code}: killed, or out of memory?)")
            # read back here, not in the receiving thread: an import it needs is then never
            # under way while this thread forks another process
            kind, payload = pickle.loads(message)
            if kind == "error":
                raise payload
            out, secs, cpu = payload
        return out, {"seconds": round(secs, 3), "cpu_seconds": round(cpu, 3),
                     "peak_rss_mb": peak_rss_mb()}

    def close(self) -> None:
        """End the child (at once if it is still running)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            # The child's end is closed with it, so the receiver returns and closes its own;
            # a process the child started that still held that end would keep the receiver
            # waiting, not this call.
            self._closed = True
            self._receiver.join(timeout=5)
            self._process = self._message = None
            _release_frozen()

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
