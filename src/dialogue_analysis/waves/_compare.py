"""Several waves of one dialogue: carry the typology over, pool the waves, compare them.

A wave is anything with the tables of an :class:`~dialogue_analysis.analysis.Analysis`:
``wave`` (its name), ``records`` (``record_id`` + attributes, optionally ``typology_group``),
``code_matrix`` (0/1, index ``record_id``), ``terms`` and ``answers``; ``codebook``,
``attributes`` (declared types), ``groups`` (typology labels) and ``settings`` are used when
present. An ``Analysis`` read back by :func:`~dialogue_analysis.analysis.load_analysis` fits.

Carrying the typology over
    :class:`ReferenceTypology` freezes the groups of a reference wave: the feature space it was
    built in (attributes, codes and text, with their scales) and the centre of each group. A
    later wave's records are *assigned* to the nearest centre, with their distance to it and a
    ``far`` flag when they are farther than the ``far_quantile`` (95 %) of the reference
    records' distances to their own centre: such a record fits no group of the reference well
    (a new kind of stakeholder, or a new need). On request the typology is *refitted* on the
    new wave and its groups are matched to the reference ones (:func:`refit_and_match`:
    Hungarian assignment on the distances between centres, in the reference feature space), so
    that a group keeps its number and label; a new group gets a new number, and a reference
    group that found no match is reported as vanished.

Incremental processing
    The NLP stage caches its parse by text hash under ``<root>/data/processed/_nlp_cache/``,
    shared by every wave of the project: a new wave parses only the texts not seen before
    (``ParsedAnswers.n_parsed`` / ``n_cached`` count them).

Comparing two waves (:func:`compare_waves`)
    Prevalence of each code per wave with Wilson intervals and a test of the difference
    (two-proportion z test, Fisher's exact test when an expected count is below 5), p-values
    adjusted by Holm (or Benjamini-Hochberg), overall and per stakeholder group; emerging and
    fading vocabulary; group sizes and moves in the reference typology; the changes of the
    stakeholders interviewed in both waves; the schema drift between the two survey configs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as st
from scipy.optimize import linear_sum_assignment

from ..core.stats import benjamini_hochberg, holm, wilson_interval
from ..core.text import label_key
from ..ingest import raw_headers
from ..themes import specific_terms
from ..typology import FeatureBuilder, split_multi

HELPER_COLUMNS = ("typology_group", "wave", "source_record_id")
ID_SEPARATOR = "@"
PREVALENCE_COLUMNS = [
    "dimension", "category", "code", "n_a", "count_a", "share_a", "ci_low_a", "ci_high_a",
    "n_b", "count_b", "share_b", "ci_low_b", "ci_high_b", "difference", "test", "p_value",
    "p_adjusted", "significant", "direction", "small_group",
]
DRIFT_COLUMNS = ["kind", "item", "wave_a", "wave_b", "detail"]


# ----------------------------------------------------------------------------------------------
# Wave-like inputs
# ----------------------------------------------------------------------------------------------


def wave_name(wave) -> str:
    """Name of a wave-like object (``wave`` or ``name`` attribute)."""
    return str(getattr(wave, "wave", None) or getattr(wave, "name", None) or "?")


def profile_records(records: pd.DataFrame) -> pd.DataFrame:
    """Records without the columns added by the toolkit (typology group, wave, source id)."""
    return records.drop(columns=[c for c in HELPER_COLUMNS if c in records.columns])


def _code_matrix(wave) -> pd.DataFrame:
    cm = getattr(wave, "code_matrix", None)
    if cm is None or (isinstance(cm, pd.DataFrame) and cm.shape[1] == 0):
        return pd.DataFrame(index=pd.Index(wave.records["record_id"].astype(str), name="record_id"))
    cm = cm.copy()
    cm.index = cm.index.astype(str)
    cm.index.name = "record_id"
    return cm.reindex(wave.records["record_id"].astype(str)).fillna(0).astype(int)


def _terms(wave):
    terms = getattr(wave, "terms", None)
    return None if terms is None or len(terms) == 0 else terms


def declared_types(wave) -> dict[str, str] | None:
    """Attribute types for the typology as the wave's analysis used them (region left out).

    From the ``attributes`` table (declared name and type) when the wave has one, else None
    (types inferred from the dtypes).
    """
    attrs = getattr(wave, "attributes", None)
    if attrs is None or len(attrs) == 0 or "type" not in attrs:
        return None
    records = wave.records
    keep = {"categorical", "ordinal", "multi", "numeric"}
    types = {r["attribute"]: r["type"] for r in attrs.to_dict("records")
             if r["attribute"] in records and r["type"] in keep}
    types.pop("region", None)  # as in the wave's own typology: many levels, little about needs
    return types or None


def _group_labels(wave) -> dict[int, str]:
    groups = getattr(wave, "groups", None)
    if groups is None or len(groups) == 0 or "label" not in groups:
        return {}
    return {int(g): str(lab) for g, lab in zip(groups["group"], groups["label"], strict=True)
            if pd.notna(g)}


# ----------------------------------------------------------------------------------------------
# Carrying the typology over
# ----------------------------------------------------------------------------------------------


class ReferenceTypology:
    """The groups of a reference wave, frozen so that later waves can be assigned to them.

    Parameters
    ----------
    far_quantile : float
        A new record is ``far`` when its distance to the nearest centre exceeds this quantile
        of the reference records' distances to their own group's centre.
    attributes, families, blocks, weights, scaling, n_text_components, random_state
        Passed to :class:`~dialogue_analysis.features.FeatureBuilder`; give those of the
        typology that made the groups (a :class:`~dialogue_analysis.typology.Typology` can be
        frozen as it is with :meth:`from_typology`).

    Attributes
    ----------
    feature_builder_ : FeatureBuilder
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

    def __init__(self, far_quantile=0.95, attributes=None, families=None, blocks=None,
                 weights=None, scaling="inertia", n_text_components=20, random_state=0):
        self.far_quantile = far_quantile
        self.attributes = attributes
        self.families = families
        self.blocks = blocks
        self.weights = weights
        self.scaling = scaling
        self.n_text_components = n_text_components
        self.random_state = random_state

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
        self.feature_builder_ = FeatureBuilder(
            attributes=self.attributes, families=self.families, blocks=self.blocks,
            weights=self.weights, scaling=self.scaling,
            n_text_components=self.n_text_components, random_state=self.random_state)
        features = self.feature_builder_.fit_transform(profile_records(records), code_matrix,
                                                       terms)
        return self._set_groups(features, groups, group_labels)

    @classmethod
    def from_typology(cls, typology, far_quantile=0.95, group_labels=None):
        """Freeze a fitted :class:`~dialogue_analysis.typology.Typology` (no refitting)."""
        fb = typology.feature_builder_
        ref = cls(far_quantile=far_quantile, attributes=fb.attributes, families=fb.families,
                  blocks=fb.blocks, weights=fb.weights, scaling=fb.scaling,
                  n_text_components=fb.n_text_components, random_state=fb.random_state)
        ref.feature_builder_ = fb
        return ref._set_groups(typology.features_, typology.labels_, group_labels)

    @classmethod
    def from_wave(cls, wave, far_quantile=0.95, random_state=None):
        """Freeze the typology of an analysed wave (``records["typology_group"]``).

        The feature space is rebuilt with the parameters the wave's analysis used (declared
        attribute types without region, every code family, text, the run's seed), so the
        centres are those of the published groups.
        """
        if "typology_group" not in wave.records:
            raise ValueError(f"wave {wave_name(wave)!r} has no typology_group column: "
                             "fit a Typology and use ReferenceTypology.from_typology")
        seed = random_state
        if seed is None:
            seed = int((getattr(wave, "settings", None) or {}).get("seed", 0))
        ref = cls(far_quantile=far_quantile, attributes=declared_types(wave), random_state=seed)
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
    from ..typology import Typology

    if typology is None:
        # Same k as the reference unless told otherwise: a later wave is often smaller, and a
        # k chosen anew on it would merge groups that then look "vanished".
        params = {"attributes": reference.attributes, "families": reference.families,
                  "blocks": reference.blocks, "weights": reference.weights,
                  "scaling": reference.scaling, "n_text_components": reference.n_text_components,
                  "random_state": reference.random_state,
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
# Pooling waves
# ----------------------------------------------------------------------------------------------


@dataclass
class PooledWaves:
    """Several waves as one: every table has a ``wave`` column (records) or key.

    ``record_id`` is made unique: an id already used by an earlier wave becomes
    ``<id>@<wave>`` (e.g. ``E18-012@sample-2019``); ``ids`` maps every pooled id to its wave and
    original id (``source_record_id``).
    """

    records: pd.DataFrame
    answers: pd.DataFrame
    code_matrix: pd.DataFrame
    terms: pd.DataFrame
    ids: pd.DataFrame
    waves: list[str] = field(default_factory=list)
    passages: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["record_id", "question_id", "code", "family", "start", "end", "evidence"]))

    @property
    def wave(self) -> str:
        return "+".join(self.waves)


def pool_waves(*waves, names: Sequence[str] | None = None) -> PooledWaves:
    """Stack several waves into one set of tables, with the wave as an attribute.

    Parameters
    ----------
    *waves
        Wave-like objects (an ``Analysis``, a ``Wave``...), in chronological order.
    names : sequence of str, optional
        Wave names (default: each wave's ``wave`` / ``name``).

    Returns
    -------
    PooledWaves
        Columns absent from a wave are NA in its rows; an ordinal attribute keeps its order
        (levels of later waves appended); code columns absent from a wave are 0. Each wave's
        own ``typology_group`` is left out: the numbers of two typologies are not comparable
        (assign to a reference, or analyse the pooled waves: :func:`analyse_pooled`).
    """
    names = list(names) if names is not None else [wave_name(w) for w in waves]
    if len(set(names)) != len(names):
        raise ValueError(f"wave names must differ: {names}")
    seen: set[str] = set()
    id_maps, records, answers, terms, matrices, passages = [], [], [], [], [], []
    for w, name in zip(waves, names, strict=True):
        ids = w.records["record_id"].astype(str)
        pooled = [f"{i}{ID_SEPARATOR}{name}" if i in seen else i for i in ids]
        seen.update(pooled)
        mapping = dict(zip(ids, pooled, strict=True))
        id_maps.append(pd.DataFrame({"record_id": pooled, "wave": name,
                                     "source_record_id": ids.to_numpy()}))
        rec = w.records.drop(columns=[c for c in ("wave", "typology_group")
                                      if c in w.records]).copy()
        rec["record_id"] = pooled
        rec.insert(1, "wave", name)
        records.append(rec)
        for table, out in ((getattr(w, "answers", None), answers), (_terms(w), terms),
                           (getattr(w, "passages", None), passages)):
            if table is not None and len(table):
                t = table.copy()
                t["record_id"] = t["record_id"].astype(str).map(mapping)
                t.insert(1, "wave", name)
                out.append(t)
        cm = _code_matrix(w)
        cm.index = pd.Index(pooled, name="record_id")
        matrices.append(cm)
    codes = list(dict.fromkeys(c for cm in matrices for c in cm.columns))
    code_matrix = pd.concat([cm.reindex(columns=codes) for cm in matrices])
    code_matrix = code_matrix.fillna(0).astype(int)
    return PooledWaves(
        records=_concat_records(records),
        answers=pd.concat(answers, ignore_index=True) if answers else
        pd.DataFrame(columns=["record_id", "wave", "question_id", "text"]),
        code_matrix=code_matrix,
        terms=pd.concat(terms, ignore_index=True) if terms else
        pd.DataFrame(columns=["record_id", "wave", "question_id", "terms"]),
        ids=pd.concat(id_maps, ignore_index=True),
        waves=names,
        **({"passages": pd.concat(passages, ignore_index=True)} if passages else {}),
    )


def analyse_pooled(*waves, names: Sequence[str] | None = None, settings: dict | None = None):
    """Analyse several waves as one (typology, characterisation, cross tables, findings).

    The waves are pooled (:func:`pool_waves`) and analysed by
    :func:`~dialogue_analysis.analysis.analyse_tables` with the first wave's settings and
    codebook (override with ``settings``). The typology is built on the profile, codes and
    words, not on the wave, so that a group can gather people of both waves; the ``wave``
    column of ``records`` then tells how each group's mix changed, e.g.
    ``pd.crosstab(a.records["typology_group"], a.records["wave"])``.

    Returns
    -------
    Analysis
        Named ``"<wave A>+<wave B>"``; ``records`` has the ``wave`` column and unique ids.
    """
    from ..analysis import Analysis, analyse_tables

    pooled = pool_waves(*waves, names=names)
    first = waves[0]
    settings = {**(getattr(first, "settings", None) or {}), **(settings or {})}
    codebook = getattr(first, "codebook", None)
    codebook = Analysis().codebook if codebook is None else codebook
    declared = [getattr(w, "attributes", None) for w in waves]
    declared = [d for d in declared if d is not None and len(d)]
    attributes = (pd.concat(declared, ignore_index=True).drop_duplicates("attribute")
                  if declared else None)
    answers = pooled.answers.loc[:, ["record_id", "question_id", "text"]]
    terms = pooled.terms.drop(columns=["wave"])
    tables, params = analyse_tables(pooled.records, answers, terms, pooled.passages,
                                    pooled.code_matrix, codebook, settings=settings,
                                    attributes=attributes)
    extra = {"attributes": attributes} if attributes is not None else {}
    questions = getattr(first, "questions", None)
    if questions is not None:
        extra["questions"] = questions
    return Analysis(wave=pooled.wave, settings=settings,
                    manifest={"pooled": pooled.waves, "stages": params}, **extra, **tables)


def _concat_records(parts: list[pd.DataFrame]) -> pd.DataFrame:
    columns = list(dict.fromkeys(c for p in parts for c in p.columns))
    out = {}
    for col in columns:
        series = [p[col] if col in p else pd.Series(pd.NA, index=p.index) for p in parts]
        cats = [s.dtype for s in series if isinstance(s.dtype, pd.CategoricalDtype)]
        if cats and any(c.ordered for c in cats):
            levels = list(dict.fromkeys(v for c in cats for v in c.categories))
            series = [pd.Series(pd.Categorical(s.astype(object).where(s.notna(), None),
                                               categories=levels, ordered=True), index=s.index)
                      for s in series]
            out[col] = pd.concat(series, ignore_index=True)
        elif cats:
            out[col] = pd.concat([s.astype(object) for s in series], ignore_index=True)
            out[col] = out[col].astype("str").where(out[col].notna(), pd.NA)
        else:
            out[col] = pd.concat([s for s in series], ignore_index=True)
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------------------------
# Prevalence per wave and its change
# ----------------------------------------------------------------------------------------------


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
    values = []
    for r in (records_a, records_b):
        if dim in r:
            s = r[dim]
            if isinstance(s.dtype, pd.CategoricalDtype):
                values += [str(c) for c in s.cat.categories if c in set(s.dropna())]
            else:
                values += sorted(s.dropna().astype(str).unique())
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


# ----------------------------------------------------------------------------------------------
# Vocabulary
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# Groups and moves, re-interviewed stakeholders
# ----------------------------------------------------------------------------------------------


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


# ----------------------------------------------------------------------------------------------
# Schema drift
# ----------------------------------------------------------------------------------------------



def schema_drift(project_a, project_b, records_a=None, records_b=None, *,
                 headers_a=None, headers_b=None) -> pd.DataFrame:
    """Differences between the schemas of two waves, from their survey configs and raw headers.

    Parameters
    ----------
    project_a, project_b : Project
        The two waves' projects (:func:`~dialogue_analysis.config.load_project`).
    records_a, records_b : DataFrame, optional
        Their records, to list the category values observed in one wave only.
    headers_a, headers_b : list of str, optional
        Raw headers; read from the files (:func:`raw_headers`) when not given.

    Returns
    -------
    DataFrame
        ``kind, item, wave_a, wave_b, detail``; kinds: ``layout`` (file, sheet, header row,
        shape), ``attribute_new`` / ``attribute_missing``, ``column_renamed``,
        ``type_changed``, ``value_new`` / ``value_removed`` (declared values),
        ``spelling_new`` (new synonyms), ``question_new`` / ``question_missing`` /
        ``question_renamed``, ``raw_column_new`` / ``raw_column_missing``, ``column_order``,
        ``observed_value_new`` / ``observed_value_gone``.
    """
    sa, sb = project_a.survey, project_b.survey
    rows = []

    def add(kind, item, a, b, detail=""):
        rows.append((kind, item, "" if a is None else str(a), "" if b is None else str(b), detail))

    ta, tb = sa.tables[0], sb.tables[0]
    if sa.shape != sb.shape:
        add("layout", "shape", sa.shape, sb.shape)
    for key in ("label", "sheet", "header_row"):
        va, vb = getattr(ta, key), getattr(tb, key)
        if va != vb:
            add("layout", "file" if key == "label" else key, va, vb)
    if (sa.record_id or "") != (sb.record_id or "") and label_key(sa.record_id or "") != label_key(
            sb.record_id or ""):
        add("column_renamed", "record_id", sa.record_id, sb.record_id)
    attrs_a = {a.name: a for a in sa.attributes}
    attrs_b = {a.name: a for a in sb.attributes}
    for name, b in attrs_b.items():
        if name not in attrs_a:
            add("attribute_new", name, None, b.column, f"{b.type}: {', '.join(b.values)}")
    for name, a in attrs_a.items():
        if name not in attrs_b:
            add("attribute_missing", name, a.column, None, a.type)
            continue
        b = attrs_b[name]
        if label_key(a.column) != label_key(b.column):
            add("column_renamed", name, a.column, b.column)
        if a.type != b.type:
            add("type_changed", name, a.type, b.type)
        for v in b.values:
            if v not in a.values:
                add("value_new", name, None, v)
        for v in a.values:
            if v not in b.values:
                add("value_removed", name, v, None)
        written = _synonyms_as_written(project_b, name)
        for key, canonical in b.lookup.items():
            if key not in a.lookup and key != label_key(canonical):
                add("spelling_new", name, None, written.get(key, key), f"→ {canonical}")
    qa = {q.id: q for q in sa.questions}
    qb = {q.id: q for q in sb.questions}
    for qid, q in qb.items():
        if qid not in qa:
            add("question_new", qid, None, q.column or q.code, q.wording)
        elif label_key(qa[qid].column or qa[qid].code or "") != label_key(q.column or q.code or ""):
            add("question_renamed", qid, qa[qid].column or qa[qid].code, q.column or q.code)
    for qid, q in qa.items():
        if qid not in qb:
            add("question_missing", qid, q.column or q.code, None, q.wording)
    ha = headers_a if headers_a is not None else raw_headers(project_a)
    hb = headers_b if headers_b is not None else raw_headers(project_b)
    if ha is not None and hb is not None:
        fa, fb = [label_key(h) for h in ha], [label_key(h) for h in hb]
        for h, f in zip(hb, fb, strict=True):
            if f not in fa:
                add("raw_column_new", h, None, f"col {fb.index(f) + 1}")
        for h, f in zip(ha, fa, strict=True):
            if f not in fb:
                add("raw_column_missing", h, f"col {fa.index(f) + 1}", None)
        common_a = [f for f in fa if f in fb]
        common_b = [f for f in fb if f in fa]
        if common_a != common_b:
            moved = sum(1 for x, y in zip(common_a, common_b, strict=True) if x != y)
            add("column_order", "columns", None, None,
                f"{moved} of {len(common_a)} shared columns at another place")
    if records_a is not None and records_b is not None:
        for name, a in attrs_a.items():
            if name not in attrs_b or a.type not in ("categorical", "multi", "ordinal"):
                continue
            if name not in records_a or name not in records_b:
                continue
            oa, ob = _observed(records_a[name], a.type), _observed(records_b[name], a.type)
            for v in sorted(ob - oa):
                add("observed_value_new", name, None, v)
            for v in sorted(oa - ob):
                add("observed_value_gone", name, v, None)
    return pd.DataFrame(rows, columns=DRIFT_COLUMNS)


def _synonyms_as_written(project, attribute: str) -> dict[str, str]:
    """The synonyms of an attribute as the analyst wrote them in the YAML (folded -> written)."""
    try:
        import yaml

        data = yaml.safe_load(project.config_path.read_text(encoding="utf-8-sig"))
        synonyms = data["attributes"][attribute].get("synonyms") or {}
        return {label_key(str(v)): str(v) for values in synonyms.values()
                for v in (values if isinstance(values, list) else [values])}
    except Exception:  # noqa: BLE001 - the folded form is shown instead
        return {}


def _observed(series: pd.Series, kind: str) -> set[str]:
    if kind == "multi":
        return {o for opts in split_multi(series) if opts for o in opts}
    return {str(v) for v in series.dropna()}


# ----------------------------------------------------------------------------------------------
# The whole comparison
# ----------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Every table of the comparison of wave A (reference) with wave B.

    Attributes
    ----------
    wave_a, wave_b : str
    prevalence : DataFrame
        :func:`compare_prevalence` (counts unmasked; :func:`mask_prevalence` before publishing).
    vocabulary : DataFrame
        :func:`vocabulary_shift`.
    assignments : DataFrame
        ``record_id, wave, group, label, distance, far``: every record of both waves in the
        reference typology (wave A: its own groups; wave B: assigned, or refitted and matched).
    group_sizes : DataFrame
        :func:`group_sizes`; ``group_test`` holds its chi-square test.
    moves : DataFrame
        Re-interviewed stakeholders: ``record_id, group_a, group_b, changed`` (per person).
    moves_table : DataFrame
        ``group_a, group_b, count``: the moves aggregated (published masked).
    reinterviewed_ids : list of str
    attribute_changes, code_changes : DataFrame
        Per person (:func:`reinterview_changes`); not published.
    reinterview_attributes, reinterview_codes : DataFrame
        Aggregates (:func:`summarise_reinterviews`), published.
    drift : DataFrame
        :func:`schema_drift` (empty when the projects were not given).
    matching : DataFrame or None
        With ``refit=True``: :class:`RefitResult` ``matching``.
    settings : dict
        ``alpha, correction, min_cell_count, small_group, far_quantile, refit, by``.
    code_labels : dict, group_labels : dict
    """

    wave_a: str
    wave_b: str
    n_a: int
    n_b: int
    prevalence: pd.DataFrame
    vocabulary: pd.DataFrame
    assignments: pd.DataFrame
    group_sizes: pd.DataFrame
    group_test: dict
    moves: pd.DataFrame
    moves_table: pd.DataFrame
    reinterviewed_ids: list
    attribute_changes: pd.DataFrame
    code_changes: pd.DataFrame
    reinterview_attributes: pd.DataFrame
    reinterview_codes: pd.DataFrame
    drift: pd.DataFrame
    matching: pd.DataFrame | None = None
    settings: dict = field(default_factory=dict)
    code_labels: dict = field(default_factory=dict)
    group_labels: dict = field(default_factory=dict)
    reference: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """``compare_<wave A>_<wave B>``: the name of the report folder."""
        return f"compare_{self.wave_a}_{self.wave_b}"

    def changed_codes(self, dimension: str = "all") -> pd.DataFrame:
        """Rows of ``prevalence`` with a significant change, largest change first."""
        p = self.prevalence
        p = p[(p["dimension"] == dimension) & p["significant"]]
        return p.reindex(p["difference"].abs().sort_values(ascending=False).index)


def _code_labels(wave, language="fr") -> dict[str, str]:
    cb = getattr(wave, "codebook", None)
    if cb is None or len(cb) == 0 or "code" not in cb:
        return {}
    col = "label_en" if language == "en" and "label_en" in cb else "label_fr"
    if col not in cb:
        return {}
    labels = cb[col].astype(object).where(cb[col].notna(), cb["code"])
    return dict(zip(cb["code"].astype(str), labels.astype(str), strict=True))


def compare_waves(a, b, *, project_a=None, project_b=None, reference=None, refit=False,
                  by: Iterable[str] = ("stakeholder_group",), alpha: float = 0.05,
                  correction: str = "holm", min_cell_count: int | None = None,
                  small_group: int = 20, far_quantile: float = 0.95,
                  language: str | None = None, typology_params: dict | None = None
                  ) -> Comparison:
    """Compare wave B with wave A (the reference): codes, words, groups, people, schema.

    Parameters
    ----------
    a, b
        Wave-like objects (e.g. :func:`~dialogue_analysis.analysis.load_analysis` results),
        A the earlier / reference wave.
    project_a, project_b : Project, optional
        Their projects, for the schema drift (skipped without them).
    reference : ReferenceTypology, optional
        The typology to carry over; built from wave A's ``typology_group`` by default
        (:meth:`ReferenceTypology.from_wave`), or fitted on wave A when it has none.
    refit : bool
        Refit the typology on wave B and match its groups to the reference ones, instead of
        assigning wave B's records to the reference groups.
    by : iterable of str
        Attributes to break the prevalence comparison down by.
    alpha, correction, small_group
        See :func:`compare_prevalence`.
    min_cell_count : int, optional
        Smallest count published; wave A's ``settings.min_cell_count`` (5) by default.
    far_quantile : float
        See :class:`ReferenceTypology`.
    typology_params : dict, optional
        Parameters of the refitted typology (``refit=True``) or of the one fitted on A.
    """
    wa, wb = wave_name(a), wave_name(b)
    settings_a = getattr(a, "settings", None) or {}
    if min_cell_count is None:
        min_cell_count = int(settings_a.get("min_cell_count", 5))
    language = language or str(settings_a.get("language", "fr"))
    cm_a, cm_b = _code_matrix(a), _code_matrix(b)
    by = [d for d in by if d in a.records or d in b.records]
    prevalence = compare_prevalence(a.records, cm_a, b.records, cm_b, by=by,
                                    correction=correction, alpha=alpha, small_group=small_group)
    ta, tb = _terms(a), _terms(b)
    vocab = (vocabulary_shift(ta, tb, wave_a=wa, wave_b=wb, alpha=alpha)
             if ta is not None and tb is not None else
             pd.DataFrame(columns=["term", "trend", "count_a", "share_a", "count_b", "share_b",
                                   "test_value", "p_value", "p_adjusted"]))

    if reference is None:
        if "typology_group" in a.records and a.records["typology_group"].notna().any():
            reference = ReferenceTypology.from_wave(a, far_quantile=far_quantile)
        else:
            from ..typology import Typology

            seed = int(settings_a.get("seed", 0))
            params = {"random_state": seed, **(typology_params or {})}
            typo = Typology(**params).fit(profile_records(a.records), cm_a, ta)
            reference = ReferenceTypology.from_typology(typo, far_quantile=far_quantile)
    labels = dict(reference.group_labels_)
    assigned_a = reference.assign(a.records, cm_a, ta)
    groups_a = reference.labels_.reindex(assigned_a.index)
    groups_a = groups_a.fillna(assigned_a["group"]).astype(int)
    own = reference.fit_distances_.reindex(assigned_a.index)
    ass_a = pd.DataFrame({"wave": wa, "group": groups_a,
                          "label": groups_a.map(lambda g: labels.get(int(g), str(g))),
                          "distance": own.fillna(assigned_a["distance"]),
                          "far": own.fillna(assigned_a["distance"]) > reference.threshold_})
    matching = None
    if refit:
        result = refit_and_match(reference, b.records, cm_b, tb, **(typology_params or {}))
        matching = result.matching
        groups_b = result.labels.reindex(b.records["record_id"].astype(str))
        for g, lab in zip(matching["group"], matching["label"], strict=True):
            if pd.notna(g) and int(g) not in labels:
                labels[int(g)] = lab or f"{'nouveau groupe' if language == 'fr' else 'new group'} {g}"
        dist = reference.transform(b.records, cm_b, tb)
        d_own = [dist.loc[i, g] if g in dist.columns else np.nan
                 for i, g in zip(dist.index, groups_b, strict=True)]
        ass_b = pd.DataFrame({"wave": wb, "group": groups_b.to_numpy(),
                              "label": [labels.get(int(g), str(g)) for g in groups_b],
                              "distance": d_own,
                              "far": np.asarray(d_own, dtype=float) > reference.threshold_},
                             index=dist.index)
    else:
        assigned_b = reference.assign(b.records, cm_b, tb)
        ass_b = assigned_b[["group", "label", "distance", "far"]].assign(wave=wb)
    assignments = pd.concat([ass_a.reset_index(), ass_b.reset_index()], ignore_index=True)
    assignments = assignments.rename(columns={"index": "record_id"})
    assignments = assignments[["record_id", "wave", "group", "label", "distance", "far"]]
    gb = ass_b["group"]
    sizes, test = group_sizes(ass_a["group"], gb, labels=labels, far_b=ass_b["far"])

    ids = reinterviewed(a.records, b.records)
    moves = pd.DataFrame({"record_id": ids,
                          "group_a": [int(ass_a.loc[i, "group"]) for i in ids],
                          "group_b": [int(ass_b.loc[i, "group"]) for i in ids]})
    moves["changed"] = moves["group_a"] != moves["group_b"]
    moves_table = (moves.groupby(["group_a", "group_b"]).size().rename("count").reset_index()
                   if len(moves) else pd.DataFrame(columns=["group_a", "group_b", "count"]))
    attr_changes, code_changes = reinterview_changes(a.records, cm_a, b.records, cm_b)
    common_attrs = [c for c in profile_records(a.records).columns
                    if c in b.records and c not in ("record_id", "date")]
    codes = [c for c in cm_a.columns if c in set(cm_b.columns)]
    r_attrs, r_codes = summarise_reinterviews(attr_changes, code_changes, ids,
                                              attributes=common_attrs, codes=codes, moves=moves)
    drift = (schema_drift(project_a, project_b, a.records, b.records)
             if project_a is not None and project_b is not None
             else pd.DataFrame(columns=DRIFT_COLUMNS))
    code_labels = _code_labels(a, language) or _code_labels(b, language)
    return Comparison(
        wave_a=wa, wave_b=wb, n_a=len(a.records), n_b=len(b.records), prevalence=prevalence,
        vocabulary=vocab, assignments=assignments, group_sizes=sizes, group_test=test,
        moves=moves, moves_table=moves_table, reinterviewed_ids=ids,
        attribute_changes=attr_changes, code_changes=code_changes,
        reinterview_attributes=r_attrs, reinterview_codes=r_codes, drift=drift,
        matching=matching,
        settings={"alpha": alpha, "correction": correction, "min_cell_count": min_cell_count,
                  "small_group": small_group, "far_quantile": far_quantile, "refit": refit,
                  "by": list(by), "language": language,
                  "far_threshold": reference.threshold_},
        code_labels=code_labels, group_labels=labels, reference=reference,
    )


__all__ = [
    "Comparison", "PooledWaves", "ReferenceTypology", "RefitResult", "analyse_pooled",
    "compare_prevalence",
    "compare_waves", "declared_types", "group_sizes", "mask_prevalence", "match_groups",
    "match_labels", "pool_waves", "raw_headers", "refit_and_match", "reinterview_changes",
    "reinterviewed", "schema_drift", "summarise_reinterviews", "two_proportion_test",
    "vocabulary_shift", "wave_name",
]
