"""Codebook suggestions from planted review decisions: candidate patterns and exclusions."""

from __future__ import annotations

import pandas as pd
import pytest

from dialogue_analysis.coding import (
    DECISION_COLUMNS,
    SUGGESTION_COLUMNS,
    codebook_suggestions,
    read_decisions,
    suggestions_path,
    write_suggestions,
)
from dialogue_analysis.core.stats import hypergeom_test_value

T0 = "2026-01-01T10:00:00+00:00"


def _planted():
    """40 reviewed answers. The analyst added ``channel.phone`` to 6 answers, 4 of which say
    "téléphoner"; the codebook's "soin" fired for ``need.care`` on 6 answers and the analyst
    removed it on 5, while "médecin" fired on 4 answers, all confirmed."""
    rows, terms, matches = [], [], []

    def answer(i, text, decisions, fired=()):
        key = (f"R{i:02d}", "q1")
        terms.append((*key, text))
        for code, dec in decisions:
            rows.append((*key, code, dec, "ana", T0, ""))
        if not decisions:
            rows.append((*key, "", "reviewed", "ana", T0, ""))
        for code, matched in fired:
            matches.append((*key, code, matched))

    i = 0
    for n in range(6):  # missed by the codebook
        words = ("téléphoner conseiller attente", "joindre caf", "numéro surtaxé")[max(0, n - 3)]
        answer(i, words + " personne_1", [("channel.phone", "add")])  # a placeholder's term
        i += 1
    for n in range(6):  # "soin" fires, removed five times
        answer(i, "prendre soin enfant", [("need.care", "remove" if n < 5 else "confirm")],
               [("need.care", "Soin")])
        i += 1
    for _ in range(4):  # "médecin" fires, confirmed
        answer(i, "médecin traitant loin", [("need.care", "confirm")],
               [("need.care", "médecin")])
        i += 1
    while i < 40:  # nothing to say; one mentions "attente"
        answer(i, "attente guichet" if i == 39 else "démarche simple", [])
        i += 1
    decisions = pd.DataFrame(rows, columns=DECISION_COLUMNS)
    return (decisions, pd.DataFrame(terms, columns=["record_id", "question_id", "terms"]),
            pd.DataFrame(matches, columns=["record_id", "question_id", "code", "matched"]))


def test_candidate_patterns_are_the_words_of_the_missed_answers():
    decisions, terms, matches = _planted()
    s = codebook_suggestions(decisions, terms, matches)
    assert list(s.columns) == SUGGESTION_COLUMNS
    pat = s[(s["kind"] == "pattern") & (s["code"] == "channel.phone")].set_index("words")
    # The missed answers' own words, with their pairs; none met once only, no placeholder.
    assert {"téléphoner", "conseiller", "attente", "téléphoner conseiller"} <= set(pat.index)
    assert "joindre" not in pat.index and not any("personne" in w for w in pat.index)
    row = pat.loc["téléphoner"]
    # 4 of the 6 missed answers; none of the 34 reviewed answers without the code.
    assert (row.in_target, row.target, row.in_others, row.others) == (4, 6, 0, 34)
    tv, _ = hypergeom_test_value(4, 6, 4, 40)
    assert row.score == round(float(tv), 2) and row.score > 3
    # "attente" is also said once elsewhere: a lower score than "téléphoner".
    assert pat.loc["attente"].in_others == 1 and pat.loc["attente"].score < row.score
    assert s[s["kind"] == "pattern"]["code"].unique().tolist() == ["channel.phone"]


def test_candidate_exclusions_are_the_matches_the_analyst_removes():
    decisions, terms, matches = _planted()
    s = codebook_suggestions(decisions, terms, matches)
    exc = s[s["kind"] == "exclusion"]
    assert exc["words"].tolist() == ["soin"]  # folded; "médecin" is always confirmed
    row = exc.iloc[0]
    assert (row.code, row.in_target, row.target, row.in_others, row.others) == (
        "need.care", 5, 5, 1, 5)
    assert row.score == round(float(hypergeom_test_value(5, 5, 6, 10)[0]), 2)


def test_the_latest_submission_counts_and_nothing_without_decisions():
    decisions, terms, matches = _planted()
    # A second reviewer, later, confirms "soin" on three of the removed answers.
    later = decisions[(decisions["code"] == "need.care") & (decisions["decision"] == "remove")]
    later = later.head(3).assign(decision="confirm", reviewer="bob",
                                 time="2026-01-02T10:00:00+00:00")
    s = codebook_suggestions(pd.concat([decisions, later]), terms, matches)
    assert s[s["kind"] == "exclusion"].empty  # 2 removed against 4 confirmed: not "mostly"
    empty = codebook_suggestions(decisions.iloc[:0], terms, matches)
    assert empty.empty and list(empty.columns) == SUGGESTION_COLUMNS


def test_suggestions_file_sits_beside_the_decisions(tmp_path):
    config = tmp_path / "raw" / "survey.yaml"
    path = suggestions_path(config, "w1")
    assert path == tmp_path / "raw" / "review" / "w1.suggestions.csv"
    decisions, terms, matches = _planted()
    s = codebook_suggestions(decisions, terms, matches)
    write_suggestions(path, s)
    back = pd.read_csv(path, keep_default_na=False)
    assert back["words"].tolist() == s["words"].tolist()
    assert back["score"].tolist() == pytest.approx(s["score"].tolist())
    assert not list(path.parent.glob(".*.tmp"))
    assert read_decisions(path.parent / "w1.decisions.csv").empty  # nothing else written
