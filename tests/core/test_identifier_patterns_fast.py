"""The number patterns open on their first character, and match exactly as written plainly.

IBAN, NIR and phone patterns look at the character before a match only after its first
character, so that the engine can skip to the characters a match may start with. Here they are
compared with the same patterns written with the look-behind first: on identifiers in every
layout, glued to letters and digits, in markup like the pre-publication scan reads, and on real
answers nobody here wrote.
"""

import random
import re

import pytest

from dialogue_analysis.core import structured_identifiers
from dialogue_analysis.core.identifier_patterns import IBAN_RE, NIR_RE, PHONE_RE

_NIR_SEP = r"[ \u00a0.\-]?"
_PH_SEP = r"[ \u00a0\u202f.\-/]?"
PLAIN = {
    "iban": re.compile(
        r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![\w])"),
    "nir": re.compile(
        rf"(?<![\d\w])[1-478]{_NIR_SEP}\d{{2}}{_NIR_SEP}(?:0[1-9]|1[0-2]|[2-9]\d){_NIR_SEP}"
        rf"(?:\d{{2}}|2[ABab]){_NIR_SEP}\d{{3}}{_NIR_SEP}\d{{3}}(?:{_NIR_SEP}\d{{2}})?(?![\d])"),
    "phone": re.compile(
        rf"(?<![\d+\w])(?:(?:\+|00)[ \u00a0]?33[ \u00a0]?(?:\(0\)[ \u00a0]?)?[1-9]|0[1-9])"
        rf"(?:{_PH_SEP}\d){{8}}(?![\d])"
        rf"|(?<![\d+\w])(?:\+|00)(?!33)[1-9]\d{{0,2}}(?:[ \u00a0.\-]?\(?\d{{1,4}}\)?){{2,6}}"
        rf"(?![\d])"),
}
SHIPPED = {"iban": IBAN_RE, "nir": NIR_RE, "phone": PHONE_RE}
IDENTIFIERS = [
    "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "06/12/34/56/78", "0612345678",
    "+33 6 12 34 56 78", "+33612345678", "0033 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78",
    "+32 4 12 34 56 78", "0044 20 7946 0958", "+1 (212) 555 0100", "+3361234567899",
    "1 85 05 78 006 084 36", "185057800608436", "2 85 05 2A 006 084", "1.84.12.75.108.123",
    "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189",
    "GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00",
]
AROUND = ["", " ", "\n", "x", "7", "+", "0", "A", "é", "(", "<b>", '="', "/", ".", "-", "\u00a0"]


def _finds(rx: re.Pattern, texts: list[str]) -> list[list[tuple[int, int]]]:
    return [[m.span() for m in rx.finditer(t)] for t in texts]


def _assert_same(texts: list[str]) -> int:
    n = 0
    for kind, plain in PLAIN.items():
        found = _finds(SHIPPED[kind], texts)
        assert found == _finds(plain, texts), kind
        n += sum(map(len, found))
    return n


def test_identifiers_glued_to_anything_match_the_same():
    texts = [f"{a}{i}{b}" for i in IDENTIFIERS for a in AROUND for b in AROUND]
    assert _assert_same(texts) >= len(IDENTIFIERS) * 100


def test_markup_and_strings_of_digits_match_the_same():
    rng = random.Random(0)
    markup = "".join(
        f'<PlainTextSelection guid=" " name="Q15-{rng.randint(1, 99999)} C{rng.randint(1, 40):02d}" '
        f'startPosition="{rng.randint(0, 900)}" endPosition="{rng.randint(0, 900)}">'
        f"<Description>{rng.choice(IDENTIFIERS)} {rng.randint(0, 10**9)}</Description>"
        "</PlainTextSelection>\n" for _ in range(2000))
    alphabet = "0123456789 +.-()/AFRB\u00a0\n"
    noise = ["".join(rng.choice(alphabet) for _ in range(200)) for _ in range(2000)]
    assert _assert_same([markup, *noise]) >= 1000


def test_a_text_with_nine_digits_is_read_by_the_number_patterns():
    assert structured_identifiers("06 12 34 56 7") == []  # eight digits: none
    assert [k for *_, k in structured_identifiers("tel 06 12 34 56 78")] == ["phone"]
    assert [k for *_, k in structured_identifiers("1 2 3 4 5 6 7 8 · 06 12 34 56 78")] == ["phone"]


@pytest.mark.realdata
def test_real_answers_match_the_same(realdata):
    import csv

    texts = []
    for path in sorted((realdata / "grand_debat_services_publics").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            texts += [" ".join(v for v in row.values() if isinstance(v, str))
                      for row in csv.DictReader(f)]
    assert len(texts) > 30000
    _assert_same(texts)
