import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from dialogue_analysis.core import benjamini_hochberg, holm, wilson_interval
from dialogue_analysis.typology import Typology, describe_groups
from tests.synthetic import make_wave

IDS = [f"r{i}" for i in range(1, 11)]
RECORDS = pd.DataFrame(
    {
        "record_id": IDS,
        "territory": pd.array(["rural", "rural", "rural", "urbain", "urbain", "rural", "urbain",
                               "urbain", "urbain", None], dtype="str"),
        "autonomy": [1.0, 2.0, 1.0, 2.0, 4.0, 5.0, 4.0, 3.0, 5.0, 4.0],
    }
)
GROUPS = pd.Series([1, 1, 1, 1, 2, 2, 2, 2, 2, 2], index=IDS)
CODES = pd.DataFrame(
    {
        "need.support": [1, 1, 1, 0, 1, 0, 0, 0, 0, 0],
        "barrier.cost": [0, 0, 1, 0, 1, 1, 1, 0, 1, 0],
    },
    index=pd.Index(IDS, name="record_id"),
)
LABELS = {"need.support": {"fr": "accompagnement de proximité", "en": "local support"}}


@pytest.fixture(scope="module")
def small():
    return describe_groups(RECORDS, GROUPS, code_matrix=CODES, codebook_labels=LABELS,
                           attributes={"territory": "categorical", "autonomy": "numeric"})


def test_category_test_value_by_hand(small):
    row = small.categories.query("group == 1 and category == 'rural'").iloc[0]
    # r10 has no territory: 9 records, 4 rural; group 1 has 4 records, 3 of them rural.
    assert (row["count_in_group"], row["group_size"], row["count_total"]) == (3, 4, 4)
    upper = st.hypergeom.sf(2, 9, 4, 4)
    assert row["p_value"] == pytest.approx(min(1, 2 * upper))
    assert row["test_value"] == pytest.approx(st.norm.isf(row["p_value"] / 2))
    assert row["share_in_group"] == 0.75 and row["share_in_category"] == 0.75
    assert row["share_overall"] == pytest.approx(4 / 9)
    assert np.allclose(small.categories["p_adjusted"],
                       benjamini_hochberg(small.categories["p_value"]))


def test_mean_test_value_by_hand(small):
    row = small.means.query("group == 1").iloc[0]
    x = RECORDS["autonomy"].to_numpy()
    mean_g, n_g, big_n = x[:4].mean(), 4, 10
    expected = (mean_g - x.mean()) / np.sqrt(x.var() / n_g * (big_n - n_g) / (big_n - 1))
    assert row["mean_in_group"] == pytest.approx(1.5)
    assert row["test_value"] == pytest.approx(expected)
    assert row["p_value"] == pytest.approx(2 * st.norm.sf(abs(expected)))
    assert row["direction"] == "under"


def test_code_prevalence_by_hand(small):
    row = small.codes.query("group == 1 and code == 'need.support'").iloc[0]
    assert (row["count_in_group"], row["group_size"], row["count_total"]) == (3, 4, 4)
    assert row["share_in_group"] == 0.75 and row["share_overall"] == 0.4
    low, high = wilson_interval(3, 4)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert row["label"] == "accompagnement de proximité" and row["label_en"] == "local support"
    assert row["family"] == "need"
    other = small.codes.query("code == 'barrier.cost'").iloc[0]
    assert other["label"] == "barrier.cost"  # no codebook label: the code id


def test_holm_correction_on_request():
    ch = describe_groups(RECORDS, GROUPS, code_matrix=CODES, correction="holm")
    assert np.allclose(ch.codes["p_adjusted"], holm(ch.codes["p_value"]))


def test_summary_and_group_access(small):
    assert list(small.summary.columns) == ["group", "label", "label_en", "size", "share",
                                           "top_categories", "top_codes", "top_terms"]
    assert small.summary["size"].tolist() == [4, 6]
    assert small.summary["share"].tolist() == [0.4, 0.6]
    one = small.group(1)
    assert one.size == 4 and set(one.codes["group"]) == {1}
    assert small.groups == [1, 2]


@pytest.fixture(scope="module")
def synthetic():
    wave = make_wave(300, 4, seed=0)
    typo = Typology(random_state=0, n_bootstrap=5).fit(wave.records, wave.code_matrix,
                                                         wave.terms)
    labels = {"need.local_support": {"fr": "accompagnement de proximité", "en": "local support"},
              "barrier.fear_scams": {"fr": "peur des arnaques", "en": "fear of scams"}}
    ch = typo.describe(wave.records, wave.code_matrix, wave.terms, answers=wave.answers,
                       codebook_labels=labels)
    return wave, typo, ch


def test_automatic_labels_name_profile_and_needs(synthetic):
    _, _, ch = synthetic
    assert ch.labels[1] == ("Senior petite retraite, rural : accompagnement de proximité, "
                            "peur des arnaques")
    assert ch.labels_en[1] == "Senior petite retraite, rural: local support, fear of scams"
    assert len(set(ch.labels.values())) == 4


def test_labels_overridden_by_settings(synthetic):
    wave, typo, _ = synthetic
    ch = typo.describe(wave.records, wave.code_matrix, wave.terms,
                       cluster_labels={"2": "Jeunes en insertion",
                                       3: {"fr": "Acteurs sociaux", "en": "Social workers"}})
    assert ch.labels[2] == ch.labels_en[2] == "Jeunes en insertion"
    assert (ch.labels[3], ch.labels_en[3]) == ("Acteurs sociaux", "Social workers")
    assert ch.summary.set_index("group").loc[3, "label"] == "Acteurs sociaux"


def test_quotes_are_central_diverse_and_short(synthetic):
    wave, typo, ch = synthetic
    q = ch.quotes
    assert list(q.columns[:5]) == ["group", "rank", "record_id", "question_id", "text"]
    for grp, part in q.groupby("group"):
        assert 3 <= len(part) <= 5
        assert part["record_id"].is_unique  # never twice the same interviewee
        assert (typo.labels_[part["record_id"]] == grp).all()
        assert (part["text"].str.len() <= 310).all()
    texts = wave.answers.set_index(["record_id", "question_id"])["text"]
    for row in q.itertuples():
        original = " ".join(texts[(row.record_id, row.question_id)].split())
        assert original.startswith(row.text.removesuffix(" […]"))
    # Seniors are quoted in their group: the quotes speak for its main profile.
    seniors = q[q["group"] == 1]
    assert (seniors["profile"] == "senior petite retraite").all()


def test_terms_and_summary_listings(synthetic):
    _, _, ch = synthetic
    top = ch.terms.query("group == 1 and direction == 'over'")["term"].head(8)
    assert {"arnaque", "mairie", "village"} & set(top)
    row = ch.summary.set_index("group").loc[1]
    assert "territory=rural" in row["top_categories"]
    assert "accompagnement de proximité" in row["top_codes"] or "service" in row["top_codes"]


def test_inputs_not_modified():
    records, codes = RECORDS.copy(), CODES.copy()
    describe_groups(records, GROUPS, code_matrix=codes)
    pd.testing.assert_frame_equal(records, RECORDS)
    pd.testing.assert_frame_equal(codes, CODES)


def test_label_names_the_two_profiles_that_make_a_mixed_group():
    from dialogue_analysis.typology import describe_groups as describe

    # Group 1: no profile is half of it, two together make most of it.
    profiles = (["senior"] * 7 + ["salarié décroché"] * 6 + ["jeune"] * 3 + ["jeune"] * 13
                + ["famille"] * 3 + ["famille"] * 16)
    territory = ["rural"] * 14 + ["urbain"] * 2 + ["urbain"] * 32
    records = pd.DataFrame({
        "record_id": [f"r{i:02d}" for i in range(48)],
        "stakeholder_group": ["personnes en précarité"] * 48,
        "profile": profiles, "territory": territory,
    })
    groups = pd.Series([1] * 16 + [2] * 16 + [3] * 16, index=records["record_id"])
    ch = describe(records, groups, attributes={"stakeholder_group": "categorical",
                                               "profile": "categorical",
                                               "territory": "categorical"})
    assert ch.labels[1] == "Senior et salarié décroché, rural"
    assert ch.labels_en[1] == "Senior and salarié décroché, rural"
    assert ch.labels[2] == "Jeune, urbain"


@pytest.mark.parametrize("kind", ["int", "float with missing", "nullable"])
def test_code_counts_are_the_group_sums_of_the_records_rows(kind):
    from dialogue_analysis.typology._describe import _code_counts, _group_counts

    rng = np.random.default_rng(2)
    ids = [f"r{i}" for i in range(400)]
    cm = pd.DataFrame(rng.integers(0, 2, (400, 5)), index=pd.Index(ids, name="record_id"),
                      columns=[f"c.{j}" for j in range(5)])
    if kind != "int":
        cm = cm.astype(float)
        cm.iloc[rng.choice(400, 30, replace=False), 2] = np.nan
        if kind == "nullable":
            cm = cm.astype("Int64")
    # the records in another order, some absent from the matrix
    records = pd.DataFrame({"record_id": list(rng.permutation(ids[:380])) + ["x1", "x2"]})
    g = rng.choice(["A", "B", "C"], len(records))
    order = ["B", "A", "C"]
    values = cm.astype(float).reindex(records["record_id"]).to_numpy(dtype=float)
    counts, sizes = _code_counts(cm, records, g, order)
    expected_counts, expected_sizes = _group_counts(values, g, order)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(sizes, expected_sizes)
    assert sizes.sum() == 380 - (0 if kind == "int" else
                                 cm.iloc[:, 2].isna()[records["record_id"][:380]].sum())
