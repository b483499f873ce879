"""Names beside the nouns that name a person (``_person_words``: every kinship, relation and
role noun, in French and English, and English titles of address), names counted as people,
names said to be a relation, lower-case names after a cue, and full names the model reads as a
place while its vectors know none of their words.

Every example is written for these tests (no held-out sentence); the names are on no list of
the package. The pipeline is the one a run builds (``nlp`` fixture:
``nlp.build_pipeline("anonymise")``).
"""

from __future__ import annotations

import re

from dialogue_analysis.anonymise._name_likeness import name_likeness
from dialogue_analysis.anonymise._patterns_fr import _APPOSED_PERSON_RE, _RELATIONS, _TRIGGER_RE
from tests.anonymise.test_person_cues import persons, pseudonymised


def test_the_lexicon_holds_kinship_relations_and_roles_in_both_languages():
    relation = re.compile(rf"(?i:{_RELATIONS})[sx]?")
    for noun in ("belle-sœur", "arrière-grand-mère", "auxiliaire de vie", "aide-soignantes",
                 "plombier", "retraités", "chargée de mission", "agent d’accueil", "gendre"):
        assert relation.fullmatch(noun), noun
    for text in ("my supervisor Tamsyn said", "our landlord Penhaligon called",
                 "her sister-in-law Tamsyn came"):
        assert _TRIGGER_RE.search(text), text
    m = _APPOSED_PERSON_RE.search("il y a Lescurrieux et Azalée, deux retraités qui tiennent")
    assert m and m.group("count").strip() == "deux" and m.group("noun") == "retraités"


def test_names_beside_a_role_noun_or_after_an_english_title(nlp):
    assert persons("Au local il y a Lescurrieux, Djimbéré et Mbombo-Tshilenga, trois retraités "
                   "qui tiennent la permanence.", nlp) == [
        "Lescurrieux", "Djimbéré", "Mbombo-Tshilenga"]
    out = pseudonymised(["Then Father Sékouna Penhaligon from the parish found me a bed."],
                        nlp)
    assert "Sékouna" not in out[0] and "Penhaligon" not in out[0], out
    # a role noun beside a service or a day names no one
    assert persons("Lundi, les retraités du club font la permanence.", nlp) == []
    assert persons("The Father of the Nation was on the banknote.", nlp) == []


def test_names_counted_as_people_even_when_they_are_words(nlp):
    assert persons("Notez : Clématite, Azalée et Jonquille. C'est les trois dames du "
                   "vestiaire.", nlp) == ["Clématite", "Azalée", "Jonquille"]
    # a count that does not match the list, or no count: the names are checked as guesses
    assert persons("Lundi, Mardi et Jeudi, les bénévoles sont là.", nlp) == []
    assert persons("Lyon, Paris et Lille, trois villes où il y a des permanences.", nlp) == []


def test_a_name_said_to_be_a_relation_or_a_role(nlp):
    out = pseudonymised(["Bon, Lescurrieux, c'est mon éducateur. Avec Lescurrieux on a fait "
                         "le dossier."], nlp)
    assert "Lescurrieux" not in out[0], out
    assert persons("Mélisse, c'est la grande sœur, elle gère tout.", nlp) == ["Mélisse"]
    assert persons("Bon, c'est mon éducateur qui décide.", nlp) == []
    assert persons("Lundi, c'est ma voisine qui vient.", nlp) == []


def test_a_kinship_noun_in_apposition_names_a_person_not_a_place(nlp):
    assert persons("Je demande toujours à Sékouna, le fils de la voisine.", nlp) == [
        "Sékouna"]
    assert persons("À Naples, le père de mon mari avait un restaurant.", nlp) == []
    assert persons("À Kinshasa, mes parents vivent encore.", nlp) == []


def test_lower_case_names_after_a_cue(nlp):
    out = pseudonymised(["ma mère s'appelle sékouna djimbéré, elle sait pas écrire son nom",
                         "c'est m. dos penhaligon qui nous loue l'appartement",
                         "je suis tombée sur un certain lescurrieux, il m'a raccroché au nez"],
                        nlp)
    for text, name in zip(out, ("djimbéré", "penhaligon", "lescurrieux"), strict=True):
        assert name not in text, out
    assert "sékouna" not in out[0] and " dos " not in out[1], out
    # common words after the same cues stay
    assert persons("il faut un certain temps pour avoir le rendez-vous", nlp) == []
    assert persons("la dame s'appelle comment déjà, je sais plus", nlp) == []


def test_the_vectors_tell_a_rare_full_name_from_a_town_they_have_read(nlp):
    # the model's place or organisation tag on a capitalised sequence is overruled only when
    # its vectors know none of the words as written (a compound name is one word)
    likeness = name_likeness(nlp)
    assert likeness.unread(["Ermelinde", "Ilunga-Mbayo"])
    assert not likeness.unread(["Villeneuve", "Loubet"])
    assert not likeness.unread(["Ermelinde", "Marseille"])
    assert not name_likeness(None).unread(["Ermelinde"])  # no vectors: the lists decide
    out = pseudonymised(["Écrivez que c'est grâce à elle. Ermelinde Ilunga-Mbayo. Elle "
                         "travaille à la Croix-Rouge."], nlp)
    assert "Ilunga-Mbayo" not in out[0], out
    # towns the vectors have read stay, even in two words
    assert persons("On a déménagé à Villeneuve Loubet puis à Pointe Noire.", nlp) == []


def test_names_after_a_count_of_people_and_what_they_do(nlp):
    assert persons("Au foyer il y a deux personnes qui font l'aide numérique, Azalée et "
                   "Lescurrieux, mais il faut venir tôt.", nlp) == ["Azalée", "Lescurrieux"]
    # fewer names than the count, or places after it: no one
    assert persons("Il y a deux conseillères qui viennent de Lyon, Villeurbanne surtout.",
                   nlp) == []
    assert persons("Trois bénévoles tiennent la permanence, lundi et jeudi.", nlp) == []


def test_a_name_before_what_a_helper_does_for_the_speaker(nlp):
    out = pseudonymised(["Djimbéré me garde les enfants le mercredi.",
                         "lescurrieux m'envoie les photos des papiers sur whatsapp"], nlp)
    assert "Djimbéré" not in out[0] and "lescurrieux" not in out[1], out
    # a service or a brand doing the same is no person
    assert persons("La CAF m'envoie des courriers tous les mois.", nlp) == []
    assert persons("Doctolib m'envoie un rappel la veille.", nlp) == []
