"""Reading one raw table: Excel (any sheet, header on any row, formulas as saved), CSV and JSON."""

from __future__ import annotations

import hashlib
import io
import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ConfigError
from ..core.i18n import tr
from ..core.text import label_key
from ._cells import _Context, _make_table, _Table
from ._csv import (
    _HEADER_SEARCH_ROWS,
    _decode,
    _find_header_row,
    _looks_like_text,
    _read_csv,
    _strip_nul_bytes,
)
from ._survey import TableSpec
from ._validation import (
    ERROR,
    WARNING,
    cell_text,
)


@dataclass(frozen=True)
class InputFile:
    """A raw file that was read: where, its SHA-256, and how it was decoded."""

    label: str
    path: Path
    sha256: str
    size: int
    format: str
    sheet: str | None = None
    encoding: str | None = None
    separator: str | None = None
    rows: int = 0

    def to_manifest(self) -> dict:
        return {
            "file": self.label,
            "sha256": self.sha256,
            "bytes": self.size,
            "format": self.format,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "separator": self.separator,
            "rows": self.rows,
        }


def _read_table(
    spec: TableSpec, ctx: _Context, wanted: list[str]
) -> tuple[_Table | None, InputFile]:
    """Read one table of the config; problems go to the report, None if unreadable."""
    if not spec.path.is_file():
        raise ConfigError(
            ctx.survey.path,
            f"{spec.config_key}.file",
            tr("input_not_found", ctx.language, path=spec.path),
        )
    ctx.step("step_read", file=spec.label)
    ctx.report.register_file(spec.label)
    data = spec.path.read_bytes()  # read once: what is hashed is what is parsed
    info = {"label": spec.label, "path": spec.path, "size": len(data), "format": spec.format}
    info["sha256"] = hashlib.sha256(data).hexdigest()
    table = None
    if not data.strip():
        ctx.problem(spec, None, None, None, ERROR, "empty_file")
    elif spec.format == "excel":
        table = _read_excel(data, spec, ctx, wanted, info)
    else:
        text = _decode(data, spec, ctx, info)
        if text is not None and not text.strip():
            ctx.problem(spec, None, None, None, ERROR, "empty_file")
        elif text is not None:
            text = _strip_nul_bytes(text, spec, ctx)
            reader = _read_json if spec.format == "json" else _read_csv
            table = reader(text, spec, ctx, wanted, info)
    if table is not None and not table.cells:
        ctx.problem(table, table.header_row, None, None, ERROR, "no_rows")
        table = None
    if table is not None and spec.sample_every > 1:
        # Every N-th data row, counted from the first: the same subset on every run.
        table.cells = table.cells[:: spec.sample_every]
        table.rows = table.rows[:: spec.sample_every]
    info["rows"] = len(table.cells) if table else 0
    return table, InputFile(**info)


def _read_excel(data: bytes, spec: TableSpec, ctx: _Context, wanted, info) -> _Table | None:
    import openpyxl

    if not data.startswith(b"PK\x03\x04"):
        hint = ""
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            hint = tr("not_excel_xls", ctx.language)
        elif _looks_like_text(data):
            hint = tr("not_excel_text", ctx.language)
        ctx.problem(spec, None, None, None, ERROR, "not_excel", hint=hint)
        return None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any failure to open means: not a workbook we can read
        ctx.problem(spec, None, None, type(exc).__name__, ERROR, "not_excel", hint=f" ({exc})")
        return None
    try:
        sheet = _choose_sheet(workbook.sheetnames, spec, ctx)
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()  # some writers store wrong dimensions
        grid = [list(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    info["sheet"] = sheet
    if not any(cell_text(c) for row in grid for c in row):
        ctx.problem(spec, None, None, None, ERROR, "empty_file")
        return None
    header_row = _find_header_row(
        [[cell_text(c) for c in r] for r in grid[:_HEADER_SEARCH_ROWS]], spec, wanted
    )
    if header_row > len(grid):
        ctx.problem(
            spec, None, None, None, ERROR, "header_row_missing", n=len(grid), row=header_row
        )
        return None
    formulas = _keep_formulas_as_written(data, sheet, grid, header_row + 1)
    table = _make_table(
        spec, sheet, header_row, grid[header_row - 1], grid[header_row:], header_row + 1
    )
    table.letters = True
    _warn_formulas(table, formulas, ctx)
    return table


def _choose_sheet(names: list[str], spec: TableSpec, ctx: _Context) -> str:
    if spec.sheet is None:
        return names[0]
    match = next((n for n in names if label_key(n) == label_key(spec.sheet)), None)
    if match is None:
        available = ", ".join(f"« {n} »" for n in names)
        raise ConfigError(
            ctx.survey.path,
            f"{spec.config_key}.sheet",
            tr("sheet_not_found", ctx.language, sheet=spec.sheet, available=available),
        )
    return match


_EXCEL_ERRORS = frozenset({"#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"})


def _formula_cells(data: bytes, sheet: str, grid: list[list], first: int) -> list[tuple]:
    """Formula cells of the body whose saved value is missing or an Excel error.

    openpyxl reads the value Excel saved with each formula; it does not compute formulas. A
    cell an interviewer began with "=" is stored as a formula: written by a script it has no
    saved value, and once re-saved in Excel its value is an error such as ``#NAME?``. Returns
    ``[(index in grid, column index, formula, saved value)]``; ``grid`` is the sheet as read
    with its empty rows, so that row numbers are Excel's.
    """
    body = grid[first - 1 :]
    if not any(v is None or (isinstance(v, str) and v in _EXCEL_ERRORS)
               for row in body for v in row):
        return []
    import openpyxl

    found = []
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        worksheet = workbook[sheet]
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(min_row=first, values_only=True)
        for i, (values, formulas) in enumerate(zip(body, rows, strict=False), first - 1):
            for j, formula in enumerate(formulas):
                saved = values[j] if j < len(values) else None
                if (isinstance(formula, str) and formula.startswith("=")
                        and (saved is None or saved in _EXCEL_ERRORS)):
                    found.append((i, j, formula, saved))
    finally:
        workbook.close()
    return found


def _keep_formulas_as_written(data: bytes, sheet: str, grid: list[list], first: int):
    """Put the text of formulas without a saved value into ``grid`` (an answer that starts
    with "=" is kept as the interviewer typed it); return the cells to warn about."""
    found = _formula_cells(data, sheet, grid, first)
    for i, j, formula, saved in found:
        if saved is None:
            grid[i] = list(grid[i]) + [None] * (j + 1 - len(grid[i]))
            grid[i][j] = formula
    return found


def _warn_formulas(table: _Table, found: list[tuple], ctx: _Context) -> None:
    for i, j, formula, saved in found:
        header = table.headers[j] if j < len(table.headers) else ""
        column = header or table.position(j)
        if saved is None:
            ctx.problem(table, i + 1, column, formula, WARNING, "formula_kept_as_text",
                        formula=formula)
        else:
            ctx.problem(table, i + 1, column, formula, WARNING, "formula_error_value",
                        formula=formula, error=saved)

def _read_json(text: str, spec: TableSpec, ctx: _Context, wanted, info) -> _Table | None:
    """A JSON list of objects; each object's row is the line where it starts."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    decoder = json.JSONDecoder()
    pos = _skip_ws(text, 0)
    if not text.startswith("[", pos):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            ctx.problem(spec, exc.lineno, None, None, ERROR, "not_json", detail=exc.msg)
            return None
        ctx.problem(spec, None, None, None, ERROR, "json_not_list")
        return None
    objects, lines, pos = [], [], _skip_ws(text, pos + 1)
    while pos < len(text) and text[pos] != "]":
        line = bisect_right(starts, pos)
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            ctx.problem(spec, exc.lineno, None, None, ERROR, "not_json", detail=exc.msg)
            return None
        if isinstance(obj, dict):
            objects.append(obj)
            lines.append(line)
        else:
            ctx.problem(spec, line, None, str(obj)[:60], ERROR, "json_not_object")
        pos = _skip_ws(text, pos)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
    headers = list(dict.fromkeys(k for obj in objects for k in obj))
    cells = [[_json_cell(obj.get(h)) for h in headers] for obj in objects]
    return _Table(spec, None, None, headers, cells, lines)


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _json_cell(value):
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value
