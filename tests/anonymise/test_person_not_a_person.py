"""Capitalised words that French and English writing conventions mark as no person: a
product or scheme named after its common noun, a subject taken up by an impersonal "il", a
French verb cue that English text only looks like, English adjectives, days and languages.

Every example is written for these tests (no held-out sentence). The pipeline is the one a run
builds (``nlp`` fixture: ``nlp.build_pipeline("anonymise")``).
"""

from __future__ import annotations

from tests.anonymise.test_person_cues import persons


def test_a_product_or_scheme_after_its_common_noun_is_no_person(nlp):
    assert persons("Le réseau Kéolia a un tarif réduit pour les chômeurs.", nlp) == []
    assert persons("La plateforme Aidants Solidaires permet de faire les démarches.", nlp) == []
    assert persons("Il me faut un garant Locapass pour le studio.", nlp) == []
    # a person after a relation or a title is still one
    assert persons("Mon conseiller Tangi Kerlann m'a aidé.", nlp) == ["Tangi Kerlann"]


def test_an_impersonal_il_takes_up_no_one(nlp):
    assert persons("Locapass, il faut faire la demande avant de signer.", nlp) == []
    assert persons("Kerlann, il m'a rappelé hier.", nlp) == ["Kerlann"]


def test_english_answers_read_as_english(nlp):
    assert persons("The bank sold me a cheap account with fees.", nlp) == []
    assert persons("Ameli doesn't work without a French social security number.", nlp) == []
    assert persons("At the town hall they only speak French, so it was hard.", nlp) == []
    assert persons("The centre is open on Saturdays and Wednesdays.", nlp) == []
    # a name in English is still found
    assert persons("Then Oyelowo, my caseworker, booked the appointment.", nlp) == ["Oyelowo"]


def test_what_the_model_reads_as_an_organisation_opening_a_sentence_is_no_person(nlp):
    # the capitals rules would take these for names before a verb of a person; the model
    # reads them as an organisation or a product
    text = "Sofinco m'a relancé par courrier."
    labels = {e.text: e.label_ for e in nlp(text).ents}
    assert labels.get("Sofinco") in {"ORG", "MISC"}, labels
    assert persons(text, nlp) == []
    # a name after a relation is found whatever the model says
    assert persons("My uncle Thavarajah helped me with the bank.", nlp) == ["Thavarajah"]
