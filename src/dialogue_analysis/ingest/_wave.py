"""Ingestion: read a wave's files, validate them against the survey config, build the tables.

:func:`read_wave` reads Excel (any sheet, header on any row, formulas read as their saved
values), CSV (encoding and separator detected, any line endings, quoted multi-line cells) and
JSON (a list of objects), in the wide shape (one row per interview) or the long shape (an answers
table joined to a respondents table). It returns the canonical ``records`` and ``answers`` and a
validation report listing every problem at once. :func:`write_wave` keeps them, raw text and
all, under ``<root>/data/interim/<wave>/`` (as sensitive as the raw files) and only what holds no
cell's content under ``<root>/data/processed/<wave>/``; the raw files are only ever read.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from .. import __version__
from ..core import storage
from ._cells import Progress, _Context
from ._config import Project
from ._readers import InputFile, _read_table
from ._tables import (
    _answers_frame,
    _build_long,
    _build_wide,
    _empty_answer,
    _empty_tables,
    _locate,
    _long_answer_headers,
    _records_frame,
    _respondent_headers,
    _wide_headers,
)
from ._validation import (
    ValidationFailed,
    ValidationReport,
    answer_text,
    is_missing,
    report_from_frame,
)

RECORDS_FILE = "records.parquet"
ANSWERS_FILE = "answers.parquet"
MANIFEST_FILE = "manifest.json"
REPORT_CSV = "validation.csv"
REPORT_MD = "validation.md"
INTERIM_README = "README.md"
# What the anonymise stage found in each raw text, by text hash: kept from one ingestion and
# one run to the next, so that a rerun reads only the new texts with the model.
ANONYMISE_CACHE = "_anonymise_cache"
INTERIM_README_TEXT = """\
# data/interim/{wave}: sensitive, never published

This folder is as sensitive as the raw interview files (data/raw/). It holds the answers of wave
{wave} as they were typed, before pseudonymisation: names, phone numbers, e-mail addresses,
social security numbers (NIR), bank accounts (IBAN), addresses may all be in it.

- records.parquet, answers.parquet: the validated tables, raw text ({config} says which columns).
- validation.csv: the full validation report, with the contents of the cells it points at.
- _anonymise_cache/: where the anonymise stage found identifiers in each answer, by a hash of
  the raw text, so that a rerun reads only new answers with the model (delete it at will).

dialogue-analysis writes this folder at each ingestion and reads it to pseudonymise the answers;
every other stage reads the pseudonymised tables of data/processed/{wave}/. Do not share, copy
or publish anything from here; keep it where the raw files are kept, with the same access
rights, and delete it with them. This README is rewritten at each ingestion.
"""


@dataclass
class Wave:
    """A validated wave: ``records`` (one row per interview), ``answers`` (one row per
    non-empty answer), the validation ``report`` and the ``inputs`` read."""

    name: str
    records: pd.DataFrame
    answers: pd.DataFrame
    report: ValidationReport
    inputs: tuple[InputFile, ...] = ()
    config_sha256: str = ""
    manifest: dict = field(default_factory=dict)


def read_wave(
    project: Project,
    *,
    language: str | None = None,
    progress: Progress | None = None,
    raise_on_error: bool = True,
) -> Wave:
    """Read and validate a wave's files; build the canonical ``records`` and ``answers``.

    Nothing is written: see :func:`write_wave` to publish the tables.

    Parameters
    ----------
    project : Project
        From :func:`~dialogue_analysis.load_project`.
    language : {"fr", "en"}, optional
        Language of the report's messages (default: ``project.settings.language``).
    progress : callable, optional
        Called with a short description of each step (for a progress display).
    raise_on_error : bool, default True
        When False, return the wave even if the report has errors (values in error are NA);
        useful to explore a messy file in a notebook.

    Returns
    -------
    Wave

    Raises
    ------
    ValidationFailed
        If the report has errors (and ``raise_on_error``); ``exc.report`` lists all problems.
    ConfigError
        If a data file or sheet named by the config does not exist.
    """
    survey = project.survey
    lang = language or project.settings.language
    report = ValidationReport(language=lang)
    ctx = _Context(survey, report, lang, survey.missing_keys, progress)
    if survey.shape == "wide":
        table, info = _read_table(survey.table, ctx, _wide_headers(survey))
        records, answers = _build_wide(table, ctx) if table else _empty_tables(survey)
        inputs = (info,)
    elif survey.shape == "per_question":
        records, answers, inputs = _read_per_question(ctx)
    else:
        answers_table, info_a = _read_table(survey.answers, ctx, _long_answer_headers(survey))
        resp_table, info_r = _read_table(survey.respondents, ctx, _respondent_headers(survey))
        inputs = (info_a, info_r)
        if answers_table and resp_table:
            records, answers = _build_long(answers_table, resp_table, ctx)
        else:
            records, answers = _empty_tables(survey)
    ctx.step("step_validate")
    wave = Wave(survey.wave, records, answers, report, inputs, survey.content_sha256)
    if report.has_errors and raise_on_error:
        raise ValidationFailed(report)
    return wave


def write_wave(wave: Wave, project: Project, root: str | Path = ".") -> Path:
    """Keep a validated wave for the next stages, its raw text apart from the shared tables.

    The tables still hold the answers as they were typed (names, phones, e-mails...), so they go
    to ``root/data/interim/<wave>/`` (``records.parquet``, ``answers.parquet``, the full
    ``validation.csv`` and a README saying the folder is as sensitive as ``data/raw/``).
    ``root/data/processed/<wave>/`` gets what holds no cell of the file: ``validation.csv``
    (``;``, UTF-8 with BOM, opens in Excel) and ``validation.md`` with the cells' contents
    withheld, and ``manifest.json`` (inputs' SHA-256, config hash, versions, row counts). The
    pseudonymised canonical tables are written there by the anonymise stage
    (:func:`write_pseudonymised`); those of an earlier ingestion are removed here. Each folder
    is written all files together or none.
    Files of an earlier ingestion that this one does not write are removed (the analysis
    sub-folder, written by a later stage, is kept); if anything fails, the previous outputs are
    left as they were.

    Returns
    -------
    Path
        The wave's processed folder.
    """
    interim, out = project.interim_dir(root), project.processed_dir(root)
    shared = wave.report.redacted()
    # What a later stage wrote (analysis/) is kept; the canonical tables of an earlier ingestion
    # are not: the anonymise stage writes this one's.
    own = (RECORDS_FILE, ANSWERS_FILE, REPORT_CSV, REPORT_MD, MANIFEST_FILE)
    later = [p.name for p in out.iterdir() if p.name not in own] if out.is_dir() else []
    # Both folders are staged until every file is written: a failure changes neither.
    with (storage.staged_dir(interim, keep=[ANONYMISE_CACHE]) as private,
          storage.staged_dir(out, keep=later) as stage):
        wave.records.to_parquet(private / RECORDS_FILE, index=False)
        wave.answers.to_parquet(private / ANSWERS_FILE, index=False)
        (private / REPORT_CSV).write_text(wave.report.to_csv_text(), encoding="utf-8", newline="")
        (private / INTERIM_README).write_text(interim_readme(project), encoding="utf-8")
        (stage / REPORT_CSV).write_text(shared.to_csv_text(), encoding="utf-8", newline="")
        (stage / REPORT_MD).write_text(shared.to_markdown(), encoding="utf-8")
        manifest = build_manifest(wave, project)
        # Keyed by the path under root: data/interim/<wave>/... and data/processed/<wave>/...
        manifest["outputs"] = {
            f"data/{kind}/{project.wave}/{name}": storage.sha256_file(base / name)
            for kind, base, names in (
                ("interim", private, (RECORDS_FILE, ANSWERS_FILE, REPORT_CSV)),
                ("processed", stage, (REPORT_CSV, REPORT_MD)),
            )
            for name in names
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        (stage / MANIFEST_FILE).write_text(text, encoding="utf-8")
    wave.manifest = manifest
    return out


def interim_readme(project: Project) -> str:
    """The README written in ``data/interim/<wave>/`` each time the wave is ingested."""
    return INTERIM_README_TEXT.format(wave=project.wave, config=project.config_path.name)


def write_pseudonymised(
    records: pd.DataFrame, answers: pd.DataFrame, project: Project, root: str | Path = "."
) -> Path:
    """Write the canonical tables of ``data/processed/<wave>/`` (the anonymise stage's output).

    ``answers`` must be pseudonymised and ``records`` hold no free-text attribute: these are the
    tables analysts share. Each file is replaced in one rename.
    """
    out = project.processed_dir(root)
    storage.write_parquet(records, out / RECORDS_FILE)
    storage.write_parquet(answers, out / ANSWERS_FILE)
    return out


def load_wave(project: Project, root: str | Path = ".") -> Wave:
    """Read back a wave kept by :func:`write_wave` (raw text, no re-validation).

    Raises FileNotFoundError when the wave was not ingested under ``root``.
    """
    folder = project.interim_dir(root)
    records = pd.read_parquet(folder / RECORDS_FILE)
    answers = pd.read_parquet(folder / ANSWERS_FILE)
    manifest_path = project.processed_dir(root) / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    frame = pd.read_csv(
        folder / REPORT_CSV, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    frame = frame.replace("", None)
    report = report_from_frame(frame, project.settings.language)
    return Wave(
        project.wave, records, answers, report, (), manifest["config"]["content_sha256"], manifest
    )


def build_manifest(wave: Wave, project: Project) -> dict:
    """Run manifest of an ingestion: what was read, with what, giving how many rows."""
    model, ner_model = project.settings.spacy_model, project.settings.anonymise_model
    return {
        "stage": "ingest",
        "wave": wave.name,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "package": {"name": "dialogue-analysis", "version": __version__},
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in ("pandas", "pyarrow", "openpyxl")},
        "spacy_model": {"name": model, "version": _version(model)},
        "anonymise_model": {"name": ner_model, "version": _version(ner_model)},
        "config": {
            "file": project.config_path.name,
            "sha256": storage.sha256_file(project.config_path),
            "content_sha256": project.survey.content_sha256,
        },
        "inputs": [i.to_manifest() for i in wave.inputs],
        "rows": {"records": len(wave.records), "answers": len(wave.answers)},
        "validation": {"errors": len(wave.report.errors), "warnings": len(wave.report.warnings)},
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None

def raw_headers(project) -> list[str] | None:
    """Headers of a wave's raw table as read by the ingestion (None if it cannot be read)."""
    try:
        survey = project.survey
        spec = survey.table if survey.shape == "wide" else survey.respondents
        wanted = (_wide_headers(survey) if survey.shape == "wide"
                  else _respondent_headers(survey))
        ctx = _Context(survey, ValidationReport(), "fr", survey.missing_keys)
        table, _ = _read_table(spec, ctx, wanted)
        return [str(h) for h in table.headers if h is not None and str(h).strip()] if table else None
    except Exception:  # noqa: BLE001 - the raw headers only add detail to the drift report
        return None


# -- per-question shape: one table per question, one row per contribution, no respondent key


def _read_per_question(ctx: _Context):
    """Each non-empty answer is its own record, ``<question id>-<row>`` (row as the analyst
    sees it in the file): nothing links two answers to one person."""
    ids, rows, inputs = [], [], []
    for i, question in enumerate(ctx.survey.questions):
        table, info = _read_table(question.table, ctx, [question.column])
        inputs.append(info)
        if table is None:
            continue
        columns = _locate(table, [(f"questions[{i}].column", question.column)], ctx)
        if question.column not in columns:
            continue
        index = columns[question.column]
        for row_number, row in zip(table.rows, table.cells, strict=True):
            text = answer_text(row[index])
            if is_missing(text, ctx.missing):
                _empty_answer(table, row_number, question, text, ctx)
                continue
            rid = f"{question.id}-{row_number}"
            ids.append(rid)
            rows.append((rid, question.id, text))
    return _records_frame(ctx.survey, ids, {}), _answers_frame(rows), tuple(inputs)
