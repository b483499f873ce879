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


def test_an_answers_terms_are_found_by_key_as_drop_duplicates_keeps_them():
    import numpy as np
    import pandas as pd

    from dialogue_analysis.typology._quotes import _keys, _LastRowByKey

    rng = np.random.default_rng(4)
    terms = pd.DataFrame({"record_id": rng.choice([f"r{i}" for i in range(50)], 300),
                          "question_id": rng.choice(["q1", "q2", "q3"], 300),
                          "terms": [f"t{i}" for i in range(300)]})
    asked = pd.DataFrame({"record_id": [f"r{i}" for i in range(60)] * 3,
                          "question_id": ["q1"] * 60 + ["q2"] * 60 + ["q4"] * 60})
    asked_keys, terms_keys = _keys(asked, terms)
    found, rows = _LastRowByKey(terms_keys).rows(asked_keys)
    expected = terms.drop_duplicates(["record_id", "question_id"], keep="last").set_index(
        ["record_id", "question_id"])["terms"].reindex(
        pd.MultiIndex.from_frame(asked))
    assert found.tolist() == expected.notna().tolist()
    assert terms["terms"].iloc[rows].tolist() == expected.dropna().tolist()
    assert 0 < found.sum() < len(asked)


def test_rows_in_gives_what_get_indexer_gives():
    import pandas as pd

    from dialogue_analysis.typology._quotes import _rows_in

    among = pd.Series(["r3", "r1", "r7", "10", "r2"])
    ids = pd.Series(["r1", "x", "r2", 10, "r3", "r1", None])
    expected = pd.Index(among).get_indexer(ids.astype(str))
    assert _rows_in(ids, among).tolist() == expected.tolist() == [1, -1, 4, 3, 0, 1, -1]
