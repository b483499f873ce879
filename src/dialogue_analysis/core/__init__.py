"""The shared floor: errors, atomic storage, statistics, quotes, disclosure control.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    'errors': ['DialogueAnalysisError', 'DialogueAnalysisWarning', 'ConfigError'],
    'i18n': ['tr', 'Words', 'LANGUAGES'],
    'identifier_patterns': ['iban_valid', 'iban_span', 'nir_key_valid', 'nir_plausible', 'url_is_personal', 'structured_identifiers', 'KINDS', 'EMAIL_RE', 'URL_RE', 'SOCIAL_DOMAINS', 'PERSONAL_URL_PART', 'IBAN_RE', 'NIR_RE', 'PHONE_RE', 'HANDLE_RE'],
    'messages': ['MESSAGES'],
    'privacy': ['PrivacyError', 'small_cells', 'mask_counts', 'mask_wide', 'neutralise_formula', 'neutralise_frame', 'csv_text', 'is_neutral', 'find_identifiers', 'published_texts', 'scan_published', 'assert_clean', 'FORMULA_TRIGGERS', 'MASK_TEXT', 'GEOMETRY_ATTRIBUTES', 'STYLE_BLOCKS', 'MARKUP_SUFFIXES', 'NUMBER', 'DECIMAL', 'WORD', 'HEX', 'TEXT_SUFFIXES', 'ZIP_SUFFIXES', 'GUID'],
    'quotes': ['trim_quote', 'attribution', 'WHO'],
    'report_words': ['TEXT'],
    'stats': ['hypergeom_test_value', 'holm', 'benjamini_hochberg', 'wilson_interval', 'mean_test_value'],
    'storage': ['sha256_file', 'atomic_path', 'write_text', 'write_parquet', 'staged_path', 'unstaged', 'remove_stale', 'staged_dirs', 'staged_dir', 'STAGED_ENV'],
    'text': ['label_key', 'closest', 'norm_apostrophe', 'fold', 'loose'],
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
