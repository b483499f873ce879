"""Statistics beside masked cells: no exact test statistic gives a masked count back.

Two attacks on the published workbook of a full run of the sample wave:

- a chi-square test's p-value is a function of its table: trying every filling of the masked
  cells that fits the published cells and margins, only the true one gives the exact p-value;
- a typology group's test value is the hypergeometric test value of the count in the group:
  inverting it over 0..group size gives the count back.

Each attack is first shown to work on the unmasked analysis tables (so that it can fail), then
run on what is published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.core.stats import hypergeom_test_value
from dialogue_analysis.report import code_key, fmt_p, read_sheet, wave_suppression
from dialogue_analysis.report._masked_tests import (
    BANDS,
    _fillings,
    _p_values,
    band_pins_a_cell,
    fmt_band,
    p_band,
    published_tests,
)
from tests.analysis_fixtures import built_wave


@pytest.fixture(scope="module")
def built():
    built = built_wave()
    if not built.full:
        pytest.skip("the full pipeline is not available")
    return built


def _masked_tables(a):
    """(dimension, code) -> (raised, sizes, hidden) of every tested table with a masked cell."""
    plan = wave_suppression(a)
    prev = a.prevalence[a.prevalence["dimension"] != "all"]
    out = {}
    for (dim, code), part in prev.groupby(["dimension", "code"], sort=False):
        hidden = np.array([code_key(code, dim, c) in plan.hidden for c in part["category"]])
        if hidden.any():
            out[(dim, code)] = (part["count"].to_numpy(float), part["n"].to_numpy(float), hidden)
    return out


def _pinned_by_exact_p(raised, sizes, hidden, p_exact) -> bool:
    fillings = _fillings(sizes[hidden], int(raised[hidden].sum()))
    tables = np.repeat(raised[None, :], len(fillings), axis=0)
    tables[:, hidden] = fillings
    same = fillings[np.isclose(_p_values(tables, sizes), p_exact, rtol=1e-9, atol=0)]
    return bool((same.min(axis=0) == same.max(axis=0)).any())


def test_exact_p_values_would_give_masked_cells_back(built):
    a = built.analysis
    tests = a.crosstab_tests.set_index(["dimension", "code"])
    tables = _masked_tables(a)
    assert len(tables) >= 20
    checkable = {key: t for key, t in tables.items()
                 if _fillings(t[1][t[2]], int(t[0][t[2]].sum())) is not None}
    assert len(checkable) >= 20
    pinned = [key for key, (raised, sizes, hidden) in checkable.items()
              if _pinned_by_exact_p(raised, sizes, hidden, tests.loc[key, "p_value"])]
    assert len(pinned) >= len(checkable) // 2, (len(pinned), len(checkable))


def test_published_tests_hold_no_exact_statistic_beside_a_masked_cell(built):
    a = built.analysis
    sheet = read_sheet(built.published["xlsx"], "tests")
    tables = _masked_tables(a)
    keyed = {(a.attribute_label(d), a.code_label(c)): (d, c) for d, c in tables}
    masked = sheet[[(r["dimension"], r["code"]) in keyed for _, r in sheet.iterrows()]]
    assert len(masked) == len(tables)
    assert masked[["chi2", "p_value", "p_adjusted", "cramers_v"]].isna().all().all()
    assert masked["masked"].all() and not sheet.loc[~sheet.index.isin(masked.index),
                                                      "masked"].any()
    allowed = {fmt_band(b, "fr") for b in (*BANDS, 1.0, np.nan)}
    assert set(masked["p_band"]) <= allowed
    # the other tests keep their exact statistics, but for an adjusted p-value a masked test
    # sets (its band only)
    kept = sheet.loc[~sheet["masked"].astype(bool)]
    assert kept[["chi2", "p_value", "cramers_v"]].notna().all().all()
    assert kept["p_adjusted"].notna().sum() >= len(kept) * 0.8
    assert set(kept.loc[kept["p_adjusted"].isna(), "p_band"]) <= allowed


def test_no_published_band_leaves_a_masked_cell_a_single_value(built):
    a = built.analysis
    truth = a.crosstab_tests.set_index(["dimension", "code"])
    published = published_tests(a).set_index(["dimension", "code"])
    checked = 0
    for key, (raised, sizes, hidden) in _masked_tables(a).items():
        band = published.loc[key, "p_band"]
        if pd.isna(band):
            continue
        fillings = _fillings(sizes[hidden], int(raised[hidden].sum()))
        if fillings is None:
            continue
        tables = np.repeat(raised[None, :], len(fillings), axis=0)
        tables[:, hidden] = fillings
        factor = truth.loc[key, "p_adjusted"] / truth.loc[key, "p_value"]
        p = np.minimum(1.0, _p_values(tables, sizes) * factor)
        left = fillings[[p_band(x) == band for x in p]]
        assert len(left) >= 2, key
        assert (left.min(axis=0) < left.max(axis=0)).all(), key
        checked += 1
    assert checked >= 20


def test_a_band_that_would_pin_a_cell_is_withheld():
    # two masked cells of a table whose other categories nobody in; only an even split of
    # the 4 people is far from significant, every other split is significant
    sizes = np.array([40.0, 40.0, 300.0])
    raised = np.array([2.0, 2.0, 150.0])
    hidden = np.array([True, True, False])
    p = _p_values(raised[None, :], sizes)[0]
    assert band_pins_a_cell(raised, sizes, hidden, p_band(p)) == (
        sum(p_band(q) == p_band(p) for q in _p_values(
            np.array([[x, 4 - x, 150.0] for x in range(5)]), sizes)) == 1)
    # a band shared by several fillings does not pin
    loose = np.array([3.0, 2.0, 20.0])
    assert not band_pins_a_cell(loose, np.array([40.0, 40.0, 40.0]), hidden, 1.0)


def test_typology_test_values_would_give_masked_counts_back(built):
    a = built.analysis
    g = a.group_codes.iloc[:40]
    for r in g.itertuples(index=False):
        candidates = [k for k in range(int(r.group_size) + 1)
                      if np.isclose(hypergeom_test_value(k, r.group_size, r.count_total,
                                                         len(a.records))[0], r.test_value)]
        assert candidates == [r.count_in_group]


@pytest.mark.parametrize("sheet", ["group_codes", "group_profiles"])
def test_masked_typology_cells_publish_no_test_value(built, sheet):
    df = read_sheet(built.published["xlsx"], sheet)
    masked = df["masked"].astype(bool)
    assert masked.sum() >= 10
    assert df.loc[masked, ["test_value", "p_value", "p_adjusted", "direction"]].isna().all().all()
    assert df.loc[~masked, "test_value"].notna().all()


def test_the_notebooks_table_of_tests_prints_bands_where_the_report_does(built):
    from dialogue_analysis.report import tests_table

    a = built.analysis
    needs = a.family_codes("need")
    shown = tests_table(a, needs, "fr")
    published = published_tests(a)
    rows = published[published["code"].isin(needs)]
    assert rows["masked"].any() and not rows["masked"].all()
    for r in rows.itertuples(index=False):
        cell = shown.loc[a.code_label(r.code, "fr"), r.dimension]
        expected = fmt_band(r.p_band, "fr") if pd.isna(r.p_adjusted) else fmt_p(r.p_adjusted,
                                                                                 "fr")
        assert cell == expected, (r.code, r.dimension, cell)


def _bh_terms(p: np.ndarray) -> np.ndarray:
    """Each test's own Benjamini-Hochberg term p(j) * m / j, in the order given."""
    order = np.argsort(p, kind="stable")
    terms = np.empty_like(p)
    terms[order] = p[order] * p.size / np.arange(1, p.size + 1)
    return terms


def _given_away(truth: pd.DataFrame, withheld: np.ndarray, printed: np.ndarray) -> int:
    """Printed adjusted p-values equal to a withheld test's term and to no other test's term:
    each gives that test's p-value (and so its masked count) back."""
    terms = _bh_terms(truth["p_value"].fillna(1.0).to_numpy(float))
    hidden, visible = terms[withheld], terms[~withheld]
    return sum(1 for q in printed[~np.isnan(printed)] if q < 1
               and np.isclose(hidden, q, rtol=1e-12, atol=0).any()
               and not np.isclose(visible, q, rtol=1e-12, atol=0).any())


def test_no_printed_adjusted_p_value_is_set_by_a_masked_test(built):
    a = built.analysis
    truth = a.crosstab_tests.reset_index(drop=True)
    published = published_tests(a).reset_index(drop=True)
    assert (published[["dimension", "code"]] == truth[["dimension", "code"]]).all().all()
    withheld = published["masked"].to_numpy(bool)
    before = after = 0
    for _, idx in truth.groupby("dimension").groups.items():
        w = withheld[idx]
        # the attack works on what the adjusted p-values were before this safeguard
        before += _given_away(truth.loc[idx], w, np.where(w, np.nan, truth.loc[idx, "p_adjusted"]))
        after += _given_away(truth.loc[idx], w,
                             published.loc[idx, "p_adjusted"].astype(float).to_numpy())
    assert before >= 1
    assert after == 0


@pytest.mark.parametrize(("sheet", "table"), [("group_codes", "group_codes"),
                                              ("group_profiles", "group_categories")])
def test_typology_adjusted_p_values_set_by_a_masked_row_are_blank(built, sheet, table):
    a = built.analysis
    truth = getattr(a, table).reset_index(drop=True)
    df = read_sheet(built.published["xlsx"], sheet).reset_index(drop=True)
    assert len(df) == len(truth)
    withheld = df["masked"].astype(bool).to_numpy()
    printed = pd.to_numeric(df["p_adjusted"], errors="coerce").to_numpy(float)
    before = _given_away(truth, withheld, np.where(withheld, np.nan, truth["p_adjusted"]))
    assert before >= 1  # the attack finds something on the adjusted values as computed
    assert _given_away(truth, withheld, printed) == 0
    # only adjusted p-values were blanked beyond the masked rows, and few of them
    extra = np.isnan(printed) & ~withheld
    assert extra.sum() >= before
    assert extra.sum() <= 0.2 * (~withheld).sum()


def test_a_findings_adjusted_p_value_set_by_a_masked_contrast_is_blank():
    from dialogue_analysis.core.stats import benjamini_hochberg
    from dialogue_analysis.report._masked_tests import findings_adjusted

    # one dimension, four contrasts; BH terms 0.008, 0.005 (masked), 0.04, 0.6
    contrasts = pd.DataFrame({"dimension": "territory",
                              "category": ["rural", "urbain", "qpv", "péri"],
                              "code": ["need.x", "need.x", "need.y", "need.y"],
                              "p_value": [0.002, 0.0025, 0.03, 0.6]})
    contrasts["p_adjusted"] = benjamini_hochberg(contrasts["p_value"].to_numpy())
    findings = contrasts.iloc[[0, 2]].reset_index(drop=True)
    hidden = np.array([False, True, False, False])
    got = findings_adjusted(findings, contrasts, hidden)
    assert pd.isna(got[0])  # 0.005: the masked contrast's own term
    assert got[1] == pytest.approx(0.04)
    # the same contrasts in another dimension: a family of their own, nothing masked there
    other = contrasts.assign(dimension="stakeholder_group")
    both = pd.concat([contrasts, other], ignore_index=True)
    got = findings_adjusted(other.iloc[[0]].reset_index(drop=True), both,
                            np.r_[hidden, [False] * 4])
    assert got[0] == pytest.approx(0.005)
