"""Survey config (one YAML file per wave, next to the raw files): load, validate, resolve paths.

The survey config maps the analyst's column headers to canonical fields, declares the type of
each attribute (with its allowed values and their synonyms), the record id, the open questions,
the missing-value tokens, where the data is (file, sheet, header row) and its shape (``wide``:
one row per interview; ``long``: an answers table joined to a respondents table). It also holds
the run ``settings`` and the path of the ``codebook``. See docs/survey-config.md.

Every problem of the file itself raises :class:`~dialogue_analysis.errors.ConfigError` naming the
file and the dotted key at fault; problems of the data are reported by the ingestion.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ConfigError
from ..core.i18n import LANGUAGES, tr
from ..core.storage import staged_path
from ._parsing import _parse_survey
from ._settings import Settings, _check_typology_attributes, settings_from_mapping
from ._survey import SurveyConfig
from ._yaml import _read_yaml, _resolve, _Section


@dataclass(frozen=True)
class Project:
    """A wave's survey config, its run settings, its codebook path and its folders.

    Build it with :func:`load_project`.
    """

    config_path: Path
    survey: SurveyConfig
    settings: Settings
    codebook_path: Path | None = None

    @property
    def wave(self) -> str:
        return self.survey.wave

    @property
    def raw_dir(self) -> Path:
        """The folder of the survey config (the wave's raw files); only ever read."""
        return self.config_path.parent

    def processed_dir(self, root: str | os.PathLike = ".") -> Path:
        """``root/data/processed/<wave>`` (its staging folder while a run publishes it)."""
        return staged_path(Path(root) / "data" / "processed" / self.wave)

    def interim_dir(self, root: str | os.PathLike = ".") -> Path:
        """``root/data/interim/<wave>``: raw text kept between stages, as sensitive as data/raw
        (its staging folder while a run publishes it)."""
        return staged_path(Path(root) / "data" / "interim" / self.wave)

    def reports_dir(self, root: str | os.PathLike = ".") -> Path:
        """``root/reports/<wave>`` (its staging folder while a run publishes it)."""
        return staged_path(Path(root) / "reports" / self.wave)

    def require_codebook(self) -> Path:
        """The codebook's path; raises ConfigError if it is not declared or not found.

        The codebook is optional for ingestion: only the stages that code answers call this.
        """
        lang = self.settings.language
        if self.codebook_path is None:
            raise ConfigError(self.config_path, "codebook", tr("codebook_undeclared", lang))
        if not self.codebook_path.is_file():
            raise ConfigError(
                self.config_path, "codebook", tr("codebook_missing", lang, path=self.codebook_path)
            )
        return self.codebook_path

    def with_settings(self, **changes) -> Project:
        """A copy with some settings changed (validated like the YAML), e.g. ``language="en"``."""
        merged = {**dataclasses.asdict(self.settings), **changes}
        settings = settings_from_mapping(merged, str(self.config_path), self.settings.language)
        return dataclasses.replace(self, settings=settings)


def load_project(path: str | os.PathLike, language: str | None = None) -> Project:
    """Load and validate a wave's survey config.

    Parameters
    ----------
    path : str or PathLike
        The survey config (YAML), e.g. ``data/raw/sample-2018/survey.yaml``. Relative paths
        inside it (data files, codebook) are resolved against its folder.
    language : {"fr", "en"}, optional
        Language of the error messages and reports; overrides ``settings.language``.

    Returns
    -------
    Project

    Raises
    ------
    ConfigError
        Naming the file and the key at fault (unknown key, wrong type, missing key...).
    """
    path = Path(path).expanduser().resolve()
    data = _read_yaml(path, language or "fr")
    if language is None:
        declared = (data.get("settings") or {}) if isinstance(data, dict) else {}
        language = declared.get("language") if isinstance(declared, dict) else None
        language = language if language in LANGUAGES else "fr"
    section = _Section(data, str(path), "", language)
    settings = settings_from_mapping(data.get("settings"), str(path), language)
    if language != settings.language:
        settings = dataclasses.replace(settings, language=language)
    survey = _parse_survey(section, path)
    _check_typology_attributes(settings, survey, path, language)
    codebook = section.get("codebook", "str", None)
    codebook_path = _resolve(path, codebook) if codebook else None
    return Project(config_path=path, survey=survey, settings=settings, codebook_path=codebook_path)

