"""Typology of stakeholders: cluster records by profile, coded needs and words.

:class:`Typology` builds the weighted feature blocks of a :class:`FeatureBuilder`, clusters them (k-means or Ward), measures for every candidate k how well separated
(silhouette) and how reproducible (bootstrap stability, agreement between seeds) the groups
are, compares the separation with a null reference (the same features, each variable permuted
independently of the others: no group structure, same marginals), and chooses k by a documented
rule (:func:`choose_k`) among the k that beat the null clearly. When none does, ``structure_``
is False: the wave has no clear typology and the groups are only an exploratory partition.
Groups are numbered 1..k by decreasing size.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from joblib.parallel import get_active_backend
from sklearn.base import BaseEstimator
from sklearn.metrics import adjusted_rand_score, calinski_harabasz_score
from threadpoolctl import threadpool_limits

from ..core import BLOCK, fit_rows
from ..core.beside import beside
from ._clustering import (
    Silhouettes,
    _cluster_all,
    _cluster_resample,
    _mean_pairwise_ari,
    choose_k,
    number_by_size,
    permute_variables,
    variable_columns,
)
from ._features import FeatureBuilder
from ._fit_cache import evaluation_key, keep_evaluation, read_evaluation


def _resamples_here() -> bool:
    """Whether joblib runs the bootstrap's resamples one after the other in this process (no
    backend of its own given, such as a Dask cluster's)."""
    return effective_n_jobs(None) == 1 and \
        type(get_active_backend()[0]).__name__ in ("LokyBackend", "SequentialBackend")


# The parameters a Typology passes on to its FeatureBuilder (same names on both).
FEATURE_PARAMS = ("attributes", "families", "blocks", "weights", "scaling", "n_text_components",
                  "random_state")
EVIDENCE_COLUMNS = [
    "k",
    "silhouette",
    "stability",
    "stability_sd",
    "calinski_harabasz",
    "smallest_group",
    "silhouette_null_mean",
    "silhouette_null_q95",
    "beats_null",
    "seed_agreement",
    "supported",
    "chosen",
]


class Typology(BaseEstimator):
    """Cluster stakeholders on profile, coded needs and text; choose k; predict new records.

    Parameters
    ----------
    method : {"kmeans", "ward"}
        k-means (fast, the default) or Ward hierarchical clustering (exact, but quadratic in
        memory: keep it for waves of a few thousand records at most).
    n_clusters : "auto" or int
        Number of groups, or ``"auto"`` to choose it in ``k_range`` by :func:`choose_k`.
    k_range : (int, int)
        Smallest and largest k evaluated (inclusive).
    n_bootstrap : int
        Bootstrap resamples for the stability of each k (0 to skip).
    random_state : int
        Seed of k-means, of the bootstrap and of the text SVD.
    blocks, weights, attributes, families, scaling, n_text_components
        Passed to :class:`~dialogue_analysis.typology.FeatureBuilder`.
    n_init : int or "auto"
        k-means restarts. ``"auto"``: 10 up to 2,000 records, where restarts are cheap and
        a small weakly structured wave needs them to find the same optimum again (without
        them, bootstrap stability measures k-means' local optima more than the data); 4 above.
        The same value is used for the full data and every resample.
    min_group_size, stability_threshold, tolerance
        Parameters of :func:`choose_k`.
    silhouette_sample : int
        Above this many records the silhouette is computed on a fixed random sample of that
        size (it is quadratic in the number of records).
    bootstrap_size : int or None
        Records drawn (with replacement) in each bootstrap resample: ``min(n, bootstrap_size)``
        ("m out of n" bootstrap, which keeps large waves fast; a smaller resample makes the
        stability estimate, if anything, conservative). ``None`` draws n.
    n_seeds : int
        Seeds (``random_state``, ``random_state + 1``, ...) with which every k is clustered.
    n_null : int
        Permuted copies of the features per seed (each variable shuffled across records on
        its own: same marginals, no structure), clustered like the data.
    null_quantile : float
        A k *beats the null* when its silhouette, for every seed, is above this quantile of
        the permuted copies' silhouettes.
    max_records : int or None
        A wave of more records is fitted (features, the evaluation of every k, the groups) on
        about this many drawn by key whatever their order; every other record then goes to
        the nearest group centre, a block at a time, so memory stays flat as the wave grows.
        None: every record.

    A k is *supported* when it beats the null, its bootstrap stability and its agreement
    between seeds both reach ``stability_threshold``, and its smallest group has
    ``min_group_size`` records. With ``n_clusters="auto"``, k is chosen by :func:`choose_k`
    among the supported k; when none is, the wave has no clear typology (``structure_``
    False) and k is chosen among all, as an exploratory partition only.

    Attributes
    ----------
    labels_ : Series
        Group (1..k, 1 = largest) of every record, indexed by ``record_id``, named ``"group"``.
    n_clusters_ : int
    k_evidence_ : DataFrame
        One row per k evaluated: ``k, silhouette, stability, stability_sd,
        calinski_harabasz, smallest_group, silhouette_null_mean, silhouette_null_q95,
        beats_null, seed_agreement, supported, chosen``.
    structure_ : bool
        Whether some k evaluated is supported (``no_clear_typology`` is its negation).
    active_variables_ : set of str
        Attributes, codes and ``"text"`` the groups were built on (their test values in a
        description are circular).
    features_ : DataFrame
        Weighted features of the fitted records (the sample, in a wave above ``max_records``).
    n_fitted_ : int
        Records the typology was fitted on (every record, or the sample).
    cluster_centers_ : DataFrame
        Mean features of each group (index 1..k).
    feature_builder_ : FeatureBuilder
    """

    def __init__(
        self,
        method="kmeans",
        n_clusters="auto",
        k_range=(2, 8),
        n_bootstrap=20,
        random_state=0,
        blocks=None,
        weights=None,
        attributes=None,
        families=None,
        scaling="inertia",
        n_text_components=20,
        n_init="auto",
        min_group_size=5,
        stability_threshold=0.75,
        tolerance=0.02,
        silhouette_sample=3000,
        bootstrap_size=2000,
        n_null=3,
        n_seeds=3,
        null_quantile=0.95,
        max_records=None,
    ):
        self.method = method
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.blocks = blocks
        self.weights = weights
        self.attributes = attributes
        self.families = families
        self.scaling = scaling
        self.n_text_components = n_text_components
        self.n_init = n_init
        self.min_group_size = min_group_size
        self.stability_threshold = stability_threshold
        self.tolerance = tolerance
        self.silhouette_sample = silhouette_sample
        self.bootstrap_size = bootstrap_size
        self.n_null = n_null
        self.n_seeds = n_seeds
        self.null_quantile = null_quantile
        self.max_records = max_records

    def fit(self, records, code_matrix=None, terms=None, cache_dir=None):
        """Build features, evaluate the candidate k, cluster. Returns self.

        ``cache_dir``: where the evaluation of the candidate k is kept by the content hash of
        the features and parameters (:mod:`._fit_cache`); None keeps nothing."""
        if self.method not in ("kmeans", "ward"):
            raise ValueError(f"unknown method {self.method!r}: use 'kmeans' or 'ward'")
        # One thread for BLAS and OpenMP throughout: k-means, distances and the text SVD on a
        # few thousand rows gain nothing from threads, whose busy-waiting costs up to 20 times
        # the CPU on a busy machine; and the scores no longer depend on the machine's cores.
        sample = fit_rows(records.loc[:, ["record_id"]], self.max_records)
        fit_on = records if sample is None else records.iloc[sample]
        with threadpool_limits(limits=1):
            self.feature_builder_ = FeatureBuilder(
                **{p: getattr(self, p) for p in FEATURE_PARAMS})
            self.features_ = self.feature_builder_.fit_transform(
                fit_on, *_rows_of(fit_on, code_matrix, terms, sample is None))
            x = self.features_.to_numpy()
            n = len(x)
            self.n_init_ = ((10 if n <= 2000 else 4) if self.n_init == "auto"
                            else int(self.n_init))
            ks = self._candidate_ks(n)
            seeds = [self.random_state + i for i in range(max(1, int(self.n_seeds)))]
            key = "" if cache_dir is None else evaluation_key(self, self.features_, ks, seeds)
            kept = read_evaluation(cache_dir, key)
            if kept is None:
                kept = self._evaluate(x, ks, seeds)
                keep_evaluation(cache_dir, key, *kept)
        rows, full = kept
        self._finish(self._judge(rows), full)
        self.n_fitted_ = len(fit_on)
        if sample is not None:
            self.labels_ = self._assign(records, code_matrix, terms)
        return self

    def _assign(self, records, code_matrix, terms):
        """Groups of every record: the fitted ones keep theirs, the others go to the nearest
        centre, a block of records at a time."""
        ids = records["record_id"].astype(str)
        out = self.labels_.reindex(ids).to_numpy(dtype=float, copy=True)
        rest = np.flatnonzero(np.isnan(out))
        centres = self.cluster_centers_.to_numpy()
        with threadpool_limits(limits=1):
            for start in range(0, len(rest), BLOCK):
                part = records.iloc[rest[start:start + BLOCK]]
                feats = self.feature_builder_.transform(
                    part, *_rows_of(part, code_matrix, terms, False)).to_numpy()
                dist = ((feats[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
                # the first minimum: the larger group on an exact tie, as predict()
                out[rest[start:start + BLOCK]] = self.cluster_centers_.index[dist.argmin(axis=1)]
        return pd.Series(out.astype(int), index=pd.Index(ids, name="record_id"), name="group")

    def _evaluate(self, x, ks, seeds):
        """One row of scores per candidate k, and the labels of each k (first seed)."""
        n = len(x)
        # Every silhouette of one matrix is scored on the same distances, computed once.
        self._silhouettes = Silhouettes(self.silhouette_sample, self.random_state)
        boot = None
        # One thread (also when called outside :meth:`fit`): see there.
        try:
            with threadpool_limits(limits=1):
                runs = {s: self._cluster_all(x, ks, s) for s in seeds}
                full = runs[seeds[0]]
                # The resamples are clustered in a forked process while this one clusters the
                # permuted copies (here, when joblib was given no backend of its own, such as
                # a Dask cluster): the same resamples, the same labels.
                bootstrap = functools.partial(self._bootstrap, x, ks, full)
                boot = beside(bootstrap) if _resamples_here() else None
                null = self._null_silhouettes(x, ks, seeds)
                silhouettes = {k: [self._silhouette(x, runs[s][k]) for s in seeds] for k in ks}
                stability = boot.result()[0] if boot is not None else bootstrap()
        finally:
            if boot is not None:
                boot.close()
            del self._silhouettes
        rows = []
        for k in ks:
            labels = full[k]
            sils = silhouettes[k]
            aris = stability.get(k, [])
            nulls = null.get(k, np.array([]))
            nulls = nulls[~np.isnan(nulls)]
            rows.append(
                {
                    "k": k,
                    "silhouette": sils[0],
                    "stability": float(np.mean(aris)) if aris else np.nan,
                    "stability_sd": float(np.std(aris)) if aris else np.nan,
                    "calinski_harabasz": (calinski_harabasz_score(x, labels)
                                          if 1 < len(np.unique(labels)) < n else np.nan),
                    "smallest_group": int(np.bincount(labels).min()),
                    "silhouette_null_mean": float(nulls.mean()) if len(nulls) else np.nan,
                    "silhouette_null_q95": (float(np.quantile(nulls, self.null_quantile))
                                            if len(nulls) else np.nan),
                    "worst_seed_silhouette": float(np.min(sils)),
                    "seed_agreement": _mean_pairwise_ari([runs[s][k] for s in seeds]),
                }
            )
        return pd.DataFrame(rows), full

    def _finish(self, evidence, full):
        """Choose k from the judged evidence and label the records."""
        self.structure_ = bool(evidence["supported"].any())
        if self.n_clusters == "auto":
            pool = evidence[evidence["supported"]] if self.structure_ else evidence
            k = choose_k(
                pool,
                stability_threshold=self.stability_threshold,
                tolerance=self.tolerance,
                min_group_size=self.min_group_size,
            )
        else:
            k = int(self.n_clusters)
        evidence["chosen"] = evidence["k"] == k
        self.k_evidence_ = evidence[EVIDENCE_COLUMNS]
        self.n_clusters_ = k
        labels = number_by_size(full[k])
        self.labels_ = pd.Series(labels, index=self.features_.index, name="group")
        self.cluster_centers_ = self.features_.groupby(labels).mean()
        self.cluster_centers_.index.name = "group"

    @property
    def no_clear_typology(self):
        """True when no k evaluated beats the permutation null clearly (see ``structure_``)."""
        self._check_fitted()
        return not self.structure_

    @property
    def active_variables_(self):
        """Variables the groups were built on: attribute names, code ids, ``"text"``."""
        self._check_fitted()
        fb = self.feature_builder_
        used = set(fb.feature_names_out_)
        names = {a for a in fb.attribute_types_
                 if any(c == a or c.startswith(f"{a}=") for c in used)}
        names |= {c for cols in fb.code_columns_.values() for c in cols if c in used}
        if "text" in fb.blocks_:
            names.add("text")
        return names

    def _judge(self, evidence):
        """Add ``beats_null`` and ``supported`` to the evidence (the rule of the class doc)."""
        beats = evidence["worst_seed_silhouette"] > evidence["silhouette_null_q95"]
        threshold = self.stability_threshold
        stable = evidence["stability"].isna() | (evidence["stability"] >= threshold)
        agree = evidence["seed_agreement"].isna() | (evidence["seed_agreement"] >= threshold)
        big = evidence["smallest_group"] >= self.min_group_size
        evidence = evidence.drop(columns="worst_seed_silhouette")
        evidence["beats_null"] = beats.to_numpy()
        evidence["supported"] = (beats & stable & agree & big).to_numpy()
        return evidence

    def _silhouette(self, x, labels):
        """``silhouette_score`` of ``labels`` on at most ``silhouette_sample`` rows of ``x``."""
        scorer = getattr(self, "_silhouettes", None) or Silhouettes(
            self.silhouette_sample, self.random_state)
        return scorer.score(x, labels)

    def _null_silhouettes(self, x, ks, seeds):
        """Silhouettes of the same clustering on ``n_null`` permuted copies per seed."""
        if not self.n_null:
            return {}
        variables = variable_columns(self.features_.columns,
                                     set(self.feature_builder_.attribute_types_))
        out = {k: [] for k in ks}
        n = len(x)
        # Large waves: the null is drawn on at most bootstrap_size records (a silhouette with
        # no structure hardly depends on n), as the stability is.
        size = n if self.bootstrap_size is None else min(n, int(self.bootstrap_size))
        for s in seeds:
            rng = np.random.default_rng([s, 7919])  # apart from the bootstrap's stream
            for _ in range(int(self.n_null)):
                xp = permute_variables(x, variables, rng)
                if size < n:
                    xp = xp[np.sort(rng.choice(n, size, replace=False))]
                labels = self._cluster_all(xp, ks, s)
                for k in ks:
                    out[k].append(self._silhouette(xp, labels[k]))
        return {k: np.array(v, dtype=float) for k, v in out.items()}

    def _candidate_ks(self, n):
        if self.n_clusters == "auto":
            low, high = self.k_range
            ks = [k for k in range(min(int(low), n - 1), int(high) + 1) if 2 <= k < n]
        else:
            ks = [int(self.n_clusters)]
        if not ks or ks[0] >= n:
            raise ValueError(f"cannot make {ks} groups of {n} records")
        return ks

    def _cluster(self, x, k, seed):
        """Labels (0-based) of one clustering; Ward trees are cut by :meth:`_cluster_all`."""
        return self._cluster_all(x, [k], seed)[k]

    def _cluster_all(self, x, ks, seed):
        return _cluster_all(x, ks, seed, self.method, self.n_init_)

    def _bootstrap(self, x, ks, full):
        """ARI between the full clustering and each resample's, on the records they share."""
        if not self.n_bootstrap:
            return {}
        rng = np.random.default_rng(self.random_state)
        n = len(x)
        size = n if self.bootstrap_size is None else min(n, int(self.bootstrap_size))
        out = {k: [] for k in ks}
        # All resamples drawn first, in order, so that where they are clustered (joblib's
        # backend: here one after the other, or a Dask cluster) never changes them.
        draws = [rng.integers(0, n, size) for _ in range(self.n_bootstrap)]
        # a function of its arguments alone: a worker receives the resample, not the model
        runs = Parallel()(delayed(_cluster_resample)(x[idx], ks, self.random_state + 1 + b,
                                                     self.method, self.n_init_)
                          for b, idx in enumerate(draws))
        for idx, labels in zip(draws, runs, strict=True):
            unique, first = np.unique(idx, return_index=True)
            for k in ks:
                out[k].append(adjusted_rand_score(full[k][unique], labels[k][first]))
        return out

    def _check_fitted(self):
        if not hasattr(self, "labels_"):
            raise RuntimeError("call fit() before using the typology")

    def transform(self, records, code_matrix=None, terms=None):
        """Euclidean distance of each record to each group centre (columns 1..k)."""
        self._check_fitted()
        feats = self.feature_builder_.transform(records, code_matrix, terms)
        centres = self.cluster_centers_.to_numpy()
        diff = feats.to_numpy()[:, None, :] - centres[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=2))
        return pd.DataFrame(dist, index=feats.index, columns=self.cluster_centers_.index)

    def predict(self, records, code_matrix=None, terms=None, *, return_distance=False):
        """Group of (new) records: the nearest group centre in the fitted feature space.

        Returns
        -------
        Series or DataFrame
            ``group`` per ``record_id``; with ``return_distance``, a DataFrame with columns
            ``group`` and ``distance`` (to that centre; compare with the fitted records'
            distances to judge whether a new record really fits a group).
        """
        dist = self.transform(records, code_matrix, terms)
        # idxmin takes the first minimum, i.e. the larger group on an exact tie.
        group = dist.idxmin(axis=1).astype(int).rename("group")
        if not return_distance:
            return group
        return pd.DataFrame({"group": group, "distance": dist.min(axis=1)})

    def describe(self, records, code_matrix=None, terms=None, answers=None, **kwargs):
        """Characterise the groups of the records the typology was fitted on.

        The typology keeps no copy of its training tables: pass the ``records``, ``code_matrix``
        and ``terms`` given to :meth:`fit` (see :func:`describe_groups` for ``kwargs``).

        Returns
        -------
        Characterisation
        """
        from ._describe import describe_groups

        self._check_fitted()
        return describe_groups(
            records,
            self.labels_,
            code_matrix=code_matrix,
            terms=terms,
            answers=answers,
            features=self.features_,
            **{"active": self.active_variables_, **kwargs},
        )


def _rows_of(records, code_matrix, terms, whole):
    """The code matrix and terms of ``records`` alone (all of them when ``whole``)."""
    if whole:
        return code_matrix, terms
    ids = pd.Index(records["record_id"].astype(str))
    if code_matrix is not None:
        code_matrix = code_matrix[code_matrix.index.astype(str).isin(ids)]
    if terms is not None:
        terms = terms[terms["record_id"].astype(str).isin(ids)]
    return code_matrix, terms


def seed_agreement(records, code_matrix=None, terms=None, *, seeds=(0, 1, 2, 3, 4), **params):
    """Agreement (adjusted Rand index) between typologies fitted with different seeds.

    Parameters
    ----------
    records, code_matrix, terms
        As for :meth:`Typology.fit`.
    seeds : sequence of int
    **params
        Other :class:`Typology` parameters (``random_state`` is set from ``seeds``).

    Returns
    -------
    DataFrame
        One row per pair of seeds: ``seed_a, seed_b, k_a, k_b, ari``.
    """
    fits = {
        s: Typology(**{**params, "random_state": s}).fit(records, code_matrix, terms) for s in seeds
    }
    rows = []
    for i, a in enumerate(seeds):
        for b in seeds[i + 1 :]:
            rows.append(
                {
                    "seed_a": a,
                    "seed_b": b,
                    "k_a": fits[a].n_clusters_,
                    "k_b": fits[b].n_clusters_,
                    "ari": adjusted_rand_score(fits[a].labels_, fits[b].labels_),
                }
            )
    return pd.DataFrame(rows, columns=["seed_a", "seed_b", "k_a", "k_b", "ari"])
