"""The toolkit's languages and its one catalogue of user-facing text.

:func:`tr` says a message of ingestion, validation or the command line (:mod:`.messages`);
:class:`Words` says the words of the reports (:mod:`.report_words`).
"""

from __future__ import annotations

from .messages import MESSAGES
from .report_words import TEXT

LANGUAGES = ("fr", "en")

# What one record is, from the config's ``study.unit``: (singular, plural) in each language.
UNIT_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "interview": (("entretien", "entretiens"), ("interview", "interviews")),
    "respondent": (("répondant", "répondants"), ("respondent", "respondents")),
    "contribution": (("contribution", "contributions"), ("contribution", "contributions")),
}


def unit_names(unit: str, language: str) -> tuple[str, str]:
    """What one record is called (singular, plural), e.g. ``("répondant", "répondants")``."""
    words = UNIT_WORDS.get(unit, UNIT_WORDS["interview"])
    return words[LANGUAGES.index(language)]


def tr(code: str, language: str = "fr", /, **params) -> str:
    """Message ``code`` in ``language`` ("fr" or "en"), formatted with ``params``."""
    french, english = MESSAGES[code]
    return (english if language == "en" else french).format(**params)


class Words:
    """The report's words in one language: ``w.title``, ``w("source", wave=..., n=...)``."""

    def __init__(self, language: str):
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}: use 'fr' or 'en'")
        self.language = language
        self._i = LANGUAGES.index(language)

    def __getattr__(self, key: str) -> str:
        try:
            return TEXT[key][self._i]
        except KeyError:
            raise AttributeError(key) from None

    def __call__(self, key: str, **kw) -> str:
        return TEXT[key][self._i].format(**kw)

    def dim(self, dimension: str) -> str:
        return TEXT[dimension][self._i] if dimension in TEXT else dimension.replace("_", " ")
