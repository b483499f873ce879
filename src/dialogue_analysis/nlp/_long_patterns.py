"""The long regular expressions a spaCy model compiles, compiled once per machine.

Loading a French model imports spaCy's French language data, which compiles one regular
expression of about 1.45 million characters (the tokenizer's exceptions, ``TOKEN_MATCH``):
about 3 s of CPU each time a process loads a model, alone on one core before the anonymise
stage can start. Python keeps compiled patterns in memory only. While a model loads
(:func:`kept_compiled`), each pattern of at least :data:`LONG_PATTERN` characters is kept on
disk once compiled (the pattern, its flags and the code Python's regular-expression engine runs
for it) and given to the engine from there next time: the same code that compiling it gives,
so it matches what it would have matched.

The file is named after the Python build (the engine's code differs between versions) and
holds nothing but spaCy's patterns, no text of any wave. It lives in the user's cache folder
(``~/.cache/dialogue-analysis/patterns/`` on Linux), or under ``$DIALOGUE_ANALYSIS_CACHE_DIR``
when that is set. Code the engine refuses (a damaged file) is compiled again and the file
rewritten; a folder that cannot be written only means compiling every time, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

#: Patterns of this many characters or more are kept (spaCy's French exceptions: 1.45 million;
#: its other patterns: a few thousand at most, compiled in milliseconds).
LONG_PATTERN = 100_000
_FORMAT = 1
#: How many long patterns this process took from the file (for the tests and benchmarks).
taken = 0


def store_path() -> Path:
    """The file the long patterns of this Python build are kept in."""
    import _sre

    folder = os.environ.get("DIALOGUE_ANALYSIS_CACHE_DIR")
    if not folder:
        import platformdirs

        folder = platformdirs.user_cache_dir("dialogue-analysis")
    build = f"{sys.implementation.cache_tag} {sys.version} {_sre.MAGIC} {_sre.CODESIZE} {_FORMAT}"
    return Path(folder) / "patterns" / f"{hashlib.sha256(build.encode()).hexdigest()[:16]}.json"


@contextlib.contextmanager
def kept_compiled() -> Iterator[None]:
    """Compile the long patterns compiled in this block from the kept file, and keep those
    compiled here for the next time."""
    try:  # CPython's engine (3.11 and later); elsewhere patterns compile as usual
        import _sre
        from re import _compiler
    except ImportError:
        yield
        return
    if not (callable(getattr(_compiler, "compile", None)) and hasattr(_compiler, "_sre")):
        yield
        return
    path = store_path()
    kept = _read(path)
    new: dict[tuple[str, int], list] = {}
    compile_ = _compiler.compile

    def compile_kept(p, flags=0):
        global taken
        if not isinstance(p, str) or len(p) < LONG_PATTERN:
            return compile_(p, flags)
        key = (p, int(flags))
        if key in kept:
            try:
                pattern = _sre.compile(*kept[key])
            except (RuntimeError, TypeError, ValueError, OverflowError):
                pass  # not code this engine runs: compiled again below, and kept anew
            else:
                taken += 1
                return pattern
        # compiled here: the code given to the engine is noted as well
        _compiler._sre = _Noting(_sre, key, new)
        try:
            return compile_(p, flags)
        finally:
            _compiler._sre = _sre

    _compiler.compile = compile_kept
    try:
        yield
    finally:
        _compiler.compile = compile_
        if new:
            _write(path, {**kept, **new})


class _Noting:
    """The ``_sre`` module, noting what ``compile`` is given for one pattern."""

    def __init__(self, sre, key: tuple[str, int], into: dict):
        self._sre, self._key, self._into = sre, key, into

    def __getattr__(self, name: str):
        return getattr(self._sre, name)

    def compile(self, pattern, flags, code, groups, groupindex, indexgroup):
        if pattern == self._key[0]:
            self._into[self._key] = [pattern, int(flags), [int(c) for c in code], int(groups),
                                     dict(groupindex), list(indexgroup)]
        return self._sre.compile(pattern, flags, code, groups, groupindex, indexgroup)


def _read(path: Path) -> dict[tuple[str, int], list]:
    """The kept patterns, by (pattern, flags given to ``re.compile``); none if unreadable."""
    try:
        with path.open(encoding="utf-8") as f:
            entries = json.load(f)["patterns"]
        return {(e["pattern"], int(e["flags"])): _engine_args(e["compiled"]) for e in entries}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _engine_args(compiled: list) -> list:
    pattern, flags, code, groups, groupindex, indexgroup = compiled
    return [pattern, flags, code, groups, groupindex, tuple(indexgroup)]


def _write(path: Path, patterns: dict[tuple[str, int], list]) -> None:
    from ..core.storage import atomic_path

    entries = [{"pattern": p, "flags": f, "compiled": list(args)}
               for (p, f), args in patterns.items()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps({"python": sys.version, "patterns": entries}, ensure_ascii=False),
                           encoding="utf-8")
    except OSError:  # a folder that cannot be written: compiled every time, as before
        pass
