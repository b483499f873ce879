"""Several processes for the spaCy model: the same tables as one process, one thread per worker,
and one process when there are too few texts to pay for starting the others."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from dialogue_analysis.core.meanwhile import do_meanwhile, work_meanwhile
from dialogue_analysis.ingest import load_project, read_wave
from dialogue_analysis.nlp import (
    MAX_PROCESSES,
    PARALLEL_FROM,
    default_processes,
    load_nlp,
    map_chunks,
    parse_answers,
    pipe_docs,
    processes_for,
)
from tests.analysis_fixtures import SAMPLE

TABLES = ("answers", "tokens", "sentences", "noun_phrases", "terms")


@pytest.fixture(scope="module")
def small_wave() -> pd.DataFrame:
    """The first 60 answers of the sample wave, pseudonymised or not (the NLP stage does not
    care): a small wave, so that two processes are asked for explicitly."""
    answers = read_wave(load_project(SAMPLE / "survey.yaml")).answers
    return answers.loc[:, ["record_id", "question_id", "text"]].head(60)


def test_two_processes_give_the_tables_of_one(small_wave, tmp_path):
    one = parse_answers(small_wave, n_process=1)
    two = parse_answers(small_wave, n_process=2, parallel_from=0, cache_dir=tmp_path)
    assert two.n_parsed == one.n_parsed == small_wave["text"].nunique()
    assert len(one.tokens) > 1000
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name), check_exact=True)
    # what the two processes cached reads back the same as well
    again = parse_answers(small_wave, n_process=2, parallel_from=0, cache_dir=tmp_path)
    assert again.n_parsed == 0
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(one, name), getattr(again, name))


def test_one_process_computes_with_one_thread_as_the_workers_do():
    # OpenBLAS rounds a product differently with two threads: a text must read the same in
    # one process as in the workers, so the model computes on one thread here too
    nlp = load_nlp()
    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):  # as on a machine of two cores
        before = blas_threads()
        assert before and set(before) == {2}
        docs = pipe_docs(nlp, ["Le bus ne passe plus.", "La mairie est fermée le lundi."] * 4,
                         batch_size=2, n_process=1)
        first = next(docs)
        assert first.text == "Le bus ne passe plus." and first[1].lemma_ == "bus"
        assert blas_threads() == [1] * len(before)
        assert [d.text for d in docs][-1] == "La mairie est fermée le lundi."
        assert blas_threads() == before  # undone afterwards


def test_workers_start_with_one_thread_each():
    nlp = load_nlp()
    before = os.environ.get("OPENBLAS_NUM_THREADS")
    docs = pipe_docs(nlp, ["Le bus ne passe plus.", "La mairie est fermée le lundi."] * 4,
                     batch_size=2, n_process=2)
    first = next(docs)  # the workers are running: started with these limits
    assert first.text == "Le bus ne passe plus."
    assert all(os.environ[v] == "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                              "MKL_NUM_THREADS"))
    assert all(lib["num_threads"] == 1 for lib in threadpool_info())
    assert [d.text for d in docs][-1] == "La mairie est fermée le lundi."
    assert os.environ.get("OPENBLAS_NUM_THREADS") == before  # undone afterwards


def test_one_process_below_the_threshold():
    assert processes_for(2, PARALLEL_FROM - 1) == 1
    assert processes_for(2, PARALLEL_FROM) == 2
    assert processes_for(4, 10, parallel_from=0) == 4
    assert processes_for("auto", 10**6) == default_processes()
    assert 1 <= default_processes() <= min(MAX_PROCESSES, os.cpu_count())
    with pytest.raises(ValueError, match="n_process"):
        processes_for(0, 10**6)


def test_without_the_parser_the_tables_the_run_reads_are_the_same(small_wave, tmp_path):
    # the run reads tokens, lemmas, parts of speech, sentences and terms, never noun phrases:
    # it parses without the dependency parser, in two processes
    full = parse_answers(small_wave, n_process=1)
    tagged = parse_answers(small_wave, n_process=2, parallel_from=0, cache_batch=16,
                           cache_dir=tmp_path, noun_phrases=False)
    assert len(full.noun_phrases) > 50 and tagged.noun_phrases.empty
    for name in ("answers", "tokens", "sentences", "terms"):
        pd.testing.assert_frame_equal(getattr(full, name), getattr(tagged, name), check_exact=True)
    files = sorted(p.name.split("-")[2] for p in tmp_path.rglob("parse-*.parquet"))
    assert len(files) > 3 and set(files) == {"tag"}  # one file per 16 texts, none "full"


def _pid_and(chunk):
    return os.getpid(), chunk


def test_work_meanwhile_runs_once_while_the_workers_work():
    ran = []
    with work_meanwhile(lambda: ran.append(("registered", os.getpid()))):
        out = list(map_chunks(_pid_and, list(range(8)), chunk_size=2, n_process=2,
                              meanwhile=lambda: ran.append(("given", os.getpid()))))
        # run once: a second map finds nothing left to do
        list(map_chunks(_pid_and, list(range(8)), chunk_size=2, n_process=2))
    assert [c for _, c in out] == [[0, 1], [2, 3], [4, 5], [6, 7]]
    assert {pid for pid, _ in out} - {os.getpid()}  # the chunks ran in the workers
    assert ran == [("given", os.getpid()), ("registered", os.getpid())]
    # one process: the given work still runs (first), the registered work waits for workers
    ran.clear()
    with work_meanwhile(lambda: ran.append("registered")):
        list(map_chunks(_pid_and, [1, 2], chunk_size=1, n_process=1,
                        meanwhile=lambda: ran.append("given")))
    assert ran == ["given"]
    do_meanwhile()  # the block has ended: nothing is left registered
    assert ran == ["given"]
