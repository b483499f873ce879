"""Benchmark of the sentence embeddings (``dialogue_analysis.nlp.embed``): speed and memory,
cold (empty cache: the model loads, then encodes every text; texts/s excludes the load) and warm (a rerun: vectors read from
the disk cache, the model not loaded).

Each measurement runs in a fresh Python process (the in-memory cache and the loaded model would
flatter the second run); peak resident memory is ``ru_maxrss`` of that process, and the memory
the embeddings add is measured against the same process before its first call.

Usage::

    python benchmarks/bench_embeddings.py                      # the sample wave's answers
    python benchmarks/bench_embeddings.py --source grand_debat --n 2000
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_nlp import load_texts  # noqa: E402 - the same texts as the NLP benchmark


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(source: str, n: int, cache: str, load: bool) -> dict:
    """One run of ``embed`` on the texts with the disk cache ``cache``; with ``load`` the model
    is loaded first (one text outside the cache), to time the encoding alone."""
    from dialogue_analysis.nlp import embed

    texts = load_texts(source, n)["text"].fillna("").astype(str).tolist()
    before = _peak_mb()
    t0 = time.perf_counter()
    if load:
        embed(["Chargement du modèle."])
    load_seconds = time.perf_counter() - t0
    counts: dict = {}
    t0 = time.perf_counter()
    vectors = embed(texts, cache_dir=cache, counts=counts)
    seconds = time.perf_counter() - t0
    return {"texts": len(texts), "distinct": len(set(texts)), "seconds": seconds,
            "load_seconds": load_seconds,
            "texts_per_s": len(texts) / seconds if seconds else float("inf"),
            "peak_mb": _peak_mb(), "added_mb": _peak_mb() - before,
            "vectors_mb": vectors.nbytes / 2**20, **counts}


def run(args, cache: str, load: bool) -> dict:
    cmd = [sys.executable, __file__, "--worker", "--source", args.source, "--n", str(args.n),
           "--cache", cache] + (["--load"] if load else [])
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--source", choices=["auto", "sample", "grand_debat"], default="auto")
    p.add_argument("--n", type=int, default=1000, help="Grand Débat answers (default 1000)")
    p.add_argument("--cache", help=argparse.SUPPRESS)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(args.source, args.n, args.cache, args.load)))
        return
    folder = tempfile.mkdtemp(prefix="bench-embeddings-")
    try:
        cold = run(args, folder, load=True)
        warm = run(args, folder, load=False)
        disk = sum(f.stat().st_size for f in Path(folder).rglob("*.npz")) / 2**20
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{cold['texts']} texts ({cold['distinct']} distinct), source {args.source}; "
          f"vectors {cold['vectors_mb']:.1f} MB in memory, cache on disk {disk:.1f} MB; "
          f"model loaded in {cold['load_seconds']:.1f} s (cold only; warm does not load it)")
    print(f"{'run':<6}{'computed':>10}{'from disk':>11}{'seconds':>10}{'texts/s':>10}"
          f"{'peak MB':>10}{'added MB':>10}")
    for name, r in (("cold", cold), ("warm", warm)):
        print(f"{name:<6}{r['computed']:>10}{r['disk']:>11}{r['seconds']:>10.2f}"
              f"{r['texts_per_s']:>10.0f}{r['peak_mb']:>10.0f}{r['added_mb']:>10.0f}")


if __name__ == "__main__":
    main()
