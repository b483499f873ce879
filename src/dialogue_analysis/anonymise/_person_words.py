"""The nouns that can stand beside a person's name, by category, in French and in English.

Each category is meant to be complete for the answers this toolkit reads (people talking about
their family, their helpers and the staff of the services they use), not a list of the words
seen so far beside a name: every kinship word, every relation, every role or profession a person
may be named by ("le frère de", "ma belle-sœur", "l'auxiliaire de vie", "my supervisor",
"the landlord"). Only singular forms are listed (masculine and feminine); the patterns add the
plural ending. A word that is also a title before a name ("Mamie", "Father") is a title in
``_patterns_fr._TITLES`` as well.
"""

from __future__ import annotations

import re

KINSHIP_FR = (
    "père", "mère", "papa", "maman", "daron", "daronne", "parent", "fils", "fille", "frère",
    "sœur", "soeur", "frangin", "frangine", "grand-père", "grand-mère", "grand-parent",
    "arrière-grand-père", "arrière-grand-mère", "grand-oncle", "grand-tante", "petit-fils",
    "petite-fille", "petit-enfant", "arrière-petit-fils", "arrière-petite-fille", "oncle",
    "tante", "neveu", "nièce", "cousin", "cousine", "petit-cousin", "petite-cousine", "mari",
    "femme", "épouse", "époux", "conjoint", "conjointe", "concubin", "concubine", "compagnon",
    "compagne", "fiancé", "fiancée", "ex", "ex-mari", "ex-femme", "beau-père", "belle-mère",
    "beau-frère", "belle-sœur", "belle-soeur", "beau-fils", "belle-fille", "gendre", "bru",
    "demi-frère", "demi-sœur", "demi-soeur", "parrain", "marraine", "filleul", "filleule",
    "jumeau", "jumelle", "aîné", "aînée", "cadet", "cadette", "benjamin", "benjamine", "enfant",
    "gamin", "gamine", "gosse", "bébé", "petit-ami", "petite-amie",
)
RELATIONS_FR = (
    "ami", "amie", "copain", "copine", "pote", "camarade", "voisin", "voisine", "collègue",
    "coloc", "colocataire", "logeur", "logeuse", "proprio", "propriétaire", "locataire",
    "hébergeur", "hébergeuse", "patron", "patronne", "employeur", "employeuse", "chef", "cheffe",
    "supérieur", "supérieure", "responsable", "tuteur", "tutrice", "curateur", "curatrice",
    "mandataire", "référent", "référente", "binôme", "élève", "étudiant", "étudiante",
    "compatriote", "nounou", "aidant", "aidante", "accompagnant", "accompagnante", "mentor",
    "marraine", "correspondant", "correspondante",
)
ROLES_FR = (
    "conseiller", "conseillère", "téléconseiller", "téléconseillère", "assistant social",
    "assistante sociale", "assistante", "assistant", "travailleur social", "travailleuse sociale",
    "éducateur", "éducatrice", "éduc", "moniteur", "monitrice", "médiateur", "médiatrice",
    "formateur", "formatrice", "animateur", "animatrice", "coordinateur", "coordinatrice",
    "coordonnateur", "coordonnatrice", "directeur", "directrice", "adjoint", "adjointe",
    "secrétaire", "agent", "agente", "agent d'accueil", "hôtesse", "guichetier", "guichetière",
    "standardiste", "opérateur", "opératrice", "chargé de mission", "chargée de mission",
    "chargé d'accueil", "chargée d'accueil", "gestionnaire", "instructeur", "instructrice",
    "contrôleur", "contrôleuse", "inspecteur", "inspectrice", "facteur", "factrice", "livreur",
    "livreuse", "chauffeur", "chauffeuse", "médecin", "docteur", "docteure", "généraliste",
    "psychologue", "psy", "psychiatre", "infirmier", "infirmière", "aide-soignant",
    "aide-soignante", "auxiliaire de vie", "aide à domicile", "aide ménagère", "kiné",
    "kinésithérapeute", "orthophoniste", "ergothérapeute", "dentiste", "pharmacien",
    "pharmacienne", "sage-femme", "pédiatre", "chirurgien", "chirurgienne", "interne",
    "professeur", "professeure", "prof", "enseignant", "enseignante", "instituteur",
    "institutrice", "instit", "maîtresse", "surveillant", "surveillante", "assistante maternelle",
    "avocat", "avocate", "notaire", "huissier", "huissière", "juge", "greffier", "greffière",
    "policier", "policière", "gendarme", "pompier", "maire", "élu", "élue", "député", "députée",
    "curé", "prêtre", "pasteur", "imam", "rabbin", "diacre", "religieuse", "bénévole",
    "volontaire", "stagiaire", "apprenti", "apprentie", "service civique", "écrivain public",
    "interprète", "traducteur", "traductrice", "plombier", "électricien", "électricienne",
    "serrurier", "mécanicien", "garagiste", "boulanger", "boulangère", "épicier", "épicière",
    "commerçant", "commerçante", "vendeur", "vendeuse", "caissier", "caissière", "coiffeur",
    "coiffeuse", "gardien", "gardienne", "concierge", "agent d'entretien", "femme de ménage",
    "technicien", "technicienne", "informaticien", "informaticienne", "banquier", "banquière",
    "comptable", "retraité", "retraitée", "salarié", "salariée", "employé", "employée",
    "intervenant", "intervenante", "permanencier", "permanencière", "délégué", "déléguée",
    "représentant", "représentante", "président", "présidente", "trésorier", "trésorière",
    "coach", "écoutant", "écoutante", "agent de sécurité", "vigile",
)
# people named by what they are rather than by a tie: "la dame de l'accueil, Rosalinde"
PEOPLE_FR = (
    "dame", "monsieur", "jeune", "gars", "type", "mec", "nana", "femme", "homme", "fille",
    "garçon", "personne", "bonhomme", "demoiselle",
)
KINSHIP_EN = (
    "mother", "father", "mum", "mom", "mam", "dad", "parent", "son", "daughter", "brother",
    "sister", "husband", "wife", "partner", "spouse", "fiancé", "fiancée", "fiance", "fiancee",
    "boyfriend", "girlfriend", "grandmother", "grandfather", "grandma", "grandpa", "granny",
    "nan", "nana", "grandson", "granddaughter", "grandchild", "uncle", "aunt", "auntie",
    "nephew", "niece", "cousin", "stepmother", "stepfather", "stepson", "stepdaughter",
    "stepbrother", "stepsister", "half-brother", "half-sister", "mother-in-law",
    "father-in-law", "sister-in-law", "brother-in-law", "son-in-law", "daughter-in-law",
    "godmother", "godfather", "godson", "goddaughter", "child", "kid", "baby", "twin", "ex",
)
RELATIONS_EN = (
    "friend", "mate", "pal", "buddy", "neighbour", "neighbor", "flatmate", "roommate",
    "housemate", "landlord", "landlady", "tenant", "colleague", "coworker", "co-worker", "boss",
    "manager", "supervisor", "employer", "line manager", "team leader", "mentor", "carer",
    "caregiver", "guardian",
)
ROLES_EN = (
    "caseworker", "case worker", "social worker", "support worker", "keyworker", "key worker",
    "care worker", "advisor", "adviser", "counsellor", "counselor", "coach", "tutor", "teacher",
    "headteacher", "doctor", "gp", "nurse", "midwife", "therapist", "physio", "psychologist",
    "psychiatrist", "dentist", "pharmacist", "surgeon", "paramedic", "lawyer", "solicitor",
    "barrister", "attorney", "judge", "officer", "interpreter", "translator", "volunteer",
    "intern", "trainee", "apprentice", "priest", "vicar", "pastor", "imam", "rabbi", "chaplain",
    "receptionist", "clerk", "cashier", "postman", "postwoman", "driver", "plumber",
    "electrician", "mechanic", "cleaner", "caretaker", "janitor", "secretary", "assistant",
    "librarian", "councillor", "mayor", "coordinator", "manager", "instructor", "mediator",
)
PEOPLE_EN = ("lady", "man", "guy", "woman", "girl", "boy", "gentleman", "person", "bloke")

# titles of address that may stand before a name in English, beside Mr, Mrs, Ms, Dr
TITLES_EN = ("Father", "Sister", "Brother", "Reverend", "Rev.", "Pastor", "Imam", "Rabbi",
             "Sheikh", "Professor", "Prof.", "Officer", "Sergeant", "Captain", "Judge",
             "Auntie", "Uncle", "Nurse")


def alternation(*groups: tuple[str, ...]) -> str:
    """A regular expression matching any of the words, as a tree of their shared beginnings (a
    plain alternation of some 330 words is tried word by word at every position of a text),
    spaces and apostrophes matched in any of their forms (tab, curly apostrophe)."""
    trie: dict = {}
    for word in {w for g in groups for w in g}:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _branches(trie)


def _branches(node: dict) -> str:
    alts = [_CHAR.get(ch, re.escape(ch)) + _branches(rest)
            for ch, rest in sorted(node.items()) if ch]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    if "" in node:  # a word ends here; the longer ones are tried first
        return ("(?:" + body + ")" if len(alts) == 1 and len(body) > 1 else body) + "?"
    return body


_CHAR = {" ": r"[ \t]+", "'": "['’]"}
