"""The fast pipeline's lemma table: nouns of the field stay nouns, the file is canonical, and
its content names the pipeline's parses."""

from __future__ import annotations

import re

import dialogue_analysis.nlp as da_nlp

FAST = da_nlp.DEFAULT_MODEL + da_nlp.LOOKUP


def _lemmas(text: str) -> dict[str, str]:
    return {t.text: t.lemma_ for t in da_nlp.build_pipeline("parse", FAST)(text)}


def test_the_fast_pipeline_gives_the_nouns_of_the_field_the_full_pipelines_lemma():
    fast = _lemmas("Démarches en ligne. Les démarches par téléphone sont longues.")
    full = {t.text: t.lemma_ for t in da_nlp.build_pipeline("parse")(
        "Démarches en ligne. Les démarches par téléphone sont longues.")}
    for form in ("Démarches", "démarches"):
        assert fast[form] == full[form] == "démarche"  # spaCy's lookup table: "démarcher"
    assert fast["téléphone"] == full["téléphone"] == "téléphone"  # not "téléphoner"
    assert fast["Les"] == "le"  # lower-cased as the full pipeline's lemmas
    assert da_nlp.lookup_lemma_table().get("démarches") == "démarcher"


def test_the_lemma_table_is_sorted_lower_cased_letters_and_one_lemma_per_form():
    raw = da_nlp.LEMMA_TABLE.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw
    lines = raw.decode("utf-8").splitlines()
    assert len(lines) > 300
    forms = [line.split("\t")[0] for line in lines]
    assert forms == sorted(set(forms))  # sorted, each form once
    for line in lines:
        form, lemma = line.split("\t")
        assert form == form.lower() and form.isalpha(), line
        assert lemma and lemma == lemma.strip() and not re.search(r"\d", lemma), line
        assert lemma != da_nlp.lookup_lemma_table().get(form, form), line  # corrections only


def test_the_fast_pipelines_version_names_its_lemma_table():
    tag = da_nlp.lemma_table_tag()
    assert re.fullmatch(r"[0-9a-f]{8}", tag)
    assert da_nlp.model_id(FAST).endswith("-" + tag)
    assert da_nlp.build_pipeline("parse", FAST).meta["version"].endswith("-" + tag)


def _builder():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "tools" / "build_lemma_table.py"
    spec = importlib.util.spec_from_file_location("build_lemma_table", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_the_table_keeps_frequent_lower_case_corrections_of_the_lookup_table(tmp_path):
    from collections import Counter

    tool = _builder()
    lookup = {"démarches": "démarcher", "services": "service", "aides": "aider"}
    counts = {
        "démarches": Counter({"démarche": 6, "démarcher": 2}),  # corrects the lookup table
        "services": Counter({"service": 9}),  # the lookup table agrees: not kept
        "aides": Counter({"aide": 2, "aider": 1}),  # seen 3 times only
        "lefèvre": Counter({"Lefèvre": 7}),  # only ever written with a capital: a name
        "guichets": Counter({"guichet": 3, "guichets": 3}),  # a tie: the first alphabetically
    }
    lower_seen = {"démarches", "services", "aides", "guichets"}
    table = tool.lemma_table(counts, lower_seen, lookup, min_count=5)
    assert table == {"démarches": "démarche", "guichets": "guichet"}
    out = tmp_path / "lemmas.tsv"
    tool.write_table(table, out)
    assert out.read_bytes() == "démarches\tdémarche\nguichets\tguichet\n".encode()
