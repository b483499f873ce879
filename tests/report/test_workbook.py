import dataclasses
import zipfile

import openpyxl
import pandas as pd
import pytest

from dialogue_analysis.report import write_analyst_workbook, write_workbook
from tests.analysis_fixtures import built_wave, synthetic_analysis

EXPECTED = {
    "README": ["sheet", "description"],
    "columns": ["sheet", "column", "description"],
    "findings": ["finding", "sentence", "kind", "dimension", "category", "code", "label", "n",
                 "count", "share", "share_others", "ratio", "test_value", "p_adjusted"],
    "prevalence": ["dimension", "category", "code", "label", "n", "count", "share", "masked"],
    "crosstabs": ["dimension", "code", "category", "count", "n", "share", "residual", "masked"],
    "tests": ["dimension", "code", "chi2", "p_value", "p_adjusted"],
    "groups": ["group", "label", "size", "share", "who", "needs", "terms"],
    "group_profiles": ["group", "attribute", "category", "count_in_group", "test_value",
                       "active"],
    "group_codes": ["group", "code", "count_in_group", "share_in_group", "test_value", "active"],
    "group_terms": ["group", "term", "test_value", "active"],
    "quotes": ["source", "ref", "rank", "question_id", "text"],
    "themes": ["theme", "label", "top_terms", "n_answers", "share"],
    "theme_k_choice": ["k", "stability", "coherence", "largest_share", "within_share", "chosen"],
    "priority": ["code", "label", "family", "breadth", "n_groups", "prevalence", "x", "y"],
    "codebook": ["code", "family", "label_fr", "label_en"],
    "manifest": ["key", "value"],
}


def test_every_sheet_has_its_columns_a_frozen_header_and_a_filter():
    built = built_wave()
    wb = openpyxl.load_workbook(built.published["xlsx"])
    assert list(EXPECTED) == wb.sheetnames
    for name, columns in EXPECTED.items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert set(columns) <= set(header), (name, set(columns) - set(header))
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    # The tables behind the report only: no sheet gives a row per person or a respondent's id.
    for ws in wb.worksheets:
        assert "record_id" not in [c.value for c in ws[1]], ws.title
    assert wb["quotes"].max_row == 1 + len(built.analysis.finding_quotes) + len(
        built.analysis.group_quotes) + len(built.analysis.theme_quotes)
    # The number of themes the workbook lists is the one its evidence sheet marks as chosen.
    choice = pd.read_excel(built.published["xlsx"], sheet_name="theme_k_choice")
    assert choice["chosen"].sum() == 1
    assert int(choice.loc[choice["chosen"], "k"].iloc[0]) == wb["themes"].max_row - 1


def test_analyst_workbook_adds_the_person_level_sheets(tmp_path):
    a = synthetic_analysis()
    path = write_analyst_workbook(a, tmp_path)
    assert path == tmp_path / "analyst_workbook.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:7] == ["README", "columns", "findings", "records", "answers",
                                 "code_matrix", "passages"]
    assert wb["records"].max_row == len(a.records) + 1
    assert wb["answers"].max_row == len(a.answers) + 1
    assert wb["code_matrix"].max_column == a.code_matrix.shape[1] + 1
    assert [c.value for c in wb["quotes"][1]][:4] == ["source", "ref", "rank", "record_id"]
    readme = pd.read_excel(path, sheet_name="README")
    assert readme["sheet"].tolist() == wb.sheetnames[1:]
    with pytest.raises(ValueError, match="reports/"):
        write_analyst_workbook(a, tmp_path / "reports" / "w")
    assert not (tmp_path / "reports").exists()


def test_small_counts_are_masked_in_cross_tables():
    built = built_wave()
    df = pd.read_excel(built.published["xlsx"], sheet_name="prevalence")
    cross = df[df["dimension"] != "all"]
    counts = cross["count"].dropna()
    assert not ((counts > 0) & (counts < 5)).any()
    assert cross["masked"].any()  # the sample has small cells (374 of 1,036 rows when measured)
    assert cross.loc[cross["masked"], ["count", "share"]].isna().all().all()
    ct = pd.read_excel(built.published["xlsx"], sheet_name="crosstabs")
    assert ct["masked"].any() and ct.loc[ct["masked"], "count"].isna().all()
    counts = ct["count"].dropna()
    assert not ((counts > 0) & (counts < 5)).any()


def test_no_cell_is_a_formula_and_formula_text_is_neutralised(tmp_path):
    a = synthetic_analysis()
    answers = a.answers.copy()
    answers.loc[0, "text"] = '=HYPERLINK("http://example.org","clic")'
    answers.loc[1, "text"] = "- oui, souvent"
    answers.loc[2, "text"] = "@SUM(1+1)"
    answers.loc[3, "text"] = "+33 dit-il"
    a = dataclasses.replace(a, answers=answers)
    path = write_analyst_workbook(a, tmp_path)
    for written in (path, write_workbook(a, tmp_path / "w.xlsx")):
        with zipfile.ZipFile(written) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/"):
                    assert "<f>" not in zf.read(name).decode("utf-8")
    ws = openpyxl.load_workbook(path)["answers"]
    values = [ws.cell(r, 3).value for r in range(2, 6)]
    assert values == ["'=HYPERLINK(\"http://example.org\",\"clic\")", "'- oui, souvent",
                      "'@SUM(1+1)", "'+33 dit-il"]
    assert all(ws.cell(r, 3).data_type == "s" for r in range(2, 6))
    # Text not starting with a trigger is left exactly as it was.
    assert ws.cell(6, 3).value == answers.loc[4, "text"]


def test_finding_sentences_are_plain_text():
    built = built_wave()
    df = pd.read_excel(built.published["xlsx"], sheet_name="findings")
    assert len(df) == len(built.analysis.findings)
    for sentence in df["sentence"]:
        assert "<" not in sentence and "&#" not in sentence and "&amp;" not in sentence


def test_every_column_is_described_and_shares_read_as_percentages():
    built = built_wave()
    wb = openpyxl.load_workbook(built.published["xlsx"])
    described = {(r[0], r[1]): r[2] for r in wb["columns"].iter_rows(min_row=2, values_only=True)}
    for ws in wb.worksheets:
        for cell in ws[1]:
            assert described.get((ws.title, cell.value)), (ws.title, cell.value)
    assert described[("tests", "p_adjusted")] == "p-valeur corrigée (Benjamini-Hochberg)"
    prevalence = wb["prevalence"]
    header = [c.value for c in prevalence[1]]
    share = prevalence.cell(row=2, column=header.index("share") + 1)
    assert 0 <= share.value <= 1 and share.number_format == "0.0%"
    tests = wb["tests"]
    header = [c.value for c in tests[1]]
    assert tests.cell(row=2, column=header.index("p_value") + 1).number_format == "0.0000"
