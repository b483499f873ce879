"""The learned layer: offline embeddings, per-code models, use by `run` with its provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from dialogue_analysis.coding import LearnedLayer, cross_validated
from dialogue_analysis.nlp import embed

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw" / "sample-2018"


def test_embeddings_load_offline_and_place_paraphrases_closer(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    v = embed(["Je n'arrive jamais à joindre la CAF au téléphone.",
               "Impossible d'avoir quelqu'un de la caisse d'allocations par téléphone.",
               "J'aime beaucoup jardiner le dimanche."])
    assert v.shape == (3, 512)
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-2)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.1
    assert np.array_equal(embed(["J'aime beaucoup jardiner le dimanche."])[0], v[2])  # cached


def test_layer_learns_a_code_and_leaves_rare_codes_lexical():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(200, 8))
    truth = (vectors[:, 0] > 0.3).astype(int)
    lexical = np.column_stack([truth * (rng.random(200) < 0.4),  # the codebook misses most
                               (rng.random(200) < 0.1).astype(int),
                               np.r_[1, 1, 1, np.zeros(197, dtype=int)]])
    labels = np.column_stack([truth, np.zeros(200, dtype=int), np.zeros(200, dtype=int)])
    labels[:2, 1] = 1  # two positives: too few for a model
    labels[:2, 2] = 1  # the analyst confirmed two of the codebook's three matches
    layer = LearnedLayer().fit(vectors[:100], lexical[:100], labels[:100], ["a", "b", "c"])
    assert layer.codes == ["a"]
    assert layer.dropped == ["b"]  # the analyst removed most of its matches
    pred = layer.predict(vectors[100:], lexical[100:])
    recall_lexical = (lexical[100:, 0] & truth[100:]).sum() / truth[100:].sum()
    recall_learned = (pred[:, 0] & truth[100:]).sum() / truth[100:].sum()
    assert recall_lexical < 0.5 < 0.8 < recall_learned
    assert lexical[100:, 1].sum() > 5 and not pred[:, 1].any()
    assert np.array_equal(pred[:, 2], lexical[100:, 2])  # no model: the codebook's decision
    oof = cross_validated(vectors[:100], lexical[:100], labels[:100], ["a", "b", "c"])
    assert oof.shape == (100, 3) and (oof[:, 0] == truth[:100]).mean() > 0.8


def test_each_code_keeps_the_rule_that_does_best_in_inner_cross_validation():
    """Code "exact": the codebook is right and the embeddings are noise, so the model is worse
    than the patterns out of fold and the code stays lexical. Code "paraphrase": the codebook
    misses most positives the embeddings separate, so the model's decision is kept (alone or
    with the patterns' matches). Code "noisy": the codebook over-fires and the model keeps only
    its right matches (intersection)."""
    from dialogue_analysis.coding import RULES

    rng = np.random.default_rng(0)
    n = 200
    vectors = rng.normal(size=(n, 60))
    vectors[:, :2] *= 4  # two informative dimensions, the others noise
    exact = (rng.random(n) < 0.25).astype(int)
    paraphrase = (vectors[:, 0] > 2).astype(int)
    noisy = (vectors[:, 1] > 2.4).astype(int)
    over_fired = noisy | (vectors[:, 1] < -2.4).astype(int)  # a wrong sense of the word
    lexical = np.column_stack([exact, paraphrase * (rng.random(n) < 0.3), over_fired])
    labels = np.column_stack([exact, paraphrase, noisy])
    codes = ["exact", "paraphrase", "noisy"]
    layer = LearnedLayer().fit(vectors[:100], lexical[:100], labels[:100], codes)
    assert layer.codes == codes and set(layer.rules.values()) <= set(RULES)
    assert layer.rules["exact"] == "codebook"
    assert layer.rules["paraphrase"] in ("model", "union")  # the patterns are right, but few
    assert layer.rules["noisy"] == "intersection"  # the model vets the patterns' matches
    pred = layer.predict(vectors[100:], lexical[100:])
    assert np.array_equal(pred[:, 0], lexical[100:, 0])  # the patterns' decision, untouched
    accuracy = (pred[:, 1] == paraphrase[100:]).mean()
    assert accuracy > (lexical[100:, 1] == paraphrase[100:]).mean() + 0.1
    assert not (pred[:, 2] & ~lexical[100:, 2]).any()
    assert (pred[:, 2] == noisy[100:]).mean() > (lexical[100:, 2] == noisy[100:]).mean() + 0.1
    again = LearnedLayer().fit(vectors[:100], lexical[:100], labels[:100], codes)
    assert again.rules == layer.rules  # deterministic


def test_rule_gain_ranks_rules_as_the_pooled_f1_does():
    from dialogue_analysis.coding import combine, rule_gain

    truth = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    model = np.array([1, 1, 0, 1, 0, 0, 0, 0])
    lexical = np.array([1, 0, 0, 0, 0, 0, 0, 0])
    assert combine("union", model, lexical).tolist() == [1, 1, 0, 1, 0, 0, 0, 0]
    assert combine("intersection", model, lexical).tolist() == [1, 0, 0, 0, 0, 0, 0, 0]
    # at F = 0.5 one more true positive is worth three false positives
    assert rule_gain(model, truth, 0.5) == 1.5 * 2 - 0.5 * 1
    assert rule_gain(lexical, truth, 0.5) == 1.5
    with_three_wrong = np.array([1, 1, 0, 1, 1, 1, 0, 0])
    assert rule_gain(with_three_wrong, truth, 0.5) == rule_gain(lexical, truth, 0.5)


def test_code_prior_lets_a_few_reviewed_answers_find_the_code():
    """Four reviewed positives and the code's description: the model codes paraphrases."""
    from dialogue_analysis.coding import code_priors, load_codebook

    codebook = load_codebook(SAMPLE / "codebook.yaml")
    codes = codebook.code_ids
    j = codes.index("need.offline_alternative")
    train = ["Garder des guichets ouverts pour ceux qui n'ont pas internet.",
             "Il faut maintenir un accueil physique dans les services publics.",
             "Ne pas tout dématérialiser, garder le papier.",
             "Qu'on puisse encore faire ses démarches au guichet.",
             "Les routes sont en mauvais état.", "Plus de policiers dans les quartiers.",
             "La justice est trop lente.", "Les trains sont toujours en retard.",
             "Baisser les impôts des classes moyennes.", "Il manque des médecins à la campagne.",
             "Rien à signaler.", "Plus de transports en commun le soir."]
    labels = np.zeros((len(train), len(codes)), dtype=int)
    labels[:4, j] = 1
    lexical = np.zeros_like(labels)
    layer = LearnedLayer().fit(embed(train), lexical, labels, codes, code_priors(codebook))
    assert "need.offline_alternative" in layer.codes
    test = ["Conserver des agents en chair et en os au lieu de tout mettre sur internet.",
            "Des pistes cyclables sur les départementales."]
    pred = layer.predict(embed(test), np.zeros((2, len(codes)), dtype=int))
    assert pred[:, j].tolist() == [1, 0]


def test_unreviewed_answers_the_precise_patterns_match_teach_the_model_their_paraphrases():
    """Three reviewed positives, all matched by the codebook: alone, the model learns that the
    patterns' match is the code and misses a paraphrase; with the unreviewed answers labelled
    by the codebook (weak labels) it learns what the matches say and codes the paraphrase."""
    matched = ["Impossible de joindre la CAF par téléphone.",
               "Au téléphone, personne ne répond à la préfecture.",
               "J'attends une heure au téléphone avant de parler à la sécurité sociale."]
    others = ["Les routes sont en mauvais état.", "Plus de policiers dans les quartiers.",
              "La justice est trop lente.", "Les trains sont toujours en retard.",
              "Baisser les impôts des classes moyennes.", "Il manque des médecins à la campagne.",
              "Rien à signaler.", "Plus de transports en commun le soir.",
              "Les écoles manquent de professeurs.", "Il faut plus de pistes cyclables."]
    weak_matched = ["Le standard téléphonique de la mairie sonne dans le vide.",
                    "On ne peut jamais avoir un agent des impôts au téléphone.",
                    "La ligne téléphonique de Pôle emploi est toujours occupée.",
                    "Au téléphone on me renvoie d'un service à l'autre.",
                    "Le numéro de téléphone de la caisse de retraite est surtaxé.",
                    "Je passe des heures au téléphone pour un simple renseignement.",
                    "Par téléphone, on me raccroche au nez.",
                    "Personne ne décroche le téléphone à l'hôpital.",
                    "Le service client ne répond pas au téléphone.",
                    "Joindre l'assurance maladie par téléphone est impossible."]
    weak_other = ["Les impôts locaux augmentent chaque année.", "Il faut rouvrir les maternités.",
                  "Les bus ne passent plus dans mon village.", "Les loyers sont trop chers.",
                  "La cantine scolaire est de mauvaise qualité.", "Il faut planter des arbres.",
                  "Les élus ne nous écoutent pas.", "Le prix de l'essence est trop élevé.",
                  "Il faut plus de crèches.", "La poste du village a fermé."]
    vectors = embed(matched + others)
    lexical = np.array([[1]] * 3 + [[0]] * 10)
    labels = lexical.copy()
    unreviewed = embed(weak_matched + weak_other)
    unreviewed_lexical = np.array([[1]] * 10 + [[0]] * 10)
    test = embed(["Quand j'appelle, je tombe sur un répondeur et personne ne décroche.",
                  "Les pistes cyclables s'arrêtent au milieu de nulle part."])
    no_match = np.zeros((2, 1), dtype=int)
    alone = LearnedLayer().fit(vectors, lexical, labels, ["channel.hotline"])
    assert alone.weak == [] and alone.predict(test, no_match)[:, 0].tolist() == [0, 0]
    layer = LearnedLayer().fit(vectors, lexical, labels, ["channel.hotline"],
                               unreviewed=unreviewed, unreviewed_lexical=unreviewed_lexical)
    assert layer.weak == ["channel.hotline"]
    assert layer.predict(test, no_match)[:, 0].tolist() == [1, 0]
    # patterns the analyst mostly removed on the reviewed answers teach nothing
    removed = labels.copy()
    removed[:2] = 0
    removed[3:5] = 1
    imprecise = LearnedLayer().fit(vectors, lexical, removed, ["channel.hotline"],
                                   unreviewed=unreviewed, unreviewed_lexical=unreviewed_lexical)
    assert imprecise.weak == [] and imprecise.codes == ["channel.hotline"]


def test_evidence_is_the_sentence_that_carries_the_code():
    from dialogue_analysis.coding import code_priors, load_codebook

    codebook = load_codebook(SAMPLE / "codebook.yaml")
    codes = codebook.code_ids
    j = codes.index("need.offline_alternative")
    train = ["Il faut garder des guichets pour les personnes sans internet.",
             "Maintenir l'accueil physique en mairie et à la préfecture.",
             "Ne pas supprimer les formulaires papier.",
             "Pouvoir encore parler à un agent au guichet.",
             "Les routes sont en mauvais état.", "Plus de policiers dans les quartiers.",
             "La justice est trop lente.", "Les trains sont en retard.",
             "Baisser les impôts.", "Des médecins à la campagne."]
    labels = np.zeros((len(train), len(codes)), dtype=int)
    labels[:4, j] = 1
    layer = LearnedLayer().fit(embed(train), np.zeros_like(labels), labels, codes,
                               code_priors(codebook))
    sentences = ["Les routes de mon village sont pleines de trous.",
                 "Surtout, gardez des guichets ouverts avec de vrais agents.",
                 "Et les trains devraient arriver à l'heure."]
    assert layer.evidence("need.offline_alternative", embed(sentences), 0) == [1]
    assert layer.evidence("need.offline_alternative", embed([]), 0) == []


@pytest.fixture(scope="module")
def learned_run(tmp_path_factory):
    """The sample wave reviewed on 120 answers: the analyst adds channel.internet to every
    answer that talks of the Internet."""
    from dialogue_analysis.analysis import run_analysis
    from dialogue_analysis.coding import decisions_path, write_decisions
    from dialogue_analysis.ingest import load_project
    from dialogue_analysis.review import review_sample

    base = tmp_path_factory.mktemp("learned")
    shutil.copytree(SAMPLE, base / "raw")
    project = load_project(base / "raw" / "survey.yaml")
    first = run_analysis(project, base / "out")
    code = "need.basic_training"
    assert code in set(first.codebook["code"])
    auto = first.passages.groupby(["record_id", "question_id"])["code"].apply(set).to_dict()
    sample = review_sample(first.answers, target=120, seed=1)
    rows = []
    for r in sample.itertuples():
        k = (r.record_id, r.question_id)
        final = set(auto.get(k, set()))
        if "internet" in r.text.lower() or "ordinateur" in r.text.lower():
            final.add(code)
        for c in sorted(auto.get(k, set()) | final):
            d = ("add" if c not in auto.get(k, set()) else
                 "confirm" if c in final else "remove")
            rows.append((*k, c, d, "ana", "2026-01-01T00:00:00+00:00", ""))
        if not auto.get(k) and not final:
            rows.append((*k, "", "reviewed", "ana", "2026-01-01T00:00:00+00:00", ""))
    import pandas as pd

    from dialogue_analysis.coding import DECISION_COLUMNS
    write_decisions(decisions_path(project.config_path, project.wave),
                    pd.DataFrame(rows, columns=DECISION_COLUMNS))
    second = run_analysis(project, base / "out")
    return first, second, code


def test_run_uses_the_learned_layer_with_its_provenance(learned_run):
    first, second, code = learned_run
    params = second.manifest["stages"]["coding"]["params"]
    assert params["reviewed_answers"] == 120 and code in params["learned_codes"]
    assert set(params["learned_rules"]) <= set(params["learned_codes"])
    assert params["learned_word_components"] >= 2  # the wave's words join the embedding
    assert set(params["learned_rules"].values()) <= {"codebook", "union", "intersection"}
    p = second.passages
    assert {"codebook", "learned", "analyst"} <= set(p["origin"])
    learned = p[(p["origin"] == "learned") & (p["code"] == code)]
    assert len(learned) >= 5
    about = learned["evidence"].str.lower().str.contains("internet|ordinateur|numérique|en ligne")
    assert about.mean() > 0.5  # what the analyst taught, not what the patterns match
    # the evidence is the sentence(s) carrying the code, not the whole answer
    text = second.answers.set_index(["record_id", "question_id"])["text"]
    shorter = 0
    for r in learned.itertuples():
        answer = text[(r.record_id, r.question_id)]
        assert answer[r.start:r.end] == r.evidence and r.evidence.strip()
        shorter += r.end - r.start < len(answer.strip())
    assert shorter >= 0.5 * len(learned)
    t = second.coding_agreement
    cv = t[t["comparison"].str.contains("cross-validated") & (t["code"] == code)].iloc[0]
    lex = t[(t["comparison"] == "codebook / analyst") & (t["code"] == code)].iloc[0]
    assert cv.n == lex.n == 120 and cv.f1 > lex.f1


def test_methodology_shows_the_combined_cross_validated_agreement(learned_run):
    from dialogue_analysis.report import render_html

    _, second, _ = learned_run
    html = render_html(second, language="fr")
    assert "Ensemble, dictionnaire + couche apprise (validation croisée)" in html
    assert "yann" not in html and "ana /" not in html


def test_nearest_reviewed_answers_find_a_code_no_linear_boundary_separates():
    """The code's answers lie at both ends of one direction of the embeddings: the regression
    can only find one end, the vote of the nearest reviewed answers finds both."""
    from dialogue_analysis.coding import NeighbourBlend

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(300, 8))
    vectors[:, 0] *= 3
    truth = (np.abs(vectors[:, 0]) > 3).astype(int)
    lexical = np.zeros((300, 1), dtype=int)
    layer = LearnedLayer().fit(vectors[:150], lexical[:150], truth[:150, None], ["a"])
    _, model = layer.models["a"]
    assert isinstance(model, NeighbourBlend)
    x = np.column_stack([vectors[150:], lexical[150:]])

    def f1(pred):
        tp = int((pred & truth[150:]).sum())
        return 2 * tp / (pred.sum() + truth[150:].sum())

    blended, regression = layer.predict(vectors[150:], lexical[150:])[:, 0], model.model.predict(x)
    assert f1(blended) > f1(regression) + 0.05
    # both ends: the vote reaches the answers of the end the regression's boundary leaves out
    for end in (vectors[150:, 0] > 3, vectors[150:, 0] < -3):
        assert blended[end].mean() > 0.6
    # a share of coded neighbours equal to the code's rate is a tie, as the balanced regression's
    vote = NeighbourBlend(model.model, vectors[:10], np.r_[np.ones(2), np.zeros(8)])
    assert np.allclose(vote.vote(vectors[:3]), 0.5)  # the 10 neighbours are all 10 answers
