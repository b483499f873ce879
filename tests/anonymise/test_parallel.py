"""The anonymise stage in several processes finds what it finds in one."""

from __future__ import annotations

import os

import pandas as pd

from dialogue_analysis.anonymise import _anonymise, _cache, anonymise_answers, load_ner_model
from dialogue_analysis.ingest import load_project, read_wave
from tests.analysis_fixtures import SAMPLE


def test_two_workers_give_the_tables_of_one_process(tmp_path, monkeypatch):
    # 120 answers of the sample wave: a small wave, so the processes are asked for explicitly;
    # batches of 8 texts make chunks of 32, so that both workers get some
    answers = read_wave(load_project(SAMPLE / "survey.yaml")).answers
    answers = answers.loc[:, ["record_id", "question_id", "text"]].head(120)
    nlp = load_ner_model()
    one = anonymise_answers(answers, nlp=nlp, n_process=1, batch_size=8)
    asked, pids = [], set()
    map_chunks = _anonymise.map_chunks

    def spy(work, items, *, chunk_size, n_process, meanwhile=None):
        asked.append(n_process)

        def where(chunk):
            return os.getpid(), work(chunk)

        for pid, result in map_chunks(where, items, chunk_size=chunk_size, n_process=n_process,
                                      meanwhile=meanwhile):
            pids.add(pid)
            yield result

    monkeypatch.setattr(_anonymise, "map_chunks", spy)
    two = anonymise_answers(answers, nlp=nlp, n_process=2, parallel_from=0, batch_size=8,
                            cache_dir=tmp_path)
    assert asked == [2]
    # the model's words were saved for a rerun while the workers ran
    assert len(list(tmp_path.rglob(_cache.WORDS_FILE))) == 1
    # the model ran in the workers, not in this process
    assert len(pids) == 2 and os.getpid() not in pids
    assert len(one.mapping) > 0 and two.n_ner_texts == answers["text"].nunique()
    for name in ("answers", "mapping", "spans"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), check_exact=True)
    # what the workers cached reads back the same, with no model run
    again = anonymise_answers(answers, nlp=nlp, n_process=2, parallel_from=0, cache_dir=tmp_path)
    assert again.n_cached == answers["text"].nunique()
    for name in ("answers", "mapping", "spans"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(again, name), check_exact=True)
    # below the threshold: one process
    anonymise_answers(answers, nlp=nlp, n_process=2)
    assert asked == [2, 1, 1]
