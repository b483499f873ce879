"""Codebook alone against codebook + learned layer, on a wave's hand-coded answers.

The hand-coded answers (``gold_coding.csv`` next to the survey config) stand for the analyst's
review: for each training size, several random draws train the learned layer on that many gold
answers and evaluate it on the others (codebook alone and combined, micro and macro F1), after
the embeddings' speed and memory.

Usage: python benchmarks/eval_learned.py [data/raw/sample-2018/survey.yaml] [--root DIR]
       [--sizes 25 40] [--draws 10]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

import dialogue_analysis as da
from dialogue_analysis.analysis import load_analysis, run_analysis
from dialogue_analysis.coding import LearnedLayer, embed, load_codebook, load_gold


def f1s(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = (pred & truth).sum(axis=0)
    fp = (pred & ~truth).sum(axis=0)
    fn = (~pred & truth).sum(axis=0)
    micro = 2 * tp.sum() / max(1, 2 * tp.sum() + fp.sum() + fn.sum())
    present = (tp + fn) > 0
    macro = np.mean((2 * tp / np.maximum(1, 2 * tp + fp + fn))[present]) if present.any() else 0
    return float(micro), float(macro)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", default="data/raw/sample-2018/survey.yaml")
    parser.add_argument("--root", help="an analysed root; by default the wave is analysed afresh")
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 40])
    parser.add_argument("--draws", type=int, default=10)
    args = parser.parse_args()
    project = da.load_project(args.config)
    codebook = load_codebook(project.codebook_path)
    codes = codebook.code_ids
    gold = load_gold(Path(args.config).parent / "gold_coding.csv", codebook)
    if args.root:
        analysis = load_analysis(project, args.root)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            analysis = run_analysis(project, tmp)
    p = analysis.passages
    if "origin" in p:
        p = p[p["origin"] == "codebook"]
    lex_sets = p.groupby(["record_id", "question_id"])["code"].apply(set).to_dict()
    text = dict(zip(zip(analysis.answers["record_id"], analysis.answers["question_id"],
                        strict=True), analysis.answers["text"], strict=True))
    keys = [(str(r), str(q)) for r, q in zip(gold["record_id"], gold["question_id"], strict=True)]
    gold_sets = [set(c) if not isinstance(c, str) else set(filter(None, c.split(";")))
                 for c in gold["codes"]]
    truth = np.array([[c in g for c in codes] for g in gold_sets], dtype=bool)
    lexical = np.array([[c in lex_sets.get(k, ()) for c in codes] for k in keys], dtype=np.int64)

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    embed(["chargement"])
    t_load = time.perf_counter() - t0
    texts = [text[k] for k in keys] + list(analysis.answers["text"])
    t0 = time.perf_counter()
    embed(texts)
    t_enc = time.perf_counter() - t0
    rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    vectors = embed([text[k] for k in keys])
    n_texts = len(set(texts))
    print(f"embeddings: model loaded in {t_load:.1f} s; {n_texts} distinct answers in "
          f"{t_enc:.1f} s ({n_texts / max(t_enc, 1e-9):.0f}/s); peak memory +{rss:.0f} MB\n")

    micro0, macro0 = f1s(lexical.astype(bool), truth)
    print(f"{len(keys)} hand-coded answers, {int(truth.sum())} gold codes")
    print(f"codebook alone, all answers: micro F1 {micro0:.3f}, macro F1 {macro0:.3f}\n")
    print("trained on  draws  codebook micro/macro  combined micro/macro  codes learned")
    for size in args.sizes:
        rows = []
        for draw in range(args.draws):
            rng = np.random.default_rng(draw)
            order = rng.permutation(len(keys))
            train, test = order[:size], order[size:]
            layer = LearnedLayer(seed=draw).fit(vectors[train], lexical[train],
                                                truth[train].astype(np.int64), codes)
            pred = layer.predict(vectors[test], lexical[test]).astype(bool)
            rows.append((*f1s(lexical[test].astype(bool), truth[test]),
                         *f1s(pred, truth[test]), len(layer.codes)))
        m = np.mean(rows, axis=0)
        print(f"{size:>10}  {args.draws:>5}  {m[0]:.3f} / {m[1]:.3f}         "
              f"{m[2]:.3f} / {m[3]:.3f}         {m[4]:.1f}")


if __name__ == "__main__":
    main()
