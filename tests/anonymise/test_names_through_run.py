"""Names on none of the package's lists never leave data/raw: a full `run` on a small wave.

The wave is written inline; its answers cite people whose first and last names are on no list
of the package (rare French surnames alone, names of the communities living in France, names in
lower case, at the start of a sentence, answers in English). The CLI `run` analyses it and
publishes the report; then every file under data/processed/ and reports/ is read back (parquet,
xlsx, text) and must hold none of those names.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from tests.ingest.test_ingest import HEADER, write_config, write_csv

SAMPLE_CODEBOOK = Path(__file__).resolve().parents[2] / "data" / "raw" / "sample-2018" / "codebook.yaml"

# (answer q1, answer q2, names that must not be published)
ANSWERS = [
    ("M. Kerbrat m'a aidé pour les papiers de la CAF, il prend le temps.",
     "Sans Kerbrat je n'aurais jamais rempli le dossier.", ["Kerbrat"]),
    ("J'ai rencontré Zéphirin Abgrall au guichet de la mairie.",
     "Abgrall m'a rappelé le lendemain pour le rendez-vous.", ["Zéphirin", "Abgrall"]),
    ("Kowalczyk est passée hier pour l'ordinateur, elle connaît bien internet.",
     "Madame Wiesława Kowalczyk vient chaque jeudi au centre social.",
     ["Kowalczyk", "Wiesława"]),
    ("Mon assistante sociale, Anahide Ter-Minassian, m'a inscrite à l'atelier numérique.",
     "Je vois aussi Kossi Agbeko, le médiateur du quartier.",
     ["Anahide", "Ter-Minassian", "Kossi", "Agbeko"]),
    ("Au CCAS c'est Vasanthi Sivakumar qui m'a montré le site des impôts.",
     "Xiuying Zhou m'a traduit le courrier de la préfecture.",
     ["Vasanthi", "Sivakumar", "Xiuying", "Zhou"]),
    ("je m'appelle zéphirine le quéméner et je n'ai pas d'ordinateur.",
     "c'est madame kerjean qui m'aide pour les mails.", ["zéphirine", "quéméner", "kerjean"]),
    ("John Whitfield helped me with the online form, he is very patient.",
     "I met Mrs Pennington at the desk and she booked my appointment.",
     ["John Whitfield", "Whitfield", "Pennington"]),
    ("My caseworker Siobhan O'Donnell calls me every week.",
     "Emeka Chukwuemeka showed me how to scan documents.",
     ["Siobhan", "O'Donnell", "Chukwuemeka"]),
    ("Le docteur Yérim Ndiogou m'a dit de prendre rendez-vous sur Doctolib.",
     "Arezki Tassadit, le voisin, m'a prêté sa tablette.", ["Ndiogou", "Yérim", "Arezki",
                                                           "Tassadit"]),
    ("Séraphin Gourvennec, de l'association, répare les vieux ordinateurs.",
     "Pôle emploi m'a convoqué deux fois ce mois-ci.", ["Séraphin", "Gourvennec"]),
]
TERRITORIES = ["ville", "Zone rurale", "Péri-urbain"]
AGES = ["25-34", "35 - 49", "65 ans et plus", "50-64", "18-24"]


def _rows() -> list[list[str]]:
    rows = []
    for i, (q1, q2, _) in enumerate(ANSWERS, start=1):
        rows.append([f"E{i:02d}", f"{10 + i:02d}/04/2018", TERRITORIES[i % 3], AGES[i % 5],
                     "Smartphone", str(1 + i % 4), str(1 + i % 3), q1, q2])
    return rows


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.replace("’", "'"))
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _strings(path: Path) -> list[str]:
    """Every piece of text a reader of ``path`` would see."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        df = pd.read_parquet(path)
        return [*map(str, df.columns), *(str(v) for v in df.astype(str).to_numpy().ravel())]
    if suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        return [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                for v in row if v is not None]
    if suffix in {".png", ".jpg", ".jpeg", ".pdf"}:
        return []
    return [path.read_bytes().decode("utf-8", errors="replace")]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("names-run")
    raw = root / "data" / "raw" / "noms"
    raw.mkdir(parents=True)
    shutil.copy(SAMPLE_CODEBOOK, raw / "codebook.yaml")
    write_csv(raw / "entretiens.csv", [HEADER] + _rows())
    config = write_config(raw, "entretiens.csv")
    config.write_text(config.read_text(encoding="utf-8") + "codebook: codebook.yaml\n",
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(config), "--root", str(root), "--no-notebooks"])
    assert result.exit_code == 0, result.output
    return root


def _published_files(root: Path) -> list[Path]:
    files = [p for top in ("data/processed", "reports") for p in (root / top).rglob("*")
             if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".xlsx" for p in files)
    return files


def _leaks(root: Path, names: list[str], files: list[Path]) -> list[str]:
    out = []
    for path in files:
        text = _fold("\n".join(_strings(path)))
        out += [f"{n} in {path.relative_to(root)}" for n in names
                if re.search(rf"(?<!\w){re.escape(_fold(n))}(?!\w)", text)]
    return out


def test_entity_recogniser_ran_on_every_answer(published):
    manifests = list((published / "data" / "processed").rglob("analysis_manifest.json"))
    assert len(manifests) == 1
    params = json.loads(manifests[0].read_text(encoding="utf-8"))
    anonymise = params["stages"]["anonymise"]["params"]
    n_texts = len({t for q1, q2, _ in ANSWERS for t in (q1, q2)})
    assert anonymise["ner_texts"] == n_texts
    assert anonymise["placeholders"]["person"] >= len(ANSWERS) - 1


@pytest.mark.parametrize("names", [a[2] for a in ANSWERS], ids=[a[2][0] for a in ANSWERS])
def test_names_on_no_list_are_published_nowhere(published, names):
    # the canonical answers under data/processed included: only data/interim holds raw text
    assert not _leaks(published, names, _published_files(published))



def test_the_answers_still_say_what_they_said(published):
    answers = pd.concat(pd.read_parquet(p) for p in
                        (published / "data" / "processed").rglob("answers.parquet"))
    text = "\n".join(answers["text"].astype(str))
    assert "[PERSONNE_1] m'a aidé pour les papiers de la CAF" in text
    assert "Pôle emploi m'a convoqué deux fois ce mois-ci." in text  # no false person
