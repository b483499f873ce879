"""Names revealed by the sentence around them: a person noun in apposition, a cleft sentence
("c'est elles qui", "c'était X qui"), a name said to be a relation, a count of relations.

Every example is written for these tests (no held-out sentence). The pipeline is the one a run
builds (``nlp`` fixture: ``nlp.build_pipeline("anonymise")``).
"""

from __future__ import annotations

from tests.anonymise.test_person_cues import persons


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
    assert persons("I came with my three daughters, Oksana, Yeva and Zoriana.", nlp) == [
        "Oksana", "Yeva", "Zoriana"]
    assert persons("Mes deux fils, Anselme et Gauvain, vont au collège.", nlp) == [
        "Anselme", "Gauvain"]
    assert persons("mon coloc wojciech il a pas de mutuelle", nlp) == ["wojciech"]
