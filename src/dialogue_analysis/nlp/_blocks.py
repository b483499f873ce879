"""The NLP stage a block of answers at a time: the parse cache filled first, then each block's
tables made from it, written to parquet and freed, so that no table of the whole wave's tokens
is ever held in memory.

:func:`cache_parses` parses every text not yet in the cache (the model loaded only then) and
keeps nothing; :func:`~dialogue_analysis.nlp.parse_answers` on a block of answers then reads
their parses back from the cache with no model. :class:`TokenTables` appends each block's
tokens and sentences to parquet files through ``pyarrow.parquet.ParquetWriter`` (one row group
per block), which later readers open by columns.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ._cache import _cache_folder, _parse_texts, _ParseCache, text_key
from ._model import DEFAULT_MODEL, SENTENCE_COMPONENT, load_nlp, model_id
from ._parallel import PARALLEL_FROM, processes_for
from ._wordlists import load_multiword_terms

__all__ = ["ParseCounts", "TokenTables", "cache_parses"]


@dataclass(frozen=True)
class ParseCounts:
    """``model`` (``<model>-<version>``); distinct answer texts, of which parsed now and of
    which read from the cache (the counts :class:`~dialogue_analysis.nlp.ParsedAnswers` gives
    for the same answers)."""

    model: str
    n_texts: int
    n_parsed: int
    n_cached: int


def cache_parses(
    answers: pd.DataFrame,
    *,
    model: str = DEFAULT_MODEL,
    nlp=None,
    root: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    multiword_terms: str | os.PathLike | Iterable[str] | None = None,
    batch_size: int = 128,
    n_process: int | str = 1,
    cache_batch: int = 2000,
    parallel_from: int = PARALLEL_FROM,
    noun_phrases: bool = True,
) -> ParseCounts:
    """Parse into the cache every text of ``answers`` (and multi-word term) not in it yet.

    The arguments are those of :func:`~dialogue_analysis.nlp.parse_answers`; ``root`` or
    ``cache_dir`` is required. Nothing is returned but the counts: the parses are read back by
    :func:`~dialogue_analysis.nlp.parse_answers` on each block of answers, with no model.
    """
    if nlp is not None and SENTENCE_COMPONENT not in nlp.pipe_names:
        raise ValueError("pass a pipeline made by load_nlp(), or model= its name")
    model_name = model_id(model, nlp)
    folder = _cache_folder(root, cache_dir, model_name)
    if folder is None:
        raise ValueError("cache_parses needs root or cache_dir: the parses are stored there")
    cache = _ParseCache(folder, noun_chunks=noun_phrases)
    texts: dict[str, str] = {}
    for t in answers["text"].fillna("").astype(str):
        texts.setdefault(text_key(t), t)
    n_texts = len(texts)
    answer_keys = set(texts)
    for t in load_multiword_terms(multiword_terms):  # parsed like answers by parse_answers
        texts.setdefault(text_key(t), t)
    index = cache.index()
    missing = [k for k in texts if k not in index]
    n_parsed = sum(1 for k in missing if k in answer_keys)
    if missing:
        _parse_texts([texts[k] for k in missing], missing,
                     nlp=nlp if nlp is not None else load_nlp(model), cache=cache,
                     batch_size=batch_size,
                     n_process=processes_for(n_process, len(missing), parallel_from),
                     cache_batch=cache_batch, progress=None, keep=False)
    return ParseCounts(model_name, n_texts, n_parsed, n_texts - n_parsed)


class TokenTables:
    """The tokens and sentences of a wave, a block of answers at a time, in ``folder``.

    ``append(parsed)`` writes a block's ``tokens`` and ``sentences`` (one row group each) to
    ``tokens.parquet`` and ``sentences.parquet``; ``close()`` ends the files (an empty table
    when no block had rows). :meth:`read` returns chosen columns of one of them.
    """

    NAMES = ("tokens", "sentences")

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.parquet"

    def append(self, parsed) -> None:
        for name in self.NAMES:
            table = pa.Table.from_pandas(getattr(parsed, name), preserve_index=False)
            writer = self._writers.get(name)
            if writer is None:
                writer = self._writers[name] = pq.ParquetWriter(self.path(name), table.schema,
                                                                compression="zstd")
            writer.write_table(table.cast(writer.schema))

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def read(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """Columns of the tokens or sentences written, one row group at a time."""
        path = self.path(name)
        if not path.is_file():
            return pd.DataFrame(columns=columns or [])
        source = pq.ParquetFile(path)
        parts = [source.read_row_group(g, columns=columns).to_pandas()
                 for g in range(source.num_row_groups)]
        return (pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
                if parts else source.schema_arrow.empty_table().to_pandas())

    def __enter__(self) -> TokenTables:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
