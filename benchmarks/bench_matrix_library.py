"""The spaCy models' matrix products computed with numpy (OpenBLAS) against thinc's BLIS.

The toolkit loads its models with numpy's matrix products, one thread (``nlp/_model.py``,
``_load_model``). This prints, for the anonymise stage's recogniser and for the NLP stage's
full pipeline, on the first N distinct real answers (``../shared/realdata/``, shuffled with a
fixed seed), the CPU seconds of each library and how many answers come out differently:

- anonymise: the identifiers found in each answer (``_Detector.find`` on the docs the stage
  reads, one process, as ``run`` builds them);
- parse (``nlp_pipeline: full``): each token's tag, lemma, head and dependency.

Each library runs in a process of its own, the model built by ``build_pipeline``, after one
warm-up pass over the same answers.

Usage::

    python benchmarks/bench_matrix_library.py [N]   # N = 8000 by default
"""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "benchmarks"))

SEED = 0


def answers(n: int) -> list[str]:
    from bench_scale import real_answers

    texts = [t for v in real_answers().values() for t in v if t.strip()]
    random.Random(SEED).shuffle(texts)
    return list(dict.fromkeys(texts))[:n]


def measure(library: str, purpose: str, n: int, out: Path) -> None:
    """In this process: read the answers with ``library``'s products, write what was found."""
    from dialogue_analysis.nlp import _model

    _model._USE_BLIS = library == "blis"
    texts = answers(n)
    if purpose == "anonymise":
        from dialogue_analysis.anonymise._anonymise import _docs
        from dialogue_analysis.anonymise._detect import _Detector

        det = _Detector(_model.build_pipeline("anonymise"))

        def read():
            return [det.find(t, d) for t, d in zip(texts, _docs(det, texts, 64, 1), strict=True)]
    else:
        from dialogue_analysis.nlp._parallel import pipe_docs

        nlp = _model.build_pipeline("parse", _model.DEFAULT_MODEL)

        def read():
            return [[(t.tag_, t.lemma_, t.head.i, t.dep_) for t in doc]
                    for doc in pipe_docs(nlp, texts, batch_size=64)]
    read()
    start = time.process_time()
    found = read()
    cpu = time.process_time() - start
    out.write_bytes(pickle.dumps({"cpu": cpu, "found": found}))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        measure(sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
        return 0
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for purpose in ("anonymise", "parse"):
            got = {}
            for library in ("blis", "numpy"):
                path = Path(tmp) / f"{purpose}-{library}.pkl"
                subprocess.run([sys.executable, __file__, "--one", library, purpose, str(n),
                                str(path)], check=True, env=os.environ.copy())
                got[library] = pickle.loads(path.read_bytes())
            differ = sum(a != b for a, b in zip(got["blis"]["found"], got["numpy"]["found"],
                                                strict=True))
            rows.append({"pipeline": purpose, "answers": len(got["blis"]["found"]),
                         "blis_cpu_s": round(got["blis"]["cpu"], 2),
                         "numpy_cpu_s": round(got["numpy"]["cpu"], 2),
                         "answers_read_differently": differ})
    print("| pipeline | answers | BLIS (CPU s) | numpy (CPU s) | numpy / BLIS | answers read "
          "differently |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['pipeline']} | {r['answers']:,} | {r['blis_cpu_s']:.2f} | "
              f"{r['numpy_cpu_s']:.2f} | {r['numpy_cpu_s'] / r['blis_cpu_s']:.2f} | "
              f"{r['answers_read_differently']} |")
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
