"""Deductive coding: the codebook, its matches in the answers, agreement with a gold sample.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_agreement': ['cohen_kappa', 'agreement_table', 'answer_codes', 'reviewer_agreement', 'AGREEMENT_COLUMNS', 'OVERALL'],
    '_codebook': ['Code', 'Family', 'Codebook', 'load_codebook', 'parse_codebook', 'nothing_coded_message'],
    '_decisions': ['decisions_path', 'empty_decisions', 'read_decisions', 'write_decisions', 'submit_answer', 'latest_submissions', 'reviewed_codes', 'apply_decisions', 'code_matrix_from', 'DECISION_COLUMNS', 'DECISIONS', 'ANSWER', 'ORIGINS'],
    '_evaluate': ['gold_sample', 'load_gold', 'evaluate_coding'],
    '_learned': ['code_priors', 'LearnedLayer', 'NeighbourBlend', 'cross_validated', 'combine', 'rule_gain', 'MIN_REVIEWED', 'MIN_CLASS', 'PRIOR_WEIGHT', 'RULES'],
    '_match': ['Coding', 'CodeMatcher', 'code_answers', 'code_block', 'coded_rows', 'block_passages', 'coding_from'],
    '_suggest': ['suggestions_path', 'codebook_suggestions', 'write_suggestions', 'SUGGESTION_COLUMNS', 'PATTERN', 'EXCLUSION'],
    '_reviewed': ['ReviewedCoding', 'apply_review', 'LEARNED_COMPARISON'],
    '_wave_words': ['WaveWords', 'answer_words', 'WORD_COMPONENTS', 'WORD_SCALE'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
