"""Correspondence analysis (CA), multiple correspondence analysis (MCA) and the typology map.

Implemented on a singular value decomposition of the standardised residuals
``S = D_r^{-1/2} (P - r c^T) D_c^{-1/2}`` (Greenacre, *Correspondence Analysis in Practice*),
with the usual outputs: principal and standard coordinates, masses, contributions, squared
cosines, supplementary points. MCA is the CA of the indicator (complete disjunctive) matrix,
with Benzécri's or Greenacre's correction of the inertia shares as options.

Signs of the axes are arbitrary in any CA; here each axis is oriented so that the column with
the largest absolute standard coordinate is positive, so that a rerun gives the same map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import BLOCK, fit_rows
from ..themes import group_order
from ._features import code_family, infer_attribute_types, split_multi
from ._labels import code_label


@dataclass
class CAResult:
    """Result of :func:`correspondence_analysis` (rows and columns indexed by their labels).

    ``eigenvalues`` are the principal inertias of all non-trivial axes; the coordinate,
    contribution and cos2 tables keep ``n_components`` axes named ``dim1, dim2, ...``.
    ``contrib`` is each point's share of an axis' inertia (columns sum to 1).
    """

    eigenvalues: np.ndarray
    total_inertia: float
    row_masses: pd.Series
    col_masses: pd.Series
    row_coords: pd.DataFrame
    col_coords: pd.DataFrame
    row_standard: pd.DataFrame
    col_standard: pd.DataFrame
    row_contrib: pd.DataFrame
    col_contrib: pd.DataFrame
    row_cos2: pd.DataFrame
    col_cos2: pd.DataFrame

    @property
    def explained(self):
        """Share of the total inertia of each axis."""
        return self.eigenvalues / self.total_inertia

    def project_rows(self, table):
        """Principal coordinates of supplementary rows (counts over the same columns)."""
        table = pd.DataFrame(table).reindex(columns=self.col_standard.index, fill_value=0)
        profiles = table.div(table.sum(axis=1).replace(0, np.nan), axis=0)
        return profiles.fillna(0.0) @ self.col_standard

    def project_columns(self, table):
        """Principal coordinates of supplementary columns (counts over the same rows)."""
        table = pd.DataFrame(table).reindex(index=self.row_standard.index, fill_value=0)
        profiles = table.div(table.sum(axis=0).replace(0, np.nan), axis=1)
        return profiles.fillna(0.0).T @ self.row_standard


def correspondence_analysis(table, n_components=None):
    """Correspondence analysis of a contingency table.

    Parameters
    ----------
    table : DataFrame or array-like
        Non-negative counts (rows x columns). Rows or columns summing to zero are dropped.
    n_components : int, optional
        Axes kept in the coordinate tables; all non-trivial axes by default.

    Returns
    -------
    CAResult
    """
    table = pd.DataFrame(table).astype(float)
    if (table.to_numpy() < 0).any():
        raise ValueError("a contingency table cannot hold negative counts")
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    n = table.to_numpy().sum()
    if n == 0 or min(table.shape) < 2:
        raise ValueError("correspondence analysis needs at least 2 non-empty rows and columns")
    p = table.to_numpy() / n
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sv, vt = np.linalg.svd(s, full_matrices=False)
    rank = int(np.sum(sv > 1e-10 * max(sv[0], 1e-300)))
    rank = min(rank, min(table.shape) - 1)
    u, sv, v = u[:, :rank], sv[:rank], vt[:rank].T
    flip = np.sign(v[np.abs(v).argmax(axis=0), np.arange(rank)])
    u, v = u * flip, v * flip
    eig = sv**2
    k = rank if n_components is None else min(int(n_components), rank)
    dims = [f"dim{i + 1}" for i in range(k)]

    def frame(values, index):
        return pd.DataFrame(values[:, :k], index=index, columns=dims)

    row_std, col_std = u / np.sqrt(r)[:, None], v / np.sqrt(c)[:, None]
    row_pc, col_pc = row_std * sv, col_std * sv
    with np.errstate(invalid="ignore", divide="ignore"):
        row_cos2 = row_pc**2 / (row_pc**2).sum(axis=1, keepdims=True)
        col_cos2 = col_pc**2 / (col_pc**2).sum(axis=1, keepdims=True)
    return CAResult(
        eigenvalues=eig,
        total_inertia=float((s**2).sum()),
        row_masses=pd.Series(r, index=table.index),
        col_masses=pd.Series(c, index=table.columns),
        row_coords=frame(row_pc, table.index),
        col_coords=frame(col_pc, table.columns),
        row_standard=frame(row_std, table.index),
        col_standard=frame(col_std, table.columns),
        row_contrib=frame(r[:, None] * row_std**2, table.index),
        col_contrib=frame(c[:, None] * col_std**2, table.columns),
        row_cos2=frame(np.nan_to_num(row_cos2), table.index),
        col_cos2=frame(np.nan_to_num(col_cos2), table.columns),
    )


def indicator_matrix(data, types=None):
    """Complete disjunctive table of categorical variables (one 0/1 column per category).

    Parameters
    ----------
    data : DataFrame
        One row per individual.
    types : dict, optional
        ``{column: "categorical" | "ordinal" | "multi"}``; inferred from dtypes by default.
        A multi-select column becomes one yes/no variable per option (``"col=option"`` and
        ``"col=option:non"``); a missing value is a category of its own (``"col=NA"``), as in
        FactoMineR, so that every individual has exactly one category per variable.

    Returns
    -------
    indicator : DataFrame
        0/1 columns named ``"variable=category"``.
    variables : Series
        The variable of each indicator column.
    """
    types = types or infer_attribute_types(data)
    columns, variables = {}, {}
    for col, kind in types.items():
        if kind == "numeric":
            continue
        s = data[col]
        if kind == "multi":
            options = split_multi(s)
            for opt in sorted({o for opts in options if opts for o in opts}):
                yes = np.array([o is not None and opt in o for o in options], dtype=float)
                na = np.array([o is None for o in options], dtype=float)
                var = f"{col}={opt}"
                columns[var], columns[f"{var}:non"] = yes, 1.0 - yes - na
                variables[var] = variables[f"{var}:non"] = var
                if na.any():
                    columns[f"{var}:NA"], variables[f"{var}:NA"] = na, var
            continue
        values = s.astype(object).where(s.notna(), None)
        levels = (
            list(s.cat.categories)
            if isinstance(s.dtype, pd.CategoricalDtype)
            else sorted(s.dropna().astype(str).unique())
        )
        for level in levels:
            name = f"{col}={level}"
            columns[name] = np.array(
                [v is not None and str(v) == str(level) for v in values], float
            )
            variables[name] = col
        if s.isna().any():
            columns[f"{col}=NA"], variables[f"{col}=NA"] = s.isna().to_numpy(float), col
    indicator = pd.DataFrame(columns, index=data.index)
    keep = indicator.sum(axis=0) > 0
    return indicator.loc[:, keep], pd.Series(variables)[keep[keep].index]


@dataclass
class MCAResult:
    """CA of the indicator matrix plus the number of variables and the corrected shares."""

    ca: CAResult
    n_variables: int
    variables: pd.Series
    corrected_eigenvalues: np.ndarray
    corrected_explained: np.ndarray


def multiple_correspondence_analysis(data, types=None, *, n_components=None, correction=None):
    """Multiple correspondence analysis (CA of the indicator matrix).

    Parameters
    ----------
    data : DataFrame
        Individuals x categorical variables (see :func:`indicator_matrix` for the types).
    types : dict, optional
    n_components : int, optional
    correction : {None, "benzecri", "greenacre"}
        The raw inertia shares of an MCA are pessimistic. Benzécri: for the axes with
        ``λ > 1/Q``, ``λ' = (Q/(Q-1))² (λ - 1/Q)²``, shares relative to their sum. Greenacre:
        the same ``λ'`` relative to the adjusted total inertia
        ``Q/(Q-1) (Σλ² - (J-Q)/Q²)``. With ``None`` the corrected columns repeat the raw ones.

    Returns
    -------
    MCAResult
    """
    indicator, variables = indicator_matrix(data, types)
    q = variables.nunique()
    ca = correspondence_analysis(indicator, n_components=n_components)
    eig = ca.eigenvalues
    corrected, shares = eig.copy(), ca.explained.copy()
    if correction is not None:
        if correction not in ("benzecri", "greenacre"):
            raise ValueError(f"unknown correction {correction!r}: use 'benzecri' or 'greenacre'")
        if q < 2:
            raise ValueError("the corrections need at least two variables")
        corrected = np.where(eig > 1 / q, (q / (q - 1)) ** 2 * (eig - 1 / q) ** 2, 0.0)
        if correction == "benzecri":
            total = corrected.sum()
        else:
            j = indicator.shape[1]
            total = q / (q - 1) * ((eig**2).sum() - (j - q) / q**2)
        shares = corrected / total if total > 0 else corrected
    return MCAResult(ca, q, variables, corrected, shares)


@dataclass
class TypologyMap:
    """Points of a factor map: profile categories and codes (active) and groups.

    ``points`` columns: ``kind`` (``"category"``, ``"code"`` or ``"group"``), ``variable``,
    ``label``, ``dim1``, ``dim2``, ``count``, ``contrib`` (share of each axis, active points
    only), ``cos2`` (quality on the plane), ``supplementary``. ``axes``: ``axis, eigenvalue,
    inertia_share, corrected_share``. ``records``: the individuals' coordinates.
    """

    points: pd.DataFrame
    axes: pd.DataFrame
    records: pd.DataFrame
    mca: MCAResult


def typology_map(
    records,
    groups=None,
    *,
    code_matrix=None,
    attributes=None,
    families=None,
    active=("profile", "codes"),
    codebook_labels=None,
    correction="benzecri",
    max_records=None,
):
    """MCA map of profile categories and coded themes, with the groups as barycentres.

    Parameters
    ----------
    records : DataFrame
        ``record_id`` + attributes.
    groups : Series, optional
        ``record_id`` -> group; placed as supplementary categories (the barycentre of their
        members, on the scale of the categories).
    code_matrix : DataFrame, optional
        Each code becomes a yes/no variable; only its "yes" point is returned.
    attributes : dict or list, optional
        Profile attributes and types (numeric ones are ignored); inferred by default.
    families : list of str, optional
        Code families on the map; all by default.
    active : tuple of {"profile", "codes"}
        What defines the axes. The other part is projected as supplementary.
    codebook_labels : dict, optional
        ``code -> label`` for the code points.
    correction : {None, "benzecri", "greenacre"}
    max_records : int, optional
        A wave of more records is mapped (axes, coordinates, the groups' barycentres) from about
        this many drawn by key whatever their order; the points' counts are still those of
        every record. None: every record.

    Returns
    -------
    TypologyMap
        ``records``: the coordinates of the records the map was computed on.
    """
    types = (
        attributes if isinstance(attributes, dict) else infer_attribute_types(records, attributes)
    )
    types = {c: t for c, t in types.items() if t != "numeric"}
    counted = None
    sample = fit_rows(records.loc[:, ["record_id"]], max_records)
    if sample is not None:
        counted = _full_counts(records, groups, code_matrix, types, families)
        records = records.iloc[sample]
    ids = records["record_id"].astype(str)
    profile = records[list(types)].set_axis(ids)
    codes = pd.DataFrame(index=ids)
    if code_matrix is not None:
        cm = code_matrix.copy()
        cm.index = cm.index.astype(str)
        cols = [c for c in cm.columns if families is None or code_family(c) in families]
        codes = cm.reindex(ids)[cols].fillna(0).astype(int)
    code_data = _yes_no(codes)
    parts, part_types = [], {}
    if "profile" in active:
        parts.append(profile)
        part_types.update(types)
    if "codes" in active and codes.shape[1]:
        parts.append(code_data)
        part_types.update({c: "categorical" for c in codes.columns})
    if not parts:
        raise ValueError("nothing active on the map: check `active`, attributes and codes")
    mca = multiple_correspondence_analysis(
        pd.concat(parts, axis=1), part_types, n_components=2, correction=correction
    )
    ca = mca.ca
    dims = list(ca.col_coords.columns[:2])
    plane = ca.col_cos2[dims].sum(axis=1)
    contrib = ca.col_contrib[dims]
    pts = []
    for name in ca.col_coords.index:
        var, _, cat = name.partition("=")
        is_code = var in codes.columns
        if (is_code and cat != "oui") or cat.endswith((":non", ":NA")):
            continue  # the "no" side of yes/no variables stays active but is not drawn
        pts.append(
            {
                "kind": "code" if is_code else "category",
                "variable": var,
                "label": code_label(var, codebook_labels) if is_code else cat,
                **ca.col_coords.loc[name, dims].to_dict(),
                "count": int(round(ca.col_masses[name] * len(ids) * mca.n_variables)),
                "contrib": float(contrib.loc[name].max()),
                "cos2": float(plane[name]),
                "supplementary": False,
            }
        )
    supplementary = {}
    if "codes" not in active:
        supplementary.update({(("code", c), c): codes[c] == 1 for c in codes.columns})
    if "profile" not in active:
        ind, variables = indicator_matrix(profile, types)
        supplementary.update({(("category", variables[c]), c): ind[c] == 1 for c in ind})
    if groups is not None:
        g = pd.Series(groups)
        g.index = g.index.astype(str)
        g = g.reindex(ids)
        for grp in group_order(g):
            supplementary[(("group", "group"), grp)] = (g == grp).to_numpy()
    row_std = ca.row_standard[dims]
    for ((kind, var), name), members in supplementary.items():
        members = np.asarray(members, dtype=bool)
        if not members.any():
            continue
        coords = row_std[members].mean(axis=0)
        label = name
        if kind == "code":
            label = code_label(name, codebook_labels)
        elif kind == "category":
            label = str(name).partition("=")[2]
        pts.append(
            {
                "kind": kind, "variable": var, "label": label, **coords.to_dict(),
                "count": int(members.sum()), "contrib": np.nan,
                "cos2": np.nan, "supplementary": True,
            }
        )  # fmt: skip
    points = pd.DataFrame(pts)
    if counted is not None:  # the counts of the whole wave, not of the sample
        points["count"] = [int(counted.get(_count_key(p), 0)) for p in pts]
    axes = pd.DataFrame(
        {
            "axis": [f"dim{i + 1}" for i in range(len(ca.eigenvalues))],
            "eigenvalue": ca.eigenvalues,
            "inertia_share": ca.explained,
            "corrected_share": mca.corrected_explained,
        }
    )
    rec = ca.row_coords[dims].copy()
    rec.index.name = "record_id"
    return TypologyMap(points=points, axes=axes, records=rec, mca=mca)


def _yes_no(codes):
    """Each code as a yes/no variable ("oui" / "non")."""
    return codes.apply(lambda s: s.map({1: "oui", 0: "non"})).astype(object)


def _count_key(point):
    """The name under which :func:`_full_counts` counts a point of the map."""
    kind, var, label = point["kind"], point["variable"], point["label"]
    if kind == "group":
        return ("group", label)
    return ("column", f"{var}=oui" if kind == "code" else f"{var}={label}")


def _full_counts(records, groups, code_matrix, types, families) -> dict:
    """Records of every category, code and group of the whole wave, a block at a time."""
    counts: dict = {}
    ids = records["record_id"].astype(str)
    cm = None
    if code_matrix is not None:
        cm = code_matrix.copy(deep=False)
        cm.index = cm.index.astype(str)
        cm = cm.loc[:, [c for c in cm.columns if families is None or code_family(c) in families]]
    for start in range(0, len(records), BLOCK):
        block_ids = ids.iloc[start:start + BLOCK]
        parts, part_types = [records[list(types)].iloc[start:start + BLOCK].set_axis(block_ids)], \
            dict(types)
        if cm is not None and cm.shape[1]:
            parts.append(_yes_no(cm.reindex(block_ids).fillna(0).astype(int)))
            part_types.update({c: "categorical" for c in cm.columns})
        indicator, _ = indicator_matrix(pd.concat(parts, axis=1), part_types)
        for name, n in indicator.sum().items():
            counts[("column", name)] = counts.get(("column", name), 0) + int(round(n))
    if groups is not None:
        g = pd.Series(groups)
        g.index = g.index.astype(str)
        for grp, n in g.reindex(ids).value_counts().items():
            counts[("group", grp)] = int(n)
    return counts
