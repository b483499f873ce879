"""The board deck written by ``publish``, read back with python-pptx."""

import pytest

from dialogue_analysis.report import fmt_int, fmt_pct
from tests.analysis_fixtures import IDENTIFIERS, built_wave


@pytest.fixture(scope="module")
def deck():
    from pptx import Presentation

    return Presentation(str(built_wave().published["pptx"]))


def _texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_deck_is_16_9_with_text_in_placeholders(deck):
    assert round(deck.slide_width / deck.slide_height, 2) == round(16 / 9, 2)
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text:
                assert shape.is_placeholder, shape.text_frame.text[:40]
    for slide in deck.slides:  # an empty one shows "Click to add text" on the screen
        for holder in slide.placeholders:
            assert not holder.has_text_frame or holder.text_frame.text.strip(), holder.name
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[1] == "Qui a été consulté, et comment"
    assert any("Matrice de priorités" in t for t in titles)
    assert titles[-1].startswith("Méthodologie")


def test_one_slide_per_key_finding_with_its_number_base_and_quote(deck):
    a = built_wave().analysis
    slides = list(deck.slides)[2:2 + len(a.findings)]  # after the title and who was consulted
    for slide, row in zip(slides, a.findings.sort_values("finding").to_dict("records"),
                          strict=True):
        text = _texts(slide)
        assert a.code_label(row["code"], "fr") in slide.shapes.title.text  # the headline
        assert fmt_pct(row["share"], "fr") in text
        assert f"({fmt_int(row['count'], 'fr')} sur {fmt_int(row['n'], 'fr')})" in text
        if row["finding"] in set(a.finding_quotes["finding"]):
            assert "«" in text
    with_pictures = [s for s in slides if any(sh.shape_type == 13 for sh in s.shapes)]
    assert len(with_pictures) >= len(slides) - 2


def test_pictures_have_alt_text_and_the_deck_no_identifier(deck):
    pictures = [sh for s in deck.slides for sh in s.shapes if sh.shape_type == 13]
    assert pictures
    for pic in pictures:
        assert pic._element.nvPicPr.cNvPr.get("descr")
        assert pic.left >= 0 and pic.left + pic.width <= deck.slide_width
    text = "\n".join(_texts(s) for s in deck.slides)
    assert "typologie nette" in text.lower()
    for ident in IDENTIFIERS:
        assert ident not in text


def _clear_typology_deck(tmp_path, monkeypatch, max_slides: int):
    """The deck of the same analysis, as if its typology were clear."""
    import dataclasses

    from pptx import Presentation

    from dialogue_analysis.report import _pptx

    a = built_wave().analysis
    if not len(a.groups):
        pytest.skip("the test wave has no typology groups")
    evidence = a.k_evidence.copy()
    evidence["supported"] = True
    clear = dataclasses.replace(a, k_evidence=evidence)
    monkeypatch.setattr(_pptx, "MAX_GROUP_SLIDES", max_slides)
    path = _pptx.write_pptx(clear, tmp_path / "deck.pptx", {})
    return clear, list(Presentation(str(path)).slides)


def test_clear_typology_has_a_slide_per_group_with_size_base_and_quote(tmp_path, monkeypatch):
    a, slides = _clear_typology_deck(tmp_path, monkeypatch, max_slides=50)
    n = fmt_int(len(a.records), "fr")
    for g in a.groups.to_dict("records"):
        title = f"{g['group']}. {a.group_label(g['group'], 'fr')}"
        slide = next(s for s in slides if s.shapes.title.text == title)
        text = _texts(slide)
        assert f"{fmt_int(g['size'], 'fr')} personnes sur {n} consultées" in text
        assert "Qui sont-ils" in text and "Ce qu'ils expriment" in text
        if (a.group_quotes["group"] == g["group"]).any():
            assert "«" in text
    assert "Pas de typologie nette" not in "\n".join(_texts(s) for s in slides)


def test_many_groups_share_one_summary_grid(tmp_path, monkeypatch):
    a, slides = _clear_typology_deck(tmp_path, monkeypatch, max_slides=1)
    grid = [sh.table for s in slides for sh in s.shapes if sh.has_table]
    assert len(grid) == 1 and len(grid[0].rows) == len(a.groups) + 1
    sizes = [grid[0].cell(i + 1, 1).text for i in range(len(a.groups))]
    assert sizes == [f"{fmt_int(g['size'], 'fr')} ({fmt_pct(g['share'], 'fr')})"
                     for g in a.groups.to_dict("records")]
