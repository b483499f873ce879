"""Memory and time of the report's workbook and pre-publication scan steps on an analysed wave.

For a wave already run (e.g. a folder kept by ``bench_scale.py --keep``), each step runs in a
fresh Python process that first loads the saved analysis; the step's own memory is its peak
resident memory above what the process held once the analysis was loaded (sampled every
10 ms), beside its wall time:

``workbook``
    ``findings.xlsx`` (the published workbook, no row per person).
``analyst_workbook``
    ``analyst_workbook.xlsx`` (one row per person, answer and coded passage: the large one).
``scan``
    The pre-publication scan of the published ``reports/<wave>/`` folder and of the analyst's
    workbook.

Usage::

    python benchmarks/bench_workbook_scan.py /tmp/scale/wave-35627/survey.yaml /tmp/scale/root-35627
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

STEP = r"""
import json, sys, tempfile, threading, time
from pathlib import Path

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20

config, root, step = sys.argv[1:4]
from dialogue_analysis.analysis import load_analysis
from dialogue_analysis.core import scan_published
from dialogue_analysis.ingest import load_project
from dialogue_analysis.report import write_analyst_workbook, write_workbook

project = load_project(config)
a = load_analysis(project, root)
out = Path(tempfile.mkdtemp(prefix="bench-wb-"))
if step == "scan":  # what the scan reads: the published folder and the analyst's workbook
    write_analyst_workbook(a, out)
base = peak = rss_mb()
done = False

def sample():
    global peak
    while not done:
        peak = max(peak, rss_mb())
        time.sleep(0.01)

t = threading.Thread(target=sample, daemon=True)
t.start()
t0 = time.perf_counter()
if step == "workbook":
    write_workbook(a, out / "findings.xlsx")
elif step == "analyst_workbook":
    write_analyst_workbook(a, out)
else:
    hits = len(scan_published(project.reports_dir(root))) + len(scan_published(out))
seconds = time.perf_counter() - t0
done = True
t.join()
size = sum(p.stat().st_size for p in out.rglob("*.xlsx")) / 2**20
import shutil; shutil.rmtree(out)
print(json.dumps({"step": step, "seconds": seconds, "peak_above_base_mb": peak - base,
                  "base_mb": base, "xlsx_mb": size}))
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("root")
    parser.add_argument("--steps", nargs="*", default=["workbook", "analyst_workbook", "scan"])
    args = parser.parse_args(argv)
    print("| step | wall (s) | peak RSS above the loaded analysis (MB) | xlsx (MB) |")
    print("|---|---:|---:|---:|")
    for step in args.steps:
        done = subprocess.run([sys.executable, "-c", STEP, args.config, args.root, step],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stderr[-3000:])
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {step} | {r['seconds']:.1f} | {r['peak_above_base_mb']:.0f} | "
              f"{r['xlsx_mb']:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
