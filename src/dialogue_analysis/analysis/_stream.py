"""The NLP and coding stages of a run together, a block of answers at a time.

The parse cache is filled first (the model loaded only for texts not in it); then each block of
answers is read back from the cache into its tokens, sentences and terms, its tokens and
sentences appended to ``data/processed/_nlp_tables/<wave>/`` (parquet, one row group per
block), the block coded from them, and everything but its terms, passages and answer x code
rows freed before the next block. Every block but the last is coded in a forked process
(:mod:`~dialogue_analysis.core.beside`) while this one reads the next blocks: as many blocks at
once as ``settings.n_process`` gives processes, since reading a block back from the parse cache
takes about half the time of coding it. The tables are those of the whole wave parsed and coded
at once: every stage's output is per answer.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import StageTimer
from ..core.beside import Beside, beside

# answers parsed and coded together; the tables do not depend on it
BLOCK_ANSWERS = 20_000
# data/processed/<TOKEN_TABLES>/<wave>/: the tokens and sentences of the last run of the wave
TOKEN_TABLES = "_nlp_tables"


@dataclass
class StreamedStages:
    """``terms`` of every answer, the NLP stage's manifest ``params``, the coding stage's
    tables ``coded`` (passages, code matrix, codebook table, parameters, agreement; None when
    it was not asked for) and where the tokens and sentences were written (None: nowhere)."""

    terms: pd.DataFrame
    params: dict
    coded: tuple | None
    token_tables: Path | None


class _StoredParse:
    """What the review reads of the NLP stage (its sentences), read back from parquet."""

    def __init__(self, tables):
        self._tables = tables

    @property
    def sentences(self) -> pd.DataFrame:
        return self._tables.read("sentences", ["record_id", "question_id", "start", "end"])


@contextlib.contextmanager
def adding_time(timer: StageTimer, stage: str) -> Iterator[None]:
    """``timer(stage)``, its wall and CPU seconds added to those of the stage's earlier blocks
    (the peak memory is the process's at the end, as for any stage)."""
    seconds = timer.timings.get(stage)
    cpu = (timer.usage.get(stage) or {}).get("cpu_seconds")
    progress = timer.progress
    if seconds is not None:
        timer.progress = None  # the stage was announced with its first block
    try:
        with timer(stage):
            yield
    finally:
        timer.progress = progress
    if seconds is not None:
        timer.timings[stage] = round(timer.timings[stage] + seconds, 3)
        usage = timer.usage[stage]
        if usage.get("cpu_seconds") is not None and cpu is not None:
            usage["cpu_seconds"] = round(usage["cpu_seconds"] + cpu, 3)


def parse_and_code(pseudo: pd.DataFrame, records: pd.DataFrame, project, root, engine,
                   timer: StageTimer, *, code: bool,
                   block_answers: int | None = None) -> StreamedStages:
    """The NLP stage, and the coding stage when ``code``, over the pseudonymised answers.

    Timed as the stages ``nlp`` and ``coding`` (the sum of their blocks).
    """
    from ..nlp import TokenTables, model_id, parse_answers, parse_model, processes_for

    block_answers = block_answers or BLOCK_ANSWERS
    settings = project.settings
    # No stage reads the noun phrases: the dependency parser, which makes them, is not run.
    options = {"model": parse_model(settings), "root": root, "noun_phrases": False}
    with adding_time(timer, "nlp"):
        # None: the engine's workers fill the cache as each block is parsed
        counts = engine.cache_parses(pseudo, n_process=settings.n_process, **options)
    texts = pseudo["text"].fillna("").astype(str)
    n_texts = int(texts.nunique()) if counts is None else counts.n_texts
    folder = Path(root) / "data" / "processed" / TOKEN_TABLES / project.wave
    tables = TokenTables(folder) if code else None
    at_once = processes_for(settings.n_process, len(pseudo), parallel_from=0)
    coder = _BlockCoder(project, beside_at_once=at_once) if code else None
    terms, n_parsed = [], 0
    try:
        for b0 in range(0, max(len(pseudo), 1), block_answers):
            block = pseudo.iloc[b0:b0 + block_answers]
            with adding_time(timer, "nlp"):
                parsed = parse_answers(block, **options) if counts is not None else \
                    engine.parse_answers(block, n_process=settings.n_process, **options)
                n_parsed += parsed.n_parsed
                terms.append(parsed.terms)
                if tables is not None:
                    tables.append(parsed)
            if coder is not None:
                with adding_time(timer, "coding"):
                    # every block but the last is coded beside this process's next block
                    coder.add(parsed, beside_next=b0 + block_answers < len(pseudo))
            del parsed
    except BaseException:
        if coder is not None:
            coder.close()  # the blocks still being coded are stopped
        raise
    finally:
        if tables is not None:
            tables.close()
    if counts is not None:
        n_parsed = counts.n_parsed
    n_parsed = min(n_parsed, n_texts)
    params = {"model": counts.model if counts is not None else model_id(options["model"]),
              "n_parsed": int(n_parsed), "n_cached": int(n_texts - n_parsed)}
    terms = terms[0] if len(terms) == 1 else pd.concat(terms, ignore_index=True)
    coded = None
    if coder is not None:
        try:
            with adding_time(timer, "coding"):
                coded = coder.finish(pseudo, records, root, _StoredParse(tables))
        finally:
            coder.close()
    return StreamedStages(terms, params, coded, folder if code else None)


class _BlockCoder:
    """The coding stage over consecutive blocks of parsed answers."""

    def __init__(self, project, beside_at_once: int = 1):
        from ..coding import CodeMatcher, load_codebook

        self.project = project
        self.beside_at_once = max(1, beside_at_once)
        self.path = project.require_codebook()
        self.codebook = load_codebook(self.path, language=project.settings.language)
        self.matcher = CodeMatcher(self.codebook)
        # each block's (passages, hits), or the process coding it
        self.blocks: list[tuple[pd.DataFrame, np.ndarray] | Beside] = []

    def add(self, parsed, *, beside_next: bool = False) -> None:
        """Code a block of parsed answers: here, or with ``beside_next`` in a forked process
        while this one parses the next block (the same tables: each answer is coded alone)."""
        from ..coding import code_block, coded_rows

        if beside_next:
            # at most ``beside_at_once`` blocks coded beside at a time: their memory is bounded
            self._collect(running=self.beside_at_once - 1)
            # its passages come back as plain rows, made into the table here as code_block
            # makes it (a table sent whole would come back with its text columns rebuilt)
            self.blocks.append(beside(functools.partial(coded_rows, parsed, self.matcher)))
        else:  # here, while the block before may still be coded beside
            self.blocks.append(code_block(parsed, self.matcher))

    def _collect(self, running: int = 0) -> None:
        """Take the results of the blocks coded beside, oldest first, until at most
        ``running`` of them are still being coded."""
        from ..coding import block_passages

        besides = [i for i, b in enumerate(self.blocks) if isinstance(b, Beside)]
        for i in besides[: max(0, len(besides) - running)]:
            rows, hits = self.blocks[i].result()[0]
            self.blocks[i] = block_passages(rows), hits

    def close(self) -> None:
        """Stop the processes still coding a block."""
        for block in self.blocks:
            if isinstance(block, Beside):
                block.close()

    def finish(self, pseudo: pd.DataFrame, records: pd.DataFrame, root, parse) -> tuple:
        """Passages, record x code matrix, codebook table, parameters and the agreement of the
        codebook with the analyst's review."""
        from ..coding import apply_review, coding_from, nothing_coded_message
        from ..core.errors import DialogueAnalysisWarning

        project, codebook = self.project, self.codebook
        self._collect()
        coded, self.blocks = self.blocks, []
        passages = coded[0][0] if len(coded) == 1 else \
            pd.concat([p for p, _ in coded], ignore_index=True)
        hits = coded[0][1] if len(coded) == 1 else np.concatenate([h for _, h in coded])
        del coded
        answers = pseudo.loc[:, ["record_id", "question_id", "text"]].assign(
            record_id=lambda d: d["record_id"].astype(str),
            question_id=lambda d: d["question_id"].astype(str),
            text=lambda d: d["text"].fillna("").astype(str)).reset_index(drop=True)
        result = coding_from(hits, answers, passages, codebook, records=records, parsed=parse)
        message = nothing_coded_message(answers["text"], len(result.passages),
                                        Path(self.path).name, project.settings.language)
        if message:
            warnings.warn(message, DialogueAnalysisWarning, stacklevel=3)
        table = codebook.table()
        families = {f.id: f for f in codebook.families}
        table["family_label_fr"] = table["family"].map(lambda f: families[f].label_fr)
        table["family_label_en"] = table["family"].map(lambda f: families[f].label_en)
        reviewed = apply_review(result, answers, project, root)
        return reviewed.passages, reviewed.code_matrix, table, {
            "codebook": Path(self.path).name, "n_codes": int(len(table)),
            "n_passages": int(len(reviewed.passages)), **reviewed.params}, reviewed.agreement
