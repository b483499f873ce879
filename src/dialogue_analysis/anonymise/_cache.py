"""The cache of detections: where each text's identifiers are, on disk, keyed by the text's hash.

A rerun reads what was found in a text instead of running the model on it again; a rerun where
every text is cached does not load the model. The cache maps hashes of *raw* texts to
character offsets in them: it is as sensitive as the raw answers and lives with them, under
``data/interim/<wave>/`` (never under ``data/processed/``). It stores offsets, kind and how
each identifier was found, never the identifier itself (read back from the text).

The folder's name holds the model's name and version and a fingerprint of everything else
the detection depends on (this package's rules and word lists, the extra stop names): when
any of them changes, the texts are read again, and the folders of other fingerprints are
removed.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..nlp import TextCache
from ._lexicon import _Lexicon
from ._types import Identifier
from ._words_store import WORDS_FILE, load_words, save_words

CACHE_FORMAT = 1  # bump when what is stored per text changes
_SCHEMA = pa.schema([("doc", pa.int32()), ("start", pa.int32()), ("end", pa.int32()),
                     ("kind", pa.string()), ("source", pa.string())])


@lru_cache(maxsize=1)
def _rules_digest() -> str:
    """SHA-1 of this package's modules and of the word lists they read."""
    h = hashlib.sha1(f"format {CACHE_FORMAT}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    data = resources.files("dialogue_analysis").joinpath("data")
    for name in ("person_first_names.txt", "person_stopnames.txt"):
        h.update(name.encode() + b"\0" + data.joinpath(name).read_bytes())
    return h.hexdigest()


def cache_folder(cache_dir: Path, model: str | None, extra_stopnames: Iterable[str]) -> Path:
    """``<cache_dir>/<model-version or "rules">-<fingerprint>``."""
    h = hashlib.sha1(_rules_digest().encode())
    for name in sorted({s.strip() for s in extra_stopnames}):
        h.update(b"\0" + name.encode())
    return Path(cache_dir) / f"{model or 'rules'}-{h.hexdigest()[:16]}"


class DetectionCache(TextCache):
    """The identifiers found in each text (see the module's description)."""

    def __init__(self, folder: Path | None):
        super().__init__(folder, f"found-v{CACHE_FORMAT}")

    def load(self, texts: list[str], keys: list[str]) -> dict[str, list[Identifier]]:
        """Identifiers of the cached texts among ``texts``, by key."""
        index = self.index()
        position = {k: u for u, k in enumerate(keys) if k in index}
        found: dict[str, list[Identifier]] = {k: [] for k in position}
        for table in self.read(list(position), position):
            cols = {name: table.column(name).to_pylist() for name in _SCHEMA.names}
            for u, s, e, kind, source in zip(*cols.values(), strict=True):
                found[keys[u]].append(Identifier(s, e, kind, texts[u][s:e], source))
        for ids in found.values():
            ids.sort(key=lambda f: f.start)
        return found

    def store(self, keys: list[str], found: list[list[Identifier]]) -> None:
        """Write the identifiers of one batch of texts (``found[i]`` those of ``keys[i]``)."""
        if self.folder is None or not keys:
            return
        self._claim()
        lens = [len(f) for f in found]
        rows = [f for fs in found for f in fs]
        table = pa.Table.from_arrays(
            [pa.array(np.repeat(np.arange(len(keys), dtype=np.int32), lens)),
             pa.array([f.start for f in rows], pa.int32()),
             pa.array([f.end for f in rows], pa.int32()),
             pa.array([f.kind for f in rows], pa.string()),
             pa.array([f.source for f in rows], pa.string())],
            schema=_SCHEMA,
        )
        self.write(table, keys)

    def words(self) -> _Lexicon | None:
        """The model's words saved here by :meth:`keep_words` (None if none)."""
        return load_words(self.folder) if self.folder is not None else None

    def keep_words(self, lexicon: _Lexicon) -> None:
        """Save the words of the loaded model, for a rerun that will not load it."""
        if self.folder is not None and not (self.folder / WORDS_FILE).is_file():
            self._claim()
            save_words(lexicon, self.folder)

    def _claim(self) -> None:
        """Create the folder; those of other rules or models are removed (nothing will read
        them again)."""
        if self.folder.is_dir():
            return
        parent = self.folder.parent
        if parent.is_dir():
            for other in parent.iterdir():
                if other.is_dir() and other != self.folder:
                    shutil.rmtree(other, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
