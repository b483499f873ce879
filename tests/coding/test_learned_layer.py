"""The learned layer: offline embeddings, per-code models, use by `run` with its provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from dialogue_analysis.coding import LearnedLayer, cross_validated, embed

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
                               (rng.random(200) < 0.1).astype(int)])
    labels = np.column_stack([truth, np.zeros(200, dtype=int)])
    labels[:3, 1] = 1  # three positives: too few for a model
    layer = LearnedLayer().fit(vectors[:100], lexical[:100], labels[:100], ["a", "b"])
    assert layer.codes == ["a"]
    pred = layer.predict(vectors[100:], lexical[100:])
    recall_lexical = (lexical[100:, 0] & truth[100:]).sum() / truth[100:].sum()
    recall_learned = (pred[:, 0] & truth[100:]).sum() / truth[100:].sum()
    assert recall_lexical < 0.5 < 0.8 < recall_learned
    assert np.array_equal(pred[:, 1], lexical[100:, 1])  # no model: the codebook's decision
    oof = cross_validated(vectors[:100], lexical[:100], labels[:100], ["a", "b"])
    assert oof.shape == (100, 2) and (oof[:, 0] == truth[:100]).mean() > 0.8


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
    p = second.passages
    assert {"codebook", "learned", "analyst"} <= set(p["origin"])
    learned = p[(p["origin"] == "learned") & (p["code"] == code)]
    assert len(learned) >= 5
    about = learned["evidence"].str.lower().str.contains("internet|ordinateur|numérique|en ligne")
    assert about.mean() > 0.5  # what the analyst taught, not what the patterns match
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
