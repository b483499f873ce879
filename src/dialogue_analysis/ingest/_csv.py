"""Text files: decoding (BOM, UTF-8, cp1252, UTF-16 without BOM), the separator, the header line.

Also the CSV records themselves (any line endings, quoted multi-line cells).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter

from ..core.i18n import tr
from ..core.text import label_key
from ._cells import _Context, _make_table, _Table
from ._survey import TableSpec
from ._validation import (
    ERROR,
    WARNING,
    cell_text,
)

_SEPARATOR_CANDIDATES = (";", ",", "\t", "|")
_HEADER_SEARCH_ROWS = 30


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

