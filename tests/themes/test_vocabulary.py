import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from dialogue_analysis.core import benjamini_hochberg
from dialogue_analysis.themes import join_terms, specific_terms

TERMS = pd.DataFrame(
    {
        "record_id": ["r1", "r1", "r2", "r3", "r4", "r4"],
        "question_id": ["q1", "q2", "q1", "q1", "q1", "q2"],
        "terms": ["aide aide", "mairie", "aide bus", "bus forfait", "forfait bus", "aide"],
    }
)
GROUPS = pd.Series({"r1": "A", "r2": "A", "r3": "B", "r4": "B"})


def two_sided(k, n_group, n_term, total):
    upper = st.hypergeom.sf(k - 1, total, n_term, n_group)
    lower = st.hypergeom.cdf(k, total, n_term, n_group)
    return min(1.0, 2 * min(upper, lower))


def test_join_terms_per_record():
    joined = join_terms(TERMS)
    assert joined.to_dict() == {
        "r1": "aide aide mairie", "r2": "aide bus", "r3": "bus forfait", "r4": "forfait bus aide"
    }


def test_join_terms_keeps_first_appearance_and_row_order_and_strips_empty_answers():
    terms = pd.DataFrame({"record_id": ["r9", "r2", "r9", "r2", "r5", 7],
                          "terms": ["bus", None, "aide mairie", "  forfait ", "", "caf"]})
    joined = join_terms(terms)
    assert list(joined.index) == ["r9", "r2", "r5", "7"]
    assert joined.tolist() == ["bus aide mairie", "forfait", "", "caf"]
    one_each = join_terms(terms.iloc[[1, 0, 4, 5]])  # one answer a record: nothing to join
    assert list(one_each.index) == ["r2", "r9", "r5", "7"]
    assert one_each.tolist() == ["", "bus", "", "caf"]
    assert one_each.index.name == "record_id"


def test_records_unit_matches_scipy():
    table = specific_terms(TERMS, GROUPS, min_count=1, correction=None)
    row = table[(table["group"] == "A") & (table["term"] == "aide")].iloc[0]
    # 'aide' is used by r1, r2 (group A) and r4: 2 of the 2 records of A, 3 of 4 overall.
    assert (row["count_in_group"], row["count_total"]) == (2, 3)
    assert row["share_in_group"] == 1.0 and row["share_overall"] == 0.75
    p = two_sided(2, 2, 3, 4)
    assert row["p_value"] == pytest.approx(p)
    assert row["test_value"] == pytest.approx(st.norm.isf(p / 2))
    assert row["direction"] == "over"


def test_occurrences_unit_matches_scipy():
    table = specific_terms(TERMS, GROUPS, unit="occurrences", min_count=1, correction=None)
    row = table[(table["group"] == "A") & (table["term"] == "aide")].iloc[0]
    # A has 5 occurrences (3 + 2), B 5; 'aide' occurs 3 times in A, 4 overall.
    assert (row["count_in_group"], row["count_total"]) == (3, 4)
    assert row["share_in_group"] == pytest.approx(3 / 5)
    assert row["share_overall"] == pytest.approx(4 / 10)
    assert row["p_value"] == pytest.approx(two_sided(3, 5, 4, 10))
    under = table[(table["group"] == "B") & (table["term"] == "aide")].iloc[0]
    assert under["direction"] == "under" and under["test_value"] < 0


def test_correction_min_count_and_order():
    table = specific_terms(TERMS, GROUPS, min_count=2)
    assert "mairie" not in set(table["term"])  # used once only
    assert np.allclose(table["p_adjusted"], benjamini_hochberg(table["p_value"]))
    assert list(table.columns) == [
        "group", "term", "count_in_group", "count_total", "share_in_group", "share_overall",
        "test_value", "p_value", "p_adjusted", "direction",
    ]
    for _, part in table.groupby("group"):
        order = part["direction"].map({"over": 0, "under": 1, "none": 2})
        assert order.is_monotonic_increasing
    holm = specific_terms(TERMS, GROUPS, min_count=2, correction="holm")
    assert (holm["p_adjusted"] >= table["p_adjusted"] - 1e-12).all()


def test_top_alpha_and_group_order():
    groups = pd.Series(pd.Categorical(["z", "z", "a", "a"], categories=["z", "a"]),
                       index=["r1", "r2", "r3", "r4"])
    table = specific_terms(TERMS, groups, min_count=1, top=1)
    assert list(table["group"].unique()) == ["z", "a"]
    assert table.groupby(["group", "direction"]).size().max() == 1
    assert specific_terms(TERMS, groups, min_count=1, alpha=1e-9).empty


def test_records_without_group_or_terms_are_left_out():
    groups = pd.Series({"r1": "A", "r2": None, "r3": "B", "r4": "B", "r9": "A"})
    table = specific_terms(TERMS, groups, min_count=1, correction=None)
    aide_a = table[(table["group"] == "A") & (table["term"] == "aide")].iloc[0]
    assert (aide_a["count_in_group"], aide_a["count_total"]) == (1, 2)  # r1 and r4 only


def test_input_not_modified_and_bad_unit():
    before = TERMS.copy()
    specific_terms(TERMS, GROUPS, min_count=1)
    pd.testing.assert_frame_equal(TERMS, before)
    with pytest.raises(ValueError):
        specific_terms(TERMS, GROUPS, unit="words")


@pytest.mark.realdata
def test_specific_terms_on_real_answers(realdata):
    import re

    folder = realdata / "entendre_la_france"
    users = pd.read_csv(folder / "users.csv", sep=";", encoding="utf-8-sig", na_values=["?"],
                        dtype=str, lineterminator="\r")
    answers = pd.read_csv(folder / "answers_pre.csv", dtype=str)
    terms = pd.DataFrame({
        "record_id": answers["customer_id"],
        "terms": answers["answer"].map(
            lambda t: " ".join(re.findall(r"[a-zàâçéèêëîïôûùüÿœ]{5,}", str(t).lower()))),
    })
    groups = users.drop_duplicates("user_id").set_index("user_id")["age"]
    table = specific_terms(terms, groups, min_count=10)
    assert table["p_value"].between(0, 1).all() and table["p_adjusted"].between(0, 1).all()
    totals = table.groupby("term")["count_in_group"].sum()
    assert (totals == table.groupby("term")["count_total"].first()).all()
    over = table[(table["group"] == "65-74 ans") & (table["p_adjusted"] < 0.05)
                 & (table["direction"] == "over")]
    assert "retraite" in set(over["term"]) or "retraités" in set(over["term"])
