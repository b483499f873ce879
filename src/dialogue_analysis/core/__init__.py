"""The shared floor: errors, atomic storage, statistics, quotes, disclosure control.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    'errors': ['DialogueAnalysisError', 'DialogueAnalysisWarning', 'ConfigError'],
    'identifier_patterns': ['iban_valid', 'iban_span', 'nir_key_valid', 'nir_plausible', 'url_is_personal', 'structured_identifiers'],
    'privacy': ['PrivacyError', 'small_cells', 'mask_counts', 'mask_wide', 'neutralise_formula', 'neutralise_frame', 'csv_text', 'is_neutral', 'find_identifiers', 'published_texts', 'scan_published', 'assert_clean'],
    'quotes': ['trim_quote', 'attribution'],
    'stats': ['hypergeom_test_value', 'holm', 'benjamini_hochberg', 'wilson_interval', 'mean_test_value'],
    'storage': ['sha256_file', 'atomic_path', 'write_text', 'write_parquet', 'staged_path', 'unstaged', 'remove_stale', 'staged_dirs', 'staged_dir'],
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
