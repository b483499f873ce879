"""Negation in French answers, written or spoken (with or without "ne")."""

from __future__ import annotations

from ._negation_words_fr import (
    _CLAUSE_BREAK,
    _CLITICS,
    _DETERMINERS,
    _NE,
    _NEG_ALWAYS,
    _NEG_WITH_NE,
)

_VERB_POS = frozenset({"VERB", "AUX"})


def _verb_before(clause: list[int], k: int, lower: list[str], pos: list[str]) -> bool:
    """Is the word before the negation at ``clause[k]`` a verb (tagger or clitic before it)?"""
    before = lower[clause[k - 2]] if k > 1 else ""
    if before in _DETERMINERS:
        # "je le comprends pas" (object clitic) but "un forfait pas cher" (determiner)
        return before in ("le", "la", "les", "l'") and k > 2 and lower[clause[k - 3]] in _CLITICS
    return pos[clause[k - 1]] in _VERB_POS or before in _CLITICS


def _negation(lower: list[str], pos: list[str], sent: list[int], punct: list[bool]) -> list[bool]:
    """Negated flag of each token of one text (the rules are in docs/nlp.md)."""
    n = len(lower)
    neg = [False] * n
    # split into clauses: sentence starts, punctuation and clause-opening words close a clause
    clauses: list[list[int]] = []
    cur: list[int] = []
    for j in range(n):
        if j and sent[j] != sent[j - 1]:
            if cur:
                clauses.append(cur)
            cur = []
        if punct[j] or lower[j] in _CLAUSE_BREAK:
            if cur:
                clauses.append(cur)
            cur = []
            continue
        cur.append(j)
    if cur:
        clauses.append(cur)
    for clause in clauses:
        ne_at = None
        for k, j in enumerate(clause):
            w = lower[j]
            if w in _NE:
                if ne_at is None:
                    ne_at = k
                continue
            trigger = w in _NEG_ALWAYS or (w in _NEG_WITH_NE and ne_at is not None)
            if not trigger:
                continue
            nxt = lower[clause[k + 1]] if k + 1 < len(clause) else ""
            prv = lower[clause[k - 1]] if k > 0 else ""
            if w == "pas" and (nxt in ("mal", "à") or prv in ("pourquoi", "ou")):
                continue  # "pas mal", "pas à pas", "pourquoi pas", "ou pas"
            if ne_at is not None:
                first = ne_at + 1
            elif k > 0 and _verb_before(clause, k, lower, pos):
                first = k - 1  # spoken "je comprends pas"
            else:
                first = k + 1
            for m in range(first, len(clause)):
                jj = clause[m]
                if lower[jj] not in _NE and m != k:
                    neg[jj] = True
            break
    return neg

