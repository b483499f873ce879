"""Test values and multiple-testing corrections shared by the characterisation stages.

The test value follows FactoMineR's ``catdes`` and IRaMuTeQ's specificities: the hypergeometric
probability of seeing at least (or at most) the observed count in a group drawn at random,
expressed as a standard normal quantile, positive when over-represented.
"""

from __future__ import annotations

import numpy as np


def _st():
    """scipy.stats, imported by the first test computed (it takes a while to import)."""
    from scipy import stats

    return stats


def hypergeom_test_value(k, group_size, category_size, total):
    """Hypergeometric test value and two-sided p-value of an observed count.

    Parameters
    ----------
    k : int or array-like
        Number of members of the group that have the category (or use the term).
    group_size : int or array-like
        Size of the group.
    category_size : int or array-like
        Number of members of the whole population that have the category.
    total : int or array-like
        Size of the whole population.

    Returns
    -------
    test_value : ndarray
        Signed normal quantile: ``> 1.96`` means over-represented at 5 %, ``< -1.96`` under.
    p_value : ndarray
        Two-sided p-value, ``2 * min(P[X >= k], P[X <= k])`` capped at 1.
    """
    k, n, m, big_n = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (k, group_size, category_size, total)))
    shape = k.shape
    # scipy computes each hypergeometric tail element by element, slowly; the same
    # (k, n, m, N) recurs many times in a table of groups x terms (rare terms), so each
    # distinct one is computed once: the same values, a fraction of the time.
    cells = np.stack([a.ravel() for a in (k, n, m, big_n)], axis=1)
    cells, back = np.unique(cells, axis=0, return_inverse=True) if len(cells) else (cells, None)
    k, n, m, big_n = cells.T
    p_upper = _st().hypergeom.sf(k - 1, big_n, m, n)  # P[X >= k]
    p_lower = _st().hypergeom.cdf(k, big_n, m, n)  # P[X <= k]
    p = np.minimum(1.0, 2.0 * np.minimum(p_upper, p_lower))
    expected = n * m / np.where(big_n > 0, big_n, 1)
    sign = np.sign(k - expected)
    # isf(p/2) is the |z| of a two-sided p; clip so that p == 0 stays finite.
    z = _st().norm.isf(np.clip(p, 1e-300, 1.0) / 2.0)
    tv = sign * z
    if back is not None:
        tv, p = tv[back.ravel()], p[back.ravel()]
    # [()]: a number for numbers given, an array of their shape for arrays
    return tv.reshape(shape)[()], p.reshape(shape)[()]


def holm(p_values):
    """Holm-Bonferroni adjusted p-values (same order as given)."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    order = np.argsort(p, kind="stable")
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty_like(p)
    out[order] = np.minimum(1.0, adjusted)
    return out


def benjamini_hochberg(p_values):
    """Benjamini-Hochberg false-discovery-rate adjusted p-values (same order as given)."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    m = p.size
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(p)
    out[order] = np.minimum(1.0, adjusted)
    return out


def wilson_interval(successes, n, confidence=0.95):
    """Wilson score interval of a proportion; returns (low, high) arrays."""
    s, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = _st().norm.isf((1 - confidence) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return centre - half, centre + half


def mean_test_value(group_mean, overall_mean, overall_var, group_size, total):
    """Test value of a group mean against the overall mean (FactoMineR ``catdes``).

    ``(mean_g - mean) / sqrt(var / n_g * (N - n_g) / (N - 1))`` where ``var`` is the population
    variance (divided by N) of the whole sample: the normal approximation of a mean of ``n_g``
    values drawn without replacement. Returns (test_value, two-sided p-value); 0 and 1 where
    the variance or the denominator is zero.
    """
    args = (group_mean, overall_mean, overall_var, group_size, total)
    mg, m, var, n, big_n = (np.asarray(a, dtype=float) for a in args)
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = np.sqrt(var / n * (big_n - n) / (big_n - 1))
        z = np.where(denom > 0, (mg - m) / denom, 0.0)
    z = np.nan_to_num(z, nan=0.0)
    return z, 2.0 * _st().norm.sf(np.abs(z))
