"""A name found once is replaced where it is written again another way: without its accents,
in ordinary case after capitals on a form, after a place word when a title gave it; not inside
a service's name.

Every example is written for these tests (no held-out sentence). The pipeline is the one a run
builds (``nlp`` fixture: ``nlp.build_pipeline("anonymise")``).
"""

from __future__ import annotations

from tests.anonymise.test_person_cues import pseudonymised


def test_a_found_name_is_replaced_without_its_accents(nlp):
    out = pseudonymised(["Mon fils Éloán m'aide.", "Le soir Eloan regarde les courriers."], nlp)
    assert "Eloan" not in out[1], out
    out = pseudonymised(["M. Kérandraon m'a reçu.", "Ensuite j'ai rappelé Kerandraon au bureau."],
                        nlp)
    assert "Kerandraon" not in out[1], out


def test_a_name_typed_in_capitals_is_replaced_in_ordinary_case(nlp):
    out = pseudonymised(["Sur la convocation : NOM : RAKOTOMALALA-BÉZIERS.",
                         "Et à la CAF ils ont écrit Rakotomalala-Béziers, sans le prénom."], nlp)
    assert "Rakotomalala" not in out[1], out
    # a short word in capitals is not looked for in ordinary case
    out = pseudonymised(["Mon fils DJIBRIL SOW a appelé.", "Le Sow est un fleuve."], nlp)
    assert out[1] == "Le Sow est un fleuve.", out


def test_a_surname_given_after_a_title_stays_a_person_after_a_place_word(nlp):
    out = pseudonymised(["On m'envoie chez M. Ravelojaona, puis on me renvoie vers "
                         "Ravelojaona."], nlp)
    assert "Ravelojaona" not in out[0], out


def test_a_found_name_inside_a_service_name_stays(nlp):
    out = pseudonymised(["M. Connect m'a reçu à l'accueil.",
                         "Emmaüs Connect vend des ordinateurs pas chers."], nlp)
    assert out[1] == "Emmaüs Connect vend des ordinateurs pas chers.", out


def test_a_found_name_is_replaced_without_its_stroked_letters(nlp):
    """"Đạt" is typed "Dat", "Łazarczyk" "Lazarczyk": letters with a stroke have no accent to
    take off, and forms drop them all the same."""
    out = pseudonymised(["Au CCAS j'ai vu M. Đặng Quốc Đạt, très gentil.",
                         "Depuis, Dat ne répond plus et Dang non plus.",
                         "Mon tuteur, Mr Łazarczyk, m'a aidé.",
                         "Lazarczyk connaît bien les papiers."], nlp)
    assert out[1] == "Depuis, [PERSONNE_1] ne répond plus et [PERSONNE_1] non plus."
    assert out[3] == "[PERSONNE_2] connaît bien les papiers."
