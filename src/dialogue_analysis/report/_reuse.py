"""Outputs kept from the previous run when the tables behind them have not changed.

Drawing the figures, executing the notebooks, writing the report's HTML, workbook and Office
files and the QDA exports cost most of a rerun that changes nothing. Each group of these files
is recorded with the content hash of what it was made from (:func:`inputs_hash`: the analysis
tables, the settings, the language, what the manifest says of the results, the toolkit's own
code, plus what the caller adds, e.g. the notebooks' sources) in a record beside it
(``.inputs.json`` for a folder made whole, e.g. ``figures/``). A run whose hash matches links
the previous files into its new folder (hard links: same bytes, same file, nothing rewritten)
instead of building them again; any change of the inputs, or of a file since it was written,
rebuilds the group whole.

What a manifest says of the run itself (when it ran, how long each stage took, how much work
the caches saved) is not part of the hash and is not stated by the published files
(:func:`published_manifest`): it stays in ``analysis_manifest.json``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..analysis import Analysis
from ..core.content import frame_digest, framed_digest, toolkit_hash
from ..core.storage import link_or_copy, sha256_file

INPUTS_FILE = ".inputs.json"
# What a manifest says of one run rather than of its results: when it ran, how long it took and
# how much memory, for the run and for each stage, and the stage parameters that count the work
# a run did (texts analysed or read from the caches, stages computed or kept). A rerun that
# finds the same results differs there and nowhere else.
RUN_KEYS = ("created", "seconds_total", "report", "run", "peak_rss_mb", "analysis_inputs")
STAGE_RUN_KEYS = ("seconds", "cpu_seconds", "peak_rss_mb", "kept")
WORK_PARAMS = {"anonymise": ("n_cached",), "nlp": ("n_parsed", "n_cached")}


def published_manifest(manifest) -> dict:
    """The manifest as the published files state it: without :data:`RUN_KEYS`,
    :data:`STAGE_RUN_KEYS` and :data:`WORK_PARAMS` (see ``analysis_manifest.json`` for them)."""
    if not isinstance(manifest, dict):
        return {}
    out = {k: v for k, v in manifest.items() if k not in RUN_KEYS and k != "stages"}
    if isinstance(manifest.get("stages"), dict):
        out["stages"] = {}
        for name, info in manifest["stages"].items():
            if not isinstance(info, dict):
                continue
            info = {k: v for k, v in info.items() if k not in STAGE_RUN_KEYS}
            if isinstance(info.get("params"), dict):
                info["params"] = {k: v for k, v in info["params"].items()
                                  if k not in WORK_PARAMS.get(name, ())}
            out["stages"][name] = info
    return out


def inputs_hash(a: Analysis, language: str, *extra: str | bytes) -> str:
    """SHA-256 of everything an output drawn from ``a`` in ``language`` depends on, and of
    ``extra`` (what it depends on beyond the analysis: :func:`extended`)."""
    def parts():
        yield json.dumps({"wave": a.wave, "language": language, "settings": a.settings,
                          "manifest": published_manifest(a.manifest)},
                         sort_keys=True, ensure_ascii=False, default=str)
        yield toolkit_hash()
        for name in Analysis.table_names():
            yield name
            yield frame_digest(getattr(a, name), name)

    return extended(framed_digest(parts()), *extra)


def extended(digest: str, *extra: str | bytes) -> str:
    """The hash of an :func:`inputs_hash` and of ``extra``: the tables are hashed once for all
    the outputs of a publication."""
    return framed_digest((digest, *extra)) if extra else digest


def files_hash(paths: Iterable[str | os.PathLike]) -> str:
    """SHA-256 of some files' names and bytes (e.g. the notebooks to execute)."""
    paths = [Path(p) for p in paths]
    return framed_digest(part for p in paths
                         for part in (p.name, p.read_bytes() if p.is_file() else b""))


def kept_files(folder: str | os.PathLike, record: str = INPUTS_FILE) -> dict[str, str]:
    """``name -> SHA-256`` of the files ``folder``'s ``record`` lists ({} when none)."""
    try:
        made = json.loads((Path(folder) / record).read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in made["files"].items()}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return {}


def unchanged(folder: str | os.PathLike, digest: str,
              record: str = INPUTS_FILE) -> list[str] | None:
    """The files ``folder`` was made with from inputs of this hash (as its ``record`` lists
    them), when they are all still there as written; None otherwise (other inputs, a file gone
    or edited)."""
    folder = Path(folder)
    try:
        made = json.loads((folder / record).read_text(encoding="utf-8"))
        if made.get("sha256") != digest:
            return None
        files = made["files"]
        if all(sha256_file(folder / name) == sha for name, sha in files.items()):
            return list(files)
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        pass
    return None


def reuse(previous: str | os.PathLike, target: str | os.PathLike, digest: str,
          record: str = INPUTS_FILE) -> bool:
    """Link the files of ``previous`` into ``target`` when made from the same inputs.

    Only the files recorded with the hash are linked (a file added by hand since does not
    survive). With the default ``record`` the folder is made whole: returns False (and leaves
    ``target`` absent) when the inputs changed, build it. With another ``record`` (a group of
    files among others, e.g. the report's files in ``reports/<wave>/``) ``target`` may exist but
    none of the group's files may; nothing is linked when the inputs changed.
    """
    previous, target = Path(previous), Path(target)
    files = unchanged(previous, digest, record)
    whole = record == INPUTS_FILE
    if files is None or (target.exists() if whole else
                         any((target / n).exists() for n in [*files, record])):
        return False
    linked = []
    try:
        target.mkdir(parents=True, exist_ok=not whole)
        for name in [*files, record]:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(previous / name, target / name)
            linked.append(target / name)
    except OSError:
        if whole:
            shutil.rmtree(target, ignore_errors=True)
        for path in linked:
            path.unlink(missing_ok=True)
        return False
    return True


def record_inputs(folder: str | os.PathLike, digest: str, names: Iterable[str] | None = None,
                  record: str = INPUTS_FILE) -> None:
    """Write ``folder/<record>`` once the files are built: the hash and each file's SHA-256;
    every file of the folder, or only ``names`` (those that exist)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != record) \
        if names is None else [folder / n for n in names if (folder / n).is_file()]
    files = {p.relative_to(folder).as_posix(): sha256_file(p) for p in paths}
    (folder / record).write_text(
        json.dumps({"sha256": digest, "files": files}, indent=1) + "\n", encoding="utf-8")
