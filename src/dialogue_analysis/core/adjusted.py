"""Adjusted p-values that would give a withheld test's p-value away.

A p-value corrected for multiple tests is set by the p-values of other tests of its family:
with Benjamini-Hochberg, the adjusted value of a test is the smallest ``p(j) * m / j`` over the
tests ranked at or after it; with Holm, the largest ``p(j) * (m - j + 1)`` over those ranked at
or before it. When that extreme is reached at a test whose statistics are withheld (its table
holds a masked count), publishing the adjusted value publishes ``p(j)`` times a known factor,
and a p-value beside published margins gives the masked count back. :func:`revealing_adjusted`
finds those rows so that the writers print only a band for them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import benjamini_hochberg, holm

# Corrections a family of adjusted p-values may have been made with, as the analysis does.
_CORRECTIONS = {"bh": benjamini_hochberg, "holm": holm}


def _ranked(p: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The order of ``p`` and each ranked test's own term of the correction."""
    m = p.size
    order = np.argsort(p, kind="stable")
    ranks = np.arange(1, m + 1)
    return order, p[order] * (m / ranks if method == "bh" else m - ranks + 1)


def _adjusted(terms: np.ndarray, method: str) -> np.ndarray:
    """Adjusted values of ranked terms: BH's running minimum from the last rank, Holm's
    running maximum from the first, capped at 1."""
    if method == "bh":
        return np.minimum(1.0, np.minimum.accumulate(terms[::-1])[::-1])
    return np.minimum(1.0, np.maximum.accumulate(terms))


def _set_by_withheld(p: np.ndarray, withheld: np.ndarray, method: str) -> np.ndarray:
    """Rows (not withheld) whose adjusted value differs from what the other rows alone give."""
    order, terms = _ranked(p, method)
    neutral = np.inf if method == "bh" else -np.inf  # a term that never sets the value
    full = _adjusted(terms, method)
    visible = _adjusted(np.where(withheld[order], neutral, terms), method)
    out = np.zeros(p.size, dtype=bool)
    out[order] = (full != visible) & ~withheld[order]
    return out


def revealing_adjusted(table: pd.DataFrame, withheld, family: str | None = None,
                       raw: str = "p_value", adjusted: str = "p_adjusted") -> pd.Series:
    """Rows of ``table`` (not ``withheld``) whose adjusted p-value is set by a withheld row.

    Parameters
    ----------
    table : DataFrame
        Tests with their raw and adjusted p-values, as the analysis computed them (before any
        masking).
    withheld : boolean array-like
        The rows whose statistics are not published.
    family : str, optional
        Column whose values are the families the correction was made within (``dimension``);
        the whole table is one family when None.

    The correction (Benjamini-Hochberg or Holm) is the one that reproduces the family's
    adjusted values; when neither does, every adjusted value of the family beside a withheld
    row is treated as revealing.
    """
    withheld = pd.Series(np.asarray(withheld, dtype=bool), index=table.index)
    out = pd.Series(False, index=table.index)
    groups = table.groupby(family, sort=False).groups if family else {None: table.index}
    for idx in groups.values():
        part_withheld = withheld.loc[idx].to_numpy()
        if not part_withheld.any():
            continue
        out.loc[idx] = _family_revealing(table.loc[idx, raw].astype(float).to_numpy(),
                                         table.loc[idx, adjusted].astype(float).to_numpy(),
                                         part_withheld)
    return out


def _family_revealing(p: np.ndarray, given: np.ndarray, withheld: np.ndarray) -> np.ndarray:
    """:func:`revealing_adjusted` within one family. Untested rows (no p-value) are either
    left out of the correction or counted as p = 1, whichever reproduces ``given``."""
    tested = ~np.isnan(p)
    for rows, values in ((tested, p[tested]), (np.ones_like(tested), np.nan_to_num(p, nan=1.0))):
        for method, correct in _CORRECTIONS.items():
            if values.size and np.allclose(correct(values), given[rows], rtol=1e-9, atol=0,
                                           equal_nan=True):
                out = np.zeros(p.size, dtype=bool)
                out[rows] = _set_by_withheld(values, withheld[rows], method)
                return out
    return ~withheld & tested
