"""Disclosure control of the published tables: which counts are masked, and why.

Primary suppression
    A count of 1 to ``min_cell_count - 1`` people in a table that crosses attributes could
    single someone out: it is masked (:func:`~dialogue_analysis.privacy.small_cells`).
Secondary (complementary) suppression
    A masked cell is worthless if it can be computed back: ``30 - 15 - 12 = 3`` when the other
    cells of its row and the row total are printed. Every published count is a *cell* with a
    key that names the same count wherever it appears (a heat map, a table of the report, a
    sheet of the workbook), and every published sum is a *line*: the cells of a row or column
    with its total, or the categories nested in a broader one (the profiles of a stakeholder
    group) with the broader cell. Whenever a line has exactly one masked cell, the smallest
    non-zero published cell of that line is masked too, until no line has a lone masked cell.
    Because the keys are shared, a cell masked for one table is masked in every table.
Zero cells
    A zero is never masked for itself: "nobody" points at no one. A zero can be masked as the
    complement of a line whose other published cells are all zeros (otherwise the lone masked
    cell would be the total minus nothing). All masked cells show the same mark, so a reader
    cannot tell a small count from a complementary cell or a masked zero.
Complements
    Raising a code is a yes/no: with the category's size published, a count also publishes the
    people of the category who do *not* raise the code. "11 of the 12 farmers" singles out the
    one who does not as surely as "1 of 12" the one who does. Each such implicit complement is
    a cell of its own (:func:`complement_key`) in a line (size = count + complement): a
    complement of 1 to ``min_cell_count - 1`` is masked like a small count, which masks the
    count, and the count is protected in its other lines as any masked cell. The same holds
    for a category of a multi-valued attribute within a typology group. A single-valued
    attribute's complement is its other categories, masked as such. "All 12 raise X" (a
    complement of 0) is published: it says something of the whole category and of no one in
    particular (see docs/anonymisation.md).
Margins
    One-way counts (people per profile, per territory, per typology group; people raising each
    code overall) are published as they are, and so is their complement in the whole wave:
    they are the totals the lines add up to.
Statistics
    A test value or p-value beside a masked count would give it back: the workbook blanks them
    with the count, and a chi-square test over a table with a masked cell publishes only the
    band of its p-value (:mod:`._masked_tests`).
"""

from __future__ import annotations

import weakref
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MASK_MARK = {"fr": "s", "en": "x"}  # INSEE's "secret statistique" / Statistics Canada's "x"

Key = Hashable
Line = tuple[Key, tuple[Key, ...]]  # (total, parts): the total is the sum of the parts


def mask_mark(language: str = "fr") -> str:
    """The mark printed in place of a masked count."""
    return MASK_MARK.get(language, MASK_MARK["en"])


@dataclass(frozen=True)
class Suppression:
    """The outcome of :func:`suppress`.

    Attributes
    ----------
    primary : frozenset
        Cells masked because they hold 1 to ``min_count - 1`` people.
    hidden : frozenset
        Every masked cell: the primary ones and their complements.
    unprotected : frozenset
        Masked cells still alone in a line whose other members are all fixed (published
        elsewhere); empty unless the fixed cells leave no choice.
    """

    primary: frozenset = field(default_factory=frozenset)
    hidden: frozenset = field(default_factory=frozenset)
    unprotected: frozenset = field(default_factory=frozenset)

    @property
    def secondary(self) -> frozenset:
        return self.hidden - self.primary


def suppress(values: Mapping[Key, int], lines: Iterable[Line], *, min_count: int = 5,
             fixed: Iterable[Key] = (), masked: Iterable[Key] = ()) -> Suppression:
    """Primary then complementary suppression of counts linked by lines (sums).

    Parameters
    ----------
    values : mapping
        Count of each published cell (totals included), by key.
    lines : iterable of (total, parts)
        Published sums: ``values[total] == sum(values[p] for p in parts)``. Lines whose
        members are missing from ``values`` are ignored.
    min_count : int
        Counts from 1 to ``min_count - 1`` are masked (primary suppression).
    fixed : iterable of keys
        Cells published whatever happens (one-way margins, figures quoted in the text): never
        masked, never chosen as complements.
    masked : iterable of keys
        Cells already masked where they were published before (a wave's own report, for its
        comparison with another wave): masked here too, and protected like the small ones.

    Returns
    -------
    Suppression
    """
    fixed = set(fixed)
    order = {k: i for i, k in enumerate(values)}
    lines = [(t, tuple(parts)) for t, parts in lines
             if t in values and parts and all(p in values for p in parts)]
    primary = {k for k, v in values.items() if 0 < v < min_count and k not in fixed}
    hidden = primary | {k for k in masked if k in values}
    stuck: set = set()

    def complement(members, total) -> bool:
        free = [k for k in members if k not in hidden and k not in fixed]
        if not free:
            return False
        # The smallest non-zero cell costs the least information; a part of the line rather
        # than its total, so that a table keeps its margins; a zero only when nothing else.
        hidden.add(min(free, key=lambda k: (values[k] == 0, k == total, values[k], order[k])))
        return True

    while True:
        changed = True
        while changed:  # no line may have a lone masked cell
            changed = False
            for total, parts in lines:
                members = (*parts, total)
                lone = [k for k in members if k in hidden]
                if len(lone) == 1:
                    if complement(members, total):
                        changed = True
                    else:
                        stuck.add(lone[0])
        # Lines with two masked cells each can still pin a cell down together (a masked cell
        # joining two otherwise separate blocks of masked cells): give such a cell one more
        # complement in its first line that has a free cell, and check again.
        published = {k: (None if k in hidden else v) for k, v in values.items()}
        pinned = [k for k in pinned_down(published, lines) if k not in stuck]
        grown = False
        for k in pinned:
            for total, parts in lines:
                if k in (total, *parts) and complement((*parts, total), total):
                    grown = True
                    break
            else:
                stuck.add(k)
        if not grown:
            break
    published = {k: (None if k in hidden else v) for k, v in values.items()}
    unprotected = {k for k, _ in lone_unknowns(published, lines)} | set(
        pinned_down(published, lines))
    return Suppression(frozenset(primary), frozenset(hidden), frozenset(unprotected))


def lone_unknowns(cells: Mapping[Key, int | None], lines: Iterable[Line]) -> list[tuple]:
    """Masked cells (value ``None``) alone in a line: ``(cell, total of the line)``."""
    leaks = []
    for total, parts in lines:
        members = (total, *parts)
        if any(m not in cells for m in members):
            continue
        unknown = [m for m in members if cells[m] is None]
        if len(unknown) == 1:
            leaks.append((unknown[0], total))
    return leaks


def pinned_down(cells: Mapping[Key, int | None], lines: Iterable[Line]) -> list:
    """Masked cells (value ``None``) whose value all the lines together determine.

    The lines are linear equations in the masked cells; a cell is determined when no solution
    of the homogeneous system moves it (its column of the null space is zero).
    """
    lines = [(t, p) for t, p in lines if t in cells and all(m in cells for m in p)]
    equations = []  # the masked members of each line, with their signs
    for total, parts in lines:
        eq = {}
        for m, sign in ((total, -1.0), *((p, 1.0) for p in parts)):
            if cells[m] is None:
                eq[m] = eq.get(m, 0.0) + sign
        if any(eq.values()):
            equations.append(eq)
    out = []
    for block in _blocks(equations):  # independent systems, solved one by one (much faster)
        unknown = list(dict.fromkeys(m for eq in block for m in eq))
        col = {k: i for i, k in enumerate(unknown)}
        a = np.zeros((len(block), len(unknown)))
        for i, eq in enumerate(block):
            for m, v in eq.items():
                a[i, col[m]] = v
        _, s, vt = np.linalg.svd(a)
        null = vt[int((s > 1e-9).sum()):]  # the directions the masked cells can move together
        out += [k for k, i in col.items() if null.shape[0] == 0
                or np.abs(null[:, i]).max() < 1e-9]
    return out


def _blocks(equations: list[dict]) -> list[list[dict]]:
    """Equations grouped by the unknowns they share (connected components)."""
    parent: dict = {}

    def root(k):
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for eq in equations:
        first, *rest = eq
        for m in rest:
            parent[root(m)] = root(first)
    blocks: dict = {}
    for eq in equations:
        blocks.setdefault(root(next(iter(eq))), []).append(eq)
    return list(blocks.values())


def table_lines(table: pd.DataFrame, key, row_total, col_total) -> list[Line]:
    """Lines of a two-way table: each row with its total, each column with its total.

    ``key(row, column)`` names a cell; ``row_total(row)`` and ``col_total(column)`` name the
    margins.
    """
    rows = [(row_total(r), tuple(key(r, c) for c in table.columns)) for r in table.index]
    cols = [(col_total(c), tuple(key(r, c) for r in table.index)) for c in table.columns]
    return rows + cols


def nesting(records: pd.DataFrame, dimensions: Sequence[str]) -> dict[tuple[str, str], dict]:
    """Attributes whose categories nest in another's (each profile in one stakeholder group).

    Returns ``{(child, parent): {child category: parent category}}`` for every pair of
    ``dimensions`` where each category of ``child`` falls in a single category of ``parent``
    and the parent is broader (fewer categories).
    """
    out = {}
    for child in dimensions:
        for parent in dimensions:
            if child == parent or child not in records or parent not in records:
                continue
            pair = records[[child, parent]].dropna().astype(str).drop_duplicates()
            if pair.empty or pair[child].duplicated().any():
                continue
            if pair[parent].nunique() >= pair[child].nunique():
                continue
            out[(child, parent)] = dict(zip(pair[child], pair[parent], strict=True))
    return out


def holding(lines: Iterable[Line], values: Mapping[Key, int]) -> list[Line]:
    """The lines whose sum really holds (a category may be missing, or attributes multi-valued)."""
    return [(t, p) for t, p in lines if t in values and all(k in values for k in p)
            and int(values[t]) == sum(int(values[k]) for k in p)]


# -- the published tables of a wave ------------------------------------------------------------

PEOPLE_DIMENSIONS = ("stakeholder_group", "profile", "territory", "age_band")


def code_key(code, dimension, category) -> tuple:
    """People of ``category`` raising ``code`` (prevalence, cross tables, heat maps)."""
    return ("code", str(code), str(dimension), str(category))


def people_key(dim_a, cat_a, dim_b, cat_b) -> tuple:
    """People of two categories at once (``profile x territory`` is ``territory x profile``)."""
    return ("people", *sorted([(str(dim_a), str(cat_a)), (str(dim_b), str(cat_b))]))


def count_key(dimension, category) -> tuple:
    """People of one category: a one-way margin, always published."""
    return ("n", str(dimension), str(category))


def table_total_key(dimension, category, other) -> tuple:
    """People of ``category`` whose ``other`` attribute is given (a cross table's total)."""
    return ("total", str(dimension), str(category), str(other))


def typology_key(group, attribute, category) -> tuple:
    """People of typology group ``group`` with ``attribute = category``."""
    return ("typology", str(group), str(attribute), str(category))


def complement_key(key: tuple) -> tuple:
    """People of the same category *not* counted in ``key`` (a code cell or a typology cell).

    Never printed, but given by the category's published size minus the count: "11 of the 12
    farmers raise X" singles out the one who does not as much as "1 of 12" the one who does.
    """
    return ("not", *key)


def _complements(cells: Iterable[tuple[Key, Key]], values: dict, lines: list):
    """The implicit complement of each ``(cell, size)``: a cell of its own, with its line.

    Primary suppression masks a complement of 1 to ``min_count - 1`` people like any small
    cell; the line (size = cell + complement, the size published) then masks the cell itself,
    and a masked cell always masks its complement, so both are known or unknown together.
    """
    for key, size in cells:
        if key in values and size in values:
            values[complement_key(key)] = int(values[size]) - int(values[key])
            lines.append((size, (key, complement_key(key))))


def _code_cells(prev: pd.DataFrame, nested: dict, values: dict, lines: list, fixed: set):
    if prev.empty:
        return
    for r in prev[["dimension", "category", "code", "count"]].itertuples(index=False):
        values[code_key(r.code, r.dimension, r.category)] = int(r.count)
    overall = prev[prev["dimension"] == "all"]
    fixed.update(code_key(c, "all", "all") for c in overall["code"])
    cross = prev[prev["dimension"] != "all"]
    # raising a code or not is a yes/no: the people of a category who do not raise it are
    # the category's size minus the count, a complement no table prints as a category
    for r in cross[["dimension", "category", "n"]].drop_duplicates().itertuples(index=False):
        values.setdefault(count_key(r.dimension, r.category), int(r.n))
        fixed.add(count_key(r.dimension, r.category))
    _complements(((code_key(r.code, r.dimension, r.category), count_key(r.dimension, r.category))
                  for r in cross.itertuples(index=False)), values, lines)
    for (code, dim), part in cross.groupby(["code", "dimension"], sort=False):
        lines.append((code_key(code, "all", "all"),
                      tuple(code_key(code, dim, c) for c in part["category"])))
    codes = cross["code"].drop_duplicates()
    for (child, parent), parent_of in nested.items():
        for pcat in dict.fromkeys(parent_of.values()):
            kids = [c for c, p in parent_of.items() if p == pcat]
            lines += [(code_key(code, parent, pcat), tuple(code_key(code, child, c) for c in kids))
                      for code in codes]


def _people_cells(records: pd.DataFrame, nested: dict, values: dict, lines: list, fixed: set):
    dims = [d for d in PEOPLE_DIMENSIONS if d in records and records[d].notna().any()]
    for d in dims:
        for cat, n in records[d].astype(str)[records[d].notna()].value_counts().items():
            values[count_key(d, cat)] = int(n)
            fixed.add(count_key(d, cat))
    tables = {}
    for i, a in enumerate(dims):
        for b in dims[i + 1:]:
            if (a, b) in nested or (b, a) in nested:
                continue  # a profile crossed with its own stakeholder group says nothing new
            sub = records[[a, b]].dropna().astype(str)
            t = pd.crosstab(sub[a], sub[b])
            tables[(a, b)] = t
            for r in t.index:
                for c in t.columns:
                    values[people_key(a, r, b, c)] = int(t.loc[r, c])
            # The totals a cross table prints count the people with both attributes given: the
            # one-way margin when none is missing, fewer otherwise, and published either way.
            for r in t.index:
                values[table_total_key(a, r, b)] = int(t.loc[r].sum())
                fixed.add(table_total_key(a, r, b))
            for c in t.columns:
                values[table_total_key(b, c, a)] = int(t[c].sum())
                fixed.add(table_total_key(b, c, a))
            lines += table_lines(t, lambda r, c, a=a, b=b: people_key(a, r, b, c),
                                 lambda r, a=a, b=b: table_total_key(a, r, b),
                                 lambda c, a=a, b=b: table_total_key(b, c, a))
    for (child, parent), parent_of in nested.items():
        for other in dims:
            if other in (child, parent) or (child, other) in nested or (other, child) in nested:
                continue
            for ocat in records[other].dropna().astype(str).unique():
                for pcat in dict.fromkeys(parent_of.values()):
                    kids = [c for c, p in parent_of.items() if p == pcat]
                    lines.append((people_key(parent, pcat, other, ocat),
                                  tuple(people_key(child, c, other, ocat) for c in kids)))


def _typology_cells(gcat: pd.DataFrame, nested: dict, values: dict, lines: list, fixed: set):
    if gcat.empty or "count_in_group" not in gcat:
        return
    for r in gcat.itertuples(index=False):
        values[typology_key(r.group, r.attribute, r.category)] = int(r.count_in_group)
        values.setdefault(count_key(r.attribute, r.category), int(r.count_total))
        size = ("size", str(r.group), str(r.attribute))  # people of the group with the attribute
        values[size] = int(r.group_size)
        fixed.update({count_key(r.attribute, r.category), size})
    for (attr, cat), part in gcat.groupby(["attribute", "category"], sort=False):
        lines.append((count_key(attr, cat),
                      tuple(typology_key(g, attr, cat) for g in part["group"])))
    for (g, attr), part in gcat.groupby(["group", "attribute"], sort=False):
        size = ("size", str(g), str(attr))
        parts = tuple(typology_key(g, attr, c) for c in part["category"])
        lines.append((size, parts))
        if values[size] != sum(values[k] for k in parts):
            # a multi-valued attribute (equipment): each category is a yes/no of its own, whose
            # "no" no table prints (a single-valued attribute's complement is its other
            # categories, masked as such)
            _complements(((k, size) for k in parts), values, lines)
    for (child, parent), parent_of in nested.items():
        for g in gcat["group"].drop_duplicates():
            for pcat in dict.fromkeys(parent_of.values()):
                kids = [c for c, p in parent_of.items() if p == pcat]
                lines.append((typology_key(g, parent, pcat),
                              tuple(typology_key(g, child, c) for c in kids)))


def published_counts(a) -> tuple[dict, list, set]:
    """Every count a wave's report and workbook publish, the sums linking them, the fixed ones.

    Parameters
    ----------
    a : Analysis

    Returns
    -------
    values : dict
        Count by cell key (:func:`code_key`, :func:`people_key`, :func:`typology_key`,
        :func:`count_key`).
    lines : list of (total, parts)
        The published sums that hold.
    fixed : set
        Cells published whatever happens: one-way margins and the figures of the findings.
    """
    records = a.records
    dims = [d for d in (*PEOPLE_DIMENSIONS, "typology_group") if d in records]
    nested = nesting(records, dims)
    values: dict = {}
    lines: list = []
    fixed: set = set()
    _code_cells(a.prevalence, nested, values, lines, fixed)
    _people_cells(records, nested, values, lines, fixed)
    _typology_cells(a.group_categories, nested, values, lines, fixed)
    f = a.findings
    if len(f):
        fixed.update(code_key(r.code, r.dimension, r.category)
                     for r in f.itertuples(index=False) if r.dimension != "all")
    return values, holding(lines, values), fixed


def wave_suppression(a) -> Suppression:
    """Primary and complementary suppression over all the published tables of a wave.

    Computed once per set of tables of ``a`` (the report asks for it many times).
    """
    tables = (a.records, a.prevalence, a.group_categories, a.findings)
    stamp = (*map(id, tables), a.min_cell_count)
    cached = _PLANS.get(id(a))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    values, lines, fixed = published_counts(a)
    plan = suppress(values, lines, min_count=a.min_cell_count, fixed=fixed)
    _PLANS[id(a)] = (stamp, plan)
    weakref.finalize(a, _PLANS.pop, id(a), None)
    return plan


_PLANS: dict[int, tuple[tuple, Suppression]] = {}


def hidden_codes(a, table: pd.DataFrame, *, dimension: str | None = None,
                 category: str = "category", code: str = "code") -> pd.Series:
    """Which rows of a tidy ``dimension, category, code`` table are masked (index of ``table``).

    ``dimension`` names the attribute of every row when the table has no ``dimension`` column
    (``"typology_group"`` for a table of typology groups).
    """
    plan = wave_suppression(a)
    dims = table["dimension"] if dimension is None else pd.Series(dimension, index=table.index)
    keys = [code_key(c, d, k) for c, d, k in zip(table[code], dims, table[category], strict=True)]
    return pd.Series([k in plan.hidden for k in keys], index=table.index, dtype=bool)


def hidden_people(a, table: pd.DataFrame, rows: str, cols: str) -> pd.DataFrame:
    """Mask of a ``rows x cols`` table of people (same shape and labels as ``table``).

    A table of two attributes the wave's plan does not cover (a region, say) gets its own
    primary and complementary suppression, its margins fixed.
    """
    if rows not in PEOPLE_DIMENSIONS or cols not in PEOPLE_DIMENSIONS:
        values = {(r, c): int(table.loc[r, c]) for r in table.index for c in table.columns}
        values.update({("row", r): int(table.loc[r].sum()) for r in table.index})
        values.update({("col", c): int(table[c].sum()) for c in table.columns})
        margins = [k for k in values if k[0] in ("row", "col")]
        lines = table_lines(table, lambda r, c: (r, c), lambda r: ("row", r),
                            lambda c: ("col", c))
        hidden = suppress(values, lines, min_count=a.min_cell_count, fixed=margins).hidden
        return pd.DataFrame([[(r, c) in hidden for c in table.columns] for r in table.index],
                            index=table.index, columns=table.columns, dtype=bool)
    plan = wave_suppression(a)
    return pd.DataFrame([[people_key(rows, r, cols, c) in plan.hidden for c in table.columns]
                         for r in table.index], index=table.index, columns=table.columns,
                        dtype=bool)


def hidden_typology(a, table: pd.DataFrame) -> pd.Series:
    """Which rows of a ``group, attribute, category`` table are masked."""
    plan = wave_suppression(a)
    return pd.Series([typology_key(g, t, c) in plan.hidden for g, t, c in zip(
        table["group"], table["attribute"], table["category"], strict=True)],
        index=table.index, dtype=bool)
