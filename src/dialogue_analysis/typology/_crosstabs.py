"""Cross tables of coded themes (needs, barriers...) or attributes by group, with their tests.

Coded themes are multiple-response data: a record can mention several needs, so a "code x
group" table is not a contingency table (its cells are not disjoint). Each code is therefore
tested on its own 2 x G table (mentions it / does not, by group) with a chi-square test of
homogeneity, and p-values are adjusted over the codes (Benjamini-Hochberg by default). The
proportions are the share of the group's records that mention the code.

Adjusted standardised residuals (Haberman): ``(O - E) / sqrt(E (1 - row/N) (1 - col/N))``,
approximately standard normal under independence: beyond +-1.96 a cell departs from
independence at the 5 % level (before any correction).

Chi-square tests are run without Yates' continuity correction so that the statistic, the
expected counts and the residuals tell the same story. Cochran's rule flags a test whose
approximation is doubtful: any expected count below 1, or more than 20 % below 5.

Counts from 1 to ``min_cell_count - 1`` are flagged in ``small`` and can be masked for
publication with :meth:`Crosstab.masked` (shares and residuals of those cells are masked too).
Margins are not masked: with a single small cell in a row, the analyst should also check that it
cannot be recovered by subtraction before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from ..core.privacy import mask_wide, small_cells
from ..themes import correct, group_order
from ._features import code_family
from ._labels import code_label


def adjusted_residuals(observed, expected=None):
    """Adjusted standardised residuals of a contingency table (same shape as given)."""
    obs = np.asarray(observed, dtype=float)
    n = obs.sum()
    rows, cols = obs.sum(axis=1, keepdims=True), obs.sum(axis=0, keepdims=True)
    exp = rows @ cols / n if expected is None else np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        res = (obs - exp) / np.sqrt(exp * (1 - rows / n) * (1 - cols / n))
    res = np.nan_to_num(res, nan=0.0, posinf=0.0, neginf=0.0)
    if isinstance(observed, pd.DataFrame):
        return pd.DataFrame(res, index=observed.index, columns=observed.columns)
    return res


def contingency_test(table):
    """Chi-square test of independence of a contingency table, with its diagnostics.

    Parameters
    ----------
    table : DataFrame or array-like
        Counts; rows and columns summing to zero are dropped before the test.

    Returns
    -------
    dict
        ``chi2, dof, p_value, n, cramers_v, min_expected, n_small_expected`` (cells with an
        expected count below 5), ``cochran_ok`` (False when any expected count is below 1 or
        more than 20 % are below 5), ``expected`` and ``residuals`` (DataFrames when a
        DataFrame was given).
    """
    obs = pd.DataFrame(table).astype(float)
    obs = obs.loc[obs.sum(axis=1) > 0, obs.sum(axis=0) > 0]
    if min(obs.shape) < 2:
        empty = pd.DataFrame(np.nan, index=obs.index, columns=obs.columns)
        return {
            "chi2": np.nan, "dof": 0, "p_value": np.nan, "n": float(obs.to_numpy().sum()),
            "cramers_v": np.nan, "min_expected": np.nan, "n_small_expected": 0,
            "cochran_ok": False, "expected": empty, "residuals": empty,
        }  # fmt: skip
    chi2, p, dof, exp = chi2_contingency(obs.to_numpy(), correction=False)
    n = obs.to_numpy().sum()
    small = int((exp < 5).sum())
    return {
        "chi2": float(chi2),
        "dof": int(dof),
        "p_value": float(p),
        "n": float(n),
        "cramers_v": float(np.sqrt(chi2 / (n * (min(obs.shape) - 1)))),
        "min_expected": float(exp.min()),
        "n_small_expected": small,
        "cochran_ok": bool(exp.min() >= 1 and small <= 0.2 * exp.size),
        "expected": pd.DataFrame(exp, index=obs.index, columns=obs.columns),
        "residuals": adjusted_residuals(obs, exp),
    }


@dataclass
class Crosstab:
    """A cross table and its statistics (rows: codes or categories; columns: groups).

    Attributes
    ----------
    counts : DataFrame
        Records per cell.
    sizes : Series
        Records per column group (the base of ``proportions``).
    proportions : DataFrame
        Share of the column group's records in the cell.
    expected, residuals : DataFrame
        Expected counts under independence and adjusted standardised residuals.
    tests : DataFrame
        One row per tested table (per code for codes, one for two attributes): ``chi2, dof,
        p_value, p_adjusted, cramers_v, min_expected, n_small_expected, cochran_ok``.
    small : DataFrame
        True where ``0 < count < min_cell_count``.
    labels : Series
        Row label (the codebook's label of a code, or the category).
    """

    counts: pd.DataFrame
    sizes: pd.Series
    proportions: pd.DataFrame
    expected: pd.DataFrame
    residuals: pd.DataFrame
    tests: pd.DataFrame
    small: pd.DataFrame
    labels: pd.Series
    min_cell_count: int = 5

    def masked(self):
        """A copy for publication: small counts and their shares and residuals set to NA."""
        counts, (props, exp, res), hide = mask_wide(
            self.counts,
            min_count=self.min_cell_count,
            others=(self.proportions, self.expected, self.residuals),
        )
        return replace(self, counts=counts, proportions=props, expected=exp, residuals=res)

    def tidy(self):
        """Long table: ``row, label, column, count, size, proportion, expected, residual,
        small`` (one row per cell)."""
        long = self.counts.stack().rename("count").reset_index()
        long.columns = ["row", "column", "count"]
        key = pd.MultiIndex.from_frame(long[["row", "column"]])

        def values(frame):
            return frame.stack().reindex(key).to_numpy()

        return long.assign(
            label=long["row"].map(self.labels),
            size=long["column"].map(self.sizes).to_numpy(),
            proportion=values(self.proportions),
            expected=values(self.expected),
            residual=values(self.residuals),
            small=values(self.small).astype(bool),
        )[
            [
                "row",
                "label",
                "column",
                "count",
                "size",
                "proportion",
                "expected",
                "residual",
                "small",
            ]
        ]


def _groups(records, by):
    ids = records["record_id"].astype(str)
    if isinstance(by, str):
        g = pd.Series(records[by].to_numpy(), index=ids)
    else:
        g = pd.Series(by)
        g.index = g.index.astype(str)
        g = g.reindex(ids)
    return g[g.notna()]


def _yes_row(frame, order):
    """The "mentions the code" row of a 2 x G result (NA when no record mentions it)."""
    if "yes" not in frame.index:
        return pd.Series(np.nan, index=order)
    return frame.loc["yes"].reindex(order)


def _scalars(result):
    return {k: v for k, v in result.items() if k not in ("expected", "residuals")}


def code_crosstab(
    code_matrix,
    records,
    by,
    *,
    families=None,
    codebook_labels=None,
    min_cell_count=5,
    correction="bh",
):
    """Cross table of coded themes by group (stakeholder group, territory, typology group).

    Parameters
    ----------
    code_matrix : DataFrame
        0/1 codes indexed by ``record_id``.
    records : DataFrame
        ``record_id`` + attributes.
    by : str or Series
        A column of ``records``, or ``record_id`` -> group. Records without a group are left
        out.
    families : list of str, optional
        Code families to keep (e.g. ``["need", "barrier"]``); all by default.
    codebook_labels : dict, optional
        ``code -> label`` for the ``labels`` of the rows.
    min_cell_count : int
        Settings ``min_cell_count``: counts below it are flagged in ``small``.
    correction : {"bh", "holm", None}
        Adjustment of the per-code p-values.

    Returns
    -------
    Crosstab
        Rows are codes, columns the groups in a stable order.
    """
    g = _groups(records, by)
    cm = code_matrix.copy(deep=False)  # its index replaced, its values never written
    cm.index = cm.index.astype(str)
    codes = [c for c in cm.columns if families is None or code_family(c) in families]
    data = cm.reindex(g.index)[codes].fillna(0).astype(int)
    order = group_order(g)
    gcat = pd.Categorical(g.to_numpy(), categories=order)
    counts = data.groupby(gcat, observed=False).sum().T.reindex(columns=order)
    sizes = pd.Series(gcat).value_counts().reindex(order).astype(int)
    rows, expected, residuals = [], {}, {}
    for code in codes:
        table = pd.DataFrame([counts.loc[code], sizes - counts.loc[code]], index=["yes", "no"])
        res = contingency_test(table)
        expected[code] = _yes_row(res["expected"], order)
        residuals[code] = _yes_row(res["residuals"], order)
        rows.append({"code": code, **_scalars(res)})
    tests = pd.DataFrame(rows).set_index("code")
    tests.insert(3, "p_adjusted", correct(tests["p_value"].fillna(1.0).to_numpy(), correction))
    return Crosstab(
        counts=counts,
        sizes=sizes,
        proportions=counts / sizes.replace(0, np.nan),
        expected=pd.DataFrame(expected).T.reindex(index=codes),
        residuals=pd.DataFrame(residuals).T.reindex(index=codes),
        tests=tests,
        small=small_cells(counts, min_cell_count),
        labels=pd.Series({c: code_label(c, codebook_labels) for c in codes}),
        min_cell_count=min_cell_count,
    )


def crosstab(records, row, column, *, min_cell_count=5):
    """Cross table of two categorical attributes (e.g. profile x territory) with its test.

    Returns
    -------
    Crosstab
        ``proportions`` are shares within each column; ``tests`` has a single row.
    """
    data = records[[row, column]].dropna()
    counts = pd.crosstab(data[row], data[column]).astype(int)
    counts.index, counts.columns = counts.index.astype(str), counts.columns.astype(str)
    sizes = counts.sum(axis=0)
    res = contingency_test(counts)
    tests = pd.DataFrame(
        [_scalars(res)],
        index=pd.Index([f"{row} x {column}"], name="table"),
    )
    tests.insert(3, "p_adjusted", tests["p_value"])
    return Crosstab(
        counts=counts,
        sizes=sizes,
        proportions=counts / sizes.replace(0, np.nan),
        expected=res["expected"].reindex_like(counts),
        residuals=res["residuals"].reindex_like(counts),
        tests=tests,
        small=small_cells(counts, min_cell_count),
        labels=pd.Series(counts.index, index=counts.index),
        min_cell_count=min_cell_count,
    )
