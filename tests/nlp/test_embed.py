"""Sentence embeddings cached on disk by text hash: a rerun computes none, and only
pseudonymised text is ever embedded by the pipeline."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.nlp import (
    DIMENSIONS,
    embed,
    embedding_cache_dir,
    embedding_model_id,
    forget_embeddings,
    text_key,
)

TEXTS = ["Je n'arrive jamais à joindre la CAF au téléphone.",
         "Impossible d'avoir quelqu'un de la caisse d'allocations par téléphone.",
         "Je n'arrive jamais à joindre la CAF au téléphone."]


def _cached_keys(folder) -> set[str]:
    keys = set()
    for path in folder.glob("emb-*.npz"):
        with np.load(path, allow_pickle=False) as f:
            keys.update(f["keys"].tolist())
    return keys


def test_a_new_process_reads_the_vectors_from_disk(tmp_path):
    folder = embedding_cache_dir(tmp_path)
    assert folder == tmp_path / "data" / "processed" / "_embedding_cache" / embedding_model_id()
    forget_embeddings()
    cold: dict = {}
    v = embed(TEXTS, cache_dir=folder, counts=cold)
    assert v.shape == (3, DIMENSIONS) and v.dtype == np.float32
    assert np.array_equal(v[0], v[2])
    assert cold == {"computed": 2, "disk": 0, "memory": 0}  # distinct texts, once each
    assert _cached_keys(folder) == {text_key(t) for t in TEXTS}
    assert not list(folder.glob(".*.tmp"))

    forget_embeddings()  # as a new process
    warm: dict = {}
    again = embed(TEXTS[::-1], cache_dir=folder, counts=warm)
    assert warm == {"computed": 0, "disk": 2, "memory": 0}
    assert np.array_equal(again, v[::-1])
    mixed: dict = {}
    embed([TEXTS[0], "Le bus ne passe plus."], cache_dir=folder, counts=mixed)
    assert mixed == {"computed": 1, "disk": 0, "memory": 1}
    assert len(list(folder.glob("emb-*.npz"))) == 2


def test_an_unreadable_cache_file_is_computed_again(tmp_path):
    folder = tmp_path / "cache"
    forget_embeddings()
    v = embed(TEXTS[:1], cache_dir=folder)
    (folder / "emb-broken.npz").write_bytes(b"not a numpy file")
    forget_embeddings()
    counts: dict = {}
    assert np.array_equal(embed(TEXTS[:1], cache_dir=folder, counts=counts), v)
    assert counts["disk"] == 1
    assert embed([], cache_dir=folder).shape == (0, DIMENSIONS)


@pytest.mark.slow
def test_run_caches_embeddings_of_pseudonymised_text_and_a_rerun_computes_none(tmp_path):
    """The planted sample wave, reviewed on 110 answers (enough for the learned layer)."""
    from dialogue_analysis.analysis import analysis_dir, run_analysis
    from dialogue_analysis.coding import DECISION_COLUMNS, decisions_path, write_decisions
    from dialogue_analysis.ingest import ingest_wave, load_project
    from dialogue_analysis.review import review_sample
    from tests.analysis_fixtures import IDENTIFIERS, _planted_copy

    project = load_project(_planted_copy(tmp_path))
    raw = ingest_wave(project, tmp_path).answers
    rows = []
    for r in review_sample(raw, target=110, seed=3).itertuples():
        about = any(w in r.text.lower() for w in ("internet", "ordinateur", "en ligne"))
        rows.append((r.record_id, r.question_id, "need.basic_training" if about else "",
                     "add" if about else "reviewed", "ana", "2026-01-01T00:00:00+00:00", ""))
    write_decisions(decisions_path(project.config_path, project.wave),
                    pd.DataFrame(rows, columns=DECISION_COLUMNS))

    forget_embeddings()
    first = run_analysis(project, tmp_path)
    params = first.manifest["stages"]["coding"]["params"]
    assert params["reviewed_answers"] == 110 and params["learned_codes"]
    pseudonymised = {text_key(t) for t in first.answers["text"]} | {text_key("")}
    folder = embedding_cache_dir(tmp_path)
    cached = _cached_keys(folder)
    assert params["embedded"] == len(cached) > 100 and cached <= pseudonymised
    planted = raw[raw["text"].apply(lambda t: any(i in str(t) for i in IDENTIFIERS))]
    assert len(planted) >= 5 and not cached & {text_key(t) for t in planted["text"]}

    forget_embeddings()  # a new process
    kept = run_analysis(project, tmp_path)  # nothing changed: the coding itself is kept
    assert kept.manifest["stages"]["coding"].get("kept") is True
    pd.testing.assert_frame_equal(first.passages, kept.passages)

    # Without the published analysis the coding runs again: its embeddings come from the cache
    # (kept outside the wave's folder).
    forget_embeddings()
    shutil.rmtree(analysis_dir(project.processed_dir(tmp_path)))
    second = run_analysis(project, tmp_path)
    assert not second.manifest["stages"]["coding"].get("kept")
    params2 = second.manifest["stages"]["coding"]["params"]
    assert params2["embedded"] == 0 and params2["embeddings_cached"] == len(cached)
    assert _cached_keys(folder) == cached
    pd.testing.assert_frame_equal(first.passages, second.passages)
