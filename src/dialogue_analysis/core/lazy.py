"""The public face of a package: names loaded from its private modules on first use.

Each stage package lists its public names by module (``_EXPORTS``); importing the package stays
quick, and spaCy, scikit-learn or matplotlib are imported only when a name that needs them is
first used (PEP 562).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from importlib import import_module


def public_face(package: str, exports: Mapping[str, Sequence[str]]
                ) -> tuple[Callable[[str], object], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package`` from its ``_EXPORTS``."""
    where = {name: module for module, names in exports.items() for name in names}
    names = sorted(where)

    def __getattr__(name: str):
        if name in where:
            value = getattr(import_module(f".{where[name]}", package), name)
            vars(import_module(package))[name] = value  # later lookups skip this function
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return list(names)

    return __getattr__, __dir__, names
