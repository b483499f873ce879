"""Benchmark: features + typology with automatic k + characterisation on a large synthetic wave.

Run from the repository root::

    .venv/bin/python benchmarks/bench_typology.py [--records 10000] [--groups 4] [--seed 0]

Prints the time of every step and the agreement (adjusted Rand index) with the planted groups.
The synthetic wave comes from ``tests/synthetic.py`` (profile attributes, 23 codes in four
families, five answers per record with their terms).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synthetic import make_wave  # noqa: E402

from dialogue_analysis.typology._crosstabs import code_crosstab  # noqa: E402
from dialogue_analysis.typology._describe import describe_groups  # noqa: E402
from dialogue_analysis.typology._features import FeatureBuilder  # noqa: E402
from dialogue_analysis.typology._mapping import typology_map  # noqa: E402
from dialogue_analysis.typology._model import Typology  # noqa: E402


class Clock:
    def __init__(self):
        self.steps = []

    def __call__(self, name, fn, *args, **kwargs):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        self.steps.append((name, time.perf_counter() - start))
        print(f"{name:<48} {self.steps[-1][1]:7.2f} s", flush=True)
        return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bootstrap", type=int, default=20)
    args = parser.parse_args(argv)

    clock = Clock()
    wave = clock("synthetic wave (not part of the pipeline)", make_wave, args.records,
                 args.groups, seed=args.seed)  # fmt: skip
    print(f"  {len(wave.records)} records, {wave.code_matrix.shape[1]} codes, "
          f"{len(wave.terms)} answers")  # fmt: skip
    data = (wave.records, wave.code_matrix, wave.terms)
    features = clock("features alone (profile, 4 families, text)",
                     FeatureBuilder(random_state=args.seed).fit_transform, *data)  # fmt: skip
    print(f"  {features.shape[1]} feature columns")
    typo = Typology(n_clusters="auto", k_range=(2, 8), n_bootstrap=args.bootstrap,
                    random_state=args.seed)  # fmt: skip
    clock("typology: features, k = 2..8, bootstrap, null", typo.fit, *data)
    char = clock("characterisation (tests, terms, quotes, labels)", describe_groups,
                 wave.records, typo.labels_, code_matrix=wave.code_matrix, terms=wave.terms,
                 answers=wave.answers, features=typo.features_)  # fmt: skip
    # Typology.fit builds its own features: the pipeline is the fit plus the description.
    pipeline = sum(t for name, t in clock.steps if name.startswith(("typology", "charact")))
    print(f"{'= features + typology + characterisation':<48} {pipeline:7.2f} s")
    clock("map (MCA, groups as barycentres)", typology_map, wave.records, typo.labels_,
          code_matrix=wave.code_matrix)  # fmt: skip
    clock("cross table of codes by territory", code_crosstab, wave.code_matrix, wave.records,
          "territory")  # fmt: skip

    print(
        f"\nstructure {typo.structure_}; chosen k = {typo.n_clusters_} (planted {args.groups}); "
        f"ARI with the planted groups = {adjusted_rand_score(wave.truth, typo.labels_):.3f}"
    )
    print(typo.k_evidence_.round(3).to_string(index=False))
    print(char.summary[["group", "size", "label"]].to_string(index=False))


if __name__ == "__main__":
    main()
