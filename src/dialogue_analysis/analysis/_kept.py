"""The analysis stages after coding, kept from the previous run when their inputs are unchanged.

The themes, typology, characterisation, cross tables, map and findings stages are a function
of the tables of the stages before them (records, pseudonymised answers, terms, passages, code
matrix, codebook, declared attributes), of the settings, and of the toolkit's version and code
and the numerical libraries' versions: :func:`analysis_key` hashes all of them (by content:
the same table gives the same digest in memory and read back from parquet). A run whose key is
the one the published analysis recorded (``analysis_manifest.json``, ``analysis_inputs``)
takes that analysis's tables and stage parameters instead of computing them, and links its
parquet files into the new analysis folder: a rerun gives the very same files. Any change of
one input, setting, version or line of code computes every stage again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

import pandas as pd

from ..core.content import frame_digest, toolkit_hash
from ..core.kept import LIBRARIES
from ..core.storage import unstaged
from ._tables import ANALYSIS_DIR, MANIFEST

KEPT_STAGES = ("themes", "typology", "describe", "crosstabs", "map", "findings")
# Tables run_analysis makes itself around these stages: always written anew.
OWN_TABLES = ("questions", "attributes", "validation", "coding_agreement")
INPUTS = "analysis_inputs"  # manifest key: the key, and whether the stages were kept


def analysis_key(tables: dict[str, pd.DataFrame], settings: dict) -> str:
    """SHA-256 of the stages' input ``tables`` (name -> table), the settings, the toolkit's
    version and code and the versions of :data:`~dialogue_analysis.core.kept.LIBRARIES`."""
    from .. import __version__

    h = hashlib.sha256()

    def add(data: str | bytes) -> None:
        data = data.encode("utf-8") if isinstance(data, str) else data
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)

    add(json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str))
    add(f"dialogue-analysis={__version__}")
    add(toolkit_hash())
    for lib in LIBRARIES:
        add(f"{lib}={importlib.metadata.version(lib)}")
    for name in sorted(tables):
        add(name)
        add(frame_digest(tables[name], name))
    return h.hexdigest()


def kept_analysis(processed_dir: str | os.PathLike, key: str):
    """``(tables, params, folder)`` of the analysis published in ``processed_dir`` when it was
    made from inputs of this ``key``: its tables (but :data:`OWN_TABLES`), the parameters of
    :data:`KEPT_STAGES` and the folder of its parquet files; None otherwise."""
    from ._store import read_analysis_dir

    published = unstaged(Path(processed_dir))
    folder = published / ANALYSIS_DIR
    try:
        meta = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if meta.get(INPUTS, {}).get("sha256") != key:
            return None
        stages = meta["stages"]
        params = {s: stages[s]["params"] for s in KEPT_STAGES if s in stages}
        previous = read_analysis_dir(published)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no analysis, another version's or a damaged one: computed again
    names = [n for n in previous.table_names()
             if n not in OWN_TABLES and (folder / f"{n}.parquet").is_file()]
    return {n: getattr(previous, n) for n in names}, params, folder
