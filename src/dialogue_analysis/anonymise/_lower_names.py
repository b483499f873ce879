"""Names typed in lower case: after a cue only a name can follow ("je m'appelle zéphirine
le quéméner", "ma mère s'appelle toybina diabira", "m. dos figueiredo"), and before a verb of a
person ("abdelhakim m'a montré"). What is kept is the words no common word list knows."""

from __future__ import annotations

import re
from typing import Any

from ._patterns_fr import _LOWER_BEFORE_VERB_RE, _LOWER_CUE_RE, _LOWER_QUOTED_RE, _NAME_PARTICLES
from ._types import Identifier


def lower_case_before_verb(det: Any, text: str) -> list[Identifier]:
    """Names in lower case before a verb of a person ("abdelhakim m'a montré")."""
    out = []
    for m in _LOWER_BEFORE_VERB_RE.finditer(text):
        words = list(re.finditer(r"\S+", m.group("name")))
        keep = []
        for w in reversed(words):
            word = w.group(0)
            if word in det.lexicon or len(word) < 3 or word in _NAME_PARTICLES:
                break
            keep.insert(0, w)
        if keep:
            s0, e0 = m.start("name") + keep[0].start(), m.start("name") + keep[-1].end()
            out.append(Identifier(s0, e0, "person", text[s0:e0], "capitalised"))
    return out


def lower_case_after_cue(det: Any, text: str) -> list[Identifier]:
    """Names typed in lower case after "je m'appelle", "madame"...: the unknown words."""
    out = []
    for m in _LOWER_CUE_RE.finditer(text):
        words = list(re.finditer(r"\S+", m.group("name")))
        keep = []
        for i, w in enumerate(words):
            word = w.group(0)
            nxt = words[i + 1].group(0) if i + 1 < len(words) else ""
            if word in _NAME_PARTICLES and (keep or len(nxt) > 2 and nxt not in det.lexicon):
                keep.append(w)  # "m. dos figueiredo": a particle opens the surname
                continue
            if word in det.lexicon or len(word) < 3:
                break
            keep.append(w)
        while keep and keep[-1].group(0) in _NAME_PARTICLES:
            keep.pop()
        if keep:
            s0, e0 = m.start("name") + keep[0].start(), m.start("name") + keep[-1].end()
            out.append(Identifier(s0, e0, "person", text[s0:e0], "trigger"))
    return out



def lower_case_quoted(det: Any, text: str) -> list[Identifier]:
    """Two or three lower-case words between quotation marks, none of them a word any list
    knows ("« anthime pradelou »"): a name as a mail or a phone shows it."""
    out = []
    for m in _LOWER_QUOTED_RE.finditer(text):
        words = [w for w in m.group("name").split() if w not in _NAME_PARTICLES]
        if len(words) >= 2 and not any(w in det.lexicon or len(w) < 3 for w in words):
            out.append(Identifier(m.start("name"), m.end("name"), "person", m.group("name"),
                                  "capitalised"))
    return out


def lower_case_recognised(det: Any, text: str, ents: Any) -> list[Identifier]:
    """Lower-case words the toolkit's person recogniser read as a person ("cousin hamidoulaye",
    "texto à ramatouba-djénakoura"): the runs of words no common word list knows, four
    letters or more; a known word ("caf", "assistante") ends a run."""
    out = []
    for ent in ents:  # offsets only: entities replayed from another process carry no text
        span = text[ent.start_char:ent.end_char]
        if ent.label_ not in {"PER", "PERSON"} or not span.islower():
            continue
        run: list[tuple[int, int]] = []
        for m in [*re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", span), None]:
            word = m.group(0) if m else ""
            if m and len(word) >= 4 and not any(det.lexicon.near(p) for p in word.split("-")):
                run.append((ent.start_char + m.start(), ent.start_char + m.end()))
                continue
            if run:
                s0, e0 = run[0][0], run[-1][1]
                out.append(Identifier(s0, e0, "person", text[s0:e0], "ner"))
                run = []
    return out


# a short quotation typed in lower case: a phone's contact, a message, a pseudonym
_SHORT_QUOTE_RE = re.compile(r"«[ \t\u00a0\u202f]*([^«»\n]{1,60}?)[ \t\u00a0\u202f]*»|[\"“]([^\"“”\n]{1,60})[\"”]|"
                             r"(?<![\w])'([^'\n]{1,40})'(?![\w])")


# what a phone, a messaging app or a mail shows: where a quoted lower-case word is a name
_CONTACT_CUE_RE = re.compile(
    r"(?i:t[ée]l[ée]phone|portable|r[ée]pertoire|contacts?\b|enregistr|not[ée]e?s?\b|"
    r"message|texto|sms\b|whatsapp|snapchat|messenger|viber|telegram|instagram|facebook|"
    r"sign[ée]|mail\b|pseudo|surnom|saved|number|phone|texted|text message)")


def lower_case_contacts(det: Any, text: str) -> list[Identifier]:
    """In a short quotation typed in lower case (« kandjoura plombier », 'akosuwa caf',
    « blathnaid »), in an answer that speaks of a phone, a message or a mail, the words of five
    letters or more that no common word is one letter away from: a name as a phone's contacts
    or a message show it. Elsewhere a quoted word is mostly a word set apart ("bobologie")."""
    if not _CONTACT_CUE_RE.search(text):
        return []
    out = []
    for m in _SHORT_QUOTE_RE.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i) is not None)
        quote = m.group(g)
        if quote != quote.lower() or len(quote.split()) > 6:
            continue
        for w in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", quote):
            word = w.group(0)
            if len(word) >= 5 and not any(det.lexicon.near(p) for p in word.split("-")):
                s0 = m.start(g) + w.start()
                out.append(Identifier(s0, s0 + len(word), "person", word, "capitalised"))
    return out
