"""An open consultation: answers and nothing about the people who gave them.

A wave of contributions whose file holds an id and the answers only (the sample wave's answers,
without any attribute column) runs through ``run`` to a published report and executed
notebooks; the sections that compare people by their attributes are left out, each with the
sentence that says why.
"""

import csv
import html as html_lib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from dialogue_analysis.ingest import load_project, read_wave

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "raw" / "sample-2018"
N_RECORDS = 90

CONFIG = """\
wave: consultation-ouverte
title: "Consultation ouverte — essai sans attribut"
study:
  unit: contribution
  method: "formulaire en ligne ouvert à tous"
  selection: "participants volontaires (échantillon non représentatif)"
shape: wide
table:
  file: contributions.csv
record_id: Contribution
questions:
{questions}
codebook: {codebook}
settings:
  language: fr
"""


def _write_wave(folder: Path) -> Path:
    """contributions.csv (id and answers only) and its config, from the sample wave's answers."""
    project = load_project(SAMPLE / "survey.yaml")
    answers = read_wave(project).answers
    questions = [q for q in project.survey.questions]
    ids = sorted(answers["record_id"].unique())[:N_RECORDS]
    text = answers.set_index(["record_id", "question_id"])["text"]
    with (folder / "contributions.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Contribution", *(q.column for q in questions)])
        for i, rid in enumerate(ids):
            writer.writerow([f"C{i + 1:03d}", *(text.get((rid, q.id), "") for q in questions)])
    listed = "\n".join(f"  - id: {q.id}\n    column: {q.column}\n    label: {q.label}"
                       for q in questions)
    config = folder / "survey.yaml"
    config.write_text(CONFIG.format(questions=listed,
                                    codebook=(SAMPLE / "codebook.yaml").as_posix()),
                      encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    folder = tmp_path_factory.mktemp("open")
    config = _write_wave(folder)
    root = folder / "out"
    result = CliRunner().invoke(app, ["run", str(config), "--root", str(root), "--no-exports",
                                      "--notebooks", str(REPO / "notebooks")])
    assert result.exit_code == 0, result.output
    reports = root / "reports" / "consultation-ouverte"
    html = html_lib.unescape((reports / "findings.html").read_text(encoding="utf-8"))
    return {"root": root, "reports": reports, "html": html, "output": result.output}


def test_the_wave_has_no_attribute_and_is_published(published):
    records = pd.read_parquet(
        published["root"] / "data" / "processed" / "consultation-ouverte" / "records.parquet")
    assert list(records.columns) == ["record_id", "wave"] and len(records) == N_RECORDS
    assert (published["reports"] / "findings.xlsx").is_file()
    assert "Traceback" not in published["output"]


def test_each_left_out_section_is_said_once_with_its_reason(published):
    html = published["html"]
    assert "Aucun attribut des personnes (groupe, territoire, profil) n'accompagne" in html
    assert "Omis faute d'attribut des personnes :" in html
    listed = re.search(r"Omis faute d'attribut des personnes :</p>\s*<ul[^>]*>(.*?)</ul>", html,
                       re.S).group(1)
    items = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", listed)]
    # One sentence each: what is left out, then why.
    assert len(items) == 5
    assert all(i.count(" : ") == 1 and i.endswith(".") and i.count(". ") == 0 for i in items)
    for part in ("par groupe, territoire ou profil", "principaux enseignements",
                 "tableaux croisés et tests du khi-deux", "Profils des groupes de la typologie",
                 "Matrice de priorités"):
        assert sum(part in i for i in items) == 1, part
    for absent in ('id="priorities"', "Par groupe de parties prenantes", "Par territoire",
                   "Personnes consultées par groupe et par territoire", "Valeur-test : écart",
                   "Besoins, par groupe et par territoire", "se lisent par profil",
                   "profils, thèmes et mots"):
        assert absent not in html, absent
    assert "Besoins exprimés" in html
    figures = {p.stem for p in (published["reports"] / "figures").glob("*.png")}
    assert not figures & {"01_consulted_by_profile", "02_consulted_by_group_territory",
                          "06_needs_by_group", "07_needs_by_territory", "12_priority_matrix"}
    assert {"03_critical_services", "05_needs", "08_themes"} <= figures


def test_what_needs_no_attribute_is_published(published):
    html = published["html"]
    n = pd.read_parquet(published["root"] / "data" / "processed" / "consultation-ouverte"
                        / "analysis" / "themes.parquet")
    assert len(n) >= 4 and 'id="themes"' in html and "Choix du nombre de thèmes" in html
    for label in n["label"]:
        assert label in html
    assert 'id="key-findings"' in html and "des contributions l'évoquent" in html


def test_the_notebooks_run_and_say_what_they_leave_out(published):
    folder = published["reports"] / "notebooks"
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    assert names == ["01_data_overview.ipynb", "02_themes_needs.ipynb", "03_typology.ipynb",
                     "04_findings_report.ipynb"]
    for name in names:
        cells = json.loads((folder / name).read_text(encoding="utf-8"))["cells"]
        outputs = [o for c in cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.get("output_type") == "error"], name
    overview = json.dumps([c.get("outputs", []) for c in json.loads(
        (folder / "01_data_overview.ipynb").read_text(encoding="utf-8"))["cells"]],
        ensure_ascii=False)
    assert "Omis : la vague n'a pas l'attribut stakeholder_group" in overview
