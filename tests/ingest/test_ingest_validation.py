"""Malformed inputs: each gives the expected problem rows, located as the analyst sees them."""

import datetime as dt

import pytest

from dialogue_analysis import ValidationFailed, load_project, read_wave
from dialogue_analysis.core import ConfigError
from tests.ingest.test_ingest import CONFIG, HEADER, ROWS, write_config, write_csv, write_xlsx


def problems_of(tmp_path, file, table_extra="", language=None, text=CONFIG):
    """Problems (all of them) of reading ``file`` with the test config."""
    project = load_project(write_config(tmp_path, file, table_extra, text=text), language=language)
    try:
        return list(read_wave(project).report)
    except ValidationFailed as exc:
        assert exc.report.has_errors
        return list(exc.report)


def located(problems, code=None):
    return [
        (p.file, p.sheet, p.row, p.column, p.value, p.severity)
        for p in problems
        if code is None or p.code == code
    ]


def rows_with(**changes):
    """The well-formed rows with some cells changed: {"r1c2": value} = row 1, column 2."""
    rows = [list(r) for r in ROWS]
    for key, value in changes.items():
        r, c = (int(x) for x in key[1:].split("c"))
        rows[r - 1][c - 1] = value
    return rows


def test_cp1252_csv_with_semicolons(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + ROWS, encoding="cp1252", newline="\r\n")
    project = load_project(write_config(tmp_path, "entretiens.csv"))
    wave = read_wave(project)
    assert wave.inputs[0].encoding == "cp1252" and wave.inputs[0].separator == ";"
    assert wave.records["territory"].tolist() == ["rural", "urbain", "périurbain"]
    assert "Pôle emploi" in wave.answers.text.iloc[2]


def test_bom_does_not_hide_the_first_header(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + ROWS, encoding="utf-8-sig")
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.csv")))
    assert wave.inputs[0].encoding == "utf-8-sig"
    assert wave.records["record_id"].tolist() == ["E01", "E02", "E03"]


def test_cr_only_line_endings_keep_editor_line_numbers(tmp_path):
    rows = rows_with(r3c3="Banlieue")
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows, newline="\r")
    problems = problems_of(tmp_path, "entretiens.csv")
    # E03 starts on line 4 (E02 on line 3); its q1 answer spans lines 4-5
    assert located(problems, "value_not_allowed") == [
        ("entretiens.csv", None, 4, "Territoire", "Banlieue", "error"),
    ]


def test_title_line_above_the_header(tmp_path):
    rows = rows_with(r2c3="Ruarl")
    write_csv(
        tmp_path / "entretiens.csv", [HEADER] + rows, before="Vague test — export du 02/07/2018\n"
    )
    problems = problems_of(tmp_path, "entretiens.csv", "header_row: 2")
    assert located(problems, "value_not_allowed") == [
        ("entretiens.csv", None, 4, "Territoire", "Ruarl", "error"),
    ]
    # with header_row: auto the title line is skipped too
    assert (
        located(problems_of(tmp_path, "entretiens.csv", "header_row: auto"), "value_not_allowed")[
            0
        ][2]
        == 4
    )


def test_value_not_allowed_suggests_the_closest(tmp_path):
    write_csv(
        tmp_path / "entretiens.csv", [HEADER] + rows_with(r2c3="Ruarl", r3c5="smartphone; Tablete")
    )
    problems = problems_of(tmp_path, "entretiens.csv")
    wrong = [p for p in problems if p.code == "value_not_allowed"]
    assert [(p.row, p.column, p.value) for p in wrong] == [
        (3, "Territoire", "Ruarl"),
        (4, "Équipement", "Tablete"),
    ]
    assert "« rural »" in wrong[0].message and "territory" in wrong[0].message
    assert "« tablette »" in wrong[1].message
    far = [p for p in problems_of(tmp_path, "entretiens.csv") if p.value == "Ruarl"]
    assert far
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows_with(r2c3="Xyz"))
    message = [p for p in problems_of(tmp_path, "entretiens.csv") if p.value == "Xyz"][0].message
    assert "urbain, périurbain, rural" in message  # no close value: the allowed ones are listed


def test_missing_column_names_the_config_key_and_suggests(tmp_path):
    header = [h if h != "Territoire" else "Territoires" for h in HEADER]
    header = [h for h in header if h != "Tranche d'âge"]
    rows = [[c for i, c in enumerate(r) if i != 3] for r in ROWS]
    write_csv(tmp_path / "entretiens.csv", [header] + rows)
    problems = problems_of(tmp_path, "entretiens.csv")
    missing = [p for p in problems if p.code == "missing_column"]
    assert [(p.row, p.column) for p in missing] == [(1, "Territoire"), (1, "Tranche d'âge")]
    assert (
        "attributes.territory.column" in missing[0].message and "survey.yaml" in missing[0].message
    )
    assert "« Territoires »" in missing[0].message
    # the column that is there but not declared is a warning
    assert located(problems, "unused_column") == [
        ("entretiens.csv", None, 1, "Territoires", None, "warning")
    ]


def test_duplicate_ids_name_both_rows(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows_with(r3c1="E01"))
    problems = [p for p in problems_of(tmp_path, "entretiens.csv") if p.code == "duplicate_id"]
    assert [(p.row, p.column, p.value) for p in problems] == [
        (2, "N° entretien", "E01"),
        (4, "N° entretien", "E01"),
    ]
    assert all("2, 4" in p.message for p in problems)


def test_impossible_and_unreadable_dates(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows_with(r1c2="31/02/2018", r2c2="demain"))
    problems = problems_of(tmp_path, "entretiens.csv")
    assert [(p.row, p.column, p.value, p.code) for p in problems if p.severity == "error"] == [
        (2, "Date", "31/02/2018", "impossible_date"),
        (3, "Date", "demain", "bad_date"),
    ]


def test_excel_rows_are_excel_row_numbers(tmp_path):
    rows = [HEADER] + rows_with(r1c2=dt.datetime(2018, 4, 12), r2c2="31/02/2018", r3c7="trois")
    write_xlsx(tmp_path / "entretiens.xlsx", rows)
    problems = problems_of(tmp_path, "entretiens.xlsx", "sheet: Entretiens\nheader_row: 4")
    errors = [
        (p.file, p.sheet, p.row, p.column, p.value, p.code)
        for p in problems
        if p.severity == "error"
    ]
    assert errors == [
        ("entretiens.xlsx", "Entretiens", 6, "Date", "31/02/2018", "impossible_date"),
        ("entretiens.xlsx", "Entretiens", 7, "Taille du foyer", "trois", "not_a_number"),
    ]


def test_text_in_a_numeric_column_and_out_of_range(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows_with(r1c7="deux", r2c7="40"))
    problems = [p for p in problems_of(tmp_path, "entretiens.csv") if p.severity == "error"]
    assert [(p.row, p.value, p.code) for p in problems] == [
        (2, "deux", "not_a_number"),
        (3, "40", "out_of_range"),
    ]


def test_empty_required_values_and_answers(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows_with(r1c3="", r2c8="NSP", r3c1=""))
    problems = problems_of(tmp_path, "entretiens.csv")
    assert [(p.row, p.column, p.severity, p.code) for p in problems] == [
        (2, "Territoire", "error", "required_missing"),
        (3, "Q1 – Usages", "error", "required_answer_missing"),
        (3, "Q2 – Besoins", "warning", "optional_answer_missing"),
        (4, "N° entretien", "error", "missing_id"),
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    rows = rows_with(r1c2="31/02/2018", r1c3="Ruarl", r2c1="E01", r2c6="cinq", r3c7="beaucoup")
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows)
    with pytest.raises(ValidationFailed) as info:
        read_wave(load_project(write_config(tmp_path, "entretiens.csv")))
    codes = [p.code for p in info.value.report.errors]
    assert sorted(codes) == sorted(
        [
            "impossible_date",
            "value_not_allowed",
            "duplicate_id",
            "duplicate_id",
            "value_not_allowed",
            "not_a_number",
        ]
    )
    assert "6 erreur" in str(info.value)


def test_empty_file_and_header_without_rows(tmp_path):
    (tmp_path / "entretiens.csv").write_bytes(b"")
    assert located(problems_of(tmp_path, "entretiens.csv"), "empty_file") == [
        ("entretiens.csv", None, None, None, None, "error"),
    ]
    (tmp_path / "entretiens.csv").write_bytes("\ufeff\r\n  \r\n".encode())
    assert [p.code for p in problems_of(tmp_path, "entretiens.csv")] == ["empty_file"]
    write_csv(tmp_path / "entretiens.csv", [HEADER])
    assert [(p.row, p.code) for p in problems_of(tmp_path, "entretiens.csv")] == [(1, "no_rows")]
    write_xlsx(tmp_path / "entretiens.xlsx", [HEADER])
    assert [(p.row, p.code) for p in problems_of(tmp_path, "entretiens.xlsx", "header_row: 4")] == [
        (4, "no_rows")
    ]


def test_a_file_named_xlsx_that_is_not_excel(tmp_path):
    write_csv(tmp_path / "entretiens.xlsx", [HEADER] + ROWS)
    problems = problems_of(tmp_path, "entretiens.xlsx")
    assert located(problems) == [("entretiens.xlsx", None, None, None, None, "error")]
    assert problems[0].code == "not_excel" and "CSV" in problems[0].message
    (tmp_path / "entretiens.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200))
    assert ".xls" in problems_of(tmp_path, "entretiens.xlsx")[0].message
    (tmp_path / "entretiens.xlsx").write_bytes(b"PK\x03\x04 broken zip" + bytes(100))
    assert problems_of(tmp_path, "entretiens.xlsx")[0].code == "not_excel"


def test_multi_line_quoted_cells_keep_editor_line_numbers(tmp_path):
    rows = rows_with(
        r1c8="Première ligne\nDeuxième ligne\nTroisième ligne", r2c9="a\r\nb", r3c3="Mars"
    )
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows, newline="\r\n")
    # E01: lines 2-4; E02: lines 5-6; E03 starts on line 7 (its q1 spans 7-8)
    problems = problems_of(tmp_path, "entretiens.csv")
    assert located(problems, "value_not_allowed") == [
        ("entretiens.csv", None, 7, "Territoire", "Mars", "error")
    ]


def test_blank_lines_count_in_line_numbers(tmp_path):
    text = "\n".join(
        [
            ";".join(HEADER),
            "",
            'E01;12/04/2018;rural;25-34;smartphone;2;1;"Une réponse\nsur deux lignes";Oui',
            "",
            "E02;13/04/2018;Mars;25-34;smartphone;2;1;Réponse;Oui",
        ]
    )
    (tmp_path / "entretiens.csv").write_text(text, encoding="utf-8")
    problems = problems_of(tmp_path, "entretiens.csv")
    assert located(problems) == [("entretiens.csv", None, 6, "Territoire", "Mars", "error")]


def test_uncommon_header_spellings_still_match(tmp_path):
    header = [
        "n° ENTRETIEN",
        "date",
        "territoire ",
        "Tranche d’âge",
        "Equipement",
        "Autonomie (1-4)",
        "Taille du foyer",
        "Q1 - Usages",
        "Q2 — Besoins",
    ]
    write_csv(tmp_path / "entretiens.csv", [header] + ROWS)
    assert [p.code for p in problems_of(tmp_path, "entretiens.csv")] == ["optional_answer_missing"]


def test_ambiguous_column(tmp_path):
    header = HEADER + ["territoire"]
    write_csv(tmp_path / "entretiens.csv", [header] + [r + ["x"] for r in ROWS])
    problems = [p for p in problems_of(tmp_path, "entretiens.csv") if p.code == "ambiguous_column"]
    assert [(p.row, p.column) for p in problems] == [(1, "Territoire")] and "3, 10" in problems[
        0
    ].message


def test_messages_in_english(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + rows_with(r2c3="Ruarl"))
    problems = problems_of(tmp_path, "entretiens.csv", language="en")
    wrong = [p for p in problems if p.code == "value_not_allowed"][0]
    assert wrong.message == "“Ruarl” is not an allowed value of territory; did you mean “rural”?"


def test_missing_data_file_or_sheet_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as info:
        read_wave(load_project(write_config(tmp_path, "absent.csv")))
    assert info.value.key == "table.file"
    write_xlsx(tmp_path / "entretiens.xlsx", [HEADER] + ROWS)
    with pytest.raises(ConfigError) as info:
        read_wave(load_project(write_config(tmp_path, "entretiens.xlsx", "sheet: Feuil1")))
    assert info.value.key == "table.sheet" and "Entretiens" in info.value.message


def test_explicit_encoding_that_does_not_fit(tmp_path):
    write_csv(tmp_path / "entretiens.csv", [HEADER] + ROWS, encoding="cp1252")
    problems = problems_of(tmp_path, "entretiens.csv", "encoding: utf-8")
    assert [p.code for p in problems] == ["bad_encoding"]


def test_json_problems(tmp_path):
    (tmp_path / "entretiens.json").write_text('{"N° entretien": "E01"}', encoding="utf-8")
    assert [p.code for p in problems_of(tmp_path, "entretiens.json")] == ["json_not_list"]
    (tmp_path / "entretiens.json").write_text(
        '[\n{"N° entretien": "E01"},\n{"N° entretien": \n]', encoding="utf-8"
    )
    assert [(p.row, p.code) for p in problems_of(tmp_path, "entretiens.json")] == [(4, "not_json")]


def test_rows_with_content_only_in_unread_columns_are_skipped(tmp_path):
    header = HEADER + ["Enquêteur"]
    rows = [r + ["MB"] for r in ROWS] + [[""] * len(HEADER) + ["SL"], [""] * len(HEADER) + ["SL"]]
    write_csv(tmp_path / "entretiens.csv", [header] + rows)
    problems = problems_of(tmp_path, "entretiens.csv")
    assert [p.code for p in problems] == ["unused_column", "optional_answer_missing"]


def test_empty_excel_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Entretiens"
    wb.save(tmp_path / "entretiens.xlsx")
    assert [p.code for p in problems_of(tmp_path, "entretiens.xlsx")] == ["empty_file"]


def test_excel_unicode_text_export_utf16_tabs(tmp_path):
    # Excel's "Unicode text" export: UTF-16 with BOM, tab-separated, CRLF
    write_csv(
        tmp_path / "entretiens.txt", [HEADER] + ROWS, sep="\t", encoding="utf-16", newline="\r\n"
    )
    project = load_project(write_config(tmp_path, "entretiens.txt"))
    wave = read_wave(project)
    assert (wave.inputs[0].encoding, wave.inputs[0].separator) == ("utf-16", "\t")
    assert wave.records["territory"].tolist() == ["rural", "urbain", "périurbain"]


def test_bytes_undefined_in_cp1252_are_replaced_with_a_warning(tmp_path):
    rows = rows_with(r1c8="Réponse bizarre")
    path = write_csv(tmp_path / "entretiens.csv", [HEADER] + rows, encoding="cp1252")
    path.write_bytes(path.read_bytes().replace(b"bizarre", b"\x81bizarre"))  # 0x81: undefined
    wave = read_wave(load_project(write_config(tmp_path, "entretiens.csv")))
    assert wave.inputs[0].encoding == "cp1252"
    assert wave.records["territory"].tolist() == ["rural", "urbain", "périurbain"]  # accents intact
    assert wave.answers.text.iloc[0] == "Réponse \ufffdbizarre"
    assert [(p.code, p.severity) for p in wave.report][0] == ("bytes_replaced", "warning")
