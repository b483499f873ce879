"""The analysis of a wave: the tables every report is made from (the Analysis contract).

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_findings': ['prevalence', 'contrasts', 'select_findings', 'evidence_quotes', 'priority_table'],
    '_run': ['StageTimer', 'analyse_tables', 'run_analysis'],
    '_store': ['analysis_dir', 'save_analysis', 'read_analysis_dir', 'save_manifest', 'load_analysis'],
    '_tables': ['Analysis', 'code_labels', 'family_codes', 'ANALYSIS_DIR', 'MANIFEST', 'DIMENSIONS', 'FAMILY_ALIASES'],
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
