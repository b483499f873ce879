"""Agreement of the automatic coding with the hand-coded samples, and the learned layer's
learning curve.

Two gold samples: 320 real Grand Débat answers (``tests/data/gold_grand_debat.csv``, their text
read from ``../shared/realdata``, see ``docs/gold_coding.md``) and the 50 answers of the sample
wave (``data/raw/sample-2018/gold_coding.csv``). Their text goes through the stages ``run`` uses
(pseudonymised by the anonymise stage, parsed, coded with the sample codebook), so the
codebook's figures are the production ones. For each gold sample the script prints:

1. the codebook alone on every hand-coded answer, per code, per family and overall;
2. the learning curve: for 25, 50, 100 and 200 reviewed answers, several draws of that many
   hand-coded answers stand for the analyst's review, drawn as the review page draws its sample
   (``review_sample``: seeded, stratified by question) or, with ``--draw random``, at random; the learned layer is trained on the
   draw and measured on the rest (nothing is tuned on it; the rest stand for the unreviewed
   answers, whose texts and codebook decisions the layer uses as ``run`` does, never their hand
   codes): codebook alone, the learned layer's
   models alone (codes without a model count as not coded), and both combined as ``run``
   combines them (each model's decision joined to the codebook's by the code's rule); micro and
   macro F1, mean and standard deviation over the draws. The draws' seeds start at
   :data:`FIRST_SEED`, apart from those on which the layer's settings were chosen;
3. per code, codebook against combined at one training size, pooled over the draws.

Usage: python benchmarks/eval_coding.py [--gold grand_debat sample] [--sizes 25 50 100 200]
       [--draws 10] [--first-seed 1000] [--per-code 100] [--draw stratified|random]
       [--without-wave-words] [--root DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import dialogue_analysis as da
from dialogue_analysis.anonymise import anonymise_answers
from dialogue_analysis.coding import (
    LearnedLayer,
    WaveWords,
    code_answers,
    code_priors,
    evaluate_coding,
    load_codebook,
    load_gold,
)
from dialogue_analysis.ingest import ingest_wave
from dialogue_analysis.nlp import DEFAULT_MODEL, embed, parse_answers
from dialogue_analysis.review import review_sample

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = REPO / "data" / "raw" / "sample-2018" / "survey.yaml"
# each gold's codebook is the one its survey config names: the sample wave's own (version 1);
# for the real answers, the same codes with patterns widened on real answers (version 2)
CODEBOOKS = {"sample": SAMPLE_CONFIG.parent / "codebook.yaml",
             "grand_debat": REPO / "codebooks" / "precarite_numerique_v2.yaml"}
GRAND_DEBAT_GOLD = REPO / "tests" / "data" / "gold_grand_debat.csv"
KEY = ["record_id", "question_id"]
# the reported draws; the layer's settings were chosen on other seeds (docs/coding.md)
FIRST_SEED = 1000


@dataclass
class GoldSet:
    """A hand-coded sample with what the coding needs: answer keys, pseudonymised texts, the
    codebook's decisions (``lexical``) and the hand codes (``truth``), answers x codes, and the
    texts of every answer of the wave (the wave's words are fitted on them)."""

    name: str
    keys: list[tuple[str, str]]
    texts: list[str]
    lexical: np.ndarray
    truth: np.ndarray
    wave_texts: list[str] = field(default_factory=list)


def production_coding(answers: pd.DataFrame, codebook, root: Path, model: str):
    """Anonymise, parse and code ``answers`` as ``run`` does; the pseudonymised answers and the
    Coding."""
    anon = anonymise_answers(answers, model=model)
    pseudo = anon.answers.loc[:, [*KEY, "text"]]
    parsed = parse_answers(pseudo, model=model, root=root)
    return pseudo, code_answers(parsed, codebook)


def gold_set(name: str, answers: pd.DataFrame, gold: pd.DataFrame, codebook, root: Path,
             model: str, wave_texts: list[str] | None = None) -> GoldSet:
    """The gold set; ``wave_texts``, the wave's answers the wave's words are fitted on (by
    default the pseudonymised ``answers``)."""
    pseudo, coding = production_coding(answers, codebook, root, model)
    keys = [(str(r), str(q)) for r, q in zip(gold["record_id"], gold["question_id"], strict=True)]
    text = {(str(r), str(q)): str(t) for r, q, t in
            zip(pseudo["record_id"], pseudo["question_id"], pseudo["text"], strict=True)}
    missing = [k for k in keys if k not in text]
    if missing:
        raise SystemExit(f"{name}: {len(missing)} hand-coded answers are not in the data, "
                         f"e.g. {missing[0]}")
    am = coding.answer_matrix
    am.index = pd.MultiIndex.from_tuples([(str(r), str(q)) for r, q in am.index])
    lexical = am.reindex(keys, fill_value=0).to_numpy(dtype=np.int64)
    codes = codebook.code_ids
    truth = np.array([[c in set(g) for c in codes] for g in gold["codes"]], dtype=np.int64)
    if wave_texts is None:
        wave_texts = pseudo["text"].tolist()
    return GoldSet(name, keys, [text[k] for k in keys], lexical, truth, wave_texts)


def grand_debat(codebook, root: Path) -> GoldSet:
    spec = importlib.util.spec_from_file_location(
        "gold_sample_grand_debat", REPO / "tools" / "gold_sample_grand_debat.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    if not tool.FOLDER.is_dir():
        raise SystemExit(f"{tool.FOLDER} is absent: set DIALOGUE_ANALYSIS_REALDATA to the "
                         "folder of the real data")
    gold = load_gold(GRAND_DEBAT_GOLD, codebook)
    keys = list(zip(gold["record_id"], gold["question_id"], strict=True))
    answers = pd.DataFrame(keys, columns=KEY).assign(text=tool.gold_answers(keys))
    # the wave's words are fitted on every answer of the four files, as read: pseudonymising
    # 35,627 answers would take most of the benchmark's time for a few names among 8,000 words
    wave = [t for q in tool.QUESTIONS for t in tool.read_question(q) if t.strip()]
    return gold_set("Grand Débat (real answers)", answers, gold, codebook, root, DEFAULT_MODEL,
                    wave)


def sample_wave(codebook, root: Path) -> GoldSet:
    project = da.load_project(SAMPLE_CONFIG)
    wave = ingest_wave(project, root)
    answers = wave.answers.loc[:, [*KEY, "text"]].astype({"record_id": str})
    gold = load_gold(SAMPLE_CONFIG.parent / "gold_coding.csv", codebook)
    return gold_set("sample wave", answers, gold, codebook, root, project.settings.spacy_model)


def counts(pred: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """tp, fp, fn per code (3 x codes)."""
    p, t = pred.astype(bool), truth.astype(bool)
    return np.stack([(p & t).sum(0), (p & ~t).sum(0), (~p & t).sum(0)])


def f1(c: np.ndarray) -> np.ndarray:
    tp, fp, fn = c
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)


def micro_macro(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Micro F1 (pooled over codes) and macro F1 (mean over codes present in either side)."""
    c = counts(pred, truth)
    return float(f1(c.sum(axis=1))), float(np.nanmean(f1(c)))


def draw_review(g: GoldSet, size: int, draw: int, how: str = "stratified"
                ) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``size`` answers standing for the review and of the others. ``stratified``
    draws them as the review page does (``review_sample`` seeded with ``draw``: each question's
    share of the sample is its share of the answers); ``random``, a plain random draw."""
    if how == "random":
        order = np.random.default_rng(draw).permutation(len(g.keys))
        return order[:size], order[size:]
    answers = pd.DataFrame(g.keys, columns=KEY).assign(text=g.texts)
    sample = review_sample(answers, size, seed=draw)
    position = {key: i for i, key in enumerate(g.keys)}
    drawn = zip(sample["record_id"], sample["question_id"], strict=True)
    train = np.array([position[key] for key in drawn])
    return train, np.setdiff1d(np.arange(len(g.keys)), train)


def draw_codings(g: GoldSet, size: int, draw: int, priors: np.ndarray, codes: list[str],
                 vectors: np.ndarray, how: str = "stratified", dims: int | None = None
                 ) -> tuple[np.ndarray, dict, LearnedLayer]:
    """Train on ``size`` drawn answers (:func:`draw_review`); the test answers and their
    codebook, learned and combined codings. ``vectors`` and ``priors`` are the layer's
    features, their first ``dims`` columns the embedding."""
    train, test = draw_review(g, size, draw, how)
    layer = LearnedLayer(seed=draw, embedding_dims=dims).fit(vectors[train], g.lexical[train], g.truth[train], codes,
                                        priors, vectors[test], g.lexical[test])
    combined = layer.predict(vectors[test], g.lexical[test])
    learned = layer.decisions(vectors[test], g.lexical[test])
    return test, {"codebook": g.lexical[test], "learned": learned, "combined": combined}, layer


def learning_curve(g: GoldSet, codes: list[str], priors: np.ndarray, sizes: list[int],
                   seeds: list[int], per_code: int, how: str = "stratified",
                   wave_words: bool = True) -> dict[str, np.ndarray]:
    embedded = embed(g.texts)
    # as `run` does: the wave's words fitted on every answer of the wave
    words = WaveWords().fit(g.wave_texts if wave_words else [])
    vectors, priors, dims = words.join(embedded, g.texts), words.pad(priors), embedded.shape[1]
    print(f"wave's words: {words.width} components fitted on {len(g.wave_texts) if wave_words else 0}"
          " answers\n")
    print("                        |   codebook alone  |   learned layer   |      combined     |"
          "                    | combined - codebook, micro,")
    print("reviewed  draws  test  | micro       macro  | micro       macro  | micro       macro  |"
          " codes with a model | paired: mean±sd, draws better")
    pooled: dict[str, np.ndarray] = {}
    for size in sizes:
        if size > len(g.keys) - 20:
            print(f"{size:>8}  (needs at least {size + 20} hand-coded answers)")
            continue
        scores, n_models = [], []
        for draw in seeds:
            test, codings, layer = draw_codings(g, size, draw, priors, codes, vectors, how,
                                                dims)
            scores.append([v for c in codings.values() for v in micro_macro(c, g.truth[test])])
            n_models.append(len(layer.codes))
            if size == per_code:
                for name, c in codings.items():
                    pooled[name] = pooled.get(name, 0) + counts(c, g.truth[test])
        m, s = np.mean(scores, axis=0), np.std(scores, axis=0)
        cells = " | ".join(f"{m[i]:.3f}±{s[i]:.3f} {m[i + 1]:.3f}" for i in (0, 2, 4))
        # the gain of each draw over the codebook on the same answers: the draws' spread
        # moves both sides together
        gain = np.asarray(scores)[:, 4] - np.asarray(scores)[:, 0]
        print(f"{size:>8}  {len(seeds):>5}  {len(g.keys) - size:>4}  | {cells} | "
              f"{np.mean(n_models):>18.1f} | {gain.mean():+.3f}±{gain.std():.3f}, "
              f"{int((gain > 0).sum())} of {len(gain)}")
    return pooled


def per_code_table(pooled: dict[str, np.ndarray], g: GoldSet, codes: list[str]) -> str:
    rows = []
    for j, code in enumerate(codes):
        b, c = pooled["codebook"][:, j], pooled["combined"][:, j]
        if g.truth[:, j].sum() == 0 and b.sum() == 0 and c.sum() == 0:
            continue
        rows.append({"code": code, "gold": int(g.truth[:, j].sum()),
                     "codebook tp/fp/fn": "/".join(map(str, b)), "codebook F1": float(f1(b)),
                     "combined tp/fp/fn": "/".join(map(str, c)), "combined F1": float(f1(c))})
    return pd.DataFrame(rows).round(2).to_string(index=False, na_rep="–")


def codebook_alone(g: GoldSet, codes: list[str]) -> None:
    matrix = pd.DataFrame(g.lexical, index=pd.MultiIndex.from_tuples(g.keys, names=KEY),
                          columns=codes)
    gold = pd.DataFrame(g.keys, columns=KEY).assign(
        codes=[tuple(c for c, v in zip(codes, row, strict=True) if v) for row in g.truth])
    table = evaluate_coding(matrix, gold, codes=codes)
    per_code = table[~table["code"].isin(["micro", "macro"])].copy()
    families = per_code.assign(family=per_code["code"].str.split(".").str[0]).groupby(
        "family", sort=False)[["support", "tp", "fp", "fn"]].sum()
    families["precision"] = families["tp"] / (families["tp"] + families["fp"])
    families["recall"] = families["tp"] / (families["tp"] + families["fn"])
    families["f1"] = 2 * families["tp"] / (2 * families["tp"] + families["fp"] + families["fn"])
    shown = table[(table["support"] > 0) | (table["predicted"] > 0)]
    cols = ["code", "support", "predicted", "precision", "recall", "f1", "kappa"]
    print(shown[cols].round(2).to_string(index=False, na_rep="–"))
    print()
    print(families[["support", "precision", "recall", "f1"]].round(2).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", nargs="+", choices=["grand_debat", "sample"],
                        default=["grand_debat", "sample"])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--draws", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=FIRST_SEED,
                        help="seed of the first draw (the next draws take the next seeds)")
    parser.add_argument("--per-code", type=int, default=100,
                        help="training size of the per-code table")
    parser.add_argument("--draw", choices=["stratified", "random"], default="stratified",
                        help="how the reviewed answers are drawn: as the review page draws its "
                        "sample (stratified by question, the default) or at random")
    parser.add_argument("--without-wave-words", action="store_true",
                        help="the learned layer without the wave's words (embedding only)")
    parser.add_argument("--root", help="working folder (NLP cache, ingested wave); by default a "
                        "temporary one")
    args = parser.parse_args()
    pd.set_option("display.width", 140)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.root or tmp)
        os.makedirs(root, exist_ok=True)
        loaders = {"grand_debat": grand_debat, "sample": sample_wave}
        for name in args.gold:
            codebook = load_codebook(CODEBOOKS[name])
            codes, priors = codebook.code_ids, code_priors(codebook)
            g = loaders[name](codebook, root)
            t0 = time.perf_counter()
            embed(g.texts)
            secs = time.perf_counter() - t0
            rss = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
            title = (f"{g.name}: {len(g.keys)} hand-coded answers, {int(g.truth.sum())} codes "
                     f"({len(g.keys) / max(secs, 1e-9):.0f} answers embedded/s; peak memory "
                     f"+{rss:.0f} MB since start)")
            print(f"{title}\n{'=' * len(title)}\n\nCodebook alone, every hand-coded answer:\n")
            codebook_alone(g, codes)
            print(f"\nLearning curve ({args.draw} draws; F1 on the answers not drawn; mean±sd "
                  "over the draws):\n")
            seeds = list(range(args.first_seed, args.first_seed + args.draws))
            pooled = learning_curve(g, codes, priors, args.sizes, seeds, args.per_code,
                                    args.draw, not args.without_wave_words)
            if pooled:
                print(f"\nPer code, {args.per_code} reviewed answers, pooled over "
                      f"{args.draws} draws:\n")
                print(per_code_table(pooled, g, codes))
            print()


if __name__ == "__main__":
    main()
