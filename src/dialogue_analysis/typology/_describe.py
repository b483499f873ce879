"""Characterise groups of records: who they are, what they need, their words, their quotes.

:func:`describe_groups` works for any partition of the records (typology groups, stakeholder
groups, territories) and follows FactoMineR's ``catdes``:

- categories of categorical, multi-select and ordinal attributes, and coded themes: the
  hypergeometric test value (:func:`~dialogue_analysis.stats.hypergeom_test_value`) of the
  count in the group; records with a missing value are left out of that attribute's test;
- ordinal (level ranks 1..L) and numeric attributes: the test value of the group mean
  (:func:`~dialogue_analysis.stats.mean_test_value`);
- specific vocabulary: :func:`~dialogue_analysis.vocabulary.specific_terms`.

p-values are adjusted within each table (categories, means, codes, terms) over every group and
category, with Benjamini-Hochberg by default (exploratory description: a controlled share of
false discoveries) or Holm (``correction="holm"``, family-wise control) on request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.quotes import trim_quote
from ..core.stats import hypergeom_test_value, mean_test_value, wilson_interval
from ..themes import correct, group_order, specific_terms
from ._features import attribute_levels, code_family, encode_attribute, infer_attribute_types

# Canonical fields that say who a group is; the automatic labels name them first.
WHO_ATTRIBUTES = ("stakeholder_group", "profile", "territory", "age_band")


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
        Attribute types as for :class:`~dialogue_analysis.features.FeatureBuilder`.
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
        Passed to :func:`~dialogue_analysis.vocabulary.specific_terms` (``n_terms`` = ``top``).
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


def code_label(code, codebook_labels=None, language="fr"):
    """Label of a code from ``codebook_labels`` (str or ``{"fr", "en"}``), else its id."""
    label = (codebook_labels or {}).get(code)
    if isinstance(label, dict):
        label = label.get(language) or label.get("fr") or next(iter(label.values()), None)
    return str(label) if label else str(code)


def _codes(code_matrix, records, g, order, codebook_labels, correction):
    if code_matrix is None or code_matrix.shape[1] == 0:
        return pd.DataFrame(columns=["group", "family", "code", "label", "test_value"])
    cm = code_matrix.copy()
    cm.index = cm.index.astype(str)
    values = cm.reindex(records["record_id"]).to_numpy(dtype=float)
    counts, sizes = _group_counts(values, g, order)
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


def _significant_over(table, group, alpha):
    if table.empty or "direction" not in table:
        return table.iloc[0:0]
    sel = table[(table["group"] == group) & (table["direction"] == "over")]
    sel = sel[sel["p_adjusted"] < alpha]
    return sel.sort_values("test_value", ascending=False, kind="stable")


def _top(table, column, alpha, n, families=None):
    """Per group, the ``n`` most over-represented values of ``column`` (significant only)."""
    out = {}
    for grp in table["group"].unique() if len(table) else []:
        sel = _significant_over(table, grp, alpha)
        if families is not None and "family" in sel:
            sel = sel[sel["family"].isin(families)]
        out[grp] = list(sel[column].head(n))
    return out


def _listing(table, group, alpha, column, n=3):
    sel = _significant_over(table, group, alpha).head(n)
    if sel.empty:
        return ""
    names = sel[column].astype(str)
    if column == "category":
        names = sel["attribute"].astype(str) + "=" + names
    return "; ".join(
        f"{name} ({tv:+.1f})" for name, tv in zip(names, sel["test_value"], strict=True)
    )


def _labels(order, categories, codes, alpha, label_attributes, families, types, overrides):
    """Automatic French and English labels, then the analyst's overrides."""
    if label_attributes is None:
        described = [c for c, t in types.items() if t in ("categorical", "ordinal")]
        who = [c for c in WHO_ATTRIBUTES if c in described]
        # Who they are first (the canonical fields); other attributes only when none is there.
        label_attributes = who or described
    labels, labels_en = {}, {}
    for gi, grp in enumerate(order):
        cats = _significant_over(categories, grp, alpha)
        cats = cats[cats["attribute"].isin(label_attributes)]
        # A bare number ("1" of a 1-5 scale) means nothing without its scale: not in a label.
        cats = cats[~cats["category"].astype(str).str.fullmatch(r"[\d.,\s]+")]
        who = _who(cats, label_attributes)
        chosen = []
        sig = _significant_over(codes, grp, alpha)
        for fam in families:  # one code of each family, in the order given
            chosen += list(sig[sig["family"] == fam].index[:1])
        what_fr = [_lower_first(codes.loc[i, "label"]) for i in chosen]
        what_en = [_lower_first(codes.loc[i, "label_en"]) for i in chosen]
        head_fr = ", ".join(" et ".join(w) for w in who) if who else f"Groupe {gi + 1}"
        head_en = ", ".join(" and ".join(w) for w in who) if who else f"Group {gi + 1}"
        labels[grp] = _capitalise(head_fr + (" : " + ", ".join(what_fr) if what_fr else ""))
        labels_en[grp] = _capitalise(head_en + (": " + ", ".join(what_en) if what_en else ""))
    for labs in (labels, labels_en):  # identical automatic labels would confuse a reader
        seen = pd.Series(labs).duplicated(keep=False)
        for grp in seen[seen].index:
            labs[grp] = f"{labs[grp]} ({grp})"
    for key, value in (overrides or {}).items():
        grp = next((o for o in order if str(o) == str(key)), None)
        if grp is None:
            continue
        if isinstance(value, dict):
            labels[grp] = value.get("fr", labels[grp])
            labels_en[grp] = value.get("en", labels_en[grp])
        else:
            labels[grp] = labels_en[grp] = str(value)
    return labels, labels_en


# Who a group is: rules tried in order, (attribute, number of its categories, share of the
# group they must make up together). A profile that is half the group names it; two profiles
# name it only when they make most of it, else its stakeholder group does.
WHO_RULES = (("profile", 1, 0.5), ("profile", 2, 0.75), ("stakeholder_group", 1, 0.6),
             ("profile", 2, 0.6), ("stakeholder_group", 2, 0.6))
WHERE_LEVELS = ("territory", "age_band")


def _who(cats, label_attributes, where_share=0.4):
    """Words naming who a group is: ``[["senior", "salarié décroché"], ["rural"]]``.

    The first rule of :data:`WHO_RULES` that the group's over-represented categories meet, then
    the over-represented territory (or age band) shared by at least ``where_share`` of the
    group. With attributes other than the canonical ones: the two most over-represented
    categories.
    """
    levels = {a for a, _, _ in WHO_RULES if a in label_attributes}
    if not levels:
        top2 = cats.drop_duplicates("attribute").head(2)
        top2 = top2.assign(_o=top2["attribute"].map(label_attributes.index))
        return [[str(c)] for c in top2.sort_values("_o", kind="stable")["category"]]
    who = []
    for attribute, n, share in WHO_RULES:
        if attribute not in levels:
            continue
        sel = cats[cats["attribute"] == attribute].sort_values(
            ["count_in_group", "test_value"], ascending=False, kind="stable").head(n)
        if len(sel) == n and sel["share_in_group"].sum() >= share:
            who = [list(sel["category"].astype(str))]
            break
    if not who:
        sel = cats[cats["attribute"].isin(levels)]
        who = [[str(sel["category"].iloc[0])]] if len(sel) else []
    for attribute in (a for a in WHERE_LEVELS if a in label_attributes):
        sel = cats[(cats["attribute"] == attribute) & (cats["share_in_group"] >= where_share)]
        if len(sel):
            who.append([str(sel["category"].iloc[0])])
            break
    return who


def _lower_first(text):
    """'Équipement' -> 'équipement' inside a label, but 'CAF et prestations' stays."""
    text = str(text)
    return text[:1].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def _capitalise(text):
    return text[:1].upper() + text[1:]


# -- quotes -------------------------------------------------------------------------------------
def _length_score(length):
    """1 for answers of 80-400 characters; shorter ones say little, longer ones get trimmed."""
    length = np.asarray(length, dtype=float)
    return np.where(
        length < 80,
        length / 80,
        np.where(length > 400, np.maximum(0.3, 400 / np.maximum(length, 1)), 1.0),
    )


def _centrality(features, records, g, order):
    """1 for the record closest to its group centre, 0 for the farthest (rank based)."""
    out = pd.Series(0.5, index=records["record_id"])
    if features is None:
        return out
    feats = features.copy()
    feats.index = feats.index.astype(str)
    feats = feats.reindex(records["record_id"]).fillna(0.0)
    for grp in order:
        mask = g == grp
        part = feats[mask]
        dist = np.sqrt(((part - part.mean()) ** 2).sum(axis=1))
        out[mask] = 1.0 - dist.rank(pct=True, method="average").to_numpy() + 1.0 / max(len(part), 1)
    return out.clip(0, 1)


def _select_quotes(
    answers,
    records,
    g,
    order,
    *,
    features,
    code_matrix,
    terms,
    passages,
    top_terms,
    top_codes,
    profile_column,
    n_quotes,
    max_chars,
):
    """Greedy choice of central, relevant, diverse quotes (see the typology guide)."""
    ans = answers[["record_id", "question_id", "text"]].copy()
    ans["record_id"] = ans["record_id"].astype(str)
    ans = ans[ans["text"].notna() & (ans["text"].astype(str).str.strip() != "")]
    group_of = pd.Series(g, index=records["record_id"])
    ans["group"] = ans["record_id"].map(group_of)
    ans = ans[ans["group"].notna()].reset_index(drop=True)
    centrality = _centrality(features, records, g, order)
    ans["centrality"] = ans["record_id"].map(centrality).to_numpy(dtype=float)

    answer_terms = {}
    if terms is not None and len(terms):
        keys = zip(terms["record_id"].astype(str), terms["question_id"], strict=True)
        answer_terms = {
            k: set(str(t).split()) for k, t in zip(keys, terms["terms"].fillna(""), strict=True)
        }
    coded = set()
    if passages is not None and len(passages):
        coded = set(
            zip(
                passages["record_id"].astype(str),
                passages["question_id"],
                passages["code"],
                strict=True,
            )
        )
    cm = None
    if code_matrix is not None:
        cm = code_matrix.copy()
        cm.index = cm.index.astype(str)
    profile = records.set_index("record_id")[profile_column] if profile_column else None

    rows = []
    for grp in order:
        cand = ans[ans["group"] == grp].copy()
        if cand.empty:
            continue
        words, codes_ = set(top_terms.get(grp, [])), list(top_codes.get(grp, []))
        parts = []
        if words:
            hits = [
                len(answer_terms.get((r, q), set()) & words)
                for r, q in zip(cand["record_id"], cand["question_id"], strict=True)
            ]
            parts.append(np.minimum(hits, 3) / 3)
        if codes_ and coded:
            parts.append(
                np.array(
                    [
                        any((r, q, c) in coded for c in codes_)
                        for r, q in zip(cand["record_id"], cand["question_id"], strict=True)
                    ],
                    dtype=float,
                )
            )
        elif codes_ and cm is not None:
            present = [c for c in codes_ if c in cm.columns]
            if present:
                has = cm.reindex(cand["record_id"])[present].fillna(0).to_numpy().mean(axis=1)
                parts.append(has)
        relevance = np.mean(parts, axis=0) if parts else np.zeros(len(cand))
        cand["score"] = (
            0.4 * cand["centrality"]
            + 0.4 * relevance
            + 0.2 * _length_score(cand["text"].astype(str).str.len())
        )
        cand = cand.sort_values(
            ["score", "record_id", "question_id"], ascending=[False, True, True], kind="stable"
        ).head(300)
        cand["profile_value"] = cand["record_id"].map(profile) if profile is not None else None
        if profile is not None:
            # Diversity among the group's own profiles: a member whose profile is rare in the
            # group (< 10 %) is not the one to quote for it, however central.
            members = profile.reindex(records["record_id"][g == grp])
            shares = members.value_counts(normalize=True)
            common = cand["profile_value"].isin(shares[shares >= 0.10].index)
            if cand.loc[common, "record_id"].nunique() >= n_quotes:
                cand = cand[common]
        chosen = []
        while len(chosen) < n_quotes:
            used = {c["record_id"] for c in chosen}
            pool = cand[~cand["record_id"].isin(used)]
            if pool.empty:
                break
            # Penalise profiles and questions already quoted, so the quotes show the group's range.
            same_profile = pool["profile_value"].map(
                lambda v, ch=chosen: sum(c["profile_value"] == v for c in ch)
            )
            same_question = pool["question_id"].map(
                lambda v, ch=chosen: sum(c["question_id"] == v for c in ch)
            )
            adjusted = (
                pool["score"]
                * 0.7 ** same_profile.astype(float)
                * 0.8 ** same_question.astype(float)
            )
            best = pool.loc[adjusted.idxmax()]
            chosen.append(best)
        for rank, c in enumerate(chosen, start=1):
            row = {
                "group": grp,
                "rank": rank,
                "record_id": c["record_id"],
                "question_id": c["question_id"],
                "text": trim_quote(c["text"], max_chars),
                "score": float(c["score"]),
            }
            if profile_column:
                row[profile_column] = c["profile_value"]
            rows.append(row)
    columns = ["group", "rank", "record_id", "question_id", "text", "score"]
    return pd.DataFrame(rows, columns=columns + ([profile_column] if profile_column else []))
