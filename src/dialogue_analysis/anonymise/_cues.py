"""Person rules for the names the model misses: cues around a name, names in capitals, names
extended to their neighbouring name words and other mentions in another case.

Each rule returns candidate spans; the detector checks them as it checks the model's guesses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ._checks import _at_sentence_start, _is_cap
from ._lexicon import _fold
from ._patterns_fr import (
    _APPOSED_PERSON_RE,
    _APPOSED_RESUMED_RE,
    _APPOSITION_RE,
    _ARTICLE_NOUN_FAR_RE,
    _ARTICLE_RELATION_RE,
    _CAPS_SEQ_RE,
    _CEST_LUI_QUI_RE,
    _COUNTED_BEFORE_RE,
    _ENDEARED_RE,
    _ENUMERATION_RE,
    _ENUMERATION_SEP_RE,
    _ENUMERATION_TO_RELATION_RE,
    _FORM_FIELD_RE,
    _IS_RELATION_RE,
    _LOWER_APPOSED_RESUMED_RE,
    _LOWER_CEST_LUI_QUI_RE,
    _LOWER_RELATION_RE,
    _LOWER_TITLE_WORD_RE,
    _NAME_PARTICLES,
    _PERSON_CUE_NAMES_RE,
    _PERSON_WAS_RE,
    _PLACE_BEFORE_RE,
    _RESUMED_RE,
    _TITLE_WORDS,
    _TOKEN_RE,
    _WITH_FAMILY_RE,
    _WORD_AFTER_RE,
    _WORD_BEFORE_RE,
    _Y_A_QUI_RE,
)
from ._person_words import KINSHIP_EN, KINSHIP_FR
from ._types import Identifier

# the person detector (``_detect._Detector``): its lexicon, first names and stop names
_Detector = Any

Add = Callable[[int, int, str], None]
Put = Callable[[Identifier], None]
Spans = list[tuple[int, int]]
_NAME_APOSTROPHE = re.compile(r"(?:[dD]|[A-Z])['’][A-ZÀ-Ý]")
_CAPS_WORD_RE = re.compile(r"[\w'’]+(?:-[\w'’]+)*")
_LETTER_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


# an article or a place preposition before a capitalised word: a thing or a place, no person
_NOT_BEFORE_NAME = {"le", "la", "les", "l", "chez", "à", "a", "en", "dans", "vers", "depuis",
                    "sur", "au", "aux", "du", "des", "un", "une"}


_KINSHIP = {_fold(w).rstrip("sx") for w in (*KINSHIP_FR, *KINSHIP_EN)}
_NUMBERS = {w: n for n, words in enumerate(
    ((), (), ("deux", "two"), ("trois", "three"), ("quatre", "four"), ("cinq", "five"),
     ("six",))) for w in (*words, str(n))}


_FRONTED_RE = re.compile(r"(?:^|(?<=[^\w'’-]))(?i:à|a|en|au|aux|chez|dans|depuis|vers|sur|in|at|"
                         r"from)[ \t]+$")


def _fronted_place(text: str, start: int) -> bool:
    """Whether a preposition opening the sentence stands before ``start`` ("À Naples, ...")."""
    m = _FRONTED_RE.search(text, max(0, start - 12), start)
    return m is not None and _at_sentence_start(text, m.start())


def _inside(start: int, end: int, protected: Spans) -> bool:
    return any(ps <= start and end <= pe for ps, pe in protected)


def _is_word(det: _Detector, word: str) -> bool:
    """A common word, a stop word or a word that opens sentences ("Bonjour", "Ensuite")."""
    return (word in det.lexicon or word.lower() in det.lexicon.stop_words
            or det.lexicon.opens_sentence(word))


def cue_persons(det: _Detector, text: str, protected: Spans, add: Add, put: Put) -> None:
    """Names revealed by what surrounds them ("y a Kannan qui", "Soazig, ma voisine").

    ``add`` checks a capitalised candidate as the detector checks the model's guesses; ``put``
    keeps a lower-case one as it is (the checks trim lower-case words).
    """

    def lower(s: int, e: int, source: str) -> None:
        put(Identifier(s, e, "person", text[s:e], source))

    for m in _WITH_FAMILY_RE.finditer(text):
        add(m.start("name"), m.end("name"), "capitalised")
    # "y a Zilan et Zozan, deux filles de l'asso, qui...", "Albertino c'est mon grand-père",
    # "la dame de l'accueil, c'était Azilis": checked as guesses
    for m in _Y_A_QUI_RE.finditer(text):
        for s, e in _members(text, m.start("name"), m.end("name")):
            add(s, e, "capitalised")
    for m in _PERSON_WAS_RE.finditer(text):
        add(m.start("name"), m.end("name"), "capitalised")
    for m in _ARTICLE_NOUN_FAR_RE.finditer(text):
        add(m.start("name"), m.end("name"), "capitalised")
    # a relation next to the name is a strong cue: a name that is also a word ("Blanche,
    # ma copine", "Sauveterre, c'est mon éducateur") counts, a word opening the sentence
    # ("Bonjour, ma conseillère") does not
    for rx in (_APPOSITION_RE, _ARTICLE_RELATION_RE, _IS_RELATION_RE):
        for m in rx.finditer(text):
            words = list(_TOKEN_RE.finditer(m.group("name")))
            # "Avec Ghiath, mon mari": the words opening the sentence are not the name; after
            # an article or a place word ("Les Antilles, ma mère", "Chez Decathlon, mon fils")
            # it is no person
            dropped = ""
            while words and (det.lexicon.opens_sentence(words[0].group(0))
                             and _at_sentence_start(text, m.start("name") + words[0].start())
                             or words[0].group(0).lower() in det.lexicon.stop_words):
                dropped = words.pop(0).group(0).lower()
            if not words or dropped in _NOT_BEFORE_NAME:
                continue
            s = m.start("name") + words[0].start()
            if rx is _APPOSITION_RE and _PLACE_BEFORE_RE.search(text[max(0, s - 40):s]):
                continue  # "À Dakar, ma sœur tient une boutique": a place
            if (rx is _ARTICLE_RELATION_RE and m.group(0)[:1] in "lL"
                    and all(_is_word(det, w.group(0)) for w in words)):
                continue  # "le monsieur du guichet, Bonjour, ...": "the", not "a", needs a name
            if not any(w.group(0).lower() in det.lexicon.stop_words for w in words):
                add(s, m.end("name"), "trigger")
    # "Dimitrov, l'écrivain public", "Lenuța et Petruța, deux médiatrices": each listed name
    # before a person noun in apposition, checked as a guess ("Lundi, la conseillère" is none)
    for m in _APPOSED_PERSON_RE.finditer(text):
        members = _members(text, m.start("name"), m.end("name"))
        # "Amarante, Églantine et Pervenche. C'est les trois dames": names counted as people,
        # as many as the count says, are people even when they are also words
        counted = len(members) > 1 and _NUMBERS.get(
            (m.group("count") or "").strip().lower()) == len(members)
        # "Rêzan, le fils de la voisine": a kinship word names a person, never a place
        # (not after a preposition opening the sentence: "À Naples, le père de mon mari")
        kin = (_fold(m.group("noun").lower()).rstrip("sx") in _KINSHIP
               and not _fronted_place(text, m.start("name")))
        for s, e in members:
            words = list(_TOKEN_RE.finditer(text, s, e))
            while not counted and words and _at_sentence_start(text, words[0].start()) and _is_word(
                    det, words[0].group(0)) and not det._first_name(words[0].group(0)):
                words.pop(0)  # "Franchement, ..." is cut by the comma; "Avec Ghiath" is not
            if words:
                add(words[0].start(), e, "trigger" if counted or kin else "capitalised")
    for m in _COUNTED_BEFORE_RE.finditer(text):
        members = _members(text, m.start("name"), m.end("name"))
        if len(members) > 1 and _NUMBERS.get(m.group("count").lower()) == len(members):
            for s, e in members:
                add(s, e, "trigger")
    for m in _ENDEARED_RE.finditer(text):
        word = m.group("name")  # "ma petite Eudoxie", not "mon petit Bonjour"
        if not det.lexicon.opens_sentence(word) and word.lower() not in det.lexicon.stop_words:
            add(m.start("name"), m.end("name"), "trigger")
    for m in _APPOSED_RESUMED_RE.finditer(text):
        add(m.start("name"), m.end("name"), "capitalised")
    for m in () if det.english(text) else _LOWER_APPOSED_RESUMED_RE.finditer(text):
        keep = _unknown_tail(det, m.group("name"))  # the words that are no common word
        if keep:
            lower(m.start("name") + keep[0], m.start("name") + keep[1], "trigger")
    for m in _LOWER_CEST_LUI_QUI_RE.finditer(text):
        keep = _unknown_tail(det, m.group("name"))
        if keep:
            lower(m.start("name") + keep[0], m.start("name") + keep[1], "trigger")
    for m in _CEST_LUI_QUI_RE.finditer(text):  # "Fadhila et Chérifa, c'est elles qui"
        for s, e in _members(text, m.start("name"), m.end("name")):
            if not _is_word(det, text[s:e]):
                add(s, e, "trigger")
    for m in _RESUMED_RE.finditer(text):
        s, e = m.span("name")
        word = m.group("name")
        if not _at_sentence_start(text, s) or _is_word(det, word) or _inside(s, e, protected):
            continue
        if word[:1].isupper():
            add(s, e, "capitalised")
        else:  # "kannan il dit": a lower-case word that is no word at all
            lower(s, e, "capitalised")
    for m in _LOWER_RELATION_RE.finditer(text):
        keep = []
        for w in re.finditer(r"\S+", m.group("name")):
            if _is_word(det, w.group(0)) or len(w.group(0)) < 3:
                break
            keep.append(w)
        if keep:
            lower(m.start("name") + keep[0].start(), m.start("name") + keep[-1].end(), "trigger")
    for m in _LOWER_TITLE_WORD_RE.finditer(text):
        word = m.group("name")
        # "mme sauvage": an adjective or a noun can be a surname; not a verb nor a stop word
        if not det.lexicon.opens_sentence(word) and word not in det.lexicon.stop_words:
            lower(m.start(), m.end(), "title")
    for m in _FORM_FIELD_RE.finditer(text):
        # a field holds the name as typed on the form; words only ("NOM : INCONNU", "Titulaire
        # : CAISSE D'ALLOCATIONS") are no name
        words = [w for w in _TOKEN_RE.findall(m.group("name"))
                 if w.lower() not in _NAME_PARTICLES]
        if (not all(w in det.lexicon for w in words)
                and not any(w.lower() in det.lexicon.stop_words for w in words)):
            add(m.start("name"), m.end("name"), "trigger")
    for m in _CAPS_SEQ_RE.finditer(text):
        if _capitals_name(det, m.group(0), m.start(), text, protected):
            add(m.start(), m.end(), "trigger")


def cued_mistagged_names(det: _Detector, text: str, ents: Iterable[Any], protected: Spans,
                         add: Add) -> None:
    """Single name words after a phrase that introduces a person, which the model tagged as
    something else ("avec Nkechi et Adaeze" read as two places, "spoke to Siobhan" inside a
    clause read as one product name).

    A word counts when no list knows it (no common word, English function word, service or
    brand); a word joined by "et" or "and" counts only when the one before it did ("avec
    Orange et Free": neither).
    """
    # a place after "avec" or "with" is a misreading; a product or a company is not ("avec
    # Firefox", "avec Yousign"), unless the model's span runs over a clause ("We went with
    # Nkechi and ...", "spoke to Siobhan"): a span that holds lower-case words says nothing
    # (read through offsets: the entities replayed from the Dask workers carry no text)
    tagged = [(e.start_char, e.end_char) for e in ents if e.label_ in _NOT_PERSON_LABELS
              and (e.label_ in _PLACE_LABELS or any(w.islower() for w in text[e.start_char:e.end_char].split()))]
    if not tagged:
        return
    for m in _PERSON_CUE_NAMES_RE.finditer(text):
        if m.group(0)[:4].lower() in ("avec", "with") and _at_sentence_start(text, m.start()):
            continue  # "Avec Tisséa, Ilora et Kalindo on paie moins": the means, not company
        for s, e in _members(text, m.start("names"), m.end("names")):
            word = text[s:e]
            if det._first_name(word):
                continue  # found by the list of first names already
            if (_inside(s, e, protected) or word.lower() in det.lexicon.english_stop_words
                    or not det._unknown_words(word)):
                break
            if any(a < e and s < b for a, b in tagged):
                add(s, e, "capitalised")


# the model's labels for places, organisations and other names: not a person
_NOT_PERSON_LABELS = {"LOC", "GPE", "ORG", "MISC", "PRODUCT", "FAC", "NORP", "EVENT"}
_PLACE_LABELS = {"LOC", "GPE"}


def enumerated_persons(det: _Detector, text: str, protected: Spans, found: list[Identifier],
                       add: Add) -> None:
    """Names listed beside a person ("Avec Dimitar, Stoyanka et Kalina"): in a list of
    capitalised names where one is a person, the others that are no common word are too."""
    lists = [_members(text, m.start(), m.end()) for m in _ENUMERATION_RE.finditer(text)]
    # "Rasoanaivo, Kerhoas et ma fille Tiavina": the list goes on over a relation
    lists += [[*_members(text, m.start("names"), m.end("names")), m.span("name")]
              for m in _ENUMERATION_TO_RELATION_RE.finditer(text)]
    for members in lists:
        if not any(f.start < e and s < f.end for s, e in members for f in found):
            continue
        for s, e in members:
            words = list(_TOKEN_RE.finditer(text, s, e))
            # "Avec Dimitar": a word opening the sentence is no part of the name
            while words and _at_sentence_start(text, words[0].start()) and _is_word(
                    det, words[0].group(0)) and not det._first_name(words[0].group(0)):
                words.pop(0)
            if not words or any(f.start < e and words[0].start() < f.end for f in found):
                continue
            s = words[0].start()
            if det._unknown_words(text[s:e]) and not _inside(s, e, protected):
                add(s, e, "capitalised")


def _members(text: str, start: int, end: int) -> Spans:
    """The spans of the names listed in ``text[start:end]`` ("Zilan et Zozan", "A, B et C")."""
    members, pos = [], start
    for sep in _ENUMERATION_SEP_RE.finditer(text, start, end):
        members.append((pos, sep.start()))
        pos = sep.end()
    members.append((pos, end))
    return members


def _unknown_tail(det: _Detector, words: str) -> tuple[int, int] | None:
    """Offsets, in ``words``, of its last words that are no common word ("d'appeler
    gülizar wattebled"), or None."""
    keep = []
    for w in reversed(list(re.finditer(r"\S+", words))):
        if _is_word(det, w.group(0)) or len(w.group(0)) < 3 or w.group(0) in _NAME_PARTICLES:
            break
        keep.insert(0, w)
    return (keep[0].start(), keep[-1].end()) if keep else None


def _capitals_name(det: _Detector, name: str, start: int, text: str, protected: Spans) -> bool:
    """A name typed in capitals ("TRAN VAN KHIEM"): no common word, no acronym of a service,
    and not a whole line shouted in capitals."""
    # a compound is one word: "JUGURTHA-BAYA" is a name though "baya" is a word
    words = [w for w in _CAPS_WORD_RE.finditer(name) if w.group(0).lower() not in _NAME_PARTICLES]
    if len(words) < 2 or not any(len(w.group(0)) >= 4 for w in words):
        return False
    for w in words:
        s, e = start + w.start(), start + w.end()
        if (w.group(0) in det.lexicon or _inside(s, e, protected)
                or not re.search(r"[AEIOUYÀ-ÖØ-Ý]", w.group(0).split("-")[0])):
            return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start + len(name))
    line = text[line_start:line_end if line_end >= 0 else len(text)]
    return any(c.islower() for c in line)


def _name_word(det: _Detector, word: str, start: int, end: int, protected: Spans) -> bool:
    """A word that reads as one more word of an adjacent name: capitalised or in capitals and
    no common word, not a title, not a service name."""
    if _inside(start, end, protected) or _fold(word) in _TITLE_WORDS or not _is_cap(word):
        return False
    if ("'" in word or "’" in word) and not _NAME_APOSTROPHE.match(word):
        return False  # "C'est", "L'interprète"; not "N'Diaye", "d'Estaing"
    if word.isupper() and len(word) < 3:
        return False
    if word.lower() in _NAME_PARTICLES:
        return True
    # "Then Oluwadamilare": an English function word is no name word
    return word not in det.lexicon and word.lower() not in det.lexicon.english_stop_words


def _common_name_word(det: _Detector, word: str, start: int, end: int, protected: Spans) -> bool:
    """A common noun or adjective written as a name word ("Falaise", "BIENVENU"), next to a
    name: no verb, adverb, stop word or title, no service name."""
    return (word.isalpha() and len(word) >= 4 and word[:1].isupper()
            and (word.isupper() or word[1:].islower())
            and word in det.lexicon and not det.lexicon.opens_sentence(word)
            and word.lower() not in det.lexicon.english_stop_words
            and _fold(word) not in _TITLE_WORDS and not _inside(start, end, protected))


def extend_names(det: _Detector, persons: list[Identifier], text: str, protected: Spans
                 ) -> list[Identifier]:
    """Widen each person span over the name words next to it.

    "Ibou Ndiaye-Gueye" when only "Ibou" was found, "dos Reis Pimentel" or "Ben Chedly" when
    only the last word was, "maguy Lurel-Tirolien" (a lower-case word that is no word before a
    name). Lower-case particles count only between two name words.
    """
    out = []
    english = det.english(text) if persons else False
    for p in persons:
        s, e = p.start, p.end
        while (m := _WORD_AFTER_RE.match(text, e)) and _name_word(
                det, m.group("word"), m.start("word"), m.end(), protected):
            if m.group("word").lower() in _NAME_PARTICLES:
                # "azilis Le Guéhennec", "Ibou Van Damme": a capitalised particle and a name
                nxt = _WORD_AFTER_RE.match(text, m.end())
                if not (m.group("word")[:1].isupper() and nxt
                        and nxt.group("word").lower() not in _NAME_PARTICLES
                        and _name_word(det, nxt.group("word"), nxt.start("word"), nxt.end(),
                                       protected)):
                    break
                m = nxt
            e = m.end()
        # "NSIMBA BIENVENU": a common word in capitals after a name in capitals is its first name
        m = _WORD_AFTER_RE.match(text, e)
        if m and text[s:e].isupper() and _common_name_word(det, m.group("word"), m.start("word"),
                                                           m.end(), protected):
            e = m.end()
        left = s
        common_taken = False
        while m := _WORD_BEFORE_RE.search(text, max(0, left - 60), left):
            word, ws = m.group("word"), m.start("word")
            lower_particle = word in _NAME_PARTICLES
            # "LE GUENNEC Bleuenn": a particle in capitals before a surname in capitals
            caps_particle = (word.isupper() and word.lower() in _NAME_PARTICLES
                             and text[left:left + 2].isupper())
            # "the library Mrs X": a title starts the name, nothing lower-case goes before it
            # (not in English, whose lower-case words the French lexicon does not know)
            lower_name = (word.islower() and word.isalpha() and len(word) >= 4
                          and p.source != "title" and not english
                          and not _is_word(det, word)
                          and word not in det.lexicon.english_stop_words
                          and not _inside(ws, m.end(), protected))
            # "Falaise Rosan", "Bienvenu Nsimba": one capitalised noun or adjective just before
            # a name is its first name (not a verb, an adverb or a stop word: "Hier Rosan")
            common = (not common_taken and left == p.start
                      and _common_name_word(det, word, ws, ws + len(word), protected))
            if not (lower_particle or lower_name or caps_particle or common
                    or _name_word(det, word, ws, ws + len(word), protected)):
                break
            common_taken = common_taken or common
            left = ws
            if not lower_particle:
                s = left
        if (s, e) != (p.start, p.end):
            p = Identifier(s, e, "person", text[s:e], p.source)
        out.append(p)
    return out


def case_insensitive_names(det: _Detector, names: Iterable[str]) -> list[str]:
    """Name words to look for in any case: single words that are no common word.

    "Vitalie" found once is also "vitalie" and "VITALIE" later; "Blanche" (also a word) is
    looked for as written only, and so is a word found in capitals.
    """
    # a word found in capitals (SDF, RDS) is more likely an acronym than a name
    return sorted({w for w in names if len(w) >= 3 and _LETTER_WORD.fullmatch(w) and not w.isupper()
                   and w not in det.lexicon
                   and not det.stop_re.fullmatch(_fold(w))}, key=len, reverse=True)


_ACCENTED = {"a": "aàâäáãå", "e": "eéèêë", "i": "iîïíì", "o": "oôöóòõ", "u": "uùûüú",
             "c": "cç", "n": "nñ", "y": "yÿý"}


def accents_optional(word: str) -> str:
    """A pattern of ``word`` whose French accents may be typed or not ("Abigaëlle",
    "Abigaelle"): forms and keyboards often drop them."""
    out = []
    for ch in word:
        base = _fold(ch)
        variants = _ACCENTED.get(base.lower())
        if variants is None and base != ch and base.isalpha():
            out.append(f"[{ch}{base}]")  # "Oğuzhan" typed "Oguzhan" on a form
        elif variants is None:
            out.append(re.escape(ch))
        else:
            out.append("[" + (variants if ch.islower() else variants.upper()) + "]")
    return "".join(out)


def capitals_in_title_case(det: _Detector, names: Iterable[str]) -> list[str]:
    """Name words found in capitals ("SANOGO-SAMASSA"), as written in ordinary case; not a
    short acronym (SDF, CMU), a common word or a service."""
    return sorted({w.title() for w in names
                   if w.isupper() and len(w) >= 5 and re.fullmatch(r"[^\W\d_]+(?:-[^\W\d_]+)*", w)
                   and w not in det.lexicon and not det.stop_re.fullmatch(_fold(w))},
                  key=len, reverse=True)


_WORD_RE = re.compile(r"\w+")


class WaveNames:
    """The names found across a wave, indexed by their words.

    A text is searched only for the names whose every word it holds (case and accents aside):
    the others cannot match any spelling of them there. Without the index every text was
    searched for every name of the wave, a cost that grew with the square of its size.
    """

    def __init__(self, names: Iterable[str]):
        self.names = frozenset(names)
        self._by_word: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self._always: set[str] = set()
        for name in self.names:
            words = frozenset(_WORD_RE.findall(_fold(name)))
            if words:
                self._by_word.setdefault(min(words), []).append((name, words))
            else:
                self._always.add(name)

    def __bool__(self) -> bool:
        return bool(self.names)

    def in_text(self, text: str) -> set[str]:
        """The wave's names that may occur in ``text``."""
        words = set(_WORD_RE.findall(_fold(text)))
        return self._always | {name for w in words for name, need in self._by_word.get(w, ())
                               if need <= words}
