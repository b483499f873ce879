"""The wave's names are looked for only in the texts that hold all their words."""

from dialogue_analysis.anonymise._cues import WaveNames


def test_a_text_is_searched_for_the_names_whose_every_word_it_holds():
    names = WaveNames({"Abgrall", "Sanogo-Samassa", "Yannick Le Quintrec", "Ouédraogo"})
    assert names.in_text("Le bureau de M. Abgrall est fermé.") == {"Abgrall"}
    # case and accents aside, as the spellings a name is looked for in
    assert names.in_text("SANOGO-SAMASSA m'a aidée, et ouedraogo aussi") == {
        "Sanogo-Samassa", "Ouédraogo"}
    # every word of a full name, not one of them
    assert names.in_text("Yannick est venu seul.") == set()
    assert names.in_text("Yannick Le Quintrec est venu.") == {"Yannick Le Quintrec"}
    assert names.in_text("La CAF a répondu.") == set()


def test_an_empty_wave_has_no_name():
    assert not WaveNames(set())
    assert WaveNames(set()).in_text("Abgrall") == set()
