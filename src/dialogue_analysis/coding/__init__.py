"""Deductive coding: the codebook, its matches in the answers, agreement with a gold sample.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_codebook': ['Code', 'Family', 'Codebook', 'Coding', 'load_codebook', 'parse_codebook', 'code_answers', 'load_gold', 'gold_sample', 'evaluate_coding', 'nothing_coded_message'],
    '_decisions': ['DECISION_COLUMNS', 'ORIGINS', 'decisions_path', 'read_decisions', 'write_decisions', 'submit_answer', 'reviewed_codes'],
    '_agreement': ['agreement_table', 'answer_codes', 'cohen_kappa', 'reviewer_agreement'],
    '_reviewed': ['ReviewedCoding', 'apply_review', 'LEARNED_COMPARISON'],
    '_learned': ['MIN_REVIEWED', 'MIN_CLASS', 'LearnedLayer', 'cross_validated', 'embed'],
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
