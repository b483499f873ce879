"""Parsing a survey config: the study, the tables, the attributes and the questions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path

from ..core.errors import ConfigError
from ..core.i18n import tr
from ..core.text import closest, label_key
from ._survey import (
    _IDENTIFIER,
    _QUESTION_ID,
    ATTRIBUTE_TYPES,
    DATA_SUFFIXES,
    DEFAULT_DATE_FORMATS,
    DEFAULT_MISSING,
    EXCEL_SUFFIXES,
    RESERVED_NAMES,
    SEPARATORS,
    SHAPES,
    UNITS,
    Attribute,
    Question,
    Study,
    SurveyConfig,
    TableSpec,
)
from ._yaml import _resolve, _Section

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
