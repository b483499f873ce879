"""The wave's own words as features of the learned layer: latent semantic analysis (TF-IDF of
the answers' words reduced by a truncated SVD) fitted on every answer of the wave, no label used.

The sentence embedding knows French in general; the wave's words say what this wave's answers
talk about and which words go together in them ("guichet" with "fermeture" and "mairie").
Fitted on all the answers, the components carry what the few reviewed answers cannot teach.
Measured on the Grand Débat's hand-coded answers (``benchmarks/eval_coding.py``,
``docs/coding.md``).
"""

from __future__ import annotations

import re

import numpy as np

from ..core.text import fold

# components of the truncated SVD, and their weight beside the unit-length sentence embedding
WORD_COMPONENTS = 200
WORD_SCALE = 0.5
# a word counts when it is in at least MIN_ANSWERS answers and at most MAX_SHARE of them
MIN_ANSWERS = 2
MAX_SHARE = 0.5
# the SVD's randomised solver, seeded: the same answers give the same components
SVD_SEED = 0
_WORD = re.compile(r"[a-z]{3,}")


def answer_words(text: str) -> str:
    """The words of a text as the features count them: lower-case, without accents, three
    letters or more (short function words and digits left out), space-separated."""
    return " ".join(_WORD.findall(fold(text)))


class WaveWords:
    """TF-IDF and truncated SVD fitted on a wave's answers (:meth:`fit`); :meth:`transform`
    gives any text (an answer, a sentence) its unit-length components times
    :data:`WORD_SCALE`. Too few answers or words for two components: no feature (width 0)."""

    def __init__(self):
        self.vectoriser = None
        self.svd = None

    @property
    def width(self) -> int:
        return 0 if self.svd is None else int(self.svd.n_components)

    def fit(self, texts: list[str]) -> WaveWords:
        """Fit on the non-blank ``texts`` (every answer of the wave)."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = [w for w in (answer_words(t) for t in texts) if w]
        self.vectoriser = self.svd = None
        if len(docs) < 3:
            return self
        vectoriser = TfidfVectorizer(sublinear_tf=True, min_df=min(MIN_ANSWERS, len(docs)),
                                     max_df=MAX_SHARE if len(docs) >= 2 * MIN_ANSWERS else 1.0,
                                     token_pattern=r"\S+", dtype=np.float64)
        try:
            x = vectoriser.fit_transform(docs)
        except ValueError:  # no word left by min_df / max_df
            return self
        k = min(WORD_COMPONENTS, x.shape[1] - 1, x.shape[0] - 1)
        if k < 2:
            return self
        self.vectoriser = vectoriser
        self.svd = TruncatedSVD(k, random_state=SVD_SEED).fit(x)
        return self

    def transform(self, texts: list[str]) -> np.ndarray:
        """``len(texts)`` x :attr:`width`: each text's components, unit length, times
        :data:`WORD_SCALE` (zeros for a text without a known word)."""
        if self.svd is None:
            return np.zeros((len(texts), 0))
        z = self.svd.transform(self.vectoriser.transform([answer_words(t) for t in texts]))
        norms = np.linalg.norm(z, axis=1, keepdims=True)
        return WORD_SCALE * z / np.where(norms > 0, norms, 1)

    def join(self, vectors: np.ndarray, texts: list[str]) -> np.ndarray:
        """The sentence embeddings of ``texts`` followed by their components: the learned
        layer's features (its neighbours' vote reads the embedding alone)."""
        vectors = np.asarray(vectors)
        # in the embeddings' precision (float32): a wave's features are held twice at most
        return np.hstack([vectors, self.transform(texts).astype(vectors.dtype, copy=False)])

    def pad(self, vectors: np.ndarray) -> np.ndarray:
        """Embeddings followed by zero components: the codes' priors (:func:`code_priors`),
        whose description is not an answer of the wave."""
        vectors = np.asarray(vectors, dtype=np.float64)
        return np.hstack([vectors, np.zeros((len(vectors), self.width))])
