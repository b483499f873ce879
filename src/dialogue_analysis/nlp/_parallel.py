"""Texts through a spaCy pipeline in several processes, when there are enough of them to pay.

spaCy's ``nlp.pipe(n_process=N)`` starts N worker processes, each with its own copy of the
model; the documents come back in input order, so the results are those of one process.
Starting the workers and shipping documents back costs a few seconds: below
:data:`PARALLEL_FROM` texts one process is faster. Each worker computes with one thread
(OpenBLAS, OpenMP, MKL): N workers with N threads each would fight over the same cores.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence

from ..core.beside import heap_frozen
from ..core.meanwhile import do_meanwhile

__all__ = ["MAX_PROCESSES", "PARALLEL_FROM", "default_processes", "map_chunks", "one_blas_thread",
           "pipe_docs", "processes_for"]

#: Texts to run through the model from which several processes are used.
PARALLEL_FROM = 2000
#: Most worker processes ``"auto"`` starts: each holds a copy of the model (about 0.3 to 1 GB).
MAX_PROCESSES = 8
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def default_processes() -> int:
    """The cores this process may use (its CPU affinity), at most :data:`MAX_PROCESSES`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


def processes_for(n_process: int | str, n_texts: int, parallel_from: int = PARALLEL_FROM) -> int:
    """Processes to use for ``n_texts`` texts: 1 below ``parallel_from`` texts, else
    ``n_process`` (``"auto"``: :func:`default_processes`)."""
    if n_process == "auto":
        n_process = default_processes()
    n_process = int(n_process)
    if n_process < 1:
        raise ValueError(f"n_process must be 1 or more, or 'auto' (got {n_process})")
    return n_process if n_texts >= max(parallel_from, 2) else 1


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """This process's BLAS (OpenBLAS, MKL) limited to one thread inside the block. A model's
    matrix products are computed so everywhere: OpenBLAS rounds them differently with more
    threads, and a text must read the same in one process as in several
    (``_model._load_model``)."""
    with _controller(len(sys.modules)).limit(limits=1, user_api="blas"):
        yield


@functools.lru_cache(maxsize=1)
def _controller(modules: int):
    """The process's math libraries, found again only when ``modules`` (how many modules are
    imported) has changed: finding them takes 1.5 ms, limiting them 10 us, and a text
    anonymised alone would pay both. A module imported since may have loaded a BLAS of its
    own (SciPy's), which a controller found before would leave unlimited."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def _one_thread_per_worker() -> Iterator[None]:
    """Math libraries limited to one thread in the workers started inside the block.

    The environment variables are read by workers that import their libraries afresh (the
    ``spawn`` start method); the limit set by threadpoolctl in this process is inherited by
    workers forked from it (the default on Linux). Both are undone when the block ends.
    """
    from threadpoolctl import threadpool_limits

    previous = {name: os.environ.get(name) for name in _THREAD_VARIABLES}
    os.environ.update({name: "1" for name in _THREAD_VARIABLES})
    try:
        with threadpool_limits(limits=1):  # every library loaded by now, OpenMP included
            yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def pipe_docs(nlp, texts: Iterable[str], *, batch_size: int, n_process: int = 1):
    """``nlp.pipe(texts)`` in ``n_process`` processes (one thread each), docs in input order.

    A generator: each doc is made when asked for, so that the caller keeps only what it
    extracts from it.
    """
    if n_process <= 1:
        with one_blas_thread():  # as in the workers: the same products, rounded the same
            yield from nlp.pipe(texts, batch_size=batch_size)
        return
    with _one_thread_per_worker():
        yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)


# What the forked workers of :func:`map_chunks` run: set just before they are started, so that
# they inherit it (a loaded model, a detector) instead of receiving it pickled.
_WORK: Callable[[list], object] | None = None


def _run_chunk(chunk: list) -> object:
    return _WORK(chunk)


def map_chunks(work: Callable[[list], object], items: Sequence, *, chunk_size: int,
               n_process: int, meanwhile: Callable[[], object] | None = None
               ) -> Iterator[object]:
    """``work(chunk)`` for each chunk of ``chunk_size`` items, in order, in ``n_process``
    forked worker processes (one thread each; in this process when ``n_process`` is 1).

    The workers inherit ``work`` and what it holds (a model loaded in this process) and send
    back only what it returns: small results (offsets, arrays), never spaCy docs, whose
    shipping costs as much as making them. Where processes cannot be forked (not Linux), the
    chunks run in this process: the results are the same.

    ``meanwhile`` (no arguments), when given, runs once in this process before the first
    result is read: once the workers are started, while they work, when there are workers.
    So does the work registered with :func:`~dialogue_analysis.core.meanwhile.work_meanwhile`,
    but only when there are workers.
    """
    global _WORK
    chunks = [list(items[i:i + chunk_size]) for i in range(0, len(items), chunk_size)]
    if n_process <= 1 or len(chunks) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        yield from map(work, chunks)
        return
    _WORK = work
    try:
        # as the workers are forked: one thread each (this process keeps its own), and the
        # objects they inherit left out of their garbage collector (their pages stay shared)
        with _one_thread_per_worker(), heap_frozen():
            pool = multiprocessing.get_context("fork").Pool(min(n_process, len(chunks)))
        with pool:
            results = pool.imap(_run_chunk, chunks)  # the chunks are handed out from now on
            if meanwhile is not None:
                meanwhile()
            do_meanwhile()
            yield from results
    finally:
        _WORK = None
