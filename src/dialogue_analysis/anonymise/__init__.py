"""Pseudonymisation: identifiers found and replaced by stable placeholders before any analysis.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_anonymise': ['detect_identifiers', 'anonymise_text', 'anonymise_answers', 'write_mapping', 'preload', 'recognised_docs'],
    '_cache': [],
    '_checks': [],
    '_cues': ['cue_persons', 'extend_names', 'case_insensitive_names'],
    '_detect': [],
    '_lexicon': ['load_stopnames', 'load_ner_model'],
    '_patterns_fr': [],
    '_placeholders': [],
    '_types': ['Identifier', 'AnonymisedAnswers', 'KINDS', 'PLACEHOLDER_LABELS', 'ANSWER_COLUMNS', 'MAPPING_COLUMNS', 'SPAN_COLUMNS', 'DEFAULT_MODEL', 'Entity', 'Entities'],
    '_words_store': [],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
