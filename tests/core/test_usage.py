"""The stage timer: wall time, CPU time and peak memory per stage, as the run manifest records."""

import json
import os
import subprocess
import sys

import pytest

from dialogue_analysis.core import StageTimer

STAGES = """
import json
import numpy as np
from dialogue_analysis.core import StageTimer
seen = []
timer = StageTimer(lambda stage, secs: seen.append([stage, secs is None]))
with timer("small"):
    pass
with timer("big"):
    block = np.ones(200 * 2**20 // 8)  # 200 MB touched
    total = float(sum(range(2_000_000)))  # some CPU
print(json.dumps({"usage": timer.usage, "timings": timer.timings, "seen": seen}))
"""


def test_stage_timer_records_cpu_and_the_memory_a_stage_raised():
    # in a fresh process: the peak memory is the peak so far, which earlier tests would hide
    out = subprocess.run([sys.executable, "-c", STAGES], capture_output=True, text=True,
                         check=True)
    got = json.loads(out.stdout)
    small, big = got["usage"]["small"], got["usage"]["big"]
    assert big["peak_rss_mb"] >= small["peak_rss_mb"] + 150
    assert big["cpu_seconds"] > 0
    assert got["timings"]["big"] >= 0
    assert got["seen"] == [["small", True], ["small", False], ["big", True], ["big", False]]


def test_a_failed_stage_is_timed_but_not_reported_as_done():
    seen = []
    timer = StageTimer(lambda stage, secs: seen.append((stage, secs)))
    try:
        with timer("broken"):
            raise ValueError("bad input")
    except ValueError:
        pass
    assert "broken" in timer.timings and seen == [("broken", None)]


START_UP = """
import json, time
t0 = time.time()
total = float(sum(range(3_000_000)))  # some CPU before the question
cpu_before = time.process_time()
from dialogue_analysis.core import since_start
print(json.dumps({"since": since_start(), "spent": time.time() - t0, "cpu_before": cpu_before}))
"""


def test_since_start_counts_the_start_up_of_the_process():
    # what the run manifest records as "start-up": the interpreter, the imports, all before it
    out = subprocess.run([sys.executable, "-c", START_UP], capture_output=True, text=True,
                         check=True)
    got = json.loads(out.stdout)
    since = got["since"]
    # the CPU spent before the import is counted (to the clock's grain), whatever the machine's speed
    assert got["cpu_before"] > 0
    assert since["cpu_seconds"] >= got["cpu_before"] - 0.011
    if sys.platform.startswith("linux"):
        assert since["seconds"] >= got["spent"] and since["seconds"] < 120


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_memory_freed_but_kept_by_the_allocator_goes_back_to_the_system():
    import gc

    from dialogue_analysis.core import give_back_freed_memory

    def rss_mb() -> float:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    # 200 MB in blocks the allocator hands out from its heap; one in 50 kept, so the freed
    # ones are holes it keeps for later rather than an end it can cut off
    blocks = [bytes(2000) + i.to_bytes(4, "little") for i in range(100_000)]
    kept = blocks[::50]
    del blocks
    gc.collect()
    before = rss_mb()
    give_back_freed_memory()
    assert before - rss_mb() > 100
    assert len(kept) == 2000 and kept[-1].endswith((99_950).to_bytes(4, "little"))
