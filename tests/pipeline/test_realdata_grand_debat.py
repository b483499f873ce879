"""The four Grand Débat public-services questions end to end, from their survey config alone.

``tests/realdata/grand_debat/survey.yaml`` reads the four files of
``../shared/realdata/grand_debat_services_publics`` in place (one file per question, one row per
contribution, no respondent attribute). The whole corpus (35,627 answers) is ingested and its
bases checked; the full chain (ingest, run, report with the notebooks) runs on one row in
``SAMPLE_EVERY`` of each file, a deterministic subset chosen through the config's
``sample_every`` (the whole corpus takes too long for CI). Every number checked here is
recomputed from the CSVs with pandas.
"""

import html as html_lib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from dialogue_analysis.ingest import load_project, read_wave
from dialogue_analysis.report._format import NNBSP

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "tests" / "realdata" / "grand_debat" / "survey.yaml"
FILES = {"Q15": "gd_animation_organisation_15.csv", "Q16": "gd_animation_organisation_16.csv",
         "Q20": "gd_animation_organisation_20.csv", "Q21": "gd_animation_organisation_21.csv"}
MISSING = {"", "?", "nsp", "nr", "n/a", "-"}  # the toolkit's default missing tokens
SAMPLE_EVERY = 40


def _n(x: int) -> str:
    return f"{x:,}".replace(",", NNBSP)


def _answered(realdata: Path, every: int = 1) -> dict[str, pd.Series]:
    """Non-empty comments of each question's file (every ``every``-th data row), with pandas."""
    out = {}
    for question, name in FILES.items():
        frame = pd.read_csv(realdata / "grand_debat_services_publics" / name, dtype=str,
                            keep_default_na=False).iloc[::every]
        comments = frame["comment"].str.strip()
        out[question] = comments[~comments.str.lower().isin(MISSING)]
    return out


def _config_for(realdata: Path, root: Path, every: int) -> Path:
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace("../../../../shared/realdata", realdata.resolve().as_posix())
    text = text.replace("../../../codebooks", (REPO / "codebooks").as_posix())
    if every > 1:
        text = re.sub(r"^(      ignore_columns: .*)$", rf"\1\n      sample_every: {every}", text,
                      flags=re.M)
    path = root / "config" / "survey.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_config_reads_the_shared_files_in_place():
    project = load_project(CONFIG)
    for question in project.survey.questions:
        assert question.table.path.resolve() == (
            REPO.parent / "shared" / "realdata" / "grand_debat_services_publics"
            / FILES[question.id]).resolve()
        assert question.table.sample_every == 1  # the committed config reads the whole corpus


def test_the_whole_corpus_is_one_record_per_contribution(realdata, tmp_path):
    wave = read_wave(load_project(_config_for(realdata, tmp_path, 1)))
    expected = _answered(realdata)
    assert sum(len(s) for s in expected.values()) == len(wave.records) == 35_627
    per_question = wave.answers.groupby("question_id").size().to_dict()
    assert per_question == {q: len(s) for q, s in expected.items()} == {
        "Q15": 8_940, "Q16": 8_888, "Q20": 8_861, "Q21": 8_938}
    assert wave.records["record_id"].is_unique
    assert list(wave.records.columns) == ["record_id", "wave"]  # no attribute


@pytest.fixture(scope="module")
def published(realdata, tmp_path_factory):
    root = tmp_path_factory.mktemp("gd")
    config = _config_for(realdata, root, SAMPLE_EVERY)
    runner = CliRunner()
    steps = (["ingest"], ["run", "--no-notebooks"],
             ["report", "--notebooks", str(REPO / "notebooks")])
    for step in steps:
        result = runner.invoke(app, [step[0], str(config), "--root", str(root), *step[1:]])
        assert result.exit_code == 0, result.output
    project = load_project(config)
    reports = project.reports_dir(root)
    html = html_lib.unescape((reports / "findings.html").read_text(encoding="utf-8"))
    return {"root": root, "html": html, "reports": reports,
            "processed": project.processed_dir(root),
            "expected": _answered(realdata, SAMPLE_EVERY)}


def test_bases_are_the_contributions_of_the_subset(published):
    expected, html = published["expected"], published["html"]
    n = sum(len(s) for s in expected.values())
    records = pd.read_parquet(published["processed"] / "records.parquet")
    assert len(records) == n
    banner = re.search(r'<ul class="facts">(.*?)</ul>', html, re.S).group(1)
    assert re.search(rf"<strong>{_n(n)}</strong>contributions", banner)
    for question, answers in expected.items():
        assert re.search(rf"<strong>{question}</strong> — [^<]*<span class=\"note\">\(base : "
                         rf"{_n(len(answers))} sur {_n(n)} contributions ont répondu\)", html)
    answers = pd.read_parquet(published["processed"] / "answers.parquet")
    for question, texts in expected.items():
        got = answers.loc[answers["question_id"] == question, "text"]
        assert len(got) == len(texts)


def test_the_first_finding_counts_contributions(published):
    html = published["html"]
    n = sum(len(s) for s in published["expected"].values())
    sentence = re.sub(r"<[^>]+>", "", re.search(r'<li id="finding-1"[^>]*>(.*?)</li>', html,
                                                re.S).group(1))
    found = re.search(rf"(\d+){NNBSP}% des contributions l'évoquent \((\d+) sur ([\d{NNBSP}]+)\)",
                      sentence)
    assert found, sentence
    assert found.group(3) == _n(n)
    assert int(found.group(1)) == round(100 * int(found.group(2)) / n)


def test_sections_that_need_attributes_are_left_out_and_said_so(published):
    html, reports = published["html"], published["reports"]
    assert "Aucun attribut des personnes (groupe, territoire, profil) n'accompagne" in html
    assert "les besoins ne sont pas comparés entre groupes ni entre territoires" in html
    for absent in ("Par groupe de parties prenantes", "Par territoire", 'id="priorities"',
                   "Valeur-test : écart", "personnes consultées l'évoquent",
                   "regroupées selon leur profil", "Pas de profil sur-représenté"):
        assert absent not in html, absent
    figures = {p.stem for p in (reports / "figures").glob("*.png")}
    assert not figures & {"01_consulted_by_profile", "02_consulted_by_group_territory",
                          "06_needs_by_group", "07_needs_by_territory", "12_priority_matrix"}
    assert {"03_critical_services", "05_needs", "08_themes"} <= figures


def test_the_notebooks_run_and_say_what_they_leave_out(published):
    folder = published["reports"] / "notebooks"
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    assert names[:4] == ["01_data_overview.ipynb", "02_themes_needs.ipynb",
                         "03_typology.ipynb", "04_findings_report.ipynb"]
    overview = json.loads((folder / "01_data_overview.ipynb").read_text(encoding="utf-8"))
    shown = json.dumps([c.get("outputs", []) for c in overview["cells"]], ensure_ascii=False)
    assert "Omis : la vague n'a pas l'attribut stakeholder_group" in shown
    assert "Error" not in shown


def test_published_notebooks_hold_no_absolute_path(published):
    for notebook in (published["reports"] / "notebooks").glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert str(published["root"]) not in text, notebook.name
        assert str(REPO) not in text, notebook.name


def test_an_english_report_goes_beside_the_french_one(published, monkeypatch, tmp_path):
    reports = published["reports"]
    french = (reports / "findings.html").read_bytes()
    config = str(published["root"] / "config" / "survey.yaml")
    runner = CliRunner()
    result = runner.invoke(app, ["report", config, "--root", str(published["root"]),
                                 "--lang", "en", "--no-notebooks"])
    assert result.exit_code == 0, result.output
    assert (reports / "findings.html").read_bytes() == french
    english = (reports / "en" / "findings.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in english and "contributions" in english
    assert (reports / "en" / "findings.xlsx").is_file()
    # The French report again: the English one beside it stays.
    result = runner.invoke(app, ["report", config, "--root", str(published["root"]),
                                 "--no-notebooks"])
    assert result.exit_code == 0, result.output
    assert (reports / "en" / "findings.html").read_text(encoding="utf-8") == english

    # No notebooks folder near the config nor the current folder: an error, not a silent skip.
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", config, "--root", str(published["root"])])
    assert result.exit_code != 0
    assert "--no-notebooks" in result.output and "Traceback" not in result.output
    assert (reports / "en" / "findings.html").is_file()
