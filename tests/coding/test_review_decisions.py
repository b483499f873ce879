"""The analyst's review as an input: decisions file, review sample, agreement, use by `run`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from dialogue_analysis.coding import (
    agreement_table,
    cohen_kappa,
    decisions_path,
    read_decisions,
    reviewed_codes,
    submit_answer,
)
from dialogue_analysis.core.errors import ConfigError
from dialogue_analysis.review import review_sample

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw" / "sample-2018"


def test_submit_answer_writes_confirm_remove_add_and_replaces_earlier(tmp_path):
    path = decisions_path(tmp_path / "survey.yaml", "w1")
    assert path == tmp_path / "review" / "w1.decisions.csv"
    submit_answer(path, "r1", "q1", "ana", ["a", "b"], ["a", "c"], memo="ok", time="t1")
    back = read_decisions(path)
    assert back[["code", "decision"]].values.tolist() == [
        ["a", "confirm"], ["b", "remove"], ["c", "add"]]
    assert set(back["memo"]) == {"ok"} and set(back["reviewer"]) == {"ana"}
    # A later submission by the same reviewer replaces the earlier one; another reviewer's stays.
    submit_answer(path, "r1", "q1", "ana", ["a", "b"], [], time="t2")
    submit_answer(path, "r1", "q1", "bob", ["a", "b"], ["b"], time="t3")
    submit_answer(path, "r2", "q1", "ana", [], [], time="t4")
    back = read_decisions(path)
    assert len(back) == 5
    assert reviewed_codes(back, reviewer="ana") == {("r1", "q1"): set(), ("r2", "q1"): set()}
    # The latest submission on an answer counts.
    assert reviewed_codes(back) == {("r1", "q1"): {"b"}, ("r2", "q1"): set()}
    assert not list(path.parent.glob(".*.tmp"))  # written atomically, nothing left beside it


def test_bad_decisions_file_names_the_row_and_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("record_id,question_id,code,decision,reviewer,time,memo\n"
                    "r1,q1,a,confirm,ana,t,\nr1,q1,b,maybe,ana,t,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="row 3, column decision.*'maybe'"):
        read_decisions(path)
    path.write_text("record_id,question_id,code,decision,reviewer,time,memo\n"
                    "r1,q1,zz,add,ana,t,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="row 2, column code.*'zz' is not a code"):
        read_decisions(path, codes=["a", "b"])
    path.write_text("record_id,code\nr1,a\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing"):
        read_decisions(path)


def test_agreement_per_code_and_overall_match_hand_counts_and_sklearn():
    keys = [("r", str(i)) for i in range(10)]
    pred = {k: ({"a"} if i < 6 else set()) | ({"b"} if i % 2 else set())
            for i, k in enumerate(keys)}
    ref = {k: ({"a"} if i < 4 or i == 9 else set()) | ({"b"} if i % 2 else set())
           for i, k in enumerate(keys)}
    t = agreement_table(pred, ref, ["a", "b"]).set_index("code")
    a = t.loc["a"]
    assert (a.tp, a.fp, a.fn, a.tn) == (4, 2, 1, 3)
    assert a.precision == pytest.approx(4 / 6) and a.recall == pytest.approx(4 / 5)
    assert a.f1 == pytest.approx(8 / 11)
    y_pred = [int("a" in pred[k]) for k in keys]
    y_ref = [int("a" in ref[k]) for k in keys]
    assert a.kappa == pytest.approx(cohen_kappa_score(y_ref, y_pred))
    assert a.precision_low < a.precision < a.precision_high
    assert t.loc["b"].kappa == pytest.approx(1.0)
    overall = t.loc["(overall)"]
    assert (overall.tp, overall.fp, overall.fn, overall.tn) == (9, 2, 1, 8)
    assert cohen_kappa(0, 0, 0, 10) != cohen_kappa(0, 0, 0, 10)  # undefined: NaN


def test_review_sample_is_seeded_and_stratified_by_question():
    answers = pd.DataFrame({"record_id": [str(i) for i in range(300)],
                            "question_id": ["q1"] * 200 + ["q2"] * 80 + ["q3"] * 20,
                            "text": ["réponse"] * 299 + [""]})
    s = review_sample(answers, target=50, seed=3)
    assert len(s) == 50 and s["rank"].tolist() == list(range(1, 51))
    # 50 x (200, 80, 19) / 299 = 33.4, 13.4, 3.2: largest remainder to q1.
    assert s.groupby("question_id").size().to_dict() == {"q1": 34, "q2": 13, "q3": 3}
    assert not s.duplicated(["record_id", "question_id"]).any()
    assert s.equals(review_sample(answers, target=50, seed=3))
    assert set(s["record_id"]) != set(review_sample(answers, target=50, seed=4)["record_id"])
    assert "299" not in set(s["record_id"])  # empty answers are never drawn


@pytest.fixture(scope="module")
def reviewed_run(tmp_path_factory):
    """The sample wave run with a decisions file beside its config."""
    from dialogue_analysis.analysis import run_analysis
    from dialogue_analysis.ingest import load_project

    base = tmp_path_factory.mktemp("reviewed")
    raw = base / "raw"
    shutil.copytree(SAMPLE, raw)
    project = load_project(raw / "survey.yaml")
    root = base / "out"
    first = run_analysis(project, root)
    passages = first.passages
    answers = first.answers.reset_index(drop=True)
    auto = passages.groupby(["record_id", "question_id"])["code"].apply(set).to_dict()
    codes = first.codebook["code"].tolist()
    path = decisions_path(project.config_path, project.wave)
    coded = sorted(auto)[:6]
    removed = {k: sorted(auto[k])[0] for k in coded[:3]}
    for k in coded[:3]:  # remove one automatic code
        submit_answer(path, *k, "ana", sorted(auto[k]), sorted(auto[k] - {removed[k]}))
    plain = [tuple(r) for r in answers[["record_id", "question_id"]].itertuples(index=False)
             if tuple(r) not in auto][:3]
    added = {k: codes[-1] for k in plain}
    for k in plain:  # add a code the codebook missed
        submit_answer(path, *k, "ana", [], [added[k]])
    for k in coded[3:]:  # confirm everything
        submit_answer(path, *k, "ana", sorted(auto[k]), sorted(auto[k]))
    second = run_analysis(project, root)
    return first, second, removed, added, path


def test_run_carries_the_analysts_codes_with_their_origin(reviewed_run):
    first, second, removed, added, path = reviewed_run
    assert path.is_file() and "reports" not in path.parts
    p = second.passages
    assert set(p["origin"]) == {"codebook", "analyst"}
    have = set(zip(p["record_id"], p["question_id"], p["code"], strict=False))
    for (r, q), code in removed.items():
        assert (r, q, code) not in have
    for (r, q), code in added.items():
        row = p[(p["record_id"] == r) & (p["question_id"] == q) & (p["code"] == code)]
        assert row["origin"].tolist() == ["analyst"]
        assert second.code_matrix.loc[r, code] == 1
        assert row["evidence"].iloc[0] in set(second.answers["text"])  # pseudonymised text
    # Unreviewed answers keep the codebook's passages.
    # (one passage per sentence: a removed code loses all its passages in the answer).
    f = first.passages
    lost = sum(((f["record_id"] == r) & (f["question_id"] == q) & (f["code"] == c)).sum()
               for (r, q), c in removed.items())
    assert lost >= len(removed)
    assert len(p[p["origin"] == "codebook"]) == len(f) - lost


def test_agreement_is_published_in_workbook_and_methodology(reviewed_run, tmp_path):
    from dialogue_analysis.report import render_html, workbook_tables  # noqa: F401

    _, second, removed, added, _ = reviewed_run
    t = second.coding_agreement
    overall = t[(t["comparison"] == "codebook / analyst") & (t["code"] == "(overall)")].iloc[0]
    assert overall.fp == len(removed) and overall.fn == len(added)
    assert overall.tp >= 3 and overall.n == 9 * len(second.codebook)
    sheets = workbook_tables(second)
    assert sheets["coding_agreement"].shape[0] == len(t)
    html = render_html(second, language="fr")
    assert "Accord du codage avec la relecture" in html and "Ensemble (micro)" in html
    stages = second.manifest["stages"]["coding"]["params"]
    assert stages["reviewed_answers"] == 9 and stages["review_file"] == "sample-2018.decisions.csv"


def test_reviewers_agreement_is_computed_without_their_names(tmp_path):
    from dialogue_analysis.coding import reviewer_agreement

    path = tmp_path / "review" / "w.decisions.csv"
    for i in range(6):
        submit_answer(path, f"r{i}", "q1", "zoé", ["a"], ["a"] if i < 4 else [], time="t1")
        submit_answer(path, f"r{i}", "q1", "yann", ["a"], ["a"] if i < 3 else [], time="t2")
    submit_answer(path, "r9", "q1", "yann", [], ["a"], time="t3")  # reviewed by one only
    t = reviewer_agreement(read_decisions(path), ["a"]).set_index("code")
    row = t.loc["a"]
    assert row.comparison == "reviewer 1 / reviewer 2"  # yann, zoé: names never published
    assert (row.tp, row.fp, row.fn, row.tn) == (3, 0, 1, 2) and row.n == 6
    assert row.kappa == pytest.approx(cohen_kappa_score([1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 0, 0]))
