"""Structured identifiers (e-mail, phone, NIR, IBAN, URL, address) and the checks shared by the person rules: sentence starts, capitals, overlaps."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from ..core.identifier_patterns import structured_identifiers
from ._lexicon import _fold_same_length
from ._patterns_fr import (
    _HABITAT_RE,
    _LETTERS_RE,
    _NAME_PARTICLES,
    _OPENERS,
    _PLACE_NAME_RE,
    _POSTCODE_TOWN_RE,
    _SENTENCE_END,
    _STREET_RE,
    _TOKEN_RE,
    _WEAK_STREET_TYPES,
)
from ._types import KINDS, Identifier

# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def _at_sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in _OPENERS:
        j -= 1
    return j < 0 or text[j] in _SENTENCE_END


def _name_runs(text: str, start: int, end: int, is_word: Callable[[str], bool]
               ) -> list[tuple[int, int]]:
    """The pieces of a span the model read as one person, between the lower-case common words
    it holds.

    "Bohdan and Taras" is two names, "Ameli doesn't work without a French" no name of six
    words: a lower-case word of the language (``is_word``: "and", "et", "without") is no name
    word; a particle ("de", "van", "ben") and a word no list knows stay inside.
    """
    runs, s = [], start
    for m in _TOKEN_RE.finditer(text, start, end):
        w = m.group(0)
        if w[:1].islower() and w.lower() not in _NAME_PARTICLES and is_word(w):
            if m.start() > s:
                runs.append((s, m.start()))
            s = m.end()
    if end > s:
        runs.append((s, end))
    return runs


def _weak_street(m: re.Match[str], text: str, stop_re: re.Pattern[str] | None) -> bool:
    """A street type that is also a common noun ("3 cours d'informatique") without a proper name.

    The name after ``cours``, ``place``, ``résidence``... must hold a capitalised word that is
    not a service name ("2 cours de la Mission locale" is not an address).
    """
    if m.group("type").lower() not in _WEAK_STREET_TYPES or m.group("town"):
        return False
    name = m.group("name")
    caps = [x.span() for x in _TOKEN_RE.finditer(name) if _is_cap(x.group())]
    if stop_re is not None:
        # look a little past the match: "de la Mission" + " locale"
        window = _fold_same_length(text[m.start("name"):m.end("name") + 40])
        protected = [x.span() for x in stop_re.finditer(window)]
        caps = [c for c in caps if not any(ps <= c[0] and c[1] <= pe for ps, pe in protected)]
    return not caps


def _is_cap(word: str) -> bool:
    """Capitalised name word: ``Lefèvre``, ``DUPONT``, ``d'Estaing``."""
    if len(word) > 2 and word[0] in "dDlL" and word[1] in "'’":
        word = word[2:]
    return word[:1].isupper()


def _structured(text: str, stop_re: re.Pattern[str] | None = None) -> list[Identifier]:
    """Candidates of the regular-expression kinds, overlapping allowed."""
    found: list[Identifier] = []

    def add(start: int, end: int, kind: str) -> None:
        while end > start and text[end - 1] in ".,;:!?)»'’\"":
            end -= 1
        if end > start:
            found.append(Identifier(start, end, kind, text[start:end]))

    # e-mail, URL, IBAN, NIR, phone: the patterns the pre-publication scan uses too
    for start, end, kind in structured_identifiers(text):
        found.append(Identifier(start, end, kind, text[start:end]))
    for m in _STREET_RE.finditer(text):
        if not _weak_street(m, text, stop_re):
            add(m.start(), m.end(), "address")
    for m in _HABITAT_RE.finditer(text):
        # after "j'habite", a capitalised name is enough ("place de la République")
        if not _weak_street(m, text, None):
            add(m.start("addr"), m.end("addr"), "address")
    for m in _PLACE_NAME_RE.finditer(text):
        add(m.start(), m.end(), "address")
    for m in _POSTCODE_TOWN_RE.finditer(text):
        add(m.start(), m.end(), "address")
    return found


def _resolve(cands: Iterable[Identifier]) -> list[Identifier]:
    """Keep non-overlapping candidates: higher-precedence kind first, then the longest."""
    order = {k: i for i, k in enumerate(KINDS)}
    kept: list[Identifier] = []
    for c in sorted(cands, key=lambda c: (order[c.kind], -(c.end - c.start), c.start)):
        if all(c.end <= k.start or c.start >= k.end for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _form_style(words: list[str]) -> bool:
    """A name written as forms write it: one word in capitals, one in ordinary case."""
    words = [w for w in words if w.lower() not in _NAME_PARTICLES]
    return (any(w.isupper() and len(w) > 2 for w in words)
            and any(w[:1].isupper() and w[1:].islower() for w in words))

def _merge(persons: list[Identifier], text: str) -> list[Identifier]:
    """Union of overlapping person candidates (the widest reading wins)."""
    out: list[Identifier] = []
    for c in sorted(persons, key=lambda c: (c.start, -c.end)):
        if out and c.start < out[-1].end:
            last = out[-1]
            end = max(last.end, c.end)
            out[-1] = Identifier(last.start, end, "person", text[last.start:end], last.source)
        else:
            out.append(c)
    return out


def _subtract(persons: list[Identifier], others: list[Identifier], text: str
              ) -> list[Identifier]:
    """Cut person spans where a structured identifier (e.g. an address) already covers them."""
    out = []
    for p in persons:
        pieces = [(p.start, p.end)]
        for o in others:
            nxt = []
            for s, e in pieces:
                if o.end <= s or o.start >= e:
                    nxt.append((s, e))
                    continue
                if s < o.start:
                    nxt.append((s, o.start))
                if o.end < e:
                    nxt.append((o.end, e))
            pieces = nxt
        for s, e in pieces:
            while s < e and not text[s].isalnum():
                s += 1
            while e > s and not text[e - 1].isalnum() and text[e - 1] != ".":
                e -= 1
            if _LETTERS_RE.search(text[s:e]):
                out.append(Identifier(s, e, "person", text[s:e], p.source))
    return out


# --------------------------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------------------------


# English answers: a capitalised word after an article, "on" or a verb of language is an
# adjective, a day or a language ("a French number", "on Saturdays", "speak Tamil")
_ENGLISH_THING_BEFORE_RE = re.compile(
    r"(?<![\w'’])(?i:a|an|the|on|speak|speaks|spoke|read|reads|write|writes|learn|learning|"
    r"understand|understands)[ \t]+$"
)


@lru_cache(maxsize=256)
def _english(text: str, english_stop_words: frozenset[str], french_stop_words: frozenset[str]
             ) -> bool:
    """Whether ``text`` is written in English: more English function words than French."""
    words = [w.lower() for w in _LETTERS_RE.findall(text)]
    en = sum((w in english_stop_words or w in _ENGLISH_CONTRACTED) and w not in french_stop_words
             for w in words)
    fr = sum(w in french_stop_words and w not in english_stop_words for w in words)
    return en >= 3 and en > fr or en >= 2 and fr == 0


# what is left of English negations once the apostrophe splits them ("doesn't")
_ENGLISH_CONTRACTED = frozenset({"doesn", "don", "didn", "isn", "wasn", "aren", "weren", "haven",
                                 "hasn", "hadn", "couldn", "wouldn", "shouldn", "won", "can"})
