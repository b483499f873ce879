"""Quotes as a report shows them: whole sentences, of a readable length."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def trim_quote(text: str, max_chars: int = 300) -> str:
    """Shorten an answer to at most ``max_chars``, cutting at a sentence end when possible.

    Whole sentences are kept while they fit; a first sentence longer than the limit is cut at a
    word boundary and ends with an ellipsis, so that a quote never stops mid-word.
    """
    text = " ".join(str(text).split())
    if len(text) <= max_chars:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > max_chars:
            break
        kept = candidate
    if kept:
        return kept + " […]"
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " […]"
