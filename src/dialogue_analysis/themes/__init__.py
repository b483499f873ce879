"""Inductive themes and the specific vocabulary of groups.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_topics': ['Themes', 'find_themes', 'uncovered_answers', 'KEY', 'FUNCTION_WORDS'],
    '_vocabulary': ['join_terms', 'group_order', 'correct', 'specific_terms', 'COLUMNS'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
