"""A short board deck (``findings.pptx``, 16:9) from the report's own words.

Title, who was consulted, one slide per key finding (the finding's sentence with its number and
base, the figure of its family, one quote), the typology verdict, the priority matrix and a
method-and-limits slide. Every text sits in a layout placeholder (title, body) so that an
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
_TAG = re.compile(r"<[^>]+>")


def _plain(markup) -> str:
    import html

    return html.unescape(_TAG.sub("", str(markup)))


def _widen(prs) -> None:
    """16:9 slides, the master's and layouts' placeholders stretched to the new width."""
    from pptx.util import Inches

    scale = Inches(WIDE[0]) / prs.slide_width
    prs.slide_width, prs.slide_height = Inches(WIDE[0]), Inches(WIDE[1])
    for holder in [prs.slide_master, *prs.slide_layouts]:
        for shape in holder.placeholders:
            if shape.left is not None and shape.width is not None:
                shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)


def _slide(prs, layout: int, title: str, lines: list[str] = ()):
    slide = prs.slides.add_slide(prs.slide_layouts[layout])
    slide.shapes.title.text = title
    bodies = [p for p in slide.placeholders if p.placeholder_format.idx != 0]
    if lines and bodies:
        from pptx.enum.text import MSO_AUTO_SIZE

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
        lines = [_plain(f["sentence"])]
        if f["quotes"]:
            q = f["quotes"][0]
            lines.append(f"« {q['text']} »" if fr else f"“{q['text']}”")
        name = DIMENSION_FIGURE.get(row["dimension"]) if row["family"] == "need" else None
        name = name if name in figures else FAMILY_FIGURE.get(str(row["family"]))
        slide, bodies = _slide(prs, LAYOUT_TWO if name in figures else LAYOUT_CONTENT,
                               f"{w.key_findings} {f['n']}", lines)
        if name in figures and len(bodies) > 1:
            _picture(slide, bodies[1], figures[name]["png"], lines[0])
    from ._html import typology_verdict

    _slide(prs, LAYOUT_CONTENT, str(w.typology), [typology_verdict(a, language)] + [
        f"{c.get('title') or c.get('name') or ''}".strip() for c in ctx["cards"]
        if c.get("title") or c.get("name")])
    if ctx["priority"]["rows"] and "12_priority_matrix" in figures:
        top = ctx["priority"]["top_right"]
        slide, bodies = _slide(prs, LAYOUT_TWO, str(w.priorities), top[:8] or ["–"])
        _picture(slide, bodies[1], figures["12_priority_matrix"]["png"], str(w.priorities))
    _slide(prs, LAYOUT_CONTENT, f"{w.methodology} · {w.limitations}", ctx["limitations"][:5])
    with atomic_path(path) as tmp:
        prs.save(str(tmp))
    return Path(path)
