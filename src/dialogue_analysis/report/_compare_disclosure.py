"""Disclosure control of the comparison report: the same primary and complementary suppression
as the findings report (:mod:`._disclosure`), on the comparison's tables.

The counts a comparison publishes, and the sums that link them:

- prevalence: people of a category raising a code, in each wave; the categories of a
  dimension add up to the people raising the code overall (published as they are);
- group sizes: people of each reference group in each wave, adding up to the wave's number of
  interviews, and the people of wave B far from every group, adding up to their total;
- moves: the people interviewed again, by group in A and group in B, adding up to their number.

A masked cell is masked with its share, interval and change, and shows one mark whether it is
small or a complement, so a reader cannot tell which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..waves import Comparison, mask_prevalence
from ._disclosure import Suppression, holding, suppress

WAVES = ("a", "b")


def _far_total(cmp: Comparison) -> int:
    return int(cmp.assignments.loc[cmp.assignments["wave"] == cmp.wave_b, "far"].sum())


def comparison_counts(cmp: Comparison) -> tuple[dict, list, set]:
    """The published counts of a comparison by key, the lines (sums) between them, and the
    cells published whatever happens (the totals)."""
    values: dict = {}
    lines: list = []
    fixed: set = set()
    prev = cmp.prevalence
    for w in WAVES:
        for r in prev.itertuples():
            if pd.notna(getattr(r, f"count_{w}")):
                values[("prev", w, r.code, r.dimension, r.category)] = \
                    int(getattr(r, f"count_{w}"))
        cross = prev[prev["dimension"] != "all"]
        for (code, dim), g in cross.groupby(["code", "dimension"], sort=False):
            total = ("prev", w, code, "all", "all")
            fixed.add(total)
            lines.append((total, tuple(("prev", w, code, dim, c) for c in g["category"])))
    sizes = cmp.group_sizes
    for w, n in (("a", cmp.n_a), ("b", cmp.n_b)):
        values[("size", w)] = int(n)
        fixed.add(("size", w))
        for g, v in zip(sizes["group"], sizes[f"n_{w}"], strict=True):
            values[("size", w, g)] = int(v)
        lines.append((("size", w), tuple(("size", w, g) for g in sizes["group"])))
    if "far_b" in sizes:
        values[("far",)] = _far_total(cmp)
        fixed.add(("far",))
        for g, v in zip(sizes["group"], sizes["far_b"], strict=True):
            values[("far", g)] = int(v)
        lines.append((("far",), tuple(("far", g) for g in sizes["group"])))
    moves = cmp.moves_table
    if len(moves):
        values[("moves",)] = int(moves["count"].sum())
        fixed.add(("moves",))
        keys = tuple(("move", a, b) for a, b in zip(moves["group_a"], moves["group_b"],
                                                   strict=True))
        values.update(zip(keys, moves["count"].astype(int), strict=True))
        lines.append((("moves",), keys))
    return values, holding(lines, values), fixed


def comparison_suppression(cmp: Comparison) -> Suppression:
    """Which counts of the comparison are masked (small ones and their complements)."""
    values, lines, fixed = comparison_counts(cmp)
    return suppress(values, lines, min_count=int(cmp.settings.get("min_cell_count", 5)),
                    fixed=fixed)


def masked_prevalence(cmp: Comparison, hidden: frozenset | None = None) -> pd.DataFrame:
    """The prevalence table with every masked count blanked, with its share, interval and
    change (``masked_a``, ``masked_b`` say which)."""
    hidden = comparison_suppression(cmp).hidden if hidden is None else hidden
    out = mask_prevalence(cmp.prevalence, int(cmp.settings.get("min_cell_count", 5)))
    for w in WAVES:
        hide = np.array([("prev", w, c, d, k) in hidden for c, d, k in
                         zip(out["code"], out["dimension"], out["category"], strict=True)],
                        dtype=bool) & (out["dimension"] != "all").to_numpy()
        for col in (f"count_{w}", f"share_{w}", f"ci_low_{w}", f"ci_high_{w}"):
            out.loc[hide, col] = pd.NA
        out[f"masked_{w}"] = out[f"masked_{w}"].to_numpy() | hide
    either = out["masked_a"] | out["masked_b"]
    out["difference"] = out["difference"].astype("Float64").mask(either)
    return out


def _blank(table: pd.DataFrame, hide: np.ndarray, columns: list[str]) -> None:
    for col in columns:
        if col in table:
            kind = "Float64" if pd.api.types.is_float_dtype(table[col]) else "Int64"
            table[col] = table[col].astype(kind)
            table.loc[hide, col] = pd.NA


def masked_group_sizes(cmp: Comparison, hidden: frozenset | None = None) -> pd.DataFrame:
    """Group sizes with the masked counts blanked (and the shares and change computed from
    them); ``masked`` says which rows lost a number."""
    hidden = comparison_suppression(cmp).hidden if hidden is None else hidden
    out = cmp.group_sizes.copy()
    any_hidden = np.zeros(len(out), dtype=bool)
    for key, derived in ((("size", "a"), ["n_a", "share_a", "difference"]),
                         (("size", "b"), ["n_b", "share_b", "difference"]),
                         (("far",), ["far_b"])):
        if derived[0] not in out:
            continue
        hide = np.array([(*key, g) in hidden for g in out["group"]], dtype=bool)
        _blank(out, hide, derived)
        any_hidden |= hide
    out["masked"] = any_hidden
    return out


def masked_moves(cmp: Comparison, hidden: frozenset | None = None) -> pd.DataFrame:
    """The moves of the people interviewed again, masked counts blanked (``masked``)."""
    hidden = comparison_suppression(cmp).hidden if hidden is None else hidden
    moves = cmp.moves_table.copy()
    hide = np.array([("move", a, b) in hidden for a, b in
                     zip(moves["group_a"], moves["group_b"], strict=True)], dtype=bool)
    _blank(moves, hide, ["count"])
    moves["masked"] = hide
    return moves
