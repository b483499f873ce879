import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.themes import find_themes, uncovered_answers

# Three planted subjects, each with its own vocabulary, plus words shared by all.
SUBJECTS = {
    "emploi": "pôle_emploi cv candidature entretien offre conseiller inscription",
    "sante": "ameli médecin remboursement carte_vitale ordonnance mutuelle pharmacie",
    "ecole": "ent collège devoir enfant professeur note cantine",
}


def _corpus(n_per_subject=12):
    rows, texts = [], []
    for s_i, (subject, vocab) in enumerate(SUBJECTS.items()):
        words = vocab.split()
        for i in range(n_per_subject):
            rid = f"R{s_i}{i:02d}"
            # Each answer takes 4 words of its subject, rotating, plus a shared word.
            picked = [words[(i + j) % len(words)] for j in range(4)] + ["démarche"]
            rows.append({"record_id": rid, "question_id": "q1", "terms": " ".join(picked)})
            texts.append({"record_id": rid, "question_id": "q1",
                          "text": f"Réponse {i} sur le sujet {subject} : " + " ".join(picked) + "."})
    return pd.DataFrame(rows), pd.DataFrame(texts)


def test_planted_subjects_become_distinct_themes():
    terms, answers = _corpus()
    themes = find_themes(terms, answers, n_themes=3, min_df=2, max_df=0.9)
    assert list(themes.summary["theme"]) == [1, 2, 3]
    tops = [set(t[:4]) for t in themes.summary["top_terms"]]
    # Each theme's top terms come from a single planted subject.
    for top in tops:
        assert sum(bool(top & set(v.split())) for v in SUBJECTS.values()) == 1
    assert themes.summary["n_answers"].sum() == len(terms)
    assert themes.summary["share"].sum() == pytest.approx(1.0)
    # Answers of one subject share one theme.
    merged = themes.assignments.assign(subject=themes.assignments["record_id"].str[1])
    assert merged.groupby("subject")["theme"].nunique().max() == 1


def test_deterministic_and_order_independent():
    terms, answers = _corpus()
    a = find_themes(terms, answers, n_themes=3, min_df=2)
    b = find_themes(terms.sample(frac=1, random_state=3), answers, n_themes=3, min_df=2)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    pd.testing.assert_frame_equal(a.quotes, b.quotes)


def test_quotes_come_from_distinct_records_of_the_theme():
    terms, answers = _corpus()
    themes = find_themes(terms, answers, n_themes=3, min_df=2, n_quotes=3)
    q = themes.quotes
    assert len(q) == 9
    assert q.groupby("theme")["record_id"].nunique().eq(3).all()
    check = q.merge(themes.assignments, on=["record_id", "question_id"], suffixes=("", "_a"))
    assert (check["theme"] == check["theme_a"]).all()


def test_input_not_modified_and_excluded_terms_absent():
    terms, answers = _corpus()
    before = terms.copy()
    themes = find_themes(terms, answers, n_themes=3, min_df=2, exclude_terms={"démarche"})
    pd.testing.assert_frame_equal(terms, before)
    assert "démarche" not in themes.term_weights.columns


def test_empty_vocabulary_is_a_clear_error():
    terms = pd.DataFrame({"record_id": ["a", "b"], "question_id": ["q1", "q1"],
                          "terms": ["un", "deux"]})
    with pytest.raises(ValueError, match="lower min_df"):
        find_themes(terms, min_df=5)


def test_uncovered_answers():
    answers = pd.DataFrame({"record_id": ["a", "a", "b"], "question_id": ["q1", "q2", "q1"],
                            "text": ["x y", "z", "w w w"]})
    passages = pd.DataFrame({"record_id": ["a", "a"], "question_id": ["q1", "q1"],
                             "code": ["c1", "c2"]})
    out = uncovered_answers(answers, passages)
    assert list(zip(out["record_id"], out["question_id"], strict=True)) == [("a", "q2"), ("b", "q1")]
    assert list(out["n_words"]) == [1, 3]


def test_theme_labels_skip_function_words_negations_and_bare_adverbs():
    from dialogue_analysis.themes._topics import _label

    # top terms of three themes found on real Grand Débat answers
    assert _label(["pas", "non_service_public", "état", "ligne"]) == \
        "non service public · état · ligne"
    assert _label(["plus", "citoyen", "moyen", "élu"]) == "citoyen · moyen · élu"
    assert _label(["moins", "mieux", "administration", "état", "trop", "fonctionnaire"]) == \
        "administration · état · fonctionnaire"
    # a negated term and its plain form name one thing: the second is not repeated
    assert _label(["non_internet", "internet", "personne", "humain"]) == \
        "non internet · personne · humain"
    assert _label(["pas", "plus"]) == "pas · plus"  # nothing else to say: the terms as found


def test_terms_of_function_words_only_are_left_out_of_the_vocabulary():
    terms, answers = _corpus()
    # "plus" and "beaucoup" in every subject's answers, as often as the subject words
    terms = terms.assign(terms=terms["terms"] + " plus beaucoup non_cher")
    themes = find_themes(terms, answers, n_themes=3, min_df=2, max_df=1.0)
    vocabulary = set(themes.term_weights.columns)
    assert not {"plus", "beaucoup"} & vocabulary
    assert "non_cher" in vocabulary  # "cher" names something
    assert not any({"plus", "beaucoup"} & set(t) for t in themes.summary["top_terms"])


def test_an_answer_of_none_is_a_theme_named_by_it():
    terms, answers = _corpus()
    nones = pd.DataFrame({"record_id": [f"N{i:02d}" for i in range(12)], "question_id": "q1",
                          "terms": ["aucun"] * 9 + ["aucun rien"] * 3})
    themes = find_themes(pd.concat([terms, nones], ignore_index=True), n_themes=4, min_df=2,
                         max_df=0.9)
    got = themes.assignments.set_index("record_id")
    assert got.loc[nones["record_id"], "theme"].nunique() == 1
    theme = int(got.loc["N00", "theme"])
    label = themes.summary.set_index("theme").loc[theme, "label"]
    assert label.split(" · ")[0] == "aucun"
    assert not {"pôle_emploi", "ameli", "ent"} & set(label.split(" · "))


def _quotes_by_definition(assignments, answers, n_quotes):
    """Each theme's answers by weight then key, merged with their texts (the definition)."""
    cand = assignments.dropna(subset=["theme"]).merge(answers, on=["record_id", "question_id"])
    cand = cand.sort_values(["theme", "weight", "record_id", "question_id"],
                            ascending=[True, False, True, True], kind="stable")
    rows = []
    for theme, grp in cand.groupby("theme", sort=True):
        seen = []
        for r in grp.itertuples(index=False):
            if len(r.text.split()) >= 8 and r.record_id not in seen:
                seen.append(r.record_id)
                rows.append((int(theme), len(seen), r.record_id, r.question_id))
            if len(seen) == n_quotes:
                break
    return rows


def test_quotes_are_the_heaviest_long_answers_of_distinct_records_ties_by_key():
    from dialogue_analysis.themes._topics import _LOOKED_UP, _quotes

    rng = np.random.default_rng(5)
    n = 6 * _LOOKED_UP  # most candidates short: the answers are looked up in several batches
    keys = pd.DataFrame({"record_id": [f"R{i // 2:05d}" for i in range(n)],
                         "question_id": [f"q{i % 2}" for i in range(n)]})
    assignments = keys.assign(
        theme=pd.array(rng.choice([1, 2, 3, None], n, p=[.4, .3, .2, .1]), dtype="Int64"),
        weight=rng.choice([1.0, 1.0, 0.8, 0.5], n))  # many ties: broken by key
    long_text = "une réponse assez longue pour servir de citation au thème"
    texts = [long_text if rng.random() < 0.01 else "trop court" for _ in range(n)]
    answers = keys.assign(text=texts).iloc[rng.permutation(n)]  # in another order
    answers = answers[rng.random(n) > 0.05]  # some assigned answers without a text
    got = _quotes(assignments, answers, 3)
    expected = _quotes_by_definition(assignments, answers, 3)
    assert len(expected) == 9
    assert list(got.loc[:, ["theme", "rank", "record_id", "question_id"]].itertuples(
        index=False, name=None)) == expected
    assert set(got["text"]) == {long_text}
