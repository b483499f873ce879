"""Matching a codebook in parsed answers: the coded passages with their evidence sentence, and the
record x code matrix."""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.text import fold, loose
from ..nlp import ParsedAnswers, parse_answers
from ._codebook import _GAP, _GAP_MAX, KEY, Codebook, load_codebook

# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------

# answers matched together, their tokens held as Python objects (about 1 KB per token)
CHUNK_ANSWERS = 5000

# kinds of phrase patterns
_POS, _NEG, _EXC, _REQ = 0, 1, 2, 3


class _Matcher:
    """The codebook compiled: word tests memoised per token form, phrases indexed by first word."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.codes = list(codebook.codes)
        self.words: dict[str, int] = {}  # word pattern -> id
        self.exact: dict[str, list[int]] = {}  # loose form -> word ids
        self.prefixes: dict[str, list[tuple[str, int]]] = {}  # 2 first letters -> (prefix, id)
        # first word id -> [(code index, kind, word ids (None = gap))]
        self.first: dict[int, list[tuple[int, int, tuple]]] = {}
        self.regexes: list[tuple[int, int, re.Pattern]] = []
        for ci, code in enumerate(self.codes):
            for kind, ps in ((_POS, code.patterns), (_NEG, code.negated),
                             (_EXC, code.exclude), (_REQ, code.require)):
                for phrase in ps.phrases:
                    ids = tuple(None if w == _GAP else self._word_id(w) for w in phrase)
                    self.first.setdefault(ids[0], []).append((ci, kind, ids))
                for rx in ps.regex:
                    self.regexes.append((ci, kind, rx))
        self._memo: dict[tuple[str, str], frozenset[int]] = {}

    def _word_id(self, word: str) -> int:
        if word not in self.words:
            wid = self.words[word] = len(self.words)
            if word.endswith("*"):
                p = fold(word[:-1])
                self.prefixes.setdefault(p[:2], []).append((p, wid))
            else:
                self.exact.setdefault(loose(word), []).append(wid)
                if len(word) == 2 and word[1] in "'’":
                    # "d'" also matches a "d" typed without its apostrophe ("recherche d emploi")
                    self.exact.setdefault(word[0].lower(), []).append(wid)
        return self.words[word]

    def token_ids(self, lower: str, lemma: str) -> frozenset[int]:
        key = (lower, lemma)
        hit = self._memo.get(key)
        if hit is None:
            ids = set(self.exact.get(loose(lower), ()))
            ids.update(self.exact.get(loose(lemma), ()))
            if self.prefixes:
                for form in {fold(lower), fold(lemma)}:
                    for p, w in self.prefixes.get(form[:2], ()):
                        if form.startswith(p):
                            ids.add(w)
            hit = self._memo[key] = frozenset(ids)
        return hit

    def match_phrase(self, ids: tuple, k: int, tok_ids: list, end: int) -> int | None:
        """End position (exclusive) of ``ids`` matched from token ``k``, or None."""

        def rec(q: int, j: int) -> int | None:
            if q == len(ids):
                return j
            if ids[q] is None:  # gap: skip 0..3 tokens, then the next word
                for skip in range(_GAP_MAX + 1):
                    if j + skip < end and ids[q + 1] in tok_ids[j + skip]:
                        r = rec(q + 2, j + skip + 1)
                        if r is not None:
                            return r
                return None
            if j < end and ids[q] in tok_ids[j]:
                return rec(q + 1, j + 1)
            return None

        return rec(1, k + 1)


#: The codebook compiled for :func:`code_block` (compiled once for a wave coded in blocks: its
#: memo of token forms serves every block).
CodeMatcher = _Matcher


def _code_text(matcher: _Matcher, text: str, question: str, tok: dict, a: int, b: int,
               sents: list[tuple]):
    """Passages of one answer: [(code index, sentence number, start, end)]."""
    if b > a:
        tok_ids = [matcher.token_ids(tok["lower"][j], tok["lemma"][j]) for j in range(a, b)]
    else:
        tok_ids = []
    sent_of = tok["sent"]
    negated = tok["negated"]
    content = tok["content"]
    # per (code, sentence): first positive match; vetoes; requirements
    found: dict[tuple[int, int], tuple[int, int]] = {}
    vetoed: set[tuple[int, int]] = set()
    required: set[tuple[int, int]] = set()

    def span_tokens(j0: int, j1: int) -> list[int]:
        return [j for j in range(j0, j1) if content[j]] or list(range(j0, j1))

    def negated_span(j0: int, j1: int, kind: int) -> bool:
        """Negated match: all its words negated; for `negated` patterns, any of them."""
        rng = span_tokens(j0, j1)
        if kind == _NEG:
            return any(negated[j] for j in rng)
        return bool(rng) and all(negated[j] for j in rng)

    def add(ci: int, kind: int, s: int, start: int, end: int, is_negated: bool) -> None:
        code = matcher.codes[ci]
        if kind == _EXC:
            vetoed.add((ci, s))
        elif kind == _REQ:
            required.add((ci, s))
        elif kind == _NEG:
            if is_negated:
                _keep_first(found, (ci, s), (start, end))
        elif not (is_negated and code.negation == "drop"):
            _keep_first(found, (ci, s), (start, end))

    m = b - a
    # end (exclusive, relative) of each token's sentence: phrases stay inside their sentence
    sent_end = [m] * m
    for k in range(m - 2, -1, -1):
        sent_end[k] = sent_end[k + 1] if sent_of[a + k] == sent_of[a + k + 1] else k + 1
    first = matcher.first
    for k in range(m):
        for wid in tok_ids[k]:
            for ci, kind, ids in first.get(wid, ()):
                j = a + k
                s = sent_of[j]
                e = k + 1 if len(ids) == 1 else matcher.match_phrase(ids, k, tok_ids, sent_end[k])
                if e is None:
                    continue
                neg = negated_span(j, a + e, kind)
                add(ci, kind, s, tok["start"][j], tok["end"][a + e - 1], neg)
    if matcher.regexes and text:
        starts = [st for _, st, _ in sents]
        tstarts = tok["start"][a:b]
        for ci, kind, rx in matcher.regexes:
            for mt in rx.finditer(text):
                if mt.end() == mt.start():
                    continue
                si = max(bisect.bisect_right(starts, mt.start()) - 1, 0)
                s = sents[si][0] if sents else 0
                j0 = a + max(bisect.bisect_right(tstarts, mt.start()) - 1, 0)
                j1 = a + bisect.bisect_left(tstarts, mt.end())
                neg = b > a and j1 > j0 and negated_span(j0, j1, kind)
                add(ci, kind, s, mt.start(), mt.end(), neg)
    out = []
    for (ci, s), (start, end) in found.items():
        if (ci, s) in vetoed:
            continue
        req = matcher.codes[ci].require
        if req and (ci, s) not in required and question not in req.questions:
            continue
        out.append((ci, s, start, end))
    out.sort(key=lambda r: (r[0], r[1]))
    return out


def _keep_first(found: dict, key: tuple, span: tuple[int, int]) -> None:
    if key not in found or span[0] < found[key][0]:
        found[key] = span


# --------------------------------------------------------------------------------------------
# Coding
# --------------------------------------------------------------------------------------------

@dataclass
class Coding:
    """Result of :func:`code_answers`.

    Attributes
    ----------
    passages : DataFrame
        ``record_id``, ``question_id``, ``code``, ``family``, ``start``, ``end`` (span of the
        first match in the sentence), ``evidence`` (the sentence). One row per code and sentence.
    code_matrix : DataFrame
        Index ``record_id`` (every record of ``records`` when given), one 0/1 int column per
        code in codebook order.
    answer_matrix : DataFrame
        The same per answer (0/1 in ``int8``): index (``record_id``, ``question_id``), every
        answer.
    codebook : Codebook
    """

    passages: pd.DataFrame
    code_matrix: pd.DataFrame
    answer_matrix: pd.DataFrame
    codebook: Codebook
    parsed: ParsedAnswers | None = field(default=None, repr=False)

    def frequencies(self, language: str = "fr") -> pd.DataFrame:
        """Per code: ``code``, ``family``, ``label``, ``passages``, ``answers``, ``records`` and
        ``share`` (share of records coded), in codebook order."""
        cm, am = self.code_matrix, self.answer_matrix
        n_pass = self.passages["code"].value_counts()
        return pd.DataFrame(
            {
                "code": self.codebook.code_ids,
                "family": [c.family for c in self.codebook.codes],
                "label": [c.label(language) for c in self.codebook.codes],
                "passages": [int(n_pass.get(c, 0)) for c in self.codebook.code_ids],
                "answers": am.sum(axis=0).to_numpy(dtype=np.int64),
                "records": cm.sum(axis=0).to_numpy(dtype=np.int64),
                "share": cm.mean(axis=0).to_numpy(dtype=float) if len(cm) else np.nan,
            }
        )


def code_answers(
    parsed_or_answers,
    codebook: Codebook | str | os.PathLike,
    *,
    records: pd.DataFrame | None = None,
    chunk_answers: int = CHUNK_ANSWERS,
    **parse_kw,
) -> Coding:
    """Code every answer with the codebook.

    Parameters
    ----------
    parsed_or_answers : ParsedAnswers, DataFrame, or an object with ``answers`` (and
        ``records``) attributes
        The NLP stage's output, or the answers table (``record_id``, ``question_id``, ``text``),
        which is then parsed with ``parse_answers(answers, **parse_kw)``.
    codebook : Codebook or path
        A codebook, or the path of its YAML file.
    records : DataFrame, optional
        The records table: ``code_matrix`` then has one row per record, in this order, records
        without any answer included (all 0).
    chunk_answers : int
        Answers matched together (their tokens held in memory as Python objects at once); the
        result does not depend on it.

    Returns
    -------
    Coding
    """
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    obj = parsed_or_answers
    if not isinstance(obj, (ParsedAnswers, pd.DataFrame)) and hasattr(obj, "answers"):
        if records is None:
            records = getattr(obj, "records", None)
        obj = obj.answers
    parsed = obj if isinstance(obj, ParsedAnswers) else parse_answers(obj, **parse_kw)

    passages, hits = code_block(parsed, _Matcher(codebook), chunk_answers)
    return coding_from(hits, parsed.answers, passages, codebook, records=records, parsed=parsed)


def code_block(parsed: ParsedAnswers, matcher: _Matcher,
               chunk_answers: int = CHUNK_ANSWERS) -> tuple[pd.DataFrame, np.ndarray]:
    """The passages of ``parsed``'s answers and their answer x code 0/1 matrix (rows in the
    answers' order): the coding of a block of answers, joined by :func:`coding_from`."""
    rows, hits = coded_rows(parsed, matcher, chunk_answers)
    return block_passages(rows), hits


def block_passages(rows: list[list[tuple]]) -> pd.DataFrame:
    """The passages table of :func:`coded_rows`'s rows, made as :func:`code_block` makes it
    (a part per chunk of answers, joined)."""
    parts = [_passages(r) for r in rows]
    return pd.concat(parts, ignore_index=True) if parts else _passages([])


def coded_rows(parsed: ParsedAnswers, matcher: _Matcher,
               chunk_answers: int = CHUNK_ANSWERS) -> tuple[list[list[tuple]], np.ndarray]:
    """:func:`code_block`'s passages as rows of plain values, a list per chunk of answers
    (what a process coding a block beside another sends back: :func:`block_passages` makes
    the same table of them there), and its answer x code matrix."""
    ans = parsed.answers
    toks = parsed.tokens
    tok_bounds = _runs(toks, ans)
    sent_bounds = _runs(parsed.sentences, ans)
    s_sent = parsed.sentences["sent"].tolist()
    s_start = parsed.sentences["start"].tolist()
    s_end = parsed.sentences["end"].tolist()

    texts = ans["text"].tolist()
    rids = ans["record_id"].tolist()
    qids = ans["question_id"].tolist()
    codes = matcher.codes
    # 0/1 in one byte each: answers x codes of the whole wave are held until the end
    hits = np.zeros((len(ans), len(codes)), dtype=np.int8)
    parts = []
    # The tokens are held as Python lists (what the matching reads fastest) a block of answers
    # at a time, not all at once: the memory this takes does not grow with the wave.
    for n0 in range(0, len(ans), chunk_answers):
        n1 = min(n0 + chunk_answers, len(ans))
        lo = min((a for a, b in tok_bounds[n0:n1] if b > a), default=0)
        hi = max((b for a, b in tok_bounds[n0:n1] if b > a), default=0)
        tok = _token_lists(toks.iloc[lo:hi])
        rows = []
        for n in range(n0, n1):
            a, b = tok_bounds[n]
            a, b = (a - lo, b - lo) if b > a else (0, 0)
            sa, sb = sent_bounds[n]
            sents = [(s_sent[i], s_start[i], s_end[i]) for i in range(sa, sb)]
            sent_span = {s: (st, en) for s, st, en in sents}
            text = texts[n]
            for ci, s, start, end in _code_text(matcher, text, qids[n], tok, a, b, sents):
                st, en = sent_span.get(s, (start, end))
                rows.append((rids[n], qids[n], codes[ci].id, codes[ci].family, start, end,
                             text[st:en]))
                hits[n, ci] = 1
        del tok
        parts.append(rows)
    return parts, hits


def coding_from(hits: np.ndarray, answers: pd.DataFrame, passages: pd.DataFrame,
                codebook: Codebook, *, records: pd.DataFrame | None = None,
                parsed=None) -> Coding:
    """The :class:`Coding` of ``answers`` (``record_id``, ``question_id``) from their answer x
    code matrix ``hits`` and their ``passages``, as :func:`code_block` makes them (joined in
    the answers' order when they were coded a block at a time)."""
    rids = answers["record_id"].astype(str).tolist()
    qids = answers["question_id"].astype(str).tolist()
    ids = codebook.code_ids
    answer_matrix = pd.DataFrame(
        hits, columns=ids, index=pd.MultiIndex.from_arrays(
            [pd.array(rids, dtype="str"), pd.array(qids, dtype="str")], names=KEY
        )
    )
    by_record = answer_matrix.groupby(level="record_id", sort=False).max()
    if records is not None:
        order = pd.Index(records["record_id"].astype(str).unique(), name="record_id")
        extra = by_record.index.difference(order, sort=False)
        order = order.append(extra)  # answers of records absent from `records` stay visible
    else:
        order = pd.Index(pd.unique(pd.array(rids, dtype="str")), name="record_id")
    # computed in bytes, widened once: int64 copies of the answer x code matrix would be what
    # the coding stage's memory grows with
    code_matrix = by_record.reindex(order, fill_value=0).astype(np.int64)
    code_matrix.index = pd.Index(code_matrix.index.astype("str"), name="record_id")
    code_matrix.columns = pd.Index(ids)
    return Coding(passages=passages, code_matrix=code_matrix, answer_matrix=answer_matrix,
                  codebook=codebook, parsed=parsed)


def _token_lists(toks: pd.DataFrame) -> dict[str, list]:
    """The token columns the matching reads, as lists (rows of ``toks`` from 0)."""
    return {
        "lower": [fold(t) for t in toks["text"].tolist()],
        "lemma": toks["lemma"].tolist(),
        "sent": toks["sent"].tolist(),
        "start": toks["start"].tolist(),
        "end": toks["end"].tolist(),
        "negated": toks["negated"].tolist(),
        "content": (~toks["stop"].to_numpy() & toks["text"].str.contains(r"[^\W\d_]").to_numpy())
        .tolist(),
    }


def _passages(rows: list[tuple]) -> pd.DataFrame:
    passages = pd.DataFrame(
        rows, columns=["record_id", "question_id", "code", "family", "start", "end", "evidence"]
    )
    for c in ("record_id", "question_id", "code", "family", "evidence"):
        passages[c] = passages[c].astype("str")
    for c in ("start", "end"):
        passages[c] = passages[c].astype(np.int64)
    return passages


def _runs(table: pd.DataFrame, ans: pd.DataFrame) -> list[tuple[int, int]]:
    """(first, last+1) row of each answer in ``table`` (rows grouped by answer, answers' order)."""
    n = len(table)
    bounds = [(0, 0)] * len(ans)
    if n == 0:
        return bounds
    # compared as integer codes: one Python string per row would weigh more than the table
    rid_code = pd.factorize(table["record_id"])[0]
    qid_code = pd.factorize(table["question_id"])[0]
    change = np.flatnonzero((rid_code[1:] != rid_code[:-1]) | (qid_code[1:] != qid_code[:-1])) + 1
    del rid_code, qid_code
    starts = [0, *change.tolist()]
    ends = [*change.tolist(), n]
    rid = table["record_id"].take(starts).tolist()
    qid = table["question_id"].take(starts).tolist()
    r = 0
    arid = ans["record_id"].tolist()
    aqid = ans["question_id"].tolist()
    for i in range(len(ans)):
        if r < len(starts) and rid[r] == arid[i] and qid[r] == aqid[i]:
            bounds[i] = (starts[r], ends[r])
            r += 1
    return bounds


