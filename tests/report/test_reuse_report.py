"""A rerun keeps the report's HTML, workbook, Word and PowerPoint files made from unchanged
tables, and the publication scan reads again only what changed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from dialogue_analysis.core import scan_published
from dialogue_analysis.core.storage import sha256_file
from dialogue_analysis.report import REPORT_FILES, publish, published_manifest
from tests.analysis_fixtures import synthetic_analysis


def _stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {n: ((folder / n).stat().st_ino, (folder / n).stat().st_mtime_ns)
            for n in REPORT_FILES}


def _another_run(a):
    """The same results as another run states them: other date, timings and cache counts."""
    b = copy.deepcopy(a)
    b.manifest["created"] = "2031-01-02T03:04:05+00:00"
    b.manifest["seconds_total"] = 999.0
    b.manifest["run"] = {"start-up": {"seconds": 9.0, "cpu_seconds": 8.0}}
    for info in b.manifest.setdefault("stages", {}).values():
        info["seconds"], info["cpu_seconds"] = 123.4, 99.9
    b.manifest["stages"].setdefault("nlp", {"params": {}})["params"]["n_cached"] = 12345
    return b


def _changed(a):
    """The same analysis but for one share of the prevalence table (as after a new coding)."""
    b = copy.deepcopy(a)
    i = b.prevalence.index[b.prevalence["dimension"] == "all"][0]
    b.prevalence.loc[i, "share"] = b.prevalence.loc[i, "share"] / 2
    return b


@pytest.fixture(scope="module")
def analysis():
    a = synthetic_analysis()
    a.manifest.setdefault("stages", {})["nlp"] = {
        "seconds": 1.5, "cpu_seconds": 1.2, "params": {"model": "m", "n_parsed": 40, "n_cached": 0}}
    a.manifest["created"] = "2030-05-06T07:08:09+00:00"
    return a


def test_published_manifest_leaves_out_the_run_and_keeps_the_results(analysis):
    shown = published_manifest(_another_run(analysis).manifest)
    assert shown == published_manifest(analysis.manifest)
    assert "created" not in shown and "seconds_total" not in shown and "run" not in shown
    assert shown["stages"]["nlp"] == {"params": {"model": "m"}}
    assert all("seconds" not in s for s in shown["stages"].values())


def test_a_rerun_keeps_the_report_files_and_a_changed_table_rebuilds_them(analysis, tmp_path):
    reports = tmp_path / "reports" / "synthetic"
    publish(analysis, reports)
    first = _stats(reports)
    before = {n: (reports / n).read_bytes() for n in REPORT_FILES}
    html = before["findings.html"].decode("utf-8")
    assert "2030-05-06" in html  # the date its content was made
    assert "Durée" not in html and "123,4" not in html

    publish(_another_run(analysis), reports)  # another run, the same results
    assert _stats(reports) == first  # the very same files: not one written again
    assert "2031" not in (reports / "findings.html").read_text(encoding="utf-8")

    changed = _changed(analysis)
    publish(changed, reports)
    again = _stats(reports)
    assert all(again[n][0] != first[n][0] for n in REPORT_FILES)
    assert all((reports / n).read_bytes() != before[n] for n in REPORT_FILES)
    # What a rerun keeps or writes holds what a first run writes from the same tables.
    fresh = tmp_path / "fresh"
    publish(changed, fresh)
    assert (reports / "findings.html").read_bytes() == (fresh / "findings.html").read_bytes()


def test_a_kept_file_whose_bytes_changed_is_rebuilt(analysis, tmp_path):
    reports = tmp_path / "reports" / "synthetic"
    publish(analysis, reports)
    first = _stats(reports)
    html = reports / "findings.html"
    good = html.read_bytes()
    html.write_bytes(good.replace(b"</body>", b"<p>jean.dupont@example.org</p></body>"))
    publish(analysis, reports)
    assert html.read_bytes() == good
    assert _stats(reports)["findings.html"] != first["findings.html"]


def test_the_scan_reads_the_new_files_and_skips_the_kept_ones(analysis, tmp_path, monkeypatch):
    from dialogue_analysis.core import privacy

    reports = tmp_path / "reports" / "synthetic"
    publish(analysis, reports, office=False)
    read = []
    real = privacy._published_pieces

    def spied(path):
        read.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(privacy, "_published_pieces", spied)
    publish(_another_run(analysis), reports, office=False)
    assert all(n.endswith(".json") for n in read)  # the records only
    read.clear()
    publish(_changed(analysis), reports, office=False)  # everything new is read
    assert {"findings.html", "findings.xlsx"} <= set(read)
    assert any(n.endswith(".svg") for n in read)


def test_a_file_scanned_before_is_scanned_again_when_its_bytes_change(tmp_path):
    page = tmp_path / "findings.html"
    page.write_text("<p>rien</p>", encoding="utf-8")
    scanned = {"findings.html": sha256_file(page)}
    assert scan_published(tmp_path, scanned=scanned).empty
    page.write_text("<p>jean.dupont@example.org</p>", encoding="utf-8")
    hits = scan_published(tmp_path, scanned=scanned)
    assert hits["kind"].tolist() == ["email"]


def test_other_strings_to_look_for_rebuild_and_rescan_the_kept_files(analysis, tmp_path):
    reports = tmp_path / "reports" / "synthetic"
    publish(analysis, reports, office=False)
    first = {n: (reports / n).stat().st_ino for n in REPORT_FILES[:2]}
    figures = {p.name: p.stat().st_ino for p in (reports / "figures").iterdir()}
    publish(analysis, reports, office=False, identifiers=["Nom Jamais Publié"])
    assert all((reports / n).stat().st_ino != first[n] for n in first)
    assert all((reports / "figures" / n).stat().st_ino != i for n, i in figures.items())
