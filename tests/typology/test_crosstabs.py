import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from dialogue_analysis.core import benjamini_hochberg
from dialogue_analysis.typology import (
    adjusted_residuals,
    code_crosstab,
    contingency_test,
    crosstab,
)

IDS = [f"r{i:02d}" for i in range(1, 21)]
RECORDS = pd.DataFrame(
    {
        "record_id": IDS,
        "territory": pd.array(["rural"] * 8 + ["urbain"] * 10 + [None] * 2, dtype="str"),
        "profile": pd.array(["senior"] * 6 + ["jeune"] * 8 + ["senior"] * 6, dtype="str"),
    }
)
CODES = pd.DataFrame(
    {
        "need.support": [1] * 6 + [0] * 2 + [1] * 2 + [0] * 8 + [1, 1],
        "need.equipment": [0] * 8 + [1] * 7 + [0] * 5,
        "barrier.cost": [1] * 3 + [0] * 17,
    },
    index=pd.Index(IDS, name="record_id"),
)


def test_adjusted_residuals_by_hand():
    table = np.array([[10, 20], [30, 40]])
    n, rows, cols = 100, table.sum(1), table.sum(0)
    e00 = rows[0] * cols[0] / n
    hand = (10 - e00) / np.sqrt(e00 * (1 - rows[0] / n) * (1 - cols[0] / n))
    res = adjusted_residuals(table)
    assert res[0, 0] == pytest.approx(hand)
    # In a 2 x 2 table every adjusted residual is +-sqrt(chi2).
    chi2 = chi2_contingency(table, correction=False)[0]
    assert np.abs(res) == pytest.approx(np.full((2, 2), np.sqrt(chi2)))


def test_contingency_test_matches_scipy_and_flags_small_expected():
    table = pd.DataFrame([[12, 5, 3], [4, 10, 1]], index=["a", "b"], columns=["x", "y", "z"])
    out = contingency_test(table)
    chi2, p, dof, exp = chi2_contingency(table.to_numpy(), correction=False)
    assert (out["chi2"], out["p_value"], out["dof"]) == pytest.approx((chi2, p, dof))
    assert out["expected"].to_numpy() == pytest.approx(exp)
    assert out["n_small_expected"] == int((exp < 5).sum()) == 2
    assert out["cochran_ok"] is False  # 2 of 6 expected counts < 5 is more than 20 %
    assert out["cramers_v"] == pytest.approx(np.sqrt(chi2 / 35))


def test_code_crosstab_by_territory():
    ct = code_crosstab(CODES, RECORDS, "territory", families=["need"], min_cell_count=5)
    # Records without a territory (r19, r20) are left out.
    assert ct.sizes.to_dict() == {"rural": 8, "urbain": 10}
    assert ct.counts.loc["need.support"].to_dict() == {"rural": 6, "urbain": 2}
    assert list(ct.counts.index) == ["need.support", "need.equipment"]
    assert ct.proportions.loc["need.support", "rural"] == 0.75
    table = np.array([[6, 2], [2, 8]])
    chi2, p, _, exp = chi2_contingency(table, correction=False)
    assert ct.tests.loc["need.support", "chi2"] == pytest.approx(chi2)
    assert ct.tests.loc["need.support", "p_value"] == pytest.approx(p)
    assert ct.expected.loc["need.support", "rural"] == pytest.approx(exp[0, 0])
    assert ct.residuals.loc["need.support", "rural"] == pytest.approx(
        adjusted_residuals(table)[0, 0])
    assert np.allclose(ct.tests["p_adjusted"], benjamini_hochberg(ct.tests["p_value"]))
    # 2 urbain records mention support and 0 rural mention equipment: 2 is small, 0 is not.
    assert ct.small.loc["need.support", "urbain"] and not ct.small.loc["need.equipment", "rural"]


def test_masking_for_publication():
    ct = code_crosstab(CODES, RECORDS, "territory", min_cell_count=5)
    masked = ct.masked()
    assert pd.isna(masked.counts.loc["need.support", "urbain"])
    assert pd.isna(masked.proportions.loc["need.support", "urbain"])
    assert pd.isna(masked.residuals.loc["need.support", "urbain"])
    assert masked.counts.loc["need.support", "rural"] == 6
    assert masked.counts.loc["need.equipment", "rural"] == 0
    assert ct.counts.loc["need.support", "urbain"] == 2  # the original is untouched
    tidy = ct.tidy()
    assert list(tidy.columns) == ["row", "label", "column", "count", "size", "proportion",
                                  "expected", "residual", "small"]
    assert len(tidy) == ct.counts.size


def test_code_crosstab_by_series_and_codebook_labels():
    groups = pd.Series([1] * 10 + [2] * 10, index=IDS)
    ct = code_crosstab(CODES, RECORDS, groups, codebook_labels={"barrier.cost": "coût"})
    assert list(ct.counts.columns) == [1, 2]
    assert ct.labels["barrier.cost"] == "coût" and ct.labels["need.support"] == "need.support"


def test_crosstab_of_two_attributes():
    ct = crosstab(RECORDS, "profile", "territory")
    assert ct.counts.loc["senior", "rural"] == 6
    chi2 = chi2_contingency(ct.counts.to_numpy(), correction=False)[0]
    assert ct.tests["chi2"].item() == pytest.approx(chi2)
    assert ct.proportions.sum().to_numpy() == pytest.approx(1.0)
