"""What changed between two waves: prevalence of each code, vocabulary, group sizes and the
stakeholders interviewed in both.

Prevalence of each code per wave with Wilson intervals and a test of the difference
(two-proportion z test, Fisher's exact test when an expected count is below 5), p-values adjusted
by Holm (or Benjamini-Hochberg), overall and per stakeholder group; emerging and fading
vocabulary; group sizes and moves in the reference typology; the changes of the stakeholders
interviewed in both waves.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats as st

from ..core.stats import benjamini_hochberg, holm, wilson_interval
from ..themes import group_order, specific_terms
from ._inputs import profile_records
from ._pool import ID_SEPARATOR

PREVALENCE_COLUMNS = [
    "dimension", "category", "code", "n_a", "count_a", "share_a", "ci_low_a", "ci_high_a",
    "n_b", "count_b", "share_b", "ci_low_b", "ci_high_b", "difference", "test", "p_value",
    "p_adjusted", "significant", "direction", "small_group",
]


def two_proportion_test(count_a, n_a, count_b, n_b) -> tuple[float, str]:
    """p-value of the difference between two proportions, and the test used.

    Fisher's exact test when an expected count of the 2 x 2 table is below 5, else the pooled
    two-proportion z test (the usual large-sample test). No variance at all: p = 1.
    """
    table = np.array([[count_a, n_a - count_a], [count_b, n_b - count_b]], dtype=float)
    if n_a <= 0 or n_b <= 0:
        return np.nan, ""
    total = table.sum()
    expected = table.sum(axis=1)[:, None] * table.sum(axis=0)[None, :] / total
    if expected.min() < 5:
        return float(st.fisher_exact(table.astype(int))[1]), "fisher"
    pooled = (count_a + count_b) / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return 1.0, "z"
    z = (count_b / n_b - count_a / n_a) / se
    return float(2 * st.norm.sf(abs(z))), "z"


def _correct(p, correction):
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = (holm if correction == "holm" else benjamini_hochberg)(p[ok])
    return out


def _categories(records_a, records_b, dim):
    """The categories of ``dim`` in either wave, wave A's order first."""
    values = [str(c) for r in (records_a, records_b) if dim in r for c in group_order(r[dim])]
    return list(dict.fromkeys(values))


def compare_prevalence(records_a, code_matrix_a, records_b, code_matrix_b, *,
                       by: Iterable[str] = ("stakeholder_group",), codes=None,
                       correction: str = "holm", alpha: float = 0.05,
                       small_group: int = 20) -> pd.DataFrame:
    """Prevalence of each code in two waves, its 95 % Wilson intervals, and the test of change.

    Parameters
    ----------
    records_a, code_matrix_a, records_b, code_matrix_b
        The two waves (code matrices 0/1, index ``record_id``).
    by : iterable of str
        Attributes to break the comparison down by (besides ``"all"``).
    codes : list of str, optional
        Codes to compare; those of both matrices by default (in the first one's order).
    correction : {"holm", "bh"}
        Adjustment of the p-values, within each dimension (``all`` is its own family).
    alpha : float
        Level below which an adjusted p-value is ``significant``.
    small_group : int
        A category with fewer people than this in either wave is flagged ``small_group``: its
        test has little power and its shares move a lot by chance.

    Returns
    -------
    DataFrame
        :data:`PREVALENCE_COLUMNS`; ``difference`` is ``share_b - share_a``; ``direction`` is
        ``"up"``, ``"down"`` or ``""`` (not significant). Counts are not masked here: the
        published tables mask them (:func:`mask_prevalence`).
    """
    if correction not in ("holm", "bh"):
        raise ValueError(f"unknown correction {correction!r}: use 'holm' or 'bh'")
    ca = code_matrix_a.copy()
    cb = code_matrix_b.copy()
    ca.index, cb.index = ca.index.astype(str), cb.index.astype(str)
    if codes is None:
        codes = [c for c in ca.columns if c in set(cb.columns)]
    ca = ca.reindex(index=records_a["record_id"].astype(str), columns=codes).fillna(0)
    cb = cb.reindex(index=records_b["record_id"].astype(str), columns=codes).fillna(0)
    parts = [("all", "all", np.ones(len(ca), bool), np.ones(len(cb), bool))]
    for dim in by:
        if dim not in records_a and dim not in records_b:
            continue
        va = records_a[dim].astype(object).to_numpy() if dim in records_a else None
        vb = records_b[dim].astype(object).to_numpy() if dim in records_b else None
        for cat in _categories(records_a, records_b, dim):
            sa = np.array([str(v) == cat for v in va]) if va is not None else np.zeros(len(ca), bool)
            sb = np.array([str(v) == cat for v in vb]) if vb is not None else np.zeros(len(cb), bool)
            parts.append((dim, cat, sa, sb))
    rows = []
    xa, xb = ca.to_numpy(dtype=float), cb.to_numpy(dtype=float)
    for dim, cat, sa, sb in parts:
        n_a, n_b = int(sa.sum()), int(sb.sum())
        count_a, count_b = xa[sa].sum(axis=0), xb[sb].sum(axis=0)
        for j, code in enumerate(codes):
            p, test = two_proportion_test(count_a[j], n_a, count_b[j], n_b)
            rows.append((dim, cat, str(code), n_a, int(count_a[j]), n_b, int(count_b[j]), test, p))
    out = pd.DataFrame(rows, columns=["dimension", "category", "code", "n_a", "count_a", "n_b",
                                      "count_b", "test", "p_value"])
    for w in ("a", "b"):
        n = out[f"n_{w}"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"share_{w}"] = np.where(n > 0, out[f"count_{w}"] / np.where(n > 0, n, 1), np.nan)
        low, high = wilson_interval(out[f"count_{w}"], out[f"n_{w}"])
        out[f"ci_low_{w}"], out[f"ci_high_{w}"] = low, high
    out["difference"] = out["share_b"] - out["share_a"]
    out["p_adjusted"] = np.nan
    for _, idx in out.groupby("dimension", sort=False).groups.items():
        out.loc[idx, "p_adjusted"] = _correct(out.loc[idx, "p_value"], correction)
    out["significant"] = (out["p_adjusted"] < alpha).fillna(False).astype(bool)
    out["direction"] = np.where(out["significant"],
                                np.where(out["difference"] > 0, "up", "down"), "")
    out["small_group"] = (out["n_a"] < small_group) | (out["n_b"] < small_group)
    out.loc[out["dimension"] == "all", "small_group"] = False
    return out[PREVALENCE_COLUMNS]


def mask_prevalence(table: pd.DataFrame, min_cell_count: int = 5) -> pd.DataFrame:
    """Blank the counts of 1 to ``min_cell_count - 1`` people of the per-category rows.

    The share and interval computed from a masked count are blanked too; the overall rows
    (``dimension == "all"``) are not a cross table and stay as they are.
    """
    out = table.copy()
    cross = (out["dimension"] != "all").to_numpy()
    for w in ("a", "b"):
        count = pd.to_numeric(out[f"count_{w}"], errors="coerce")
        hide = cross & (count > 0).to_numpy() & (count < min_cell_count).to_numpy()
        out[f"count_{w}"] = pd.array(count, dtype="Int64").copy()
        out.loc[hide, f"count_{w}"] = pd.NA
        for col in (f"share_{w}", f"ci_low_{w}", f"ci_high_{w}"):
            out[col] = out[col].astype("Float64")
            out.loc[hide, col] = pd.NA
        out[f"masked_{w}"] = hide
    either = out["masked_a"] | out["masked_b"]
    out["difference"] = out["difference"].astype("Float64").mask(either)
    return out




def vocabulary_shift(terms_a, terms_b, *, wave_a="A", wave_b="B", min_count=5, alpha=0.05,
                     top=20, correction="bh") -> pd.DataFrame:
    """Emerging and fading terms: specific vocabulary of the later wave against the pooled corpus.

    A term counts once per record (``specific_terms(unit="records")``): the share of the
    people of each wave who use it. ``emerging`` terms are over-represented in wave B,
    ``fading`` ones under-represented (i.e. over-represented in wave A).

    Returns
    -------
    DataFrame
        ``term, trend, count_a, share_a, count_b, share_b, test_value, p_value, p_adjusted``;
        at most ``top`` terms per trend with ``p_adjusted < alpha``, strongest first.
    """
    cols = ["term", "trend", "count_a", "share_a", "count_b", "share_b", "test_value",
            "p_value", "p_adjusted"]
    ta = terms_a.assign(record_id="a" + ID_SEPARATOR + terms_a["record_id"].astype(str))
    tb = terms_b.assign(record_id="b" + ID_SEPARATOR + terms_b["record_id"].astype(str))
    pooled = pd.concat([ta[["record_id", "terms"]], tb[["record_id", "terms"]]],
                       ignore_index=True)
    ids = pooled["record_id"].drop_duplicates()
    groups = pd.Series(np.where(ids.str.startswith("b" + ID_SEPARATOR), wave_b, wave_a),
                       index=ids.to_numpy())
    table = specific_terms(pooled, groups, min_count=min_count, correction=correction)
    if table.empty:
        return pd.DataFrame(columns=cols)
    b = table[table["group"] == wave_b].copy()
    docs = pooled.groupby("record_id")["terms"].agg(" ".join).str.strip()
    n_b = int((docs.index.str.startswith("b" + ID_SEPARATOR) & (docs.str.len() > 0)).sum())
    n_a = int((docs.str.len() > 0).sum()) - n_b
    b["count_b"] = b["count_in_group"]
    b["count_a"] = b["count_total"] - b["count_in_group"]
    b["share_b"] = b["count_b"] / max(n_b, 1)
    b["share_a"] = b["count_a"] / max(n_a, 1)
    b["trend"] = np.where(b["direction"] == "over", "emerging",
                          np.where(b["direction"] == "under", "fading", ""))
    b = b[(b["trend"] != "") & (b["p_adjusted"] < alpha)]
    b = b.assign(_s=-b["test_value"].abs()).sort_values(["trend", "_s", "term"])
    b = b.groupby("trend", sort=False).head(top)
    return b.loc[:, cols].reset_index(drop=True)




def group_sizes(groups_a: pd.Series, groups_b: pd.Series, *, labels=None,
                far_b: pd.Series | None = None) -> tuple[pd.DataFrame, dict]:
    """Size of each reference group in both waves, and a chi-square test of the change in mix.

    Returns
    -------
    (DataFrame, dict)
        ``group, label, n_a, share_a, n_b, share_b, difference, far_b`` and the test
        ``{"chi2", "dof", "p_value", "small_expected"}`` (the share of expected counts below 5).
    """
    labels = labels or {}
    ids = sorted(set(groups_a.dropna().astype(int)) | set(groups_b.dropna().astype(int)))
    na = groups_a.dropna().astype(int).value_counts().reindex(ids, fill_value=0)
    nb = groups_b.dropna().astype(int).value_counts().reindex(ids, fill_value=0)
    out = pd.DataFrame({"group": ids, "label": [labels.get(g, str(g)) for g in ids],
                        "n_a": na.to_numpy(), "n_b": nb.to_numpy()})
    out["share_a"] = out["n_a"] / max(int(na.sum()), 1)
    out["share_b"] = out["n_b"] / max(int(nb.sum()), 1)
    out["difference"] = out["share_b"] - out["share_a"]
    if far_b is not None:
        far = far_b.groupby(groups_b.astype(int)).sum().reindex(ids, fill_value=0)
        out["far_b"] = far.to_numpy().astype(int)
    out = out[["group", "label", "n_a", "share_a", "n_b", "share_b", "difference",
               *(["far_b"] if far_b is not None else [])]]
    test = {"chi2": np.nan, "dof": 0, "p_value": np.nan, "small_expected": np.nan}
    table = out[["n_a", "n_b"]].to_numpy().T
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] > 1 and (table.sum(axis=1) > 0).all():
        chi2, p, dof, expected = st.chi2_contingency(table)
        test = {"chi2": float(chi2), "dof": int(dof), "p_value": float(p),
                "small_expected": float((expected < 5).mean())}
    return out, test


def reinterviewed(records_a, records_b) -> list[str]:
    """Ids present in both waves (the stakeholders interviewed again), in wave B's order."""
    ids_a = set(records_a["record_id"].astype(str))
    return [i for i in records_b["record_id"].astype(str) if i in ids_a]


def reinterview_changes(records_a, code_matrix_a, records_b, code_matrix_b, *,
                        attributes=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What changed for each stakeholder interviewed in both waves.

    Parameters
    ----------
    attributes : list of str, optional
        Attributes compared; those of both waves by default (ids and helper columns excluded).

    Returns
    -------
    (DataFrame, DataFrame)
        Attribute changes ``record_id, attribute, value_a, value_b`` (changed values only, NA on
        both sides is no change) and code changes ``record_id, code, change`` (``gained`` or
        ``lost``). Per-person tables: for the analyst, not for publication.
    """
    ids = reinterviewed(records_a, records_b)
    ra = profile_records(records_a).assign(record_id=records_a["record_id"].astype(str))
    rb = profile_records(records_b).assign(record_id=records_b["record_id"].astype(str))
    ra, rb = ra.set_index("record_id").loc[ids], rb.set_index("record_id").loc[ids]
    if attributes is None:
        attributes = [c for c in ra.columns if c in rb.columns and c != "date"]
    rows = []
    for col in attributes:
        va = ra[col].astype(object).where(ra[col].notna(), None)
        vb = rb[col].astype(object).where(rb[col].notna(), None)
        for rid, x, y in zip(ids, va, vb, strict=True):
            if (None if x is None else str(x)) != (None if y is None else str(y)):
                rows.append((rid, col, x, y))
    attr = pd.DataFrame(rows, columns=["record_id", "attribute", "value_a", "value_b"])
    for c in ("value_a", "value_b"):
        attr[c] = attr[c].map(lambda v: None if v is None else str(v)).astype("str")
    ca, cb = code_matrix_a.copy(), code_matrix_b.copy()
    ca.index, cb.index = ca.index.astype(str), cb.index.astype(str)
    codes = [c for c in ca.columns if c in set(cb.columns)]
    xa = ca.reindex(index=ids, columns=codes).fillna(0).to_numpy(dtype=int)
    xb = cb.reindex(index=ids, columns=codes).fillna(0).to_numpy(dtype=int)
    rows = []
    for i, rid in enumerate(ids):
        for j, code in enumerate(codes):
            if xa[i, j] != xb[i, j]:
                rows.append((rid, str(code), "gained" if xb[i, j] else "lost"))
    changes = pd.DataFrame(rows, columns=["record_id", "code", "change"])
    return attr, changes


def summarise_reinterviews(attr_changes, code_changes, ids, *, attributes, codes,
                           moves: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Aggregate the per-person changes into publishable tables.

    Returns
    -------
    (DataFrame, DataFrame)
        Per attribute: ``attribute, n, n_changed, share_changed`` (plus the typology group as
        ``typology_group`` when ``moves`` is given: its ``changed`` column per id); per code:
        ``code, n, n_gained, n_lost, net, p_value`` (exact McNemar test on the gains and losses).
    """
    n = len(ids)
    rows = []
    for col in attributes:
        k = int((attr_changes["attribute"] == col).sum())
        rows.append((col, n, k, k / n if n else np.nan))
    if moves is not None and len(moves):
        k = int(moves["changed"].sum())
        rows.append(("typology_group", int(len(moves)), k, k / len(moves)))
    attrs = pd.DataFrame(rows, columns=["attribute", "n", "n_changed", "share_changed"])
    rows = []
    for code in codes:
        sel = code_changes[code_changes["code"] == code]
        gained, lost = int((sel["change"] == "gained").sum()), int((sel["change"] == "lost").sum())
        p = st.binomtest(gained, gained + lost, 0.5).pvalue if gained + lost else 1.0
        rows.append((code, n, gained, lost, gained - lost, float(p)))
    codes_t = pd.DataFrame(rows, columns=["code", "n", "n_gained", "n_lost", "net", "p_value"])
    return attrs, codes_t


