"""Single names after a phrase that introduces a person, which the model tags as a place or a
product ("avec Nkechi et Adaeze" read as two places by ``fr_core_news_md``).

Every name here is on no list of first names; the pipeline is the one a run builds (``nlp``
fixture: ``nlp.build_pipeline("anonymise")`` with the default ``settings.anonymise_model``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from dialogue_analysis.anonymise import anonymise_answers
from dialogue_analysis.anonymise._lexicon import _first_names


def pseudonymised(texts: list[str], nlp) -> list[str]:
    df = pd.DataFrame({"record_id": [f"r{i}" for i in range(len(texts))],
                       "question_id": ["q1"] * len(texts), "text": texts})
    return anonymise_answers(df, nlp=nlp).answers["text"].tolist()


FOUND = [
    ("Nous sommes allés avec Nkechi et Adaeze à la préfecture.",
     "Nous sommes allés avec [PERSONNE_1] et [PERSONNE_2] à la préfecture.", ["Nkechi", "Adaeze"]),
    ("We went with Nkechi and Adaeze to the prefecture, nobody helped us.",
     "We went with [PERSONNE_1] and [PERSONNE_2] to the prefecture, nobody helped us.",
     ["Nkechi", "Adaeze"]),
    ("I called the CAF and spoke to Siobhan, she was kind.",
     "I called the CAF and spoke to [PERSONNE_1], she was kind.", ["Siobhan"]),
]


@pytest.mark.parametrize(("text", "expected", "names"), FOUND)
def test_names_the_model_tags_as_places_or_products(nlp, text, expected, names):
    assert not any(n in _first_names() for n in names)  # found by the rule, not by a list
    tagged = {e.text for e in nlp(text).ents if e.label_ not in {"PER", "PERSON"}}
    assert any(n in t for n in names for t in tagged)  # the model reads them as no person
    assert pseudonymised([text], nlp) == [expected]


@pytest.mark.parametrize("text", [
    "Je suis allée avec Orange et Free pour le téléphone.",
    "I went with Ameli and the CAF to sort it.",
    "J'habite à Marseille depuis deux ans.",
    "J'ai pris rendez-vous avec Pôle emploi la semaine dernière.",
    "On a fait le dossier avec Marseille et la CAF.",
    "I spoke to Ameli, nobody could help.",
    "We called Doctolib and Ameli, then the CAF.",
    "Le formulaire plante avec Thunderbird sur mon ordinateur.",  # a product: MISC
    "Le site refuse de marcher avec Chromium.",
])
def test_services_places_and_brands_after_the_same_phrases_stay(nlp, text):
    assert pseudonymised([text], nlp) == [text]


@pytest.mark.xfail(strict=True, reason="a brand the lists do not know, after 'avec' or 'with', "
                   "which the model reads as a place or inside a span over the whole clause, "
                   "is taken for a person")
@pytest.mark.parametrize("text", [
    "I paid with Revolut because the bank was closed.",
    "J'ai signé le contrat avec Qonto la semaine dernière.",  # the model: a place
])
def test_an_unknown_brand_the_model_misreads_after_with(nlp, text):
    assert pseudonymised([text], nlp) == [text]
