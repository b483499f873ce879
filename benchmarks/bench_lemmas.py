"""Agreement of the fast NLP pipeline's lemmas with the full pipeline's, token by token.

Both pipelines are built by the package's builder (``build_pipeline("parse", ...)``) and run on
the same pseudonymised answers (a run's ``data/processed/<wave>/answers.parquet``); they share
the tokenizer, so their tokens are the same. Prints the share of tokens (words, i.e. not
punctuation or spaces) whose lemmas are equal (exactly, and but for case), the CPU seconds of each pipeline (model loaded),
and the most frequent disagreements (ignoring case: the terms read lemmas lower-cased).

Usage::

    python benchmarks/bench_lemmas.py ROOT/data/processed/WAVE/answers.parquet [--n 3000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from dialogue_analysis.nlp import DEFAULT_MODEL, LOOKUP, build_pipeline  # noqa: E402


def lemmas(model: str, texts: list[str]) -> tuple[list[list[tuple[str, str]]], float]:
    nlp = build_pipeline("parse", model)
    start = time.process_time()
    out = [[(t.text, t.lemma_) for t in doc if not (t.is_punct or t.is_space)]
           for doc in nlp.pipe(texts, batch_size=256)]
    return out, time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("answers", type=Path)
    ap.add_argument("--n", type=int, default=0, help="the first n answers (0: all)")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    texts = pd.read_parquet(args.answers, columns=["text"])["text"].dropna().astype(str).tolist()
    if args.n:
        texts = texts[: args.n]
    full, cpu_full = lemmas(DEFAULT_MODEL, texts)
    fast, cpu_fast = lemmas(DEFAULT_MODEL + LOOKUP, texts)
    same = same_lower = total = 0
    wrong: Counter = Counter()
    for a, b in zip(full, fast, strict=True):
        for (text, la), (_, lb) in zip(a, b, strict=True):
            total += 1
            same += la == lb
            same_lower += la.lower() == lb.lower()  # what the terms read (lower-cased)
            if la.lower() != lb.lower():
                wrong[(text.lower(), la, lb)] += 1
    total = max(total, 1)
    print(f"{len(texts)} answers, {total} word tokens: lemmas equal {same / total:.1%}, "
          f"equal but for case {same_lower / total:.1%}; "
          f"CPU s full {cpu_full:.1f}, fast {cpu_fast:.1f}")
    for (form, la, lb), k in wrong.most_common(args.top):
        print(f"  {k:6d}  {form!r}: full {la!r}, fast {lb!r}")


if __name__ == "__main__":
    main()
