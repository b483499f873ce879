"""The anonymise stage in several processes finds what it finds in one."""

from __future__ import annotations

import pandas as pd

from dialogue_analysis.anonymise import _anonymise, anonymise_answers, load_ner_model
from dialogue_analysis.ingest import load_project, read_wave
from tests.analysis_fixtures import SAMPLE


def test_two_workers_give_the_tables_of_one_process(tmp_path, monkeypatch):
    # 120 answers of the sample wave: a small wave, so the processes are asked for explicitly
    answers = read_wave(load_project(SAMPLE / "survey.yaml")).answers
    answers = answers.loc[:, ["record_id", "question_id", "text"]].head(120)
    nlp = load_ner_model()
    one = anonymise_answers(answers, nlp=nlp, n_process=1)
    started = []
    pipe_docs = _anonymise.pipe_docs

    def spy(nlp, texts, *, batch_size, n_process=1):
        started.append(n_process)
        return pipe_docs(nlp, texts, batch_size=batch_size, n_process=n_process)

    monkeypatch.setattr(_anonymise, "pipe_docs", spy)
    # 3 cores: two workers run the model while this process reads their docs
    two = anonymise_answers(answers, nlp=nlp, n_process=3, parallel_from=0, cache_dir=tmp_path)
    assert started == [2]
    assert len(one.mapping) > 0 and two.n_ner_texts == answers["text"].nunique()
    for name in ("answers", "mapping", "spans"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), check_exact=True)
    # 2 cores: one process (the workers would only slow it down)
    anonymise_answers(answers, nlp=nlp, n_process=2, parallel_from=0)
    assert started == [2, 1]
