"""The pre-publication scan flags every structured identifier the anonymise stage detects."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dialogue_analysis.anonymise import detect_identifiers
from dialogue_analysis.core import PrivacyError, assert_clean, csv_text, scan_published
from dialogue_analysis.core.identifier_patterns import KINDS
from dialogue_analysis.report import write_tables
from tests.anonymise import test_anonymise as examples

PLANTED = Path(__file__).resolve().parents[1] / "data" / "planted_identifiers.yaml"
NIRS = ["1 85 05 78 006 084 91", "185057800608491", "2 68 11 75 112 034 99",
        "1 72 06 59 350 112", "2.75.09.33.063.118.54", "2 94 03 2A 012 345 41",
        "3 85 05 78 006 084 91", "4 72 06 59 350 112", "7 85 05 2B 006 084", "8 01 12 99 123 456"]


def _params(test) -> list:
    """The examples a parametrised test of the anonymiser runs on."""
    mark = next(m for m in test.pytestmark if m.name == "parametrize")
    return list(mark.args[1])


def example_texts() -> list[str]:
    planted = yaml.safe_load(PLANTED.read_text(encoding="utf-8"))
    texts = [t for record in planted["records"] for t in record["texts"]]
    texts += [f"Mon numéro est le {p}, appelez le soir." for p in
              _params(examples.test_phone_spellings)]
    texts += [f"Mon RIB : {iban} CAF." for iban in _params(examples.test_iban)]
    texts += [text for text, _ in _params(examples.test_social_handle_alone_is_replaced)]
    texts += [f"Numéro de sécu : {nir}." for nir in NIRS]
    texts += ["Appelez le +44 20 7946 0958 ou le 0049 30 1234 5678.",
              "Écrivez à marie (at) exemple.fr ou paul arobase exemple.org."]
    return texts


TEXTS = example_texts()


def detected(texts) -> list[tuple[str, str]]:
    return sorted({(i.kind, i.text) for t in texts
                   for i in detect_identifiers(t, use_ner=False) if i.kind in KINDS})


def test_examples_cover_every_structured_kind():
    assert {kind for kind, _ in detected(TEXTS)} == set(KINDS)
    assert len(detected(TEXTS)) >= 50


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The example answers as the report writers would publish them: HTML, CSV and XLSX."""
    folder = tmp_path_factory.mktemp("published")
    paras = "\n".join(f"<p>{html.escape(t)}</p>" for t in TEXTS)
    (folder / "findings.html").write_text(
        f"<html><head><style>@media print {{ p {{ margin: 0 }} }}</style></head>"
        f"<body>{paras}</body></html>", encoding="utf-8")
    frame = pd.DataFrame({"quote": TEXTS, "share": [0.833333333333333] * len(TEXTS)})
    (folder / "quotes.csv").write_text(csv_text(frame, index=False), encoding="utf-8")
    write_tables({"quotes": frame}, folder / "findings.xlsx", title="t")
    return folder


@pytest.mark.parametrize("part", ["findings.html", "quotes.csv", "findings.xlsx"])
def test_scan_flags_everything_the_anonymiser_detects(published, part):
    hits = scan_published(published / part)
    flagged = {(kind, html.unescape(match)) for kind, match in zip(hits["kind"], hits["match"],
                                                                   strict=True)}
    missed = [(kind, text) for kind, text in detected(TEXTS)
              if not any(k == kind and text in m for k, m in flagged)]
    assert not missed
    assert not [m for m in flagged if m[1] in ("@media", "833333333333333")]


def test_assert_clean_refuses_and_passes(published, tmp_path):
    with pytest.raises(PrivacyError, match="iban"):
        assert_clean(published)
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "t.html").write_text(
        '<html><style>@page { size: A4 }</style><svg><path d="M 100.00524 224.759096 '
        'L 32012 43.975833"/></svg><p>Taux : 0.833333333333333 ; 2.48780487804878 ; '
        'sha256 0698451230ab5f</p></html>',
        encoding="utf-8")
    assert scan_published(clean).empty
