"""Deductive coding: the codebook, its matches in the answers, agreement with a gold sample.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_agreement': ['cohen_kappa', 'agreement_table', 'answer_codes', 'reviewer_agreement', 'AGREEMENT_COLUMNS', 'OVERALL'],
    '_codebook': ['Code', 'Family', 'Codebook', 'load_codebook', 'parse_codebook', 'nothing_coded_message'],
    '_decisions': ['decisions_path', 'empty_decisions', 'read_decisions', 'write_decisions', 'submit_answer', 'reviewed_codes', 'apply_decisions', 'code_matrix_from', 'DECISION_COLUMNS', 'DECISIONS', 'ANSWER', 'ORIGINS'],
    '_evaluate': ['gold_sample', 'load_gold', 'evaluate_coding'],
    '_learned': ['embed', 'LearnedLayer', 'cross_validated', 'MIN_REVIEWED', 'MIN_CLASS'],
    '_match': ['Coding', 'code_answers'],
    '_reviewed': ['ReviewedCoding', 'apply_review', 'LEARNED_COMPARISON'],
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
