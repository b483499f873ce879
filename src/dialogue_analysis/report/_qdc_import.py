"""A REFI-QDA codebook (``.qdc``, or the codebook inside a ``.qdpx``) as a starting
``codebook.yaml``.

NVivo, ATLAS.ti, MAXQDA and QualCoder write their codes as a tree. Top-level codes with
children become families, their descendants codes (deeper levels are flattened, their path kept
in the label); top-level codes without children go to an ``imported`` family. Each code gets
patterns proposed from the words of its name and description: the file marks every one of them
for the analyst to check before the first run (a comment above the code), since a QDA code
carries no matching rule of its own.
"""

from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from pathlib import Path

import yaml

from ..core.errors import DialogueAnalysisError

QDA_NAMESPACES = ("urn:QDA-XML:codebook:1.0", "urn:QDA-XML:project:1.0")
REVIEW_MARK = "TO REVIEW"
_WORD = re.compile(r"[^\W\d_][\w'’-]{3,}")
# Words of a code's name that say nothing about what to look for in an answer.
_SKIP = {"avec", "dans", "pour", "sans", "mais", "plus", "très", "tout", "tous", "autre",
         "autres", "other", "with", "from", "that", "this", "their", "about", "des", "les"}


class CodebookImportError(DialogueAnalysisError):
    """A ``.qdc``/``.qdpx`` file that holds no readable REFI-QDA codebook."""


def _slug(text: str, taken: set[str]) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_") or "code"
    if not slug[0].isalpha():
        slug = f"c_{slug}"
    base, n = slug[:40], 2
    slug = base
    while slug in taken:
        slug, n = f"{base}_{n}", n + 1
    taken.add(slug)
    return slug


def _read_codes(path: Path):
    from lxml import etree

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                name = next((n for n in zf.namelist() if n.endswith(".qde")), None)
                if name is None:
                    raise CodebookImportError(f"{path}: no project.qde inside the .qdpx file.")
                root = etree.fromstring(zf.read(name))
        else:
            root = etree.parse(str(path)).getroot()
    except etree.XMLSyntaxError as e:
        raise CodebookImportError(f"{path}: not a REFI-QDA XML file ({e}).") from None
    for ns in QDA_NAMESPACES:
        codes = root.find(f".//{{{ns}}}Codes")
        if codes is not None:
            return codes, ns
    raise CodebookImportError(f"{path}: no <Codes> element in the {QDA_NAMESPACES[0]} or "
                              f"{QDA_NAMESPACES[1]} namespace; export the codebook as REFI-QDA "
                              "(.qdc) from the QDA tool.")


_OWN_ID = re.compile(r"^(?:code|family): (\S+)\n?")  # written by this toolkit's .qdc export


def _description(node, ns: str) -> str:
    d = node.find(f"{{{ns}}}Description")
    return _OWN_ID.sub("", (d.text or "").strip()).strip() if d is not None else ""


def _own_id(node, ns: str, taken: set[str]) -> str | None:
    """The id a code had in this toolkit's codebook, when the file came from it."""
    d = node.find(f"{{{ns}}}Description")
    m = _OWN_ID.match((d.text or "").strip()) if d is not None else None
    if m is None:
        return None
    return _slug(m.group(1).rsplit(".", 1)[-1], taken)


def _key(node, name: str, ns: str, taken: set[str]) -> str:
    return _own_id(node, ns, taken) or _slug(name, taken)


def _proposed(name: str, description: str) -> list[str]:
    words = []
    for w in _WORD.findall(f"{name} {description}".lower()):
        if w not in _SKIP and w not in words:
            words.append(w)
    return words[:8] or [name.lower()]


def import_codebook(path: str | os.PathLike, language: str = "fr") -> dict:
    """The codebook of a ``.qdc``/``.qdpx`` as the mapping a ``codebook.yaml`` holds."""
    codes_el, ns = _read_codes(Path(path))
    families: dict[str, dict] = {}
    taken: set[str] = set()

    def leaves(node, path_names):
        for child in node.findall(f"{{{ns}}}Code"):
            names = [*path_names, child.get("name", "")]
            yield child, names
            yield from leaves(child, names)

    loose = []
    for top in codes_el.findall(f"{{{ns}}}Code"):
        children = list(leaves(top, []))
        if not children:
            loose.append((top, [top.get("name", "")]))
            continue
        fid = _key(top, top.get("name", ""), ns, taken)
        families[fid] = {"label_fr": top.get("name", fid), "label_en": top.get("name", fid),
                         "codes": {}}
        in_family: set[str] = set()  # code ids are unique within their family
        if _description(top, ns):
            families[fid]["description"] = _description(top, ns)
        for node, names in children:
            families[fid]["codes"][_key(node, names[-1], ns, in_family)] = _code(node, names, ns)
    if loose:
        fid, in_family = _slug("imported", taken), set()
        families[fid] = {"label_fr": "Codes importés", "label_en": "Imported codes",
                         "codes": {_key(node, n[-1], ns, in_family): _code(node, n, ns)
                                   for node, n in loose}}
    if not families:
        raise CodebookImportError(f"{path}: the codebook has no code.")
    return {"name": Path(path).stem, "version": 1, "language": language, "families": families}


def _code(node, names: list[str], ns: str) -> dict:
    desc = _description(node, ns)
    name = " / ".join(n for n in names if n)
    out = {"label_fr": name, "label_en": name}
    if desc:
        out["description"] = desc
    out["patterns"] = {"lemmas": _proposed(names[-1], desc)}
    return out


def codebook_yaml(codebook: dict, source: str) -> str:
    """``codebook.yaml`` text with every proposed pattern marked for review."""
    head = (f"# Codebook imported from {source} (REFI-QDA).\n"
            f"# {REVIEW_MARK}: every pattern below was proposed from the code's name and\n"
            "# description; check and complete them before the first run.\n\n")
    text = yaml.safe_dump(codebook, allow_unicode=True, sort_keys=False, width=100)
    return head + re.sub(r"^(\s+)patterns:", rf"\1# {REVIEW_MARK}: proposed patterns\n\1patterns:",
                         text, flags=re.MULTILINE)


def write_imported_codebook(source: str | os.PathLike, target: str | os.PathLike,
                            language: str = "fr") -> Path:
    """Write ``target`` (a new ``codebook.yaml``) from a REFI-QDA codebook; never overwrites."""
    from ..core.storage import write_text

    target = Path(target)
    if target.exists():
        raise CodebookImportError(f"{target} already exists: choose another file name.")
    return write_text(target, codebook_yaml(import_codebook(source, language), Path(source).name))
