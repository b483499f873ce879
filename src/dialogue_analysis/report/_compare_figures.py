"""Figures of the comparison of two waves: prevalence change, vocabulary change, group sizes
and the moves of the people interviewed again (masked as the comparison's tables are)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ..waves import Comparison
from . import _plots as plots
from ._compare_disclosure import masked_group_sizes, masked_moves, masked_prevalence
from ._compare_words import _W, _label, _source
from ._disclosure import mask_mark


def figure_prevalence(cmp: Comparison, language: str = "fr", *, dimension: str = "all",
                      category: str = "all", max_codes: int = 30, ax=None):
    """Dot plot: each code's share in wave A and in wave B with their 95 % intervals.

    Codes with a significant change are marked with an arrow. Masked cells are not drawn.
    """
    w = _W(language)
    p = masked_prevalence(cmp)
    p = p[(p["dimension"] == dimension) & (p["category"] == category)].copy()
    p["_abs"] = p["difference"].astype(float).abs()
    p = p.sort_values(["_abs", "code"], ascending=[False, True]).head(max_codes)
    p = p.sort_values("share_b", ascending=True, na_position="first")
    height = max(plots.FIGSIZE[1], 0.24 * len(p) + 1.3)
    fig, ax = plots._axes(ax, figsize=(plots.FIGSIZE[0], height))
    with plots.plt.rc_context(plots.STYLE):
        y = np.arange(len(p))
        for k, (wave, colour, offset) in enumerate(((cmp.wave_a, plots.PALETTE[1], 0.15),
                                                     (cmp.wave_b, plots.PALETTE[0], -0.15))):
            s = "ab"[k]
            share = p[f"share_{s}"].astype(float).to_numpy()
            low = p[f"ci_low_{s}"].astype(float).to_numpy()
            high = p[f"ci_high_{s}"].astype(float).to_numpy()
            ax.errorbar(share, y + offset, xerr=[share - low, high - share], fmt="o",
                        color=colour, markersize=4, elinewidth=1, capsize=0, label=wave)
        labels = []
        for r in p.itertuples():
            mark = {"up": " ▲", "down": " ▼"}.get(r.direction, "")
            labels.append(f"{_label(cmp, r.code)}{mark}")
        ax.set_yticks(y, plots._wrap(labels, 40))
        ax.xaxis.set_major_formatter(lambda x, _: plots._fmt_pct(x, language))
        ax.set_xlim(0, min(1.0, float(np.nanmax(p[["ci_high_a", "ci_high_b"]].astype(float)
                                                 .to_numpy(), initial=0.1)) * 1.08 + 0.02))
        plots._x_grid(ax)
        ax.legend(frameon=False, loc="lower right")
    return plots._finish(fig, ax, w.fig_prev, _source(cmp, language), xlabel=w.share_people)


def figure_vocabulary(cmp: Comparison, language: str = "fr", *, top: int = 10, ax=None):
    """Diverging bars: test values of the emerging (right) and fading (left) terms."""
    w = _W(language)
    v = cmp.vocabulary
    parts = [v[v["trend"] == "emerging"].head(top), v[v["trend"] == "fading"].head(top)]
    v = pd.concat(parts).copy()
    v["_tv"] = v["test_value"].astype(float)
    v = v.sort_values("_tv")
    height = max(plots.FIGSIZE[1], 0.22 * len(v) + 1.3)
    fig, ax = plots._axes(ax, figsize=(plots.FIGSIZE[0], height))
    with plots.plt.rc_context(plots.STYLE):
        y = np.arange(len(v))
        colours = [plots.PALETTE[0] if t > 0 else plots.PALETTE[5] for t in v["_tv"]]
        ax.barh(y, v["_tv"].to_numpy(), color=colours)
        ax.set_yticks(y, [str(t).replace("_", " ") for t in v["term"]])
        ax.axvline(0, color="#555555", linewidth=0.8)
        plots._x_grid(ax)
    return plots._finish(fig, ax, w.fig_vocab, _source(cmp, language), xlabel=w.test_value)


def figure_groups(cmp: Comparison, language: str = "fr", ax=None):
    """Paired bars: share of each reference group in wave A and in wave B."""
    w = _W(language)
    g = masked_group_sizes(cmp)
    fig, ax = plots._axes(ax, figsize=(plots.FIGSIZE[0], max(plots.FIGSIZE[1],
                                                             0.45 * len(g) + 1.3)))
    with plots.plt.rc_context(plots.STYLE):
        y = np.arange(len(g))[::-1]
        share_a = g["share_a"].astype(float).fillna(0).to_numpy()  # masked: no bar
        share_b = g["share_b"].astype(float).fillna(0).to_numpy()
        ax.barh(y + 0.2, share_a, height=0.4, color=plots.PALETTE[1], label=cmp.wave_a)
        ax.barh(y - 0.2, share_b, height=0.4, color=plots.PALETTE[0], label=cmp.wave_b)
        for yi, a, b, raw_a, raw_b in zip(y, share_a, share_b, g["share_a"], g["share_b"],
                                          strict=True):
            for value, raw, dy in ((a, raw_a, 0.2), (b, raw_b, -0.2)):
                text = mask_mark(language) if pd.isna(raw) else plots._fmt_pct(value, language)
                ax.text(value + 0.005, yi + dy, text, va="center", fontsize=7)
        names = [f"{gr}. {lab}" if str(lab) != str(gr) else str(gr)
                 for gr, lab in zip(g["group"], g["label"], strict=True)]
        ax.set_yticks(y, plots._wrap(names, 34))
        ax.xaxis.set_major_formatter(lambda x, _: plots._fmt_pct(x, language))
        top = float(max(share_a.max(), share_b.max())) if len(g) else 1.0
        ax.set_xlim(0, top * 1.2 + 0.02)
        ax.legend(frameon=False, loc="lower right")
        plots._x_grid(ax)
    return plots._finish(fig, ax, w.fig_groups, _source(cmp, language), xlabel=w.share_people)


def figure_moves(cmp: Comparison, language: str = "fr", ax=None):
    """Heat map of the re-interviewed people's group in wave A x group in wave B (masked)."""
    w = _W(language)
    m = masked_moves(cmp)
    table = cmp.moves_table.pivot(index="group_a", columns="group_b", values="count").fillna(0)
    groups = sorted(set(table.index) | set(table.columns))
    table = table.reindex(index=groups, columns=groups, fill_value=0)
    mask = m.pivot(index="group_a", columns="group_b", values="masked")
    mask = mask.reindex(index=groups, columns=groups).fillna(False).astype(bool)
    table.index = [str(g) for g in table.index]
    table.columns = [str(g) for g in table.columns]
    mask.index, mask.columns = table.index, table.columns
    return plots.plot_count_heatmap(table, masked=mask, mask_text=mask_mark(language),
                                    title=w("fig_moves", a=cmp.wave_a, b=cmp.wave_b),
                                    source=_source(cmp, language), ax=ax)


COMPARE_FIGURES = {
    "01_prevalence_change": figure_prevalence,
    "02_vocabulary_change": figure_vocabulary,
    "03_group_sizes": figure_groups,
    "04_group_moves": figure_moves,
}


def _available(cmp: Comparison, name: str) -> bool:
    return {"01_prevalence_change": len(cmp.prevalence) > 0,
            "02_vocabulary_change": len(cmp.vocabulary) > 0,
            "03_group_sizes": len(cmp.group_sizes) > 0,
            "04_group_moves": len(cmp.moves_table) > 0}[name]


def write_compare_figures(cmp: Comparison, folder: str | os.PathLike, language: str = "fr") -> dict:
    """Write every available figure as PNG (300 dpi) and SVG; returns ``name -> paths``."""
    return {name: plots.save_figure(build(cmp, language), folder, name)
            for name, build in COMPARE_FIGURES.items() if _available(cmp, name)}
