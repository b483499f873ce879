"""The fast NLP pipeline against the full one, beside the full pipeline's own variation.

Reads two runs of the same wave, one with ``nlp_pipeline: full`` and one with ``fast``
(``ROOT/data/processed/<wave>/``), and prints:

- the answers' themes: the adjusted Rand index (ARI) of fast's themes with full's, on every
  answer; and, for scale, how much full's own themes move under a change that should not
  matter: full's themes fitted again on a share (90 % by default) of the answers drawn at
  random (several draws), against full's themes of every answer, on the answers they share.
  The same draws are fitted with fast's terms too, against full's on the same draw, so both
  sides of the comparison are distributions over the same draws. An answer with no theme
  counts as a class of its own. The themes are fitted as ``run`` fits them (``find_themes``,
  ``min_df=3``, ``max_df=0.5``, the run's seed, the number of themes chosen from the data);
- the number of themes chosen each time;
- the typology's groups, the same way: fast against full on every record and on the same
  draws of records, and full on a draw against full on every record (the typology fitted as
  ``run`` fits it, ``typology_from_settings`` with the run's settings).

With ``--gold`` it also prints the codebook's micro F1 on the two hand-coded samples
(``benchmarks/eval_coding.py``) with each pipeline (the anonymise stage is the same; only the
parse differs).

Usage::

    python benchmarks/bench_fast_pipeline.py FULL/data/processed/WAVE FAST/data/processed/WAVE
        [--draws 5] [--share 0.9] [--gold]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from dialogue_analysis.themes import KEY, find_themes  # noqa: E402


def labels(assignments: pd.DataFrame) -> pd.Series:
    """Theme per answer, indexed by key; no theme is the class -1."""
    s = assignments.set_index(KEY)["theme"].astype("Int64").fillna(-1).astype(int)
    return s


def ari(a: pd.Series, b: pd.Series) -> float:
    common = a.index.intersection(b.index)
    return float(adjusted_rand_score(a.loc[common], b.loc[common]))


def fit(terms: pd.DataFrame, seed: int) -> tuple[pd.Series, int]:
    themes = find_themes(terms, None, n_themes="auto", min_df=3, max_df=0.5, random_state=seed)
    return labels(themes.assignments), len(themes.summary)


def summary(values: list[float]) -> str:
    v = np.array(values)
    return f"mean {v.mean():.2f}, min {v.min():.2f}, max {v.max():.2f} ({len(v)} draws)"


def themes_yardstick(full_dir: Path, fast_dir: Path, draws: int, share: float, seed: int) -> dict:
    full_terms = pd.read_parquet(full_dir / "analysis" / "terms.parquet")
    fast_terms = pd.read_parquet(fast_dir / "analysis" / "terms.parquet")
    full_all = labels(pd.read_parquet(full_dir / "analysis" / "theme_assignments.parquet"))
    fast_all = labels(pd.read_parquet(fast_dir / "analysis" / "theme_assignments.parquet"))
    keys = full_terms.loc[:, KEY].sort_values(KEY).reset_index(drop=True)
    out = {"answers": len(full_terms), "fast_vs_full_all": ari(fast_all, full_all),
           "k_full": int(full_all[full_all >= 0].nunique()),
           "k_fast": int(fast_all[fast_all >= 0].nunique()),
           "full_sub_vs_full_all": [], "fast_sub_vs_full_sub": [], "full_sub_vs_full_sub": [],
           "k_full_sub": [], "k_fast_sub": []}
    previous = None
    for draw in range(draws):
        rng = np.random.default_rng(1000 + draw)
        chosen = keys.iloc[np.sort(rng.choice(len(keys), int(round(share * len(keys))),
                                              replace=False))]
        index = pd.MultiIndex.from_frame(chosen)
        full_sub, k_full = fit(full_terms.set_index(KEY).loc[index].reset_index(), seed)
        fast_sub, k_fast = fit(fast_terms.set_index(KEY).loc[index].reset_index(), seed)
        out["full_sub_vs_full_all"].append(ari(full_sub, full_all))
        out["fast_sub_vs_full_sub"].append(ari(fast_sub, full_sub))
        if previous is not None:
            out["full_sub_vs_full_sub"].append(ari(full_sub, previous))
        previous = full_sub
        out["k_full_sub"].append(k_full)
        out["k_fast_sub"].append(k_fast)
        print(f"  draw {draw}: full on {share:.0%} vs full on all {out['full_sub_vs_full_all'][-1]:.2f}"
              f" (k {k_full}); fast vs full on the same {share:.0%} "
              f"{out['fast_sub_vs_full_sub'][-1]:.2f} (k {k_fast})", flush=True)
    return out


def run_groups(wave_dir: Path) -> pd.Series:
    records = pd.read_parquet(wave_dir / "analysis" / "records.parquet")
    return records.set_index("record_id")["typology_group"].astype("Int64").fillna(-1).astype(int)


def typology_tables(wave_dir: Path) -> tuple:
    """What the typology is fitted on in ``run``: records, answers x codes summed per record
    (``code_matrix``), terms, attributes and settings."""
    folder = wave_dir / "analysis"
    records = pd.read_parquet(folder / "records.parquet").drop(columns=["typology_group"])
    records["record_id"] = records["record_id"].astype(str)
    codes = pd.read_parquet(folder / "code_matrix.parquet").set_index("record_id")
    codes.index = codes.index.astype(str)
    codes = codes.reindex(records["record_id"]).fillna(0).astype(int)
    codes.index.name = "record_id"
    attributes = folder / "attributes.parquet"
    settings = json.loads((folder / "analysis_manifest.json").read_text())["settings"]
    return (records, codes, pd.read_parquet(folder / "terms.parquet"),
            pd.read_parquet(attributes) if attributes.is_file() else None, settings)


def fit_typology(tables: tuple, ids: pd.Index | None) -> tuple[pd.Series, int, bool]:
    """Record groups (-1: none), number of groups and whether a structure was found."""
    from dialogue_analysis.typology import typology_from_settings

    records, codes, terms, attributes, settings = tables
    if ids is not None:
        records = records[records["record_id"].isin(ids)].reset_index(drop=True)
        codes = codes.loc[records["record_id"]]
        terms = terms[terms["record_id"].astype(str).isin(ids)]
    typo, _ = typology_from_settings(settings, records, attributes)
    typo.fit(records, codes, terms)
    groups = typo.labels_.astype("Int64").fillna(-1).astype(int)
    return groups, int(typo.n_clusters_), bool(typo.structure_)


def typology_yardstick(full_dir: Path, fast_dir: Path, draws: int, share: float) -> dict:
    """The typology's groups: fast against full on every record and on the same draws, and
    full on a draw against full on every record (the yardstick)."""
    full, fast = typology_tables(full_dir), typology_tables(fast_dir)
    full_all, fast_all = run_groups(full_dir), run_groups(fast_dir)
    ids = full[0]["record_id"].sort_values().reset_index(drop=True)
    out = {"records": len(ids), "fast_vs_full_all": ari(fast_all, full_all),
           "full_sub_vs_full_all": [], "fast_sub_vs_full_sub": [], "k_full_sub": [],
           "k_fast_sub": []}
    for draw in range(draws):
        rng = np.random.default_rng(2000 + draw)
        chosen = pd.Index(ids.iloc[np.sort(rng.choice(len(ids), int(round(share * len(ids))),
                                                      replace=False))])
        full_sub, k_full, s_full = fit_typology(full, chosen)
        fast_sub, k_fast, s_fast = fit_typology(fast, chosen)
        out["full_sub_vs_full_all"].append(ari(full_sub, full_all))
        out["fast_sub_vs_full_sub"].append(ari(fast_sub, full_sub))
        out["k_full_sub"].append(k_full if s_full else f"{k_full} (no structure)")
        out["k_fast_sub"].append(k_fast if s_fast else f"{k_fast} (no structure)")
        print(f"  draw {draw}: typology, full on {share:.0%} vs full on all "
              f"{out['full_sub_vs_full_all'][-1]:.2f} (k {out['k_full_sub'][-1]}); fast vs full "
              f"on the same {share:.0%} {out['fast_sub_vs_full_sub'][-1]:.2f} "
              f"(k {out['k_fast_sub'][-1]})", flush=True)
    return out


def gold_f1() -> None:
    """The codebook's micro F1 on both gold samples, full and fast parse."""
    spec = importlib.util.spec_from_file_location("eval_coding", REPO / "benchmarks" / "eval_coding.py")
    ec = importlib.util.module_from_spec(spec)
    sys.modules["eval_coding"] = ec  # its dataclass looks its module up
    spec.loader.exec_module(ec)
    from dialogue_analysis.nlp import LOOKUP

    production = ec.production_coding
    codebook = ec.load_codebook(ec.SAMPLE_CONFIG.parent / "codebook.yaml")
    for pipeline in ("full", "fast"):
        def coding(answers, codebook, root, model, _fast=pipeline == "fast"):
            anon = ec.anonymise_answers(answers, model=model)
            pseudo = anon.answers.loc[:, [*ec.KEY, "text"]]
            parsed = ec.parse_answers(pseudo, model=model + LOOKUP if _fast else model, root=root)
            return pseudo, ec.code_answers(parsed, codebook)

        ec.production_coding = coding if pipeline == "fast" else production
        with tempfile.TemporaryDirectory() as tmp:
            for gold in (ec.grand_debat(codebook, Path(tmp)), ec.sample_wave(codebook, Path(tmp))):
                c = ec.counts(gold.lexical, gold.truth).sum(1)
                print(f"codebook micro F1, {gold.name}, {pipeline}: {ec.f1(c):.3f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("full", type=Path, help="data/processed/<wave> of the run with nlp_pipeline: full")
    ap.add_argument("fast", type=Path, help="the same with nlp_pipeline: fast")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--share", type=float, default=0.9)
    ap.add_argument("--gold", action="store_true", help="also the codebook's F1 on both golds")
    ap.add_argument("--json", type=Path, help="write the figures there too")
    args = ap.parse_args()
    settings = json.loads((args.full / "analysis" / "analysis_manifest.json").read_text()).get("settings", {})
    seed = int(settings.get("seed", 0))
    print(f"{args.full} against {args.fast}", flush=True)
    out = themes_yardstick(args.full, args.fast, args.draws, args.share, seed)
    typology = typology_yardstick(args.full, args.fast, args.draws, args.share)
    out["typology"] = typology
    print(f"{out['answers']} answers; themes found: full {out['k_full']}, fast {out['k_fast']}; "
          f"on {args.share:.0%}: full {out['k_full_sub']}, fast {out['k_fast_sub']}")
    print(f"themes ARI, fast vs full, every answer: {out['fast_vs_full_all']:.2f}")
    print(f"themes ARI, fast vs full on the same {args.share:.0%}: "
          f"{summary(out['fast_sub_vs_full_sub'])}")
    print(f"themes ARI, full on {args.share:.0%} vs full on every answer (the yardstick): "
          f"{summary(out['full_sub_vs_full_all'])}")
    if out["full_sub_vs_full_sub"]:
        print(f"themes ARI, full on one {args.share:.0%} vs full on another: "
              f"{summary(out['full_sub_vs_full_sub'])}")
    print(f"typology groups ARI, fast vs full, every record: {typology['fast_vs_full_all']:.2f}; "
          f"on the same {args.share:.0%}: {summary(typology['fast_sub_vs_full_sub'])}")
    print(f"typology groups ARI, full on {args.share:.0%} vs full on every record (the "
          f"yardstick): {summary(typology['full_sub_vs_full_all'])}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    if args.gold:
        gold_f1()


if __name__ == "__main__":
    main()
