"""The anonymise stage's cache: a rerun reads what was found in each text instead of running the
model again, loads no model when every text is cached, and gives the same tables byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dialogue_analysis.anonymise import anonymise_answers, load_ner_model

REPO = Path(__file__).resolve().parents[2]

ANSWERS = pd.DataFrame({
    "record_id": ["r1", "r1", "r2", "r3", "r4"],
    "question_id": ["q1", "q2", "q1", "q1", "q1"],
    "text": [
        "Je m'appelle Josiane Lefèvre et la CAF ne me répond jamais.",
        "Appelez-moi au 06 47 82 19 33 ou écrivez à josiane.lefevre58@free.fr.",
        "Lefèvre m'a aidé pour le dossier, comme Mme Caron à la mairie.",
        "Rien à signaler, le bus passe deux fois par jour.",
        None,
    ],
})
ORIGINALS = ["Josiane", "Lefèvre", "Lefevre", "06 47 82 19 33", "josiane.lefevre58@free.fr",
             "Caron"]


@pytest.fixture(scope="module")
def nlp():
    return load_ner_model()  # settings.anonymise_model's default, as a run builds it


def _same(a, b) -> None:
    for name in ("answers", "mapping", "spans"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def _parquet_bytes(df: pd.DataFrame, path: Path) -> bytes:
    df.to_parquet(path, index=False)
    return path.read_bytes()


def test_a_rerun_reads_the_cache_and_gives_the_same_tables(tmp_path, nlp):
    cache = tmp_path / "data" / "interim" / "w" / "_anonymise_cache"
    cold = anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache)
    assert (cold.n_cached, cold.n_ner_texts) == (0, 4)
    warm = anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache)
    assert (warm.n_cached, warm.n_ner_texts) == (4, 4)
    _same(cold, warm)
    assert (_parquet_bytes(cold.answers, tmp_path / "a.parquet")
            == _parquet_bytes(warm.answers, tmp_path / "b.parquet"))
    # the surname alone in r2 is the one of r1: found across the wave on the rerun too
    assert warm.answers["text"].iloc[2].startswith("[PERSONNE_1] m'a aidé")
    # without a cache, the same tables again
    _same(cold, anonymise_answers(ANSWERS, nlp=nlp))


def test_another_model_never_reads_the_entities_this_one_found(tmp_path, nlp):
    from dialogue_analysis.anonymise import DEFAULT_MODEL
    from dialogue_analysis.nlp import DEFAULT_MODEL as SMALL
    from dialogue_analysis.nlp import PERSONS, model_id

    # the default: fr_core_news_md with the toolkit's person recogniser, whose id names its
    # weights
    assert DEFAULT_MODEL == "fr_core_news_md" + PERSONS and nlp is load_ner_model(DEFAULT_MODEL)
    cache = tmp_path / "data" / "interim" / "w" / "_anonymise_cache"
    tuned = anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache)
    assert tuned.model == model_id(DEFAULT_MODEL, purpose="anonymise")
    assert tuned.model.startswith("fr_core_news_md-3.8.0+persons-") and tuned.n_cached == 0
    assert [p.name.rsplit("-", 1)[0] for p in cache.iterdir()] == [tuned.model]
    # the small model reads every text again, in a folder of its own
    small = anonymise_answers(ANSWERS, model=SMALL, cache_dir=cache)
    assert (small.model, small.n_cached, small.n_ner_texts) == ("fr_core_news_sm-3.8.0", 0, 4)
    assert [p.name.rsplit("-", 1)[0] for p in cache.iterdir()] == ["fr_core_news_sm-3.8.0"]
    # so does the medium model's own recogniser (settings.person_recogniser: model)
    own = anonymise_answers(ANSWERS, model="fr_core_news_md", cache_dir=cache)
    assert (own.model, own.n_cached) == ("fr_core_news_md-3.8.0", 0)
    assert [p.name.rsplit("-", 1)[0] for p in cache.iterdir()] == ["fr_core_news_md-3.8.0"]
    # back to the default, named or given as a pipeline: read again, then cached
    again = anonymise_answers(ANSWERS, model=DEFAULT_MODEL, cache_dir=cache)
    assert (again.n_cached, anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache).n_cached) == (0, 4)
    _same(tuned, again)


def test_a_model_that_is_not_installed_names_the_setting(tmp_path):
    from dialogue_analysis.nlp import ModelNotInstalledError

    cache = tmp_path / "cache"
    for kwargs in ({}, {"cache_dir": cache}):
        with pytest.raises(ModelNotInstalledError,
                           match=r"settings.anonymise_model: spaCy model 'fr_core_news_absent' "
                                 r"is not installed.*pip install fr-core-news-absent"):
            anonymise_answers(ANSWERS, model="fr_core_news_absent", **kwargs)
    assert not cache.exists()


def test_only_new_texts_are_read_by_the_model(tmp_path, nlp):
    cache = tmp_path / "cache"
    anonymise_answers(ANSWERS.iloc[:3], nlp=nlp, cache_dir=cache)
    more = anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache, cache_batch=1)
    assert more.n_cached == 3 and more.n_ner_texts == 4
    # one file per batch of texts read now (here one text): 2 files in all
    assert len(list(cache.rglob("found-*.parquet"))) == 2
    # small batches, with a cache or without one: the same tables
    _same(more, anonymise_answers(ANSWERS, nlp=nlp, cache_batch=1))


def test_the_cache_holds_offsets_not_identifiers(tmp_path, nlp):
    cache = tmp_path / "cache"
    anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache)
    found = sorted(cache.rglob("found-*.parquet"))
    assert len(found) == 1
    table = pq.read_table(found[0])
    assert table.column_names == ["doc", "start", "end", "kind", "source"]
    assert table.num_rows >= 4  # a person, a phone, an e-mail in r1; a title + name in r2
    content = json.dumps(table.to_pylist(), ensure_ascii=False) + str(table.schema.metadata)
    assert not [s for s in ORIGINALS if s.casefold() in content.casefold()]


def test_the_cache_is_refused_in_shared_folders(tmp_path, nlp):
    for shared in (tmp_path / "data" / "processed" / "w", tmp_path / "reports" / "w"):
        with pytest.raises(ValueError, match="data/interim"):
            anonymise_answers(ANSWERS, nlp=nlp, cache_dir=shared / "_anonymise_cache")
        assert not shared.exists()


def test_other_stopnames_read_the_texts_again_and_drop_the_old_cache(tmp_path, nlp):
    cache = tmp_path / "cache"
    first = anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache)
    old = {p.name for p in cache.iterdir()}
    res = anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache, extra_stopnames=["Caron"])
    assert res.n_cached == 0
    assert "Caron" in res.answers["text"].iloc[2]
    assert "Caron" not in first.answers["text"].iloc[2]
    assert not old & {p.name for p in cache.iterdir()}


WARM_RUN = """
import json, sys
import pandas as pd
from dialogue_analysis.anonymise import anonymise_answers
answers = pd.read_json(sys.argv[1], orient="records", dtype=False)
res = anonymise_answers(answers, cache_dir=sys.argv[2])
print(json.dumps({"spacy": "spacy" in sys.modules, "n_cached": res.n_cached,
                  "n_ner_texts": res.n_ner_texts, "text": res.answers["text"].fillna("").tolist()}))
"""


def test_a_warm_run_loads_no_model(tmp_path, nlp):
    """With every text cached, spaCy is not even imported (the model's words are read from the
    cache folder)."""
    cache = tmp_path / "cache"
    cold = anonymise_answers(ANSWERS, nlp=nlp, cache_dir=cache)
    data = tmp_path / "answers.json"
    ANSWERS.to_json(data, orient="records", force_ascii=False)
    out = subprocess.run([sys.executable, "-c", WARM_RUN, str(data), str(cache)],
                         capture_output=True, text=True, check=True, cwd=REPO)
    warm = json.loads(out.stdout.strip().splitlines()[-1])
    assert warm["spacy"] is False
    assert (warm["n_cached"], warm["n_ner_texts"]) == (4, 4)
    assert warm["text"] == cold.answers["text"].fillna("").tolist()


def test_the_saved_model_words_answer_as_the_model(tmp_path, nlp):
    from dialogue_analysis.anonymise._lexicon import _lexicon
    from dialogue_analysis.anonymise._words_store import load_words, save_words

    model = _lexicon(nlp)
    save_words(model, tmp_path)
    saved = load_words(tmp_path)
    # common words, inflected forms only the lemmatizer's lookup table knows, spaCy's reserved
    # symbols ("agent" is one), names, accents and case
    only_forms = ["abandonnaient", "abattoirs", "abbesses", "abdiqua"]
    words = sorted(model._words)[::50] + only_forms + [
        "agent", "mangeons", "noircissait", "suédoise", "Bonjour", "Abgrall", "Rosalie",
        "xyzzy", "ORG", "Œuvre", "DEVELOPPER", "j'", "a"]
    assert [w in saved for w in words] == [w in model for w in words]
    assert all(w in saved and w not in model._words for w in only_forms)
    assert [saved.opens_sentence(w) for w in words] == [model.opens_sentence(w) for w in words]
