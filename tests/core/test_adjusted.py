"""Adjusted p-values set by a withheld test are found, whichever correction made them."""

import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.core.adjusted import revealing_adjusted
from dialogue_analysis.core.stats import benjamini_hochberg, holm


def _table(p, correct, family=None):
    t = pd.DataFrame({"p_value": p})
    if family is None:
        t["p_adjusted"] = correct(t["p_value"].to_numpy())
    else:
        t["dimension"] = family
        t["p_adjusted"] = np.nan
        for _, idx in t.groupby("dimension").groups.items():
            t.loc[idx, "p_adjusted"] = correct(t.loc[idx, "p_value"].to_numpy())
    return t


def test_bh_value_set_by_a_withheld_test_is_found_and_others_are_not():
    # BH: ranks 1..4, terms p*4/r = 0.04, 0.02 (withheld), 0.04, 0.8
    t = _table([0.01, 0.01, 0.03, 0.8], benjamini_hochberg)  # the tie: row 1 is rank 2
    withheld = [False, True, False, False]
    # Row 0 (rank 1) takes min(0.04, 0.02, ...) = 0.02: the withheld row's term.
    assert t.loc[0, "p_adjusted"] == pytest.approx(0.02)
    got = revealing_adjusted(t, withheld)
    assert got.tolist() == [True, False, False, False]


def test_holm_value_set_by_a_withheld_test_is_found():
    # Holm: terms p*(m-r+1) = 0.004*4 = 0.016 (withheld, rank 1), 0.005*3 = 0.015, 0.2*2, 0.9
    t = _table([0.004, 0.005, 0.2, 0.9], holm)
    assert t.loc[1, "p_adjusted"] == pytest.approx(0.016)  # running max: the withheld term
    got = revealing_adjusted(t, [True, False, False, False])
    assert got.tolist() == [False, True, False, False]


def test_families_are_corrected_apart_and_nothing_is_flagged_without_withheld_rows():
    # family a: terms 0.006, 0.00375 (withheld), 0.5: row 0 takes the withheld term
    t = _table([0.002, 0.0025, 0.5, 0.002, 0.0025, 0.5], benjamini_hochberg,
               family=["a", "a", "a", "b", "b", "b"])
    got = revealing_adjusted(t, [False, True, False, False, False, False], family="dimension")
    assert got.tolist() == [True, False, False, False, False, False]
    # a tie with the row's own term gives nothing away: its own p gives the same value
    tie = _table([0.001, 0.002, 0.5], benjamini_hochberg)
    assert not revealing_adjusted(tie, [False, True, False]).any()
    assert not revealing_adjusted(t, [False] * 6, family="dimension").any()


def test_a_family_no_known_correction_reproduces_is_withheld_whole():
    t = pd.DataFrame({"p_value": [0.01, 0.02, 0.3], "p_adjusted": [0.5, 0.5, 0.5]})
    assert revealing_adjusted(t, [False, True, False]).tolist() == [True, False, True]


def test_untested_rows_left_out_of_the_correction_are_recognised():
    # the comparison of waves corrects over tested rows only; an untested row is no test
    t = pd.DataFrame({"p_value": [0.002, np.nan, 0.0025, 0.5]})
    t["p_adjusted"] = np.nan
    ok = t["p_value"].notna()
    t.loc[ok, "p_adjusted"] = benjamini_hochberg(t.loc[ok, "p_value"].to_numpy())
    assert revealing_adjusted(t, [False, False, True, False]).tolist() == [
        True, False, False, False]
