"""Stage orchestration: each stage reads its inputs, computes, and publishes its files atomically.

``run`` executes :data:`STAGES` in order; to add a stage (anonymise, nlp, coding, typology,
report), write a ``_stage_<name>(ctx)`` function that reads what it needs from ``ctx.results``,
writes its outputs, stores its result in ``ctx.results[name]``, and append it to ``STAGES``.
The command line (cli.py) only loads the project, calls these functions and prints.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .core import storage
from .ingest import REPORT_CSV, Project, ValidationFailed, Wave, read_wave, tr, write_wave

Progress = Callable[..., None]

FAILURE_CSV = "ingest_errors.csv"
FAILURE_MD = "ingest_errors.md"
SUMMARY_FILE = "summary.md"
SUMMARY_FIELDS = ("stakeholder_group", "profile", "territory", "age_band")


@dataclass
class RunContext:
    """What the stages share: the project, the output root, the progress callback, the results."""

    project: Project
    root: Path
    progress: Progress | None = None
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def language(self) -> str:
        return self.project.settings.language

    def step(self, code: str, **params) -> None:
        if self.progress is not None:
            self.progress(tr(code, self.language, **params))


def run_ingest(
    project: Project, root: str | os.PathLike = ".", progress: Progress | None = None
) -> Wave:
    """Read, validate and publish a wave under ``root/data/processed/<wave>/``.

    On validation errors nothing under ``data/processed`` changes; the full report is written to
    ``root/reports/<wave>/ingest_errors.csv`` (and ``.md``) and :class:`ValidationFailed` is
    raised. A later successful ingestion removes that stale error report.

    Parameters
    ----------
    project : Project
    root : path, default "."
        Folder under which ``data/processed/`` and ``reports/`` are written.
    progress : callable, optional
        Called with a short description of each step.

    Returns
    -------
    Wave
    """
    ctx = RunContext(project, Path(root), progress)
    return _stage_ingest(ctx)


def run_summary(
    project: Project, wave: Wave, root: str | os.PathLike = ".", progress: Progress | None = None
) -> str:
    """Write ``root/reports/<wave>/summary.md`` (first descriptive summary) and return its text."""
    ctx = RunContext(project, Path(root), progress, {"ingest": wave})
    return _stage_summary(ctx)


@contextlib.contextmanager
def publishing(project: Project, root: str | os.PathLike = ".", *, seed: bool = False):
    """Publish ``data/interim/<wave>``, ``data/processed/<wave>`` and ``reports/<wave>`` together
    when the block ends.

    Everything the block writes there goes to staging folders (see
    :func:`storage.staged_dirs`), swapped in only if the block succeeds: a failed, interrupted
    or killed run leaves the previous tables and report as they were, and the next run removes
    what a killed one left. With ``seed`` the block starts from a copy of the published folders
    (the ``report`` command rewrites the report and keeps the tables); otherwise from empty
    folders, so that nothing of an earlier run survives beside the new outputs. The NLP cache
    (``data/processed/_nlp_cache``) is not part of it.
    """
    finals = [project.interim_dir(root), project.processed_dir(root), project.reports_dir(root)]
    with storage.staged_dirs(finals, seed=seed):
        yield


def run(
    project: Project,
    root: str | os.PathLike = ".",
    progress: Progress | None = None,
    stages: list[str] | None = None,
) -> RunContext:
    """Run the pipeline's stages in order (all of :data:`STAGES` unless ``stages`` names some).

    Returns
    -------
    RunContext
        ``ctx.results`` holds each stage's result by name (``"ingest"``: the Wave,
        ``"summary"``: the summary's Markdown text).
    """
    known = [name for name, _ in STAGES]
    unknown = sorted(set(stages or ()) - set(known))
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; stages: {known}")
    ctx = RunContext(project, Path(root), progress)
    for name, stage in STAGES:
        if stages is None or name in stages:
            ctx.results[name] = stage(ctx)
    return ctx


def _stage_ingest(ctx: RunContext) -> Wave:
    project = ctx.project
    # The error report is published even when the run's other outputs are discarded.
    failure = storage.unstaged(project.reports_dir(ctx.root))
    try:
        wave = read_wave(project, progress=ctx.progress)
    except ValidationFailed as exc:
        # reports/ is published: the saved list locates each problem but withholds the cells'
        # contents (the terminal shows them).
        saved = exc.report.redacted()
        # Written beside the previous report, which stays as it was.
        storage.write_text(failure / FAILURE_CSV, saved.to_csv_text(), newline="")
        storage.write_text(failure / FAILURE_MD, saved.to_markdown())
        exc.report_path = failure / FAILURE_CSV
        raise
    ctx.step("step_write", path=storage.unstaged(project.processed_dir(ctx.root)))
    write_wave(wave, project, ctx.root)
    for name in (FAILURE_CSV, FAILURE_MD):
        (project.reports_dir(ctx.root) / name).unlink(missing_ok=True)
    return wave


def _stage_summary(ctx: RunContext) -> str:
    ctx.step("step_summary")
    wave = ctx.results["ingest"]
    report_path = storage.unstaged(ctx.project.processed_dir(ctx.root)) / REPORT_CSV
    text = summary_markdown(wave, ctx.project, report_path=report_path)
    storage.write_text(ctx.project.reports_dir(ctx.root) / SUMMARY_FILE, text)
    return text


# Later stages (anonymise, nlp, code, topics, typology, report) are appended here, in order.
STAGES: list[tuple[str, Callable[[RunContext], Any]]] = [
    ("ingest", _stage_ingest),
    ("summary", _stage_summary),
]


# ----------------------------------------------------------------------------------------------
# First descriptive summary
# ----------------------------------------------------------------------------------------------


def summary_tables(wave: Wave, project: Project) -> dict[str, pd.DataFrame]:
    """Counts by stakeholder group, profile, territory, age band; answers per question.

    Returns
    -------
    dict of DataFrame
        One table per declared field among :data:`SUMMARY_FIELDS` (columns ``value``, ``n``,
        ``pct``, in declared order, missing last) and ``"questions"`` (``question_id``,
        ``label``, ``answers``, ``pct``, ``median_words``).
    """
    records, answers = wave.records, wave.answers
    tables = {}
    for name in SUMMARY_FIELDS:
        attr = project.survey.attribute(name)
        if attr is not None and name in records:
            tables[name] = _counts(records[name], list(attr.values))
    words = answers["text"].str.split().str.len()
    per_question = []
    n = max(len(records), 1)
    for question in project.survey.questions:
        mask = answers["question_id"] == question.id
        count = int(mask.sum())
        median = float(words[mask].median()) if count else float("nan")
        per_question.append((question.id, question.label, count, round(100 * count / n, 1), median))
    tables["questions"] = pd.DataFrame(
        per_question, columns=["question_id", "label", "answers", "pct", "median_words"]
    )
    return tables


def _counts(series: pd.Series, order: list[str]) -> pd.DataFrame:
    counts = series.astype(object).value_counts(dropna=False)
    values = [v for v in order if v in counts.index] + [
        v for v in counts.index if v not in order and not pd.isna(v)
    ]
    rows = [(v, int(counts[v])) for v in values]
    missing = int(series.isna().sum())
    if missing:
        rows.append((None, missing))
    frame = pd.DataFrame(rows, columns=["value", "n"])
    frame["pct"] = (100 * frame["n"] / max(len(series), 1)).round(1)
    return frame


def summary_markdown(
    wave: Wave, project: Project, report_path: str | os.PathLike | None = None
) -> str:
    """The summary as Markdown (printed by ``dialogue-analysis run``, saved as summary.md)."""
    lang = project.settings.language
    tables = summary_tables(wave, project)
    title = project.survey.title
    lines = [f"# {tr('sum_title', lang, wave=wave.name)}", ""]
    if title:
        lines += [f"*{title}*", ""]
    lines.append(
        tr(
            "sum_counts",
            lang,
            records=len(wave.records),
            answers=len(wave.answers),
            questions=len(project.survey.questions),
        )
    )
    if "date" in wave.records and wave.records["date"].notna().any():
        dates = wave.records["date"].dropna()
        lines.append(
            tr("sum_dates", lang, first=f"{dates.min():%d/%m/%Y}", last=f"{dates.max():%d/%m/%Y}")
        )
    warnings = len(wave.report.warnings)
    if warnings and report_path is not None:
        lines.append(tr("sum_warnings", lang, warnings=warnings, path=report_path))
    for name in SUMMARY_FIELDS:
        if name in tables:
            label = tr(f"field_{name}", lang)
            lines += ["", f"## {tr('sum_by', lang, field=label)}", ""]
            lines += _md_counts(tables[name], lang)
    lines += ["", f"## {tr('sum_questions', lang)}", ""]
    head = [tr(k, lang) for k in ("sum_question", "sum_answers", "sum_share", "sum_median_words")]
    lines += ["| " + " | ".join(head) + " |", "|---|---:|---:|---:|"]
    for row in tables["questions"].itertuples(index=False):
        label = (
            row.question_id if row.label == row.question_id else f"{row.question_id} – {row.label}"
        )
        median = "" if pd.isna(row.median_words) else f"{row.median_words:g}"
        lines.append(f"| {label} | {row.answers} | {row.pct:g} | {median} |")
    return "\n".join(lines) + "\n"


def _md_counts(frame: pd.DataFrame, lang: str) -> list[str]:
    head = [tr(k, lang) for k in ("sum_value", "sum_n", "sum_pct")]
    lines = ["| " + " | ".join(head) + " |", "|---|---:|---:|"]
    for value, n, pct in frame.itertuples(index=False):
        shown = tr("sum_missing", lang) if value is None or pd.isna(value) else str(value)
        lines.append(f"| {shown} | {n} | {pct:g} |")
    return lines
