"""The stage engines: the local one calls the stages as they are; the Dask one, on a 2-worker
``LocalCluster`` cut into partitions of two texts, gives the same tables."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.anonymise import DEFAULT_MODEL, anonymise_answers
from dialogue_analysis.engine import LocalEngine, ReplayedNER, entities_of, stage_engine
from dialogue_analysis.ingest import settings_from_mapping
from dialogue_analysis.nlp import parse_answers
from dialogue_analysis.typology import Typology
from tests.synthetic import make_wave

# A surname given after a title in one record is looked for in every record of the wave: the
# partitions (two texts each) must not hide it from the other records.
ANSWERS = pd.DataFrame({
    "record_id": ["r1", "r1", "r2", "r3", "r3", "r4"],
    "question_id": ["q1", "q2", "q1", "q1", "q2", "q1"],
    "text": [
        "Au CCAS, c'est Mme Josiane Lefèvre qui m'a aidée pour le dossier de la CAF.",
        "Vous pouvez noter mon portable, c'est le 06 47 82 19 33.",
        "Lefèvre m'a rappelée la semaine d'après pour le rendez-vous.",
        "Sans internet je ne peux rien faire, la box ne marche pas.",
        None,
        "Au CCAS, c'est Mme Josiane Lefèvre qui m'a aidée pour le dossier de la CAF.",
    ],
})


def test_the_local_engine_is_the_default_and_imports_no_dask():
    code = ("import sys; from dialogue_analysis.engine import stage_engine\n"
            "from dialogue_analysis.ingest import settings_from_mapping\n"
            "with stage_engine(settings_from_mapping({})) as e: print(e.name)\n"
            "print('dask' in sys.modules, 'distributed' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["local", "False", "False"]


def test_the_engine_settings_are_checked():
    settings = settings_from_mapping({"engine": "dask", "dask_scheduler": "tcp://10.0.0.5:8786",
                                      "dask_workers": 4})
    assert (settings.engine, settings.dask_scheduler, settings.dask_workers) == (
        "dask", "tcp://10.0.0.5:8786", 4)
    with pytest.raises(Exception, match="engine"):
        settings_from_mapping({"engine": "spark"})
    with pytest.raises(Exception, match="dask_workers"):
        settings_from_mapping({"dask_workers": 0})


def test_replayed_entities_give_the_stage_the_same_result(nlp):
    texts = list(dict.fromkeys(ANSWERS["text"].dropna()))
    replayed = ReplayedNER(nlp, dict(zip(texts, entities_of(texts, DEFAULT_MODEL),
                                         strict=True)))
    direct, replay = anonymise_answers(ANSWERS, nlp=nlp), anonymise_answers(ANSWERS, nlp=replayed)
    pd.testing.assert_frame_equal(direct.answers, replay.answers)
    pd.testing.assert_frame_equal(direct.mapping, replay.mapping)
    pd.testing.assert_frame_equal(direct.spans, replay.spans)
    assert direct.n_ner_texts == replay.n_ner_texts == 4
    with pytest.raises(KeyError, match="did not read"):
        list(replayed.pipe(["Un texte que personne n'a lu."]))


def test_the_workers_do_not_read_texts_of_common_words_only(nlp):
    # as on one machine: the recogniser reads "Paris" as a place and "Bonne" as a person, which
    # the rules would veto; such texts are tokenised only, annotated with no entity
    texts = ["Paris est cher.", "Bonne journée à tous.", "Il faut voir avec Balsamine."]
    assert [[e.label_ for e in nlp(t).ents] for t in texts[:2]] == [["LOC"], ["PER"]]
    found = entities_of(texts, DEFAULT_MODEL)
    assert found[:2] == [((), True), ((), True)]
    assert [label for _, _, label in found[2][0]] == ["PER"]


@pytest.mark.slow
def test_replayed_entities_carry_what_the_rules_on_misread_names_need(nlp):
    # names the model reads as places or inside a clause-long span: the rules that catch them
    # read the entities' offsets, which is all the entities from the Dask workers carry
    answers = pd.DataFrame({"record_id": ["r1", "r2", "r3"], "question_id": "q1", "text": [
        "Nous sommes allés avec Nkechi et Adaeze à la préfecture.",
        "I called the CAF and spoke to Siobhan, she was kind.",
        # a lower-case name the person recogniser reads: kept from the entity's offsets
        "j'ai envoyé un texto à souleymanata pour annuler le rendez-vous."]})
    texts = answers["text"].tolist()
    replayed = ReplayedNER(nlp, dict(zip(texts, entities_of(texts, DEFAULT_MODEL),
                                         strict=True)))
    direct, replay = anonymise_answers(answers, nlp=nlp), anonymise_answers(answers, nlp=replayed)
    pd.testing.assert_frame_equal(direct.answers, replay.answers)
    assert not replay.answers["text"].str.contains("Nkechi|Adaeze|Siobhan|souleymanata").any()


def test_an_unreachable_scheduler_is_a_clear_error():
    pytest.importorskip("distributed")
    from dialogue_analysis.engine import SchedulerUnreachable

    settings = settings_from_mapping({"engine": "dask", "dask_scheduler": "tcp://127.0.0.1:9",
                                      "language": "en"})
    with pytest.raises(SchedulerUnreachable, match=r"settings.dask_scheduler: no Dask scheduler "
                       r"answers at tcp://127.0.0.1:9"):
        with stage_engine(settings):
            pass


@pytest.fixture(scope="module")
def dask_engine():
    pytest.importorskip("distributed")
    from dialogue_analysis.engine import DaskEngine

    engine = DaskEngine(workers=2, partition_size=2)
    yield engine
    engine.close()


@pytest.mark.slow
def test_dask_anonymises_as_the_local_engine_across_partitions(dask_engine, nlp):
    local = LocalEngine().anonymise_answers(ANSWERS)
    dask = dask_engine.anonymise_answers(ANSWERS)
    pd.testing.assert_frame_equal(local.answers, dask.answers)
    pd.testing.assert_frame_equal(local.mapping, dask.mapping)
    pd.testing.assert_frame_equal(local.spans, dask.spans)
    texts = dask.answers["text"].tolist()
    assert "Lefèvre" not in " ".join(t for t in texts if isinstance(t, str))
    assert texts[2].startswith("[PERSONNE_1] m'a rappelée")  # the wave's name, in record r2
    assert "[TELEPHONE_1]" in texts[1] and pd.isna(texts[4])
    assert dask.n_ner_texts == local.n_ner_texts == 4


@pytest.mark.slow
def test_dask_parses_as_the_local_engine_and_each_worker_built_its_model(dask_engine, tmp_path):
    pseudo = LocalEngine().anonymise_answers(ANSWERS).answers
    local = parse_answers(pseudo, root=tmp_path / "local")
    dask = dask_engine.parse_answers(pseudo, root=tmp_path / "dask")
    for name in ("answers", "tokens", "sentences", "noun_phrases", "terms"):
        pd.testing.assert_frame_equal(getattr(local, name), getattr(dask, name))
    assert len(dask.tokens) > 50 and dask.terms["terms"].str.len().gt(0).sum() >= 4
    assert dask.n_texts == local.n_texts == 5
    # the workers filled the run's parse cache: a second local call parses nothing
    assert parse_answers(pseudo, root=tmp_path / "dask").n_parsed == 0
    # without a cache the workers send their slices' tables back, joined in order
    joined = dask_engine.parse_answers(pseudo)
    for name in ("answers", "tokens", "sentences", "noun_phrases", "terms"):
        pd.testing.assert_frame_equal(getattr(local, name), getattr(joined, name))

    # the workers built their pipelines (the package's builder keeps them per process)
    per_worker = dask_engine.client.run(_pipelines_built)
    assert len(per_worker) == 2 and sum(per_worker.values()) >= 2


def _pipelines_built() -> int:
    from dialogue_analysis.nlp import _model

    return len(_model._BUILT)


@pytest.mark.slow
def test_typology_resamples_on_dask_give_the_same_evidence(dask_engine):
    wave = make_wave(120, 3, seed=1)
    local = Typology(random_state=0, n_bootstrap=6).fit(wave.records, wave.code_matrix,
                                                         wave.terms)
    with dask_engine.joblib_backend():
        dask = Typology(random_state=0, n_bootstrap=6).fit(wave.records, wave.code_matrix,
                                                            wave.terms)
    pd.testing.assert_frame_equal(local.k_evidence_, dask.k_evidence_)
    assert np.array_equal(local.labels_.to_numpy(), dask.labels_.to_numpy())
    assert local.k_evidence_["stability"].notna().all()
