"""Findings of a wave: prevalence of each code by dimension, contrasts between categories, the
findings selected from them with their evidence quotes, and the priority table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.privacy import small_cells
from ..core.quotes import trim_quote

if TYPE_CHECKING:  # the typology is imported only by the stages that fit one
    pass
from ._tables import DIMENSIONS, FAMILY_ALIASES, Analysis, family_codes


def prevalence(records: pd.DataFrame, code_matrix: pd.DataFrame,
               dimensions=DIMENSIONS) -> pd.DataFrame:
    """Share of people raising each code, overall (dimension ``"all"``) and by category.

    Parameters
    ----------
    records : DataFrame
        ``record_id`` and the attribute columns named in ``dimensions``.
    code_matrix : DataFrame
        0/1 per record (index ``record_id``) and code.
    dimensions : iterable of str
        Attributes to break the prevalence down by (absent columns are skipped).

    Returns
    -------
    DataFrame
        ``dimension, category, code, n, count, share, ci_low, ci_high`` (95 % Wilson interval).
    """
    from ..core.stats import wilson_interval  # scipy is imported only when computing
    from ..themes import group_order  # scikit-learn too

    cm = code_matrix.reindex(records["record_id"].astype(str)).fillna(0).astype(int)
    rows = []
    parts = [("all", "all", np.ones(len(cm), dtype=bool))]
    for dim in dimensions:
        if dim in records:
            values = records[dim].astype(object).to_numpy()
            parts += [(dim, str(c), values == c) for c in group_order(records[dim])]
    for dim, cat, sel in parts:
        n = int(sel.sum())
        counts = cm.to_numpy()[sel].sum(axis=0)
        for code, count in zip(cm.columns, counts, strict=True):
            rows.append((dim, cat, str(code), n, int(count)))
    out = pd.DataFrame(rows, columns=["dimension", "category", "code", "n", "count"])
    out["share"] = np.where(out["n"] > 0, out["count"] / out["n"].where(out["n"] > 0, 1), np.nan)
    low, high = wilson_interval(out["count"], out["n"])
    out["ci_low"], out["ci_high"] = low, high
    return out


def contrasts(records: pd.DataFrame, code_matrix: pd.DataFrame,
              dimensions=DIMENSIONS) -> pd.DataFrame:
    """Each category against the other people of known category: shares, ratio, test value.

    The test value is FactoMineR's ``catdes`` one (:func:`stats.hypergeom_test_value`); p-values
    are adjusted by Benjamini-Hochberg over all the tests of a dimension.

    Returns
    -------
    DataFrame
        ``dimension, category, code, n, count, share, n_others, count_others, share_others,
        ratio, test_value, p_value, p_adjusted``.
    """
    from ..core.stats import benjamini_hochberg, hypergeom_test_value

    prev = prevalence(records, code_matrix, dimensions)
    out = prev[prev["dimension"] != "all"].drop(columns=["ci_low", "ci_high"]).copy()
    if out.empty:
        return pd.DataFrame(columns=Analysis().contrasts.columns)
    # "The others" are the people whose attribute is known: a record without a profile is
    # neither in the category nor among the people it is compared with.
    known = out.groupby(["dimension", "code"], sort=False)[["n", "count"]].transform("sum")
    total, m = known["n"].to_numpy(), known["count"].to_numpy()
    out["n_others"] = total - out["n"]
    out["count_others"] = m - out["count"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_others"] = np.where(out["n_others"] > 0,
                                       out["count_others"] / out["n_others"], np.nan)
        out["ratio"] = np.where(out["share_others"] > 0, out["share"] / out["share_others"],
                                np.where(out["share"] > 0, np.inf, np.nan))
    tv, p = hypergeom_test_value(out["count"], out["n"], m, total)
    out["test_value"], out["p_value"] = tv, p
    out["p_adjusted"] = np.nan
    for _, idx in out.groupby("dimension", sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = benjamini_hochberg(out.loc[idx, "p_value"].to_numpy())
    return out.reset_index(drop=True)


def select_findings(prev: pd.DataFrame, contr: pd.DataFrame, codebook: pd.DataFrame, *,
                    min_count: int = 5, alpha: float = 0.05, min_ratio: float = 1.5,
                    max_contrasts: int = 6, per_category: int = 1) -> pd.DataFrame:
    """The key findings: the most cited code of each main family, then the strongest contrasts.

    A contrast is kept when it is significant after correction (``p_adjusted < alpha``), the
    category raises the code at least ``min_ratio`` times as often as the others, and neither
    count behind the two shares is a small cell (1 to ``min_count - 1`` people), nor are the
    people of the category who do not raise the code (the published tables mask such a count:
    "11 of 12" points at the one who does not). At most one contrast per code and
    ``per_category`` per category, so the list covers ground; families take turns (needs, barriers, services, then the others), strongest first.

    Returns
    -------
    DataFrame
        One row per finding, ``finding`` numbered from 1: ``kind`` (``"top"`` or
        ``"contrast"``), ``dimension, category, code, family, n, count, share, n_others,
        count_others, share_others, ratio, test_value, p_adjusted``.
    """
    rows = []
    overall = prev[prev["dimension"] == "all"]
    fam_of = dict(zip(codebook["code"].astype(str), codebook["family"].astype(str), strict=True)) \
        if not codebook.empty else {}
    for family in ("service", "barrier", "need"):
        codes = family_codes(codebook, family)
        top = overall[overall["code"].isin(codes)].sort_values(["count", "code"],
                                                               ascending=[False, True])
        if len(top) and top.iloc[0]["count"] >= min_count:
            r = top.iloc[0]
            rows.append({"kind": "top", "dimension": "all", "category": "all", "code": r["code"],
                         "n": r["n"], "count": r["count"], "share": r["share"]})
    if len(contr):
        c = contr[(contr["p_adjusted"] < alpha) & (contr["test_value"] > 0)
                  & (contr["ratio"] >= min_ratio) & (contr["count"] >= min_count)
                  & ~small_cells(contr["count_others"], min_count)
                  & ~small_cells(contr["n"] - contr["count"], min_count)]
        c = c.sort_values(["test_value", "dimension", "category", "code"],
                          ascending=[False, True, True, True], kind="stable")
        # Needs first, then barriers, services and the other families, in turn: the findings
        # should say who needs what before who mentions which channel.
        canon = {f: k for k, al in FAMILY_ALIASES.items() for f in al}
        rank = {"need": 0, "barrier": 1, "service": 2}
        c = c.assign(_fam=c["code"].map(lambda x: canon.get(str(fam_of.get(x, "")).lower(),
                                                              str(fam_of.get(x, "")))))
        queues = {f: grp.to_dict("records") for f, grp in c.groupby("_fam", sort=False)}
        order = sorted(queues, key=lambda f: (rank.get(f, 3), -queues[f][0]["test_value"]))
        seen_code, per_cat, kept = set(), {}, 0
        while kept < max_contrasts and any(queues.values()):
            for fam in order:
                while queues[fam]:
                    r = queues[fam].pop(0)
                    # One finding per code: a profile's finding and its stakeholder group's
                    # would often say the same thing twice (profiles nest in groups).
                    key, cat = r["code"], (r["dimension"], r["category"])
                    if key in seen_code or per_cat.get(cat, 0) >= per_category:
                        continue
                    seen_code.add(key)
                    per_cat[cat] = per_cat.get(cat, 0) + 1
                    rows.append({"kind": "contrast", **{k: r[k] for k in (
                        "dimension", "category", "code", "n", "count", "share", "n_others",
                        "count_others", "share_others", "ratio", "test_value", "p_adjusted")}})
                    kept += 1
                    break
                if kept == max_contrasts:
                    break
    cols = ["finding", "kind", "dimension", "category", "code", "family", "n", "count", "share",
            "n_others", "count_others", "share_others", "ratio", "test_value", "p_adjusted"]
    out = pd.DataFrame(rows, columns=[c for c in cols if c not in ("finding", "family")])
    out.insert(0, "finding", np.arange(1, len(out) + 1))
    out.insert(5, "family", out["code"].map(fam_of))
    return out.reindex(columns=cols)


def evidence_quotes(findings: pd.DataFrame, records: pd.DataFrame, passages: pd.DataFrame,
                    *, n_quotes: int = 3, max_chars: int = 240) -> pd.DataFrame:
    """Up to ``n_quotes`` coded passages behind each finding, from different records.

    The passages are those of the finding's code, said by people of the finding's category;
    longer evidence first (more to read), then record order, so the choice is stable.
    """
    rows = []
    if passages.empty:
        return pd.DataFrame(columns=["finding", "rank", "record_id", "question_id", "text"])
    p = passages.assign(_len=passages["evidence"].astype(str).str.len())
    p = p[p["_len"] >= 40]
    used: set[tuple] = set()  # a sentence quoted for one finding is not quoted again
    for f in findings.itertuples(index=False):
        sel = p[p["code"] == f.code]
        if f.dimension != "all" and f.dimension in records:
            ids = records.loc[records[f.dimension].astype(str) == str(f.category), "record_id"]
            sel = sel[sel["record_id"].isin(set(ids.astype(str)))]
        sel = sel.assign(_score=(sel["_len"] - 160).abs())  # about two lines reads best
        sel = sel.sort_values(["_score", "record_id", "question_id", "start"], kind="stable")
        sel = sel[[(r, q, e) not in used for r, q, e in zip(
            sel["record_id"], sel["question_id"], sel["evidence"], strict=True)]]
        sel = sel.drop_duplicates("record_id").head(n_quotes)
        used.update(zip(sel["record_id"], sel["question_id"], sel["evidence"], strict=True))
        for rank, r in enumerate(sel.itertuples(index=False), 1):
            rows.append({"finding": f.finding, "rank": rank, "record_id": r.record_id,
                         "question_id": r.question_id,
                         "text": trim_quote(r.evidence, max_chars)})
    return pd.DataFrame(rows, columns=["finding", "rank", "record_id", "question_id", "text"])


def priority_table(prev: pd.DataFrame, codebook: pd.DataFrame, *, by: str | None = None,
                   families=("need", "barrier"), threshold: float = 0.25,
                   importance: dict | None = None, min_count: int = 5) -> pd.DataFrame:
    """Priority (materiality) matrix of codes: breadth across groups x strength.

    ``breadth`` is the share of the stakeholder categories of ``by`` (those of at least
    ``min_count`` people) in which at least ``threshold`` of the people, and at least
    ``min_count`` people, raise the code;
    ``prevalence`` is the share of all the people who raise it. ``x`` is the breadth; ``y`` is
    the analyst's importance score from the settings when one is given for the code, else the
    prevalence.

    Returns
    -------
    DataFrame
        ``code, family, breadth, n_groups, n_groups_total, prevalence, count, importance, x, y``.
    """
    importance = importance or {}
    if by is None:
        dims = set(prev["dimension"])
        by = "profile" if "profile" in dims else "stakeholder_group"
    codes = [c for fam in families for c in family_codes(codebook, fam)]
    fam_of = dict(zip(codebook["code"], codebook["family"], strict=True))
    overall = prev[(prev["dimension"] == "all")].set_index("code")
    part = prev[(prev["dimension"] == by) & (prev["n"] >= min_count)]
    n_groups_total = part["category"].nunique()
    rows = []
    for code in codes:
        if code not in overall.index:
            continue
        sub = part[part["code"] == code]
        # a share resting on fewer than min_count people is masked in the published tables:
        # counting it here would tell on which side of the threshold it lies
        n_groups = int(((sub["share"] >= threshold) & (sub["count"] >= min_count)).sum())
        imp = importance.get(code)
        rows.append({
            "code": code, "family": fam_of.get(code), "dimension": by,
            "breadth": n_groups / n_groups_total if n_groups_total else np.nan,
            "n_groups": n_groups, "n_groups_total": n_groups_total,
            "prevalence": float(overall.loc[code, "share"]),
            "count": int(overall.loc[code, "count"]),
            "importance": float(imp) if imp is not None else np.nan,
        })
    out = pd.DataFrame(rows, columns=["code", "family", "dimension", "breadth", "n_groups",
                                      "n_groups_total", "prevalence", "count", "importance"])
    out["x"] = out["breadth"]
    out["y"] = out["importance"].where(out["importance"].notna(), out["prevalence"]) \
        if importance else out["prevalence"]
    return out


