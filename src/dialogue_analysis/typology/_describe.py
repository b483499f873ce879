"""Characterise groups of records: who they are, what they need, their words, their quotes.

:func:`describe_groups` works for any partition of the records (typology groups, stakeholder
groups, territories) and follows FactoMineR's ``catdes``:

- categories of categorical, multi-select and ordinal attributes, and coded themes: the
  hypergeometric test value (:func:`~dialogue_analysis.core.stats.hypergeom_test_value`) of the
  count in the group; records with a missing value are left out of that attribute's test;
- ordinal (level ranks 1..L) and numeric attributes: the test value of the group mean
  (:func:`~dialogue_analysis.core.stats.mean_test_value`);
- specific vocabulary: :func:`~dialogue_analysis.themes.specific_terms`.

p-values are adjusted within each table (categories, means, codes, terms) over every group and
category, with Benjamini-Hochberg by default (exploratory description: a controlled share of
false discoveries) or Holm (``correction="holm"``, family-wise control) on request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.rows_by_key import RowsByKey
from ..core.stats import hypergeom_test_value, mean_test_value, wilson_interval
from ..themes import correct, group_order, specific_terms
from ._features import attribute_levels, code_family, encode_attribute, infer_attribute_types
from ._labels import _labels, _listing, _top, code_label
from ._quotes import _select_quotes


@dataclass
class GroupDescription:
    """Everything known about one group, for a report section."""

    group: object
    label: str
    label_en: str
    size: int
    share: float
    categories: pd.DataFrame
    means: pd.DataFrame
    codes: pd.DataFrame
    terms: pd.DataFrame
    quotes: pd.DataFrame


@dataclass
class Characterisation:
    """Tidy tables describing every group; ``group(g)`` gives one group's slice.

    Attributes
    ----------
    summary : DataFrame
        One row per group: ``group, label, label_en, size, share, top_categories, top_codes,
        top_terms``.
    categories, means, codes, terms, quotes : DataFrame
        Tidy tables with a ``group`` column.
    labels, labels_en : dict
        group -> label (French / English).
    """

    summary: pd.DataFrame
    categories: pd.DataFrame
    means: pd.DataFrame
    codes: pd.DataFrame
    terms: pd.DataFrame
    quotes: pd.DataFrame
    labels: dict = field(default_factory=dict)
    labels_en: dict = field(default_factory=dict)

    def group(self, g):
        """The :class:`GroupDescription` of group ``g``."""
        row = self.summary.set_index("group").loc[g]

        def part(table):
            return table[table["group"] == g].reset_index(drop=True)

        return GroupDescription(
            group=g,
            label=row["label"],
            label_en=row["label_en"],
            size=int(row["size"]),
            share=float(row["share"]),
            categories=part(self.categories),
            means=part(self.means),
            codes=part(self.codes),
            terms=part(self.terms),
            quotes=part(self.quotes),
        )

    @property
    def groups(self):
        return list(self.summary["group"])


def describe_groups(
    records,
    groups,
    *,
    code_matrix=None,
    terms=None,
    answers=None,
    attributes=None,
    codebook_labels=None,
    cluster_labels=None,
    features=None,
    passages=None,
    correction="bh",
    alpha=0.05,
    n_quotes=4,
    quote_chars=300,
    profile_column=None,
    label_attributes=None,
    label_families=("need", "barrier"),
    term_unit="records",
    min_term_count=5,
    n_terms=30,
    active=None,
):
    """Characterise each group of records.

    Parameters
    ----------
    records : DataFrame
        ``record_id`` + attributes.
    groups : Series or mapping
        ``record_id`` -> group (records without a group are ignored).
    code_matrix : DataFrame, optional
        0/1 codes indexed by ``record_id``.
    terms, answers : DataFrame, optional
        The ``terms`` and (pseudonymised) ``answers`` tables, for vocabulary and quotes.
    attributes : dict or list, optional
        Attribute types as for :class:`~dialogue_analysis.typology.FeatureBuilder`.
    codebook_labels : dict, optional
        ``code -> label`` or ``code -> {"fr": ..., "en": ...}``; code ids otherwise.
    cluster_labels : dict, optional
        The analyst's labels (settings ``cluster_labels``): ``{group: label}`` or
        ``{group: {"fr": ..., "en": ...}}``; they replace the automatic ones.
    features : DataFrame, optional
        Per-record features (e.g. ``Typology.features_``) used for the centrality of quotes.
    passages : DataFrame, optional
        Coded passages; a quote that carries the group's top code is then preferred.
    correction : {"bh", "holm", None}
    alpha : float
        Significance level for what the summary and labels call over-represented.
    n_quotes : int
        Quotes per group (3 to 5 recommended).
    quote_chars : int
        Quotes are trimmed to about this many characters, at a sentence boundary.
    profile_column : str, optional
        Attribute whose diversity the quotes seek (``"profile"`` when present).
    label_attributes : list of str, optional
        Attributes the automatic label may name. By default the canonical fields
        ``stakeholder_group, profile, territory, age_band`` present in the records, or every
        categorical and ordinal attribute when none of them is.
    label_families : tuple of str
        Code families the automatic label may name (one code of each, in this order).
    term_unit, min_term_count, n_terms
        Passed to :func:`~dialogue_analysis.themes.specific_terms` (``n_terms`` = ``top``).
    active : collection of str, optional
        The variables the groups were *built* on (attribute names, code ids, and ``"text"`` for
        the words; :attr:`Typology.active_variables_`). Every table then gets a boolean
        ``active`` column: the test value of an active variable is circular (the clustering
        chose groups that differ on it, so it is large by construction and is no evidence),
        while an *illustrative* variable (``active`` False) was not used and its test value
        is a finding, as FactoMineR distinguishes active and supplementary variables.

    Returns
    -------
    Characterisation
    """
    groups = pd.Series(groups)
    groups.index = groups.index.astype(str)
    groups = groups[groups.notna()]
    order = group_order(groups)
    records = records.assign(record_id=records["record_id"].astype(str))
    records = records[records["record_id"].isin(groups.index)].reset_index(drop=True)
    g = groups.reindex(records["record_id"]).to_numpy()
    types = (
        attributes if isinstance(attributes, dict) else infer_attribute_types(records, attributes)
    )

    categories = _categories(records, g, order, types, correction)
    means = _means(records, g, order, types, correction)
    codes = _codes(code_matrix, records, g, order, codebook_labels, correction)
    term_table = pd.DataFrame(columns=["group", "term"])
    if terms is not None and len(terms):
        term_table = specific_terms(
            terms,
            groups,
            unit=term_unit,
            min_count=min_term_count,
            top=n_terms,
            correction=correction,
        )

    if active is not None:
        active = {str(v) for v in active}
        categories = categories.assign(active=categories["attribute"].isin(active))
        means = means.assign(active=means["attribute"].isin(active))
        codes = codes.assign(active=codes["code"].astype(str).isin(active))
        term_table = term_table.assign(active="text" in active)

    labels, labels_en = _labels(
        order, categories, codes, alpha, label_attributes, label_families, types, cluster_labels
    )
    quotes = pd.DataFrame(columns=["group", "rank", "record_id", "question_id", "text"])
    if answers is not None and len(answers):
        if profile_column is None:
            profile_column = (
                "profile"
                if "profile" in records.columns
                else next((c for c, t in types.items() if t == "categorical"), None)
            )
        quotes = _select_quotes(
            answers,
            records,
            g,
            order,
            features=features,
            code_matrix=code_matrix,
            terms=terms,
            passages=passages,
            top_terms=_top(term_table, "term", alpha, 10),
            top_codes=_top(codes, "code", alpha, 3, families=label_families),
            profile_column=profile_column,
            n_quotes=n_quotes,
            max_chars=quote_chars,
        )

    sizes = pd.Series(g).value_counts().reindex(order, fill_value=0)
    summary = pd.DataFrame(
        {
            "group": order,
            "label": [labels[k] for k in order],
            "label_en": [labels_en[k] for k in order],
            "size": sizes.to_numpy(),
            "share": sizes.to_numpy() / max(len(g), 1),
            "top_categories": [_listing(categories, k, alpha, "category") for k in order],
            "top_codes": [_listing(codes, k, alpha, "label") for k in order],
            "top_terms": [_listing(term_table, k, alpha, "term") for k in order],
        }
    )
    return Characterisation(
        summary=summary,
        categories=categories,
        means=means,
        codes=codes,
        terms=term_table,
        quotes=quotes,
        labels=labels,
        labels_en=labels_en,
    )


def _group_counts(values, g, order):
    """Per-group sums and non-missing counts of the rows of ``values`` (NaN rows excluded)."""
    valid = ~np.isnan(values).any(axis=1)
    idx = pd.Categorical(g, categories=order).codes
    sums = np.zeros((len(order), values.shape[1]))
    np.add.at(sums, idx[valid], values[valid])
    sizes = np.bincount(idx[valid], minlength=len(order)).astype(float)
    return sums, sizes


def _code_counts(cm, records, g, order):
    """:func:`_group_counts` of the code matrix's rows of ``records`` (a record missing from
    it, or with a missing value, is left out), summed a column at a time where they lie: a
    national consultation's matrix is not copied into the records' order, nor as floats."""
    at = RowsByKey(pd.Series(cm.index)).last(records["record_id"])
    idx = pd.Categorical(g, categories=order).codes
    ok = (at >= 0) & (idx >= 0)

    def column(j):
        return cm.iloc[:, j].to_numpy(dtype=float, na_value=np.nan)

    for j in range(cm.shape[1]):
        dtype = cm.dtypes.iloc[j]
        if not (isinstance(dtype, np.dtype) and dtype.kind in "iub"):  # may hold missing values
            ok &= ~np.isnan(column(j))[np.where(ok, at, 0)]
    rows = np.flatnonzero(ok)
    groups, found = idx[rows], at[rows]
    sums = np.column_stack([np.bincount(groups, weights=column(j)[found], minlength=len(order))
                            for j in range(cm.shape[1])])
    return sums, np.bincount(groups, minlength=len(order)).astype(float)


def _finish(table, correction, sort_key):
    table["p_adjusted"] = correct(table["p_value"].to_numpy(), correction)
    diff = (
        table["share_in_group" if "share_in_group" in table else "mean_in_group"]
        - table["share_overall" if "share_overall" in table else "mean_overall"]
    )
    table["direction"] = np.where(diff > 0, "over", np.where(diff < 0, "under", "none"))
    rank = table["test_value"].abs().mul(-1)
    table = table.assign(_r=rank).sort_values(["_g", "_r", *sort_key], kind="stable")
    return table.drop(columns=["_g", "_r"]).reset_index(drop=True)


def _categories(records, g, order, types, correction):
    rows = []
    for col, kind in types.items():
        if kind == "numeric":
            continue
        levels = attribute_levels(records[col], kind)
        enc = "multi" if kind == "multi" else "categorical"
        ind = encode_attribute(records[col], enc, [str(v) for v in levels], col).to_numpy()
        counts, sizes = _group_counts(ind, g, order)
        n_cat, total = counts.sum(axis=0), sizes.sum()
        for gi, grp in enumerate(order):
            tv, p = hypergeom_test_value(counts[gi], sizes[gi], n_cat, total)
            with np.errstate(invalid="ignore", divide="ignore"):
                rows.append(
                    pd.DataFrame(
                        {
                            "group": [grp] * len(levels),
                            "_g": gi,
                            "attribute": col,
                            "category": [str(v) for v in levels],
                            "count_in_group": counts[gi].astype(int),
                            "group_size": int(sizes[gi]),
                            "count_total": n_cat.astype(int),
                            "share_in_group": counts[gi] / sizes[gi],
                            "share_in_category": counts[gi] / n_cat,
                            "share_overall": n_cat / total,
                            "test_value": tv,
                            "p_value": p,
                        }
                    )
                )
    if not rows:
        return pd.DataFrame(columns=["group", "attribute", "category", "test_value"])
    table = pd.concat(rows, ignore_index=True)
    return _finish(table, correction, ["attribute", "category"])


def _means(records, g, order, types, correction):
    rows = []
    for col, kind in types.items():
        if kind not in ("ordinal", "numeric"):
            continue
        if kind == "ordinal":
            levels = [str(v) for v in attribute_levels(records[col], kind)]
            rank = {lev: i + 1 for i, lev in enumerate(levels)}  # ranks 1..L, as reported
            values = np.array(
                [rank.get(str(v), np.nan) if pd.notna(v) else np.nan for v in records[col]],
                dtype=float,
            )
        else:
            values = pd.to_numeric(records[col], errors="coerce").to_numpy(dtype=float)
        stacked = np.column_stack([values, values**2])
        sums, sizes = _group_counts(stacked, g, order)
        valid = ~np.isnan(values)
        mean, var, total = values[valid].mean(), values[valid].var(), valid.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_g = sums[:, 0] / sizes
            sd_g = np.sqrt(np.maximum(sums[:, 1] / sizes - mean_g**2, 0))
        tv, p = mean_test_value(mean_g, mean, var, sizes, total)
        rows.append(
            pd.DataFrame(
                {
                    "group": order,
                    "_g": np.arange(len(order)),
                    "attribute": col,
                    "n_in_group": sizes.astype(int),
                    "mean_in_group": mean_g,
                    "mean_overall": mean,
                    "sd_in_group": sd_g,
                    "sd_overall": np.sqrt(var),
                    "test_value": tv,
                    "p_value": p,
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["group", "attribute", "mean_in_group", "test_value"])
    return _finish(pd.concat(rows, ignore_index=True), correction, ["attribute"])


def _codes(code_matrix, records, g, order, codebook_labels, correction):
    if code_matrix is None or code_matrix.shape[1] == 0:
        return pd.DataFrame(columns=["group", "family", "code", "label", "test_value"])
    cm = code_matrix.copy(deep=False)  # its index replaced, its values never written
    cm.index = cm.index.astype(str)
    counts, sizes = _code_counts(cm, records, g, order)
    n_code, total = counts.sum(axis=0), sizes.sum()
    code_ids = [str(c) for c in cm.columns]
    rows = []
    for gi, grp in enumerate(order):
        tv, p = hypergeom_test_value(counts[gi], sizes[gi], n_code, total)
        low, high = wilson_interval(counts[gi], sizes[gi])
        rows.append(
            pd.DataFrame(
                {
                    "group": [grp] * len(code_ids),
                    "_g": gi,
                    "family": [code_family(c) for c in code_ids],
                    "code": code_ids,
                    "label": [code_label(c, codebook_labels) for c in code_ids],
                    "label_en": [code_label(c, codebook_labels, "en") for c in code_ids],
                    "count_in_group": counts[gi].astype(int),
                    "group_size": int(sizes[gi]),
                    "count_total": n_code.astype(int),
                    "share_in_group": counts[gi] / max(sizes[gi], 1),
                    "ci_low": low,
                    "ci_high": high,
                    "share_overall": n_code / max(total, 1),
                    "test_value": tv,
                    "p_value": p,
                }
            )
        )
    return _finish(pd.concat(rows, ignore_index=True), correction, ["code"])


