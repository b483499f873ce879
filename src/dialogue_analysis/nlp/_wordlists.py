"""Word lists an analyst can edit: stop words and multi-word terms."""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from ..core.text import fold, norm_apostrophe

__all__ = [
    "load_word_list",
    "load_stopwords",
    "load_multiword_terms",
]


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
