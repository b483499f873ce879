"""Run ``dialogue-analysis run`` on the sample wave many times in a row and report failures.

Each run is a fresh subprocess with its own empty root (no cache, nothing processed), with the
notebooks, so that the start of the notebook kernels overlaps the drawing of the figures as in
real use: a race between them shows up as an occasional failure. The exit code is the number of
failed runs (0 expected); each failure's last lines of output are printed.

Usage: python benchmarks/stress_runs.py [CONFIG] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"


def run_once(config: Path) -> tuple[int, float, str]:
    """(exit code, seconds, last lines of stdout and stderr) of one run in a fresh root."""
    root = Path(tempfile.mkdtemp(prefix="da-stress-"))
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    cmd = [sys.executable, "-m", "dialogue_analysis.cli", "run", str(config), "--root", str(root),
           "--notebooks", str(REPO / "notebooks")]
    try:
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
        if done.returncode == 0 and not (root / "reports").is_dir():
            return -1, time.perf_counter() - t0, "no report written\n" + done.stderr[-3000:]
        return done.returncode, time.perf_counter() - t0, (done.stdout[-1500:] +
                                                           done.stderr[-3000:])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    failures = []
    for i in range(1, args.runs + 1):
        code, seconds, tail = run_once(args.config.resolve())
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"run {i}/{args.runs}: {status} in {seconds:.1f} s", flush=True)
        if code != 0:
            failures.append(i)
            print(tail, flush=True)
    print(f"{len(failures)} failure(s) in {args.runs} run(s)"
          + (f": runs {', '.join(map(str, failures))}" if failures else ""))
    return len(failures)


if __name__ == "__main__":
    sys.exit(main())
