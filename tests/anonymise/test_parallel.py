"""The anonymise stage in two processes finds what it finds in one."""

from __future__ import annotations

import pandas as pd

from dialogue_analysis.anonymise import anonymise_answers, load_ner_model
from dialogue_analysis.ingest import load_project, read_wave
from tests.analysis_fixtures import SAMPLE


def test_two_processes_give_the_tables_of_one(tmp_path):
    # the records of the sample wave that hold the most identifiers, and a few others: a small
    # wave, so two processes are asked for explicitly
    answers = read_wave(load_project(SAMPLE / "survey.yaml")).answers
    answers = answers.loc[:, ["record_id", "question_id", "text"]].head(120)
    nlp = load_ner_model()
    one = anonymise_answers(answers, nlp=nlp, n_process=1)
    two = anonymise_answers(answers, nlp=nlp, n_process=2, parallel_from=0, cache_dir=tmp_path)
    assert len(one.mapping) > 0 and two.n_ner_texts == answers["text"].nunique()
    for name in ("answers", "mapping", "spans"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), check_exact=True)
