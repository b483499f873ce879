"""Command line: exit codes, messages, outputs under --root."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from tests.ingest.test_ingest import HEADER, ROWS, write_config, write_csv

runner = CliRunner()


@pytest.fixture
def wave_config(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "entretiens.csv", [HEADER] + ROWS)
    return write_config(raw, "entretiens.csv")


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_help_speaks_to_analysts():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "ingest" in result.output and "run" in result.output
    assert "configuration d'enquête" in " ".join(result.output.split())  # French, as messages
    for command in ("ingest", "run", "report", "compare"):
        result = invoke(command, "--help")
        assert result.exit_code == 0 and "--root" in result.output and "--lang" in result.output
        assert "<bool>" not in result.output and "Show this message" not in result.output
        assert "Afficher cette aide et quitter." in result.output
        assert "Utilisation :" in result.output and "Usage:" not in result.output
        assert "[required]" not in result.output and "[default:" not in result.output
    assert "Commandes" in invoke("--help").output


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and "dialogue-analysis" in result.output


def test_ingest_writes_under_root(wave_config, tmp_path):
    result = invoke("ingest", wave_config, "--root", tmp_path / "out")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "data" / "processed" / "essai-2018"
    interim = tmp_path / "out" / "data" / "interim" / "essai-2018"
    assert (interim / "records.parquet").is_file() and (out / "manifest.json").is_file()
    assert not (out / "records.parquet").exists()  # raw text only under data/interim
    assert "3 entretiens, 5 réponses" in result.output
    assert "avertissement" in result.output  # the empty optional answer is shown


@pytest.mark.parametrize("command", ["ingest", "run"])
def test_data_errors_exit_1_with_a_table(wave_config, tmp_path, command):
    # run, on a fresh root, ingests the wave in a forked process while the anonymise stage's
    # model loads: its error is the one an ingestion here raises
    rows = [list(r) for r in ROWS]
    rows[1][2] = "Ruarl"
    write_csv(wave_config.parent / "entretiens.csv", [HEADER] + rows)
    result = invoke(command, wave_config, "--root", tmp_path / "out")
    assert result.exit_code == 1
    assert "Ruarl" in result.output and "Territoire" in result.output and "rural" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "data" / "processed" / "essai-2018").exists()
    assert (tmp_path / "out" / "reports" / "essai-2018" / "ingest_errors.csv").is_file()


def test_ingestion_beside_the_model_load_gives_what_it_gives_alone(wave_config, tmp_path):
    from dialogue_analysis import pipeline
    from dialogue_analysis.ingest import load_project
    from dialogue_analysis.nlp import _model

    project = load_project(wave_config)
    alone = pipeline.run(project, tmp_path / "alone")
    _model.release_models()
    with pipeline.publishing(project, tmp_path / "beside"):
        ctx, report = pipeline.run_loading_model(project, tmp_path / "beside")
    assert len(_model._BUILT) == 1  # loaded here meanwhile
    assert list(ctx.results) == ["summary"]  # the same summary, of its own root
    assert ctx.results["summary"].replace(str(tmp_path / "beside"), str(tmp_path / "alone")) \
        == alone.results["summary"]
    pd.testing.assert_frame_equal(report.to_frame(), alone.results["ingest"].report.to_frame())
    assert set(ctx.timer.timings) == {"ingest", "summary", "anonymise model"}
    for name in ("records.parquet", "answers.parquet", "validation.csv"):
        for folder in ("interim",):
            written = [tmp_path / root / "data" / folder / "essai-2018" / name
                       for root in ("alone", "beside")]
            assert written[0].read_bytes() == written[1].read_bytes(), name


def test_config_error_exits_2_with_file_and_key(wave_config, tmp_path):
    text = wave_config.read_text(encoding="utf-8").replace("record_id:", "recordid:")
    wave_config.write_text(text, encoding="utf-8")
    result = invoke("ingest", wave_config, "--root", tmp_path / "out")
    assert result.exit_code == 2
    assert "Erreur de configuration" in result.output
    assert "survey.yaml" in result.output and "recordid" in result.output
    assert "Traceback" not in result.output


def test_an_anonymise_model_not_installed_stops_the_run_before_any_work(wave_config, tmp_path):
    text = wave_config.read_text(encoding="utf-8")
    assert "settings:" not in text
    wave_config.write_text(text + "settings:\n  anonymise_model: fr_core_news_absent\n",
                           encoding="utf-8")
    result = invoke("run", wave_config, "--root", tmp_path / "out")
    assert result.exit_code == 1 and "Traceback" not in result.output
    said = " ".join(result.output.split())
    assert "settings.anonymise_model: spaCy model 'fr_core_news_absent' is not installed" in said
    assert "pip install fr-core-news-absent" in said
    assert [p for p in (tmp_path / "out").rglob("*") if p.is_file()] == []  # nothing written


def test_missing_config_file(tmp_path):
    result = invoke("ingest", tmp_path / "absent.yaml")
    assert result.exit_code == 2 and "introuvable" in result.output


def test_pipeline_writes_the_descriptive_summary(wave_config, tmp_path):
    from dialogue_analysis import load_project, run

    ctx = run(load_project(wave_config), tmp_path / "out")
    summary = tmp_path / "out" / "reports" / "essai-2018" / "summary.md"
    text = summary.read_text(encoding="utf-8")
    assert text == ctx.results["summary"]
    assert text.startswith("# Résumé de la vague essai-2018")
    assert "Répartition par territoire" in text and "| rural | 1 | 33.3 |" in text
    assert "Réponses du 12/04/2018 au 16/04/2018." in text
    assert "3 entretiens, 5 réponses" in text and "% des entretiens" in text
    assert "| q2 | 2 | 66.7 |" in text  # answers per question, share of interviews
    english = run(load_project(wave_config, language="en"), tmp_path / "en").results["summary"]
    assert english.startswith("# Summary of wave essai-2018") and "3 interviews" in english


def test_ingest_names_the_unit_the_config_gives(wave_config, tmp_path):
    from dialogue_analysis import load_project, run

    text = wave_config.read_text(encoding="utf-8")
    wave_config.write_text(text + "\nstudy:\n  unit: respondent\n", encoding="utf-8")
    result = invoke("ingest", wave_config, "--root", tmp_path / "out")
    assert result.exit_code == 0, result.output
    said = result.output.replace("entretiens.csv", "")  # the file's name is not the unit
    assert "3 répondants, 5 réponses" in said and "entretien" not in said
    summary = run(load_project(wave_config), tmp_path / "run").results["summary"]
    assert "3 répondants, 5 réponses à" in summary and "% des répondants" in summary
    assert "entretien" not in summary.lower().replace("entretiens.csv", "")
    wave_config.write_text(text + "\nstudy:\n  unit: contribution\n", encoding="utf-8")
    english = invoke("ingest", wave_config, "--root", tmp_path / "en", "--lang", "en")
    assert "3 contributions, 5 answers" in english.output
    assert "interview" not in english.output.lower()


def test_lang_en(wave_config, tmp_path):
    result = invoke("ingest", wave_config, "--root", tmp_path / "out", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "3 interviews, 5 answers" in result.output and "warning" in result.output
    text = wave_config.read_text(encoding="utf-8").replace("record_id:", "recordid:")
    wave_config.write_text(text, encoding="utf-8")
    result = invoke("ingest", wave_config, "--lang", "en")
    assert result.exit_code == 2
    assert "Configuration error" in result.output and "unknown key" in result.output


def test_pipeline_runs_named_stages_only(wave_config, tmp_path):
    from dialogue_analysis import load_project, run

    ctx = run(load_project(wave_config), tmp_path / "out", stages=["ingest"])
    assert list(ctx.results) == ["ingest"]
    assert not (tmp_path / "out" / "reports" / "essai-2018" / "summary.md").exists()
    with pytest.raises(ValueError, match="resume"):
        run(load_project(wave_config), tmp_path / "out", stages=["resume"])
