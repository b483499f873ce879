"""What each column of the workbooks means, in the report's language, and how Excel shows it.

The workbook's ``columns`` sheet lists every column of every sheet with its description, so a
reader who opens ``findings.xlsx`` without the report knows what ``p_adjusted`` or ``breadth``
holds; shares are shown as percentages, p-values with four decimals, dates as dates.
"""

from __future__ import annotations

# The person-level workbook, under data/processed/<wave>/, never published (here, with the
# columns, so that a run that removes a stale one does not import the workbook writer).
ANALYST_WORKBOOK = "analyst_workbook.xlsx"

# column -> (French, English)
COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "active": ("vrai : la variable a servi à former les groupes (valeur-test forte par construction)",
               "true: the variable was used to form the groups (test value high by construction)"),
    "attribute": ("attribut des personnes", "attribute of the people"),
    "breadth": ("étendue : part des catégories où au moins le seuil des personnes évoque le code",
                "breadth: share of the categories where at least the threshold of people raise "
                "the code"),
    "category": ("catégorie de l'attribut", "category of the attribute"),
    "chosen": ("vrai : nombre de thèmes retenu", "true: the number of themes kept"),
    "chi2": ("statistique du khi-deux", "chi-square statistic"),
    "ci_high": ("borne haute de l'intervalle de confiance à 95 % (Wilson)",
                "upper bound of the 95% confidence interval (Wilson)"),
    "ci_low": ("borne basse de l'intervalle de confiance à 95 % (Wilson)",
               "lower bound of the 95% confidence interval (Wilson)"),
    "cochran_ok": ("vrai : effectifs attendus suffisants pour le test", "true: expected counts "
                   "large enough for the test"),
    "column": ("nom de la colonne", "column name"),
    "coherence": ("cohérence des thèmes : NPMI moyen de leurs termes principaux dans les réponses "
                  "(de -1 à 1)", "coherence of the themes: mean NPMI of their top terms in the "
                  "answers (-1 to 1)"),
    "code": ("identifiant du code (voir la colonne label et la feuille codebook)",
             "code id (see the label column and the codebook sheet)"),
    "count": ("nombre de personnes (ou de réponses) concernées", "number of people (or answers) "
              "concerned"),
    "count_in_group": ("effectif dans le groupe", "count in the group"),
    "count_others": ("effectif parmi les autres personnes", "count among the other people"),
    "count_total": ("effectif dans l'ensemble", "count overall"),
    "cramers_v": ("V de Cramér (force du lien, de 0 à 1)", "Cramér's V (strength of the "
                  "association, 0 to 1)"),
    "date": ("date", "date"),
    "description": ("description", "description"),
    "dimension": ("attribut de comparaison (groupe, territoire, profil...)",
                  "attribute compared (group, territory, profile...)"),
    "direction": ("sur- (+) ou sous-représenté (-)", "over- (+) or under-represented (-)"),
    "dof": ("degrés de liberté", "degrees of freedom"),
    "evidence": ("extrait de la réponse qui justifie le code", "excerpt of the answer behind the "
                 "code"),
    "expected": ("effectif attendu sans lien", "expected count under independence"),
    "family": ("famille du code (service, frein, besoin...)", "code family (service, barrier, "
               "need...)"),
    "family_label_en": ("nom de la famille en anglais", "family name in English"),
    "family_label_fr": ("nom de la famille en français", "family name in French"),
    "finding": ("numéro de l'enseignement dans le rapport", "number of the finding in the report"),
    "group": ("groupe de la typologie", "typology group"),
    "group_size": ("taille du groupe", "size of the group"),
    "importance": ("importance donnée par l'analyste (facultatif)", "importance given by the "
                   "analyst (optional)"),
    "k": ("nombre de thèmes essayé", "number of themes tried"),
    "key": ("paramètre", "parameter"),
    "largest_share": ("part des réponses du plus grand thème", "share of the answers in the "
                      "largest theme"),
    "kind": ("nature de la ligne", "kind of row"),
    "label": ("libellé", "label"),
    "label_en": ("libellé en anglais", "label in English"),
    "label_fr": ("libellé en français", "label in French"),
    "masked": ("vrai : effectif masqué (secret statistique, moins de 5 personnes ou case "
               "complémentaire)", "true: count masked (statistical disclosure control, under 5 "
               "people or complementary cell)"),
    "min_expected": ("plus petit effectif attendu", "smallest expected count"),
    "n": ("base : nombre de personnes sur lequel la part est calculée", "base: number of people "
          "the share is computed on"),
    "n_answers": ("nombre de réponses", "number of answers"),
    "n_groups": ("catégories où au moins le seuil des personnes évoque le code",
                 "categories where at least the threshold of people raise the code"),
    "n_groups_total": ("nombre de catégories", "number of categories"),
    "n_others": ("base des autres personnes", "base of the other people"),
    "n_small_expected": ("cases d'effectif attendu inférieur à 5", "cells with an expected count "
                         "below 5"),
    "needs": ("codes sur-représentés dans le groupe", "codes over-represented in the group"),
    "p_band": ("tranche de la p-valeur corrigée, seule publiée quand le tableau testé a une "
               "case masquée (la valeur exacte permettrait de la retrouver) ; s : non publiée",
               "band of the adjusted p-value, the only one published when the tested table "
               "has a masked cell (the exact value could give it back); x: withheld"),
    "p_adjusted": ("p-valeur corrigée (Benjamini-Hochberg)", "adjusted p-value "
                   "(Benjamini-Hochberg)"),
    "p_value": ("p-valeur", "p-value"),
    "prevalence": ("part de toutes les personnes qui évoquent le code", "share of all the people "
                   "who raise the code"),
    "question_id": ("question", "question"),
    "rank": ("rang", "rank"),
    "ratio": ("rapport des parts", "ratio of shares"),
    "ref": ("référence de l'enseignement, du thème ou du groupe cité", "reference of the finding, "
            "theme or group quoted"),
    "residual": ("résidu standardisé ajusté (au-delà de ±2 : écart notable)",
                 "adjusted standardised residual (beyond ±2: notable gap)"),
    "sentence": ("phrase publiée dans le rapport", "sentence published in the report"),
    "share": ("part (pourcentage)", "share (percentage)"),
    "share_in_category": ("part dans la catégorie", "share in the category"),
    "share_in_group": ("part dans le groupe", "share in the group"),
    "share_others": ("part parmi les autres personnes", "share among the other people"),
    "share_overall": ("part dans l'ensemble", "share overall"),
    "sheet": ("feuille", "sheet"),
    "size": ("effectif", "size"),
    "small_expected": ("vrai : effectifs attendus faibles, test indicatif", "true: small "
                       "expected counts, indicative test"),
    "source": ("ce que le verbatim illustre (enseignement, thème, groupe)",
               "what the quote illustrates (finding, theme, group)"),
    "stability": ("stabilité : accord moyen (Jaccard) des termes principaux des thèmes entre "
                  "toutes les réponses et des sous-échantillons de 80 % (1 = mêmes thèmes)",
                  "stability: mean agreement (Jaccard) of the themes' top terms between all the "
                  "answers and 80% subsamples (1 = the same themes)"),
    "term": ("mot ou expression", "word or phrase"),
    "terms": ("mots caractéristiques", "characteristic words"),
    "test_value": ("valeur-test (au-delà de 2 : significatif à 5 %)", "test value (above 2: "
                   "significant at 5%)"),
    "text": ("texte (pseudonymisé)", "text (pseudonymised)"),
    "theme": ("thème émergent", "emerging theme"),
    "top_terms": ("termes caractéristiques du thème", "characteristic terms of the theme"),
    "value": ("valeur", "value"),
    "who": ("qui parle, dans la mesure où cela ne désigne personne", "who speaks, as far as it "
            "singles no one out"),
    "within_share": ("vrai : aucun thème ne dépasse 20 % des réponses", "true: no theme holds "
                     "more than 20% of the answers"),
    "x": ("position horizontale sur la figure", "horizontal position on the figure"),
    "y": ("position verticale sur la figure", "vertical position on the figure"),
    "wave": ("vague", "wave"),
    "typology_group": ("groupe de la typologie", "typology group"),
    "typology_label": ("nom du groupe de la typologie", "name of the typology group"),
    "record_id": ("identifiant pseudonyme de l'enregistrement", "pseudonymous record id"),
}

PERCENT_COLUMNS = {"share", "ci_low", "ci_high", "share_in_group", "share_overall",
                   "share_others", "share_in_category", "prevalence", "breadth",
                   "largest_share"}
P_VALUE_COLUMNS = {"p_value", "p_adjusted"}
DECIMAL_COLUMNS = {"test_value", "ratio", "chi2", "cramers_v", "residual", "expected",
                   "min_expected", "x", "y", "precision", "precision_low", "precision_high",
                   "recall", "recall_low", "recall_high", "f1", "kappa"}
# A p-value below 0.0001 would read 0.0000 with four decimals: it is shown as 3.9E-07 instead.
NUMBER_FORMATS = {"percent": "0.0%", "p_value": "[<0.0001]0.0E+00;0.0000", "decimal": "0.00",
                  "date": "yyyy-mm-dd"}
DATE_FORMATS = {"fr": "dd/mm/yyyy", "en": "yyyy-mm-dd"}


def number_format(column: str) -> str | None:
    """How Excel shows the column's numbers (None: as Excel chooses)."""
    if column in PERCENT_COLUMNS:
        return NUMBER_FORMATS["percent"]
    if column in P_VALUE_COLUMNS:
        return NUMBER_FORMATS["p_value"]
    if column in DECIMAL_COLUMNS:
        return NUMBER_FORMATS["decimal"]
    return None


def column_description(column: str, language: str, labels: dict[str, str]) -> str:
    """The column's meaning; a code or attribute column is named by its label."""
    i = 0 if language == "fr" else 1
    if column in COLUMN_DOCS:
        return COLUMN_DOCS[column][i]
    if column in labels:
        return labels[column]
    return ("colonne de la table d'analyse du même nom" if i == 0
            else "column of the analysis table of the same name")

# Coding agreement and person-level columns (the analyst's workbook).
COLUMN_DOCS.update({
    "comparison": ("ce qui est comparé (codage automatique et relecture, ou deux relecteurs)",
                   "what is compared (automatic coding and review, or two reviewers)"),
    "tp": ("vrais positifs", "true positives"), "fp": ("faux positifs", "false positives"),
    "fn": ("faux négatifs", "false negatives"), "tn": ("vrais négatifs", "true negatives"),
    "precision": ("précision", "precision"),
    "precision_low": ("borne basse de la précision (95 %)", "lower bound of the precision (95%)"),
    "precision_high": ("borne haute de la précision (95 %)", "upper bound of the precision (95%)"),
    "recall": ("rappel", "recall"),
    "recall_low": ("borne basse du rappel (95 %)", "lower bound of the recall (95%)"),
    "recall_high": ("borne haute du rappel (95 %)", "upper bound of the recall (95%)"),
    "f1": ("F1 (moyenne harmonique de la précision et du rappel)",
           "F1 (harmonic mean of precision and recall)"),
    "kappa": ("kappa de Cohen (accord au-delà du hasard)", "Cohen's kappa (agreement beyond "
              "chance)"),
    "start": ("début du passage dans la réponse (caractère)", "start of the passage in the "
              "answer (character)"),
    "end": ("fin du passage dans la réponse (caractère)", "end of the passage in the answer "
            "(character)"),
    "origin": ("origine du codage (livre de codes, couche apprise, analyste)",
               "origin of the coding (codebook, learned layer, analyst)"),
    "identifier": ("nom de la colonne dans les tables d'analyse (data/processed)",
                   "name of the column in the analysis tables (data/processed)"),
})

# The workbook's column headers, in the report's language: column -> (French, English).
HEADERS: dict[str, tuple[str, str]] = {
    "active": ("Variable active", "Active variable"),
    "attribute": ("Attribut", "Attribute"),
    "breadth": ("Étendue", "Breadth"),
    "category": ("Catégorie", "Category"),
    "chi2": ("Khi-deux", "Chi-square"),
    "ci_high": ("IC 95 % haut", "95% CI high"),
    "ci_low": ("IC 95 % bas", "95% CI low"),
    "cochran_ok": ("Effectifs attendus suffisants", "Expected counts large enough"),
    "code": ("Code", "Code"),
    "column": ("Colonne", "Column"),
    "comparison": ("Comparaison", "Comparison"),
    "count": ("Effectif", "Count"),
    "count_in_group": ("Effectif dans le groupe", "Count in the group"),
    "count_others": ("Effectif chez les autres", "Count among the others"),
    "count_total": ("Effectif total", "Total count"),
    "cramers_v": ("V de Cramér", "Cramér's V"),
    "date": ("Date", "Date"),
    "description": ("Description", "Description"),
    "dimension": ("Comparaison selon", "Compared by"),
    "direction": ("Sens", "Direction"),
    "dof": ("Degrés de liberté", "Degrees of freedom"),
    "end": ("Fin", "End"),
    "evidence": ("Extrait", "Evidence"),
    "expected": ("Effectif attendu", "Expected count"),
    "f1": ("F1", "F1"),
    "family": ("Famille", "Family"),
    "family_label_en": ("Famille (anglais)", "Family (English)"),
    "family_label_fr": ("Famille (français)", "Family (French)"),
    "finding": ("Enseignement n°", "Finding no."),
    "fn": ("Faux négatifs", "False negatives"),
    "fp": ("Faux positifs", "False positives"),
    "group": ("Groupe", "Group"),
    "group_size": ("Taille du groupe", "Group size"),
    "identifier": ("Identifiant", "Identifier"),
    "importance": ("Importance", "Importance"),
    "kappa": ("Kappa de Cohen", "Cohen's kappa"),
    "k": ("Nombre de thèmes", "Number of themes"),
    "key": ("Paramètre", "Parameter"),
    "kind": ("Nature", "Kind"),
    "label": ("Libellé", "Label"),
    "label_en": ("Libellé (anglais)", "Label (English)"),
    "label_fr": ("Libellé (français)", "Label (French)"),
    "masked": ("Masqué", "Masked"),
    "min_expected": ("Plus petit effectif attendu", "Smallest expected count"),
    "n": ("Base (n)", "Base (n)"),
    "n_answers": ("Réponses", "Answers"),
    "n_groups": ("Catégories au-dessus du seuil", "Categories above the threshold"),
    "n_groups_total": ("Catégories", "Categories"),
    "n_others": ("Base des autres", "Base of the others"),
    "n_small_expected": ("Cases à effectif attendu < 5", "Cells with expected count < 5"),
    "needs": ("Codes caractéristiques", "Characteristic codes"),
    "origin": ("Origine", "Origin"),
    "p_band": ("Tranche de p-valeur corrigée", "Adjusted p-value band"),
    "p_adjusted": ("p-valeur corrigée", "Adjusted p-value"),
    "p_value": ("p-valeur", "p-value"),
    "precision": ("Précision", "Precision"),
    "precision_high": ("Précision, borne haute", "Precision, high bound"),
    "precision_low": ("Précision, borne basse", "Precision, low bound"),
    "prevalence": ("Fréquence", "Frequency"),
    "question_id": ("Question", "Question"),
    "rank": ("Rang", "Rank"),
    "ratio": ("Rapport des parts", "Ratio of shares"),
    "recall": ("Rappel", "Recall"),
    "recall_high": ("Rappel, borne haute", "Recall, high bound"),
    "recall_low": ("Rappel, borne basse", "Recall, low bound"),
    "record_id": ("Identifiant", "Identifier"),
    "ref": ("Référence", "Reference"),
    "residual": ("Résidu ajusté", "Adjusted residual"),
    "sentence": ("Enseignement", "Finding"),
    "share": ("Part", "Share"),
    "stability": ("Stabilité", "Stability"),
    "coherence": ("Cohérence", "Coherence"),
    "largest_share": ("Part du plus grand thème", "Largest theme's share"),
    "within_share": ("Aucun thème au-delà de 20 %", "No theme above 20 %"),
    "chosen": ("Retenu", "Kept"),
    "share_in_category": ("Part dans la catégorie", "Share in the category"),
    "share_in_group": ("Part dans le groupe", "Share in the group"),
    "share_others": ("Part chez les autres", "Share among the others"),
    "share_overall": ("Part dans l'ensemble", "Share overall"),
    "sheet": ("Feuille", "Sheet"),
    "size": ("Effectif", "Size"),
    "small_expected": ("Test indicatif (petits effectifs)", "Indicative test (small counts)"),
    "source": ("Illustre", "Illustrates"),
    "start": ("Début", "Start"),
    "term": ("Terme", "Term"),
    "terms": ("Mots caractéristiques", "Characteristic words"),
    "test_value": ("Valeur-test", "Test value"),
    "text": ("Texte", "Text"),
    "theme": ("Thème", "Theme"),
    "tn": ("Vrais négatifs", "True negatives"),
    "top_terms": ("Termes caractéristiques", "Characteristic terms"),
    "tp": ("Vrais positifs", "True positives"),
    "typology_group": ("Groupe de la typologie", "Typology group"),
    "typology_label": ("Nom du groupe", "Group name"),
    "value": ("Valeur", "Value"),
    "wave": ("Vague", "Wave"),
    "who": ("Qui parle", "Who speaks"),
    "x": ("Position horizontale", "Horizontal position"),
    "y": ("Position verticale", "Vertical position"),
}

# Sheet names in the report's language (Excel allows 31 characters): sheet -> (French, English).
SHEET_TITLES: dict[str, tuple[str, str]] = {
    "README": ("Lisez-moi", "Read me"),
    "columns": ("Colonnes", "Columns"),
    "findings": ("Enseignements", "Findings"),
    "records": ("Personnes", "Records"),
    "answers": ("Réponses", "Answers"),
    "code_matrix": ("Matrice des codes", "Code matrix"),
    "passages": ("Passages codés", "Coded passages"),
    "prevalence": ("Fréquences", "Prevalence"),
    "crosstabs": ("Tableaux croisés", "Cross tables"),
    "tests": ("Tests du khi-deux", "Chi-square tests"),
    "groups": ("Groupes", "Groups"),
    "group_profiles": ("Profils des groupes", "Group profiles"),
    "group_codes": ("Codes des groupes", "Group codes"),
    "group_terms": ("Vocabulaire des groupes", "Group vocabulary"),
    "quotes": ("Verbatims", "Quotes"),
    "themes": ("Thèmes", "Themes"),
    "theme_k_choice": ("Nombre de thèmes", "Number of themes"),
    "priority": ("Priorités", "Priorities"),
    "codebook": ("Livre de codes", "Codebook"),
    "coding_agreement": ("Accord du codage", "Coding agreement"),
    "manifest": ("Paramètres", "Parameters"),
}

# Values that are words of the toolkit, shown in the report's language.
VALUE_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "kind": {"top": ("le plus cité de sa famille", "most cited of its family"),
             "contrast": ("contraste entre catégories", "contrast between categories")},
    "direction": {"over": ("sur-représenté", "over-represented"),
                  "under": ("sous-représenté", "under-represented")},
    "source": {"finding": ("enseignement", "finding"), "theme": ("thème", "theme"),
               "group": ("groupe", "group")},
    "category": {"all": ("ensemble", "everyone")},
}
