"""A stage in a forked process beside this one: its result, its figures, its failures."""

import os
import time

import pytest

from dialogue_analysis.core import StageTimer
from dialogue_analysis.core.beside import beside


def _busy(n: int) -> tuple[int, int]:
    return os.getpid(), sum(i * i for i in range(n))


def test_the_result_is_what_the_work_returns_computed_in_another_process():
    with beside(lambda: _busy(300_000)) as other:
        here = sum(i * i for i in range(1000))  # this process works meanwhile
        (pid, total), usage = other.result()
    assert total == sum(i * i for i in range(300_000)) and here == 332_833_500
    assert pid != os.getpid()
    assert usage["seconds"] > 0 and usage["cpu_seconds"] > 0 and usage["peak_rss_mb"] > 0


def test_the_work_sees_the_data_of_this_process_without_pickling_it():
    import threading

    lock = threading.Lock()  # cannot be pickled: the work inherits it

    def work():
        with lock:
            return "inherited"

    with beside(work) as other:
        assert other.result()[0] == "inherited"


def test_the_child_ends_once_its_result_is_sent_before_the_result_is_asked_for():
    """A result larger than the pipe's buffer is taken as it is sent: the child does not wait,
    with its memory, for this process to ask for it."""
    big = 8 * 1024 * 1024
    with beside(lambda: b"x" * big) as other:
        other._process.join(timeout=120)
        assert other._process.exitcode == 0
        out, usage = other.result()
    assert out == b"x" * big and usage["seconds"] >= 0


def test_a_failure_of_the_work_is_raised_here():
    def fails():
        raise ValueError("too few answers for themes")

    with beside(fails) as other, pytest.raises(ValueError, match="too few answers"):
        other.result()


def test_a_failure_here_ends_the_work_at_once():
    import multiprocessing

    t0 = time.perf_counter()
    with pytest.raises(RuntimeError, match="meanwhile"), beside(lambda: time.sleep(60)):
        assert len(multiprocessing.active_children()) == 1
        raise RuntimeError("the stage run meanwhile failed")
    assert time.perf_counter() - t0 < 20
    assert not multiprocessing.active_children()


def test_a_child_that_dies_without_its_result_is_an_error_not_a_wait():
    def killed():
        os._exit(9)  # as the kernel's out-of-memory killer would end it

    with beside(killed) as other, pytest.raises(RuntimeError, match="exit code 9"):
        other.result()


def test_an_exception_that_cannot_be_rebuilt_still_says_what_it_was():
    class Odd(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a} and {b}")

    def fails():
        raise Odd("a value", "its column")

    with beside(fails) as other, pytest.raises(Exception, match="a value and its column"):
        other.result()


def test_the_timer_records_a_stage_run_elsewhere_as_its_own():
    seen = []
    timer = StageTimer(lambda stage, secs: seen.append((stage, secs)))
    timer.started("themes")
    with timer("typology"):
        pass
    timer.record("themes", {"seconds": 1.5, "cpu_seconds": 1.2, "peak_rss_mb": 300.0})
    assert timer.timings["themes"] == 1.5
    assert timer.usage["themes"] == {"cpu_seconds": 1.2, "peak_rss_mb": 300.0}
    assert [s for s, _ in seen] == ["themes", "typology", "typology", "themes"]
    assert seen[-1] == ("themes", 1.5)


def _rollup_mb(*fields: str) -> float:
    """The sum of these fields of this process's memory (``/proc/self/smaps_rollup``), in MB."""
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        return sum(int(line.split()[1]) for line in rollup if line.startswith(fields)) / 1024


def _private_mb() -> float:
    """Memory this process alone holds (pages written since the fork), in MB."""
    return _rollup_mb("Private_Dirty:", "Private_Clean:")


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="Linux only")
def test_a_child_collecting_its_garbage_does_not_copy_what_it_inherited():
    import gc

    from dialogue_analysis.nlp._parallel import map_chunks

    held = [[i] for i in range(1_500_000)]  # about 130 MB of objects the collector tracks

    def work():
        before = _private_mb()
        gc.collect()  # what the child's own allocations trigger sooner or later
        return gc.get_freeze_count(), _private_mb() - before

    with beside(work) as other:
        (frozen, copied), _ = other.result()
    assert gc.get_freeze_count() == 0  # this process collects as before
    assert frozen >= len(held) and copied < 40
    # so do the workers of the parallel stages
    [(frozen, copied)] = list(map_chunks(lambda chunk: work(), [1, 2], chunk_size=1,
                                         n_process=2))[:1]
    assert frozen >= len(held) and copied < 40
    assert len(held) == 1_500_000


def _shared_mb() -> float:
    """Memory this process shares with another (its pages a forked child has not let go)."""
    return _rollup_mb("Shared_Dirty:", "Shared_Clean:")


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="Linux only")
def test_collecting_here_while_a_child_runs_does_not_copy_what_they_share():
    import gc

    held = [[i] for i in range(1_500_000)]  # about 130 MB of objects the collector tracks
    ready, go = os.pipe()

    def wait():
        os.read(ready, 1)  # alive until this process has collected
        return len(held)

    try:
        with beside(wait) as other:
            before = _shared_mb()
            gc.collect()  # what this process's own stages trigger sooner or later
            kept = _shared_mb()
            os.write(go, b".")
            assert other.result()[0] == len(held)
    finally:
        os.close(ready)
        os.close(go)
    assert before > 100 and before - kept < 40  # the shared pages stayed shared
    assert gc.get_freeze_count() == 0  # collected as before once the child has ended
