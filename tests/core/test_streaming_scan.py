"""The pre-publication scan reads files a piece at a time: same hits as whole, bounded memory."""

from __future__ import annotations

import tracemalloc

import pandas as pd
import pytest

from dialogue_analysis.core import privacy, scan_published
from dialogue_analysis.report import write_tables

IDENTIFIERS = ["06 47 82 19 33", "nadia.benali.ccas@orange.fr", "FR76 3000 6000 0112 3456 7890 189",
               "1 84 12 76 451 089 46", "+33 6 12 40 77 05", "https://www.facebook.com/josiane.l"]


@pytest.fixture
def published(tmp_path):
    """A folder like reports/<wave>: a workbook, an SVG with a style sheet, an HTML page and a
    CSV, identifiers planted at many offsets (so that some straddle every piece boundary)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    filler = [f"réponse {i} : le bus passe à 7 h 45, 62,5 % des gens, valeur-test 4,1."
              for i in range(400)]
    texts = [f"{f} {IDENTIFIERS[i % len(IDENTIFIERS)]}" if i % 37 == 0 else f
             for i, f in enumerate(filler)]
    write_tables({"answers": pd.DataFrame({"text": texts, "share": range(len(texts))})},
                 folder / "findings.xlsx", title="t")
    body = "".join(f"<text x='{i}.5' y='{i * 3}.25'>{t}</text>" for i, t in enumerate(texts))
    (folder / "figure.svg").write_text(
        f"<svg><style>@media print {{ a > b {{ x: 1 }} }}</style>{body}</svg>", encoding="utf-8")
    (folder / "page.html").write_text(
        "".join(f"<p>{t.replace('à', '&agrave;')}</p>\n" for t in texts), encoding="utf-8")
    (folder / "table.csv").write_text("\n".join(texts), encoding="utf-8")
    return folder


def test_pieces_find_what_the_whole_text_finds(published, monkeypatch):
    whole = scan_published(published, ["Josiane", "valeur-test 4,1"])
    assert set(whole["file"].str.split(":").str[0]) == {"findings.xlsx", "figure.svg",
                                                        "page.html", "table.csv"}
    assert {"phone", "email", "iban", "nir", "url", "listed"} <= set(whole["kind"])
    # Pieces far smaller than a line: every identifier straddles some boundary somewhere.
    for chunk in (7, 50, 333):
        monkeypatch.setattr(privacy, "CHUNK", chunk)
        monkeypatch.setattr(privacy, "CONTEXT", 200)
        pieces = scan_published(published, ["Josiane", "valeur-test 4,1"])
        pd.testing.assert_frame_equal(pieces, whole)


def test_a_large_file_is_scanned_in_bounded_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(privacy, "CHUNK", 1 << 14)  # small pieces: a small file shows it
    line = "la mairie répond vite, 62,5 % des personnes, rien à signaler ici. " * 4 + "\n"
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        for _ in range(12_000):  # about 3 MB
            f.write(line)
        f.write("écrivez à nadia.benali.ccas@orange.fr\n")
    tracemalloc.start()
    try:
        hits = scan_published(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert list(hits["match"]) == ["nadia.benali.ccas@orange.fr"]
    assert path.stat().st_size > 3 * 2**20
    assert peak < 2**20  # a few pieces of CHUNK characters, not the whole file


def test_the_sources_of_a_qdpx_are_read_as_text_whole_or_in_pieces(tmp_path, monkeypatch):
    import zipfile

    path = tmp_path / "wave.qdpx"
    texts = [f"réponse {i} : le bus passe à 7 h 45. " * 30 + IDENTIFIERS[i % len(IDENTIFIERS)]
             for i in range(len(IDENTIFIERS))]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", '<?xml version="1.0"?><Project name="w"/>')
        for i, t in enumerate(texts):
            zf.writestr(f"sources/{i}.txt", t)
    whole = scan_published(path)
    assert list(whole["file"]) == [f"wave.qdpx:sources/{i}.txt" for i in range(len(texts))]
    assert set(whole["kind"]) == {"phone", "email", "iban", "nir", "url"}
    for chunk in (50, 333):  # each source larger than a piece: streamed, the same hits
        monkeypatch.setattr(privacy, "CHUNK", chunk)
        monkeypatch.setattr(privacy, "CONTEXT", 200)
        pd.testing.assert_frame_equal(scan_published(path), whole)
