"""Assemble the fictional second wave's Excel file (sample-2019) from its briefs and answers.

Reads tools/sample_wave/briefs_2019.json and answers_2019/part_*.json and writes
data/raw/sample-2019/entretiens_vague2_2019.xlsx as another interviewer team would send it a
year after the first wave: the columns in another order, the header on row 2 (a title above),
one header renamed ("Catégorie de partie prenante" instead of "Famille de parties prenantes"),
a new column "Mode d'entretien" (présentiel / téléphone / visio), and a few spellings the 2018
team never used ("bourg rural", "fibre optique", "retraité(e)"...). The wave's survey.yaml
absorbs all of it without code. Re-interviewed stakeholders keep their 2018 id (E18-xxx).

The typing helpers and the 2018 spelling tables come from build_xlsx.py; this team's extra
spellings are added on top. Deterministic: fixed seed, workbook properties and zip entry dates.

Usage: python tools/sample_wave/build_xlsx_2019.py [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import sys
import zipfile
from pathlib import Path

# The committed workbook's bytes must not depend on whether lxml is installed (openpyxl
# writes empty values and entities differently with it): the built-in XML writer, always.
os.environ["OPENPYXL_LXML"] = "False"

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Font, PatternFill

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_xlsx as first  # noqa: E402  (the 2018 builder: typing helpers, spelling tables)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WAVE_DIR = REPO / "data" / "raw" / "sample-2019"
OUT = WAVE_DIR / "entretiens_vague2_2019.xlsx"
N_RECORDS = 70
SEED = 2019
FIXED_TIME = dt.datetime(2020, 2, 28, 17, 0)
ZIP_TIME = (2020, 2, 28, 17, 0, 0)
FIRST_DAY, LAST_DAY = dt.date(2019, 11, 4), dt.date(2020, 2, 21)

TITLE = "Précarité et numérique — 2e vague de dialogue (nov. 2019 - fév. 2020)"
SHEET = "Vague 2019"
# Another order than 2018; "Catégorie de partie prenante" was "Famille de parties prenantes";
# "Mode d'entretien" is new.
HEADERS = [
    "N° entretien", "Mode d'entretien", "Date entretien", "Territoire", "Région",
    "Catégorie de partie prenante", "Profil", "Tranche d'âge", "Autonomie numérique (1-4)",
    "Connexion", "Équipement", "Services en ligne critiques",
    "Q1 – Usages et difficultés", "Q2 – Services critiques", "Q3 – Besoins",
    "Q4 – Accompagnement souhaité", "Q5 – Rôle de l'opérateur",
    "Enquêteur", "Remarques",
]
WIDTHS = [13, 14, 14, 14, 24, 26, 26, 12, 14, 16, 26, 32, 60, 60, 60, 60, 60, 10, 30]
FIRST_TEXT_COLUMN = HEADERS.index("Q1 – Usages et difficultés") + 1
INSTRUCTIONS = [
    "Consignes — 2e vague",
    "",
    "1. Une ligne par entretien. Nouvelles personnes : E19-001, E19-002... "
    "Personnes déjà rencontrées en 2018 : reprendre leur numéro E18-xxx.",
    "2. Mode d'entretien : présentiel, téléphone ou visio.",
    "3. Territoire : urbain, périurbain ou rural (lieu de vie ou d'exercice).",
    "4. Équipement et services critiques : plusieurs réponses, séparées par « ; ».",
    "5. Autonomie numérique : de 1 (pas du tout autonome) à 4 (tout à fait) ; NSP si la personne "
    "ne sait pas.",
    "6. Réponses Q1 à Q5 au plus près des mots de la personne. Ni nom, ni adresse, ni téléphone.",
]

# The spellings of this team, added to the 2018 tables (canonical value -> (variant, weight)).
EXTRA = {
    "group": {"acteurs de terrain": [("Acteur de terrain / professionnel", 2)],
              "personnes en précarité": [("Personne accompagnée", 2)]},
    "profile": {"senior": [("retraité(e)", 3)], "médiateur numérique": [("médiatrice num.", 2)],
                "conseiller en boutique": [("conseiller boutique", 2)],
                "famille précaire": [("mère isolée", 1)]},
    "territory": {"rural": [("bourg rural", 3), ("village", 2)],
                  "périurbain": [("couronne périurbaine", 2)]},
    "connection": {"box fibre": [("fibre optique", 3)], "4G": [("clé 4G", 1)],
                   "pas de connexion": [("pas de box", 2)]},
    "region": {"Pays de la Loire": [("Pays de la Loire", 4), ("Pays-de-la-Loire", 2)]},
}
MODES = {"présentiel": [("Présentiel", 5), ("en face à face", 2), ("présentiel", 2)],
         "téléphone": [("Téléphone", 4), ("tél.", 2), ("par téléphone", 1)],
         "visio": [("Visio", 4), ("visioconférence", 2)]}
INTERVIEWERS = ["LF", "NB", "OT", "YH"]
REMARKS = [
    "déjà rencontré(e) lors de la 1re vague", "entretien à la France Services",
    "entretien au tiers-lieu", "coupure réseau pendant l'appel", "relu avec la personne",
    "entretien dans la voiture de l'enquêteur, faute de salle", "personne accompagnée d'un voisin",
]


def tables() -> dict[str, dict]:
    """The 2018 spelling tables with this team's spellings added (2018 tables left untouched)."""
    base = {"group": first.GROUPS, "profile": first.PROFILES, "age": first.AGES,
            "territory": first.TERRITORIES, "region": first.REGIONS,
            "connection": first.CONNECTIONS, "equipment": first.EQUIPMENT,
            "service": first.SERVICES}
    out = {name: {k: list(v) for k, v in table.items()} for name, table in base.items()}
    for name, extra in EXTRA.items():
        for value, variants in extra.items():
            out[name][value] = out[name].get(value, []) + variants
    return out


def load_interviews() -> list[tuple[dict, dict]]:
    """(brief, answers) pairs of the interviews written so far, in brief order."""
    briefs = json.loads((HERE / "briefs_2019.json").read_text(encoding="utf-8"))
    answers: dict[str, dict] = {}
    for part in sorted((HERE / "answers_2019").glob("part_*.json")):
        answers.update(json.loads(part.read_text(encoding="utf-8")))
    complete = {k for k, v in answers.items()
                if all((v.get(f"q{i}") or "").strip() for i in range(1, 6))}
    return [(b, answers[b["record_id"]]) for b in briefs if b["record_id"] in complete]


def interview_mode(rng: random.Random, brief: dict) -> str:
    """Rural and older people were more often met by phone this time."""
    weights = [5, 3, 1] if brief["territory"] == "rural" else [6, 2, 2]
    return rng.choices(list(MODES), weights=weights)[0]


def rows(interviews: list[tuple[dict, dict]]) -> list[list]:
    """The spreadsheet rows, new interviews first then the re-interviewed (as typed)."""
    rng = random.Random(SEED)
    t = tables()
    days = _days(rng, N_RECORDS)
    text_dates = set(rng.sample(range(N_RECORDS), 5))
    nsp = set(rng.sample(range(N_RECORDS), 4))
    out = []
    for i, (brief, answer) in enumerate(interviews):
        day = days[i % N_RECORDS]
        date = day.strftime("%d/%m/%Y") if i in text_dates else dt.datetime.combine(day, dt.time())
        autonomy = "NSP" if i in nsp else brief["autonomy"]
        remark = None
        if brief.get("reinterviewed") and rng.random() < 0.6:
            remark = REMARKS[0]
        elif rng.random() < 0.2:
            remark = rng.choice(REMARKS[1:])
        out.append([
            brief["record_id"], first.pick(rng, MODES[interview_mode(rng, brief)]), date,
            first.typed(rng, t["territory"], brief["territory"]),
            first.typed(rng, t["region"], brief["region"]),
            first.typed(rng, t["group"], brief["group"]),
            first.typed(rng, t["profile"], brief["profile"]),
            first.typed(rng, t["age"], brief["age_band"]), autonomy,
            first.typed(rng, t["connection"], brief["connection"]),
            first.multi(rng, t["equipment"], brief["equipment"]),
            first.multi(rng, t["service"], brief["critical_services"]),
            *(answer[f"q{k}"].strip() for k in range(1, 6)),
            rng.choice(INTERVIEWERS), remark,
        ])
    return out


def _days(rng: random.Random, n: int) -> list[dt.date]:
    """Working days of the fieldwork (school holidays of Christmas left out), in order."""
    span = (LAST_DAY - FIRST_DAY).days + 1
    days = [FIRST_DAY + dt.timedelta(d) for d in range(span)]
    holidays = (dt.date(2019, 12, 21), dt.date(2020, 1, 5))
    days = [d for d in days if d.weekday() < 5 and not holidays[0] <= d <= holidays[1]]
    return sorted(rng.choice(days) for _ in range(n))


def workbook(data: list[list]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.cell(1, 1, TITLE).font = Font(bold=True, size=13)
    fill = PatternFill("solid", fgColor="E2EFDA")
    for j, header in enumerate(HEADERS, 1):
        cell = ws.cell(2, j, header)
        cell.font, cell.fill = Font(bold=True), fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[cell.column_letter].width = WIDTHS[j - 1]
    for r, row in enumerate(data, 3):
        for j, value in enumerate(row, 1):
            cell = ws.cell(r, j, value)
            cell.alignment = Alignment(wrap_text=j >= FIRST_TEXT_COLUMN, vertical="top")
            if isinstance(value, dt.datetime):
                cell.number_format = "DD/MM/YYYY"
    ws.freeze_panes = "B3"
    notes = wb.create_sheet("Consignes")
    notes.column_dimensions["A"].width = 120
    for r, line in enumerate(INSTRUCTIONS, 1):
        notes.cell(r, 1, line).font = Font(bold=(r == 1))
    props = wb.properties
    props.creator = props.lastModifiedBy = "Équipe enquête vague 2"
    props.title = TITLE
    props.created = props.modified = FIXED_TIME
    return wb


def stable_bytes(wb: Workbook) -> bytes:
    """The workbook's bytes with this wave's fixed dates (see build_xlsx.stable_bytes)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="output file")
    args = parser.parse_args(argv)
    interviews = load_interviews()
    if len(interviews) < N_RECORDS and args.out is None:
        sys.exit(f"{len(interviews)}/{N_RECORDS} interviews written so far: give --out to build a "
                 "partial file elsewhere")
    out = args.out or OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(stable_bytes(workbook(rows(interviews))))
    print(f"{out}: {len(interviews)} interviews")
    return out


if __name__ == "__main__":
    main()
