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
from ._reuse import extended, inputs_hash, record_inputs, reuse, unchanged

EXPORTS_DIR = "exports"


def _names(a: Analysis) -> dict[str, str]:
    wave = a.wave or "wave"
    return {"qdpx": f"{wave}.qdpx", "qdc": f"{wave}.qdc", "iramuteq": f"{wave}.iramuteq.txt"}


def build_analyst_exports(a: Analysis, folder: str | os.PathLike, *,
                          language: str | None = None, identifiers=(), decisions=None) -> Path:
    """The three files written into ``folder`` and scanned for identifiers, as
    :func:`write_analyst_exports` writes them: they read the records (with their groups), the
    answers, the passages, the codebook and the questions of ``a``, no other table, so that a
    run can build them as soon as its typology is made (``built=``)."""
    from ._iramuteq import write_iramuteq
    from ._qdpx import write_qdc, write_qdpx

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = _names(a)
    language = language or a.language
    write_qdpx(a, folder / names["qdpx"], language, decisions)
    write_qdc(a, folder / names["qdc"], language)
    write_iramuteq(a, folder / names["iramuteq"])
    assert_clean(folder, [s for s in identifiers if s])
    return folder


def write_analyst_exports(a: Analysis, folder: str | os.PathLike, *, language: str | None = None,
                          identifiers=(), decisions=None, built=None,
                          tables: str | None = None) -> dict[str, Path]:
    """Write the three files into ``folder`` (replaced whole), scanned for identifiers first;
    ``decisions`` (the analysts' review) become codings by their reviewer in the project.

    When ``folder`` was made from the same tables and decisions
    (:mod:`~dialogue_analysis.report._reuse`), nothing is written. ``built``: a folder where
    :func:`build_analyst_exports` already wrote and scanned them from the same tables, for the
    same strings (moved into place, or removed when the published files are kept);
    ``tables``: the :func:`~dialogue_analysis.report._reuse.inputs_hash` of ``a``, when
    known."""
    import shutil

    names = _names(a)
    language = language or a.language
    identifiers = [s for s in identifiers if s]
    # Made from the same tables (and scanned for the same strings): the files stay as they are.
    reviewed = b"" if decisions is None or not len(decisions) else \
        decisions.to_csv(index=False).encode("utf-8")
    digest = extended(tables, "exports", reviewed, *identifiers) if tables is not None else \
        inputs_hash(a, language, "exports", reviewed, *identifiers)
    final = unstaged(Path(folder))

    def complete() -> bool:
        return set(unchanged(folder, digest) or ()) == set(names.values())

    try:
        # A run builds into a staging folder: the published files are linked into it.
        if complete() or (final != Path(folder) and reuse(final, folder, digest) and complete()):
            return {k: final / v for k, v in names.items()}
        with staged_dir(folder) as stage:
            if built is None:
                build_analyst_exports(a, stage, language=language, identifiers=identifiers,
                                      decisions=decisions)
            else:
                for name in names.values():
                    os.replace(Path(built) / name, stage / name)
            record_inputs(stage, digest)
    finally:
        if built is not None:
            shutil.rmtree(built, ignore_errors=True)
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
