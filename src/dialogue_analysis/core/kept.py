"""Numbers kept on disk by the content hash of what they were computed from.

A stage whose costly choice depends only on tables that have not changed (the number of themes,
the typology's resamples) keeps its result as arrays in a ``.npz`` file named by the SHA-256
of its inputs, its package's code and the numerical libraries' versions: a rerun reads the same
numbers back instead of computing them again. Only arrays of numbers are stored (read without
pickle); the most recent :data:`KEEP` files of a folder are kept.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path

import numpy as np

from .content import framed_digest
from .storage import atomic_path

KEEP = 8  # files kept per folder: the latest results (other waves, other settings)
LIBRARIES = ("numpy", "scipy", "scikit-learn")


def content_key(package: str | os.PathLike, *parts) -> str:
    """SHA-256 (hex) of ``parts`` (str, bytes or arrays), the ``.py`` files of the
    ``package`` folder and the versions of :data:`LIBRARIES`."""
    def parts_bytes():
        for path in sorted(Path(package).glob("*.py")):
            yield path.name.encode() + b"\0" + path.read_bytes()
        for lib in LIBRARIES:
            yield f"{lib}={importlib.metadata.version(lib)}"
        for part in parts:
            if isinstance(part, np.ndarray):
                part = np.ascontiguousarray(part)
                yield f"{part.dtype.str}{part.shape}".encode() + part.tobytes()
            else:
                yield part

    return framed_digest(parts_bytes())


def read_kept(folder: str | os.PathLike | None, key: str) -> dict[str, np.ndarray] | None:
    """The arrays kept under ``key`` in ``folder``, or None (not kept, or unreadable)."""
    if folder is None:
        return None
    path = Path(folder) / f"{key[:40]}.npz"
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            return {name: z[name] for name in z.files}
    except (OSError, ValueError, KeyError):  # a damaged file: computed again
        return None


def keep(folder: str | os.PathLike | None, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` under ``key`` in ``folder`` (atomic), keeping the latest files only."""
    if folder is None:
        return
    folder = Path(folder)
    with atomic_path(folder / f"{key[:40]}.npz") as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)
    for old in sorted(folder.glob("*.npz"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
        old.unlink(missing_ok=True)
