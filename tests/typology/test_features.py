import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.typology import FeatureBuilder, infer_attribute_types
from tests.synthetic import make_wave

AGE = ["18-24", "25-49", "50+"]


def small_records():
    return pd.DataFrame(
        {
            "record_id": ["r1", "r2", "r3", "r4", "r5", "r6"],
            "wave": "w",
            "territory": pd.array(["rural", "urbain", "rural", None, "urbain", "périurbain"],
                                  dtype="str"),
            "age_band": pd.Categorical(["18-24", "50+", "25-49", None, "50+", "18-24"],
                                       categories=AGE, ordered=True),
            "equipment": pd.array(["smartphone|ordinateur", "", "smartphone", None,
                                   "ordinateur", "smartphone"], dtype="str"),
            "autonomy": [1.0, 5.0, 3.0, np.nan, 2.0, 4.0],
        }
    )


CODES = pd.DataFrame(
    {"need.support": [1, 0, 1, 0, 1, 0], "need.equipment": [0, 1, 1, 0, 0, 1],
     "barrier.cost": [1, 1, 0, 0, 0, 1]},
    index=pd.Index(["r1", "r2", "r3", "r4", "r5", "r6"], name="record_id"),
)


def test_infer_attribute_types():
    types = infer_attribute_types(small_records())
    assert types == {"territory": "categorical", "age_band": "ordinal", "equipment": "multi",
                     "autonomy": "numeric"}


def test_columns_encoding_and_missing_values():
    fb = FeatureBuilder(blocks=["profile"])
    x = fb.fit_transform(small_records())
    assert list(x.index) == ["r1", "r2", "r3", "r4", "r5", "r6"]
    assert fb.blocks_["profile"] == [
        "territory=périurbain", "territory=rural", "territory=urbain", "age_band",
        "equipment=ordinateur", "equipment=smartphone", "autonomy",
    ]
    # r4 has every attribute missing: imputed at the centre, so all its features are 0.
    assert np.allclose(x.loc["r4"], 0.0)
    # Ordinal: ranks scaled to [0, 1] before centring and scaling, so order is preserved.
    age = x["age_band"]
    assert age["r1"] < age["r3"] < age["r2"]


def test_each_block_has_unit_inertia_times_weight():
    fb = FeatureBuilder(weights={"barrier": 4.0})
    x = fb.fit_transform(small_records(), CODES)
    assert set(fb.blocks_) == {"profile", "need", "barrier"}
    inertia = {b: x[cols].var(ddof=0).sum() for b, cols in fb.blocks_.items()}
    assert inertia["profile"] == pytest.approx(1.0)
    assert inertia["need"] == pytest.approx(1.0)
    assert inertia["barrier"] == pytest.approx(4.0)


def test_each_attribute_weighs_the_same_inside_the_profile_block():
    fb = FeatureBuilder(blocks=["profile"])
    x = fb.fit_transform(small_records())
    per_attr = [x.filter(regex=f"^{a}").var(ddof=0).sum() for a in
                ("territory", "age_band", "equipment", "autonomy")]
    assert np.allclose(per_attr, per_attr[0])


def test_mfa_scaling_sets_first_eigenvalue_to_weight():
    fb = FeatureBuilder(scaling="mfa", weights={"need": 2.0})
    x = fb.fit_transform(small_records(), CODES)
    for block, w in (("profile", 1.0), ("need", 2.0)):
        part = x[fb.blocks_[block]].to_numpy()
        first = np.linalg.svd(part / np.sqrt(len(part)), compute_uv=False)[0] ** 2
        assert first == pytest.approx(w)


def test_transform_reproduces_fit_and_handles_new_records():
    records = small_records()
    fb = FeatureBuilder()
    x = fb.fit_transform(records, CODES)
    pd.testing.assert_frame_equal(x, fb.transform(records, CODES))
    new = records.head(2).assign(record_id=["n1", "n2"], territory=["montagne", "rural"])
    y = fb.transform(new, CODES.rename(index={"r1": "n1", "r2": "n2"}))
    assert list(y.columns) == fb.feature_names_out_
    # An unseen category counts as missing: the territory columns of n1 sit at the centre.
    assert np.allclose(y.loc["n1", [c for c in y.columns if c.startswith("territory=")]], 0)
    assert np.allclose(y.loc["n2"], x.loc["r2"].where(~x.columns.str.startswith("territory="),
                                                      y.loc["n2"]))


def test_text_block_is_deterministic_and_can_be_switched_off():
    wave = make_wave(120, 3, seed=5)
    a = FeatureBuilder(n_text_components=5).fit_transform(wave.records, wave.code_matrix,
                                                          wave.terms)
    b = FeatureBuilder(n_text_components=5).fit_transform(wave.records, wave.code_matrix,
                                                          wave.terms)
    pd.testing.assert_frame_equal(a, b)
    assert [c for c in a.columns if c.startswith("text_")] == [f"text_{i}" for i in range(1, 6)]
    off = FeatureBuilder(blocks=["profile", "need"]).fit(wave.records, wave.code_matrix,
                                                         wave.terms)
    assert set(off.blocks_) == {"profile", "need"}
    zero = FeatureBuilder(weights={"text": 0}).fit(wave.records, wave.code_matrix, wave.terms)
    assert "text" not in zero.blocks_


def test_inputs_are_not_modified_and_bad_types_rejected():
    records, codes = small_records(), CODES.copy()
    FeatureBuilder().fit_transform(records, codes)
    pd.testing.assert_frame_equal(records, small_records())
    pd.testing.assert_frame_equal(codes, CODES)
    with pytest.raises(ValueError):
        FeatureBuilder(attributes={"territory": "nominal"}).fit(records)
    with pytest.raises(KeyError):
        FeatureBuilder(attributes={"absent": "categorical"}).fit(records)
