"""The run lets go of each spaCy model once no later stage reads text with it."""

import gc
import shutil
import weakref

import pytest

from tests.analysis_fixtures import SAMPLE, pipeline_available

pytestmark = pytest.mark.skipif(not pipeline_available(), reason="spaCy models not installed")


def test_each_model_is_let_go_once_no_later_stage_reads_with_it(tmp_path):
    from dialogue_analysis.analysis import run_analysis
    from dialogue_analysis.ingest import load_project
    from dialogue_analysis.nlp import _model, anonymise_model, build_pipeline, parse_model

    shutil.copytree(SAMPLE, tmp_path / "data" / "raw" / "sample-2018")
    project = load_project(tmp_path / "data" / "raw" / "sample-2018" / "survey.yaml")
    # the very pipelines the run builds (once per process): alive until the run lets them go
    # (built afresh: those of earlier tests may be held by what those tests keep)
    _model.release_models()
    models = [weakref.ref(build_pipeline("anonymise", anonymise_model(project.settings))),
              weakref.ref(build_pipeline("parse", parse_model(project.settings)))]
    seen = {}

    def progress(stage, *_):  # each stage as it starts
        if stage == "nlp":  # the anonymise stage's model is gone, the NLP stage's is not
            gc.collect()
            seen["at the nlp stage"] = [m() is not None for m in models]

    def after_coding(analysis):  # where the exports' process is forked
        gc.collect()
        seen["built"] = len(_model._BUILT)
        seen["alive"] = [m() is not None for m in models]
        seen["records"] = len(analysis.records)

    analysis = run_analysis(project, tmp_path, progress, after_coding=after_coding)
    assert seen == {"at the nlp stage": [False, True], "built": 0, "alive": [False, False],
                    "records": len(analysis.records)}
    assert analysis.manifest["stages"]["anonymise"]["params"]["ner_texts"] > 0  # it did read
    assert len(analysis.records) == 160
