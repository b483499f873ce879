"""What is stored where: raw text only under data/raw/ and data/interim/; data/processed/ and
reports/ hold pseudonymised text only, and nothing published gives a row per person.

Identifiers of every kind the anonymise stage knows are planted in a copy of the sample wave
(in answers and in a free-text attribute), the wave goes through ``run`` and ``report`` as an
analyst would run them, then every file written under data/processed/ and reports/ is read
back, whatever its format.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from dialogue_analysis.ingest import ANONYMISE_CACHE
from dialogue_analysis.report import SHEET_TITLES
from tests.analysis_fixtures import IDENTIFIERS, _planted_copy, built_wave, pipeline_available

PLANTED = [
    ("q1", "Écrivez-moi à josiane.lefevre58@free.fr ou appelez le 06 47 82 19 33, merci."),
    ("q2", "Mon numéro de sécu, 1 85 05 78 006 084 91, je le redonne à chaque guichet."),
    ("q3", "Mon RIB, FR76 3000 6000 0112 3456 7890 189, je l'ai envoyé par la Poste."),
    ("q4", "Je m'appelle Josiane Lefèvre et la CAF ne me répond jamais."),
    ("q5", "Mon IBAN, c'est FR7630004000031234567890143, recopié sur un post-it."),
]
REMARK = "Rappeler Josiane Lefèvre au 06 47 82 19 33 (josiane.lefevre58@free.fr)"
SECRETS = ["josiane.lefevre58@free.fr", "06 47 82 19 33", "0647821933",
           "1 85 05 78 006 084 91", "185057800608491",
           "FR76 3000 6000 0112 3456 7890 189", "FR7630004000031234567890143",
           "Josiane Lefèvre", "Lefèvre"]
# The person-level sheets, by the names they carry in a French workbook.
PERSON_SHEETS = {SHEET_TITLES[s][0] for s in ("records", "answers", "code_matrix", "passages")}


def invoke(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def _with_free_text_remark(config: Path) -> Path:
    """Declare the interviewers' notes (``Remarques``) as a free-text attribute, and plant an
    identifier in one of them: free text is kept, but never pseudonymised nor shared."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["table"]["ignore_columns"] = [c for c in data["table"].get("ignore_columns", [])
                                       if c != "Remarques"]
    data["attributes"]["remarks"] = {"column": "Remarques", "type": "text"}
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    wb = openpyxl.load_workbook(config.parent / data["table"]["file"])
    ws = wb[data["table"]["sheet"]]
    header_row = int(data["table"]["header_row"])
    column = next(c.column for c in ws[header_row] if c.value == "Remarques")
    ws.cell(header_row + 2, column).value = REMARK
    wb.save(config.parent / data["table"]["file"])
    return config


def texts_of(path: Path) -> str:
    """Everything a file holds that a person could read, as one string (binary images aside)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        df = pd.read_parquet(path)
        cells = [" ".join(map(str, df.columns))]
        for col in df.columns:
            cells += [" ".join(map(str, v)) if hasattr(v, "__len__") and not isinstance(v, str)
                      else str(v) for v in df[col].tolist()]
        return "\n".join(cells)
    if suffix == ".npz":  # the analysis cache: arrays of numbers, and their names
        with np.load(path, allow_pickle=False) as z:
            return "\n".join([*z.files, *(" ".join(map(str, z[n].ravel())) for n in z.files
                                           if z[n].dtype.kind in "US")])
    if suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        return "\n".join(str(v) for ws in wb.worksheets
                         for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    if suffix == ".png":
        return ""  # drawn text; the same figures are checked in their SVG form
    if suffix in (".docx", ".pptx", ".qdpx"):
        # every XML and text part; a word may be split over several runs, so the text is read
        # both with the runs joined and with them apart
        with zipfile.ZipFile(path) as zf:
            parts = [zf.read(n).decode("utf-8") for n in zf.namelist()
                     if n.endswith((".xml", ".qde", ".txt"))]
        markup = "\n".join(parts)
        return "\n".join(html.unescape(re.sub(r"<[^>]+>", sep, markup)) for sep in ("", " "))
    text = path.read_text(encoding="utf-8")
    if suffix in (".json", ".ipynb"):  # \u escapes and split lines as written by json.dump
        text += "\n" + json.dumps(json.loads(text), ensure_ascii=False)
    return text


def leaks(folders, secrets) -> dict[str, list[str]]:
    """{file: [secrets it holds]} over every file under ``folders`` (case and spaces ignored)."""
    def norm(s):
        return re.sub(r"\s+", " ", s).casefold()

    found, checked = {}, 0
    for folder in folders:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            checked += 1
            text = norm(texts_of(path))
            hits = [s for s in secrets if norm(s) in text]
            if hits:
                found[str(path)] = hits
    assert checked, f"no file under {folders}"
    return found


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    if not pipeline_available():
        pytest.skip("the sample wave and its codebook are needed")
    root = tmp_path_factory.mktemp("stored")
    config = _with_free_text_remark(_planted_copy(root, PLANTED))
    invoke("run", config, "--root", root, "--no-notebooks")
    return root, config


def test_raw_text_is_kept_only_under_data_interim_with_its_readme(ran):
    root, config = ran
    interim = root / "data" / "interim" / "sample-2018"
    readme = (interim / "README.md").read_text(encoding="utf-8")
    assert "as sensitive as the raw" in readme and "never published" in readme.lower()
    # The planted identifiers did reach the stages (else the checks below prove nothing)...
    raw = pd.read_parquet(interim / "answers.parquet")
    assert raw["text"].str.contains("josiane.lefevre58@free.fr", regex=False).sum() == 1
    assert raw["text"].str.contains("FR76 3000 6000 0112 3456 7890 189", regex=False).sum() == 1
    records = pd.read_parquet(interim / "records.parquet")
    assert (records["remarks"] == REMARK).sum() == 1
    # The reader used on data/processed and reports finds them where they are.
    found = leaks([interim], SECRETS)
    assert set(found[str(interim / "answers.parquet")]) == set(SECRETS) - {
        "0647821933", "185057800608491"}
    assert set(found[str(interim / "records.parquet")]) == {
        "josiane.lefevre58@free.fr", "06 47 82 19 33", "Josiane Lefèvre", "Lefèvre"}
    # ...and the canonical tables analysts share hold their placeholders instead.
    processed = root / "data" / "processed" / "sample-2018"
    answers = pd.read_parquet(processed / "answers.parquet")
    assert len(answers) == len(raw)
    text = " ".join(answers["text"])
    for label in ("EMAIL", "TELEPHONE", "NIR", "IBAN", "PERSONNE"):
        assert f"[{label}_" in text, label
    assert "remarks" not in pd.read_parquet(processed / "records.parquet")


def test_the_anonymise_cache_is_with_the_raw_text_and_holds_no_identifier(ran):
    root, _ = ran
    cache = root / "data" / "interim" / "sample-2018" / ANONYMISE_CACHE
    assert list(cache.rglob("found-*.parquet"))
    assert leaks([cache], SECRETS) == {}  # offsets, not the identifiers themselves


def test_no_identifier_under_data_processed_or_reports(ran):
    root, _ = ran
    assert leaks([root / "data" / "processed", root / "reports"], SECRETS) == {}
    cache = list((root / "data" / "processed" / "_nlp_cache").rglob("*.parquet"))
    assert cache  # the NLP cache was written, and read above: it holds pseudonymised text only


def test_published_workbook_has_no_row_per_person(ran):
    root, _ = ran
    n_records = len(pd.read_parquet(root / "data" / "processed" / "sample-2018" /
                                    "records.parquet"))
    wb = openpyxl.load_workbook(root / "reports" / "sample-2018" / "findings.xlsx")
    assert not PERSON_SHEETS & set(wb.sheetnames)
    ids = {(r[0], r[1]): r[2] for r in wb.worksheets[1].iter_rows(min_row=2, values_only=True)}
    for ws in wb.worksheets:
        header = [ids[(ws.title, c.value)] for c in ws[1]]
        assert "record_id" not in header, ws.title
        assert ws.max_row - 1 != n_records, ws.title  # 160 interviews: no sheet of 160 rows
    assert not list(root.rglob("analyst_workbook.xlsx"))  # not asked for


def test_analyst_workbook_only_when_asked_and_never_under_reports(ran, tmp_path):
    root, config = ran
    copy = tmp_path / "root"
    shutil.copytree(root, copy)
    config = copy / config.relative_to(root)
    invoke("report", config, "--root", copy, "--no-notebooks", "--analyst-workbook")
    found = list(copy.rglob("analyst_workbook.xlsx"))
    assert found == [copy / "data" / "processed" / "sample-2018" / "analyst_workbook.xlsx"]
    wb = openpyxl.load_workbook(found[0])
    n_records = len(pd.read_parquet(copy / "data" / "interim" / "sample-2018" /
                                    "records.parquet"))
    assert wb[SHEET_TITLES["records"][0]].max_row == n_records + 1
    assert PERSON_SHEETS <= set(wb.sheetnames)
    # Person-level, yet pseudonymised like the rest of data/processed; reports/ unchanged.
    assert leaks([copy / "data" / "processed", copy / "reports"], SECRETS) == {}
    assert not PERSON_SHEETS & set(openpyxl.load_workbook(
        copy / "reports" / "sample-2018" / "findings.xlsx").sheetnames)
    # A later report that does not ask for it removes it: it must not outlive its analysis.
    invoke("report", config, "--root", copy, "--no-notebooks")
    assert not list(copy.rglob("analyst_workbook.xlsx"))


def test_the_shared_test_wave_leaves_no_identifier_in_processed_or_reports():
    built = built_wave()
    assert built.full  # identifiers were planted and the whole pipeline ran, notebooks too
    assert (built.reports / "notebooks").is_dir()
    assert leaks([built.root / "data" / "processed", built.reports], IDENTIFIERS) == {}


def test_the_mapping_to_originals_is_refused_in_shared_folders(tmp_path):
    from dialogue_analysis.anonymise import write_mapping

    mapping = pd.DataFrame([{"record_id": "E18-001", "placeholder": "[EMAIL_1]",
                             "kind": "email", "original": "josiane.lefevre58@free.fr"}])
    for shared in ("data/processed/sample-2018/mapping.csv", "reports/sample-2018/m.parquet"):
        with pytest.raises(ValueError, match="data/interim"):
            write_mapping(mapping, tmp_path / shared)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    path = write_mapping(mapping, tmp_path / "data" / "interim" / "sample-2018" / "mapping.csv")
    assert pd.read_csv(path)["original"].tolist() == ["josiane.lefevre58@free.fr"]
