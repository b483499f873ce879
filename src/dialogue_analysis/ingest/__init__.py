"""Ingestion: the survey config, reading Excel/CSV/JSON, validation, the canonical wave tables.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_cells': [],
    '_config': ['Project', 'load_project'],
    '_csv': [],
    '_parsing': [],
    '_publish': ['ingest_wave', 'FAILURE_CSV', 'FAILURE_MD'],
    '_readers': ['InputFile'],
    '_settings': ['Settings', 'settings_from_mapping'],
    '_summary': ['summary_tables', 'summary_markdown', 'SUMMARY_FILE', 'SUMMARY_FIELDS'],
    '_survey': ['TableSpec', 'Attribute', 'Question', 'Study', 'SurveyConfig', 'SHAPES', 'UNITS', 'ATTRIBUTE_TYPES', 'EXCEL_SUFFIXES', 'TEXT_SUFFIXES', 'DATA_SUFFIXES', 'SEPARATORS', 'DEFAULT_MISSING', 'DEFAULT_DATE_FORMATS', 'RESERVED_NAMES'],
    '_tables': [],
    '_validation': ['Problem', 'ValidationReport', 'table_rows', 'report_from_frame', 'ValidationFailed', 'cell_text', 'answer_text', 'is_missing', 'Issue', 'check_value', 'ERROR', 'WARNING', 'REPORT_COLUMNS', 'ID_VALUE_CODES', 'DISPLAY_COLUMNS'],
    '_wave': ['Wave', 'read_wave', 'write_wave', 'interim_readme', 'write_pseudonymised', 'load_wave', 'build_manifest', 'raw_headers', 'RECORDS_FILE', 'ANSWERS_FILE', 'MANIFEST_FILE', 'REPORT_CSV', 'REPORT_MD', 'INTERIM_README', 'INTERIM_README_TEXT'],
    '_yaml': [],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
