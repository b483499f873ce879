"""How ``dialogue-analysis run`` scales with the number of answers: time, CPU and memory per stage.

The corpus is the four Grand Débat questions on public services in ``../shared/realdata/``
(35,627 answers, no respondent attributes; ``tests/realdata/grand_debat/survey.yaml`` reads them).
A larger corpus keeps every real answer and adds new, distinct answers made by recombining
sentences of the real answers of the same question (as many sentences as a real answer of that
question has). No added answer repeats another answer, so the caches cannot absorb the extra
work (the real answers keep their own repeats: "Aucun", "Tout"...). Seeded: the same size gives
the same corpus.

Each size runs the whole pipeline (``dialogue-analysis run``, notebooks and exports included
unless ``--no-notebooks``) in a fresh root, in a subprocess. The per-stage wall time, CPU time and
the main process's peak memory come from the run manifest; the peak memory of the whole process
tree (the main process and any worker it starts) is sampled every 0.2 s, both as summed RSS and
as summed PSS (``/proc/<pid>/smaps_rollup``: a page shared by forked workers, such as the
model's, counted once in all). The memory targets are read against the tree's PSS. The script
prints a table per size, the peak memory of the main process and of the whole tree, the growth per
1,000 answers between consecutive sizes and a projection to 10^6 answers, beside the targets.
The projection is a plain linear fit (least squares) of the sizes measured, nothing else: it
says where the measured trend leads, not what a run of that size would do.

With ``--bertopic-python PATH`` (a Python environment where BERTopic is installed; it is not a
dependency of the project), BERTopic's fit on the real answers is timed for comparison, with a
TF-IDF + SVD embedding (no model download) and its own defaults otherwise.

Usage::

    python benchmarks/bench_scale.py                    # 35,627, 100,000 and 300,000 answers
    python benchmarks/bench_scale.py 35627 100000       # chosen sizes
    python benchmarks/bench_scale.py --no-notebooks --bertopic-python /opt/bertopic/bin/python
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("DIALOGUE_ANALYSIS_REALDATA") or REPO.parent / "shared" / "realdata")
SOURCE = REALDATA / "grand_debat_services_publics"
CONFIG = REPO / "tests" / "realdata" / "grand_debat" / "survey.yaml"
QUESTIONS = ("15", "16", "20", "21")
SEED = 0
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
TARGETS = {  # from the scale requirements, on 2 cores
    "real answers end to end (s)": 60,
    "peak RSS at 100,000 answers (MB)": 2048,
    "peak RSS growth 100,000 -> 300,000": 0.10,
    "10^6 answers projected (min)": 20,
    "10^6 answers projected peak RSS (MB)": 4096,
}


# -- corpus ---------------------------------------------------------------------------------------


def real_answers() -> dict[str, list[str]]:
    """The real answers of each question, in file order."""
    out = {}
    for q in QUESTIONS:
        with (SOURCE / f"gd_animation_organisation_{q}.csv").open(encoding="utf-8", newline="") as f:
            out[q] = [row["comment"] or "" for row in csv.DictReader(f)]
    return out


def corpus(size: int) -> dict[str, list[str]]:
    """``size`` distinct answers: the real ones (cut to ``size`` if fewer), then recombinations."""
    real = real_answers()
    total = sum(len(v) for v in real.values())
    if size <= total:
        share = size / total
        return {q: v[: round(len(v) * share)] for q, v in real.items()}
    rng = random.Random(SEED)
    out = {q: list(v) for q, v in real.items()}
    seen = {a for v in real.values() for a in v}
    per_question = {q: size * len(v) // total for q, v in real.items()}
    per_question[QUESTIONS[0]] += size - sum(per_question.values())
    for q in QUESTIONS:
        answers = [a for a in real[q] if a.strip()]
        sentences = [s for a in answers for s in SENTENCE_END.split(a.strip()) if s]
        lengths = [max(1, len(SENTENCE_END.split(a.strip()))) for a in answers]
        while len(out[q]) < per_question[q]:
            new = " ".join(rng.choice(sentences) for _ in range(rng.choice(lengths)))
            if new not in seen:
                seen.add(new)
                out[q].append(new)
    return out


def write_wave(folder: Path, answers: dict[str, list[str]]) -> Path:
    """The corpus as a wave: one CSV per question and the real-data config pointing at them."""
    folder.mkdir(parents=True)
    config = CONFIG.read_text(encoding="utf-8")
    for q, texts in answers.items():
        path = folder / f"gd_animation_organisation_{q}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["comment"])
            writer.writerows([t] for t in texts)
        config = re.sub(rf"file: .*gd_animation_organisation_{q}\.csv", f"file: {path}", config)
    config = re.sub(r"\n *ignore_columns: \[.*\]", "", config)
    config = re.sub(r"codebook: .*", f"codebook: {REPO / 'data/raw/sample-2018/codebook.yaml'}",
                    config)
    (folder / "survey.yaml").write_text(config, encoding="utf-8")
    return folder / "survey.yaml"


# -- one run --------------------------------------------------------------------------------------


def _pss_kb(pid: int) -> int:
    """Proportional set size of a process in kB (each page shared by n processes counted 1/n
    in each): from /proc/<pid>/smaps_rollup, 0 where it cannot be read."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """Resident memory of a process and its descendants, in MB: ``(summed RSS, summed PSS)``.

    Forked workers share the pages of the model their parent loaded: the summed RSS counts
    them once per process, the summed PSS once in all (what the tree takes from the machine).
    (0, 0) once the process has ended.
    """
    try:
        import psutil

        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        rss = pss = 0
        for p in procs:
            try:
                rss += p.memory_info().rss
                pss += _pss_kb(p.pid) * 1024
            except psutil.Error:
                pass
        return rss / 2**20, pss / 2**20
    except Exception:  # noqa: BLE001 - the process ended between two samples
        return 0.0, 0.0


def run_once(config: Path, root: Path, notebooks: bool) -> dict:
    cmd = [str(Path(sys.executable).parent / "dialogue-analysis"), "run", str(config),
           "--root", str(root)]
    cmd += ["--notebooks", str(REPO / "notebooks")] if notebooks else ["--no-notebooks"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    peak = [0.0, 0.0]
    load = [os.getloadavg()[0]]

    def sample():
        while proc.poll() is None:
            rss, pss = tree_memory_mb(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    wall = time.perf_counter() - t0
    sampler.join()
    if proc.returncode != 0:
        sys.stderr.write(output[-4000:])
        raise SystemExit(f"dialogue-analysis run failed ({proc.returncode}) on {config}")
    manifest = next((root / "data" / "processed").glob("*/analysis/analysis_manifest.json"))
    meta = json.loads(manifest.read_text(encoding="utf-8"))
    run = meta.get("run", {})  # the steps outside the analysis, when the manifest has them

    def outside(step: str, label: str) -> dict:
        s = run.get(step)
        return {} if s is None else {label: (s.get("seconds"), s.get("cpu_seconds"), None)}

    stages = {**outside("start-up", "start-up and imports"),
              **outside("ingest", "read, validate and publish the wave"),
              **outside("summary", "descriptive summary"),
              **outside("anonymise model", "the anonymise stage's model, loaded meanwhile")}
    stages.update({name: (s["seconds"], s.get("cpu_seconds"), s.get("peak_rss_mb"))
                   for name, s in meta["stages"].items()})
    report = dict(meta.get("report", {}))
    stages["report"] = (report.get("total"), None, meta.get("peak_rss_mb"))
    stages.update(outside("exports", "analyst's QDA exports"))
    waited = run.get("exports", {}).get("waited_after_report")
    if waited is not None:  # the part of the exports' wall time the run waited for
        stages[WAITED] = (waited, None, None)
    load.append(os.getloadavg()[0])
    return {"wall": wall, "stages": stages, "tree_peak_mb": peak[0], "tree_pss_mb": peak[1],
            "load": load,
            "records": meta.get("rows", {}).get("records")}


# -- BERTopic, for comparison --------------------------------------------------------------------

BERTOPIC_SCRIPT = r"""
import csv, json, sys, time
from bertopic import BERTopic
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
docs = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", newline="") as f:
        docs += [r["comment"] for r in csv.DictReader(f) if (r["comment"] or "").strip()]
t0 = time.perf_counter()
embed = make_pipeline(TfidfVectorizer(min_df=3), TruncatedSVD(100, random_state=0))
topics, _ = BERTopic(embedding_model=embed, language="french").fit_transform(docs)
seconds = time.perf_counter() - t0
n = len(docs)
sizes = {}
for t in topics:
    sizes[t] = sizes.get(t, 0) + 1
outliers = sizes.pop(-1, 0)
print(json.dumps({"answers": n, "seconds": seconds, "topics": len(sizes),
                  "outliers": outliers / n, "largest": max(sizes.values()) / n}))
"""


def bertopic(python: str) -> dict:
    files = [str(SOURCE / f"gd_animation_organisation_{q}.csv") for q in QUESTIONS]
    done = subprocess.run([python, "-c", BERTOPIC_SCRIPT, *files], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- report ---------------------------------------------------------------------------------------


WAITED = "waiting for the QDA exports, after the report"


def fmt(value, spec=".1f"):
    return "" if value is None else format(value, spec)


def print_run(size: int, result: dict) -> None:
    print(f"\n## {size:,} answers: {result['wall']:.1f} s wall, "
          f"peak RSS {fmt(main_peak_mb(result), '.0f')} MB (main process), "
          f"{result['tree_peak_mb']:.0f} MB (all processes, summed RSS), "
          f"{result['tree_pss_mb']:.0f} MB (all processes, summed PSS); load average "
          f"{result['load'][0]:.1f} at the start, {result['load'][1]:.1f} at the end\n")
    print("| stage | wall (s) | CPU (s) | peak RSS, main process (MB) |")
    print("|---|---:|---:|---:|")
    for name, (wall, cpu, rss) in result["stages"].items():
        print(f"| {name} | {fmt(wall)} | {fmt(cpu)} | {fmt(rss, '.0f')} |")
    # the themes and the QDA exports run beside other stages: their wall time overlaps theirs;
    # so does the ingestion's, when the anonymise stage's model was loaded meanwhile
    model = "the anonymise stage's model, loaded meanwhile"
    beside = [n for n in ("themes", "analyst's QDA exports",
                          *(("read, validate and publish the wave", "descriptive summary")
                            if model in result["stages"] else ()))
              if n in result["stages"]]
    accounted = sum(w for n, (w, _, _) in result["stages"].items() if w and n not in beside)
    print(f"| not timed (publication, exit) | {result['wall'] - accounted:.1f} | | |")
    if beside:
        print(f"\n({' and '.join(beside)} ran beside the other stages: their wall time is "
              "left out of the sum that leaves the time not timed)")


def main_peak_mb(result: dict) -> float | None:
    """The main process's peak over the run (the manifest's last figure is the highest)."""
    peaks = [rss for _, _, rss in result["stages"].values() if rss is not None]
    return max(peaks) if peaks else None


def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(slope, intercept) of the least-squares line through the points (the line through
    them when there are two)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, my - slope * mx


def print_stage_peaks(results: dict[int, dict]) -> None:
    """The main process's peak at the end of each stage, size by size, and its growth from
    one size to the next (what each stage adds as the corpus grows)."""
    sizes = sorted(results)
    names = [name for name in dict.fromkeys(n for r in results.values() for n in r["stages"])
             if any(results[s]["stages"].get(name, (None, None, None))[2] for s in sizes)]
    if not names:
        return
    print("\nMain process's peak RSS at the end of each stage (MB):\n")
    growth = [f"{a:,} -> {b:,}" for a, b in zip(sizes, sizes[1:], strict=False)]
    print("| stage | " + " | ".join(f"{n:,}" for n in sizes) +
          "".join(f" | growth {g}" for g in growth) + " |")
    print("|---|" + "---:|" * (len(sizes) + len(growth)))
    for name in names:
        peaks = [results[s]["stages"].get(name, (None, None, None))[2] for s in sizes]
        rises = [f"{b / a - 1:+.0%}" if a and b else "" for a, b in zip(peaks, peaks[1:],
                                                                          strict=False)]
        print(f"| {name} | " + " | ".join(fmt(p, ".0f") for p in peaks) +
              "".join(f" | {r}" for r in rises) + " |")
    print()


def print_growth(results: dict[int, dict]) -> None:
    sizes = sorted(results)
    print("\n## Growth and projection\n")
    print("Memory targets are read against the whole tree's peak PSS: the forked workers share "
          "the pages of the model, which the summed RSS counts once per process.\n")
    print("| answers | wall (s) | peak RSS, main process (MB) | peak RSS, all processes (MB) "
          "| peak PSS, all processes (MB) |")
    print("|---:|---:|---:|---:|---:|")
    for n in sizes:
        r = results[n]
        print(f"| {n:,} | {r['wall']:.1f} | {fmt(main_peak_mb(r), '.0f')} | "
              f"{r['tree_peak_mb']:.0f} | {r['tree_pss_mb']:.0f} |")
    print_stage_peaks(results)
    checks = {}
    if 35_627 in results:  # every real answer and no other
        checks["real answers end to end (s)"] = results[35_627]["wall"]
    if 100_000 in results:
        checks["peak RSS at 100,000 answers (MB)"] = results[100_000]["tree_pss_mb"]
    if 100_000 in results and 300_000 in results:
        checks["peak RSS growth 100,000 -> 300,000"] = (
            results[300_000]["tree_pss_mb"] / results[100_000]["tree_pss_mb"] - 1)
    if len(sizes) >= 2:
        print()
        for a, b in zip(sizes, sizes[1:], strict=False):
            ra, rb = results[a], results[b]

            def per_k(key, ra=ra, rb=rb, a=a, b=b):
                return (key(rb) - key(ra)) / (b - a) * 1000

            main = (f"{per_k(main_peak_mb):+.1f} MB main process, "
                    if main_peak_mb(ra) is not None and main_peak_mb(rb) is not None else "")
            print(f"per 1,000 answers ({a:,} -> {b:,}): {per_k(lambda r: r['wall']):.2f} s, "
                  f"{main}{per_k(lambda r: r['tree_peak_mb']):+.1f} MB all processes (RSS), "
                  f"{per_k(lambda r: r['tree_pss_mb']):+.1f} MB all processes (PSS)")
        xs = [float(n) for n in sizes]
        fit = "the line through" if len(sizes) == 2 else "the least-squares line through"
        projected = {}
        for label, key in (("wall (min)", lambda r: r["wall"] / 60),
                           ("peak RSS, main process (MB)", main_peak_mb),
                           ("peak RSS, all processes (MB)", lambda r: r["tree_peak_mb"]),
                           ("peak PSS, all processes (MB)", lambda r: r["tree_pss_mb"])):
            ys = [key(results[n]) for n in sizes]
            if None in ys:
                continue
            slope, intercept = linear_fit(xs, ys)
            projected[label] = slope * 1_000_000 + intercept
        print(f"\n10^6 answers, linear projection ({fit} the {len(sizes)} sizes measured, "
              "nothing else assumed): " + ", ".join(
                  f"{label} {value:.1f}" if "min" in label else f"{label} {value:.0f}"
                  for label, value in projected.items()))
        if projected["wall (min)"] < results[sizes[-1]]["wall"] / 60:
            print("(the wall times fall as the corpus grows: they were taken under different "
                  "loads, and the wall projection says nothing)")
        checks["10^6 answers projected (min)"] = projected["wall (min)"]
        checks["10^6 answers projected peak RSS (MB)"] = projected["peak PSS, all processes (MB)"]
    print("\n| target | measured | limit | met |")
    print("|---|---:|---:|---|")
    for name, value in checks.items():
        limit = TARGETS[name]
        met = "yes" if 0 <= value <= limit else "no" if value > limit else "?"
        print(f"| {name} | {value:.2f} | {limit} | {met} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[35_627, 100_000, 300_000])
    parser.add_argument("--no-notebooks", action="store_true", help="skip the notebooks")
    parser.add_argument("--keep", type=Path, help="keep the waves and outputs in this folder")
    parser.add_argument("--bertopic-python", help="a Python where BERTopic is installed")
    args = parser.parse_args(argv)
    if not SOURCE.is_dir():
        raise SystemExit(f"real answers not found: {SOURCE} (see ../shared/realdata/README.md)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="da-scale-"))
    print(f"# dialogue-analysis at scale ({os.cpu_count()} cores)")
    results = {}
    try:
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            answers = corpus(size)
            config = write_wave(work / f"wave-{size}", answers)
            # the recombined answers are longer than the real ones on average (a sentence drawn
            # from all the answers' sentences is more often one of a long answer): said here, as
            # the time and memory follow the characters more than the number of answers
            chars = sum(len(t) for texts in answers.values() for t in texts)
            del answers
            print(f"\ncorpus of {size:,} answers ({chars / 1e6:.1f} million characters, "
                  f"{chars / size:.0f} an answer) written in {time.perf_counter() - t0:.1f} s",
                  flush=True)
            results[size] = run_once(config, work / f"root-{size}", not args.no_notebooks)
            print_run(size, results[size])
            sys.stdout.flush()
        print_growth(results)
        if args.bertopic_python:
            print(f"\nBERTopic on the real answers: {bertopic(args.bertopic_python)}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
