"""The words of the comparison report, in French and English, and the labels it shows."""

from __future__ import annotations

from ..waves import Comparison
from ._format import fmt_int

TEXT = {
    "title": ("Comparaison de deux vagues", "Comparison of two waves"),
    "interviews": ("entretiens", "interviews"),
    "reinterviewed": ("personnes revues", "people interviewed again"),
    "changed": ("codes en évolution significative", "codes with a significant change"),
    "toc": ("Sommaire", "Contents"),
    "s_codes": ("Ce qui est dit : les codes", "What is said: the codes"),
    "s_groups_by": ("Par famille de parties prenantes", "By stakeholder group"),
    "s_vocab": ("Les mots qui montent et qui reculent", "Emerging and fading words"),
    "s_typology": ("Les groupes de la typologie", "The typology groups"),
    "s_people": ("Les personnes revues", "The people interviewed again"),
    "s_drift": ("Ce qui a changé dans les fichiers", "What changed in the files"),
    "s_method": ("Méthode", "Method"),
    "code": ("Code", "Code"),
    "category": ("Catégorie", "Category"),
    "share": ("Part", "Share"),
    "diff": ("Écart (points)", "Change (points)"),
    "p_adj": ("p ajusté", "adjusted p"),
    "test": ("Test", "Test"),
    "group": ("Groupe", "Group"),
    "term": ("Terme", "Term"),
    "emerging": ("En hausse", "Emerging"),
    "fading": ("En recul", "Fading"),
    "far": ("loin de tout groupe", "far from every group"),
    "no_change": ("Aucune évolution significative au seuil de {alpha} après correction.",
                  "No significant change at the {alpha} level after correction."),
    "no_vocab": ("Aucun terme ne monte ni ne recule significativement.",
                 "No term rises or fades significantly."),
    "small_warning": ("Effectif inférieur à {n} dans une des vagues : écart indicatif.",
                      "Fewer than {n} people in one of the waves: indicative change only."),
    "source": ("Source : vagues {a} ({na} entretiens) et {b} ({nb} entretiens).",
               "Source: waves {a} ({na} interviews) and {b} ({nb} interviews)."),
    "fig_prev": ("Part des personnes évoquant chaque code (IC 95 %)",
                 "Share of people raising each code (95% CI)"),
    "fig_vocab": ("Termes en hausse et en recul (valeur-test)",
                  "Emerging and fading terms (test value)"),
    "fig_groups": ("Taille des groupes de référence, par vague",
                   "Size of the reference groups, by wave"),
    "fig_moves": ("Personnes revues : groupe en {a} × en {b}",
                  "People interviewed again: group in {a} × in {b}"),
    "test_value": ("valeur-test", "test value"),
    "share_people": ("part des personnes", "share of people"),
    "attribute": ("Attribut", "Attribute"),
    "n_changed": ("ont changé", "changed"),
    "gained": ("gagné", "gained"),
    "lost": ("perdu", "lost"),
    "kind": ("Type", "Kind"),
    "item": ("Élément", "Item"),
    "detail": ("Détail", "Detail"),
    "none": ("Aucune.", "None."),
    "status": ("Statut", "Status"),
}

DRIFT_KINDS = {
    "layout": ("mise en page du fichier", "file layout"),
    "attribute_new": ("nouvel attribut", "new attribute"),
    "attribute_missing": ("attribut absent", "missing attribute"),
    "column_renamed": ("colonne renommée", "renamed column"),
    "type_changed": ("type changé", "type changed"),
    "value_new": ("nouvelle valeur déclarée", "new declared value"),
    "value_removed": ("valeur retirée", "removed value"),
    "spelling_new": ("nouvelle orthographe", "new spelling"),
    "question_new": ("nouvelle question", "new question"),
    "question_missing": ("question absente", "missing question"),
    "question_renamed": ("question renommée", "renamed question"),
    "raw_column_new": ("nouvelle colonne du fichier", "new column in the file"),
    "raw_column_missing": ("colonne disparue du fichier", "column gone from the file"),
    "column_order": ("ordre des colonnes", "column order"),
    "observed_value_new": ("valeur observée seulement en B", "value seen in B only"),
    "observed_value_gone": ("valeur observée seulement en A", "value seen in A only"),
}


class _W:
    def __init__(self, language: str):
        self.i = 0 if language == "fr" else 1

    def __call__(self, key: str, **kw) -> str:
        return TEXT[key][self.i].format(**kw)

    def __getattr__(self, key: str) -> str:
        try:
            return TEXT[key][self.i]
        except KeyError:
            raise AttributeError(key) from None


def _label(cmp: Comparison, code: str) -> str:
    return cmp.code_labels.get(code, code)


def _source(cmp: Comparison, language: str) -> str:
    return _W(language)("source", a=cmp.wave_a, b=cmp.wave_b, na=fmt_int(cmp.n_a, language),
                        nb=fmt_int(cmp.n_b, language))
