"""The typology's evaluation of its candidate numbers of groups, kept by content hash.

Evaluating each candidate ``k`` (clusterings per seed, bootstrap resamples, permutation nulls)
is most of the typology's cost, and it depends only on the feature matrix, the candidates, the
seeds, the model's parameters, this package's code and the numerical libraries' versions. When
all are the same as in an earlier run, the kept evaluation (one row of scores per ``k`` and the
labels of each ``k``) is read back (:mod:`dialogue_analysis.core.kept`): the same numbers to the
bit, and so the same groups. Only numbers are kept.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import content_key, keep, read_kept


def evaluation_key(model, features: pd.DataFrame, ks: list[int], seeds: list[int]) -> str:
    """SHA-256 of everything the evaluation reads, and of this package's code."""
    params = json.dumps(model.get_params(), sort_keys=True, default=str)
    return content_key(Path(__file__).parent, params, f"n_init={model.n_init_}",
                       features.to_numpy(dtype=np.float64),
                       "\x1f".join(map(str, features.index)),
                       "\x1f".join(map(str, features.columns)),
                       np.asarray(ks, dtype=np.int64), np.asarray(seeds, dtype=np.int64))


def read_evaluation(folder, key: str) -> tuple[pd.DataFrame, dict[int, np.ndarray]] | None:
    """The kept ``(rows, labels by k)`` of an evaluation, or None."""
    kept = read_kept(folder, key)
    if kept is None:
        return None
    columns = [str(c) for c in kept["columns"]]
    rows = pd.DataFrame({c: kept[f"row_{c}"] for c in columns})
    return rows, {int(k): kept[f"labels_{int(k)}"] for k in rows["k"]}


def keep_evaluation(folder, key: str, rows: pd.DataFrame, labels: dict[int, np.ndarray]) -> None:
    keep(folder, key, {"columns": np.asarray(list(rows.columns), dtype=str),
                       **{f"row_{c}": rows[c].to_numpy() for c in rows.columns},
                       **{f"labels_{int(k)}": np.asarray(labels[int(k)]) for k in rows["k"]}})
