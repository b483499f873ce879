"""The findings report as an editable Word document (``findings.docx``).

The document is built from the HTML report itself (the same template rendered with the same
context), so it says exactly what the HTML says, masks the same cells and cites the same
quotes. Every paragraph carries a named style (Title, Heading 1-3, Caption, Quote, List
Bullet, Note...) and no direct formatting, so that an organisation's template restyles it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..analysis import Analysis

# HTML element -> Word paragraph style.
HEADINGS = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
NOTE_STYLE = "Note"  # small print under tables and figures: sources, bases, masking
TABLE_STYLE = "Table Grid"
FIGURE_WIDTH_CM = 16.0
TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
_SPACE = re.compile(r"[ \t\r\n\f\v]+")  # keeps French no-break spaces


def report_markup(a: Analysis, language: str, figures: dict) -> str:
    """The HTML report with each figure's ``src`` set to its PNG file (Word takes no SVG)."""
    from ._html import _env, context

    images = {name: str(paths["png"]) for name, paths in figures.items()}
    return _env().get_template("findings.html.j2").render(**context(a, language, images))


def write_docx(a: Analysis, path: str | os.PathLike, figures: dict,
               language: str | None = None) -> Path:
    """Write ``findings.docx``.

    Parameters
    ----------
    a : Analysis
    path : path
        Target file (written atomically).
    figures : dict
        ``name -> {"png": path, ...}`` as returned by :func:`write_figures`.
    language : {"fr", "en"}, optional
    """
    import lxml.html

    from ..core.storage import atomic_path

    language = language or a.language
    tree = lxml.html.fromstring(report_markup(a, language, figures))
    doc = _document(language)
    builder = _Builder(doc)
    header = tree.find(".//header")
    if header is not None:
        builder.cover(header)
    main = tree.find(".//main")
    for el in (main if main is not None else []):
        builder.block(el)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)


def _document(language: str):
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = docx.Document()
    doc.core_properties.language = language
    doc.core_properties.title = ""
    note = doc.styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = doc.styles["Normal"]
    note.font.size = Pt(8.5)
    note.quick_style = True
    # Word fills the table of contents when the document opens.
    update = doc.settings.element.makeelement(qn("w:updateFields"), {qn("w:val"): "true"})
    doc.settings.element.append(update)
    return doc


def _text(el) -> str:
    return _SPACE.sub(" ", el.text_content()).strip()


class _Builder:
    """Walks the report's HTML and appends the matching Word blocks."""

    def __init__(self, doc):
        self.doc = doc

    def cover(self, header) -> None:
        title = header.find(".//h1")  # the title first, then what the cover says around it
        if title is not None:
            self.doc.add_paragraph(_text(title), style="Title")
        for el in header.iter("div", "p", "li"):
            cls = el.get("class", "")
            if el.tag == "p" and "sub" in cls:
                for line in el.itertext():
                    if line.strip():
                        self.doc.add_paragraph(line.strip(), style="Subtitle")
            elif el.tag == "div" and "kicker" in cls:
                self.doc.add_paragraph(_text(el), style="Subtitle")
            elif el.tag == "li":  # a figure and its label, in separate elements
                words = " ".join(t.strip() for t in el.itertext() if t.strip())
                self.doc.add_paragraph(words, style="List Bullet")
        self.doc.add_page_break()

    def block(self, el) -> None:
        tag, cls = el.tag, el.get("class", "")
        if tag == "nav":
            self.toc(el)
        elif tag in HEADINGS:  # "1." and the title are separate spans in the HTML
            words = " ".join(t.strip() for t in el.itertext() if t.strip())
            self.doc.add_paragraph(words, style=HEADINGS[tag])
        elif tag == "p":
            if _text(el):
                self.doc.add_paragraph(_text(el), style=NOTE_STYLE if "note" in cls else "Normal")
        elif tag in ("ul", "ol"):
            style = "List Number" if tag == "ol" else "List Bullet"
            findings = "findings" in cls  # numbered as in the HTML, for the annex's references
            for li in el.findall("li"):
                self.doc.add_paragraph(_item_text(li, findings),
                                       style="List Paragraph" if findings else style)
        elif tag == "dl":
            for dt in el.findall("dt"):
                dd = dt.getnext()
                p = self.doc.add_paragraph(style="Normal")
                p.add_run(_text(dt) + " : " if self.doc.core_properties.language == "fr"
                          else _text(dt) + ": ", style="Strong")
                p.add_run(_text(dd) if dd is not None else "")
        elif tag == "table":
            self.table(el)
        elif tag == "figure":
            self.figure(el)
        elif tag == "blockquote":
            self.quote(el)
        elif tag in ("section", "div", "details"):
            for child in el:
                self.block(child)

    def toc(self, nav) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        title = nav.find("h2")
        self.doc.add_paragraph(_text(title) if title is not None else "", style="TOC Heading")
        run = self.doc.add_paragraph().add_run()
        for kind, text in (("begin", None), (None, TOC_INSTRUCTION), ("separate", None),
                           (None, None), ("end", None)):
            if kind:
                node = OxmlElement("w:fldChar")
                node.set(qn("w:fldCharType"), kind)
            elif text:
                node = OxmlElement("w:instrText")
                node.set(qn("xml:space"), "preserve")
                node.text = text
            else:  # shown until the field is updated: the section titles
                node = OxmlElement("w:t")
                node.text = " · ".join(_text(li) for li in nav.iter("li"))
            run._r.append(node)
        self.doc.add_page_break()

    def table(self, el) -> None:
        caption = el.find("caption")
        if caption is not None:
            self.doc.add_paragraph(_text(caption), style="Caption")
        rows = [[_text(c) for c in tr if c.tag in ("td", "th")] for tr in el.iter("tr")]
        rows = [r for r in rows if r]
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = self.doc.add_table(rows=len(rows), cols=width, style=TABLE_STYLE)
        heads = len(el.findall("thead/tr"))
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                cell = table.cell(i, j)
                cell.text = value
                if i < heads and value:
                    cell.paragraphs[0].runs[0].style = "Strong"
        if heads:
            _repeat_header(table.rows[0])

    def figure(self, el) -> None:
        from docx.shared import Cm

        img, cap = el.find(".//img"), el.find("figcaption")
        src = img.get("src") if img is not None else None
        if not src or not Path(src).is_file():
            return
        caption = _text(cap) if cap is not None else ""
        shape = self.doc.add_picture(src, width=Cm(FIGURE_WIDTH_CM))
        shape._inline.docPr.set("descr", img.get("alt") or caption)
        self.doc.add_paragraph(caption, style="Caption")

    def quote(self, el) -> None:
        cite = el.find("cite")
        who = _text(cite) if cite is not None else ""
        if cite is not None:
            cite.drop_tree()
        self.doc.add_paragraph(_text(el), style="Quote")
        if who:
            self.doc.add_paragraph(who, style=NOTE_STYLE)


def _item_text(li, numbered: bool) -> str:
    """A list item's words; a key finding keeps its number ("3. ..."), which the quotes annex
    refers to."""
    import copy

    li = copy.deepcopy(li)
    number = ""
    for child in li.xpath("./span[contains(concat(' ', @class, ' '), ' n ')]"):
        number = _text(child)
        child.drop_tree()
    return f"{number}. {_text(li)}" if numbered and number else _text(li)


def _repeat_header(row) -> None:
    """Mark a table's header row to repeat on each page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    node = OxmlElement("w:tblHeader")
    node.set(qn("w:val"), "true")
    tr_pr.append(node)
