"""The typology's silhouettes, scored on distances computed once per matrix, are sklearn's."""

import numpy as np
import pytest
from sklearn.metrics import silhouette_score

from dialogue_analysis.typology._clustering import Silhouettes


@pytest.mark.parametrize("order", ["C", "F"])  # features may come in either memory layout
@pytest.mark.parametrize("n", [150, 700])  # every row, and a sample of them
def test_the_silhouettes_are_those_of_silhouette_score_to_the_bit(n, order):
    rng = np.random.default_rng(n)
    x = np.asarray(rng.normal(size=(n, 12)), order=order)
    x[: n // 2, 0] += 3.0  # some structure: two groups along the first axis
    scorer = Silhouettes(sample=400, random_state=0)
    for k in (2, 3, 5):
        labels = rng.integers(0, k, n)
        labels[: n // 2] = 0 if k == 2 else labels[: n // 2]
        expected = silhouette_score(x, labels, sample_size=400 if n > 400 else None,
                                    random_state=0)
        assert scorer.score(x, labels) == expected
    # another matrix: its own distances, not the last one's
    other = x[::-1].copy()
    labels = rng.integers(0, 3, n)
    assert scorer.score(other, labels) == silhouette_score(
        other, labels, sample_size=400 if n > 400 else None, random_state=0)
    assert np.isnan(scorer.score(x, np.zeros(n, dtype=int)))  # one group: no silhouette
