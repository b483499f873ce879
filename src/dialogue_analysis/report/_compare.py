"""Report of the comparison of two waves: one self-contained HTML page, the workbook, and the
figures (:mod:`._compare_figures`).

Everything here formats the tables of a :class:`~dialogue_analysis.waves.Comparison`;
:func:`publish_comparison` writes ``reports/compare_<A>_<B>/`` in one go (``compare.html``,
``compare.xlsx``, ``figures/NN_name.png|svg``) through a staging folder that is scanned for
identifiers before anything is published.

What is published, and what is not:

- counts of 1 to ``min_cell_count - 1`` people in the per-group rows, the group sizes and the
  moves table (and the shares and intervals computed from them) are masked, with the cells
  that would give them back by difference from a published total, as in the findings report
  (:mod:`._compare_disclosure`);
- the stakeholders interviewed in both waves appear only in aggregates (how many changed
  territory, gained a need...): their per-person changes stay in the Python object;
- only pseudonymised text ever reaches this module (the terms are lemmas of pseudonymised
  answers); the workbook's text cells can never be formulas.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..core.i18n import Words
from ..core.privacy import assert_clean
from ..core.storage import staged_dir
from ..waves import Comparison
from ._compare_disclosure import (
    comparison_suppression,
    masked_group_sizes,
    masked_moves,
    masked_prevalence,
    masked_reinterviews,
    published_group_test,
)
from ._compare_figures import (  # noqa: F401  (the figures are part of this report's face)
    COMPARE_FIGURES,
    figure_groups,
    figure_moves,
    figure_prevalence,
    figure_vocabulary,
    write_compare_figures,
)
from ._compare_words import _W, DRIFT_KINDS, _label
from ._disclosure import mask_mark
from ._format import fmt_int, fmt_number, fmt_p, fmt_pct
from ._html import render_page

HTML_FILE = "compare.html"
XLSX_FILE = "compare.xlsx"

# -- tables as published ------------------------------------------------------------------------


def published_tables(cmp: Comparison, language: str = "fr") -> dict[str, pd.DataFrame]:
    """The tables of the workbook (and of the HTML page), small counts masked."""
    hidden = comparison_suppression(cmp).hidden
    prev = masked_prevalence(cmp, hidden)
    prev.insert(3, "label", prev["code"].map(lambda c: _label(cmp, c)))
    moves = masked_moves(cmp, hidden) if len(cmp.moves_table) else cmp.moves_table.copy()
    attrs, codes = masked_reinterviews(cmp, hidden)
    codes.insert(1, "label", codes["code"].map(lambda c: _label(cmp, c)))
    sizes = masked_group_sizes(cmp, hidden)
    test = pd.DataFrame([{"test": "chi2", **published_group_test(cmp, hidden)}])
    summary = pd.DataFrame([
        ("wave_a", cmp.wave_a), ("wave_b", cmp.wave_b), ("n_a", cmp.n_a), ("n_b", cmp.n_b),
        ("reinterviewed", len(cmp.reinterviewed_ids)),
        *((k, v if not isinstance(v, list) else ", ".join(map(str, v)))
          for k, v in cmp.settings.items()),
    ], columns=["key", "value"])
    summary["value"] = summary["value"].astype(str)
    tables = {
        "summary": summary,
        "prevalence": prev[prev["dimension"] == "all"].reset_index(drop=True),
        "prevalence_by_group": prev[prev["dimension"] != "all"].reset_index(drop=True),
        "vocabulary": cmp.vocabulary,
        "group_sizes": sizes,
        "group_test": test,
        "group_moves": moves,
        "reinterviewed_attributes": attrs,
        "reinterviewed_codes": codes,
        "schema_drift": cmp.drift,
    }
    if cmp.matching is not None:
        tables["group_matching"] = cmp.matching
    return tables


def write_compare_workbook(cmp: Comparison, path: str | os.PathLike, language: str = "fr") -> Path:
    """Write ``compare.xlsx`` atomically: one sheet per published table."""
    from ._workbook import write_tables

    return write_tables(published_tables(cmp, language), path,
                        title=f"{cmp.wave_a} / {cmp.wave_b}: comparison")


# -- HTML ---------------------------------------------------------------------------------------


def _pts(x, language):
    if x is None or pd.isna(x):
        return "–"
    s = fmt_number(100 * float(x), language, 0)
    return ("+" if float(x) > 0 else "") + s


def compare_context(cmp: Comparison, language: str, images: dict[str, str]) -> dict:
    """Everything the HTML template shows, already formatted."""
    w = _W(language)
    n = int(cmp.settings.get("min_cell_count", 5))
    alpha = cmp.settings.get("alpha", 0.05)
    hidden = comparison_suppression(cmp).hidden
    prev = masked_prevalence(cmp, hidden)

    def rows(frame):
        out = []
        for r in frame.itertuples():
            out.append({
                "code": _label(cmp, r.code), "category": r.category,
                "a": fmt_pct(r.share_a, language), "b": fmt_pct(r.share_b, language),
                "ci_a": f"{fmt_pct(r.ci_low_a, language)} – {fmt_pct(r.ci_high_a, language)}",
                "ci_b": f"{fmt_pct(r.ci_low_b, language)} – {fmt_pct(r.ci_high_b, language)}",
                "diff": _pts(r.difference, language), "p": fmt_p(r.p_adjusted, language),
                "test": r.test, "dir": r.direction, "small": bool(r.small_group),
                "masked": bool(r.masked_a or r.masked_b)})
        return out

    overall = prev[prev["dimension"] == "all"]
    overall = overall.reindex(overall["difference"].astype(float).abs()
                              .sort_values(ascending=False).index)
    by = prev[(prev["dimension"] != "all") & prev["significant"].fillna(False)]
    by = by.sort_values(["dimension", "category", "p_adjusted"])
    small_cats = prev[(prev["dimension"] != "all") & prev["small_group"]]
    small_cats = sorted(set(small_cats["category"]))
    vocab = {t: [{"term": str(r.term).replace("_", " "), "a": fmt_pct(r.share_a, language),
                  "b": fmt_pct(r.share_b, language), "tv": fmt_number(r.test_value, language, 1)}
                 for r in cmp.vocabulary[cmp.vocabulary["trend"] == t].itertuples()]
             for t in ("emerging", "fading")}
    small = mask_mark(language)  # small counts and their complements alike
    groups = [{"group": r.group, "label": r.label,
               "na": small if pd.isna(r.n_a) else fmt_int(r.n_a, language),
               "a": fmt_pct(r.share_a, language),
               "nb": small if pd.isna(r.n_b) else fmt_int(r.n_b, language),
               "b": fmt_pct(r.share_b, language), "diff": _pts(r.difference, language),
               "far": small if pd.isna(getattr(r, "far_b", 0)) else fmt_int(
                   getattr(r, "far_b", 0), language)}
              for r in masked_group_sizes(cmp, hidden).itertuples()]

    def count(x):
        return small if pd.isna(x) else fmt_int(x, language)

    masked_attrs, codes = masked_reinterviews(cmp, hidden)
    attrs = [{"attribute": r.attribute, "n": fmt_int(r.n, language),
              "changed": count(r.n_changed), "share": fmt_pct(r.share_changed, language)}
             for r in masked_attrs.itertuples()]
    raw = cmp.reinterview_codes
    codes = codes[((raw["n_gained"] + raw["n_lost"]) > 0).to_numpy()]
    codes = codes.reindex(raw["net"].abs().loc[codes.index].sort_values(ascending=False).index)
    code_rows = [{"code": _label(cmp, r.code), "gained": count(r.n_gained),
                  "lost": count(r.n_lost), "net": "–" if pd.isna(r.net) else f"{int(r.net):+d}",
                  "p": fmt_p(r.p_value, language)} for r in codes.itertuples()]
    kind_i = 0 if language == "fr" else 1
    drift = [{"kind": DRIFT_KINDS.get(r.kind, (r.kind, r.kind))[kind_i], "item": r.item,
              "a": r.wave_a, "b": r.wave_b, "detail": r.detail} for r in cmp.drift.itertuples()]
    matching = None
    if cmp.matching is not None:
        matching = [{"group": "" if pd.isna(r.group) else int(r.group),
                     "ref": "" if pd.isna(r.reference_group) else int(r.reference_group),
                     "new": "" if pd.isna(r.new_group) else int(r.new_group),
                     "status": r.status, "label": r.label, "size": r.size}
                    for r in cmp.matching.itertuples()]
    far_total = int(cmp.assignments.loc[cmp.assignments["wave"] == cmp.wave_b, "far"].sum())
    test = published_group_test(cmp, hidden)
    return {
        "lang": language, "w": w, "cmp": cmp, "images": images,
        "n_changed": int(overall["significant"].sum()),
        "alpha": fmt_number(alpha, language, 2), "min_cell_count": n,
        "small_group": cmp.settings.get("small_group", 20), "small_categories": small_cats,
        "overall": rows(overall), "by_group": rows(by), "vocab": vocab, "groups": groups,
        "group_p": fmt_p(test.get("p_value"), language),
        "group_chi2": fmt_number(test.get("chi2"), language, 1), "group_dof": test.get("dof"),
        "far_total": far_total, "far_quantile": fmt_pct(cmp.settings.get("far_quantile"),
                                                        language),
        "refit": bool(cmp.settings.get("refit")), "matching": matching,
        "n_reinterviewed": len(cmp.reinterviewed_ids), "attrs": attrs, "codes": code_rows,
        "drift": drift, "correction": cmp.settings.get("correction", "holm"),
        "na": fmt_int(cmp.n_a, language), "nb": fmt_int(cmp.n_b, language),
        "masked_note": Words(language)("masked_note", m=n - 1, mark=mask_mark(language)),
    }


def render_compare_html(cmp: Comparison, language: str | None = None,
                        figures: dict | None = None) -> str:
    """The comparison as one self-contained HTML page (figures embedded as SVG), rendered
    through the findings report's render path."""
    language = language or cmp.settings.get("language", "fr")
    return render_page("compare.html.j2", lambda images: compare_context(cmp, language, images),
                       lambda folder: write_compare_figures(cmp, folder, language), figures)


def publish_comparison(cmp: Comparison, reports_dir: str | os.PathLike, *,
                       language: str | None = None, identifiers=()) -> dict[str, Path]:
    """Write ``compare.html``, ``compare.xlsx`` and ``figures/`` together, after a privacy scan.

    Parameters
    ----------
    reports_dir : path
        Usually ``<root>/reports/compare_<waveA>_<waveB>`` (``cmp.name``).
    identifiers : iterable of str
        Extra strings that must not be published (see :func:`privacy.scan_published`).
    """
    language = language or cmp.settings.get("language", "fr")
    final = Path(reports_dir)
    with staged_dir(final) as stage:
        figs = write_compare_figures(cmp, stage / "figures", language)
        (stage / HTML_FILE).write_text(render_compare_html(cmp, language, figs), encoding="utf-8")
        write_compare_workbook(cmp, stage / XLSX_FILE, language)
        assert_clean(stage, identifiers)
    return {"html": final / HTML_FILE, "xlsx": final / XLSX_FILE, "figures": final / "figures"}


def analysed_wave(project, root: str | os.PathLike = ".", *, rerun: bool = False):
    """The analysis of a wave: read back from ``data/processed/<wave>/analysis/`` when it is
    there (nothing recomputed), else run (:func:`~dialogue_analysis.analysis.run_analysis`)."""
    from ..analysis import load_analysis, run_analysis

    if not rerun:
        try:
            return load_analysis(project, root)
        except FileNotFoundError:
            pass
    return run_analysis(project, root)


def run_compare(config_a, config_b, root: str | os.PathLike = ".", *, refit: bool = False,
                language: str | None = None, rerun: bool = False, **options):
    """Compare two waves given by their survey configs and publish the comparison report.

    Each wave's analysis is read back, or run when absent (its NLP parse reuses the shared
    cache, so only new texts are parsed). The report goes to
    ``<root>/reports/compare_<waveA>_<waveB>/``.

    Returns
    -------
    (Comparison, dict)
        The comparison and the published paths (``html``, ``xlsx``, ``figures``).
    """
    from ..ingest import load_project
    from ..waves import compare_waves

    project_a = config_a if hasattr(config_a, "survey") else load_project(config_a, language)
    project_b = config_b if hasattr(config_b, "survey") else load_project(config_b, language)
    a = analysed_wave(project_a, root, rerun=rerun)
    b = analysed_wave(project_b, root, rerun=rerun)
    language = language or project_a.settings.language
    cmp = compare_waves(a, b, project_a=project_a, project_b=project_b, refit=refit,
                        language=language,
                        min_cell_count=options.pop("min_cell_count",
                                                   project_a.settings.min_cell_count),
                        **options)
    paths = publish_comparison(cmp, Path(root) / "reports" / cmp.name, language=language)
    return cmp, paths


__all__ = ["analysed_wave", "run_compare", "compare_context", "published_tables",
           "publish_comparison", "render_compare_html", "write_compare_workbook"]
