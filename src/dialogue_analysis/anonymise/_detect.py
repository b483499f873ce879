"""Person detection: names found by the model, titles, cues, first names, capitals, and their propagation to the other mentions of a record and of a wave."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..nlp import PERSONS
from ._checks import (
    _ENGLISH_THING_BEFORE_RE,
    _at_sentence_start,
    _english,
    _form_style,
    _is_cap,
    _merge,
    _name_runs,
    _resolve,
    _structured,
    _subtract,
)
from ._cues import (
    accents_optional,
    capitals_in_title_case,
    case_insensitive_names,
    cue_persons,
    cued_mistagged_names,
    enumerated_persons,
    extend_names,
)
from ._lexicon import (
    _first_name_re,
    _first_names,
    _fold,
    _fold_same_length,
    _Lexicon,
    _lexicon,
    _lower_first_name_re,
    _stopname_re,
)
from ._lower_names import (
    lower_case_after_cue,
    lower_case_before_verb,
    lower_case_contacts,
    lower_case_quoted,
    lower_case_recognised,
)
from ._name_likeness import name_likeness
from ._patterns_fr import (
    _ARTICLE_BEFORE_RE,
    _ARTICLES,
    _BEFORE_PERSON_VERB,
    _CAP_SEQ_RE,
    _CEST_QUI_RE,
    _CONNECTORS,
    _FACILITY_BEFORE_RE,
    _NAME_PARTICLES,
    _OF,
    _PERSON_VERB_RE,
    _PLACE_BEFORE_RE,
    _PLACEHOLDER_RE,
    _SERVICE_OF_RE,
    _THING_BEFORE_RE,
    _TITLE_ONLY_RE,
    _TITLE_RE,
    _TITLE_WORDS,
    _TOKEN_RE,
    _TOWN_SHAPE_RE,
    _TRIGGER_RE,
)
from ._person_positions import person_positions
from ._types import Identifier

# a word of letters only: what the recogniser's readings are checked against
_LETTER_WORD_RE = re.compile(r"[^\W\d_]+")


class _Detector:
    """Everything needed to find identifiers in one text; built once per call.

    ``lexicon``: the model's words, when the model itself is not loaded (every text's
    entities read from the cache); the rules that need the model's words then apply as well.
    """

    def __init__(self, nlp: Any, extra_stopnames: Iterable[str] = (),
                 lexicon: _Lexicon | None = None):
        self.nlp = nlp
        self.with_model = nlp is not None or lexicon is not None
        if lexicon is None:
            lexicon = _lexicon(nlp) if nlp is not None else _Lexicon()
        self.lexicon = lexicon
        self.first_names = _first_names()
        self.first_name_re = _first_name_re()
        self.stop_re = _stopname_re(tuple(sorted({s.strip() for s in extra_stopnames})))
        self.likeness = name_likeness(nlp)
        # the toolkit's person recogniser, trained on names that are also words and on the
        # capitalised words of this field that are none: its person guesses are trusted
        # further than a general model's (``_clean_person``)
        self.trusted = nlp is not None and PERSONS in str(nlp.meta.get("version", ""))
        self._protected_last: tuple[str | None, list[tuple[int, int]]] = (None, [])

    # -- persons -----------------------------------------------------------------------------

    def _protected(self, text: str) -> list[tuple[int, int]]:
        # asked for several times per text by the person rules: the last text's spans are kept
        if self._protected_last[0] != text:
            spans = [m.span() for m in self.stop_re.finditer(_fold_same_length(text))]
            spans += [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
            self._protected_last = (text, spans)
        return self._protected_last[1]

    def needs_recogniser(self, text: str) -> bool:
        """Whether the person recogniser's reading of ``text`` can change what is found in it.

        Not when every word is a common word (the model's word tables), in lower case, or in
        title case at the start of a sentence: the rules veto every person the recogniser may
        read there (a lower-case common word; a common word opening a sentence), and the
        places and organisations it may read only ever veto capitalised words, of which there
        are none. Such texts are most answers to open questions (69 % of the Grand Débat
        answers, 54 % of their characters), and what is found in them is the same with and
        without the recogniser (``tests/anonymise/test_recogniser_skip.py``).
        """
        if self.nlp is None:
            return False
        lex = self.lexicon
        for m in _LETTER_WORD_RE.finditer(text):
            w = m.group()
            if w not in lex:
                return True
            if w.islower():
                continue
            if not (len(w) == 1 or w[1:].islower()) or not _at_sentence_start(text, m.start()):
                return True
        return False

    def english(self, text: str) -> bool:
        """Whether ``text`` is an answer in English (French cues do not read it)."""
        lex = self.lexicon
        return _english(text, lex.english_stop_words, lex.stop_words)

    def _first_name(self, word: str) -> bool:
        return word in self.first_names or any(p in self.first_names for p in word.split("-"))

    def _clean_person(
        self, text: str, start: int, end: int, protected: list[tuple[int, int]], source: str
    ) -> Identifier | None:
        """Trim a person candidate to its name words; drop it when it is not a person."""
        words = [(m.start() + start, m.end() + start, m.group(0))
                 for m in _TOKEN_RE.finditer(text[start:end])]
        # cut at "de la CAF", "du CCAS de ...": a connector followed by a protected name
        for i, (_ws, _we, w) in enumerate(words):
            if (i > 0 and w.lower() in _ARTICLES
                    and any(ps == _ws for ps, pe in protected if pe > _we)):
                words = words[:i]  # "Kerian La Poste": a service's name that starts an article
                break
            if i == 0 or not w[:1].islower() or w.lower().rstrip("'’") not in _CONNECTORS:
                continue
            j = i + 1
            while j < len(words) and words[j][2].lower().rstrip("'’") in _ARTICLES:
                j += 1
            if j < len(words) and any(ps in (words[j][0], words[j][0] + 2) for ps, _ in protected):
                words = words[:i]
                break
        # cut at a service followed by its place ("ANTS de Vénissieux", "la MDPH de Lure") or at
        # a town that the name is from ("M. Sangaré de Clichy-sous-Bois")
        for i in range(len(words) - 1):
            nxt = words[i + 1][2]
            if nxt.lower() in _OF or nxt[:2].lower() in ("d'", "d’"):
                after = words[i + 2][0] if nxt.lower() in _OF and i + 2 < len(words) else None
                town = re.match(r"\S*", text[after if after else words[i + 1][0] + 2:]).group(0)
                if any(ps <= words[i][0] and words[i][1] <= pe for ps, pe in protected):
                    words = words[:i]
                    break
                if _TOWN_SHAPE_RE.search(town):
                    words = words[:i + 1]
                    break
        # drop trailing particles and lowercase words ("Kevin Mabiala m'", "... de la")
        while words and not _is_cap(words[-1][2]):
            words.pop()
        while words and not _is_cap(words[0][2]):
            words.pop(0)
        # "Sans Kevin", "Merci Sandrine", "In August": a capitalised common word (French, or
        # an English function word) opening the sentence
        while (source != "title" and len(words) > 1 and _at_sentence_start(text, words[0][0])
               and (self.lexicon.opens_sentence(words[0][2])
                    or words[0][2].lower() in self.lexicon.english_stop_words
                    and words[0][2].lower() not in _NAME_PARTICLES)
               and not self._first_name(words[0][2])
               and _fold(words[0][2]) not in _TITLE_WORDS):
            words.pop(0)
            while words and not _is_cap(words[0][2]):  # "Y a Rasoanaivo"
                words.pop(0)
        name_words = [w for w in words if _fold(w[2]).rstrip("'") not in _TITLE_WORDS
                      and _is_cap(w[2]) and not w[2].isdigit()]
        if not words or not name_words:
            return None
        # "Pfff", "Hmm", "Grrr": a word with no vowel is a sound, no name
        long_words = [_fold(w) for _, _, w in name_words if len(w) >= 3]
        if long_words and not any(_VOWEL_RE.search(w) for w in long_words):
            return None
        start, end = words[0][0], words[-1][1]
        if text[end:end + 1] == "." and len(words[-1][2]) == 1:
            end += 1  # an initial
        # fully covered by service / organisation / place names -> not a person
        def covered(ws: int, we: int) -> bool:
            if text[ws + 1:ws + 2] in ("'", "’") and text[ws] in "dDlL":
                ws += 2  # "d'Internet", "l'ANTS"
            return any(ps <= ws and we <= pe for ps, pe in protected)

        # "Le RIC", "La Carsat": an article before a service name is no part of a name
        if all(covered(ws, we) for ws, we, w in name_words if w.lower() not in _ARTICLES):
            return None
        before = text[max(0, start - 40):start]
        guessed = source in {"ner", "capitalised"}  # found by the model or by capitals alone
        trusted = source == "ner" and self.trusted
        if (guessed or source == "first_name") and _FACILITY_BEFORE_RE.search(before):
            return None  # "médiathèque Malraux", "lycée Victor Hugo": a place named after someone
        if guessed and _THING_BEFORE_RE.search(before):
            return None  # "le réseau Tisséo": a product or a scheme
        if (guessed and not any(self._first_name(w) for _, _, w in name_words)
                and _PLACE_BEFORE_RE.search(before)):
            return None  # "à côté de Lure", "à Phnom Penh": a place the lists do not know
        if (guessed and len(name_words) == 1 and not self._first_name(name_words[0][2])
                and (_ARTICLE_BEFORE_RE.search(before) or _after_service(before, start, protected)
                     or _ENGLISH_PLACE_BEFORE_RE.search(before)
                     or _ENGLISH_THING_BEFORE_RE.search(before) and self.english(text))):
            return None  # "la Cimade m'a coupé", "l'URSSAF de Bressuire", "in August": no person
        if (guessed and not any(self._first_name(w) for _, _, w in name_words)
                and not _form_style([w for _, _, w in name_words])
                and (len(name_words) > 2 and name_words[0][2].lower() in _ARTICLES
                     and text[name_words[0][1]:name_words[0][1] + 1] != "."  # "L. Moreau"
                     or len(name_words) > 1 and (_ARTICLE_BEFORE_RE.search(before)
                                                 or name_words[0][2][:2] in _ELIDED_ARTICLES))):
            return None  # "Le Play Store", "l'App Store": a product; a name after "le" is one
            # word ("Le Goff")
        if guessed and not any(self._first_name(w) for _, _, w in name_words):
            # the small model tags many capitalised common words as persons ("Passeport",
            # "Réduire", "Gilets Jaunes", "Permis de Conduire"): a name without a known first
            # name needs at least one word that is not a common French word
            ws = [w[2:] if w[1:2] in ("'", "’") else w for _, _, w in name_words]  # L'Hôpital
            initial = any(len(w) == 1 and text[e:e + 1] == "." for _, e, w in name_words)
            if (source == "ner" and any(self.lexicon.misspelt(w) for w in ws)
                    and all(w in self.lexicon or self.lexicon.misspelt(w) for w in ws)):
                return None  # "Acceuil", "Homophobie", "HOMOPHOBIE TRANSPHOBIE": words, no name
            if not initial and all(w in self.lexicon for w in ws) and not (
                trusted and self._word_as_name(text, start, ws)) and (
                len(ws) == 1 or len(ws) > 2 or "\n" in text[start:end]
                or any(self.lexicon.plural(w) for w in ws)
                or any(w.isupper() and len(w) > 1 for w in ws)
                or any(self.lexicon.opens_sentence(w) for w in ws)
                or any(not _is_cap(w) for _, _, w in words)
            ):
                # common words only: a person only when it reads like "Rosalie Fontaine"
                return None
            if any(w.lower() in self.lexicon.stop_words and w.lower() not in _NAME_PARTICLES
                   and not (len(w) == 1 and text[e:e + 1] == ".")  # an initial: "L. Moreau"
                   for (_, e, _), w in zip(name_words, ws, strict=True)):
                return None  # "SERVICE CE QUI EVITERAIT"
            if len(ws) == 1 and (ws[0].isupper() and len(ws[0]) <= 5 or len(ws[0]) < 3
                                 or any(c.isdigit() for c in ws[0])):
                return None  # an acronym (RSA, APL, CMU...) or a code
        return Identifier(start, end, "person", text[start:end], source)

    def _word_as_name(self, text: str, start: int, ws: list[str]) -> bool:
        """Whether a common word the person recogniser read as a person is kept as one:
        a single word in title case, inside a sentence, not after a determiner ("Il faut voir
        avec Balsamine", "la voix de Tournesol, le bénévole"). The recogniser alone decides:
        the same words at the start of a sentence ("Bonne réponse", "Hygiène") or after "sa"
        are mostly words."""
        w = ws[0]
        return (len(ws) == 1 and w[:1].isupper() and w[1:].islower()
                and not _at_sentence_start(text, start)
                and not _DETERMINER_BEFORE_RE.search(text, max(0, start - 12), start)
                and not self.lexicon.plural(w) and not self.lexicon.opens_sentence(w))

    def _unknown_words(self, name: str) -> bool:
        """Whether every name word of ``name`` is neither a common word nor a title.

        A short word in capitals is an acronym (RSA, CPAM), unless the name also holds a word
        in ordinary case, as forms write names ("KERGOAT Yolaine", "Claver MBA").
        """
        tokens = _TOKEN_RE.findall(name)
        if len(tokens) > 1 and all(w.isupper() for w in tokens):
            return False  # a phrase typed in capitals ("HOMOPHOBIE TRANSPHOBIE", "LA CAF")
        words = [w for w in tokens if w.lower() not in _NAME_PARTICLES]
        words = [x[2:] if x[1:2] in "'’" else x for x in words]
        form = _form_style(words)
        return bool(words) and all(
            w not in self.lexicon and _fold(w) not in _TITLE_WORDS and len(w) > 2
            and (form or not (w.isupper() and len(w) <= 5))
            for w in words
        )

    def persons(self, text: str, doc: Any | None) -> list[Identifier]:
        protected = self._protected(text)
        cands: list[Identifier] = []

        def add(start: int, end: int, source: str) -> None:
            # a name never runs over a line break or the " && " joining two answers: each
            # line of "Homophobie\nTransphobie\nSexisme" is checked alone
            for m in _LINE_PIECE_RE.finditer(text, start, end):
                c = self._clean_person(text, m.start(), m.end(), protected, source)
                if c is not None:
                    cands.append(c)

        for m in _TITLE_RE.finditer(text):
            title = _TITLE_ONLY_RE.match(m.group(0))
            c = self._clean_person(text, m.start() + title.end(), m.end(), protected, "title")
            if c is not None:
                cands.append(Identifier(m.start(), c.end, "person", text[m.start():c.end],
                                        "title"))
        for rx in (_TRIGGER_RE, _CEST_QUI_RE):
            for m in rx.finditer(text):
                add(m.start("name"), m.end("name"), "trigger")
        for m in self.first_name_re.finditer(text):
            add(m.start(), m.end(), "first_name")
        # without the model's word lists, "pierre" or "rose" in lower case would be names
        # nor in English answers, where "said" or "will" are no lower-case first names
        lower_names = (_lower_first_name_re(self.lexicon)
                       if self.with_model and not self.english(text) else None)
        for m in lower_names.finditer(text) if lower_names else ():
            end = m.end()
            nxt = m.group("next")
            if nxt and (nxt in self.lexicon or len(nxt) < 3):
                end = m.start("next") - 1
            cands.append(Identifier(m.start(), end, "person", text[m.start():end], "first_name"))
        if self.with_model:
            cands += (lower_case_after_cue(self, text) + lower_case_before_verb(self, text)
                      + lower_case_quoted(self, text) + lower_case_contacts(self, text))
            # what the model read as a place (a country, a town) is left to it
            ents = list(doc.ents) if doc is not None else []
            other = [(e.start_char, e.end_char) for e in ents if e.label_ in {"LOC", "GPE"}]
            # what it read as an organisation or a product opening a sentence ("Cofidis m'a
            # proposé", "Uber Eats m'a désactivé") too, unless a known first name is in it
            things = [(e.start_char, e.end_char) for e in ents if e.label_ in {"ORG", "MISC"}]
            for rx in (_CAP_SEQ_RE, _PERSON_VERB_RE):
                for m in rx.finditer(text):
                    s, e = m.span("name") if "name" in rx.groupindex else m.span()
                    words = _TOKEN_RE.findall(text[s:e])
                    # a verb of a person ("m'a rappelé") outweighs the model's place tag, and
                    # so do words its vectors do not know (a rare name, no town it has read)
                    place = (rx is _CAP_SEQ_RE and not _form_style(words)
                             and any(a < e and s < b for a, b in other)
                             and not self.likeness.unread(text[s:e].split()))
                    thing = (_at_sentence_start(text, s) and any(a < e and s < b for a, b in things)
                             and not any(self._first_name(w) for w in words)
                             and not self.likeness.unread(text[s:e].split()))
                    if self._unknown_words(text[s:e]) and not place and not thing:
                        add(s, e, "capitalised")
            cue_persons(self, text, protected, add, cands.append)
            cued_mistagged_names(self, text, ents, protected, add)
            person_positions(self, text, add, cands.append, ents)
        if doc is not None:
            lex = self.lexicon
            for ent in doc.ents:
                if ent.label_ in {"PER", "PERSON"}:
                    # "Bohdan and Taras" is two names; "Ameli doesn't work" none
                    for s, e in _name_runs(text, ent.start_char, ent.end_char, lambda w: (
                            w in lex or w in lex.stop_words or w in lex.english_stop_words)):
                        add(s, e, "ner")
            if self.trusted and not self.english(text):
                cands += lower_case_recognised(self, text, doc.ents)
        if self.nlp is not None and cands:
            enumerated_persons(self, text, protected, list(cands), add)
        return cands

    # -- all kinds ---------------------------------------------------------------------------

    def find(self, text: str, doc: Any | None = None) -> list[Identifier]:
        structured = _resolve(_structured(text, self.stop_re))
        persons = _merge(self.persons(text, doc), text)
        if self.with_model:
            persons = _merge(extend_names(self, persons, text, self._protected(text)), text)
        persons = _subtract(persons, structured, text)
        return sorted(structured + persons, key=lambda c: c.start)

    def _place_mention(self, text: str, e: Identifier) -> bool:
        """A single name word used as a place ("à Lure", "lycée Malraux"), no first name."""
        if " " in e.text or self._first_name(e.text) or e.text.islower():
            return False  # a place is written with a capital
        before = text[max(0, e.start - 40):e.start]
        return bool(_PLACE_BEFORE_RE.search(before) or _FACILITY_BEFORE_RE.search(before)
                    or _after_service(before, e.start, self._protected(text)))

    def propagate(self, text: str, found: list[Identifier], names: Iterable[str],
                  own: Iterable[str] | None = None,
                  surely: Iterable[str] = ()) -> list[Identifier]:
        """Add later occurrences, in ``text``, of name words already found in the record.

        A single word used as a place ("à Lure") stays as it is, unless the record named that
        person surely (``surely``: see :func:`_sure_names`). Only the record's ``own``
        names (all of ``names`` by default) are looked for in another case than as written:
        across a wave, a word typed in capitals at the start of one answer is not a name in
        the lower-case text of another.
        """
        # a lower-case name that is also a word is looked for only before a person's verb
        words = sorted({w for w in names if not (w.islower() and w in self.lexicon)},
                       key=len, reverse=True)
        if not words:
            return found
        alt = "|".join(map(re.escape, words))
        if self.with_model:  # without the word lists, "Rose" would also be "rose"
            any_case = case_insensitive_names(self, words if own is None else set(own))
            if any_case:  # with or without its accents: "Abigaëlle", then "Abigaelle"
                alt += "|(?i:" + "|".join(map(accents_optional, any_case)) + ")"
            # a name typed in capitals on a form is written in ordinary case elsewhere
            # ("SANOGO-SAMASSA", then "Sanogo-Samassa", "OUEDRAOGO" then "Ouédraogo")
            titled = capitals_in_title_case(self, words if own is None else set(own))
            if titled:
                alt += "|" + "|".join(map(accents_optional, titled))
            # a name that is also a word ("Blanche") in lower case only before a person's verb
            words_too = [w.lower() for w in words if " " not in w and w not in any_case]
            if words_too:
                alt += ("|(?:" + "|".join(map(re.escape, words_too)) + ")"
                        + _BEFORE_PERSON_VERB)
        rx = re.compile(_NOT_INSIDE_WORD + r"(?:" + alt + r")(?![\w'’-])")
        extra = [Identifier(m.start(), m.end(), "person", m.group(0), "propagated")
                 for m in rx.finditer(text)]
        if self.with_model and extra:
            extra = extend_names(self, extra, text, self._protected(text))
        protected = [(f.start, f.end) for f in found]
        placeholders = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
        # a surname given after a title ("M. Salvatierra") stays a person after "vers"
        surnames = {f.text.split()[-1] for f in found if f.source == "title"} | set(surely)
        # a mention may overlap a shorter name found there ("Ait Ouarab" over "Ouarab")
        services = self._protected(text)
        extra = [e for e in extra
                 if not any(s <= e.start and e.end <= t for s, t in protected + services)
                 and all(e.end <= s or e.start >= t for s, t in placeholders)
                 and (e.text in surnames or not self._place_mention(text, e))
                 # "Emmaüs Connect", "SNCF Connect": a word right after a service's name is
                 # part of it
                 and not (" " not in e.text and text[e.start - 1:e.start] == " "
                          and any(pe == e.start - 1 for _, pe in services))]
        if not extra:
            return found
        if self.nlp is not None:  # "Avec Dimitar, Stoyanka et Kalina" once Kalina is known
            listed: list[Identifier] = []

            def add(start: int, end: int, source: str) -> None:
                c = self._clean_person(text, start, end, self._protected(text), source)
                if c is not None:
                    listed.append(c)

            enumerated_persons(self, text, self._protected(text),
                               [f for f in found + extra if f.kind == "person"], add)
            extra += listed
        persons = _merge([f for f in found if f.kind == "person"] + extra, text)
        others = [f for f in found if f.kind != "person"]
        return sorted(others + _subtract(persons, others, text), key=lambda c: c.start)



_VOWEL_RE = re.compile(r"[aeiouy]")
# a determiner before a word: a noun ("sa Carte", "cette Commission", "un Schéma")
_DETERMINER_BEFORE_RE = re.compile(
    r"(?<![\w'’])(?i:le|la|les|un|une|des|du|au|aux|ce|cet|cette|ces|mon|ma|mes|ton|ta|tes|"
    r"son|sa|ses|notre|nos|votre|vos|leur|leurs|quel|quelle|exemple)[ \t]+$|(?<![\w])[lL]['’]$")
_ELIDED_ARTICLES = {"L'", "l'", "L’", "l’"}
# an English preposition of place or time before a word: "in August", "from Leeds"
_ENGLISH_PLACE_BEFORE_RE = re.compile(r"(?<![\w'’])(?i:in|at|from|since|until|near|during)[ \t]+$")
_LINE_PIECE_RE = re.compile(r"(?:(?!&&)[^\n\r])+")
# a name word starts a word, also after an elided word ("qu'Ouardia", "d'Ouardia"), not
# inside a compound ("N'Diaye" holds no "Diaye" of its own)
_NOT_INSIDE_WORD = (r"(?:(?<![\w'’-])|(?<=(?<![\w'’-])[dljnstcmDLJNSTCM]['’])"
                    r"|(?<=(?<![\w'’-])[qQ]u['’])|(?<=(?<![\w'’-])[jJ]usqu['’]))")


def _after_service(before: str, start: int, protected: list[tuple[int, int]]) -> bool:
    """Whether ``before`` (the text up to ``start``) ends with a service name or an acronym and
    "de": the word at ``start`` is then the service's town ("la CAF de Bressuire")."""
    m = _SERVICE_OF_RE.search(before)
    if m is None:
        return False
    ws = start - len(before) + m.start("service")
    we = start - len(before) + m.end("service")
    return (m.group("service").isupper() and len(m.group("service")) > 1
            or any(ps <= ws and we <= pe for ps, pe in protected))


def _propagation_words(found: Iterable[Identifier]) -> set[str]:
    """Full names and name words (surnames, first names) to look for in the rest of a record.

    A word after a French particle is looked for with it ("de Grigny" in "M. Sangaré de
    Grigny": often a town, not a name); a compound town name ("Clichy-sous-Bois") never alone.
    """
    words: set[str] = set()
    for f in found:
        if f.kind != "person":
            continue
        name = _TITLE_ONLY_RE.sub("", f.text).strip()
        if " " in name:
            words.add(name)
        previous = ""
        # a name typed in lower case ("ma soeur wafae") is looked for as typed
        lower_name = f.text.islower() and f.source != "title"
        for w in re.split(r"[\s]+", name):
            w = w.strip(".,")
            if (len(w) >= 3 and (w[:1].isupper() or lower_name) and _fold(w) not in _TITLE_WORDS
                    and not _TOWN_SHAPE_RE.search(w)):
                words.add(f"{previous} {w}" if previous in _OF else w)
            previous = w
    return words


def _sure_names(found: Iterable[Identifier]) -> set[str]:
    """The name words of the persons found in the record's own answers (not by propagation).
    Elsewhere in the record such a word is the person, even where a place could stand
    ("c'est tombé sur Montredon", "écrit directement à Tapsobanga-Kiendrebeogo", "mon voisin
    Jarnac", then "vers Jarnac"): the safe side. A name found in another record only is not
    looked for after a place word."""
    sure = set()
    for f in found:
        words = [w for w in _TITLE_ONLY_RE.sub("", f.text).split() if w[:1].isupper()]
        if f.kind == "person" and words and f.source != "propagated":
            sure.update(w.strip(".,") for w in words)
    return sure


def _wave_names(found: Iterable[list[Identifier]], det: _Detector) -> set[str]:
    """Names found anywhere in the wave that are no common word, to look for in every record.

    A surname written alone in one interview ("Abgrall m'a rappelé") is often the one that
    another interview gives in full; a name that is also a word ("Rose", "Blanche") is only
    looked for in its own record. Only names read with some certainty are spread: a name after
    a title or a phrase such as "je m'appelle", or a full name that holds a known first name or
    no common word ("Racisme Homophobie" is not one); not one word the model tagged alone.
    """
    def sure(f: Identifier) -> bool:
        if f.source in {"title", "trigger"}:
            return True
        name = _TITLE_ONLY_RE.sub("", f.text).strip()
        return (f.source in {"ner", "first_name", "capitalised"} and " " in name
                and (any(det._first_name(w) for w in _TOKEN_RE.findall(name))
                     or det._unknown_words(name)))

    words = _propagation_words(f for fs in found for f in fs if sure(f))
    # "de Grigny" only within its record: across the wave it is more often the town
    return {w for w in words if (" " in w or (w not in det.lexicon and not w.isupper()))
            and not w[:1].islower()
            and not det.stop_re.fullmatch(_fold_same_length(w))}


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------
