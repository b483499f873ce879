"""Quotes as a report shows them: whole sentences, of a readable length, and who said them
(as far as that singles no one out)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pandas as pd

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


# -- who is speaking ---------------------------------------------------------------------------

WHO = ("profile", "territory", "age_band")


def attribution(records, context: Mapping[str, Mapping[str, str]], *,
                attributes: Sequence[str] = WHO, min_count: int = 5) -> dict[str, dict]:
    """What may be printed beside the quotes of each quoted person without singling them out.

    A quote says something about its speaker twice: through the attributes printed beside it
    (profile, territory, age band) and through where it is shown (a finding about rural people
    quotes a rural person; a group card quotes a member of the group). Everything a reader
    learns about one person (all the quotes of one record id) must still fit at least
    ``min_count`` people of the wave. Attributes are dropped, rarest first, until it does; if
    the context alone says too much, the record id is not printed, so that the quotes cannot
    be put together.

    Parameters
    ----------
    records : DataFrame
        ``record_id`` and the attributes of every person of the wave.
    context : mapping
        For each quoted ``record_id``, the attributes its quotes' places tell
        (``{"territory": "rural"}``), merged over all its quotes.
    attributes : sequence of str
        Attributes that may be printed beside a quote, in order.
    min_count : int
        Smallest number of people a printed combination must fit.

    Returns
    -------
    dict
        ``record_id -> {"who": {attribute: category}, "show_id": bool}``.
    """
    table = records.assign(record_id=records["record_id"].astype(str)).set_index("record_id")
    table = table.astype({c: str for c in table.columns if c in set(attributes) | {
        k for told in context.values() for k in told}}, errors="ignore")
    sizes = {a: table[a].value_counts() for a in attributes if a in table}
    out = {}
    for rid, told in context.items():
        rid = str(rid)
        told = {k: str(v) for k, v in told.items() if k in table}
        row = table.loc[rid] if rid in table.index else None
        who = {} if row is None else {
            a: str(row[a]) for a in sizes if a not in told and pd.notna(row[a])
            and str(row[a]) not in ("nan", "<NA>", "None")}

        def fits(shown, told=told):
            sel = pd.Series(True, index=table.index)
            for k, v in {**told, **shown}.items():
                sel &= table[k] == v
            return int(sel.sum())

        while who and fits(who) < min_count:
            rarest = min(who, key=lambda a: (sizes[a].get(who[a], 0), -list(who).index(a)))
            del who[rarest]
        out[rid] = {"who": who, "show_id": fits(who) >= min_count}
    return out
