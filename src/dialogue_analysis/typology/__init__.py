"""Typology: features, clustering and the choice of k, group descriptions, maps, cross tables.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_clustering': ['choose_k', 'number_by_size', 'variable_columns', 'permute_variables'],
    '_crosstabs': ['adjusted_residuals', 'contingency_test', 'Crosstab', 'code_crosstab', 'crosstab'],
    '_describe': ['GroupDescription', 'Characterisation', 'describe_groups'],
    '_features': ['code_family', 'infer_attribute_types', 'split_multi', 'FeatureBuilder', 'attribute_levels', 'encode_attribute', 'ATTRIBUTE_TYPES', 'NOT_ATTRIBUTES', 'MULTI_SEPARATOR'],
    '_labels': ['code_label', 'WHO_ATTRIBUTES', 'WHO_RULES', 'WHERE_LEVELS'],
    '_mapping': ['CAResult', 'correspondence_analysis', 'indicator_matrix', 'MCAResult', 'multiple_correspondence_analysis', 'TypologyMap', 'typology_map'],
    '_model': ['Typology', 'seed_agreement', 'FEATURE_PARAMS', 'EVIDENCE_COLUMNS'],
    '_quotes': [],
    '_settings': ['TypologySettingsError', 'check_group_settings', 'typology_attribute_types', 'feature_builder_from_settings', 'typology_from_settings', 'TYPOLOGY_TYPES'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
