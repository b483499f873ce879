import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from dialogue_analysis.core.beside import Beside
from dialogue_analysis.typology import Typology, choose_k, number_by_size, seed_agreement
from tests.synthetic import make_wave, permute_wave


@pytest.fixture(scope="module")
def wave():
    return make_wave(300, 4, seed=0)


@pytest.fixture(scope="module")
def fitted(wave):
    return Typology(random_state=0).fit(wave.records, wave.code_matrix, wave.terms)


def test_recovers_planted_groups_and_k(wave, fitted):
    assert fitted.n_clusters_ == 4
    assert adjusted_rand_score(wave.truth, fitted.labels_) >= 0.8
    ev = fitted.k_evidence_
    assert list(ev.columns) == ["k", "silhouette", "stability", "stability_sd",
                                "calinski_harabasz", "smallest_group", "silhouette_null_mean",
                                "silhouette_null_q95", "beats_null", "seed_agreement",
                                "supported", "chosen"]
    assert fitted.structure_ and not fitted.no_clear_typology
    assert ev.loc[ev["k"] == 4, "supported"].item()
    # Planted groups are far better separated than the same features permuted.
    assert (ev["silhouette"] > ev["silhouette_null_q95"]).loc[ev["k"] <= 4].all()
    assert list(ev["k"]) == list(range(2, 9))
    assert ev.loc[ev["chosen"], "k"].item() == 4
    assert ev["stability"].between(-1, 1).all()


@pytest.mark.parametrize("n_groups,seed,method", [(3, 2, "kmeans"), (5, 3, "ward")])
def test_recovers_other_planted_structures(n_groups, seed, method):
    w = make_wave(250, n_groups, seed=seed)
    t = Typology(method=method, n_bootstrap=10).fit(w.records, w.code_matrix, w.terms)
    assert t.n_clusters_ == n_groups
    assert adjusted_rand_score(w.truth, t.labels_) >= 0.8


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_permuted_wave_has_no_clear_typology(seed):
    records, codes, terms = permute_wave(make_wave(160, 3, seed=seed), seed=seed)
    t = Typology(random_state=seed).fit(records, codes, terms)
    assert not t.structure_ and t.no_clear_typology
    ev = t.k_evidence_
    assert not ev["supported"].any()
    # The evidence says why: no k is both above the null and reproducible.
    assert (~ev["beats_null"] | (ev["stability"] < 0.75) | (ev["seed_agreement"] < 0.75)).all()
    assert ev["silhouette_null_mean"].between(0, 0.2).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_three_groups_found_on_a_small_wave(seed):
    w = make_wave(160, 3, seed=seed)
    t = Typology(random_state=seed).fit(w.records, w.code_matrix, w.terms)
    assert t.structure_ and t.n_clusters_ == 3
    assert adjusted_rand_score(w.truth, t.labels_) >= 0.9
    row = t.k_evidence_.set_index("k").loc[3]
    assert row["supported"] and row["silhouette"] > 3 * row["silhouette_null_q95"]


def test_same_input_same_output(wave, fitted):
    again = Typology(random_state=0).fit(wave.records, wave.code_matrix, wave.terms)
    pd.testing.assert_series_equal(fitted.labels_, again.labels_)
    pd.testing.assert_frame_equal(fitted.k_evidence_, again.k_evidence_)
    pd.testing.assert_frame_equal(fitted.cluster_centers_, again.cluster_centers_)


def test_resamples_clustered_beside_give_the_evidence_of_one_process(wave, fitted, monkeypatch):
    import joblib

    from dialogue_analysis.typology import _model

    forked = []
    monkeypatch.setattr(_model, "beside", lambda work: forked.append(1) or Beside(work))
    beside_fit = Typology(random_state=0).fit(wave.records, wave.code_matrix, wave.terms)
    assert forked == [1]
    # joblib given a backend of its own (as a Dask cluster is): the resamples are its
    with joblib.parallel_backend("threading", n_jobs=1):
        here = Typology(random_state=0).fit(wave.records, wave.code_matrix, wave.terms)
    assert forked == [1]
    for t in (beside_fit, here):
        pd.testing.assert_frame_equal(t.k_evidence_, fitted.k_evidence_, check_exact=True)
        pd.testing.assert_series_equal(t.labels_, fitted.labels_)


def test_groups_numbered_by_decreasing_size(fitted):
    labels = fitted.labels_
    assert labels.name == "group" and labels.index.name == "record_id"
    sizes = labels.value_counts().sort_index()
    assert list(sizes.index) == [1, 2, 3, 4]
    assert sizes.is_monotonic_decreasing


def test_number_by_size_breaks_ties_by_first_appearance():
    assert list(number_by_size(["b", "a", "a", "c", "b", "c", "c"])) == [2, 3, 3, 1, 2, 1, 1]
    assert list(number_by_size([7, 5, 5, 7])) == [1, 2, 2, 1]


def test_predict_fitted_and_new_records(wave, fitted):
    same = fitted.predict(wave.records, wave.code_matrix, wave.terms)
    assert (same == fitted.labels_).mean() >= 0.99
    new = make_wave(120, 4, seed=11)
    new.records["record_id"] = "N" + new.records["record_id"]
    new.code_matrix.index = "N" + new.code_matrix.index
    new.terms["record_id"] = "N" + new.terms["record_id"]
    out = fitted.predict(new.records, new.code_matrix, new.terms, return_distance=True)
    assert list(out.columns) == ["group", "distance"] and (out["distance"] >= 0).all()
    truth = new.truth.set_axis("N" + new.truth.index)
    assert adjusted_rand_score(truth, out["group"]) >= 0.8
    assert fitted.transform(new.records, new.code_matrix, new.terms).shape == (120, 4)


def test_fixed_k_and_without_bootstrap(wave):
    t = Typology(n_clusters=3, n_bootstrap=0).fit(wave.records, wave.code_matrix)
    assert t.n_clusters_ == 3 and len(t.k_evidence_) == 1
    assert np.isnan(t.k_evidence_["stability"].item())
    # A fixed k is still judged against the null: 3 of the 4 planted groups is a structure.
    assert t.structure_ and t.k_evidence_["beats_null"].item()
    with pytest.raises(ValueError):
        Typology(n_clusters=400).fit(wave.records)
    with pytest.raises(ValueError):
        Typology(method="dbscan").fit(wave.records)


def test_choose_k_rule():
    ev = pd.DataFrame({
        "k": [2, 3, 4, 5],
        "silhouette": [0.30, 0.29, 0.25, 0.31],
        "stability": [0.95, 0.90, 0.99, 0.60],
        "smallest_group": [50, 30, 20, 3],
    })
    # k=5 is too small a group and unstable; 2 and 3 are within 0.02 of the best: larger k.
    assert choose_k(ev) == 3
    assert choose_k(ev, tolerance=0.005) == 2
    assert choose_k(ev, min_group_size=1, stability_threshold=0.5) == 5
    nothing_stable = ev.assign(stability=[0.5, 0.52, 0.3, 0.2])
    assert choose_k(nothing_stable) == 3  # the most stable (within 0.05) survive
    no_boot = ev.assign(stability=np.nan, smallest_group=50)
    assert choose_k(no_boot) == 5


def test_seed_agreement_table(wave):
    table = seed_agreement(wave.records, wave.code_matrix, seeds=(0, 1, 2), n_bootstrap=5,
                           k_range=(3, 5))
    assert list(table.columns) == ["seed_a", "seed_b", "k_a", "k_b", "ari"]
    assert len(table) == 3
    assert (table["ari"] >= 0.9).all()


def test_typology_keeps_no_training_tables(wave, fitted):
    training = (wave.records, wave.code_matrix, wave.terms)
    kept = list(vars(fitted).values())
    kept += [x for v in kept if isinstance(v, tuple | list) for x in v]
    assert not any(v is t for v in kept for t in training)
    # assigning needs only the fitted feature builder and the centres
    groups = fitted.predict(wave.records, wave.code_matrix, wave.terms)
    own = fitted.labels_.reindex(groups.index.astype(str))
    assert (groups.to_numpy() == own.to_numpy()).mean() > 0.95


def test_describe_from_the_typology(wave, fitted):
    ch = fitted.describe(wave.records, wave.code_matrix, wave.terms, answers=wave.answers)
    assert list(ch.summary["group"]) == [1, 2, 3, 4]
    assert ch.summary["size"].sum() == 300


ELF_AGES = ["18-24 ans", "25-34 ans", "35-44 ans", "45-54 ans", "55-64 ans", "65-74 ans",
            "75+ ans"]


def load_entendre_la_france(realdata):
    """Respondents (records), crude terms and answers of the Entendre la France data."""
    import re

    folder = realdata / "entendre_la_france"
    users = pd.read_csv(folder / "users.csv", sep=";", encoding="utf-8-sig", na_values=["?"],
                        dtype=str, lineterminator="\r")
    answers = pd.read_csv(folder / "answers_pre.csv", dtype=str)
    answers = answers[answers["customer_id"].isin(users["user_id"])]
    records = (
        users[users["user_id"].isin(answers["customer_id"])]
        .drop_duplicates("user_id")
        .rename(columns={"user_id": "record_id"})[
            ["record_id", "type_commune", "sexe", "age", "profession"]]
        .assign(age=lambda d: pd.Categorical(d["age"], categories=ELF_AGES, ordered=True))
        .reset_index(drop=True)
    )

    def words(text):
        return " ".join(w for w in re.findall(r"[a-zàâçéèêëîïôûùüÿœ]+", str(text).lower())
                        if len(w) > 4)

    keys = {"record_id": answers["customer_id"], "question_id": answers["question_name"]}
    terms = pd.DataFrame({**keys, "terms": answers["answer"].map(words)})
    return records, terms, pd.DataFrame({**keys, "text": answers["answer"]})


@pytest.mark.realdata
def test_typology_on_real_respondents(realdata):
    records, terms, answers = load_entendre_la_france(realdata)
    params = dict(k_range=(2, 5), n_bootstrap=3)
    typo = Typology(**params).fit(records, None, terms)
    assert 2 <= typo.n_clusters_ <= 6
    assert typo.labels_.value_counts().min() >= typo.min_group_size
    again = Typology(**params).fit(records, None, terms)
    pd.testing.assert_series_equal(typo.labels_, again.labels_)
    ch = typo.describe(records, None, terms, answers=answers)
    assert ch.summary["size"].sum() == len(records)
    q = ch.quotes
    assert q.groupby("group")["record_id"].apply(lambda s: s.is_unique).all()
    assert (q["text"].str.len() <= 310).all()
    # Missing attributes (a third of the respondents) are left out of each test, not counted.
    age = ch.categories[ch.categories["attribute"] == "age"]
    assert age.groupby("group")["group_size"].first().sum() == records["age"].notna().sum()


def test_a_kept_evaluation_gives_the_same_groups_without_resampling(wave, fitted, tmp_path,
                                                                    monkeypatch):
    first = Typology(random_state=0).fit(wave.records, wave.code_matrix, wave.terms,
                                         cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def resample(*args, **kwargs):
        raise AssertionError("the candidates were evaluated again")

    monkeypatch.setattr(Typology, "_evaluate", resample)
    again = Typology(random_state=0).fit(wave.records, wave.code_matrix, wave.terms,
                                         cache_dir=tmp_path)
    for t in (first, again):
        pd.testing.assert_frame_equal(t.k_evidence_, fitted.k_evidence_, check_exact=True)
        pd.testing.assert_series_equal(t.labels_, fitted.labels_)
        pd.testing.assert_frame_equal(t.cluster_centers_, fitted.cluster_centers_,
                                      check_exact=True)
        assert t.n_clusters_ == fitted.n_clusters_ and t.structure_ == fitted.structure_
    # another setting (fewer resamples): another key, evaluated anew
    with pytest.raises(AssertionError, match="evaluated again"):
        Typology(random_state=0, n_bootstrap=5).fit(wave.records, wave.code_matrix, wave.terms,
                                                    cache_dir=tmp_path)
