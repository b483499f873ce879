"""Several waves: pooling, comparison, groups carried over, schema drift.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_change': ['two_proportion_test', 'compare_prevalence', 'mask_prevalence', 'vocabulary_shift', 'group_sizes', 'reinterviewed', 'reinterview_changes', 'summarise_reinterviews', 'PREVALENCE_COLUMNS'],
    '_compare': ['Comparison', 'compare_waves'],
    '_drift': ['schema_drift', 'DRIFT_COLUMNS'],
    '_inputs': ['wave_name', 'profile_records', 'HELPER_COLUMNS'],
    '_pool': ['PooledWaves', 'pool_waves', 'analyse_pooled', 'ID_SEPARATOR'],
    '_reference': ['ReferenceTypology', 'match_groups', 'match_labels', 'RefitResult', 'refit_and_match'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
