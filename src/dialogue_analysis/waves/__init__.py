"""Several waves: pooling, comparison, groups carried over, schema drift.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_change': ['two_proportion_test', 'compare_prevalence', 'mask_prevalence', 'vocabulary_shift', 'group_sizes', 'reinterviewed', 'reinterview_changes', 'summarise_reinterviews', 'PREVALENCE_COLUMNS'],
    '_compare': ['Comparison', 'compare_waves'],
    '_drift': ['schema_drift', 'DRIFT_COLUMNS'],
    '_inputs': ['wave_name', 'profile_records', 'HELPER_COLUMNS'],
    '_pool': ['PooledWaves', 'pool_waves', 'analyse_pooled', 'ID_SEPARATOR'],
    '_reference': ['ReferenceTypology', 'match_groups', 'match_labels', 'RefitResult', 'refit_and_match'],
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
