"""Benchmark of incremental processing: the second wave with the NLP cache cold or warm.

The NLP cache (``<root>/data/processed/_nlp_cache/``) is keyed by text hash and shared by every
wave of a project. This measures, for the second sample wave (sample-2019):

``cold``
    Empty cache: every text of the wave is parsed (and the model loaded).
``after_first``
    The cache holds the first wave's texts (sample-2018 parsed before, not timed): only the
    second wave's own texts are parsed; a larger cache costs nothing.
``rerun``
    The cache already holds the second wave: nothing is parsed, the model is not loaded.
    In the whole analysis (``--pipeline``) the anonymise stage's cache, kept per wave under
    ``data/interim/<wave>/``, also holds the second wave's texts: no model is loaded at all,
    and spaCy is not even imported.

With ``--run`` the whole ``dialogue-analysis run`` of the first wave (report, notebooks and
exports included) is timed cold (empty root) and warm (the same command again, nothing changed),
with the number of files under ``reports/`` and ``data/processed/<wave>/exports/`` that the warm
run wrote again (a file kept from the cold run keeps its inode and modification time), and the
CPU time (user + system) of the whole process tree of each run: the command, its notebook
kernel and any worker process, with the load average at its start (the machine may be shared).

With ``--pipeline`` the same three situations are timed for the whole analysis of the second
wave (``run_analysis``: ingest, anonymise, nlp, coding, themes, typology...), whose manifest
gives each stage's time and the parsed / cached counts.

Each measurement runs in a fresh Python process (spaCy is faster on texts it has seen in the
same process), ``--repeat`` times; the best wall-clock time is kept, with the CPU time of that
run (steadier than wall-clock time on a shared machine). The NLP measurements parse the
answers as ingested (the pipeline parses them pseudonymised: same texts but for a few names).

Usage::

    python benchmarks/bench_incremental.py
    python benchmarks/bench_incremental.py --pipeline --repeat 1
    python benchmarks/bench_incremental.py --run
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIRST = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"
SECOND = REPO / "data" / "raw" / "sample-2019" / "survey.yaml"

PARSE = """
import json, resource, sys, time
import dialogue_analysis as da
from dialogue_analysis.nlp import parse_answers
config, root = sys.argv[1], sys.argv[2]
answers = da.read_wave(da.load_project(config)).answers
t0, c0 = time.perf_counter(), time.process_time()
parsed = parse_answers(answers, root=root)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"seconds": seconds, "cpu": cpu, "answers": len(answers),
                  "n_parsed": parsed.n_parsed,
                  "n_cached": parsed.n_cached,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ANALYSE = """
import json, resource, sys, time
from dialogue_analysis.analysis import run_analysis
config, root = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
a = run_analysis(config, root)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
stages = {k: v["seconds"] for k, v in a.manifest.get("stages", {}).items()}
nlp = a.manifest.get("stages", {}).get("nlp", {}).get("params", {})
anon = a.manifest.get("stages", {}).get("anonymise", {}).get("params", {})
print(json.dumps({"seconds": seconds, "cpu": cpu, "stages": stages, "n_parsed": nlp.get("n_parsed"),
                  "n_cached": nlp.get("n_cached"), "anon_cached": anon.get("n_cached", 0),
                  "spacy_imported": "spacy" in sys.modules,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(script: str, config: Path, root: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", script, str(config), str(root)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(script: str, situation: str, repeat: int) -> dict:
    """Best of ``repeat`` runs of ``script`` on the second wave in one cache situation."""
    best = None
    for _ in range(repeat):
        root = Path(tempfile.mkdtemp(prefix="bench-incremental-"))
        try:
            if situation in ("after_first", "rerun"):
                _run(script, FIRST, root)
            if situation == "rerun":
                _run(script, SECOND, root)
            result = _run(script, SECOND, root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def _outputs(root: Path) -> dict[str, tuple[int, int]]:
    """``(inode, mtime)`` of every report and export file under ``root``."""
    folders = [root / "reports", *(root / "data" / "processed").glob("*/exports")]
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for f in folders for p in f.rglob("*") if p.is_file()}


def _children_cpu(resource) -> float:
    """User + system CPU seconds of every finished child process and of their own children
    (the run, its notebook kernel, its worker processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_run() -> dict:
    """Cold and warm ``dialogue-analysis run`` of the first wave in one fresh root."""
    import os
    import resource
    import time

    root = Path(tempfile.mkdtemp(prefix="bench-incremental-run-"))
    cmd = [str(Path(sys.executable).parent / "dialogue-analysis"), "run", str(FIRST),
           "--root", str(root), "--notebooks", str(REPO / "notebooks")]
    out = {}
    try:
        for situation in ("cold", "warm"):
            before = _outputs(root)
            load = os.getloadavg()[0]
            c0 = _children_cpu(resource)
            t0 = time.perf_counter()
            subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
            seconds = time.perf_counter() - t0
            cpu = _children_cpu(resource) - c0
            after = _outputs(root)
            written = sorted(k for k, v in after.items() if before.get(k) != v)
            figures = [k for k in written if "/figures/" in k]
            out[situation] = {"seconds": seconds, "cpu": cpu, "load": load, "files": len(after),
                              "written": len(written), "figures_written": len(figures)}
            print(f"run      {situation:12s} {seconds:7.2f} s (cpu {cpu:6.2f} s, load {load:4.1f})"
                  f"  files {len(after):3d}  written {len(written):3d} (figures {len(figures)})",
                  flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    out["warm_over_cold"] = out["warm"]["seconds"] / out["cold"]["seconds"]
    out["warm_over_cold_cpu"] = out["warm"]["cpu"] / out["cold"]["cpu"]
    print(f"warm / cold: {out['warm_over_cold']:.2f} (wall), {out['warm_over_cold_cpu']:.2f} (cpu)")
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pipeline", action="store_true",
                        help="also time the whole analysis of the second wave")
    parser.add_argument("--run", action="store_true",
                        help="only time a cold and a warm `dialogue-analysis run` of a wave")
    args = parser.parse_args(argv)
    if args.run:
        return {"run": measure_run()}
    results = {"nlp": {}, "pipeline": {}}
    for situation in ("cold", "after_first", "rerun"):
        r = measure(PARSE, situation, args.repeat)
        results["nlp"][situation] = r
        print(f"nlp      {situation:12s} {r['seconds']:7.2f} s (cpu {r['cpu']:6.2f} s)  "
              f"parsed {r['n_parsed']:4d}  "
              f"cached {r['n_cached']:4d}  peak {r['max_rss_mb']:.0f} MB", flush=True)
    if args.pipeline:
        for situation in ("cold", "after_first", "rerun"):
            r = measure(ANALYSE, situation, args.repeat)
            results["pipeline"][situation] = r
            stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
            print(f"pipeline {situation:12s} {r['seconds']:7.2f} s (cpu {r['cpu']:6.2f} s)  "
                  f"parsed {r['n_parsed']:4d}  "
                  f"cached {r['n_cached']:4d}  anonymise cached {r['anon_cached']:4d}  "
                  f"spaCy imported {r['spacy_imported']}  peak {r['max_rss_mb']:.0f} MB  "
                  f"({stages})", flush=True)
    return results


if __name__ == "__main__":
    main()
