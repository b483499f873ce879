"""Synthetic stakeholder-dialogue waves with a planted group structure.

Used by the typology tests and by ``benchmarks/bench_typology.py``. Each planted group has a
"home" category for every profile attribute, a set of codes (needs, barriers, services,
channels) it mentions often, and a few words it uses more than the others. ``noise`` blurs all
three, so recovering the groups is a real, if easy, test.

The tables follow the canonical contracts: ``records`` (record_id + attributes; ordinal as an
ordered Categorical, multi-select as ``"|"``-joined strings), ``code_matrix`` (0/1 int, index
``record_id``), ``terms`` and ``answers`` (one row per record and question).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

AGE_LEVELS = ["18-24", "25-34", "35-49", "50-64", "65+"]
EQUIPMENT = ["smartphone", "ordinateur", "tablette", "aucun"]

# One archetype per planted group (at most five groups).
ARCHETYPES = [
    {
        "stakeholder_group": "personnes en précarité",
        "profile": "senior petite retraite",
        "territory": "rural",
        "age_band": "65+",
        "equipment": ["smartphone"],
        "autonomy": 1.5,
        "codes": ["need.local_support", "barrier.fear_scams", "service.health", "channel.family"],
        "words": ["arnaque", "petit-fils", "mairie", "ameli", "peur", "village", "bus", "lettre"],
    },
    {
        "stakeholder_group": "personnes en précarité",
        "profile": "jeune en insertion",
        "territory": "urbain",
        "age_band": "18-24",
        "equipment": ["smartphone", "ordinateur"],
        "autonomy": 3.5,
        "codes": ["need.equipment", "barrier.cost", "service.job_search", "channel.mission_locale"],
        "words": ["forfait", "cv", "mission_locale", "ordinateur", "stage", "recharge", "wifi"],
    },
    {
        "stakeholder_group": "acteurs de terrain",
        "profile": "travailleur social",
        "territory": "périurbain",
        "age_band": "35-49",
        "equipment": ["ordinateur", "smartphone", "tablette"],
        "autonomy": 4.5,
        "codes": ["need.training_staff", "need.funding", "barrier.time", "channel.association"],
        "words": ["accompagnement", "usager", "dossier", "formation", "bénévole", "caf", "temps"],
    },
    {
        "stakeholder_group": "salariés",
        "profile": "conseiller boutique",
        "territory": "urbain",
        "age_band": "25-34",
        "equipment": ["ordinateur", "smartphone"],
        "autonomy": 4.0,
        "codes": ["need.adapted_offer", "barrier.trust", "service.bank", "channel.shop"],
        "words": ["boutique", "client", "offre", "facture", "abonnement", "conseiller", "vente"],
    },
    {
        "stakeholder_group": "influenceurs",
        "profile": "expert ou chercheur",
        "territory": "urbain",
        "age_band": "50-64",
        "equipment": ["ordinateur", "tablette"],
        "autonomy": 5.0,
        "codes": ["need.policy", "barrier.design", "service.taxes", "channel.public_service"],
        "words": ["politique", "inclusion", "dématérialisation", "étude", "territoire", "droit"],
    },
]

CODES = [
    "need.local_support",
    "need.equipment",
    "need.training_staff",
    "need.funding",
    "need.adapted_offer",
    "need.policy",
    "need.basic_training",
    "barrier.fear_scams",
    "barrier.cost",
    "barrier.time",
    "barrier.trust",
    "barrier.design",
    "barrier.skills",
    "service.health",
    "service.job_search",
    "service.bank",
    "service.taxes",
    "service.caf",
    "channel.family",
    "channel.mission_locale",
    "channel.association",
    "channel.shop",
    "channel.public_service",
]

COMMON_WORDS = [
    "numérique",
    "internet",
    "démarche",
    "site",
    "téléphone",
    "aide",
    "compte",
    "papier",
    "mot_de_passe",
    "rendez-vous",
    "impôt",
    "mail",
    "application",
    "service",
    "difficile",
    "besoin",
    "personne",
    "jour",
    "question",
    "problème",
    "écran",
    "code",
    "formulaire",
    "attente",
    "fois",
    "enfant",
    "famille",
    "argent",
    "travail",
    "temps_libre",
]

QUESTIONS = ["q1", "q2", "q3", "q4", "q5"]
TEMPLATES = [
    "Pour moi, {a} et {b}, c'est le plus compliqué.",
    "On parle souvent de {a}, mais il y a aussi {b}.",
    "Franchement, {a}, {b} et tout ça, ça prend du temps.",
    "J'ai eu un souci avec {a} la semaine dernière.",
    "Ce qui aiderait, c'est {a} et peut-être {b}.",
    "Il faudrait penser à {a}.",
]


@dataclass
class SyntheticWave:
    """Tables of a synthetic wave and the planted group of every record (1 = largest)."""

    records: pd.DataFrame
    code_matrix: pd.DataFrame
    terms: pd.DataFrame
    answers: pd.DataFrame
    truth: pd.Series


def make_wave(
    n_records=300,
    n_groups=4,
    *,
    noise=0.15,
    seed=0,
    with_text=True,
    code_base=0.08,
    code_high=0.75,
    word_signal=0.35,
):
    """Generate a wave with ``n_groups`` planted groups of unequal sizes.

    Parameters
    ----------
    n_records : int
        Number of interviews.
    n_groups : int
        Number of planted groups (2 to 5).
    noise : float
        Probability that a profile attribute is drawn at random instead of from the group's
        home category.
    seed : int
        Seed of the generator; same seed, same tables.
    with_text : bool
        Build ``terms`` and ``answers`` (five answers per record); empty tables otherwise.
    code_base, code_high : float
        Prevalence of a code outside / inside the groups that mention it often.
    word_signal : float
        Share of a record's words drawn from its group's own vocabulary.

    Returns
    -------
    SyntheticWave
    """
    if not 2 <= n_groups <= len(ARCHETYPES):
        raise ValueError(f"n_groups must be between 2 and {len(ARCHETYPES)}")
    rng = np.random.default_rng(seed)
    # Unequal, strictly decreasing sizes so that numbering by size is well defined.
    weights = np.arange(n_groups, 0, -1, dtype=float) + n_groups
    sizes = np.floor(weights / weights.sum() * n_records).astype(int)
    sizes[0] += n_records - sizes.sum()
    truth = np.repeat(np.arange(1, n_groups + 1), sizes)
    rng.shuffle(truth)
    arch = [ARCHETYPES[g - 1] for g in truth]
    record_ids = [f"S{i:05d}" for i in range(1, n_records + 1)]

    def draw(key, pool):
        home = np.array([a[key] for a in arch], dtype=object)
        random = rng.choice(pool, size=n_records)
        return np.where(rng.random(n_records) < noise, random, home)

    def pool(key):
        return sorted({a[key] for a in ARCHETYPES})

    records = pd.DataFrame({"record_id": record_ids, "wave": "synthetic"})
    for key in ("stakeholder_group", "profile", "territory"):
        records[key] = pd.array(draw(key, pool(key)), dtype="str")
    records["age_band"] = pd.Categorical(
        draw("age_band", AGE_LEVELS), categories=AGE_LEVELS, ordered=True
    )
    records["equipment"] = _multi(rng, arch, noise)
    autonomy = np.array([a["autonomy"] for a in arch]) + rng.normal(0, 0.8, n_records)
    records["autonomy"] = np.clip(np.round(autonomy), 1, 5).astype(float)

    high = np.array([[c in a["codes"] for c in CODES] for a in arch])
    prevalence = np.where(high, code_high, code_base)
    codes = (rng.random(prevalence.shape) < prevalence).astype(int)
    code_matrix = pd.DataFrame(codes, columns=CODES, index=pd.Index(record_ids, name="record_id"))

    terms, answers = _text(rng, record_ids, arch, word_signal) if with_text else _no_text()
    return SyntheticWave(
        records=records,
        code_matrix=code_matrix,
        terms=terms,
        answers=answers,
        truth=pd.Series(truth, index=pd.Index(record_ids, name="record_id"), name="truth"),
    )


def _multi(rng, arch, noise):
    out = []
    for a in arch:
        chosen = set(a["equipment"])
        for item in EQUIPMENT[:3]:
            if rng.random() < noise:
                chosen ^= {item}
        out.append("|".join(e for e in EQUIPMENT if e in chosen))
    return pd.array(out, dtype="str")


def _text(rng, record_ids, arch, word_signal):
    # Vectorised draws: one array of words for all answers, then sliced per answer.
    n_answers = len(record_ids) * len(QUESTIONS)
    lengths = rng.integers(4, 12, n_answers)
    owner = np.repeat(np.arange(len(record_ids)), len(QUESTIONS))
    word_owner = np.repeat(owner, lengths)
    own = rng.random(len(word_owner)) < word_signal
    common = np.asarray(COMMON_WORDS, dtype=object)[rng.integers(len(COMMON_WORDS), size=len(own))]
    vocab = [np.asarray(a["words"], dtype=object) for a in arch]
    pick = rng.random(len(own))
    words = np.array(
        [vocab[o][int(u * len(vocab[o]))] if w else c
         for o, u, w, c in zip(word_owner, pick, own, common, strict=True)],
        dtype=object,
    )  # fmt: skip
    templates = rng.integers(len(TEMPLATES), size=len(own))
    ends = np.cumsum(lengths)
    term_rows, answer_rows = [], []
    for i, (start, end) in enumerate(zip(ends - lengths, ends, strict=True)):
        rid, q = record_ids[owner[i]], QUESTIONS[i % len(QUESTIONS)]
        ws = list(words[start:end])
        term_rows.append((rid, q, " ".join(ws), len(ws)))
        sentences = []
        for j in range(0, len(ws), 2):
            a_, b_ = (w.replace("_", " ") for w in (ws[j : j + 2] + [ws[0]])[:2])
            sentences.append(TEMPLATES[templates[start + j]].format(a=a_, b=b_))
        answer_rows.append((rid, q, " ".join(sentences)))
    terms = pd.DataFrame(term_rows, columns=["record_id", "question_id", "terms", "n_words"])
    answers = pd.DataFrame(answer_rows, columns=["record_id", "question_id", "text"])
    return terms, answers


def _no_text():
    return (
        pd.DataFrame(columns=["record_id", "question_id", "terms", "n_words"]),
        pd.DataFrame(columns=["record_id", "question_id", "text"]),
    )


def permute_wave(wave, seed=0):
    """The wave with every attribute, every code and every word shuffled across records.

    Each record keeps its number of words per answer; nothing links one column to another any
    more, so no typology can be real. Returns ``(records, code_matrix, terms)``.
    """
    rng = np.random.default_rng(seed)
    records = wave.records.copy()
    for col in records.columns.drop("record_id"):
        records[col] = records[col].to_numpy()[rng.permutation(len(records))]
    codes = wave.code_matrix.copy()
    for col in codes.columns:
        codes[col] = codes[col].to_numpy()[rng.permutation(len(codes))]
    terms = wave.terms.copy()
    lengths = terms["terms"].str.split().str.len().to_numpy()
    words = np.array(" ".join(terms["terms"]).split(), dtype=object)[
        rng.permutation(int(lengths.sum()))]
    ends = np.cumsum(lengths)
    terms["terms"] = [" ".join(words[e - n : e]) for e, n in zip(ends, lengths, strict=True)]
    return records, codes, terms
