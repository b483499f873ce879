"""Kinds of identifiers, their placeholder labels and the result types of the anonymise stage."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..nlp import anonymise_model

#: Kinds of identifiers, in the order of precedence used when two matches overlap.
KINDS = ("email", "url", "iban", "nir", "phone", "address", "person")

PLACEHOLDER_LABELS = {
    "person": "PERSONNE",
    "email": "EMAIL",
    "phone": "TELEPHONE",
    "nir": "NIR",
    "iban": "IBAN",
    "address": "ADRESSE",
    "url": "URL",
}
_LABEL_KIND = {v: k for k, v in PLACEHOLDER_LABELS.items()}
ANSWER_COLUMNS = ("record_id", "question_id", "text")
MAPPING_COLUMNS = ("record_id", "placeholder", "kind", "original")
SPAN_COLUMNS = ("row", "record_id", "question_id", "start", "end", "kind", "placeholder", "source")
#: The anonymise stage's model by default, as a run names it: ``settings.anonymise_model``
#: (``fr_core_news_md``) with the toolkit's person recogniser (``person_recogniser: auto``).
DEFAULT_MODEL = anonymise_model({})

# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """One entity of a text as the anonymise stage reads it: character offsets and label."""

    start_char: int
    end_char: int
    label_: str


@dataclass(frozen=True)
class Entities:
    """What the anonymise stage reads of a spaCy ``Doc``: its entities, and whether the
    recogniser annotated it. Stands for the doc of a text the recogniser need not read, and
    for entities found on a cluster's workers."""

    ents: tuple[Entity, ...]
    annotated: bool

    def has_annotation(self, attr: str) -> bool:
        if attr not in ("ENT_IOB", "ENT_TYPE"):
            raise ValueError(f"only the entities of a text were kept, not {attr}")
        return self.annotated


#: A text the recogniser need not read: no entity, and read as a doc with no entity would be.
NO_ENTITIES = Entities((), True)


@dataclass(frozen=True)
class Identifier:
    """One identifier found in a text: character offsets, kind and how it was found.

    ``source`` is ``regex``, ``title``, ``trigger``, ``first_name``, ``ner`` or ``propagated``.
    """

    start: int
    end: int
    kind: str
    text: str
    source: str = "regex"


@dataclass(frozen=True, repr=False)
class AnonymisedAnswers:
    """Result of :func:`anonymise_answers`.

    Attributes
    ----------
    answers : pandas.DataFrame
        The input table, same rows and columns, with ``text`` pseudonymised.
    mapping : pandas.DataFrame
        ``record_id, placeholder, kind, original``: one row per distinct original string.
        It holds the identifiers themselves: keep it in memory, or write it with
        :func:`write_mapping` to a protected place, never next to a report.
    spans : pandas.DataFrame
        ``row, record_id, question_id, start, end, kind, placeholder, source``: where each
        placeholder was put, as character offsets in the *original* text of row ``row``
        (position in ``answers``). It holds no original string; use it to review replacements.
    n_words : int
        Words of the input texts (for speed measurements).
    n_ner_texts : int
        Distinct texts the named-entity recogniser annotated: equal to the number of distinct
        texts whenever the model is used (texts read from the cache were annotated when they
        were cached), 0 with ``use_ner=False``.
    n_cached : int
        Distinct texts whose identifiers were read from the cache (the model did not read
        them again).
    model : str or None
        ``<name>-<version>`` of the spaCy model whose entities were used (None with
        ``use_ner=False``).
    """

    answers: pd.DataFrame
    mapping: pd.DataFrame
    spans: pd.DataFrame
    n_words: int = 0
    n_ner_texts: int = 0
    n_cached: int = 0
    model: str | None = None

    def counts(self) -> pd.Series:
        """Number of distinct placeholders per kind (no original string)."""
        if self.mapping.empty:
            return pd.Series(0, index=list(PLACEHOLDER_LABELS), name="n", dtype="int64")
        distinct = self.mapping.drop_duplicates(["record_id", "placeholder"])
        counts = distinct["kind"].value_counts().reindex(list(PLACEHOLDER_LABELS), fill_value=0)
        return counts.rename("n").astype("int64")

    def __repr__(self) -> str:  # never shows an original string
        found = ", ".join(f"{k}={n}" for k, n in self.counts().items() if n)
        return f"AnonymisedAnswers({len(self.answers)} answers; {found or 'no identifier'})"

