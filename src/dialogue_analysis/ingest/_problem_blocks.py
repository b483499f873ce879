"""A validation report as blocks of lines to print: identical problems (same file, column,
value and message) make one block listing their rows; errors first, then a few warnings."""

from __future__ import annotations

from pathlib import Path

from ..core.i18n import tr
from ._validation import ValidationReport

MAX_ROWS_SHOWN = 40  # blocks of identical problems, not rows of the file
MAX_WARNINGS_SHOWN = 10


def group_problems(problems) -> list[tuple]:
    """``[(first problem, [rows])]``: problems alike but for their row, in order of appearance."""
    groups: dict[tuple, tuple] = {}
    for p in problems:
        key = (p.file, p.sheet, p.column, p.value, p.severity, p.code, p.message)
        if key not in groups:
            groups[key] = (p, [])
        if p.row is not None:
            groups[key][1].append(p.row)
    return list(groups.values())


def _row_list(rows: list[int], shown: int = 12) -> str:
    text = ", ".join(str(r) for r in rows[:shown])
    return text + (f" … (+{len(rows) - shown})" if len(rows) > shown else "")


def report_lines(report: ValidationReport, path) -> list[tuple[str, str | None, int]]:
    """``(text, style, indent)`` lines saying the report's problems, readable in 80 columns
    (values and messages as written: the caller prints them, never as terminal markup)."""
    if not len(report):
        return []
    lang = report.language
    errors, warns = group_problems(report.errors), group_problems(report.warnings)
    shown = errors[:MAX_ROWS_SHOWN] + warns[:MAX_WARNINGS_SHOWN]
    lines: list[tuple[str, str | None, int]] = [(tr("report_title", lang), "bold", 0)]
    for first, rows in shown:
        style = "red" if first.severity == "error" else "yellow"
        where = [Path(first.file).name]
        if first.sheet:
            where.append(f"{tr('col_sheet', lang)} {first.sheet}")
        if rows:
            label = tr("col_row", lang) if len(rows) == 1 else tr("cli_rows", lang)
            where.append(f"{label} {_row_list(rows)}")
        if first.column:
            where.append(f"{tr('col_column', lang)} « {first.column} »")
        lines.append((f"{tr(f'sev_{first.severity}', lang)} · {', '.join(where)}",
                      f"bold {style}", 0))
        if first.value is not None and first.value not in first.message:
            value = " ".join(first.value.split())
            value = value if len(value) <= 60 else value[:59] + "…"
            lines.append((f"{tr('col_value', lang)} : {value}", None, 2))
        lines.append((first.message, style, 2))
    hidden = sum(len(rows) or 1 for _, rows in errors[MAX_ROWS_SHOWN:] + warns[MAX_WARNINGS_SHOWN:])
    if hidden:
        lines.append((tr("report_more", lang, n=hidden, path=path or "CSV"), None, 0))
    elif path is not None and report.has_errors:
        lines.append((tr("cli_failure_report", lang, path=path), None, 0))
    lines.append((report.counts_text(), None, 0))
    return lines
