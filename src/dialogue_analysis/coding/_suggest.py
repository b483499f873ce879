"""Codebook suggestions from the analyst's review: what the patterns miss and what they over-fire.

Two kinds of candidates, per code, for the analyst to weigh (never written into the codebook):

- ``pattern``: words and two-word phrases (lemmas of the pseudonymised answers, stop words left
  out) over-represented in the answers the analyst gave the code and the codebook missed,
  against the reviewed answers without the code;
- ``exclusion``: the texts the code's patterns matched, over-represented in the answers where
  the analyst removed the code, against those where they confirmed it.

Both are scored by the hypergeometric test value (:func:`core.stats.hypergeom_test_value`, the
one of the vocabulary of groups): above about 2, unlikely to be chance on this sample.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import storage
from ..core.stats import hypergeom_test_value
from ..core.text import fold
from ._decisions import latest_submissions

PATTERN, EXCLUSION = "pattern", "exclusion"
# in_target of target answers (missed / removed) hold the words, in_others of others (reviewed
# without the code / confirmed).
SUGGESTION_COLUMNS = ["kind", "code", "words", "in_target", "target", "in_others", "others",
                      "score"]


def suggestions_path(config_path: str | os.PathLike, wave: str) -> Path:
    """``<folder of the survey config>/review/<wave>.suggestions.csv``, beside the decisions."""
    return Path(config_path).resolve().parent / "review" / f"{wave}.suggestions.csv"


def codebook_suggestions(decisions: pd.DataFrame, terms: pd.DataFrame, matches: pd.DataFrame,
                         *, min_count: int = 2, top: int = 10) -> pd.DataFrame:
    """Candidate patterns and exclusions per code (columns :data:`SUGGESTION_COLUMNS`).

    Parameters
    ----------
    decisions : DataFrame
        The review decisions (:func:`read_decisions`); the latest submission on each answer counts.
    terms : DataFrame
        ``record_id``, ``question_id``, ``terms``: the analysis terms (space-separated lemmas)
        of the reviewed answers' pseudonymised text.
    matches : DataFrame
        The codebook's matches on the reviewed answers: ``record_id``, ``question_id``,
        ``code``, ``matched`` (the text the pattern matched).
    min_count : int
        A candidate must appear in at least this many target answers, and in more of them than
        of the others.
    top : int
        Candidates kept per code and kind, best score first.
    """
    d = latest_submissions(decisions)
    if d.empty:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    reviewed = list(dict.fromkeys(zip(d["record_id"], d["question_id"], strict=True)))
    words = _answer_words(terms, set(reviewed))
    analyst = {k: set() for k in reviewed}
    for r, q, c, dec in zip(d["record_id"], d["question_id"], d["code"], d["decision"],
                            strict=True):
        if dec in ("confirm", "add"):
            analyst[(r, q)].add(c)
    rows = []
    for code in sorted(set(d.loc[d["decision"] == "add", "code"])):
        missed = _keys(d[(d["decision"] == "add") & (d["code"] == code)])
        without = [k for k in reviewed if code not in analyst[k]]
        rows += _over_represented(PATTERN, code, {k: words.get(k, set()) for k in missed},
                                  {k: words.get(k, set()) for k in without}, min_count)
    fired = _matched_words(matches)
    for code in sorted(set(d.loc[d["decision"] == "remove", "code"])):
        on = d[d["code"] == code]
        removed = _keys(on[on["decision"] == "remove"])
        confirmed = _keys(on[on["decision"] == "confirm"])
        rows += _over_represented(EXCLUSION, code,
                                  {k: fired.get((*k, code), set()) for k in removed},
                                  {k: fired.get((*k, code), set()) for k in confirmed},
                                  min_count)
    out = pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
    if out.empty:
        return out
    out = out.sort_values(["kind", "code", "score", "in_target", "words"],
                          ascending=[False, True, False, False, True], kind="stable")
    return out.groupby(["kind", "code"], sort=False).head(top).reset_index(drop=True)


def write_suggestions(path: str | os.PathLike, suggestions: pd.DataFrame) -> Path:
    """Write the suggestions CSV atomically."""
    buf = io.StringIO()
    suggestions.loc[:, SUGGESTION_COLUMNS].to_csv(buf, index=False, lineterminator="\n")
    return storage.write_text(path, buf.getvalue())


def _keys(rows: pd.DataFrame) -> list[tuple]:
    return list(dict.fromkeys(zip(rows["record_id"], rows["question_id"], strict=True)))


def _answer_words(terms: pd.DataFrame, keep: set) -> dict[tuple, set]:
    """Each answer's terms and pairs of neighbouring terms (placeholders left out)."""
    out = {}
    for r, q, t in zip(terms["record_id"].astype(str), terms["question_id"].astype(str),
                       terms["terms"].fillna(""), strict=True):
        if (r, q) not in keep:
            continue
        # A placeholder of the pseudonymisation ([PERSONNE_1]) is no word of the answer.
        seq = [w for w in str(t).split() if not any(ch.isdigit() for ch in w)]
        out[(r, q)] = set(seq) | {f"{a} {b}" for a, b in zip(seq, seq[1:], strict=False)}
    return out


def _matched_words(matches: pd.DataFrame) -> dict[tuple, set]:
    """(record_id, question_id, code) -> the texts the code's patterns matched (folded)."""
    out: dict[tuple, set] = {}
    for r, q, c, m in zip(matches["record_id"].astype(str), matches["question_id"].astype(str),
                          matches["code"], matches["matched"], strict=True):
        text = " ".join(fold(str(m)).split())
        if text:
            out.setdefault((r, q, c), set()).add(text)
    return out


def _over_represented(kind: str, code: str, target: dict, others: dict, min_count: int
                      ) -> list[dict]:
    """Words of the ``target`` answers more frequent there than in ``others`` (answer counts)."""
    if not target:
        return []
    in_target = pd.Series([w for ws in target.values() for w in ws], dtype=object).value_counts()
    in_target = in_target[in_target >= min_count]
    if in_target.empty:
        return []
    in_others = pd.Series([w for ws in others.values() for w in ws], dtype=object).value_counts()
    k = in_target.to_numpy()
    o = in_others.reindex(in_target.index, fill_value=0).to_numpy()
    n, m = len(target), len(others)
    score, _ = hypergeom_test_value(k, n, k + o, n + m)
    keep = (k / n > o / max(m, 1)) & (k > o if kind == EXCLUSION else True)
    return [{"kind": kind, "code": code, "words": w, "in_target": int(a), "target": n,
             "in_others": int(b), "others": m, "score": round(float(s), 2)}
            for w, a, b, s, ok in zip(in_target.index, k, o, np.atleast_1d(score), keep,
                                      strict=True) if ok]
