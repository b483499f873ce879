"""The per-question shape: one table per question, each non-empty answer its own record."""

import pytest

from dialogue_analysis.core.errors import ConfigError
from dialogue_analysis.ingest import load_project, read_wave


def _write(tmp_path, extra_table: str = "", attributes: str = ""):
    (tmp_path / "q1.csv").write_text(
        "comment,cluster\nPlus de médecins,a\n,b\nUne poste ouverte le samedi,a\n"
        "Un guichet humain,c\nLa gare,a\n", encoding="utf-8")
    (tmp_path / "q2.csv").write_text("texte\nLes impôts en ligne\nLa carte grise\n",
                                     encoding="utf-8")
    config = tmp_path / "survey.yaml"
    config.write_text(f"""
wave: pq
study: {{unit: contribution}}
shape: per_question
{attributes}
questions:
  - id: a
    column: comment
    table: {{file: q1.csv, ignore_columns: [cluster]{extra_table}}}
  - id: b
    column: texte
    table: {{file: q2.csv}}
""", encoding="utf-8")
    return load_project(config)


def test_each_non_empty_answer_is_a_record_named_by_question_and_row(tmp_path):
    wave = read_wave(_write(tmp_path))
    assert list(wave.records["record_id"]) == ["a-2", "a-4", "a-5", "a-6", "b-2", "b-3"]
    assert list(wave.answers["question_id"]) == ["a"] * 4 + ["b"] * 2
    assert wave.answers.loc[wave.answers["record_id"] == "a-5", "text"].item() == \
        "Un guichet humain"
    assert [w for w in wave.report.problems if w.code == "optional_answer_missing"]
    assert [f.label for f in wave.inputs] == ["q1.csv", "q2.csv"]


def test_sample_every_keeps_the_same_rows_on_every_run(tmp_path):
    project = _write(tmp_path, extra_table=", sample_every: 2")
    first = read_wave(project).records["record_id"].tolist()
    # data rows 2, 4, 6 of q1.csv (rows 3 and 5 unread); q2.csv, not sampled, whole
    assert first == ["a-2", "a-4", "a-6", "b-2", "b-3"]
    assert read_wave(project).records["record_id"].tolist() == first


def test_attributes_are_refused_with_a_pointer_to_the_long_shape(tmp_path):
    with pytest.raises(ConfigError) as err:
        _write(tmp_path, attributes="attributes: {sex: {column: sexe, type: categorical, "
                                    "values: [f, h]}}")
    assert "attributes" in str(err.value) and "shape: long" in str(err.value)


def test_the_summary_counts_words_as_split_does_with_unusual_spaces(tmp_path):
    from dialogue_analysis.ingest import summary_tables

    project = _write(tmp_path)
    wave = read_wave(project)
    texts = ["Plus  de\u00a0médecins", "une\u2003poste\tle\nsamedi  ", "guichet", "La gare",
             "Les impôts\u3000en ligne", "La carte grise"]
    wave.answers["text"] = texts
    table = summary_tables(wave, project)["questions"].set_index("question_id")
    words = [len(t.split()) for t in texts]
    assert words == [3, 4, 1, 2, 4, 3]
    assert table.loc["a", "median_words"] == 2.5  # median of 3, 4, 1, 2
    assert table.loc["b", "median_words"] == 3.5  # median of 4, 3


def test_long_answers_are_tested_for_missing_values_without_filling_the_labels_memo():
    from dialogue_analysis.core.text import label_key
    from dialogue_analysis.ingest import is_missing

    missing = frozenset({label_key("NSP"), label_key("Sans réponse")})
    before = label_key.cache_info().currsize
    long = "Une réponse de plus de soixante-quatre caractères, qui ne manque pas du tout. " * 2
    assert not is_missing(long, missing)
    assert label_key.cache_info().currsize == before
    assert is_missing("  sans  RÉPONSE ", missing) and is_missing(None, missing)
    padded = " " * 70 + "nsp" + " " * 10  # long, yet a missing-value token once folded
    assert is_missing(padded, missing)
