"""Shared fixtures: the package's spaCy pipelines, built once per session, and the real data."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared/realdata beside the checkout; DIALOGUE_ANALYSIS_REALDATA names it elsewhere (a worktree)
REALDATA = Path(os.environ.get("DIALOGUE_ANALYSIS_REALDATA") or REPO.parent / "shared" / "realdata")
SAMPLE_CONFIG = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"


@pytest.fixture(scope="session")
def nlp():
    """The anonymise stage's pipeline, built as ``run`` builds it (once per session), with the
    default settings (``anonymise_model`` and ``person_recogniser``)."""
    from dialogue_analysis.anonymise import load_ner_model
    from dialogue_analysis.ingest import Settings
    from dialogue_analysis.nlp import anonymise_model

    return load_ner_model(anonymise_model(Settings()))


@pytest.fixture(scope="session")
def parse_nlp():
    """The NLP stage's pipeline, built as ``run`` builds it (once per session)."""
    from dialogue_analysis.nlp import build_pipeline

    return build_pipeline("parse")


@pytest.fixture(scope="session")
def realdata() -> Path:
    """``../shared/realdata``; tests that need it are skipped only where it is absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is absent")
    return REALDATA


@pytest.fixture(scope="session")
def sample_config() -> Path:
    return SAMPLE_CONFIG
