"""Analyst review of the coding: the review sample and the local review page.

Public names are loaded on first use, so importing one module of this package does not
import the others (the web server stays unloaded until ``dialogue-analysis review`` runs).
"""

from importlib import import_module

_EXPORTS = {
    '_sample': ['DEFAULT_TARGET', 'review_sample'],
    '_server': ['LOOPBACK', 'ReviewSession', 'build_app', 'make_server', 'new_token', 'page_html', 'serve'],
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
