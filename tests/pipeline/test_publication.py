"""Atomic publication: a wave's tables and report change together, or not at all."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from dialogue_analysis.core import storage

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "raw" / "sample-2018"
WAVE = "sample-2018"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every published file's bytes (the NLP cache is a cache, not a publication)."""
    return {str(p.relative_to(root)): p.read_bytes()
            for base in (root / "data" / "processed" / WAVE, root / "reports" / WAVE)
            for p in sorted(base.rglob("*")) if p.is_file()}


def leftovers(root: Path) -> list[Path]:
    return [p for base in (root / "data" / "processed", root / "reports")
            for p in base.iterdir() if p.name.startswith(".")]


def run_cli(config: Path, root: Path):
    result = CliRunner().invoke(app, ["run", str(config), "--root", str(root), "--no-notebooks"])
    return result


# -- storage ----------------------------------------------------------------------------------


def test_staged_dirs_replace_whole_folders_together(tmp_path):
    a, b = tmp_path / "data" / "w", tmp_path / "reports" / "w"
    with storage.staged_dirs([a, b]) as (sa, sb):
        (sa / "t.csv").write_text("1")
        (sb / "old.svg").write_text("old")
    with storage.staged_dirs([a, b]) as (sa, sb):
        assert storage.staged_path(a) == sa and storage.unstaged(sb / "x") == b.resolve() / "x"
        (sa / "t.csv").write_text("2")
        (sb / "new.svg").write_text("new")
    assert (a / "t.csv").read_text() == "2"
    assert sorted(p.name for p in b.iterdir()) == ["new.svg"]  # the stale figure is gone
    assert storage.staged_path(a) == a  # no redirection once published


def test_failed_block_leaves_folders_as_they_were(tmp_path):
    a, b = tmp_path / "data" / "w", tmp_path / "reports" / "w"
    with storage.staged_dirs([a, b]) as (sa, sb):
        (sa / "t.csv").write_text("1")
        (sb / "r.html").write_text("r")
    with pytest.raises(KeyboardInterrupt), storage.staged_dirs([a, b]) as (sa, sb):
        (sa / "t.csv").write_text("2")
        (sb / "r.html").write_text("new")
        raise KeyboardInterrupt
    assert (a / "t.csv").read_text() == "1" and (b / "r.html").read_text() == "r"
    assert not [p for p in tmp_path.rglob(".*")]


def test_a_swap_cut_in_half_is_rolled_back(tmp_path, monkeypatch):
    a, b = tmp_path / "data" / "w", tmp_path / "reports" / "w"
    with storage.staged_dirs([a, b]) as (sa, sb):
        (sa / "t.csv").write_text("old")
        (sb / "r.html").write_text("old")
    real_replace = os.replace
    calls = []

    def killed_mid_swap(src, dst):
        calls.append(src)
        # journal written, old a -> trash, old b -> trash, new a -> a: then killed
        if len(calls) == 5:
            raise SystemExit("killed")
        real_replace(src, dst)

    monkeypatch.setattr(storage.os, "replace", killed_mid_swap)
    with pytest.raises(SystemExit), storage.staged_dirs([a, b]) as (sa, sb):
        (sa / "t.csv").write_text("new")
        (sb / "r.html").write_text("new")
    monkeypatch.setattr(storage.os, "replace", real_replace)
    # As after a SIGKILL: a is new, b is missing, the journal is still there.
    assert (a / "t.csv").read_text() == "new" and not b.exists()
    storage.remove_stale([a.resolve(), b.resolve()])
    assert (a / "t.csv").read_text() == "old" and (b / "r.html").read_text() == "old"
    assert not [p for p in tmp_path.rglob(".*")]


def test_staged_dir_keeps_only_what_another_stage_owns(tmp_path):
    final = tmp_path / "w"
    (final / "analysis").mkdir(parents=True)
    (final / "analysis" / "t.parquet").write_bytes(b"tables")
    (final / "records.parquet").write_bytes(b"old")
    (final / "stale.csv").write_bytes(b"old")
    with storage.staged_dir(final, keep=["analysis", "missing"]) as stage:
        (stage / "records.parquet").write_bytes(b"new")
    assert sorted(p.name for p in final.iterdir()) == ["analysis", "records.parquet"]
    assert (final / "analysis" / "t.parquet").read_bytes() == b"tables"
    assert (final / "records.parquet").read_bytes() == b"new"


# -- the whole run ----------------------------------------------------------------------------


def _wait_for_staged(root: Path, pattern: str, proc: subprocess.Popen, timeout: float = 600):
    """Wait until the run has written a file matching ``pattern`` (under ``root``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(root.glob(pattern)):
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"no {pattern} after {timeout} s")


def _start_run(config: Path, root: Path, *more: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    code = "from dialogue_analysis.cli import app; app()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", str(config), "--root", str(root), "--no-notebooks",
         *more],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # Ctrl-C as in a terminal, even when the tests run as a background job (SIGINT ignored)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.slow
def test_failed_interrupted_or_killed_runs_leave_the_previous_outputs(tmp_path, monkeypatch):
    if not (SAMPLE / "codebook.yaml").is_file():
        pytest.skip("the sample wave has no codebook")
    raw = tmp_path / "raw" / WAVE
    shutil.copytree(SAMPLE, raw)
    config, root = raw / "survey.yaml", tmp_path / "out"
    first = run_cli(config, root)
    assert first.exit_code == 0, first.output
    before = snapshot(root)
    # the manifest times the steps outside the analysis and the report as well
    outside = json.loads(before[f"data/processed/{WAVE}/analysis/analysis_manifest.json"])["run"]
    # a fresh root: the anonymise stage's model was loaded while the wave was ingested
    assert list(outside) == ["start-up", "ingest", "summary", "anonymise model", "exports"]
    assert all(s["seconds"] >= 0 and s["cpu_seconds"] >= 0 for s in outside.values())
    # the exports were built from the typology on: what the run waited for them after the report
    waited = outside["exports"]["waited_after_report"]
    assert 0 <= waited <= outside["exports"]["seconds"]
    assert any(k.endswith("findings.html") for k in before)
    assert any("analysis/" in k for k in before) and any(k.endswith("records.parquet")
                                                          for k in before)

    # (a) the report stage fails after the ingestion and the analysis were written
    from dialogue_analysis.report import _publish as report

    def broken(*args, **kwargs):
        raise RuntimeError("report failed")

    monkeypatch.setattr(report, "keep_or_draw_figures", broken)
    failed = run_cli(config, root)
    assert failed.exit_code != 0
    monkeypatch.undo()
    assert snapshot(root) == before
    assert not leftovers(root)

    # (b) interrupted (SIGINT) right after the ingestion, killed (SIGKILL) while the report is
    # drawn (the tables are all staged). No staging folder is there before either run starts.
    # A rerun that changes nothing links its report in a blink: the killed one leaves out the
    # Office files, so its report (other files) is written again while it is killed.
    for sig, staged, more in (
            (signal.SIGINT, f"data/processed/.{WAVE}.*.staging/manifest.json", []),
            (signal.SIGKILL, f"reports/.*{WAVE}.*.staging/figures/*.svg", ["--no-exports"])):
        assert not leftovers(root)
        proc = _start_run(config, root, *more)
        _wait_for_staged(root, staged, proc)
        proc.send_signal(sig)
        proc.communicate(timeout=120)
        assert proc.returncode != 0
        assert snapshot(root) == before, sig
    assert leftovers(root)  # the killed run left its staging folders

    # (c) the next run removes them, and files the new run does not write do not survive
    stale = [root / "reports" / WAVE / "figures" / "fig_gone.svg",
             root / "data" / "processed" / WAVE / "analysis" / "gone.parquet",
             root / "data" / "processed" / WAVE / "gone.csv"]
    for path in stale:
        path.write_text("from an earlier run")
    again = run_cli(config, root)
    assert again.exit_code == 0, again.output
    assert not leftovers(root)
    assert not [p for p in stale if p.exists()]
    after = snapshot(root)
    assert set(after) == set(before)
    assert (root / "data" / "processed" / "_nlp_cache").is_dir()  # the cache is kept

    # the report command rebuilds the report from the published tables, in the same way
    (root / "reports" / WAVE / "figures" / "fig_gone.svg").write_text("from an earlier run")
    monkeypatch.setattr(report, "keep_or_draw_figures", broken)
    args = ["report", str(config), "--root", str(root), "--no-notebooks"]
    assert CliRunner().invoke(app, args).exit_code != 0
    monkeypatch.undo()
    assert not leftovers(root)
    assert (root / "reports" / WAVE / "figures" / "fig_gone.svg").exists()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not leftovers(root)
    republished = snapshot(root)
    assert set(republished) == set(before)  # the stale figure is gone, the summary kept
    manifest = f"data/processed/{WAVE}/analysis/analysis_manifest.json"
    tables = {k for k in after if k.startswith("data/") and k != manifest}
    assert {k: republished[k] for k in tables} == {k: after[k] for k in tables}
