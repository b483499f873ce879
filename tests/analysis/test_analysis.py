import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.analysis import (
    Analysis,
    AnalysisReplaced,
    contrasts,
    load_analysis,
    prevalence,
    priority_table,
    read_analysis_dir,
    save_analysis,
    select_findings,
)
from tests.analysis_fixtures import built_wave, synthetic_analysis


def _tiny():
    # 20 people: 10 "a" (8 raise need.x), 10 "b" (2 raise need.x); need.y raised by 3 "a".
    records = pd.DataFrame({"record_id": [f"r{i:02d}" for i in range(20)],
                            "stakeholder_group": ["a"] * 10 + ["b"] * 10,
                            "territory": ["rural", "urbain"] * 10})
    cm = pd.DataFrame({"need.x": [1] * 8 + [0] * 2 + [1] * 2 + [0] * 8,
                       "need.y": [1] * 3 + [0] * 17},
                      index=pd.Index(records["record_id"], name="record_id"))
    codebook = pd.DataFrame({"code": ["need.x", "need.y"], "family": ["need", "need"],
                             "label_fr": ["X", "Y"], "label_en": ["X", "Y"]})
    return records, cm, codebook


def test_prevalence_counts_and_shares():
    records, cm, _ = _tiny()
    p = prevalence(records, cm, ["stakeholder_group"]).set_index(["dimension", "category", "code"])
    assert p.loc[("all", "all", "need.x"), "count"] == 10
    assert p.loc[("all", "all", "need.x"), "share"] == 0.5
    assert p.loc[("stakeholder_group", "a", "need.x"), ["n", "count"]].tolist() == [10, 8]
    row = p.loc[("stakeholder_group", "b", "need.x")]
    assert row["ci_low"] < row["share"] < row["ci_high"]


def test_contrasts_against_the_others():
    records, cm, _ = _tiny()
    c = contrasts(records, cm, ["stakeholder_group"]).set_index(["category", "code"])
    a = c.loc[("a", "need.x")]
    assert (a["share"], a["share_others"], a["ratio"]) == (0.8, 0.2, pytest.approx(4.0))
    assert a["test_value"] > 2 and a["p_value"] < 0.05
    assert c.loc[("b", "need.x"), "test_value"] < 0
    assert np.isinf(c.loc[("a", "need.y"), "ratio"])  # nobody else raises it


def test_contrasts_leave_out_people_whose_attribute_is_unknown():
    records, cm, _ = _tiny()
    known = contrasts(records, cm, ["stakeholder_group"]).set_index(["category", "code"])
    # 10 more people with no group, all raising need.x: not "others" of a or b
    more = pd.DataFrame({"record_id": [f"u{i:02d}" for i in range(10)],
                         "stakeholder_group": [None] * 10, "territory": ["rural"] * 10})
    records = pd.concat([records, more], ignore_index=True)
    cm = pd.concat([cm, pd.DataFrame({"need.x": [1] * 10, "need.y": [0] * 10},
                                     index=pd.Index(more["record_id"], name="record_id"))])
    c = contrasts(records, cm, ["stakeholder_group"]).set_index(["category", "code"])
    a = c.loc[("a", "need.x")]
    assert (a["n_others"], a["count_others"], a["share_others"]) == (10, 2, 0.2)
    pd.testing.assert_frame_equal(c, known)


def test_findings_skip_small_cells_and_insignificant_contrasts():
    records, cm, codebook = _tiny()
    prev = prevalence(records, cm, ["stakeholder_group"])
    contr = contrasts(records, cm, ["stakeholder_group"])
    f = select_findings(prev, contr, codebook, min_count=5, alpha=0.2)
    assert f["finding"].tolist() == list(range(1, len(f) + 1))
    assert f.iloc[0]["kind"] == "top" and f.iloc[0]["code"] == "need.x"
    contrast = f[f["kind"] == "contrast"]
    # need.x in "a": 8 vs 2 others -> the "others" count (2) is a small cell: not published.
    assert contrast.empty
    f = select_findings(prev, contr, codebook, min_count=2, alpha=0.2)
    assert ("a", "need.x") in set(zip(f["category"], f["code"], strict=True))


def test_priority_breadth_and_strength():
    records, cm, codebook = _tiny()
    prev = prevalence(records, cm, ["stakeholder_group"])
    t = priority_table(prev, codebook, by="stakeholder_group", threshold=0.25, min_count=5)
    t = t.set_index("code")
    assert t.loc["need.x", "n_groups"] == 1 and t.loc["need.x", "breadth"] == 0.5
    assert t.loc["need.x", "y"] == 0.5
    # 3 of 10 "a" = 30 %, but 3 people is a masked cell: counting it would say its side of 25 %
    assert t.loc["need.y", "n_groups"] == 0
    t3 = priority_table(prev, codebook, by="stakeholder_group", threshold=0.25, min_count=3)
    assert t3.set_index("code").loc["need.y", "n_groups"] == 1
    t2 = priority_table(prev, codebook, by="stakeholder_group", importance={"need.y": 4.0})
    assert t2.set_index("code").loc["need.y", "y"] == 4.0


def test_save_and_read_back_every_table(tmp_path):
    a = synthetic_analysis()
    save_analysis(a, tmp_path)
    b = read_analysis_dir(tmp_path)
    assert b.wave == a.wave and b.settings == a.settings
    for name in Analysis.table_names():
        left, right = getattr(a, name), getattr(b, name)
        assert left.shape == right.shape, name
    pd.testing.assert_frame_equal(a.code_matrix, b.code_matrix, check_dtype=False)
    assert b.records["typology_group"].notna().all()
    assert isinstance(b.themes["top_terms"].iloc[0], list)


def test_a_saved_analysis_reads_a_table_when_first_asked_for(tmp_path):
    import copy
    import pickle

    a = synthetic_analysis()
    save_analysis(a, tmp_path)
    b = read_analysis_dir(tmp_path)
    assert not {"passages", "answers", "code_matrix", "terms"} & set(vars(b))  # nothing read
    assert len(b.records) == len(a.records)
    assert "records" in vars(b) and "passages" not in vars(b)  # read once, then kept
    twin = copy.copy(b)  # a copy and a pickled copy read the same files, each for itself
    back = pickle.loads(pickle.dumps(b))
    assert "passages" not in vars(back)
    for c in (b, twin, back):
        pd.testing.assert_frame_equal(c.passages.reset_index(drop=True),
                                      a.passages.reset_index(drop=True), check_dtype=False)
    eager = read_analysis_dir(tmp_path, lazy=False)
    assert not set(Analysis.table_names()) - set(vars(eager))
    for name in Analysis.table_names():
        pd.testing.assert_frame_equal(getattr(b, name), getattr(eager, name))
    b.answers = a.answers.iloc[:3]  # an assigned table is never read over
    assert len(b.answers) == 3
    with pytest.raises(AttributeError):
        _ = b.no_such_table


def test_columns_of_a_table_not_read_yet_come_from_its_file_alone(tmp_path):
    a = synthetic_analysis()
    save_analysis(a, tmp_path)
    b = read_analysis_dir(tmp_path)
    asked = b.columns("answers", "question_id")
    assert "answers" not in vars(b)  # the texts were not read
    assert list(asked.columns) == ["question_id"]
    pd.testing.assert_frame_equal(asked, b.answers.loc[:, ["question_id"]])
    assert "answers" in vars(b)  # read now: its columns come from the table itself
    b.answers = b.answers.assign(question_id="changed")
    assert set(b.columns("answers", "question_id")["question_id"]) == {"changed"}
    codes = list(a.code_matrix.columns[:2])
    from_file = read_analysis_dir(tmp_path).columns("code_matrix", *codes)
    pd.testing.assert_frame_equal(from_file, b.code_matrix.loc[:, codes])  # indexed alike
    assert a.columns("answers", "record_id").equals(a.answers.loc[:, ["record_id"]])


def test_a_table_of_an_analysis_written_again_is_not_read_from_the_new_run(tmp_path):
    a = synthetic_analysis()
    save_analysis(a, tmp_path)
    b = read_analysis_dir(tmp_path)
    records = b.records
    a.passages = a.passages.iloc[:10]
    save_analysis(a, tmp_path)  # another run writes the folder anew
    assert b.records is records  # what was read stays as it was
    with pytest.raises(AnalysisReplaced, match="load the analysis again"):
        _ = b.passages
    assert len(read_analysis_dir(tmp_path).passages) == 10


def test_missing_analysis_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="dialogue-analysis run"):
        read_analysis_dir(tmp_path)


def test_the_session_wave_is_the_whole_pipeline_on_the_sample():
    # The fixture falls back to a synthetic wave where a stage is unavailable; in this repository
    # every stage is there, so the fallback would hide a broken pipeline: it must not happen.
    built = built_wave()
    assert built.full, "the session wave fell back to the synthetic wave"
    a = built.analysis
    assert a.wave == "sample-2018" and len(a.records) == 160 and len(a.answers) == 800
    assert list(a.manifest["stages"]) == ["ingest", "anonymise", "nlp", "coding", "themes",
                                          "typology", "describe", "crosstabs", "map",
                                          "findings", "save"]
    # both kinds of finding, so the report's checks of each kind run (measured: 3 top, 6 contrast)
    assert set(a.findings["kind"]) == {"top", "contrast"}


def test_load_analysis_reads_the_session_run():
    built = built_wave()
    a = load_analysis(built.config, built.root)
    assert len(a.records) == len(built.analysis.records)
    pd.testing.assert_frame_equal(a.findings, built.analysis.findings, check_dtype=False)
    assert load_analysis(built.config, built.root, language="en").language == "en"


def test_manifest_has_stage_parameters_and_timings():
    built = built_wave()
    stages = built.analysis.manifest["stages"]
    for stage in ("anonymise", "nlp", "coding", "themes", "typology", "describe", "crosstabs",
                  "findings"):
        assert stage in stages and stages[stage]["seconds"] >= 0
    assert stages["typology"]["params"]["n_clusters_"] == len(built.analysis.groups)
    assert built.analysis.manifest["inputs"]
    assert built.analysis.manifest["versions"]["pandas"]


def test_full_sample_answers_are_pseudonymised():
    built = built_wave()
    text = " ".join(built.analysis.answers["text"])
    for ident in ("Josiane Lefèvre", "06 47 82 19 33", "josiane.lefevre58@free.fr"):
        assert ident not in text
    assert len(built.analysis.records) == 160


def test_typology_settings_choose_attributes_blocks_and_weights():
    from dialogue_analysis.typology import typology_attribute_types

    records = pd.DataFrame({"record_id": ["a"], "territory": ["rural"], "region": ["Bretagne"],
                            "note": ["x"]})
    attributes = pd.DataFrame({"attribute": ["territory", "region", "note"],
                               "type": ["categorical", "categorical", "text"]})
    assert typology_attribute_types(records, attributes) == {"territory": "categorical",
                                                             "region": "categorical"}
    assert typology_attribute_types(records, attributes, ["territory"]) == {
        "territory": "categorical"}
