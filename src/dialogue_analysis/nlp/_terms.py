"""Analysis of the parses: stop words, negation, multi-word terms, sentences and noun phrases."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.text import loose, norm_apostrophe
from ._negation_fr import _negation

# Pseudonymisation placeholders ("[PERSONNE_1]" is tokenised "[", "PERSONNE_1", "]"): not words.
_PLACEHOLDER = re.compile(r"^\[?[A-Z]{2,}_\d+\b")


def _is_word(s: str) -> bool:
    return any(c.isalpha() for c in s) and not _PLACEHOLDER.match(s)


@dataclass
class _Resources:
    stopwords: frozenset[str]
    # first loose form -> [(loose forms of each position, term), ...], longest first
    mwe_index: dict[str, list[tuple[tuple[frozenset[str], ...], str]]]


def _mwe_term_name(term: str) -> str:
    return re.sub(r"\s+", "_", norm_apostrophe(term.strip().lower()))


def _build_mwe_index(terms: list[str], parsed: dict[str, list[tuple[str, str]]]):
    """Index the multi-word terms by their first token (surface form and lemma, loose)."""
    index: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = {}
    for term in terms:
        toks = parsed.get(term) or []
        if len(toks) < 2:
            continue
        forms = tuple(frozenset({loose(w), loose(lem)}) for w, lem in toks)
        name = _mwe_term_name(term)
        for first in forms[0]:
            index.setdefault(first, []).append((forms, name))
    for cands in index.values():
        cands.sort(key=lambda c: -len(c[0]))
    return index

def _match_mwe(k: int, m: int, lower_l: list[str], lemma_l: list[str], index) -> tuple | None:
    """Longest multi-word term starting at position ``k`` of a text (loose forms), or None."""
    cands = index.get(lower_l[k], [])
    if lemma_l[k] != lower_l[k]:
        cands = cands + index.get(lemma_l[k], [])
    hit = None
    for forms, name in cands:
        n = len(forms)
        if k + n > m or (hit is not None and n <= hit[0]):
            continue
        if all(lower_l[k + q] in forms[q] or lemma_l[k + q] in forms[q] for q in range(n)):
            hit = (n, name)
    return hit


def _analyse(tok: dict[str, list], texts: list[str], n_u: int, res: _Resources) -> dict[str, list]:
    """Stop words, negation, terms, sentences and noun phrases of each distinct text.

    ``tok`` holds the cached parse columns, rows sorted by (doc, i). Returns the per-token
    columns (``text``, ``lemma``, ``stop``, ``negated``, ``term``, ``sent``) and, per distinct
    text, ``u_terms``, ``u_words``, ``u_sents`` [(sent, start, end)] and ``u_nps``
    [(sent, start, end, text, lemma)].
    """
    doc = tok["doc"]
    starts, ends, lemmas_raw, pos = tok["start"], tok["end"], tok["lemma"], tok["pos"]
    sent_start, chunk = tok["sent_start"], tok["chunk"]
    stops = res.stopwords
    index = res.mwe_index
    n = len(starts)
    out_text = [""] * n
    out_lemma = [""] * n
    out_stop = [False] * n
    out_neg = [False] * n
    out_term = [""] * n
    out_sent = [0] * n
    u_terms = [""] * n_u
    u_words = [0] * n_u
    u_sents: list[list[tuple]] = [[] for _ in range(n_u)]
    u_nps: list[list[tuple]] = [[] for _ in range(n_u)]

    lemma_memo: dict[str, str] = {}
    form_memo: dict[str, tuple[str, bool, bool]] = {}  # text -> (lower, is_word, is_punct)
    a = 0
    while a < n:
        u = doc[a]
        b = a
        while b < n and doc[b] == u:
            b += 1
        text = texts[u]
        lower: list[str] = []
        punct: list[bool] = []
        words = 0
        s = -1
        for j in range(a, b):
            t = text[starts[j] : ends[j]]
            out_text[j] = t
            f = form_memo.get(t)
            if f is None:
                w = _is_word(t)
                f = form_memo[t] = (norm_apostrophe(t.lower()), w, not w and not t.isalnum())
            lw, w, pu = f
            lower.append(lw)
            punct.append(pu)
            lm = lemmas_raw[j]
            lem = lemma_memo.get(lm)
            if lem is None:
                lem = lemma_memo[lm] = norm_apostrophe(lm.lower()) if lm else ""
            lem = lem or lw
            out_lemma[j] = lem
            out_stop[j] = lw in stops or lem in stops
            words += w
            if sent_start[j] or s < 0:
                s += 1
            out_sent[j] = s
        u_words[u] = words
        neg = _negation(lower, pos[a:b], out_sent[a:b], punct)
        out_neg[a:b] = neg

        # terms: multi-word terms first, then single lemmas
        m = b - a
        lower_l = [loose(w) for w in lower] if index else lower
        lemma_l = [loose(out_lemma[j]) for j in range(a, b)] if index else lower
        terms = []
        k = 0
        while k < m:
            j = a + k
            hit = _match_mwe(k, m, lower_l, lemma_l, index) if index else None
            if hit is not None:
                L, name = hit
                term = ("non_" + name) if any(neg[k : k + L]) else name
                out_term[j] = term
                terms.append(term)
                k += L
                continue
            if form_memo[out_text[j]][1] and not out_stop[j]:
                term = out_lemma[j]
                if " " in term:
                    term = "_".join(term.split())
                term = ("non_" + term) if neg[k] else term
                out_term[j] = term
                terms.append(term)
            k += 1
        u_terms[u] = " ".join(terms)

        # sentences and noun phrases
        sents = u_sents[u]
        for j in range(a, b):
            if j == a or out_sent[j] != out_sent[j - 1]:
                sents.append([out_sent[j], starts[j], ends[j]])
            else:
                sents[-1][2] = ends[j]
        nps = u_nps[u]
        j = a
        while j < b:
            c = chunk[j]
            if c < 0:
                j += 1
                continue
            e = j
            while e < b and chunk[e] == c:
                e += 1
            lem = " ".join(
                out_lemma[q] for q in range(j, e) if not out_stop[q] and form_memo[out_text[q]][1]
            )
            nps.append((out_sent[j], starts[j], ends[e - 1], text[starts[j] : ends[e - 1]], lem))
            j = e
        a = b
    return {
        "text": out_text,
        "lemma": out_lemma,
        "stop": out_stop,
        "negated": out_neg,
        "term": out_term,
        "sent": out_sent,
        "u_terms": u_terms,
        "u_words": u_words,
        "u_sents": u_sents,
        "u_nps": u_nps,
    }

