"""A review session: the sample, the codebook's codes on it, the decisions and the suggestions.

Decisions go to ``<config dir>/review/<wave>.decisions.csv`` and the codebook suggestions they
lead to to ``<wave>.suggestions.csv`` beside it, both rewritten at each answer reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..coding import (
    codebook_suggestions,
    decisions_path,
    read_decisions,
    submit_answer,
    suggestions_path,
    write_suggestions,
)
from ._sample import DEFAULT_TARGET, review_sample

KEY = ["record_id", "question_id"]


@dataclass
class ReviewSession:
    """What the page shows: the sample, its automatic codes, the codebook, the decisions file."""

    sample: pd.DataFrame
    auto: dict  # (record_id, question_id) -> list of {code, start, end}
    codebook: list[dict]
    questions: dict[str, str]
    decisions_file: Path
    reviewer: str
    target: int
    terms: pd.DataFrame | None = None  # record_id, question_id, terms of the sample's answers
    suggestions_file: Path | None = None

    @classmethod
    def for_project(cls, project, root, reviewer: str, target: int = DEFAULT_TARGET
                    ) -> ReviewSession:
        """The session of a wave's last analysis (``run``) under ``root``.

        The codebook is matched again on the sample (parses come from the NLP cache), so that
        the page shows the codebook's own spans even where a run has applied the analyst's
        removals."""
        from ..analysis import load_analysis
        from ..coding import code_answers, load_codebook
        from ..nlp import parse_model

        analysis = load_analysis(project, root)
        sample = review_sample(analysis.answers, target=target,
                               seed=int(analysis.settings.get("seed", 0)))
        codebook = load_codebook(project.require_codebook(), language=project.settings.language)
        coded = code_answers(sample.loc[:, [*KEY, "text"]], codebook,
                             model=parse_model(project.settings), root=root)
        return cls.from_analysis(analysis, project.config_path, reviewer, target,
                                 codebook_passages=coded.passages)

    @classmethod
    def from_analysis(cls, analysis, config_path, reviewer: str,
                      target: int = DEFAULT_TARGET,
                      codebook_passages: pd.DataFrame | None = None) -> ReviewSession:
        """The session of ``analysis``; its codebook spans are ``codebook_passages`` when given,
        else the analysis' passages of origin ``codebook``."""
        seed = int(analysis.settings.get("seed", 0))
        sample = review_sample(analysis.answers, target=target, seed=seed)
        p = codebook_passages
        if p is None:
            p = analysis.passages
            if "origin" in p:
                p = p[p["origin"] == "codebook"]
        auto: dict = {}
        for r in p.itertuples(index=False):
            auto.setdefault((str(r.record_id), str(r.question_id)), []).append(
                {"code": r.code, "start": int(r.start), "end": int(r.end)})
        lang = analysis.language
        codebook = [{"code": c, "family": f, "label": analysis.code_label(c, lang),
                     "family_label": fl}
                    for c, f, fl in zip(analysis.codebook["code"], analysis.codebook["family"],
                                        analysis.codebook.get(f"family_label_{lang}",
                                                              analysis.codebook["family"]),
                                        strict=True)]
        questions = dict(zip(analysis.questions["question_id"].astype(str),
                             analysis.questions["label"].astype(str), strict=True))
        terms = analysis.terms.assign(record_id=analysis.terms["record_id"].astype(str),
                                      question_id=analysis.terms["question_id"].astype(str))
        terms = terms.merge(sample.loc[:, KEY], on=KEY).loc[:, [*KEY, "terms"]]
        path = decisions_path(config_path, analysis.wave)
        return cls(sample, auto, codebook, questions, path, reviewer, len(sample), terms,
                   suggestions_path(config_path, analysis.wave))

    def state(self) -> dict:
        """The sample with each answer's automatic codes and this reviewer's decisions, and the
        codebook suggestions of every reviewer's decisions."""
        codes = [c["code"] for c in self.codebook]
        d = read_decisions(self.decisions_file, codes=codes)
        mine = d[d["reviewer"] == self.reviewer]
        items = []
        for r in self.sample.itertuples(index=False):
            key = (r.record_id, r.question_id)
            done = mine[(mine["record_id"] == r.record_id) & (mine["question_id"] == r.question_id)]
            spans = self.auto.get(key, [])
            # Codes the codebook gave when the answer was reviewed, even if a run has since
            # applied their removal.
            auto = list(dict.fromkeys([s["code"] for s in spans] + done.loc[
                done["decision"].isin(["confirm", "remove"]), "code"].tolist()))
            items.append({
                "record_id": r.record_id, "question_id": r.question_id,
                "question": self.questions.get(r.question_id, r.question_id), "text": r.text,
                "spans": spans, "auto": auto, "reviewed": not done.empty,
                "codes": done.loc[done["decision"].isin(["confirm", "add"]), "code"].tolist()
                if not done.empty else auto,
                "memo": str(done["memo"].iloc[0]) if not done.empty else ""})
        return {"reviewer": self.reviewer, "target": self.target, "items": items,
                "codebook": self.codebook,
                "reviewed": int(sum(i["reviewed"] for i in items)),
                "suggestions": self.suggestions(d).to_dict(orient="records"),
                "suggestions_file": self.suggestions_file.name if self.suggestions_file else ""}

    def suggestions(self, decisions: pd.DataFrame | None = None) -> pd.DataFrame:
        """Candidate patterns and exclusions from the decisions on the sample's answers."""
        if decisions is None:
            decisions = read_decisions(self.decisions_file)
        inside = set(zip(self.sample["record_id"], self.sample["question_id"], strict=True))
        on_sample = [k in inside for k in zip(decisions["record_id"], decisions["question_id"],
                                               strict=True)]
        return codebook_suggestions(decisions[on_sample], self._terms(), self._matches())

    def submit(self, record_id: str, question_id: str, codes: list[str], memo: str) -> None:
        """Save one answer's decisions, then the suggestions they lead to."""
        key = (str(record_id), str(question_id))
        row = self.sample[(self.sample["record_id"] == key[0])
                          & (self.sample["question_id"] == key[1])]
        if row.empty:
            raise KeyError(f"answer {key} is not in the review sample")
        known = {c["code"] for c in self.codebook}
        unknown = sorted(set(codes) - known)
        if unknown:
            raise ValueError(f"unknown code(s) {unknown}")
        item = next(i for i in self.state()["items"]
                    if (i["record_id"], i["question_id"]) == key)
        submit_answer(self.decisions_file, key[0], key[1], self.reviewer, item["auto"],
                      list(codes), memo=memo)
        if self.suggestions_file is not None:
            write_suggestions(self.suggestions_file, self.suggestions())

    def _terms(self) -> pd.DataFrame:
        if self.terms is None:
            return pd.DataFrame(columns=[*KEY, "terms"])
        return self.terms

    def _matches(self) -> pd.DataFrame:
        text = dict(zip(zip(self.sample["record_id"], self.sample["question_id"], strict=True),
                        self.sample["text"], strict=True))
        rows = [(r, q, s["code"], text[(r, q)][s["start"]:s["end"]])
                for (r, q), spans in self.auto.items() if (r, q) in text for s in spans]
        return pd.DataFrame(rows, columns=[*KEY, "code", "matched"])
