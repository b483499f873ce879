import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import cohen_kappa_score

from dialogue_analysis.coding import (
    Coding,
    code_answers,
    evaluate_coding,
    gold_sample,
    load_codebook,
    load_gold,
    parse_codebook,
)
from dialogue_analysis.core import ConfigError
from dialogue_analysis.nlp import parse_answers
from dialogue_analysis.themes import find_themes

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "data" / "raw" / "sample-2018" / "codebook.yaml"
# the same codes with the patterns widened on real answers: what the real-data configs read
WIDENED = REPO / "codebooks" / "precarite_numerique_v2.yaml"

CODEBOOK = {
    "name": "test",
    "families": {
        "service": {
            "label_fr": "Services", "label_en": "Services", "negation": "keep",
            "codes": {
                "taxes": {"label_fr": "Impôts", "label_en": "Taxes",
                          "patterns": {"lemmas": ["impôt", "fiscal*"],
                                       "regex": [r"\bimp[oô]ts?\.gouv"]}},
                "employment": {"label_fr": "Emploi", "label_en": "Employment",
                               "patterns": {"phrases": ["pôle emploi"]}},
            },
        },
        "barrier": {
            "label_fr": "Freins", "label_en": "Barriers",
            "codes": {
                "equipment": {"label_fr": "Équipement", "label_en": "Equipment",
                              "patterns": {"negated": ["ordinateur"],
                                           "phrases": ["vieux ordinateur"]}},
            },
        },
        "need": {
            "label_fr": "Besoins", "label_en": "Needs",
            "codes": {
                "basic_training": {
                    "label_fr": "Formation de base", "label_en": "Basic training",
                    "description": "Apprendre les bases.",
                    "patterns": {"lemmas": ["formation", "atelier*"],
                                 "phrases": ["besoin ... apprendre"]},
                    "exclude": {"phrases": ["formation professionnelle"]},
                },
                "equipment": {
                    "label_fr": "Équipement", "label_en": "Equipment",
                    "patterns": {"lemmas": ["ordinateur"]},
                    "require": {"lemmas": ["besoin", "falloir"], "questions": ["q3"]},
                },
            },
        },
    },
}


def _answers(rows):
    return pd.DataFrame(rows, columns=["record_id", "question_id", "text"])


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(CODEBOOK)


def _codes(coding, rid, qid="q1"):
    m = coding.answer_matrix
    row = m.loc[(rid, qid)]
    return {c for c in m.columns if row[c]}


# --- codebook --------------------------------------------------------------------------------

def test_reference_codebook_loads_with_stable_ids():
    cb = load_codebook(REFERENCE)
    ids = cb.code_ids
    assert [f.id for f in cb.families] == ["service", "barrier", "need", "channel"]
    for code in ("service.taxes", "service.employment", "service.benefits", "service.health",
                 "service.identity", "barrier.cost", "barrier.skills", "barrier.fear_scams",
                 "barrier.network", "need.local_support", "need.basic_training",
                 "need.equipment", "need.funding", "need.trusted_helper",
                 "need.training_staff", "channel.association", "channel.shop",
                 "channel.public_service", "channel.family", "channel.mission_locale"):
        assert code in ids
    assert len(ids) == len(set(ids))
    table = cb.table()
    assert table["label_fr"].str.len().gt(0).all() and table["label_en"].str.len().gt(0).all()
    assert cb.labels("en")["need.local_support"] == "Local human support"


def _write(tmp_path, data) -> Path:
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _mutated(change):
    import copy

    data = copy.deepcopy(CODEBOOK)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        (lambda d: d["families"]["need"]["codes"]["basic_training"]["patterns"].update(
            lemma=["x"]), "families.need.codes.basic_training.patterns.lemma", "unknown key"),
        (lambda d: d["families"]["need"]["codes"]["basic_training"].update(label="x"),
         "families.need.codes.basic_training.label", "unknown key"),
        (lambda d: d["families"]["need"]["codes"]["basic_training"].pop("label_en"),
         "families.need.codes.basic_training.label_en", "missing label"),
        (lambda d: d["families"]["need"].pop("label_fr"), "families.need.label_fr",
         "missing label"),
        (lambda d: d["families"]["service"]["codes"]["taxes"]["patterns"].update(
            regex=["imp(ots"]), "families.service.codes.taxes.patterns.regex[0]",
         "bad regular expression"),
        (lambda d: d["families"]["service"]["codes"]["taxes"]["patterns"].update(
            lemmas=["im*pot"]), "families.service.codes.taxes.patterns.lemmas[0]", "'*'"),
        (lambda d: d["families"]["service"]["codes"]["taxes"]["patterns"].update(
            lemmas=["carte grise"]), "families.service.codes.taxes.patterns.lemmas[0]",
         "phrases"),
        (lambda d: d["families"]["service"]["codes"]["taxes"].pop("patterns"),
         "families.service.codes.taxes.patterns", "at least one pattern"),
        (lambda d: d["families"]["service"]["codes"]["taxes"].update(negation="maybe"),
         "families.service.codes.taxes.negation", "possible values"),
        (lambda d: d["families"]["service"]["codes"].update({"Bad-Id": {}}),
         "families.service.codes.Bad-Id", "lower-case"),
        (lambda d: d.update(familles={}), "familles", "unknown key"),
    ],
)
def test_codebook_validation_names_file_and_key(tmp_path, change, key, message):
    path = _write(tmp_path, _mutated(change))
    with pytest.raises(ConfigError) as err:
        load_codebook(path)
    assert err.value.key == key
    assert message in err.value.message
    assert err.value.file == str(path) and str(path) in str(err.value)


def test_codebook_duplicate_key_and_bad_yaml(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(
        "families:\n  need:\n    label_fr: a\n    label_fr: b\n    label_en: c\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="given twice"):
        load_codebook(path)
    path.write_text("families: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_codebook(path)


# --- coding ----------------------------------------------------------------------------------

def test_spans_and_evidence(codebook):
    text = "Bonjour. Les impôts en ligne, c'est dur.\nEt Pôle Emploi aussi."
    coding = code_answers(_answers([("r1", "q2", text)]), codebook)
    p = coding.passages
    assert list(p.columns) == ["record_id", "question_id", "code", "family", "start", "end",
                               "evidence"]
    taxes = p.loc[p["code"] == "service.taxes"].iloc[0]
    assert text[taxes["start"] : taxes["end"]] == "impôts"
    assert taxes["evidence"] == "Les impôts en ligne, c'est dur."
    assert taxes["family"] == "service"
    job = p.loc[p["code"] == "service.employment"].iloc[0]
    assert text[job["start"] : job["end"]] == "Pôle Emploi"
    assert job["evidence"] == "Et Pôle Emploi aussi."


def test_regex_wildcard_and_one_passage_per_sentence(codebook):
    text = "Sur impots.gouv.fr, mon numéro fiscal et mes impôts. Le fisc encore."
    p = code_answers(_answers([("r1", "q2", text)]), codebook).passages
    taxes = p.loc[p["code"] == "service.taxes"]
    assert len(taxes) == 1  # one sentence -> one passage, the first match
    assert text[taxes["start"].item() : taxes["end"].item()] == "impots.gouv"
    assert "numéro fiscal" in taxes["evidence"].item()


def test_negation_and_exclusion(codebook):
    rows = [
        ("a", "q3", "Je n'ai pas besoin de formation."),
        ("b", "q3", "Une formation pour débuter, ce serait bien."),
        ("c", "q3", "On m'a proposé une formation professionnelle."),
        ("d", "q1", "Je n'ai pas d'ordinateur."),
        ("e", "q1", "J'ai un ordinateur à la maison."),
        ("f", "q1", "Sans ordinateur, rien n'est possible."),
        ("g", "q1", "Mon vieux ordinateur rame."),
    ]
    coding = code_answers(_answers(rows), codebook)
    assert "need.basic_training" not in _codes(coding, "a", "q3")
    assert "need.basic_training" in _codes(coding, "b", "q3")
    assert "need.basic_training" not in _codes(coding, "c", "q3")  # exclusion
    assert "barrier.equipment" in _codes(coding, "d")  # only when negated
    assert "barrier.equipment" not in _codes(coding, "e")
    assert "barrier.equipment" in _codes(coding, "f")
    assert "barrier.equipment" in _codes(coding, "g")  # a phrase, not negated


def test_services_counted_under_negation_when_keep(codebook):
    coding = code_answers(_answers([("a", "q2", "Je ne vais jamais sur Pôle emploi.")]), codebook)
    assert "service.employment" in _codes(coding, "a", "q2")


def test_require_by_context_or_question(codebook):
    rows = [
        ("a", "q1", "J'ai un ordinateur."),  # neither context word nor question
        ("b", "q1", "Il me faudrait un ordinateur."),  # context word in the sentence
        ("c", "q3", "Un ordinateur, sérieux."),  # the needs question
    ]
    coding = code_answers(_answers(rows), codebook)
    assert "need.equipment" not in _codes(coding, "a")
    assert "need.equipment" in _codes(coding, "b")
    assert "need.equipment" in _codes(coding, "c", "q3")


def test_code_matrix_shape_order_and_records(codebook):
    rows = [("r2", "q1", "Les impôts."), ("r1", "q1", "Pôle emploi."), ("r1", "q2", "Rien.")]
    records = pd.DataFrame({"record_id": ["r1", "r2", "r3"], "wave": "w"})
    coding = code_answers(_answers(rows), codebook, records=records)
    cm = coding.code_matrix
    assert cm.index.name == "record_id" and cm.index.tolist() == ["r1", "r2", "r3"]
    assert cm.columns.tolist() == codebook.code_ids
    assert (cm.dtypes == np.int64).all()
    assert cm.loc["r3"].sum() == 0  # a record without answers
    assert cm.loc["r1", "service.employment"] == 1 and cm.loc["r2", "service.taxes"] == 1
    assert cm.isin([0, 1]).all().all()
    assert coding.answer_matrix.shape == (3, len(codebook.code_ids))
    freq = coding.frequencies()
    assert freq.set_index("code").loc["service.taxes", "records"] == 1
    # without records: one row per answering record, in order of appearance
    assert code_answers(_answers(rows), codebook).code_matrix.index.tolist() == ["r2", "r1"]


def test_accepts_parsed_answers_and_is_deterministic(codebook):
    ans = _answers([("r1", "q1", "Les impôts et Pôle emploi."), ("r2", "q1", "")])
    parsed = parse_answers(ans)
    one, two = code_answers(parsed, codebook), code_answers(ans, codebook)
    assert isinstance(one, Coding)
    assert one.passages["code"].tolist() == ["service.taxes", "service.employment"]
    assert one.code_matrix.sum(axis=1).to_dict() == {"r1": 2, "r2": 0}
    pd.testing.assert_frame_equal(one.passages, two.passages)
    pd.testing.assert_frame_equal(one.code_matrix, two.code_matrix)


def test_coding_a_block_of_answers_at_a_time_gives_the_same_tables(tmp_path):
    """The tokens are matched a block of answers at a time (memory bounded on a large wave):
    blocks of 7 answers give the tables of one block, on the sample wave's answers."""
    from dialogue_analysis.ingest import ingest_wave, load_project

    wave = ingest_wave(load_project(REPO / "data" / "raw" / "sample-2018" / "survey.yaml"),
                       tmp_path)
    answers = wave.answers.loc[:, ["record_id", "question_id", "text"]].copy()
    answers.loc[answers.index[::50], "text"] = ""  # answers without a token among the blocks
    parsed = parse_answers(answers, noun_phrases=False)
    codebook = load_codebook(REFERENCE)
    whole = code_answers(parsed, codebook, chunk_answers=len(answers))
    blocks = code_answers(parsed, codebook, chunk_answers=7)
    assert len(answers) > 100 and len(whole.passages) > 100
    assert (parsed.terms["n_words"] == 0).sum() >= 10
    pd.testing.assert_frame_equal(blocks.passages, whole.passages)
    pd.testing.assert_frame_equal(blocks.code_matrix, whole.code_matrix)
    pd.testing.assert_frame_equal(blocks.answer_matrix, whole.answer_matrix)


# --- gold and evaluation ---------------------------------------------------------------------

def test_evaluation_on_a_hand_made_case():
    gold = pd.DataFrame({
        "record_id": ["1", "2", "3", "4", "5", "6"], "question_id": "q1",
        "codes": [("x",), ("x", "y"), (), ("y",), ("x",), ()],
    })
    predicted = pd.DataFrame({  # passages: answer 1 coded x twice counts once
        "record_id": ["1", "1", "2", "3", "4", "7"], "question_id": "q1",
        "code": ["x", "x", "y", "x", "y", "x"],
    })
    ev = evaluate_coding(predicted, gold).set_index("code")
    # x: gold 1,2,5 ; predicted 1,3 -> tp 1, fp 1, fn 2, tn 2 (answer 7 is not in the gold)
    x = ev.loc["x"]
    assert (x["tp"], x["fp"], x["fn"], x["tn"], x["support"]) == (1, 1, 2, 2, 3)
    assert x["precision"] == pytest.approx(0.5)
    assert x["recall"] == pytest.approx(1 / 3)
    assert x["f1"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    g = [1, 1, 0, 0, 1, 0]
    p = [1, 0, 1, 0, 0, 0]
    assert x["kappa"] == pytest.approx(cohen_kappa_score(g, p))
    # y: gold 2,4 ; predicted 2,4 -> perfect
    y = ev.loc["y"]
    assert (y["precision"], y["recall"], y["f1"], y["kappa"]) == (1.0, 1.0, 1.0, 1.0)
    micro = ev.loc["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (3, 1, 2)
    assert micro["precision"] == pytest.approx(3 / 4) and micro["recall"] == pytest.approx(3 / 5)
    assert micro["kappa"] == pytest.approx(cohen_kappa_score(g + [0, 1, 0, 1, 0, 0],
                                                             p + [0, 1, 0, 1, 0, 0]))
    assert ev.loc["macro", "f1"] == pytest.approx((x["f1"] + 1.0) / 2)


def test_kappa_matches_sklearn_on_random_codes():
    rng = np.random.default_rng(0)
    n = 60
    g = rng.integers(0, 2, n)
    p = np.where(rng.random(n) < 0.8, g, 1 - g)
    ids = [str(i) for i in range(n)]
    gold = pd.DataFrame({"record_id": ids, "question_id": "q",
                         "codes": [("c",) if v else () for v in g]})
    matrix = pd.DataFrame({"c": p}, index=pd.MultiIndex.from_arrays([ids, ["q"] * n],
                                                                     names=["record_id",
                                                                            "question_id"]))
    ev = evaluate_coding(matrix, gold).set_index("code")
    assert ev.loc["c", "kappa"] == pytest.approx(cohen_kappa_score(g, p))


def test_gold_file_round_trip(tmp_path, codebook):
    path = tmp_path / "gold.csv"
    path.write_text(
        "\ufeffrecord_id,question_id,codes,text\n"
        "r1,q2,service.taxes; service.employment,Les impôts et Pôle emploi.\n"
        "r2,q1,,Rien à dire.\n",
        encoding="utf-8",
    )
    gold = load_gold(path, codebook)
    assert gold["codes"].tolist() == [("service.taxes", "service.employment"), ()]
    coding = code_answers(_answers([("r1", "q2", "Les impôts et Pôle emploi."),
                                    ("r2", "q1", "Rien à dire.")]), codebook)
    ev = evaluate_coding(coding, path).set_index("code")
    assert ev.index[: len(codebook.code_ids)].tolist() == codebook.code_ids
    assert ev.loc["micro", "f1"] == 1.0

    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,question_id,codes\nr1,q1,need.typo\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown code"):
        load_gold(bad, codebook)
    bad.write_text("record_id,question_id,codes\nr1,q1,\nr1,q1,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 3"):
        load_gold(bad)
    bad.write_text("record_id;question_id;codes\nr1;q1;x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="separator"):
        load_gold(bad)


def test_gold_sample_is_spread_over_questions():
    ans = _answers([(f"r{i}", f"q{i % 4}", f"texte {i}") for i in range(100)])
    sample = gold_sample(ans, n=40, random_state=1)
    assert len(sample) == 40 and list(sample.columns) == ["record_id", "question_id", "codes",
                                                          "text"]
    assert sample["question_id"].value_counts().tolist() == [10, 10, 10, 10]
    assert (sample["codes"] == "").all()
    pd.testing.assert_frame_equal(sample, gold_sample(ans, n=40, random_state=1))


# --- real data -------------------------------------------------------------------------------

@pytest.mark.realdata
@pytest.mark.slow
def test_reference_codebook_on_grand_debat_answers(realdata, tmp_path):
    """Code the 8,888 answers to "which services should go online first?" (Grand Débat)."""
    path = realdata / "grand_debat_services_publics" / "gd_animation_organisation_16.csv"
    comments = pd.read_csv(path, usecols=["comment"])["comment"].fillna("").astype(str)
    ans = pd.DataFrame({"record_id": [f"gd{i:05d}" for i in range(len(comments))],
                        "question_id": "q16", "text": comments.to_numpy()})
    t0 = time.perf_counter()
    # noun phrases are not needed for coding: skipping the parser halves the parse time
    parsed = parse_answers(ans, root=tmp_path, noun_phrases=False)
    coding = code_answers(parsed, load_codebook(WIDENED))
    elapsed = time.perf_counter() - t0
    assert len(ans) == 8888 and parsed.n_parsed == parsed.n_texts
    assert coding.code_matrix.shape == (8888, len(coding.codebook.code_ids))
    coded = (coding.answer_matrix.sum(axis=1) > 0).mean()
    assert 0.40 <= coded <= 0.60  # measured 48.8 %: a third of answers are one-word or off-topic
    top = coding.frequencies().sort_values("answers", ascending=False)["code"].head(8).tolist()
    # identity documents and health are the services most asked for online; the "not all
    # online / people without internet" answers show as network and local support
    assert {"service.identity", "service.health", "barrier.network",
            "need.local_support"} <= set(top)
    p = coding.passages
    texts = dict(zip(ans["record_id"], ans["text"], strict=True))
    for r in p.sample(200, random_state=0).itertuples():
        assert texts[r.record_id][r.start : r.end]  # spans point into the answer
        assert r.evidence in texts[r.record_id]
    print(f"parsed and coded 8,888 answers in {elapsed:.1f} s; {coded:.1%} coded")

    # Inductive themes on the same parse: several, distinct, and the known subjects among them.
    themes = find_themes(parsed.terms, ans, n_themes=8, min_df=5)
    summary = themes.summary
    assert len(summary) == 8 and summary["n_answers"].is_monotonic_decreasing
    firsts = [t[0] for t in summary["top_terms"]]
    assert len(set(firsts)) == len(firsts)  # each theme led by its own term
    tops = [set(t[:5]) for t in summary["top_terms"]]
    assert max(len(a & b) for i, a in enumerate(tops) for b in tops[i + 1:]) <= 3
    assert any({"carte", "identité", "passeport"} & t for t in tops)  # identity documents
    assert any({"non_internet", "non_accès"} & t for t in tops)  # "not everyone is online"
    assert themes.quotes.groupby("theme")["record_id"].nunique().min() >= 2
