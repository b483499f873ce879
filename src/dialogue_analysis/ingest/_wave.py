"""Ingestion: read a wave's files, validate them against the survey config, build the tables.

:func:`read_wave` reads Excel (any sheet, header on any row, formulas read as their saved
values), CSV (encoding and separator detected, any line endings, quoted multi-line cells) and
JSON (a list of objects), in the wide shape (one row per interview) or the long shape (an answers
table joined to a respondents table). It returns the canonical ``records`` and ``answers`` and a
validation report listing every problem at once. :func:`write_wave` keeps them, raw text and
all, under ``<root>/data/interim/<wave>/`` (as sensitive as the raw files) and only what holds no
cell's content under ``<root>/data/processed/<wave>/``; the raw files are only ever read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import platform
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..core import storage
from ..core.errors import ConfigError
from ..core.i18n import tr
from ..core.text import closest, label_key
from ._config import Attribute, Project, SurveyConfig, TableSpec
from ._validation import (
    ERROR,
    WARNING,
    ValidationFailed,
    ValidationReport,
    answer_text,
    cell_text,
    check_value,
    is_missing,
    report_from_frame,
)

Progress = Callable[..., None]

RECORDS_FILE = "records.parquet"
ANSWERS_FILE = "answers.parquet"
MANIFEST_FILE = "manifest.json"
REPORT_CSV = "validation.csv"
REPORT_MD = "validation.md"
INTERIM_README = "README.md"
INTERIM_README_TEXT = """\
# data/interim/{wave}: sensitive, never published

This folder is as sensitive as the raw interview files (data/raw/). It holds the answers of wave
{wave} as they were typed, before pseudonymisation: names, phone numbers, e-mail addresses,
social security numbers (NIR), bank accounts (IBAN), addresses may all be in it.

- records.parquet, answers.parquet: the validated tables, raw text ({config} says which columns).
- validation.csv: the full validation report, with the contents of the cells it points at.

dialogue-analysis writes this folder at each ingestion and reads it to pseudonymise the answers;
every other stage reads the pseudonymised tables of data/processed/{wave}/. Do not share, copy
or publish anything from here; keep it where the raw files are kept, with the same access
rights, and delete it with them. This README is rewritten at each ingestion.
"""

_SEPARATOR_CANDIDATES = (";", ",", "\t", "|")
_HEADER_SEARCH_ROWS = 30


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


@dataclass
class Wave:
    """A validated wave: ``records`` (one row per interview), ``answers`` (one row per
    non-empty answer), the validation ``report`` and the ``inputs`` read."""

    name: str
    records: pd.DataFrame
    answers: pd.DataFrame
    report: ValidationReport
    inputs: tuple[InputFile, ...] = ()
    config_sha256: str = ""
    manifest: dict = field(default_factory=dict)


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



# ----------------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------------


def read_wave(
    project: Project,
    *,
    language: str | None = None,
    progress: Progress | None = None,
    raise_on_error: bool = True,
) -> Wave:
    """Read and validate a wave's files; build the canonical ``records`` and ``answers``.

    Nothing is written: see :func:`write_wave` to publish the tables.

    Parameters
    ----------
    project : Project
        From :func:`~dialogue_analysis.load_project`.
    language : {"fr", "en"}, optional
        Language of the report's messages (default: ``project.settings.language``).
    progress : callable, optional
        Called with a short description of each step (for a progress display).
    raise_on_error : bool, default True
        When False, return the wave even if the report has errors (values in error are NA);
        useful to explore a messy file in a notebook.

    Returns
    -------
    Wave

    Raises
    ------
    ValidationFailed
        If the report has errors (and ``raise_on_error``); ``exc.report`` lists all problems.
    ConfigError
        If a data file or sheet named by the config does not exist.
    """
    survey = project.survey
    lang = language or project.settings.language
    report = ValidationReport(language=lang)
    ctx = _Context(survey, report, lang, survey.missing_keys, progress)
    if survey.shape == "wide":
        table, info = _read_table(survey.table, ctx, _wide_headers(survey))
        records, answers = _build_wide(table, ctx) if table else _empty_tables(survey)
        inputs = (info,)
    elif survey.shape == "per_question":
        records, answers, inputs = _read_per_question(ctx)
    else:
        answers_table, info_a = _read_table(survey.answers, ctx, _long_answer_headers(survey))
        resp_table, info_r = _read_table(survey.respondents, ctx, _respondent_headers(survey))
        inputs = (info_a, info_r)
        if answers_table and resp_table:
            records, answers = _build_long(answers_table, resp_table, ctx)
        else:
            records, answers = _empty_tables(survey)
    ctx.step("step_validate")
    wave = Wave(survey.wave, records, answers, report, inputs, survey.content_sha256)
    if report.has_errors and raise_on_error:
        raise ValidationFailed(report)
    return wave


def write_wave(wave: Wave, project: Project, root: str | Path = ".") -> Path:
    """Keep a validated wave for the next stages, its raw text apart from the shared tables.

    The tables still hold the answers as they were typed (names, phones, e-mails...), so they go
    to ``root/data/interim/<wave>/`` (``records.parquet``, ``answers.parquet``, the full
    ``validation.csv`` and a README saying the folder is as sensitive as ``data/raw/``).
    ``root/data/processed/<wave>/`` gets what holds no cell of the file: ``validation.csv``
    (``;``, UTF-8 with BOM, opens in Excel) and ``validation.md`` with the cells' contents
    withheld, and ``manifest.json`` (inputs' SHA-256, config hash, versions, row counts). The
    pseudonymised canonical tables are written there by the anonymise stage
    (:func:`write_pseudonymised`); those of an earlier ingestion are removed here. Each folder
    is written all files together or none.
    Files of an earlier ingestion that this one does not write are removed (the analysis
    sub-folder, written by a later stage, is kept); if anything fails, the previous outputs are
    left as they were.

    Returns
    -------
    Path
        The wave's processed folder.
    """
    interim, out = project.interim_dir(root), project.processed_dir(root)
    shared = wave.report.redacted()
    # What a later stage wrote (analysis/) is kept; the canonical tables of an earlier ingestion
    # are not: the anonymise stage writes this one's.
    own = (RECORDS_FILE, ANSWERS_FILE, REPORT_CSV, REPORT_MD, MANIFEST_FILE)
    later = [p.name for p in out.iterdir() if p.name not in own] if out.is_dir() else []
    # Both folders are staged until every file is written: a failure changes neither.
    with storage.staged_dir(interim) as private, storage.staged_dir(out, keep=later) as stage:
        wave.records.to_parquet(private / RECORDS_FILE, index=False)
        wave.answers.to_parquet(private / ANSWERS_FILE, index=False)
        (private / REPORT_CSV).write_text(wave.report.to_csv_text(), encoding="utf-8", newline="")
        (private / INTERIM_README).write_text(interim_readme(project), encoding="utf-8")
        (stage / REPORT_CSV).write_text(shared.to_csv_text(), encoding="utf-8", newline="")
        (stage / REPORT_MD).write_text(shared.to_markdown(), encoding="utf-8")
        manifest = build_manifest(wave, project)
        # Keyed by the path under root: data/interim/<wave>/... and data/processed/<wave>/...
        manifest["outputs"] = {
            f"data/{kind}/{project.wave}/{name}": storage.sha256_file(base / name)
            for kind, base, names in (
                ("interim", private, (RECORDS_FILE, ANSWERS_FILE, REPORT_CSV)),
                ("processed", stage, (REPORT_CSV, REPORT_MD)),
            )
            for name in names
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (stage / MANIFEST_FILE).write_text(text, encoding="utf-8")
    wave.manifest = manifest
    return out


def interim_readme(project: Project) -> str:
    """The README written in ``data/interim/<wave>/`` each time the wave is ingested."""
    return INTERIM_README_TEXT.format(wave=project.wave, config=project.config_path.name)


def write_pseudonymised(
    records: pd.DataFrame, answers: pd.DataFrame, project: Project, root: str | Path = "."
) -> Path:
    """Write the canonical tables of ``data/processed/<wave>/`` (the anonymise stage's output).

    ``answers`` must be pseudonymised and ``records`` hold no free-text attribute: these are the
    tables analysts share. Each file is replaced in one rename.
    """
    out = project.processed_dir(root)
    storage.write_parquet(records, out / RECORDS_FILE)
    storage.write_parquet(answers, out / ANSWERS_FILE)
    return out


def load_wave(project: Project, root: str | Path = ".") -> Wave:
    """Read back a wave kept by :func:`write_wave` (raw text, no re-validation).

    Raises FileNotFoundError when the wave was not ingested under ``root``.
    """
    folder = project.interim_dir(root)
    records = pd.read_parquet(folder / RECORDS_FILE)
    answers = pd.read_parquet(folder / ANSWERS_FILE)
    manifest_path = project.processed_dir(root) / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    frame = pd.read_csv(
        folder / REPORT_CSV, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    frame = frame.replace("", None)
    report = report_from_frame(frame, project.settings.language)
    return Wave(
        project.wave, records, answers, report, (), manifest["config"]["content_sha256"], manifest
    )


def build_manifest(wave: Wave, project: Project) -> dict:
    """Run manifest of an ingestion: what was read, with what, giving how many rows."""
    model = project.settings.spacy_model
    return {
        "stage": "ingest",
        "wave": wave.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "package": {"name": "dialogue-analysis", "version": __version__},
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in ("pandas", "pyarrow", "openpyxl")},
        "spacy_model": {"name": model, "version": _version(model)},
        "config": {
            "file": project.config_path.name,
            "sha256": storage.sha256_file(project.config_path),
            "content_sha256": project.survey.content_sha256,
        },
        "inputs": [i.to_manifest() for i in wave.inputs],
        "rows": {"records": len(wave.records), "answers": len(wave.answers)},
        "validation": {"errors": len(wave.report.errors), "warnings": len(wave.report.warnings)},
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


# ----------------------------------------------------------------------------------------------
# Reading files
# ----------------------------------------------------------------------------------------------


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


def _decode(data: bytes, spec: TableSpec, ctx: _Context, info: dict) -> str | None:
    """Decode a text file: its BOM, else strict UTF-8, else cp1252 (Windows exports of French).

    A file that is neither (a few bytes cp1252 leaves undefined) is read as cp1252 with those
    bytes replaced by "�", and a warning. Generic detectors were not used: on short French
    files they often guess a Central-European or Mac code page and garble every accent.
    """
    if spec.encoding == "auto" and not data.startswith(
            (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        cause = _not_plain_text(data)
        if cause is not None:
            code, params = cause
            ctx.problem(spec, None, None, None, ERROR, code, **params)
            return None
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            ctx.problem(spec, None, None, None, WARNING, "utf16_without_bom", encoding=utf16)
            info["encoding"] = utf16
            return data.decode(utf16, errors="replace")
    if spec.encoding != "auto":
        candidates = [spec.encoding]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if spec.encoding != "auto":
                detail = f"octet {exc.start}" if ctx.language == "fr" else f"byte {exc.start}"
                code = "bad_encoding"
                ctx.problem(spec, None, None, None, ERROR, code, encoding=encoding, detail=detail)
                return None
            continue
        info["encoding"] = encoding
        return text.removeprefix("\ufeff")
    text = data.decode("cp1252", errors="replace")
    info["encoding"] = "cp1252"
    ctx.problem(spec, None, None, None, WARNING, "bytes_replaced", n=text.count("\ufffd"))
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when the text is UTF-16 with no BOM, else None.

    Text in a Latin script written as UTF-16 has a NUL byte in every character: at odd offsets
    in little-endian, even ones in big-endian.
    """
    head = data[:4096]
    half = len(head) // 2
    if half < 4:
        return None
    odd, even = head[1::2].count(0), head[0::2].count(0)
    for zeros, others, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros > 0.6 * half and others < 0.05 * half:
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding
    return None


def _not_plain_text(data: bytes) -> tuple[str, dict] | None:
    """(code, params) of an ERROR when a file read as text is not text at all, else None.

    A renamed workbook (zip) or old .xls, or binary content (many control bytes that are not
    UTF-16's NULs): reading it as CSV would only list every column as missing.
    """
    if data.startswith(b"PK\x03\x04"):
        return "text_is_zip", {}
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "text_is_xls", {}
    head = data[:4096]
    if _utf16_without_bom(data) is not None:
        return None
    control = sum(b < 32 and b not in b"\r\n\t\x0c" for b in head)
    if control > 0.1 * len(head):
        return "binary_content", {"n": control, "total": len(head)}
    return None


def _strip_nul_bytes(text: str, spec: TableSpec, ctx: _Context) -> str:
    """Remove NUL characters (a damaged or truncated save) and say on which lines they were."""
    if "\x00" not in text:
        return text
    lines = [str(i) for i, line in enumerate(text.splitlines(), 1) if "\x00" in line]
    shown = ", ".join(lines[:10]) + (" …" if len(lines) > 10 else "")
    ctx.problem(spec, int(lines[0]), None, None, WARNING, "nul_bytes",
                n=text.count("\x00"), lines=shown)
    return text.replace("\x00", "")


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


def _looks_like_text(data: bytes) -> bool:
    """Whether a file starts like plain text (a CSV renamed .xlsx, typically)."""
    head = data[:2048]
    printable = sum(32 <= b < 127 or b in b"\r\n\t" or b >= 0x80 for b in head)
    return b"\x00" not in head and printable > 0.95 * len(head)


def _read_csv(text: str, spec: TableSpec, ctx: _Context, wanted, info) -> _Table | None:
    separator = spec.separator if spec.separator != "auto" else _detect_separator(text)
    info["separator"] = separator
    records = _csv_records(text, separator)
    if spec.header_row == "auto":
        header_line = _find_header_line(records, wanted)
    else:
        header_line = spec.header_row
    index = next((i for i, (line, _) in enumerate(records) if line == header_line), None)
    if index is None:
        last = records[-1][0] if records else 0
        code = "header_row_missing" if header_line > last else "header_row_inside_cell"
        ctx.problem(spec, None, None, None, ERROR, code, n=last, row=header_line)
        return None
    if _wrong_separator(records[index][1], separator, spec, ctx, wanted, header_line):
        return None
    body = records[index + 1 :]
    return _make_table(
        spec, None, header_line, records[index][1], [r for _, r in body], [n for n, _ in body]
    )


def _wrong_separator(header: list[str], separator: str, spec: TableSpec, ctx: _Context,
                     wanted: list[str], line: int) -> bool:
    """Report (and return True) when another separator finds more of the expected headers.

    Cut with the wrong separator, the header is one or two long cells and every column of the
    config would be listed as missing: the cause is said instead.
    """
    keys = {label_key(w) for w in wanted}
    found = sum(1 for c in header if c and label_key(c) in keys)
    if found * 2 >= len(keys):
        return False
    joined = separator.join(c or "" for c in header)
    best, best_found = None, found
    for candidate in _SEPARATOR_CANDIDATES:
        cells = next(csv.reader([joined], delimiter=candidate), [])
        score = sum(1 for c in cells if c and label_key(c.strip()) in keys)
        if candidate != separator and score > best_found:
            best, best_found = candidate, score
    if best is None:
        return False
    names = {"\t": "tab", ";": ";", ",": ",", "|": "|"}
    configured = spec.separator != "auto"
    ctx.problem(spec, line, None, None, ERROR, "wrong_separator", used=names[separator],
                better=names[best], found=best_found, total=len(keys),
                how=tr("separator_set" if configured else "separator_auto", ctx.language,
                       better=names[best]))
    return True


def _csv_records(text: str, separator: str) -> list[tuple[int, list[str]]]:
    """Records with the line (as a text editor numbers it) where each starts.

    ``StringIO(newline="")`` splits lines on LF, CRLF and lone CR (old Mac files) alike, and the
    csv module's ``line_num`` counts the physical lines a quoted multi-line cell spans.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 26))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    out = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return out
        out.append((start, row))


def _detect_separator(text: str) -> str:
    """The candidate that splits the first records into the most regular number of fields."""
    sample = text[:65536]
    best, best_score = ",", (0, 0.0)
    for candidate in _SEPARATOR_CANDIDATES:
        widths = [
            len(r) for _, r in _csv_records(sample, candidate)[:50] if any(c.strip() for c in r)
        ]
        if not widths:
            continue
        mode, count = Counter(widths).most_common(1)[0]
        score = (1 if mode > 1 else 0, count / len(widths) * mode if mode > 1 else 0.0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _find_header_line(records, wanted: list[str]) -> int:
    rows = [(line, [cell_text(c) for c in row]) for line, row in records[:_HEADER_SEARCH_ROWS]]
    return _best_header([r for _, r in rows], wanted, [line for line, _ in rows])


def _find_header_row(grid: list[list], spec: TableSpec, wanted: list[str]) -> int:
    if spec.header_row != "auto":
        return spec.header_row
    return _best_header(grid, wanted, list(range(1, len(grid) + 1)))


def _best_header(rows: list[list], wanted: list[str], numbers: list[int]) -> int:
    """Row holding the most expected headers (the first such row); the first row if none."""
    keys = {label_key(w) for w in wanted}
    scores = [sum(1 for c in row if c and label_key(c) in keys) for row in rows]
    if not scores or max(scores) == 0:
        return numbers[0] if numbers else 1
    return numbers[scores.index(max(scores))]


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
# Per-question shape: one table per question, one row per contribution, no respondent key
# ----------------------------------------------------------------------------------------------


def _read_per_question(ctx: _Context):
    """Each non-empty answer is its own record, ``<question id>-<row>`` (row as the analyst
    sees it in the file): nothing links two answers to one person."""
    ids, rows, inputs = [], [], []
    for i, question in enumerate(ctx.survey.questions):
        table, info = _read_table(question.table, ctx, [question.column])
        inputs.append(info)
        if table is None:
            continue
        columns = _locate(table, [(f"questions[{i}].column", question.column)], ctx)
        if question.column not in columns:
            continue
        index = columns[question.column]
        for row_number, row in zip(table.rows, table.cells, strict=True):
            text = answer_text(row[index])
            if is_missing(text, ctx.missing):
                _empty_answer(table, row_number, question, text, ctx)
                continue
            rid = f"{question.id}-{row_number}"
            ids.append(rid)
            rows.append((rid, question.id, text))
    return _records_frame(ctx.survey, ids, {}), _answers_frame(rows), tuple(inputs)


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


def raw_headers(project) -> list[str] | None:
    """Headers of a wave's raw table as read by the ingestion (None if it cannot be read)."""
    try:
        survey = project.survey
        spec = survey.table if survey.shape == "wide" else survey.respondents
        wanted = (_wide_headers(survey) if survey.shape == "wide"
                  else _respondent_headers(survey))
        ctx = _Context(survey, ValidationReport(), "fr", survey.missing_keys)
        table, _ = _read_table(spec, ctx, wanted)
        return [str(h) for h in table.headers if h is not None and str(h).strip()] if table else None
    except Exception:  # noqa: BLE001 - the raw headers only add detail to the drift report
        return None
