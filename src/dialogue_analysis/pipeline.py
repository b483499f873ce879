"""Stage orchestration: each stage reads its inputs, computes, and publishes its files atomically.

``run`` executes :data:`STAGES` in order; to add a stage (anonymise, nlp, coding, typology,
report), write a ``_stage_<name>(ctx)`` function that reads what it needs from ``ctx.results``,
writes its outputs, stores its result in ``ctx.results[name]``, and append it to ``STAGES``.
The command line (cli.py) only loads the project, calls these functions and prints.
"""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .coding import load_codebook
from .core import StageTimer, peak_rss_mb, storage
from .core.errors import ConfigError
from .core.i18n import tr
from .ingest import (
    ANONYMISE_CACHE,
    REPORT_CSV,
    SUMMARY_FILE,
    Project,
    Wave,
    ingest_wave,
    load_project,
    summary_markdown,
)

Progress = Callable[..., None]


@dataclass
class RunContext:
    """What the stages share: the project, the output root, the progress callback, the results."""

    project: Project
    root: Path
    progress: Progress | None = None
    results: dict[str, Any] = field(default_factory=dict)
    timer: StageTimer = field(default_factory=StageTimer)

    @property
    def language(self) -> str:
        return self.project.settings.language

    def step(self, code: str, **params) -> None:
        if self.progress is not None:
            self.progress(tr(code, self.language, **params))


def run_ingest(
    project: Project, root: str | os.PathLike = ".", progress: Progress | None = None
) -> Wave:
    """Read, validate and publish a wave under ``root/data/processed/<wave>/``.

    On validation errors nothing under ``data/processed`` changes; the full report is written to
    ``root/reports/<wave>/ingest_errors.csv`` (and ``.md``) and :class:`ValidationFailed` is
    raised. A later successful ingestion removes that stale error report.

    Parameters
    ----------
    project : Project
    root : path, default "."
        Folder under which ``data/processed/`` and ``reports/`` are written.
    progress : callable, optional
        Called with a short description of each step.

    Returns
    -------
    Wave
    """
    ctx = RunContext(project, Path(root), progress)
    return _stage_ingest(ctx)


def run_summary(
    project: Project, wave: Wave, root: str | os.PathLike = ".", progress: Progress | None = None
) -> str:
    """Write ``root/reports/<wave>/summary.md`` (first descriptive summary) and return its text."""
    ctx = RunContext(project, Path(root), progress, {"ingest": wave})
    return _stage_summary(ctx)


@contextlib.contextmanager
def publishing(project: Project, root: str | os.PathLike = ".", *, seed: bool = False):
    """Publish ``data/interim/<wave>``, ``data/processed/<wave>`` and ``reports/<wave>`` together
    when the block ends.

    Everything the block writes there goes to staging folders (see
    :func:`storage.staged_dirs`), swapped in only if the block succeeds: a failed, interrupted
    or killed run leaves the previous tables and report as they were, and the next run removes
    what a killed one left. With ``seed`` the block starts from a copy of the published folders
    (the ``report`` command rewrites the report and keeps the tables); otherwise from empty
    folders, so that nothing of an earlier run survives beside the new outputs. The NLP cache
    (``data/processed/_nlp_cache``) is not part of it; the anonymise stage's cache
    (``data/interim/<wave>/_anonymise_cache``) is carried over into the new folder.
    """
    import shutil

    finals = [project.interim_dir(root), project.processed_dir(root), project.reports_dir(root)]
    with storage.staged_dirs(finals, seed=seed) as stages:
        cache = Path(finals[0]) / ANONYMISE_CACHE
        if not seed and cache.is_dir():
            shutil.copytree(cache, stages[0] / ANONYMISE_CACHE)
        yield


def run(
    project: Project,
    root: str | os.PathLike = ".",
    progress: Progress | None = None,
    stages: list[str] | None = None,
) -> RunContext:
    """Run the pipeline's stages in order (all of :data:`STAGES` unless ``stages`` names some).

    Returns
    -------
    RunContext
        ``ctx.results`` holds each stage's result by name (``"ingest"``: the Wave,
        ``"summary"``: the summary's Markdown text).
    """
    known = [name for name, _ in STAGES]
    unknown = sorted(set(stages or ()) - set(known))
    if unknown:
        raise ValueError(f"unknown stage(s) {unknown}; stages: {known}")
    ctx = RunContext(project, Path(root), progress)
    for name, stage in STAGES:
        if stages is None or name in stages:
            with ctx.timer(name):
                ctx.results[name] = stage(ctx)
    return ctx


def later_stages_ready(project: Project, *, notebooks: bool, office: bool) -> Callable[[], None]:
    """What the stages after the anonymise stage would import and build, one after the other,
    in this process: the NLP stage's pipeline, the libraries of the themes, the typology, the
    report (and of its notebooks, Word and PowerPoint files when they are made). A run hands it
    to :func:`~dialogue_analysis.core.meanwhile.work_meanwhile`, done while the anonymise stage's
    workers read the texts; nothing it builds depends on the wave."""

    def ready() -> None:
        import importlib

        from . import report, themes, typology
        from .nlp import build_pipeline, parse_model

        build_pipeline("parse", parse_model(project.settings))
        for face, names in ((themes, ["find_themes"]),
                            (typology, ["typology_from_settings", "describe_groups",
                                        "code_crosstab", "typology_map"])):
            for name in names:
                getattr(face, name)
        if notebooks:  # before matplotlib, as the report imports them
            report.preload_notebook_modules()
        for name in ("write_figures", "render_html", "write_workbook", "write_analyst_exports"):
            getattr(report, name)
        if office:
            for module in ("docx", "pptx"):
                importlib.import_module(module)

    return ready


def run_loading_model(project: Project, root: str | os.PathLike = ".",
                      progress: Progress | None = None) -> tuple[RunContext, Any]:
    """:func:`run` (ingestion and summary) and the wave's validation report.

    On a wave whose texts the anonymise stage has never read (no cache of its own yet), the
    ingestion and the summary run in a forked process (:mod:`~dialogue_analysis.core.beside`)
    while this one loads the anonymise stage's model, which the stage would otherwise load
    after them, alone on one core: the same files, the same results. A failure there is
    raised by the ingestion run again here; a model that cannot be loaded is left for the
    stage to report, as before. ``ctx.results`` holds the summary's text; the model's load is
    timed as ``anonymise model``.
    """
    from .anonymise import preload
    from .core.beside import beside
    from .nlp import anonymise_model

    cache = storage.unstaged(project.interim_dir(root)) / ANONYMISE_CACHE
    if cache.exists() or project.settings.engine != "local":
        ctx = run(project, root, progress)
        return ctx, ctx.results.pop("ingest").report

    def ingest() -> tuple:
        with warnings.catch_warnings(record=True) as caught:  # given back to this process
            warnings.simplefilter("always")
            ctx = run(project, root)  # no progress display from there
        return (ctx.results["ingest"].report, ctx.results["summary"], ctx.timer.timings,
                ctx.timer.usage, [(str(w.message), w.category) for w in caught])

    failed, timer = False, StageTimer()
    with beside(ingest) as ingesting:
        if progress is not None:
            progress(tr("step_validate", project.settings.language))
        with timer("anonymise model"), contextlib.suppress(Exception):  # raised again where
            preload(anonymise_model(project.settings))  # the stage loads it
        try:
            (report, summary, timings, usage, caught), _ = ingesting.result()
        except Exception:  # noqa: BLE001 - its own error, raised by the ingestion here
            failed = True
    if failed:
        ctx = run(project, root, progress)
        return ctx, ctx.results.pop("ingest").report
    for message, category in caught:
        warnings.warn(message, category, stacklevel=2)
    ctx = RunContext(project, Path(root), progress, {"summary": summary})
    for part in (timings, timer.timings):
        ctx.timer.timings.update(part)
    for part in (usage, timer.usage):
        ctx.timer.usage.update(part)
    return ctx, report


def run_usage(ctx: RunContext) -> dict[str, dict]:
    """Wall and CPU seconds of the stages :func:`run` ran, for the run manifest."""
    return {name: {"seconds": secs, **ctx.timer.usage.get(name, {})}
            for name, secs in ctx.timer.timings.items()}


def _stage_ingest(ctx: RunContext) -> Wave:
    _check_codebook(ctx.project)
    return ingest_wave(ctx.project, ctx.root, ctx.progress)


def _check_codebook(project: Project) -> None:
    """Validate the declared codebook at ingestion, rather than minutes later when answers are
    coded: ConfigError (file, key, in the project's language) when it is missing or invalid."""
    if project.codebook_path is not None:
        load_codebook(project.require_codebook(), language=project.settings.language)


def _stage_summary(ctx: RunContext) -> str:
    ctx.step("step_summary")
    wave = ctx.results["ingest"]
    report_path = storage.unstaged(ctx.project.processed_dir(ctx.root)) / REPORT_CSV
    text = summary_markdown(wave, ctx.project, report_path=report_path)
    storage.write_text_or_keep(ctx.project.reports_dir(ctx.root) / SUMMARY_FILE, text)
    return text


# Later stages (anonymise, nlp, code, topics, typology, report) are appended here, in order.
STAGES: list[tuple[str, Callable[[RunContext], Any]]] = [
    ("ingest", _stage_ingest),
    ("summary", _stage_summary),
]


# ----------------------------------------------------------------------------------------------
# Publication of a wave's reports and exports (after the analysis)
# ----------------------------------------------------------------------------------------------


def publish_wave(project, analysis, root, language, notebooks, no_notebooks, progress,
                 no_exports=False, analyst_workbook_asked=False, before=None, kernel=None,
                 early=None):
    """Publish the wave's reports and exports; ``paths`` of what was written, with the
    analyst workbook's (None when not written).

    ``before``: what the run did before the analysis (start-up, ingestion, summary: stage ->
    ``{"seconds", "cpu_seconds"}``), recorded in the run manifest with the exports' cost.
    ``kernel``: the notebooks' kernel, started by :func:`notebook_kernel`; ``early``: the
    :class:`EarlyExports` the analysis started, if any."""
    from .analysis import save_manifest
    from .core.beside import beside
    from .report import inputs_hash, publish

    folder = None if no_notebooks else notebooks_folder(project, notebooks)
    reports = reports_folder(project, root)
    tables = inputs_hash(analysis, project.settings.language)  # the report's and the exports'

    def report():
        return publish(analysis, reports, language=project.settings.language,
                       notebooks_dir=folder, config_path=project.config_path.resolve(),
                       root=Path(root).resolve(), office=not no_exports, kernel=kernel,
                       tables=tables,
                       progress=(lambda step, secs: progress(step) if secs is None else None))

    waited = None
    if early is not None and early.started:  # the exports are being built since the typology
        paths = report()
        started = time.perf_counter()
        exported, usage = early.publish(analysis, tables)
        waited = time.perf_counter() - started  # the run's wait for them, once the report is
    else:
        # The analyst's QDA exports are written in a process of their own beside the report
        # (they read only the analysis); a failure of either stops the other.
        with beside(lambda: analyst_exports(project, analysis, root, no_exports,
                                            tables)) as exports:
            paths = report()
            exported, usage = exports.result()
    paths.update(exported)
    timer = StageTimer()
    timer.record("exports", usage)
    # The run manifest also records how long each part of the report took, and the steps
    # outside the analysis and the report.
    analysis.manifest["report"] = {k: round(v, 3) for k, v in paths["timings"].items()}
    exports = {"seconds": timer.timings["exports"], **timer.usage["exports"]}
    if waited is not None:
        exports["waited_after_report"] = round(waited, 3)
    analysis.manifest["run"] = {**(before or {}), "exports": exports}
    analysis.manifest["peak_rss_mb"] = peak_rss_mb()
    save_manifest(analysis, project.processed_dir(root))
    paths["analyst_workbook"] = analyst_workbook(project, analysis, root, analyst_workbook_asked)
    return paths


@contextlib.contextmanager
def notebook_kernel(project, root, notebooks, no_notebooks):
    """The notebooks' kernel started now, while the analysis runs (its start and first imports
    on a core the analysis leaves idle), for :func:`publish_wave`; None when the notebooks will
    not run, may be kept from the published report, or cannot be found (the report says so
    then). Shut down when the block ends, if the report has not used it."""
    from .report import start_kernel

    kernel = None
    if not no_notebooks:
        try:
            folder = notebooks_folder(project, notebooks)
        except ConfigError:
            folder = None
        published = storage.unstaged(reports_folder(project, root)) / "notebooks"
        if folder is not None and not published.exists():
            kernel = start_kernel(root)
    try:
        yield kernel
    finally:
        if kernel is not None and kernel.has_kernel:
            kernel.shutdown_kernel(now=True)


def reports_folder(project, root) -> Path:
    """reports/<wave>/, or reports/<wave>/<language>/ for a report in another language than
    the config's (--lang): beside the config's, not over it. The language is the config's or
    --lang, never the one a previous `report --lang` saved."""
    reports = project.reports_dir(root)
    if project.settings.language != load_project(project.config_path).settings.language:
        reports = reports / project.settings.language
    return reports


def timings_text(analysis) -> str:
    """How long each stage of the analysis and each part of the report took, on one line."""
    stages = analysis.manifest.get("stages", {})
    timings = ", ".join(f"{k} {v['seconds']:.1f} s" for k, v in stages.items()
                        if isinstance(v, dict) and v.get("seconds") is not None)
    report = ", ".join(f"{k} {v:.1f} s" for k, v in analysis.manifest.get("report", {}).items())
    return timings + (f"; {report}" if report and timings else "")


def export_saved(project, root, kind: str, language: str | None = None) -> Path:
    """One export (``docx``, ``pptx``, ``qdpx``, ``qdc``, ``iramuteq``) of the saved analysis,
    with the analysts' review decisions in the REFI-QDA project."""
    from .analysis import load_analysis
    from .core.errors import DialogueAnalysisError
    from .report import EXPORTS_DIR, FORMATS, export_one

    if kind not in FORMATS:
        raise DialogueAnalysisError(f"--to {kind}: choose one of {', '.join(FORMATS)}.")
    analysis = load_analysis(project, root, language=language)
    return export_one(analysis, kind, reports_dir=reports_folder(project, root),
                      exports_dir=project.processed_dir(root) / EXPORTS_DIR,
                      language=project.settings.language,
                      decisions=review_decisions(project, analysis))


def notebooks_folder(project, given: Path | None) -> Path:
    """The notebooks to execute: the folder given, else ``notebooks/`` of the project (found
    upwards from the survey config, then from the current folder). None found is an error, not
    a silent skip: ``--no-notebooks`` says so on purpose."""
    if given is not None:
        if not Path(given).is_dir():
            raise ConfigError(project.config_path, "--notebooks",
                              tr("notebooks_not_found", project.settings.language, path=given))
        return Path(given)
    for start in (project.config_path.resolve().parent, Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / "notebooks" / "01_data_overview.ipynb").is_file():
                return folder / "notebooks"
    raise ConfigError(project.config_path, "--notebooks",
                      tr("notebooks_not_found", project.settings.language, path="notebooks/"))


def analyst_workbook(project, analysis, root, asked: bool) -> Path | None:
    """Write the person-level workbook when asked (flag or setting), else remove a stale one:
    it must never outlive the analysis it was made from."""
    from .report import ANALYST_WORKBOOK

    folder = project.processed_dir(root)
    if asked or project.settings.analyst_workbook:
        from .report import write_analyst_workbook

        return write_analyst_workbook(analysis, folder, language=project.settings.language)
    (folder / ANALYST_WORKBOOK).unlink(missing_ok=True)
    return None


def analyst_exports(project, analysis, root, skipped: bool, tables: str | None = None) -> dict:
    """The QDA files (person-level, for the analyst) in data/processed/<wave>/exports/
    (``tables``: the analysis's ``inputs_hash``, when known)."""
    import shutil

    from .report import EXPORTS_DIR, write_analyst_exports

    folder = project.processed_dir(root) / EXPORTS_DIR
    if skipped:  # none may outlive the analysis it was made from
        shutil.rmtree(folder, ignore_errors=True)
        return {}
    return write_analyst_exports(analysis, folder, language=project.settings.language,
                                 decisions=review_decisions(project, analysis), tables=tables)


class EarlyExports:
    """The analyst's QDA exports built as soon as the answers are coded.

    They read the records (not their typology groups), the answers, the passages, the codebook
    and the questions, which the analysis's later stages do not change: given to
    :func:`~dialogue_analysis.analysis.run_analysis` as ``after_coding``, they are built and
    scanned in a forked process (:mod:`~dialogue_analysis.core.beside`) beside the themes, the
    typology, the description of the groups, the map and the report, and
    :func:`publish_wave` publishes them as it would have written them (the same files, kept
    when the published ones were made from the same analysis). Nothing is started with
    ``skipped`` (``--no-exports``); leaving the ``with`` block ends what is left.
    """

    def __init__(self, project, root, skipped: bool = False):
        self.project, self.root, self.skipped = project, root, skipped
        self.run = self.built = self.decisions = None

    @property
    def started(self) -> bool:
        return self.run is not None

    def __call__(self, partial) -> None:
        from .core.beside import beside
        from .report import EXPORTS_DIR, build_analyst_exports

        if self.skipped:
            return
        self.decisions = review_decisions(self.project, partial)
        # beside the exports' folder, in the wave's (staging) folder; gone before publication
        built = self.built = self.project.processed_dir(self.root) / f".{EXPORTS_DIR}-built"
        language, decisions = self.project.settings.language, self.decisions
        self.run = beside(lambda: build_analyst_exports(partial, built, language=language,
                                                        decisions=decisions))

    def publish(self, analysis, tables: str) -> tuple[dict, dict]:
        """The exports in data/processed/<wave>/exports/ once the analysis is whole
        (``tables``: its ``inputs_hash``), and the usage of the process that built them."""
        from .report import EXPORTS_DIR, write_analyst_exports

        built, usage = self.run.result()
        self.run = None
        exported = write_analyst_exports(
            analysis, self.project.processed_dir(self.root) / EXPORTS_DIR,
            language=self.project.settings.language, decisions=self.decisions, built=built,
            tables=tables)
        return exported, usage

    def __enter__(self) -> EarlyExports:
        return self

    def __exit__(self, *exc) -> bool:
        import shutil

        if self.run is not None:
            self.run.close()
        if self.built is not None:
            shutil.rmtree(self.built, ignore_errors=True)
        return False


def review_decisions(project, analysis):
    """The analysts' review decisions of the wave (empty when there are none)."""
    from .coding import decisions_path, read_decisions

    codes = analysis.codebook["code"].astype(str).tolist() if len(analysis.codebook) else None
    return read_decisions(decisions_path(project.config_path, project.wave), codes=codes)
