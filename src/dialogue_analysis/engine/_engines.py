"""The stage engine of a run: the functions the analysis calls for its heavy stages.

Both engines expose the same entry points, with the signatures of the stages' own:
``anonymise_answers`` (:func:`~dialogue_analysis.anonymise.anonymise_answers`),
``parse_answers`` (:func:`~dialogue_analysis.nlp.parse_answers`), ``cache_parses``
(:func:`~dialogue_analysis.nlp.cache_parses`, or None when each block's parse fills the cache
itself) and ``joblib_backend`` (the backend of the typology's resamples). The local engine
calls the stages as they are; the Dask engine (:class:`~dialogue_analysis.engine.DaskEngine`)
spreads their per-text work over a cluster and gives the same tables.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


class LocalEngine:
    """Every stage in this process (``settings.engine: local``)."""

    name = "local"

    def anonymise_answers(self, answers, **kwargs) -> Any:
        from ..anonymise import anonymise_answers

        return anonymise_answers(answers, **kwargs)

    def parse_answers(self, answers, **kwargs) -> Any:
        from ..nlp import parse_answers

        return parse_answers(answers, **kwargs)

    def cache_parses(self, answers, **kwargs) -> Any:
        """:func:`~dialogue_analysis.nlp.cache_parses`: the texts not in the parse cache parsed
        into it, before the NLP stage reads the answers back a block at a time."""
        from ..nlp import cache_parses

        return cache_parses(answers, **kwargs)

    def joblib_backend(self) -> contextlib.AbstractContextManager:
        """joblib's default backend (the typology's resamples run one after the other)."""
        return contextlib.nullcontext()

    def close(self) -> None:
        pass


@contextlib.contextmanager
def stage_engine(settings) -> Iterator[LocalEngine]:
    """The engine ``settings.engine`` names, closed (its cluster stopped) when the block ends.

    Parameters
    ----------
    settings : Settings or mapping
        The run settings: ``engine``, ``dask_scheduler``, ``dask_workers``.
    """
    get = settings.get if isinstance(settings, dict) else (lambda k, d=None: getattr(settings, k, d))
    if get("engine", "local") == "dask":
        from ._dask import DaskEngine  # dask is imported only when it is chosen

        engine = DaskEngine(scheduler=get("dask_scheduler"), workers=get("dask_workers", "auto"),
                            language=get("language", "fr"))
    else:
        engine = LocalEngine()
    try:
        yield engine
    finally:
        engine.close()
