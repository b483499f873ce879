"""Structured identifiers are found whatever character the text lacks: the patterns are tried
only on texts holding a character they need ("@", "/", a digit), never fewer matches."""

import pytest

from dialogue_analysis.core.identifier_patterns import structured_identifiers


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("écrivez à jean.dupont (at) exemple.fr demain", ["email"]),
        ("écrivez à jean.dupont[at]exemple.fr demain", ["email"]),
        ("écrivez à jean.dupont arobase exemple.fr demain", ["email"]),
        ("écrivez à jean.dupont arrobase exemple.fr demain", ["email"]),
        ("mon mail jean.dupont@exemple.fr merci", ["email"]),
        ("suivez @yasmina.b93 sur Insta", ["url"]),
        ("mon profil WWW.FACEBOOK.COM/jean.dupont.75", ["url"]),
        ("mon profil facebook.com/jean.dupont.75, merci", ["url"]),
        ("<p>voir HTTPS://exemple.org/?user=jdupont</p>", ["url"]),
        ("<a>écrivez-moi sur t.me/jdupont</a><b>ou m.facebook.com/profile.php?id=42</b>", ["url", "url"]),
        ('<Source plainTextPath="internal://4f1e.txt"/>, le site ameli.fr/assure', []),
        ("appelez le 06 12 34 56 78", ["phone"]),
        ("IBAN FR76 3000 6000 0112 3456 7890 189", ["iban"]),
        ("numéro de sécu 1 84 12 75 108 123 45", ["nir"]),
        ("plus de services publics à la campagne, et des guichets ouverts", []),
        ("la mairie ouvre le samedi (at the weekend)", []),
    ],
)
def test_found_with_or_without_the_characters_each_pattern_needs(text, kinds):
    assert sorted(kind for _, _, kind in structured_identifiers(text)) == kinds


def test_spans_point_at_the_identifiers():
    text = "Jean : jean.dupont (at) exemple.fr ou 06 12 34 56 78."
    found = {kind: text[start:end] for start, end, kind in structured_identifiers(text)}
    assert found == {"email": "jean.dupont (at) exemple.fr", "phone": "06 12 34 56 78"}


@pytest.mark.parametrize("seed", range(3))
def test_the_url_pattern_is_tried_on_every_text_that_could_hold_a_link(seed):
    # Markup and text made of the pieces links are made of: wherever URL_RE finds a match,
    # the cheaper search that decides whether to run it finds something too.
    import random

    from dialogue_analysis.core.identifier_patterns import _URL_HINT, URL_RE

    pieces = ["http", "https", "HTTP", "://", "www", "WWW", ".", "/", "fr", "COM", "me", "fb",
              "t", "wa", "co", "io", "jean", "-", "_", " ", "</a>", "<p>", "internal", "@", "9"]
    rng = random.Random(seed)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(20_000)]
    matched = [t for t in texts if URL_RE.search(t)]
    assert len(matched) > 500
    assert all(_URL_HINT.search(t) for t in matched)
