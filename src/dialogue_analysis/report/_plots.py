"""Figures for Word and PowerPoint: one look, colour-blind-safe, readable at half a page.

Every ``plot_*`` function draws on a given matplotlib ``Axes`` or on a new figure sized for half a
Word page (16 x 9.5 cm), and returns the ``Figure``. Titles, axis labels and the source line are
passed in by the caller, in the report language. :func:`save_figure` writes PNG (300 dpi) and SVG
under stable names.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import matplotlib

# Figures are files: no display is needed, or available in CI. A notebook that chose its
# backend (``%matplotlib inline``, which imports pyplot) before this module was first used
# keeps it, so that its figures are shown.
if "matplotlib.pyplot" not in sys.modules:
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ..core.storage import atomic_path  # noqa: E402

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SEQUENTIAL = LinearSegmentedColormap.from_list("da_blues", ["#F7FBFF", "#6BAED6", "#08306B"])
LEADER = {"arrowstyle": "-", "color": "#aaaaaa", "linewidth": 0.4, "shrinkA": 0, "shrinkB": 2}
FIGSIZE = (6.3, 3.75)  # inches: 16 x 9.5 cm, half a portrait Word page
STYLE = {
    "font.size": 8.5, "axes.titlesize": 10, "axes.titleweight": "bold", "axes.labelsize": 8.5,
    "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 7.5, "axes.spines.top": False,
    "axes.spines.right": False, "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "svg.fonttype": "none", "svg.hashsalt": "dialogue-analysis", "figure.dpi": 100,
}


def _axes(ax, figsize=FIGSIZE):
    if ax is not None:
        return ax.figure, ax
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


def _finish(fig, ax, title, source, xlabel=None, ylabel=None):
    with plt.rc_context(STYLE):
        if title and len(fig.axes) == 1:
            # A one-panel figure's title starts at the figure's left edge: aligned on the axes,
            # it would overflow on the right when long tick labels narrow the axes.
            fig.suptitle(textwrap.fill(title, 64), x=0.005, ha="left",
                         fontsize=STYLE["axes.titlesize"], fontweight="bold")
        elif title:
            ax.set_title(textwrap.fill(title, 60), loc="left")
        if xlabel is not None:
            ax.set_xlabel(xlabel)
        if ylabel is not None:
            ax.set_ylabel(ylabel)
        if source:
            fig.text(0.005, 0.005, source, fontsize=6.5, color="#555555", ha="left", va="bottom")
            # Keep the source line clear of the axis labels: reserve ~0.2 inch at the bottom.
            engine = fig.get_layout_engine()
            if engine is not None and hasattr(engine, "set") and "rect" in engine.get():
                bottom = min(0.2, 0.2 / fig.get_figheight())
                engine.set(rect=(0, bottom, 1, 1 - bottom))
    return fig


def _x_grid(ax) -> None:
    """Light vertical grid lines, behind the bars."""
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _wrap(labels, width=28):
    return [textwrap.fill(str(s), width) for s in labels]


def _fmt_pct(value: float, language: str) -> str:
    s = f"{value:.0%}"
    return s.replace("%", "\u202f%") if language == "fr" else s


def _declutter(fig, annotations, max_steps: int = 8) -> None:
    """Move point labels apart so that they do not overlap, and draw a thin leader line.

    Labels are visited from the highest point down; each tries its first place, the left side of
    its point, then offsets of one label height above or below, up to ``max_steps`` heights,
    staying inside the axes. Offsets are in points, so the result holds at any resolution.
    """
    if not annotations:
        return
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    placed = []
    for ann in sorted(annotations, key=lambda a: -a.xy[1]):
        dx, dy = ann.xyann
        box = ann.get_window_extent(renderer)
        to_pt = 72 / fig.dpi
        height, width = box.height * to_pt, box.width * to_pt
        frame = ann.axes.get_window_extent(renderer)
        candidates = [(dx, dy), (-width - dx, dy)]
        candidates += [(dx, dy + s * j * height) for j in range(1, max_steps + 1) for s in (1, -1)]
        for cx, cy in candidates:
            ann.xyann = (cx, cy)
            box = ann.get_window_extent(renderer)
            inside = (box.y0 >= frame.y0 and box.x0 >= frame.x0 and box.x1 <= frame.x1 + 40
                      and box.y1 <= frame.y1 + height / to_pt)
            if inside and not any(box.overlaps(other) for other in placed):
                break
        else:  # nowhere free: back to the first place
            ann.xyann = (dx, dy)
            box = ann.get_window_extent(renderer)
        placed.append(box)


def plot_bars(values: pd.Series, *, title: str = "", xlabel: str = "", source: str = "",
              percent: bool = True, language: str = "fr", ax=None, color: str = PALETTE[0]):
    """Horizontal bars of one value per label, largest on top, each bar annotated.

    Parameters
    ----------
    values : Series
        Index: the labels; values: shares in [0, 1] (``percent=True``) or counts.
    """
    fig, ax = _axes(ax)
    with plt.rc_context(STYLE):
        # Largest on top; equal values keep their given order, read from the top.
        v = values.sort_values(ascending=False, kind="stable").iloc[::-1]
        y = np.arange(len(v))
        ax.barh(y, v.to_numpy(dtype=float), color=color)
        ax.set_yticks(y, _wrap(v.index))
        top = float(v.max()) if len(v) else 1.0
        for yi, val in zip(y, v.to_numpy(dtype=float), strict=True):
            label = _fmt_pct(val, language) if percent else f"{val:,.0f}".replace(",", "\u202f")
            ax.text(val + top * 0.01, yi, label, va="center", fontsize=7.5)
        ax.set_xlim(0, top * 1.15 if top > 0 else 1)
        if percent:
            # Whole-percent steps (1, 2, 5, 10...): a 2.5 % step would print "2 %, 5 %, 8 %".
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
            ax.xaxis.set_major_formatter(lambda x, _: _fmt_pct(x, language))
        _x_grid(ax)
    return _finish(fig, ax, title, source, xlabel=xlabel)


def plot_grouped_counts(table: pd.DataFrame, *, title: str = "", xlabel: str = "",
                        ylabel: str = "", source: str = "", ax=None):
    """Stacked horizontal bars: rows are the bars, columns the stacked parts (e.g. territory)."""
    fig, ax = _axes(ax)
    with plt.rc_context(STYLE):
        t = table.loc[table.sum(axis=1).sort_values(kind="stable").index]
        left = np.zeros(len(t))
        y = np.arange(len(t))
        for i, col in enumerate(t.columns):
            vals = t[col].to_numpy(dtype=float)
            ax.barh(y, vals, left=left, color=PALETTE[i % len(PALETTE)], label=str(col))
            left += vals
        for yi, total in zip(y, left, strict=True):
            ax.text(total + left.max() * 0.01, yi, f"{total:.0f}", va="center", fontsize=7.5)
        ax.set_yticks(y, _wrap(t.index))
        ax.legend(frameon=False, loc="lower right")
        _x_grid(ax)
    return _finish(fig, ax, title, source, xlabel=xlabel, ylabel=ylabel)


def _annotated_grid(ax, table, data, hide, top, fmt, mask_text, fontsize):
    """Colour the cells of ``table`` by ``data`` (0..``top``), write each value with ``fmt``,
    and show hidden cells as ``mask_text`` on grey."""
    cmap = SEQUENTIAL.with_extremes(bad="#e6e6e6")
    ax.imshow(np.ma.masked_array(data, mask=hide), cmap=cmap, vmin=0, vmax=top, aspect="auto")
    for (i, j), val in np.ndenumerate(data):
        if hide[i, j]:
            txt, colour = mask_text, "#555555"
        else:
            txt, colour = fmt(val), "white" if val > 0.6 * top else "black"
        ax.text(j, i, txt, ha="center", va="center", fontsize=fontsize, color=colour)
    ax.set_xticks(range(table.shape[1]), _wrap(table.columns, 14))
    ax.set_yticks(range(table.shape[0]), _wrap(table.index, 40))
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


def plot_heatmap(shares: pd.DataFrame, *, masked: pd.DataFrame | None = None, title: str = "",
                 xlabel: str = "", ylabel: str = "", source: str = "", language: str = "fr",
                 mask_text: str = "n<5", ax=None):
    """Heat map of shares (rows: themes, columns: groups), each cell annotated.

    Parameters
    ----------
    shares : DataFrame
        Values in [0, 1].
    masked : DataFrame of bool, optional
        Cells to hide (too few people behind them); they show ``mask_text`` on grey.
    """
    height = max(FIGSIZE[1], 0.28 * len(shares) + 1.4)
    fig, ax = _axes(ax, figsize=(FIGSIZE[0], height))
    with plt.rc_context(STYLE):
        data = shares.to_numpy(dtype=float)
        hide = masked.reindex_like(shares).fillna(False).to_numpy(dtype=bool) if masked is not None \
            else np.zeros_like(data, dtype=bool)
        top = max(0.01, float(np.nanmax(data)) if data.size else 1)
        _annotated_grid(ax, shares, data, hide, top, lambda v: _fmt_pct(v, language),
                        mask_text, fontsize=7)
    return _finish(fig, ax, title, source, xlabel=xlabel, ylabel=ylabel)


def plot_k_evidence(evidence: pd.DataFrame, chosen: int | None, *, title: str = "",
                    source: str = "",
                    labels: tuple[str, str, str] = ("Nombre de groupes (k)", "Silhouette",
                                                    "Stabilité (ARI bootstrap)"),
                    null_label: str = "Silhouette sans structure (95e centile)",
                    threshold: tuple[float, str] | None = None, ax=None):
    """Silhouette (and that of the permuted null) and bootstrap stability against k.

    ``chosen`` (None when no k is retained) is marked by a dashed line; ``threshold``
    (value, label) draws the stability a k must reach.
    """
    fig, ax = _axes(ax)
    with plt.rc_context(STYLE):
        ax.plot(evidence["k"], evidence["silhouette"], marker="o", color=PALETTE[0], label=labels[1])
        if "silhouette_null_q95" in evidence and evidence["silhouette_null_q95"].notna().any():
            ax.plot(evidence["k"], evidence["silhouette_null_q95"], color=PALETTE[0],
                    linestyle=":", label=null_label)
        ax.plot(evidence["k"], evidence["stability"], marker="s", color=PALETTE[1], label=labels[2])
        if threshold is not None:
            ax.axhline(threshold[0], color=PALETTE[1], linestyle=":", linewidth=0.8,
                       label=threshold[1])
        if chosen is not None:
            ax.axvline(chosen, color="#555555", linestyle="--", linewidth=0.8)
        ax.set_xticks(list(evidence["k"]))
        ax.set_ylim(0, 1.05)
        ax.legend(frameon=False)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    return _finish(fig, ax, title, source, xlabel=labels[0], ylabel="")


def plot_map(points: pd.DataFrame, groups: pd.DataFrame | None = None, *, title: str = "",
             xlabel: str = "", ylabel: str = "", source: str = "", ax=None, max_labels: int = 30,
             groups_label: str = "groups"):
    """Factor map: category points (label, x, y, kind) and optionally groups (label, x, y).

    ``kind`` distinguishes e.g. profiles from needs, each drawn in its own colour and marker.
    The points labelled are those that contribute most to the plane (``contrib`` when given,
    else the farthest from the origin). The legend, outside the plot, names every marker,
    the groups' stars (``groups_label``) included.
    """
    fig, ax = _axes(ax, figsize=(FIGSIZE[0], FIGSIZE[0] * 0.72))
    with plt.rc_context(STYLE):
        ax.axhline(0, color="#bbbbbb", linewidth=0.6)
        ax.axvline(0, color="#bbbbbb", linewidth=0.6)
        markers = ["o", "^", "D", "v", "P"]
        labels = []
        for i, (kind, pts) in enumerate(points.groupby("kind", sort=True)):
            ax.scatter(pts["x"], pts["y"], s=14, color=PALETTE[i % len(PALETTE)],
                       marker=markers[i % len(markers)], label=str(kind), alpha=0.85)
            weight = pts["contrib"] if "contrib" in pts else pts["x"] ** 2 + pts["y"] ** 2
            show = pts.assign(d=weight).sort_values(["d", "label"], ascending=[False, True])
            show = show.head(max_labels)
            for r in show.itertuples():
                labels.append(ax.annotate(
                    textwrap.shorten(str(r.label), 32), (r.x, r.y), fontsize=6.5, xytext=(3, 2),
                    textcoords="offset points", color="#333333", arrowprops=LEADER))
        if groups is not None and len(groups):
            ax.scatter(groups["x"], groups["y"], s=90, color="#000000", marker="*", zorder=5,
                       label=groups_label)
            for r in groups.itertuples():
                ax.annotate(str(r.label), (r.x, r.y), fontsize=8, fontweight="bold",
                            xytext=(5, -9), textcoords="offset points")
        # Outside the axes: a legend inside hides points wherever "best" puts it.
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    _finish(fig, ax, title, source, xlabel=xlabel, ylabel=ylabel)
    with plt.rc_context(STYLE):
        _declutter(fig, labels)
    return fig


def plot_priority_matrix(table: pd.DataFrame, *, title: str = "", xlabel: str = "",
                         ylabel: str = "", source: str = "", ax=None):
    """Priority (materiality) matrix: one point per theme, ``x`` breadth, ``y`` strength.

    Columns: ``label``, ``x``, ``y``, optional ``size`` (e.g. number of people), optional
    ``family`` (colour). Dashed medians split the plane into four quadrants.
    """
    fig, ax = _axes(ax, figsize=(FIGSIZE[0], FIGSIZE[0] * 0.72))
    with plt.rc_context(STYLE):
        sizes = table["size"] if "size" in table else pd.Series(20, index=table.index)
        sizes = 20 + 180 * sizes / max(float(sizes.max()), 1.0)
        families = table["family"] if "family" in table else pd.Series("", index=table.index)
        for i, fam in enumerate(sorted(families.unique())):
            sel = families == fam
            ax.scatter(table.loc[sel, "x"], table.loc[sel, "y"], s=sizes[sel], alpha=0.75,
                       color=PALETTE[i % len(PALETTE)], label=str(fam) or None, edgecolor="white")
        labels = [ax.annotate(textwrap.shorten(str(r.label), 30), (r.x, r.y), fontsize=6.5,
                              xytext=(4, 3), textcoords="offset points", arrowprops=LEADER)
                  for r in table.itertuples()]
        ax.axvline(table["x"].median(), color="#999999", linestyle="--", linewidth=0.7)
        ax.axhline(table["y"].median(), color="#999999", linestyle="--", linewidth=0.7)
        if families.nunique() > 1:
            ax.legend(frameon=False, fontsize=7, loc="lower right")
    _finish(fig, ax, title, source, xlabel=xlabel, ylabel=ylabel)
    with plt.rc_context(STYLE):
        _declutter(fig, labels)
    return fig


def plot_count_heatmap(counts: pd.DataFrame, *, masked: pd.DataFrame | None = None,
                       title: str = "", xlabel: str = "", ylabel: str = "", source: str = "",
                       mask_text: str = "< 5", ax=None):
    """Heat map of counts of people (rows x columns), each cell annotated with its count.

    Cells of ``masked`` (small counts that could single someone out) show ``mask_text`` on grey.
    """
    height = max(FIGSIZE[1] * 0.8, 0.3 * len(counts) + 1.4)
    fig, ax = _axes(ax, figsize=(FIGSIZE[0], height))
    with plt.rc_context(STYLE):
        data = counts.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
        hide = masked.reindex_like(counts).fillna(False).to_numpy(dtype=bool) \
            if masked is not None else np.isnan(data)
        top = float(np.nanmax(np.where(hide, np.nan, data))) if (~hide).any() else 1.0
        _annotated_grid(ax, counts, np.nan_to_num(data), hide, max(top, 1.0),
                        lambda v: f"{v:,.0f}".replace(",", "\u202f"), mask_text, fontsize=7.5)
    return _finish(fig, ax, title, source, xlabel=xlabel, ylabel=ylabel)


def save_figure(fig, directory: str | os.PathLike, name: str, *, dpi: int = 300) -> dict[str, Path]:
    """Write ``<name>.png`` (``dpi``) and ``<name>.svg`` atomically, then close the figure.

    SVG metadata dates are left out so the same figure gives the same bytes on every run.
    """
    directory = Path(directory)
    out = {}
    for ext in ("png", "svg"):
        path = directory / f"{name}.{ext}"
        metadata = {"Date": None, "Creator": None} if ext == "svg" else {"Software": None}
        with atomic_path(path) as tmp, plt.rc_context(STYLE):
            fig.savefig(tmp, format=ext, dpi=dpi, metadata=metadata)
        out[ext] = path
    plt.close(fig)
    return out
