"""Samples drawn by key: the same rows whatever order they come in.

The themes, the typology and the map are fitted on at most ``settings.fit_sample`` rows (answers
or records) of a large wave, and every row is then assigned on what was fitted, a block at a
time: the memory of these stages stays flat as the corpus grows. A row is in the sample when a
hash of its key falls below the wanted fraction, so a shuffled wave gives the same sample, and a
wave at or below the bound is fitted on all its rows (nothing changes for it).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

FIT_SAMPLE = 50_000  # default of settings.fit_sample: above the 35,627 Grand Débat answers
BLOCK = 20_000  # rows assigned at a time on what the sample fitted


def key_fraction(keys: pd.DataFrame, salt: str) -> np.ndarray:
    """A number in [0, 1) per row, from its key columns alone (not its position)."""
    cols = [keys.iloc[:, j].astype(str).tolist() for j in range(keys.shape[1])]
    out = np.empty(len(keys))
    for i, parts in enumerate(zip(*cols, strict=True)):
        digest = hashlib.blake2b("\x1f".join((salt, *parts)).encode(), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "big") / 2**64
    return out


def fit_rows(keys: pd.DataFrame, limit: int | None, salt: str = "fit") -> np.ndarray | None:
    """Positions of the rows to fit on: ``None`` (all of them, as they come) when there are at
    most ``limit`` rows (or no limit), else about ``limit`` rows drawn by key, in the order of
    their keys (so that a fit on them does not depend on the order of the rows either)."""
    n = len(keys)
    if limit is None or n <= int(limit):
        return None
    rows = np.flatnonzero(key_fraction(keys, salt) < int(limit) / n)
    order = keys.iloc[rows].astype(str).reset_index(drop=True)
    return rows[order.sort_values(list(order.columns), kind="stable").index.to_numpy()]
