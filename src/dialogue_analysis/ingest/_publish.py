"""The ingest stage: read and validate a wave, keep it for the next stages, or say what is wrong."""

from __future__ import annotations

import os
from collections.abc import Callable

from ..core import storage
from ..core.i18n import tr
from ._config import Project
from ._validation import ValidationFailed
from ._wave import Wave, read_wave, write_wave

FAILURE_CSV = "ingest_errors.csv"
FAILURE_MD = "ingest_errors.md"


def ingest_wave(project: Project, root: str | os.PathLike = ".",
                progress: Callable[..., None] | None = None) -> Wave:
    """Read, validate and keep a wave: raw tables under ``root/data/interim/<wave>/``, the
    validation report under ``root/data/processed/<wave>/``.

    On validation errors nothing under ``data/`` changes; the full report, cells withheld, is
    written to ``root/reports/<wave>/ingest_errors.csv`` (and ``.md``) and
    :class:`ValidationFailed` is raised. A later successful ingestion removes that report.
    """
    # The error report is published even when the run's other outputs are discarded.
    failure = storage.unstaged(project.reports_dir(root))
    try:
        wave = read_wave(project, progress=progress)
    except ValidationFailed as exc:
        # reports/ is published: the saved list locates each problem but withholds the cells'
        # contents (the terminal shows them).
        saved = exc.report.redacted()
        # Written beside the previous report, which stays as it was.
        storage.write_text(failure / FAILURE_CSV, saved.to_csv_text(), newline="")
        storage.write_text(failure / FAILURE_MD, saved.to_markdown())
        exc.report_path = failure / FAILURE_CSV
        raise
    if progress is not None:
        path = storage.unstaged(project.processed_dir(root))
        progress(tr("step_write", project.settings.language, path=path))
    write_wave(wave, project, root)
    for name in (FAILURE_CSV, FAILURE_MD):
        (project.reports_dir(root) / name).unlink(missing_ok=True)
    return wave
