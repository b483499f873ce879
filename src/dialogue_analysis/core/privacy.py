"""Privacy of everything published under ``reports/``.

Three safeguards, applied by the report and workbook writers and usable on their own:

Small cells
    In any table that crosses attributes (group x territory, group x need, typology group x
    profile...), a count of people from 1 to ``min_cell_count - 1`` could single someone out.
    :func:`small_cells` finds those cells and :func:`mask_counts` blanks them, together with any
    share or statistic computed from them. Zero is kept: "nobody" points at no one.
Spreadsheet formulas
    A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return) is run
    as a formula by Excel and LibreOffice ("CSV/formula injection"). :func:`neutralise_formula`
    prefixes such text with an apostrophe, as OWASP recommends: the cell then shows the text,
    apostrophe included, in every spreadsheet program and in any CSV exported from it.
Identifier scan
    :func:`scan_published` reads every published file (HTML, SVG, XLSX parts, notebooks, CSV,
    JSON, Markdown, text) and reports what the anonymise stage's detectors find (e-mail
    addresses, personal URLs and handles, French and international phone numbers, social
    security numbers (NIR), IBANs of any country: :mod:`~dialogue_analysis.identifier_patterns`),
    plus any string the caller lists (e.g. known names in a test wave).
"""

from __future__ import annotations

import html
import io
import itertools
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DialogueAnalysisError
from .identifier_patterns import structured_identifiers
from .storage import sha256_file
from .zip_members import zip_members

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MASK_TEXT = {"fr": "< {n}", "en": "< {n}"}

# Attributes of SVG and HTML that hold drawing coordinates and styles, never text a reader sees.
# Their runs of digits ("M 100.00524 224.759096") look like phone numbers to the detectors.
GEOMETRY_ATTRIBUTES = re.compile(
    r"""\s(?:d|points|transform|viewBox|x|y|x1|x2|y1|y2|dx|dy|cx|cy|r|rx|ry|width|height|"""
    r"""style|clip-path|stroke-[a-z]+|font-size|offset)\s*=\s*(?:"[^"]*"|'[^']*')""")
STYLE_BLOCKS = re.compile(r"<style\b.*?</style>", re.DOTALL | re.IGNORECASE)  # "@media"...
MARKUP_SUFFIXES = {".html", ".htm", ".svg", ".xml", ".qdc", ".qde"}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
DECIMAL = re.compile(r"\d+[.,]\d+")
WORD = re.compile(r"\w+")
HEX = re.compile(r"(?=[0-9a-f]*[a-f])[0-9a-f]{12,}")
TEXT_SUFFIXES = {".html", ".htm", ".svg", ".ipynb", ".csv", ".json", ".md", ".txt", ".xml"}
ZIP_SUFFIXES = {".xlsx", ".docx", ".pptx", ".qdpx"}
# REFI-QDA identifiers (8-4-4-4-12 hexadecimal): their digit runs would read as phone numbers.
GUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")


class PrivacyError(DialogueAnalysisError):
    """An identifier was found in a file about to be published."""

    def __init__(self, hits: pd.DataFrame):
        self.hits = hits
        lines = [f"{r.file}: {r.kind} ({_redact(r.match)})" for r in hits.itertuples()]
        super().__init__("identifiers found in published files; nothing was published:\n  "
                         + "\n  ".join(lines[:20]))


def _redact(value: str) -> str:
    value = str(value)
    return value[:2] + "…" if len(value) > 2 else "…"


# -- small cells -----------------------------------------------------------------------------


def small_cells(counts, min_count: int = 5):
    """Boolean mask of the counts to hide: ``0 < count < min_count`` (NA counts are not hidden).

    Parameters
    ----------
    counts : DataFrame, Series or array-like
        Counts of people.
    min_count : int
        Smallest count that may be published.
    """
    if isinstance(counts, pd.DataFrame | pd.Series):
        values = counts.apply(pd.to_numeric, errors="coerce") if isinstance(
            counts, pd.DataFrame) else pd.to_numeric(counts, errors="coerce")
        return ((values > 0) & (values < min_count)).fillna(False).astype(bool)
    arr = np.asarray(counts, dtype=float)
    with np.errstate(invalid="ignore"):
        return (arr > 0) & (arr < min_count)


def mask_counts(table: pd.DataFrame, count: str = "count", *, min_count: int = 5,
                also: Iterable[str] = (), flag: str = "masked", hide=None) -> pd.DataFrame:
    """Blank small counts of a tidy table, and the columns computed from them.

    Parameters
    ----------
    table : DataFrame
        One row per cell of a cross table, with a column of counts of people.
    count : str
        Name of that column.
    min_count : int
        Counts from 1 to ``min_count - 1`` are set to NA.
    also : iterable of str
        Columns derived from the count (share, residual, test value...) blanked on the same rows.
    flag : str
        Name of a boolean column added to say which rows were masked.
    hide : boolean array-like, optional
        The rows to mask, when decided elsewhere (complementary suppression,
        :func:`~dialogue_analysis.disclosure.wave_suppression`); small counts by default.

    Returns
    -------
    DataFrame
        A copy; the count column becomes a nullable ``Int64``.
    """
    out = table.copy()
    hide = small_cells(out[count], min_count).to_numpy() if hide is None else np.asarray(
        hide, dtype=bool)
    out[count] = pd.array(pd.to_numeric(out[count], errors="coerce"), dtype="Float64").round()
    out[count] = out[count].astype("Int64").mask(hide)
    for col in also:
        if col in out:
            out[col] = out[col].astype("Float64" if pd.api.types.is_numeric_dtype(out[col])
                                       else out[col].dtype).mask(hide)
    out[flag] = hide
    return out


def mask_wide(counts: pd.DataFrame, *, min_count: int = 5, others: Iterable[pd.DataFrame] = ()):
    """Mask a wide cross table of counts and any same-shaped tables derived from it.

    Returns the masked counts (``Int64``), the masked derived tables (``Float64``) and the mask.
    """
    hide = small_cells(counts, min_count)
    masked = counts.apply(lambda s: pd.array(s.round(), dtype="Float64").astype("Int64")).mask(hide)
    derived = [o.reindex_like(counts).astype("Float64").mask(hide) for o in others]
    return masked, derived, hide


# -- spreadsheet formulas --------------------------------------------------------------------


def neutralise_formula(value):
    """Text that a spreadsheet would run as a formula, made inert by a leading apostrophe.

    Non-text values are returned unchanged.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("- oui, souvent")
    "'- oui, souvent"
    >>> neutralise_formula(-3)
    -3
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as formulas.

    Only text is changed: numbers (negative ones included) stay numbers.
    """
    out = frame.rename(columns=neutralise_formula)
    for j in range(out.shape[1]):
        column = out.iloc[:, j]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out.iloc[:, j] = column.map(neutralise_formula, na_action="ignore")
    return out


def csv_text(frame: pd.DataFrame, **options) -> str:
    """``frame.to_csv(**options)`` with every cell a spreadsheet would evaluate neutralised.

    Every CSV the toolkit writes goes through here (spreadsheets open CSV files too).
    """
    return neutralise_frame(frame).to_csv(**options)


def is_neutral(value) -> bool:
    """True when a value cannot be taken for a formula by a spreadsheet program."""
    return not (isinstance(value, str) and value.startswith(FORMULA_TRIGGERS))


# -- identifier scan -------------------------------------------------------------------------


def _reader_text(markup: str) -> str:
    """Markup as a reader sees its text: without style sheets and drawing coordinates, with
    character references decoded (an XML writer may store a no-break space as ``&#160;``)."""
    return html.unescape(GEOMETRY_ATTRIBUTES.sub(" ", STYLE_BLOCKS.sub(" ", markup)))


def _a_number(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` lies within a decimal number (``0.833333333333333``, a statistic
    written with all its digits) or a hexadecimal hash (``sha256 0698451230ab5f``): the toolkit
    writes both, and no identifier is written as either."""
    window = max(0, start - 80), min(len(text), end + 80)
    return any(m.start() <= start and end <= m.end()
               and (DECIMAL.fullmatch(m.group(0)) or HEX.fullmatch(m.group(0)))
               for pattern in (NUMBER, WORD) for m in pattern.finditer(text, *window))


def find_identifiers(text: str, extra: Iterable[str] = ()) -> list[tuple[str, str]]:
    """``(kind, match)`` of every identifier found in ``text``.

    The detectors are those of the anonymise stage
    (:func:`~dialogue_analysis.identifier_patterns.structured_identifiers`): e-mail, personal
    URL or handle, IBAN of any country, NIR, French and international phone numbers.

    ``extra`` are literal strings searched case-insensitively (kind ``"listed"``).
    """
    hits = [(kind, text[start:end]) for start, end, kind in _located(text)]
    low = text.lower()
    hits += [("listed", s) for s in extra if s and s.lower() in low]
    return hits


def _located(text: str) -> list[tuple[int, int, str]]:
    return [(start, end, kind) for start, end, kind in structured_identifiers(text)
            if not _a_number(text, start, end)]


# The scan reads a file (or a part of an Office file) a piece at a time. Markup is cut only
# after a tag (outside style sheets), so each piece reads as it would in the whole text; hits
# are searched in windows that keep CONTEXT characters on either side of the span they report,
# so an identifier across two pieces is found once, as in the whole text.
CHUNK = 1 << 18  # characters read at a time
KIND_ORDER = {kind: i for i, kind in enumerate(("email", "url", "iban", "nir", "phone"))}
CONTEXT = 1024  # longer than any identifier plus the 80 characters _a_number looks at


def published_texts(path: str | os.PathLike) -> Iterator[tuple[str, str]]:
    """The text a reader could see in a published file: ``(part, text)`` pairs.

    XLSX and other Office files are unzipped and each XML part read; notebooks are read as
    JSON text (sources and outputs); PNG and other binary files yield nothing (every figure is
    also published as SVG, whose text is read).
    """
    for part, pieces in _published_pieces(path):
        yield part, "".join(pieces)


def _published_pieces(path: str | os.PathLike) -> Iterator[tuple[str, Iterator[str]]]:
    """:func:`published_texts` read in pieces of about :data:`CHUNK` characters."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        # member by member: a .qdpx holds one source per answer, too many to list at once
        for member in zip_members(path):
            name = member.name
            if not name.endswith((".xml", ".rels", ".qde", ".txt")):  # .qdpx: project, sources
                continue
            # a plain text part (a .qdpx's sources) is read as a QDA tool shows it, as
            # text; the others as markup
            plain = name.endswith(".txt")
            # a small part is read whole (a .qdpx holds one per answer): a stream costs more
            if member.file_size <= CHUNK:
                text = member.read().decode("utf-8", errors="replace")
                yield f"{path.name}:{name}", (iter((text,)) if plain else _markup_pieces(
                    io.StringIO(text, newline="")))
                continue
            with member.open() as raw, io.TextIOWrapper(
                    raw, encoding="utf-8", errors="replace", newline="") as f:
                yield f"{path.name}:{name}", (iter(lambda f=f: f.read(CHUNK), "") if plain
                                              else _markup_pieces(f))
    elif suffix == ".ipynb":
        raw = path.read_text(encoding="utf-8")
        # Decode JSON escapes so that "\u00e9" and the like are compared as text.
        yield path.name, iter([json.dumps(json.loads(raw), ensure_ascii=False)])
    elif suffix in MARKUP_SUFFIXES | TEXT_SUFFIXES:
        with path.open(encoding="utf-8", errors="replace") as f:
            yield path.name, (_markup_pieces(f) if suffix in MARKUP_SUFFIXES
                              else iter(lambda: f.read(CHUNK), ""))


def _markup_pieces(stream) -> Iterator[str]:
    """Reader text (:func:`_reader_text`) of markup read from ``stream``, a piece at a time."""
    rest = ""
    while block := stream.read(CHUNK):
        text = rest + block
        cut = text.rfind(">") + 1
        opened = max(text.rfind("<style", 0, cut), text.rfind("<STYLE", 0, cut))
        if opened > max(text.rfind("</style", 0, cut), text.rfind("</STYLE", 0, cut)):
            cut = opened  # never inside a style sheet: it is dropped whole
        if cut > 0:
            yield GUID.sub(" ", _reader_text(text[:cut]))
        rest = text[cut:]
    if rest:
        yield GUID.sub(" ", _reader_text(rest))


def _find_in_pieces(pieces: Iterator[str], extra: list[str]) -> list[tuple[str, str]]:
    """:func:`find_identifiers` over the concatenation of ``pieces``, holding about
    :data:`CHUNK` characters at a time; hits in the order of their kind, then of their place."""
    found, listed = [], set()
    text, start, offset = "", 0, 0  # text[:start] is context already scanned; text[0] is at offset
    for piece in itertools.chain(pieces, [None]):
        if piece is not None:
            text += piece
            if len(text) - start < CHUNK + CONTEXT:
                continue
        end = len(text) if piece is None else len(text) - CONTEXT
        found += [(KIND_ORDER.get(kind, len(KIND_ORDER)), offset + s, kind, text[s:e])
                  for s, e, kind in _located(text) if start <= s < end]
        if extra:  # str.lower() of non-ASCII text briefly takes many times its size
            low = text.lower()
            listed |= {s for s in extra if s.lower() in low}
        keep = max(0, end - CONTEXT)
        text, start, offset = text[keep:], end - keep, offset + keep
    return [(kind, match) for _, _, kind, match in sorted(found)] + [
        ("listed", s) for s in extra if s in listed]


def scan_published(directory: str | os.PathLike, identifiers: Iterable[str] = (),
                   scanned: dict[str, str] | None = None) -> pd.DataFrame:
    """Scan every file under ``directory`` for identifiers.

    Each file is read a piece at a time (:data:`CHUNK` characters): a large workbook or
    export is scanned in bounded memory, with the same hits as when read whole.

    Parameters
    ----------
    directory : path
        A published folder (``reports/<wave>``) or a single file.
    identifiers : iterable of str
        Literal strings that must not appear (e.g. the names planted in a test wave).
    scanned : dict, optional
        ``relative path -> SHA-256`` of files already scanned clean (with the same
        ``identifiers``), e.g. kept from the previous publication: such a file is not read
        again when its bytes still have that hash. A file whose bytes differ is always scanned.

    Returns
    -------
    DataFrame
        ``file`` (relative path and part), ``kind``, ``match``; empty when clean.
    """
    directory = Path(directory)
    files = [directory] if directory.is_file() else sorted(
        p for p in directory.rglob("*") if p.is_file())
    extra = [s for s in identifiers if s]
    scanned = scanned or {}
    rows = []
    for f in files:
        rel = f.name if f == directory else f.relative_to(directory).as_posix()
        if rel in scanned and sha256_file(f) == scanned[rel]:
            continue
        for part, pieces in _published_pieces(f):
            where = rel if part == f.name else f"{rel}:{part.split(':', 1)[1]}"
            rows += [{"file": where, "kind": k, "match": m}
                     for k, m in _find_in_pieces(pieces, extra)]
    return pd.DataFrame(rows, columns=["file", "kind", "match"])


def assert_clean(directory: str | os.PathLike, identifiers: Iterable[str] = (),
                 scanned: dict[str, str] | None = None) -> None:
    """Raise :class:`PrivacyError` when :func:`scan_published` finds anything."""
    hits = scan_published(directory, identifiers, scanned)
    if len(hits):
        raise PrivacyError(hits)
