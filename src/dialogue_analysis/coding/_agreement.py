"""Agreement between two codings of the same answers: per code and overall (micro).

Precision, recall and F1 of ``predicted`` against ``reference`` (the analyst), Wilson intervals
on precision and recall, and Cohen's kappa, which corrects for the agreement expected by chance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.stats import wilson_interval

AGREEMENT_COLUMNS = ["comparison", "code", "n", "tp", "fp", "fn", "tn", "precision",
                     "precision_low", "precision_high", "recall", "recall_low", "recall_high",
                     "f1", "kappa"]
OVERALL = "(overall)"


def cohen_kappa(tp: int, fp: int, fn: int, tn: int) -> float:
    """Cohen's kappa of a 2x2 table (NaN when both codings are constant and equal)."""
    n = tp + fp + fn + tn
    if n == 0:
        return float("nan")
    observed = (tp + tn) / n
    expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2
    if expected == 1:
        return float("nan")
    return (observed - expected) / (1 - expected)


def _row(comparison: str, code: str, tp: int, fp: int, fn: int, tn: int) -> dict:
    p_low, p_high = wilson_interval(tp, tp + fp)
    r_low, r_high = wilson_interval(tp, tp + fn)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return {"comparison": comparison, "code": code, "n": tp + fp + fn + tn, "tp": tp, "fp": fp,
            "fn": fn, "tn": tn, "precision": precision, "precision_low": float(p_low),
            "precision_high": float(p_high), "recall": recall, "recall_low": float(r_low),
            "recall_high": float(r_high), "f1": f1, "kappa": cohen_kappa(tp, fp, fn, tn)}


def agreement_table(predicted: dict[tuple, set], reference: dict[tuple, set], codes: list[str],
                    comparison: str = "codebook / analyst") -> pd.DataFrame:
    """Per code and overall agreement on the answers of ``reference``.

    ``predicted`` and ``reference`` map an answer key to its set of codes; answers absent from
    ``predicted`` have no code. The overall row pools every (answer, code) pair.
    """
    keys = list(reference)
    rows, total = [], np.zeros(4, dtype=np.int64)
    for code in codes:
        pred = np.array([code in predicted.get(k, ()) for k in keys], dtype=bool)
        ref = np.array([code in reference[k] for k in keys], dtype=bool)
        cells = np.array([(pred & ref).sum(), (pred & ~ref).sum(), (~pred & ref).sum(),
                          (~pred & ~ref).sum()], dtype=np.int64)
        total += cells
        rows.append(_row(comparison, code, *map(int, cells)))
    rows.append(_row(comparison, OVERALL, *map(int, total)))
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def answer_codes(passages: pd.DataFrame, origins: tuple[str, ...] | None = None) -> dict:
    """(record_id, question_id) -> set of codes of ``passages`` (only ``origins`` when given)."""
    p = passages
    if origins is not None and "origin" in p:
        p = p[p["origin"].isin(origins)]
    out: dict[tuple, set] = {}
    for r, q, c in zip(p["record_id"].astype(str), p["question_id"].astype(str), p["code"], strict=False):
        out.setdefault((r, q), set()).add(c)
    return out


def reviewer_agreement(decisions: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """Agreement between each pair of reviewers on the answers both reviewed.

    Reviewers are numbered in the order of their names (``reviewer 1 / reviewer 2``): their
    names stay in the decisions file and never reach a published table."""
    from ._decisions import reviewed_codes

    reviewers = sorted(set(decisions["reviewer"]))
    by = {r: reviewed_codes(decisions, reviewer=r) for r in reviewers}
    tables = []
    for i, a in enumerate(reviewers):
        for b in reviewers[i + 1:]:
            common = sorted(set(by[a]) & set(by[b]))
            if common:
                tables.append(agreement_table(by[a], {k: by[b][k] for k in common}, codes,
                                              comparison=f"reviewer {i + 1} / reviewer "
                                                         f"{reviewers.index(b) + 1}"))
    if not tables:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    return pd.concat(tables, ignore_index=True)
