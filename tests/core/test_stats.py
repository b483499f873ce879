import pytest
from scipy import stats as st

from dialogue_analysis.core import benjamini_hochberg, holm, hypergeom_test_value, wilson_interval


def test_test_value_matches_hand_computation():
    # 8 of a group of 10 have the category, 20 of 50 overall: over-represented.
    tv, p = hypergeom_test_value(8, 10, 20, 50)
    p_upper = sum(st.hypergeom.pmf(x, 50, 20, 10) for x in range(8, 11))
    assert p == pytest.approx(2 * p_upper)
    assert tv == pytest.approx(st.norm.isf(p_upper))
    assert tv > 1.96


def test_test_value_sign_and_expected_case():
    tv_under, _ = hypergeom_test_value(0, 10, 20, 50)
    assert tv_under < 0
    tv_exact, p_exact = hypergeom_test_value(4, 10, 20, 50)  # exactly the expected count
    assert p_exact == pytest.approx(1.0)
    assert tv_exact == pytest.approx(0.0)


def test_vectorised():
    tv, p = hypergeom_test_value([8, 0, 4], 10, 20, 50)
    assert tv.shape == (3,) and p.shape == (3,)
    # each element is the scalar result: over-, under-represented, exactly expected
    assert tv == pytest.approx([2.5215, -2.7561, 0.0], abs=1e-4)
    assert p == pytest.approx([0.011686, 0.005850, 1.0], abs=1e-6)
    for i, k in enumerate([8, 0, 4]):
        assert (tv[i], p[i]) == pytest.approx(hypergeom_test_value(k, 10, 20, 50))


def test_holm_and_bh_against_hand_values():
    p = [0.01, 0.04, 0.03, 0.005]
    assert holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert benjamini_hochberg(p) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_wilson_interval_known_value():
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4)
    assert high == pytest.approx(0.7634, abs=1e-4)


def test_a_table_of_repeated_cells_gives_each_cell_its_own_value():
    # groups x terms, as the specific vocabulary computes them: many cells repeat the same
    # (count, group size, term total); each distinct one is computed once, and every cell gets
    # exactly the value it gets alone, in the shape of the broadcast inputs.
    import numpy as np

    counts = np.array([[0, 1, 1, 3, 0], [2, 1, 1, 0, 0]])
    sizes = np.array([[40], [60]])
    totals = np.array([2, 2, 2, 3, 1])
    tv, p = hypergeom_test_value(counts, sizes, totals, 100)
    assert tv.shape == p.shape == (2, 5)
    for g in range(2):
        for t in range(5):
            alone = hypergeom_test_value(int(counts[g, t]), int(sizes[g, 0]), int(totals[t]), 100)
            assert (tv[g, t], p[g, t]) == (float(alone[0]), float(alone[1]))
    assert tv[0, 1] == tv[0, 2] and tv[0, 3] > 0 > tv[1, 3]
    empty_tv, empty_p = hypergeom_test_value(np.array([], dtype=int), 5, 5, 10)
    assert empty_tv.shape == empty_p.shape == (0,)
