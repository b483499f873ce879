"""The review sample: a reproducible random sample of answers, stratified by question.

Random (not chosen by the codes) so that the agreement measured on it estimates the coding's
agreement on every answer, and so that a model trained on it sees answers as they come.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_TARGET = 100


def review_sample(answers: pd.DataFrame, target: int = DEFAULT_TARGET, seed: int = 0
                  ) -> pd.DataFrame:
    """``target`` non-empty answers drawn at random, in the order to review them.

    Each question gets a share of the sample proportional to its number of answers (largest
    remainders, at least one answer per question while the target allows); within a question the
    answers are shuffled with ``seed``. The same answers and seed give the same sample, and a
    larger target extends a smaller one's questions rather than drawing anew.

    Returns the rows of ``answers`` (``record_id``, ``question_id``, ``text``) with ``rank``
    (1 = first to review).
    """
    a = answers[answers["text"].fillna("").str.strip() != ""]
    a = a.assign(record_id=a["record_id"].astype(str), question_id=a["question_id"].astype(str))
    if a.empty or target <= 0:
        return a.iloc[:0].assign(rank=pd.Series(dtype="int64"))
    sizes = a.groupby("question_id", sort=True).size()
    quota = _allocate(sizes, min(target, len(a)))
    rng = np.random.default_rng(seed)
    picked = []
    for qid, n in quota.items():
        rows = a[a["question_id"] == qid].sort_values("record_id", kind="stable")
        order = rng.permutation(len(rows))
        picked.append(rows.iloc[order[:n]])
    sample = pd.concat(picked)
    # Interleave questions: the analyst sees every question early, not one block after another.
    sample = sample.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return sample.assign(rank=np.arange(1, len(sample) + 1))


def _allocate(sizes: pd.Series, total: int) -> pd.Series:
    """Proportional allocation of ``total`` over ``sizes`` by largest remainders."""
    exact = sizes / sizes.sum() * total
    quota = np.floor(exact).astype(int)
    floor_one = (quota == 0) & (sizes > 0)
    if floor_one.sum() <= total - quota.sum():
        quota[floor_one] = 1
    rest = total - int(quota.sum())
    if rest > 0:
        room = sizes - quota
        order = (exact - np.floor(exact)).where(room > 0, -1).sort_values(ascending=False,
                                                                          kind="stable")
        for q in order.index[:rest]:
            quota[q] += 1
    return quota.clip(upper=sizes)
