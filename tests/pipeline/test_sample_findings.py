"""The sample wave's report lets an analyst rediscover the reference case's three findings.

The 2018 dialogue the sample imitates published three findings: train social workers and
public-service agents; support the associations; equipment for young people in insertion,
followed by their mission locale. Each must be visible in the run's analysis tables (with its
base, significant after correction) and in the findings report with its numbers, unless those
numbers would single someone out (all the people of a profile but one or two).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dialogue_analysis.cli import app

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"
WAVE = "sample-2018"


@pytest.fixture(scope="module")
def run_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample-findings")
    result = CliRunner().invoke(app, ["run", str(CONFIG), "--root", str(root), "--no-notebooks",
                                      "--no-exports"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def tables(run_root) -> dict[str, pd.DataFrame]:
    folder = run_root / "data" / "processed" / WAVE / "analysis"
    return {name: pd.read_parquet(folder / f"{name}.parquet")
            for name in ("findings", "contrasts", "records")}


@pytest.fixture(scope="module")
def report_text(run_root) -> str:
    page = (run_root / "reports" / WAVE / "findings.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def contrast(tables, dimension: str, category: str, code: str) -> pd.Series:
    c = tables["contrasts"]
    row = c[(c["dimension"] == dimension) & (c["category"] == category) & (c["code"] == code)]
    assert len(row) == 1, (dimension, category, code)
    return row.iloc[0]


def assert_significantly_higher(row: pd.Series, records: pd.DataFrame, *, min_ratio: float):
    # The base is the category's size in the published records, and the others are everyone else.
    assert row["n"] == (records[row["dimension"]] == row["category"]).sum()
    assert row["n"] + row["n_others"] == len(records)
    assert row["p_adjusted"] < 0.05 and row["test_value"] > 2
    assert row["share"] >= min_ratio * row["share_others"]


def assert_reported(report_text: str, row: pd.Series):
    """The report states the category's count on its base and the others' on theirs."""
    ours = f"({int(row['count'])} sur {int(row['n'])})"
    theirs = f"({int(row['count_others'])} sur {int(row['n_others'])})"
    assert re.search(re.escape(ours) + r"[^()]*" + re.escape(theirs), report_text), (ours, theirs)


def test_field_actors_ask_to_train_social_workers_and_agents(tables, report_text):
    row = contrast(tables, "stakeholder_group", "acteurs de terrain", "need.agent_training")
    assert_significantly_higher(row, tables["records"], min_ratio=4)
    assert row["count"] >= 15 and row["count_others"] >= 5  # not a small cell: a key finding
    f = tables["findings"]
    key = f[(f["code"] == "need.agent_training") & (f["category"] == "acteurs de terrain")]
    assert len(key) == 1 and key.iloc[0]["kind"] == "contrast"
    assert_reported(report_text, row)
    assert "Former les travailleurs sociaux et les agents publics" in report_text


def test_associations_ask_for_support_and_funding(tables, report_text):
    row = contrast(tables, "profile", "travailleur associatif", "need.funding")
    assert_significantly_higher(row, tables["records"], min_ratio=2)
    assert row["share"] >= 0.9
    assert_reported(report_text, row)


def test_young_people_in_insertion_need_equipment_and_their_mission_locale(tables, report_text):
    equipment = contrast(tables, "profile", "jeune en insertion", "need.equipment")
    assert_significantly_higher(equipment, tables["records"], min_ratio=1.5)
    assert equipment["share"] >= 0.85
    followed = contrast(tables, "profile", "jeune en insertion", "channel.mission_locale")
    assert_significantly_higher(followed, tables["records"], min_ratio=10)
    # All the young people in insertion but one or a few need equipment and name their mission
    # locale: printing those counts would point at the ones who do not, so the report masks
    # them (the findings stay in the analyst's contrasts table) and no key finding rests on them.
    f = tables["findings"]
    for row in (equipment, followed):
        assert 0 < row["n"] - row["count"] < 5
        assert not ((f["code"] == row["code"]) & (f["category"] == "jeune en insertion")).any()
        assert f"({int(row['count'])} sur {int(row['n'])})" not in report_text
