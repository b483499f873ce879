"""French NLP: the spaCy pipelines, parsing cached by text hash, terms and negation.

Public names are loaded on first use, so importing one module of this package does not
import the others (spaCy, scikit-learn, matplotlib stay unloaded until a stage needs them).
"""

from importlib import import_module

_EXPORTS = {
    '_cache': ['text_key'],
    '_model': ['DEFAULT_MODEL', 'ModelNotInstalledError', 'PURPOSES', 'build_pipeline', 'load_nlp'],
    '_negation_fr': [],
    '_negation_words_fr': [],
    '_parse': ['ParsedAnswers', 'parse_answers'],
    '_terms': [],
    '_wordlists': ['load_word_list', 'load_stopwords', 'load_multiword_terms'],
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
