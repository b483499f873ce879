"""What the report says about the number of emerging themes."""

import pandas as pd

from dialogue_analysis.analysis import Analysis
from dialogue_analysis.report._theme_choice import theme_choice


def _analysis(largest: float, within: bool, n_fitted: int) -> Analysis:
    shares = [largest, 0.10, 0.05]
    themes = pd.DataFrame({"theme": [1, 2, 3], "label": ["poste", "carte · identité", "aucun"],
                           "top_terms": [["poste"], ["carte", "identité"], ["aucun"]],
                           "n_answers": [int(s * 1000) for s in shares], "share": shares})
    assignments = pd.DataFrame({"record_id": [f"r{i}" for i in range(1000)], "question_id": "q",
                                "theme": pd.array([1] * 960 + [None] * 40, dtype="Int64"),
                                "weight": 1.0})
    evidence = pd.DataFrame({"k": [3, 4], "stability": [0.9, 0.8], "coherence": [0.3, 0.2],
                             "largest_share": [largest, 0.5], "within_share": [within, False],
                             "chosen": [True, False]})
    return Analysis(themes=themes, theme_assignments=assignments, theme_k_evidence=evidence,
                    manifest={"stages": {"themes": {"params": {"n_fitted": n_fitted}}}})


def test_the_choice_the_unassigned_and_the_sample_are_said():
    got = theme_choice(_analysis(0.18, True, 600), "fr")
    text = " ".join(got["sentences"])
    assert "Le nombre de thèmes, 3, est choisi d'après les réponses parmi 3 à 4" in text
    assert "stabilité 0,90" in text and "aucun thème ne dépasse 20\u202f%" in text
    assert "40 réponses (4\u202f%) n'ont aucun mot du vocabulaire des thèmes" in text
    assert "échantillon de 600 réponses" in text
    assert [r["chosen"] for r in got["rows"]] == [True, False]
    assert [r["largest"] for r in got["rows"]] == ["18\u202f%", "50\u202f%"]


def test_a_theme_over_the_cap_at_every_number_is_said_so():
    text = " ".join(theme_choice(_analysis(0.35, False, 1000), "en")["sentences"])
    assert "Whatever the number of themes tried, one theme holds more than 20%" in text
    assert '"poste" (35%)' in text
    assert "found on a sample" not in text  # fitted on every answer
