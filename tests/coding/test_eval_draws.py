"""The learning curve's reviewed answers are drawn as the review page draws its sample."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from dialogue_analysis.coding import load_codebook, load_gold

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "tests" / "data" / "gold_grand_debat.csv"
CODEBOOK = REPO / "data" / "raw" / "sample-2018" / "codebook.yaml"


def _benchmark():
    spec = importlib.util.spec_from_file_location("eval_coding",
                                                  REPO / "benchmarks" / "eval_coding.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def _gold_set(bench):
    gold = load_gold(GOLD, load_codebook(CODEBOOK))
    keys = [(str(r), str(q)) for r, q in zip(gold["record_id"], gold["question_id"], strict=True)]
    n = len(keys)
    return bench.GoldSet("gold", keys, [f"réponse {i}" for i in range(n)],
                         np.zeros((n, 1), dtype=np.int64), np.zeros((n, 1), dtype=np.int64))


def test_stratified_draw_is_the_review_sample_with_each_question_its_share():
    bench = _benchmark()
    g = _gold_set(bench)
    questions = pd.Series([q for _, q in g.keys])
    for seed in (4000, 4001):
        train, test = bench.draw_review(g, 100, seed)
        assert sorted(np.concatenate([train, test]).tolist()) == list(range(len(g.keys)))
        # 320 answers, 80 per question: each question gets 25 of the 100
        assert questions.iloc[train].value_counts().to_dict() == {
            "q15": 25, "q16": 25, "q20": 25, "q21": 25}
        answers = pd.DataFrame(g.keys, columns=["record_id", "question_id"]).assign(text=g.texts)
        sample = bench.review_sample(answers, 100, seed=seed)
        assert {g.keys[i] for i in train} == set(zip(sample["record_id"],
                                                     sample["question_id"], strict=True))
        assert np.array_equal(train, bench.draw_review(g, 100, seed)[0])
    first, second = bench.draw_review(g, 100, 4000)[0], bench.draw_review(g, 100, 4001)[0]
    assert len(set(first) & set(second)) < 60


def test_random_draw_does_not_hold_the_questions_shares():
    bench = _benchmark()
    g = _gold_set(bench)
    questions = pd.Series([q for _, q in g.keys])
    shares = [questions.iloc[bench.draw_review(g, 100, seed, "random")[0]].value_counts()
              for seed in range(4000, 4010)]
    assert any(set(s.to_list()) != {25} for s in shares)
