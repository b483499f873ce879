"""A warm rerun of ``run`` (nothing changed) writes no published file again, and a change of a
setting behind the report rebuilds the report, the workbook and the Office files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dialogue_analysis.analysis import CODING_TABLES, OWN_TABLES
from dialogue_analysis.cli import app
from tests.analysis_fixtures import SAMPLE, pipeline_available

WAVE = "sample-2018"
REPORT = ("findings.html", "findings.xlsx", "findings.docx", "findings.pptx")


def _run(config: Path, root: Path) -> dict:
    result = CliRunner().invoke(app, ["run", str(config), "--root", str(root), "--no-notebooks"])
    assert result.exit_code == 0, result.output
    return json.loads((root / "data" / "processed" / WAVE / "analysis" /
                       "analysis_manifest.json").read_text(encoding="utf-8"))


def _published(root: Path) -> dict[str, tuple[int, int, bytes]]:
    folders = [root / "reports" / WAVE, root / "data" / "processed" / WAVE / "analysis",
               root / "data" / "processed" / WAVE / "exports"]
    return {str(p.relative_to(root)): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes())
            for f in folders for p in sorted(f.rglob("*"))
            if p.is_file() and p.name != "analysis_manifest.json"}  # the run's own timings


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    if not pipeline_available():
        pytest.skip("the sample wave and its codebook are needed")
    tmp = tmp_path_factory.mktemp("warm")
    raw = tmp / "raw" / WAVE
    shutil.copytree(SAMPLE, raw)
    config, root = raw / "survey.yaml", tmp / "root"
    cold = _run(config, root)
    first = _published(root)
    warm = _run(config, root)
    second = _published(root)
    text = config.read_text(encoding="utf-8")
    assert "  min_cell_count: 5 " in text
    config.write_text(text.replace("  min_cell_count: 5 ", "  min_cell_count: 8 ", 1),
                      encoding="utf-8")
    changed = _run(config, root)
    return cold, warm, changed, first, second, _published(root)


def test_a_warm_rerun_writes_no_published_file_again(runs):
    _, _, _, first, second, _ = runs
    assert set(REPORT) <= {Path(k).name for k in first}
    assert len(first) > 40 and second.keys() == first.keys()
    assert all(second[k][2] == first[k][2] for k in first)  # byte for byte
    written = [k for k in first if second[k][:2] != first[k][:2]]
    # Only the few small tables the analysis makes around its stages are written again (the
    # survey's questions and attributes, the validation table); nothing published, none of
    # the kept stages' tables.
    assert sorted(Path(k).name for k in written) == sorted(
        f"{name}.parquet" for name in OWN_TABLES if name not in CODING_TABLES)


def test_a_warm_rerun_keeps_the_analysis_stages(runs):
    cold, warm, *_ = runs
    assert cold["analysis_inputs"]["kept"] is False
    assert cold["analysis_inputs"]["coding_kept"] is False
    assert warm["analysis_inputs"]["kept"] is True
    assert warm["analysis_inputs"]["coding_kept"] is True
    assert warm["analysis_inputs"]["sha256"] == cold["analysis_inputs"]["sha256"]
    assert warm["analysis_inputs"]["coding"] == cold["analysis_inputs"]["coding"]
    for stage in ("coding", "themes", "typology", "describe", "crosstabs", "map", "findings"):
        assert cold["stages"][stage]["seconds"] >= 0
        assert warm["stages"][stage]["kept"] is True and warm["stages"][stage]["seconds"] is None
        assert warm["stages"][stage]["params"] == cold["stages"][stage]["params"]


def test_a_changed_setting_recomputes_and_rebuilds_the_report(runs):
    cold, _, changed, first, _, third = runs
    # A setting is an input of every kept stage: the coding is computed again (the later
    # stages are only computed from a coding of the same run), then the later stages.
    assert changed["analysis_inputs"]["kept"] is False
    assert changed["analysis_inputs"]["coding_kept"] is False
    assert changed["stages"]["coding"]["seconds"] >= 0
    assert changed["analysis_inputs"]["sha256"] != cold["analysis_inputs"]["sha256"]
    assert changed["stages"]["crosstabs"]["params"]["min_cell_count"] == 8
    for name in REPORT:
        key = f"reports/{WAVE}/{name}"
        assert third[key][0] != first[key][0], name  # written again
        assert third[key][2] != first[key][2], name  # and different
