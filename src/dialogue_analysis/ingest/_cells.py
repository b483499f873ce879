"""What the reading steps share: a table as read, the reading context, where a cell is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.i18n import tr
from ._survey import Attribute, SurveyConfig, TableSpec
from ._validation import (
    ERROR,
    ValidationReport,
    cell_text,
    check_value,
)

Progress = Callable[..., None]


@dataclass
class _Table:
    """A table as read from a file: header texts, data cells and the analyst's row numbers."""

    spec: TableSpec
    sheet: str | None
    header_row: int | None
    headers: list[str]
    cells: list[list]
    rows: list[int]
    letters: bool = False  # Excel: name columns by letter in messages

    def position(self, index: int) -> str:
        if self.letters:
            from openpyxl.utils import get_column_letter

            return get_column_letter(index + 1)
        return str(index + 1)


@dataclass
class _Context:
    """What every reading step needs: the report, the language, the config's missing tokens."""

    survey: SurveyConfig
    report: ValidationReport
    language: str
    missing: frozenset[str]
    progress: Progress | None = None

    def problem(self, table: _Table | TableSpec, row, column, value, severity, code, /, **params):
        spec = table.spec if isinstance(table, _Table) else table
        sheet = table.sheet if isinstance(table, _Table) else spec.sheet
        message = tr(code, self.language, **params)
        self.report.add(spec.label, sheet, row, column, value, severity, code, message, params)

    def step(self, code: str, **params) -> None:
        if self.progress is not None:
            self.progress(tr(code, self.language, **params))


def _make_table(spec, sheet, header_row, header_cells, body, first_row) -> _Table:
    """Build a table: drop rows with no content, pad rows to the width actually used."""
    numbers = (
        list(range(first_row, first_row + len(body))) if isinstance(first_row, int) else first_row
    )
    kept = [
        (n, row) for n, row in zip(numbers, body, strict=True) if any(cell_text(c) for c in row)
    ]
    width = max([len(header_cells)] + [len(r) for _, r in kept]) if kept else len(header_cells)
    headers = [cell_text(c) or "" for c in header_cells] + [""] * (width - len(header_cells))
    # Trailing columns with neither header nor content are the writer's padding, not data.
    while (
        headers
        and not headers[-1]
        and not any(len(r) >= len(headers) and cell_text(r[len(headers) - 1]) for _, r in kept)
    ):
        headers.pop()
    width = len(headers)
    cells = [(list(row) + [None] * width)[:width] for _, row in kept]
    return _Table(spec, sheet, header_row, headers, cells, [n for n, _ in kept])


@dataclass
class _Where:
    """Where a cell is, for problems."""

    table: _Table
    row: int
    column: str


def _parse_value(attr: Attribute, raw, where: _Where, ctx: _Context):
    """Canonical value of a cell for an attribute (None if missing or in error), problems reported."""
    value, issues = check_value(attr, raw, ctx.missing, ctx.language)
    for issue in issues:
        ctx.problem(
            where.table, where.row, where.column, issue.value, ERROR, issue.code, **issue.params
        )
    return value

