"""Chi-square tests over tables with masked cells, published only as far as they hide them.

A test's statistic is a function of every cell of its table: with the table's margins
published, an exact chi-square, Cramér's V or p-value is one more equation on the masked cells
(quadratic in them), which can pin a masked count down although no sum gives it away. A test
whose table holds a masked cell therefore publishes no exact statistic: only the band of its
adjusted p-value (< 0.001, < 0.01, < 0.05, >= 0.05), and not even that when the band alone would
leave a masked cell a single possible value. That is checked by trying every count the masked
cells could hold given the published margins and cells (:func:`band_pins_a_cell`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2 as chi2_dist

from ..core.adjusted import revealing_adjusted
from ._disclosure import code_key, mask_mark, wave_suppression
from ._format import fmt_number

BANDS = (0.001, 0.01, 0.05)
# Exact statistics of a test; what depends on the margins alone (dof, n, expected counts) stays.
EXACT = ("chi2", "p_value", "p_adjusted", "cramers_v")
# Beyond this many possible fillings of the masked cells, a band is far from pinning one down.
MAX_FILLINGS = 200_000


def _bands(p: np.ndarray) -> np.ndarray:
    """:func:`p_band` of many p-values at once."""
    return np.asarray([*BANDS, 1.0])[np.searchsorted(BANDS, p, side="right")]


def p_band(p: float) -> float:
    """The upper bound of the band holding ``p`` (1.0 for ``p >= 0.05``); NaN stays NaN."""
    if p is None or pd.isna(p):
        return np.nan
    return float(_bands(np.asarray([p]))[0])


def _fillings(sizes: np.ndarray, total: int) -> np.ndarray | None:
    """Every way of giving ``total`` people to cells of at most ``sizes`` people (rows), or
    None when there are more than :data:`MAX_FILLINGS`."""
    sizes = np.asarray(sizes, dtype=int)
    room = np.concatenate([np.cumsum(sizes[::-1])[::-1][1:], [0]])  # room in the later cells
    rows = np.zeros((1, 0), dtype=int)
    left = np.array([int(total)])
    for size, later in zip(sizes, room, strict=True):
        lo, hi = np.maximum(0, left - later), np.minimum(size, left)
        n = np.maximum(hi - lo + 1, 0)
        if n.sum() > MAX_FILLINGS:
            return None
        at = np.repeat(np.arange(len(left)), n)
        x = lo[at] + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        rows, left = np.column_stack([rows[at], x]), left[at] - x
    return rows.astype(float)


def _p_values(raised: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Chi-square p-values of 2 x K tables (people raising a code or not, by category), one per
    row of ``raised``; the categories nobody is in are left out as the analysis does."""
    keep = sizes > 0
    raised, sizes = raised[:, keep], sizes[keep]
    n = sizes.sum()
    total = raised.sum(axis=1, keepdims=True)
    exp_yes = total * sizes / n
    exp_no = (n - total) * sizes / n
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(exp_yes > 0, (raised - exp_yes) ** 2 / exp_yes, 0).sum(axis=1) + np.where(
            exp_no > 0, (sizes - raised - exp_no) ** 2 / exp_no, 0).sum(axis=1)
    return chi2_dist.sf(stat, len(sizes) - 1)


def band_pins_a_cell(raised: np.ndarray, sizes: np.ndarray, hidden: np.ndarray,
                     band: float, factor: float = 1.0) -> bool:
    """Whether publishing ``band`` leaves a masked cell a single possible count.

    Parameters
    ----------
    raised, sizes : array
        People raising the code and people in each category (the true counts).
    hidden : boolean array
        The masked cells.
    band : float
        The band published (:func:`p_band` of the adjusted p-value).
    factor : float
        Adjusted p-value over raw p-value of this test (the correction for multiple tests).
    """
    hidden = np.asarray(hidden, dtype=bool)
    fillings = _fillings(sizes[hidden], int(raised[hidden].sum()))
    if fillings is None:
        return False
    tables = np.repeat(raised[None, :].astype(float), len(fillings), axis=0)
    tables[:, hidden] = fillings
    bands = _bands(np.minimum(1.0, _p_values(tables, sizes) * factor))
    left = fillings[bands == band]
    return bool(len(left)) and bool((left.min(axis=0) == left.max(axis=0)).any())


def published_tests(a) -> pd.DataFrame:
    """The chi-square tests of ``a.crosstab_tests`` as the report and the workbook print them.

    Adds ``masked`` (the tested table holds a masked cell: exact statistics blanked) and
    ``p_band`` (upper bound of the adjusted p-value's band; NaN when even the band is withheld).
    The adjusted p-value is also blanked where a masked test's p-value sets it
    (:func:`~dialogue_analysis.core.adjusted.revealing_adjusted`): only its band is printed.
    """
    tests = a.crosstab_tests.copy()
    if tests.empty:
        return tests.assign(masked=pd.Series(dtype=bool), p_band=pd.Series(dtype=float))
    plan = wave_suppression(a)
    prev = a.prevalence[a.prevalence["dimension"] != "all"]
    cells = {key: part for key, part in prev.groupby(["dimension", "code"], sort=False)}
    masked, bands = [], []
    for r in tests.itertuples(index=False):
        part = cells.get((r.dimension, r.code))
        band = p_band(r.p_adjusted)
        hidden = (np.array([code_key(r.code, r.dimension, c) in plan.hidden
                            for c in part["category"]], dtype=bool)
                  if part is not None else np.zeros(0, dtype=bool))
        if hidden.any():
            raised = part["count"].to_numpy(dtype=float)
            sizes = part["n"].to_numpy(dtype=float)
            factor = (r.p_adjusted / r.p_value) if r.p_value and r.p_value > 0 else 1.0
            if band_pins_a_cell(raised, sizes, hidden, band, factor):
                band = np.nan
        masked.append(bool(hidden.any()))
        bands.append(band)
    tests["masked"] = masked
    tests["p_band"] = bands
    # An adjusted p-value set by a masked test's p-value would give that one away: band only.
    revealing = revealing_adjusted(tests, tests["masked"], family="dimension")
    for col in EXACT:
        if col in tests:
            tests[col] = tests[col].astype("Float64").mask(tests["masked"])
    tests["p_adjusted"] = tests["p_adjusted"].mask(revealing)
    return tests


def findings_adjusted(findings: pd.DataFrame, contrasts: pd.DataFrame, hidden) -> pd.Series:
    """The findings' adjusted p-values, blank where a masked contrast's p-value sets it (the
    findings are contrasts, corrected with all the contrasts of their dimension)."""
    revealing = revealing_adjusted(contrasts, hidden, family="dimension")
    keys = set(map(tuple, contrasts.loc[revealing.to_numpy(), ["dimension", "category", "code"]]
                   .astype(str).to_numpy()))
    rows = [tuple(map(str, k)) in keys
            for k in findings[["dimension", "category", "code"]].to_numpy()]
    return findings["p_adjusted"].astype("Float64").mask(rows)


def fmt_band(band: float, language: str = "fr") -> str:
    """A p-value band as printed: ``< 0,01``, ``≥ 0,05``; the mask mark when withheld."""
    if band is None or pd.isna(band):
        return mask_mark(language)
    if band >= 1.0:
        return "≥ " + fmt_number(BANDS[-1], language, 2)
    return "< " + fmt_number(band, language, len(f"{band:g}") - 2)
