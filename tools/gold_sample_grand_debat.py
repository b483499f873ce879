"""Draw the hand-coded reference sample of real Grand Débat answers (320 answers).

The sample measures the codebook and the learned layer on text nobody on the project wrote (see
``docs/gold_coding.md``). The answers stay in ``../shared/realdata/grand_debat_services_publics/``
(they are not copied into the project): the gold file (``tests/data/gold_grand_debat.csv``) names
each answer ``gd<question>-<row>`` (``record_id``, row 0-based in the question file, header
excluded) and ``q<question>`` (``question_id``); :func:`gold_answers` reads their text back.

Design (fixed seed, ``random.Random(2019)``): 80 answers per question file (questions 15, 16, 20
and 21), drawn without replacement among the answers of at least 20 characters, then sorted by
question and row.

Usage::

    python tools/gold_sample_grand_debat.py            # record_id,question_id (CSV)
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


def answer_key(question: str, row: int) -> tuple[str, str]:
    """``(record_id, question_id)`` of an answer, as the gold file names it."""
    return f"gd{question}-{row}", f"q{question}"


def gold_answers(keys) -> list[str]:
    """The text of each ``(record_id, question_id)`` of the gold file, in that order.

    Raises ``ValueError`` naming the answer when a key does not resolve to a row of its file."""
    files: dict[str, list[str]] = {}
    out = []
    for record_id, question_id in keys:
        question, _, row = str(record_id).removeprefix("gd").partition("-")
        if f"q{question}" != question_id or question not in QUESTIONS or not row.isdigit():
            raise ValueError(f"{record_id},{question_id}: not an answer of the sample's files")
        answers = files.setdefault(question, read_question(question))
        if int(row) >= len(answers):
            raise ValueError(f"{record_id},{question_id}: row {row} is beyond the "
                             f"{len(answers)} answers of question {question}")
        out.append(answers[int(row)])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the answers' text as JSON")
    args = parser.parse_args()
    sample = draw()
    if args.json:
        print(json.dumps([{"id": answer_key(q, r)[0], "question": q, "row": r, "text": t}
                          for q, r, t in sample], ensure_ascii=False, indent=1))
    else:
        print("record_id,question_id")
        for question, row, _ in sample:
            print(",".join(answer_key(question, row)))


if __name__ == "__main__":
    main()
