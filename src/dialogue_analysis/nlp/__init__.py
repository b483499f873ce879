"""French NLP: the spaCy pipelines, parsing cached by text hash, terms and negation.

Public names are loaded on first use (:func:`dialogue_analysis.core.lazy.public_face`).
"""

from ..core.lazy import public_face

_EXPORTS = {
    '_blocks': ['ParseCounts', 'TokenTables', 'cache_parses'],
    '_cache': ['TextCache', 'text_key'],
    '_lemmas': ['LEMMA_COMPONENT', 'LEMMA_TABLE', 'lemma_table_tag', 'lookup_lemma_table'],
    '_embed': ['embed', 'embedding_cache_dir', 'embedding_model_id', 'forget_embeddings', 'DIMENSIONS'],
    '_model': ['DEFAULT_MODEL', 'DEFAULT_NER_MODEL', 'LOOKUP', 'PERSONS', 'ModelNotInstalledError', 'PURPOSES', 'anonymise_model', 'build_pipeline', 'load_nlp', 'model_id', 'parse_model', 'release_models'],
    '_negation_fr': [],
    '_negation_words_fr': [],
    '_parallel': ['MAX_PROCESSES', 'PARALLEL_FROM', 'default_processes', 'map_chunks', 'pipe_docs', 'processes_for'],
    '_parse': ['ParsedAnswers', 'parse_answers'],
    '_terms': [],
    '_wordlists': ['load_word_list', 'load_stopwords', 'load_multiword_terms'],
}

__getattr__, __dir__, __all__ = public_face(__name__, _EXPORTS)
