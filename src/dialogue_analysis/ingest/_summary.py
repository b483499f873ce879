"""The first descriptive summary of an ingested wave: who was consulted, answers per question."""

from __future__ import annotations

import os

import pandas as pd

from ..core.i18n import tr, unit_names
from ._config import Project
from ._wave import Wave

SUMMARY_FILE = "summary.md"
SUMMARY_FIELDS = ("stakeholder_group", "profile", "territory", "age_band")



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
    # counted, not split: a list of every word of the wave would weigh ten times its text
    words = answers["text"].str.count(r"\S+")
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
    units = unit_names(project.survey.study.unit, lang)[1]
    lines = [f"# {tr('sum_title', lang, wave=wave.name)}", ""]
    if title:
        lines += [f"*{title}*", ""]
    lines.append(
        tr(
            "sum_counts",
            lang,
            records=len(wave.records),
            units=units,
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
    head = [tr(k, lang, units=units)
            for k in ("sum_question", "sum_answers", "sum_share", "sum_median_words")]
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
