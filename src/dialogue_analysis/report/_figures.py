"""The report's figures, by stable name (``NN_subject``), drawn from the wave's tables."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable

import pandas as pd

from ..analysis import Analysis
from ..core.i18n import LANGUAGES, Words
from ._disclosure import hidden_codes, hidden_people, mask_mark
from ._format import fmt_int, fmt_number, fmt_pct, unit_words

# -- figures ---------------------------------------------------------------------------------


class _Plots:
    """The plotting module, imported (with matplotlib) when a figure is drawn, not when the
    figures of an earlier run are kept."""

    def __getattr__(self, name: str):
        from . import _plots

        return getattr(_plots, name)


plots = _Plots()


def _source(a: Analysis, language: str) -> str:
    return Words(language)("source", wave=a.wave, n=fmt_int(len(a.records), language),
                           unit=unit_words(a, language)[1])


def _prev(a: Analysis, dimension: str) -> pd.DataFrame:
    return a.prevalence[a.prevalence["dimension"] == dimension]


def _wide(a: Analysis, dimension: str, codes: list[str], language: str):
    """Shares (codes x categories) and the mask of small counts behind them."""
    p = _prev(a, dimension)
    p = p[p["code"].isin(codes)]
    if dimension == "typology_group":
        order = [str(g) for g in a.groups["group"]] if len(a.groups) else sorted(set(p["category"]))
    else:
        order = _order(a, dimension)
    shares = p.pivot(index="code", columns="category", values="share").reindex(
        index=codes, columns=[c for c in order if c in set(p["category"])])
    hidden = p.assign(hidden=hidden_codes(a, p).to_numpy())
    mask = hidden.pivot(index="code", columns="category", values="hidden").reindex_like(
        shares).fillna(False).astype(bool)
    labels = a.code_labels(language)
    shares.index = [labels.get(c, c) for c in shares.index]
    mask.index = shares.index
    if dimension == "typology_group":
        # "who : what" labels: the "who" part, shortened, names a column well enough.
        names = {str(g): textwrap.shorten(a.group_label(g, language).split(" : ")[0]
                                          .split(": ")[0], 34, placeholder=" …")
                 for g in a.groups["group"]}
        shares.columns = [f"{c}. {names.get(c, c)}" for c in shares.columns]
        mask.columns = shares.columns
    return shares, mask


def _order(a: Analysis, dimension: str) -> list[str]:
    s = a.records[dimension] if dimension in a.records else pd.Series(dtype=object)
    if isinstance(s.dtype, pd.CategoricalDtype):
        return [str(c) for c in s.cat.categories]
    counts = s.astype(str).value_counts()
    return sorted(counts.index, key=lambda c: (-counts[c], c))


def figure_consulted(a: Analysis, language: str = "fr", ax=None):
    """People consulted by profile x stakeholder group (a true cross table, small cells masked)."""
    w = Words(language)
    r = a.records
    dim = "profile" if "profile" in r else "stakeholder_group"
    if "stakeholder_group" in r and dim == "profile":
        title = ("Personnes consultées par profil et par groupe" if language == "fr"
                 else "People consulted by profile and group")
        return _count_heatmap(a, "profile", "stakeholder_group", title, language, ax)
    counts = r[dim].astype(str).value_counts()
    return plots.plot_bars(counts, title=w.dim(dim), xlabel=w.people, percent=False,
                           source=_source(a, language), language=language, ax=ax)


def figure_group_territory(a: Analysis, language: str = "fr", ax=None):
    """People consulted, stakeholder group x territory (small cells masked)."""
    rows = "stakeholder_group" if "stakeholder_group" in a.records else "profile"
    title = ("Personnes consultées par groupe et territoire" if language == "fr"
             else "People consulted by group and territory")
    return _count_heatmap(a, rows, "territory", title, language, ax)


def _count_heatmap(a: Analysis, rows: str, cols: str, title: str, language: str, ax=None):
    r = a.records
    table = _by_block(pd.crosstab(r[rows].astype(str), r[cols].astype(str)).reindex(
        index=_order(a, rows), columns=_order(a, cols)).fillna(0), rows)
    mask = hidden_people(a, table, rows, cols)
    return plots.plot_count_heatmap(table, masked=mask, title=title, source=_source(a, language),
                                    mask_text=mask_mark(language), ax=ax)


FAMILY_TITLES = {
    "service": ("Services en ligne critiques cités", "Critical online services raised"),
    "barrier": ("Freins évoqués", "Barriers raised"),
    "need": ("Besoins exprimés", "Needs expressed"),
}


def figure_family(a: Analysis, family: str, language: str = "fr", ax=None):
    """Share of people raising each code of a family (services, barriers, needs)."""
    w = Words(language)
    codes = a.family_codes(family)
    p = _prev(a, "all").set_index("code").reindex(codes)
    labels = a.code_labels(language)
    values = pd.Series(p["share"].to_numpy(dtype=float), index=[labels.get(c, c) for c in codes])
    title = FAMILY_TITLES.get(family, (family, family))[LANGUAGES.index(language)]
    colour = {"service": plots.PALETTE[0], "barrier": plots.PALETTE[5],
              "need": plots.PALETTE[2]}.get(family, plots.PALETTE[0])
    return plots.plot_bars(values, title=title, xlabel=w.people_citing,
                           source=_source(a, language), language=language, ax=ax, color=colour)


def figure_codes_by(a: Analysis, dimension: str, family: str = "need", language: str = "fr",
                    ax=None):
    """Heat map: share of each category of ``dimension`` raising each code of ``family``."""
    w = Words(language)
    shares, mask = _wide(a, dimension, a.family_codes(family), language)
    fam = FAMILY_TITLES.get(family, (family, family))[LANGUAGES.index(language)]
    title = (f"{fam} par {w.dim(dimension).lower()}" if language == "fr"
             else f"{fam} by {w.dim(dimension).lower()}")
    return plots.plot_heatmap(shares, masked=mask, title=title, source=_source(a, language),
                              language=language, mask_text=mask_mark(language), ax=ax)


def figure_themes(a: Analysis, language: str = "fr", ax=None):
    """Share of answers whose dominant inductive theme is each theme."""
    t = a.themes
    values = pd.Series(t["share"].to_numpy(dtype=float),
                       index=[f"{int(i)}. {lab}" for i, lab in zip(t["theme"], t["label"],
                                                                    strict=True)])
    title = ("Thèmes émergents (part des réponses)" if language == "fr"
             else "Emerging themes (share of answers)")
    xlabel = "Part des réponses" if language == "fr" else "Share of answers"
    return plots.plot_bars(values, title=title, xlabel=xlabel, source=_source(a, language),
                           language=language, ax=ax, color=plots.PALETTE[3])


def figure_k_choice(a: Analysis, language: str = "fr", ax=None):
    """Silhouette and stability of each number of groups evaluated; the chosen one marked."""
    ev = a.k_evidence
    chosen = int(len(a.groups)) if len(a.groups) else int(ev.loc[ev["chosen"], "k"].iloc[0])
    chosen = chosen if typology_is_clear(a) else None  # no k is retained: none is marked
    labels = (("Nombre de groupes (k)", "Silhouette", "Stabilité (ARI bootstrap)")
              if language == "fr" else ("Number of groups (k)", "Silhouette",
                                        "Stability (bootstrap ARI)"))
    null_label = ("Silhouette sans structure (95e centile)" if language == "fr"
                  else "Silhouette with no structure (95th percentile)")
    params = _typology_params(a)
    limit = float(params.get("stability_threshold", 0.75))
    threshold = (limit, f"{'Stabilité requise' if language == 'fr' else 'Stability required'} "
                        f"({fmt_number(limit, language, 2)})")
    title = ("Choix du nombre de groupes de la typologie" if language == "fr"
             else "Choosing the number of typology groups")
    return plots.plot_k_evidence(ev, chosen, title=title, source=_source(a, language),
                                 labels=labels, null_label=null_label, threshold=threshold,
                                 ax=ax)


def figure_map(a: Analysis, language: str = "fr", ax=None):
    """Correspondence-analysis map of profiles and needs, with the typology groups."""
    axes = a.map_axes
    def axis_label(i):
        if len(axes) > i - 1:
            share = axes.iloc[i - 1]["inertia_share"]
            return f"{'Axe' if language == 'fr' else 'Axis'} {i} ({fmt_pct(share, language)})"
        return f"{'Axe' if language == 'fr' else 'Axis'} {i}"
    pts = a.map_points.copy()
    # A missing attribute value is no category to place on a map.
    pts = pts[pts["label"].notna() & ~pts["label"].astype(str).str.strip().str.lower().isin(
        {"", "na", "nan", "<na>", "none"})]
    if "label_en" in pts and language == "en":
        pts["label"] = pts["label_en"].fillna(pts["label"])
    if "variable" in pts:  # a bare level ("1") says nothing without its attribute
        bare = pts["label"].astype(str).str.fullmatch(r"[\d.+-]+")
        pts.loc[bare, "label"] = [f"{a.attribute_label(v, language)} = {lab}" for v, lab in
                                  zip(pts.loc[bare, "variable"], pts.loc[bare, "label"],
                                      strict=True)]
    # A readable map shows the points that best explain the plane, not every category.
    if len(pts) > 40 and "cos2" in pts:
        pts = pts.sort_values(["cos2", "label"], ascending=[False, True]).head(40)
    if "kind" in pts and language == "en":
        pts["kind"] = pts["kind"].replace({"profil": "profile", "besoin / frein": "need / barrier"})
    groups = a.map_groups.copy()
    if len(groups):
        groups["label"] = [str(g) for g in groups["group"]]
    profiles = "kind" in pts and pts["kind"].isin(["profil", "profile"]).any()
    if language == "fr":
        title = ("Carte factorielle : " + ("profils, " if profiles else "")
                 + "besoins et groupes de la typologie")
    else:
        title = "Factor map: " + ("profiles, " if profiles else "") + "needs and typology groups"
    return plots.plot_map(pts, groups, title=title, xlabel=axis_label(1), ylabel=axis_label(2),
                          source=_source(a, language), ax=ax, max_labels=14,
                          groups_label="groupe de la typologie" if language == "fr"
                          else "typology group")


def figure_priority(a: Analysis, language: str = "fr", ax=None):
    """Priority matrix: breadth across stakeholder categories x prevalence (or importance)."""
    w = Words(language)
    t = a.priority.copy()
    t["label"] = [a.code_label(c, language) for c in t["code"]]
    fam_names = {"need": ("besoin", "need"), "barrier": ("frein", "barrier")}
    t["family"] = [fam_names.get(f, (f, f))[LANGUAGES.index(language)] for f in t["family"]]
    t["size"] = t["count"]
    dim = t["dimension"].iloc[0] if len(t) else "profile"
    uses_importance = t["importance"].notna().any() if len(t) else False
    xlabel = (f"Étendue : part des catégories « {w.dim(dim).lower()} » où ≥ {fmt_pct(_threshold(a), language)} l'évoquent"
              if language == "fr" else
              f"Breadth: share of {w.dim(dim).lower()} categories where ≥ {fmt_pct(_threshold(a), language)} raise it")
    ylabel = (("Importance (score de l'analyste)" if language == "fr" else "Importance (analyst's score)")
              if uses_importance else w.people_citing)
    title = ("Matrice de priorités des besoins et des freins" if language == "fr"
             else "Priority matrix of needs and barriers")
    fig = plots.plot_priority_matrix(t, title=title, xlabel=xlabel, ylabel=ylabel,
                                     source=_source(a, language), ax=ax)
    ax = fig.axes[0]
    ax.xaxis.set_major_formatter(lambda x, _: fmt_pct(x, language))
    if not uses_importance:
        ax.yaxis.set_major_formatter(lambda x, _: fmt_pct(x, language))
    return fig


def _threshold(a: Analysis) -> float:
    return float(a.manifest.get("stages", {}).get("findings", {}).get("params", {}).get(
        "priority_threshold", 0.25))


FIGURES: dict[str, Callable] = {
    "01_consulted_by_profile": figure_consulted,
    "02_consulted_by_group_territory": figure_group_territory,
    "03_critical_services": lambda a, language="fr", ax=None: figure_family(a, "service",
                                                                            language, ax),
    "04_barriers": lambda a, language="fr", ax=None: figure_family(a, "barrier", language, ax),
    "05_needs": lambda a, language="fr", ax=None: figure_family(a, "need", language, ax),
    "06_needs_by_group": lambda a, language="fr", ax=None: figure_codes_by(
        a, "stakeholder_group", "need", language, ax),
    "07_needs_by_territory": lambda a, language="fr", ax=None: figure_codes_by(
        a, "territory", "need", language, ax),
    "08_themes": figure_themes,
    "09_typology_k_choice": figure_k_choice,
    "10_typology_map": figure_map,
    "11_typology_needs": lambda a, language="fr", ax=None: figure_codes_by(
        a, "typology_group", "need", language, ax),
    "12_priority_matrix": figure_priority,
}


def _available(a: Analysis, name: str) -> bool:
    r = a.records
    needs = {
        "01_consulted_by_profile": "profile" in r or "stakeholder_group" in r,
        "02_consulted_by_group_territory": "territory" in r and (
            "stakeholder_group" in r or "profile" in r),
        "03_critical_services": bool(a.family_codes("service")),
        "04_barriers": bool(a.family_codes("barrier")),
        "05_needs": bool(a.family_codes("need")),
        "06_needs_by_group": bool(a.family_codes("need")) and "stakeholder_group" in r,
        "07_needs_by_territory": bool(a.family_codes("need")) and "territory" in r,
        "08_themes": len(a.themes) > 0,
        "09_typology_k_choice": len(a.k_evidence) > 1,
        "10_typology_map": len(a.map_points) > 0,
        "11_typology_needs": bool(a.family_codes("need")) and len(a.groups) > 0
        and typology_is_clear(a),
        # breadth is spread over attribute categories: none, no matrix
        "12_priority_matrix": len(a.priority) > 0 and bool(a.priority["x"].notna().any()),
    }
    return needs.get(name, True)


def make_figures(a: Analysis, language: str = "fr") -> dict:
    """Every figure the wave's tables allow, by stable name (``NN_subject``)."""
    return {name: build(a, language) for name, build in FIGURES.items() if _available(a, name)}


def write_figures(a: Analysis, folder: str | os.PathLike, language: str = "fr") -> dict:
    """Write every figure as ``<folder>/<name>.png`` (300 dpi) and ``.svg``; returns the paths."""
    return {name: plots.save_figure(build(a, language), folder, name)
            for name, build in FIGURES.items() if _available(a, name)}


def _by_block(table: pd.DataFrame, rows: str) -> pd.DataFrame:
    """Profiles grouped under the column holding most of them, so nested groups read as blocks."""
    if rows != "profile" or table.empty:
        return table
    main = table.to_numpy().argmax(axis=1)
    order = sorted(range(len(table)), key=lambda i: (main[i], -table.iloc[i].sum()))
    return table.iloc[order]

def _typology_params(a: Analysis) -> dict:
    """The typology stage's parameters as the manifest recorded them ({} when absent)."""
    stages = a.manifest.get("stages")
    return stages.get("typology", {}).get("params", {}) if isinstance(stages, dict) else {}


def typology_is_clear(a: Analysis) -> bool:
    """Whether some number of groups beat the permuted-features null (``supported`` in the
    k evidence); analyses saved before that test are taken as they were reported."""
    ev = a.k_evidence
    if ev.empty or "supported" not in ev:
        return True
    return bool(ev["supported"].fillna(False).astype(bool).any())

