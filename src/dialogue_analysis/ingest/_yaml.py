"""Reading a config's YAML (duplicate keys refused) and checking its sections key by key."""

from __future__ import annotations

import os
import typing
from pathlib import Path

import yaml

from ..core.errors import ConfigError
from ..core.i18n import tr
from ..core.text import closest


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader refusing repeated keys, which YAML would otherwise silently override."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if not isinstance(key, typing.Hashable):
            continue
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, language: str) -> dict:
    if not path.is_file():
        raise ConfigError(path, "", tr("config_not_found", language))
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_UniqueKeyLoader)
    except _DuplicateKey as exc:
        raise ConfigError(
            path, str(exc.key), tr("duplicate_key", language, key=exc.key, line=exc.line)
        ) from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ConfigError(path, "", tr("yaml_syntax", language, detail=detail)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", tr("yaml_syntax", language, detail=str(exc))) from None
    if not isinstance(data, dict):
        raise ConfigError(path, "", tr("config_not_mapping", language, got=type(data).__name__))
    return data


_KINDS = {
    "str": ((str,), ("texte", "text")),
    "bool": ((bool,), ("true ou false", "true or false")),
    "int": ((int,), ("nombre entier", "integer")),
    "number": ((int, float), ("nombre", "number")),
    "list": ((list,), ("liste", "list")),
    "mapping": ((dict,), ("table de clés (clé: valeur)", "mapping (key: value)")),
}
_REQUIRED = object()


class _Section:
    """A mapping of the YAML file and its dotted path, to name the key at fault in errors."""

    def __init__(self, data, file: str, path: str, language: str):
        self.data, self.file, self.path, self.language = data, file, path, language

    def key(self, name) -> str:
        if name is None:
            return self.path
        return f"{self.path}.{name}" if self.path else str(name)

    def error(self, name, code: str, /, **params) -> ConfigError:
        return ConfigError(self.file, self.key(name), tr(code, self.language, **params))

    def type_error(self, name, kind: str, got) -> ConfigError:
        expected = _KINDS[kind][1][1 if self.language == "en" else 0]
        return self.error(name, "wrong_type", expected=expected, got=got)

    def check_keys(self, allowed) -> None:
        for name in self.data:
            if name not in allowed:
                suggestion = closest(str(name), [str(a) for a in allowed])
                hint = (
                    tr("unknown_key_hint", self.language, suggestion=suggestion)
                    if suggestion
                    else ""
                )
                raise self.error(name, "unknown_key", hint=hint, allowed=", ".join(allowed))

    def get(self, name, kind: str, default=_REQUIRED):
        """The value of key ``name``, checked against ``kind``; ``default`` if absent."""
        if name not in self.data or (self.data[name] is None and default is not _REQUIRED):
            if default is _REQUIRED:
                raise self.error(name, "missing_key")
            return default
        value = self.data[name]
        types_, _ = _KINDS[kind]
        if not isinstance(value, types_) or (kind in ("int", "number") and isinstance(value, bool)):
            raise self.type_error(name, kind, value)
        return value

    def child(self, name, default=_REQUIRED) -> _Section | None:
        value = self.get(name, "mapping", default)
        return None if value is None else _Section(value, self.file, self.key(name), self.language)

    def label(self, name, value, where: str | None = None) -> str:
        """A label of a value list: text; numbers become text; booleans must be quoted."""
        key = where or self.key(name)
        if isinstance(value, bool):
            raise ConfigError(self.file, key, tr("quote_label", self.language, got=value))
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            expected = _KINDS["str"][1][1 if self.language == "en" else 0]
            raise ConfigError(
                self.file, key, tr("wrong_type", self.language, expected=expected, got=value)
            )
        return value.strip()

    def labels(self, name, default=_REQUIRED) -> list[str] | None:
        """A list of labels (a single label is accepted as a list of one)."""
        value = self.data.get(name, None)
        if value is None:
            if default is _REQUIRED and name not in self.data:
                raise self.error(name, "missing_key")
            return default if default is not _REQUIRED else []
        items = value if isinstance(value, list) else [value]
        return [self.label(name, v, f"{self.key(name)}[{i}]") for i, v in enumerate(items)]


def _resolve(config_path: Path, text: str) -> Path:
    """A path of the config: ``~`` and ``$VARS`` expanded, relative to the config's folder."""
    path = Path(os.path.expandvars(os.path.expanduser(text)))
    return path if path.is_absolute() else (config_path.parent / path)


