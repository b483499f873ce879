"""Build the fast NLP pipeline's French lemma table from the full pipeline's lemmas.

The fast pipeline (``settings.nlp_pipeline: fast``, docs/nlp.md) lemmatizes each token by
looking its form up, first in the table this tool writes, then in spaCy's lookup table (package
``spacy-lookups-data``). That table has one lemma per form whatever its use, and makes verbs of
the nouns of this field ("démarches" -> "démarcher"). This tool parses a corpus of pseudonymised
answers with the full ``"parse"`` pipeline (the package's own builder: tagger and rule
lemmatizer) and keeps, for each lower-cased form:

* the lemma the full pipeline gives it most often (ties: the alphabetically first);
* only when it differs from what the lookup table alone would give (its lemma of the form, or the
  form itself when the table has none);
* only for forms seen at least ``--min-count`` times, made of letters alone (no digit, no
  ``_``: the placeholders ``[PERSONNE_1]`` never qualify), and seen at least once in lower case
  (a form only ever written with a capital is a name, a place or an acronym).

The input is what the anonymise stage wrote (``data/processed/<wave>/answers.parquet`` of a
``run``): no name reaches the table. The output is sorted and written with ``\\n`` line ends, so
the same corpus gives the same bytes.

Usage::

    python tools/build_lemma_table.py ROOT/data/processed/grand-debat-services-publics/answers.parquet
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from dialogue_analysis.nlp import LEMMA_TABLE, build_pipeline, lookup_lemma_table  # noqa: E402


def full_lemma_counts(texts, batch_size: int = 256):
    """Per lower-cased form: the full pipeline's lemmas (Counter), and whether it was seen in
    lower case."""
    nlp = build_pipeline("parse")
    counts: dict[str, Counter] = defaultdict(Counter)
    lower_seen: set[str] = set()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        for tok in doc:
            text = tok.text
            if not text.isalpha():
                continue
            low = text.lower()
            counts[low][tok.lemma_] += 1
            if text == low:
                lower_seen.add(low)
    return counts, lower_seen


def lemma_table(counts, lower_seen, lookup, min_count: int) -> dict[str, str]:
    """The entries that correct the lookup table (see the module's docstring)."""
    table = {}
    for form, lemmas in counts.items():
        if sum(lemmas.values()) < min_count or form not in lower_seen:
            continue
        lemma = min(lemmas.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if lemma != lookup.get(form, form):
            table[form] = lemma
    return table


def write_table(table: dict[str, str], path: Path) -> None:
    lines = [f"{form}\t{lemma}\n" for form, lemma in sorted(table.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("answers", nargs="+", type=Path,
                    help="pseudonymised answers tables (parquet, column `text`) of a run")
    ap.add_argument("--min-count", type=int, default=5)
    ap.add_argument("--out", type=Path, default=LEMMA_TABLE)
    args = ap.parse_args()
    texts = [t for path in args.answers
             for t in pd.read_parquet(path, columns=["text"])["text"].dropna().astype(str)]
    counts, lower_seen = full_lemma_counts(texts)
    table = lemma_table(counts, lower_seen, lookup_lemma_table(), args.min_count)
    write_table(table, args.out)
    print(f"{len(texts)} answers, {len(counts)} forms, {len(table)} entries -> {args.out}")


if __name__ == "__main__":
    main()
