"""Carrying the typology of a reference wave over to later waves.

:class:`ReferenceTypology` freezes the groups of a reference wave: the feature space it was
built in (attributes, codes and text, with their scales) and the centre of each group. A later
wave's records are *assigned* to the nearest centre, with their distance to it and a ``far`` flag
when they are farther than the ``far_quantile`` (95 %) of the reference records' distances to
their own centre: such a record fits no group of the reference well (a new kind of stakeholder,
or a new need). On request the typology is *refitted* on the new wave and its groups are matched
to the reference ones (:func:`refit_and_match`: Hungarian assignment on the distances between
centres, in the reference feature space), so that a group keeps its number and label; a new
group gets a new number, and a reference group that found no match is reported as vanished.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, clone

from ..typology import FEATURE_PARAMS, FeatureBuilder, Typology, feature_builder_from_settings
from ._inputs import _code_matrix, _group_labels, _terms, profile_records, wave_name


class ReferenceTypology(BaseEstimator):
    """The groups of a reference wave, frozen so that later waves can be assigned to them.

    A meta-estimator over a :class:`~dialogue_analysis.typology.FeatureBuilder`: :meth:`fit`
    fits a clone of ``feature_builder`` on the reference wave and places each group's centre
    in that feature space.

    Parameters
    ----------
    feature_builder : FeatureBuilder, optional
        The (unfitted) feature space of the typology that made the groups; a default
        ``FeatureBuilder()`` when None. :meth:`from_settings` builds the one of a run's settings,
        :meth:`from_typology` freezes a fitted typology as it is.
    far_quantile : float
        A new record is ``far`` when its distance to the nearest centre exceeds this quantile
        of the reference records' distances to their own group's centre.

    Attributes
    ----------
    feature_builder_ : FeatureBuilder
        The fitted feature builder.
    centers_ : DataFrame
        Centre of each group (index: group number) in the reference feature space.
    labels_ : Series
        Group of each reference record.
    fit_distances_ : Series
        Distance of each reference record to its own group's centre.
    threshold_ : float
        The ``far_quantile`` of ``fit_distances_``.
    radius_ : float
        Median of ``fit_distances_``: the typical distance of a record to its centre, the
        default tolerance when matching refitted groups.
    group_labels_ : dict
        group -> label (the analyst's or the automatic one), carried to later waves.
    """

    def __init__(self, feature_builder=None, far_quantile=0.95):
        self.feature_builder = feature_builder
        self.far_quantile = far_quantile

    def fit(self, records, code_matrix=None, terms=None, *, groups, group_labels=None):
        """Build the reference feature space and the centre of each group. Returns self.

        Parameters
        ----------
        records, code_matrix, terms
            The reference wave's tables (as for :meth:`Typology.fit`).
        groups : Series or mapping
            ``record_id`` -> group number (e.g. ``records["typology_group"]`` indexed by id).
        group_labels : dict, optional
            group -> label.
        """
        self.feature_builder_ = (FeatureBuilder() if self.feature_builder is None
                                 else clone(self.feature_builder))
        features = self.feature_builder_.fit_transform(profile_records(records), code_matrix,
                                                       terms)
        return self._set_groups(features, groups, group_labels)

    @classmethod
    def from_settings(cls, settings, records, attributes=None, far_quantile=0.95):
        """An unfitted reference in the feature space a run's settings describe.

        ``settings`` are the run's (``seed``, ``typology_attributes``, ``typology_blocks``,
        ``typology_weights``), ``attributes`` the declared attributes table: the features are
        those the run clustered on (:func:`~dialogue_analysis.typology.feature_builder_from_settings`).
        """
        builder = feature_builder_from_settings(settings or {}, profile_records(records),
                                                attributes)
        return cls(feature_builder=builder, far_quantile=far_quantile)

    @classmethod
    def from_typology(cls, typology, far_quantile=0.95, group_labels=None):
        """Freeze a fitted :class:`~dialogue_analysis.typology.Typology` (no refitting)."""
        ref = cls(feature_builder=clone(typology.feature_builder_), far_quantile=far_quantile)
        ref.feature_builder_ = typology.feature_builder_
        return ref._set_groups(typology.features_, typology.labels_, group_labels)

    @classmethod
    def from_wave(cls, wave, far_quantile=0.95, random_state=None):
        """Freeze the typology of an analysed wave (``records["typology_group"]``).

        The feature space is rebuilt from the wave's settings and declared attributes, as its
        analysis built it (:meth:`from_settings`), so the centres are those of the published
        groups. ``random_state`` overrides the run's seed.
        """
        if "typology_group" not in wave.records:
            raise ValueError(f"wave {wave_name(wave)!r} has no typology_group column: "
                             "fit a Typology and use ReferenceTypology.from_typology")
        settings = dict(getattr(wave, "settings", None) or {})
        if random_state is not None:
            settings["seed"] = random_state
        ref = cls.from_settings(settings, wave.records, getattr(wave, "attributes", None),
                                far_quantile=far_quantile)
        groups = pd.Series(wave.records["typology_group"].to_numpy(),
                           index=wave.records["record_id"].astype(str))
        return ref.fit(wave.records, _code_matrix(wave), _terms(wave), groups=groups,
                       group_labels=_group_labels(wave))

    def _set_groups(self, features, groups, group_labels):
        groups = pd.Series(groups)
        groups.index = groups.index.astype(str)
        g = groups.reindex(features.index)
        keep = g.notna().to_numpy()
        g = g[keep].astype(int)
        self.centers_ = features[keep].groupby(g.to_numpy()).mean()
        self.centers_.index.name = "group"
        self.labels_ = g.rename("group")
        own = self.centers_.loc[g.to_numpy()].to_numpy()
        d = np.sqrt(((features[keep].to_numpy() - own) ** 2).sum(axis=1))
        self.fit_distances_ = pd.Series(d, index=features.index[keep], name="distance")
        self.threshold_ = float(np.quantile(d, self.far_quantile)) if len(d) else np.inf
        self.radius_ = float(np.median(d)) if len(d) else np.inf
        self.group_labels_ = dict(group_labels or {})
        return self

    def _check_fitted(self):
        if not hasattr(self, "centers_"):
            raise RuntimeError("fit the reference typology first")

    def features(self, records, code_matrix=None, terms=None) -> pd.DataFrame:
        """Records of any wave in the reference feature space (unknown attributes ignored)."""
        self._check_fitted()
        records = profile_records(records)
        missing = [c for c in self.feature_builder_.attribute_types_ if c not in records]
        if missing:  # an attribute the later wave does not have: imputed at the centre
            records = records.assign(**{c: pd.NA for c in missing})
        return self.feature_builder_.transform(records, code_matrix, terms)

    def transform(self, records, code_matrix=None, terms=None) -> pd.DataFrame:
        """Distance of each record to each reference group centre (columns: group numbers)."""
        feats = self.features(records, code_matrix, terms).to_numpy()
        centres = self.centers_.to_numpy()
        dist = np.sqrt(((feats[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
        index = pd.Index(records["record_id"].astype(str), name="record_id")
        return pd.DataFrame(dist, index=index, columns=self.centers_.index)

    def assign(self, records, code_matrix=None, terms=None) -> pd.DataFrame:
        """Nearest reference group of each record, its distance, and whether it is far.

        Returns
        -------
        DataFrame
            Indexed by ``record_id``: ``group``, ``label``, ``distance``, ``far`` (distance
            above ``threshold_``), ``runner_up`` (second nearest group) and ``margin``
            (distance to the runner-up minus distance to the group: small means ambiguous).
        """
        dist = self.transform(records, code_matrix, terms)
        values = dist.to_numpy()
        order = np.argsort(values, axis=1, kind="stable")  # ties: the smaller group number
        rows = np.arange(len(values))
        groups = dist.columns.to_numpy()
        best = values[rows, order[:, 0]]
        out = pd.DataFrame({
            "group": groups[order[:, 0]].astype(int),
            "label": [self.group_labels_.get(int(g), str(g)) for g in groups[order[:, 0]]],
            "distance": best,
            "far": best > self.threshold_,
        }, index=dist.index)
        if values.shape[1] > 1:
            out["runner_up"] = groups[order[:, 1]].astype(int)
            out["margin"] = values[rows, order[:, 1]] - best
        else:
            out["runner_up"] = out["group"]
            out["margin"] = np.inf
        return out


def match_groups(reference_centers: pd.DataFrame, new_centers: pd.DataFrame, *,
                 max_distance: float = np.inf) -> pd.DataFrame:
    """Match new groups to reference groups, one to one (Hungarian assignment on distances).

    Parameters
    ----------
    reference_centers, new_centers : DataFrame
        Group centres in one feature space (index: group numbers; same columns).
    max_distance : float
        A pair farther apart than this is not a match: the new group is ``"new"`` and the
        reference group ``"vanished"``.

    Returns
    -------
    DataFrame
        ``reference_group, new_group, distance, status`` (``matched``, ``new``, ``vanished``);
        matched pairs first, in reference order.
    """
    ref = reference_centers.to_numpy(dtype=float)
    new = new_centers.reindex(columns=reference_centers.columns).to_numpy(dtype=float)
    cost = np.sqrt(((new[:, None, :] - ref[None, :, :]) ** 2).sum(axis=2))
    return _assignment(cost, new_centers.index, reference_centers.index,
                       accept=lambda c: c <= max_distance, value_name="distance")


def match_labels(reference: pd.Series, new: pd.Series, *, min_overlap: float = 0.5):
    """Match two partitions of the same records by co-membership (Jaccard overlap).

    Use it when both labelings cover the same people (a wave analysed twice, a pooled analysis
    against each wave's own). A pair whose Jaccard index is below ``min_overlap`` is no match.

    Returns
    -------
    DataFrame
        ``reference_group, new_group, overlap, status``.
    """
    common = reference.index.intersection(new.index)
    a, b = reference.loc[common].astype(int), new.loc[common].astype(int)
    ra, nb = np.unique(a), np.unique(b)
    both = pd.crosstab(b, a).reindex(index=nb, columns=ra, fill_value=0).to_numpy(dtype=float)
    size_a = np.array([(a == g).sum() for g in ra], dtype=float)
    size_b = np.array([(b == g).sum() for g in nb], dtype=float)
    jaccard = both / (size_b[:, None] + size_a[None, :] - both)
    return _assignment(-jaccard, pd.Index(nb), pd.Index(ra),
                       accept=lambda c: -c >= min_overlap, value_name="overlap", negate=True)


def _assignment(cost, new_index, ref_index, *, accept, value_name, negate=False):
    rows, cols = linear_sum_assignment(cost) if cost.size else ([], [])
    out, used_new, used_ref = [], set(), set()
    for r, c in sorted(zip(rows, cols, strict=True), key=lambda rc: rc[1]):
        if accept(cost[r, c]):
            value = -cost[r, c] if negate else cost[r, c]
            out.append((int(ref_index[c]), int(new_index[r]), float(value), "matched"))
            used_new.add(r)
            used_ref.add(c)
    for r in range(len(new_index)):
        if r not in used_new:
            best = (-cost[r].max() if negate else cost[r].min()) if cost.shape[1] else np.nan
            out.append((pd.NA, int(new_index[r]), float(best), "new"))
    for c in range(len(ref_index)):
        if c not in used_ref:
            out.append((int(ref_index[c]), pd.NA, np.nan, "vanished"))
    table = pd.DataFrame(out, columns=["reference_group", "new_group", value_name, "status"])
    for col in ("reference_group", "new_group"):
        table[col] = table[col].astype("Int64")
    return table


@dataclass
class RefitResult:
    """A typology refitted on a new wave, its groups renumbered to match the reference.

    Attributes
    ----------
    labels : Series
        ``record_id`` -> stable group number: the matched reference group's number, or a new
        number (after the largest reference number, by decreasing size) for a new group.
    matching : DataFrame
        ``group`` (stable number), ``reference_group``, ``new_group`` (as the refit numbered
        it), ``distance``, ``status`` (``matched``, ``new``, ``vanished``), ``label``, ``size``.
    typology : Typology
        The refitted typology (its own numbering).
    """

    labels: pd.Series
    matching: pd.DataFrame
    typology: Any


def refit_and_match(reference: ReferenceTypology, records, code_matrix=None, terms=None, *,
                    typology=None, max_distance=None, **typology_params) -> RefitResult:
    """Refit the typology on a (new) wave and carry the reference numbers and labels over.

    Parameters
    ----------
    reference : ReferenceTypology
    records, code_matrix, terms
        The wave to refit on.
    typology : Typology, optional
        An unfitted typology to use; else ``Typology(**typology_params)`` with the reference's
        feature parameters, seed and number of groups (pass ``n_clusters="auto"`` to choose k
        anew on the wave).
    max_distance : float, optional
        Largest distance between a new centre and a reference centre, in the reference feature
        space, for the two groups to be "the same"; ``reference.radius_`` (the median distance of
        a reference record to its centre) by default.
    """
    if typology is None:
        # Same k as the reference unless told otherwise: a later wave is often smaller, and a
        # k chosen anew on it would merge groups that then look "vanished".
        features = reference.feature_builder_.get_params()
        params = {**{p: features[p] for p in FEATURE_PARAMS},
                  "n_clusters": len(reference.centers_), **typology_params}
        typology = Typology(**params)
    typology.fit(profile_records(records), code_matrix, terms)
    new_labels = typology.labels_
    feats = reference.features(records, code_matrix, terms)
    centres = feats.loc[new_labels.index].groupby(new_labels.to_numpy()).mean()
    limit = reference.radius_ if max_distance is None else max_distance
    matching = match_groups(reference.centers_, centres, max_distance=limit)
    mapping, next_id = {}, int(reference.centers_.index.max()) + 1
    sizes = new_labels.value_counts()
    new_rows = matching[matching["status"] == "new"].copy()
    new_rows["_size"] = new_rows["new_group"].map(lambda g: sizes.get(int(g), 0))
    for r in matching[matching["status"] == "matched"].itertuples():
        mapping[int(r.new_group)] = int(r.reference_group)
    for r in new_rows.sort_values(["_size", "new_group"], ascending=[False, True]).itertuples():
        mapping[int(r.new_group)] = next_id
        next_id += 1
    stable = new_labels.map(mapping).astype(int).rename("group")
    matching.insert(0, "group", matching["new_group"].map(
        lambda g: mapping.get(int(g)) if pd.notna(g) else pd.NA).astype("Int64"))
    vanished = matching["status"] == "vanished"
    matching.loc[vanished, "group"] = matching.loc[vanished, "reference_group"]
    matching["label"] = [reference.group_labels_.get(int(g), str(g)) if s != "new" else ""
                         for g, s in zip(matching["group"], matching["status"], strict=True)]
    matching["size"] = matching["new_group"].map(
        lambda g: int(sizes.get(int(g), 0)) if pd.notna(g) else 0)
    return RefitResult(labels=stable, matching=matching, typology=typology)


# ----------------------------------------------------------------------------------------------
