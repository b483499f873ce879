"""review

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_sample': ['review_sample', 'DEFAULT_TARGET'],
    '_session': ['ReviewSession'],
    '_server': ['new_token', 'page_html', 'build_app', 'make_server', 'ReviewServer', 'serve', 'LOOPBACK', 'TOKEN_HEADER'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
