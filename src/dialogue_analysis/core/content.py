"""Content hashes: of a table's values, and of the toolkit's own code.

What a stage or a published file is made from is compared by content, not by file dates: the
same table gives the same digest whether a run holds it in memory or read it back from its
parquet file (where the index and some types differ).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd


def frame_digest(df: pd.DataFrame, name: str = "") -> bytes:
    """A digest of a table's columns and values (and of its index for ``code_matrix``, whose
    index, the record ids, is stored; other tables' are not)."""
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in df.columns]).encode("utf-8"))
    if name == "code_matrix":
        h.update(_column_bytes(pd.Series(df.index, dtype=object)))
    for col in df.columns:
        h.update(_column_bytes(df[col]))
    return h.digest()


def _column_bytes(s: pd.Series) -> bytes:
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if s.dtype.kind not in "biufMm":
        try:  # numbers held as objects read back as numbers
            s = pd.to_numeric(s, errors="raise")
        except (ValueError, TypeError):
            values = s.to_numpy(dtype=object)
            if pd.api.types.infer_dtype(values, skipna=False) == "string":  # text only: as is
                text = pd.Series(values, dtype=object)
            else:
                text = s.map(_scalar_text)
            return pd.util.hash_pandas_object(text, index=False).to_numpy().tobytes()
    if s.dtype.kind in "Mm":
        return pd.util.hash_pandas_object(s.map(_scalar_text), index=False).to_numpy().tobytes()
    values = s.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    values[np.isnan(values)] = np.nan
    return values.tobytes()


def _scalar_text(v) -> str:
    if isinstance(v, list | tuple | np.ndarray):
        return json.dumps([_scalar_text(x) for x in v], ensure_ascii=False)
    if isinstance(v, dict):
        return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)
    if v is None or (isinstance(v, float | np.floating) and np.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, np.generic):
        v = v.item()
    return repr(v)


def framed_digest(parts: Iterable[str | bytes]) -> str:
    """SHA-256 (hex) of ``parts`` in order (text as UTF-8), each preceded by its length, so
    that two different sequences of parts never hash alike ("ab", "c" against "a", "bc")."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else bytes(part)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@functools.cache
def toolkit_hash() -> str:
    """SHA-256 of the toolkit's own code (every ``.py`` file of the package)."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode("utf-8"))
        h.update(path.read_bytes())
    return h.hexdigest()
