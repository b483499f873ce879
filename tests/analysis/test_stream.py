"""The NLP and coding stages run a block of answers at a time: the same tables whatever the
block size, and the tokens and sentences written to parquet as the whole wave's parse gives
them."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from tests.analysis_fixtures import SAMPLE, pipeline_available

pytestmark = pytest.mark.skipif(not pipeline_available(), reason="needs the sample wave")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample wave's project, records and answers, ingested under a fresh root."""
    from dialogue_analysis.ingest import ingest_wave, load_project

    root = tmp_path_factory.mktemp("stream")
    shutil.copytree(SAMPLE, root / "raw")
    project = load_project(root / "raw" / "survey.yaml")
    wave = ingest_wave(project, root)
    answers = wave.answers.loc[:, ["record_id", "question_id", "text"]].astype({"record_id": str})
    records = wave.records.astype({"record_id": str})
    return project, root, records, answers


def _streamed(sample, block_answers):
    from dialogue_analysis.analysis import parse_and_code
    from dialogue_analysis.core import StageTimer
    from dialogue_analysis.engine import LocalEngine

    project, root, records, answers = sample
    timer = StageTimer()
    out = parse_and_code(answers, records, project, root, LocalEngine(), timer, code=True,
                         block_answers=block_answers)
    return out, timer


def _assert_same_coding(got_coded, want_coded):
    """The coding stage's outputs (tables and parameters) equal, one by one."""
    for got, want in zip(got_coded, want_coded, strict=True):
        if isinstance(want, pd.DataFrame):
            pd.testing.assert_frame_equal(got, want)
        else:
            assert got == want


def test_blocks_small_enough_to_split_the_wave_give_the_tables_of_one_block(sample, monkeypatch):
    from dialogue_analysis.analysis import _stream

    n = len(sample[3])
    whole, _ = _streamed(sample, n)
    tokens_whole = pd.read_parquet(whole.token_tables / "tokens.parquet")
    forked = []
    monkeypatch.setattr(_stream, "beside", lambda work: forked.append(1) or _stream.Beside(work))
    split, timer = _streamed(sample, 37)
    assert n > 37 * 10  # many blocks, answers of one record cut across blocks
    # every block but the last was coded in a process of its own, beside the next block
    assert len(forked) == -(-n // 37) - 1
    pd.testing.assert_frame_equal(split.terms, whole.terms)
    _assert_same_coding(split.coded, whole.coded)
    passages, code_matrix = split.coded[:2]
    assert len(passages) > 100 and code_matrix.to_numpy().sum() > 100
    # the second run reads every parse from the cache
    assert split.params == {"model": whole.params["model"], "n_parsed": 0,
                            "n_cached": whole.params["n_parsed"] + whole.params["n_cached"]}
    # the tokens written block by block are the whole wave's, one row group per block
    import pyarrow.parquet as pq

    tokens = pd.read_parquet(split.token_tables / "tokens.parquet")
    pd.testing.assert_frame_equal(tokens, tokens_whole)
    assert pq.ParquetFile(split.token_tables / "tokens.parquet").num_row_groups == -(-n // 37)
    assert {"nlp", "coding"} <= set(timer.timings)


def test_the_tokens_and_sentences_written_are_those_of_the_whole_parse(sample):
    from dialogue_analysis.nlp import parse_answers, parse_model

    project, root, _, answers = sample
    out, _ = _streamed(sample, 50)
    # the NLP stage's pipeline as the run names it (settings.nlp_pipeline: fast by default)
    parsed = parse_answers(answers, model=parse_model(project.settings), root=root,
                           noun_phrases=False)
    for name in ("tokens", "sentences"):
        written = pd.read_parquet(out.token_tables / f"{name}.parquet")
        pd.testing.assert_frame_equal(written, getattr(parsed, name))
    assert len(parsed.tokens) > 10_000
    pd.testing.assert_frame_equal(out.terms, parsed.terms)


def test_blocks_coded_beside_write_the_bytes_of_blocks_coded_here(sample, monkeypatch, tmp_path):
    # a table sent back whole from the forked process would come back with its text columns
    # rebuilt (one piece each), and written to parquet in other bytes
    from dialogue_analysis.analysis import _stream
    from dialogue_analysis.core.storage import write_parquet

    class Here(_stream.Beside):  # the work done here, when its result is asked for
        def __init__(self, work):
            self.work = work

        def result(self):
            return self.work(), {}

        def close(self):
            pass

    beside_run, _ = _streamed(sample, 37)
    monkeypatch.setattr(_stream, "beside", Here)
    here_run, _ = _streamed(sample, 37)
    passages = [run.coded[0] for run in (beside_run, here_run)]
    paths = [write_parquet(p, tmp_path / f"{i}.parquet") for i, p in enumerate(passages)]
    assert len(passages[0]) > 100
    assert paths[0].read_bytes() == paths[1].read_bytes()


@pytest.mark.parametrize("n_process", [1, 2])
def test_as_many_blocks_coded_beside_at_once_as_processes(sample, monkeypatch, n_process):
    # reading a block back from the parse cache takes about half the time of coding it: with
    # two processes, two blocks are coded beside while this process reads the next ones
    import dataclasses

    from dialogue_analysis.analysis import _stream

    project = dataclasses.replace(sample[0], settings=dataclasses.replace(
        sample[0].settings, n_process=n_process))
    sample = (project, *sample[1:])
    running = []
    add = _stream._BlockCoder.add

    def counted(self, parsed, *, beside_next=False):
        add(self, parsed, beside_next=beside_next)
        running.append(sum(isinstance(b, _stream.Beside) for b in self.blocks))

    monkeypatch.setattr(_stream._BlockCoder, "add", counted)
    out, _ = _streamed(sample, 37)
    assert len(running) > 10 and max(running) == n_process
    whole, _ = _streamed(sample, len(sample[3]))
    _assert_same_coding(out.coded, whole.coded)
