"""Disclosure control: no masked count can be found back from what is published.

The attack reads the published workbook and report of a full run on the sample wave, lists every
published sum (each row or column of a table with its total, the categories of an attribute with
the overall count, the profiles of a stakeholder group with the group) and looks for a masked
cell that is the only unknown of one of them, or that the sums together pin down (linear
algebra over all of them at once).
"""

from __future__ import annotations

import html as html_lib
import re

import pandas as pd
import pytest

from dialogue_analysis.report import (
    code_key,
    lone_unknowns,
    mask_mark,
    nesting,
    people_key,
    pinned_down,
    read_sheet,
    suppress,
    table_lines,
    typology_key,
    wave_suppression,
)
from dialogue_analysis.report._figures import _wide
from dialogue_analysis.report._format import NNBSP
from tests.analysis_fixtures import built_wave

# -- the attack ------------------------------------------------------------------------------


def _number(text: str):
    text = html_lib.unescape(text).replace(NNBSP, "").replace("\u00a0", "").strip()
    return None if text in (mask_mark("fr"), mask_mark("en")) else int(text)


def read_ids(xlsx, sheet: str, a) -> pd.DataFrame:
    """A published sheet with its labels turned back into the analysis' ids (codes,
    attributes, "all"), so its cells can be matched with the report's."""
    df = read_sheet(xlsx, sheet)
    codes = {label: code for code, label in a.code_labels().items()}
    attributes = {a.attribute_label(c): c for c in a.records.columns}
    everyone = {"ensemble": "all"}
    for col, table in (("code", codes), ("dimension", {**attributes, **everyone}),
                       ("attribute", attributes), ("category", everyone)):
        if col in df:
            df[col] = df[col].map(lambda v, t=table: t.get(v, v))
    return df


def published_cells(built) -> tuple[dict, list]:
    """Every count the workbook and the report print, and every sum linking them."""
    a = built.analysis
    xlsx = built.published["xlsx"]
    cells: dict = {}
    lines: list = []

    def put(key, value):
        value = None if pd.isna(value) else int(value)
        if key in cells and cells[key] != value:
            # the same count printed in one table and masked in another gives it away
            raise AssertionError(f"{key} is {cells[key]} in one table and {value} in another")
        cells[key] = value

    prev = read_ids(xlsx, "prevalence", a)
    for r in prev.itertuples(index=False):
        put(code_key(r.code, r.dimension, r.category), r.count)
    ct = read_ids(xlsx, "crosstabs", a)
    for r in ct.itertuples(index=False):
        put(code_key(r.code, r.dimension, r.category), r.count)
    gcodes = read_ids(xlsx, "group_codes", a)
    for r in gcodes.itertuples(index=False):
        put(code_key(r.code, "typology_group", r.group), r.count_in_group)
    cross = prev[prev["dimension"] != "all"]
    for (code, dim), part in cross.groupby(["code", "dimension"]):
        lines.append((code_key(code, "all", "all"),
                      tuple(code_key(code, dim, c) for c in part["category"])))
    # what the report's profile table says: each profile belongs to one stakeholder group
    nested = nesting(a.records, ["stakeholder_group", "profile", "territory", "age_band"])
    for (child, parent), parent_of in nested.items():
        for pcat in set(parent_of.values()):
            kids = [c for c, p in parent_of.items() if p == pcat]
            for code in cross["code"].unique():
                lines.append((code_key(code, parent, pcat),
                              tuple(code_key(code, child, c) for c in kids)))

    gcat = read_ids(xlsx, "group_profiles", a)
    for r in gcat.itertuples(index=False):
        put(typology_key(r.group, r.attribute, r.category), r.count_in_group)
        put(("n", r.attribute, str(r.category)), r.count_total)
        put(("size", str(r.group), r.attribute), r.group_size)
    for (attr, cat), part in gcat.groupby(["attribute", "category"]):
        lines.append((("n", attr, str(cat)), tuple(typology_key(g, attr, cat)
                                                    for g in part["group"])))
    for (g, attr), part in gcat.groupby(["group", "attribute"]):
        lines.append((("size", str(g), attr), tuple(typology_key(g, attr, c)
                                                    for c in part["category"])))
    for (child, parent), parent_of in nested.items():
        for g in gcat["group"].unique():
            for pcat in set(parent_of.values()):
                kids = [c for c, p in parent_of.items() if p == pcat]
                lines.append((typology_key(g, parent, pcat),
                              tuple(typology_key(g, child, c) for c in kids)))

    # the report's table of people by stakeholder group and territory, with its totals
    html = built.published["html"].read_text(encoding="utf-8")
    section = re.search(r'<section id="consulted">(.*?)</section>', html, re.S).group(1)
    if "Personnes consultées par groupe et par territoire" in section:
        lines += _consulted_cells(section, put)
    # an attacker only gains from sums that hold (not those of multi-valued attributes)
    truth = true_counts(a)
    lines = [(t, p) for t, p in lines if t in truth and all(k in truth for k in p)
             and truth[t] == sum(truth[k] for k in p)]
    return cells, lines


def _consulted_cells(section: str, put) -> list:
    """Cells and lines of the report's people by stakeholder group x territory table."""
    lines = []
    at = section.index("Personnes consultées par groupe et par territoire")
    table = section[section.rindex("<table", 0, at):section.index("</table>", at)]
    head = re.findall(r'<th class="num">([^<]*)</th>', table)
    territories = [html_lib.unescape(t) for t in head[:-1]]
    body = re.findall(r"<tr><td>([^<]*)</td>((?:<td[^>]*>[^<]*</td>)+)</tr>", table)
    grid = {}
    for label, tds in body:
        values = [_number(v) for v in re.findall(r"<td[^>]*>([^<]*)</td>", tds)]
        grid[html_lib.unescape(label)] = values
    totals = grid.pop("Total")
    for g, values in grid.items():
        put(("n", "stakeholder_group", g), values[-1])
        for t, v in zip(territories, values[:-1], strict=True):
            put(people_key("stakeholder_group", g, "territory", t), v)
    for t, v in zip(territories, totals[:-1], strict=True):
        put(("n", "territory", t), v)
    frame = pd.DataFrame(index=list(grid), columns=territories)
    lines += table_lines(frame, lambda g, t: people_key("stakeholder_group", g, "territory", t),
                         lambda g: ("n", "stakeholder_group", g), lambda t: ("n", "territory", t))
    return lines


def true_counts(a) -> dict:
    """The unmasked counts, from the analysis tables and the records."""
    truth = {code_key(r.code, r.dimension, r.category): int(r.count)
             for r in a.prevalence.itertuples(index=False)}
    for r in a.group_categories.itertuples(index=False):
        truth[typology_key(r.group, r.attribute, r.category)] = int(r.count_in_group)
        truth[("n", r.attribute, str(r.category))] = int(r.count_total)
        truth[("size", str(r.group), r.attribute)] = int(r.group_size)
    for dim in ("stakeholder_group", "territory"):
        if dim not in a.records:
            return truth
        for cat, n in a.records[dim].astype(str).value_counts().items():
            truth[("n", dim, cat)] = int(n)
    cross = pd.crosstab(a.records["stakeholder_group"], a.records["territory"])
    for g in cross.index:
        for t in cross.columns:
            truth[people_key("stakeholder_group", g, "territory", t)] = int(cross.loc[g, t])
    return truth


@pytest.fixture(scope="module")
def published():
    built = built_wave()
    if not built.full:
        pytest.skip("the full pipeline is not available")
    return built, *published_cells(built)


def test_no_masked_count_of_a_full_run_can_be_found_back(published):
    built, cells, lines = published
    masked = [k for k, v in cells.items() if v is None]
    assert len(masked) > 400  # the sample wave has many small cells (see the docs for counts)
    assert lone_unknowns(cells, lines) == []
    assert pinned_down(cells, lines) == []


def test_primary_suppression_alone_would_leak_on_the_sample_wave(published):
    built, cells, lines = published
    truth = true_counts(built.analysis)
    margins = {k for k in cells if k[0] in ("n", "size") or k[2:] == ("all", "all")}
    primary_only = {k: None if 0 < truth[k] < 5 and k not in margins else truth[k]
                    for k in cells}
    leaks = {k for k, _ in lone_unknowns(primary_only, lines)}
    rural = people_key("stakeholder_group", "salariés de l'opérateur", "territory", "rural")
    assert rural in leaks  # 30 - 15 - 12 = 3: what complementary suppression is for
    assert len(leaks) > 10


def test_figures_mask_the_cells_the_tables_mask(published):
    built, cells, _ = published
    a = built.analysis
    _, mask = _wide(a, "territory", a.family_codes("need"), "fr")
    labels = {v: k for k, v in a.code_labels("fr").items()}
    for label in mask.index:
        for cat in mask.columns:
            key = code_key(labels[label], "territory", cat)
            assert bool(mask.loc[label, cat]) == (cells[key] is None), key


def test_workbook_shares_are_masked_where_counts_are():
    built = built_wave()
    xlsx = built.published["xlsx"]
    prev = read_sheet(xlsx, "prevalence")
    hidden = prev["count"].isna()
    assert prev.loc[hidden, ["share", "ci_low", "ci_high"]].isna().all().all()
    assert prev.loc[hidden, "masked"].all() and not prev.loc[~hidden, "masked"].any()
    gcat = read_sheet(xlsx, "group_profiles")
    hidden = gcat["count_in_group"].isna()
    assert gcat.loc[hidden, ["share_in_group", "share_in_category"]].isna().all().all()


# -- the algorithm on small tables -------------------------------------------------------------


def _lines_of(table: pd.DataFrame):
    return table_lines(table, lambda r, c: (r, c), lambda r: (r, "total"),
                       lambda c: ("total", c))


def _cells_of(table: pd.DataFrame) -> dict:
    values = {(r, c): int(table.loc[r, c]) for r in table.index for c in table.columns}
    values.update({(r, "total"): int(table.loc[r].sum()) for r in table.index})
    values.update({("total", c): int(table[c].sum()) for c in table.columns})
    return values


def _published(values: dict, hidden) -> dict:
    return {k: (None if k in hidden else v) for k, v in values.items()}


def test_a_lone_small_cell_gets_a_complement_that_makes_the_subtraction_fail():
    table = pd.DataFrame({"urbain": [15, 31], "périurbain": [12, 16], "rural": [3, 23]},
                         index=["salariés", "précaires"])
    values, lines = _cells_of(table), _lines_of(table)
    margins = [k for k in values if "total" in k]
    primary = {k for k, v in values.items() if 0 < v < 5 and k not in margins}
    assert lone_unknowns(_published(values, primary), lines)  # 30 - 15 - 12 = 3
    s = suppress(values, lines, min_count=5, fixed=margins)
    assert s.primary == {("salariés", "rural")}
    # the row gets its smallest other cell (12), the column needs one too, then its row again
    assert s.hidden == {("salariés", "rural"), ("salariés", "périurbain"),
                        ("précaires", "rural"), ("précaires", "périurbain")}
    assert lone_unknowns(_published(values, s.hidden), lines) == []
    assert pinned_down(_published(values, s.hidden), lines) == []
    assert not s.unprotected


def test_a_zero_is_masked_only_when_a_line_has_nothing_else_to_hide():
    table = pd.DataFrame({"a": [2, 7], "b": [0, 9]}, index=["x", "y"])
    values, lines = _cells_of(table), _lines_of(table)
    margins = [k for k in values if "total" in k]
    s = suppress(values, lines, min_count=5, fixed=margins)
    assert ("x", "b") in s.secondary  # row x: 2 + 0 = 2, so the 0 hides the 2
    assert lone_unknowns(_published(values, s.hidden), lines) == []
    wide = pd.DataFrame({"a": [2, 7], "b": [0, 9], "c": [6, 8]}, index=["x", "y"])
    values, lines = _cells_of(wide), _lines_of(wide)
    s = suppress(values, lines, min_count=5, fixed=[k for k in values if "total" in k])
    assert ("x", "b") not in s.hidden and ("x", "c") in s.hidden  # a non-zero cell first


def test_tables_sharing_cells_mask_them_alike():
    # profiles nested in groups: profile x territory and group x territory share their sums
    profile = pd.DataFrame({"rural": [3, 10], "urbain": [20, 30]}, index=["agent", "manager"])
    group = pd.DataFrame({"rural": [13], "urbain": [50]}, index=["salariés"])
    values = {("p", r, c): int(profile.loc[r, c]) for r in profile.index for c in profile}
    values.update({("g", "salariés", c): int(group.loc["salariés", c]) for c in group})
    values.update({("n", c): int(profile[c].sum()) for c in profile})
    values.update({("n", r): int(profile.loc[r].sum()) for r in profile.index})
    values[("n", "salariés")] = int(group.loc["salariés"].sum())
    lines = [(("n", r), tuple(("p", r, c) for c in profile)) for r in profile.index]
    lines += [(("g", "salariés", c), tuple(("p", r, c) for r in profile.index)) for c in profile]
    lines += [(("n", "salariés"), tuple(("g", "salariés", c) for c in group))]
    fixed = [k for k in values if k[0] == "n"]
    s = suppress(values, lines, min_count=5, fixed=fixed)
    published = _published(values, s.hidden)
    assert lone_unknowns(published, lines) == []
    assert pinned_down(published, lines) == []
    assert ("p", "agent", "rural") in s.hidden and len(s.secondary) >= 2


def test_suppression_is_deterministic():
    table = pd.DataFrame({"a": [1, 6, 2], "b": [7, 3, 9], "c": [8, 8, 8]}, index=["x", "y", "z"])
    values, lines = _cells_of(table), _lines_of(table)
    fixed = [k for k in values if "total" in k]
    runs = {suppress(values, lines, min_count=5, fixed=fixed).hidden for _ in range(3)}
    assert len(runs) == 1
    assert lone_unknowns(_published(values, runs.pop()), lines) == []


# -- quotes ----------------------------------------------------------------------------------------


def test_who_is_printed_beside_a_quote_fits_at_least_min_cell_count_people(published):
    built = published[0]
    a = built.analysis
    html = html_lib.unescape(built.published["html"].read_text(encoding="utf-8"))
    cites = re.findall(r"<cite>Entretien ([^,<]+), q\d+(?: — ([^<]+))?</cite>", html)
    assert len(cites) > 20
    records = a.records.assign(record_id=a.records["record_id"].astype(str)).set_index(
        "record_id")
    columns = ("profile", "territory", "age_band")
    coarsened = 0
    for rid, who in cites:
        row = records.loc[rid]
        sel = pd.Series(True, index=records.index)
        for part in [p for p in who.split(", ") if p]:
            value = part.removesuffix(" ans")
            attr = next(c for c in columns if str(row[c]) == value)  # the speaker's own value
            sel &= records[attr].astype(str) == value
        assert sel.sum() >= a.min_cell_count, (rid, who)
        full = pd.Series(True, index=records.index)
        for c in columns:
            full &= records[c].astype(str) == str(row[c])
        coarsened += int(full.sum() < a.min_cell_count)
    assert coarsened > 0  # on the sample, some speakers' full profile fits fewer than 5 people


def test_a_cell_that_fixed_cells_give_away_is_reported_unprotected():
    values = {"t": 9, "a": 3, "b": 6}
    s = suppress(values, [("t", ("a", "b"))], min_count=5, fixed=["t", "b"])
    assert s.hidden == {"a"} and s.unprotected == {"a"}


def test_a_people_table_outside_the_wave_plan_still_gets_both_suppressions(published):
    from dialogue_analysis.report import consulted_table

    a = published[0].analysis
    t = consulted_table(a, "region", "territory")
    body = t.iloc[:-1, :-1]
    masked = body == "s"
    counts = pd.crosstab(a.records["region"].astype(str), a.records["territory"].astype(str))
    counts = counts.reindex(index=body.index, columns=body.columns)
    assert (masked | ~((counts > 0) & (counts < 5))).all().all()  # every small count masked
    assert not ((masked.sum(axis=1) == 1).any() or (masked.sum(axis=0) == 1).any())


def test_no_published_count_of_a_full_run_leaves_a_small_complement(published):
    """"All the young people but one" points at the one: such counts are masked with their
    shares, and the lines they sit in still hold (see the attack above)."""
    built = published[0]
    a = built.analysis
    xlsx = built.published["xlsx"]
    for sheet, count, size, share in (("prevalence", "count", "n", "share"),
                                      ("crosstabs", "count", "n", "share"),
                                      ("group_codes", "count_in_group", "group_size",
                                       "share_in_group")):
        t = read_sheet(xlsx, sheet)
        shown = t[t[count].notna()]
        if sheet == "prevalence":
            shown = shown[shown["dimension"] != "ensemble"]  # the whole wave: a margin
        rest = shown[size] - shown[count]
        assert not ((rest > 0) & (rest < a.min_cell_count)).any(), sheet
        assert t.loc[t[count].isna(), share].isna().all(), sheet
    # the sample has such counts, and they are masked for their complement alone
    prev = a.prevalence[a.prevalence["dimension"] != "all"]
    near_full = prev[(prev["n"] - prev["count"]).between(1, a.min_cell_count - 1)
                     & (prev["count"] >= a.min_cell_count)]
    assert len(near_full) > 50
    hidden = wave_suppression(a).hidden
    assert all(code_key(r.code, r.dimension, r.category) in hidden
               for r in near_full.itertuples(index=False))
    # "all of them" is a fact about the whole category: published
    full = prev[(prev["n"] == prev["count"]) & (prev["count"] >= a.min_cell_count)]
    assert any(code_key(r.code, r.dimension, r.category) not in hidden
               for r in full.itertuples(index=False))
