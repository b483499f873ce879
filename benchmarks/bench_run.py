"""Cold-start time of ``dialogue-analysis run`` on the sample wave, per stage.

A fresh root (no NLP cache, nothing processed) is made in a temporary folder; the command runs in
a subprocess, so the interpreter start, the imports and the spaCy model loads are included (the
installation is not). The per-stage timings come from the run manifest the command writes
(``data/processed/<wave>/analysis/analysis_manifest.json``); "startup and imports" is what the
wall time leaves over.

Usage: python benchmarks/bench_run.py [CONFIG] [--no-notebooks] [--repeat N]
Target: under 30 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"
TARGET_SECONDS = 30.0


def run_once(config: Path, notebooks: bool) -> dict:
    root = Path(tempfile.mkdtemp(prefix="da-bench-"))
    try:
        cmd = [str(Path(sys.executable).parent / "dialogue-analysis"), "run", str(config),
               "--root", str(root), "--notebooks", str(REPO / "notebooks")]
        if not notebooks:
            cmd.append("--no-notebooks")
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
            raise SystemExit(f"dialogue-analysis run failed ({done.returncode})")
        manifest = next((root / "data" / "processed").glob("*/analysis/analysis_manifest.json"))
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        stages = {k: v["seconds"] for k, v in meta["stages"].items()}
        report = dict(meta.get("report", {}))
        report_total = report.pop("total", sum(report.values()))
        accounted = sum(stages.values()) + report_total
        # The notebooks run in their kernels while the figures are drawn: the report's parts
        # overlap, so only its total counts towards the wall time.
        stages.update({f"report: {k}": v for k, v in report.items()})
        stages["report (total)"] = report_total
        stages["startup, ingest, summary"] = round(wall - accounted, 3)
        return {"wall": wall, "stages": stages}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--no-notebooks", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    runs = [run_once(args.config.resolve(), not args.no_notebooks) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["wall"])
    print(f"dialogue-analysis run {args.config.name} — cold start, best of {len(runs)}")
    print(f"{'stage':<24}{'seconds':>9}")
    for stage, secs in best["stages"].items():
        print(f"{stage:<24}{secs:>9.1f}")
    print(f"{'total (wall)':<24}{best['wall']:>9.1f}")
    verdict = "within" if best["wall"] <= TARGET_SECONDS else "over"
    print(f"target {TARGET_SECONDS:.0f} s: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
