"""What a survey config describes: its tables, attributes, questions and study."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..core.text import label_key

SHAPES = ("wide", "long", "per_question")
UNITS = ("interview", "respondent", "contribution")
ATTRIBUTE_TYPES = ("categorical", "ordinal", "multi", "date", "numeric", "text")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
DATA_SUFFIXES = EXCEL_SUFFIXES + TEXT_SUFFIXES + (".json",)
SEPARATORS = {"auto": "auto", ",": ",", ";": ";", "\t": "\t", "tab": "\t", "|": "|"}
DEFAULT_MISSING = ("", "?", "NSP", "NR", "N/A", "-")
DEFAULT_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y-%m-%d %H:%M:%S",
)
RESERVED_NAMES = ("record_id", "wave", "question_id", "text")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_QUESTION_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


@dataclass(frozen=True)
class TableSpec:
    """Where a table is: its file and, for Excel, its sheet; the row of its header.

    ``label`` is the path as written in the config (shown in reports); ``path`` is resolved
    against the folder of the config. ``key``, ``question`` and ``text`` are the columns of the
    long shape (the join key; the question id and answer text of the answers table).
    """

    config_key: str
    path: Path
    label: str
    sheet: str | None = None
    header_row: int | Literal["auto"] = 1
    encoding: str = "auto"
    separator: str = "auto"
    ignore_columns: tuple[str, ...] = ()
    key: str | None = None
    question: str | None = None
    text: str | None = None
    sample_every: int = 1  # read one data row in N (a deterministic subset for a trial run)

    @property
    def format(self) -> str:
        """``"excel"``, ``"csv"`` or ``"json"`` (from the file name)."""
        suffix = self.path.suffix.lower()
        return "excel" if suffix in EXCEL_SUFFIXES else "json" if suffix == ".json" else "csv"


@dataclass(frozen=True)
class Attribute:
    """A declared attribute of the interviews (a column of ``records``).

    ``values`` are the canonical values (categorical, multi) or the ordered levels (ordinal);
    ``lookup`` maps the folded form of each value and synonym to its canonical value.
    """

    name: str
    column: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    lookup: Mapping[str, str] = field(default_factory=dict)
    separator: str = ";"
    formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    minimum: Any = None
    maximum: Any = None

    def canonical(self, text: str) -> str | None:
        """Canonical value of a label (case, accents, spacing ignored), or None if not allowed."""
        return self.lookup.get(label_key(text))

    @property
    def labels(self) -> list[str]:
        """Every accepted spelling (values and synonyms), for suggestions."""
        return list(self.values) + [k for k in self.lookup if k not in map(label_key, self.values)]


@dataclass(frozen=True)
class Question:
    """An open question: its id (``q1``), where its answers are, its wording."""

    id: str
    column: str | None = None
    code: str | None = None
    wording: str = ""
    label: str = ""
    required: bool = False
    table: TableSpec | None = None  # shape per_question: the table holding its answers


@dataclass(frozen=True)
class Study:
    """How the answers were gathered, in the analyst's words: the report claims nothing else.

    ``unit`` names a record (``interview``, ``respondent`` or ``contribution``); the other fields
    are free text in the report's language, empty when the config does not say.
    """

    unit: str = "interview"
    method: str = ""
    mode: str = ""
    collected_by: str = ""
    selection: str = ""
    period: str = ""
    organisation: str = ""

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SurveyConfig:
    """The validated survey config of one wave."""

    path: Path
    wave: str
    shape: str
    attributes: tuple[Attribute, ...]
    questions: tuple[Question, ...]
    missing: tuple[str, ...]
    title: str = ""
    table: TableSpec | None = None
    answers: TableSpec | None = None
    respondents: TableSpec | None = None
    record_id: str | None = None
    content_sha256: str = ""
    study: Study = field(default_factory=Study)

    @property
    def missing_keys(self) -> frozenset[str]:
        """Folded missing-value tokens."""
        return frozenset(label_key(m) for m in self.missing)

    def attribute(self, name: str) -> Attribute | None:
        """The attribute called ``name``, or None."""
        return next((a for a in self.attributes if a.name == name), None)

    @property
    def tables(self) -> tuple[TableSpec, ...]:
        """The tables to read, in reading order."""
        if self.shape == "wide":
            return (self.table,)
        if self.shape == "per_question":
            return tuple(q.table for q in self.questions)
        return (self.answers, self.respondents)

