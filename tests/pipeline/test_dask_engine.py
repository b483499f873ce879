"""The Dask engine publishes the same tables as the local one, on real answers.

402 Grand Débat answers (one row in ``EVERY`` of each question's file, through the config's
``sample_every``) go through ``run`` twice: ``settings.engine: local``, then
``settings.engine: dask`` on a 2-worker ``LocalCluster``. Every file published under
``data/processed/<wave>/`` must be the same, byte for byte (parquet files compared as bytes),
except the run manifests, which record timings and the settings themselves.
"""

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dialogue_analysis.cli import app
from dialogue_analysis.ingest import load_project

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "tests" / "realdata" / "grand_debat" / "survey.yaml"
EVERY = 89  # 35,627 answers -> 402
MANIFESTS = {"analysis_manifest.json", "manifest.json"}


def _config(realdata: Path, root: Path, engine: str) -> Path:
    text = CONFIG.read_text(encoding="utf-8")
    text = text.replace("../../../../shared/realdata", realdata.resolve().as_posix())
    text = text.replace("../../../codebooks", (REPO / "codebooks").as_posix())
    text = re.sub(r"^(      ignore_columns: .*)$", rf"\1\n      sample_every: {EVERY}", text,
                  flags=re.M)
    text += f"  engine: {engine}\n"
    if engine == "dask":
        text += "  dask_workers: 2\n"
    path = root / "config" / "survey.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(realdata, tmp_path_factory):
    """The published folder of each engine's run."""
    out = {}
    for engine in ("local", "dask"):
        root = tmp_path_factory.mktemp(engine)
        config = _config(realdata, root, engine)
        result = CliRunner().invoke(app, ["run", str(config), "--root", str(root),
                                          "--no-notebooks", "--no-exports"])
        assert result.exit_code == 0, result.output
        project = load_project(config)
        assert project.settings.engine == engine
        out[engine] = project.processed_dir(root)
    return out


def _published(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in MANIFESTS}


def test_the_subset_is_402_real_answers(runs):
    answers = pd.read_parquet(runs["local"] / "answers.parquet")
    assert len(answers) == 402
    assert answers["text"].str.len().gt(0).all()


def test_both_engines_publish_the_same_files_byte_for_byte(runs):
    local, dask = _published(runs["local"]), _published(runs["dask"])
    assert sorted(local) == sorted(dask)
    tables = [name for name in local if name.endswith(".parquet")]
    assert "answers.parquet" in tables and "analysis/terms.parquet" in tables
    assert "analysis/k_evidence.parquet" in tables and "analysis/themes.parquet" in tables
    assert len(tables) >= 30
    differ = [name for name in local if local[name].read_bytes() != dask[name].read_bytes()]
    assert differ == []


def test_the_dask_run_did_the_work_the_local_one_did(runs):
    manifests = {e: json.loads((f / "analysis" / "analysis_manifest.json").read_text("utf-8"))
                 for e, f in runs.items()}
    assert manifests["dask"]["settings"]["engine"] == "dask"
    assert manifests["local"]["settings"]["engine"] == "local"
    for stage in ("anonymise", "typology"):
        assert (manifests["dask"]["stages"][stage]["params"]
                == manifests["local"]["stages"][stage]["params"])
    # the entity recogniser read every distinct raw text (on the workers)
    raw = pd.read_parquet(runs["dask"].parents[1] / "interim" / runs["dask"].name
                          / "answers.parquet")
    distinct = raw["text"].dropna().astype(str).nunique()
    assert manifests["dask"]["stages"]["anonymise"]["params"]["ner_texts"] == distinct == 374
    evidence = pd.read_parquet(runs["dask"] / "analysis" / "k_evidence.parquet")
    assert evidence["stability"].notna().all()  # the bootstrap resamples ran (on the workers)
