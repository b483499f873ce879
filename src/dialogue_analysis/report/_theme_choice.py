"""How the report explains the number of emerging themes: the evidence per number tried, the
rule that kept one, and the answers left without a theme."""

from __future__ import annotations

import pandas as pd

from ..analysis import Analysis
from ._format import fmt_int, fmt_number, fmt_pct

MAX_SHARE = 0.20  # the themes stage's cap on the largest theme, when the data allow it


def theme_choice(a: Analysis, language: str) -> dict | None:
    """The sentences and the evidence table of the themes' number; None without themes."""
    if not len(a.themes):
        return None
    fr = language == "fr"
    k = len(a.themes)
    largest = a.themes.sort_values(["share", "theme"], ascending=[False, True]).iloc[0]
    n_answers = len(a.theme_assignments)
    unassigned = int(a.theme_assignments["theme"].isna().sum()) if n_answers else 0
    ev = a.theme_k_evidence.sort_values("k").reset_index(drop=True)
    sentences = []
    if len(ev) and ev["chosen"].astype(bool).any():
        best = ev[ev["chosen"].astype(bool)].iloc[0]
        lo, hi = int(ev["k"].min()), int(ev["k"].max())
        stab = fmt_number(best["stability"], language, 2)
        within = ev["within_share"].astype(bool).any()
        sentences.append(
            (f"Le nombre de thèmes, {k}, est choisi d'après les réponses parmi {lo} à {hi} : "
             f"c'est le plus stable (stabilité {stab}, 1 = les mêmes thèmes sur des "
             "sous-échantillons de 80 % des réponses)"
             + (f" de ceux dont aucun thème ne dépasse {fmt_pct(MAX_SHARE, language)} des "
                "réponses." if within else ".")) if fr else
            (f"The number of themes, {k}, is chosen from the answers among {lo} to {hi}: the "
             f"most stable (stability {stab}, 1 = the same themes on 80% subsamples of the "
             "answers)" + (f" of those where no theme holds more than "
                           f"{fmt_pct(MAX_SHARE, language)} of the answers." if within else ".")))
    elif len(a.themes):
        sentences.append(f"Le nombre de thèmes, {k}, est fixé par la configuration "
                         "(settings.n_themes)." if fr else
                         f"The number of themes, {k}, is set by the config (settings.n_themes).")
    params = (a.manifest.get("stages", {}).get("themes", {}) or {}).get("params", {}) or {}
    n_fitted = int(params.get("n_fitted") or n_answers)
    if 0 < n_fitted < n_answers:
        sentences.append(
            f"Les thèmes sont trouvés sur un échantillon de {fmt_int(n_fitted, language)} "
            "réponses tirées au hasard (d'après leur identifiant), puis chacune des "
            f"{fmt_int(n_answers, language)} réponses est rattachée au thème où ses mots pèsent "
            "le plus." if fr else
            f"The themes are found on a sample of {fmt_int(n_fitted, language)} answers drawn at "
            f"random (from their ids), then each of the {fmt_int(n_answers, language)} answers "
            "goes to the theme its words weigh most in.")
    if largest["share"] > MAX_SHARE:
        share, cap = fmt_pct(largest["share"], language), fmt_pct(MAX_SHARE, language)
        everywhere = len(ev) and not ev["within_share"].astype(bool).any()
        if everywhere:
            sentences.append(
                f"Quel que soit le nombre de thèmes essayé, un thème réunit plus de {cap} des "
                f"réponses : « {largest['label']} » ({share}), un sujet que beaucoup de réponses "
                "partagent, que davantage de thèmes ne divisent pas." if fr else
                f"Whatever the number of themes tried, one theme holds more than {cap} of the "
                f"answers: \"{largest['label']}\" ({share}), a subject many answers share, "
                "which more themes do not split.")
        else:
            sentences.append(
                f"Le thème « {largest['label']} » réunit {share} des réponses." if fr else
                f"The theme \"{largest['label']}\" holds {share} of the answers.")
    if unassigned:
        n, share = fmt_int(unassigned, language), fmt_pct(unassigned / n_answers, language)
        sentences.append(
            f"{n} réponses ({share}) n'ont aucun mot du vocabulaire des thèmes (réponses très "
            "courtes ou aux mots trop rares) : elles n'ont pas de thème." if fr else
            f"{n} answers ({share}) have no word of the themes' vocabulary (very short answers "
            "or words too rare): they have no theme.")
    rows = [{"k": int(r["k"]), "stability": fmt_number(r["stability"], language, 2),
             "coherence": fmt_number(r["coherence"], language, 2),
             "largest": fmt_pct(r["largest_share"], language),
             "chosen": bool(r["chosen"])} for r in ev.to_dict("records")
            if not pd.isna(r["k"])]
    return {"sentences": sentences, "rows": rows}
