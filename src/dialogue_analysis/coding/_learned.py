"""The learned layer: per code, a balanced logistic regression on sentence embeddings plus the
codebook's own decision, trained on the analyst's reviewed answers.

It extends a code to answers the codebook's patterns miss (paraphrases) and drops matches the
analyst keeps removing. It is used only when the review holds at least
:data:`MIN_REVIEWED` answers, and per code only when they hold :data:`MIN_CLASS` positives and
negatives; every other code stays lexical. Embeddings: Google's multilingual Universal Sentence
Encoder v3 in numpy (:func:`nlp.embed`), offline, cached by text hash.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..nlp import embed  # noqa: F401 - also a public name of coding

MIN_REVIEWED = 100
MIN_CLASS = 5


@dataclass
class LearnedLayer:
    """Per-code classifiers; ``codes`` lists those that have one."""

    seed: int = 0
    models: dict = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return list(self.models)

    def fit(self, vectors: np.ndarray, lexical: np.ndarray, labels: np.ndarray,
            codes: list[str]) -> LearnedLayer:
        """``vectors`` (n x d), ``lexical`` and ``labels`` (n x codes, 0/1) of reviewed answers."""
        from sklearn.linear_model import LogisticRegression

        self.models = {}
        for j, code in enumerate(codes):
            y = labels[:, j].astype(int)
            if y.sum() < MIN_CLASS or (1 - y).sum() < MIN_CLASS:
                continue
            x = np.hstack([vectors, lexical[:, [j]]])
            model = LogisticRegression(class_weight="balanced", C=1.0, max_iter=2000,
                                       random_state=self.seed)
            self.models[code] = (j, model.fit(x, y))
        return self

    def predict(self, vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """The combined coding (n x codes): the model's decision where a code has one, the
        codebook's elsewhere."""
        out = lexical.astype(np.int64).copy()
        for j, model in self.models.values():
            out[:, j] = model.predict(np.hstack([vectors, lexical[:, [j]]]))
        return out


def cross_validated(vectors: np.ndarray, lexical: np.ndarray, labels: np.ndarray,
                    codes: list[str], *, folds: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold combined predictions on the reviewed answers (each answer predicted by a
    layer trained without it)."""
    from sklearn.model_selection import KFold

    out = np.zeros_like(labels, dtype=np.int64)
    n = len(labels)
    for train, test in KFold(min(folds, n), shuffle=True, random_state=seed).split(np.arange(n)):
        layer = LearnedLayer(seed).fit(vectors[train], lexical[train], labels[train], codes)
        out[test] = layer.predict(vectors[test], lexical[test])
    return out
