"""The named entities of texts, found on a worker and replayed to the anonymise stage.

The anonymise stage runs its entity recogniser on each distinct text, then everything that
needs the whole wave (a name found in one answer looked for in all the others, placeholders
numbered per record). On a cluster the recogniser, the costly part, runs on the workers
(:func:`entities_of`, the model built once per worker process by the package's own builder);
what it found comes back as character offsets and labels, and :class:`ReplayedNER` hands it to
:func:`~dialogue_analysis.anonymise.anonymise_answers` on the client in place of the model's
output, so that the rest of the stage runs exactly as on one machine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

#: One text's entities as they travel back from a worker: ``((start, end, label), ...)`` and
#: whether the recogniser annotated the text.
Found = tuple[tuple[tuple[int, int, str], ...], bool]


def entities_of(texts: Iterable[str], model: str, batch_size: int = 64) -> list[Found]:
    """The entities the anonymise stage's recogniser finds in each text (run on a worker).

    The pipeline is :func:`~dialogue_analysis.anonymise.load_ner_model`, built once per
    process: a worker builds it at its first partition and keeps it; it never travels. As on
    one machine, a text in which the recogniser's reading could change nothing is not
    read (:func:`~dialogue_analysis.anonymise.recognised_docs`).
    """
    from ..anonymise import recognised_docs

    return [(tuple((e.start_char, e.end_char, e.label_) for e in doc.ents),
             doc.has_annotation("ENT_IOB"))
            for doc in recognised_docs(list(texts), model, batch_size)]


class ReplayedNER:
    """A pipeline whose ``pipe`` replays entities found elsewhere (on the cluster's workers).

    Everything else (word lists, component names, ``select_pipes``) is the real pipeline's,
    so the anonymise stage reads the same lexicon as on one machine. A text whose entities
    were not found beforehand is an error, never a silent miss of the names it holds.
    """

    def __init__(self, nlp: Any, found: dict[str, Found]):
        self._nlp = nlp
        self._found = found

    def pipe(self, texts: Iterable[str], *args, **kwargs) -> Iterator[Any]:
        from ..anonymise import Entities, Entity

        for text in texts:
            try:
                ents, annotated = self._found[text]
            except KeyError:
                raise KeyError("a text reached the anonymise stage that the cluster's "
                               "entity recogniser did not read") from None
            yield Entities(tuple(Entity(*e) for e in ents), annotated)

    def __call__(self, text: str) -> Any:
        return next(self.pipe([text]))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nlp, name)
