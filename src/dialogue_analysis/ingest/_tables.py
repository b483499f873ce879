"""The canonical records and answers built from the tables read.

The wide shape has one row per interview; the long shape an answers table (key, question, text)
joined to a respondents table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..core.i18n import tr
from ..core.text import closest, label_key
from ._cells import _Context, _parse_value, _Table, _Where
from ._survey import Attribute, SurveyConfig
from ._validation import (
    ERROR,
    WARNING,
    answer_text,
    cell_text,
    is_missing,
)

# ----------------------------------------------------------------------------------------------
# Columns
# ----------------------------------------------------------------------------------------------


def _wide_headers(survey: SurveyConfig) -> list[str]:
    return (
        [survey.record_id]
        + [a.column for a in survey.attributes]
        + [q.column for q in survey.questions]
    )


def _long_answer_headers(survey: SurveyConfig) -> list[str]:
    spec = survey.answers
    return [spec.key, spec.question, spec.text]


def _respondent_headers(survey: SurveyConfig) -> list[str]:
    return [survey.respondents.key] + [a.column for a in survey.attributes]


def _locate(table: _Table, wanted: list[tuple[str, str]], ctx: _Context) -> dict[str, int]:
    """Index of each wanted header (matched folded); missing and unused columns reported."""
    positions: dict[str, list[int]] = {}
    for i, header in enumerate(table.headers):
        if header:
            positions.setdefault(label_key(header), []).append(i)
    found, used = {}, set()
    config = ctx.survey.path.name
    for key, header in wanted:
        indexes = positions.get(label_key(header), [])
        used.update(indexes)
        if len(indexes) == 1:
            found[header] = indexes[0]
        elif len(indexes) > 1:
            where = ", ".join(table.position(i) for i in indexes)
            ctx.problem(
                table, table.header_row, header, header, ERROR, "ambiguous_column", positions=where
            )
        elif header not in found:
            suggestion = closest(header, [h for h in table.headers if h])
            hint = tr("did_you_mean", ctx.language, suggestion=suggestion) if suggestion else ""
            ctx.problem(
                table,
                table.header_row,
                header,
                None,
                ERROR,
                "missing_column",
                key=key,
                config=config,
                hint=hint,
            )
    ignored = {label_key(c) for c in table.spec.ignore_columns}
    for i, header in enumerate(table.headers):
        if i in used or (header and label_key(header) in ignored):
            continue
        if header or any(cell_text(row[i]) for row in table.cells):
            name = header or f"({table.position(i)})"
            ctx.problem(table, table.header_row, name, None, WARNING, "unused_column")
    return found


def _attribute_keys(survey: SurveyConfig) -> list[tuple[str, str]]:
    return [(f"attributes.{a.name}.column", a.column) for a in survey.attributes]


# ----------------------------------------------------------------------------------------------
# Wide shape: one row per interview
# ----------------------------------------------------------------------------------------------


def _build_wide(table: _Table, ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    survey = ctx.survey
    questions = [(f"questions[{i}].column", q.column) for i, q in enumerate(survey.questions)]
    wanted = [("record_id", survey.record_id)] + _attribute_keys(survey) + questions
    columns = _locate(table, wanted, ctx)
    ids, rows, values, answers = [], [], {a.name: [] for a in survey.attributes}, {}
    for row_number, row in zip(table.rows, table.cells, strict=True):
        # Content only in columns the config does not read (initials pre-filled down the
        # sheet, remarks) is not an interview: the row is skipped.
        if not any(cell_text(row[i]) for i in columns.values()):
            continue
        rid = _wide_id(table, row_number, row, columns, ctx)
        for attr in survey.attributes:
            index = columns.get(attr.column)
            where = _Where(table, row_number, attr.column)
            value = _parse_value(attr, row[index], where, ctx) if index is not None else None
            values[attr.name].append(value)
        for question in survey.questions:
            index = columns.get(question.column)
            text = answer_text(row[index]) if index is not None else None
            if index is not None and is_missing(text, ctx.missing):
                _empty_answer(table, row_number, question, text, ctx)
            elif index is not None and rid is not None:
                answers.setdefault((rid, question.id), text)  # a duplicate id keeps its first
        ids.append(rid)
        rows.append(row_number)
    _check_duplicates(table, ids, rows, survey.record_id, "duplicate_id", ctx)
    keep = _first_occurrences(ids)
    kept_values = {name: [column[i] for i in keep] for name, column in values.items()}
    records = _records_frame(survey, [ids[i] for i in keep], kept_values)
    return records, _answers_frame([(rid, qid, text) for (rid, qid), text in answers.items()])


def _wide_id(table: _Table, row_number: int, row: list, columns: dict, ctx: _Context):
    """The row's record id (None, reported, when empty)."""
    header = ctx.survey.record_id
    if header not in columns:
        return None
    rid = cell_text(row[columns[header]])
    if is_missing(rid, ctx.missing):
        ctx.problem(table, row_number, header, rid, ERROR, "missing_id")
        return None
    return rid


def _empty_answer(table, row_number, question, text, ctx) -> None:
    column = question.column or table.spec.text
    if question.required:
        ctx.problem(
            table, row_number, column, text, ERROR, "required_answer_missing", question=question.id
        )
    else:
        ctx.problem(
            table,
            row_number,
            column,
            text,
            WARNING,
            "optional_answer_missing",
            question=question.id,
        )


def _check_duplicates(table, ids, rows, column, code, ctx, only=None) -> None:
    """Report every row of a repeated id, each naming all the rows where it occurs."""
    where: dict[str, list[int]] = {}
    for rid, row in zip(ids, rows, strict=True):
        if rid is not None and (only is None or rid in only):
            where.setdefault(rid, []).append(row)
    for rid, found in where.items():
        if len(found) > 1:
            listed = ", ".join(map(str, found))
            for row in found:
                ctx.problem(table, row, column, rid, ERROR, code, value=rid, rows=listed)


def _first_occurrences(ids: Sequence[str | None]) -> list[int]:
    seen, keep = set(), []
    for i, rid in enumerate(ids):
        if rid is not None and rid not in seen:
            seen.add(rid)
            keep.append(i)
    return keep


# ----------------------------------------------------------------------------------------------
# Long shape: answers table (key, question, text) joined to a respondents table
# ----------------------------------------------------------------------------------------------


def _build_long(
    answers: _Table, respondents: _Table, ctx: _Context
) -> tuple[pd.DataFrame, pd.DataFrame]:
    survey = ctx.survey
    a, r = survey.answers, survey.respondents
    a_cols = _locate(
        answers,
        [("answers.key", a.key), ("answers.question", a.question), ("answers.text", a.text)],
        ctx,
    )
    r_cols = _locate(respondents, [("respondents.key", r.key)] + _attribute_keys(survey), ctx)
    if len(a_cols) < 3 or r.key not in r_cols:
        return _empty_tables(survey)
    texts, order, ignored = _collect_answers(answers, a_cols, ctx)
    keys = [cell_text(row[r_cols[r.key]]) for row in respondents.cells]
    _check_duplicates(
        respondents, keys, respondents.rows, r.key, "duplicate_respondent", ctx, only=order
    )
    by_key: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None:
            by_key.setdefault(key, i)
    values = {attr.name: [] for attr in survey.attributes}
    for key, answer_rows in order.items():
        index = by_key.get(key)
        if index is None:
            # Answers to undeclared questions were ignored (and said so): no "kept" warning.
            for row in (r for r in answer_rows if r not in ignored):
                ctx.problem(
                    answers,
                    row,
                    a.key,
                    key,
                    WARNING,
                    "no_respondent",
                    value=key,
                    respondents=r.path.name,
                )
        _respondent_values(respondents, index, r_cols, values, ctx)
        _required_answers(answers, key, answer_rows[0], texts, ctx)
    records = _records_frame(survey, list(order), values)
    rank = {q.id: i for i, q in enumerate(survey.questions)}
    position = {key: i for i, key in enumerate(order)}
    rows = sorted(texts.items(), key=lambda kv: (position[kv[0][0]], rank[kv[0][1]]))
    return records, _answers_frame([(k, q, t) for (k, q), (t, _) in rows])


def _collect_answers(table: _Table, cols: dict[str, int], ctx: _Context):
    """Answers by (key, question id), each key's answer rows in order of appearance, and the
    rows ignored because their question is not declared."""
    spec = table.spec
    by_code = {label_key(q.code): q for q in ctx.survey.questions}
    texts: dict[tuple[str, str], tuple[str, int]] = {}
    order: dict[str, list[int]] = {}
    undeclared: dict[str, list[int]] = {}
    k, qcol, tcol = cols[spec.key], cols[spec.question], cols[spec.text]
    for row_number, row in zip(table.rows, table.cells, strict=True):
        key = cell_text(row[k])
        if is_missing(key, ctx.missing):
            ctx.problem(table, row_number, spec.key, key, ERROR, "missing_id")
            continue
        code = cell_text(row[qcol]) or ""
        question = by_code.get(label_key(code))
        if question is None:
            undeclared.setdefault(code, []).append(row_number)
            continue
        text = answer_text(row[tcol])
        if is_missing(text, ctx.missing):
            _empty_answer(table, row_number, question, text, ctx)
            continue
        # A record is a respondent with at least one non-empty answer to a declared question:
        # answers to other questions must not inflate the base of every share.
        order.setdefault(key, []).append(row_number)
        previous = texts.get((key, question.id))
        if previous is not None:
            ctx.problem(
                table,
                row_number,
                spec.text,
                key,
                WARNING,
                "duplicate_answer",
                value=key,
                question=question.id,
                first=previous[1],
            )
            text = previous[0] + "\n\n" + text
        texts[(key, question.id)] = (text, previous[1] if previous else row_number)
    for code, rows in undeclared.items():
        ctx.problem(
            table,
            rows[0],
            spec.question,
            code,
            WARNING,
            "unknown_question",
            value=code,
            count=len(rows),
        )
    return texts, order, {row for rows in undeclared.values() for row in rows}


def _respondent_values(table: _Table, index: int | None, cols, values: dict, ctx: _Context) -> None:
    for attr in ctx.survey.attributes:
        column = cols.get(attr.column)
        if index is None or column is None:
            values[attr.name].append(None)
            continue
        where = _Where(table, table.rows[index], attr.column)
        values[attr.name].append(_parse_value(attr, table.cells[index][column], where, ctx))


def _required_answers(table: _Table, key: str, first_row: int, texts, ctx: _Context) -> None:
    for question in ctx.survey.questions:
        if question.required and (key, question.id) not in texts:
            ctx.problem(
                table,
                first_row,
                table.spec.question,
                question.code,
                ERROR,
                "required_answer_missing",
                question=question.id,
            )


# ----------------------------------------------------------------------------------------------
# Canonical tables
# ----------------------------------------------------------------------------------------------


def _records_frame(survey: SurveyConfig, ids: list[str], values: dict[str, list]) -> pd.DataFrame:
    data: dict[str, Any] = {
        "record_id": pd.Series(ids, dtype="str"),
        "wave": pd.Series([survey.wave] * len(ids), dtype="str"),
    }
    for attr in survey.attributes:
        data[attr.name] = _typed(attr, values.get(attr.name, [None] * len(ids)))
    return pd.DataFrame(data)


def _typed(attr: Attribute, values: list) -> pd.Series:
    if attr.type == "ordinal":
        return pd.Series(pd.Categorical(values, categories=list(attr.values), ordered=True))
    if attr.type == "date":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")
    if attr.type == "numeric":
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    return pd.Series(values, dtype="str")


def _answers_frame(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["record_id", "question_id", "text"])
    return frame.astype({"record_id": "str", "question_id": "str", "text": "str"})


def _empty_tables(survey: SurveyConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    return _records_frame(survey, [], {}), _answers_frame([])

