"""No CSV or XLSX the toolkit writes holds a cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from dialogue_analysis.core.privacy import FORMULA_TRIGGERS, csv_text, neutralise_frame
from dialogue_analysis.report import write_tables
from tests.ingest.test_ingest import HEADER, ROWS, write_config, write_csv

EVIL = '=HYPERLINK("http://evil.invalid","clic")'


def wave(tmp_path, duplicate: bool):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    rows = [list(r) + ["x"] for r in ROWS]
    rows[0][0] = EVIL
    if duplicate:
        rows[1][0] = EVIL
    write_csv(raw / "entretiens.csv", [HEADER + ["=2+3"]] + rows)
    return write_config(raw, "entretiens.csv")


def csv_cells(path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    return [cell for row in csv.reader(text.splitlines(), delimiter=";") for cell in row]


def assert_inert(cells, must_contain=()):
    live = [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_TRIGGERS)]
    assert not live, live
    for text in must_contain:
        assert any(text in c for c in cells if isinstance(c, str)), text


def test_ingest_errors_csv_holds_no_formula(tmp_path):
    config = wave(tmp_path, duplicate=True)
    result = CliRunner().invoke(app, ["ingest", str(config), "--root", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    path = tmp_path / "out" / "reports" / "essai-2018" / "ingest_errors.csv"
    cells = csv_cells(path)
    assert_inert(cells, must_contain=["'=2+3"])


def test_validation_csv_holds_no_formula(tmp_path):
    config = wave(tmp_path, duplicate=False)
    result = CliRunner().invoke(app, ["ingest", str(config), "--root", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "out" / "data" / "processed" / "essai-2018" / "validation.csv"
    assert_inert(csv_cells(path), must_contain=["'=2+3"])


def test_csv_and_workbook_neutralise_text_and_headers_but_keep_numbers(tmp_path):
    frame = pd.DataFrame({"=2+3": [EVIL, "-oui", "@SUM(A1)", "\tx", "ok"],
                          "delta": [-3, -1.5, 0, 2, 4],
                          "label": pd.array(["+33 6", "=cr", None, "a", "b"], dtype="string")})
    text = csv_text(frame, index=False)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == ["'=2+3", "delta", "label"]
    assert back["delta"].tolist() == [-3, -1.5, 0, 2, 4]  # numbers stay numbers
    assert back["'=2+3"].tolist()[:3] == ["'" + EVIL, "'-oui", "'@SUM(A1)"]
    assert frame.columns[0] == "=2+3" and frame.iloc[0, 0] == EVIL  # the input is untouched
    assert neutralise_frame(frame)["label"].isna().tolist() == [False, False, True, False, False]

    path = write_tables({"t": frame}, tmp_path / "t.xlsx", title="t")
    ws = openpyxl.load_workbook(path)["t"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert_inert([c.value for c in cells], must_contain=["'=2+3", "'" + EVIL])
    assert [ws.cell(r, 2).value for r in range(2, 7)] == [-3, -1.5, 0, 2, 4]
    assert ws.cell(2, 2).data_type == "n"
