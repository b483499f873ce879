"""Texts of common words only are not read by the person recogniser, and nothing found changes.

The anonymise stage gives such a text no entity, without running the recogniser nor even the
tokenizer on it (``_Detector.needs_recogniser``): the rules would veto every person the
recogniser could read there, and they read nothing else of a doc. The stage is run both ways, through ``anonymise_answers`` with the pipeline ``run``
builds, on real answers nobody here wrote and on the development held-out sets.
"""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from dialogue_analysis import load_project, read_wave
from dialogue_analysis.anonymise import anonymise_answers
from dialogue_analysis.anonymise._detect import _Detector

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
CONFIG = Path(__file__).resolve().parents[1] / "realdata" / "entendre_la_france.yaml"


@pytest.fixture(scope="module")
def det(nlp):
    return _Detector(nlp)


@pytest.mark.parametrize("text", [
    "Le service est trop lent.",
    "Les démarches en ligne sont compliquées. Il faudrait plus de guichets !",
    "A mon avis, c'est bien.",
    "pas assez de personnel",
])
def test_common_words_need_no_recogniser(det, text):
    assert not det.needs_recogniser(text)


@pytest.mark.parametrize("text", [
    "Il faut demander à Pervenche.",          # a common word in title case inside a sentence
    "j'ai envoyé un texto à souleymanata",   # a word no table knows
    'Les services de la préfecture notamment "Carte grise"',
    "Aides (Compost, vélo)",                 # after an opening bracket, inside the sentence
    "La CAF a fermé.",                       # capitals
    "Lorient est loin.",                     # a word no table knows, opening a sentence
])
def test_a_capital_inside_a_sentence_or_an_unknown_word_needs_it(det, text):
    assert det.needs_recogniser(text)


def _both_ways(answers: pd.DataFrame, nlp, monkeypatch) -> tuple:
    skipped = anonymise_answers(answers, nlp=nlp)
    with monkeypatch.context() as m:
        m.setattr(_Detector, "needs_recogniser", lambda self, text: True)
        read = anonymise_answers(answers, nlp=nlp)
    return skipped, read


def _assert_same(skipped, read) -> None:
    pd.testing.assert_frame_equal(skipped.answers, read.answers)
    pd.testing.assert_frame_equal(skipped.spans, read.spans)
    pd.testing.assert_frame_equal(skipped.mapping, read.mapping)
    assert skipped.n_ner_texts == read.n_ner_texts


@pytest.mark.realdata
def test_real_answers_are_pseudonymised_the_same(realdata, nlp, det, monkeypatch):
    answers = read_wave(load_project(CONFIG)).answers
    sample = answers[answers["question_id"].isin(["OE9", "OE10", "OE11"])].loc[
        :, ["record_id", "question_id", "text"]].reset_index(drop=True)
    plain = sum(not det.needs_recogniser(t) for t in sample["text"].astype(str))
    assert plain >= len(sample) // 3  # most answers are common words only
    skipped, read = _both_ways(sample, nlp, monkeypatch)
    assert (skipped.spans["kind"] == "person").sum() >= 25  # names are still found there
    _assert_same(skipped, read)


def test_the_development_sets_are_pseudonymised_the_same(nlp, det, monkeypatch):
    rows = []
    for i in range(12, 17):  # development sets; the blind ones are measured by the benchmark
        data = yaml.safe_load((DATA / f"heldout_persons_{i}.yaml").read_text(encoding="utf-8"))
        for rec in data["records"]:
            rows += [(rec["id"], f"Q{q}", t) for q, t in enumerate(rec["texts"])]
        rows += [(f"N{i}-{j}", "Q0", t) for j, t in enumerate(data["negatives"])]
    answers = pd.DataFrame(rows, columns=["record_id", "question_id", "text"])
    assert sum(not det.needs_recogniser(t) for t in answers["text"]) >= 50
    _assert_same(*_both_ways(answers, nlp, monkeypatch))


def test_a_text_not_read_is_counted_as_read_with_no_entity(nlp):
    from dialogue_analysis.anonymise._anonymise import _docs, _ner_ran

    texts = ["Le service est trop lent.", "", "Il faut demander à Pervenche."]
    docs = list(_docs(_Detector(nlp), texts, 64, 1))
    assert [_ner_ran(d) for d in docs] == [True, True, True]
    assert docs[0].ents == docs[1].ents == ()
    # the text that needs the recogniser is a doc it read
    assert docs[2].text == texts[2] and [e.text for e in docs[2].ents] == ["Pervenche"]
