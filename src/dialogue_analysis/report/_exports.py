"""The analyst's exports for QDA tools: ``<wave>.qdpx`` and ``<wave>.qdc`` (REFI-QDA) and
``<wave>.iramuteq.txt``, in ``data/processed/<wave>/exports/``.

The project and the corpus hold one case or text per interview with its attributes: a
combination of attributes can single a person out, so they are never published under
``reports/``. They hold the pseudonymised answers only, and pass the same identifier scan as the
published report before they are written.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..analysis import Analysis
from ..core.privacy import assert_clean
from ..core.storage import staged_dir, unstaged
from ._reuse import inputs_hash, record_inputs, reuse, unchanged

EXPORTS_DIR = "exports"


def write_analyst_exports(a: Analysis, folder: str | os.PathLike, *, language: str | None = None,
                          identifiers=(), decisions=None) -> dict[str, Path]:
    """Write the three files into ``folder`` (replaced whole), scanned for identifiers first;
    ``decisions`` (the analysts' review) become codings by their reviewer in the project.

    When ``folder`` was made from the same tables and decisions
    (:mod:`~dialogue_analysis.report._reuse`), nothing is written."""
    from ._iramuteq import write_iramuteq
    from ._qdpx import write_qdc, write_qdpx

    wave = a.wave or "wave"
    names = {"qdpx": f"{wave}.qdpx", "qdc": f"{wave}.qdc", "iramuteq": f"{wave}.iramuteq.txt"}
    language = language or a.language
    identifiers = [s for s in identifiers if s]
    # Made from the same tables (and scanned for the same strings): the files stay as they are.
    reviewed = b"" if decisions is None or not len(decisions) else \
        decisions.to_csv(index=False).encode("utf-8")
    digest = inputs_hash(a, language, "exports", reviewed, *identifiers)
    final = unstaged(Path(folder))

    def complete() -> bool:
        return set(unchanged(folder, digest) or ()) == set(names.values())

    # A run builds into a staging folder: the published files are linked into it.
    if complete() or (final != Path(folder) and reuse(final, folder, digest) and complete()):
        return {k: final / v for k, v in names.items()}
    with staged_dir(folder) as stage:
        write_qdpx(a, stage / names["qdpx"], language, decisions)
        write_qdc(a, stage / names["qdc"], language)
        write_iramuteq(a, stage / names["iramuteq"])
        assert_clean(stage, identifiers)
        record_inputs(stage, digest)
    return {k: final / v for k, v in names.items()}


FORMATS = ("docx", "pptx", "qdpx", "qdc", "iramuteq")


def export_one(a: Analysis, kind: str, *, reports_dir: str | os.PathLike,
               exports_dir: str | os.PathLike, language: str | None = None,
               identifiers=(), decisions=None) -> Path:
    """Write one export from a saved analysis: the Word report or the deck into ``reports_dir``,
    the QDA files into ``exports_dir``; each is scanned for identifiers before it is moved into
    place, and nothing is left behind when the scan fails."""
    import shutil
    import tempfile

    from ._figures import write_figures
    from ._iramuteq import write_iramuteq
    from ._qdpx import write_qdc, write_qdpx

    if kind not in FORMATS:
        raise ValueError(f"unknown export {kind!r}: choose one of {', '.join(FORMATS)}")
    language = language or a.language
    wave = a.wave or "wave"
    office = kind in ("docx", "pptx")
    folder = Path(reports_dir if office else exports_dir)
    name = {"docx": "findings.docx", "pptx": "findings.pptx", "qdpx": f"{wave}.qdpx",
            "qdc": f"{wave}.qdc", "iramuteq": f"{wave}.iramuteq.txt"}[kind]
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".export-") as tmp:
        stage = Path(tmp) / "out"
        stage.mkdir()
        if office:
            from ._docx import write_docx
            from ._pptx import write_pptx

            figures = write_figures(a, Path(tmp) / "figures", language)
            (write_docx if kind == "docx" else write_pptx)(a, stage / name, figures, language)
        elif kind == "qdpx":
            write_qdpx(a, stage / name, language, decisions)
        elif kind == "qdc":
            write_qdc(a, stage / name, language)
        else:
            write_iramuteq(a, stage / name)
        assert_clean(stage, identifiers)
        shutil.move(stage / name, folder / name)
    return folder / name
