"""Inductive themes and the specific vocabulary of groups.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_topics': ['Themes', 'find_themes', 'uncovered_answers', 'KEY', 'FUNCTION_WORDS'],
    '_vocabulary': ['join_terms', 'group_order', 'correct', 'specific_terms', 'COLUMNS'],
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
