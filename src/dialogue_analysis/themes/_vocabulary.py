"""Specific vocabulary: the terms a group of records uses more (or less) than the others.

This is IRaMuTeQ's *spécificités* / Lafon's hypergeometric model, with the test value of
FactoMineR's ``catdes`` (:func:`dialogue_analysis.stats.hypergeom_test_value`): for each group and
term, how surprising is the count in the group if the group were a random draw from the corpus?

Two units of count are offered:

``"records"`` (default)
    A term counts once per record that uses it, whatever the number of repetitions. The group
    size is its number of records. One talkative interviewee who repeats a word twenty times
    cannot make it "specific" of a group on their own, which matters with 100-500 interviews.
``"occurrences"``
    Every occurrence counts and the group size is its number of occurrences (tokens). This is
    IRaMuTeQ's and Lafon's original setting, suited to large corpora of short texts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

from ..core import BLOCK
from ..core.stats import benjamini_hochberg, holm, hypergeom_test_value

COLUMNS = [
    "group",
    "term",
    "count_in_group",
    "count_total",
    "share_in_group",
    "share_overall",
    "test_value",
    "p_value",
    "p_adjusted",
    "direction",
]


def join_terms(terms):
    """Join the terms of every answer of a record into one space-separated string.

    Parameters
    ----------
    terms : DataFrame or Series
        The ``terms`` table (``record_id``, ``terms``; one row per answer), or a Series of
        space-separated terms already indexed by ``record_id``.

    Returns
    -------
    Series
        Indexed by ``record_id`` (first-appearance order), one string per record.
    """
    if isinstance(terms, pd.Series):
        return terms.fillna("").astype(str)
    text = terms["terms"].fillna("").astype(str)
    ids = terms["record_id"].astype(str)
    # Joined by Arrow, not a Python string per answer and per record (a national consultation
    # has hundreds of thousands): records in first-appearance order, their answers in row order.
    codes, records = pd.factorize(ids)
    index = pd.Index(records, name="record_id", dtype=ids.dtype)
    answers_of = np.bincount(codes, minlength=len(records))
    if (answers_of == 1).all():  # one answer a record (an open consultation): none to join
        return text.set_axis(index).str.strip()
    in_records = np.argsort(codes, kind="stable")
    offsets = np.r_[0, np.cumsum(answers_of)]
    values = pa.array(text, pa.large_string())  # a table read from Parquet: in chunks
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    answers = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()),
                                            values.take(in_records))
    joined = pd.Series(pc.binary_join(answers, pa.scalar(" ", pa.large_string())),
                       dtype=text.dtype, name=text.name)
    joined.index = index
    return joined.str.strip()


def group_order(groups):
    """Groups in a stable order: categories order if categorical, else sorted values."""
    groups = pd.Series(groups)
    if isinstance(groups.dtype, pd.CategoricalDtype):
        present = set(groups.dropna())
        return [c for c in groups.cat.categories if c in present]
    values = groups.dropna().unique().tolist()
    try:
        return sorted(values)
    except TypeError:  # mixed types: sort on their text
        return sorted(values, key=str)


def correct(p_values, method):
    """Apply a multiple-testing correction: ``"bh"`` (default), ``"holm"`` or ``None``."""
    if method is None:
        return np.asarray(p_values, dtype=float)
    if method == "bh":
        return benjamini_hochberg(p_values)
    if method == "holm":
        return holm(p_values)
    raise ValueError(f"unknown correction {method!r}: use 'bh', 'holm' or None")


def specific_terms(
    terms, groups, *, unit="records", min_count=5, top=None, alpha=None, correction="bh"
):
    """Terms over- and under-represented in each group of records against the whole corpus.

    Parameters
    ----------
    terms : DataFrame or Series
        The ``terms`` table (``record_id``, ``terms``), or joined terms indexed by ``record_id``.
    groups : Series or mapping
        ``record_id`` -> group label (stakeholder group, profile, territory, cluster...).
        Records without a group, or without any term, are left out of the corpus.
    unit : {"records", "occurrences"}
        What is counted (see the module notes).
    min_count : int
        Terms counted fewer than ``min_count`` times in the whole corpus are not tested: their
        test values are unstable and they would only inflate the multiple-testing burden.
    top : int, optional
        Keep at most ``top`` over-represented and ``top`` under-represented terms per group.
    alpha : float, optional
        Keep only rows with ``p_adjusted < alpha``.
    correction : {"bh", "holm", None}
        Correction applied over every (group, term) test of the table, before ``top`` and
        ``alpha`` filter it. Benjamini-Hochberg by default: this is an exploratory description
        where a controlled share of false discoveries is acceptable.

    Returns
    -------
    DataFrame
        Columns ``group, term, count_in_group, count_total, share_in_group, share_overall,
        test_value, p_value, p_adjusted, direction`` (``"over"``, ``"under"`` or ``"none"``);
        sorted by group, direction (over first), decreasing ``|test_value|``, then term.
    """
    if unit not in ("records", "occurrences"):
        raise ValueError(f"unknown unit {unit!r}: use 'records' or 'occurrences'")
    docs = join_terms(terms)
    groups = pd.Series(groups)
    groups.index = groups.index.astype(str)
    order = group_order(groups)
    groups = groups[groups.notna()]
    docs = docs[docs.index.isin(groups.index) & (docs.str.len() > 0)]
    if docs.empty:
        return pd.DataFrame(columns=COLUMNS)

    codes = pd.Categorical(groups.loc[docs.index], categories=order).codes

    def blocks():  # the records' terms as Python strings a block at a time, never all at once
        for start in range(0, len(docs), BLOCK):
            yield start, docs.iloc[start:start + BLOCK].tolist()

    # The terms x records counts a block of records at a time (their sum by group is all that
    # is kept): the matrix of the whole wave is never built.
    vocabulary = np.array(sorted({t for _, texts in blocks() for text in texts
                                  for t in text.split()}), dtype=object)
    vectorizer = CountVectorizer(analyzer=str.split, lowercase=False, binary=unit == "records",
                                 vocabulary=dict(zip(vocabulary, range(len(vocabulary)),
                                                     strict=True)))
    in_group = np.zeros((len(order), len(vocabulary)))  # groups x terms
    occurrences = np.zeros(len(order))
    for start, texts in blocks():
        counts = vectorizer.transform(texts).tocsr()
        part = codes[start:start + BLOCK]
        indicator = sparse.csr_matrix(
            (np.ones(len(part)), (part, np.arange(len(part)))), shape=(len(order), len(part)))
        in_group += np.asarray((indicator @ counts).todense())
        occurrences += np.asarray(indicator @ counts.sum(axis=1)).ravel()
    if unit == "records":
        group_size = np.bincount(codes, minlength=len(order)).astype(float)
    else:
        group_size = occurrences
    total_per_term = in_group.sum(axis=0)
    total = group_size.sum()

    keep = total_per_term >= min_count
    in_group, total_per_term, vocabulary = in_group[:, keep], total_per_term[keep], vocabulary[keep]
    if not keep.any():
        return pd.DataFrame(columns=COLUMNS)
    n_groups, n_terms = in_group.shape
    size = np.repeat(group_size, n_terms)
    k = in_group.ravel()
    m = np.tile(total_per_term, n_groups)
    tv, p = hypergeom_test_value(k, size, m, total)
    share_in = np.divide(k, size, out=np.zeros_like(k, dtype=float), where=size > 0)
    share_all = m / total
    direction = np.where(
        share_in > share_all, "over", np.where(share_in < share_all, "under", "none")
    )
    table = pd.DataFrame(
        {
            "group": np.repeat(np.asarray(order, dtype=object), n_terms),
            "term": np.tile(vocabulary, n_groups),
            "count_in_group": k.astype(int),
            "count_total": m.astype(int),
            "share_in_group": share_in,
            "share_overall": share_all,
            "test_value": tv,
            "p_value": p,
            "p_adjusted": correct(p, correction),
            "direction": direction,
        }
    )
    return _sort_and_filter(table, order, top=top, alpha=alpha)


def _sort_and_filter(table, order, *, top, alpha):
    """Sort a tidy test table by group, direction and strength; apply ``top`` and ``alpha``."""
    table = table.assign(
        _g=pd.Categorical(table["group"], categories=order).codes,
        _d=table["direction"].map({"over": 0, "under": 1, "none": 2}),
        _s=-table["test_value"].abs(),
    )
    key = "term" if "term" in table.columns else table.columns[1]
    table = table.sort_values(["_g", "_d", "_s", key], kind="stable")
    if alpha is not None:
        table = table[table["p_adjusted"] < alpha]
    if top is not None:
        table = table[table["_d"] < 2].groupby(["_g", "_d"], sort=False).head(top)
    return table.drop(columns=["_g", "_d", "_s"]).reset_index(drop=True)
