"""The report's findings as plain tables, for the notebooks and the workbook."""

from __future__ import annotations

import html
import re

import pandas as pd

from ..analysis import Analysis
from ..core.i18n import Words
from ._figures import typology_is_clear
from ._format import fmt_p
from ._html import typology_verdict
from ._masked_tests import fmt_band, published_tests
from ._sections import _cross_table, _family_rows, _group_cards, finding_sentence

# -- tables for notebooks ---------------------------------------------------------------------


def key_findings(a: Analysis, language: str | None = None) -> pd.DataFrame:
    """The key findings as plain sentences: ``finding, sentence`` (and their numbers)."""
    language = language or a.language
    sentences = [html.unescape(re.sub(r"</?strong>", "", str(finding_sentence(r, a, language))))
                 for r in a.findings.to_dict("records")]
    out = a.findings.loc[:, ["finding", "kind", "dimension", "category", "code"]].copy()
    out.insert(1, "sentence", sentences)
    return out


def tests_table(a: Analysis, codes, language: str | None = None) -> pd.DataFrame:
    """Adjusted p-values of the chi-square tests of ``codes`` (rows) by dimension (columns), as
    the report prints them: only the band where the tested table has a masked cell."""
    language = language or a.language
    t = published_tests(a)
    t = t[t["code"].isin(list(codes))]
    shown = [fmt_band(b, language) if pd.isna(p) else fmt_p(p, language)
             for b, p in zip(t["p_band"], t["p_adjusted"], strict=True)]
    return (t.assign(label=t["code"].map(a.code_labels(language)), p=shown)
            .pivot(index="label", columns="dimension", values="p"))


def family_table(a: Analysis, family: str, language: str | None = None) -> pd.DataFrame:
    """Codes of a family with their count, share and 95 % interval, most cited first."""
    language = language or a.language
    w = Words(language)
    rows = _family_rows(a, family, language)
    return pd.DataFrame([{w.code: r["label"], w.people: r["count"], w.share_people: r["share"],
                          w.ci: r["ci"]} for r in rows])


def consulted_table(a: Analysis, rows: str = "stakeholder_group", columns: str = "territory",
                    language: str | None = None) -> pd.DataFrame:
    """People consulted, ``rows`` x ``columns`` with totals; masked counts shown as ``s``/``x``."""
    language = language or a.language
    t = _cross_table(a, rows, columns, language)
    w = Words(language)
    body = pd.DataFrame([r["cells"] + [r["total"]] for r in t["rows"]],
                        index=[r["label"] for r in t["rows"]], columns=t["columns"] + [w.total])
    body.loc[w.total] = t["totals"] + [t["total"]]
    body.index.name = w.dim(rows)
    return body


def group_cards_markdown(a: Analysis, language: str | None = None) -> str:
    """The typology's group cards as Markdown (for notebooks)."""
    language = language or a.language
    fr = language == "fr"
    if not typology_is_clear(a):  # the groups would be an arbitrary cut: say so, show none
        return typology_verdict(a, language) + "\n"
    parts = []
    for c in _group_cards(a, language):
        parts.append(f"### {c['group']}. {c['label']}\n\n**{c['size']}** "
                     f"{'personnes' if fr else 'people'} ({c['share']})\n")
        if c["who"]:
            parts.append(("**Qui sont-ils ?** " if fr else "**Who they are:** ") + "; ".join(
                f"{r['text']} ({r['share']} vs {r['overall']})" for r in c["who"]) + "\n")
        if c["needs"]:
            parts.append(("**Ce qu'ils expriment :** " if fr else "**What they raise:** ")
                         + "; ".join(f"{r['text']} ({r['share']} vs {r['overall']})"
                                     for r in c["needs"]) + "\n")
        if c["terms"]:
            parts.append(("**Leurs mots :** " if fr else "**Their words:** ")
                         + ", ".join(c["terms"]) + "\n")
        for q in c["quotes"][:3]:
            cite = ", ".join(x for x in (q["record_id"], q["question_id"], q["who"]) if x)
            parts.append(f"> « {q['text']} » — *{cite}*\n")
    return "\n".join(parts)
