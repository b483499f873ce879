"""The stage timer: wall time, CPU time and peak memory per stage, as the run manifest records."""

import json
import subprocess
import sys

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
