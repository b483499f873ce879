"""The cache of parses: what the model says about each text, on disk, keyed by the text's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.storage import atomic_path
from ._parallel import map_chunks, pipe_docs

__all__ = [
    "TextCache",
    "text_key",
]


CACHE_FORMAT = 1  # bump when what is stored per text changes

def text_key(text: str) -> str:
    """Cache key of a text: SHA-1 of its UTF-8 bytes (hex)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


_SCHEMA = pa.schema(
    [
        ("doc", pa.int32()),
        ("i", pa.int32()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("lemma", pa.dictionary(pa.int32(), pa.string())),
        ("pos", pa.dictionary(pa.int32(), pa.string())),
        ("sent_start", pa.bool_()),
        ("chunk", pa.int32()),
    ]
)


def _doc_arrays(doc) -> tuple[np.ndarray, ...]:
    from spacy.attrs import IDX, IS_SPACE, LEMMA, LENGTH, POS, SENT_START

    arr = doc.to_array([IDX, LENGTH, LEMMA, POS, SENT_START, IS_SPACE])
    n = len(doc)
    chunk = np.full(n, -1, dtype=np.int32)
    if doc.has_annotation("DEP"):
        for k, span in enumerate(doc.noun_chunks):
            chunk[span.start : span.end] = k
    keep = arr[:, 5] == 0
    idx = np.nonzero(keep)[0]
    sent = arr[keep, 4].astype(np.int64) == 1
    if len(idx) and not sent[0]:
        sent[0] = True  # the text opened with whitespace
    start = arr[keep, 0].astype(np.int32)
    return (
        idx.astype(np.int32),
        start,
        start + arr[keep, 1].astype(np.int32),
        arr[keep, 2],
        arr[keep, 3],
        sent,
        chunk[keep],
    )


def _batch_table(parts: list[tuple[np.ndarray, ...]], strings) -> pa.Table:
    """One parquet-ready table of the parses of several texts (``doc`` = position in the batch)."""
    lens = [len(p[0]) for p in parts]
    doc = np.repeat(np.arange(len(parts), dtype=np.int32), lens)
    cols = [np.concatenate([p[k] for p in parts]) if parts else np.zeros(0) for k in range(7)]

    def dictionary(hashes: np.ndarray) -> pa.DictionaryArray:
        uniq, inv = np.unique(hashes.astype(np.uint64), return_inverse=True)
        values = pa.array([strings[int(h)] for h in uniq], type=pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(inv.astype(np.int32)), values)

    return pa.Table.from_arrays(
        [
            pa.array(doc, pa.int32()),
            pa.array(cols[0].astype(np.int32)),
            pa.array(cols[1].astype(np.int32)),
            pa.array(cols[2].astype(np.int32)),
            dictionary(cols[3]),
            dictionary(cols[4]),
            pa.array(cols[5].astype(bool)),
            pa.array(cols[6].astype(np.int32)),
        ],
        schema=_SCHEMA,
    )


class TextCache:
    """Tables about texts stored as parquet batches in one folder, keyed by text hash.

    Each file lists its texts' keys (:func:`text_key`) in its metadata, so that a text with no
    row (no identifier found, say) is known to be cached too; its ``doc`` column (the first)
    is the text's position in that list. Files are written whole (atomic rename) and never
    changed afterwards, so they may be hard-linked or copied while a run reads them.

    Parameters
    ----------
    folder : path or None
        Where the files are; None caches nothing.
    name : str
        Prefix of the files written (``<name>-<digest>.parquet``).
    readable : tuple of str, optional
        Prefixes of the files read (``(name,)`` by default).
    """

    def __init__(self, folder: Path | None, name: str, readable: tuple[str, ...] | None = None):
        self.folder = folder
        self.name = name
        self.readable = readable or (name,)
        self._index: dict[str, tuple[Path, int]] | None = None

    def index(self) -> dict[str, tuple[Path, int]]:
        if self._index is None:
            self._index = {}
            if self.folder is not None and self.folder.is_dir():
                paths = [p for prefix in self.readable
                         for p in sorted(self.folder.glob(f"{prefix}-*.parquet"))]
                for path in paths:
                    try:
                        meta = pq.read_schema(path).metadata or {}
                        keys = json.loads(meta[b"keys"])
                    except Exception:  # an unreadable file is ignored, its texts done again
                        continue
                    for pos, k in enumerate(keys):
                        self._index.setdefault(k, (path, pos))
        return self._index

    def read(self, keys: Sequence[str], position: dict[str, int]) -> list[pa.Table]:
        """Tables of the cached texts among ``keys``, ``doc`` renumbered by ``position``."""
        index = self.index()
        by_file: dict[Path, dict[int, int]] = {}
        for k in keys:
            hit = index.get(k)
            if hit is not None:
                by_file.setdefault(hit[0], {})[hit[1]] = position[k]
        out = []
        for path, wanted in by_file.items():
            table = pq.read_table(path)
            doc = table.column("doc").to_numpy()
            lut = np.full(max(int(doc.max(initial=-1)), *wanted) + 2, -1, dtype=np.int64)
            for pos, u in wanted.items():
                lut[pos] = u
            new = lut[doc]
            mask = new >= 0
            table = table.filter(pa.array(mask)).set_column(
                0, "doc", pa.array(new[mask].astype(np.int32))
            )
            out.append(table)
        return out

    def write(self, table: pa.Table, keys: list[str]) -> None:
        if self.folder is None:
            return
        digest = hashlib.sha1("\n".join(keys).encode()).hexdigest()[:20]
        path = self.folder / f"{self.name}-{digest}.parquet"
        table = table.replace_schema_metadata({"keys": json.dumps(keys)})
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        if self._index is not None:
            for pos, k in enumerate(keys):
                self._index.setdefault(k, (path, pos))


class _ParseCache(TextCache):
    """The parses of the NLP stage.

    Files of full parses are named ``parse-v<format>-full-*``; those made without the parser
    (no noun chunks) ``parse-v<format>-tag-*``. A run that needs noun chunks reads only the
    former; a run without them reads both (tokens, lemmas and sentences are the same).
    """

    def __init__(self, folder: Path | None, noun_chunks: bool = True):
        self.kind = "full" if noun_chunks else "tag"
        kinds = ("full",) if noun_chunks else ("full", "tag")
        super().__init__(folder, f"parse-v{CACHE_FORMAT}-{self.kind}",
                         tuple(f"parse-v{CACHE_FORMAT}-{k}" for k in kinds))


def _parse_texts(
    texts: list[str],
    keys: list[str],
    *,
    nlp,
    cache: _ParseCache,
    batch_size: int,
    n_process: int,
    cache_batch: int,
    progress: Callable[[int], None] | None,
    keep: bool = True,
) -> list[tuple[pa.Table, list[str]]]:
    """Parse ``texts`` with ``nlp.pipe``; store and return one table per ``cache_batch`` texts.

    Each chunk of ``cache_batch`` texts is parsed (in a worker process when ``n_process`` > 1)
    and reduced to one table there: only the table comes back, never the docs. With ``keep``
    False the tables are only stored (none is returned, none held after it is written).
    """
    out: list[tuple[pa.Table, list[str]]] = []
    skip = [] if cache.kind == "full" else [p for p in ("parser",) if p in nlp.pipe_names]

    def parse(chunk: list[str]) -> pa.Table:
        with nlp.select_pipes(disable=skip):
            parts = [_doc_arrays(doc) for doc in pipe_docs(nlp, chunk, batch_size=batch_size)]
        return _batch_table(parts, nlp.vocab.strings)

    tables = map_chunks(parse, texts, chunk_size=cache_batch, n_process=n_process)
    for i, table in enumerate(tables):
        batch_keys = list(keys[i * cache_batch:(i + 1) * cache_batch])
        cache.write(table, batch_keys)
        if keep:
            out.append((table, batch_keys))
        if progress is not None:
            progress(len(batch_keys))
    return out


def _cache_folder(root, cache_dir, model_id: str) -> Path | None:
    if cache_dir is not None:
        return Path(cache_dir) / model_id
    if root is not None:
        return Path(root) / "data" / "processed" / "_nlp_cache" / model_id
    return None

