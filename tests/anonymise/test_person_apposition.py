"""Names revealed by the sentence around them: a person noun in apposition, a cleft sentence
("c'est elles qui", "c'était X qui"), a name said to be a relation, a count of relations.

Every example is written for these tests (no held-out sentence). The pipeline is the one a run
builds (``nlp`` fixture: ``nlp.build_pipeline("anonymise")``).
"""

from __future__ import annotations

from tests.anonymise.test_person_cues import persons, pseudonymised


def test_names_before_a_person_noun_in_apposition(nlp):
    assert persons("J'ai croisé Vandewalle, le médiateur de la gare, il m'a aidé.", nlp) == [
        "Vandewalle"]
    assert persons("On a vu Tsiory et Mahefa, deux bénévoles du Secours, le lundi.",
                   nlp) == ["Tsiory", "Mahefa"]
    assert persons("Le papier était signé « R. Kerdoncuff-Aubry, assistante sociale ».",
                   nlp) == ["R. Kerdoncuff-Aubry"]
    assert persons("Then Oluwadamilare, a volunteer at the library, fixed my phone.",
                   nlp) == ["Oluwadamilare"]
    # a day, a service or a place before the person noun is no name
    assert persons("Lundi, la conseillère m'a rappelée.", nlp) == []
    assert persons("À Montauban, la dame de l'accueil était gentille.", nlp) == []
    assert persons("Pôle emploi, la conseillère me dit toujours pareil.", nlp) == []


def test_names_in_cleft_sentences(nlp):
    assert persons("Au centre social, Yesmine et Farrah, c'est elles qui font les papiers.",
                   nlp) == ["Yesmine", "Farrah"]
    assert persons("Rahmouna de l'épicerie, c'est elle qui scanne tout.", nlp) == ["Rahmouna"]
    assert persons("Y a Tsilavina et Hasina, deux jeunes du quartier, qui aident.", nlp) == [
        "Tsilavina", "Hasina"]
    assert persons("À la fin c'était Ermengarde qui a tout rempli.", nlp) == ["Ermengarde"]
    assert persons("La dame du CCAS, c'était Gwenola, elle parlait doucement.", nlp) == [
        "Gwenola"]
    assert persons("Sauf que Teodoro c'est mon oncle, pas moi.", nlp) == ["Teodoro"]
    # a service in a cleft sentence is no person
    assert persons("La CAF, c'est elle qui décide.", nlp) == []


def test_names_after_a_count_of_relations(nlp):
    assert persons("My two sons, Bohdan and Taras, go to the school.", nlp) == [
        "Bohdan", "Taras"]
    assert persons("Mes deux fils, Anselme et Gauvain, vont au collège.", nlp) == [
        "Anselme", "Gauvain"]


def test_lower_case_names_set_off_by_commas_and_taken_up_by_a_pronoun(nlp):
    out = pseudonymised(["je vais voir mon pote, wassim belkhodja-terrier, il répare les "
                         "téléphones", "le samedi je passe chez belkhodja-terrier"], nlp)
    assert all("belkhodja" not in t for t in out), out
    # an impersonal "il" takes up no one
    assert persons("pour la carte, franchement, il faut attendre", nlp) == []


def test_a_name_goes_on_over_a_capitalised_particle(nlp):
    out = pseudonymised(["C'est Enora qui m'aide.", "enora Le Quintrec je crois, elle "
                         "connaît tout le monde."], nlp)
    assert "Quintrec" not in out[1], out
    # a service after a name is no part of it
    assert persons("Mon fils Kerian La Poste l'a renvoyé.", nlp) == ["Kerian"]


def test_a_compound_name_in_capitals_whose_part_is_a_word(nlp):
    assert persons("ZOHRA TALEB-MOUTON, NÉE LE 4 MAI : c'est ce qui est écrit sur la "
                   "lettre.", nlp) == ["ZOHRA TALEB-MOUTON"]


def test_names_before_an_english_possessive_in_apposition(nlp):
    assert persons("Oluchukwu, my cousin, said France would be easier.", nlp) == ["Oluchukwu"]
    assert persons("I'm from Accra. Kwabenaa-Ofori, my brother, sends the forms.", nlp) == [
        "Kwabenaa-Ofori"]
    # a day, a place or a benefit before the same words is no name
    assert persons("Monday, my day off, I go to the CAF.", nlp) == []
    assert persons("London, my city, is too expensive now.", nlp) == []
    assert persons("Universal Credit, my main income, stopped in May.", nlp) == []
