"""The findings report as one self-contained HTML page: the context of its template (the
sentences, tables and cards of every section) and its rendering.

Everything here formats the tables of an :class:`~dialogue_analysis.analysis.Analysis`; nothing
is computed that a table does not hold, so every number of the report can be traced to a cell.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import jinja2
import pandas as pd

from ..analysis import FAMILY_ALIASES, Analysis
from ..core.i18n import Words
from ._disclosure import mask_mark
from ._figures import (
    _typology_params,
    typology_is_clear,
    write_figures,
)
from ._format import (
    fmt_date,
    fmt_int,
    fmt_number,
    fmt_pct,
    unit_words,
)
from ._method import (
    _limitations,
    _methodology,
    _priority_rows,
    attribute_names,
    consulted_facts,
    question_bases,
)
from ._sections import (
    _cited,
    _count_table,
    _cross_table,
    _family_rows,
    _group_cards,
    _tests_rows,
    _top_contrasts,
    finding_sentence,
    french_spacing,
    quote_speakers,
)
from ._theme_choice import theme_choice

# -- the HTML report --------------------------------------------------------------------------


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("dialogue_analysis", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]),
                             trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    return env


def _img(path: Path) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
    return f"data:{mime};base64,{data}"


def render_page(template: str, context_of, draw, figures: dict | None = None) -> str:
    """The one render path of the HTML reports (findings, comparison).

    ``figures`` (``name -> {"svg": path, ...}``) are drawn by ``draw(folder)`` into a
    temporary folder when not given, embedded as SVG data, and the ``template`` is rendered
    with ``context_of(images)``.
    """
    if figures is None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            return render_page(template, context_of, draw, draw(tmp))
    images = {k: _img(v["svg"]) for k, v in figures.items()}
    return _env().get_template(template).render(**context_of(images))


def render_html(a: Analysis, language: str | None = None,
                figures: dict[str, dict[str, Path]] | None = None) -> str:
    """The findings report as one self-contained HTML page (figures embedded as SVG data).

    Parameters
    ----------
    a : Analysis
    language : {"fr", "en"}, optional
        Defaults to the run settings' language.
    figures : dict, optional
        ``name -> {"svg": path, "png": path}`` as returned by :func:`write_figures`; figures
        are drawn into a temporary folder when not given.
    """
    language = language or a.language
    return render_page("findings.html.j2", lambda images: context(a, language, images),
                       lambda folder: write_figures(a, folder, language), figures)


def write_html(a: Analysis, path: str | os.PathLike, language: str | None = None,
               figures=None) -> Path:
    from ..core.storage import write_text

    return write_text(path, render_html(a, language, figures))


def context(a: Analysis, language: str, images: dict[str, str]) -> dict:
    """Everything the template shows, already formatted in ``language``."""
    w = Words(language)
    r = a.records
    n = len(r)
    dates = pd.to_datetime(r["date"], errors="coerce") if "date" in r else pd.Series(dtype="M8[ns]")
    findings = []
    speakers = quote_speakers(a, language)
    for row in a.findings.to_dict("records"):
        q = a.finding_quotes[a.finding_quotes["finding"] == row["finding"]].sort_values("rank")
        findings.append({"n": int(row["finding"]), "kind": row["kind"],
                         "sentence": finding_sentence(row, a, language),
                         "quotes": _cited(q.to_dict("records"), speakers)})
    dims = [d for d in ("stakeholder_group", "profile", "territory", "age_band") if d in r]
    other_families = [f for f in a.codebook["family"].drop_duplicates().astype(str)
                      if not any(f in al for k, al in _FAMILY_KEYS.items())] \
        if len(a.codebook) else []
    themes = []
    for t in a.themes.to_dict("records"):
        q = a.theme_quotes[a.theme_quotes["theme"] == t["theme"]].sort_values("rank").head(2)
        themes.append({"theme": int(t["theme"]), "label": t["label"],
                       "terms": ", ".join(str(x).replace("_", " ") for x in list(t["top_terms"])[:8]),
                       "n": fmt_int(t["n_answers"], language), "share": fmt_pct(t["share"], language),
                       "quotes": _cited(q.to_dict("records"), speakers)})
    need_codes = a.family_codes("need")
    k = len(a.groups)
    k_range = a.k_evidence["k"].tolist() if len(a.k_evidence) else []
    sections = [("key-findings", w.key_findings), ("consulted", w.consulted)]
    sections += [(s, getattr(w, s)) for s, fam in (("services", "service"),
                 ("barriers", "barrier"), ("needs", "need")) if a.family_codes(fam)]
    if not {"stakeholder_group", "territory"} & set(r.columns):  # nothing to compare needs by
        sections = [(s, w.needs_alone if s == "needs" else t) for s, t in sections]
    if other_families:
        sections.append(("other-codes", w.other_codes))
    if len(a.themes):
        sections.append(("themes", w.themes))
    if k:
        sections.append(("typology", w.typology))
    if len(a.priority) and a.priority["x"].notna().any():
        sections.append(("priorities", w.priorities))
    sections += [("limitations", w.limitations), ("methodology", w.methodology)]
    if findings:
        sections.append(("annex-quotes", w.annex_quotes))
    return {
        "lang": language, "w": w, "wave": a.wave, "images": images,
        "survey_title": a.manifest.get("title") or "",
        "sections": [{"id": s, "title": t, "n": i + 1} for i, (s, t) in enumerate(sections)],
        "n_records": fmt_int(n, language), "n_answers": fmt_int(len(a.answers), language),
        "date_min": fmt_date(dates.min(), language) if dates.notna().any() else None,
        "date_max": fmt_date(dates.max(), language) if dates.notna().any() else None,
        "n_regions": fmt_int(r["region"].nunique(), language) if "region" in r else None,
        "n_questions": fmt_int(len(a.questions), language),
        "questions": _question_rows(a, language),
        "unit_one": unit_words(a, language)[0], "units": unit_words(a, language)[1],
        "consulted": consulted_facts(a, language, dates),
        "min_cell": a.min_cell_count, "masked_note": w("masked_note", m=a.min_cell_count - 1,
                                                         mark=mask_mark(language)),
        "findings": findings,
        "count_tables": [{"dimension": d, "title": w.dim(d), "rows": _count_table(a, d, language)}
                         for d in dims if d != "profile"],
        "profiles": _cross_table(a, "profile", "stakeholder_group", language)
        if {"profile", "stakeholder_group"} <= set(r.columns) else None,
        "cross": _cross_table(a, "stakeholder_group", "territory", language)
        if {"stakeholder_group", "territory"} <= set(r.columns) else None,
        "services": _family_rows(a, "service", language),
        "barriers": _family_rows(a, "barrier", language),
        "needs": _family_rows(a, "need", language),
        "service_contrasts": _top_contrasts(a, a.family_codes("service"), "profile", language),
        "barrier_contrasts": _top_contrasts(a, a.family_codes("barrier"), "profile", language),
        "need_contrasts_group": _top_contrasts(a, need_codes, "stakeholder_group", language),
        "need_contrasts_territory": _top_contrasts(a, need_codes, "territory", language),
        "need_tests": _tests_rows(a, need_codes, language),
        "other_families": [{"family": _family_label(a, f, language),
                            "rows": _family_rows(a, f, language)} for f in other_families],
        "themes": themes,
        "theme_choice": theme_choice(a, language),
        "k": k, "k_min": min(k_range) if k_range else None,
        "k_unstable": _unstable_typology(a, language),
        "typology_clear": typology_is_clear(a),
        "active_marked": "active" in a.group_categories or "active" in a.group_codes,
        "no_typology": _no_typology(a, language) if k else None,
        "k_max": max(k_range) if k_range else None,
        "cards": _group_cards(a, language) if k and typology_is_clear(a) else [],
        "priority": _priority_rows(a, language),
        "has_group": "stakeholder_group" in r, "has_territory": "territory" in r,
        "has_attributes": bool(attribute_names(a)),
        "limitations": [french_spacing(x) if language == "fr" else x
                        for x in _limitations(a, language)],
        "method": _methodology(a, language),
    }



def _no_typology(a: Analysis, language: str) -> dict | None:
    """The evidence that no k beats the null, for the report; None when a typology is clear."""
    if typology_is_clear(a) or not len(a.k_evidence):
        return None
    ev = a.k_evidence.sort_values("k").reset_index(drop=True)
    beats = ev["beats_null"].fillna(False).astype(bool)
    if beats.any():  # separated, but not reproducible: show the most reproducible of those
        rep = ev[["stability", "seed_agreement"]].min(axis=1, skipna=True)
        best = ev.loc[rep[beats].idxmax()]
    else:
        best = ev.loc[(ev["silhouette"] - ev["silhouette_null_q95"]).idxmax()]
    need_codes = a.family_codes("need") + a.family_codes("barrier")
    params = _typology_params(a)
    return {"k_best": int(best["k"]),
            "threshold": fmt_number(params.get("stability_threshold", 0.75), language, 2),
            "silhouette": fmt_number(best["silhouette"], language, 2),
            "null_q95": fmt_number(best["silhouette_null_q95"], language, 2),
            "stability": fmt_number(best["stability"], language, 2)
            if pd.notna(best["stability"]) else None,
            "seed_agreement": fmt_number(best["seed_agreement"], language, 2),
            "separated": bool(beats.any()),
            "profile_contrasts": _top_contrasts(a, need_codes, "profile", language, n=8),
            "group_contrasts": _top_contrasts(a, need_codes, "stakeholder_group", language,
                                              n=6)}


def typology_verdict(a: Analysis, language: str | None = None) -> str:
    """One plain sentence: is there a clear typology, and on what evidence."""
    language = language or a.language
    fr = language == "fr"
    no = _no_typology(a, language)
    if no is None:
        k = len(a.groups)
        return (f"Typologie nette : {k} groupes, mieux séparés que les mêmes variables permutées "
                "et stables d'une graine et d'un rééchantillonnage à l'autre." if fr else
                f"Clear typology: {k} groups, better separated than the same variables permuted "
                "and stable across seeds and resamples.")
    return (f"Pas de typologie nette : aucun nombre de groupes n'est à la fois mieux séparé que "
            f"les mêmes variables permutées et stable (k = {no['k_best']} : silhouette "
            f"{no['silhouette']} contre {no['null_q95']} au 95e centile sans structure, "
            f"stabilité {no['stability'] or '–'}, accord entre graines {no['seed_agreement']})."
            if fr else
            f"No clear typology: no number of groups is both better separated than the same "
            f"variables permuted and stable (k = {no['k_best']}: silhouette "
            f"{no['silhouette']} vs {no['null_q95']} at the null's 95th percentile, stability "
            f"{no['stability'] or '–'}, agreement between seeds {no['seed_agreement']}).")


def _unstable_typology(a: Analysis, language: str) -> dict | None:
    """The chosen k's stability and the threshold it misses, when no k reached it."""
    params = _typology_params(a)
    threshold = params.get("stability_threshold", 0.75)
    ev = a.k_evidence
    if ev.empty or "stability" not in ev or not len(a.groups) or ev["stability"].max() >= threshold:
        return None
    chosen = ev.loc[ev["k"] == len(a.groups), "stability"]
    return {"stability": fmt_number(chosen.iloc[0] if len(chosen) else ev["stability"].max(),
                                    language, 2),
            "best": fmt_number(ev["stability"].max(), language, 2),
            "threshold": fmt_number(threshold, language, 2)}


_FAMILY_KEYS = {k: v for k, v in FAMILY_ALIASES.items() if k in ("service", "barrier", "need")}


def _family_label(a: Analysis, family: str, language: str) -> str:
    col = "family_label_en" if language == "en" else "family_label_fr"
    cb = a.codebook
    if col in cb:
        labels = cb.loc[cb["family"] == family, col].dropna()
        if len(labels) and str(labels.iloc[0]):
            return str(labels.iloc[0])
    return family


def _question_rows(a: Analysis, language: str) -> list[dict]:
    """The questions, with their base (who answered) when not everyone answered every one."""
    bases = question_bases(a)
    uneven = len(bases) and bases.min() < len(a.records)
    rows = []
    for q in a.questions.to_dict("records"):
        n = int(bases.get(str(q["question_id"]), 0))
        base = ""
        if uneven:
            base = (f"{fmt_int(n, language)} sur {fmt_int(len(a.records), language)}"
                    if language == "fr" else
                    f"{fmt_int(n, language)} of {fmt_int(len(a.records), language)}")
        rows.append({**q, "base": base})
    return rows


