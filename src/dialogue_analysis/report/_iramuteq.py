"""The wave as an IRaMuTeQ corpus (``<wave>.iramuteq.txt``) for Reinert classifications.

IRaMuTeQ reads a UTF-8 text in which each text starts with a line of four stars followed by
starred variables, ``**** *var_mod *var_mod``: the first ``_`` separates the variable from its
modality, so variable names hold no ``_`` and modalities no space; a line ``-*theme`` opens a
thematic part (here, one per question). Stars in the answers would be read as markup and are
taken out. Like the ``.qdpx`` project, the corpus has one text per interview: it is written for
the analyst under ``data/processed/<wave>/exports/``, never published.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pandas as pd

from ..analysis import Analysis
from ._rows import row_dicts

_NOT_NAME = re.compile(r"[^a-z0-9]+")
_NOT_MODALITY = re.compile(r"[^\w.-]+|_+")
SKIPPED = {"typology_group", "wave", "date"}  # constant, or a date that helps no classification
_BLOCK = 2000  # records made into dicts at a time


def variable_name(column: str) -> str:
    """``stakeholder_group`` -> ``stakeholdergroup`` (letters and digits only)."""
    plain = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode().lower()
    return _NOT_NAME.sub("", plain) or "var"


def modality(value) -> str:
    """A value as one IRaMuTeQ modality: no space, no star, no underscore."""
    return _NOT_MODALITY.sub("-", str(value).strip()).strip("-") or "na"


def _clean(text: str) -> str:
    # Stars open variables and themes; a blank line would not end a text but reads as noise.
    text = text.replace("*", " ")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def corpus_text(a: Analysis, questions: bool = True) -> str:
    """The corpus: one starred line per interview, then its answers (``-*qN`` before each)."""
    return "".join(_corpus_pieces(a, questions))


def _corpus_pieces(a: Analysis, questions: bool):
    """:func:`corpus_text` one interview at a time (a national consultation's corpus is never
    held whole)."""
    columns = [c for c in a.records.columns if c != "record_id" and c not in SKIPPED]
    names = {c: variable_name(c) for c in columns}
    answers = a.answers.loc[a.answers["text"].astype(str).str.strip() != ""]
    order = {q: i for i, q in enumerate(a.questions["question_id"].astype(str))} \
        if len(a.questions) else {}
    # One stable sort of the whole table, by question order then id (a record's answers keep
    # that order), instead of one sort per record: the same lines, at any number of records.
    answers = answers.assign(_o=answers["question_id"].astype(str).map(order))
    answers = answers.sort_values(["_o", "question_id"], kind="stable")
    by_record: dict[str, list[tuple]] = {}
    for rid, qid, text in zip(answers["record_id"].astype(str), answers["question_id"],
                              answers["text"], strict=True):
        by_record.setdefault(rid, []).append((qid, text))
    first = True
    records = a.records
    for rec in (r for b0 in range(0, len(records), _BLOCK)
                for r in row_dicts(records.iloc[b0:b0 + _BLOCK])):
        rid = str(rec["record_id"])
        if rid not in by_record:
            continue
        stars = [f"*id_{modality(rid)}"] + [
            f"*{names[c]}_{modality(rec[c])}" for c in columns
            if rec.get(c) is not None and not pd.isna(rec.get(c))]
        lines = ["**** " + " ".join(stars)]
        for qid, text in by_record[rid]:
            if questions:
                lines.append(f"-*{modality(qid).replace('-', '')}")
            lines.append(_clean(str(text)))
        yield ("" if first else "\n\n") + "\n".join(lines)
        first = False
    yield "\n"


def write_iramuteq(a: Analysis, path: str | os.PathLike, questions: bool = True) -> Path:
    from ..core.storage import atomic_path

    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as f:
        f.writelines(_corpus_pieces(a, questions))
    return Path(path)
