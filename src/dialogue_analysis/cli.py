"""Command line of dialogue-analysis: ``dialogue-analysis ingest|run CONFIG``,
``dialogue-analysis compare CONFIG_A CONFIG_B``.

Thin on purpose: it loads the project, calls :mod:`dialogue_analysis.pipeline`, and turns the
toolkit's errors into readable messages and exit codes (1: the data has errors, 2: the survey
config has an error). Everything it does can be done from Python.
"""

from __future__ import annotations

import contextlib
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__, pipeline
from .config import load_project
from .errors import ConfigError, DialogueAnalysisError
from .validation import DISPLAY_COLUMNS, ValidationFailed, ValidationReport, table_rows, tr

EXIT_DATA_ERRORS = 1
EXIT_CONFIG_ERROR = 2
MAX_ROWS_SHOWN = 40
MAX_WARNINGS_SHOWN = 10

app = typer.Typer(
    help=(
        "dialogue-analysis: from stakeholder-dialogue interviews (Excel, CSV, JSON) to an "
        "evidence-based findings report. Each command takes the survey config of a wave "
        "(survey.yaml, next to the interviews file), which says which column holds what."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


class Language(StrEnum):
    fr = "fr"
    en = "en"


ConfigArg = Annotated[
    Path,
    typer.Argument(
        help="Survey config of the wave (YAML), e.g. data/raw/sample-2018/survey.yaml.",
        show_default=False,
    ),
]
RootOpt = Annotated[
    Path,
    typer.Option(
        "--root",
        help="Folder under which data/interim/<wave>/, data/processed/<wave>/ and "
        "reports/<wave>/ are written.",
        file_okay=False,
    ),
]
LangOpt = Annotated[
    Language | None,
    typer.Option(
        "--lang",
        help="Language of messages and reports (default: settings.language of the config).",
    ),
]

NotebooksOpt = Annotated[
    Path,
    typer.Option("--notebooks", help="Folder of the notebooks executed into "
                 "reports/<wave>/notebooks/ (skipped when absent).", file_okay=False),
]
NoNotebooksOpt = Annotated[
    bool, typer.Option("--no-notebooks", help="Do not execute the notebooks."),
]
AnalystWorkbookOpt = Annotated[
    bool, typer.Option("--analyst-workbook", help="Also write the person-level workbook "
                       "data/processed/<wave>/analyst_workbook.xlsx (pseudonymised, one row per "
                       "interview and answer; never published). Default: "
                       "settings.analyst_workbook of the config."),
]


def _version(value: bool) -> None:
    if value:
        console.print(f"dialogue-analysis {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """dialogue-analysis: stakeholder-dialogue interviews -> findings report."""


@app.command()
def ingest(config: ConfigArg, root: RootOpt = Path("."), lang: LangOpt = None) -> None:
    """Check the interviews file against the survey config and build the clean tables.

    Every problem is listed at once (file, row, column, value). With errors, nothing is written
    to data/ and the full list is saved to reports/<wave>/ingest_errors.csv (cells' contents
    withheld there: they may hold identifiers). Otherwise the tables, raw text and all, go to
    data/interim/<wave>/ (as sensitive as the raw files, never published) and the validation
    report, cells withheld, to data/processed/<wave>/.
    """
    language = lang.value if lang else None
    with _errors(language):
        project = load_project(config, language=language)
        with _progress() as progress:
            wave = pipeline.run_ingest(project, root, progress)
        _print_report(wave.report, project.interim_dir(root) / "validation.csv")
        console.print(
            tr(
                "cli_ingested",
                project.settings.language,
                records=len(wave.records),
                answers=len(wave.answers),
                wave=wave.name,
            )
        )
        console.print(
            tr("cli_written", project.settings.language, path=project.processed_dir(root))
        )


@app.command()
def run(
    config: ConfigArg,
    root: RootOpt = Path("."),
    lang: LangOpt = None,
    notebooks: NotebooksOpt = Path("notebooks"),
    no_notebooks: NoNotebooksOpt = False,
    analyst_workbook: AnalystWorkbookOpt = False,
) -> None:
    """Run the whole analysis of a wave: ingestion, analysis, then the reports.

    Ingestion and the descriptive summary (reports/<wave>/summary.md), then every analysis
    stage (pseudonymisation, NLP, coding, themes, typology, cross tables; tables under
    data/processed/<wave>/analysis/), then the findings report under reports/<wave>/
    (findings.html, findings.xlsx, figures/, executed notebooks/). The raw answers are kept
    under data/interim/<wave>/ (as sensitive as the raw files, never published); everything
    under data/processed/ and reports/ is pseudonymised.
    """
    from .analysis import run_analysis

    language = lang.value if lang else None
    with _errors(language):
        project = load_project(config, language=language)
        validation = project.interim_dir(root) / "validation.csv"
        # The tables and the report are published together at the end, or not at all.
        with pipeline.publishing(project, root):
            with _progress() as progress:
                ctx = pipeline.run(project, root, progress)
            _print_report(ctx.results["ingest"].report, validation)
            console.print(Markdown(ctx.results["summary"]))
            with _progress() as progress:
                analysis = run_analysis(project, root, progress)
                paths = _publish(project, analysis, root, language, notebooks, no_notebooks,
                                 progress)
                paths["analyst_workbook"] = _analyst_workbook(project, analysis, root,
                                                              analyst_workbook)
        _print_published(project, analysis, paths)


@app.command()
def report(
    config: ConfigArg,
    root: RootOpt = Path("."),
    lang: LangOpt = None,
    notebooks: NotebooksOpt = Path("notebooks"),
    no_notebooks: NoNotebooksOpt = False,
    analyst_workbook: AnalystWorkbookOpt = False,
) -> None:
    """Write the findings report of a wave under reports/<wave>/.

    findings.html (self-contained, French by default, --lang en for English), findings.xlsx,
    figures/ (PNG 300 dpi + SVG) and the executed notebooks. The analysis is read from
    data/processed/<wave>/analysis/ (nothing recomputed); it is run first when absent. Every
    file is checked for identifiers before it is published.
    """
    from .analysis import load_analysis, run_analysis

    language = lang.value if lang else None
    with _errors(language):
        project = load_project(config, language=language)
        with pipeline.publishing(project, root, seed=True), _progress() as progress:
            try:
                analysis = load_analysis(project, root, language=language)
            except FileNotFoundError:
                analysis = run_analysis(project, root, progress)
            paths = _publish(project, analysis, root, language, notebooks, no_notebooks,
                             progress)
            paths["analyst_workbook"] = _analyst_workbook(project, analysis, root,
                                                          analyst_workbook)
        _print_published(project, analysis, paths)


def _publish(project, analysis, root, language, notebooks, no_notebooks, progress):
    from .analysis import save_manifest
    from .report import publish

    folder = None if no_notebooks or not Path(notebooks).is_dir() else Path(notebooks)
    # The config's language (or --lang), never the one a previous `report --lang` saved.
    paths = publish(analysis, project.reports_dir(root), language=project.settings.language,
                    notebooks_dir=folder, config_path=project.config_path.resolve(),
                    root=Path(root).resolve(),
                    progress=(lambda step, secs: progress(step) if secs is None else None))
    # The run manifest also records how long each part of the report took.
    analysis.manifest["report"] = {k: round(v, 3) for k, v in paths["timings"].items()}
    save_manifest(analysis, project.processed_dir(root))
    return paths


def _analyst_workbook(project, analysis, root, asked: bool) -> Path | None:
    """Write the person-level workbook when asked (flag or setting), else remove a stale one:
    it must never outlive the analysis it was made from."""
    from .workbook import ANALYST_WORKBOOK, write_analyst_workbook

    folder = project.processed_dir(root)
    if asked or project.settings.analyst_workbook:
        return write_analyst_workbook(analysis, folder, language=project.settings.language)
    (folder / ANALYST_WORKBOOK).unlink(missing_ok=True)
    return None


def _print_published(project, analysis, paths) -> None:
    lang = project.settings.language
    stages = analysis.manifest.get("stages", {})
    timings = ", ".join(f"{k} {v['seconds']:.1f} s" for k, v in stages.items()
                        if isinstance(v, dict) and v.get("seconds") is not None)
    report = ", ".join(f"{k} {v:.1f} s" for k, v in analysis.manifest.get("report", {}).items())
    if timings:
        console.print(timings + (f"; {report}" if report else ""), highlight=False)
    for key in ("html", "xlsx", "figures", "notebooks", "analyst_workbook"):
        if paths.get(key) is not None:
            console.print(tr("cli_written", lang, path=paths[key]))


@app.command()
def compare(
    config_a: Annotated[Path, typer.Argument(help="Survey config of the earlier (reference) wave.",
                                             show_default=False)],
    config_b: Annotated[Path, typer.Argument(help="Survey config of the later wave.",
                                             show_default=False)],
    root: RootOpt = Path("."),
    lang: LangOpt = None,
    refit: Annotated[bool, typer.Option(
        "--refit", help="Refit the typology on the later wave and match its groups to the "
        "reference ones, instead of assigning its interviews to the reference groups.")] = False,
) -> None:
    """Compare two waves: codes, words, typology groups, people interviewed again, schema.

    Each wave's analysis is read from data/processed/<wave>/ (run first when absent). Writes
    reports/compare_<waveA>_<waveB>/: compare.html, compare.xlsx and figures/ (PNG + SVG).
    """
    from .compare_report import run_compare

    language = lang.value if lang else None
    with _errors(language):
        cmp, paths = run_compare(config_a, config_b, root, refit=refit, language=language)
        n_changed = int(cmp.changed_codes().shape[0])
        console.print(f"{cmp.wave_a} ({cmp.n_a}) -> {cmp.wave_b} ({cmp.n_b}): "
                      f"{n_changed} code(s) changed, {len(cmp.reinterviewed_ids)} re-interviewed, "
                      f"{len(cmp.drift)} schema difference(s)")
        console.print(tr("cli_written", cmp.settings.get("language", "fr"),
                         path=paths["html"].parent))


@contextlib.contextmanager
def _errors(language: str | None):
    """Turn the toolkit's errors into a readable message and an exit code, no traceback."""
    lang = language or "fr"
    try:
        yield
    except ConfigError as exc:
        err_console.print(f"[bold red]{tr('config_error', lang)}[/]")
        err_console.print(f"  {tr('cli_file', lang)} : {exc.file}", highlight=False)
        if exc.key:
            err_console.print(f"  {tr('cli_key', lang)} : {exc.key}", highlight=False)
        err_console.print(f"  {exc.message}", highlight=False)
        raise typer.Exit(EXIT_CONFIG_ERROR) from None
    except ValidationFailed as exc:
        _print_report(exc.report, exc.report_path, stream=err_console)
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(EXIT_DATA_ERRORS) from None
    except DialogueAnalysisError as exc:  # any other error an analyst can act on
        err_console.print(f"[bold red]{exc}[/]", highlight=False)
        raise typer.Exit(EXIT_DATA_ERRORS) from None


@contextlib.contextmanager
def _progress():
    """A spinner with the current step; yields the callback the pipeline calls."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("…", total=None)

        def update(message: str, done: int | None = None, total: int | None = None) -> None:
            progress.update(task, description=message, completed=done, total=total)

        yield update


def _print_report(report: ValidationReport, path, stream: Console = console) -> None:
    """Problems as a table: errors first (up to MAX_ROWS_SHOWN), then a few warnings.

    The file is shown by its name and the sheet column only when some problem has a sheet, so
    that the message keeps most of the width of a terminal.
    """
    if not len(report):
        return
    lang = report.language
    problems = report.errors[:MAX_ROWS_SHOWN] + report.warnings[:MAX_WARNINGS_SHOWN]
    columns = [c for c in DISPLAY_COLUMNS if c != "sheet" or any(p.sheet for p in problems)]
    table = Table(title=tr("report_title", lang), show_lines=False, expand=False)
    for column in columns:
        wide = column == "message"
        table.add_column(
            tr(f"col_{column}", lang),
            overflow="fold",
            no_wrap=column in ("row", "severity"),
            ratio=3 if wide else None,
            min_width=20 if wide else None,
        )
    for row, problem in zip(table_rows(problems, lang, width=40), problems, strict=True):
        cells = dict(zip(DISPLAY_COLUMNS, row, strict=True))
        cells["file"] = Path(cells["file"]).name
        style = "red" if problem.severity == "error" else "yellow"
        table.add_row(*(cells[c] for c in columns), style=style)
    stream.print(table)
    hidden = len(report) - len(problems)
    if hidden:
        stream.print(tr("report_more", lang, n=hidden, path=path or "CSV"))
    elif path is not None and report.has_errors:
        stream.print(tr("cli_failure_report", lang, path=path))
    stream.print(report.counts_text())
