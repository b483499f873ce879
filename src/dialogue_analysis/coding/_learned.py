"""The learned layer: per code, a balanced logistic regression on sentence embeddings plus the
codebook's own decision, trained on the analyst's reviewed answers.

It extends a code to answers the codebook's patterns miss (paraphrases) and drops matches the
analyst keeps removing. It is used only when the review holds at least :data:`MIN_REVIEWED`
answers, and per code only when they hold :data:`MIN_CLASS` positives and negatives. The code's
own label and description join the training answers as one positive example weighing
:data:`PRIOR_WEIGHT` answers (the code prior): with a handful of reviewed positives, it keeps the
model on what the code means. A code without a model stays lexical, unless the analyst removed
most of the codebook's matches of it (:func:`LearnedLayer.fit`): it is then dropped from the
unreviewed answers. Where the codebook's patterns are precise on the reviewed answers
(:data:`WEAK_MIN_PRECISION`), the code's model also learns from the unreviewed answers, labelled
by the codebook (weak labels, light weight: :data:`WEAK_WEIGHT`), so that a handful of reviewed
positives is joined by the answers the patterns match. Each model's probability is blended with
the vote of the answer's nearest reviewed answers (:class:`NeighbourBlend`). Each model's use is itself chosen on the
reviewed answers alone: an inner cross-validation compares, per code, the model's decision
with the codebook's, their union and their intersection (:data:`RULES`), and the model gives
way only to a rule that does clearly better there (:data:`RULE_MARGIN`). Embeddings: Google's
multilingual Universal Sentence Encoder v3 in numpy (:func:`nlp.embed`), offline, cached by
text hash; ``run`` joins them to the wave's own words (:class:`WaveWords`, latent semantic
analysis fitted on every answer of the wave), the neighbours' vote reading the embedding alone
(:attr:`LearnedLayer.embedding_dims`).

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
# how a code's model and the codebook's patterns combine; the first is the default
RULES = ("model", "codebook", "union", "intersection")
RULE_FOLDS = 5
# another rule replaces the model when, out of fold, it gains at least this many answers' worth
# of micro F1 over it (see :func:`rule_gain`)
RULE_MARGIN = 2.0
# weak labels: a code whose patterns the analyst confirmed on at least this share of at least
# WEAK_MIN_MATCHES reviewed matches also learns from the unreviewed answers labelled by the
# codebook, which together weigh WEAK_WEIGHT times the reviewed answers; where the patterns are
# less precise they would teach the model their mistakes
WEAK_MIN_PRECISION = 0.6
WEAK_MIN_MATCHES = 3
WEAK_WEIGHT = 0.2
# each model's probability is blended with the vote of the answer's NEIGHBOURS nearest reviewed
# answers (cosine of the embeddings), which weighs NEIGHBOUR_WEIGHT
NEIGHBOURS = 10
NEIGHBOUR_WEIGHT = 0.3


def code_priors(codebook) -> np.ndarray:
    """One embedding per code of ``codebook`` (its order): the French label and description."""
    return embed([f"{c.label_fr}. {c.description}".strip() for c in codebook.codes])


@dataclass
class LearnedLayer:
    """Per-code classifiers; ``codes`` lists those that have one, ``rules`` how each combines
    with the codebook (one of :data:`RULES`), ``dropped`` the codes without one whose codebook
    matches the analyst mostly removed, ``weak`` the codes whose model also learned from the
    unreviewed answers labelled by the codebook."""

    seed: int = 0
    # the features' first columns that are the sentence embedding (the neighbours' vote reads
    # them alone; the others are the wave's words, :class:`WaveWords`); None: every column
    embedding_dims: int | None = None
    models: dict = field(default_factory=dict)
    dropped: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)
    rules: dict = field(default_factory=dict)
    weak: list = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        return list(self.models)

    def fit(self, vectors: np.ndarray, lexical: np.ndarray, labels: np.ndarray,
            codes: list[str], priors: np.ndarray | None = None,
            unreviewed: np.ndarray | None = None,
            unreviewed_lexical: np.ndarray | None = None) -> LearnedLayer:
        """Train on the reviewed answers.

        ``vectors`` (n x d) are their embeddings, ``lexical`` and ``labels`` (n x codes, 0/1)
        the codebook's and the analyst's codes; ``priors`` (codes x d, optional) the codes'
        own embeddings (:func:`code_priors`), each added as a positive example;
        ``unreviewed`` and ``unreviewed_lexical`` (optional) the other answers' embeddings and
        codebook decisions (weak labels, never the analyst's).
        """
        self.models, self.dropped, self.rules, self.weak = {}, [], {}, []
        self.columns = {code: j for j, code in enumerate(codes)}
        lexical = np.asarray(lexical, dtype=np.int64)
        labels = np.asarray(labels, dtype=np.int64)
        reference = _reference_f1(lexical, labels)
        for j, code in enumerate(codes):
            y = labels[:, j]
            if y.sum() < MIN_CLASS or (1 - y).sum() < MIN_CLASS:
                matched = int(lexical[:, j].sum())
                if matched >= MIN_MATCHES_TO_DROP and 2 * int((lexical[:, j] & y).sum()) < matched:
                    self.dropped.append(code)
                continue
            prior = None if priors is None else priors[[j]]
            weak = None
            if unreviewed is not None and _precise(lexical[:, j], y):
                weak = (np.asarray(unreviewed), np.asarray(unreviewed_lexical)[:, j])
                self.weak.append(code)
            self.models[code] = (j, self._model(vectors, lexical[:, j], y, prior, weak))
            self.rules[code] = self._choose_rule(vectors, lexical[:, j], y, prior, reference,
                                                 weak)
        return self

    def _model(self, vectors, lexical, y, prior, weak=None):
        """One code's logistic regression, the code's prior joining as a weighted positive and
        the ``weak`` (embeddings, codebook decisions) of unreviewed answers as light examples."""
        from sklearn.linear_model import LogisticRegression

        x = _features(vectors, lexical)
        weight = np.ones(len(y))
        if weak is not None and len(weak[0]):
            # the codebook's decision is their label, not a feature: the embedding has to learn
            # what the patterns match, so that it finds it in other words
            weak_vectors, weak_labels = weak
            x = np.vstack([x, _features(weak_vectors, np.zeros(len(weak_labels)))])
            y = np.append(y, weak_labels)
            weight = np.append(weight, np.full(len(weak_labels),
                                               WEAK_WEIGHT * len(weight) / len(weak_labels)))
        if prior is not None:
            x = np.vstack([x, _features(prior, np.ones(1))])
            y = np.append(y, 1)
            weight = np.append(weight, PRIOR_WEIGHT)
        model = LogisticRegression(class_weight="balanced", C=REGULARISATION_C, max_iter=3000,
                                   random_state=self.seed)
        return NeighbourBlend(model.fit(x, y, sample_weight=weight), vectors, y[:len(vectors)],
                              self.embedding_dims)

    def _choose_rule(self, vectors, lexical, y, prior, reference: float, weak=None) -> str:
        """The rule of :data:`RULES` for one code, by an inner cross-validation on the reviewed
        answers: the model's out-of-fold decisions combined each way with the codebook's."""
        from sklearn.model_selection import StratifiedKFold

        folds = int(min(RULE_FOLDS, y.sum(), len(y) - y.sum()))
        decided = np.zeros(len(y), dtype=np.int64)
        split = StratifiedKFold(folds, shuffle=True, random_state=self.seed).split(vectors, y)
        for train, test in split:
            model = self._model(vectors[train], lexical[train], y[train], prior, weak)
            decided[test] = model.predict(_features(vectors[test], lexical[test]))
        gains = {rule: rule_gain(combine(rule, decided, lexical), y, reference)
                 for rule in RULES}
        best = max(RULES, key=lambda rule: (gains[rule], rule == RULES[0]))
        return best if gains[best] >= gains[RULES[0]] + RULE_MARGIN else RULES[0]

    def predict(self, vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """The combined coding (n x codes): where a code has a model, its decision combined with
        the codebook's by the code's rule; none for the dropped codes; the codebook's elsewhere."""
        lexical = np.asarray(lexical, dtype=np.int64)
        decided = self.decisions(vectors, lexical)
        out = lexical.copy()
        for code, (j, _) in self.models.items():
            out[:, j] = combine(self.rules.get(code, RULES[0]), decided[:, j], lexical[:, j])
        out[:, [self.columns[code] for code in self.dropped]] = 0
        return out

    def decisions(self, vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """The models' own decisions (n x codes), before their rules; 0 for codes without one."""
        lexical = np.asarray(lexical, dtype=np.int64)
        out = np.zeros_like(lexical)
        for j, model in self.models.values():
            out[:, j] = model.predict(_features(vectors, lexical[:, j]))
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


class NeighbourBlend:
    """A code's logistic regression blended with a vote of the nearest reviewed answers.

    The vote is the share of the :data:`NEIGHBOURS` reviewed answers nearest to the answer
    (cosine) that the analyst coded, corrected to balanced classes as the regression is (a
    share equal to the code's rate among the reviewed answers votes 0.5); it weighs
    :data:`NEIGHBOUR_WEIGHT` in the probability. It is one more look at the reviewed answers
    that does not go through a linear boundary: a paraphrase close to two or three coded
    answers counts even where the regression's weights are spread thin.
    """

    def __init__(self, model, vectors: np.ndarray, labels: np.ndarray,
                 dims: int | None = None):
        self.model = model
        self.dims = dims
        self.vectors = _unit(np.asarray(vectors, dtype=np.float64)[:, :dims])
        self.labels = np.asarray(labels, dtype=np.float64)
        self.rate = float(self.labels.mean())

    def vote(self, vectors: np.ndarray) -> np.ndarray:
        """The neighbours' balanced vote for each of ``vectors`` (0 to 1)."""
        k = min(NEIGHBOURS, len(self.labels))
        similarity = _unit(np.asarray(vectors, dtype=np.float64)[:, :self.dims]) @ self.vectors.T
        nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
        share = self.labels[nearest].mean(axis=1)
        coded, not_coded = share / self.rate, (1 - share) / (1 - self.rate)
        return coded / (coded + not_coded)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Probability of not coded and coded; ``x`` as :func:`_features` makes it."""
        p = ((1 - NEIGHBOUR_WEIGHT) * self.model.predict_proba(x)[:, 1]
             + NEIGHBOUR_WEIGHT * self.vote(x[:, :-1]))
        return np.column_stack([1 - p, p])

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of the blended probability (> 0: coded)."""
        p = np.clip(self.predict_proba(x)[:, 1], 1e-12, 1 - 1e-12)
        return np.log(p / (1 - p))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.decision_function(x) > 0).astype(np.int64)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1)


def combine(rule: str, model: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """A code's 0/1 decisions under ``rule`` from the model's and the codebook's."""
    model, lexical = np.asarray(model, dtype=np.int64), np.asarray(lexical, dtype=np.int64)
    return {"model": model, "codebook": lexical, "union": model | lexical,
            "intersection": model & lexical}[rule]


def rule_gain(predicted: np.ndarray, truth: np.ndarray, reference: float) -> float:
    """What a code's decisions add to the micro F1 of the whole coding, in answers' worth.

    With micro F1 ``F`` elsewhere, one more true positive raises it when the false positives
    that come with it number fewer than ``(2 - F) / F``: the gain ``(2 - F) tp - F fp`` ranks a
    code's rules as the pooled F1 would (misses are the positives not found).
    """
    predicted, truth = np.asarray(predicted, dtype=bool), np.asarray(truth, dtype=bool)
    tp, fp = int((predicted & truth).sum()), int((predicted & ~truth).sum())
    return (2 - reference) * tp - reference * fp


def _reference_f1(lexical: np.ndarray, labels: np.ndarray) -> float:
    """The codebook's micro F1 with the analyst on the reviewed answers, kept within 0.1..0.9."""
    tp = int((lexical & labels).sum())
    wrong = int((lexical != labels).sum())
    return float(np.clip(2 * tp / (2 * tp + wrong) if tp else 0.5, 0.1, 0.9))


def _precise(lexical: np.ndarray, y: np.ndarray) -> bool:
    """Whether the analyst confirmed enough of the codebook's reviewed matches of a code for its
    decisions to serve as weak labels (:data:`WEAK_MIN_PRECISION`)."""
    matched = int(lexical.sum())
    return matched >= WEAK_MIN_MATCHES and int((lexical & y).sum()) >= WEAK_MIN_PRECISION * matched


def _features(vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """The embedding and the codebook's 0/1 decision for the code."""
    return np.hstack([vectors, np.asarray(lexical, dtype=np.float64).reshape(-1, 1)])


def cross_validated(vectors: np.ndarray, lexical: np.ndarray, labels: np.ndarray,
                    codes: list[str], *, folds: int = 5, seed: int = 0,
                    priors: np.ndarray | None = None, unreviewed: np.ndarray | None = None,
                    unreviewed_lexical: np.ndarray | None = None,
                    embedding_dims: int | None = None) -> np.ndarray:
    """Out-of-fold combined predictions on the reviewed answers (each answer predicted by a
    layer trained without its analyst's codes; the unreviewed answers' weak labels join every
    fold)."""
    from sklearn.model_selection import KFold

    out = np.zeros_like(labels, dtype=np.int64)
    n = len(labels)
    for train, test in KFold(min(folds, n), shuffle=True, random_state=seed).split(np.arange(n)):
        layer = LearnedLayer(seed, embedding_dims).fit(vectors[train], lexical[train],
                                                       labels[train], codes, priors, unreviewed,
                                                       unreviewed_lexical)
        out[test] = layer.predict(vectors[test], lexical[test])
    return out
