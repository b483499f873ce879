"""Disclosure control across waves: no masked count of a wave can be found back from the
comparison of two waves read beside each wave's own findings report.

Two small synthetic waves are analysed and published (``report.publish``, as ``run`` does),
then compared by the ``compare`` command. The attack reads the three published workbooks (each
wave's ``findings.xlsx`` and the HTML table of people, and ``compare.xlsx``), puts every count
under one key per wave (the people of a stakeholder group raising a code are the same count in
the wave's report and in the comparison), and recovers a masked count when another table prints
it, when it is the only unknown of a published sum, or when the sums together pin it down.
It is first run on a comparison that masks its small counts only, apart from the waves'
reports, where it succeeds. A test's p-value beside a masked count would give it back too
(inverting the test over every count the cell could hold): that attack is first run on the
comparison's unmasked tables.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from typer.testing import CliRunner

from dialogue_analysis import report
from dialogue_analysis.analysis import save_analysis
from dialogue_analysis.cli import app
from dialogue_analysis.report import (
    Suppression,
    _compare_disclosure,
    code_key,
    lone_unknowns,
    pinned_down,
    read_sheet,
)
from dialogue_analysis.waves import two_proportion_test
from tests.analysis_fixtures import Built, _synthetic_config, synthetic_analysis
from tests.report.test_disclosure import published_cells

WAVES = {"a": ("vague-1", 150, 11), "b": ("vague-2", 120, 12)}
MIN = 5


def _compare(root, configs) -> dict:
    result = CliRunner().invoke(app, ["compare", *map(str, configs), "--root", str(root)])
    assert result.exit_code == 0, result.output
    return {"xlsx": root / "reports" / "compare_vague-1_vague-2" / "compare.xlsx"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Both waves analysed and published, then compared; and the same comparison published
    with a plan made apart from the waves' reports (what the attack first succeeds on)."""
    root = tmp_path_factory.mktemp("waves")
    waves, configs = {}, []
    for w, (name, n, seed) in WAVES.items():
        a = synthetic_analysis(n, seed=seed, wave=name)
        config = _synthetic_config(root, name)
        save_analysis(a, root / "data" / "processed" / name)
        published = report.publish(a, root / "reports" / name, office=False)
        waves[w] = Built(root, config, a, root / "reports" / name, published, False)
        configs.append(config)
    unmasked = tmp_path_factory.mktemp("unmasked")
    shutil.copytree(root / "data", unmasked / "data")
    with pytest.MonkeyPatch.context() as mp:
        # small counts masked, nothing else: no complement, the waves' reports not looked at
        mp.setattr(_compare_disclosure, "wave_report_cells",
                   lambda wave, tag: ({}, [], set(), set()))
        mp.setattr(_compare_disclosure, "suppress", _primary_only)
        mp.setattr(_compare_disclosure, "TEST_COLUMNS", ())  # p-values left beside them
        small_only = _compare(unmasked, configs)
    return waves, _compare(root, configs), small_only


def _primary_only(values, lines, *, min_count, fixed, masked):
    small = frozenset(k for k, v in values.items() if 0 < v < min_count and k not in fixed)
    return Suppression(small, small, frozenset())


def _sheets(xlsx) -> dict[str, pd.DataFrame]:
    return pd.read_excel(xlsx, sheet_name=None)


def _compare_cells(xlsx, put) -> list:
    """Cells and lines of a published comparison workbook."""
    sheets = _sheets(xlsx)
    summary = sheets["summary"]
    summary = dict(zip(summary["key"], summary["value"], strict=True))
    prev = pd.concat([sheets["prevalence"], sheets["prevalence_by_group"]])
    lines = []
    for w in "ab":
        for r in prev.itertuples(index=False):
            put((w, code_key(r.code, r.dimension, r.category)), getattr(r, f"count_{w}"))
        cross = prev[prev["dimension"] != "all"]
        for (code, _dim), g in cross.groupby(["code", "dimension"]):
            lines.append(((w, code_key(code, "all", "all")),
                          tuple((w, code_key(code, d, c))
                                for d, c in zip(g["dimension"], g["category"], strict=True))))
    sizes = sheets["group_sizes"]
    for w in "ab":
        put(("size", w), int(summary[f"n_{w}"]))
        for g, v in zip(sizes["group"], sizes[f"n_{w}"], strict=True):
            put(("size", w, g), v)
        lines.append((("size", w), tuple(("size", w, g) for g in sizes["group"])))
    moves = sheets["group_moves"]
    put(("reinterviewed",), int(summary["reinterviewed"]))
    keys = tuple(("move", a, b) for a, b in zip(moves["group_a"], moves["group_b"], strict=True))
    for k, v in zip(keys, moves["count"], strict=True):
        put(k, v)
    if keys:
        lines.append((("reinterviewed",), keys))
    attrs = sheets["reinterviewed_attributes"]
    for r in attrs.itertuples(index=False):
        put(("changed", r.attribute), r.n_changed)
        if r.attribute == "typology_group":
            lines.append((("changed", r.attribute), tuple(k for k in keys if k[1] != k[2])))
    return lines


def _one(candidates: list) -> int | None:
    return candidates[0] if len(candidates) == 1 else None


def from_tests_and_differences(xlsx) -> dict:
    """Masked counts of the comparison given back by what is printed beside them: the change
    between the waves (with the other wave's share), or the p-value of its test (the test
    tried with every count the cell could hold)."""
    sheets = _sheets(xlsx)
    found = {}
    for r in sheets["prevalence_by_group"].itertuples(index=False):
        for w, o in (("a", "b"), ("b", "a")):
            mine, other = getattr(r, f"count_{w}"), getattr(r, f"count_{o}")
            if not pd.isna(mine) or pd.isna(other):
                continue
            n, n_o = int(getattr(r, f"n_{w}")), int(getattr(r, f"n_{o}"))
            key = (w, code_key(r.code, r.dimension, r.category))
            if not pd.isna(r.difference):
                share = other / n_o + (r.difference if w == "b" else -r.difference)
                found[key] = round(share * n)
            elif not pd.isna(r.p_value):
                other = int(other)

                def p_of(c, n=n, other=other, n_o=n_o, w=w):
                    args = (c, n, other, n_o) if w == "a" else (other, n_o, c, n)
                    return two_proportion_test(*args)[0]

                hit = _one([c for c in range(n + 1)
                            if np.isclose(p_of(c), r.p_value, rtol=1e-9, atol=0)])
                if hit is not None:
                    found[key] = hit
    codes = sheets["reinterviewed_codes"]
    for r in codes.itertuples(index=False):
        for mine, other, name in ((r.n_gained, r.n_lost, "gained"), (r.n_lost, r.n_gained,
                                                                      "lost")):
            if pd.isna(mine) and not pd.isna(other) and not pd.isna(r.p_value):
                hit = _one([g for g in range(int(r.n) - int(other) + 1) if np.isclose(
                    binomtest(g, g + int(other), 0.5).pvalue if g + other else 1.0,
                    r.p_value, rtol=1e-9, atol=0)])
                if hit is not None:
                    found[(name, r.code)] = hit
    return found


def attack(waves: dict, compared: dict) -> tuple[dict, set]:
    """Every published count (None: masked everywhere it is printed) and the masked counts a
    reader finds back."""
    cells: dict = {}
    lines: list = []
    printed: set = set()

    def put(key, value):
        value = None if pd.isna(value) else int(value)
        if value is not None:
            printed.add(key)
            cells[key] = value
        else:
            cells.setdefault(key, None)

    for w, built in waves.items():
        wave_cells, wave_lines = published_cells(built)
        for k, v in wave_cells.items():
            put((w, k), v)
        lines += [((w, t), tuple((w, p) for p in parts)) for t, parts in wave_lines]
    masked_somewhere = {k for k, v in cells.items() if v is None}
    lines += _compare_cells(compared["xlsx"], put)
    masked_somewhere |= {k for k, v in cells.items() if v is None}
    # a count printed in one table and masked in another is simply read where it is printed
    recovered = {k for k in masked_somewhere if k in printed}
    recovered |= {k for k, _ in lone_unknowns(cells, lines)} | set(pinned_down(cells, lines))
    recovered |= set(from_tests_and_differences(compared["xlsx"]))
    return cells, recovered


def _truth(waves) -> dict:
    return {(w, code_key(r.code, r.dimension, r.category)): int(r.count)
            for w, b in waves.items() for r in b.analysis.prevalence.itertuples(index=False)}


def test_the_attack_finds_small_counts_back_when_only_they_are_masked(run):
    waves, _, small_only = run
    cells, recovered = attack(waves, small_only)
    truth = _truth(waves)
    small = {k for k in recovered if k in truth and 0 < truth[k] < MIN}
    assert len(small) > 10
    # read where the waves' reports print them, or solved from the comparison's sums
    assert all(cells[k] is None or cells[k] == truth[k] for k in small)
    # the p-values printed beside masked counts give them back on their own
    by_tests = from_tests_and_differences(small_only["xlsx"])
    assert len(by_tests) > 10
    assert all(truth[k] == v for k, v in by_tests.items() if k in truth)


def test_no_masked_count_of_either_wave_can_be_found_back_from_the_comparison(run):
    waves, compared, _ = run
    cells, recovered = attack(waves, compared)
    assert sum(v is None for v in cells.values()) > 50
    assert recovered == set()


def test_no_published_count_leaves_a_small_complement(run):
    """"All of the group but 2 raise X" singles the 2 out: such counts are masked, in each
    wave's report and in the comparison; their shares follow."""
    waves, compared, _ = run
    checked = 0
    for built in waves.values():
        prev = read_sheet(built.published["xlsx"], "prevalence")
        cross = prev[prev["count"].notna()]
        rest = cross["n"] - cross["count"]
        assert not ((rest > 0) & (rest < MIN)).any()
        assert prev.loc[prev["count"].isna(), "share"].isna().all()
        checked += len(cross)
        gcodes = read_sheet(built.published["xlsx"], "group_codes")
        shown = gcodes[gcodes["count_in_group"].notna()]
        rest = shown["group_size"] - shown["count_in_group"]
        assert not ((rest > 0) & (rest < MIN)).any()
        assert gcodes.loc[gcodes["count_in_group"].isna(), "share_in_group"].isna().all()
    by = _sheets(compared["xlsx"])["prevalence_by_group"]
    for w in "ab":
        shown = by[by[f"count_{w}"].notna()]
        rest = shown[f"n_{w}"] - shown[f"count_{w}"]
        assert not ((rest > 0) & (rest < MIN)).any()
        hidden = by[f"count_{w}"].isna()
        assert by.loc[hidden, [f"share_{w}", "difference", "p_value"]].isna().all().all()
    # the synthetic waves do have full-but-a-few cells: the rule is exercised
    truth = [b.analysis.prevalence for b in waves.values()]
    near_full = sum(int(((p["dimension"] != "all") & (p["n"] - p["count"]).between(1, MIN - 1)
                         ).sum()) for p in truth)
    assert near_full > 0 and checked > 100
