import json

import nbformat
import pytest

from tests.analysis_fixtures import NOTEBOOKS, built_wave

NAMES = ["01_data_overview.ipynb", "02_themes_needs.ipynb", "03_typology.ipynb",
         "04_findings_report.ipynb"]


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebooks_have_no_outputs_and_a_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for var in ("config", "root", "language"):
        assert f"{var} =" in tagged[0].source
    assert any("load_analysis" in c.source for c in code)  # read, never recompute


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_executed_notebooks_are_published_with_their_outputs(name):
    built = built_wave()
    path = built.reports / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    rel = str(built.config.relative_to(built.root))
    assert f"config = {rel!r}" in injected[0].source and "root = '.'" in injected[0].source
    assert str(built.root) not in json.dumps(nb)  # no absolute path is published
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, "figures are shown"
    assert "Traceback" not in json.dumps(nb)


def test_the_comparison_notebook_is_not_part_of_a_wave_report():
    built = built_wave()
    published = sorted(p.name for p in (built.reports / "notebooks").glob("*.ipynb"))
    assert published == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_published_notebooks_look_like_they_ran_alone(name):
    # All run in one kernel, reset before each: counts renumbered, no trace of the reset.
    nb = nbformat.read(built_wave().reports / "notebooks" / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not any("%reset" in c.source for c in code)
    assert not any(o.output_type == "error" for c in code for o in c.outputs)


def test_an_error_in_a_notebook_stops_the_report(tmp_path):
    from nbclient.exceptions import CellExecutionError

    from dialogue_analysis.report import execute_notebooks

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('config = "x"\nroot = "."\nlanguage = "fr"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("1 / 0")]
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "01_broken.ipynb")
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute_notebooks(tmp_path / "nb", tmp_path / "out", config=tmp_path / "survey.yaml",
                          root=tmp_path)
    assert not (tmp_path / "out" / "01_broken.ipynb").exists()


def test_a_config_outside_the_root_reaches_the_notebooks_by_a_relative_path(tmp_path):
    """Published notebooks name the config relative to the root even when it lies outside it:
    an absolute path would publish the analyst's folders, and a root named with a long run of
    digits made the publication scan refuse every notebook (read as a social security number).
    """
    from dialogue_analysis.core.privacy import scan_published
    from dialogue_analysis.report import execute_notebooks

    root = tmp_path / "analyses" / "root-35627-1765151234"
    root.mkdir(parents=True)
    config = tmp_path / "waves" / "grand-debat" / "survey.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("wave: grand-debat\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('config = "x"\nroot = "."\nlanguage = "fr"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "from pathlib import Path\nprint((Path(root) / config).read_text(encoding='utf-8'))")]
    (tmp_path / "nb").mkdir()
    nbformat.write(nb, tmp_path / "nb" / "01_paths.ipynb")
    [out] = execute_notebooks(tmp_path / "nb", tmp_path / "out", config=config, root=root)
    published = nbformat.read(out, as_version=4)
    injected = [c for c in published.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "config = '../../waves/grand-debat/survey.yaml'\nroot = '.'" in injected[0].source
    assert published.cells[-1].outputs[0]["text"] == "wave: grand-debat\n\n"  # found from root
    assert str(tmp_path) not in out.read_text(encoding="utf-8")
    assert scan_published(tmp_path / "out").empty


def _channel_threads() -> list:
    """The live threads of jupyter_client's channels (a heartbeat thread per kernel client)."""
    import threading

    from jupyter_client.channels import HBChannel

    return [t for t in threading.enumerate() if isinstance(t, HBChannel) and t.is_alive()]


@pytest.mark.parametrize("last_cell", ["x = 2", "1 / 0"])
def test_executing_notebooks_leaves_no_channel_open(tmp_path, last_cell):
    # an open heartbeat channel holds the interpreter's exit for seconds after a run
    from nbclient.exceptions import CellExecutionError

    from dialogue_analysis.report import execute_notebooks

    before = _channel_threads()
    (tmp_path / "nb").mkdir()
    for i, source in enumerate(["x = 1", last_cell], start=1):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source)]
        nbformat.write(nb, tmp_path / "nb" / f"0{i}_small.ipynb")
    try:
        written = execute_notebooks(tmp_path / "nb", tmp_path / "out",
                                    config=tmp_path / "survey.yaml", root=tmp_path)
        assert [p.name for p in written] == ["01_small.ipynb", "02_small.ipynb"]
    except CellExecutionError:
        assert last_cell == "1 / 0"
    assert _channel_threads() == before


def test_a_kernel_started_beforehand_runs_the_notebooks_as_a_new_one(tmp_path):
    from dialogue_analysis.report import execute_notebooks, start_kernel

    (tmp_path / "nb").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import os, sys\nprint(os.getcwd())\n"
        "print(sorted(k for k in globals() if not k.startswith('_') and k not in ('In', 'Out')))"),
        nbformat.v4.new_code_cell("print('dialogue_analysis.analysis' in sys.modules)")]
    nbformat.write(nb, tmp_path / "nb" / "01_small.ipynb")

    def outputs(folder):
        ran = nbformat.read(folder / "01_small.ipynb", as_version=4)
        return [[o.get("text") for o in c.outputs] for c in ran.cells][-2:]  # after the parameters

    new = execute_notebooks(tmp_path / "nb", tmp_path / "new", config=tmp_path / "survey.yaml",
                            root=tmp_path)
    kernel = start_kernel(tmp_path)
    started = execute_notebooks(tmp_path / "nb", tmp_path / "started", kernel=kernel,
                                config=tmp_path / "survey.yaml", root=tmp_path)
    assert not kernel.has_kernel  # shut down at the end, as a kernel of its own is
    first, imported = outputs(tmp_path / "started")
    # the same folder and a namespace as clean (what it imported first is reset away) ...
    assert first == outputs(tmp_path / "new")[0]
    assert first[0].splitlines()[0] == str(tmp_path.resolve())
    # ... and the notebooks' first imports already done
    assert imported == ["True\n"] and outputs(tmp_path / "new")[1] == ["False\n"]
    assert [p.name for p in new] == [p.name for p in started] == ["01_small.ipynb"]


def test_a_kernel_started_beforehand_keeps_no_history_as_nbclient_would():
    # the kernel is started without importing nbclient (seconds before the model load);
    # its history setting must stay nbclient's own default
    from nbclient import NotebookClient

    from dialogue_analysis.report._publish import KERNEL_HISTORY

    assert KERNEL_HISTORY == NotebookClient.ipython_hist_file.default_value
