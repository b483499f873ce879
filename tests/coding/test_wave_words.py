"""The wave's own words (LSA fitted on every answer of the wave) as features of the learned
layer."""

from __future__ import annotations

import numpy as np

from dialogue_analysis.coding import (
    WORD_SCALE,
    LearnedLayer,
    NeighbourBlend,
    WaveWords,
    answer_words,
)

# a wave where "guichet" goes with "accueil" and "agent", "impôt" with "taxe" and "fiscal"
COUNTER = ["guichet accueil agent mairie", "fermeture du guichet et de l'accueil",
           "plus d'agents à l'accueil du guichet", "un agent au guichet de la mairie"]
TAXES = ["impôts taxes trop lourds", "baisser la taxe fiscale", "justice fiscale et impôts",
         "la taxe foncière et l'impôt"]
ROADS = ["routes en mauvais état", "entretien des routes et des ponts",
         "des routes sans trous", "réparer les routes départementales"]


def _cosine(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_components_are_fitted_on_the_wave_and_bring_co_occurring_words_together(monkeypatch):
    wave = (COUNTER + TAXES + ROADS) * 3
    # as many components as words less one, at most: the SVD then keeps every direction
    assert WaveWords().fit(wave).width == len(WaveWords().fit(wave).vectoriser.vocabulary_) - 1
    # fewer components than words: words used together share them
    monkeypatch.setattr("dialogue_analysis.coding._wave_words.WORD_COMPONENTS", 3)
    words = WaveWords().fit(wave)
    assert words.width == 3
    z = words.transform(["l'accueil", "le guichet", "les impôts", ""])
    assert z.shape == (4, words.width)
    assert np.allclose(np.linalg.norm(z[:3], axis=1), WORD_SCALE)
    assert not z[3].any()  # no known word: no direction
    # "accueil" and "guichet" never share a word, but the wave uses them together
    assert _cosine(z[0], z[1]) > 0.8 > 0.2 > _cosine(z[0], z[2])
    again = WaveWords().fit(wave).transform(["l'accueil", "le guichet", "les impôts", ""])
    assert np.array_equal(z, again)  # deterministic
    assert answer_words("L'Accueil à 2 agents, été") == "accueil agents ete"


def test_too_small_a_wave_gives_no_feature():
    words = WaveWords().fit(["un guichet", "", "   "])
    assert words.width == 0
    v = np.ones((2, 3))
    assert np.array_equal(words.join(v, ["a", "b"]), v)
    assert np.array_equal(words.pad(v), v)


def test_the_wave_words_let_the_layer_find_a_code_the_embedding_does_not_see():
    """The embedding is noise; the code's answers are told apart by their words only. With the
    wave's words the layer finds them; the neighbours' vote still reads the embedding alone."""
    rng = np.random.default_rng(0)
    texts = [t for _ in range(10) for t in COUNTER + TAXES + ROADS]
    truth = np.array([t in COUNTER for t in texts], dtype=int)
    embedded = rng.normal(size=(len(texts), 8))
    embedded /= np.linalg.norm(embedded, axis=1, keepdims=True)
    words = WaveWords().fit(texts)
    lexical = np.zeros((len(texts), 1), dtype=int)
    train, test = np.arange(60), np.arange(60, len(texts))

    def recall(vectors, dims):
        layer = LearnedLayer(embedding_dims=dims).fit(vectors[train], lexical[train],
                                                      truth[train, None], ["counter"])
        pred = layer.predict(vectors[test], lexical[test])[:, 0]
        return (pred & truth[test]).sum() / truth[test].sum(), layer

    plain, _ = recall(embedded, None)
    with_words, layer = recall(words.join(embedded, texts), 8)
    assert plain < 0.7 and with_words == 1.0
    _, model = layer.models["counter"]
    assert isinstance(model, NeighbourBlend) and model.dims == 8
    joined = words.join(embedded[:5], texts[:5])
    shuffled = joined.copy()
    shuffled[:, 8:] = shuffled[::-1, 8:]
    assert np.array_equal(model.vote(joined), model.vote(shuffled))
