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

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..core.errors import ConfigError
from ..core.i18n import tr

__all__ = [
    "Code",
    "Family",
    "Codebook",
    "load_codebook",
    "parse_codebook",
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


