from dialogue_analysis.quotes import trim_quote


def test_short_text_kept_whole_with_spaces_folded():
    assert trim_quote("Je vais  à la\nmairie.") == "Je vais à la mairie."


def test_cut_at_sentence_end():
    text = "Première phrase courte. " + "Deuxième phrase " * 30 + "fin."
    out = trim_quote(text, max_chars=60)
    assert out == "Première phrase courte. […]"


def test_long_first_sentence_cut_at_word():
    text = "mot " * 200
    out = trim_quote(text, max_chars=50)
    assert len(out) <= 55 and out.endswith("[…]") and "mo […]" not in out
