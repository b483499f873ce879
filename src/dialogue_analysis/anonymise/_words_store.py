"""The model's common words saved beside the detection cache, so that a rerun with every text
cached needs neither spaCy nor the model.

The words come from the model's lemmatizer tables (see :class:`._lexicon._Lexicon`); its table
of inflected forms is keyed by spaCy's 64-bit string hashes, not by the words, so the hashes are
saved and a word is looked up by the same hash (MurmurHash64A, seed 1, of its UTF-8 bytes, or
the id of spaCy's reserved symbols, which are saved too).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.storage import atomic_path
from ._lexicon import _Lexicon

WORDS_FILE = "model-words-v1.parquet"
_SETS = ("words", "not_nouns", "stop_words", "folded", "english_stop_words")
_MASK = (1 << 64) - 1
_M = 0xC6A4A7935BD1E995


def _murmur64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A of ``data``: spaCy's hash of a string's UTF-8 bytes."""
    n = len(data)
    h = (seed ^ (n * _M)) & _MASK
    end = n - n % 8
    for i in range(0, end, 8):
        k = (int.from_bytes(data[i:i + 8], "little") * _M) & _MASK
        k ^= k >> 47
        h ^= (k * _M) & _MASK
        h = (h * _M) & _MASK
    if n % 8:
        h ^= int.from_bytes(data[end:], "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    return h ^ (h >> 47)


class _HashedForms:
    """Membership in a spaCy lookup table, from its keys' hashes alone."""

    def __init__(self, ids: np.ndarray, symbols: dict[str, int]):
        self.ids = np.sort(ids.astype(np.uint64))
        self.symbols = symbols

    def __contains__(self, word: str) -> bool:
        if not word:
            return False
        key = self.symbols.get(word)
        if key is None:
            key = _murmur64a(word.encode("utf-8"))
        i = int(np.searchsorted(self.ids, np.uint64(key)))
        return i < len(self.ids) and int(self.ids[i]) == key


def save_words(lexicon: _Lexicon, folder: Path) -> None:
    """Save what ``lexicon`` knows (built from a loaded model) in ``folder``."""
    from spacy.symbols import IDS

    sets, values = [], []
    for name in _SETS:
        items = sorted(getattr(lexicon, _attribute(name)))
        sets += [name] * len(items)
        values += items
    forms = lexicon._forms
    ids = np.fromiter((int(k) for k in forms.keys()), dtype=np.uint64) if forms is not None \
        else np.zeros(0, dtype=np.uint64)
    symbols = sorted(IDS.items())
    table = pa.table({
        "set": pa.array(sets + ["form"] * len(ids) + ["symbol"] * len(symbols)).dictionary_encode(),
        "value": pa.array(values + [None] * len(ids) + [s for s, _ in symbols], pa.string()),
        "id": pa.array([None] * len(values) + ids.tolist() + [i for _, i in symbols], pa.uint64()),
    })
    table = table.replace_schema_metadata({"has_forms": "1" if forms is not None else "0"})
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / WORDS_FILE) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def load_words(folder: Path) -> _Lexicon | None:
    """The lexicon saved by :func:`save_words` in ``folder`` (None when there is none)."""
    path = folder / WORDS_FILE
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        has_forms = (table.schema.metadata or {}).get(b"has_forms") == b"1"
    except Exception:  # unreadable: read from the model instead
        return None
    kind = table.column("set").to_numpy(zero_copy_only=False)
    value = table.column("value").to_numpy(zero_copy_only=False)
    ids = table.column("id").fill_null(0).to_numpy()
    sets = {name: frozenset(value[kind == name]) for name in _SETS}
    forms = None
    if has_forms:
        symbol = kind == "symbol"
        forms = _HashedForms(ids[kind == "form"].astype(np.uint64),
                             {s: int(i) for s, i in zip(value[symbol], ids[symbol], strict=True)})
    return _Lexicon.from_sets(**sets, forms=forms)


def _attribute(name: str) -> str:
    return name if name in ("stop_words", "english_stop_words") else f"_{name}"
