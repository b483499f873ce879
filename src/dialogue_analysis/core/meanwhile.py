"""Work this process does while its forked workers hold the cores.

The anonymise stage runs the recogniser in forked worker processes (one per core) and this
process waits for their results: its own core is lent to them, but what it does meanwhile is
done on the cores' spare time instead of alone later. The run hands over work the later stages
would do one after the other in this process anyway (importing their libraries, building the
NLP stage's pipeline): :func:`work_meanwhile` registers it for a block, :func:`do_meanwhile` runs
it, once, where workers have been started (:func:`~dialogue_analysis.nlp.map_chunks`). Nothing
registered is required: work never run is simply done later, where it is needed, and what it
computes is the same either way.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

__all__ = ["do_meanwhile", "work_meanwhile"]

_PENDING: list[Callable[[], object]] = []


@contextlib.contextmanager
def work_meanwhile(*work: Callable[[], object]) -> Iterator[None]:
    """``work`` (callables without arguments) to run while this process waits for its workers,
    inside the block; what has not run when it ends is dropped."""
    _PENDING.extend(work)
    try:
        yield
    finally:
        for w in work:
            with contextlib.suppress(ValueError):
                _PENDING.remove(w)


def do_meanwhile() -> None:
    """Run the registered work, each once, now (this process's workers are busy)."""
    while _PENDING:
        _PENDING.pop(0)()
