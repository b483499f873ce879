"""The analysis tables on disk: parquet files under ``data/processed/<wave>/analysis/`` and the
run manifest, written atomically and read back without recomputing anything.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..core.storage import link_or_copy, staged_dir, write_text

if TYPE_CHECKING:  # the typology is imported only by the stages that fit one
    pass
from ._tables import ANALYSIS_DIR, MANIFEST, Analysis


def analysis_dir(processed_dir: str | os.PathLike) -> Path:
    return Path(processed_dir) / ANALYSIS_DIR


def _to_parquet(df: pd.DataFrame, name: str) -> pd.DataFrame:
    if name == "code_matrix":
        return df.rename_axis("record_id").reset_index()
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object and out[col].map(
                lambda v: isinstance(v, list | tuple | np.ndarray)).any():
            out[col] = out[col].map(lambda v: list(v) if v is not None else [])
    return out


def _from_parquet(df: pd.DataFrame, name: str) -> pd.DataFrame:
    if name == "code_matrix":
        return df.set_index("record_id") if "record_id" in df else df
    for col in df.columns:  # list columns come back as numpy arrays
        if df[col].dtype == object and len(df) and isinstance(df[col].iloc[0], np.ndarray):
            df[col] = df[col].map(list)
    return df


def save_analysis(analysis: Analysis, processed_dir: str | os.PathLike, *,
                  kept_from: str | os.PathLike | None = None, kept: Iterable[str] = ()) -> Path:
    """Write every table of ``analysis`` as parquet and its manifest as JSON, all together.

    The analysis folder is replaced whole: a table of an earlier run that this one does not
    write is gone, and on error the previous folder is left as it was. The tables named in
    ``kept`` are the files of the folder ``kept_from`` (an earlier analysis made from the same
    inputs), linked rather than written again.
    """
    folder = analysis_dir(processed_dir)
    kept = set(kept) if kept_from is not None else set()
    with staged_dir(folder) as stage:
        for name in Analysis.table_names():
            if name in kept:
                link_or_copy(Path(kept_from) / f"{name}.parquet", stage / f"{name}.parquet")
                continue
            _to_parquet(getattr(analysis, name), name).to_parquet(
                stage / f"{name}.parquet", index=False)
        meta = {"wave": analysis.wave, "settings": analysis.settings, **analysis.manifest}
        (stage / MANIFEST).write_text(
            json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return folder


class AnalysisReplaced(RuntimeError):
    """A table asked for after the analysis it belongs to was written again on disk."""


class _SavedTable:
    """Reads one table of a saved analysis when it is first asked for, provided its file is
    still the one there when the analysis was opened (a run writes the folder anew)."""

    def __init__(self, path: Path, name: str):
        self.path, self.name = path, name
        self.stamp = self._stamp()

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def __call__(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The table (only ``columns`` of it, when given)."""
        if self._stamp() != self.stamp:
            raise AnalysisReplaced(
                f"{self.path}: the analysis was written again since it was opened, and its "
                f"table {self.name!r} had not been read yet; load the analysis again "
                "(load_analysis) to read the new one")
        if columns is not None and self.name == "code_matrix" and "record_id" not in columns:
            columns = ["record_id", *columns]  # its index, as when read whole
        return _from_parquet(pd.read_parquet(self.path, columns=columns), self.name)


def read_analysis_dir(processed_dir: str | os.PathLike, *, lazy: bool = True) -> Analysis:
    """Read the tables written by :func:`save_analysis` (missing tables stay empty).

    ``lazy``: each table is read when it is first asked for (``analysis.passages``), so that a
    notebook or an export reads only the tables it uses: at a national consultation's size the
    answers, passages, terms and code matrix weigh hundreds of megabytes. Reading a table whose
    folder a later run wrote again raises :class:`AnalysisReplaced`. ``lazy=False`` reads every
    table now.
    """
    folder = analysis_dir(processed_dir)
    path = folder / MANIFEST
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: no analysis here; run `dialogue-analysis run <survey.yaml>` first")
    meta = json.loads(path.read_text(encoding="utf-8"))
    saved = {name: _SavedTable(folder / f"{name}.parquet", name)
             for name in Analysis.table_names() if (folder / f"{name}.parquet").exists()}
    wave, settings = meta.pop("wave", ""), meta.pop("settings", {})
    if not lazy:
        return Analysis(wave=wave, settings=settings, manifest=meta,
                        **{name: read() for name, read in saved.items()})
    analysis = Analysis(wave=wave, settings=settings, manifest=meta)
    for name in saved:  # the empty default goes: the attribute is looked up, and read, later
        del analysis.__dict__[name]
    analysis.__dict__["_unread"] = saved
    return analysis


def _sha(path) -> str:
    from ..core.storage import sha256_file

    return sha256_file(path) if path is not None and Path(path).is_file() else ""


def save_manifest(analysis: Analysis, processed_dir: str | os.PathLike) -> Path:
    """Rewrite only the manifest of a saved analysis (e.g. after timing the save itself)."""
    meta = {"wave": analysis.wave, "settings": analysis.settings, **analysis.manifest}
    path = analysis_dir(processed_dir) / MANIFEST
    write_text(path, json.dumps(meta, ensure_ascii=False, indent=2, default=str))
    return path


def load_analysis(project_or_config, root: str | os.PathLike = ".", *,
                  language: str | None = None) -> Analysis:
    """Read the analysis of a wave written by :func:`run_analysis`, without recomputing.

    Parameters
    ----------
    project_or_config : Project or path
        The project or its survey.yaml.
    root : path
        The folder given to :func:`run_analysis`.
    language : {"fr", "en"}, optional
        Report language overriding the settings' one.

    Examples
    --------
    >>> a = load_analysis("data/raw/sample-2018/survey.yaml")       # doctest: +SKIP
    >>> a.findings.head()                                            # doctest: +SKIP
    """
    from ..ingest import load_project

    project = project_or_config
    if not hasattr(project, "survey"):
        project = load_project(project_or_config)
    analysis = read_analysis_dir(project.processed_dir(root))
    if language:
        analysis.settings = {**analysis.settings, "language": language}
    return analysis


