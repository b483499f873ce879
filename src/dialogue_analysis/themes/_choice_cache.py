"""The choice of the number of themes, kept by the content hash of what it was made from.

Choosing ``k`` fits NMF a few dozen times (each ``k`` on the answers and on subsamples): most of
what a rerun with unchanged answers costs in the themes stage. The choice depends only on the
answers' TF-IDF matrix, their keys, the parameters, this package's code and the numerical
libraries' versions; when all are the same, the kept result (the chosen ``k``, the evidence, the
fit of that ``k``) is read back (:mod:`dialogue_analysis.core.kept`), the same numbers to the
bit. Only numbers are kept (weights and scores, no term and no text).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from ..core import content_key, keep, read_kept
from ._choice import EVIDENCE_COLUMNS, Fit, choose_n_themes


def choice_key(x: sparse.csr_matrix, keys: pd.DataFrame, params: dict) -> str:
    """SHA-256 of everything :func:`choose_n_themes` reads, and of this package's code."""
    x = sparse.csr_matrix(x)
    parts = [json.dumps(params, sort_keys=True, default=str), np.asarray(x.shape),
             x.indptr, x.indices, x.data]
    parts += ["\x1f".join(keys[c].astype(str)) for c in keys.columns]
    return content_key(Path(__file__).parent, *parts)


def choose_n_themes_kept(x: sparse.csr_matrix, keys: pd.DataFrame, *, cache_dir=None,
                         **params) -> tuple[int, pd.DataFrame, Fit, int]:
    """:func:`choose_n_themes` (chosen ``k``, evidence, the fit of ``k``, answers used), read
    from ``cache_dir`` when the same inputs were seen before (made and kept otherwise)."""
    key = choice_key(x, keys, params) if cache_dir is not None else ""
    kept = read_kept(cache_dir, key)
    if kept is not None:
        evidence = pd.DataFrame({c: kept[f"evidence_{c}"] for c in EVIDENCE_COLUMNS})
        w = kept["w"] if bool(kept["has_w"]) else None
        return int(kept["k"]), evidence, (w, kept["h"]), int(kept["n_used"])
    k, evidence, fits, n_used = choose_n_themes(x, keys, **params)
    w, h = fits[k]
    keep(cache_dir, key, {"k": np.int64(k), "n_used": np.int64(n_used), "h": h,
                          "has_w": np.bool_(w is not None),
                          "w": np.zeros((0, 0)) if w is None else w,
                          **{f"evidence_{c}": evidence[c].to_numpy() for c in EVIDENCE_COLUMNS}})
    return k, evidence, (w, h), n_used
