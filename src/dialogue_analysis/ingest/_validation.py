"""Validation report of an ingestion: every problem found, at once, located as the analyst sees it.

A problem names the file, the sheet, the row number (the Excel row number, or the line number a
text editor shows for a CSV file), the column header, the value, its severity and a message in
French or English. Errors stop the ingestion (:class:`ValidationFailed`); warnings are reported
and the ingestion goes on.

The messages are in :mod:`dialogue_analysis.core.messages`; labels are matched whatever their case,
accents or spacing by :func:`dialogue_analysis.core.text.label_key`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core.errors import DialogueAnalysisError
from ..core.i18n import tr
from ..core.text import closest, label_key

if TYPE_CHECKING:
    from ._survey import Attribute

ERROR = "error"
WARNING = "warning"






@dataclass(frozen=True)
class Problem:
    """One row of the validation report.

    ``row`` is the number the analyst sees: the Excel row number, or for a CSV or JSON file the
    line number shown by a text editor (where the record starts). ``None`` for a file-level problem.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    severity: str
    code: str
    message: str
    # The message's parameters, kept to write it again without the cell's content (redacted()).
    params: dict | None = field(default=None, compare=False, repr=False)


REPORT_COLUMNS = tuple(f.name for f in fields(Problem) if f.name != "params")
# Problems whose value is an interview id, a respondent key or a question id: ids are published
# with the quotes anyway. The value of any other problem is a cell of the interviews file (an
# answer, a note, a category typed by hand) and may hold a name, a phone number, an e-mail...
ID_VALUE_CODES = frozenset({"missing_id", "duplicate_id", "duplicate_respondent", "no_respondent",
                            "duplicate_answer", "unknown_question"})
_CELL_PARAMS = ("value", "formula", "got")


class ValidationReport:
    """All the problems found while reading a wave, in the order of the files and rows."""

    def __init__(self, problems: Iterable[Problem] = (), language: str = "fr"):
        self.language = language
        self._problems: list[Problem] = list(problems)
        self._files: list[str] = []

    def register_file(self, file: str) -> None:
        """Note a file as read, so that its problems are listed in reading order."""
        if str(file) not in self._files:
            self._files.append(str(file))

    def add(self, file, sheet, row, column, value, severity, code, message,
            params: dict | None = None) -> Problem:
        """Record a problem; ``value`` is shown as text (truncated in the readable report only).

        ``params`` are the parameters the message was written with (see :meth:`redacted`).
        """
        text = None if value is None else str(value)
        problem = Problem(str(file), sheet, row, column, text, severity, code, message, params)
        self._problems.append(problem)
        return problem

    def redacted(self) -> ValidationReport:
        """The same problems without the contents of the file's cells, for files under reports/.

        A value that is not an id (:data:`ID_VALUE_CODES`) is replaced by a marker, in the
        ``value`` column and in the message (a category typed with a person's name, a formula,
        an unreadable date may all hold identifiers). File, sheet, row and column still locate
        the cell; the terminal shows the full report.
        """
        marker = tr("value_withheld", self.language)
        out = ValidationReport(language=self.language)
        out._files = list(self._files)
        for p in self._problems:
            if p.value is None or p.code in ID_VALUE_CODES:
                out._problems.append(p)
                continue
            if p.params is not None:
                params = {k: marker if k in _CELL_PARAMS else v for k, v in p.params.items()}
                message = tr(p.code, self.language, **params)
            else:
                message = p.message.replace(p.value, marker) if p.value else p.message
            out._problems.append(replace(p, value=marker, message=message))
        return out

    @property
    def problems(self) -> list[Problem]:
        """Problems sorted by file (in order of reading), then row; file-level problems first."""
        files = dict.fromkeys(self._files + [p.file for p in self._problems])
        order = {f: i for i, f in enumerate(files)}
        return sorted(self._problems, key=lambda p: (order[p.file], p.row or 0))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self._problems)

    def __len__(self) -> int:
        return len(self._problems)

    def __iter__(self):
        return iter(self.problems)

    def to_frame(self) -> pd.DataFrame:
        """The report as a DataFrame (one row per problem, columns of :class:`Problem`)."""
        rows = [{k: getattr(p, k) for k in REPORT_COLUMNS} for p in self.problems]
        frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def counts_text(self) -> str:
        """E.g. ``"2 erreur(s), 1 avertissement(s)"``."""
        return tr(
            "report_counts", self.language, errors=len(self.errors), warnings=len(self.warnings)
        )

    def to_csv_text(self) -> str:
        """CSV for Excel: UTF-8 with BOM and ``;`` so that a French Excel opens it directly."""
        from ..core.privacy import csv_text

        return "\ufeff" + csv_text(self.to_frame(), index=False, sep=";", lineterminator="\r\n")

    def to_markdown(self, limit: int | None = None, more_path: str | None = None) -> str:
        """Readable report: a title, the counts, then a table of the problems (errors first)."""
        lang = self.language
        lines = [f"# {tr('report_title', lang)}", "", self.counts_text(), ""]
        rows = table_rows(self.errors + self.warnings, lang)
        if not rows:
            lines.append(tr("report_none", lang))
            return "\n".join(lines) + "\n"
        header = [tr(f"col_{c}", lang) for c in DISPLAY_COLUMNS]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        shown = rows if limit is None else rows[:limit]
        for row in shown:
            lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        if len(shown) < len(rows):
            lines += [
                "",
                tr("report_more", lang, n=len(rows) - len(shown), path=more_path or "CSV"),
            ]
        return "\n".join(lines) + "\n"


DISPLAY_COLUMNS = ("file", "sheet", "row", "column", "value", "severity", "message")


def table_rows(
    problems: Sequence[Problem], language: str = "fr", width: int = 60
) -> list[list[str]]:
    """Problems as lists of display strings (value shortened to ``width`` characters)."""
    out = []
    for p in problems:
        value = "" if p.value is None else " ".join(p.value.split())
        if len(value) > width:
            value = value[: width - 1] + "…"
        severity = tr(f"sev_{p.severity}", language)
        row = "" if p.row is None else str(p.row)
        out.append([p.file, p.sheet or "", row, p.column or "", value, severity, p.message])
    return out


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_from_frame(frame: pd.DataFrame, language: str = "fr") -> ValidationReport:
    """Rebuild a report from :meth:`ValidationReport.to_frame` (e.g. read back from CSV)."""
    report = ValidationReport(language=language)
    for rec in frame.to_dict("records"):
        clean = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        if clean["row"] is not None:
            clean["row"] = int(clean["row"])
        report.add(**{k: clean[k] for k in REPORT_COLUMNS})
    return report


class ValidationFailed(DialogueAnalysisError):
    """The data has errors: ``report`` lists all of them (and the warnings).

    ``report_path`` is set by the pipeline to where it saved the report (else None).
    """

    def __init__(self, report: ValidationReport):
        self.report = report
        self.report_path = None
        super().__init__(tr("validation_failed", report.language, errors=len(report.errors)))


# ----------------------------------------------------------------------------------------------
# Cells: text, missing values, and the check of a value against its attribute's type
# ----------------------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DATE_SHAPE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_LIST_ALLOWED_UP_TO = 12


def cell_text(value) -> str | None:
    """A cell as stripped text (``None`` when empty); numbers without a spurious ``.0``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(t for t in map(cell_text, value) if t) or None
    return str(value)


def answer_text(value) -> str | None:
    """An answer's text: line endings made ``\\n``, ends stripped, inner spacing kept."""
    text = cell_text(value)
    if text is None:
        return None
    # Excel escapes a carriage return inside a cell as _x000D_.
    text = text.replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip() or None


def is_missing(text: str | None, missing: frozenset[str]) -> bool:
    """Whether a cell's text is empty or one of the (folded) missing-value tokens."""
    if text is None:
        return True
    # An answer's text is folded without the memo of labels, which would keep every answer
    return (label_key(text) if len(text) <= _MEMO_LENGTH else label_key.__wrapped__(text)) \
        in missing


# labels and missing-value tokens are this short; answers are longer and seldom repeat
_MEMO_LENGTH = 64


@dataclass(frozen=True)
class Issue:
    """A problem with one value: its code, the value at fault, the message's parameters."""

    code: str
    value: str | None
    params: dict = field(default_factory=dict)


def check_value(
    attr: Attribute, raw, missing: frozenset[str], language: str = "fr"
) -> tuple[Any, list[Issue]]:
    """Canonical value of a raw cell for an attribute, and the issues found.

    Parameters
    ----------
    attr : Attribute
        The declared attribute (type, allowed values and synonyms, formats, bounds).
    raw : object
        The cell as read: text, number, date, None, or a list (JSON multi-select).
    missing : frozenset of str
        Folded missing-value tokens.
    language : {"fr", "en"}
        Language of the suggestions in the issues' parameters.

    Returns
    -------
    value : object or None
        Canonical value (None when missing or in error).
    issues : list of Issue
    """
    text = cell_text(raw)
    if is_missing(text, missing) and not isinstance(raw, list):
        issues = [Issue("required_missing", text, {"field": attr.name})] if attr.required else []
        return None, issues
    return _CHECKS[attr.type](attr, raw, text, missing, language)


def _check_label(attr, raw, text, missing, language):
    value = attr.canonical(text)
    return value, ([] if value is not None else [_not_allowed(attr, text, language)])


def _check_multi(attr, raw, text, missing, language):
    items = raw if isinstance(raw, list) else text.split(attr.separator)
    found, issues = set(), []
    for item in map(cell_text, items):
        if not item or label_key(item) in missing:
            continue
        value = attr.canonical(item)
        if value is None:
            issues.append(_not_allowed(attr, item, language))
        else:
            found.add(value)
    return "|".join(v for v in attr.values if v in found), issues


def _not_allowed(attr, text: str, language: str) -> Issue:
    label = closest(text, attr.labels)
    if label is not None:
        hint = tr("did_you_mean", language, suggestion=attr.canonical(label))
    elif len(attr.values) <= _LIST_ALLOWED_UP_TO:
        hint = tr("allowed_list", language, allowed=", ".join(attr.values))
    else:
        hint = ""
    return Issue("value_not_allowed", text, {"value": text, "field": attr.name, "hint": hint})


def _check_date(attr, raw, text, missing, language):
    value = None
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        value = (_EXCEL_EPOCH + dt.timedelta(days=int(raw))).date()  # an Excel serial number
    else:
        for fmt in attr.formats:
            try:
                value = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
    if value is None:
        code = "impossible_date" if _looks_like_date(text) else "bad_date"
        return None, [Issue(code, text, {"field": attr.name, "formats": ", ".join(attr.formats)})]
    return _check_range(attr, value, text)


def _looks_like_date(text: str) -> bool:
    """Day-month-year (or year-month-day) numbers in range, yet not a real date (31/02)."""
    match = _DATE_SHAPE.match(text)
    if not match:
        return False
    a, b, c = (int(g) for g in match.groups())
    return (1 <= a <= 31 and 1 <= b <= 12) or (a > 999 and 1 <= b <= 12 and 1 <= c <= 31)


def _check_number(attr, raw, text, missing, language):
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _check_range(attr, float(raw), text)
    try:  # French habits: decimal comma, spaces between thousands
        value = float(re.sub(r"[\s\u202f\u00a0]", "", text).replace(",", "."))
    except ValueError:
        return None, [Issue("not_a_number", text, {"field": attr.name})]
    return _check_range(attr, value, text)


def _check_range(attr, value, text):
    low, high = attr.minimum, attr.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{'' if low is None else low} – {'' if high is None else high}"
        return None, [Issue("out_of_range", text, {"field": attr.name, "bounds": bounds})]
    return value, []


def _check_text(attr, raw, text, missing, language):
    return text, []


_CHECKS = {
    "categorical": _check_label,
    "ordinal": _check_label,
    "multi": _check_multi,
    "date": _check_date,
    "numeric": _check_number,
    "text": _check_text,
}
