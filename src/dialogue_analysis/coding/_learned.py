"""The learned layer: per code, a balanced logistic regression on sentence embeddings plus the
codebook's own decision, trained on the analyst's reviewed answers.

It extends a code to answers the codebook's patterns miss (paraphrases) and drops matches the
analyst keeps removing. It is used only when the review holds at least :data:`MIN_REVIEWED`
answers, and per code only when they hold :data:`MIN_CLASS` positives and negatives. The code's
own label and description join the training answers as one positive example weighing
:data:`PRIOR_WEIGHT` answers (the code prior): with a handful of reviewed positives, it keeps the
model on what the code means. A code without a model stays lexical, unless the analyst removed
most of the codebook's matches of it (:func:`LearnedLayer.fit`): it is then dropped from the
unreviewed answers. Embeddings: Google's multilingual Universal Sentence Encoder v3 in numpy
(:func:`nlp.embed`), offline, cached by text hash.

Measured on the hand-coded samples (``benchmarks/eval_coding.py``, ``docs/coding.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..nlp import embed

MIN_REVIEWED = 100
MIN_CLASS = 3
PRIOR_WEIGHT = 5.0
# L2 penalty of the logistic regressions: 1/C; embeddings are unit vectors, so a weak penalty
REGULARISATION_C = 10.0
# a code without model is dropped when the analyst confirmed fewer than half of the codebook's
# matches among at least this many on the reviewed answers
MIN_MATCHES_TO_DROP = 2


def code_priors(codebook) -> np.ndarray:
    """One embedding per code of ``codebook`` (its order): the French label and description."""
    return embed([f"{c.label_fr}. {c.description}".strip() for c in codebook.codes])


@dataclass
class LearnedLayer:
    """Per-code classifiers; ``codes`` lists those that have one, ``dropped`` the codes without
    one whose codebook matches the analyst mostly removed."""

    seed: int = 0
    models: dict = field(default_factory=dict)
    dropped: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)

    @property
    def codes(self) -> list[str]:
        return list(self.models)

    def fit(self, vectors: np.ndarray, lexical: np.ndarray, labels: np.ndarray,
            codes: list[str], priors: np.ndarray | None = None) -> LearnedLayer:
        """Train on the reviewed answers.

        ``vectors`` (n x d) are their embeddings, ``lexical`` and ``labels`` (n x codes, 0/1)
        the codebook's and the analyst's codes; ``priors`` (codes x d, optional) the codes'
        own embeddings (:func:`code_priors`), each added as a positive example.
        """
        from sklearn.linear_model import LogisticRegression

        self.models, self.dropped = {}, []
        self.columns = {code: j for j, code in enumerate(codes)}
        lexical = np.asarray(lexical, dtype=np.int64)
        labels = np.asarray(labels, dtype=np.int64)
        for j, code in enumerate(codes):
            y = labels[:, j]
            if y.sum() < MIN_CLASS or (1 - y).sum() < MIN_CLASS:
                matched = int(lexical[:, j].sum())
                if matched >= MIN_MATCHES_TO_DROP and 2 * int((lexical[:, j] & y).sum()) < matched:
                    self.dropped.append(code)
                continue
            x = _features(vectors, lexical[:, j])
            weight = np.ones(len(y))
            if priors is not None:
                x = np.vstack([x, _features(priors[[j]], np.ones(1))])
                y = np.append(y, 1)
                weight = np.append(weight, PRIOR_WEIGHT)
            model = LogisticRegression(class_weight="balanced", C=REGULARISATION_C, max_iter=3000,
                                       random_state=self.seed)
            self.models[code] = (j, model.fit(x, y, sample_weight=weight))
        return self

    def predict(self, vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """The combined coding (n x codes): the model's decision where a code has one, none for
        the dropped codes, the codebook's elsewhere."""
        lexical = np.asarray(lexical, dtype=np.int64)
        out = lexical.copy()
        for j, model in self.models.values():
            out[:, j] = model.predict(_features(vectors, lexical[:, j]))
        out[:, [self.columns[code] for code in self.dropped]] = 0
        return out

    def scores(self, code: str, vectors: np.ndarray, lexical: int) -> np.ndarray:
        """The model's decision value for ``code`` on each of ``vectors`` (> 0: coded), e.g. the
        sentences of one answer with the codebook's decision for the answer."""
        _, model = self.models[code]
        return model.decision_function(_features(vectors, np.full(len(vectors), lexical)))

    def evidence(self, code: str, sentence_vectors: np.ndarray, lexical: int) -> list[int]:
        """The sentences of an answer that carry ``code``: those the model codes on their own,
        or else the one it scores highest (indices, in order)."""
        if not len(sentence_vectors):
            return []
        s = self.scores(code, sentence_vectors, lexical)
        carried = np.flatnonzero(s > 0)
        return carried.tolist() if len(carried) else [int(np.argmax(s))]


def _features(vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """The embedding and the codebook's 0/1 decision for the code."""
    return np.hstack([vectors, np.asarray(lexical, dtype=np.float64).reshape(-1, 1)])


def cross_validated(vectors: np.ndarray, lexical: np.ndarray, labels: np.ndarray,
                    codes: list[str], *, folds: int = 5, seed: int = 0,
                    priors: np.ndarray | None = None) -> np.ndarray:
    """Out-of-fold combined predictions on the reviewed answers (each answer predicted by a
    layer trained without it)."""
    from sklearn.model_selection import KFold

    out = np.zeros_like(labels, dtype=np.int64)
    n = len(labels)
    for train, test in KFold(min(folds, n), shuffle=True, random_state=seed).split(np.arange(n)):
        layer = LearnedLayer(seed).fit(vectors[train], lexical[train], labels[train], codes,
                                       priors)
        out[test] = layer.predict(vectors[test], lexical[test])
    return out
