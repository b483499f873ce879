"""REFI-QDA exports: the coded wave as a ``.qdpx`` project and the codebook as a ``.qdc``.

NVivo, ATLAS.ti, MAXQDA and QualCoder import these files (REFI-QDA 1.5, schema ``Project.xsd``).
The project holds one text source per answer (the pseudonymised text), one case per interview
with its attributes as variables, the codebook (families as parent codes) and every coded
passage as a ``PlainTextSelection`` whose positions count Unicode code points, as the standard
says (Python string indices are code points). The analysts' review decisions, when given, are
codings by their reviewer: each reviewer is a user, and codes the selections of the codes they
kept or added on the answers they reviewed (a code added with no passage: the whole answer). Identifiers (GUIDs) are derived from the wave and
the names they stand for, so the same wave always gives the same file.

A project holds one case per person: it is person-level data for the analyst, not a published
table, and is written under ``data/processed/<wave>/exports/`` (see docs/exports.md).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from hashlib import sha1
from pathlib import Path

import numpy as np
import pandas as pd
from lxml.etree import SubElement

from ..analysis import Analysis
from ..core.rows_by_key import RowsByKey
from ..core.zip_writer import ZipWriter
from ._rows import row_dicts

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_GUIDS = uuid.UUID("5d1c8f0e-3b4a-5c7d-9e2f-0a1b2c3d4e5f")
_GUIDS_BYTES = _GUIDS.bytes
CODEBOOK_USER = "dialogue-analysis (codebook)"
FAMILY_COLOURS = {"service": "#1F77B4", "barrier": "#D62728", "need": "#2CA02C"}


def guid(*parts) -> str:
    """A stable GUID for what ``parts`` name (``8-4-4-4-12`` form): ``uuid.uuid5`` of them,
    computed without building a ``UUID`` (a project holds several per answer)."""
    digest = bytearray(sha1(_GUIDS_BYTES + "\x1f".join(map(str, parts)).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def _el(parent, tag: str, ns: str = PROJECT_NS, **attrs):
    # the attributes in the order given (that of the file), those that are None left out
    return SubElement(parent, f"{{{ns}}}{tag}",
                      {k: str(v) for k, v in attrs.items() if v is not None})


def _label(a: Analysis, code: str, language: str) -> str:
    return a.code_label(code, language) or code


def _codes(parent, a: Analysis, language: str, ns: str) -> dict[str, str]:
    """Families as parent codes (not codable), codes under them; returns code -> GUID."""
    codes = _el(parent, "Codes", ns)
    cb = a.codebook
    out: dict[str, str] = {}
    label_col = "family_label_en" if language == "en" else "family_label_fr"
    for family, rows in cb.groupby("family", sort=False):
        name = str(rows[label_col].dropna().iloc[0]) if label_col in rows and \
            rows[label_col].notna().any() and str(rows[label_col].dropna().iloc[0]) else family
        parent_code = _el(codes, "Code", ns, guid=guid(a.wave, "family", family), name=name,
                          isCodable="false", color=FAMILY_COLOURS.get(str(family)))
        _el(parent_code, "Description", ns).text = f"family: {family}"
        for row in rows.to_dict("records"):
            code = str(row["code"])
            out[code] = guid(a.wave, "code", code)
            node = _el(parent_code, "Code", ns, guid=out[code], name=_label(a, code, language),
                       isCodable="true")
            desc = str(row.get("description") or "").strip()
            _el(node, "Description", ns).text = f"code: {code}" + (f"\n{desc}" if desc else "")
    return out


def _attribute_columns(a: Analysis) -> list[str]:
    skip = {"record_id", "typology_group"}
    return [c for c in a.records.columns if c not in skip and not str(c).startswith("_")]


REVIEWER_USER = "reviewer:"  # the id of a reviewer's user, before the reviewer's name


def _reviews(decisions: pd.DataFrame | None) -> dict[str, dict[tuple, set]]:
    """reviewer -> (record_id, question_id) -> the codes they kept or added (latest submission)."""
    from ..coding import reviewed_codes

    if decisions is None or decisions.empty:
        return {}
    return {str(r): reviewed_codes(decisions, reviewer=r)
            for r in sorted(set(decisions["reviewer"].astype(str)))}


def project_xml(a: Analysis, language: str | None = None,
                decisions: pd.DataFrame | None = None) -> tuple[bytes, dict[str, str]]:
    """``project.qde`` as UTF-8 bytes, and the source texts (``<guid>.txt`` -> text).

    ``decisions``: the analysts' review decisions (``coding.read_decisions``), written as
    codings by their reviewer."""
    texts: dict[str, str] = {}
    return b"".join(project_xml_parts(a, texts, language, decisions)), texts


# answers (or cases) whose XML is built at a time: the whole tree of a national consultation
# would take about 9 KB per answer
BLOCK = 2000
_MARK = "dialogue-analysis:block"  # where the blocks go in the document's skeleton


def project_xml_parts(a: Analysis, texts: dict[str, str] | None, language: str | None = None,
                      decisions: pd.DataFrame | None = None) -> Iterator[bytes]:
    """The bytes of ``project.qde`` (those of :func:`project_xml`) a piece at a time, the cases
    and sources built a block at a time; ``texts`` (unless None) receives the source texts.

    The users, codebook and variables make a skeleton serialised whole; each block of cases
    or sources is serialised under a skeleton of the same depth, so that its indentation, and
    hence every byte, is that of the document built as one tree."""
    from lxml import etree

    language = language or a.language
    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    root.set("name", a.wave or "wave")
    root.set("origin", "dialogue-analysis")
    # One user per origin of the passages (codebook, learned layer, analyst...), so that a QDA
    # tool can filter the codings by who made them.
    origins = sorted(set(a.passages["origin"].astype(str))) if "origin" in a.passages else []
    origins = ["codebook"] + [o for o in origins if o != "codebook"]
    user_of = {o: guid(a.wave, "user", o) for o in origins}
    user = user_of["codebook"]
    root.set("creatingUserGUID", user)
    users = _el(root, "Users")
    for o in origins:
        _el(users, "User", guid=user_of[o], id=o,
            name=CODEBOOK_USER if o == "codebook" else f"dialogue-analysis ({o})")
    reviews = _reviews(decisions)
    reviewer_of = {r: guid(a.wave, "user", REVIEWER_USER + r) for r in reviews}
    for r, g in reviewer_of.items():
        _el(users, "User", guid=g, id=REVIEWER_USER + r, name=r)
    code_guids = _codes(_el(root, "CodeBook"), a, language, PROJECT_NS)

    attrs = _attribute_columns(a)
    variable_guids = {col: guid(a.wave, "variable", col) for col in attrs}
    if attrs:
        variables = _el(root, "Variables")
        for col in attrs:
            _el(variables, "Variable", guid=variable_guids[col], name=col,
                typeOfVariable="Text")
    answers = _sourced(a)
    # which answers are each case's, and which passages each answer's: row positions found by
    # key (no dict of a GUID or an array per answer: hundreds of thousands of them)
    answers_of = RowsByKey(answers["record_id"])
    answer_questions = answers["question_id"].astype(str)
    records = a.records

    def cases(out: list[str], block: pd.DataFrame) -> None:
        rids = [str(r) for r in block["record_id"].tolist()]
        at = answers_of.all(rids)
        taken = answer_questions.iloc[np.concatenate(at) if at else []].tolist()
        questions, n = [], 0  # each case's questions, each once, in the answers' order
        for rows in at:
            questions.append(list(dict.fromkeys(taken[n : n + len(rows)])))
            n += len(rows)
        for rec, own in zip(row_dicts(block), questions, strict=True):
            rid = str(rec["record_id"])
            values = [(variable_guids[col], str(v)) for col in attrs
                      if (v := rec.get(col)) is not None and not pd.isna(v)]
            _case(out, guid(a.wave, "case", rid), rid, values,
                  [guid(a.wave, "source", rid, q) for q in own])

    # One stable sort of all passages, then each answer's in that order (not one sort per
    # answer: tens of thousands of answers in a national consultation). The order alone: the
    # passages are not copied in it.
    passages = a.passages
    in_order = passages[["start", "end", "code"]].reset_index(drop=True).sort_values(
        ["start", "end", "code"], kind="stable").index.to_numpy()
    passages_of = RowsByKey(passages["record_id"].iloc[in_order],
                             passages["question_id"].iloc[in_order])

    def sources(out: list[str], block: pd.DataFrame) -> None:
        keys = [(str(r), str(q)) for r, q in zip(block["record_id"].tolist(),
                                                 block["question_id"].tolist(), strict=True)]
        at = passages_of.all([k[0] for k in keys], [k[1] for k in keys])
        taken = row_dicts(passages.iloc[in_order[np.concatenate(at)] if at else []])
        n = 0
        for key, row, rows in zip(keys, row_dicts(block), at, strict=True):
            found, n = taken[n : n + len(rows)], n + len(rows)
            _source(out, a, key, str(row["text"]), found, guid(a.wave, "source", *key), texts,
                    user_of, reviews, reviewer_of, code_guids)

    # the blocks go where a mark stands in the skeleton (none when there are no rows)
    filled = [(tag, fill, rows) for tag, fill, rows in
              (("Cases", cases, records), ("Sources", sources, answers)) if len(rows)]
    for tag, _, rows in (("Cases", cases, records), ("Sources", sources, answers)):
        parent = _el(root, tag)
        if len(rows):
            _el(parent, "Case" if tag == "Cases" else "TextSource", name=_MARK)
    skeleton = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    del root
    pieces = skeleton.split(f' name="{_MARK}"/>\n'.encode())
    # the text before each mark ends with the mark's element opening ("    <Case")
    pieces = [p[: p.rindex(b"<")].rstrip(b" ") if i < len(pieces) - 1 else p
              for i, p in enumerate(pieces)]

    for piece, (tag, fill, rows) in zip(pieces, filled, strict=False):
        yield piece
        for b0 in range(0, len(rows), BLOCK):
            yield _serialised_block(tag, fill, rows.iloc[b0 : b0 + BLOCK])
    yield pieces[-1]


def _serialised_block(tag: str, fill, rows: pd.DataFrame) -> bytes:
    """The children ``fill`` writes for ``rows`` under ``<tag>``, at depth 2."""
    out: list[str] = []
    fill(out, rows)
    xml = "".join(out)
    if _NOT_XML.search(xml):  # as lxml refuses them in an element's attributes or text
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes "
                         "or control characters")
    return xml.encode("utf-8")


# The cases and sources, nearly all of a project, are written as text, in the form lxml gives
# the whole tree (``pretty_print``: two spaces a level, each element's attributes in a fixed
# order, escaped as libxml2 escapes them): made as lxml elements, they took half of the
# project's time. GUIDs and positions need no escaping; names and values do.
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"})
_ATTR_SPECIAL = re.compile('[&<>"\t\n\r]')
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_TEXT_SPECIAL = re.compile("[&<>\r]")
# characters XML 1.0 does not allow (lxml raises ValueError on them)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attr(value: str) -> str:
    return value.translate(_ATTR_ESCAPES) if _ATTR_SPECIAL.search(value) else value


def _text(value: str) -> str:
    return value.translate(_TEXT_ESCAPES) if _TEXT_SPECIAL.search(value) else value


def _case(out: list[str], g: str, rid: str, values: list[tuple[str, str]],
          sources: list[str]) -> None:
    """One interview's ``Case`` (depth 2): its variables' values and its answers' sources."""
    head = f'    <Case guid="{g}" name="{_attr(rid)}"'
    if not values and not sources:
        out.append(head + "/>\n")
        return
    out.append(head + ">\n")
    for variable, value in values:
        out.append(f'      <VariableValue>\n        <VariableRef targetGUID="{variable}"/>\n'
                   f'        <TextValue>{_text(value)}</TextValue>\n      </VariableValue>\n')
    out += [f'      <SourceRef targetGUID="{s}"/>\n' for s in sources]
    out.append("    </Case>\n")


def _source(out: list[str], a: Analysis, key: tuple, text: str, found: list[dict], g: str,
            texts: dict[str, str] | None, user_of: dict, reviews: dict, reviewer_of: dict,
            code_guids: dict) -> None:
    """One answer's ``TextSource`` (depth 2) with its coded passages and its reviewers'
    codings."""
    if texts is not None:
        texts[f"{g}.txt"] = text
    head = (f'    <TextSource guid="{g}" name="{_attr(f"{key[0]} {key[1]}")}" '
            f'plainTextPath="internal://{g}.txt"')
    inner: list[str] = []
    kept = {r: codes[key] for r, codes in reviews.items() if key in codes}
    coded: set[tuple[str, str]] = set()  # (reviewer, code) with a coding in this source
    for p in found:
        code = str(p["code"])
        if code not in code_guids:
            continue
        origin = str(p.get("origin") or "codebook")
        if origin not in user_of:  # an empty origin cell
            origin = "codebook"
        start, end = int(p["start"]), int(p["end"])
        inner.append(_selection(guid(a.wave, "selection", *key, code, p["start"], p["end"]),
                                f"{code} ({origin})", start, end, user_of[origin],
                                f"origin: {origin}"))
        inner.append(_coding(guid(a.wave, "coding", *key, code, p["start"]), user_of[origin],
                             code_guids[code]))
        for r, codes in kept.items():  # the reviewer kept this code on this answer
            if code in codes:
                inner.append(_coding(guid(a.wave, "coding", *key, code, p["start"], r),
                                     reviewer_of[r], code_guids[code]))
                coded.add((r, code))
        inner.append("      </PlainTextSelection>\n")
    for r, codes in kept.items():  # codes a reviewer added where no passage is left
        for code in sorted(c for c in codes if (r, c) not in coded and c in code_guids):
            end = len(text)
            inner.append(_selection(guid(a.wave, "selection", *key, code, 0, end, r),
                                    f"{code} ({r})", 0, end, reviewer_of[r], f"reviewer: {r}"))
            inner.append(_coding(guid(a.wave, "coding", *key, code, 0, r), reviewer_of[r],
                                 code_guids[code]))
            inner.append("      </PlainTextSelection>\n")
    if not inner:
        out.append(head + "/>\n")
        return
    out.append(head + ">\n")
    out += inner
    out.append("    </TextSource>\n")


def _selection(g: str, name: str, start: int, end: int, user: str, description: str) -> str:
    """A ``PlainTextSelection``'s start tag and description (depth 3), its codings to follow."""
    return (f'      <PlainTextSelection guid="{g}" name="{_attr(name)}" startPosition="{start}" '
            f'endPosition="{end}" creatingUser="{user}">\n'
            f"        <Description>{_text(description)}</Description>\n")


def _coding(g: str, user: str, code_guid: str) -> str:
    """A ``Coding`` of a selection (depth 4) by ``user``, of the code ``code_guid``."""
    return (f'        <Coding guid="{g}" creatingUser="{user}">\n'
            f'          <CodeRef targetGUID="{code_guid}"/>\n        </Coding>\n')


def write_qdpx(a: Analysis, path: str | os.PathLike, language: str | None = None,
               decisions: pd.DataFrame | None = None) -> Path:
    """Write the wave as a REFI-QDA project (``.qdpx``: ``project.qde`` and ``sources/``)."""
    from ..core.storage import atomic_path

    # written member by member: no object per source kept until the archive closes
    with atomic_path(path) as tmp, ZipWriter(tmp) as zf:
        with zf.open("project.qde") as qde:  # written as it is made
            for part in project_xml_parts(a, None, language, decisions):
                qde.write(part)
        # the texts read from the answers a block at a time, in the order of their file names
        # (not kept from the project's making: a national consultation's answers, again)
        answers = _sourced(a)
        names = [f"{guid(a.wave, 'source', r, q)}.txt" for r, q in zip(
            answers["record_id"].tolist(), answers["question_id"].tolist(), strict=True)]
        in_name_order = sorted(range(len(names)), key=names.__getitem__)
        for b0 in range(0, len(names), BLOCK):
            block = in_name_order[b0 : b0 + BLOCK]
            texts = answers["text"].iloc[block].tolist()
            for row, text in zip(block, texts, strict=True):
                zf.write(f"sources/{names[row]}", str(text).encode("utf-8"))  # no BOM
    return Path(path)


def _sourced(a: Analysis) -> pd.DataFrame:
    """The answers that are a source of the project: those with some text (the table itself,
    not a copy, when all have some)."""
    texted = (a.answers["text"].astype(str).str.strip() != "").to_numpy(dtype=bool)
    return a.answers if texted.all() else a.answers.loc[texted]


def codebook_xml(a: Analysis, language: str | None = None) -> bytes:
    """The codebook as a standalone REFI-QDA codebook (``.qdc``)."""
    from lxml import etree

    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", "dialogue-analysis")
    _codes(root, a, language or a.language, CODEBOOK_NS)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_qdc(a: Analysis, path: str | os.PathLike, language: str | None = None) -> Path:
    from ..core.storage import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(codebook_xml(a, language))
    return Path(path)
