"""Placeholders: one per distinct identifier of a record, numbered by first appearance."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ._lexicon import _fold
from ._patterns_fr import _NAME_PARTICLES, _PLACEHOLDER_RE, _TITLE_WORDS
from ._types import _LABEL_KIND, PLACEHOLDER_LABELS, Identifier


def _person_tokens(name: str) -> tuple[str, ...]:
    tokens = re.split(r"[\s\-'’.]+", _fold(name))
    return tuple(t for t in tokens if len(t) > 1 and t not in _TITLE_WORDS
                 and t not in _NAME_PARTICLES)


def _normalise(kind: str, original: str) -> Any:
    if kind == "person":
        return _person_tokens(original)
    if kind == "phone":
        digits = re.sub(r"\D", "", original.replace("(0)", ""))
        if digits.startswith("0033"):
            digits = "0" + digits[4:]
        elif original.lstrip().startswith("+33") or digits.startswith("33") and len(digits) == 11:
            digits = "0" + digits[2:]
        return digits
    if kind in {"iban", "nir"}:
        return re.sub(r"[\s.\-]", "", original).upper()
    return re.sub(r"[\W_]+", " ", _fold(original)).strip()


def _person_clusters(keys: list[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """Group name keys: a key whose words all belong to exactly one longer name joins it."""
    cluster_of: dict[tuple[str, ...], int] = {}
    members: list[set[str]] = []
    for key in sorted(set(keys), key=lambda k: (-len(k), k)):
        if not key:
            continue
        matches = [i for i, words in enumerate(members) if set(key) <= words]
        if len(matches) == 1:
            cluster_of[key] = matches[0]
        else:
            members.append(set(key))
            cluster_of[key] = len(members) - 1
    return cluster_of


def _existing_numbers(texts: Iterable[str]) -> dict[str, int]:
    top: dict[str, int] = {}
    for text in texts:
        for m in _PLACEHOLDER_RE.finditer(text):
            kind = _LABEL_KIND[m.group(1)]
            top[kind] = max(top.get(kind, 0), int(m.group(2)))
    return top


def _pseudonymise_record(
    texts: list[str], found: list[list[Identifier]]
) -> tuple[list[str], list[tuple[str, str, str]], list[list[tuple[Identifier, str]]]]:
    """Replace the identifiers of one record's texts; placeholders numbered by first appearance."""
    person_keys = [_normalise("person", f.text) or (_fold(f.text),)
                   for fs in found for f in fs if f.kind == "person"]
    clusters = _person_clusters(person_keys)
    counters = _existing_numbers(texts)
    labels: dict[tuple[str, Any], str] = {}
    rows: list[tuple[str, str, str]] = []
    seen_rows: set[tuple[str, str]] = set()
    out, placed = [], []
    for text, fs in zip(texts, found, strict=True):
        pieces, pos = [], 0
        placed.append([])
        for f in fs:
            key = _normalise(f.kind, f.text) or (_fold(f.text),)
            group = (f.kind, clusters.get(key, key) if f.kind == "person" else key)
            if group not in labels:
                counters[f.kind] = counters.get(f.kind, 0) + 1
                labels[group] = f"[{PLACEHOLDER_LABELS[f.kind]}_{counters[f.kind]}]"
            placeholder = labels[group]
            if (placeholder, f.text) not in seen_rows:
                seen_rows.add((placeholder, f.text))
                rows.append((placeholder, f.kind, f.text))
            pieces += [text[pos:f.start], placeholder]
            placed[-1].append((f, placeholder))
            pos = f.end
        pieces.append(text[pos:])
        out.append("".join(pieces))
    return out, rows, placed

