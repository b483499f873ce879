import dataclasses
import zipfile

import openpyxl
import pandas as pd
import pytest

from dialogue_analysis.report import (
    SHEET_TITLES,
    read_sheet,
    write_analyst_workbook,
    write_workbook,
)
from tests.analysis_fixtures import built_wave, synthetic_analysis

EXPECTED = {
    "README": ["sheet", "description"],
    "columns": ["sheet", "column", "description"],
    "findings": ["finding", "sentence", "kind", "dimension", "category", "code", "n",
                 "count", "share", "share_others", "ratio", "test_value", "p_adjusted"],
    "prevalence": ["dimension", "category", "code", "n", "count", "share", "masked"],
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
    "priority": ["code", "family", "breadth", "n_groups", "prevalence", "x", "y"],
    "codebook": ["code", "family", "label_fr", "label_en"],
    "manifest": ["key", "value"],
}


def identifiers(wb) -> dict[tuple[str, str], str]:
    """(sheet title, header) -> identifier, from the workbook's own columns sheet."""
    return {(r[0], r[1]): r[2] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}


def test_every_sheet_has_its_columns_a_frozen_header_and_a_filter():
    built = built_wave()
    wb = openpyxl.load_workbook(built.published["xlsx"])
    assert [SHEET_TITLES[s][0] for s in EXPECTED] == wb.sheetnames  # French report, French tabs
    ids = identifiers(wb)
    for name, columns in EXPECTED.items():
        ws = wb[SHEET_TITLES[name][0]]
        header = [c.value for c in ws[1]]
        written = {ids[(ws.title, h)] for h in header}
        assert set(columns) <= written, (name, set(columns) - written)
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    # The tables behind the report only: no sheet gives a row per person or a respondent's id.
    for ws in wb.worksheets:
        assert "record_id" not in {ids[(ws.title, c.value)] for c in ws[1]}, ws.title
    assert wb["Verbatims"].max_row == 1 + len(built.analysis.finding_quotes) + len(
        built.analysis.group_quotes) + len(built.analysis.theme_quotes)
    # The number of themes the workbook lists is the one its evidence sheet marks as chosen.
    choice = read_sheet(built.published["xlsx"], "theme_k_choice")
    assert choice["chosen"].sum() == 1
    themes = read_sheet(built.published["xlsx"], "themes")
    assert int(choice.loc[choice["chosen"].astype(bool), "k"].iloc[0]) == len(themes)


def test_headers_labels_and_formats_speak_the_reports_language(tmp_path):
    """An Excel user reads words, not identifiers: headers, code and attribute labels, toolkit
    words in the report's language; shares as percentages, p-values readable when tiny."""
    built = built_wave()
    a = built.analysis
    for lang, findings, share in (("fr", "Enseignements", "Part"), ("en", "Findings", "Share")):
        path = write_workbook(a, tmp_path / f"{lang}.xlsx", language=lang)
        wb = openpyxl.load_workbook(path)
        ids = identifiers(wb)
        identifiers_used = set(ids.values())
        for ws in wb.worksheets:
            for cell in ws[1]:
                # no header is a bare identifier, unless the word is the same in both
                assert cell.value not in identifiers_used - {"description", "code"} or \
                    ids[(ws.title, cell.value)] != cell.value, (ws.title, cell.value)
        sheet = wb[findings]
        header = [c.value for c in sheet[1]]
        assert share in header and "share" not in header and "p_adjusted" not in header
        table = read_sheet(path, "findings")
        labels = a.code_labels(lang)
        assert table["code"].tolist() == [labels[c] for c in a.findings["code"]]
        assert not table["code"].isin(a.findings["code"]).any()  # no code id left
        prevalence = read_sheet(path, "prevalence")
        dims = set(prevalence["dimension"])
        assert a.attribute_label("stakeholder_group", lang) in dims
        assert "stakeholder_group" not in dims and "all" not in dims
        # number formats, read back from the cells
        col = {ids[(sheet.title, h)]: j for j, h in enumerate(header, 1)}
        row = next(r for r in range(2, sheet.max_row + 1)
                   if sheet.cell(r, col["p_adjusted"]).value is not None)
        assert sheet.cell(row, col["share"]).number_format == "0.0%"
        p_format = sheet.cell(row, col["p_adjusted"]).number_format
        assert p_format.startswith("[<0.0001]") and p_format.endswith("0.0000")
        assert sheet.cell(row, col["test_value"]).number_format == "0.00"
        # the codebook sheet keeps the ids: it is the dictionary from ids to labels
        codebook = read_sheet(path, "codebook")
        assert codebook["code"].tolist() == a.codebook["code"].tolist()


def test_analyst_workbook_dates_read_as_dates_in_the_reports_language(tmp_path):
    a = synthetic_analysis()
    if "date" not in a.records:
        a = dataclasses.replace(a, records=a.records.assign(
            date=pd.Timestamp("2018-04-12")))
    for lang, expected in (("fr", "dd/mm/yyyy"), ("en", "yyyy-mm-dd")):
        path = write_analyst_workbook(a, tmp_path / lang, language=lang)
        wb = openpyxl.load_workbook(path)
        ws = wb[SHEET_TITLES["records"][0 if lang == "fr" else 1]]
        ids = identifiers(wb)
        col = [ids[(ws.title, c.value)] for c in ws[1]].index("date") + 1
        cell = ws.cell(2, col)
        assert cell.is_date and cell.number_format == expected


def test_analyst_workbook_adds_the_person_level_sheets(tmp_path):
    a = synthetic_analysis()
    path = write_analyst_workbook(a, tmp_path)
    assert path == tmp_path / "analyst_workbook.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:7] == [SHEET_TITLES[s][0] for s in (
        "README", "columns", "findings", "records", "answers", "code_matrix", "passages")]
    assert wb["Personnes"].max_row == len(a.records) + 1
    assert wb["Réponses"].max_row == len(a.answers) + 1
    assert wb["Matrice des codes"].max_column == a.code_matrix.shape[1] + 1
    assert read_sheet(path, "quotes").columns[:4].tolist() == ["source", "ref", "rank",
                                                               "record_id"]
    readme = read_sheet(path, "README")
    assert readme["sheet"].tolist() == wb.sheetnames[1:]
    with pytest.raises(ValueError, match="reports/"):
        write_analyst_workbook(a, tmp_path / "reports" / "w")
    assert not (tmp_path / "reports").exists()


def test_small_counts_are_masked_in_cross_tables():
    built = built_wave()
    df = read_sheet(built.published["xlsx"], "prevalence")
    cross = df[df["dimension"] != "ensemble"]
    counts = cross["count"].dropna()
    assert not ((counts > 0) & (counts < 5)).any()
    assert cross["masked"].any()  # the sample has small cells (374 of 1,036 rows when measured)
    assert cross.loc[cross["masked"], ["count", "share"]].isna().all().all()
    ct = read_sheet(built.published["xlsx"], "crosstabs")
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
    ws = openpyxl.load_workbook(path)["Réponses"]
    values = [ws.cell(r, 3).value for r in range(2, 6)]
    assert values == ["'=HYPERLINK(\"http://example.org\",\"clic\")", "'- oui, souvent",
                      "'@SUM(1+1)", "'+33 dit-il"]
    assert all(ws.cell(r, 3).data_type == "s" for r in range(2, 6))
    # Text not starting with a trigger is left exactly as it was.
    assert ws.cell(6, 3).value == answers.loc[4, "text"]


def test_finding_sentences_are_plain_text():
    built = built_wave()
    df = read_sheet(built.published["xlsx"], "findings")
    assert len(df) == len(built.analysis.findings)
    for sentence in df["sentence"]:
        assert "<" not in sentence and "&#" not in sentence and "&amp;" not in sentence


def test_every_column_is_described_and_shares_read_as_percentages():
    built = built_wave()
    wb = openpyxl.load_workbook(built.published["xlsx"])
    rows = list(wb["Colonnes"].iter_rows(min_row=2, values_only=True))
    described = {(r[0], r[1]): r[3] for r in rows}
    for ws in wb.worksheets:
        for cell in ws[1]:
            assert described.get((ws.title, cell.value)), (ws.title, cell.value)
    # every description says something of its own, not a generic fallback
    assert not [r for r in rows if "du même nom" in str(r[3])]
    ids = {(r[0], r[2]): r[1] for r in rows}
    assert described[("Tests du khi-deux", ids[("Tests du khi-deux", "p_adjusted")])] == \
        "p-valeur corrigée (Benjamini-Hochberg)"
    prevalence = wb["Fréquences"]
    header = [c.value for c in prevalence[1]]
    share = prevalence.cell(row=2, column=header.index(ids[("Fréquences", "share")]) + 1)
    assert 0 <= share.value <= 1 and share.number_format == "0.0%"
