"""Draw the hand-coded reference sample of real Grand Débat answers (320 answers).

The sample measures the codebook and the learned layer on text nobody on the project wrote (see
``docs/gold_coding.md``). The answers stay in ``../shared/realdata/grand_debat_services_publics/``
(they are not copied into the project): the gold file names each answer by its question file and
its row number (0-based, header excluded).

Design (fixed seed, ``random.Random(2019)``): 80 answers per question file (questions 15, 16, 20
and 21), drawn without replacement among the answers of at least 20 characters, then sorted by
question and row.

Usage::

    python tools/gold_sample_grand_debat.py            # question,row (CSV)
    python tools/gold_sample_grand_debat.py --json     # also the answers' text, as JSON
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("DIALOGUE_ANALYSIS_REALDATA") or REPO.parent / "shared" / "realdata")
FOLDER = REALDATA / "grand_debat_services_publics"
QUESTIONS = ("15", "16", "20", "21")
N_PER_QUESTION = 80
MIN_CHARS = 20
SEED = 2019


def read_question(question: str) -> list[str]:
    """The answers of one question file, in file order."""
    path = FOLDER / f"gd_animation_organisation_{question}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return [row["comment"] or "" for row in csv.DictReader(f)]


def draw() -> list[tuple[str, int, str]]:
    """(question, row, text) of the sample, sorted by question then row."""
    rng = random.Random(SEED)
    sample = []
    for question in QUESTIONS:
        answers = read_question(question)
        eligible = [i for i, text in enumerate(answers) if len(text.strip()) >= MIN_CHARS]
        rows = sorted(rng.sample(eligible, N_PER_QUESTION))
        sample += [(question, row, answers[row]) for row in rows]
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the answers' text as JSON")
    args = parser.parse_args()
    sample = draw()
    if args.json:
        print(json.dumps([{"id": f"gd{q}-{r}", "question": q, "row": r, "text": t}
                          for q, r, t in sample], ensure_ascii=False, indent=1))
    else:
        print("question,row")
        for question, row, _ in sample:
            print(f"{question},{row}")


if __name__ == "__main__":
    main()
