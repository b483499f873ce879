"""Ingestion: the survey config, reading Excel/CSV/JSON, validation, the canonical wave tables.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_cells': [],
    '_config': ['Project', 'load_project'],
    '_csv': [],
    '_parsing': [],
    '_problem_blocks': ['report_lines', 'group_problems', 'MAX_ROWS_SHOWN', 'MAX_WARNINGS_SHOWN'],
    '_publish': ['ingest_wave', 'FAILURE_CSV', 'FAILURE_MD'],
    '_readers': ['InputFile'],
    '_settings': ['Settings', 'settings_from_mapping'],
    '_summary': ['summary_tables', 'summary_markdown', 'SUMMARY_FILE', 'SUMMARY_FIELDS'],
    '_survey': ['TableSpec', 'Attribute', 'Question', 'Study', 'SurveyConfig', 'SHAPES', 'UNITS', 'ATTRIBUTE_TYPES', 'EXCEL_SUFFIXES', 'TEXT_SUFFIXES', 'DATA_SUFFIXES', 'SEPARATORS', 'DEFAULT_MISSING', 'DEFAULT_DATE_FORMATS', 'RESERVED_NAMES'],
    '_tables': [],
    '_validation': ['Problem', 'ValidationReport', 'table_rows', 'report_from_frame', 'ValidationFailed', 'cell_text', 'answer_text', 'is_missing', 'Issue', 'check_value', 'ERROR', 'WARNING', 'REPORT_COLUMNS', 'ID_VALUE_CODES', 'DISPLAY_COLUMNS'],
    '_wave': ['Wave', 'read_wave', 'write_wave', 'interim_readme', 'write_pseudonymised', 'load_wave', 'build_manifest', 'raw_headers', 'RECORDS_FILE', 'ANSWERS_FILE', 'MANIFEST_FILE', 'REPORT_CSV', 'REPORT_MD', 'INTERIM_README', 'INTERIM_README_TEXT', 'ANONYMISE_CACHE'],
    '_yaml': [],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
