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

EXPORTS_DIR = "exports"


def write_analyst_exports(a: Analysis, folder: str | os.PathLike, *, language: str | None = None,
                          identifiers=()) -> dict[str, Path]:
    """Write the three files into ``folder`` (replaced whole), scanned for identifiers first."""
    from ._iramuteq import write_iramuteq
    from ._qdpx import write_qdc, write_qdpx

    wave = a.wave or "wave"
    names = {"qdpx": f"{wave}.qdpx", "qdc": f"{wave}.qdc", "iramuteq": f"{wave}.iramuteq.txt"}
    with staged_dir(folder) as stage:
        write_qdpx(a, stage / names["qdpx"], language)
        write_qdc(a, stage / names["qdc"], language)
        write_iramuteq(a, stage / names["iramuteq"])
        assert_clean(stage, identifiers)
    final = unstaged(Path(folder))
    return {k: final / v for k, v in names.items()}
