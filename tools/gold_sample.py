"""Draw the hand-coded reference sample of the sample-2018 wave (50 answers).

The sample is used to evaluate the automatic codebook coding (precision, recall, F1 and
Cohen's kappa per code) against an independent hand coding, see ``docs/gold_coding.md``.

Design (fixed seed, ``random.Random(42)``):

* 50 answers from 50 *different* records, 10 per question ``q1`` .. ``q5``;
* spread over the profiles: the profiles are visited round-robin (in a shuffled order), each visit
  takes one not-yet-drawn record of that profile, until 50 records are drawn;
* the record drawn at position ``i`` of round ``r`` (one round = one visit of every profile) gets
  question ``QUESTIONS[(i + r) % 5]``: every question gets 10 answers, the profiles are spread over
  the questions, and a profile drawn several times gets a different question each time.

Usage::

    python tools/gold_sample.py            # prints record_id,question_id (sorted) as CSV
    python tools/gold_sample.py --text     # also prints the answer texts
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

WAVE = Path(__file__).resolve().parent / "sample_wave"
SEED = 42
N_PER_QUESTION = 10
QUESTIONS = ("q1", "q2", "q3", "q4", "q5")


def load_answers() -> dict[str, dict[str, str]]:
    """All answers of the wave: record_id -> {q1..q5: text}."""
    answers: dict[str, dict[str, str]] = {}
    for part in sorted((WAVE / "answers").glob("part_*.json")):
        answers.update(json.loads(part.read_text(encoding="utf-8")))
    return answers


def draw_sample() -> list[tuple[str, str]]:
    """The sample as (record_id, question_id) pairs, sorted."""
    rng = random.Random(SEED)
    briefs = json.loads((WAVE / "briefs.json").read_text(encoding="utf-8"))
    answered = load_answers()
    by_profile: dict[str, list[str]] = {}
    for brief in sorted(briefs, key=lambda b: b["record_id"]):
        if brief["record_id"] in answered:
            by_profile.setdefault(brief["profile"], []).append(brief["record_id"])
    profiles = sorted(by_profile)
    rng.shuffle(profiles)
    for profile in profiles:
        rng.shuffle(by_profile[profile])

    n_total = N_PER_QUESTION * len(QUESTIONS)
    pairs: list[tuple[str, str]] = []
    round_ = 0
    while len(pairs) < n_total:
        for profile in profiles:
            if by_profile[profile] and len(pairs) < n_total:
                question = QUESTIONS[(len(pairs) + round_) % len(QUESTIONS)]
                pairs.append((by_profile[profile].pop(), question))
        round_ += 1
    counts = {q: sum(1 for _, qid in pairs if qid == q) for q in QUESTIONS}
    assert set(counts.values()) == {N_PER_QUESTION}, counts
    return sorted(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", action="store_true", help="print the answer texts as well")
    args = parser.parse_args()
    answers = load_answers()
    print("record_id,question_id")
    for rid, qid in draw_sample():
        print(f"{rid},{qid}")
        if args.text:
            print(f"    {answers[rid][qid]}\n")


if __name__ == "__main__":
    main()
