"""Draw the interview briefs of the fictional second wave sample-2019.

A year later, with another interviewer team: a changed mix (more rural interviews), some
stakeholders of 2018 re-interviewed under the same id, new subjects (pass numériques handed out,
France Services opening) and some needs fading (equipment, now that refurbished computers
circulate). Usage: python tools/sample_wave/briefs_2019.py > tools/sample_wave/briefs_2019.json
"""

import json
import random
from pathlib import Path

from briefs import (
    EQUIP,
    PROFILES,
    REGIONS,
    SERVICES,
    TENDENCIES,
    add_agent_training,
    draw,
    weighted,
)

SEED = 2019
AGENT_TRAINING_SEED_2019 = 20191
N_NEW = 52
N_REINTERVIEWED = 18
RURAL_BOOST = (1.0, 1.0, 2.2)  # multiplies the urbain / périurbain / rural weights of 2018

BARRIERS_2019 = ["coût", "équipement", "compétences", "peur, confiance, arnaques", "handicap",
                 "langue et lecture", "couverture réseau"]
NEEDS_2019 = ["accompagnement humain de proximité", "formation de base", "équipement",
              "connexion et forfaits", "aide financière et pass numériques", "personne de confiance",
              "accessibilité"]
# Shifts on every profile's tendencies: equipment needs fade, pass numériques rise.
NEED_SHIFT = {"équipement": -0.3, "aide financière et pass numériques": +0.2}
TERRITORY_BARRIERS = {"rural": {"couverture réseau": .5}, "périurbain": {"couverture réseau": .1},
                      "urbain": {}}
NEW_SUBJECTS = ["a reçu des pass numériques", "connaît ou fréquente une France Services",
                "démarches 100 % en ligne (prime d'activité, carte grise)"]
PII_2019 = [("person", "Mme Odette Vasseur"), ("phone", "06 33 18 72 40"),
            ("email", "lucas.ferrand.ml@laposte.net"), ("address", "8 chemin des Meuniers, 19200 Ussel"),
            ("person", "Bernard Tessier"), ("phone", "+33 7 81 09 66 12")]


def shifted(probs, shift):
    return {k: max(0.02, min(0.95, probs.get(k, .05) + shift.get(k, 0))) for k in {*probs, *shift}}


def main():
    rng = random.Random(SEED)
    here = Path(__file__).parent
    old = json.loads((here / "briefs.json").read_text(encoding="utf-8"))
    profiles = list(PROFILES)
    weights = [PROFILES[p][1] for p in profiles]
    briefs = []
    for _ in range(N_NEW):
        profile = rng.choices(profiles, weights=weights)[0]
        group, _, ages, terr_w = PROFILES[profile]
        terr_w = [w * b for w, b in zip(terr_w, RURAL_BOOST, strict=True)]
        territory = rng.choices(["urbain", "périurbain", "rural"], weights=terr_w)[0]
        kind = "senior" if profile == "senior" else ("precarite" if group == "personnes en précarité" else "pro")
        equipment = [e for e, p in EQUIP[kind] if rng.random() < p] or ["aucun"]
        connection = (rng.choice(["box fibre", "box ADSL", "4G"]) if kind == "pro" else
                      rng.choices(["box ADSL", "4G seulement", "pas de connexion", "wifi public", "box fibre"],
                                  weights=[3, 4, 2, 2, 1])[0])
        autonomy = rng.choices([1, 2, 3, 4], weights=[1, 3, 5, 6] if kind == "pro" else [3, 4, 3, 1])[0]
        b_p, n_p, s_p = TENDENCIES[profile]
        b_p = shifted(b_p, TERRITORY_BARRIERS[territory])
        n_p = shifted(n_p, NEED_SHIFT)
        briefs.append({
            "group": group, "profile": profile, "age_band": weighted(rng, ages), "territory": territory,
            "region": rng.choice(REGIONS[territory]), "equipment": equipment, "connection": connection,
            "autonomy": autonomy, "critical_services": draw(rng, s_p, SERVICES, .08) or [rng.choice(SERVICES)],
            "barriers": draw(rng, b_p, BARRIERS_2019, .06), "needs": draw(rng, n_p, NEEDS_2019, .06),
            "new_subjects": [s for s in NEW_SUBJECTS if rng.random() < .35],
        })
    rng.shuffle(briefs)
    for i, b in enumerate(briefs, 1):
        b["record_id"] = f"E19-{i:03d}"
    # Field actors still ask for trained social workers and agents (own generator, as in 2018).
    add_agent_training(briefs, seed=AGENT_TRAINING_SEED_2019)
    # Re-interviewed stakeholders keep their id and who they are; their situation may have moved.
    for b in rng.sample([b for b in old if "pii" not in b], N_REINTERVIEWED):
        again = {k: v for k, v in b.items() if k != "pii"}
        again["reinterviewed"] = True
        again["autonomy"] = min(4, b["autonomy"] + rng.choice([0, 0, 1]))
        again["needs"] = [n for n in b["needs"] if not (n == "équipement" and rng.random() < .5)]
        again["new_subjects"] = [s for s in NEW_SUBJECTS if rng.random() < .4]
        briefs.append(again)
    for (kind, value), b in zip(PII_2019, rng.sample(briefs, len(PII_2019)), strict=True):
        b["pii"] = {"kind": kind, "value": value}
    print(json.dumps(briefs, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
