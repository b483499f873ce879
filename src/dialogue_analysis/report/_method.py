"""Who was consulted and how, the limitations and the methodology of the report."""

from __future__ import annotations

import pandas as pd

from ..analysis import Analysis
from ..core.i18n import LANGUAGES, Words
from ._figures import (
    _threshold,
    typology_is_clear,
)
from ._format import (
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_pct,
    study,
    unit_words,
)
from ._reuse import published_manifest


def _limitations(a: Analysis, language: str) -> list[str]:
    m = a.min_cell_count
    small = []
    for dim in ("stakeholder_group", "profile", "territory"):
        if dim in a.records:
            counts = a.records[dim].astype(str).value_counts()
            small += [f"{c} ({fmt_int(n, language)})" for c, n in counts.items() if n < 2 * m]
    n = fmt_int(len(a.records), language)
    st, units = study(a), unit_words(a, language)[1]
    stab = ""
    if len(a.k_evidence) and "stability" in a.k_evidence and len(a.groups) \
            and typology_is_clear(a):  # without a clear typology no k was retained
        row = a.k_evidence[a.k_evidence["k"] == len(a.groups)]
        if len(row):
            stab = fmt_number(row["stability"].iloc[0], language, 2)
    if language == "fr":
        items = [
            f"Les pourcentages portent sur les {n} {units} de l'étude, sans redressement : ils "
            "décrivent les personnes qui ont répondu, et ne valent pour une population que si le "
            "choix des personnes la représente. "
            + (f"Choix des personnes, selon l'étude : {st['selection']}." if st["selection"] else
               "La configuration de l'étude ne décrit pas ce choix."),
            "Les réponses sont déclaratives"
            + (f" ; elles ont été recueillies par : {st['collected_by']}."
               if st["collected_by"] else "."),
            "Le codage est automatique (motifs d'un dictionnaire de codes relu par les analystes) "
            "; il peut manquer des formulations indirectes ou en retenir de fausses. Chaque "
            "passage codé est conservé avec son extrait dans le classeur pour vérification.",
            f"Les effectifs de 1 à {m - 1} personnes sont masqués dans les tableaux croisés et "
            "les figures, ainsi que d'autres cases qui permettraient de les retrouver par "
            "différence, pour qu'aucune personne ne soit reconnaissable ; les verbatims ne "
            f"disent de leur auteur que ce que partagent au moins {m} personnes consultées.",
            "Les thèmes émergents et la typologie sont exploratoires : ils dépendent des "
            "paramètres (graine, nombre de groupes) indiqués dans la méthodologie"
            + (f" ; la stabilité de la typologie retenue (indice de Rand ajusté moyen sur "
               f"échantillons bootstrap) est de {stab}." if stab else "."),
            "Les valeurs-tests sont descriptives : avec de nombreux croisements, certaines "
            "différences peuvent être dues au hasard ; les p-valeurs sont corrigées "
            "(Benjamini-Hochberg).",
            "Les noms, numéros, adresses et courriels ont été pseudonymisés automatiquement avant "
            "l'analyse ; le rapport publié a été contrôlé, mais une relecture humaine des "
            "verbatims reste recommandée avant diffusion.",
        ]
        if small:
            items.insert(1, "Certains groupes sont petits (moins de "
                         f"{2 * m} personnes) : {', '.join(small)}. Leurs pourcentages sont "
                         "fragiles et doivent être lus comme des indications.")
    else:
        items = [
            f"Percentages are computed on the study's {n} {units}, unweighted: they describe the "
            "people who answered, and hold for a population only if the way people were chosen "
            "represents it. "
            + (f"How people were chosen, according to the study: {st['selection']}."
               if st["selection"] else "The study config does not describe how."),
            "Answers are self-reported"
            + (f"; they were collected by: {st['collected_by']}." if st["collected_by"] else "."),
            "Coding is automatic (patterns of a codebook reviewed by the analysts); it may miss "
            "indirect wording or catch false matches. Every coded passage is kept with its "
            "excerpt in the workbook for checking.",
            f"Counts of 1 to {m - 1} people are masked in cross tables and figures, and so are "
            "other cells from which they could be found by subtraction, so that no one can be "
            "recognised; quotes tell about their speaker only what at least "
            f"{m} of the people consulted share.",
            "Emerging themes and the typology are exploratory: they depend on the parameters "
            "(seed, number of groups) given in the methodology"
            + (f"; the stability of the chosen typology (mean adjusted Rand index over "
               f"bootstrap samples) is {stab}." if stab else "."),
            "Test values are descriptive: with many comparisons some differences may be due to "
            "chance; p-values are adjusted (Benjamini-Hochberg).",
            "Names, numbers, addresses and e-mails were pseudonymised automatically before the "
            "analysis; the published report was checked, but a human review of the quotes "
            "before circulation is still advised.",
        ]
        if small:
            items.insert(1, f"Some groups are small (fewer than {2 * m} people): "
                         f"{', '.join(small)}. Their percentages are fragile and should be read "
                         "as indications.")
    bases = question_bases(a)
    if len(bases) and bases.min() < len(a.records):
        low, high = fmt_int(bases.min(), language), fmt_int(bases.max(), language)
        items.insert(1, (
            f"Toutes les personnes n'ont pas répondu à toutes les questions (de {low} à {high} "
            f"{units} selon la question) : la base de chaque question est donnée dans la liste "
            "des questions, et les parts par thème sont calculées sur l'ensemble des "
            f"{n} {units}." if language == "fr" else
            f"Not everyone answered every question ({low} to {high} {units} depending on the "
            "question): each question's base is given in the list of questions, and the shares "
            f"by topic are computed on all {n} {units}."))
    return items


def question_bases(a: Analysis) -> pd.Series:
    """Number of records with a non-empty answer to each question, in the declared order."""
    answered = a.answers.loc[a.answers["text"].astype(str).str.strip() != ""]
    counts = answered.groupby("question_id")["record_id"].nunique()
    order = [q for q in a.questions["question_id"].astype(str)] if len(a.questions) else []
    return counts.reindex(order or counts.index).fillna(0).astype(int)


def attribute_names(a: Analysis) -> list[str]:
    """The attributes the records carry (the typology's group is a result, not an attribute)."""
    return [c for c in a.records.columns if c not in ("record_id", "wave", "typology_group")]


def consulted_facts(a: Analysis, language: str, dates: pd.Series) -> dict:
    """The "who was consulted and how" section: only what the data and the config say."""
    st, (_, units) = study(a), unit_words(a, language)
    fr = language == "fr"
    n, n_ans = fmt_int(len(a.records), language), fmt_int(len(a.answers), language)
    n_q = fmt_int(len(a.questions), language)
    period = st["period"]
    if not period and dates.notna().any():
        first, last = fmt_date(dates.min(), language), fmt_date(dates.max(), language)
        period = f"du {first} au {last}" if fr else f"from {first} to {last}"
    lead = (f"{n} {units} : {n_ans} réponses à {n_q} questions ouvertes" if fr else
            f"{n} {units}: {n_ans} answers to {n_q} open questions")
    if "region" in a.records:
        regions = fmt_int(a.records["region"].nunique(), language)
        lead += f", dans {regions} régions" if fr else f", in {regions} regions"
    labels = {"method": ("Méthode", "Method"), "mode": ("Mode de recueil", "Mode"),
              "collected_by": ("Réponses recueillies par", "Answers collected by"),
              "selection": ("Choix des personnes", "How people were chosen"),
              "period": ("Période", "Period"), "organisation": ("Organisation", "Organisation")}
    values = {**st, "period": period}
    items = [{"key": label[LANGUAGES.index(language)], "value": values[key]}
             for key, label in labels.items() if values[key]]
    notes = ["Les réponses ont été pseudonymisées avant toute analyse." if fr else
             "The answers were pseudonymised before any analysis."]
    if not attribute_names(a):
        notes.append("Aucun attribut des personnes (groupe, territoire, profil) n'accompagne "
                     "les réponses : les parties du rapport qui comparent des personnes sont "
                     "omises." if fr else "No attribute of the people (group, territory, "
                     "profile) comes with the answers: the parts of the report that compare "
                     "people are left out.")
    if not st["selection"]:
        notes.append("La configuration de l'étude ne dit pas comment les personnes ont été "
                     "choisies : les pourcentages ne décrivent que les personnes qui ont répondu."
                     if fr else "The study config does not say how people were chosen: the "
                     "percentages describe only the people who answered.")
    return {"lead": lead, "items": items, "notes": notes,
            "left_out": [] if attribute_names(a) else LEFT_OUT[LANGUAGES.index(language)]}


# What a wave with no attribute of the people leaves out of the report, and why: one sentence each.
LEFT_OUT = (
    ["Répartition des personnes consultées par groupe, territoire ou profil : la vague ne dit "
     "rien des personnes.",
     "Contrastes entre catégories de personnes dans les principaux enseignements : il n'y a pas "
     "de catégories à comparer, les enseignements portent sur l'ensemble.",
     "Besoins par groupe et par territoire, tableaux croisés et tests du khi-deux : aucun "
     "attribut avec lequel croiser les codes.",
     "Profils des groupes de la typologie : les groupes sont formés et décrits par les thèmes "
     "codés et le vocabulaire seulement.",
     "Matrice de priorités : son étendue compte les profils ou les groupes de parties prenantes "
     "où un besoin est fréquent, et la vague n'en a pas."],
    ["People consulted by group, territory or profile: the wave says nothing about the people.",
     "Contrasts between categories of people in the key findings: there are no categories to "
     "compare, the findings are about everyone.",
     "Needs by group and territory, cross tables and chi-square tests: no attribute to cross "
     "the codes with.",
     "Profiles of the typology groups: the groups are formed and described by the coded topics "
     "and the vocabulary only.",
     "Priority matrix: its breadth counts the profiles or stakeholder groups where a need is "
     "frequent, and the wave has none."],
)


STAGE_TEXT = {
    "ingest": ("Lecture et validation des fichiers de réponses (configuration d'enquête YAML)",
               "Reading and validating the answer files (YAML survey config)"),
    "anonymise": ("Pseudonymisation des réponses (personnes, téléphones, courriels, adresses, NIR, "
                  "IBAN)", "Pseudonymisation of the answers (persons, phones, e-mails, "
                  "addresses, NIR, IBAN)"),
    "nlp": ("Analyse linguistique (spaCy, français) : lemmes, termes, expressions",
            "Linguistic analysis (spaCy, French): lemmas, terms, expressions"),
    "coding": ("Codage par dictionnaire de codes (familles, codes, motifs) avec extraits",
               "Coding with the codebook (families, codes, patterns), with excerpts"),
    "themes": ("Thèmes émergents (factorisation NMF des termes des réponses)",
               "Emerging themes (NMF factorisation of the answers' terms)"),
    "typology": ("Typologie (classification des personnes sur profil, codes et vocabulaire ; "
                 "nombre de groupes retenu seulement s'il sépare mieux que les mêmes variables "
                 "permutées et reste stable d'une graine et d'un rééchantillonnage à l'autre)",
                 "Typology (clustering people on profile, codes and vocabulary; a number of groups "
                 "is kept only if it separates better than the same variables permuted and "
                 "is stable across seeds and resamples)"),
    "describe": ("Caractérisation des groupes (valeurs-tests, vocabulaire spécifique, verbatims)",
                 "Group characterisation (test values, specific vocabulary, quotes)"),
    "crosstabs": ("Tableaux croisés et tests du khi-deux, masquage des petits effectifs",
                  "Cross tables and chi-square tests, masking of small counts"),
    "map": ("Analyse des correspondances (carte factorielle)",
            "Correspondence analysis (factor map)"),
    "findings": ("Prévalences, contrastes, enseignements et matrice de priorités",
                 "Prevalences, contrasts, findings and priority matrix"),
    "save": ("Écriture des tables (parquet) et du manifeste de l'analyse",
             "Writing the tables (parquet) and the analysis manifest"),
}


def _methodology(a: Analysis, language: str) -> dict:
    i = LANGUAGES.index(language)
    # Not the run's timings, nor how much the caches saved: the report states the results, the
    # same for every run that finds them (the timings are in analysis_manifest.json).
    stages = published_manifest(a.manifest).get("stages", {})
    steps = [{"name": name, "text": STAGE_TEXT.get(name, (name, name))[i]} for name in stages]
    settings = [{"key": k, "value": _plain(v)} for k, v in sorted(a.settings.items())]
    versions = [{"key": k, "value": str(v)} for k, v in a.manifest.get("versions", {}).items()]
    hashes = dict(a.manifest.get("inputs", {}))
    config = a.manifest.get("config", {})
    if isinstance(config, dict) and config.get("sha256"):
        hashes[config.get("file", "survey.yaml")] = config["sha256"]
    if a.manifest.get("codebook_sha256"):
        hashes[a.manifest.get("stages", {}).get("coding", {}).get("params", {}).get(
            "codebook", "codebook.yaml")] = a.manifest["codebook_sha256"]
    inputs = [{"key": str(k), "value": str(v)[:16] + "…" if len(str(v)) > 16 else str(v)}
              for k, v in hashes.items()]
    params = []
    for name, info in stages.items():
        for k, v in (info.get("params", {}) if isinstance(info, dict) else {}).items():
            params.append({"key": f"{name}.{k}", "value": _plain(v)})
    n_codes = a.codebook.groupby("family").size().to_dict() if len(a.codebook) else {}
    return {"steps": steps, "settings": settings, "versions": versions, "inputs": inputs,
            "params": params, "run_at": a.manifest.get("created", ""),
            "codebook": [{"family": k, "n": fmt_int(v, language)} for k, v in n_codes.items()],
            "n_codes": fmt_int(len(a.codebook), language),
            "n_passages": fmt_int(len(a.passages), language),
            "agreement": _agreement_rows(a, language)}


def _agreement_rows(a: Analysis, language: str) -> list[dict]:
    """The codebook's agreement with the analyst's review, overall row first."""
    t = a.coding_agreement
    if not len(t):
        return []
    learned = t[t["comparison"].str.startswith("codebook + learned") & (t["code"] == "(overall)")]
    t = t[t["comparison"] == t["comparison"].iloc[0]]
    t = pd.concat([t[t["code"] == "(overall)"], learned,
                   t[(t["code"] != "(overall)") & (t["tp"] + t["fn"] > 0)]])
    labels = a.code_labels(language)
    overall = "Ensemble (micro)" if language == "fr" else "Overall (micro)"
    combined = ("Ensemble, dictionnaire + couche apprise (validation croisée)" if language == "fr"
                else "Overall, codebook + learned layer (cross-validated)")

    def num(v):
        return fmt_number(v, language, 2) if pd.notna(v) else "–"

    return [{"code": (combined if r.comparison.startswith("codebook + learned") else overall)
             if r.code == "(overall)" else labels.get(r.code, r.code),
             "n": fmt_int(r.n, language), "support": fmt_int(r.tp + r.fn, language),
             "precision": f"{num(r.precision)} [{num(r.precision_low)}–{num(r.precision_high)}]",
             "recall": f"{num(r.recall)} [{num(r.recall_low)}–{num(r.recall_high)}]",
             "f1": num(r.f1), "kappa": num(r.kappa)} for r in t.itertuples()]


def _plain(v) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_plain(x)}" for k, x in v.items()) or "–"
    if isinstance(v, list | tuple):
        return ", ".join(_plain(x) for x in v) or "–"
    return str(v)


def _priority_rows(a: Analysis, language: str) -> dict:
    t = a.priority
    if t.empty or t["x"].isna().all():
        # No category to spread over (no attribute): breadth means nothing, no matrix.
        return {"rows": [], "top_right": []}
    # The figure splits the plane at the medians: a topic is top right only when strictly
    # beyond both dashed lines, so a flat axis (every topic at the same breadth) names none.
    xm, ym = t["x"].median(), t["y"].median()
    rows = []
    for r in t.sort_values(["y", "x", "code"], ascending=[False, False, True]).to_dict("records"):
        rows.append({"label": a.code_label(r["code"], language),
                     "family": {"need": ("besoin", "need"), "barrier": ("frein", "barrier")}.get(
                         r["family"], (r["family"], r["family"]))[LANGUAGES.index(language)],
                     "groups": f"{fmt_int(r['n_groups'], language)} / "
                               f"{fmt_int(r['n_groups_total'], language)}",
                     "breadth": fmt_pct(r["breadth"], language),
                     "prevalence": fmt_pct(r["prevalence"], language),
                     "importance": fmt_number(r["importance"], language, 1),
                     "top": bool(r["x"] > xm and r["y"] > ym)})
    return {"rows": rows, "top_right": [r["label"] for r in rows if r["top"]],
            "flat": bool(t["x"].nunique() <= 1), "flat_at": fmt_pct(t["x"].iloc[0], language),
            "dimension": Words(language).dim(t["dimension"].iloc[0]).lower(),
            "threshold": fmt_pct(_threshold(a), language),
            "uses_importance": bool(t["importance"].notna().any())}


