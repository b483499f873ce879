"""A ``.qdpx`` project coded by people in a QDA tool, read back as review decisions.

Each text source named ``<record_id> <question_id>`` (as this toolkit's export names them) is
an answer the analysts read; the codes of its selections are their decisions. Codes are matched
to the codebook by the id this toolkit wrote in their description (``code: <id>``), else by
label. The result has the columns of a hand-coded gold sample (``record_id``, ``question_id``,
``codes``), so :func:`coding.evaluate_coding` measures the automatic coding's agreement with it.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pandas as pd

from ._qdc_import import CodebookImportError

NS = {"q": "urn:QDA-XML:project:1.0"}
TOOLKIT_USER = "dialogue-analysis"  # the names of the users this toolkit's exports code as


def _code_ids(root, codebook: pd.DataFrame | None) -> dict[str, str]:
    by_label = {}
    if codebook is not None:
        for col in ("label_fr", "label_en"):
            if col in codebook:
                by_label.update(zip(codebook[col].astype(str), codebook["code"].astype(str),
                                    strict=True))
    out = {}
    for code in root.iterfind(".//q:Code", NS):
        desc = code.find("q:Description", NS)
        first = (desc.text or "").split("\n")[0] if desc is not None else ""
        if first.startswith("code: "):
            out[code.get("guid")] = first.removeprefix("code: ").strip()
        elif code.get("name") in by_label:
            out[code.get("guid")] = by_label[code.get("name")]
    return out


def read_qdpx_decisions(path: str | os.PathLike, codebook: pd.DataFrame | None = None, *,
                        by_reviewer: bool = False) -> pd.DataFrame:
    """The coded answers of a ``.qdpx``: ``record_id``, ``question_id``, ``codes`` (tuple).

    ``by_reviewer``: one row per answer and person who coded it (column ``reviewer``, the
    user's name), leaving out the codings this toolkit made itself (its users are named
    ``dialogue-analysis (...)``): the people's review decisions, each by its reviewer."""
    from lxml import etree

    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read("project.qde"))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as e:
        raise CodebookImportError(f"{path}: not a REFI-QDA project ({e}).") from None
    ids = _code_ids(root, codebook)
    people = {u.get("guid"): u.get("name") or u.get("id") or u.get("guid")
              for u in root.iterfind(".//q:Users/q:User", NS)
              if not (u.get("name") or "").startswith(TOOLKIT_USER)}
    rows = []
    for src in root.iterfind(".//q:TextSource", NS):
        parts = (src.get("name") or "").split(" ")
        if len(parts) != 2:
            continue  # a source this toolkit did not write: no answer to match it to
        codings = list(src.iterfind("q:PlainTextSelection/q:Coding", NS))
        if not by_reviewer:
            codes = {ids.get(_target(c)) for c in codings} - {None}
            rows.append({"record_id": parts[0], "question_id": parts[1],
                         "codes": tuple(sorted(codes))})
            continue
        for user in sorted({people[c.get("creatingUser")] for c in codings
                            if c.get("creatingUser") in people}):
            codes = {ids.get(_target(c)) for c in codings
                     if people.get(c.get("creatingUser")) == user} - {None}
            rows.append({"record_id": parts[0], "question_id": parts[1], "reviewer": user,
                         "codes": tuple(sorted(codes))})
    columns = ["record_id", "question_id"] + (["reviewer"] if by_reviewer else []) + ["codes"]
    return pd.DataFrame(rows, columns=columns)


def _target(coding) -> str | None:
    ref = coding.find("q:CodeRef", NS)
    return ref.get("targetGUID") if ref is not None else None
