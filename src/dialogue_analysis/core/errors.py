"""Errors an analyst can act on: each names the file and the key or cell at fault."""

from __future__ import annotations


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
