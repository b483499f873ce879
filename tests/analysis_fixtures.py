"""Waves analysed once per test session, shared by the analysis, report, workbook, privacy and
notebook tests.

``built_wave()`` runs the whole pipeline (``run_analysis`` then ``report.publish``) on a copy of
the sample wave into which identifiers were planted (names, phones, e-mails, addresses), in a
temporary root. Where a stage the pipeline needs is not available (no codebook for the sample),
it falls back to a synthetic wave analysed from its coded tables (``analyse_tables``) so that
the report writers are still tested; ``Built.full`` says which one ran.

Results are cached in this module (not by pytest), so every test module gets the same run.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dialogue_analysis.analysis import Analysis
from dialogue_analysis.analysis._run import analyse_tables
from dialogue_analysis.analysis._store import save_analysis
from dialogue_analysis.core import StageTimer

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "raw" / "sample-2018"
NOTEBOOKS = REPO / "notebooks"

# Planted in the answers of the test wave; none may reach reports/.
PLANTED = [
    ("q1", "Je m'appelle Josiane Lefèvre et mon numéro c'est le 06 47 82 19 33, vous pouvez "
           "m'appeler."),
    ("q4", "Écrivez-moi à josiane.lefevre58@free.fr ou passez au 14 rue des Tanneurs, "
           "23000 Guéret."),
    ("q2", "Mon conseiller, Monsieur Gérard Poulain, m'a donné son portable : 07.61.25.04.88."),
    ("q3", "C'est Kevin Mabiala qui m'aide, il habite 3 impasse des Lilas à Saint-Amand."),
    ("q5", "Appelez Sandrine Caron au +33 6 12 40 77 05 ou à sandrine.caron@gmail.com."),
]
IDENTIFIERS = ["Josiane Lefèvre", "Lefèvre", "06 47 82 19 33", "0647821933",
               "josiane.lefevre58@free.fr", "14 rue des Tanneurs", "Gérard Poulain",
               "07.61.25.04.88", "Kevin Mabiala", "Mabiala", "3 impasse des Lilas",
               "Sandrine Caron", "+33 6 12 40 77 05", "sandrine.caron@gmail.com"]


@dataclass
class Built:
    root: Path
    config: Path
    analysis: Analysis
    reports: Path
    published: dict
    full: bool  # True: the whole pipeline ran on the (planted) sample wave


def _tmp_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="da-test-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def pipeline_available() -> bool:
    try:
        from dialogue_analysis import coding  # noqa: F401
    except ImportError:
        return False
    return (SAMPLE / "survey.yaml").is_file() and (SAMPLE / "codebook.yaml").is_file()


def _planted_copy(root: Path, planted=PLANTED) -> Path:
    """The sample wave copied under ``root/data/raw`` with identifiers planted in answers.

    ``planted``: (question id, sentence) pairs; each sentence is added to the answer of a
    different interview."""
    import openpyxl
    import yaml

    raw = root / "data" / "raw" / "sample-2018"
    shutil.copytree(SAMPLE, raw)
    config = yaml.safe_load((raw / "survey.yaml").read_text(encoding="utf-8"))
    table = config["table"]
    columns = {q["id"]: q["column"] for q in config["questions"]}
    path = raw / table["file"]
    wb = openpyxl.load_workbook(path)
    ws = wb[table["sheet"]] if "sheet" in table else wb.active
    header_row = int(table.get("header_row", 1))
    headers = {str(c.value).strip(): c.column for c in ws[header_row] if c.value is not None}
    for i, (qid, sentence) in enumerate(planted):
        row = header_row + 1 + 7 * i + 3
        cell = ws.cell(row, headers[columns[qid]])
        cell.value = f"{cell.value or ''} {sentence}".strip()
    wb.save(path)
    return raw / "survey.yaml"


@functools.cache
def built_wave() -> Built:
    """The session's analysed and published wave (see the module notes)."""
    from dialogue_analysis import report

    root = _tmp_root()
    if pipeline_available():
        from dialogue_analysis.analysis import run_analysis
        from dialogue_analysis.ingest import load_project

        config = _planted_copy(root)
        project = load_project(config)
        analysis = run_analysis(project, root)
        reports = project.reports_dir(root)
        full = True
    else:
        config = _synthetic_config(root)
        analysis = synthetic_analysis()
        save_analysis(analysis, root / "data" / "processed" / analysis.wave)
        reports = root / "reports" / analysis.wave
        full = False
    published = report.publish(analysis, reports, notebooks_dir=NOTEBOOKS, config_path=config,
                               root=root, identifiers=IDENTIFIERS if full else ())
    return Built(root, config, analysis, reports, published, full)


def _synthetic_config(root: Path, wave: str = "synthetic") -> Path:
    """A survey config naming a synthetic wave (for ``load_analysis``)."""
    raw = root / "data" / "raw" / wave
    shutil.copytree(SAMPLE, raw)
    text = (raw / "survey.yaml").read_text(encoding="utf-8")
    (raw / "survey.yaml").write_text(text.replace("wave: sample-2018", f"wave: {wave}", 1),
                                     encoding="utf-8")
    return raw / "survey.yaml"


@functools.cache
def synthetic_analysis(n_records: int = 200, language: str = "fr", *, seed: int = 1,
                       wave: str = "synthetic") -> Analysis:
    """A synthetic wave with four planted groups, analysed from its coded tables."""
    from tests.synthetic import CODES, make_wave

    w = make_wave(n_records, 4, seed=seed)
    records = w.records.copy()
    days = pd.to_timedelta(np.arange(len(records)) % 60, unit="D")
    records["date"] = pd.Timestamp("2018-03-01") + days
    records["region"] = np.where(np.arange(len(records)) % 3 == 0, "Bretagne", "Occitanie")
    codebook = pd.DataFrame({"code": CODES, "family": [c.split(".")[0] for c in CODES]})
    codebook["label_fr"] = [c.split(".")[1].replace("_", " ").capitalize() for c in CODES]
    codebook["label_en"] = codebook["label_fr"] + " (en)"
    codebook["family_label_fr"] = codebook["family"]
    codebook["family_label_en"] = codebook["family"]
    codebook["description"] = ""
    first = w.answers.drop_duplicates("record_id").set_index("record_id")["text"]
    rows = [{"record_id": rid, "question_id": "q1", "code": c, "family": c.split(".")[0],
             "start": 0, "end": len(first[rid]), "evidence": first[rid]}
            for rid, row in w.code_matrix.iterrows() for c in CODES if row[c]]
    passages = pd.DataFrame(rows)
    settings = {"language": language, "seed": 0, "n_clusters": "auto", "k_range": [2, 6],
                "min_cell_count": 5, "cluster_labels": {}, "importance": {}}
    timer = StageTimer()
    tables, params = analyse_tables(records, w.answers, w.terms, passages, w.code_matrix,
                                    codebook, settings=settings, timer=timer)
    questions = pd.DataFrame({"question_id": [f"q{i}" for i in range(1, 6)],
                              "label": [f"Question {i} ?" for i in range(1, 6)]})
    manifest = {"stages": {k: {"seconds": v, "params": params.get(k, {})}
                           for k, v in timer.timings.items()},
                "versions": {"python": "3"}, "created": "2018-06-01T00:00:00+00:00"}
    return Analysis(wave=wave, settings=settings, manifest=manifest,
                    questions=questions, **tables)
