"""The fast pipeline's lemmatizer: the toolkit's French lemma table, then spaCy's lookup table.

spaCy's lookup table (package ``spacy-lookups-data``) has one lemma per form whatever its use and
makes verbs of this field's nouns ("démarches" -> "démarcher", "téléphone" -> "téléphoner").
The toolkit's table (``data/lemmas_fr.tsv``, built by ``tools/build_lemma_table.py`` from the
full pipeline's lemmas on real answers) holds the forms where the full pipeline's usual lemma
differs from the lookup table's. Each table is tried on the token's text, then on its lower case.
The toolkit's lemma is the full pipeline's as it gave it; spaCy's is lower-cased, as the full
pipeline's lemmas are but those of proper nouns, which keep their case: a form found in neither
table keeps its case, unless it opens a sentence.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

__all__ = ["LEMMA_COMPONENT", "LEMMA_TABLE", "lemma_table_tag", "lookup_lemma_table"]

#: The toolkit's French lemma table: ``form<TAB>lemma`` lines, forms lower-cased, sorted.
LEMMA_TABLE = resources.files("dialogue_analysis").joinpath("data", "lemmas_fr.tsv")
LEMMA_COMPONENT = "dialogue_analysis_lemmas"


@functools.lru_cache(maxsize=1)
def _table_bytes() -> bytes:
    return LEMMA_TABLE.read_bytes()


@functools.lru_cache(maxsize=1)
def _toolkit_table() -> dict[str, str]:
    table = {}
    for line in _table_bytes().decode("utf-8").splitlines():
        form, _, lemma = line.partition("\t")
        if form and lemma:
            table[form] = lemma
    return table


def lemma_table_tag() -> str:
    """The first 8 hex digits of the SHA-256 of the toolkit's table, part of the fast
    pipeline's version: parses made with another table are never reused."""
    return hashlib.sha256(_table_bytes()).hexdigest()[:8]


class _LookupTable:
    """spaCy's French lookup table (its keys are string hashes): ``get(form)`` is its lemma of
    ``form``, or None."""

    def __init__(self, table):
        self._table = table

    def get(self, form: str, default=None):
        lemma = self._table.get(form)
        if isinstance(lemma, list | tuple):
            lemma = lemma[0] if lemma else None
        return lemma if isinstance(lemma, str) and lemma else default


@functools.lru_cache(maxsize=1)
def lookup_lemma_table() -> _LookupTable:
    """spaCy's French lookup table (``spacy-lookups-data``): ``.get(form)`` gives its lemma."""
    from spacy.lookups import load_lookups

    return _LookupTable(load_lookups("fr", ["lemma_lookup"]).get_table("lemma_lookup"))


def _lemmatizer():
    """The component: sets each token's lemma from the two tables (module docstring)."""
    toolkit, spacy_table = _toolkit_table(), lookup_lemma_table()
    memo: dict[str, str] = {}

    def lemma_of(text: str) -> str | None:
        low = text.lower()
        lemma = toolkit.get(text) or toolkit.get(low)
        if lemma:
            return lemma  # the full pipeline's own lemma, case included
        lemma = spacy_table.get(text) or spacy_table.get(low)
        return lemma.lower() if lemma else None

    def lemmatize(doc):
        for tok in doc:
            text = tok.text
            lemma = memo.get(text, "")
            if lemma == "":
                lemma = memo[text] = lemma_of(text)
            if lemma is None:
                # in neither table: a capital opening a sentence is lower-cased, as the full
                # pipeline does for all but proper nouns; elsewhere the form keeps its case
                lemma = text.lower() if tok.is_sent_start else text
            tok.lemma_ = lemma
        return doc

    return lemmatize


def register_lemmatizer() -> None:
    """Register the component's factory with spaCy (once per process)."""
    from spacy.language import Language

    if not Language.has_factory(LEMMA_COMPONENT):
        Language.factory(LEMMA_COMPONENT, func=lambda nlp, name: _lemmatizer())
