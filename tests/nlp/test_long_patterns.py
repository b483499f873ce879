"""The long patterns a model compiles, kept on disk once compiled (nlp/_long_patterns.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from dialogue_analysis.nlp import _long_patterns as lp

# a pattern past the length from which it is kept: hyphenated words, as spaCy's French list
WORDS = [f"mot{i}-{'abcdefghij'[i % 10]}" for i in range(12_000)]
LONG = "(?iu)(?:" + "|".join(rf"^{w}[a-zé]*$" for w in WORDS) + ")"
PROBES = ["mot0-a", "MOT11-Bé", "mot11999-j", "mot12000-a", "mot5-a-", "rien", "mot42-cx", ""]


def _matches(pattern: re.Pattern) -> list:
    return [None if (m := pattern.match(p)) is None else m.span() for p in PROBES]


def _compiled_inside() -> tuple[re.Pattern, int]:
    re.purge()  # re's own cache would answer before the compiler is asked
    before = lp.taken
    with lp.kept_compiled():
        pattern = re.compile(LONG)
    return pattern, lp.taken - before


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("DIALOGUE_ANALYSIS_CACHE_DIR", str(tmp_path))
    return lp.store_path()


def test_a_long_pattern_is_compiled_once_then_taken_from_the_file(store):
    assert len(LONG) >= lp.LONG_PATTERN
    first, taken = _compiled_inside()
    assert taken == 0 and store.is_file()
    again, taken = _compiled_inside()
    assert taken == 1
    assert again is not first
    assert _matches(again) == _matches(first) == _matches(re.compile(LONG, re.NOFLAG))
    assert _matches(first)[:3] == [(0, 6), (0, 8), (0, 10)] and _matches(first)[3] is None
    kept = json.loads(store.read_text(encoding="utf-8"))["patterns"]
    assert [e["pattern"] for e in kept] == [LONG]  # short patterns are never kept
    re.purge()


def test_code_the_engine_refuses_is_compiled_again_and_kept_anew(store):
    _compiled_inside()
    data = json.loads(store.read_text(encoding="utf-8"))
    data["patterns"][0]["compiled"][2] = data["patterns"][0]["compiled"][2][:50]  # cut short
    store.write_text(json.dumps(data), encoding="utf-8")
    pattern, taken = _compiled_inside()
    assert taken == 0
    assert _matches(pattern) == _matches(re.compile(LONG))
    _, taken = _compiled_inside()  # the file was written again, whole
    assert taken == 1
    re.purge()


def test_a_folder_that_cannot_be_written_only_means_compiling(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("DIALOGUE_ANALYSIS_CACHE_DIR", str(blocker))
    pattern, taken = _compiled_inside()
    assert taken == 0 and _matches(pattern) == _matches(re.compile(LONG))
    assert blocker.read_text(encoding="utf-8") == ""
    re.purge()


# spaCy's French data compiles its pattern once per process, on import: each load in its own
_LOAD = """
import json
from dialogue_analysis.nlp import DEFAULT_NER_MODEL, build_pipeline
from dialogue_analysis.nlp import _long_patterns as lp
nlp = build_pipeline("anonymise", DEFAULT_NER_MODEL)
texts = {texts!r}
words = sorted({{w for t in texts for w in t.split()}})
match = nlp.tokenizer.token_match
print(json.dumps({{
    "taken": lp.taken,
    "tokens": [[(t.idx, t.text) for t in nlp.tokenizer(t)] for t in texts],
    "match": [None if (m := match(w)) is None else m.span() for w in words],
}}))
"""
TEXTS = [
    "Aujourd'hui peut-être qu'il viendra à Saint-Étienne-du-Rouvray, c'est-à-dire demain.",
    "Les anti-inflammatoires, l'après-midi ; est-ce qu'on peut s'inscrire au pôle-emploi ?",
    "J'habite Aix-en-Provence depuis l'an 2000 : arrière-grand-mère, sous-préfecture, e-mail.",
    "AUJOURD'HUI PEUT-ÊTRE ; Rendez-vous à la Caf de Seine-Saint-Denis, n'importe quand...",
]


def _load_in_a_process(store) -> dict:
    env = {**os.environ, "DIALOGUE_ANALYSIS_CACHE_DIR": str(store)}
    out = subprocess.run([sys.executable, "-c", _LOAD.format(texts=TEXTS)], capture_output=True,
                         text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_anonymise_model_reads_the_same_with_its_pattern_taken_from_the_file(tmp_path):
    compiled = _load_in_a_process(tmp_path)
    assert compiled["taken"] == 0
    kept = _load_in_a_process(tmp_path)
    assert kept["taken"] == 1  # spaCy's French tokenizer exceptions
    assert kept["tokens"] == compiled["tokens"]
    assert kept["match"] == compiled["match"]
    assert "Saint-Étienne-du-Rouvray" in [t for _, t in kept["tokens"][0]]
    assert any(span is not None for span in kept["match"])  # the pattern does match words
