"""The Word report written by ``publish``, read back with python-docx."""

import re

import pandas as pd
import pytest

from dialogue_analysis.report import fmt_pct, mask_mark, typology_is_clear
from tests.analysis_fixtures import IDENTIFIERS, built_wave

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def doc():
    import docx

    built = built_wave()
    return docx.Document(str(built.published["docx"]))


def _int(text: str) -> int:
    return int(text.replace(NNBSP, "").replace("\u00a0", ""))


def _table_after(doc, caption: str):
    """The Word table that follows the Caption paragraph starting with ``caption``."""
    body = list(doc.element.body.iterchildren())
    for i, node in enumerate(body):
        if node.tag.endswith("}p") and "".join(node.itertext()).startswith(caption):
            for nxt in body[i + 1:]:
                if nxt.tag.endswith("}tbl"):
                    return next(t for t in doc.tables if t._tbl is nxt)
    raise AssertionError(f"no table captioned {caption!r}")


def test_sections_are_styled_headings_with_a_table_of_contents(doc):
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Principaux enseignements"
    assert any("Limites" in h for h in headings) and any("Méthodologie" in h for h in headings)
    assert doc.paragraphs[0].style.name == "Title"
    instr = "".join(doc.element.body.xpath(".//w:instrText/text()"))
    assert instr.startswith("TOC ")
    # styles, not direct formatting: no run sets its own font, size, bold or colour
    for p in doc.paragraphs:
        for r in p.runs:
            assert r.font.size is None and r.font.bold is None and r.font.name is None
            assert r.font.color.rgb is None


def test_key_findings_carry_the_numbers_of_the_findings_table(doc):
    a = built_wave().analysis
    items = [p.text for p in doc.paragraphs if p.style.name == "List Paragraph"]
    assert len(items) == len(a.findings)
    annex = "\n".join(p.text for p in doc.paragraphs)
    for row in a.findings.to_dict("records"):
        text = items[row["finding"] - 1]
        assert text.startswith(f"{row['finding']}. ")
        assert a.code_label(row["code"], "fr") in text and fmt_pct(row["share"], "fr") in text
        if row["finding"] in set(a.finding_quotes["finding"]):
            assert "verbatims" in text  # the reference to the quotes annex
            assert f"{row['finding']}." in annex
        if row["kind"] == "contrast":
            tv = re.search(r"valeur-test (-?\d+,\d)", text).group(1)
            assert float(tv.replace(",", ".")) == pytest.approx(row["test_value"], abs=0.051)


def test_tables_are_word_tables_with_the_analysis_numbers(doc):
    a = built_wave().analysis
    assert len(doc.tables) >= 8
    services = _table_after(doc, "Services")
    prev = a.prevalence[a.prevalence["dimension"] == "all"].set_index("code")
    rows = {r.cells[0].text: r for r in services.rows[1:]}
    for code in a.family_codes("service"):
        cells = rows[a.code_label(code, "fr")].cells
        assert _int(cells[1].text) == prev.loc[code, "count"]
        assert cells[2].text == fmt_pct(prev.loc[code, "share"], "fr")


def test_cross_table_masks_the_same_cells_as_the_html_with_its_note(doc):
    a = built_wave().analysis
    table = _table_after(doc, "Personnes consultées par groupe et par territoire")
    cells = [c.text for r in table.rows[1:] for c in r.cells[1:]]
    assert cells.count(mask_mark("fr")) == 4  # as in the HTML report (three small cells + one)
    cross = pd.crosstab(a.records["stakeholder_group"].astype(str),
                        a.records["territory"].astype(str))
    columns = [c.text for c in table.rows[0].cells]
    compared = 0
    for row in table.rows[1:]:
        label = row.cells[0].text
        for col, cell in zip(columns[1:], row.cells[1:], strict=True):
            if label in cross.index and col in cross.columns and cell.text != mask_mark("fr"):
                assert _int(cell.text) == cross.loc[label, col], (label, col)
                compared += 1
    assert compared >= 4
    notes = [p.text for p in doc.paragraphs if p.style.name == "Note"]
    assert any("masqu" in n for n in notes)


def test_figures_have_captions_and_alt_text(doc):
    pics = doc.inline_shapes
    assert len(pics) >= 8
    for pic in pics:
        assert pic._inline.docPr.get("descr")
    paragraphs = doc.paragraphs
    holders = [i for i, p in enumerate(paragraphs) if p._p.xpath(".//pic:pic")]
    assert len(holders) == len(pics)
    for i in holders:  # kept with the caption under it, which names no file
        assert paragraphs[i].style.name == "Figure"
        assert paragraphs[i].style.paragraph_format.keep_with_next
        caption = paragraphs[i + 1]
        assert caption.style.name == "Caption" and caption.text
        assert "_" not in caption.text and "(figure" not in caption.text


def test_typology_quotes_and_privacy(doc):
    a = built_wave().analysis
    text = "\n".join(p.text for p in doc.paragraphs)
    if typology_is_clear(a):
        assert "Groupe 1" in text or "Group 1" in text
    else:
        assert "typologie nette" in text.lower()
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert quotes and all(q.startswith("«") for q in quotes)
    for ident in IDENTIFIERS:
        assert ident not in text
