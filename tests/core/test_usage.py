"""The stage timer: wall time, CPU time and peak memory per stage, as the run manifest records."""

import numpy as np

from dialogue_analysis.core import StageTimer


def test_stage_timer_records_cpu_and_the_memory_a_stage_raised():
    seen = []
    timer = StageTimer(lambda stage, secs: seen.append((stage, secs is None)))
    with timer("small"):
        pass
    before = timer.usage["small"]["peak_rss_mb"]
    with timer("big"):
        block = np.ones(200 * 2**20 // 8)  # 200 MB touched
        total = float(sum(range(2_000_000)))  # some CPU
    assert block.sum() > 0 and total > 0
    assert timer.usage["big"]["peak_rss_mb"] >= before + 150
    assert timer.usage["big"]["cpu_seconds"] > 0
    assert timer.timings["big"] >= 0
    assert seen == [("small", True), ("small", False), ("big", True), ("big", False)]


def test_a_failed_stage_is_timed_but_not_reported_as_done():
    seen = []
    timer = StageTimer(lambda stage, secs: seen.append((stage, secs)))
    try:
        with timer("broken"):
            raise ValueError("bad input")
    except ValueError:
        pass
    assert "broken" in timer.timings and seen == [("broken", None)]
