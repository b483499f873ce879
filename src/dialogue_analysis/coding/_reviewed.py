"""The coding a run publishes: the codebook's, corrected by the analyst's review when there is
one, with the agreement of the codebook with the analyst on the reviewed answers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ._agreement import AGREEMENT_COLUMNS, agreement_table, answer_codes, reviewer_agreement
from ._decisions import (
    apply_decisions,
    code_matrix_from,
    decisions_path,
    read_decisions,
    reviewed_codes,
)


@dataclass
class ReviewedCoding:
    """``passages`` (with ``origin``), ``code_matrix``, ``agreement`` and manifest ``params``."""

    passages: pd.DataFrame
    code_matrix: pd.DataFrame
    agreement: pd.DataFrame
    params: dict = field(default_factory=dict)


def apply_review(coding, answers: pd.DataFrame, project) -> ReviewedCoding:
    """Apply ``<config dir>/review/<wave>.decisions.csv`` (when it exists) to a Coding.

    Reviewed answers carry the analyst's codes; the agreement table compares the codebook's
    codes with the analyst's on those answers (and reviewers with each other).
    """
    codes = coding.codebook.code_ids
    path = decisions_path(project.config_path, project.wave)
    decisions = read_decisions(path, codes=codes)
    passages = coding.passages.assign(origin="codebook")
    if decisions.empty:
        return ReviewedCoding(passages, coding.code_matrix,
                              pd.DataFrame(columns=AGREEMENT_COLUMNS))
    analyst = reviewed_codes(decisions)
    agreement = pd.concat([agreement_table(answer_codes(passages), analyst, codes),
                           reviewer_agreement(decisions, codes)], ignore_index=True)
    families = {c.id: c.family for c in coding.codebook.codes}
    passages = apply_decisions(passages, answers, analyst, families)
    matrix = code_matrix_from(passages, coding.code_matrix.index, codes)
    overall = agreement[agreement["code"] == "(overall)"].iloc[0]
    params = {"review_file": path.name, "reviewed_answers": len(analyst),
              "reviewers": int(decisions["reviewer"].nunique()),
              "agreement_f1": round(float(overall["f1"]), 3),
              "agreement_kappa": round(float(overall["kappa"]), 3)}
    return ReviewedCoding(passages, matrix, agreement, params)
