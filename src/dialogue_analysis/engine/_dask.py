"""The Dask engine (``settings.engine: dask``): the per-text work of the heavy stages on a
cluster, everything that needs the whole wave on the client.

What runs on the workers, partition by partition (one spaCy pipeline per worker process,
built at its first partition by the package's builder and kept there; never sent from the
client):

- the anonymise stage's entity recogniser, on the distinct raw texts
  (:func:`~dialogue_analysis.engine.entities_of`): only offsets and labels come back;
- the NLP stage's parsing, on consecutive slices of the pseudonymised answers: the workers
  write what the model says about each text into the run's parse cache, keyed by the text's
  hash, when they see it (a cluster on this machine, or a shared file system).

What stays on the client, because it needs the whole wave: the rest of the anonymise stage
(names found in one answer looked for in every other, placeholders numbered per record, the
correspondence table, which never leaves the client), run by
:func:`~dialogue_analysis.anonymise.anonymise_answers` itself on the replayed entities; and
the NLP stage's assembly (multi-word terms, stop words, negation, the tables), run by
:func:`~dialogue_analysis.nlp.parse_answers` itself on the filled cache, with no model loaded.
Either stage thus gives the tables of one machine, wherever the partitions were cut. Workers
that do not see the parse cache return their slice's tables instead, joined in order. The
typology's bootstrap resamples run on the workers through joblib's Dask backend.

``dask`` and ``distributed`` are imported only when this engine is chosen.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import secrets
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import DialogueAnalysisError
from ._replay import ReplayedNER, entities_of


class SchedulerUnreachable(DialogueAnalysisError):
    """No Dask scheduler answers at ``settings.dask_scheduler``."""

    def __init__(self, address: str, exc: Exception, language: str = "fr"):
        if language == "en":
            msg = (f"settings.dask_scheduler: no Dask scheduler answers at {address} ({exc}). "
                   "Start one (docs/cluster.md), or leave the setting out to run on a cluster "
                   "started on this machine.")
        else:
            msg = (f"settings.dask_scheduler : aucun ordonnanceur Dask ne répond à {address} "
                   f"({exc}). Démarrez-en un (docs/cluster.md), ou retirez ce réglage pour "
                   "lancer un cluster sur cette machine.")
        super().__init__(msg)


#: Texts (or answers) per partition, unless that leaves a worker idle.
PARTITION_SIZE = 2000


class DaskEngine:
    """The stages' per-text work on a Dask cluster (see the module's description).

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``). None: a ``LocalCluster`` of
        ``workers`` processes with one thread each is started, and stopped by :meth:`close`.
    workers : int or "auto"
        Workers of that local cluster; ``"auto"``: one per core.
    partition_size : int
        Texts per partition (at least one partition per worker).
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | str = "auto",
                 partition_size: int = PARTITION_SIZE, language: str = "fr"):
        from distributed import Client, LocalCluster

        self.partition_size = int(partition_size)
        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise SchedulerUnreachable(scheduler, exc, language) from None
        else:
            n = (os.cpu_count() or 1) if workers == "auto" else int(workers)
            # Workers start with OpenBLAS/OpenMP threads capped to 1 (distributed's default
            # environment for its worker processes): one thread per worker, no oversubscription.
            self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)

    def _workers(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def _partitions(self, n_items: int) -> int:
        return max(1, min(n_items, max(self._workers(), math.ceil(n_items / self.partition_size))))

    def _map_partitions(self, func, items: list, *args, sync: bool = True, **kwargs):
        """``func(partition, *args, **kwargs)`` on each partition of ``items``, results in
        order (a future of them with ``sync=False``)."""
        import dask.bag as db

        bag = db.from_sequence(items, npartitions=self._partitions(len(items)))
        return self.client.compute(bag.map_partitions(func, *args, **kwargs), sync=sync)

    # -- the stages ----------------------------------------------------------------------------

    def anonymise_answers(self, answers: pd.DataFrame, *, model: str | None = None,
                          nlp: Any = None, use_ner: bool = True, batch_size: int = 64,
                          **kwargs) -> Any:
        """:func:`~dialogue_analysis.anonymise.anonymise_answers`, the entity recogniser run
        on the workers."""
        from ..anonymise import DEFAULT_MODEL, anonymise_answers, load_ner_model

        # the cluster is the parallelism: the client reads the replayed entities in one process
        kwargs["n_process"] = 1
        model = model or DEFAULT_MODEL
        raw = answers["text"] if "text" in answers else pd.Series(dtype=object)
        texts = list(dict.fromkeys(str(t) for t in raw[raw.notna()]))
        if nlp is not None or not use_ner or not texts:  # nothing for the workers to read
            return anonymise_answers(answers, nlp=nlp, use_ner=use_ner, batch_size=batch_size,
                                     model=model, **kwargs)
        pending = self._map_partitions(entities_of, texts, model, batch_size, sync=False)
        words = load_ner_model(model)  # for its word lists, loaded while the workers read
        found = pending.result()
        replayed = ReplayedNER(words, dict(zip(texts, found, strict=True)))
        return anonymise_answers(answers, nlp=replayed, batch_size=batch_size, model=model,
                                 **kwargs)

    def parse_answers(self, answers: pd.DataFrame, *, nlp: Any = None,
                      root: str | os.PathLike | None = None,
                      cache_dir: str | os.PathLike | None = None, progress=None,
                      **kwargs) -> Any:
        """:func:`~dialogue_analysis.nlp.parse_answers`, the texts parsed on the workers.

        When the workers see the parse cache (a cluster on this machine, or a shared file
        system), they parse slices of the answers into it, and the stage itself then reads the
        whole wave back from it on the client: every text cached, no model loaded, the tables
        of one machine. Otherwise each worker returns its slice's tables, joined in order.
        """
        from ..nlp import parse_answers

        # a Dask worker is a daemon process: it cannot start processes of its own
        kwargs["n_process"] = 1
        if nlp is not None:  # a pipeline object is the caller's: it stays in this process
            return parse_answers(answers, nlp=nlp, root=root, cache_dir=cache_dir,
                                 progress=progress, **kwargs)
        size = math.ceil(len(answers) / self._partitions(len(answers))) if len(answers) else 1
        slices = [answers.iloc[i:i + size] for i in range(0, len(answers), size)] or [answers]
        where = {"root": None if root is None else Path(root).resolve(),
                 "cache_dir": None if cache_dir is None else Path(cache_dir).resolve()}
        shared = where["cache_dir"] or where["root"]
        if shared is None or not self._workers_see(shared):
            merged = _concatenated(self._map_partitions(_parse_slices, slices, **kwargs))
            if progress is not None:
                progress(merged.n_texts, merged.n_texts)
            return merged
        parsed = sum(self._map_partitions(_cache_parses, slices, **where, **kwargs))
        whole = parse_answers(answers, progress=progress, **where, **kwargs)
        n_parsed = min(whole.n_texts, parsed)
        return dataclasses.replace(whole, n_parsed=n_parsed, n_cached=whole.n_texts - n_parsed)

    def cache_parses(self, answers: pd.DataFrame, **kwargs) -> None:
        """Nothing beforehand: :meth:`parse_answers` on each block of answers parses its new
        texts on the workers (into the parse cache when they see it)."""
        return None

    def _workers_see(self, folder: Path) -> bool:
        """Whether every worker reads, at the same path, a file written here in ``folder``."""
        token = secrets.token_hex(8)
        probe = folder / f".dask-probe-{token}"
        try:
            folder.mkdir(parents=True, exist_ok=True)  # the cache would be written there anyway
            probe.write_text(token, encoding="utf-8")
        except OSError:
            return False
        try:
            seen = self.client.run(_read_probe, str(probe))
        finally:
            probe.unlink(missing_ok=True)
        return bool(seen) and all(v == token for v in seen.values())

    def joblib_backend(self) -> contextlib.AbstractContextManager:
        """joblib's Dask backend: the typology's resamples run on the workers."""
        import joblib

        return joblib.parallel_backend("dask")

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _read_probe(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return None


def _cache_parses(slices, **kwargs) -> list[int]:
    """Parse each slice into the shared parse cache (on a worker); texts parsed per slice."""
    from ..nlp import parse_answers

    return [parse_answers(s, **kwargs).n_parsed for s in slices]


def _parse_slices(slices, **kwargs) -> list:
    """Parse each slice of answers (on a worker; its pipeline is built once and kept)."""
    from ..nlp import parse_answers

    return [parse_answers(s, **kwargs) for s in slices]


def _concatenated(parts: list) -> Any:
    """One ParsedAnswers from those of consecutive slices: the tables are per answer, so
    their rows in order are the whole call's."""
    from ..nlp import ParsedAnswers

    def cat(name: str) -> pd.DataFrame:
        return pd.concat([getattr(p, name) for p in parts], ignore_index=True)

    answers = cat("answers")
    return ParsedAnswers(
        answers=answers, tokens=cat("tokens"), sentences=cat("sentences"),
        noun_phrases=cat("noun_phrases"), terms=cat("terms"), model=parts[0].model,
        n_texts=int(answers["text"].nunique()),
        n_parsed=sum(p.n_parsed for p in parts), n_cached=sum(p.n_cached for p in parts),
        cache_dir=parts[0].cache_dir)
