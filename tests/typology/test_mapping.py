import numpy as np
import pandas as pd
import pytest

from dialogue_analysis.typology import (
    correspondence_analysis,
    indicator_matrix,
    multiple_correspondence_analysis,
    typology_map,
)
from tests.synthetic import make_wave

# Greenacre's smoking data (staff group x smoking habit), Correspondence Analysis in Practice.
SMOKE = pd.DataFrame(
    [[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13], [10, 6, 7, 2]],
    index=["SM", "JM", "SE", "JE", "SC"],
    columns=["none", "light", "medium", "heavy"],
)


def smoke_individuals():
    rows = [(r, c) for r in SMOKE.index for c in SMOKE.columns for _ in range(SMOKE.loc[r, c])]
    return pd.DataFrame(rows, columns=["staff", "smoking"])


def test_ca_of_smoking_data_matches_published_values():
    ca = correspondence_analysis(SMOKE)
    # Principal inertias 0.07476, 0.01002, 0.00041 (87.8 %, 11.8 %, 0.5 %), total 0.08519.
    assert ca.eigenvalues == pytest.approx([0.07476, 0.01002, 0.00041], abs=1e-5)
    assert ca.total_inertia == pytest.approx(0.08519, abs=1e-5)
    assert ca.explained[:2] == pytest.approx([0.878, 0.118], abs=1e-3)
    # Row principal coordinates (up to the arbitrary sign of each axis).
    published = np.array([[-0.066, 0.194], [0.259, 0.243], [-0.381, 0.011],
                          [0.233, -0.058], [-0.201, -0.079]])
    assert np.abs(ca.row_coords[["dim1", "dim2"]].to_numpy()) == pytest.approx(
        np.abs(published), abs=1e-3)
    # Total inertia = chi-square / n.
    from scipy.stats import chi2_contingency
    assert ca.total_inertia == pytest.approx(chi2_contingency(SMOKE)[0] / SMOKE.to_numpy().sum())


def test_ca_identities():
    ca = correspondence_analysis(SMOKE)
    assert ca.row_contrib.sum().to_numpy() == pytest.approx(1.0)
    assert ca.col_contrib.sum().to_numpy() == pytest.approx(1.0)
    assert ca.row_cos2.sum(axis=1).to_numpy() == pytest.approx(1.0)
    # Mass-weighted principal coordinates: mean 0, variance = eigenvalue.
    f = ca.row_coords.to_numpy()
    assert ca.row_masses.to_numpy() @ f == pytest.approx(np.zeros(3), abs=1e-12)
    assert ca.row_masses.to_numpy() @ f**2 == pytest.approx(ca.eigenvalues)
    # An active row projected as supplementary lands on itself.
    pd.testing.assert_frame_equal(ca.project_rows(SMOKE), ca.row_coords, atol=1e-12)
    pd.testing.assert_frame_equal(ca.project_columns(SMOKE), ca.col_coords, atol=1e-12)


def test_ca_is_deterministic_and_validates():
    a, b = correspondence_analysis(SMOKE), correspondence_analysis(SMOKE.copy())
    pd.testing.assert_frame_equal(a.col_coords, b.col_coords)
    with pytest.raises(ValueError):
        correspondence_analysis(-SMOKE)
    zero_row = pd.concat([SMOKE, pd.DataFrame([[0, 0, 0, 0]], index=["XX"],
                                              columns=SMOKE.columns)])
    assert "XX" not in correspondence_analysis(zero_row).row_coords.index


def test_mca_of_two_variables_relates_to_ca():
    ca = correspondence_analysis(SMOKE)
    mca = multiple_correspondence_analysis(smoke_individuals())
    # With two variables, MCA eigenvalues are (1 +- sqrt(lambda_CA)) / 2.
    expected = np.sort(np.concatenate([(1 + np.sqrt(ca.eigenvalues)) / 2,
                                       (1 - np.sqrt(ca.eigenvalues)) / 2, [0.5]]))[::-1]
    assert mca.ca.eigenvalues == pytest.approx(expected, abs=1e-10)
    # Benzécri's and Greenacre's corrections give back the CA inertias for Q = 2.
    benz = multiple_correspondence_analysis(smoke_individuals(), correction="benzecri")
    assert benz.corrected_eigenvalues[:3] == pytest.approx(ca.eigenvalues, abs=1e-10)
    green = multiple_correspondence_analysis(smoke_individuals(), correction="greenacre")
    assert green.corrected_explained[:3] == pytest.approx(ca.explained, abs=1e-10)
    with pytest.raises(ValueError):
        multiple_correspondence_analysis(smoke_individuals(), correction="other")


def test_indicator_matrix_types_and_missing():
    data = pd.DataFrame({"a": pd.array(["x", "y", None], dtype="str"),
                         "m": pd.array(["p|q", "", "q"], dtype="str")})
    ind, variables = indicator_matrix(data, {"a": "categorical", "m": "multi"})
    assert list(ind.columns) == ["a=x", "a=y", "a=NA", "m=p", "m=p:non", "m=q", "m=q:non"]
    assert (ind.sum(axis=1) == 3).all()  # one category per variable and individual
    assert variables["m=q:non"] == "m=q"


@pytest.fixture(scope="module")
def tmap():
    wave = make_wave(300, 4, seed=0)
    return wave, typology_map(wave.records, wave.truth, code_matrix=wave.code_matrix,
                              codebook_labels={"need.local_support": "accompagnement"})


def test_typology_map_points(tmap):
    wave, m = tmap
    pts = m.points
    assert set(pts["kind"]) == {"category", "code", "group"}
    assert not pts["label"].str.endswith(":non").any()
    assert (pts.loc[pts["kind"] == "code", "variable"].isin(wave.code_matrix.columns)).all()
    assert "accompagnement" in set(pts["label"])
    groups = pts[pts["kind"] == "group"]
    assert list(groups["label"]) == [1, 2, 3, 4] and groups["supplementary"].all()
    assert groups["count"].tolist() == wave.truth.value_counts().sort_index().tolist()
    assert m.axes["corrected_share"].iloc[:2].sum() > m.axes["inertia_share"].iloc[:2].sum()
    assert m.records.shape == (300, 2)


def test_groups_sit_near_their_categories(tmap):
    _, m = tmap
    pts = m.points.set_index("label")
    xy = ["dim1", "dim2"]
    senior = pts.loc["senior petite retraite", xy].to_numpy(float)
    dist = {g: np.linalg.norm(pts.loc[g, xy].to_numpy(float) - senior) for g in [1, 2, 3, 4]}
    assert min(dist, key=dist.get) == 1


def test_map_with_profile_active_and_codes_supplementary(tmap):
    wave, _ = tmap
    m = typology_map(wave.records, wave.truth, code_matrix=wave.code_matrix,
                     active=("profile",), families=["need"])
    codes = m.points[m.points["kind"] == "code"]
    assert codes["supplementary"].all() and codes["variable"].str.startswith("need.").all()
