"""Real answers nobody here wrote (../shared/realdata): the long shape, with only a survey config.

``tests/realdata/entendre_la_france.yaml`` points at the files relative to itself; the
``realdata`` fixture skips these tests only where ../shared/realdata is absent.
"""

from pathlib import Path

import pandas as pd
import pytest

from dialogue_analysis import load_project, read_wave, write_wave

CONFIG = Path(__file__).resolve().parents[1] / "realdata" / "entendre_la_france.yaml"
pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def elf(realdata):
    project = load_project(CONFIG)
    assert (
        project.survey.answers.path.resolve()
        == (realdata / "entendre_la_france" / "answers_pre.csv").resolve()
    )
    return project, read_wave(project)


def test_counts_match_the_data_card(elf):
    project, wave = elf
    answers_file, users_file = wave.inputs
    assert answers_file.rows == 13_477  # answer rows read (README: 13,477)
    assert users_file.rows == 12_315
    assert len(wave.records) == 2_538  # one record per respondent who answered
    unmatched = [p for p in wave.report if p.code == "no_respondent"]
    # answers that match a users row: 13,200; of the 277 others, the "?" answer (an empty
    # answer, not kept) is not warned about
    assert answers_file.rows - len(unmatched) - 1 == 13_200
    assert wave.records["record_id"].nunique() == 2_538
    # 13,476 answers: one answer is the single character "?", a missing-value token of the config
    assert len(wave.answers) == 13_476
    assert [p.value for p in wave.report if p.code == "optional_answer_missing"] == ["?"]


def test_detected_encoding_separator_and_line_endings(elf):
    _, wave = elf
    answers_file, users_file = wave.inputs
    assert (answers_file.encoding, answers_file.separator) == ("utf-8", ",")
    assert (users_file.encoding, users_file.separator) == ("utf-8-sig", ";")


def test_unmatched_answers_are_kept_with_empty_attributes(elf):
    _, wave = elf
    unmatched = {p.value for p in wave.report if p.code == "no_respondent"}
    assert len(unmatched) == 60
    records = wave.records.set_index("record_id")
    assert records.loc[sorted(unmatched), "territory"].isna().all()
    assert set(wave.answers["record_id"]) >= unmatched
    assert all(p.severity == "warning" for p in wave.report)


def test_attributes_are_canonical(elf):
    _, wave = elf
    records = wave.records
    assert set(records["territory"].dropna()) == {"urbain", "périurbain", "rural"}
    assert records["age_band"].cat.ordered and "18-24" in set(records["age_band"].dropna())
    # the Excel-mangled "43739" (1-10 read as a date) is mapped back by a synonym
    assert "43739" not in set(records["organisation_size"].dropna())
    assert records["territory"].notna().sum() > 1000
    answers = wave.answers
    assert answers["text"].str.len().max() > 7000
    assert (answers["question_id"] == "OE10").sum() == 694


def test_written_outputs(elf, tmp_path):
    project, wave = elf
    out = write_wave(wave, project, tmp_path)
    interim = project.interim_dir(tmp_path)
    records = pd.read_parquet(interim / "records.parquet")
    assert len(records) == 2_538 and records["record_id"].is_unique
    assert len(pd.read_parquet(interim / "answers.parquet")) == 13_476
    assert not (out / "answers.parquet").exists()  # raw text stays under data/interim
    assert len(pd.read_csv(out / "validation.csv")) == len(wave.report)
