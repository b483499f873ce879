import subprocess
import sys

import dialogue_analysis as da


def test_every_public_name_resolves():
    missing = [name for name in da.__all__ if getattr(da, name, None) is None]
    assert missing == []
    assert da.Typology.__name__ == "Typology"
    assert callable(da.plots.save_figure)


def test_import_stays_light():
    # Importing the package must not pull spaCy or matplotlib in (notebooks start faster).
    code = "import sys, dialogue_analysis; print('spacy' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


STAGES = ["core", "ingest", "nlp", "anonymise", "coding", "themes", "typology", "engine", "analysis",
          "waves", "report", "review"]


def test_the_package_listing_reads_as_the_pipeline():
    from pathlib import Path

    top = Path(da.__file__).parent
    packages = {p.name for p in top.iterdir() if (p / "__init__.py").is_file()}
    modules = {p.stem for p in top.glob("*.py")}
    assert packages == set(STAGES)
    assert modules == {"__init__", "pipeline", "cli"}


def test_every_stage_face_resolves_its_names_from_its_own_modules():
    import importlib

    for stage in STAGES:
        face = importlib.import_module(f"dialogue_analysis.{stage}")
        assert face.__all__, stage
        for name in face.__all__:
            value = getattr(face, name)
            owner = getattr(value, "__module__", None)
            # a function or class is defined in the stage that exports it, not re-exported
            if owner is not None and callable(value) and owner.startswith("dialogue_analysis."):
                assert owner.startswith(f"dialogue_analysis.{stage}."), (stage, name, owner)


def test_importing_one_stage_does_not_import_the_heavy_libraries():
    code = ("import sys; from dialogue_analysis.ingest import load_project; "
            "print('spacy' in sys.modules, 'sklearn' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_the_tests_mirror_the_package():
    # one test folder per stage, plus the end-to-end tests of the orchestrator
    from pathlib import Path

    here = Path(__file__).parent
    folders = {p.name for p in here.iterdir() if p.is_dir() and any(p.glob("test_*.py"))}
    assert folders == set(STAGES) | {"pipeline"}
    assert sorted(p.name for p in here.glob("test_*.py")) == ["test_package.py"]
