"""The coding stage and the analysis stages after it, kept from the previous run when their
inputs are unchanged.

The themes, typology, characterisation, cross tables, map and findings stages are a function
of the tables of the stages before them (records, pseudonymised answers, terms, passages, code
matrix, codebook, declared attributes), of the settings, and of the toolkit's version and code
and the numerical libraries' versions: :func:`analysis_key` hashes all of them (by content:
the same table gives the same digest in memory and read back from parquet). The coding stage is
a function of the pseudonymised answers and their tokens, the records, the codebook file and
the analysts' review decisions (:func:`coding_key`). A run whose keys are the ones the
published analysis recorded (``analysis_manifest.json``, ``analysis_inputs``) takes that
analysis's tables and stage parameters instead of computing them, and links its parquet files
into the new analysis folder: a rerun gives the very same files. Any change of one input,
setting, version or line of code computes the stages again; the later stages are only ever
computed from a coding computed in the same run.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..core.content import frame_digest, framed_digest, toolkit_hash
from ..core.kept import LIBRARIES
from ..core.storage import unstaged
from ._store import AnalysisReplaced
from ._tables import ANALYSIS_DIR, MANIFEST, Analysis

KEPT_STAGES = ("themes", "typology", "describe", "crosstabs", "map", "findings")
# Tables run_analysis makes itself around these stages: always written anew.
OWN_TABLES = ("questions", "attributes", "validation", "coding_agreement")
# The coding stage's tables (with the coding agreement) and its inputs beyond the tables
CODING_TABLES = ("passages", "code_matrix", "codebook", "coding_agreement")
# what reading a published analysis that is missing, damaged or replaced meanwhile raises
_UNREADABLE = (OSError, ValueError, KeyError, TypeError, AttributeError, AnalysisReplaced)
INPUTS = "analysis_inputs"  # manifest key: the keys, and whether the stages were kept


def stage_key(tables: dict[str, pd.DataFrame], settings: dict, *parts: str | bytes) -> str:
    """SHA-256 of a stage's input ``tables`` (name -> table), the settings, ``parts`` (e.g.
    the bytes of input files), the toolkit's version and code and the versions of
    :data:`~dialogue_analysis.core.kept.LIBRARIES`."""
    from .. import __version__

    def parts_in_order():
        yield json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str)
        yield f"dialogue-analysis={__version__}"
        yield toolkit_hash()
        for lib in LIBRARIES:
            yield f"{lib}={importlib.metadata.version(lib)}"
        for name in sorted(tables):
            yield name
            yield frame_digest(tables[name], name)
        yield from parts

    return framed_digest(parts_in_order())


def analysis_key(tables: dict[str, pd.DataFrame], settings: dict) -> str:
    """The key of :data:`KEPT_STAGES`: :func:`stage_key` of their input tables."""
    return stage_key(tables, settings)


def coding_key(answers: pd.DataFrame, nlp_model: str, records: pd.DataFrame,
               settings: dict, files: list[Path], embedding: str = "") -> str:
    """The key of the coding stage: the pseudonymised answers, the NLP model that made their
    tokens, the records, the bytes of ``files`` (the codebook, the analysts' review decisions
    when there are) and, when the review trains the learned layer, the embedding model's name
    and version.

    The tokens are a function of the answers, ``nlp_model`` (name and version), spaCy's
    version and the toolkit's code, all in the key: hashing the token table itself would
    hold several times its size in memory on a large wave.
    """
    made_by = f"{nlp_model} spacy={importlib.metadata.version('spacy')}"
    return stage_key({"answers": answers, "records": records}, settings,
                     *[f.name.encode() + b"\0" + (f.read_bytes() if f.is_file() else b"")
                       for f in files], embedding, made_by)


@dataclass
class Published:
    """The analysis published in ``data/processed/<wave>/analysis/`` before this run."""

    meta: dict
    analysis: Analysis
    folder: Path

    def made_with(self, name: str, key: str) -> bool:
        """Whether its ``name`` (``"sha256"``: the later stages; ``"coding"``) had this key."""
        return (self.meta.get(INPUTS) or {}).get(name) == key

    def coding(self) -> tuple | None:
        """``(passages, code_matrix, codebook, params, agreement)`` as :func:`_code` gives, or
        None when they cannot be read (the coding is then made again)."""
        a = self.analysis
        try:
            return (a.passages, a.code_matrix, a.codebook,
                    self.meta["stages"]["coding"]["params"], a.coding_agreement)
        except _UNREADABLE:
            return None


def published_analysis(processed_dir: str | os.PathLike) -> Published | None:
    """The analysis published in ``processed_dir`` (the published folder, also while a run
    builds its own in a staging folder), or None (none, or unreadable)."""
    from ._store import read_analysis_dir

    published = unstaged(Path(processed_dir))
    folder = published / ANALYSIS_DIR
    try:
        meta = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(meta.get(INPUTS), dict) or not isinstance(meta.get("stages"), dict):
            return None  # an analysis made before stages were kept: computed again
        # its tables are read when a kept stage asks for them: none, when the inputs changed
        return Published(meta, read_analysis_dir(published), folder)
    except _UNREADABLE:
        return None


def kept_analysis(published: Published | None, key: str):
    """``(tables, params, folder)`` of the ``published`` analysis when it was made from inputs
    of this ``key``: its tables (but :data:`OWN_TABLES`), the parameters of
    :data:`KEPT_STAGES` and the folder of its parquet files; None otherwise."""
    if published is None or not published.made_with("sha256", key):
        return None
    stages = published.meta["stages"]
    try:
        params = {s: stages[s]["params"] for s in KEPT_STAGES if s in stages}
    except (KeyError, TypeError):
        return None
    a, folder = published.analysis, published.folder
    names = [n for n in a.table_names()
             if n not in OWN_TABLES and (folder / f"{n}.parquet").is_file()]
    try:
        return {n: getattr(a, n) for n in names}, params, folder
    except _UNREADABLE:  # a damaged table: the stages are run again
        return None
