"""Publication of ``reports/<wave>/``: figures, HTML, workbook and executed notebooks, built in a
staging folder, scanned for identifiers, then published in one step."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..analysis import Analysis
from ..core import StageTimer
from ..core.i18n import LANGUAGES
from ..core.privacy import assert_clean
from ..core.storage import staged_dir, unstaged
from ..ingest import SUMMARY_FILE
from ._figures import FIGURES, write_figures
from ._reuse import extended, files_hash, inputs_hash, kept_files, record_inputs, reuse

# The report's own files, kept together when made from the same inputs (recorded in
# REPORT_INPUTS beside them, as ``figures/`` and ``notebooks/`` are in their ``.inputs.json``).
REPORT_FILES = ("findings.html", "findings.xlsx", "findings.docx", "findings.pptx")
REPORT_INPUTS = ".findings.inputs.json"


def publish(a: Analysis, reports_dir: str | os.PathLike, *, language: str | None = None,
            notebooks_dir: str | os.PathLike | None = None, config_path=None, root=None,
            identifiers=(), progress: Callable[[str, float | None], object] | None = None,
            office: bool = True, kernel=None, tables: str | None = None) -> dict[str, Path]:
    """Write the whole ``reports/<wave>/`` folder, scanned for identifiers before publication.

    Parameters
    ----------
    a : Analysis
    reports_dir : path
        ``reports/<wave>``.
    language : {"fr", "en"}, optional
    notebooks_dir : path, optional
        Folder of the notebooks to execute (``notebooks/`` of the project); skipped when None
        or absent.
    config_path, root : path, optional
        Passed to the notebooks as parameters (required with ``notebooks_dir``).
    identifiers : iterable of str
        Extra strings that must not be published (see :func:`privacy.scan_published`).
    office : bool
        Also write the Word report (``findings.docx``) and the board deck (``findings.pptx``),
        scanned like the rest.
    kernel : jupyter_client.KernelManager, optional
        A kernel :func:`start_kernel` started for the notebooks (shut down here, also when the
        notebooks are kept); else one is started when they are executed.
    tables : str, optional
        :func:`~dialogue_analysis.report._reuse.inputs_hash` of ``a`` in ``language``, when
        known.

    Returns
    -------
    dict
        ``"html"``, ``"xlsx"``, ``"docx"`` (or None), ``"figures"`` (folder) and ``"notebooks"`` (folder or None).
    """
    import time
    from concurrent.futures import ThreadPoolExecutor

    language = language or a.language
    final = Path(reports_dir)
    timer = StageTimer(progress)

    def step(name, fn):
        with timer(name):
            return fn()

    t_start = time.perf_counter()
    # The report as published (a run builds into a staging folder): its figures and notebooks
    # are kept when the tables behind them have not changed.
    previous = unstaged(final)
    # The folder is replaced whole (a figure of an earlier run does not survive), except the
    # descriptive summary, which the ingestion stage writes.
    # A report in another language is published in its own subfolder (``en/``): it is kept too.
    # Kept files were scanned, for the same strings, before their first publication: the scan
    # skips them while their bytes are unchanged (it checks their hash), never a new file.
    identifiers = [s for s in identifiers if s]
    scanned: dict[str, str] = {}
    if tables is None:
        tables = inputs_hash(a, language)  # what every output here is drawn from
    with staged_dir(final, keep=[SUMMARY_FILE, *LANGUAGES]) as stage, \
            ThreadPoolExecutor(max_workers=1) as pool:
        nb_out, running = None, None
        if notebooks_dir is not None and Path(notebooks_dir).is_dir():
            nb_out = stage / "notebooks"
            sources = notebook_inputs(notebooks_dir, config_path, root)
            nb_digest = extended(tables, files_hash(sources), str(config_path), str(root),
                                 *identifiers)
            if reuse(previous / "notebooks", nb_out, nb_digest):
                scanned.update(_kept(nb_out, "notebooks/"))
            else:
                # The notebooks run in their own kernels while this process draws the figures.
                preload_notebook_modules()
                nb_kernel, kernel = kernel, None  # the notebooks' now
                running = pool.submit(step, "notebooks", lambda: _recorded(execute_notebooks(
                    notebooks_dir, nb_out, config=config_path, root=root, language=language,
                    kernel=nb_kernel), nb_out, nb_digest))
        if kernel is not None and kernel.has_kernel:  # not needed: no notebook is executed
            kernel.shutdown_kernel(now=True)
        figs, kept = step("figures", lambda: keep_or_draw_figures(
            a, previous / "figures", stage / "figures", language, *identifiers, tables=tables))
        if kept:
            scanned.update(_kept(stage / "figures", "figures/"))
        names = REPORT_FILES if office else REPORT_FILES[:2]
        digest = extended(tables, *names, *identifiers)
        if reuse(previous, stage, digest, REPORT_INPUTS):
            scanned.update(_kept(stage, "", REPORT_INPUTS))
        else:
            from ._docx import write_docx
            from ._html import render_html
            from ._pptx import write_pptx
            from ._workbook import write_workbook

            step("html", lambda: (stage / "findings.html").write_text(
                render_html(a, language, figs), encoding="utf-8"))
            step("workbook", lambda: write_workbook(a, stage / "findings.xlsx",
                                                    language=language))
            if office:
                step("docx", lambda: write_docx(a, stage / "findings.docx", figs, language))
                step("pptx", lambda: write_pptx(a, stage / "findings.pptx", figs, language))
            record_inputs(stage, digest, names, REPORT_INPUTS)
        if running is not None:
            running.result()
        assert_clean(stage, identifiers, scanned)
    timings = dict(timer.timings)
    timings["total"] = time.perf_counter() - t_start  # the notebooks overlap the other parts
    final = unstaged(final)  # where the report is once the run has published it
    return {"html": final / "findings.html", "xlsx": final / "findings.xlsx",
            "figures": final / "figures", "docx": final / "findings.docx" if office else None,
            "pptx": final / "findings.pptx" if office else None,
            "notebooks": final / "notebooks" if nb_out is not None else None,
            "timings": timings}


def keep_or_draw_figures(a: Analysis, previous: Path, folder: Path, language: str,
                         *extra: str, tables: str | None = None) -> tuple[dict, bool]:
    """The figures in ``folder``: those of ``previous`` when drawn from the same tables (and
    ``extra``, see :mod:`~dialogue_analysis.report._reuse`; ``tables``: the
    :func:`~dialogue_analysis.report._reuse.inputs_hash` of ``a``, when known), else drawn
    anew; paths as :func:`~dialogue_analysis.report.write_figures` returns them, and whether
    they were kept."""
    digest = extended(tables or inputs_hash(a, language), *extra)
    if reuse(previous, folder, digest):
        return {name: {ext: folder / f"{name}.{ext}" for ext in ("png", "svg")}
                for name in FIGURES if (folder / f"{name}.png").is_file()}, True
    return _recorded(write_figures(a, folder, language), folder, digest), False


def _recorded(result, folder: Path, digest: str):
    record_inputs(folder, digest)
    return result


def _kept(folder: Path, prefix: str, record: str | None = None) -> dict[str, str]:
    """``path under the report -> SHA-256`` of the files kept in ``folder``."""
    files = kept_files(folder, record) if record else kept_files(folder)
    return {prefix + name: sha for name, sha in files.items()}


# -- notebooks --------------------------------------------------------------------------------


def notebook_inputs(notebooks_dir, config_path, root) -> list[Path]:
    """The files executed notebooks depend on beyond the analysis tables: the notebooks, the
    wave's config and the codebook beside it."""
    config = Path(config_path) if config_path is not None else None
    extra = [config, config.parent / "codebook.yaml"] if config is not None else []
    return [*sorted(Path(notebooks_dir).glob("*.ipynb")), *extra]


def preload_notebook_modules() -> None:
    """Import, in the calling thread, the modules that executing notebooks imports.

    Starting a kernel imports IPython on first use; matplotlib, drawing a figure in another
    thread, looks IPython up in ``sys.modules`` without waiting for that import and can find it
    half-initialised (``AttributeError: partially initialized module 'IPython'``). Imported
    here first, before the notebook thread starts, every module is complete when either thread
    sees it.
    """
    import importlib
    import importlib.util

    for name in ("IPython", "IPython.paths", "jupyter_client.manager", "nbclient", "nbformat"):
        if importlib.util.find_spec(name.split(".")[0]) is not None:
            importlib.import_module(name)


def notebook_parameters(config, root, language: str) -> str:
    """The code cell injected after a notebook's ``parameters`` cell (as papermill does)."""
    return ("# Parameters injected by dialogue-analysis\n"
            f"config = {str(config)!r}\nroot = {str(root)!r}\nlanguage = {language!r}\n")


def _relative_parameters(config, root: Path) -> tuple[Path, Path]:
    """The ``config`` and ``root`` a notebook run in ``root`` is given: the config relative to
    the root, also from outside it (``../waves/survey.yaml``), and the root as ``.``. No
    absolute path, which may hold a user name (or digits the publication scan reads as an
    identifier), is written into a published notebook."""
    config = Path(config).resolve()
    try:
        return Path(os.path.relpath(config, root)), Path(".")
    except ValueError:  # on another drive (Windows): no relative path leads there
        return config, root


def _compares_waves(path: Path) -> bool:
    """Whether a notebook's parameters name a second wave (``config_b``): such a notebook
    compares two waves and has no place in one wave's report."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return any("parameters" in c.get("metadata", {}).get("tags", [])
               and "config_b" in c.get("source", "") for c in nb.cells)


def execute_notebooks(notebooks_dir: str | os.PathLike, out_dir: str | os.PathLike, *, config,
                      root, language: str = "fr", timeout: int = 600,
                      kernel_name: str = "python3", kernel=None) -> list[Path]:
    """Execute every one-wave ``NN_*.ipynb`` of ``notebooks_dir`` headlessly into ``out_dir``.

    The parameters (wave config path, root, report language) are injected as a code cell right
    after the cell tagged ``parameters`` (or first, when no cell is tagged), as papermill does.
    The notebooks run one after the other in a single kernel started in ``root`` (starting a
    kernel and importing pandas and matplotlib is most of a thin notebook's time); its namespace
    is reset before each notebook, so that none can lean on another's variables, and execution
    counts are renumbered from 1 in each published notebook. An error in a cell raises
    ``nbclient``'s ``CellExecutionError``, naming the cell. ``kernel``: a kernel
    :func:`start_kernel` started in ``root`` beforehand, used instead of a new one (and shut
    down at the end alike).
    """
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [p for p in sorted(Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))
             if not _compares_waves(p)]
    cwd = Path(root).resolve()
    config, root = _relative_parameters(config, cwd)

    km = kernel if kernel is not None else KernelManager(kernel_name=kernel_name)
    written = []
    try:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            cell = nbformat.v4.new_code_cell(notebook_parameters(config, root, language))
            cell.metadata["tags"] = ["injected-parameters"]
            tagged = [i for i, c in enumerate(nb.cells)
                      if "parameters" in c.get("metadata", {}).get("tags", [])]
            nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)
            nb.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
            client = NotebookClient(nb, km=km, timeout=timeout, kernel_name=kernel_name,
                                    startup_timeout=180,  # a busy machine starts kernels slowly
                                    resources={"metadata": {"path": str(cwd)}})
            try:
                client.execute(**_kernel_start(cwd))
            finally:
                _stop_channels(client)
            nb.cells.pop(0)
            _renumber(nb)
            target = out_dir / path.name
            nbformat.write(nb, target)
            written.append(target)
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    return written


def _kernel_start(cwd: Path) -> dict:
    """How the notebooks' kernel is started: in ``cwd``, its own console chatter (e.g.
    transport warnings) silenced, which would only confuse an analyst (cell errors still come
    back through the protocol and raise)."""
    import subprocess

    return {"cwd": str(cwd), "stderr": subprocess.DEVNULL}


# What every notebook imports first: imported by a kernel started beforehand, as the first
# notebook would (nothing else: matplotlib's backend, for one, is the notebooks' choice).
# nbclient's own default (``NotebookClient.ipython_hist_file``): no history file
KERNEL_HISTORY = ":memory:"
_NOTEBOOK_IMPORTS = ("from pathlib import Path", "import pandas as pd",
                     "from IPython.display import Markdown, display",
                     "from dialogue_analysis import report",
                     "from dialogue_analysis.analysis import load_analysis")


def start_kernel(root, kernel_name: str = "python3"):
    """A kernel for :func:`execute_notebooks`, started now in ``root`` as it would start one
    (and as ``nbclient`` starts it), that imports at once what every notebook imports first:
    its start and these imports can then use a core this process leaves idle. The names it
    defines are gone with each notebook's reset. Returns its ``KernelManager``."""
    # not nbclient, whose import (nbformat's schema checks) takes seconds before the model load
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=kernel_name)
    hist = KERNEL_HISTORY
    lines = ",".join(repr(line) for line in _NOTEBOOK_IMPORTS)
    args = [f"--HistoryManager.hist_file={hist}"] if km.ipykernel else []
    km.start_kernel(extra_arguments=[*args, f"--IPKernelApp.exec_lines=[{lines}]"],
                    **_kernel_start(Path(root).resolve()))
    return km


def _stop_channels(client) -> None:
    """Close the channels of a notebook's kernel client (the kernel itself is shared and
    kept): ``nbclient`` leaves them open when it does not own the kernel, and each one's
    heartbeat thread would hold the interpreter's exit for up to 3 s."""
    if client.kc is not None:
        client.kc.stop_channels()
        client.kc = None


def _renumber(nb) -> None:
    """Execution counts from 1, as if the notebook had run in a kernel of its own."""
    n = 0
    for c in nb.cells:
        if c.cell_type != "code" or c.get("execution_count") is None:
            continue
        n += 1
        c.execution_count = n
        for out in c.get("outputs", []):
            if "execution_count" in out:
                out["execution_count"] = n


