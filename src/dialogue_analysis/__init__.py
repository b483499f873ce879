"""dialogue-analysis: from stakeholder-dialogue interviews to an evidence-based findings report."""

__version__ = "0.1.0"

# The version is defined first: the modules below read it for their run manifests.
from .config import Attribute, Project, Question, Settings, SurveyConfig, TableSpec, load_project  # noqa: E402
from .errors import ConfigError, DialogueAnalysisError  # noqa: E402
from .ingest import InputFile, Wave, load_wave, read_wave, write_wave  # noqa: E402
from .pipeline import run, run_ingest, run_summary, summary_markdown, summary_tables  # noqa: E402
from .validation import Problem, ValidationFailed, ValidationReport  # noqa: E402

__all__ = [
    "__version__",
    "Attribute",
    "ConfigError",
    "DialogueAnalysisError",
    "InputFile",
    "Problem",
    "Project",
    "Question",
    "Settings",
    "SurveyConfig",
    "TableSpec",
    "ValidationFailed",
    "ValidationReport",
    "Wave",
    "load_project",
    "load_wave",
    "read_wave",
    "run",
    "run_ingest",
    "run_summary",
    "summary_markdown",
    "summary_tables",
    "write_wave",
]
