"""Analysis of the parses: stop words, negation, multi-word terms, sentences and noun phrases."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

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


def _analyse(tok: dict, texts: list[str], n_u: int, res: _Resources) -> dict:
    """Stop words, negation, terms, sentences and noun phrases of each distinct text.

    ``tok`` holds the cached parse columns as numpy arrays, rows sorted by (doc, i), lemmas
    and tags as codes into ``lemma_values`` and ``pos_values``. Returns the per-token columns
    (``text``, ``lemma``, ``term``: lists of str; ``stop``, ``negated``, ``sent``: numpy
    arrays) and, per distinct text, ``u_terms``, ``u_words``, ``u_sents`` [(sent, start, end)]
    and ``u_nps`` [(sent, start, end, text, lemma)]. One text's tokens are handled as Python
    lists at a time; the columns of all the tokens stay arrays.
    """
    doc = tok["doc"]
    lemma_values, pos_values = tok["lemma_values"].tolist(), tok["pos_values"].tolist()
    stops = res.stopwords
    index = res.mwe_index
    n = len(doc)
    out_text: list[str] = [""] * n
    out_lemma: list[str] = [""] * n
    out_term: list[str] = [""] * n
    out_stop = np.zeros(n, dtype=bool)
    out_neg = np.zeros(n, dtype=bool)
    out_sent = np.zeros(n, dtype=np.int64)
    u_terms = [""] * n_u
    u_words = [0] * n_u
    u_sents: list[list[tuple]] = [[] for _ in range(n_u)]
    u_nps: list[list[tuple]] = [[] for _ in range(n_u)]

    # normalised lemma of each distinct raw lemma ("" when the model gave none)
    lemma_norm = [norm_apostrophe(lm.lower()) if lm else "" for lm in lemma_values]
    form_memo: dict[str, tuple[str, bool, bool]] = {}  # text -> (lower, is_word, is_punct)
    forms_seen: dict[str, str] = {}
    bounds = np.flatnonzero(np.diff(doc)) + 1 if n else np.zeros(0, dtype=np.int64)
    for a, b in zip([0, *bounds.tolist()], [*bounds.tolist(), n], strict=True):
        if a == b:
            continue
        u = int(doc[a])
        text = texts[u]
        starts, ends = tok["start"][a:b].tolist(), tok["end"][a:b].tolist()
        pos = [pos_values[c] for c in tok["pos"][a:b].tolist()]
        raw_lemmas = tok["lemma"][a:b].tolist()
        sent_start, chunk = tok["sent_start"][a:b].tolist(), tok["chunk"][a:b].tolist()
        m = b - a
        forms, lower, punct, lemmas, stop, sents = [], [], [], [], [], []
        words = 0
        s = -1
        for k in range(m):
            t = text[starts[k] : ends[k]]
            t = forms_seen.setdefault(t, t)  # one string per distinct form, not per token
            forms.append(t)
            f = form_memo.get(t)
            if f is None:
                w = _is_word(t)
                f = form_memo[t] = (norm_apostrophe(t.lower()), w, not w and not t.isalnum())
            lw, w, pu = f
            lower.append(lw)
            punct.append(pu)
            lem = lemma_norm[raw_lemmas[k]] or lw
            lemmas.append(lem)
            stop.append(lw in stops or lem in stops)
            words += w
            if sent_start[k] or s < 0:
                s += 1
            sents.append(s)
        u_words[u] = words
        neg = _negation(lower, pos, sents, punct)

        # terms: multi-word terms first, then single lemmas
        lower_l = [loose(w) for w in lower] if index else lower
        lemma_l = [loose(lem) for lem in lemmas] if index else lower
        terms = []
        term_at = [""] * m
        k = 0
        while k < m:
            hit = _match_mwe(k, m, lower_l, lemma_l, index) if index else None
            if hit is not None:
                L, name = hit
                term = ("non_" + name) if any(neg[k : k + L]) else name
                term_at[k] = term
                terms.append(term)
                k += L
                continue
            if form_memo[forms[k]][1] and not stop[k]:
                term = lemmas[k]
                if " " in term:
                    term = "_".join(term.split())
                term = ("non_" + term) if neg[k] else term
                term_at[k] = term
                terms.append(term)
            k += 1
        u_terms[u] = " ".join(terms)

        # sentences and noun phrases
        spans = u_sents[u]
        for k in range(m):
            if k == 0 or sents[k] != sents[k - 1]:
                spans.append([sents[k], starts[k], ends[k]])
            else:
                spans[-1][2] = ends[k]
        nps = u_nps[u]
        k = 0
        while k < m:
            c = chunk[k]
            if c < 0:
                k += 1
                continue
            e = k
            while e < m and chunk[e] == c:
                e += 1
            lem = " ".join(
                lemmas[q] for q in range(k, e) if not stop[q] and form_memo[forms[q]][1]
            )
            nps.append((sents[k], starts[k], ends[e - 1], text[starts[k] : ends[e - 1]], lem))
            k = e

        out_text[a:b] = forms
        out_lemma[a:b] = lemmas
        out_term[a:b] = term_at
        out_stop[a:b] = stop
        out_neg[a:b] = neg
        out_sent[a:b] = sents
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
