"""The run lets go of its spaCy models once no later stage reads text with one."""

import gc
import shutil
import weakref

import pytest

from tests.analysis_fixtures import SAMPLE, pipeline_available

pytestmark = pytest.mark.skipif(not pipeline_available(), reason="spaCy models not installed")


def test_no_model_is_held_when_the_stages_after_the_coding_fork(tmp_path):
    from dialogue_analysis.analysis import run_analysis
    from dialogue_analysis.ingest import load_project
    from dialogue_analysis.nlp import _model, anonymise_model, build_pipeline, parse_model

    shutil.copytree(SAMPLE, tmp_path / "data" / "raw" / "sample-2018")
    project = load_project(tmp_path / "data" / "raw" / "sample-2018" / "survey.yaml")
    # the very pipelines the run builds (once per process): alive until the run lets them go
    models = [weakref.ref(build_pipeline("anonymise", anonymise_model(project.settings))),
              weakref.ref(build_pipeline("parse", parse_model(project.settings)))]
    seen = {}

    def after_typology(analysis):  # where the exports' process is forked
        gc.collect()
        seen["built"] = _model._built_pipeline.cache_info().currsize
        seen["alive"] = [m() is not None for m in models]
        seen["records"] = len(analysis.records)

    analysis = run_analysis(project, tmp_path, after_typology=after_typology)
    assert seen == {"built": 0, "alive": [False, False], "records": len(analysis.records)}
    assert analysis.manifest["stages"]["anonymise"]["params"]["ner_texts"] > 0  # the model did read
    assert len(analysis.records) == 160
