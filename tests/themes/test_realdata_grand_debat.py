"""Emerging themes at scale: the Grand Débat public-services answers.

One answer in ``EVERY`` of each of the four files (read through the wave's config, parsed with
the NLP stage's own pipeline) is enough to test what the whole corpus needs: few answers without
a theme, no theme swallowing the corpus unless the evidence says so, labels that name something,
and the same themes whatever the order of the answers.
"""

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from dialogue_analysis.ingest import load_project, read_wave
from dialogue_analysis.nlp import parse_answers
from dialogue_analysis.themes import FUNCTION_WORDS, find_themes
from tests.pipeline.test_realdata_grand_debat import _config_for

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

EVERY = 4


@pytest.fixture(scope="module")
def corpus(realdata, tmp_path_factory, parse_nlp):
    root = tmp_path_factory.mktemp("gd-themes")
    wave = read_wave(load_project(_config_for(realdata, root, EVERY)))
    parsed = parse_answers(wave.answers, nlp=parse_nlp, root=root)
    return parsed.terms, wave.answers


@pytest.fixture(scope="module")
def themes(corpus):
    terms, answers = corpus
    return find_themes(terms, answers, min_df=3, max_df=0.5)


def test_few_answers_have_no_theme_and_none_dominates(corpus, themes):
    terms, _ = corpus
    assert len(terms) > 8_000
    a = themes.assignments
    assert len(a) == len(terms)
    assert a["theme"].isna().mean() <= 0.05
    ev = themes.k_evidence
    chosen = ev[ev["chosen"]]
    assert len(chosen) == 1 and int(chosen["k"].iloc[0]) == len(themes.summary)
    assert 4 <= len(themes.summary) <= 20 and ev["k"].max() == 20
    if ev["within_share"].any():
        assert bool(chosen["within_share"].iloc[0])
        assert themes.summary["share"].max() <= 0.20
    # Shares are of every answer: the unassigned ones are the rest.
    assert themes.summary["n_answers"].sum() == a["theme"].notna().sum()


def test_labels_name_something(themes):
    for label in themes.summary["label"]:
        words = [w for term in label.split(" · ") for w in term.split()]
        # a subject word, or the "none" its answers say ("aucun": no service improved)
        assert any(w.lower() not in FUNCTION_WORDS for w in words) or words == ["aucun"], label
        assert 1 <= len(label.split(" · ")) <= 3, label
    labels = " ".join(themes.summary["label"])
    for subject in ("internet", "carte", "poste"):  # what the answers are about
        assert subject in labels


def test_the_same_themes_in_any_order(corpus, themes):
    terms, answers = corpus
    shuffled = find_themes(terms.sample(frac=1, random_state=1), answers, min_df=3, max_df=0.5)
    pd.testing.assert_frame_equal(themes.summary, shuffled.summary)
    merged = themes.assignments.merge(shuffled.assignments, on=["record_id", "question_id"])
    assert len(merged) == len(terms)
    assert adjusted_rand_score(merged["theme_x"].fillna(0), merged["theme_y"].fillna(0)) == 1.0
