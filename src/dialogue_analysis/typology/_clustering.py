"""The rule that chooses k, and the clusterings the typology is evaluated with.

:func:`choose_k` reads a k-evidence table; the other functions cluster, number groups by size
and build the permuted null of :class:`~dialogue_analysis.typology.Typology`.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score, pairwise_distances_chunked, silhouette_samples
from threadpoolctl import threadpool_limits


def choose_k(evidence, *, stability_threshold=0.75, tolerance=0.02, min_group_size=5):
    """Choose the number of groups from a k-evidence table.

    The rule, in order:

    1. *Eligible* k: every group has at least ``min_group_size`` records (a group of three
       interviews cannot support a finding). If no k qualifies, all are eligible.
    2. *Stable* k: mean bootstrap adjusted Rand index >= ``stability_threshold`` (0.75 is
       Hennig's usual line between "stable" and "doubtful" clusters). If none qualifies, the
       eligible k whose stability is within 0.05 of the best are kept.
    3. Among them, the best silhouette ``s*``; the k with silhouette >= ``s* - tolerance`` are
       equally well separated for practical purposes.
    4. Among those, the **largest** k. Within the tolerance the partitions are as well
       separated and all reproducible, and a finer typology says more about who needs what;
       the stability filter is what keeps an arbitrary split of a homogeneous group out
       (such a split is not reproducible across resamples). Without bootstrap (stability NaN)
       the rule reduces to the best silhouette, ties to the largest k.

    Parameters
    ----------
    evidence : DataFrame
        Columns ``k, silhouette, stability, smallest_group``.
    stability_threshold, tolerance : float
    min_group_size : int

    Returns
    -------
    int
    """
    ev = evidence.dropna(subset=["silhouette"])
    if ev.empty:
        return int(evidence["k"].min())
    eligible = ev[ev["smallest_group"] >= min_group_size]
    ev = eligible if not eligible.empty else ev
    if ev["stability"].notna().any():
        stable = ev[ev["stability"] >= stability_threshold]
        if stable.empty:
            stable = ev[ev["stability"] >= ev["stability"].max() - 0.05]
        ev = stable
    best = ev["silhouette"].max()
    return int(ev.loc[ev["silhouette"] >= best - tolerance, "k"].max())


def number_by_size(labels):
    """Renumber cluster labels 1..k by decreasing size; ties by first appearance."""
    labels = np.asarray(labels)
    values, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))  # last key sorts first: size, then first position
    mapping = {values[j]: rank + 1 for rank, j in enumerate(order)}
    return np.array([mapping[v] for v in labels], dtype=int)


def variable_columns(columns, attributes):
    """Column positions of each variable: an attribute's indicator columns stay together.

    ``columns`` are feature names (``"territory=rural"``, ``"need.transport"``, ``"text_3"``);
    ``attributes`` the names of the profile attributes. Every other column is its own variable.
    """
    groups = {}
    for i, col in enumerate(columns):
        name = str(col).split("=", 1)[0]
        groups.setdefault(name if name in attributes else f"\0{col}", []).append(i)
    return list(groups.values())


def permute_variables(x, variables, rng):
    """``x`` with the rows of each variable's columns shuffled independently (the null)."""
    # Column by column in a column-major copy (each column contiguous), rather than every row
    # of ``x`` gathered once per variable: the same values, handed back in ``x``'s layout.
    xf = np.asfortranarray(x)
    out = np.empty_like(xf, order="F")
    for cols in variables:
        out[:, cols] = xf[:, cols][rng.permutation(len(x))]
    return np.ascontiguousarray(out) if x.flags.c_contiguous else out


def _cluster_all(x, ks, seed, method, n_init):
    """Labels (0-based) of ``x`` clustered into each k of ``ks``."""
    if method == "ward":
        tree = linkage(x, method="ward")  # one tree, cut at every k
        return {k: fcluster(tree, t=k, criterion="maxclust") - 1 for k in ks}
    # On a small wave k-means finds fewer distinct points than groups: the caller already
    # warned that such groups are fragile (check_group_settings), once, in words.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return {k: KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit_predict(x)
                for k in ks}


def _cluster_resample(x, ks, seed, method, n_init):
    """:func:`_cluster_all` with one thread (BLAS and OpenMP), also in a joblib worker."""
    with threadpool_limits(limits=1):
        return _cluster_all(x, ks, seed, method, n_init)


def _mean_pairwise_ari(partitions):
    pairs = [adjusted_rand_score(a, b) for i, a in enumerate(partitions)
             for b in partitions[i + 1:]]
    return float(np.mean(pairs)) if pairs else np.nan


class Silhouettes:
    """Silhouettes of several labellings of the same rows, their distances computed once.

    ``silhouette_score(x, labels, sample_size=..., random_state=...)`` draws the same rows of
    ``x`` and computes the same distances between them for every labelling; the typology
    scores up to seven k and three seeds on each matrix. Here the drawn rows' distances are
    computed once per matrix, by the function and in the chunks ``silhouette_score`` computes
    them, and each labelling is scored on them (``metric="precomputed"``): the same values to
    the bit, for a fraction of the distance computations. Only the last matrix's distances are
    kept (the typology scores one matrix after the other).
    """

    def __init__(self, sample: int, random_state: int):
        self.sample, self.random_state = int(sample), random_state
        self._x = self._rows = self._distances = None

    def score(self, x: np.ndarray, labels: np.ndarray) -> float:
        n = len(x)
        if not 1 < len(np.unique(labels)) < n:
            return np.nan
        if self._x is not x:
            # the rows silhouette_score draws (sample_size, random_state), else every row:
            # ``x`` itself, not a copy, whose memory layout could change the last bits
            rows = (np.random.RandomState(self.random_state).permutation(n)[:self.sample]
                    if n > self.sample else None)
            self._x, self._rows = x, rows
            self._distances = np.vstack(list(pairwise_distances_chunked(
                x if rows is None else x[rows])))
        labels = np.asarray(labels)
        return float(np.mean(silhouette_samples(
            self._distances, labels if self._rows is None else labels[self._rows],
            metric="precomputed")))

    def clear(self) -> None:
        self._x = self._rows = self._distances = None
