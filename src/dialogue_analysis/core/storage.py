"""Atomic writes: an interrupted or failed stage never leaves a partial file behind."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def link_or_copy(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Hard-link ``src`` to ``dst`` (the same bytes and file, nothing written again); on another
    file system, a copy that keeps the bytes and the modification time."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    # mkstemp creates the file private (0600); published files get the usual permissions.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: str | os.PathLike, text: str, newline: str | None = None) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline=newline)
    return Path(path)


def write_text_or_keep(path: str | os.PathLike, text: str) -> Path:
    """:func:`write_text`, except in a staging folder when the published file already holds
    these very bytes: it is linked instead (a rerun that changes nothing writes nothing again)."""
    path, data = Path(path), text.encode("utf-8")
    published = unstaged(path)
    if published != path and not path.exists() and published.is_file() \
            and published.stat().st_size == len(data) and published.read_bytes() == data:
        path.parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(published, path)
        return path
    return write_text(path, text)


def write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a DataFrame as parquet atomically."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)
    return Path(path)


# -- folders published together ----------------------------------------------------------------
#
# Each output folder is built completely in a staging folder beside it (``.<name>.<random>.staging``)
# and the folders are swapped in at the very end with renames: old -> ``.<name>.<random>.trash``,
# staging -> final, then the trash is removed. A journal written just before the renames and
# removed just after them lets the next run roll back a swap that a kill cut in half, so the
# outputs are never left some new and others old. While folders are staged, their paths are
# redirected (:func:`staged_path`, also in the notebook kernels the run starts, through the
# environment) so that every stage reads what the earlier stages of the same run wrote.

STAGED_ENV = "DIALOGUE_ANALYSIS_STAGED"


def _staged() -> dict[str, str]:
    raw = os.environ.get(STAGED_ENV)
    return json.loads(raw) if raw else {}


def staged_path(path: str | os.PathLike) -> Path:
    """Where ``path`` is being built while a publication is open (else ``path`` itself)."""
    path = Path(path)
    staged = _staged()
    if staged:
        resolved = path.resolve()
        for final, stage in staged.items():
            if resolved == Path(final) or resolved.is_relative_to(final):
                return Path(stage) / resolved.relative_to(final)
    return path


def unstaged(path: str | os.PathLike) -> Path:
    """The published path of a path inside a staging folder (the inverse of :func:`staged_path`)."""
    path = Path(path)
    resolved = path.resolve()
    for final, stage in _staged().items():
        if resolved == Path(stage) or resolved.is_relative_to(stage):
            return Path(final) / resolved.relative_to(stage)
    return path


def _journal(finals: list[Path]) -> Path:
    return finals[0].parent / f".{finals[0].name}.publishing.json"


def _leftovers(final: Path, suffix: str) -> list[Path]:
    # ``..<name>.*``: staging folders nested in a staging folder of the same name.
    return sorted(p for pattern in (f".{final.name}.*{suffix}", f"..{final.name}.*{suffix}")
                  for p in final.parent.glob(pattern) if p.is_dir())


def remove_stale(finals: list[Path]) -> None:
    """Undo what a killed run left: roll back a half-done swap, remove staging and trash folders."""
    journal = _journal(finals)
    if journal.exists():
        for final, trash, existed in json.loads(journal.read_text(encoding="utf-8")):
            final, trash = Path(final), Path(trash)
            if existed and not trash.exists():
                continue  # the old folder had not been moved yet: it is still in place
            if final.exists():
                shutil.rmtree(final)  # the new folder of the interrupted swap
            if existed:
                os.replace(trash, final)
        journal.unlink()
    for final in finals:
        for leftover in _leftovers(final, ".staging") + _leftovers(final, ".trash"):
            shutil.rmtree(leftover, ignore_errors=True)
        for nested in final.parent.glob(f"..{final.name}.*.publishing.json"):
            nested.unlink(missing_ok=True)  # the swap of a staging folder, discarded anyway


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C (SIGINT) waits until the block is over, then interrupts as usual: a swap is either
    not begun or done and cleaned up, never left with a trash folder behind."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only delivered to the main thread
        return
    caught: list = []
    previous = signal.signal(signal.SIGINT, lambda *args: caught.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and previous is not signal.SIG_IGN:
            if callable(previous):
                previous(*caught[0])  # the default handler raises KeyboardInterrupt
            else:
                raise KeyboardInterrupt


def _swap(finals: list[Path], stages: list[Path]) -> None:
    with _interrupts_deferred():
        _swap_now(finals, stages)


def _swap_now(finals: list[Path], stages: list[Path]) -> None:
    trashes = [s.with_name(s.name.removesuffix(".staging") + ".trash") for s in stages]
    journal = _journal(finals)
    pairs = [[str(f), str(t), f.exists()] for f, t in zip(finals, trashes, strict=True)]
    write_text(journal, json.dumps(pairs))
    for final, trash in zip(finals, trashes, strict=True):
        if final.exists():
            os.replace(final, trash)
    for final, stage in zip(finals, stages, strict=True):
        os.replace(stage, final)
    journal.unlink()  # the commit point: from here on the new folders are the published ones
    for trash in trashes:
        shutil.rmtree(trash, ignore_errors=True)


@contextlib.contextmanager
def staged_dirs(finals: list[str | os.PathLike], *, seed: bool = False) -> Iterator[list[Path]]:
    """Build several folders in staging folders and publish them together, or none of them.

    On success each staging folder replaces its final folder whole: a file the block did not
    write does not survive. On any exception (SIGINT included) the staging folders are removed
    and the final folders keep their previous content byte for byte; after a SIGKILL, the next
    call removes what was left (:func:`remove_stale`). While the block runs, :func:`staged_path`
    maps each final folder (and anything under it) to its staging folder.

    Parameters
    ----------
    finals : list of path
        The folders to publish (e.g. ``data/processed/<wave>`` and ``reports/<wave>``).
    seed : bool
        Start each staging folder as a copy of the current final folder (to change a few files
        of it); otherwise they start empty.
    """
    finals = [Path(f).resolve() for f in finals]
    for final in finals:
        final.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(finals)
    stages = []
    previous = os.environ.get(STAGED_ENV)
    try:
        for final in finals:
            stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".staging",
                                          dir=final.parent))
            stages.append(stage)
            if seed and final.is_dir():
                shutil.copytree(final, stage, dirs_exist_ok=True)
        os.environ[STAGED_ENV] = json.dumps(
            {**_staged(), **{str(f): str(s) for f, s in zip(finals, stages, strict=True)}})
        yield stages
        _restore_env(previous)
        _swap(finals, stages)
    finally:
        _restore_env(previous)
        for stage in stages:
            shutil.rmtree(stage, ignore_errors=True)


def _restore_env(previous: str | None) -> None:
    if previous is None:
        os.environ.pop(STAGED_ENV, None)
    else:
        os.environ[STAGED_ENV] = previous


@contextlib.contextmanager
def staged_dir(final: str | os.PathLike, keep: Iterable[str] = ()) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``final`` whole.

    Use it when a stage writes several files that must change together: either all of
    them are published or, on error, none is and ``final`` keeps its previous content.
    Files of ``final`` that the block does not write are gone afterwards, except the entries
    named in ``keep`` (files or folders that another stage owns), linked into the staging folder.
    """
    final = Path(final)
    with staged_dirs([final]) as (stage,):
        for name in keep:  # linked, not copied: files are replaced, never written in place
            src = final / name
            if src.is_dir():
                shutil.copytree(src, stage / name, copy_function=link_or_copy)
            elif src.is_file():
                link_or_copy(src, stage / name)
        yield stage
