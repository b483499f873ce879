"""The held-out person sets of the recall benchmark are well formed, and the blind one stays blind.

Set 5 is the blind test of the person detector: its names must stay off the package's word
lists, or its figures would measure the lists instead of the detector.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"
LISTS = Path(__file__).resolve().parents[2] / "src" / "dialogue_analysis" / "data"
SETS = sorted(DATA.glob("heldout_persons*.yaml"))
# titles and particles that are no name of their own
NOT_NAMES = {"mme", "m", "dr", "madame", "monsieur", "mademoiselle", "docteur", "de", "da", "dos",
             "van", "ben", "ould", "le", "al", "la", "du", "des", "el", "bin", "von", "der",
             "di", "d", "l", "mr", "mrs", "ms", "y"}


def _plain(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in word if not unicodedata.combining(c))


def _name_words(value: str) -> set[str]:
    return {_plain(w) for w in re.findall(r"[^\W\d_]+", value)
            if _plain(w) not in NOT_NAMES and len(w) > 1}


def test_there_are_five_sets():
    assert [p.name for p in SETS] == [
        "heldout_persons.yaml", *(f"heldout_persons_{i}.yaml" for i in range(2, 6))]


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.stem)
def test_every_mention_occurs_in_its_record_and_sizes_hold(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    records, negatives = data["records"], data["negatives"]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    mentions = 0
    for r in records:
        text = " ".join(r["texts"])
        for ident in r["identifiers"]:
            assert ident["kind"] == "person"
            assert re.search(r"(?<!\w)" + re.escape(ident["value"]) + r"(?!\w)", text), (
                r["id"], ident["value"])
            mentions += 1
    assert mentions >= 300 and len(negatives) >= 300


def test_the_blind_sets_names_are_on_none_of_the_packages_lists():
    listed = set()
    for name in ("person_first_names.txt", "person_stopnames.txt"):
        for line in (LISTS / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                listed |= _name_words(line)
    data = yaml.safe_load((DATA / "heldout_persons_5.yaml").read_text(encoding="utf-8"))
    words = {w for r in data["records"] for i in r["identifiers"] for w in _name_words(i["value"])}
    assert len(words) > 250
    assert not words & listed, sorted(words & listed)
