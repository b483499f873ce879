"""Quotes that speak for a group: typical answers of its most central members, of a readable
length, several profiles represented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.quotes import trim_quote
from ..core.rows_by_key import RowsByKey


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
    # Ranked among the records that have features (all of them, unless the typology was fitted
    # on a sample of a large wave: the others stay at 0.5).
    known = records["record_id"].isin(feats.index).to_numpy()
    feats = feats.reindex(records["record_id"][known]).fillna(0.0)
    g = np.asarray(g)
    for grp in order:
        mask = g == grp
        part = feats[mask[known]]
        dist = np.sqrt(((part - part.mean()) ** 2).sum(axis=1))
        out[mask & known] = (1.0 - dist.rank(pct=True, method="average").to_numpy()
                             + 1.0 / max(len(part), 1))
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
    # The candidates carry their text's length and row, not the text: a text is read once its
    # answer is quoted (a national consultation's texts are not copied per group).
    texts = answers["text"]
    texted = (texts.notna() & (texts.astype(str).str.strip() != "")).to_numpy(dtype=bool)
    ans = answers.loc[:, ["record_id", "question_id"]].assign(
        record_id=answers["record_id"].astype(str), length=texts.astype(str).str.len(),
        row=np.arange(len(answers)))[texted]
    # each answer's record by its row (no index of every record's id to map them through)
    ans["record_row"] = RowsByKey(records["record_id"]).last(ans["record_id"])
    ans = ans[ans["record_row"].to_numpy() >= 0]
    ans["group"] = np.asarray(g)[ans["record_row"].to_numpy()]
    ans = ans[ans["group"].notna()].reset_index(drop=True)
    centrality = _centrality(features, records, g, order)
    ans["centrality"] = centrality.to_numpy(dtype=float)[ans["record_row"].to_numpy()]

    # Each answer's terms, split only for the candidates of a group (not a set per answer of
    # the wave); the passages of the codes that label a group. Both found by the answers' keys
    # (no index or set of key tuples over a national consultation's answers).
    terms_of = RowsByKey(terms["record_id"], terms["question_id"]) \
        if terms is not None and len(terms) else None
    labelled = None
    if passages is not None and len(passages):
        wanted = {c for codes in top_codes.values() for c in codes}
        labelled = passages.loc[passages["code"].isin(wanted), ["record_id", "question_id", "code"]]
    coded = labelled is not None and len(labelled) > 0
    cm = None
    if code_matrix is not None:
        cm = code_matrix.copy(deep=False)  # its index replaced, its values never written
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
            hits = np.zeros(len(cand))
            if terms_of is not None:
                rows_ = terms_of.last(cand["record_id"], cand["question_id"])
                found = rows_ >= 0
                hits[found] = [len(set(t.split()) & words) if isinstance(t, str) else 0
                               for t in terms["terms"].iloc[rows_[found]].tolist()]
            parts.append(np.minimum(hits, 3) / 3)
        if codes_ and coded:
            with_codes = labelled[labelled["code"].isin(codes_)]
            in_passages = RowsByKey(with_codes["record_id"], with_codes["question_id"])
            parts.append((in_passages.last(cand["record_id"], cand["question_id"]) >= 0)
                         .astype(float))
        elif codes_ and cm is not None:
            present = [c for c in codes_ if c in cm.columns]
            if present:
                has = cm.reindex(cand["record_id"])[present].fillna(0).to_numpy().mean(axis=1)
                parts.append(has)
        relevance = np.mean(parts, axis=0) if parts else np.zeros(len(cand))
        cand["score"] = (
            0.4 * cand["centrality"]
            + 0.4 * relevance
            + 0.2 * _length_score(cand["length"])
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
                "text": trim_quote(texts.iloc[int(c["row"])], max_chars),
                "score": float(c["score"]),
            }
            if profile_column:
                row[profile_column] = c["profile_value"]
            rows.append(row)
    columns = ["group", "rank", "record_id", "question_id", "text", "score"]
    return pd.DataFrame(rows, columns=columns + ([profile_column] if profile_column else []))
