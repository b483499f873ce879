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
FIGURE_WIDTH_CM = 15.0  # within the text width of both A4 and Letter pages
TEXT_WIDTH_CM = 15.0
LINE_CHARACTERS = 70  # about what a line of a table cell holds across the text width
CELL_PADDING_CHARACTERS = 4  # a cell's margins, and the bold of a header, in characters
FIGURE_STYLE = "Figure"  # the paragraph holding a picture, kept with its caption
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
    figure = doc.styles.add_style(FIGURE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    figure.base_style = doc.styles["Normal"]
    figure.paragraph_format.keep_with_next = True  # the caption comes under the picture
    # A table's caption sits above it: never alone at the foot of a page.
    doc.styles["Caption"].paragraph_format.keep_with_next = True
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
            if _back_link(el):
                return  # the HTML's "back to the finding" link has no place on paper
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
            else:  # shown until the field is updated: the section titles, one a line
                for i, li in enumerate(nav.iter("li")):
                    if i:
                        run._r.append(OxmlElement("w:br"))
                    node = OxmlElement("w:t")
                    node.set(qn("xml:space"), "preserve")
                    node.text = _text(li)
                    run._r.append(node)
                continue
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
        _fit_columns(table, rows)
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                cell = table.cell(i, j)
                cell.text = value
                if i < heads and value:
                    cell.paragraphs[0].runs[0].style = "Strong"
        for row in table.rows:
            _row_flag(row, "w:cantSplit")  # a row is never cut across two pages
        if heads:
            _row_flag(table.rows[0], "w:tblHeader")  # the header repeats on each page

    def figure(self, el) -> None:
        from docx.shared import Cm

        img, cap = el.find(".//img"), el.find("figcaption")
        src = img.get("src") if img is not None else None
        if not src or not Path(src).is_file():
            return
        if cap is not None:  # the figure's file name is for the HTML reader
            for ref in cap.xpath(".//span[contains(concat(' ', @class, ' '), ' note ')]"):
                ref.drop_tree()
        caption = _text(cap) if cap is not None else ""
        run = self.doc.add_paragraph(style=FIGURE_STYLE).add_run()
        shape = run.add_picture(src, width=Cm(FIGURE_WIDTH_CM))
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


def _back_link(p) -> bool:
    """A paragraph that is only a link to elsewhere in the HTML page."""
    links = p.findall("a")
    return bool(links) and all((a.get("href") or "").startswith("#") for a in links) \
        and not (p.text or "").strip()


def _fit_columns(table, rows: list[list[str]]) -> None:
    """Columns as wide as their words need, within the page's text width.

    Word and LibreOffice otherwise give every column the same width, which breaks the words
    of a long first column ("personne / s en précarité") while number columns stay half empty.
    Each column gets its longest word at least; what is left of the line goes to the columns
    in proportion to what their longest cell still lacks.
    """
    from docx.shared import Cm

    width = len(table.columns)
    pad = CELL_PADDING_CHARACTERS
    longest = [max((len(r[j]) for r in rows if j < len(r)), default=0) + pad
               for j in range(width)]
    word = [max((len(w) for r in rows if j < len(r) for w in r[j].split()), default=0) + pad
            for j in range(width)]
    need = [max(min(w, lg), 3) for w, lg in zip(word, longest, strict=True)]
    lack = sum(max(lg - n, 0) for n, lg in zip(need, longest, strict=True))
    room = max(LINE_CHARACTERS - sum(need), 0)
    fill = min(1.0, room / lack) if lack else 0.0
    share = [n + fill * max(lg - n, 0) for n, lg in zip(need, longest, strict=True)]
    total = sum(share)
    table.autofit = False
    for j, column in enumerate(table.columns):
        column.width = Cm(TEXT_WIDTH_CM * share[j] / total)
        for cell in column.cells:
            cell.width = Cm(TEXT_WIDTH_CM * share[j] / total)


def _row_flag(row, tag: str) -> None:
    """Set an on/off property of a table row (repeat as header, never split)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    node = OxmlElement(tag)
    node.set(qn("w:val"), "true")
    tr_pr.append(node)
