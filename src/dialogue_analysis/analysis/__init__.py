"""The analysis of a wave: the tables every report is made from (the Analysis contract).

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_findings': ['prevalence', 'contrasts', 'select_findings', 'evidence_quotes', 'priority_table'],
    '_kept': ['stage_key', 'analysis_key', 'coding_key', 'Published', 'published_analysis', 'kept_analysis', 'KEPT_STAGES', 'OWN_TABLES', 'CODING_TABLES', 'INPUTS'],
    '_run': ['analyse_tables', 'run_analysis'],
    '_stream': ['parse_and_code', 'adding_time', 'StreamedStages', 'BLOCK_ANSWERS', 'TOKEN_TABLES'],
    '_store': ['analysis_dir', 'save_analysis', 'read_analysis_dir', 'save_manifest', 'load_analysis', 'AnalysisReplaced'],
    '_tables': ['Analysis', 'code_labels', 'family_codes', 'ANALYSIS_DIR', 'MANIFEST', 'DIMENSIONS', 'FAMILY_ALIASES'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
