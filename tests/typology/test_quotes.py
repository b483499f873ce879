from dialogue_analysis.core import trim_quote


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


# -- who said it ---------------------------------------------------------------------------------

def _wave():
    import pandas as pd

    rows = ([("journaliste", "rural", "65-74")] * 2 + [("senior", "rural", "65-74")] * 2
            + [("senior", "rural", "75+")] * 2 + [("senior", "urbain", "65-74")] * 6
            + [("agent", "urbain", "35-49")] * 5)
    return pd.DataFrame([{"record_id": f"R{i:02d}", "profile": p, "territory": t,
                          "age_band": a} for i, (p, t, a) in enumerate(rows)])


def _fits(records, attributes):
    sel = records
    for k, v in attributes.items():
        sel = sel[sel[k].astype(str) == v]
    return len(sel)


def test_rare_attributes_are_dropped_rarest_first():
    from dialogue_analysis.core import attribution

    records = _wave()
    out = attribution(records, {"R00": {}, "R12": {}, "R06": {}}, min_count=5)
    # a journalist (2 in the wave), rural (6), 65-74 (10): the profile goes, then rural x 65-74
    # fits 4 people, so the rarer of the two (rural) goes as well
    assert out["R00"] == {"who": {"age_band": "65-74"}, "show_id": True}
    assert out["R12"] == {"who": {"profile": "agent", "territory": "urbain",
                                  "age_band": "35-49"}, "show_id": True}  # five such agents
    assert out["R06"]["who"] == {"profile": "senior", "territory": "urbain", "age_band": "65-74"}
    for p in out.values():
        assert _fits(records, p["who"]) >= 5


def test_what_the_context_tells_counts_and_can_hide_the_record_id():
    from dialogue_analysis.core import attribution

    records = _wave()
    # quoted under a finding about rural people: rural x anything printed must fit 5 people
    out = attribution(records, {"R02": {"territory": "rural"}}, min_count=5)
    assert "territory" not in out["R02"]["who"]
    assert _fits(records, {"territory": "rural", **out["R02"]["who"]}) >= 5
    # quoted under findings about journalists and about rural people: 2 people, no id printed
    out = attribution(records, {"R00": {"profile": "journaliste", "territory": "rural"}},
                      min_count=5)
    assert out["R00"] == {"who": {}, "show_id": False}
