"""The toolkit's person recogniser is trusted further than a general model: a common word it
reads as a person inside a sentence ("demander à Pervenche") and a lower-case name it reads as
one ("un texto à souleymanata") are persons; the same words at the start of a sentence, after a
determiner, or a lower-case word typed with a slip stay as they are.

The pipeline is the one a run builds (``nlp`` fixture, the default settings). Every name is
written for these tests and is on none of the package's lists.
"""

from __future__ import annotations

import pytest

from dialogue_analysis.anonymise._lexicon import _Lexicon
from tests.anonymise.test_person_cues import persons, pseudonymised


@pytest.mark.parametrize(("text", "names"), [
    ("Il faut demander à Pervenche, c'est elle qui tient la permanence.", ["Pervenche"]),
    ("On y est allés avec Bergamote et sa sœur pour le dossier de retraite.", ["Bergamote"]),
    ("j'ai envoyé un texto à souleymanata pour annuler le rendez-vous.", ["souleymanata"]),
])
def test_a_word_the_recogniser_reads_as_a_person_inside_a_sentence_is_one(nlp, text, names):
    assert persons(text, nlp) == names


@pytest.mark.parametrize("text", [
    "Bonne réponse aux mails de la CAF.",
    "Le dossier est lié à sa Carte vitale.",
    "Pour exemple Schema directeur du numérique de la région.",
    "Les démarches sont tres penibles et trop longues.",
    "Le site des impots est nul, je transfere tout à la main.",
])
def test_words_at_a_sentence_start_after_a_determiner_or_with_a_slip_stay(nlp, text):
    assert persons(text, nlp) == []
    assert pseudonymised([text], nlp) == [text]


def test_a_lower_case_word_near_a_common_word_is_a_slip(nlp):
    lex = _Lexicon(nlp)
    for slip in ("penibles", "tranfere", "chasue", "transfere"):  # accent, dropped, changed
        assert lex.near(slip), slip
    for name in ("souleymanata", "hamidouba", "zaharietta"):
        assert not lex.near(name), name


@pytest.mark.parametrize("texts", [
    ["Mme Kerbaolic-Tanguyen, à la CAF, a égaré mon dossier.",
     "Après j'ai écrit directement à Kerbaolic-Tanguyen."],
    ["La conseillère, une certaine Aurélise Puylagarde, a raccroché.",
     "J'ai rappelé, et c'est tombé sur Puylagarde encore."],
])
def test_a_name_given_surely_is_replaced_where_a_place_could_stand(nlp, texts):
    # a name found in the record: the surname alone later in the
    # record is the person, even after "à" or "sur"
    out = pseudonymised(texts, nlp)
    assert "Kerbaolic" not in " ".join(out) and "Puylagarde" not in " ".join(out), out
    assert all("[PERSONNE_1]" in t for t in out), out


@pytest.mark.parametrize(("text", "kept"), [
    ("Dans mon téléphone il y a « caf », « médecin » et « tata wendoulina ».", "wendoulina"),
    ("Le gars a écrit « dr mbemba-nzakou » sur l'enveloppe.", "mbemba-nzakou"),
    ("j'ai appelé tonton oumaréké pour qu'il vienne à la préfecture.", "oumaréké"),
])
def test_a_lower_case_name_after_a_familiar_title_is_replaced(nlp, text, kept):
    assert kept not in pseudonymised([text], nlp)[0]


@pytest.mark.parametrize("text", [
    "ma tata est venue avec moi à la CAF.",
    "mon tonton de Lyon m'aide pour internet.",
    "le dr a dit que c'était rien.",
])
def test_a_familiar_title_before_common_words_stays(nlp, text):
    assert pseudonymised([text], nlp) == [text]


@pytest.mark.parametrize(("text", "name"), [
    ("Dans mon téléphone il est enregistré « koundiata plombier », pour les fuites.",
     "koundiata"),
    ("My sister saved the lady's number as 'abenaawa caf' in her phone.", "abenaawa"),
    ("Le texto disait « c'est ok pour mardi, demande ouzoulou à l'accueil ».", "ouzoulou"),
])
def test_a_lower_case_name_quoted_from_a_phone_or_a_message_is_replaced(nlp, text, name):
    assert name not in pseudonymised([text], nlp)[0]


@pytest.mark.parametrize("text", [
    "Accès à un médecin à distance pour la \"bobologie\" ou l'orientation.",
    "Surtout pas de \"hotline\" téléphoniques robotisées.",
    "Dans mon téléphone j'ai noté « caf », « médecin », « taxi du mardi ».",
])
def test_a_word_set_apart_in_quotes_stays(nlp, text):
    assert pseudonymised([text], nlp) == [text]
