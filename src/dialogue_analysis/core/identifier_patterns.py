"""Structured identifiers: e-mail, personal URL, social handle, IBAN, NIR, phone.

One copy of the regular expressions and checks, used by the anonymise stage (which replaces
what they find with placeholders) and by the pre-publication scan
(:func:`dialogue_analysis.privacy.scan_published`, which refuses to publish a file where they
find anything): the scan can never be narrower than the anonymiser.

- e-mail: also written ``nom (at) domaine.fr`` or ``nom arobase domaine.fr``;
- URL: only those that point at a person (a profile on a social network, a link with a user
  id); a social-network handle written alone (``@yasmina.b93``);
- IBAN: any country, checked with its mod-97 key (a mistyped key still counts when the length
  is plausible);
- NIR (French social security number): first digit 1, 2, 3, 4, 7 or 8, Corsica ``2A``/``2B``,
  with or without its key;
- phone: French numbers in every usual layout, and international ones (``+32 4 12 34 56 78``).

Persons and postal addresses are found by the anonymise stage itself (NER, lists, street
patterns); they are not structured identifiers.
"""

from __future__ import annotations

import itertools
import re

KINDS = ("email", "url", "iban", "nir", "phone")
_TRAILING = ".,;:!?)»'’\""

EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+"
    r"(?:\s?@\s?|\s?[(\[](?:at|arobase)[)\]]\s?|\s(?:arobase|arrobase)\s)"
    r"[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}\b"
)

_URL_DOMAINS = "com|fr|net|org|eu|be|ch|io|me|info|tv|ly|gl|co"
URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"«»]+"
    rf"|\b(?:[\w-]+\.)+(?:{_URL_DOMAINS})/[^\s<>\"«»]+"
    r"|\b(?:fb\.me|t\.me|wa\.me)/[^\s<>\"«»]+",
    re.IGNORECASE,
)
# What every match of URL_RE holds ("fb.me/" holds ".me/"): a text without it is not scanned
# by URL_RE, whose word-by-word tries cost four times this search on markup full of "</".
_URL_HINT = re.compile(rf"https?://|www\.|\.(?:{_URL_DOMAINS})/", re.IGNORECASE)
SOCIAL_DOMAINS = re.compile(
    r"(?:^|\.|//)(?:facebook\.com|fb\.com|fb\.me|m\.facebook\.com|instagram\.com|twitter\.com|"
    r"x\.com|linkedin\.com|tiktok\.com|snapchat\.com|youtube\.com|t\.me|wa\.me|vk\.com|"
    r"pinterest\.\w+|github\.com|copainsdavant\.\w+|viadeo\.com|threads\.net|bsky\.app|"
    r"doctolib\.fr|pagesjaunes\.fr|societe\.com|leboncoin\.fr/profil)",
    re.IGNORECASE,
)
PERSONAL_URL_PART = re.compile(
    r"[?&;](?:id|uid|user|userid|user_id|username|profile|profile_id|profil|member|membre|"
    r"pseudo|login|email|mail|nom|name|tel|phone|account|compte|client|dossier|token)=[^&\s]+"
    r"|/(?:user|users|u|profile|profil|profiles|membre|membres|member|members|people|in|"
    r"compte|account|client|dossier)/[^/\s]+"
    r"|/@[\w.-]+"
    r"|/[a-z]+\.[a-z]+\d*/?$",
    re.IGNORECASE,
)

# The number patterns each open on the character a match starts with, and only then look at
# the character before it (``(?<![\w]{_ANY})`` after one character is ``(?<![\w])`` before it):
# the engine then skips to the next character that can start a match instead of trying every
# position, several times faster on the markup the pre-publication scan reads. The same matches
# as with the look-behind first (tests/core/test_identifier_patterns_fast.py).
_ANY = r"[\s\S]"
IBAN_RE = re.compile(
    rf"[A-Z](?<![\w]{_ANY})[A-Z]\d{{2}}(?:[ ]?[A-Z0-9]{{4}}){{2,7}}(?:[ ]?[A-Z0-9]{{1,4}})?(?![\w])"
)

_NIR_SEP = r"[ \u00a0.\-]?"
NIR_RE = re.compile(
    rf"[1-478](?<![\d\w]{_ANY}){_NIR_SEP}\d{{2}}{_NIR_SEP}(?:0[1-9]|1[0-2]|[2-9]\d){_NIR_SEP}"
    rf"(?:\d{{2}}|2[ABab]){_NIR_SEP}\d{{3}}{_NIR_SEP}\d{{3}}(?:{_NIR_SEP}\d{{2}})?(?![\d])"
)

_PH_SEP = r"[ \u00a0\u202f.\-/]?"
_PH_BEFORE = rf"(?<![\d+\w]{_ANY})"
_PH_FR_AFTER_33 = rf"[ \u00a0]?33[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9](?:{_PH_SEP}\d){{8}}(?![\d])"
_PH_OTHER_AFTER_PREFIX = r"(?!33)[1-9]\d{0,2}(?:[ \u00a0.\-]?\(?\d{1,4}\)?){2,6}(?![\d])"
PHONE_RE = re.compile(
    # French: +33 6 12 34 56 78, 0033 6..., 06 12 34 56 78
    rf"\+{_PH_BEFORE}{_PH_FR_AFTER_33}|0{_PH_BEFORE}0{_PH_FR_AFTER_33}"
    rf"|0{_PH_BEFORE}[1-9](?:{_PH_SEP}\d){{8}}(?![\d])"
    # other countries: +32 4 12 34 56 78, +44 20 7946 0958...
    rf"|\+{_PH_BEFORE}{_PH_OTHER_AFTER_PREFIX}|0{_PH_BEFORE}0{_PH_OTHER_AFTER_PREFIX}"
)

# What an e-mail written without "@" holds ("(at)", "[at]", "arobase"); IBAN, NIR and phone
# patterns all need a digit.
_EMAIL_WORDS = ("at)", "at]", "arobase", "arrobase")
_DIGIT = re.compile(r"\d")

# A social-network handle written alone (``@yasmina.b93 sur Insta``): not inside an e-mail or a
# link, 3 to 30 characters with at least one letter.
HANDLE_RE = re.compile(r"(?<![\w.@/+-])@(?=[\w.]{0,29}[^\W\d_])[^\W][\w.]{1,28}[^\W.]")



def _mod97(digits: str) -> int:
    return int(digits) % 97


def iban_valid(compact: str) -> bool:
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return digits.isdigit() and _mod97(digits) == 1


def iban_span(m: re.Match[str]) -> tuple[int, int] | None:
    """The IBAN in a match: the longest prefix with a valid key, else a plausible one."""
    raw = m.group(0)
    compact = re.sub(r"\s", "", raw)
    if sum(c.isdigit() for c in compact) < 10:
        return None
    # try the whole match, then drop trailing groups (a capitalised word after the IBAN)
    cut = len(raw)
    while cut > 0:
        candidate = re.sub(r"\s", "", raw[:cut])
        if 15 <= len(candidate) <= 34 and iban_valid(candidate):
            return m.start(), m.start() + cut
        nxt = raw.rfind(" ", 0, cut)
        if nxt <= 0:
            break
        cut = nxt
    # invalid key: keep a plausible IBAN without its trailing letters-only group
    end = len(raw)
    tail = raw.rsplit(" ", 1)
    if len(tail) == 2 and tail[1].isalpha():
        end = len(tail[0])
    if 15 <= len(re.sub(r"\s", "", raw[:end])) <= 34:
        return m.start(), m.start() + end
    return None


def nir_key_valid(nir: str) -> bool:
    """Whether a 15-character NIR (13 digits + key; Corsica ``2A``/``2B``) has a valid key."""
    compact = re.sub(r"[\s.\-]", "", nir).upper()
    if len(compact) != 15:
        return False
    body = compact[:13].replace("2A", "19", 1) if compact[5:7] == "2A" else compact[:13]
    if compact[5:7] == "2B":
        body = compact[:5] + "18" + compact[7:13]
    if not (body.isdigit() and compact[13:].isdigit()):
        return False
    return 97 - int(body) % 97 == int(compact[13:])


def nir_plausible(nir: str) -> bool:
    """A NIR with a valid key, or a mistyped one whose month is possible (01-12, 20-42, 50-99).

    The first 13 digits identify a person even when the key is wrong, so a wrong key does not
    exclude it. Without a key (13 digits), the month must be a calendar month.
    """
    compact = re.sub(r"[\s.\-]", "", nir).upper()
    if len(compact) == 15 and nir_key_valid(compact):
        return True
    month = int(compact[3:5])
    if len(compact) == 13:
        return 1 <= month <= 12
    return 1 <= month <= 12 or 20 <= month <= 42 or month >= 50


def url_is_personal(url: str) -> bool:
    if SOCIAL_DOMAINS.search(url):
        path = re.sub(r"^(?:https?://)?[^/]+", "", url)
        return len(path.strip("/")) > 1
    return bool(PERSONAL_URL_PART.search(url))


def structured_identifiers(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every structured identifier in ``text``, overlaps allowed."""
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, kind: str) -> None:
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        if end > start:
            found.append((start, end, kind))

    # Each pattern is tried only on a text holding a character it cannot match without (most
    # answers have no "@", no "/" and no digit): the same matches, at a fraction of the cost.
    at_sign = "@" in text
    if "." in text and (at_sign or any(w in text for w in _EMAIL_WORDS)):
        for m in EMAIL_RE.finditer(text):
            add(m.start(), m.end(), "email")
    if ("/" in text or "www." in text.lower()) and _URL_HINT.search(text):
        for m in URL_RE.finditer(text):
            if url_is_personal(m.group(0).rstrip(_TRAILING)):
                add(m.start(), m.end(), "url")
    if at_sign:
        for m in HANDLE_RE.finditer(text):
            add(m.start(), m.end(), "url")
    # a phone number holds 9 digits at least, a NIR 12 and an IBAN 10: a text with fewer (most
    # answers: a year, an age, a price) holds none of them
    if next(itertools.islice(_DIGIT.finditer(text), 8, None), None) is None:  # the 9th
        return found
    for m in IBAN_RE.finditer(text):
        span = iban_span(m)
        if span:
            add(*span, "iban")
    for m in NIR_RE.finditer(text):
        if nir_plausible(m.group(0)):
            add(m.start(), m.end(), "nir")
    for m in PHONE_RE.finditer(text):
        if 9 <= sum(c.isdigit() for c in m.group(0)) <= 15:
            add(m.start(), m.end(), "phone")
    return found
