"""Positions that only a person fills, for single name words that no other rule reads: the
word is taken when it reads as a name (:func:`._name_likeness.name_like`), so that an unknown
capitalised word there is a person while a known place, brand or service is not.

- "demandez à Ximena", "j'ai parlé à Cienfuegos": a verb of speaking, then "à";
- "ma mère s'appelle Ndoumbé": a relation or a person, then how she is called;
- "she's called Zinar", "a guy named Qusai", "everyone calls him Kugan";
- "c'est Ghanima.", "des fois c'est Haïk, des fois...", "c'est nadjib qui m'a montré";
- "..., et Hadidja qui fait le ménage": a name word listed, then "qui";
- "moi, Wardak, Safiullah et...", "Njaka, Mamy et moi", "me, Ifeyinwa, and...": a list
  that holds the speaker holds people;
- "épouse ZAMOR", "née Kerhervé": a civil-status form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ._checks import _at_sentence_start
from ._lone_names import lone_names
from ._name_likeness import name_like
from ._patterns_fr import _L, _NAME_SEQ, _NAMEW, _PERSON_NOUNS, _RELATIONS, _TOKEN_RE
from ._types import Identifier

Add = Callable[[int, int, str], None]
Put = Callable[[Identifier], None]

_END = r"(?![\w'’-])"
_SPEAK_TO_RE = re.compile(
    r"(?<![\w])(?i:demand(?:e|é|ée|ez|er|ais|ait)|di(?:t|s|re|sait)|parl(?:e|é|er|ais|ait)|"
    r"écri(?:t|s|re|vait)|téléphon(?:e|é|er)|expliqu(?:e|é|er)|répond(?:u|re|s)|montr(?:e|é|er)|"
    r"demandez|parlez|écrivez|téléphonez)[ \t]+(?:à|a)[ \t]+"
    rf"(?P<name>{_NAMEW}){_END}"
)
_ENGLISH_CALLED_RE = re.compile(
    r"(?<![\w])(?i:(?:he|she|who)(?:['’]s|[ \t]+is|[ \t]+was)[ \t]+(?:called|named)|"
    r"(?:call|calls|called)[ \t]+(?:him|her)|"
    r"(?:guy|man|woman|lady|girl|boy|person|someone|somebody|volunteer|worker|mediator|"
    r"advis[eo]r|teacher|nurse|doctor|friend|neighbou?r|gentleman|chap|bloke)[ \t]+"
    rf"(?:called|named))[ \t]+(?P<name>{_NAME_SEQ}){_END}"
)
# "ma mère s'appelle X", "la conseillère s'appelait X": a person, then how she is called
_IS_CALLED_RE = re.compile(
    rf"(?<![\w])(?i:{_RELATIONS}|{_PERSON_NOUNS})[sx]?[ \t]+s['’]appel(?:le|ait|aient|lent)"
    rf"[ \t]+(?P<name>{_NAME_SEQ}){_END}")
_CLEFT_RE = re.compile(
    r"(?<![\w])(?i:c['’]est|c['’]était|c['’]etait)[ \t]+"
    rf"(?P<name>{_NAMEW}){_END}(?=[ \t]*(?:[,.;!?…]|$|qui\b|et\b))"
)
_LOWER_CLEFT_RE = re.compile(
    rf"(?<![\w])(?i:c['’]est|c['’]était|c['’]etait)[ \t]+(?P<name>[{_L}][{_L}-]{{2,}}){_END}"
    r"(?=[ \t]+qui[ \t]|,[ \t]*(?:il|elle)[ \t])"
)
_LISTED_WHO_RE = re.compile(
    rf"(?:(?<=[,:;][ \t])|(?<=[ \t]et[ \t])|(?<=[ \t]and[ \t]))(?P<name>{_NAMEW})[ \t]+"
    r"(?:qui|who)[ \t]"
)
_SPEAKER = r"(?i:moi|me|myself|toi)"
_LIST_MEMBER = rf"(?:{_NAMEW}|{_SPEAKER}{_END})"
_LIST_SEP = r"(?:,[ \t]+(?:(?:et|and)[ \t]+)?|[ \t]+(?:et|and)[ \t]+)"
_LIST_WITH_SPEAKER_RE = re.compile(
    rf"(?<![\w'’-]){_LIST_MEMBER}(?:{_LIST_SEP}{_LIST_MEMBER})+"
)
_SPEAKER_RE = re.compile(rf"^{_SPEAKER}$")
# a name in a civil-status form: "épouse ZAMOR", "née Kerhervé", "veuve Lannuzel"
_CIVIL_STATUS_RE = re.compile(rf"(?<![\w])(?:épouse|née|veuve|ép\.)[ \t]+(?P<name>{_NAME_SEQ}){_END}")

_LIST_SEP_RE = re.compile(_LIST_SEP)


def person_positions(det: Any, text: str, add: Add, put: Put, ents: Any = ()) -> None:
    """Single name words in the positions of a person (see the module's doc), and those
    nothing around them explains (:func:`._lone_names.lone_names`)."""
    lone_names(det, text, ents, add, put)
    for rx in (_SPEAK_TO_RE, _CLEFT_RE, _LISTED_WHO_RE, _IS_CALLED_RE):
        for m in rx.finditer(text):
            if name_like(det, m.group("name")) and not _sentence_word(det, text, m.start("name")):
                add(m.start("name"), m.end("name"), "trigger")
    if det.english(text):
        for m in _ENGLISH_CALLED_RE.finditer(text):
            add(m.start("name"), m.end("name"), "trigger")
    else:
        for m in _LOWER_CLEFT_RE.finditer(text):
            word = m.group("name")
            if (word not in det.lexicon and word not in det.lexicon.stop_words
                    and not det.likeness.known(word)):
                put(Identifier(m.start("name"), m.end("name"), "person", word, "trigger"))
    for m in _CIVIL_STATUS_RE.finditer(text):
        add(m.start("name"), m.end("name"), "trigger")
    for m in _LIST_WITH_SPEAKER_RE.finditer(text):
        members = _split(text, m.start(), m.end())
        if not any(_SPEAKER_RE.match(text[s:e]) for s, e in members):
            continue
        for s, e in members:
            word = text[s:e]
            if _SPEAKER_RE.match(word) or _sentence_word(det, text, s):
                continue
            if all(name_like(det, w) for w in _TOKEN_RE.findall(word)):
                add(s, e, "trigger")


def _sentence_word(det: Any, text: str, start: int) -> bool:
    """A word opening a sentence that is a common word there ("Ensuite", "Bonjour")."""
    m = _TOKEN_RE.match(text, start)
    return bool(m) and _at_sentence_start(text, start) and det.lexicon.opens_sentence(m.group(0))


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    members, pos = [], start
    for sep in _LIST_SEP_RE.finditer(text, start, end):
        members.append((pos, sep.start()))
        pos = sep.end()
    members.append((pos, end))
    return [(s, e) for s, e in members if e > s]
