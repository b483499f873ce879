"""A short board deck (``findings.pptx``, 16:9) from the report's own words.

Title, who was consulted, one slide per key finding (its headline as the title, its number and
base, the figure of its family, one quote), the typology (one slide per group with who they
are, what they raise, their size and a quote, a summary grid when the groups are many, or one
slide saying that there is no clear typology with what sets the profiles apart), the priority
matrix and a method-and-limits slide. Every text sits in a layout placeholder (title, body) so that an
organisation's master restyles the deck; every picture has its caption as alternative text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..analysis import Analysis

WIDE = (13.333, 7.5)  # inches, 16:9
LAYOUT_TITLE, LAYOUT_CONTENT, LAYOUT_TWO = 0, 1, 3
FAMILY_FIGURE = {"service": "03_critical_services", "barrier": "04_barriers", "need": "05_needs"}
DIMENSION_FIGURE = {"stakeholder_group": "06_needs_by_group", "territory": "07_needs_by_territory"}
PRIORITY_LIST_SHARE = 0.3  # of the two boxes' width, for the list beside the matrix
MAX_GROUP_SLIDES = 6  # more groups than this: one summary grid instead of a slide each
QUOTE_CHARACTERS = 220  # a quote longer than this is cut at a word, with an ellipsis
_TAG = re.compile(r"<[^>]+>")
_COLON = re.compile(r"\s?:\s")  # French puts a (no-break) space before the colon


def _plain(markup) -> str:
    import html

    return html.unescape(_TAG.sub("", str(markup)))


def _widen(prs) -> None:
    """16:9 slides, the master's and layouts' placeholders stretched to the new width.

    A layout's placeholder without a position of its own reports its master's, and writing one
    coordinate gives it a position whose others are zero: all four are read before any is
    written, and all four are written, so that none is stretched twice or collapsed."""
    from pptx.util import Inches

    scale = Inches(WIDE[0]) / prs.slide_width
    prs.slide_width, prs.slide_height = Inches(WIDE[0]), Inches(WIDE[1])
    shapes = [s for holder in [prs.slide_master, *prs.slide_layouts] for s in holder.placeholders
              if None not in (s.left, s.top, s.width, s.height)]
    boxes = [(s.left, s.top, s.width, s.height) for s in shapes]
    for shape, (left, top, width, height) in zip(shapes, boxes, strict=True):
        shape.left, shape.top = int(left * scale), top
        shape.width, shape.height = int(width * scale), height


def _headline(sentence: str, language: str) -> tuple[str, str]:
    """A finding's sentence cut into a headline and the number that bears it out:
    "X is the most cited: 62% (100 of 160)" -> ("X is the most cited", "62% (100 of 160)")."""
    parts = _COLON.split(sentence, maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        return "", sentence
    head, rest = parts[0], parts[1].strip()
    return head.strip(), rest[:1].upper() + rest[1:]


def _quoted(text: str, fr: bool) -> str:
    text = str(text).strip()
    if len(text) > QUOTE_CHARACTERS:
        text = text[:QUOTE_CHARACTERS].rsplit(" ", 1)[0].rstrip(",;:") + " […]"
    return f"« {text} »" if fr else f"“{text}”"


def _slide(prs, layout: int, title: str, lines: list[str] = ()):
    from pptx.enum.text import MSO_AUTO_SIZE

    slide = prs.slides.add_slide(prs.slide_layouts[layout])
    slide.shapes.title.text = title
    slide.shapes.title.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # a headline
    bodies = [p for p in slide.placeholders if p.placeholder_format.idx != 0]
    if lines and bodies:
        frame = bodies[0].text_frame
        frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # long sentences shrink, never spill
        frame.text = lines[0]
        for line in lines[1:]:
            frame.add_paragraph().text = line
    return slide, bodies


def _picture(slide, holder, path: Path, alt: str) -> None:
    """The figure in the place of ``holder`` (kept within its box), with ``alt`` as alt text."""
    from PIL import Image

    with Image.open(path) as im:
        w, h = im.size
    box_w, box_h = holder.width, holder.height
    width = min(box_w, int(box_h * w / h))
    height = int(width * h / w)
    left, top = holder.left + (box_w - width) // 2, holder.top + (box_h - height) // 2
    holder._element.getparent().remove(holder._element)
    pic = slide.shapes.add_picture(str(path), left, top, width, height)
    pic._element.nvPicPr.cNvPr.set("descr", alt)


def write_pptx(a: Analysis, path: str | os.PathLike, figures: dict,
               language: str | None = None) -> Path:
    """Write ``findings.pptx`` from the report context and the figures' PNGs."""
    from pptx import Presentation

    from ..core.storage import atomic_path
    from ._html import context

    language = language or a.language
    ctx = context(a, language, {})
    w, fr = ctx["w"], language == "fr"
    prs = Presentation()
    _widen(prs)
    title, _ = _slide(prs, LAYOUT_TITLE, str(w.title))
    title.placeholders[1].text = " · ".join(x for x in (ctx["survey_title"], str(w.subtitle),
                                                        a.wave) if x)
    consulted = ctx["consulted"]
    _slide(prs, LAYOUT_CONTENT, str(w.consulted),
           [consulted["lead"]] + [f"{i['key']} : {i['value']}" if fr else
                                  f"{i['key']}: {i['value']}" for i in consulted["items"]]
           + consulted["notes"])
    rows = a.findings.set_index("finding") if len(a.findings) else None
    for f in ctx["findings"]:
        row = rows.loc[f["n"]]
        sentence = _plain(f["sentence"])
        head, number = _headline(sentence, language)
        lines = [number]
        if f["quotes"]:
            lines.append(_quoted(f["quotes"][0]["text"], fr))
        name = DIMENSION_FIGURE.get(row["dimension"]) if row["family"] == "need" else None
        name = name if name in figures else FAMILY_FIGURE.get(str(row["family"]))
        slide, bodies = _slide(prs, LAYOUT_TWO if name in figures else LAYOUT_CONTENT,
                               head or f"{w.key_findings} {f['n']}", lines)
        if name in figures and len(bodies) > 1:
            _picture(slide, bodies[1], figures[name]["png"], sentence)
    _typology_slides(prs, a, ctx, language)
    if ctx["priority"]["rows"] and "12_priority_matrix" in figures:
        top = ctx["priority"]["top_right"]
        slide, bodies = _slide(prs, LAYOUT_TWO, str(w.priorities), top[:8] or ["–"])
        _share(bodies, PRIORITY_LIST_SHARE)  # the matrix's labels need the room
        _picture(slide, bodies[1], figures["12_priority_matrix"]["png"], str(w.priorities))
    _slide(prs, LAYOUT_CONTENT, f"{w.methodology} · {w.limitations}", ctx["limitations"][:5])
    with atomic_path(path) as tmp:
        prs.save(str(tmp))
    return Path(path)


def _share(bodies, first: float) -> None:
    """Give the first of two side-by-side boxes ``first`` of their joint width (all four
    coordinates written: a placeholder's inherited box otherwise collapses)."""
    left, right = ((b.left, b.top, b.width, b.height) for b in bodies[:2])
    gap = right[0] - (left[0] + left[2])
    total = left[2] + right[2]
    width = int(total * first)
    for body, box in zip(bodies, [(left[0], left[1], width, left[3]),
                                  (left[0] + width + gap, right[1], total - width, right[3])],
                         strict=False):
        body.left, body.top, body.width, body.height = box


def _colon(language: str) -> str:
    return " : " if language == "fr" else ": "


def _group_lines(card: dict, base: str, language: str) -> list[str]:
    """Who a group is, what it raises, its size with the base, and one quote."""
    from ..core.i18n import Words

    w, fr = Words(language), language == "fr"
    vs = f" {w.versus} "
    lines = [w("group_size", size=card["size"], base=base, share=card["share"])]
    if card["who"]:
        lines.append(w.who_they_are + _colon(language) + " ; ".join(
            f"{r['text']} ({r['share']}{vs}{r['overall']})" for r in card["who"][:3]))
    if card["needs"]:
        lines.append(w.what_they_raise + _colon(language) + " ; ".join(
            f"{r['text']} ({r['share']}{vs}{r['overall']})" for r in card["needs"][:3]))
    if card["quotes"]:
        lines.append(_quoted(card["quotes"][0]["text"], fr))
    return lines


def _typology_slides(prs, a: Analysis, ctx: dict, language: str) -> None:
    """One slide per group, a summary grid when the groups are many, or one slide saying that
    no clear typology was found, with what sets the profiles apart instead."""
    from ._html import typology_verdict

    w, cards = ctx["w"], ctx["cards"]
    if not cards:
        contrasts = []
        if ctx["no_typology"]:
            contrasts = [*ctx["no_typology"]["profile_contrasts"][:3],
                         *ctx["no_typology"]["group_contrasts"][:1]]
        _slide(prs, LAYOUT_CONTENT, str(w.typology),
               [typology_verdict(a, language)] + [_plain(c) for c in contrasts])
        return
    if len(cards) <= MAX_GROUP_SLIDES:
        for c in cards:
            _slide(prs, LAYOUT_CONTENT, f"{c['group']}. {c['label']}",
                   _group_lines(c, ctx["n_records"], language))
        return
    slide, bodies = _slide(prs, LAYOUT_CONTENT, str(w.typology))
    _grid(slide, bodies[0], [
        [f"{c['group']}. {c['label']}", f"{c['size']} ({c['share']})",
         " ; ".join(r["text"] for r in c["who"][:2]),
         " ; ".join(r["text"] for r in c["needs"][:2]),
         _quoted(c["quotes"][0]["text"], language == "fr")[:120] if c["quotes"] else ""]
        for c in cards],
        [str(w.typology_group), f"{w.people} ({ctx['n_records']})", str(w.who_they_are),
         str(w.what_they_raise), str(w.in_their_words)])


def _grid(slide, holder, rows: list[list[str]], header: list[str]) -> None:
    """A native table in the place of ``holder``: the organisation's table style applies."""
    from pptx.util import Pt

    box = holder.left, holder.top, holder.width, holder.height
    holder._element.getparent().remove(holder._element)
    table = slide.shapes.add_table(len(rows) + 1, len(header), *box).table
    for i, values in enumerate([header, *rows]):
        for j, value in enumerate(values):
            cell = table.cell(i, j)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11 if i else 12)  # a grid of many groups must fit
