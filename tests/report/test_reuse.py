"""A rerun keeps the figures and exports made from unchanged tables and rebuilds changed ones."""

from __future__ import annotations

import copy
import os
from pathlib import Path

from dialogue_analysis.report import publish, write_analyst_exports
from tests.analysis_fixtures import synthetic_analysis


def _files(folder: Path) -> dict[str, os.stat_result]:
    return {p.name: p.stat() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def _changed(a):
    """The same analysis but for one share of the prevalence table (as after a new coding)."""
    b = copy.deepcopy(a)
    i = b.prevalence.index[b.prevalence["dimension"] == "all"][0]
    b.prevalence.loc[i, "share"] = b.prevalence.loc[i, "share"] / 2
    return b


def test_a_rerun_rewrites_no_figure_and_a_changed_table_redraws_them(tmp_path):
    a = synthetic_analysis()
    reports = tmp_path / "reports" / "synthetic"
    publish(a, reports, office=False)
    first = _files(reports / "figures")
    assert len(first) >= 8 and {n.rsplit(".", 1)[1] for n in first} == {"png", "svg"}

    (reports / "figures" / "stray.svg").write_text("<svg/>")  # not made by the run
    publish(copy.deepcopy(a), reports, office=False)
    again = _files(reports / "figures")
    assert again.keys() == first.keys()
    for name, st in again.items():  # the very same files: not one written again
        assert (st.st_ino, st.st_mtime_ns) == (first[name].st_ino, first[name].st_mtime_ns), name

    b = _changed(a)
    publish(b, reports, office=False)
    redrawn = _files(reports / "figures")
    assert all(redrawn[n].st_ino != first[n].st_ino for n in first)
    # What a rerun keeps or draws is byte for byte what a first run draws from the same tables.
    fresh = tmp_path / "fresh"
    publish(b, fresh, office=False)
    for name in redrawn:
        assert (reports / "figures" / name).read_bytes() == (fresh / "figures" / name).read_bytes()


def test_the_exports_are_written_again_only_when_their_tables_change(tmp_path):
    a = synthetic_analysis()
    folder = tmp_path / "exports"
    paths = write_analyst_exports(a, folder)
    first = _files(folder)
    assert set(first) == {p.name for p in paths.values()}
    write_analyst_exports(copy.deepcopy(a), folder)
    assert {n: s.st_ino for n, s in _files(folder).items()} == {
        n: s.st_ino for n, s in first.items()}
    a2 = copy.deepcopy(a)
    a2.answers.loc[a2.answers.index[0], "text"] = "Une autre réponse."
    write_analyst_exports(a2, folder)
    assert all(s.st_ino != first[n].st_ino for n, s in _files(folder).items())


def test_the_tables_read_back_hash_as_the_tables_a_run_holds(tmp_path):
    """`report` works from the saved tables: it keeps what `run` made from the same tables."""
    from dialogue_analysis.analysis import read_analysis_dir, save_analysis
    from dialogue_analysis.report._reuse import inputs_hash

    a = synthetic_analysis()
    save_analysis(a, tmp_path)
    assert inputs_hash(read_analysis_dir(tmp_path), "fr") == inputs_hash(a, "fr")
    assert inputs_hash(_changed(a), "fr") != inputs_hash(a, "fr")
    assert inputs_hash(a, "en") != inputs_hash(a, "fr")
