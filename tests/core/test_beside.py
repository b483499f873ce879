"""A stage in a forked process beside this one: its result, its figures, its failures."""

import os
import time

import pytest

from dialogue_analysis.core import StageTimer, beside


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


def test_a_failure_of_the_work_is_raised_here():
    def fails():
        raise ValueError("too few answers for themes")

    with beside(fails) as other, pytest.raises(ValueError, match="too few answers"):
        other.result()


def test_a_failure_here_ends_the_work_at_once():
    t0 = time.perf_counter()
    with pytest.raises(RuntimeError), beside(lambda: time.sleep(60)) as other:
        pool = other._pool
        raise RuntimeError("the stage run meanwhile failed")
    assert time.perf_counter() - t0 < 20
    assert other._pool is None and pool is not None
    assert not any(p.is_alive() for p in pool._pool)


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
