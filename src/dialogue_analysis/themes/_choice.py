"""How many themes: the number the answers support, chosen from the data.

For each number of themes ``k`` in a range scaled with the corpus (4 to at most 20), NMF is fitted
on the answers and on subsamples of them. A ``k`` the data supports gives the same themes
whichever answers are left out: its *stability* is the mean agreement (Jaccard index of the top
terms, themes matched one to one) between the themes of the whole and of each subsample (Greene,
O'Callaghan & Cunningham, 2014). The *coherence* of the themes (mean NPMI of their top terms'
co-occurrence in the answers) is shown beside it, with the share of the largest theme.

Among the ``k`` whose largest theme holds at most ``max_share`` of the answers, the most stable is
kept (the smaller ``k`` on a tie). When no ``k`` keeps every theme under that share, the most
stable ``k`` is kept all the same and the evidence says so (``within_share`` is false everywhere).

Subsamples are drawn by hashing each answer's key, so they hold the same answers whatever order
the answers come in; NMF starts from NNDSVD, which draws nothing at random.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF, non_negative_factorization
from sklearn.exceptions import ConvergenceWarning

from ..core import key_fraction

K_MIN, K_MAX = 4, 20
MAX_SHARE = 0.20  # the largest theme holds at most this share of the answers, if the data allow
N_TOP = 10  # top terms compared between fits and scored for coherence
MAX_ITER = 200  # coordinate-descent sweeps of each fit
TAIL_FLOOR = 0.1  # ... when they weigh at least this fraction of the theme's heaviest term
Fit = tuple[np.ndarray | None, np.ndarray]  # answer x theme weights (None: not kept), themes
EVIDENCE_COLUMNS = ["k", "stability", "coherence", "largest_share", "within_share", "chosen"]


def theme_range(n_docs: int, n_terms: int) -> tuple[int, int]:
    """Numbers of themes tried: 4 up to sqrt(answers / 4), at most 20, and fewer than the terms
    and the answers (a tiny corpus gets a single candidate)."""
    hi = min(K_MAX, max(K_MIN, int(math.sqrt(n_docs / 4))), n_terms - 1, n_docs - 1)
    hi = max(1, hi)
    return min(K_MIN, hi), hi


def fit_nmf(x: sparse.spmatrix, k: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Answer x theme weights ``w`` and theme x term weights ``h`` of an NNDSVD-started NMF."""
    model = NMF(n_components=k, init="nndsvd", random_state=random_state, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        # Not converged to 1e-4 within the sweeps allowed: the themes are settled long before.
        warnings.simplefilter("ignore", ConvergenceWarning)
        w = model.fit_transform(x)
    return w, model.components_


def project(x: sparse.spmatrix, h: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """Answer x theme weights of every answer on fixed themes ``h`` (non-negative least
    squares), a chunk of answers at a time so memory stays flat as the corpus grows."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for start in range(0, x.shape[0], chunk):
            w, _, _ = non_negative_factorization(
                x[start:start + chunk], H=h, n_components=h.shape[0], update_H=False,
                solver="cd", max_iter=MAX_ITER)
            out.append(w)
    return np.vstack(out) if out else np.zeros((0, h.shape[0]))


def dominant_themes(x: sparse.spmatrix, w: np.ndarray, h: np.ndarray) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """Each answer's theme (-1 when none of its terms weighs in any theme) and the share of its
    weight on that theme.

    An answer whose factorised weights are all zero (a rare term, one or two words) still goes
    to the theme its terms weigh most in: a small weight is a weak theme, not no theme.
    """
    totals = w.sum(axis=1)
    scores = np.asarray(w, dtype=float).copy()
    empty = totals <= 0
    if empty.any():
        scores[empty] = np.asarray(x[np.flatnonzero(empty)] @ h.T)
    sums = scores.sum(axis=1)
    dominant = np.where(sums > 0, scores.argmax(axis=1), -1)
    weight = np.divide(scores.max(axis=1), sums, out=np.zeros_like(sums), where=sums > 0)
    return dominant, weight


def top_terms(h: np.ndarray, n: int = N_TOP, floor: float = TAIL_FLOOR) -> list[np.ndarray]:
    """Indices of each theme's ``n`` heaviest terms (ties by index), leaving out the tail of
    terms weighing less than ``floor`` times the theme's heaviest (noise, not the theme)."""
    out = []
    for row in h:
        idx = np.lexsort((np.arange(len(row)), -row))[:n]
        out.append(idx[(row[idx] > 0) & (row[idx] >= floor * row.max())])
    return out


def agreement(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Mean Jaccard index of the top terms of two sets of themes, matched one to one."""
    sets_a, sets_b = [set(t.tolist()) for t in a], [set(t.tolist()) for t in b]
    sim = np.array([[len(s & t) / len(s | t) if s | t else 0.0 for t in sets_b] for s in sets_a])
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].sum() / max(len(sets_a), len(sets_b)))


def coherence(binary: sparse.csc_matrix, tops: list[np.ndarray]) -> float:
    """Mean NPMI of the pairs of each theme's top terms over the answers (-1 for pairs that
    never meet, 1 for pairs that always do)."""
    n_docs = binary.shape[0]
    scores = []
    for idx in tops:
        if len(idx) < 2:
            continue
        sub = binary[:, idx]
        co = np.asarray((sub.T @ sub).todense(), dtype=float) / n_docs
        p = np.diag(co)
        iu = np.triu_indices(len(idx), 1)
        joint, indep = co[iu], np.outer(p, p)[iu]
        with np.errstate(divide="ignore", invalid="ignore"):
            npmi = np.where(joint > 0, np.log(joint / indep) / -np.log(joint), -1.0)
        npmi = np.where(joint >= 1, 1.0, npmi)
        scores.append(float(npmi.mean()))
    return float(np.mean(scores)) if scores else float("nan")


def choose_n_themes(x: sparse.csr_matrix, keys: pd.DataFrame, *, k_range: tuple[int, int],
                    random_state: int = 0, n_subsamples: int = 3, fraction: float = 0.8,
                    max_share: float = MAX_SHARE, max_answers: int = 6_000,
                    ) -> tuple[int, pd.DataFrame, dict[int, Fit], int]:
    """The number of themes the answers support, the evidence for it, and the fits made.

    Parameters
    ----------
    x : sparse matrix
        Answers x terms (TF-IDF), rows in key order.
    keys : DataFrame
        ``record_id`` and ``question_id`` of each row of ``x``.
    k_range : (int, int)
        Smallest and largest number of themes tried.
    n_subsamples, fraction :
        Subsamples compared with the whole, each holding about ``fraction`` of the answers.
    max_share : float
        Largest share of the answers one theme may hold when some ``k`` allows it.
    max_answers : int
        Above this many answers the themes are found on a sample of about this many (drawn
        by key), which keeps the cost flat as the corpus grows; every answer is then projected
        on them.

    Returns
    -------
    k : int
    evidence : DataFrame
        One row per ``k`` tried: ``k``, ``stability``, ``coherence``, ``largest_share``,
        ``within_share`` (largest share at most ``max_share``), ``chosen``.
    fits : dict
        ``k -> (w, h)``: the themes ``h`` fitted on the answers the choice used, and their
        weights ``w`` when those were every answer (``None`` otherwise: the caller projects
        every answer on ``h``, so the shares it publishes are those the choice saw).
    n_used : int
        The answers the choice and the fits were made on.
    """
    lo, hi = k_range
    n = x.shape[0]
    whole = np.arange(n)
    if n > max_answers:
        whole = np.flatnonzero(key_fraction(keys, "sample") < max_answers / n)
    xs, ks = x[whole], keys.iloc[whole]
    binary = (xs > 0).astype(np.float64).tocsc()
    subsets = [np.flatnonzero(key_fraction(ks, f"subsample-{i}") < fraction)
               for i in range(n_subsamples)]
    rows, fits = [], {}
    for k in range(lo, hi + 1):
        w, h = fit_nmf(xs, k, random_state)
        fits[k] = (w if len(whole) == n else None, h)
        ref = top_terms(h)
        stab = [agreement(ref, top_terms(fit_nmf(xs[s], k, random_state)[1])) for s in subsets
                if len(s) > k]
        dominant, _ = dominant_themes(xs, w, h)
        counts = np.bincount(dominant[dominant >= 0], minlength=k)
        largest = counts.max() / len(dominant) if len(dominant) else 0.0
        rows.append({"k": k, "stability": float(np.mean(stab)) if stab else float("nan"),
                     "coherence": coherence(binary, ref), "largest_share": float(largest),
                     "within_share": bool(largest <= max_share)})
    evidence = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS[:-1])
    pool = evidence[evidence["within_share"]] if evidence["within_share"].any() else evidence
    best = pool.assign(_s=pool["stability"].fillna(-1.0)).sort_values(
        ["_s", "k"], ascending=[False, True], kind="stable").iloc[0]
    k = int(best["k"])
    evidence["chosen"] = evidence["k"] == k
    return k, evidence, fits, len(whole)
