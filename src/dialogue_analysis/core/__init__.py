"""The shared floor: errors, atomic storage, statistics, quotes, disclosure control.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from .lazy import public_face

_EXPORTS = {
    'beside': ['Beside', 'beside'],
    'content': ['frame_digest', 'toolkit_hash'],
    'errors': ['DialogueAnalysisError', 'DialogueAnalysisWarning', 'ConfigError'],
    'i18n': ['unit_names', 'tr', 'Words', 'LANGUAGES', 'UNIT_WORDS'],
    'identifier_patterns': ['iban_valid', 'iban_span', 'nir_key_valid', 'nir_plausible', 'url_is_personal', 'structured_identifiers', 'KINDS', 'EMAIL_RE', 'URL_RE', 'SOCIAL_DOMAINS', 'PERSONAL_URL_PART', 'IBAN_RE', 'NIR_RE', 'PHONE_RE', 'HANDLE_RE'],
    'meanwhile': ['work_meanwhile', 'do_meanwhile'],
    'kept': ['content_key', 'read_kept', 'keep', 'KEEP', 'LIBRARIES'],
    'messages': ['MESSAGES'],
    'privacy': ['PrivacyError', 'small_cells', 'mask_counts', 'mask_wide', 'neutralise_formula', 'neutralise_frame', 'csv_text', 'is_neutral', 'find_identifiers', 'published_texts', 'scan_published', 'assert_clean', 'FORMULA_TRIGGERS', 'MASK_TEXT', 'GEOMETRY_ATTRIBUTES', 'STYLE_BLOCKS', 'MARKUP_SUFFIXES', 'NUMBER', 'DECIMAL', 'WORD', 'HEX', 'TEXT_SUFFIXES', 'ZIP_SUFFIXES', 'GUID', 'CHUNK', 'KIND_ORDER', 'CONTEXT'],
    'quotes': ['trim_quote', 'attribution', 'WHO'],
    'report_words': ['TEXT'],
    'sampling': ['key_fraction', 'fit_rows', 'FIT_SAMPLE', 'BLOCK'],
    'stats': ['hypergeom_test_value', 'holm', 'benjamini_hochberg', 'wilson_interval', 'mean_test_value'],
    'storage': ['sha256_file', 'link_or_copy', 'write_text_or_keep', 'atomic_path', 'write_text', 'write_parquet', 'staged_path', 'unstaged', 'remove_stale', 'staged_dirs', 'staged_dir', 'STAGED_ENV'],
    'usage': ['StageTimer', 'cpu_seconds', 'give_back_freed_memory', 'peak_rss_mb', 'since_start'],
    'text': ['label_key', 'closest', 'norm_apostrophe', 'fold', 'loose'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
