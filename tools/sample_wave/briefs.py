"""Draw the 160 interview briefs of the fictional sample wave sample-2018.

A brief fixes who is interviewed (group, profile, age band, territory, region, equipment,
connection, self-rated autonomy, critical services) and which barriers and needs the person
tends to voice. Needs depend on profile and territory through probabilities, with noise, so a
typology has a real but imperfect structure to find. The answers themselves are written by
hand from these briefs (see data/raw/sample-2018/README.md).

Usage: python tools/sample_wave/briefs.py > tools/sample_wave/briefs.json
"""

import json
import random

SEED = 2018

# profile -> (group, count, age bands with weights, territory weights urbain/périurbain/rural)
PROFILES = {
    "senior": ("personnes en précarité", 16, {"65-74": 5, "75+": 4}, (3, 2, 5)),
    "jeune en insertion": ("personnes en précarité", 16, {"18-24": 8, "25-34": 2}, (5, 3, 2)),
    "demandeur d'emploi": ("personnes en précarité", 14, {"25-34": 3, "35-49": 4, "50-64": 4}, (4, 3, 3)),
    "famille précaire": ("personnes en précarité", 14, {"25-34": 4, "35-49": 5}, (5, 3, 2)),
    "salarié décroché du numérique": ("personnes en précarité", 10, {"35-49": 3, "50-64": 5}, (3, 3, 4)),
    "travailleur associatif": ("acteurs de terrain", 12, {"25-34": 3, "35-49": 4, "50-64": 3, "65-74": 2}, (4, 2, 4)),
    "travailleur social": ("acteurs de terrain", 12, {"25-34": 4, "35-49": 5, "50-64": 3}, (4, 3, 3)),
    "médiateur numérique": ("acteurs de terrain", 10, {"18-24": 2, "25-34": 5, "35-49": 3}, (4, 2, 4)),
    "conseiller mission locale": ("acteurs de terrain", 6, {"25-34": 3, "35-49": 3}, (4, 3, 3)),
    "agent CCAS": ("acteurs de terrain", 5, {"35-49": 3, "50-64": 2}, (3, 2, 5)),
    "expert ou chercheur": ("influenceurs", 10, {"35-49": 5, "50-64": 5}, (8, 1, 1)),
    "journaliste": ("influenceurs", 5, {"25-34": 2, "35-49": 3}, (7, 2, 1)),
    "conseiller en boutique": ("salariés de l'opérateur", 12, {"18-24": 3, "25-34": 6, "35-49": 3}, (5, 4, 1)),
    "conseiller service client": ("salariés de l'opérateur", 10, {"25-34": 5, "35-49": 4, "50-64": 1}, (6, 3, 1)),
    "manager": ("salariés de l'opérateur", 8, {"35-49": 5, "50-64": 3}, (7, 2, 1)),
}

REGIONS = {
    "urbain": ["Île-de-France", "Auvergne-Rhône-Alpes", "Hauts-de-France", "Provence-Alpes-Côte d'Azur", "Occitanie", "Nouvelle-Aquitaine", "Grand Est", "Pays de la Loire"],
    "périurbain": ["Île-de-France", "Hauts-de-France", "Auvergne-Rhône-Alpes", "Grand Est", "Occitanie", "Normandie", "Bretagne"],
    "rural": ["Nouvelle-Aquitaine", "Occitanie", "Bourgogne-Franche-Comté", "Centre-Val de Loire", "Grand Est", "Bretagne", "Auvergne-Rhône-Alpes", "Normandie"],
}

BARRIERS = ["coût", "équipement", "compétences", "peur, confiance, arnaques", "handicap", "langue et lecture", "couverture réseau"]
NEEDS = ["accompagnement humain de proximité", "formation de base", "équipement", "connexion et forfaits", "aide financière et pass numériques", "personne de confiance", "accessibilité"]
SERVICES = ["impôts", "emploi (Pôle emploi)", "CAF et prestations", "santé (Ameli)", "banque", "papiers d'identité (ANTS)", "école (ENT)", "logement", "retraite", "énergie"]

# Tendencies per profile: probabilities for barriers, needs and services (the rest get a low base rate).
TENDENCIES = {
    "senior": ({"compétences": .8, "peur, confiance, arnaques": .7, "handicap": .3, "équipement": .4},
               {"accompagnement humain de proximité": .85, "personne de confiance": .6, "formation de base": .45},
               {"retraite": .8, "santé (Ameli)": .8, "impôts": .7, "banque": .6, "énergie": .3}),
    "jeune en insertion": ({"coût": .75, "équipement": .8, "compétences": .3},
                           {"équipement": .85, "connexion et forfaits": .65, "aide financière et pass numériques": .45, "accompagnement humain de proximité": .35},
                           {"emploi (Pôle emploi)": .9, "CAF et prestations": .7, "santé (Ameli)": .4, "logement": .5}),
    "demandeur d'emploi": ({"compétences": .6, "équipement": .5, "coût": .5, "peur, confiance, arnaques": .2},
                           {"formation de base": .7, "accompagnement humain de proximité": .55, "équipement": .4},
                           {"emploi (Pôle emploi)": .95, "CAF et prestations": .6, "impôts": .3, "santé (Ameli)": .3}),
    "famille précaire": ({"coût": .85, "équipement": .45, "compétences": .3, "langue et lecture": .3},
                         {"aide financière et pass numériques": .7, "connexion et forfaits": .65, "équipement": .45, "accompagnement humain de proximité": .3},
                         {"CAF et prestations": .9, "école (ENT)": .8, "santé (Ameli)": .5, "logement": .4, "énergie": .3}),
    "salarié décroché du numérique": ({"compétences": .85, "peur, confiance, arnaques": .45, "langue et lecture": .25},
                                      {"formation de base": .85, "personne de confiance": .45, "accompagnement humain de proximité": .3},
                                      {"impôts": .6, "banque": .5, "santé (Ameli)": .5, "emploi (Pôle emploi)": .3}),
    "travailleur associatif": ({"compétences": .6, "coût": .5, "peur, confiance, arnaques": .3},
                               {"aide financière et pass numériques": .75, "accompagnement humain de proximité": .6, "équipement": .4, "formation de base": .4},
                               {"CAF et prestations": .7, "emploi (Pôle emploi)": .5, "papiers d'identité (ANTS)": .5, "santé (Ameli)": .4}),
    "travailleur social": ({"compétences": .7, "langue et lecture": .45, "équipement": .35},
                           {"formation de base": .5, "accompagnement humain de proximité": .65, "personne de confiance": .3},
                           {"CAF et prestations": .9, "logement": .55, "emploi (Pôle emploi)": .5, "papiers d'identité (ANTS)": .45}),
    "médiateur numérique": ({"compétences": .75, "peur, confiance, arnaques": .45, "coût": .4},
                            {"aide financière et pass numériques": .75, "formation de base": .6, "accompagnement humain de proximité": .45},
                            {"papiers d'identité (ANTS)": .6, "CAF et prestations": .5, "impôts": .5, "santé (Ameli)": .4}),
    "conseiller mission locale": ({"équipement": .8, "coût": .7},
                                  {"équipement": .85, "connexion et forfaits": .55, "accompagnement humain de proximité": .4},
                                  {"emploi (Pôle emploi)": .9, "CAF et prestations": .6, "logement": .4}),
    "agent CCAS": ({"compétences": .7, "peur, confiance, arnaques": .45, "couverture réseau": .35},
                   {"accompagnement humain de proximité": .8, "personne de confiance": .45},
                   {"retraite": .5, "CAF et prestations": .7, "énergie": .4, "santé (Ameli)": .5}),
    "expert ou chercheur": ({"compétences": .6, "langue et lecture": .4, "handicap": .3, "coût": .4},
                            {"accessibilité": .6, "formation de base": .45, "accompagnement humain de proximité": .45},
                            {"impôts": .4, "CAF et prestations": .5, "emploi (Pôle emploi)": .4}),
    "journaliste": ({"couverture réseau": .45, "coût": .4, "compétences": .4},
                    {"accompagnement humain de proximité": .45, "connexion et forfaits": .4},
                    {"impôts": .5, "CAF et prestations": .4}),
    "conseiller en boutique": ({"compétences": .7, "peur, confiance, arnaques": .55, "coût": .45},
                               {"formation de base": .5, "accompagnement humain de proximité": .5, "connexion et forfaits": .35},
                               {"banque": .4, "impôts": .4, "CAF et prestations": .3}),
    "conseiller service client": ({"compétences": .6, "peur, confiance, arnaques": .5, "coût": .5},
                                  {"connexion et forfaits": .45, "accompagnement humain de proximité": .45, "formation de base": .3},
                                  {"banque": .3, "impôts": .3}),
    "manager": ({"coût": .45, "compétences": .5},
                {"aide financière et pass numériques": .45, "formation de base": .4, "équipement": .35},
                {"emploi (Pôle emploi)": .4, "impôts": .3}),
}

# Territory shifts: rural raises network coverage and local human support; urban raises cost.
TERRITORY_BARRIERS = {"rural": {"couverture réseau": .55}, "périurbain": {"couverture réseau": .15}, "urbain": {"coût": .1}}
TERRITORY_NEEDS = {"rural": {"accompagnement humain de proximité": .2, "connexion et forfaits": .15}, "périurbain": {}, "urbain": {}}

# Added after the first draw: field actors asking that social workers and public-service agents be
# trained to guide people through online procedures (one of the reference case's published
# findings). Drawn with a generator of its own, after all the others, so every earlier draw stays
# as it was; most field actors voice it, not all, and a few others do too.
AGENT_TRAINING_NEED = "formation des travailleurs sociaux et agents publics"
AGENT_TRAINING_SEED = 20181
AGENT_TRAINING = {"travailleur social": .7, "agent CCAS": .6, "médiateur numérique": .6,
                  "travailleur associatif": .5, "conseiller mission locale": .5,
                  "expert ou chercheur": .2, "journaliste": .1}
AGENT_TRAINING_BASE = {"salariés de l'opérateur": .1, "personnes en précarité": .08}

EQUIP = {  # profile kind -> equipment weights
    "precarite": [("smartphone", .8), ("ordinateur", .3), ("tablette", .15)],
    "senior": [("smartphone", .45), ("ordinateur", .35), ("tablette", .25), ("téléphone simple", .4)],
    "pro": [("smartphone", .95), ("ordinateur", .95), ("tablette", .3)],
}

PII = [  # planted identifiers, placed in a few answers as transcripts sometimes do
    ("person", "Mme Josiane Lefèvre"), ("person", "Kevin Mabiala"), ("phone", "06 47 82 19 33"),
    ("email", "nadia.benali.ccas@orange.fr"), ("address", "14 rue des Tanneurs, 23000 Guéret"),
    ("person", "Monsieur Gérard Poulain"), ("phone", "07.61.25.04.88"), ("email", "j.moreau1962@gmail.com"),
    ("address", "3 impasse des Lilas à Saint-Amand"), ("person", "Sandrine Caron"), ("phone", "+33 6 12 40 77 05"),
    ("address", "27 avenue Jean Jaurès, 59100 Roubaix"), ("person", "M. Hamid Oukacha"), ("phone", "0698451230"),
]


def weighted(rng, weights):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def draw(rng, probs, universe, base):
    return [x for x in universe if rng.random() < min(0.95, probs.get(x, base))]


def add_agent_training(briefs, seed=AGENT_TRAINING_SEED):
    """Append the agent-training need to the briefs that voice it (in place, in record order)."""
    rng = random.Random(seed)
    for b in briefs:
        p = AGENT_TRAINING.get(b["profile"], AGENT_TRAINING_BASE.get(b["group"], 0))
        if rng.random() < p:
            b["needs"].append(AGENT_TRAINING_NEED)


def main():
    rng = random.Random(SEED)
    briefs = []
    for profile, (group, count, ages, terr_w) in PROFILES.items():
        for _ in range(count):
            territory = rng.choices(["urbain", "périurbain", "rural"], weights=terr_w)[0]
            kind = "senior" if profile == "senior" else ("precarite" if group == "personnes en précarité" else "pro")
            equipment = [e for e, p in EQUIP[kind] if rng.random() < p] or ["aucun"]
            if kind == "pro":
                connection = rng.choice(["box fibre", "box ADSL", "box fibre", "4G"])
                autonomy = rng.choices([2, 3, 4], weights=[1, 4, 6])[0]
            else:
                connection = rng.choices(
                    ["box ADSL", "4G seulement", "pas de connexion", "wifi public", "box fibre"],
                    weights=[3, 4, 2, 2, 1] if territory != "rural" else [4, 3, 3, 1, 0.3])[0]
                autonomy = rng.choices([1, 2, 3, 4], weights=[4, 4, 2, 1] if kind == "senior" or profile.startswith("salarié") else [2, 4, 3, 1])[0]
            b_p, n_p, s_p = TENDENCIES[profile]
            b_p = {**b_p, **{k: min(.95, b_p.get(k, .05) + v) for k, v in TERRITORY_BARRIERS[territory].items()}}
            n_p = {**n_p, **{k: min(.95, n_p.get(k, .05) + v) for k, v in TERRITORY_NEEDS[territory].items()}}
            briefs.append({
                "group": group, "profile": profile, "age_band": weighted(rng, ages), "territory": territory,
                "region": rng.choice(REGIONS[territory]), "equipment": equipment, "connection": connection,
                "autonomy": autonomy,
                "critical_services": draw(rng, s_p, SERVICES, .08) or [rng.choice(SERVICES)],
                "barriers": draw(rng, b_p, BARRIERS, .06), "needs": draw(rng, n_p, NEEDS, .06),
            })
    rng.shuffle(briefs)
    for i, b in enumerate(briefs, 1):
        b["record_id"] = f"E18-{i:03d}"
    for (kind, value), b in zip(PII, rng.sample(briefs, len(PII)), strict=True):
        b["pii"] = {"kind": kind, "value": value}
    add_agent_training(briefs)
    print(json.dumps(briefs, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
