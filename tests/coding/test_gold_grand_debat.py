"""The hand-coded gold sample of real Grand Débat answers: it loads, and names real answers."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from dialogue_analysis.coding import load_codebook, load_gold

REPO = Path(__file__).resolve().parents[2]
GOLD = REPO / "tests" / "data" / "gold_grand_debat.csv"
CODEBOOK = REPO / "data" / "raw" / "sample-2018" / "codebook.yaml"

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def draw_tool(realdata):
    """``tools/gold_sample_grand_debat.py`` reading the real data the tests read."""
    spec = importlib.util.spec_from_file_location(
        "gold_sample_grand_debat", REPO / "tools" / "gold_sample_grand_debat.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.FOLDER = realdata / "grand_debat_services_publics"
    return tool


def test_gold_loads_against_the_sample_codebook():
    gold = load_gold(GOLD, load_codebook(CODEBOOK))  # an unknown code would raise
    assert len(gold) == 320
    assert gold["question_id"].value_counts().to_dict() == {q: 80 for q in
                                                            ("q15", "q16", "q20", "q21")}
    coded = gold[gold["codes"].map(len) > 0]
    assert len(coded) == 194 and int(gold["codes"].map(len).sum()) == 340
    counts = Counter(c for codes in gold["codes"] for c in codes)
    assert counts.most_common(3) == [("service.health", 69), ("service.taxes", 42),
                                     ("service.identity", 31)]


def test_every_gold_row_is_a_real_answer_drawn_by_the_tool(draw_tool):
    gold = load_gold(GOLD)
    keys = list(zip(gold["record_id"], gold["question_id"], strict=True))
    texts = draw_tool.gold_answers(keys)
    assert len(texts) == 320 and all(len(t.strip()) >= draw_tool.MIN_CHARS for t in texts)
    drawn = [draw_tool.answer_key(q, r) for q, r, _ in draw_tool.draw()]
    assert drawn == keys  # the file is exactly the tool's seeded draw, in its order
    health = [t for t, codes in zip(texts, gold["codes"], strict=True)
              if "service.health" in codes]
    words = ("santé", "médec", "hôpita", "hopita", "soin", "ameli", "cpam", "sécu", "urgence",
             "médic", "medec")
    assert sum(any(w in t.lower() for w in words) for t in health) >= 0.9 * len(health)
    with pytest.raises(ValueError, match="gd15-999999"):
        draw_tool.gold_answers([("gd15-999999", "q15")])
