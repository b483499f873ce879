"""The analyst's review decisions: a CSV file next to the survey config, read and written whole.

One row per decision: ``record_id``, ``question_id``, ``code``, ``decision`` (``confirm``,
``remove``, ``add``, or ``reviewed`` for an answer left with no code), ``reviewer``, ``time``
(ISO 8601, UTC), ``memo``. The file is an analyst input, like the codebook: it lives in
``<config dir>/review/<wave>.decisions.csv``, never under ``reports/`` or ``data/processed/``.
A reviewer's later submission for an answer replaces their earlier one.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import storage
from ..core.errors import ConfigError

DECISION_COLUMNS = ["record_id", "question_id", "code", "decision", "reviewer", "time", "memo"]
DECISIONS = ("confirm", "remove", "add", "reviewed")
ANSWER = ["record_id", "question_id"]
ORIGINS = ("codebook", "learned", "analyst")


def decisions_path(config_path: str | os.PathLike, wave: str) -> Path:
    """``<folder of the survey config>/review/<wave>.decisions.csv``."""
    return Path(config_path).resolve().parent / "review" / f"{wave}.decisions.csv"


def empty_decisions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in DECISION_COLUMNS})


def read_decisions(path: str | os.PathLike, codes: list[str] | None = None) -> pd.DataFrame:
    """The decisions file as a table (empty when the file does not exist).

    Raises ConfigError naming the file, the row and the column when a column is missing, a
    decision is unknown or a code is not in ``codes``.
    """
    path = Path(path)
    if not path.is_file():
        return empty_decisions()
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot be read as a UTF-8 CSV file ({exc}); "
                          "fix or remove it.") from exc
    missing = [c for c in DECISION_COLUMNS if c not in df.columns]
    if missing:
        raise ConfigError(str(path), "", f"column(s) {missing} missing; expected columns "
                          f"{DECISION_COLUMNS}.")
    df = df.loc[:, DECISION_COLUMNS]
    bad = ~df["decision"].isin(DECISIONS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ConfigError(str(path), f"row {i + 2}, column decision",
                              f"{df['decision'].iloc[i]!r} is not one of {list(DECISIONS)}.")
    if codes is not None:
        unknown = (df["decision"] != "reviewed") & ~df["code"].isin(codes)
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise ConfigError(str(path), f"row {i + 2}, column code",
                              f"{df['code'].iloc[i]!r} is not a code of the codebook; correct "
                              "the code or remove the row.")
    return df.reset_index(drop=True)


def write_decisions(path: str | os.PathLike, decisions: pd.DataFrame) -> Path:
    """Write the whole table atomically (a crash leaves the previous file as it was)."""
    buf = io.StringIO()
    decisions.loc[:, DECISION_COLUMNS].to_csv(buf, index=False, lineterminator="\n")
    return storage.write_text(path, buf.getvalue())


def submit_answer(path: str | os.PathLike, record_id: str, question_id: str, reviewer: str,
                  auto_codes: list[str], final_codes: list[str], memo: str = "",
                  time: str | None = None) -> pd.DataFrame:
    """Record one reviewer's decisions on one answer, replacing their earlier ones on it.

    ``auto_codes`` are the codes the codebook gave, ``final_codes`` the analyst's: each automatic
    code is confirmed or removed, each other final code added; an answer left with no code gets
    one ``reviewed`` row so that it still counts as reviewed. Returns the whole table written.
    """
    time = time or pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")
    final = list(dict.fromkeys(final_codes))
    rows = [(c, "confirm" if c in final else "remove") for c in dict.fromkeys(auto_codes)]
    rows += [(c, "add") for c in final if c not in auto_codes]
    if not rows:
        rows = [("", "reviewed")]
    new = pd.DataFrame([{"record_id": str(record_id), "question_id": str(question_id), "code": c,
                         "decision": d, "reviewer": reviewer, "time": time, "memo": memo}
                        for c, d in rows], columns=DECISION_COLUMNS)
    old = read_decisions(path)
    same = ((old["record_id"] == str(record_id)) & (old["question_id"] == str(question_id))
            & (old["reviewer"] == reviewer))
    table = pd.concat([old[~same], new], ignore_index=True)
    write_decisions(path, table)
    return table


def latest_submissions(decisions: pd.DataFrame, reviewer: str | None = None) -> pd.DataFrame:
    """The rows of the submission that counts for each reviewed answer.

    With several reviewers on one answer, the latest submission counts (``reviewer`` restricts
    to one reviewer).
    """
    d = decisions if reviewer is None else decisions[decisions["reviewer"] == reviewer]
    if d.empty:
        return d
    last = d.groupby(ANSWER + ["reviewer"], sort=False)["time"].transform("max")
    d = d[d["time"] == last]
    latest = d.sort_values("time", kind="stable").groupby(ANSWER, sort=False)["reviewer"].last()
    who = latest.rename("_latest").reset_index()
    d = d.merge(who, on=ANSWER, how="left")
    return d[d["reviewer"] == d["_latest"]].drop(columns="_latest").reset_index(drop=True)


def reviewed_codes(decisions: pd.DataFrame, reviewer: str | None = None) -> dict[tuple, set]:
    """(record_id, question_id) -> the analyst's codes (confirmed and added), from the latest
    submission on each answer (:func:`latest_submissions`)."""
    d = latest_submissions(decisions, reviewer)
    out: dict[tuple, set] = {(r, q): set() for r, q in zip(d["record_id"], d["question_id"],
                                                           strict=True)}
    kept = d[d["decision"].isin(["confirm", "add"])]
    for r, q, c in zip(kept["record_id"], kept["question_id"], kept["code"], strict=True):
        out[(r, q)].add(c)
    return out


def apply_decisions(passages: pd.DataFrame, texts: pd.DataFrame, analyst: dict[tuple, set],
                    families: dict[str, str]) -> pd.DataFrame:
    """Passages where reviewed answers carry the analyst's codes, each with its ``origin``.

    Removed codes lose their passages; confirmed ones keep them (origin ``codebook``); added
    codes get one passage spanning the whole answer (origin ``analyst``).
    """
    p = passages.copy()
    if "origin" not in p:
        p["origin"] = "codebook"
    if not analyst:
        return p
    key = list(zip(p["record_id"].astype(str), p["question_id"].astype(str), strict=False))
    keep = [k not in analyst or c in analyst[k] for k, c in zip(key, p["code"], strict=False)]
    p = p[keep]
    have = set(zip(p["record_id"], p["question_id"], p["code"], strict=False))
    text = {(str(r), str(q)): str(t) for r, q, t in
            zip(texts["record_id"], texts["question_id"], texts["text"], strict=False)}
    added = [{"record_id": r, "question_id": q, "code": c, "family": families.get(c, ""),
              "start": 0, "end": len(text.get((r, q), "")), "evidence": text.get((r, q), ""),
              "origin": "analyst"}
             for (r, q), codes in sorted(analyst.items()) for c in sorted(codes)
             if (r, q, c) not in have]
    if added:
        p = pd.concat([p, pd.DataFrame(added, columns=p.columns)], ignore_index=True)
        p = p.sort_values(ANSWER, kind="stable")
    p["start"] = p["start"].astype(np.int64)
    p["end"] = p["end"].astype(np.int64)
    return p.reset_index(drop=True)


def code_matrix_from(passages: pd.DataFrame, index: pd.Index, codes: list[str]) -> pd.DataFrame:
    """Record x code 0/1 matrix of ``passages`` (rows ``index``, columns ``codes``)."""
    m = pd.crosstab(passages["record_id"].astype(str), passages["code"]).clip(upper=1)
    m = m.reindex(index=index, columns=codes, fill_value=0).fillna(0).astype(np.int64)
    m.index.name = "record_id"
    return m
