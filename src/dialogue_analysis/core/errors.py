"""Errors an analyst can act on: each names the file and the key or cell at fault; the log
where a defect of the toolkit keeps its traceback."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path


class DialogueAnalysisError(Exception):
    """Base class of the toolkit's errors."""


class DialogueAnalysisWarning(UserWarning):
    """Something an analyst should know (e.g. the data allow fewer groups than asked); the
    command line prints each one once."""


class ConfigError(DialogueAnalysisError):
    """A YAML file (survey config, codebook, settings) is invalid.

    Parameters
    ----------
    file : str
        Path of the YAML file.
    key : str
        Dotted path of the key at fault, e.g. ``attributes.territory.values``.
    message : str
        What is wrong and what to do.
    """

    def __init__(self, file: str, key: str, message: str):
        self.file, self.key, self.message = str(file), key, message
        super().__init__(f"{self.file}: {key}: {message}" if key else f"{self.file}: {message}")


LOG_DIR_ENV = "DIALOGUE_ANALYSIS_LOG_DIR"


def bug_log_dir() -> Path:
    """Folder of the logs of unexpected errors: $DIALOGUE_ANALYSIS_LOG_DIR, else
    ``<system temp dir>/dialogue-analysis-logs``."""
    return Path(os.environ.get(LOG_DIR_ENV) or Path(tempfile.gettempdir())
                / "dialogue-analysis-logs")


def write_bug_log(exc: BaseException, version: str) -> Path:
    """Write the traceback of ``exc`` (with the toolkit's version) to a new log file, kept off
    the terminal; return its path."""
    folder = bug_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"error-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(exc))
    path.write_text(f"dialogue-analysis {version}\n{text}", encoding="utf-8")
    return path
