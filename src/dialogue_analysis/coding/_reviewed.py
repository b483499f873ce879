"""The coding a run publishes: the codebook's, corrected by the analyst's review when there is
one, with the agreement of the codebook with the analyst on the reviewed answers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..nlp import embed, embedding_cache_dir
from ._agreement import AGREEMENT_COLUMNS, agreement_table, answer_codes, reviewer_agreement
from ._decisions import (
    apply_decisions,
    code_matrix_from,
    decisions_path,
    read_decisions,
    reviewed_codes,
)
from ._learned import MIN_REVIEWED, LearnedLayer, code_priors, cross_validated
from ._wave_words import WaveWords


@dataclass
class ReviewedCoding:
    """``passages`` (with ``origin``), ``code_matrix``, ``agreement`` and manifest ``params``."""

    passages: pd.DataFrame
    code_matrix: pd.DataFrame
    agreement: pd.DataFrame
    params: dict = field(default_factory=dict)


def apply_review(coding, answers: pd.DataFrame, project, root=None) -> ReviewedCoding:
    """Apply ``<config dir>/review/<wave>.decisions.csv`` (when it exists) to a Coding.

    Reviewed answers carry the analyst's codes; the agreement table compares the codebook's
    codes with the analyst's on those answers (and reviewers with each other). ``answers`` hold
    the pseudonymised text (the learned layer embeds it); with ``root`` the embeddings are
    cached under ``<root>/data/processed/_embedding_cache/``.
    """
    codes = coding.codebook.code_ids
    path = decisions_path(project.config_path, project.wave)
    decisions = read_decisions(path, codes=codes)
    passages = coding.passages.assign(origin="codebook")
    if decisions.empty:
        return ReviewedCoding(passages, coding.code_matrix,
                              pd.DataFrame(columns=AGREEMENT_COLUMNS))
    analyst = reviewed_codes(decisions)
    tables = [agreement_table(answer_codes(passages), analyst, codes),
              reviewer_agreement(decisions, codes)]
    families = {c.id: c.family for c in coding.codebook.codes}
    learned_params: dict = {}
    if len(analyst) >= MIN_REVIEWED:
        cache = embedding_cache_dir(root) if root is not None else None
        passages, cv, learned_params = _learned(coding, passages, answers, analyst, families,
                                                int(getattr(project.settings, "seed", 0)), cache)
        tables.append(cv)
    agreement = pd.concat(tables, ignore_index=True)
    passages = apply_decisions(passages, answers, analyst, families)
    matrix = code_matrix_from(passages, coding.code_matrix.index, codes)
    overall = agreement[agreement["code"] == "(overall)"].iloc[0]
    params = {"review_file": path.name, "reviewed_answers": len(analyst),
              "reviewers": int(decisions["reviewer"].nunique()),
              "agreement_f1": round(float(overall["f1"]), 3),
              "agreement_kappa": round(float(overall["kappa"]), 3), **learned_params}
    return ReviewedCoding(passages, matrix, agreement, params)


LEARNED_COMPARISON = "codebook + learned / analyst (cross-validated)"


def _learned(coding, passages: pd.DataFrame, answers: pd.DataFrame, analyst: dict,
             families: dict, seed: int, cache_dir=None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Train the learned layer on the reviewed answers and apply it to the others.

    Returns the passages (codes the layer adds: one passage per sentence that carries the code,
    origin ``learned``; codebook matches it rejects: dropped), the cross-validated agreement of
    the combined coding with the analyst, and the manifest parameters.
    """
    codes = coding.codebook.code_ids
    am = coding.answer_matrix
    keys = [(str(r), str(q)) for r, q in am.index]
    text = {(str(r), str(q)): str(t) for r, q, t in
            zip(answers["record_id"], answers["question_id"], answers["text"], strict=True)}
    counts: dict = {}
    texts = [text.get(k, "") for k in keys]
    embedded = embed(texts, cache_dir=cache_dir, counts=counts)
    words = WaveWords().fit(texts)
    vectors, dims = words.join(embedded, texts), embedded.shape[1]
    del embedded  # joined: a wave's features are held once more at most (the weak examples)
    lexical = am.to_numpy(dtype=np.int64)
    reviewed = np.array([k in analyst for k in keys])
    labels = np.array([[int(c in analyst[k]) for c in codes] for k in keys if k in analyst],
                      dtype=np.int64).reshape(-1, len(codes))
    priors = words.pad(code_priors(coding.codebook))
    weak = {"unreviewed": vectors[~reviewed], "unreviewed_lexical": lexical[~reviewed]}
    layer = LearnedLayer(seed, dims).fit(vectors[reviewed], lexical[reviewed], labels, codes,
                                         priors, **weak)
    combined = layer.predict(vectors, lexical)
    oof = cross_validated(vectors[reviewed], lexical[reviewed], labels, codes, seed=seed,
                          priors=priors, embedding_dims=dims, **weak)
    rkeys = [k for k in keys if k in analyst]
    predicted = {k: {c for c, v in zip(codes, row, strict=True) if v}
                 for k, row in zip(rkeys, oof, strict=True)}
    cv = agreement_table(predicted, {k: analyst[k] for k in rkeys}, codes,
                         comparison=LEARNED_COMPARISON)
    drop, add = set(), []
    sentences = _sentence_spans(coding.parsed, text)
    for i in np.flatnonzero(~reviewed):
        k = keys[i]
        for j in np.flatnonzero(combined[i] != lexical[i]):
            if not combined[i, j]:
                drop.add((*k, codes[j]))
                continue
            spans = sentences.get(k) or [(0, len(text.get(k, "")))]
            parts = [text[k][a:b] for a, b in spans]
            found = layer.evidence(codes[j], words.join(embed(parts), parts), int(lexical[i, j]))
            add += [{"record_id": k[0], "question_id": k[1], "code": codes[j],
                     "family": families.get(codes[j], ""), "start": spans[n][0],
                     "end": spans[n][1], "evidence": text[k][slice(*spans[n])],
                     "origin": "learned"} for n in found]
    if drop:
        gone = [(r, q, c) in drop for r, q, c in
                zip(passages["record_id"], passages["question_id"], passages["code"],
                    strict=True)]
        passages = passages[~np.array(gone, dtype=bool)]
    if add:
        passages = pd.concat([passages, pd.DataFrame(add, columns=passages.columns)],
                             ignore_index=True).sort_values(["record_id", "question_id"],
                                                            kind="stable")
    passages = passages.reset_index(drop=True)
    rules = {code: rule for code, rule in layer.rules.items() if rule != "model"}
    return passages, cv, {"learned_codes": layer.codes, "learned_rules": rules,
                          "learned_dropped_codes": layer.dropped,
                          "learned_weak_codes": layer.weak,
                          "learned_added": len({(a["record_id"], a["question_id"], a["code"])
                                                for a in add}),
                          "learned_dropped": len(drop), "learned_word_components": words.width,
                          "embedded": counts["computed"],
                          "embeddings_cached": counts["disk"] + counts["memory"]}


def _sentence_spans(parsed, text: dict) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """(start, end) of each non-blank sentence of each answer, from the NLP stage."""
    if parsed is None:
        return {}
    s = parsed.sentences
    out: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for r, q, a, b in zip(s["record_id"], s["question_id"], s["start"], s["end"], strict=True):
        k = (str(r), str(q))
        if text.get(k, "")[int(a):int(b)].strip():
            out.setdefault(k, []).append((int(a), int(b)))
    return out
