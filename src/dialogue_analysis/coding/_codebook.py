"""Codebook coding: a YAML codebook applied to the parsed answers.

A codebook holds families (``service``, ``barrier``, ``need``, ``channel``, ...) of codes. A code
has a French and an English label, a description and patterns:

- ``lemmas``: single words, compared with each token's lemma and surface form, ignoring case,
  accents and a final plural ``s``/``x``; a final ``*`` matches any ending (``informati*``);
- ``phrases``: word sequences matched on consecutive tokens of a sentence, each word compared
  like ``lemmas``; a ``...`` word skips up to three tokens (``besoin ... ordinateur``);
- ``regex``: Python regular expressions searched in the raw answer text, case-insensitive;
- ``negated``: words or phrases that count only inside a negation ("pas d'ordinateur").

A match inside a negation (every matched word negated, see :mod:`dialogue_analysis.nlp`) does
not count when the code's ``negation`` is ``drop`` ("pas besoin de formation" is not a need of
training); with ``keep`` it counts (a service is mentioned, whatever is said about it).
``exclude`` patterns veto the code in their sentence; ``require`` patterns, when given, must occur
in the same sentence, unless the answer is to one of the ``require.questions``.

Outputs follow docs/architecture.md: ``passages`` (one row per code and sentence, with the span
of the first match and the sentence as evidence) and ``code_matrix`` (record x code, 0/1).
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..core.errors import ConfigError
from ..core.i18n import tr
from ..core.text import fold, loose
from ..nlp import ParsedAnswers, parse_answers

__all__ = [
    "Code",
    "Family",
    "Codebook",
    "Coding",
    "load_codebook",
    "parse_codebook",
    "code_answers",
    "load_gold",
    "gold_sample",
    "evaluate_coding",
]

KEY = ["record_id", "question_id"]
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"name", "version", "language", "description", "families"}
_FAMILY_KEYS = {"label_fr", "label_en", "description", "negation", "codes"}
_CODE_KEYS = {"label_fr", "label_en", "description", "patterns", "exclude", "require", "negation"}
_PATTERN_KEYS = {"lemmas", "phrases", "regex", "negated"}
_CONTEXT_KEYS = {"lemmas", "phrases", "regex"}
_REQUIRE_KEYS = {"lemmas", "phrases", "regex", "questions"}
_NEGATION = {"keep", "drop"}
_GAP = "..."
_GAP_MAX = 3
_ELISION = re.compile(
    r"^((?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|quelqu|presqu)['’])(.+)$", re.IGNORECASE
)


# --------------------------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PatternSet:
    """Word sequences (one word for a lemma) and compiled regexes."""

    phrases: tuple[tuple[str, ...], ...] = ()
    regex: tuple[re.Pattern, ...] = ()
    questions: frozenset[str] = frozenset()  # only for `require`: questions that satisfy it

    def __bool__(self) -> bool:
        return bool(self.phrases or self.regex or self.questions)


@dataclass(frozen=True)
class Code:
    """One code of the codebook; ``id`` is ``<family>.<code>`` (e.g. ``need.local_support``)."""

    id: str
    family: str
    label_fr: str
    label_en: str
    description: str
    patterns: PatternSet
    negated: PatternSet
    exclude: PatternSet
    require: PatternSet
    negation: str = "drop"

    def label(self, language: str = "fr") -> str:
        return self.label_en if language == "en" else self.label_fr


@dataclass(frozen=True)
class Family:
    id: str
    label_fr: str
    label_en: str
    description: str
    codes: tuple[Code, ...]

    def label(self, language: str = "fr") -> str:
        return self.label_en if language == "en" else self.label_fr


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. ``codes`` are in file order (families, then codes)."""

    families: tuple[Family, ...]
    name: str = ""
    path: str = "<codebook>"

    @property
    def codes(self) -> tuple[Code, ...]:
        return tuple(c for f in self.families for c in f.codes)

    @property
    def code_ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def __getitem__(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def labels(self, language: str = "fr") -> dict[str, str]:
        """Code id -> label in ``language`` (``fr`` or ``en``)."""
        return {c.id: c.label(language) for c in self.codes}

    def table(self) -> pd.DataFrame:
        """One row per code: ``code``, ``family``, ``label_fr``, ``label_en``, ``description``."""
        return pd.DataFrame(
            [(c.id, c.family, c.label_fr, c.label_en, c.description) for c in self.codes],
            columns=["code", "family", "label_fr", "label_en", "description"],
        )


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that refuses a key given twice in one mapping (the second would win)."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


@dataclass(frozen=True)
class _Source:
    """The codebook file being validated, and the language of its error messages."""

    file: str
    language: str

    def error(self, key: str, code: str, **params) -> ConfigError:
        return ConfigError(self.file, key, tr(code, self.language, **params))

    def unknown_key(self, key: str, allowed) -> ConfigError:
        return self.error(key, "unknown_key", hint="", allowed=", ".join(sorted(allowed)))


def load_codebook(path: str | os.PathLike, language: str = "en") -> Codebook:
    """Read and validate a YAML codebook; errors are written in ``language`` ("fr" or "en").

    Raises
    ------
    ConfigError
        Naming the file and the key path at fault (unknown key, missing label, bad pattern...).
    """
    path = Path(path)
    src = _Source(str(path), language)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise src.error("", "cb_unreadable", detail=exc) from exc
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise src.error("", "yaml_syntax", detail=exc) from exc
    return parse_codebook(data, source=str(path), language=language)


def _split_words(phrase: str) -> tuple[str, ...]:
    words: list[str] = []
    for w in phrase.split():
        m = _ELISION.match(w)
        if m and m.group(2) != "*":
            words += [m.group(1), m.group(2)]
        else:
            words.append(w)
    return tuple(words)


def _check_word(word: str, src: _Source, key: str) -> None:
    if word == _GAP:
        return
    if "*" in word[:-1] or (word.endswith("*") and len(word) < 3):
        raise src.error(key, "cb_bad_word", word=word)


def _pattern_set(spec, src: _Source, key: str, allowed: set[str]) -> tuple[PatternSet, PatternSet]:
    """(patterns, negated-only patterns) of a ``patterns`` / ``exclude`` / ``require`` mapping."""
    if spec is None:
        return PatternSet(), PatternSet()
    if not isinstance(spec, dict):
        raise src.error(key, "cb_expected_keys", allowed=", ".join(sorted(allowed)))
    for k in spec:
        if k not in allowed:
            raise src.unknown_key(f"{key}.{k}", allowed)
    out: dict[str, list] = {"phrases": [], "regex": [], "negated": [], "questions": []}
    for k, items in spec.items():
        if items is None:
            continue
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise src.error(f"{key}.{k}", "cb_expected_list")
        for n, item in enumerate(items):
            ik = f"{key}.{k}[{n}]"
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)  # a number written bare in YAML (e.g. a hotline 3949)
            if not isinstance(item, str) or not item.strip():
                raise src.error(ik, "cb_expected_text", got=item)
            item = item.strip()
            if k == "questions":
                out["questions"].append(item)
                continue
            if k == "regex":
                try:
                    out["regex"].append(re.compile(item, re.IGNORECASE))
                except re.error as exc:
                    raise src.error(ik, "cb_bad_regex", item=item, detail=exc) from exc
                continue
            if k == "lemmas" and len(item.split()) > 1:
                raise src.error(ik, "cb_several_words", item=item)
            words = _split_words(item)
            for w in words:
                _check_word(w, src, ik)
            if words[0] == _GAP or words[-1] == _GAP:
                raise src.error(ik, "cb_gap", item=item)
            out["negated" if k == "negated" else "phrases"].append(words)
    return (
        PatternSet(tuple(out["phrases"]), tuple(out["regex"]), frozenset(out["questions"])),
        PatternSet(tuple(out["negated"]), ()),
    )


def _label(spec: dict, name: str, src: _Source, key: str) -> str:
    v = spec.get(name)
    if not isinstance(v, str) or not v.strip():
        raise src.error(f"{key}.{name}", "cb_missing_label")
    return v.strip()


def parse_codebook(data, source: str = "<codebook>", language: str = "en") -> Codebook:
    """Validate a codebook already read from YAML (a dict); see :func:`load_codebook`."""
    file = source
    src = _Source(file, language)
    if not isinstance(data, dict):
        raise src.error("", "cb_not_mapping")
    for k in data:
        if k not in _TOP_KEYS:
            raise src.unknown_key(str(k), _TOP_KEYS)
    fams = data.get("families")
    if not isinstance(fams, dict) or not fams:
        raise src.error("families", "cb_no_families")
    families = []
    for fid, fspec in fams.items():
        fkey = f"families.{fid}"
        if not isinstance(fid, str) or not _ID.match(fid):
            raise src.error(fkey, "cb_bad_id", what=tr("cb_family", language))
        if not isinstance(fspec, dict):
            raise src.error(fkey, "cb_expected_keys", allowed="label_fr, label_en, codes")
        for k in fspec:
            if k not in _FAMILY_KEYS:
                raise src.unknown_key(f"{fkey}.{k}", _FAMILY_KEYS)
        f_negation = fspec.get("negation", "drop")
        if f_negation not in _NEGATION:
            raise src.error(f"{fkey}.negation", "not_one_of", got=f_negation,
                            allowed=", ".join(sorted(_NEGATION)))
        codes_spec = fspec.get("codes")
        if not isinstance(codes_spec, dict) or not codes_spec:
            raise src.error(f"{fkey}.codes", "cb_no_codes")
        codes = []
        for cid, cspec in codes_spec.items():
            ckey = f"{fkey}.codes.{cid}"
            if not isinstance(cid, str) or not _ID.match(cid):
                raise src.error(ckey, "cb_bad_id", what=tr("cb_code", language))
            if not isinstance(cspec, dict):
                raise src.error(ckey, "cb_expected_keys", allowed="label_fr, label_en, patterns")
            for k in cspec:
                if k not in _CODE_KEYS:
                    raise src.unknown_key(f"{ckey}.{k}", _CODE_KEYS)
            negation = cspec.get("negation", f_negation)
            if negation not in _NEGATION:
                raise src.error(f"{ckey}.negation", "not_one_of", got=negation,
                                allowed=", ".join(sorted(_NEGATION)))
            description = cspec.get("description", "")
            if not isinstance(description, str):
                raise src.error(f"{ckey}.description", "cb_expected_text", got=description)
            patterns, negated = _pattern_set(
                cspec.get("patterns"), src, f"{ckey}.patterns", _PATTERN_KEYS
            )
            if not patterns and not negated:
                raise src.error(f"{ckey}.patterns", "cb_no_pattern")
            exclude, _ = _pattern_set(cspec.get("exclude"), src, f"{ckey}.exclude", _CONTEXT_KEYS)
            require, _ = _pattern_set(cspec.get("require"), src, f"{ckey}.require", _REQUIRE_KEYS)
            codes.append(
                Code(
                    id=f"{fid}.{cid}",
                    family=fid,
                    label_fr=_label(cspec, "label_fr", src, ckey),
                    label_en=_label(cspec, "label_en", src, ckey),
                    description=description.strip(),
                    patterns=patterns,
                    negated=negated,
                    exclude=exclude,
                    require=require,
                    negation=negation,
                )
            )
        families.append(
            Family(
                id=fid,
                label_fr=_label(fspec, "label_fr", src, fkey),
                label_en=_label(fspec, "label_en", src, fkey),
                description=str(fspec.get("description", "") or "").strip(),
                codes=tuple(codes),
            )
        )
    return Codebook(families=tuple(families), name=str(data.get("name", "") or ""), path=file)


_ENGLISH_WORDS = frozenset("the and is to of it that you we they was with have not this".split())
_FRENCH_WORDS = frozenset("le la les et est de des je on pas un une que il nous ils".split())


def nothing_coded_message(texts: Iterable[str], n_passages: int, codebook_file: str,
                          language: str = "fr") -> str | None:
    """Why a codebook may have found nothing in a wave's answers, or None when it found some.

    Says when the answers look English rather than French (the codebook's patterns are French
    lemmas) and otherwise points at a codebook written for another study.
    """
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    if n_passages or not texts:
        return None
    words = [w for t in texts for w in re.findall(r"[a-zà-ÿ]+", t.lower())]
    english = sum(w in _ENGLISH_WORDS for w in words)
    french = sum(w in _FRENCH_WORDS for w in words)
    if english > french:
        why = tr("nothing_coded_english", language)
    else:
        why = tr("nothing_coded_other_study", language)
    return tr("nothing_coded", language, n=len(texts), codebook=codebook_file, why=why)


# --------------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------------

# kinds of phrase patterns
_POS, _NEG, _EXC, _REQ = 0, 1, 2, 3


class _Matcher:
    """The codebook compiled: word tests memoised per token form, phrases indexed by first word."""

    def __init__(self, codebook: Codebook):
        self.codebook = codebook
        self.codes = list(codebook.codes)
        self.words: dict[str, int] = {}  # word pattern -> id
        self.exact: dict[str, list[int]] = {}  # loose form -> word ids
        self.prefixes: dict[str, list[tuple[str, int]]] = {}  # 2 first letters -> (prefix, id)
        # first word id -> [(code index, kind, word ids (None = gap))]
        self.first: dict[int, list[tuple[int, int, tuple]]] = {}
        self.regexes: list[tuple[int, int, re.Pattern]] = []
        for ci, code in enumerate(self.codes):
            for kind, ps in ((_POS, code.patterns), (_NEG, code.negated),
                             (_EXC, code.exclude), (_REQ, code.require)):
                for phrase in ps.phrases:
                    ids = tuple(None if w == _GAP else self._word_id(w) for w in phrase)
                    self.first.setdefault(ids[0], []).append((ci, kind, ids))
                for rx in ps.regex:
                    self.regexes.append((ci, kind, rx))
        self._memo: dict[tuple[str, str], frozenset[int]] = {}

    def _word_id(self, word: str) -> int:
        if word not in self.words:
            wid = self.words[word] = len(self.words)
            if word.endswith("*"):
                p = fold(word[:-1])
                self.prefixes.setdefault(p[:2], []).append((p, wid))
            else:
                self.exact.setdefault(loose(word), []).append(wid)
                if len(word) == 2 and word[1] in "'’":
                    # "d'" also matches a "d" typed without its apostrophe ("recherche d emploi")
                    self.exact.setdefault(word[0].lower(), []).append(wid)
        return self.words[word]

    def token_ids(self, lower: str, lemma: str) -> frozenset[int]:
        key = (lower, lemma)
        hit = self._memo.get(key)
        if hit is None:
            ids = set(self.exact.get(loose(lower), ()))
            ids.update(self.exact.get(loose(lemma), ()))
            if self.prefixes:
                for form in {fold(lower), fold(lemma)}:
                    for p, w in self.prefixes.get(form[:2], ()):
                        if form.startswith(p):
                            ids.add(w)
            hit = self._memo[key] = frozenset(ids)
        return hit

    def match_phrase(self, ids: tuple, k: int, tok_ids: list, end: int) -> int | None:
        """End position (exclusive) of ``ids`` matched from token ``k``, or None."""

        def rec(q: int, j: int) -> int | None:
            if q == len(ids):
                return j
            if ids[q] is None:  # gap: skip 0..3 tokens, then the next word
                for skip in range(_GAP_MAX + 1):
                    if j + skip < end and ids[q + 1] in tok_ids[j + skip]:
                        r = rec(q + 2, j + skip + 1)
                        if r is not None:
                            return r
                return None
            if j < end and ids[q] in tok_ids[j]:
                return rec(q + 1, j + 1)
            return None

        return rec(1, k + 1)


def _code_text(matcher: _Matcher, text: str, question: str, tok: dict, a: int, b: int,
               sents: list[tuple]):
    """Passages of one answer: [(code index, sentence number, start, end)]."""
    if b > a:
        tok_ids = [matcher.token_ids(tok["lower"][j], tok["lemma"][j]) for j in range(a, b)]
    else:
        tok_ids = []
    sent_of = tok["sent"]
    negated = tok["negated"]
    content = tok["content"]
    # per (code, sentence): first positive match; vetoes; requirements
    found: dict[tuple[int, int], tuple[int, int]] = {}
    vetoed: set[tuple[int, int]] = set()
    required: set[tuple[int, int]] = set()

    def span_tokens(j0: int, j1: int) -> list[int]:
        return [j for j in range(j0, j1) if content[j]] or list(range(j0, j1))

    def negated_span(j0: int, j1: int, kind: int) -> bool:
        """Negated match: all its words negated; for `negated` patterns, any of them."""
        rng = span_tokens(j0, j1)
        if kind == _NEG:
            return any(negated[j] for j in rng)
        return bool(rng) and all(negated[j] for j in rng)

    def add(ci: int, kind: int, s: int, start: int, end: int, is_negated: bool) -> None:
        code = matcher.codes[ci]
        if kind == _EXC:
            vetoed.add((ci, s))
        elif kind == _REQ:
            required.add((ci, s))
        elif kind == _NEG:
            if is_negated:
                _keep_first(found, (ci, s), (start, end))
        elif not (is_negated and code.negation == "drop"):
            _keep_first(found, (ci, s), (start, end))

    m = b - a
    # end (exclusive, relative) of each token's sentence: phrases stay inside their sentence
    sent_end = [m] * m
    for k in range(m - 2, -1, -1):
        sent_end[k] = sent_end[k + 1] if sent_of[a + k] == sent_of[a + k + 1] else k + 1
    first = matcher.first
    for k in range(m):
        for wid in tok_ids[k]:
            for ci, kind, ids in first.get(wid, ()):
                j = a + k
                s = sent_of[j]
                e = k + 1 if len(ids) == 1 else matcher.match_phrase(ids, k, tok_ids, sent_end[k])
                if e is None:
                    continue
                neg = negated_span(j, a + e, kind)
                add(ci, kind, s, tok["start"][j], tok["end"][a + e - 1], neg)
    if matcher.regexes and text:
        starts = [st for _, st, _ in sents]
        tstarts = tok["start"][a:b]
        for ci, kind, rx in matcher.regexes:
            for mt in rx.finditer(text):
                if mt.end() == mt.start():
                    continue
                si = max(bisect.bisect_right(starts, mt.start()) - 1, 0)
                s = sents[si][0] if sents else 0
                j0 = a + max(bisect.bisect_right(tstarts, mt.start()) - 1, 0)
                j1 = a + bisect.bisect_left(tstarts, mt.end())
                neg = b > a and j1 > j0 and negated_span(j0, j1, kind)
                add(ci, kind, s, mt.start(), mt.end(), neg)
    out = []
    for (ci, s), (start, end) in found.items():
        if (ci, s) in vetoed:
            continue
        req = matcher.codes[ci].require
        if req and (ci, s) not in required and question not in req.questions:
            continue
        out.append((ci, s, start, end))
    out.sort(key=lambda r: (r[0], r[1]))
    return out


def _keep_first(found: dict, key: tuple, span: tuple[int, int]) -> None:
    if key not in found or span[0] < found[key][0]:
        found[key] = span


# --------------------------------------------------------------------------------------------
# Coding
# --------------------------------------------------------------------------------------------

@dataclass
class Coding:
    """Result of :func:`code_answers`.

    Attributes
    ----------
    passages : DataFrame
        ``record_id``, ``question_id``, ``code``, ``family``, ``start``, ``end`` (span of the
        first match in the sentence), ``evidence`` (the sentence). One row per code and sentence.
    code_matrix : DataFrame
        Index ``record_id`` (every record of ``records`` when given), one 0/1 int column per
        code in codebook order.
    answer_matrix : DataFrame
        The same per answer: index (``record_id``, ``question_id``), every answer.
    codebook : Codebook
    """

    passages: pd.DataFrame
    code_matrix: pd.DataFrame
    answer_matrix: pd.DataFrame
    codebook: Codebook
    parsed: ParsedAnswers | None = field(default=None, repr=False)

    def frequencies(self, language: str = "fr") -> pd.DataFrame:
        """Per code: ``code``, ``family``, ``label``, ``passages``, ``answers``, ``records`` and
        ``share`` (share of records coded), in codebook order."""
        cm, am = self.code_matrix, self.answer_matrix
        n_pass = self.passages["code"].value_counts()
        return pd.DataFrame(
            {
                "code": self.codebook.code_ids,
                "family": [c.family for c in self.codebook.codes],
                "label": [c.label(language) for c in self.codebook.codes],
                "passages": [int(n_pass.get(c, 0)) for c in self.codebook.code_ids],
                "answers": am.sum(axis=0).to_numpy(dtype=np.int64),
                "records": cm.sum(axis=0).to_numpy(dtype=np.int64),
                "share": cm.mean(axis=0).to_numpy(dtype=float) if len(cm) else np.nan,
            }
        )


def code_answers(
    parsed_or_answers,
    codebook: Codebook | str | os.PathLike,
    *,
    records: pd.DataFrame | None = None,
    **parse_kw,
) -> Coding:
    """Code every answer with the codebook.

    Parameters
    ----------
    parsed_or_answers : ParsedAnswers, DataFrame, or an object with ``answers`` (and
        ``records``) attributes
        The NLP stage's output, or the answers table (``record_id``, ``question_id``, ``text``),
        which is then parsed with ``parse_answers(answers, **parse_kw)``.
    codebook : Codebook or path
        A codebook, or the path of its YAML file.
    records : DataFrame, optional
        The records table: ``code_matrix`` then has one row per record, in this order, records
        without any answer included (all 0).

    Returns
    -------
    Coding
    """
    if not isinstance(codebook, Codebook):
        codebook = load_codebook(codebook)
    obj = parsed_or_answers
    if not isinstance(obj, (ParsedAnswers, pd.DataFrame)) and hasattr(obj, "answers"):
        if records is None:
            records = getattr(obj, "records", None)
        obj = obj.answers
    parsed = obj if isinstance(obj, ParsedAnswers) else parse_answers(obj, **parse_kw)

    matcher = _Matcher(codebook)
    ans = parsed.answers
    toks = parsed.tokens
    tok = {
        "lower": [fold(t) for t in toks["text"].tolist()],
        "lemma": toks["lemma"].tolist(),
        "sent": toks["sent"].tolist(),
        "start": toks["start"].tolist(),
        "end": toks["end"].tolist(),
        "negated": toks["negated"].tolist(),
        "content": (~toks["stop"].to_numpy() & toks["text"].str.contains(r"[^\W\d_]").to_numpy())
        .tolist(),
    }
    tok_bounds = _runs(toks, ans)
    sent_bounds = _runs(parsed.sentences, ans)
    s_sent = parsed.sentences["sent"].tolist()
    s_start = parsed.sentences["start"].tolist()
    s_end = parsed.sentences["end"].tolist()

    rows = []
    texts = ans["text"].tolist()
    rids = ans["record_id"].tolist()
    qids = ans["question_id"].tolist()
    codes = matcher.codes
    hits = np.zeros((len(ans), len(codes)), dtype=np.int64)
    for n, text in enumerate(texts):
        a, b = tok_bounds[n]
        sa, sb = sent_bounds[n]
        sents = [(s_sent[i], s_start[i], s_end[i]) for i in range(sa, sb)]
        sent_span = {s: (st, en) for s, st, en in sents}
        for ci, s, start, end in _code_text(matcher, text, qids[n], tok, a, b, sents):
            st, en = sent_span.get(s, (start, end))
            rows.append((rids[n], qids[n], codes[ci].id, codes[ci].family, start, end,
                         text[st:en]))
            hits[n, ci] = 1

    passages = pd.DataFrame(
        rows, columns=["record_id", "question_id", "code", "family", "start", "end", "evidence"]
    )
    for c in ("record_id", "question_id", "code", "family", "evidence"):
        passages[c] = passages[c].astype("str")
    for c in ("start", "end"):
        passages[c] = passages[c].astype(np.int64)

    ids = codebook.code_ids
    answer_matrix = pd.DataFrame(
        hits, columns=ids, index=pd.MultiIndex.from_arrays(
            [pd.array(rids, dtype="str"), pd.array(qids, dtype="str")], names=KEY
        )
    )
    by_record = answer_matrix.groupby(level="record_id", sort=False).max()
    if records is not None:
        order = pd.Index(records["record_id"].astype(str).unique(), name="record_id")
        extra = by_record.index.difference(order, sort=False)
        order = order.append(extra)  # answers of records absent from `records` stay visible
    else:
        order = pd.Index(pd.unique(pd.array(rids, dtype="str")), name="record_id")
    code_matrix = by_record.reindex(order, fill_value=0).astype(np.int64)
    code_matrix.index = pd.Index(code_matrix.index.astype("str"), name="record_id")
    code_matrix.columns = pd.Index(ids)
    return Coding(passages=passages, code_matrix=code_matrix, answer_matrix=answer_matrix,
                  codebook=codebook, parsed=parsed)


def _runs(table: pd.DataFrame, ans: pd.DataFrame) -> list[tuple[int, int]]:
    """(first, last+1) row of each answer in ``table`` (rows grouped by answer, answers' order)."""
    n = len(table)
    bounds = [(0, 0)] * len(ans)
    if n == 0:
        return bounds
    rid = table["record_id"].to_numpy(dtype=object)
    qid = table["question_id"].to_numpy(dtype=object)
    change = np.flatnonzero((rid[1:] != rid[:-1]) | (qid[1:] != qid[:-1])) + 1
    starts = [0, *change.tolist()]
    ends = [*change.tolist(), n]
    r = 0
    arid = ans["record_id"].tolist()
    aqid = ans["question_id"].tolist()
    for i in range(len(ans)):
        if r < len(starts) and rid[starts[r]] == arid[i] and qid[starts[r]] == aqid[i]:
            bounds[i] = (starts[r], ends[r])
            r += 1
    return bounds


# --------------------------------------------------------------------------------------------
# Gold standard and evaluation
# --------------------------------------------------------------------------------------------

def gold_sample(
    answers: pd.DataFrame, n: int = 40, *, random_state: int = 0, by: str | None = "question_id"
) -> pd.DataFrame:
    """A sample of answers to hand-code: ``record_id``, ``question_id``, ``codes`` (empty),
    ``text``. Save it as CSV, fill ``codes`` (code ids separated by ``;``), read it back with
    :func:`load_gold`. With ``by``, the sample is spread evenly over that column's values."""
    df = answers.loc[answers["text"].fillna("").astype(str).str.strip() != "", [*KEY, "text"]]
    if by is not None and by in df.columns:
        groups = [g for _, g in df.groupby(by, sort=True)]
        per = -(-n // max(len(groups), 1))
        parts = [g.sample(min(per, len(g)), random_state=random_state) for g in groups]
        out = pd.concat(parts).sample(frac=1, random_state=random_state).head(n)
    else:
        out = df.sample(min(n, len(df)), random_state=random_state)
    out = out.sort_values(KEY, kind="stable").reset_index(drop=True)
    out.insert(2, "codes", "")
    return out


def load_gold(path: str | os.PathLike, codebook: Codebook | None = None) -> pd.DataFrame:
    """Read a hand-coded sample: CSV ``record_id,question_id,codes`` (codes separated by ``;``).

    Other columns (e.g. ``text``) are ignored; an empty ``codes`` cell means the answer was read
    and carries no code. Returns ``record_id``, ``question_id``, ``codes`` (a tuple of code ids).

    Raises
    ------
    ConfigError
        Missing columns, an answer listed twice, or (given ``codebook``) an unknown code.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read the gold file: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in (*KEY, "codes") if c not in df.columns]
    if missing:
        hint = " (the separator of columns must be ',')" if len(df.columns) == 1 else ""
        raise ConfigError(str(path), ",".join(missing), f"missing column(s){hint}")
    known = set(codebook.code_ids) if codebook is not None else None
    out = []
    seen: dict[tuple[str, str], int] = {}
    for n, (rid, qid, codes) in enumerate(
        zip(df["record_id"], df["question_id"], df["codes"], strict=True), start=2
    ):
        key = (rid.strip(), qid.strip())
        if key in seen:
            raise ConfigError(str(path), f"line {n}",
                              f"answer {key} already listed on line {seen[key]}")
        seen[key] = n
        items = tuple(dict.fromkeys(c.strip() for c in codes.split(";") if c.strip()))
        if known is not None:
            bad = [c for c in items if c not in known]
            if bad:
                raise ConfigError(str(path), f"line {n}", f"unknown code(s) {bad}")
        out.append((*key, items))
    return pd.DataFrame(out, columns=[*KEY, "codes"]).astype({"record_id": "str",
                                                              "question_id": "str"})


def _answer_sets(obj) -> tuple[dict[tuple[str, str], set[str]], list[str]]:
    """Answer -> set of codes, and the codes known to the source (codebook order if any)."""
    if isinstance(obj, Coding):
        return _answer_sets(obj.answer_matrix)[0], obj.codebook.code_ids
    if isinstance(obj, (str, os.PathLike)):
        return _answer_sets(load_gold(obj))
    if not isinstance(obj, pd.DataFrame):
        raise TypeError("expected a Coding, a passages or gold DataFrame, or a matrix")
    df = obj
    if "code" in df.columns and all(c in df.columns for c in KEY):  # passages
        out: dict[tuple[str, str], set[str]] = {}
        for r, q, c in zip(df["record_id"], df["question_id"], df["code"], strict=True):
            out.setdefault((str(r), str(q)), set()).add(str(c))
        return out, list(dict.fromkeys(df["code"].astype(str)))
    if "codes" in df.columns and all(c in df.columns for c in KEY):  # gold
        out = {}
        for r, q, cs in zip(df["record_id"], df["question_id"], df["codes"], strict=True):
            if isinstance(cs, str):
                cs = [c.strip() for c in cs.split(";") if c.strip()]
            out[(str(r), str(q))] = set(cs)
        return out, sorted({c for s in out.values() for c in s})
    # an answer-level 0/1 matrix: MultiIndex (record_id, question_id) or those columns
    m = df.set_index(KEY) if all(c in df.columns for c in KEY) else df
    if not isinstance(m.index, pd.MultiIndex):
        raise ValueError("a matrix must be answer-level: index or columns record_id, question_id")
    codes = [c for c in m.columns]
    vals = m.to_numpy()
    out = {}
    for (r, q), row in zip(m.index, vals, strict=True):
        out[(str(r), str(q))] = {c for c, v in zip(codes, row, strict=True) if v}
    return out, [str(c) for c in codes]


def _metrics(tp: int, fp: int, fn: int, tn: int) -> dict[str, float]:
    n = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else np.nan
    recall = tp / (tp + fn) if tp + fn else np.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else np.nan
    if n:
        po = (tp + tn) / n
        pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
        kappa = (po - pe) / (1 - pe) if pe < 1 else np.nan
    else:
        kappa = np.nan
    return {"precision": precision, "recall": recall, "f1": f1, "kappa": kappa}


def evaluate_coding(predicted, gold, *, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Agreement of the automatic coding with a hand-coded gold sample, answer by answer.

    An answer is coded or not with each code (several passages count once). Only the answers of
    ``gold`` are compared; an answer absent from ``predicted`` has no code.

    Parameters
    ----------
    predicted : Coding, passages DataFrame, or answer-level 0/1 matrix
    gold : DataFrame of :func:`load_gold`, or its path
    codes : iterable of str, optional
        Codes to report; by default the codebook's (when ``predicted`` is a Coding), else every
        code seen in either side.

    Returns
    -------
    DataFrame
        One row per code, then ``micro`` (pooled over codes) and ``macro`` (mean over the codes
        with a positive in either side): ``code``, ``support`` (gold positives), ``predicted``,
        ``tp``, ``fp``, ``fn``, ``tn``, ``precision``, ``recall``, ``f1``, ``kappa`` (Cohen's).
        Undefined ratios (e.g. precision without any prediction) are NaN.
    """
    pred, pred_codes = _answer_sets(predicted)
    gold_sets, gold_codes = _answer_sets(gold)
    if codes is None:
        codes = list(dict.fromkeys([*pred_codes, *gold_codes]))
        if not isinstance(predicted, Coding):
            codes = sorted(codes)
    codes = list(codes)
    answers = list(gold_sets)
    rows = []
    tot = dict(tp=0, fp=0, fn=0, tn=0)
    for c in codes:
        g = np.array([c in gold_sets[a] for a in answers], dtype=bool)
        p = np.array([c in pred.get(a, ()) for a in answers], dtype=bool)
        cnt = dict(tp=int((g & p).sum()), fp=int((~g & p).sum()), fn=int((g & ~p).sum()),
                   tn=int((~g & ~p).sum()))
        for k in tot:
            tot[k] += cnt[k]
        rows.append({"code": c, "support": int(g.sum()), "predicted": int(p.sum()), **cnt,
                     **_metrics(**cnt)})
    out = pd.DataFrame(rows, columns=["code", "support", "predicted", "tp", "fp", "fn", "tn",
                                      "precision", "recall", "f1", "kappa"])
    micro = {"code": "micro", "support": tot["tp"] + tot["fn"],
             "predicted": tot["tp"] + tot["fp"], **tot, **_metrics(**tot)}
    active = out.loc[(out["support"] > 0) | (out["predicted"] > 0)]
    macro = {"code": "macro", "support": int(active["support"].sum()),
             "predicted": int(active["predicted"].sum()),
             **{k: int(active[k].sum()) for k in ("tp", "fp", "fn", "tn")},
             **{k: float(active[k].mean()) if len(active) else np.nan
                for k in ("precision", "recall", "f1", "kappa")}}
    out = pd.concat([out, pd.DataFrame([micro, macro])], ignore_index=True)
    out["code"] = out["code"].astype("str")
    return out
