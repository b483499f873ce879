"""Several waves: pooling, comparison, groups carried over, schema drift.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_compare': ['Comparison', 'PooledWaves', 'ReferenceTypology', 'RefitResult', 'analyse_pooled', 'compare_prevalence', 'compare_waves', 'declared_types', 'group_sizes', 'mask_prevalence', 'match_groups', 'match_labels', 'pool_waves', 'refit_and_match', 'reinterview_changes', 'reinterviewed', 'schema_drift', 'summarise_reinterviews', 'two_proportion_test', 'vocabulary_shift', 'wave_name'],
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
