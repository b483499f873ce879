"""Several waves: carried-over typology, refit + matching, pooling, comparison, schema drift."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.analysis import Analysis
from dialogue_analysis.typology import Typology
from dialogue_analysis.waves import (
    ReferenceTypology,
    compare_prevalence,
    compare_waves,
    group_sizes,
    mask_prevalence,
    match_groups,
    match_labels,
    pool_waves,
    refit_and_match,
    reinterview_changes,
    schema_drift,
    two_proportion_test,
    vocabulary_shift,
)
from tests.synthetic import make_wave

REPO = Path(__file__).resolve().parents[2]
CONFIG_2018 = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"
CONFIG_2019 = REPO / "data" / "raw" / "sample-2019" / "survey.yaml"
FAST = {"n_bootstrap": 0}


# -- synthetic waves as analysed waves ------------------------------------------------------------


def analysed(synthetic, name, prefix, *, typology=None, ids=None):
    """A synthetic wave as an Analysis (ids prefixed), with its typology groups when given."""
    keep = synthetic.records["record_id"] if ids is None else pd.Series(list(ids))
    keep = set(keep)
    rec = synthetic.records[synthetic.records["record_id"].isin(keep)].copy()
    rec["record_id"] = prefix + rec["record_id"]
    rec["wave"] = name
    cm = synthetic.code_matrix.loc[synthetic.code_matrix.index.isin(keep)].copy()
    cm.index = prefix + cm.index
    terms = synthetic.terms[synthetic.terms["record_id"].isin(keep)].copy()
    terms["record_id"] = prefix + terms["record_id"]
    answers = synthetic.answers[synthetic.answers["record_id"].isin(keep)].copy()
    answers["record_id"] = prefix + answers["record_id"]
    a = Analysis(wave=name, records=rec.reset_index(drop=True), code_matrix=cm, terms=terms,
                 answers=answers, settings={"seed": 0, "min_cell_count": 5, "language": "fr"})
    if typology is not None:
        t = typology.fit(rec.drop(columns=["wave"]), cm, terms)
        a.records["typology_group"] = pd.array(
            t.labels_.reindex(a.records["record_id"]).to_numpy(), dtype="Int64")
        a.groups = pd.DataFrame({"group": sorted(set(t.labels_)),
                                 "label": [f"groupe {g}" for g in sorted(set(t.labels_))]})
    return a


def shifted(a, seed=3):
    """A copy of a wave where the equipment need fades and the funding need rises."""
    rng = np.random.default_rng(seed)
    cm = a.code_matrix.copy()
    cm["need.equipment"] = cm["need.equipment"] * (rng.random(len(cm)) < 0.3)
    cm["need.funding"] = np.maximum(cm["need.funding"], (rng.random(len(cm)) < 0.4).astype(int))
    terms = a.terms.copy()
    add = rng.random(len(terms)) < 0.5
    terms.loc[add, "terms"] = terms.loc[add, "terms"] + " pass_numérique"
    terms["terms"] = terms["terms"].str.replace("ordinateur", "", regex=False)
    return Analysis(wave=a.wave + "s", records=a.records.copy(), code_matrix=cm, terms=terms,
                    answers=a.answers, settings=a.settings)


@pytest.fixture(scope="module")
def typo_a():
    w = make_wave(300, 4, seed=0)
    return Typology(random_state=0, **FAST).fit(w.records, w.code_matrix, w.terms)


@pytest.fixture(scope="module")
def wave_a():
    return analysed(make_wave(300, 4, seed=0), "w1", "A", typology=Typology(random_state=0, **FAST))


@pytest.fixture(scope="module")
def wave_b():
    return analysed(make_wave(200, 4, seed=5), "w2", "B")


@pytest.fixture(scope="module")
def reference(wave_a):
    return ReferenceTypology.from_wave(wave_a)


@pytest.fixture(scope="module")
def new_kind():
    """A later wave with groups 1 and 2 of the reference and a group never seen (archetype 5)."""
    w = make_wave(250, 5, seed=7)
    ids = w.truth.index[w.truth.isin([1, 2, 5])]
    a = analysed(w, "w3", "C", ids=ids)
    truth = w.truth.loc[ids].set_axis("C" + ids)
    return a, truth


# -- the reference typology -----------------------------------------------------------------------


def test_from_wave_rebuilds_the_published_centres(wave_a, typo_a, reference):
    # same tables, same parameters: the centres of the analysed wave's groups are the typology's
    centres = typo_a.cluster_centers_.copy()
    centres.index = centres.index.astype(int)
    np.testing.assert_allclose(reference.centers_.to_numpy(), centres.to_numpy(), atol=1e-9)
    assert reference.group_labels_ == {g: f"groupe {g}" for g in (1, 2, 3, 4)}
    own = reference.fit_distances_
    assert reference.threshold_ == pytest.approx(np.quantile(own, 0.95))
    assert reference.radius_ < reference.threshold_


def test_assign_gives_group_distance_and_far_flag(wave_b, reference, new_kind):
    out = reference.assign(wave_b.records, wave_b.code_matrix, wave_b.terms)
    assert list(out.columns) == ["group", "label", "distance", "far", "runner_up", "margin"]
    assert out.index.name == "record_id" and len(out) == 200
    assert (out["margin"] >= 0).all() and (out["group"] != out["runner_up"]).all()
    assert out["far"].mean() < 0.12  # same kinds of people: about 5 % beyond the 95th percentile
    a, truth = new_kind
    far = reference.assign(a.records, a.code_matrix, a.terms)["far"]
    by_truth = far.groupby(truth.reindex(far.index)).mean()
    assert by_truth[5] > 0.9 and by_truth[1] < 0.2 and by_truth[2] < 0.2


def test_assign_tolerates_missing_and_new_attributes(wave_b, reference):
    records = wave_b.records.drop(columns=["territory"]).assign(interview_mode="visio")
    out = reference.assign(records, wave_b.code_matrix, wave_b.terms)
    assert out["distance"].notna().all()
    # the other attributes and the needs still place people: measured 100 % as with territory
    full = reference.assign(wave_b.records, wave_b.code_matrix, wave_b.terms)
    assert (out["group"] == full["group"]).mean() >= 0.95
    assert out["far"].mean() < 0.12


def test_refit_on_the_same_wave_keeps_every_group_id(wave_a, typo_a, reference):
    result = refit_and_match(reference, wave_a.records, wave_a.code_matrix, wave_a.terms, **FAST)
    assert (result.matching["status"] == "matched").all()
    assert (result.matching["group"] == result.matching["reference_group"]).all()
    assert result.matching["distance"].max() < 1e-9
    assert (result.labels.to_numpy() == typo_a.labels_.to_numpy()).all()
    published = wave_a.records.set_index("record_id")["typology_group"]
    assert (result.labels == published.reindex(result.labels.index)).all()
    assert list(result.matching["label"]) == [f"groupe {g}" for g in (1, 2, 3, 4)]


def test_refit_reports_new_and_vanished_groups(reference, new_kind):
    a, truth = new_kind
    same_k = refit_and_match(reference, a.records, a.code_matrix, a.terms, **FAST)
    assert same_k.typology.n_clusters_ == 4  # the reference's k unless told otherwise
    result = refit_and_match(reference, a.records, a.code_matrix, a.terms, n_clusters="auto",
                             **FAST)
    m = result.matching.set_index("status")
    assert sorted(m.loc["matched", "reference_group"]) == [1, 2]
    new = result.matching[result.matching["status"] == "new"]
    assert len(new) == 1 and int(new["group"].iloc[0]) == 5  # numbered after the reference's
    assert sorted(result.matching.loc[result.matching["status"] == "vanished", "group"]) == [3, 4]
    # the records of the unseen archetype are the new group
    assert (result.labels[truth[truth == 5].index] == 5).mean() > 0.9


def test_match_groups_recovers_a_permutation():
    rng = np.random.default_rng(0)
    ref = pd.DataFrame(rng.normal(size=(4, 6)), index=[1, 2, 3, 4])
    new = ref.iloc[[2, 0, 3, 1]].set_axis([1, 2, 3, 4]) + rng.normal(0, 0.01, (4, 6))
    m = match_groups(ref, new, max_distance=0.5)
    assert dict(zip(m["new_group"], m["reference_group"], strict=True)) == {2: 1, 4: 2, 1: 3, 3: 4}
    far = match_groups(ref, new + 10, max_distance=0.5)
    assert sorted(far["status"]) == ["new"] * 4 + ["vanished"] * 4


def test_match_labels_by_co_membership():
    a = pd.Series([1, 1, 1, 2, 2, 3, 3, 3], index=list("abcdefgh"))
    b = pd.Series([7, 7, 7, 5, 5, 6, 6, 5], index=list("abcdefgh"))
    m = match_labels(a, b).set_index("new_group")
    assert m.loc[7, "reference_group"] == 1 and m.loc[6, "reference_group"] == 3
    assert m.loc[5, "reference_group"] == 2 and m.loc[7, "overlap"] == 1.0
    assert (match_labels(a, a)["overlap"] == 1).all()


# -- pooling --------------------------------------------------------------------------------------


def test_pool_waves_makes_ids_unique_and_keeps_the_wave():
    a = make_wave(20, 2, seed=1, with_text=True)
    b = make_wave(10, 2, seed=2, with_text=True)
    a_an = analysed(a, "2018", "")
    b_an = analysed(b, "2019", "B")
    b_an.records.loc[0, "record_id"] = "S00003"  # re-interviewed under the same id
    b_an.terms["record_id"] = b_an.terms["record_id"].replace({"BS00001": "S00003"})
    b_an.records["age_band"] = pd.Categorical(
        b_an.records["age_band"].astype(str), categories=["18-24", "25-34", "35-49", "50-64",
                                                          "65+", "80+"], ordered=True)
    b_an.code_matrix = b_an.code_matrix.drop(columns=["need.policy"]).assign(**{"need.new": 1})
    b_an.code_matrix.index = b_an.records["record_id"]
    pooled = pool_waves(a_an, b_an)
    assert pooled.records["record_id"].is_unique and len(pooled.records) == 30
    assert "S00003@2019" in set(pooled.records["record_id"])
    assert list(pooled.records["wave"].unique()) == ["2018", "2019"]
    ids = pooled.ids.set_index("record_id")
    assert ids.loc["S00003@2019", "source_record_id"] == "S00003"
    age = pooled.records["age_band"]
    assert age.dtype.ordered and list(age.cat.categories)[-1] == "80+"
    assert pooled.code_matrix.shape == (30, len(a.code_matrix.columns) + 1)
    assert pooled.code_matrix.loc["S00003@2019", "need.policy"] == 0
    assert set(pooled.terms["record_id"]) <= set(pooled.records["record_id"])
    with pytest.raises(ValueError):
        pool_waves(a_an, a_an)


# -- comparison -----------------------------------------------------------------------------------


def test_two_proportion_test_switches_to_fisher_for_small_counts():
    p, test = two_proportion_test(1, 10, 6, 10)
    assert test == "fisher" and 0 < p < 0.1
    p, test = two_proportion_test(30, 100, 50, 100)
    assert test == "z" and p < 0.01
    assert two_proportion_test(0, 100, 0, 100) == (1.0, "fisher")


def test_planted_shift_is_detected(wave_a, wave_b):
    prev = compare_prevalence(wave_a.records, wave_a.code_matrix, wave_b.records,
                              shifted(wave_b).code_matrix)
    overall = prev[prev["dimension"] == "all"].set_index("code")
    assert overall.loc["need.equipment", "direction"] == "down"
    assert overall.loc["need.funding", "direction"] == "up"
    assert overall["significant"].sum() == 2
    assert (overall["ci_low_b"] <= overall["share_b"]).all()


def test_no_change_pair_is_not_flagged(wave_a, wave_b):
    prev = compare_prevalence(wave_a.records, wave_a.code_matrix, wave_b.records,
                              wave_b.code_matrix)
    assert not prev["significant"].any()
    assert set(prev["dimension"]) == {"all", "stakeholder_group"}
    by = prev[prev["dimension"] != "all"]
    assert (by["p_adjusted"] >= by["p_value"]).all()
    small = by.groupby("category")[["n_a", "n_b"]].first().min(axis=1) < 20
    assert (by.groupby("category")["small_group"].first() == small).all()


def test_mask_prevalence_hides_small_group_counts():
    records_a = pd.DataFrame({"record_id": list("abcdefgh"), "g": ["x"] * 6 + ["y"] * 2})
    records_b = pd.DataFrame({"record_id": list("ijklmnop"), "g": ["x"] * 6 + ["y"] * 2})
    cm_a = pd.DataFrame({"c": [1, 1, 1, 1, 1, 1, 1, 0]}, index=records_a["record_id"])
    cm_b = pd.DataFrame({"c": [1, 1, 1, 0, 0, 0, 0, 0]}, index=records_b["record_id"])
    prev = compare_prevalence(records_a, cm_a, records_b, cm_b, by=["g"])
    masked = mask_prevalence(prev, 5).set_index("category")
    assert pd.isna(masked.loc["y", "count_a"]) and pd.isna(masked.loc["y", "share_a"])
    assert masked.loc["x", "count_a"] == 6  # 5 or more: shown
    assert pd.isna(masked.loc["x", "count_b"]) and pd.isna(masked.loc["x", "difference"])
    assert masked.loc["all", "count_a"] == 7 and not masked.loc["all", "masked_a"]


def test_vocabulary_shift_finds_emerging_and_fading_terms(wave_a, wave_b):
    v = vocabulary_shift(wave_b.terms, shifted(wave_b).terms, wave_a="w2", wave_b="w2s")
    emerging = set(v.loc[v["trend"] == "emerging", "term"])
    fading = set(v.loc[v["trend"] == "fading", "term"])
    assert "pass_numérique" in emerging and "ordinateur" in fading
    none = vocabulary_shift(wave_a.terms, wave_b.terms, wave_a="w1", wave_b="w2")
    assert len(none) <= 1  # two draws of the same vocabulary: nothing (or a fluke) stands out


def test_group_sizes_and_chi_square():
    a = pd.Series([1] * 50 + [2] * 50)
    b = pd.Series([1] * 20 + [2] * 60 + [3] * 20)
    table, test = group_sizes(a, b, labels={1: "un"})
    assert list(table["group"]) == [1, 2, 3] and table.loc[0, "label"] == "un"
    assert table["share_b"].sum() == pytest.approx(1) and test["p_value"] < 0.001
    assert test["dof"] == 2


def test_reinterview_changes_lists_attributes_and_codes():
    ra = pd.DataFrame({"record_id": ["E1", "E2", "E3"], "territory": ["rural", "urbain", "rural"],
                       "autonomy": [1, 2, np.nan]})
    rb = pd.DataFrame({"record_id": ["E2", "N1", "E3"], "territory": ["urbain", "rural", "urbain"],
                       "autonomy": [3, 1, np.nan]})
    ca = pd.DataFrame({"x": [1, 1, 0], "y": [0, 0, 1]}, index=ra["record_id"])
    cb = pd.DataFrame({"x": [0, 1, 0], "y": [1, 0, 1]}, index=rb["record_id"])
    attrs, codes = reinterview_changes(ra, ca, rb, cb)
    assert set(map(tuple, attrs[["record_id", "attribute"]].to_numpy())) == {
        ("E2", "autonomy"), ("E3", "territory")}
    assert set(map(tuple, codes.to_numpy())) == {("E2", "x", "lost"), ("E2", "y", "gained")}


def test_compare_waves_assembles_every_table(wave_a, wave_b):
    b = shifted(wave_b)
    b.records = b.records.copy()
    b.records.loc[:9, "record_id"] = wave_a.records["record_id"].iloc[:10].to_numpy()
    b.code_matrix.index = b.records["record_id"].to_numpy()
    b.terms = b.terms.assign(record_id=b.terms["record_id"].map(
        dict(zip(wave_b.records["record_id"], b.records["record_id"], strict=True))))
    cmp = compare_waves(wave_a, b)
    assert cmp.name == "compare_w1_w2s"
    assert set(cmp.changed_codes()["code"]) == {"need.equipment", "need.funding"}
    assert len(cmp.reinterviewed_ids) == 10 and len(cmp.moves) == 10
    assert cmp.moves_table["count"].sum() == 10
    assert cmp.assignments.groupby("wave").size().to_dict() == {"w1": 300, "w2s": 200}
    assert set(cmp.group_sizes["group"]) == {1, 2, 3, 4}
    assert "typology_group" in set(cmp.reinterview_attributes["attribute"])
    assert cmp.drift.empty and cmp.matching is None
    refit = compare_waves(wave_a, b, refit=True, typology_params=FAST)
    assert refit.matching is not None and set(refit.matching["status"]) <= {
        "matched", "new", "vanished"}


# -- the sample waves: schema drift and validation ------------------------------------------------


@pytest.fixture(scope="module")
def sample_projects():
    from dialogue_analysis import load_project

    return load_project(CONFIG_2018), load_project(CONFIG_2019)


def test_sample_2019_validates_without_error(sample_projects):
    from dialogue_analysis import read_wave

    wave = read_wave(sample_projects[1])
    assert not wave.report.has_errors
    assert len(wave.records) == 70 and len(wave.answers) == 350
    assert wave.records["record_id"].str.startswith("E18-").sum() == 18
    assert set(wave.records["interview_mode"]) == {"présentiel", "téléphone", "visio"}
    assert wave.records["territory"].value_counts().idxmax() == "rural"
    assert sample_projects[1].codebook_path.resolve() == sample_projects[0].codebook_path


def test_schema_drift_between_the_sample_waves(sample_projects):
    drift = schema_drift(*sample_projects)
    kinds = drift.groupby("kind")["item"].apply(set).to_dict()
    assert kinds["attribute_new"] == {"interview_mode"}
    assert kinds["column_renamed"] == {"stakeholder_group"}
    assert {"file", "sheet", "header_row"} <= kinds["layout"]
    assert "Mode d'entretien" in kinds["raw_column_new"]
    assert "Catégorie de partie prenante" in kinds["raw_column_new"]
    assert "Famille de parties prenantes" in kinds["raw_column_missing"]
    assert "column_order" in kinds
    spellings = set(drift.loc[drift["kind"] == "spelling_new", "wave_b"])
    assert {"bourg rural", "fibre optique", "retraité(e)", "Pays-de-la-Loire"} <= spellings
    assert "attribute_missing" not in kinds and "question_new" not in kinds


def test_schema_drift_lists_observed_values_only_in_one_wave(sample_projects):
    ra = pd.DataFrame({"territory": ["urbain", "rural"], "equipment": ["smartphone", ""]})
    rb = pd.DataFrame({"territory": ["urbain"], "equipment": ["tablette|smartphone"]})
    drift = schema_drift(*sample_projects, ra, rb, headers_a=["A", "B"], headers_b=["B", "C"])
    got = set(map(tuple, drift.loc[drift["kind"].str.startswith("observed"),
                                   ["kind", "item", "wave_a", "wave_b"]].to_numpy()))
    assert got == {("observed_value_gone", "territory", "rural", ""),
                   ("observed_value_new", "equipment", "", "tablette")}
    raw = drift[drift["kind"].str.startswith("raw_column")]
    assert set(raw["item"]) == {"A", "C"}


# -- incremental NLP ------------------------------------------------------------------------------


def test_second_wave_parses_only_its_own_texts(tmp_path, sample_projects):
    from dialogue_analysis import read_wave
    from dialogue_analysis.nlp import load_nlp, parse_answers

    nlp = load_nlp()  # loaded once per process

    first = read_wave(sample_projects[0]).answers
    second = read_wave(sample_projects[1]).answers
    first = first[first["record_id"].isin(first["record_id"].unique()[:8])]
    second = second[second["record_id"].isin(second["record_id"].unique()[:6])]
    p1 = parse_answers(first, nlp=nlp, root=tmp_path)
    assert p1.n_parsed == first["text"].nunique() and p1.n_cached == 0
    p2 = parse_answers(second, nlp=nlp, root=tmp_path)
    assert p2.n_parsed == second["text"].nunique() and p2.n_cached == 0
    both = pd.concat([first, second], ignore_index=True)
    again = parse_answers(both, nlp=nlp, root=tmp_path)
    assert again.n_parsed == 0 and again.n_cached == both["text"].nunique()
    pd.testing.assert_frame_equal(
        again.terms[again.terms["record_id"].isin(second["record_id"])].reset_index(drop=True),
        p2.terms.reset_index(drop=True))


@pytest.mark.filterwarnings("ignore:Maximum number of iterations")  # NMF themes on tiny data
def test_analyse_pooled_builds_one_typology_over_both_waves():
    from dialogue_analysis.waves import analyse_pooled

    a = analysed(make_wave(60, 2, seed=1), "w1", "", typology=Typology(**FAST))
    b = analysed(make_wave(40, 2, seed=2), "w2", "")
    pooled = analyse_pooled(a, b, settings={"seed": 0, "k_range": [2, 3]})
    records = pooled.records
    assert pooled.wave == "w1+w2" and len(records) == 100 and records["record_id"].is_unique
    assert records["typology_group"].notna().all()
    mix = pd.crosstab(records["typology_group"], records["wave"])
    assert list(mix.columns) == ["w1", "w2"] and (mix.sum(axis=0) == [60, 40]).all()
    assert pooled.manifest["pooled"] == ["w1", "w2"]


def test_reference_from_the_sample_wave_has_the_runs_feature_space():
    from dialogue_analysis.typology import typology_from_settings
    from tests.analysis_fixtures import built_wave

    if not built_wave().full:
        pytest.skip("the sample wave's typology needs the full pipeline")
    a = built_wave().analysis
    records = a.records.drop(columns="typology_group")
    run, _ = typology_from_settings(a.settings, records, a.attributes)
    run.fit(records, a.code_matrix, a.terms)
    # the run's groups are those published, so its feature space is the run's
    published = a.records.set_index("record_id")["typology_group"].astype(int)
    assert (published.reindex(run.labels_.index).to_numpy() == run.labels_.to_numpy()).all()

    ref = ReferenceTypology.from_wave(a)
    assert list(ref.feature_builder_.feature_names_out_) == list(run.features_.columns)
    assert ref.feature_builder_.attribute_types_ == run.feature_builder_.attribute_types_
    # same space, same groups: the frozen centres are the run's centres
    np.testing.assert_allclose(ref.centers_.to_numpy(),
                               run.cluster_centers_.loc[ref.centers_.index].to_numpy(),
                               atol=1e-9)
    assert (ref.assign(a.records, a.code_matrix, a.terms)["far"]).mean() <= 0.1
