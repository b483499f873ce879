"""Anonymisation: recall on planted identifiers, false persons, stable placeholders, safety."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from dialogue_analysis.anonymise import (
    AnonymisedAnswers,
    anonymise_answers,
    anonymise_text,
    detect_identifiers,
    write_mapping,
)
from dialogue_analysis.core.identifier_patterns import nir_key_valid

REPO = Path(__file__).resolve().parents[2]
PLANTED = REPO / "tests" / "data" / "planted_identifiers.yaml"
HELDOUT_FIRST_NAMES = REPO / "tests" / "data" / "heldout_first_names.yaml"


def _load_bench():
    spec = importlib.util.spec_from_file_location(
        "anonymisation_recall", REPO / "benchmarks" / "anonymisation_recall.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()

# Floors just under the recall measured on tests/data/planted_identifiers.yaml (see
# docs/anonymisation.md): a rule that loses a name or an address makes these tests fail.
PERSON_RECALL_FLOOR = 0.98
ADDRESS_RECALL_FLOOR = 0.94
MAX_FALSE_PERSON_SENTENCES = 0
# Held-out first names (tests/data/heldout_first_names.yaml, written before the first-name list
# was extended): 80 / 80 persons found with the model (76 before), 80 / 80 without it (2
# before); 6 of the 30 ordinary-word sentences get a false person, with the model or not (5),
# all from names that were already in the list (Marine, Claire, Pierre, Marguerite, Olivier,
# Martin). A name dropped from the list, or a new name that is an ordinary word, fails these.
HELDOUT_RECALL_FLOOR = 0.98
HELDOUT_RECALL_FLOOR_WITHOUT_MODEL = 0.98
MAX_HELDOUT_FALSE_PERSON_SENTENCES = 6

WAVE_IDENTIFIERS = [
    "Mme Josiane Lefèvre", "Kevin Mabiala", "06 47 82 19 33", "nadia.benali.ccas@orange.fr",
    "14 rue des Tanneurs, 23000 Guéret", "Monsieur Gérard Poulain", "07.61.25.04.88",
    "j.moreau1962@gmail.com", "3 impasse des Lilas à Saint-Amand", "Sandrine Caron",
    "+33 6 12 40 77 05", "27 avenue Jean Jaurès, 59100 Roubaix", "M. Hamid Oukacha",
    "0698451230",
]


@pytest.fixture(scope="module")
def planted():
    return bench.load_planted(PLANTED)


@pytest.fixture(scope="module")
def result(planted, nlp):
    answers, _, _ = planted
    return anonymise_answers(answers, nlp=nlp)


@pytest.fixture(scope="module")
def evaluation(planted, result):
    answers, identifiers, _ = planted
    return bench.evaluate(answers, result, identifiers)


def _text(result: AnonymisedAnswers, record_id: str, question_id: str = "q1") -> str:
    a = result.answers
    return str(a.loc[(a["record_id"] == record_id) & (a["question_id"] == question_id),
                     "text"].iloc[0])


# --- the test set itself ------------------------------------------------------------------


def test_planted_set_is_complete(planted, evaluation):
    answers, identifiers, negatives = planted
    kinds = pd.Series([p["kind"] for p in identifiers]).value_counts()
    assert len(identifiers) >= 60
    assert kinds["person"] >= 15
    assert set(kinds.index) == {"person", "email", "phone", "nir", "iban", "address", "url"}
    assert len(negatives) >= 20
    # every planted string is really in its record
    missing = evaluation[evaluation["n_occurrences"] == 0]
    assert missing.empty, missing[["record_id", "value"]].to_string()
    values = {p["value"] for p in identifiers}
    assert set(WAVE_IDENTIFIERS) <= values


# --- recall ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["email", "phone", "nir", "iban", "url"])
def test_structured_kinds_full_recall(evaluation, kind):
    ev = evaluation[evaluation["kind"] == kind]
    assert len(ev) >= 5
    missed = ev[~ev["found"]]
    assert missed.empty, missed[["record_id", "value"]].to_string()


def test_person_recall_floor(evaluation):
    table = bench.recall_table(evaluation)
    assert table.loc["person", "recall"] >= PERSON_RECALL_FLOOR, table


def test_address_recall_floor(evaluation):
    table = bench.recall_table(evaluation)
    assert table.loc["address", "recall"] >= ADDRESS_RECALL_FLOOR, table


def test_sample_wave_identifiers_removed(planted, result):
    answers, _, _ = planted
    out = " ".join(result.answers["text"])
    for value in WAVE_IDENTIFIERS:
        assert value not in out
    assert "Lefèvre" not in out and "Oukacha" not in out and "Mabiala" not in out


@pytest.fixture(scope="module")
def heldout_first_names():
    return bench.load_planted(HELDOUT_FIRST_NAMES)


@pytest.mark.parametrize("use_ner", [True, False], ids=["model", "without_model"])
def test_heldout_first_names(heldout_first_names, nlp, use_ner):
    """Full names whose first name was missing from the list, then the surname alone."""
    answers, identifiers, negatives = heldout_first_names
    assert len(identifiers) >= 60 and len(negatives) >= 20
    res = anonymise_answers(answers, nlp=nlp, use_ner=use_ner)
    ev = bench.evaluate(answers, res, identifiers)
    assert (ev["n_occurrences"] > 0).all(), ev[ev["n_occurrences"] == 0]
    recall = bench.recall_table(ev).loc["person", "recall"]
    floor = HELDOUT_RECALL_FLOOR if use_ner else HELDOUT_RECALL_FLOOR_WITHOUT_MODEL
    assert recall >= floor, ev.loc[~ev["found"], ["record_id", "value"]].to_string()
    fp = bench.false_positives(res, identifiers, answers)
    assert fp["sentences_with_false_person"] <= MAX_HELDOUT_FALSE_PERSON_SENTENCES, fp
    assert fp["over_replaced_in_planted_records"] == 0, fp


# --- false positives ------------------------------------------------------------------------


def test_no_false_person_on_service_names(planted, result, evaluation):
    fp = bench.false_positives(result, planted[1], planted[0])
    assert fp["sentences_with_false_person"] <= MAX_FALSE_PERSON_SENTENCES, fp
    neg = result.answers[result.answers["record_id"].str.startswith("N")]
    original = planted[0][planted[0]["record_id"].str.startswith("N")]
    assert list(neg["text"]) == list(original["text"])


def test_ordinary_words_are_kept(nlp):
    text = ("Franchement, Internet c'est compliqué. Heureusement que France Services existe. "
            "Réduire les délais, Interdire les numéros surtaxés. J'ai suivi 3 cours "
            "d'informatique en 2019 et j'ai payé 12 000 euros de dettes, le 12/03/2019 à 14h30. "
            "Le 3949 et le 115 sont gratuits. Madame la maire est venue. "
            "Commande n° 1234567890123, SIRET 12345678901234.")
    assert anonymise_text(text, nlp=nlp) == text


def test_non_personal_urls_are_kept(nlp):
    text = ("Je vais sur https://www.impots.gouv.fr/portail/particulier et sur "
            "www.service-public.fr/particuliers/vosdroits/F1234, ou ameli.fr.")
    assert anonymise_text(text, nlp=nlp) == text


@pytest.mark.parametrize("text,handle", [
    ("@yasmina.belkacem93 sur Instagram c'est moi.", "@yasmina.belkacem93"),
    ("mon snap (@kev_du_23), écrivez-moi", "@kev_du_23"),
])
def test_social_handle_alone_is_replaced(text, handle):
    out = anonymise_text(text, use_ner=False)
    assert handle not in out and "yasmina" not in out.lower() and "kev_" not in out
    assert "[URL_1]" in out


@pytest.mark.parametrize("text", ["rdv @ la mairie", "écrivez à jo@free.fr", "@12 et @ab"])
def test_at_sign_without_handle_is_not_a_url(text):
    assert not [i for i in detect_identifiers(text, use_ner=False) if i.kind == "url"]


# --- structured identifiers -----------------------------------------------------------------


@pytest.mark.parametrize("phone", [
    "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "0612345678", "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78", "0033 6 12 34 56 78", "+33612345678", "01 45 67 89 12",
    "02 41 22 33 44", "03 20 11 22 33", "04 72 00 11 22", "05 55 52 33 44", "09 51 23 45 67",
    "06/12/34/56/78", "06\u00a012\u00a034\u00a056\u00a078", "+32 470 12 34 56",
])
def test_phone_spellings(phone):
    text = f"Mon numéro est le {phone}, appelez le soir."
    assert anonymise_text(text, nlp=None, use_ner=False) == (
        "Mon numéro est le [TELEPHONE_1], appelez le soir."
    )


def test_nir_with_and_without_valid_key():
    assert nir_key_valid("1 85 05 78 006 084 91")
    assert nir_key_valid("2 94 03 2A 012 345 41")
    assert not nir_key_valid("2 68 11 75 112 034 99")
    for nir in ["1 85 05 78 006 084 91", "185057800608491", "2 68 11 75 112 034 99",
                "1 72 06 59 350 112", "2.75.09.33.063.118.54"]:
        found = detect_identifiers(f"Numéro de sécu : {nir}.", use_ner=False)
        assert [(f.kind, f.text) for f in found] == [("nir", nir)]


@pytest.mark.parametrize("iban", [
    "FR76 3000 6000 0112 3456 7890 189", "FR7630004000031234567890143",
    "BE68 5390 0754 7034", "DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606",
])
def test_iban(iban):
    found = detect_identifiers(f"Mon RIB : {iban} CAF.", use_ner=False)
    assert [(f.kind, f.text) for f in found] == [("iban", iban)]


@pytest.mark.parametrize(("text", "address"), [
    ("Envoyez à 14 rue des Tanneurs, 23000 Guéret svp.", "14 rue des Tanneurs, 23000 Guéret"),
    ("On vivait au 3 impasse des Lilas à Saint-Amand avant.", "3 impasse des Lilas à Saint-Amand"),
    ("Au 12 bis bd de la Liberté il y a un EPN.", "12 bis bd de la Liberté"),
    ("Il habite 9 rue de la gare depuis un an.", "9 rue de la gare"),
    ("Courrier à 32000 Auch, au nom de ma mère.", "32000 Auch"),
    ("Je vis au lieu-dit Les Granges depuis 1990.", "lieu-dit Les Granges"),
    ("Elle habite place de la République, à côté.", "place de la République"),
])
def test_addresses(text, address):
    found = detect_identifiers(text, use_ner=False)
    assert [(f.kind, f.text) for f in found] == [("address", address)]


def test_street_types_that_are_common_nouns():
    text = "J'ai suivi 3 cours d'informatique et 2 cours de la Mission locale, 4 place libres."
    assert detect_identifiers(text, use_ner=False) == []


# --- placeholders ---------------------------------------------------------------------------


def test_placeholders_stable_within_record(result):
    # "Mme Josiane Lefèvre" then "Mme Lefèvre" in another answer: one person
    assert "[PERSONNE_1]" in _text(result, "P01", "q1")
    assert "[PERSONNE_1]" in _text(result, "P01", "q2")
    assert "PERSONNE_2" not in _text(result, "P01", "q1") + _text(result, "P01", "q2")
    # "Kevin Mabiala" then "Kevin"
    assert "[PERSONNE_1]" in _text(result, "P02", "q2")
    # the same phone in two spellings
    assert "[TELEPHONE_1]" in _text(result, "P03", "q1")
    assert "[TELEPHONE_1]" in _text(result, "P03", "q2")
    assert "TELEPHONE_2" not in _text(result, "P03", "q2")


def test_numbering_restarts_per_record(result):
    assert "[PERSONNE_1]" in _text(result, "P02", "q1")
    assert "[TELEPHONE_1]" in _text(result, "P09", "q1")
    assert "[TELEPHONE_2]" in _text(result, "P09", "q2")


def test_two_people_two_placeholders(nlp):
    out = anonymise_text("Josiane Lefèvre et Paul Lefèvre sont venus, puis Josiane est partie.",
                         nlp=nlp)
    assert out == "[PERSONNE_1] et [PERSONNE_2] sont venus, puis [PERSONNE_1] est partie."


def test_anonymising_twice_keeps_placeholders(result, nlp):
    again = anonymise_answers(result.answers, nlp=nlp)
    pd.testing.assert_frame_equal(again.answers, result.answers)
    assert again.mapping.empty


def test_existing_placeholders_are_not_reused(nlp):
    out = anonymise_text("[PERSONNE_1] m'a présenté Kevin Mabiala.", nlp=nlp)
    assert out == "[PERSONNE_1] m'a présenté [PERSONNE_2]."


# --- the table ------------------------------------------------------------------------------


def test_input_not_modified(nlp):
    answers = pd.DataFrame({
        "record_id": ["A", "A", "B"],
        "question_id": ["q1", "q2", "q1"],
        "text": ["Je m'appelle Kevin Mabiala.", None, "Appelez le 06 12 34 56 78."],
        "extra": [1, 2, 3],
    }, index=[10, 11, 12])
    before = answers.copy(deep=True)
    res = anonymise_answers(answers, nlp=nlp)
    pd.testing.assert_frame_equal(answers, before)
    out = res.answers
    assert list(out.columns) == list(answers.columns)
    assert list(out.index) == [10, 11, 12]
    assert out["text"].dtype == answers["text"].dtype
    assert out["text"].isna().tolist() == [False, True, False]
    assert out["text"].tolist()[0] == "Je m'appelle [PERSONNE_1]."
    assert out["text"].tolist()[2] == "Appelez le [TELEPHONE_1]."
    assert out["extra"].tolist() == [1, 2, 3]


def test_missing_column_is_an_error():
    with pytest.raises(KeyError, match="text"):
        anonymise_answers(pd.DataFrame({"record_id": ["A"], "question_id": ["q1"]}),
                          use_ner=False)


def test_mapping_and_spans(result, planted):
    answers = planted[0]
    m = result.mapping
    assert list(m.columns) == ["record_id", "placeholder", "kind", "original"]
    p01 = m[m["record_id"] == "P01"]
    assert set(p01["original"]) == {"Mme Josiane Lefèvre", "Mme Lefèvre"}
    assert set(p01["placeholder"]) == {"[PERSONNE_1]"}
    assert set(p01["kind"]) == {"person"}
    # spans point at the original strings and hold none of them
    s = result.spans
    assert "original" not in s.columns and "text" not in s.columns
    for r in s.head(40).itertuples():
        original = str(answers["text"].iloc[r.row])[r.start:r.end]
        assert ((m["record_id"] == r.record_id) & (m["placeholder"] == r.placeholder)
                & (m["original"] == original)).any()


def test_repr_hides_originals(result):
    text = repr(result)
    assert "Lefèvre" not in text and "@" not in text
    assert re.search(r"person=\d+", text)


# --- the mapping file -----------------------------------------------------------------------


def test_nothing_written_without_request(tmp_path, monkeypatch, nlp):
    monkeypatch.chdir(tmp_path)
    anonymise_answers(pd.DataFrame({"record_id": ["A"], "question_id": ["q1"],
                                    "text": ["Mme Josiane Lefèvre, 06 47 82 19 33"]}), nlp=nlp)
    assert list(tmp_path.iterdir()) == []


def test_write_mapping(tmp_path, result):
    path = write_mapping(result.mapping, tmp_path / "private" / "mapping.csv")
    back = pd.read_csv(path, dtype=str)
    assert len(back) == len(result.mapping)
    pq = write_mapping(result.mapping, tmp_path / "private" / "mapping.parquet")
    assert len(pd.read_parquet(pq)) == len(result.mapping)


@pytest.mark.parametrize("where", ["reports/mapping.csv", "reports/sample-2018/mapping.csv",
                                   "project/Reports/x/mapping.parquet"])
def test_write_mapping_refuses_reports(tmp_path, result, where):
    with pytest.raises(ValueError, match="reports"):
        write_mapping(result.mapping, tmp_path / where)
    assert not any(tmp_path.rglob("mapping*"))


def test_write_mapping_refuses_reports_relative(tmp_path, monkeypatch, result):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError):
        write_mapping(result.mapping, Path("reports") / "w" / "m.csv")
    (tmp_path / "reports").mkdir()
    monkeypatch.chdir(tmp_path / "reports")
    with pytest.raises(ValueError):
        write_mapping(result.mapping, "m.csv")  # inside reports/ once resolved


# --- options --------------------------------------------------------------------------------


def test_extra_stopnames(nlp):
    text = "J'ai appris à lire avec l'association Lucien Grosjean Solidarité."
    assert "[PERSONNE_1]" in anonymise_text(text, nlp=nlp)
    kept = anonymise_text(text, nlp=nlp, extra_stopnames=["Lucien Grosjean Solidarité"])
    assert kept == text


def test_without_model():
    out = anonymise_text("Mme Lefèvre et M. Hamid Oukacha : 06 47 82 19 33.", use_ner=False)
    assert out == "[PERSONNE_1] et [PERSONNE_2] : [TELEPHONE_1]."
    # lower-case first names need the model's word lists: "pierre" may be a stone
    text = "une pierre, une rose et un olivier"
    assert anonymise_text(text, use_ner=False) == text


def test_lower_case_names(nlp):
    out = anonymise_text("j'ai vu kevin mabiala hier à la mission locale", nlp=nlp)
    assert out == "j'ai vu [PERSONNE_1] hier à la mission locale"


def test_detect_identifiers_offsets(nlp):
    text = "Écrivez à Sandrine Caron, sandrine.caron@free.fr, ou au 07.61.25.04.88."
    found = detect_identifiers(text, nlp=nlp)
    assert [(f.kind, text[f.start:f.end]) for f in found] == [
        ("person", "Sandrine Caron"), ("email", "sandrine.caron@free.fr"),
        ("phone", "07.61.25.04.88"),
    ]


# --- real data ------------------------------------------------------------------------------


@pytest.mark.realdata
def test_realdata_few_persons(realdata, nlp):
    """Real public-service answers (no planted names): few person placeholders."""
    answers = bench.realdata_answers(realdata)["grand_debat_q16"].head(2000)
    res = anonymise_answers(answers, nlp=nlp)
    rows = res.spans.loc[res.spans["kind"] == "person", "row"].nunique()
    assert rows / len(answers) < 0.01
    assert res.answers["text"].notna().all()


# --- the sample wave ------------------------------------------------------------------------


def test_sample_wave_pseudonymised(sample_config, nlp):
    """The sample wave as ingested: none of its 14 planted identifiers, nor any of their
    names, survives; the names of services and places stay."""
    if not sample_config.is_file():
        pytest.skip("the sample wave is absent")
    from dialogue_analysis.ingest import load_project, read_wave

    answers = read_wave(load_project(sample_config)).answers
    res = anonymise_answers(answers, nlp=nlp)
    out = " ".join(res.answers["text"].dropna())
    for value in WAVE_IDENTIFIERS:
        assert value in " ".join(answers["text"].dropna())
        assert value not in out
    for word in ["Lefèvre", "Mabiala", "Poulain", "Caron", "Oukacha", "Tanneurs", "Jaurès"]:
        assert word not in out
    for kept in ["Pôle emploi", "CAF", "CCAS", "mission locale"]:
        assert out.count(kept) == " ".join(answers["text"].dropna()).count(kept)
    assert res.counts()[["email", "phone", "address"]].tolist() == [2, 4, 3]


def test_a_full_name_is_found_again_in_the_other_records_of_the_wave(nlp):
    # a surname that neither French model reads as a person when it is alone in an answer
    answers = pd.DataFrame({
        "record_id": ["A", "B", "C"],
        "question_id": ["q1", "q1", "q1"],
        "text": ["J'ai rencontré Zéphirin Morvezen au guichet.",
                 "Le bureau de Morvezen est fermé le lundi.",
                 "Le bureau de la CAF est fermé le lundi."],
    })
    alone = anonymise_answers(answers.iloc[1:], nlp=nlp).answers["text"].tolist()
    assert alone[0] == "Le bureau de Morvezen est fermé le lundi."  # nothing in B alone says so
    res = anonymise_answers(answers, nlp=nlp)
    assert res.answers["text"].tolist()[1:] == ["Le bureau de [PERSONNE_1] est fermé le lundi.",
                                               "Le bureau de la CAF est fermé le lundi."]
    assert res.spans.loc[res.spans["record_id"] == "B", "source"].tolist() == ["propagated"]


def test_a_word_tagged_alone_is_not_spread_over_the_wave(nlp):
    answers = pd.DataFrame({
        "record_id": ["A", "B"], "question_id": ["q1", "q1"],
        "text": ["Sans Blanche je serais perdue.", "La robe blanche était trop chère."],
    })
    res = anonymise_answers(answers, nlp=nlp)
    assert res.answers["text"].iloc[1] == "La robe blanche était trop chère."


def test_a_parse_pipeline_is_refused_by_the_anonymise_stage(parse_nlp):
    with pytest.raises(ValueError, match="build_pipeline\\('anonymise'"):
        anonymise_text("J'ai rencontré Zéphirin Abgrall au guichet.", nlp=parse_nlp)


def test_the_entity_recogniser_runs_on_every_text(nlp):
    answers = pd.DataFrame({"record_id": ["A", "A", "B"], "question_id": ["q1", "q2", "q1"],
                            "text": ["Xiuying Zhou m'a aidé.", "Rien à dire.", "Rien à dire."]})
    res = anonymise_answers(answers, nlp=nlp)
    assert res.n_ner_texts == 2  # distinct texts
    assert anonymise_answers(answers, use_ner=False).n_ner_texts == 0
    assert nlp.pipe_names == ["ner"] and "lemmatizer" in nlp.component_names


@pytest.mark.parametrize("text, name", [
    ("Mon voisin Dragoș m'a prêté son téléphone.", "Dragoș"),  # Latin Extended letters
    ("Łukasz Wójcik m'a aidé pour la CAF.", "Łukasz Wójcik"),
    ("Nom : KERGOAT Yolaine, rendez-vous à 14 h.", "KERGOAT Yolaine"),  # as forms write it
    ("je m'appelle zéphirine le quéméner et je n'ai pas d'ordinateur.", "zéphirine le quéméner"),
    ("c'est madame kerjean qui m'aide pour les mails.", "kerjean"),
    ("hier soir abdelhakim m'a montré comment scanner.", "abdelhakim"),
    ("Xiuying Zhou m'a traduit le courrier de la préfecture.", "Xiuying Zhou"),
    ("Kerbrat m'a rappelé le lendemain.", "Kerbrat"),
    ("Mme Le Floc'h-Dagorn tient la permanence.", "Le Floc'h-Dagorn"),
    ("Le dossier est chez M. dos Santos Pimenta.", "dos Santos Pimenta"),
    ("My caseworker Siobhan O'Donnell calls me every week.", "Siobhan O'Donnell"),
    ("I met Mrs Pennington at the desk.", "Pennington"),
])
def test_names_found_by_the_rules_around_the_model(nlp, text, name):
    out = anonymise_text(text, nlp=nlp)
    assert "[PERSONNE_1]" in out and name not in out, out
    assert not re.search(r"\w\[|\]\w", out), out  # no part of the name left glued on


@pytest.mark.parametrize("text", [
    "Ma famille est restée au Maroc, je les appelle sur WhatsApp.",
    "J'ai vécu en Pologne puis en Roumanie avant d'arriver en France.",
    "HOMOPHOBIE TRANSPHOBIE SONT DES PROBLEMES GRAVES.",
    "j'ai appelé la mairie pour qu'elle m'aide avec le site.",
    "La semaine dernière la conseillère m'a rappelé.",
    "Qu'on m'explique doucement, sans aller trop vite.",
    "Ma sœur m'aide un peu mais elle travaille.",
    "Pour un monsieur, j'avais créé un compte.",
])
def test_places_and_phrases_are_not_persons(nlp, text):
    assert anonymise_text(text, nlp=nlp) == text
