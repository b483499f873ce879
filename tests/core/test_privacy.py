import json
import zipfile

import openpyxl
import pandas as pd
import pytest

from dialogue_analysis.core import (
    PrivacyError,
    assert_clean,
    find_identifiers,
    is_neutral,
    mask_counts,
    mask_wide,
    neutralise_formula,
    scan_published,
    small_cells,
)


@pytest.mark.parametrize("text,kind", [
    ("Appelez-moi au 06 47 82 19 33 demain", "phone"),
    ("mon numéro c'est le 07.61.25.04.88", "phone"),
    ("+33 6 12 40 77 05", "phone"),
    ("0698451230", "phone"),
    ("écrivez à nadia.benali.ccas@orange.fr svp", "email"),
    ("sécu 1 84 12 76 451 089 46", "nir"),
    ("FR76 3000 6000 0112 3456 7890 189", "iban"),
])
def test_identifiers_are_found(text, kind):
    assert kind in {k for k, _ in find_identifiers(text)}


@pytest.mark.parametrize("text", [
    "62 % contre 31 %, valeur-test 4,1", "1 234,5", "0.6125048812", "2.345678901234567",
    "sha256 0698451230ab5f", "E18-001", "2018-03-14", "[PERSONNE_1] à [VILLE]",
])
def test_ordinary_report_text_is_not_an_identifier(text):
    assert find_identifiers(text) == []


def test_listed_identifiers_are_case_insensitive():
    assert find_identifiers("Bonjour JOSIANE Lefèvre", ["Josiane Lefèvre"]) == [
        ("listed", "Josiane Lefèvre")]
    assert find_identifiers("Bonjour Josiane", ["Josiane Lefèvre"]) == []


def test_small_cells_hide_one_to_four_not_zero():
    counts = pd.DataFrame({"a": [0, 1, 4, 5], "b": [12, pd.NA, 3, 7]}, dtype="Int64")
    mask = small_cells(counts, 5)
    assert mask["a"].tolist() == [False, True, True, False]
    assert mask["b"].tolist() == [False, False, True, False]


def test_mask_counts_blanks_derived_columns():
    t = pd.DataFrame({"group": ["x", "y"], "count": [3, 8], "share": [0.3, 0.8],
                      "residual": [-1.2, 2.5]})
    out = mask_counts(t, "count", min_count=5, also=["share", "residual"])
    assert out["masked"].tolist() == [True, False]
    assert out.loc[0, ["count", "share", "residual"]].isna().all()
    assert out.loc[1, "count"] == 8 and out.loc[1, "share"] == 0.8
    assert t.loc[0, "count"] == 3  # input untouched


def test_mask_wide_masks_the_derived_table_on_the_same_cells():
    counts = pd.DataFrame({"u": [2, 10], "r": [6, 0]}, index=["g1", "g2"])
    shares = counts / 12
    masked, (mshares,), hide = mask_wide(counts, min_count=5, others=[shares])
    assert pd.isna(masked.loc["g1", "u"]) and pd.isna(mshares.loc["g1", "u"])
    assert masked.loc["g2", "r"] == 0 and masked.loc["g2", "u"] == 10
    assert hide.to_numpy().sum() == 1


@pytest.mark.parametrize("value", ["=1+1", "+33 6", "-2", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_triggers_are_neutralised(value):
    out = neutralise_formula(value)
    assert out == "'" + value and is_neutral(out)


def test_other_values_are_unchanged():
    for value in ["texte", "", 3, -2.5, None, "a=b"]:
        assert neutralise_formula(value) == value


def test_neutralised_cells_stay_text_in_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    cell = wb.active.cell(1, 1, neutralise_formula('=HYPERLINK("http://x","clic")'))
    cell.data_type = "s"
    wb.save(tmp_path / "t.xlsx")
    xml = zipfile.ZipFile(tmp_path / "t.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "'=HYPERLINK" in xml
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").active["A1"].value.startswith("'=")


def test_scan_reads_html_svg_notebooks_and_xlsx_parts(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "r.html").write_text("<p>62 % contre 31 %</p>", encoding="utf-8")
    (tmp_path / "figures" / "f.svg").write_text("<svg><text>Kevin Mabiala</text></svg>")
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "stream", "text": "j.moreau1962@gmail.com"}]}]}
    (tmp_path / "n.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "appelle le 06 47 82 19 33"
    wb.save(tmp_path / "w.xlsx")
    hits = scan_published(tmp_path, identifiers=["Kevin Mabiala"])
    found = set(zip(hits["file"].str.split(":").str[0], hits["kind"], strict=True))
    assert ("figures/f.svg", "listed") in found
    assert ("n.ipynb", "email") in found
    assert ("w.xlsx", "phone") in found
    assert not hits["file"].str.startswith("r.html").any()
    with pytest.raises(PrivacyError, match="nothing was published"):
        assert_clean(tmp_path, ["Kevin Mabiala"])


def test_clean_folder_passes(tmp_path):
    (tmp_path / "r.html").write_text("<p>[PERSONNE] au [TÉLÉPHONE]</p>", encoding="utf-8")
    assert_clean(tmp_path)


def test_no_planted_identifier_reaches_any_published_file():
    from tests.analysis_fixtures import IDENTIFIERS, built_wave

    built = built_wave()
    assert built.full  # identifiers were planted in the sample wave and the whole pipeline ran
    files = {p.suffix for p in built.reports.rglob("*") if p.is_file()}
    assert {".html", ".xlsx", ".svg", ".png", ".ipynb"} <= files
    hits = scan_published(built.reports, IDENTIFIERS)
    assert hits.empty, hits.to_string()


def test_published_files_carry_no_identifier_pattern():
    from tests.analysis_fixtures import built_wave

    built = built_wave()
    hits = scan_published(built.reports)
    assert hits.empty, hits.to_string()


# -- the error report of a failed ingestion (reports/<wave>/ingest_errors.*) ------------------

ERROR_WAVE_CONFIG = """
wave: essai-erreurs
table: {file: entretiens.xlsx}
record_id: N° entretien
attributes:
  date: {column: Date, type: date, formats: ["%d/%m/%Y"]}
  territory: {column: Territoire, type: categorical, required: true,
              values: [urbain, rural]}
questions:
  - {id: q1, column: Q1, required: true}
"""
ERROR_WAVE_PLANTED = ["Jean-Claude Dumoulin", "Dumoulin", "06 98 45 12 30", "Lucien Garnier",
                      "Garnier", "Yasmina", "Belkacem", "CONCAT"]


def test_failed_ingestion_report_under_reports_withholds_cell_contents(tmp_path):
    """A name or phone typed in a category, date or formula cell is an error, and the error list
    saved under reports/ locates it (row, column) without copying the cell."""
    from dialogue_analysis.ingest import ValidationFailed, load_project
    from dialogue_analysis.pipeline import run_ingest

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["N° entretien", "Date", "Territoire", "Q1"])
    ws.append(["E01", "12/04/2018", "rural", "La mairie m'aide pour les papiers."])
    ws.append(["E02", "12/04/2018", "Jean-Claude Dumoulin 06 98 45 12 30", "Pôle emploi."])
    ws.append(["E03", "Lucien Garnier 16/04/2018", "urbain", "Un forfait moins cher."])
    ws.append(["E04", "16/04/2018", "urbain", '=CONCAT("Yasmina"," Belkacem")'])
    wb.save(tmp_path / "entretiens.xlsx")
    (tmp_path / "survey.yaml").write_text(ERROR_WAVE_CONFIG, encoding="utf-8")
    project = load_project(tmp_path / "survey.yaml")
    root = tmp_path / "out"
    with pytest.raises(ValidationFailed) as info:
        run_ingest(project, root)
    # the analyst still sees the values in the terminal (the report in memory)...
    assert any("Dumoulin" in (p.value or "") for p in info.value.report)
    # ...but nothing of them is written under reports/
    reports = project.reports_dir(root)
    assert {p.name for p in reports.iterdir()} == {"ingest_errors.csv", "ingest_errors.md"}
    hits = scan_published(reports, ERROR_WAVE_PLANTED)
    assert hits.empty, hits.to_string()
    saved = pd.read_csv(reports / "ingest_errors.csv", sep=";", encoding="utf-8-sig")
    errors = saved[saved["severity"] == "error"]
    assert {(r.row, r.column) for r in errors.itertuples()} >= {(3, "Territoire"), (4, "Date")}
    assert set(errors["code"]) >= {"value_not_allowed", "bad_date"}
    # the formula typed as an answer is kept as text, with a warning that withholds it too
    assert (5, "Q1", "formula_kept_as_text") in {(r.row, r.column, r.code)
                                                  for r in saved.itertuples()}


def test_redacted_validation_report_keeps_ids():
    from dialogue_analysis.core.i18n import tr
    from dialogue_analysis.ingest import ValidationReport

    report = ValidationReport(language="en")
    report.add("f.csv", None, 3, "Id", "E07", "error", "duplicate_id",
               tr("duplicate_id", "en", value="E07", rows="2, 3"), {"value": "E07", "rows": "2, 3"})
    report.add("f.csv", None, 4, "Territory", "Kevin Mabiala", "error", "value_not_allowed",
               tr("value_not_allowed", "en", value="Kevin Mabiala", field="territory", hint=""),
               {"value": "Kevin Mabiala", "field": "territory", "hint": ""})
    frame = report.redacted().to_frame()
    assert frame.loc[0, "value"] == "E07" and "E07" in frame.loc[0, "message"]
    assert "Mabiala" not in frame.to_csv()
    assert "territory" in frame.loc[1, "message"]
    assert "Mabiala" in report.to_frame().to_csv()  # the report itself is unchanged
