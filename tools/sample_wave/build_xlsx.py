"""Assemble the fictional sample wave's Excel file from the briefs and the hand-written answers.

Reads tools/sample_wave/briefs.json (who each interviewee is) and answers/part_*.json (the five
answers of each interview) and writes data/raw/sample-2018/entretiens_2018.xlsx as an interviewer
team would send it: a merged title cell, a note, an empty row, the header on row 4, French
headers, category labels typed in several ways ("zone rurale", "Campagne", "Péri-urbain"...),
most dates as Excel dates and a few as text, "NSP" for some self-ratings, multi-select cells with
irregular separators and capitals, an interviewer column and a remarks column, and a second
sheet of instructions. survey.yaml absorbs all of it without code.

The workbook has no formula: openpyxl cannot compute one, so a formula written here would have
no saved value, unlike a file saved by Excel (the reading of formulas is tested on fixtures).

Deterministic: a fixed seed, fixed workbook properties and fixed zip entry dates, so the bytes
are the same at every build. Until all 160 interviews are written, the file is built with the
interviews available into a temporary folder (with a copy of survey.yaml) to develop against.

Usage: python tools/sample_wave/build_xlsx.py [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

# The committed workbook's bytes must not depend on whether lxml is installed (openpyxl
# writes empty values and entities differently with it): the built-in XML writer, always.
os.environ["OPENPYXL_LXML"] = "False"

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WAVE_DIR = REPO / "data" / "raw" / "sample-2018"
OUT = WAVE_DIR / "entretiens_2018.xlsx"
N_RECORDS = 160
SEED = 2018
FIXED_TIME = dt.datetime(2018, 7, 2, 9, 30)
ZIP_TIME = (2018, 7, 2, 9, 30, 0)

TITLE = "Dialogue parties prenantes « Précarité et numérique » — vague 2018"
NOTE = (
    "Fichier de saisie commun aux enquêteurs : une ligne par entretien. "
    "Ne pas modifier les intitulés de la ligne 4. Réponses saisies au plus près des propos."
)
HEADERS = [
    "N° entretien",
    "Date entretien",
    "Famille de parties prenantes",
    "Profil",
    "Tranche d'âge",
    "Territoire",
    "Région",
    "Équipement",
    "Connexion",
    "Autonomie numérique (1-4)",
    "Services en ligne critiques",
    "Q1 – Usages et difficultés",
    "Q2 – Services critiques",
    "Q3 – Besoins",
    "Q4 – Accompagnement souhaité",
    "Q5 – Rôle de l'opérateur",
    "Enquêteur",
    "Remarques",
]
WIDTHS = [13, 14, 26, 26, 12, 13, 24, 26, 16, 14, 32, 60, 60, 60, 60, 60, 10, 30]
INSTRUCTIONS = [
    "Consignes aux enquêteurs",
    "",
    "1. Une ligne par entretien ; numéroter les entretiens E18-001, E18-002, ... sans réutiliser un numéro.",
    "2. Date : la date de l'entretien (jj/mm/aaaa).",
    "3. Famille de parties prenantes : acteurs de terrain, influenceurs, salariés de l'opérateur, "
    "personnes en précarité.",
    "4. Territoire : urbain, périurbain ou rural, selon le lieu de vie (ou d'exercice) de la personne.",
    "5. Équipement et services en ligne critiques : plusieurs réponses possibles, séparées par « ; ».",
    "6. Autonomie numérique : auto-évaluation de 1 (pas du tout autonome) à 4 (tout à fait autonome) ; "
    "NSP si la personne ne sait pas.",
    "7. Questions Q1 à Q5 : saisir la réponse au plus près des mots de la personne, sans la résumer.",
    "8. Ne noter ni nom, ni adresse, ni téléphone dans les réponses ; s'ils sont dits, "
    "ils seront pseudonymisés à l'analyse.",
    "9. Enquêteur : vos initiales. Remarques : conditions de l'entretien, si utile.",
]

# How interviewers typed each canonical value: (variant, weight); the first is the most common.
GROUPS = {
    "personnes en précarité": [
        ("Personnes en précarité", 6),
        ("public précaire", 2),
        ("personnes en precarite", 1),
        ("Personne en situation de précarité", 1),
    ],
    "acteurs de terrain": [
        ("Acteurs de terrain", 6),
        ("Acteur de terrain", 3),
        ("acteur terrain", 1),
    ],
    "influenceurs": [("Influenceurs", 6), ("influenceur", 2), ("Expert / influenceur", 1)],
    "salariés de l'opérateur": [
        ("Salariés de l'opérateur", 6),
        ("Salariés de l’opérateur", 2),
        ("salarié opérateur", 2),
        ("Collaborateur opérateur", 1),
    ],
}
PROFILES = {
    "senior": [("Senior", 6), ("retraitée", 2), ("Personne âgée", 1)],
    "jeune en insertion": [
        ("Jeune en insertion", 6),
        ("jeune (insertion)", 2),
        ("Jeune en parcours d'insertion", 1),
    ],
    "demandeur d'emploi": [
        ("Demandeur d'emploi", 6),
        ("demandeuse d'emploi", 3),
        ("Demandeur d’emploi", 1),
    ],
    "famille précaire": [
        ("Famille précaire", 6),
        ("famille en précarité", 2),
        ("Famille monoparentale", 1),
    ],
    "salarié décroché du numérique": [
        ("Salarié décroché du numérique", 6),
        ("salariée décrochée", 2),
        ("Décroché du numérique", 1),
    ],
    "travailleur associatif": [
        ("Travailleur associatif", 5),
        ("bénévole associatif", 2),
        ("Salariée associative", 2),
        ("Responsable d'association", 1),
    ],
    "travailleur social": [
        ("Travailleur social", 5),
        ("travailleuse sociale", 3),
        ("Assistante sociale", 2),
    ],
    "médiateur numérique": [
        ("Médiateur numérique", 6),
        ("médiatrice numérique", 3),
        ("Animateur EPN", 1),
    ],
    "conseiller mission locale": [
        ("Conseiller mission locale", 5),
        ("conseillère Mission Locale", 3),
        ("CIP mission locale", 1),
    ],
    "agent CCAS": [("Agent CCAS", 5), ("agent du CCAS", 3), ("CCAS", 1)],
    "expert ou chercheur": [
        ("Expert ou chercheur", 4),
        ("Chercheuse", 2),
        ("Expert", 2),
        ("universitaire", 1),
    ],
    "journaliste": [("Journaliste", 6), ("journaliste presse locale", 2)],
    "conseiller en boutique": [
        ("Conseiller en boutique", 5),
        ("conseillère boutique", 3),
        ("Vendeur boutique", 1),
    ],
    "conseiller service client": [
        ("Conseiller service client", 5),
        ("conseillère relation client", 3),
        ("Service client", 1),
    ],
    "manager": [("Manager", 6), ("Responsable d'équipe", 2)],
}
AGES = {
    "18-24": [("18-24", 5), ("18-24 ans", 3), ("18 - 24", 1)],
    "25-34": [("25-34", 5), ("25-34 ans", 3), ("25 - 34", 1)],
    "35-49": [("35-49", 5), ("35-49 ans", 3), ("35 - 49", 1)],
    "50-64": [("50-64", 5), ("50-64 ans", 3), ("50 - 64", 1)],
    "65-74": [("65-74", 5), ("65-74 ans", 3)],
    "75+": [("75+", 4), ("75 ans et plus", 3), ("75 ans +", 1)],
}
TERRITORIES = {
    "urbain": [("Urbain", 6), ("urbain", 2), ("ville", 2), ("zone urbaine", 1)],
    "périurbain": [
        ("Périurbain", 5),
        ("Péri-urbain", 3),
        ("periurbain", 1),
        ("zone périurbaine", 1),
    ],
    "rural": [("Rural", 5), ("zone rurale", 3), ("Campagne", 2), ("rural", 1)],
}
REGIONS = {
    "Île-de-France": [("Île-de-France", 5), ("Ile-de-France", 3), ("IDF", 2)],
    "Provence-Alpes-Côte d'Azur": [("Provence-Alpes-Côte d'Azur", 4), ("PACA", 4)],
    "Auvergne-Rhône-Alpes": [
        ("Auvergne-Rhône-Alpes", 6),
        ("Auvergne Rhône-Alpes", 2),
        ("Auvergne-Rhone-Alpes", 1),
    ],
    "Hauts-de-France": [("Hauts-de-France", 6), ("Hauts de France", 3)],
    "Grand Est": [("Grand Est", 6), ("Grand-Est", 3)],
    "Nouvelle-Aquitaine": [("Nouvelle-Aquitaine", 6), ("Nouvelle Aquitaine", 3)],
    "Bourgogne-Franche-Comté": [("Bourgogne-Franche-Comté", 6), ("Bourgogne Franche Comté", 2)],
    "Centre-Val de Loire": [("Centre-Val de Loire", 6), ("Centre Val de Loire", 2)],
}
CONNECTIONS = {
    "box fibre": [("Box fibre", 5), ("fibre", 3)],
    "box ADSL": [("Box ADSL", 5), ("ADSL", 3), ("box adsl", 1)],
    "4G": [("4G", 6)],
    "4G seulement": [("4G seulement", 4), ("4G uniquement", 2), ("forfait mobile 4G", 1)],
    "wifi public": [
        ("Wifi public", 4),
        ("wifi gratuit (médiathèque, McDo)", 1),
        ("WiFi public", 2),
    ],
    "pas de connexion": [("Pas de connexion", 5), ("aucune", 2), ("pas d'internet", 2)],
}
EQUIPMENT = {
    "smartphone": [("smartphone", 5), ("Smartphone", 4), ("portable (smartphone)", 1)],
    "ordinateur": [("ordinateur", 5), ("Ordinateur", 3), ("PC", 2), ("ordi portable", 1)],
    "tablette": [("tablette", 5), ("Tablette", 4)],
    "téléphone simple": [("téléphone simple", 3), ("Téléphone à clapet", 1), ("vieux portable", 1)],
    "aucun": [("aucun", 4), ("Aucun", 3), ("rien", 1)],
}
SERVICES = {
    "impôts": [("impôts", 5), ("Impots", 2), ("impots.gouv", 1)],
    "emploi (Pôle emploi)": [("Pôle emploi", 6), ("pole emploi", 2), ("Pôle Emploi", 2)],
    "CAF et prestations": [("CAF", 7), ("caf", 2), ("CAF (RSA, APL)", 1)],
    "santé (Ameli)": [("Ameli", 6), ("ameli", 2), ("sécu", 2)],
    "banque": [("banque", 5), ("Banque en ligne", 3)],
    "papiers d'identité (ANTS)": [
        ("ANTS", 5),
        ("carte grise / ANTS", 2),
        ("papiers d'identité", 2),
    ],
    "école (ENT)": [("ENT", 5), ("ENT (collège)", 2), ("école", 2)],
    "logement": [("logement", 5), ("HLM", 1), ("demande de logement", 2)],
    "retraite": [("retraite", 5), ("Retraite (CARSAT)", 2), ("caisse de retraite", 1)],
    "énergie": [("énergie", 5), ("EDF", 2), ("fournisseur d'énergie", 1)],
}
SEPARATORS = [("; ", 6), (";", 3), (" ; ", 3), (" ;", 1), (";  ", 1)]
INTERVIEWERS = ["MB", "SL", "AK", "JR", "CD"]
REMARKS = [
    "entretien par téléphone",
    "entretien à la médiathèque",
    "personne accompagnée de sa fille",
    "entretien interrompu puis repris",
    "dans les locaux du CCAS",
    "en boutique, pendant la pause",
    "relu avec la personne",
    "entretien à domicile",
    "entretien court, personne pressée",
    "dans les locaux de l'association",
]
FIRST_DAY, LAST_DAY = dt.date(2018, 3, 12), dt.date(2018, 6, 29)


def pick(rng: random.Random, variants: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in variants], weights=[w for _, w in variants])[0]


def typed(rng: random.Random, table: dict, value: str) -> str:
    """How an interviewer typed a canonical value (itself when the table has no variant)."""
    return pick(rng, table[value]) if value in table else value


def multi(rng: random.Random, table: dict, values: list[str]) -> str:
    parts = [typed(rng, table, v) for v in values]
    return pick(rng, SEPARATORS).join(parts)


def interview_days(rng: random.Random, n: int) -> list[dt.date]:
    """Working days of the fieldwork, in the order of the interview numbers (roughly)."""
    days = [FIRST_DAY + dt.timedelta(d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    return sorted(rng.choice(days) for _ in range(n))


def load_interviews() -> list[tuple[dict, dict]]:
    """(brief, answers) pairs of the interviews written so far, in record order."""
    briefs = json.loads((HERE / "briefs.json").read_text(encoding="utf-8"))
    answers: dict[str, dict] = {}
    for part in sorted((HERE / "answers").glob("part_*.json")):
        answers.update(json.loads(part.read_text(encoding="utf-8")))
    complete = {
        k for k, v in answers.items() if all((v.get(f"q{i}") or "").strip() for i in range(1, 6))
    }
    return [(b, answers[b["record_id"]]) for b in briefs if b["record_id"] in complete]


def rows(interviews: list[tuple[dict, dict]]) -> list[list]:
    """The spreadsheet rows, messiness included (all drawn from one seeded generator)."""
    rng = random.Random(SEED)
    days = interview_days(rng, N_RECORDS)
    text_dates = set(rng.sample(range(N_RECORDS), 9))
    nsp = set(rng.sample(range(N_RECORDS), 6))
    out = []
    for brief, answer in interviews:
        i = int(brief["record_id"].split("-")[1]) - 1
        day = days[i]
        date = day.strftime("%d/%m/%Y") if i in text_dates else dt.datetime.combine(day, dt.time())
        autonomy = (
            "NSP"
            if i in nsp
            else (str(brief["autonomy"]) if rng.random() < 0.05 else brief["autonomy"])
        )
        record_id = brief["record_id"] + (" " if rng.random() < 0.02 else "")
        remark = rng.choice(REMARKS) if rng.random() < 0.25 else None
        out.append(
            [
                record_id,
                date,
                typed(rng, GROUPS, brief["group"]),
                typed(rng, PROFILES, brief["profile"]),
                typed(rng, AGES, brief["age_band"]),
                typed(rng, TERRITORIES, brief["territory"]),
                typed(rng, REGIONS, brief["region"]),
                multi(rng, EQUIPMENT, brief["equipment"]),
                typed(rng, CONNECTIONS, brief["connection"]),
                autonomy,
                multi(rng, SERVICES, brief["critical_services"]),
                *(answer[f"q{k}"].strip() for k in range(1, 6)),
                rng.choice(INTERVIEWERS),
                remark,
            ]
        )
    return out


def workbook(data: list[list]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Entretiens"
    last = len(HEADERS)
    ws.cell(1, 1, TITLE).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.cell(2, 1, NOTE).font = Font(italic=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for j, header in enumerate(HEADERS, 1):
        cell = ws.cell(4, j, header)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[cell.column_letter].width = WIDTHS[j - 1]
    for r, row in enumerate(data, 5):
        for j, value in enumerate(row, 1):
            cell = ws.cell(r, j, value)
            cell.alignment = Alignment(wrap_text=j >= 12, vertical="top")
            if isinstance(value, dt.datetime):
                cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "B5"
    notes = wb.create_sheet("Consignes")
    notes.column_dimensions["A"].width = 120
    for r, line in enumerate(INSTRUCTIONS, 1):
        notes.cell(r, 1, line).font = Font(bold=(r == 1))
    props = wb.properties
    props.creator = props.lastModifiedBy = "Équipe enquête précarité numérique"
    props.title = TITLE
    props.created = props.modified = FIXED_TIME
    return wb


def stable_bytes(wb: Workbook) -> bytes:
    """The workbook's bytes with fixed dates: openpyxl stamps the zip entries and the
    ``modified`` property with the time of saving, which would change the bytes at every build."""
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, help="output file (default: the sample wave's, when complete)"
    )
    args = parser.parse_args(argv)
    interviews = load_interviews()
    out = args.out
    if out is None and len(interviews) == N_RECORDS:
        out = OUT
    elif out is None:
        folder = Path(tempfile.gettempdir()) / "sample-2018-partial"
        folder.mkdir(exist_ok=True)
        shutil.copy(WAVE_DIR / "survey.yaml", folder / "survey.yaml")
        out = folder / OUT.name
        print(
            f"{len(interviews)}/{N_RECORDS} interviews written so far: partial build",
            file=sys.stderr,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(stable_bytes(workbook(rows(interviews))))
    print(f"{out}: {len(interviews)} interviews")
    return out


if __name__ == "__main__":
    main()
