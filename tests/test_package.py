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
