"""Agreement of the automatic codebook coding with the hand-coded sample of a wave.

Runs the analysis of the wave into a scratch folder (or reads an analysed ``--root``), then
compares the coded passages with the hand-coded answers (``gold_coding.csv`` next to the survey
config): precision, recall, F1 and Cohen's kappa per code, pooled per family and overall.

Usage: python benchmarks/eval_coding.py [data/raw/sample-2018/survey.yaml] [--root DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

import dialogue_analysis as da
from dialogue_analysis.analysis import load_analysis, run_analysis
from dialogue_analysis.coding import evaluate_coding, load_codebook, load_gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", nargs="?", default="data/raw/sample-2018/survey.yaml")
    parser.add_argument("--root", help="an analysed root; by default the wave is analysed afresh")
    args = parser.parse_args()
    project = da.load_project(args.config)
    codebook = load_codebook(project.codebook_path)
    gold = load_gold(Path(args.config).parent / "gold_coding.csv", codebook)
    if args.root:
        analysis = load_analysis(project, args.root)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            analysis = run_analysis(project, tmp)
    table = evaluate_coding(analysis.passages, gold, codes=codebook.code_ids)
    per_code = table[~table["code"].isin(["micro", "macro"])].copy()
    per_code["family"] = per_code["code"].str.split(".").str[0]
    families = per_code.groupby("family", sort=False)[["support", "tp", "fp", "fn"]].sum()
    families["precision"] = families["tp"] / (families["tp"] + families["fp"])
    families["recall"] = families["tp"] / (families["tp"] + families["fn"])
    families["f1"] = 2 * families["tp"] / (2 * families["tp"] + families["fp"] + families["fn"])
    pd.set_option("display.width", 120)
    print(f"{len(gold)} hand-coded answers, {int(per_code['support'].sum())} gold codes\n")
    cols = ["code", "support", "predicted", "precision", "recall", "f1", "kappa"]
    print(table[cols].round(2).to_string(index=False))
    print()
    print(families[["support", "precision", "recall", "f1"]].round(2).to_string())


if __name__ == "__main__":
    main()
