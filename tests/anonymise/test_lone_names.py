"""A single capitalised word that nothing around it makes a place or a thing of is a name:
mid-sentence, after no article and no preposition of a place, on no list, and read as a name
by the model's vectors (``_lone_names``); the model's place tag on a word its vectors do not
know does not save it.

Every name here is written for these tests and is on none of the package's lists. The
pipeline is the one a run builds (``nlp`` fixture: ``nlp.build_pipeline("anonymise")``).
"""

from __future__ import annotations

import pytest

from tests.anonymise.test_person_cues import TUNED_READS_A_NAME, persons, pseudonymised


@pytest.mark.parametrize(("text", "names"), [
    # after a verb, with no cue the rules read
    ("J'ai vu Brizeuxel hier au marché, il m'a parlé du dossier.", ["Brizeuxel"]),
    ("Pour la CAF j'ai fait la démarche avec Ovandrec au point numérique.", ["Ovandrec"]),
    # set off by a comma, in a list the model reads as places
    ("Elles sont deux à la permanence, Marjolie et Ouardiatou.", ["Marjolie", "Ouardiatou"]),
    # one after another, beside a title
    ("Ma conseillère a changé souvent : Mme Le Bihan, puis Maëlwenn, puis un intérimaire.",
     ["Mme Le Bihan", "Maëlwenn"]),
])
def test_a_lone_name_word_is_a_person(nlp, text, names):
    assert persons(text, nlp) == names


@pytest.mark.parametrize("text", [
    # after a preposition of a place or a thing, or an article
    "La Mission locale de Kervignac m'a rappelé.",
    "Je suis allé à Plouzévédé pour le rendez-vous.",
    "L'épicerie solidaire d'Alès est fermée le lundi.",
    "Le conseiller m'a envoyé sur Leboncoin pour vendre le vélo.",
    "On a reçu un courrier de la Carsat, puis Ameli a rappelé.",
    "Il faut aller au Crous, pas à la Caf.",
    "Mon fils joue à Fortnite toute la nuit.",
    "Elle a une Clio, pas une Twingo.",
    pytest.param("J'ai mis une Perle dans le panier, puis Olive a fermé.",
                 marks=pytest.mark.xfail(strict=True, reason=TUNED_READS_A_NAME)),
    # a time, in English
    "The letter came after Eid, too late.",
    # towns the model has read, set off by a comma; services on the stop list
    "Le mois dernier, Quimper et Brest ont fermé leurs guichets.",
    "Pour le gaz, Engie, pour l'électricité, EDF.",
])
def test_places_services_and_things_stay(nlp, text):
    assert persons(text, nlp) == []


def test_a_lone_name_is_replaced_in_the_whole_record(nlp):
    out = pseudonymised(["Elles sont deux à la permanence, Marjolie et Ouardiatou.",
                         "Marjolie c'est pour la CAF, Ouardiatou pour le reste."], nlp)
    assert "Marjolie" not in " ".join(out) and "Ouardiatou" not in " ".join(out)
    assert out[1].endswith("c'est pour la CAF, [PERSONNE_2] pour le reste.")


@pytest.mark.parametrize("text", [
    # a title word is no name, whatever the model tags it as
    "C'est très bien de responsabiliser Monsieur et Madame tout le monde.",
    # after an elided article, after a number
    "Une personne au RSA vit mieux qu'un Smicard qui travaille.",
    "Il faut revoir les 120 Milliards de niches fiscales.",
])
def test_titles_elided_articles_and_numbers_before_a_word(nlp, text):
    assert persons(text, nlp) == []
