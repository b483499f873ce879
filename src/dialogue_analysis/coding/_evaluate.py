"""A hand-coded gold sample and the agreement of the automatic coding with it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import ConfigError
from ._codebook import KEY, Codebook
from ._match import Coding

# --------------------------------------------------------------------------------------------
# Gold standard and evaluation
# --------------------------------------------------------------------------------------------

def gold_sample(
    answers: pd.DataFrame, n: int = 40, *, random_state: int = 0, by: str | None = "question_id"
) -> pd.DataFrame:
    """A sample of answers to hand-code: ``record_id``, ``question_id``, ``codes`` (empty),
    ``text``. Save it as CSV, fill ``codes`` (code ids separated by ``;``), read it back with
    :func:`load_gold`. With ``by``, the sample is spread evenly over that column's values."""
    df = answers.loc[answers["text"].fillna("").astype(str).str.strip() != "", [*KEY, "text"]]
    if by is not None and by in df.columns:
        groups = [g for _, g in df.groupby(by, sort=True)]
        per = -(-n // max(len(groups), 1))
        parts = [g.sample(min(per, len(g)), random_state=random_state) for g in groups]
        out = pd.concat(parts).sample(frac=1, random_state=random_state).head(n)
    else:
        out = df.sample(min(n, len(df)), random_state=random_state)
    out = out.sort_values(KEY, kind="stable").reset_index(drop=True)
    out.insert(2, "codes", "")
    return out


def load_gold(path: str | os.PathLike, codebook: Codebook | None = None) -> pd.DataFrame:
    """Read a hand-coded sample: CSV ``record_id,question_id,codes`` (codes separated by ``;``).

    Other columns (e.g. ``text``) are ignored; an empty ``codes`` cell means the answer was read
    and carries no code. Returns ``record_id``, ``question_id``, ``codes`` (a tuple of code ids).

    Raises
    ------
    ConfigError
        Missing columns, an answer listed twice, or (given ``codebook``) an unknown code.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot read the gold file: {exc}") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in (*KEY, "codes") if c not in df.columns]
    if missing:
        hint = " (the separator of columns must be ',')" if len(df.columns) == 1 else ""
        raise ConfigError(str(path), ",".join(missing), f"missing column(s){hint}")
    known = set(codebook.code_ids) if codebook is not None else None
    out = []
    seen: dict[tuple[str, str], int] = {}
    for n, (rid, qid, codes) in enumerate(
        zip(df["record_id"], df["question_id"], df["codes"], strict=True), start=2
    ):
        key = (rid.strip(), qid.strip())
        if key in seen:
            raise ConfigError(str(path), f"line {n}",
                              f"answer {key} already listed on line {seen[key]}")
        seen[key] = n
        items = tuple(dict.fromkeys(c.strip() for c in codes.split(";") if c.strip()))
        if known is not None:
            bad = [c for c in items if c not in known]
            if bad:
                raise ConfigError(str(path), f"line {n}", f"unknown code(s) {bad}")
        out.append((*key, items))
    return pd.DataFrame(out, columns=[*KEY, "codes"]).astype({"record_id": "str",
                                                              "question_id": "str"})


def _answer_sets(obj) -> tuple[dict[tuple[str, str], set[str]], list[str]]:
    """Answer -> set of codes, and the codes known to the source (codebook order if any)."""
    if isinstance(obj, Coding):
        return _answer_sets(obj.answer_matrix)[0], obj.codebook.code_ids
    if isinstance(obj, (str, os.PathLike)):
        return _answer_sets(load_gold(obj))
    if not isinstance(obj, pd.DataFrame):
        raise TypeError("expected a Coding, a passages or gold DataFrame, or a matrix")
    df = obj
    if "code" in df.columns and all(c in df.columns for c in KEY):  # passages
        out: dict[tuple[str, str], set[str]] = {}
        for r, q, c in zip(df["record_id"], df["question_id"], df["code"], strict=True):
            out.setdefault((str(r), str(q)), set()).add(str(c))
        return out, list(dict.fromkeys(df["code"].astype(str)))
    if "codes" in df.columns and all(c in df.columns for c in KEY):  # gold
        out = {}
        for r, q, cs in zip(df["record_id"], df["question_id"], df["codes"], strict=True):
            if isinstance(cs, str):
                cs = [c.strip() for c in cs.split(";") if c.strip()]
            out[(str(r), str(q))] = set(cs)
        return out, sorted({c for s in out.values() for c in s})
    # an answer-level 0/1 matrix: MultiIndex (record_id, question_id) or those columns
    m = df.set_index(KEY) if all(c in df.columns for c in KEY) else df
    if not isinstance(m.index, pd.MultiIndex):
        raise ValueError("a matrix must be answer-level: index or columns record_id, question_id")
    codes = [c for c in m.columns]
    vals = m.to_numpy()
    out = {}
    for (r, q), row in zip(m.index, vals, strict=True):
        out[(str(r), str(q))] = {c for c, v in zip(codes, row, strict=True) if v}
    return out, [str(c) for c in codes]


def _metrics(tp: int, fp: int, fn: int, tn: int) -> dict[str, float]:
    n = tp + fp + fn + tn
    precision = tp / (tp + fp) if tp + fp else np.nan
    recall = tp / (tp + fn) if tp + fn else np.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else np.nan
    if n:
        po = (tp + tn) / n
        pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n)
        kappa = (po - pe) / (1 - pe) if pe < 1 else np.nan
    else:
        kappa = np.nan
    return {"precision": precision, "recall": recall, "f1": f1, "kappa": kappa}


def evaluate_coding(predicted, gold, *, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Agreement of the automatic coding with a hand-coded gold sample, answer by answer.

    An answer is coded or not with each code (several passages count once). Only the answers of
    ``gold`` are compared; an answer absent from ``predicted`` has no code.

    Parameters
    ----------
    predicted : Coding, passages DataFrame, or answer-level 0/1 matrix
    gold : DataFrame of :func:`load_gold`, or its path
    codes : iterable of str, optional
        Codes to report; by default the codebook's (when ``predicted`` is a Coding), else every
        code seen in either side.

    Returns
    -------
    DataFrame
        One row per code, then ``micro`` (pooled over codes) and ``macro`` (mean over the codes
        with a positive in either side): ``code``, ``support`` (gold positives), ``predicted``,
        ``tp``, ``fp``, ``fn``, ``tn``, ``precision``, ``recall``, ``f1``, ``kappa`` (Cohen's).
        Undefined ratios (e.g. precision without any prediction) are NaN.
    """
    pred, pred_codes = _answer_sets(predicted)
    gold_sets, gold_codes = _answer_sets(gold)
    if codes is None:
        codes = list(dict.fromkeys([*pred_codes, *gold_codes]))
        if not isinstance(predicted, Coding):
            codes = sorted(codes)
    codes = list(codes)
    answers = list(gold_sets)
    rows = []
    tot = dict(tp=0, fp=0, fn=0, tn=0)
    for c in codes:
        g = np.array([c in gold_sets[a] for a in answers], dtype=bool)
        p = np.array([c in pred.get(a, ()) for a in answers], dtype=bool)
        cnt = dict(tp=int((g & p).sum()), fp=int((~g & p).sum()), fn=int((g & ~p).sum()),
                   tn=int((~g & ~p).sum()))
        for k in tot:
            tot[k] += cnt[k]
        rows.append({"code": c, "support": int(g.sum()), "predicted": int(p.sum()), **cnt,
                     **_metrics(**cnt)})
    out = pd.DataFrame(rows, columns=["code", "support", "predicted", "tp", "fp", "fn", "tn",
                                      "precision", "recall", "f1", "kappa"])
    micro = {"code": "micro", "support": tot["tp"] + tot["fn"],
             "predicted": tot["tp"] + tot["fp"], **tot, **_metrics(**tot)}
    active = out.loc[(out["support"] > 0) | (out["predicted"] > 0)]
    macro = {"code": "macro", "support": int(active["support"].sum()),
             "predicted": int(active["predicted"].sum()),
             **{k: int(active[k].sum()) for k in ("tp", "fp", "fn", "tn")},
             **{k: float(active[k].mean()) if len(active) else np.nan
                for k in ("precision", "recall", "f1", "kappa")}}
    out = pd.concat([out, pd.DataFrame([micro, macro])], ignore_index=True)
    out["code"] = out["code"].astype("str")
    return out
