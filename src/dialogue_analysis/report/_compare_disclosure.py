"""Disclosure control of the comparison report: the same primary and complementary suppression
as the findings report (:mod:`._disclosure`), over the comparison's tables *and* the two
waves' own reports.

A comparison is read beside the findings report of each wave, which publishes the same counts
(people of a stakeholder group raising a code) under that wave's own plan. Two plans made
apart leak: a cell masked in the wave's report but printed in the comparison is simply read
there, and two different complements of one small cell give it back by subtraction (the
comparison publishes one, the wave's report the other). So the comparison's plan is made over
every count of both waves' reports as well as its own: a count the wave's report prints is
published (fixed), a count it masks is masked here too, and new complements are taken among
the comparison's own cells.

The counts a comparison publishes, and the sums that link them:

- prevalence: people of a category raising a code, in each wave (the same cell as in that
  wave's report); the categories of a dimension add up to the people raising the code overall
  (published as they are); the people of the category who do *not* raise it are its size minus
  the count (a complement, masked when small like any count);
- group sizes: people of each reference group in each wave, adding up to the wave's number of
  interviews, and the people of wave B far from every group, adding up to their total;
- moves: the people interviewed again, by group in A and group in B, adding up to their number;
  those who changed group are the moves off the diagonal;
- the people interviewed again who changed an attribute (and those who did not), who gained or
  lost a code (and those who did neither), adding up to the people interviewed again.

A masked cell is masked with its share, interval, change and test (a p-value is a function of
the counts: with one count and the other printed, it gives the masked one back), and shows one
mark whether it is small or a complement, so a reader cannot tell which.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from ..core.adjusted import revealing_adjusted
from ..waves import Comparison, mask_prevalence
from ._disclosure import (
    Suppression,
    _complements,
    code_key,
    count_key,
    holding,
    published_counts,
    suppress,
    wave_suppression,
)

WAVES = ("a", "b")
REINTERVIEWED = ("reinterviewed",)
# What a wave must hold for its own report's plan to be rebuilt (an analysed wave).
WAVE_TABLES = ("records", "prevalence", "group_categories", "findings")


def _far_total(cmp: Comparison) -> int:
    return int(cmp.assignments.loc[cmp.assignments["wave"] == cmp.wave_b, "far"].sum())


def wave_report_cells(wave, tag: str) -> tuple[dict, list, set, set]:
    """What a wave's own findings report publishes, its keys tagged with the wave (``tag``).

    Returns ``values, lines, published, masked``: empty when the wave is not an analysed wave
    with a report of its own.
    """
    if wave is None or any(getattr(wave, t, None) is None for t in WAVE_TABLES) \
            or len(wave.prevalence) == 0:
        return {}, [], set(), set()
    values, lines, fixed = published_counts(wave)
    hidden = wave_suppression(wave).hidden
    values = {(tag, k): v for k, v in values.items()}
    lines = [((tag, t), tuple((tag, p) for p in parts)) for t, parts in lines]
    published = {(tag, k) for k in fixed} | {k for k in values if k[1] not in hidden}
    return values, lines, published, {(tag, k) for k in hidden}


def prevalence_key(w: str, code, dimension, category, count, wave_values: dict) -> tuple:
    """The key of a count of the comparison's prevalence: the wave's own cell when it is the
    same count, a cell of the comparison's own otherwise."""
    key = (w, code_key(code, dimension, category))
    if key in wave_values and int(wave_values[key]) != int(count):
        return ("prev", w, str(code), str(dimension), str(category))
    return key


def _prevalence_cells(cmp, wave_values, values, lines, fixed) -> dict:
    keys = {}
    prev = cmp.prevalence
    for w in WAVES:
        ks = []
        for r in prev.itertuples():
            count = getattr(r, f"count_{w}")
            if pd.isna(count):
                ks.append(None)
                continue
            k = prevalence_key(w, r.code, r.dimension, r.category, count, wave_values)
            values[k] = int(count)
            ks.append(k)
            if r.dimension != "all":
                size = (w, count_key(r.dimension, r.category))
                values.setdefault(size, int(getattr(r, f"n_{w}")))
                fixed.add(size)
                if values[size] == int(getattr(r, f"n_{w}")):
                    _complements([(k, size)], values, lines)
        keys[w] = ks
        col = pd.Series(ks, index=prev.index)
        cross = prev[(prev["dimension"] != "all") & col.notna()]
        overall = dict(zip(prev.loc[prev["dimension"] == "all", "code"],
                           col[prev["dimension"] == "all"], strict=True))
        for (code, _dim), g in cross.groupby(["code", "dimension"], sort=False):
            if overall.get(code) is not None:
                fixed.add(overall[code])
                lines.append((overall[code], tuple(col[g.index])))
    return keys


def _group_cells(cmp, values, lines, fixed):
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


def _reinterview_cells(cmp, values, lines, fixed):
    n = len(cmp.reinterviewed_ids)
    values[REINTERVIEWED] = n
    fixed.add(REINTERVIEWED)
    moves = cmp.moves_table
    keys = tuple(("move", a, b) for a, b in zip(moves["group_a"], moves["group_b"], strict=True))
    values.update(zip(keys, moves["count"].astype(int), strict=True))
    if keys:
        lines.append((REINTERVIEWED, keys))
    for r in cmp.reinterview_attributes.itertuples():
        k = ("changed", str(r.attribute))
        values[k] = int(r.n_changed)
        _complements([(k, REINTERVIEWED)], values, lines)  # those who did not change it
        if r.attribute == "typology_group" and keys:
            lines.append((k, tuple(m for m in keys if m[1] != m[2])))
    for r in cmp.reinterview_codes.itertuples():
        gained, lost, same = (("gained", str(r.code)), ("lost", str(r.code)),
                              ("unchanged", str(r.code)))
        values.update({gained: int(r.n_gained), lost: int(r.n_lost),
                       same: n - int(r.n_gained) - int(r.n_lost)})
        lines.append((REINTERVIEWED, (gained, lost, same)))


def comparison_counts(cmp: Comparison) -> tuple[dict, list, set, set, dict]:
    """Every count of the comparison and of the two waves' reports, and how they are linked.

    Returns
    -------
    values : dict
        Count by key.
    lines : list of (total, parts)
        The published sums that hold.
    fixed : set
        Cells published whatever happens: the totals, and every count a wave's own report
        prints.
    masked : set
        Cells a wave's own report masks.
    prevalence_keys : dict
        ``{"a": [...], "b": [...]}``: the key of each row's count in ``cmp.prevalence``.
    """
    values: dict = {}
    lines: list = []
    fixed: set = set()
    masked: set = set()
    for w, wave in zip(WAVES, cmp.sources or (None, None), strict=True):
        v, ln, published, hidden = wave_report_cells(wave, w)
        values.update(v)
        lines += ln
        fixed |= published
        masked |= hidden
    keys = _prevalence_cells(cmp, dict(values), values, lines, fixed)
    _group_cells(cmp, values, lines, fixed)
    _reinterview_cells(cmp, values, lines, fixed)
    return values, holding(lines, values), fixed, masked, keys


def comparison_plan(cmp: Comparison) -> tuple[Suppression, dict]:
    """Which counts of the comparison are masked, and the key of each prevalence count.

    Computed once per comparison (the report asks for it many times).
    """
    cached = _PLANS.get(id(cmp))
    if cached is not None:
        return cached
    values, lines, fixed, masked, keys = comparison_counts(cmp)
    plan = suppress(values, lines, min_count=int(cmp.settings.get("min_cell_count", 5)),
                    fixed=fixed, masked=masked)
    _PLANS[id(cmp)] = (plan, keys)
    weakref.finalize(cmp, _PLANS.pop, id(cmp), None)
    return plan, keys


_PLANS: dict[int, tuple[Suppression, dict]] = {}


def comparison_suppression(cmp: Comparison) -> Suppression:
    """Which counts of the comparison are masked (small ones and their complements)."""
    return comparison_plan(cmp)[0]


TEST_COLUMNS = ("p_value", "p_adjusted")


def masked_prevalence(cmp: Comparison, hidden: frozenset | None = None) -> pd.DataFrame:
    """The prevalence table with every masked count blanked, with its share, interval, change
    and test (``masked_a``, ``masked_b`` say which)."""
    plan, keys = comparison_plan(cmp)
    hidden = plan.hidden if hidden is None else hidden
    out = mask_prevalence(cmp.prevalence, int(cmp.settings.get("min_cell_count", 5)))
    for w in WAVES:
        hide = np.array([k in hidden for k in keys[w]], dtype=bool) \
            & (out["dimension"] != "all").to_numpy()
        for col in (f"count_{w}", f"share_{w}", f"ci_low_{w}", f"ci_high_{w}"):
            out.loc[hide, col] = pd.NA
        out[f"masked_{w}"] = out[f"masked_{w}"].to_numpy() | hide
    either = out["masked_a"] | out["masked_b"]
    out["difference"] = out["difference"].astype("Float64").mask(either)
    for col in TEST_COLUMNS:
        out[col] = out[col].astype("Float64").mask(either)
    # an adjusted p-value a masked row's p-value sets would give that one away
    out["p_adjusted"] = out["p_adjusted"].mask(
        revealing_adjusted(cmp.prevalence, either.to_numpy(), family="dimension").to_numpy())
    out["significant"] = out["significant"].astype("boolean").mask(either)
    out["direction"] = out["direction"].where(~either, "")
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


def masked_reinterviews(cmp: Comparison, hidden: frozenset | None = None
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The aggregates of the people interviewed again, masked counts blanked with what is
    computed from them (share, net change, McNemar p-value): attributes, codes."""
    hidden = comparison_suppression(cmp).hidden if hidden is None else hidden
    attrs = cmp.reinterview_attributes.copy()
    hide = np.array([("changed", str(a)) in hidden for a in attrs["attribute"]], dtype=bool)
    _blank(attrs, hide, ["n_changed", "share_changed"])
    attrs["masked"] = hide
    codes = cmp.reinterview_codes.copy()
    gained = np.array([("gained", str(c)) in hidden for c in codes["code"]], dtype=bool)
    lost = np.array([("lost", str(c)) in hidden for c in codes["code"]], dtype=bool)
    _blank(codes, gained, ["n_gained"])
    _blank(codes, lost, ["n_lost"])
    _blank(codes, gained | lost, ["net", "p_value"])
    codes["masked"] = gained | lost
    return attrs, codes


def published_group_test(cmp: Comparison, hidden: frozenset | None = None) -> dict:
    """The chi-square test of the change in the groups' mix, as published: its statistic and
    p-value are functions of the group sizes, so they are withheld when a size is masked."""
    test = dict(cmp.group_test)
    if masked_group_sizes(cmp, hidden)["masked"].any():
        test.update(chi2=np.nan, p_value=np.nan)
    return test

