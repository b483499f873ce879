"""Where the heavy stages run: on this machine, or on a Dask cluster (``settings.engine``).

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_engines': ['LocalEngine', 'stage_engine'],
    '_dask': ['DaskEngine', 'SchedulerUnreachable'],
    '_replay': ['ReplayedNER', 'entities_of'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
