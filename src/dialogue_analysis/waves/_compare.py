"""Comparing two waves (:func:`compare_waves`): codes, words, groups, people and schema.

Wave A is the reference: its typology is carried over to wave B (or refitted and matched), and
the result gathers the tables of :mod:`._change` and :mod:`._drift` in one :class:`Comparison`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import code_labels as analysis_code_labels
from ..typology import Typology
from ._change import (
    compare_prevalence,
    group_sizes,
    reinterview_changes,
    reinterviewed,
    summarise_reinterviews,
    vocabulary_shift,
)
from ._drift import DRIFT_COLUMNS, schema_drift
from ._inputs import _code_matrix, _terms, profile_records, wave_name
from ._reference import ReferenceTypology, refit_and_match


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
    sources : tuple
        The two waves compared (A, B): what each one's own report publishes must be masked
        alike in the comparison.
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
    sources: tuple = field(default=(), repr=False)

    @property
    def name(self) -> str:
        """``compare_<wave A>_<wave B>``: the name of the report folder."""
        return f"compare_{self.wave_a}_{self.wave_b}"

    def changed_codes(self, dimension: str = "all") -> pd.DataFrame:
        """Rows of ``prevalence`` with a significant change, largest change first."""
        p = self.prevalence
        p = p[(p["dimension"] == dimension) & p["significant"]]
        return p.reindex(p["difference"].abs().sort_values(ascending=False).index)


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
    code_labels = (analysis_code_labels(getattr(a, "codebook", None), language)
                   or analysis_code_labels(getattr(b, "codebook", None), language))
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
        code_labels=code_labels, group_labels=labels, reference=reference, sources=(a, b),
    )

