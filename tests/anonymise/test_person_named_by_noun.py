"""A person noun of the lexicons, however long its complement, then "s'appelle X": X is a name.

Examples written for these tests (names on none of the package's lists), through the builder
that ``run`` uses (``nlp`` fixture).
"""

from __future__ import annotations

import pytest

from dialogue_analysis.anonymise import detect_identifiers


def persons(text: str, nlp) -> list[str]:
    return [f.text for f in detect_identifiers(text, nlp=nlp) if f.kind == "person"]


def assert_found(name: str, text: str, nlp) -> None:
    found = persons(text, nlp)
    assert any(name in p for p in found), found


@pytest.mark.parametrize(("text", "name"), [
    ("Mon neveu s'appelle Tescelin, il a neuf ans.", "Tescelin"),
    ("La belle-sœur de mon mari s'appelait Ysoline et elle tenait un café.", "Ysoline"),
    ("L'auxiliaire de vie qui vient le mardi, au troisième, s'appelle Mahaut Quérou.",
     "Mahaut Quérou"),
    ("Le gardien de l'immeuble d'en face s'appelle Odilbert.", "Odilbert"),
])
def test_name_after_person_noun_and_naming_verb(nlp, text, name):
    assert_found(name, text, nlp)


@pytest.mark.parametrize("text", [
    "Mon conseiller dit que la plateforme s'appelle Ma Cible Emploi.",
    "Le site pour le logement social s'appelle Démarches Simplifiées.",
    "Mon fils va à l'école, elle est rue de la Gare.",
    "La conseillère m'a dit que le dispositif s'appelle Contrat Engagement.",
])
def test_no_person_when_a_thing_is_named(nlp, text):
    assert persons(text, nlp) == []


@pytest.mark.parametrize(("text", "name"), [
    ("Le conseiller numérique de la médiathèque, Ewenn Trégarvan, vient le lundi.",
     "Ewenn Trégarvan"),
    ("Une bénévole très patiente de l'association, Ombeline, m'a appris le mail.",
     "Ombeline"),
    ("A volunteer at the food bank, Oluwadamilare, helped me with the form.", "Oluwadamilare"),
])
def test_name_after_an_article_a_person_noun_and_where_they_work(nlp, text, name):
    assert_found(name, text, nlp)


@pytest.mark.parametrize("text", [
    "Le conseiller de la mission locale, Pôle emploi avant, m'a envoyé un lien.",
    "La dame de l'accueil au centre social, Bonjour elle dit jamais.",
    "A guy at the bank, Monday morning, told me to come back.",
])
def test_no_person_when_the_apposed_words_are_no_name(nlp, text):
    assert persons(text, nlp) == []


@pytest.mark.parametrize(("text", "name"), [
    ("J'ai reçu un mail de « ombeline quillivic » pour le rendez-vous.", "ombeline quillivic"),
    ("Le message venait de “tescelin vaudrémont”, je connais pas.", "tescelin vaudrémont"),
    ("mon conseiller c'est ysoline kerhuel, elle tape sans majuscules.", "ysoline kerhuel"),
])
def test_lower_case_name_in_quotes_or_said_to_be_a_person_noun(nlp, text, name):
    assert_found(name, text, nlp)


@pytest.mark.parametrize("text", [
    "Il faut cliquer sur « mot de passe oublié » en bas.",
    "J'ai tapé \"allocations familiales\" dans la recherche.",
    "Le bouton « mon compte » ne marche pas.",
    "ma conseillère c'est une dame très gentille.",
])
def test_no_person_in_quoted_common_words(nlp, text):
    assert persons(text, nlp) == []
