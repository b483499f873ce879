import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from PIL import Image

from dialogue_analysis.report import _plots as plots

SHARES = pd.Series({"Impôts": 0.42, "Pôle emploi": 0.61, "CAF": 0.55})


def test_save_figure_writes_valid_png_and_svg_with_text(tmp_path):
    fig = plots.plot_bars(SHARES, title="Services critiques", xlabel="Part", source="Source : test")
    out = plots.save_figure(fig, tmp_path, "services")
    with Image.open(out["png"]) as img:
        img.verify()
    with Image.open(out["png"]) as img:
        assert round(img.info["dpi"][0]) == 300
        assert img.size[0] > 1800  # 6.3 in at 300 dpi
    svg = out["svg"].read_text(encoding="utf-8")
    ET.fromstring(svg)
    # Text stays text in the SVG (editable in PowerPoint), French percent with a narrow space.
    assert "Services critiques" in svg and "61\u202f%" in svg and "Source : test" in svg


def test_same_figure_same_bytes(tmp_path):
    for d in ("a", "b"):
        plots.save_figure(plots.plot_bars(SHARES, title="t"), tmp_path / d, "f")
    for ext in ("png", "svg"):
        assert (tmp_path / "a" / f"f.{ext}").read_bytes() == (tmp_path / "b" / f"f.{ext}").read_bytes()


def test_plot_on_given_axes_and_heatmap_mask():
    fig, ax = plt.subplots()
    shares = pd.DataFrame(np.array([[0.5, 0.1], [0.2, 0.9]]), index=["a", "b"], columns=["x", "y"])
    masked = shares < 0.15
    out = plots.plot_heatmap(shares, masked=masked, ax=ax, mask_text="masqué")
    assert out is fig
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("masqué") == 1 and "90\u202f%" in texts
    plt.close(fig)


def test_english_percent_and_other_plots():
    fig = plots.plot_bars(SHARES, language="en")
    assert "61%" in [t.get_text() for t in fig.axes[0].texts]
    ev = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.2, 0.3, 0.25], "stability": [0.9, 0.8, 0.6]})
    pts = pd.DataFrame({"label": ["a", "b"], "x": [0.1, -0.2], "y": [0.3, 0.0], "kind": ["p", "n"]})
    grp = pd.DataFrame({"label": ["G1"], "x": [0.0], "y": [0.1]})
    pm = pd.DataFrame({"label": ["a", "b"], "x": [1, 3], "y": [0.2, 0.5], "size": [3, 9]})
    table = pd.DataFrame({"urbain": [3, 4], "rural": [1, 2]}, index=["g1", "g2"])
    for f in (plots.plot_k_evidence(ev, 3), plots.plot_map(pts, grp),
              plots.plot_priority_matrix(pm), plots.plot_grouped_counts(table)):
        assert f.axes and f.axes[0].has_data()
        plt.close(f)


def test_long_title_stays_inside_the_figure(tmp_path):
    title = "Part des personnes évoquant chaque code (IC 95 %), vague 2018 et vague 2019"
    long_labels = pd.Series({"Services en ligne mal conçus, tout dématérialisé": 0.4, "CAF": 0.6})
    fig = plots.plot_bars(long_labels, title=title)
    fig.canvas.draw()
    box = fig._suptitle.get_window_extent()
    assert box.x1 <= fig.bbox.x1 and box.x0 >= 0
    plt.close(fig)


def test_factor_map_labels_the_points_that_contribute_most_and_names_every_marker():
    pts = pd.DataFrame({
        "kind": ["besoin / frein"] * 4 + ["profil"] * 2,
        "label": ["Loin mais léger", "Fort", "Moyen", "Faible", "Cadre", "Ouvrier"],
        "x": [9.0, 1.0, 0.5, 0.2, -1.0, 1.2], "y": [9.0, 0.5, 0.4, 0.1, 0.3, -0.8],
        "contrib": [0.01, 0.6, 0.3, 0.09, 0.7, 0.3],
    })
    groups = pd.DataFrame({"label": ["1", "2"], "x": [0.1, -0.2], "y": [0.0, 0.3]})
    fig = plots.plot_map(pts, groups, max_labels=2, groups_label="groupe de la typologie")
    ax = fig.axes[0]
    shown = {t.get_text() for t in ax.texts}
    assert {"Fort", "Moyen", "Cadre", "Ouvrier"} <= shown
    assert "Loin mais léger" not in shown and "Faible" not in shown  # far, but explains little
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "besoin / frein", "profil", "groupe de la typologie"]
    # outside the axes: it hides no point
    assert legend.get_bbox_to_anchor().x0 >= ax.get_window_extent().x1 - 1
    plt.close(fig)
