"""The shipped word lists are matched as trees of their letters, and match as before.

The first names, the lower-case first names and the stop names are each one alternation of
thousands of words; written as a tree of letters (``_longest_first``) the engine tries only the
letters that can follow at each position. The tree must accept exactly what the plain
alternation, longest word first, accepts: the patterns ``run`` builds are compared with the
same patterns written the plain way, on crafted texts and on real answers nobody here wrote.
"""

import re
from pathlib import Path

import pytest

from dialogue_analysis import load_project, read_wave
from dialogue_analysis.anonymise._detect import _Detector
from dialogue_analysis.anonymise._lexicon import (
    _first_names,
    _fold,
    _fold_same_length,
    _longest_first,
    _lower_first_name_re,
    load_stopnames,
)

CONFIG = Path(__file__).resolve().parents[1] / "realdata" / "entendre_la_france.yaml"
CRAFTED = [
    "Jean, Jeanne et Jeannine sont venues avec Jean-Pierre.",
    "J'ai vu Marie Claire Dupont et Anne-Sophie hier.",
    "kevin mabiala m'a appelé, puis jeannine.",
    "La CAF de Paris et Pôle emploi, la Poste, Leclerc.",
    "",
]


def _plain(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def test_a_tree_tries_longer_words_first():
    assert _longest_first(["Jean", "Jeanne", "Jeannine", "Marc"]) == \
        "(?:Jean(?:n(?:e|ine)|)|Marc)"
    rx = re.compile(rf"(?:{_longest_first(['a', 'ab', 'abc'])})c")
    assert rx.match("abc").group() == "abc"  # "abc" then "c" fails: "ab" then "c"
    assert _longest_first([]) == ""


@pytest.fixture(scope="module")
def patterns(nlp):
    """(shipped pattern, the same with the plain alternation, texts to fold) per word list."""
    det = _Detector(nlp)
    first = _first_names()
    lower = {n.lower() for n in first if n.lower() not in det.lexicon and len(n) > 3}
    stop = {_fold(n) for n in load_stopnames() if n.strip()}
    out = []
    for rx, words, fold in ((det.first_name_re, first, False),
                            (_lower_first_name_re(det.lexicon), lower, False),
                            (det.stop_re, stop, True)):
        tree = _longest_first(words)
        assert len(words) > 100 and tree in rx.pattern
        out.append((rx, re.compile(rx.pattern.replace(tree, _plain(words), 1)), fold))
    return out


def _finds(rx: re.Pattern, texts: list[str]) -> list[list[tuple]]:
    return [[m.span() + m.groups() for m in rx.finditer(t)] for t in texts]


def _assert_same(patterns, texts: list[str]) -> int:
    n = 0
    for tree, plain, fold in patterns:
        read = [_fold_same_length(t) for t in texts] if fold else texts
        found = _finds(tree, read)
        assert found == _finds(plain, read)
        n += sum(map(len, found))
    return n


def test_crafted_texts_match_the_same(patterns):
    assert _assert_same(patterns, CRAFTED) >= 8


@pytest.mark.realdata
def test_real_answers_match_the_same(realdata, patterns):
    texts = read_wave(load_project(CONFIG)).answers["text"].astype(str).tolist()
    assert len(texts) >= 2000
    assert _assert_same(patterns, texts) >= 100
