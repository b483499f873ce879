"""The number of themes chosen from the data, every answer with a term given a theme, and the
same themes whatever the order of the answers."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from dialogue_analysis.core import key_fraction
from dialogue_analysis.themes import find_themes
from dialogue_analysis.themes._choice import theme_range

# Six subjects, each with its own vocabulary: the data support six themes.
SUBJECTS = {
    "emploi": "pôle_emploi cv candidature entretien offre conseiller inscription",
    "sante": "ameli médecin remboursement carte_vitale ordonnance mutuelle pharmacie",
    "ecole": "ent collège devoir enfant professeur note cantine",
    "impots": "impôt déclaration avis prélèvement revenu fiscal taxe",
    "banque": "banque compte virement carte code agence prêt",
    "logement": "caf loyer logement allocation bail propriétaire aide",
}


def _corpus(sizes: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Answers of ``sizes[s]`` people on subject ``s``: 3 or 4 words of its vocabulary."""
    rows = []
    for s_i, (subject, n) in enumerate(sizes.items()):
        words = SUBJECTS[subject].split()
        for i in range(n):
            picked = [words[(i + j * (1 + i % 3)) % len(words)] for j in range(3 + i % 2)]
            rows.append({"record_id": f"R{s_i}{i:03d}", "question_id": "q1",
                         "terms": " ".join(dict.fromkeys(picked))})
    terms = pd.DataFrame(rows)
    answers = terms.rename(columns={"terms": "text"}).assign(
        text=lambda d: "Ma réponse porte sur " + d["text"] + " et rien d'autre ici.")
    return terms, answers


def test_the_number_the_data_support_is_chosen_with_its_evidence():
    terms, answers = _corpus(dict.fromkeys(SUBJECTS, 40))
    themes = find_themes(terms, answers, min_df=2, max_df=0.5)
    ev = themes.k_evidence
    lo, hi = theme_range(len(terms), themes.term_weights.shape[1])
    assert list(ev["k"]) == list(range(lo, hi + 1)) and lo == 4 and hi >= 7
    assert ev["chosen"].sum() == 1
    assert int(ev.loc[ev["chosen"], "k"].iloc[0]) == len(themes.summary) == 6
    chosen = ev.set_index("k").loc[6]
    assert chosen["stability"] == pytest.approx(1.0)
    assert chosen["stability"] >= ev["stability"].max()
    # Four or five themes must merge subjects: a theme holds more than 20 % of the answers.
    assert not ev.set_index("k").loc[[4, 5], "within_share"].any()
    assert chosen["largest_share"] == pytest.approx(1 / 6)
    assert ev["coherence"].between(-1, 1).all()
    # Each planted subject is one theme.
    subject = themes.assignments["record_id"].str[1]
    assert adjusted_rand_score(subject, themes.assignments["theme"]) == pytest.approx(1.0)


def test_a_dominant_subject_is_kept_and_the_evidence_says_so():
    sizes = {"emploi": 200, **dict.fromkeys(list(SUBJECTS)[1:], 30)}
    terms, answers = _corpus(sizes)
    themes = find_themes(terms, answers, min_df=2, max_df=0.9)
    ev = themes.k_evidence
    # No number of themes splits a subject half the answers share: none is within 20 %.
    assert not ev["within_share"].any()
    best = ev.sort_values(["stability", "k"], ascending=[False, True]).iloc[0]
    assert bool(ev.loc[ev["k"] == best["k"], "chosen"].iloc[0])
    assert themes.summary["share"].max() > 0.2


def test_only_answers_without_a_vocabulary_term_stay_without_a_theme():
    terms, answers = _corpus(dict.fromkeys(SUBJECTS, 40))
    extra = pd.DataFrame({
        "record_id": ["X1", "X2", "X3", "X4"], "question_id": "q1",
        # one known term; a known term among unknown words; nothing known; nothing at all
        "terms": ["médecin", "banque mot_rare_a mot_rare_b", "mot_rare_c", ""]})
    themes = find_themes(pd.concat([terms, extra], ignore_index=True), min_df=2, max_df=0.5)
    got = themes.assignments.set_index("record_id")
    assert got.loc["X1", "theme"] == got.loc["R1000", "theme"]  # with the health answers
    assert got.loc["X2", "theme"] == got.loc["R4000", "theme"]  # with the bank answers
    assert got.loc[["X3", "X4"], "theme"].isna().all()
    assert got.loc[["X3", "X4"], "weight"].eq(0).all()
    assert got["theme"].isna().sum() == 2
    assert got.loc["X1", "weight"] > 0
    assert themes.summary["n_answers"].sum() == len(got) - 2


def test_shuffled_answers_give_the_same_themes_and_assignments():
    terms, answers = _corpus(dict.fromkeys(SUBJECTS, 40))
    a = find_themes(terms, answers, min_df=2, max_df=0.5)
    shuffled = terms.sample(frac=1, random_state=11).reset_index(drop=True)
    b = find_themes(shuffled, answers.sample(frac=1, random_state=5), min_df=2, max_df=0.5)
    pd.testing.assert_frame_equal(a.k_evidence, b.k_evidence)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    merged = a.assignments.merge(b.assignments, on=["record_id", "question_id"])
    assert len(merged) == len(terms)
    assert adjusted_rand_score(merged["theme_x"], merged["theme_y"]) == 1.0
    assert (merged["theme_x"] == merged["theme_y"]).all()


def test_subsamples_are_drawn_by_key_not_position():
    keys = pd.DataFrame({"record_id": [f"r{i}" for i in range(500)], "question_id": "q1"})
    u = key_fraction(keys, "s")
    back = key_fraction(keys.iloc[::-1], "s")[::-1]
    assert np.array_equal(u, back)
    assert abs((u < 0.8).mean() - 0.8) < 0.06
    assert not np.array_equal(u, key_fraction(keys, "other salt"))


def test_a_given_number_of_themes_is_kept_without_evidence():
    terms, answers = _corpus(dict.fromkeys(SUBJECTS, 40))
    themes = find_themes(terms, answers, n_themes=5, min_df=2, max_df=0.5)
    assert len(themes.summary) == 5 and themes.k_evidence.empty


@pytest.mark.parametrize(("n_docs", "n_terms", "expected"), [
    (40, 100, (4, 4)), (200, 100, (4, 7)), (900, 500, (4, 15)), (35_627, 5_000, (4, 20)),
    (3, 100, (2, 2)), (1_000, 6, (4, 5))])
def test_the_range_grows_with_the_corpus(n_docs, n_terms, expected):
    assert theme_range(n_docs, n_terms) == expected


def test_a_large_corpus_is_fitted_on_a_sample_and_every_answer_weighed_on_it():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from dialogue_analysis.themes._choice import choose_n_themes, dominant_themes, project

    terms, _ = _corpus(dict.fromkeys(SUBJECTS, 40))
    x = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False,
                        min_df=2).fit_transform(terms["terms"])
    keys = terms[["record_id", "question_id"]]
    k, evidence, fits, n_used = choose_n_themes(x, keys, k_range=(4, 7), max_answers=120)
    assert 90 < n_used < 150 and fits[k][0] is None  # about 120 answers, drawn by key
    assert k == 6 and evidence["within_share"].sum() >= 1
    w = project(x, fits[k][1], chunk=50)  # chunks of 50 answers: memory stays flat
    assert w.shape == (len(terms), 6)
    dominant, _ = dominant_themes(x, w, fits[k][1])
    assert adjusted_rand_score(terms["record_id"].str[1], dominant) == pytest.approx(1.0)
    whole = choose_n_themes(x, keys, k_range=(4, 7))
    assert whole[3] == len(terms) and whole[2][whole[0]][0].shape == (len(terms), whole[0])


def test_a_kept_choice_gives_the_same_themes_without_fitting_again(tmp_path, monkeypatch):
    from dialogue_analysis.themes import _choice_cache

    terms, answers = _corpus(dict.fromkeys(SUBJECTS, 40))
    fresh = find_themes(terms, answers, min_df=2, max_df=0.5)
    first = find_themes(terms, answers, min_df=2, max_df=0.5, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def refit(*args, **kwargs):
        raise AssertionError("the choice was made again")

    monkeypatch.setattr(_choice_cache, "choose_n_themes", refit)
    again = find_themes(terms, answers, min_df=2, max_df=0.5, cache_dir=tmp_path)
    for got in (first, again):
        for name in ("summary", "assignments", "quotes", "term_weights", "k_evidence"):
            pd.testing.assert_frame_equal(getattr(fresh, name), getattr(got, name),
                                          check_exact=True)
        assert got.n_fitted == fresh.n_fitted
    # other answers (one answer less): another key, the choice is made for them
    with pytest.raises(AssertionError, match="made again"):
        find_themes(terms.iloc[1:], answers.iloc[1:], min_df=2, max_df=0.5, cache_dir=tmp_path)
    monkeypatch.undo()
    # a large corpus fitted on a sample keeps the themes only (every answer weighed on them)
    x_keys = terms[["record_id", "question_id"]]
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False,
                        min_df=2).fit_transform(terms["terms"])
    made = _choice_cache.choose_n_themes_kept(x, x_keys, cache_dir=tmp_path, k_range=(4, 7),
                                              max_answers=120)
    read = _choice_cache.choose_n_themes_kept(x, x_keys, cache_dir=tmp_path, k_range=(4, 7),
                                              max_answers=120)
    assert made[2][0] is None and read[2][0] is None and made[0] == read[0] == 6
    assert np.array_equal(made[2][1], read[2][1]) and made[3] == read[3]
    pd.testing.assert_frame_equal(made[1], read[1], check_exact=True)
