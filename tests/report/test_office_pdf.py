"""The Word report and the deck opened by LibreOffice: converted to PDF (``soffice --headless``)
and read back with poppler's ``pdftotext``, as an analyst's office suite would show them.

Skipped where LibreOffice or poppler is not installed (the CI set-up, ``.ci/run``, installs both).
"""

import re
import shutil
import subprocess

import pytest

from dialogue_analysis.report import fmt_int, typology_is_clear
from tests.analysis_fixtures import IDENTIFIERS, built_wave

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="LibreOffice (soffice) and poppler-utils (pdftotext, pdfinfo) are not installed")

_WORD = re.compile(r"\w{4,}")
_BOX = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">|'
                  r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">'
                  r"([^<]*)</word>")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """``{"docx": pdf, "pptx": pdf}`` converted by LibreOffice from the published files."""
    out = tmp_path_factory.mktemp("office")
    profile = (out / "profile").as_uri()  # a profile of its own: no clash with a running office
    published = built_wave().published
    pdf = {}
    for kind in ("docx", "pptx"):
        target = out / kind
        subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(target),
                        str(published[kind])], check=True, capture_output=True, timeout=300)
        pdf[kind] = target / "findings.pdf"
        assert pdf[kind].is_file(), f"LibreOffice wrote no PDF for findings.{kind}"
    return pdf


def _pages(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def _text(pdf) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def _flat(text: str) -> str:
    """Words only, one space apart: PDF lines break where the page does."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def _expected_slides(a) -> int:
    from pptx import Presentation

    groups = len(a.groups) if typology_is_clear(a) and len(a.groups) else 0
    typology = groups if 0 < groups <= 6 else 1
    priority = int(len(a.priority) > 0 and a.priority["x"].notna().any())
    expected = 2 + len(a.findings) + typology + priority + 1
    assert len(Presentation(str(built_wave().published["pptx"])).slides) == expected
    return expected


def test_deck_has_one_page_per_slide_and_says_the_findings(pdfs):
    a = built_wave().analysis
    assert _pages(pdfs["pptx"]) == _expected_slides(a)
    text = _flat(_text(pdfs["pptx"]))
    assert "Qui a été consulté, et comment" in text
    assert "Typologie des parties prenantes" in text and "Matrice de priorités" in text
    for row in a.findings.to_dict("records"):
        assert _flat(a.code_label(row["code"], "fr")) in text
        assert f"({fmt_int(row['count'], 'fr')} sur {fmt_int(row['n'], 'fr')})" \
            .replace("\u202f", " ") in text
    for ident in IDENTIFIERS:
        assert ident not in text


def test_every_word_of_the_deck_lies_on_its_slide(pdfs):
    """A title or a body placed off the slide, or text spilling past its edge, is cut off on
    screen: every word's box must lie within its page."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdfs["pptx"]), "-"], check=True,
                         capture_output=True, text=True).stdout
    width = height = None
    words = 0
    for m in _BOX.finditer(out):
        if m.group(1):
            width, height = float(m.group(1)), float(m.group(2))
            continue
        x0, y0, x1, y1 = (float(m.group(i)) for i in range(3, 7))
        words += 1
        assert x0 >= 0 and y0 >= 0 and x1 <= width + 0.5 and y1 <= height + 0.5, m.group(7)
    assert words > 200


def test_word_report_pages_keep_tables_words_whole_and_drop_page_links(pdfs):
    """Every word of every table heading is printed whole (a column too narrow cuts
    "précarité" into "préca" and "rité"), and the HTML's in-page links are not printed."""
    import docx

    document = docx.Document(str(built_wave().published["docx"]))
    pages = _pages(pdfs["docx"])
    assert 15 <= pages <= 60, pages
    text = _text(pdfs["docx"])
    printed = set(_WORD.findall(text))
    heads = {w for t in document.tables for cell in t.rows[0].cells
             for w in _WORD.findall(cell.text)}
    assert heads and heads <= printed, sorted(heads - printed)
    flat = _flat(text)
    assert "Sommaire" in flat and "Principaux enseignements" in flat
    assert "retour au constat" not in flat
    assert "Intervalle de confiance à 95 %" in flat
    a = built_wave().analysis
    quote = str(a.finding_quotes.sort_values(["finding", "rank"])["text"].iloc[0])
    assert _flat(quote)[:60] in flat
    for ident in IDENTIFIERS:
        assert ident not in flat
