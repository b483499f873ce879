"""Rows found by key from sorted numbers: the rows pandas' own operations give."""

import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.core.rows_by_key import RowsByKey


def test_all_rows_of_each_key_are_those_groupby_gives():
    """Each case's answers and each answer's passages in the QDA project: the same rows, in
    the same order, as ``groupby(...).indices``; a missing value matches nothing, not even
    the text ``astype(str)`` would write for it."""
    df = pd.DataFrame({"r": pd.array(["b", "a", "b", None, "c", "a", "b"], dtype="str"),
                       "q": [1, 2, 1, 1, 3, 2, 2]})
    by_key = RowsByKey(df["r"], df["q"])
    expected = df.astype(str).groupby(["r", "q"], sort=False).indices
    asked = [("a", "2"), ("b", "1"), ("nan", "1"), ("b", "2"), ("c", "9"), ("z", "1"), ("b", "1")]
    found = by_key.all([r for r, _ in asked], [q for _, q in asked])
    for key, rows in zip(asked, found, strict=True):
        assert list(rows) == list(expected.get(key, np.array([], dtype=int))), key
    assert sum(len(rows) for rows in found) == 7
    one = RowsByKey(df["r"]).all(["b", "x"])
    assert [list(x) for x in one] == [[0, 2, 6], []]


def test_last_row_of_each_key_is_the_one_drop_duplicates_keeps():
    """An answer's terms for the groups' quotes: the row ``drop_duplicates(keep="last")``
    keeps, -1 where there is none."""
    rng = np.random.default_rng(4)
    terms = pd.DataFrame({"record_id": rng.choice([f"r{i}" for i in range(50)], 300),
                          "question_id": rng.choice(["q1", "q2", "q3"], 300),
                          "terms": [f"t{i}" for i in range(300)]})
    asked = pd.DataFrame({"record_id": [f"r{i}" for i in range(60)] * 3,
                          "question_id": ["q1"] * 60 + ["q2"] * 60 + ["q4"] * 60})
    rows = RowsByKey(terms["record_id"], terms["question_id"]).last(
        asked["record_id"], asked["question_id"])
    expected = terms.drop_duplicates(["record_id", "question_id"], keep="last").set_index(
        ["record_id", "question_id"])["terms"].reindex(pd.MultiIndex.from_frame(asked))
    assert (rows >= 0).tolist() == expected.notna().tolist()
    assert terms["terms"].iloc[rows[rows >= 0]].tolist() == expected.dropna().tolist()
    assert 0 < (rows >= 0).sum() < len(asked)


def test_last_row_of_unique_ids_is_what_get_indexer_gives():
    """Each answer's record: the record's row, ids compared as text."""
    among = pd.Series(["r3", "r1", "r7", "10", "r2"])
    ids = pd.Series(["r1", "x", "r2", 10, "r3", "r1", None])
    expected = pd.Index(among).get_indexer(ids.astype(str))
    assert RowsByKey(among).last(ids).tolist() == expected.tolist() == [1, -1, 4, 3, 0, 1, -1]


def test_an_empty_table_has_no_rows_and_the_key_columns_must_match():
    empty = RowsByKey(pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert empty.last(["a"], ["q"]).tolist() == [-1]
    assert [len(x) for x in empty.all(["a", "b"], ["q", "q"])] == [0, 0]
    with pytest.raises(ValueError, match="1 key column"):
        empty.last(["a"])


def test_any_text_is_found_long_accented_with_nul_or_mixed_types():
    """Against a dict of the keys as text, on random two-column tables: ids of any length
    (national consultations' ids are often longer than 15 bytes), accents, NUL characters,
    integers next to their text, asked in another order than stored."""
    rng = np.random.default_rng(7)
    pool = ["contribution-000123-grand-débat", "r\x00a", "r\x00b", "é" * 9, "x", 10, "10",
            "ＲＥＣ-ⅰ", *(f"record-{i:06d}-{'é' * (i % 5)}" for i in range(60))]
    for _ in range(30):
        n = int(rng.integers(1, 120))
        first = pd.Series([pool[i] for i in rng.integers(0, len(pool), n)], dtype=object)
        second = pd.Series(rng.choice(["q1", "question-longue-numéro-2"], n), dtype=object)
        expected: dict[tuple[str, str], list[int]] = {}
        for row, key in enumerate(zip(first.astype(str), second, strict=True)):
            expected.setdefault(key, []).append(row)
        asked = [(str(pool[i]), q) for i in rng.permutation(len(pool))
                 for q in ("q1", "question-longue-numéro-2", "q3")]
        by_key = RowsByKey(first, second)
        found = by_key.all([r for r, _ in asked], [q for _, q in asked])
        last = by_key.last([r for r, _ in asked], [q for _, q in asked])
        for key, rows, one in zip(asked, found, last, strict=True):
            assert rows.tolist() == expected.get(key, []), key
            assert one == (expected[key][-1] if key in expected else -1), key
