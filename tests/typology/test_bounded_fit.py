"""Themes, typology and map of a wave larger than their fitting bound: fitted on a sample drawn
by key, every answer and record then assigned. The result is complete, deterministic and does
not depend on the order of the rows; at or above the wave's size the bound changes nothing."""

import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.themes import find_themes
from dialogue_analysis.typology import Typology, typology_map
from tests.synthetic import make_wave


@pytest.fixture(scope="module")
def wave():
    return make_wave(600, 3, seed=1)


def _shuffled(frame, seed=5):
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def test_typology_on_a_sample_labels_every_record_the_same_whatever_the_order(wave):
    kw = dict(n_bootstrap=3, n_null=1, n_seeds=2, k_range=(2, 4), max_records=250)
    typo = Typology(**kw).fit(wave.records, wave.code_matrix, wave.terms)
    assert 150 < typo.n_fitted_ < 350 and len(typo.features_) == typo.n_fitted_
    assert typo.labels_.index.tolist() == wave.records["record_id"].astype(str).tolist()
    assert set(typo.labels_) == set(range(1, typo.n_clusters_ + 1))
    # the records fitted keep their groups; the others go to the nearest centre
    fitted = typo.labels_.reindex(typo.features_.index)
    assert (fitted.value_counts().sort_index().index == typo.cluster_centers_.index).all()
    rest = typo.labels_.drop(typo.features_.index)
    recs = wave.records[wave.records["record_id"].astype(str).isin(rest.index)]
    pd.testing.assert_series_equal(
        typo.predict(recs, wave.code_matrix, wave.terms).reindex(rest.index), rest,
        check_names=False, check_dtype=False)
    # the planted groups are found on the sample
    from sklearn.metrics import adjusted_rand_score
    truth = wave.truth.reindex(typo.labels_.index)
    assert adjusted_rand_score(truth, typo.labels_) > 0.8
    again = Typology(**kw).fit(_shuffled(wave.records), wave.code_matrix.iloc[::-1],
                               _shuffled(wave.terms))
    pd.testing.assert_series_equal(again.labels_.sort_index(), typo.labels_.sort_index())
    pd.testing.assert_frame_equal(again.k_evidence_, typo.k_evidence_)


def test_a_bound_at_or_above_the_wave_changes_nothing(wave):
    kw = dict(n_bootstrap=3, n_null=1, n_seeds=2, k_range=(2, 4))
    whole = Typology(**kw).fit(wave.records, wave.code_matrix, wave.terms)
    bounded = Typology(**kw, max_records=600).fit(wave.records, wave.code_matrix, wave.terms)
    pd.testing.assert_series_equal(whole.labels_, bounded.labels_)
    pd.testing.assert_frame_equal(whole.k_evidence_, bounded.k_evidence_)
    assert bounded.n_fitted_ == 600
    t_all = find_themes(wave.terms, wave.answers, max_fit=None)
    t_cap = find_themes(wave.terms, wave.answers, max_fit=len(wave.terms))
    for a, b in zip((t_all.summary, t_all.assignments, t_all.quotes, t_all.k_evidence),
                    (t_cap.summary, t_cap.assignments, t_cap.quotes, t_cap.k_evidence),
                    strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert t_cap.n_sampled == len(wave.terms)
    m_all = typology_map(wave.records, wave.truth, code_matrix=wave.code_matrix)
    m_cap = typology_map(wave.records, wave.truth, code_matrix=wave.code_matrix,
                         max_records=600)
    pd.testing.assert_frame_equal(m_all.points, m_cap.points)


def test_themes_on_a_sample_weigh_every_answer_the_same_whatever_the_order(wave):
    n = len(wave.terms)
    themes = find_themes(wave.terms, wave.answers, max_fit=1000)
    assert 700 < themes.n_sampled < 1300 < n
    assert len(themes.assignments) == n
    assert themes.assignments["theme"].notna().mean() > 0.9
    assert themes.summary["n_answers"].sum() == themes.assignments["theme"].notna().sum()
    assert themes.k_evidence["chosen"].sum() == 1
    again = find_themes(_shuffled(wave.terms), _shuffled(wave.answers), max_fit=1000)
    for a, b in ((themes.summary, again.summary), (themes.assignments, again.assignments),
                 (themes.quotes, again.quotes), (themes.k_evidence, again.k_evidence)):
        pd.testing.assert_frame_equal(a, b)


def test_map_on_a_sample_counts_every_record(wave):
    full = typology_map(wave.records, wave.truth, code_matrix=wave.code_matrix)
    part = typology_map(wave.records, wave.truth, code_matrix=wave.code_matrix, max_records=250)
    assert 150 < len(part.records) < 350
    # the same points, each counted on the whole wave
    key = ["kind", "variable", "label"]
    a, b = full.points.set_index(key), part.points.set_index(key)
    assert sorted(a.index) == sorted(b.index)
    pd.testing.assert_series_equal(a["count"], b["count"].reindex(a.index))
    # the sample's axes lie close to the whole wave's (up to the sign of each axis)
    shares = np.abs(part.axes["inertia_share"].to_numpy()[:2] - full.axes["inertia_share"].to_numpy()[:2])
    assert (shares < 0.05).all()
    again = typology_map(_shuffled(wave.records), wave.truth.iloc[::-1],
                         code_matrix=wave.code_matrix.iloc[::-1], max_records=250)
    pd.testing.assert_frame_equal(part.points.sort_values(key).reset_index(drop=True),
                                  again.points.sort_values(key).reset_index(drop=True))
