"""The words of the findings report, in French and English: ``{key: (french, english)}``."""

TEXT: dict[str, tuple[str, str]] = {
    "title": ("Dialogue avec les parties prenantes", "Stakeholder dialogue"),
    "subtitle": ("Synthèse des résultats", "Findings report"),
    "toc": ("Sommaire", "Contents"),
    "key_findings": ("Principaux enseignements", "Key findings"),
    "consulted": ("Qui a été consulté, et comment", "Who was consulted, and how"),
    "services": ("Services en ligne critiques", "Critical online services"),
    "barriers": ("Freins", "Barriers"),
    "needs": ("Besoins, par groupe et par territoire", "Needs, by group and by territory"),
    "needs_alone": ("Besoins exprimés", "Needs expressed"),
    "other_codes": ("Autres thèmes du codage", "Other coded topics"),
    "themes": ("Thèmes émergents", "Emerging themes"),
    "typology": ("Typologie des parties prenantes", "Stakeholder typology"),
    "priorities": ("Matrice de priorités", "Priority matrix"),
    "limitations": ("Limites", "Limitations"),
    "methodology": ("Méthodologie", "Methodology"),
    "annex_quotes": ("Annexe : verbatims à l'appui des enseignements",
                     "Annex: quotes behind the key findings"),
    "quotes_link": ("verbatims", "quotes"),
    "source": ("Source : {wave}, {n} {unit} ; traitement dialogue-analysis.",
               "Source: {wave}, {n} {unit}; analysis dialogue-analysis."),
    "group": ("Groupe de parties prenantes", "Stakeholder group"),
    "stakeholder_group": ("Groupe de parties prenantes", "Stakeholder group"),
    "profile": ("Profil", "Profile"),
    "territory": ("Territoire", "Territory"),
    "age_band": ("Tranche d'âge", "Age band"),
    "region": ("Région", "Region"),
    "typology_group": ("Groupe de la typologie", "Typology group"),
    "equipment": ("Équipement", "Equipment"),
    "connection": ("Connexion", "Connection"),
    "autonomy": ("Autonomie numérique", "Digital autonomy"),
    "critical_services": ("Services critiques déclarés", "Critical services declared"),
    "date": ("Date", "Date"),
    "people": ("Personnes", "People"),
    "share": ("Part", "Share"),
    "total": ("Total", "Total"),
    "count": ("Effectif", "Count"),
    "share_people": ("Part des personnes", "Share of people"),
    "ci": ("Intervalle de confiance à 95 %", "95% confidence interval"),
    "code": ("Thème", "Topic"),
    "test_value": ("Valeur-test", "Test value"),
    "masked_note": ("Secret statistique (« {mark} ») : les effectifs de 1 à {m} personnes sont "
                    "masqués dans tout tableau croisé, ainsi que d'autres cases choisies pour "
                    "qu'aucun effectif masqué ne puisse être retrouvé par différence avec les "
                    "totaux ; les parts calculées sur ces cases le sont aussi.",
                    "Suppressed (“{mark}”): counts of 1 to {m} people are masked in every cross "
                    "table, and so are other cells chosen so that no masked count can be found "
                    "back by subtraction from the totals; the shares computed on these cells "
                    "are masked too."),
    "people_citing": ("Part des personnes qui l'évoquent", "Share of people who raise it"),
}
