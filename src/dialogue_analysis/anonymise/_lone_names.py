"""A single capitalised word that nothing else explains: in the middle of a sentence, after no
article and no preposition of a place or a thing, known to no word list, and read as a name by
the model's vectors (:func:`._name_likeness.name_like`).

French capitalises proper nouns only. Mid-sentence, such a word is a person, a place, an
organisation or a product. Places and things come after an article or a preposition ("la
Cimade", "à Morlaix", "sur Leboncoin", "chez Kiabi", "d'Alès"), are on the stop list or read as
things by the vectors; what is left is a person's name, wherever it stands ("avec Gwenhaël au
point numérique", "puis Gwenhaël, puis une intérimaire", "le matin et Nolwenna l'après-midi").
The model's own tag is weighed, not obeyed: a word it reads as a place or an organisation is
still a name when its vectors do not know the word (a rare name, not a town the model has
read: "Gustavsen, Costinel et Zlatko", read as three places); a common word it reads as a
person is a name when the vectors place it among the first names ("Marjolaine et Faïza").
A word beside another capitalised word is left to the rules for sequences ("Orange Money").
The small model has no vectors: there, only untagged words no list knows are taken.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ._checks import _at_sentence_start
from ._lexicon import _fold
from ._name_likeness import name_like
from ._patterns_fr import _NAMEW, _TITLE_WORDS
from ._types import Identifier

Add = Callable[[int, int, str], None]
Put = Callable[[Identifier], None]

_LONE_RE = re.compile(rf"(?<![\w'’.-])(?P<name>{_NAMEW})(?![\w'’-])")
# what the word before a place, an organisation or a product is
_THING_BEFORE = {
    "le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux", "à", "a", "en",
    "chez", "dans", "sur", "sous", "vers", "par", "pour", "via", "depuis", "jusqu", "entre",
    "the", "an", "at", "in", "on", "to", "from", "of", "by", "into", "near",
    "after", "before", "during", "until", "since",
    "saint", "sainte", "st", "ste",
}
# set off by a comma, a colon or a dash inside a sentence ("à la permanence, Marjolaine et")
_LISTED_RE = re.compile(r"\w[,;:]\s+$|\s[–—-]\s+$")
_LIST_BEFORE_RE = re.compile(
    rf"(?:{_NAMEW}(?:,[ \t]+(?:(?:et|and|ou|or)[ \t]+)?|[ \t]+(?:et|and|ou|or|&)[ \t]+))+\Z")
_NAMING_RE = re.compile(r"(?i:s?['’]?appel\w*|nomm\w*|surnomm\w*|called|named|calls?)")
_WORD_BEFORE_RE = re.compile(r"([\w'’-]+)[’']?\s*$")
_PERSON = {"PER", "PERSON"}
# a common word the model tags as a person is a name from this name-likeness on ("Marjolaine"
# +0.26, "Justinien" +0.17; brands and places score below 0)
_COMMON_WORD_NAME = 0.1


def lone_names(det: Any, text: str, ents: Iterable[Any], add: Add, put: Put) -> None:
    """Single name-like words with nothing around them that makes a place or a thing of them
    (see the module's doc). A word the model tagged as a place or an organisation counts when
    the model's vectors do not know it (a rare name, not a town the model has read); a common
    word it tagged as a person counts when the vectors place it among the first names."""
    if not det.with_model:
        return
    ents = list(ents)
    has_vectors = det.likeness.score("Marie") is not None
    for m in _LONE_RE.finditer(text):
        s, e = m.span("name")
        word = m.group("name")
        if (word.isupper() or word[1:2] in "'’" or _at_sentence_start(text, s)
                or _beside_capital(text, s, e)):
            continue  # an acronym; "d'Alès"; a word opening a sentence; a sequence
        # a word listed after others ("Saturdays and Wednesdays", "Avec Tisséa, Ilora et
        # Kalindo") is read where the list starts
        listed = _LIST_BEFORE_RE.search(text, max(0, s - 200), s)
        start = listed.start() if listed else s
        before = text[max(0, start - 40):start]
        prev = _WORD_BEFORE_RE.search(before)
        if listed and start != s and _at_sentence_start(text, start):
            continue  # a list opening the sentence: what it lists is told by what follows
        if prev is not None and _NAMING_RE.fullmatch(prev.group(1)):
            continue  # "s'appellent Zoumbalo": what is called so is read by the cue rules
        if (prev is not None and prev.group(1).lower() in ("avec", "with")
                and _at_sentence_start(text, prev.start(1) + max(0, start - 40))):
            continue  # "Avec Tisséa on paie moins": the means, not company
        if prev is None and not _LISTED_RE.search(before):
            continue
        if prev is not None and (prev.group(1)[-1:] in "'’" or prev.group(1).isdigit()
                                 or _elided(prev.group(1)).lower() in _THING_BEFORE):
            continue  # "la Cimade", "à Morlaix", "qu'un Smigar", "120 Milliards"
        tags = {x.label_ for x in ents if x.start_char < e and s < x.end_char}
        exact = {x.label_ for x in ents if (x.start_char, x.end_char) == (s, e)}
        if tags & _PERSON and exact & _PERSON and word in det.lexicon:
            # "avec Justinien", "Marjolaine et Faïza": a common word the model reads as a
            # person and the vectors as a first name
            score = det.likeness.score(word)
            if (score is not None and score >= _COMMON_WORD_NAME
                    and _fold(word) not in _TITLE_WORDS
                    and not det.stop_re.fullmatch(_fold(word))):
                put(Identifier(s, e, "person", word, "capitalised"))
            continue
        if tags - _PERSON:
            # a place or an organisation by the model: overruled only for a word whose
            # vectors the model lacks (not a town it has read), tagged alone
            if not (has_vectors and exact and not det.likeness.known(word)):
                continue
        if det._unknown_words(word) and all(name_like(det, w) for w in word.split("-")):
            add(s, e, "capitalised")


def _elided(word: str) -> str:
    """The word after an elision ("qu'un" -> "un")."""
    return re.split(r"['’]", word)[-1]


def _beside_capital(text: str, s: int, e: int) -> bool:
    """Whether the word before or after is capitalised too (a sequence: other rules); a word
    before a comma is another member of a list, not of the same name."""
    left = re.search(r"([^\s,;:]+)\s+$", text[max(0, s - 40):s])
    right = re.match(r"\s+(\S+)", text[e:e + 40])
    return any(g is not None and g.group(1)[:1].isupper() for g in (left, right))
