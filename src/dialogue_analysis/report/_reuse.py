"""Outputs kept from the previous run when the tables behind them have not changed.

Drawing the figures, executing the notebooks and writing the QDA exports cost most of a rerun
that changes nothing. Each of these folders holds a ``.inputs.json`` with the content hash of
what it was made from (:func:`inputs_hash`: the analysis tables, the settings, the language,
the parameters the stages recorded, the toolkit's own code, plus what the caller adds, e.g. the
notebooks' sources). A run whose hash matches links the previous files into its new folder
(hard links: same bytes, same file, nothing rewritten) instead of building them again; any
change of the inputs, or of a file since it was written, rebuilds the folder whole.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import Analysis
from ..core.storage import sha256_file

INPUTS_FILE = ".inputs.json"
# Stage parameters that say how much work a run did (texts parsed or read from the caches), not
# what it found: a warm rerun differs there and nowhere else.
WORK_STAGES = ("anonymise", "nlp")


def inputs_hash(a: Analysis, language: str, *extra: str | bytes) -> str:
    """SHA-256 of everything an output drawn from ``a`` in ``language`` depends on."""
    h = hashlib.sha256()

    def add(data: str | bytes) -> None:
        data = data.encode("utf-8") if isinstance(data, str) else data
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)

    stages = a.manifest.get("stages", {}) if isinstance(a.manifest, dict) else {}
    params = {s: v.get("params", {}) for s, v in stages.items()
              if isinstance(v, dict) and s not in WORK_STAGES}
    add(json.dumps({"wave": a.wave, "language": language, "settings": a.settings,
                    "params": params, "versions": a.manifest.get("versions", {})},
                   sort_keys=True, ensure_ascii=False, default=str))
    add(_toolkit_hash())
    for name in Analysis.table_names():
        add(name)
        add(_frame_hash(getattr(a, name), name))
    for item in extra:
        add(item)
    return h.hexdigest()


def _frame_hash(df: pd.DataFrame, name: str = "") -> bytes:
    """A digest of a table's columns and values, the same for the table a run holds and for
    the one read back from its parquet file (where the index and some types differ)."""
    h = hashlib.sha256()
    h.update(json.dumps([str(c) for c in df.columns]).encode("utf-8"))
    if name == "code_matrix":  # its index (the record ids) is stored; other tables' are not
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


@functools.cache
def _toolkit_hash() -> str:
    """The toolkit's own code: a new version draws anew."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode("utf-8"))
        h.update(path.read_bytes())
    return h.hexdigest()


def files_hash(paths: Iterable[str | os.PathLike]) -> str:
    """SHA-256 of some files' names and bytes (e.g. the notebooks to execute)."""
    h = hashlib.sha256()
    for path in paths:
        path = Path(path)
        h.update(path.name.encode("utf-8"))
        h.update(path.read_bytes() if path.is_file() else b"")
    return h.hexdigest()


def unchanged(folder: str | os.PathLike, digest: str) -> list[str] | None:
    """The files ``folder`` was made with from inputs of this hash, when they are all still
    there as written; None otherwise (other inputs, a file gone or edited)."""
    folder = Path(folder)
    try:
        made = json.loads((folder / INPUTS_FILE).read_text(encoding="utf-8"))
        if made.get("sha256") != digest:
            return None
        files = made["files"]
        if all(sha256_file(folder / name) == sha for name, sha in files.items()):
            return list(files)
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        pass
    return None


def reuse(previous: str | os.PathLike, target: str | os.PathLike, digest: str) -> bool:
    """Link the files of ``previous`` into ``target`` when made from the same inputs.

    Only the files recorded with the hash are linked (a file added by hand since does not
    survive). Returns False (and leaves ``target`` absent) when the inputs changed: build it.
    """
    previous, target = Path(previous), Path(target)
    files = unchanged(previous, digest)
    if files is None or target.exists():
        return False
    try:
        target.mkdir(parents=True)
        for name in [*files, INPUTS_FILE]:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            _link(previous / name, target / name)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system: a copy keeps the bytes and the time
        shutil.copy2(src, dst)


def record_inputs(folder: str | os.PathLike, digest: str) -> None:
    """Write ``folder/.inputs.json`` once the folder is built: the hash and each file's."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {p.relative_to(folder).as_posix(): sha256_file(p)
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != INPUTS_FILE}
    (folder / INPUTS_FILE).write_text(
        json.dumps({"sha256": digest, "files": files}, indent=1) + "\n", encoding="utf-8")
