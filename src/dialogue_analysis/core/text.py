"""Text keys for comparing words and labels whatever their spelling variants.

- :func:`label_key`: labels of the survey config and headers of the analyst's files (case,
  accents, apostrophe and dash variants, spacing ignored); :func:`closest` suggests a label.
- :func:`fold` and :func:`loose`: words of the answers (lower case, no accents, straight
  apostrophe; ``loose`` also drops a final plural ``s`` / ``x``), for term and codebook matching.
"""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Iterable

_FOLD_TABLE = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "ʼ": "'",
        "–": "-",
        "—": "-",
        "‑": "-",
        "‐": "-",
        "−": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
    }
)


@functools.lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Key used to match labels: case, accents, apostrophe and dash variants and spacing ignored.

    ``"  Zone  RURALE "``, ``"zone rurale"`` and ``"Zone rurâle"`` share a key; so do
    ``"65 - 74 ans"`` and ``"65-74 ans"`` (spaces around ``-`` and ``/`` do not count).
    """
    text = unicodedata.normalize("NFKD", str(text).translate(_FOLD_TABLE))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = " ".join(text.split())
    return text.replace(" -", "-").replace("- ", "-").replace(" /", "/").replace("/ ", "/")


def closest(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``value`` (compared folded), or None if none is close enough."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(label_key(candidate), candidate)
    match = difflib.get_close_matches(label_key(value), list(by_key), n=1, cutoff=cutoff)
    return by_key[match[0]] if match else None


def norm_apostrophe(s: str) -> str:
    """Curly and modifier apostrophes as a straight one."""
    return s.replace("’", "'").replace("ʼ", "'")


@functools.lru_cache(maxsize=65536)
def fold(s: str) -> str:
    """Lower-case, without accents, with a straight apostrophe: the key of loose comparisons."""
    s = norm_apostrophe(s.lower())
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def loose(s: str) -> str:
    """:func:`fold` without a final plural ``s`` / ``x`` (for multi-word term matching)."""
    s = fold(s)
    return s[:-1] if len(s) > 3 and s[-1] in "sx" else s
