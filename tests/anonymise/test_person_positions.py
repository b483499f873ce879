"""Single name words in positions only a person fills, taken when they read as a name by the
model's vectors; the same positions filled by a place, a brand or a service stay as they are.
Propagation of a found name to its other spellings and mentions across the record.

Every name here is written for these tests and is on none of the package's lists. The pipeline
is the one a run builds (``nlp`` fixture: ``nlp.build_pipeline("anonymise")``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from dialogue_analysis.anonymise import anonymise_answers, detect_identifiers
from tests.anonymise.test_person_cues import TUNED_READS_A_NAME


def persons(text: str, nlp) -> list[str]:
    return [f.text for f in detect_identifiers(text, nlp=nlp) if f.kind == "person"]


def pseudonymised(texts: list[str], nlp) -> list[str]:
    df = pd.DataFrame({"record_id": ["r1"] * len(texts),
                       "question_id": [f"q{i}" for i in range(len(texts))], "text": texts})
    return anonymise_answers(df, nlp=nlp).answers["text"].tolist()


@pytest.mark.parametrize(("text", "names"), [
    # a verb of speaking, then "à"
    ("Pour le formulaire j'ai demandé à Ouzhéna, elle connaît.", ["Ouzhéna"]),
    ("Il m'a dit « parlez à Tchoubrak », alors j'y suis allé.", ["Tchoubrak"]),
    # a cleft sentence, in capitals or in lower case
    ("Celle qui m'a le plus aidée, c'est Yselwenn.", ["Yselwenn"]),
    ("ouais c'est kalimbrou qui m'a fait le dossier", ["kalimbrou"]),
    # a name listed, then "qui"
    ("On était trois, moi et Djemarra qui conduisait.", ["Djemarra"]),
    ("Y avait du monde, et Ferzanou qui gardait les petits.", ["Ferzanou"]),
    # a list that holds the speaker
    ("Le soir on se retrouve : Ouskane, Mirvéla, moi et ma sœur.", ["Ouskane", "Mirvéla"]),
    ("Tavrinoé, Kezmiro et moi on a pris le même bus.", ["Tavrinoé", "Kezmiro"]),
])
def test_names_in_person_positions(nlp, text, names):
    found = " ".join(persons(text, nlp))
    for name in names:
        assert name in found, (name, persons(text, nlp))


@pytest.mark.parametrize(("text", "names"), [
    ("At the shelter a volunteer called Oyelakan fixed my phone.", ["Oyelakan"]),
    ("She's called Brennagh and she works at the library.", ["Brennagh"]),
    ("Everyone at the centre calls him Dravusz.", ["Dravusz"]),
    ("There was a guy named Kwabéné who helped with the forms.", ["Kwabéné"]),
])
def test_english_names_after_called_or_named(nlp, text, names):
    found = " ".join(persons(text, nlp))
    for name in names:
        assert name in found, (name, persons(text, nlp))


@pytest.mark.parametrize("text", [
    # the same positions, filled by a town, a shop, a service or a brand
    "Pour la carte grise j'ai demandé à Paris, ils m'ont renvoyé ailleurs.",
    "Le plus pratique, c'est Leboncoin.",
    "Au début c'est Doctolib qui m'a envoyé le rappel.",
    "Pour les courses on va à Lidl, à Auchan, et Carrefour qui livre.",
    "Le week-end on part : moi, Lille, Calais et retour.",
    "c'est pronote qui plante tout le temps",
    "The school secretary said they couldn't help me with the forms.",
    "I asked the bank and they said no.",
    "It's an app called Pronote, the school uses it.",
])
def test_places_brands_and_words_in_those_positions_are_no_person(nlp, text):
    assert persons(text, nlp) == []


def test_a_found_name_is_found_again_without_its_letters_of_another_alphabet(nlp):
    out = pseudonymised(["Je m'appelle Dağhanur, mais sur la lettre de la CAF c'est écrit "
                         "Daghanur."], nlp)[0]
    assert "Dağhanur" not in out and "Daghanur" not in out, out


def test_a_name_word_found_by_propagation_is_itself_propagated(nlp):
    # "madame Vonthéa" finds "Srey Vonthéa" by propagation; "Srey" alone, in the first
    # answer, is then found in turn
    out = pseudonymised(["Srey, c'est mon nom de famille, je l'écris toujours en premier.",
                         "Au guichet on m'appelle madame Vonthéa.",
                         "Sur le titre de séjour c'est Srey Vonthéa."], nlp)
    assert not any("Srey" in t or "Vonthéa" in t for t in out), out


@pytest.mark.parametrize(("text", "name"), [
    # a common noun or adjective just before a found name is its first name
    ("Sur le parking, c'est Brume Kovalenkho qui m'a aidé à remplir le dossier.",
     "Brume Kovalenkho"),
    # a common word in capitals after a name in capitals, as on a form
    ("Ma mère s'appelle Ndoumbéké, sur le formulaire c'est NDOUMBÉKÉ CHARITÉ, et rien "
     "d'autre.", "NDOUMBÉKÉ CHARITÉ"),
    # a relation, then how she is called
    ("Ma conseillère s'appelle Yolvénie, elle est gentille.", "Yolvénie"),
    # a civil-status form, a title in capitals
    ("Sur la carte vitale : Lucinda, épouse KERGOZOU.", "KERGOZOU"),
    ("DR VELIKANOVA - c'est ce qui est écrit sur l'ordonnance.", "VELIKANOVA"),
])
def test_name_words_beside_a_name_and_forms(nlp, text, name):
    assert any(name in p for p in persons(text, nlp)), persons(text, nlp)


@pytest.mark.parametrize("text", [
    # a verb or an adverb before a name stays; a thing called something is no person
    "Hier Kovalenkho m'a rappelé pour le rendez-vous.",
    "L'appli s'appelle Pronote, c'est pour l'école.",
    pytest.param("Les bus de la région s'appellent Zoumbalo, c'est écrit dessus.",
                 marks=pytest.mark.xfail(strict=True, reason=TUNED_READS_A_NAME)),
    "Sur le document : NÉE LE 12 MARS, et rien d'autre.",
])
def test_words_beside_names_and_things_called_something_stay(nlp, text):
    found = persons(text, nlp)
    assert not any(w in " ".join(found) for w in ("Hier", "Pronote", "Zoumbalo", "NÉE")), found


@pytest.mark.parametrize("text", [
    # a sound, however the model reads it
    "Pfff. Trois mois d'attente pour un rendez-vous.",
    "Grrr, encore un mot de passe oublié.",
    # a town after a public service of that town
    "La gendarmerie de Ploumanac'h m'a aidé à faire la pré-plainte.",
    "Le commissariat de Kervignac m'a rappelé le lendemain.",
])
def test_sounds_and_towns_of_a_public_service_are_no_person(nlp, text):
    assert persons(text, nlp) == []


def test_a_person_after_a_public_service_is_still_found_with_a_cue(nlp):
    found = persons("À la gendarmerie de Lorient, le gendarme Kerzhadec m'a aidé.", nlp)
    assert any("Kerzhadec" in p for p in found), found
