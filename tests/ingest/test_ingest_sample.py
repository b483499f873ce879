"""The bundled sample wave (data/raw/sample-2018): validates to 160 records, stable bytes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dialogue_analysis import load_project, read_wave, run_ingest
from dialogue_analysis.core import sha256_file

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "sample_wave"
N_RECORDS = 160


def written_interviews() -> int:
    answers = {}
    for part in sorted((TOOLS / "answers").glob("part_*.json")):
        answers.update(json.loads(part.read_text(encoding="utf-8")))
    return len(answers)


@pytest.fixture(scope="module")
def sample_project(sample_config):
    # The sample wave is part of the repository: an incomplete one is a failure, not a skip.
    assert (sample_config.parent / "entretiens_2018.xlsx").is_file()
    assert written_interviews() == N_RECORDS, "tools/sample_wave/answers is incomplete"
    return load_project(sample_config)


def test_sample_wave_validates_to_160_records(sample_project, tmp_path):
    raw = sample_project.raw_dir
    before = {p.name: sha256_file(p) for p in raw.iterdir() if p.is_file()}
    wave = run_ingest(sample_project, tmp_path)
    assert not wave.report.has_errors
    assert len(wave.records) == N_RECORDS and wave.records["record_id"].is_unique
    assert len(wave.answers) == 5 * N_RECORDS
    assert [p.code for p in wave.report] == ["unused_column"]  # the interviewers' initials
    assert {p.name: sha256_file(p) for p in raw.iterdir() if p.is_file()} == before


def test_sample_values_match_the_briefs(sample_project):
    wave = read_wave(sample_project)
    briefs = json.loads((TOOLS / "briefs.json").read_text(encoding="utf-8"))
    records = wave.records.set_index("record_id")
    for brief in briefs:
        row = records.loc[brief["record_id"]]
        assert row["stakeholder_group"] == brief["group"]
        assert row["profile"] == brief["profile"]
        assert row["territory"] == brief["territory"] and row["region"] == brief["region"]
        assert row["age_band"] == brief["age_band"] and row["connection"] == brief["connection"]
        assert set(row["equipment"].split("|")) == set(brief["equipment"])
        assert set(row["critical_services"].split("|")) == set(brief["critical_services"])
        assert row["autonomy"] != row["autonomy"] or int(row["autonomy"]) == brief["autonomy"]
    assert records["autonomy"].isna().sum() == 6  # "NSP"
    assert records["date"].notna().all()
    assert records["date"].min().year == records["date"].max().year == 2018


def test_sample_xlsx_is_up_to_date_and_byte_stable(sample_project, tmp_path):
    # in a process of its own: the builder chooses openpyxl's XML writer before importing it
    out = tmp_path / "a.xlsx"
    subprocess.run([sys.executable, str(TOOLS / "build_xlsx.py"), "--out", str(out)], check=True,
                   capture_output=True)
    committed = sample_project.raw_dir / "entretiens_2018.xlsx"
    assert sha256_file(out) == sha256_file(committed), (
        "rebuild with tools/sample_wave/build_xlsx.py"
    )


def test_planted_identifiers_reach_the_answers_once(sample_project):
    """The fictional personal details the anonymisation stage must remove are in the workbook,
    each exactly once, in the interview its brief names."""
    answers = read_wave(sample_project).answers
    briefs = json.loads((TOOLS / "briefs.json").read_text(encoding="utf-8"))
    planted = [(b["record_id"], b["pii"]["value"]) for b in briefs if "pii" in b]
    assert len(planted) == 14
    for record_id, value in planted:
        text = " ".join(answers.loc[answers["record_id"] == record_id, "text"])
        assert text.count(value) == 1, (record_id, value)
        assert answers["text"].str.contains(value, regex=False).sum() == 1
