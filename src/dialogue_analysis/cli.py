"""Command line of dialogue-analysis: ``dialogue-analysis ingest|run|review CONFIG``,
``dialogue-analysis compare CONFIG_A CONFIG_B``.

Thin on purpose: it loads the project, calls :mod:`dialogue_analysis.pipeline`, and turns the
toolkit's errors into readable messages and exit codes (1: the data has errors or a file cannot
be read or written, 2: the survey config or the codebook has an error, 3: an unexpected error of
the toolkit, whose traceback goes to a log file, never to the terminal). Everything it does can
be done from Python.
"""

from __future__ import annotations

import contextlib
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text
from typer import core as typer_core
from typer.core import TyperCommand, TyperGroup

from . import __version__, pipeline
from .core.errors import (  # noqa: F401  (LOG_DIR_ENV, bug_log_dir: where a defect is logged)
    LOG_DIR_ENV,
    ConfigError,
    DialogueAnalysisError,
    DialogueAnalysisWarning,
    bug_log_dir,
    write_bug_log,
)
from .core.i18n import tr, unit_names
from .ingest import ValidationFailed, ValidationReport, load_project, report_lines

EXIT_DATA_ERRORS = 1
EXIT_CONFIG_ERROR = 2
EXIT_BUG = 3
EXIT_INTERRUPTED = 130
# Where the traceback of an unexpected error is written: outside the project, so that it never
# lands in a published folder (it may quote a cell of the interviews file).


# typer says the few words of its own help (section titles, "required", "default") through
# gettext's ``_``, bound when it is imported: the help speaks French throughout, as the rest of
# the help and the messages do. The usage line is written by _FrenchHelp.format_usage.
_TYPER_WORDS_FR = {
    "Commands": "Commandes",
    "required": "obligatoire",
    "default: {default}": "par défaut : {default}",
    "(dynamic)": "(calculé)",
    "Aborted!": "Interrompu.",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
}


def _typer_word(message: str) -> str:
    return _TYPER_WORDS_FR.get(message, message)


typer_core._ = _typer_word


class _FrenchHelp:
    """The --help option described in French, as the rest of the help and the messages."""

    def format_usage(self, ctx, formatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="Utilisation : ")

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "Afficher cette aide et quitter."
        return option


class _Group(_FrenchHelp, TyperGroup):
    pass


class _Command(_FrenchHelp, TyperCommand):
    pass


app = typer.Typer(
    help=(
        "dialogue-analysis : des entretiens du dialogue parties prenantes (Excel, CSV, JSON) "
        "à un rapport de constats étayés. Chaque commande prend la configuration d'enquête "
        "d'une vague (survey.yaml, à côté du fichier d'entretiens), qui dit quelle colonne "
        "contient quoi."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no type placeholders such as <bool> after flags
    cls=_Group,
)
console = Console()
err_console = Console(stderr=True)


class Language(StrEnum):
    fr = "fr"
    en = "en"


ConfigArg = Annotated[
    Path,
    typer.Argument(
        help="Configuration d'enquête de la vague (YAML), ex. data/raw/sample-2018/survey.yaml.",
        show_default=False,
        metavar="CONFIG",
    ),
]
RootOpt = Annotated[
    Path,
    typer.Option(
        "--root",
        help="Dossier sous lequel sont écrits data/interim/<vague>/, data/processed/<vague>/ et "
        "reports/<vague>/.",
        file_okay=False,
        metavar="DOSSIER",
    ),
]
LangOpt = Annotated[
    Language | None,
    typer.Option(
        "--lang",
        help="Langue des messages et des rapports (par défaut : settings.language de la "
        "configuration).",
        metavar="fr|en",
    ),
]

NotebooksOpt = Annotated[
    Path | None,
    typer.Option("--notebooks", help="Dossier des notebooks exécutés dans "
                 "reports/<vague>/notebooks/ (par défaut : notebooks/ du projet, cherché "
                 "depuis la configuration puis le dossier courant).", file_okay=False,
                 metavar="DOSSIER"),
]
NoNotebooksOpt = Annotated[
    bool, typer.Option("--no-notebooks", help="Ne pas exécuter les notebooks."),
]
AnalystWorkbookOpt = Annotated[
    bool, typer.Option("--analyst-workbook", help="Écrire aussi le classeur de l'analyste, une "
                       "ligne par entretien et par réponse, data/processed/<vague>/"
                       "analyst_workbook.xlsx (pseudonymisé, jamais publié). Par défaut : "
                       "settings.analyst_workbook de la configuration.", show_default=False),
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
            "--version", callback=_version, is_eager=True,
            help="Afficher la version et quitter."
        ),
    ] = False,
) -> None:
    """dialogue-analysis : entretiens du dialogue parties prenantes -> rapport de constats."""
NoExportsOpt = Annotated[
    bool, typer.Option("--no-exports", help="Ne pas écrire le rapport Word (findings.docx), la "
                       "présentation (findings.pptx) ni "
                       "les fichiers pour logiciels d'analyse qualitative (projet REFI-QDA .qdpx, "
                       "livre de codes .qdc, corpus IRaMuTeQ) de data/processed/<vague>/exports/.",
                       show_default=False),
]


@app.command(cls=_Command)
def ingest(config: ConfigArg, root: RootOpt = Path("."), lang: LangOpt = None) -> None:
    """Vérifier le fichier d'entretiens d'après la configuration et construire les tables.

    Tous les problèmes sont listés d'un coup (fichier, ligne, colonne, valeur). En cas
    d'erreur, rien n'est écrit dans data/ et la liste complète est enregistrée dans
    reports/<vague>/ingest_errors.csv (sans le contenu des cellules, qui peut identifier
    quelqu'un). Sinon les tables, texte brut compris, vont dans data/interim/<vague>/ (aussi
    sensible que les fichiers d'origine, jamais publié) et le rapport de validation, sans
    le contenu des cellules, dans data/processed/<vague>/.
    """
    language = lang.value if lang else None
    with _errors(language):
        project = load_project(config, language=language)
        with _progress() as progress:
            wave = pipeline.run_ingest(project, root, progress)
        _print_report(wave.report, project.interim_dir(root) / "validation.csv")
        lang = project.settings.language
        units = unit_names(project.survey.study.unit, lang)[1]
        _say(console, tr("cli_ingested", lang, records=len(wave.records), units=units,
                         answers=len(wave.answers), wave=wave.name))
        _say(console, tr("cli_written", project.settings.language,
                         path=project.processed_dir(root)))


@app.command(cls=_Command)
def run(
    config: ConfigArg,
    root: RootOpt = Path("."),
    lang: LangOpt = None,
    notebooks: NotebooksOpt = None,
    no_notebooks: NoNotebooksOpt = False,
    analyst_workbook: AnalystWorkbookOpt = False,
    no_exports: NoExportsOpt = False,
) -> None:
    """Toute l'analyse d'une vague : ingestion, analyse, puis les rapports.

    Ingestion et résumé descriptif (reports/<vague>/summary.md), puis chaque étape de
    l'analyse (pseudonymisation, TAL, codage, thèmes, typologie, tableaux croisés ; tables dans
    data/processed/<vague>/analysis/), puis le rapport de constats dans reports/<vague>/
    (findings.html, findings.xlsx, figures/, notebooks exécutés). Les réponses brutes sont
    gardées dans data/interim/<vague>/ (aussi sensible que les fichiers d'origine, jamais
    publié) ; tout ce qui est sous data/processed/ et reports/ est pseudonymisé.
    """
    from .analysis import run_analysis
    from .core import since_start, work_meanwhile

    startup = since_start()  # interpreter start-up and imports, for the run manifest
    _exit_lightly()
    language = lang.value if lang else None
    with _errors(language):
        project = load_project(config, language=language)
        validation = project.interim_dir(root) / "validation.csv"
        # The tables and the report are published together at the end, or not at all.
        # (the notebooks' kernel starts now, while the wave is ingested and the model loads)
        with pipeline.publishing(project, root), pipeline.notebook_kernel(
                project, root, notebooks, no_notebooks) as kernel:
            with _progress() as progress:
                # the analysis reads the wave back: none is kept here
                ctx, checked = pipeline.run_loading_model(project, root, progress)
            _print_report(checked, validation)
            console.print(Markdown(ctx.results["summary"]))
            # what the later stages import and build, while the anonymise stage's workers run
            ready = pipeline.later_stages_ready(project, notebooks=not no_notebooks,
                                                office=not no_exports)
            with _progress() as progress, work_meanwhile(ready), \
                    pipeline.EarlyExports(project, root, no_exports) as early:
                analysis = run_analysis(project, root, progress, after_coding=early)
                paths = pipeline.publish_wave(project, analysis, root, language, notebooks,
                                              no_notebooks, progress, no_exports,
                                              analyst_workbook,
                                              {"start-up": startup, **pipeline.run_usage(ctx)},
                                              kernel, early)
        _print_published(project, analysis, paths)


def _exit_lightly() -> None:
    """Spare the interpreter's exit its garbage-collector passes over a run's million objects
    (the models, the tables): seconds of CPU for memory the system takes back anyway. The
    objects left are frozen out of the collector once the exit has begun (an exit handler), so
    that a program calling this command in-process collects as before until it ends."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)  # once, however many runs a process makes
    atexit.register(gc.freeze)


@app.command(cls=_Command)
def report(
    config: ConfigArg,
    root: RootOpt = Path("."),
    lang: LangOpt = None,
    notebooks: NotebooksOpt = None,
    no_notebooks: NoNotebooksOpt = False,
    analyst_workbook: AnalystWorkbookOpt = False,
    no_exports: NoExportsOpt = False,
) -> None:
    """Écrire le rapport de constats d'une vague dans reports/<vague>/.

    findings.html (autonome, en français par défaut, --lang en pour l'anglais),
    findings.xlsx, figures/ (PNG 300 dpi + SVG) et les notebooks exécutés. L'analyse est lue
    dans data/processed/<vague>/analysis/ (rien n'est recalculé) ; elle est faite d'abord si
    elle manque. Chaque fichier est vérifié (aucun identifiant) avant d'être publié.
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
            paths = pipeline.publish_wave(project, analysis, root, language, notebooks,
                                          no_notebooks, progress, no_exports, analyst_workbook)
        _print_published(project, analysis, paths)


@app.command(cls=_Command)
def export(
    config: ConfigArg,
    to: Annotated[str, typer.Option(
        "--to", help="Format : docx, pptx (dans reports/<vague>/), qdpx, qdc, iramuteq (dans "
        "data/processed/<vague>/exports/, jamais publiés : un cas par personne).",
        show_default=False)],
    root: RootOpt = Path("."),
    lang: LangOpt = None,
) -> None:
    """Écrire un seul export à partir de l'analyse enregistrée (rien n'est recalculé).

    Le fichier est vérifié (aucun identifiant) avant d'être mis en place.
    """
    language = lang.value if lang else None
    with _errors(language):
        project = load_project(config, language=language)
        path = pipeline.export_saved(project, root, to, language)
        _say(console, tr("cli_written", project.settings.language, path=path))


@app.command("import-codebook", cls=_Command)
def import_codebook(
    source: Annotated[Path, typer.Argument(
        help="Livre de codes REFI-QDA (.qdc) ou projet (.qdpx) écrit par NVivo, ATLAS.ti, MAXQDA "
        "ou QualCoder.", show_default=False, metavar="SOURCE")],
    target: Annotated[Path, typer.Argument(
        help="Nouveau codebook.yaml à écrire (jamais écrasé).", show_default=False,
        metavar="TARGET")],
    lang: LangOpt = None,
) -> None:
    """Faire un codebook.yaml de départ à partir d'un livre de codes REFI-QDA.

    Codes, hiérarchie (codes de premier niveau = familles) et descriptions sont repris ; des
    motifs sont proposés à partir des noms et descriptions, chacun marqué « TO REVIEW » : à
    vérifier avant la première analyse.
    """
    from .report import write_imported_codebook

    language = lang.value if lang else "fr"
    with _errors(language):
        path = write_imported_codebook(source, target, language)
        _say(console, tr("cli_written", language, path=path))


def _print_published(project, analysis, paths) -> None:
    if timings := pipeline.timings_text(analysis):
        _say(console, timings)
    for key in ("html", "xlsx", "docx", "pptx", "figures", "notebooks", "analyst_workbook",
                "qdpx", "qdc", "iramuteq"):
        if paths.get(key) is not None:
            _say(console, tr("cli_written", project.settings.language, path=paths[key]))


@app.command(cls=_Command)
def compare(
    config_a: Annotated[Path, typer.Argument(
        help="Configuration d'enquête de la vague antérieure (de référence).",
        show_default=False, metavar="CONFIG_A")],
    config_b: Annotated[Path, typer.Argument(
        help="Configuration d'enquête de la vague suivante.", show_default=False,
        metavar="CONFIG_B")],
    root: RootOpt = Path("."),
    lang: LangOpt = None,
    refit: Annotated[bool, typer.Option(
        "--refit", help="Refaire la typologie sur la vague suivante et apparier ses groupes "
        "à ceux de référence, au lieu de rattacher ses entretiens aux groupes de référence.")
    ] = False,
) -> None:
    """Comparer deux vagues : codes, mots, groupes de la typologie, personnes réinterrogées,
    schéma.

    L'analyse de chaque vague est lue dans data/processed/<vague>/ (faite d'abord si elle
    manque). Écrit reports/compare_<vagueA>_<vagueB>/ : compare.html, compare.xlsx et figures/
    (PNG + SVG).
    """
    from .report import run_compare

    language = lang.value if lang else None
    with _errors(language):
        cmp, paths = run_compare(config_a, config_b, root, refit=refit, language=language)
        n_changed = int(cmp.changed_codes().shape[0])
        _say(console, f"{cmp.wave_a} ({cmp.n_a}) -> {cmp.wave_b} ({cmp.n_b}): "
                      f"{n_changed} code(s) changed, {len(cmp.reinterviewed_ids)} re-interviewed, "
                      f"{len(cmp.drift)} schema difference(s)")
        _say(console, tr("cli_written", cmp.settings.get("language", "fr"),
                         path=paths["html"].parent))


@app.command(cls=_Command)
def review(
    config: ConfigArg,
    root: RootOpt = Path("."),
    reviewer: Annotated[str, typer.Option(
        "--reviewer", help="Nom ou initiales du relecteur, enregistrés avec chaque décision.",
        metavar="NOM")] = "",
    target: Annotated[int, typer.Option(
        "--target", min=1, help="Nombre de réponses de l'échantillon de relecture (tiré au "
        "hasard, par question, avec settings.seed).")] = 100,
    port: Annotated[int, typer.Option("--port", help="Port local (0 : un port libre).")] = 0,
) -> None:
    """Relire le codage dans le navigateur : confirmer, retirer ou ajouter des codes.

    Ouvre une page locale (127.0.0.1 seulement, adresse protégée par un jeton) qui montre un
    échantillon aléatoire de réponses pseudonymisées de la dernière analyse (`run`), réponse par
    réponse. Les décisions sont enregistrées à chaque réponse dans
    <dossier de CONFIG>/review/<vague>.decisions.csv ; le prochain `run` les utilise. Les
    suggestions pour le dictionnaire qu'elles inspirent (motifs candidats, exclusions candidates)
    sont affichées sur la page et écrites dans <vague>.suggestions.csv à côté ; le dictionnaire
    n'est jamais modifié.
    """
    import getpass

    from .core.errors import DialogueAnalysisError
    from .review import ReviewSession, serve

    with _errors(None):
        project = load_project(config)
        try:
            session = ReviewSession.for_project(project, root, reviewer or getpass.getuser(),
                                                target)
        except FileNotFoundError as exc:
            raise DialogueAnalysisError(str(exc)) from None
        serve(session, port, announce=lambda url: _say(
            console, f"{url}\n{session.decisions_file} ; Ctrl+C pour arrêter.", "bold"))


def _say(stream: Console, text: str, style: str | None = None, indent: int = 0) -> None:
    """Print ``text`` as written: a value like ``[bold]x[/bold]`` is data, never markup.

    Long lines wrap to the terminal's width, ``indent`` spaces in."""
    stream.print(Padding(Text(str(text), style=style or ""), (0, 0, 0, indent), expand=False),
                 highlight=False)


@contextlib.contextmanager
def _errors(language: str | None):
    """Turn every error into a readable message and an exit code, never a traceback.

    The toolkit's warnings (:class:`DialogueAnalysisWarning`) are printed once each; the
    warnings of the libraries it uses (e.g. scikit-learn's) are kept off the terminal.
    """
    lang = language or "fr"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            try:
                yield
            finally:
                _print_warnings(caught, lang)
        except ConfigError as exc:
            _say(err_console, tr("config_error", lang), "bold red")
            _say(err_console, f"  {tr('cli_file', lang)} : {exc.file}")
            if exc.key:
                _say(err_console, f"  {tr('cli_key', lang)} : {exc.key}")
            _say(err_console, f"  {exc.message}")
            raise typer.Exit(EXIT_CONFIG_ERROR) from None
        except ValidationFailed as exc:
            _print_report(exc.report, exc.report_path, stream=err_console)
            _say(err_console, str(exc), "bold red")
            raise typer.Exit(EXIT_DATA_ERRORS) from None
        except DialogueAnalysisError as exc:  # any other error an analyst can act on
            _say(err_console, str(exc), "bold red")
            raise typer.Exit(EXIT_DATA_ERRORS) from None
        except KeyboardInterrupt:
            _say(err_console, tr("cli_interrupted", lang), "bold red")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except (typer.Exit, typer.Abort):
            raise
        except OSError as exc:  # a folder not writable, a disk full, a file locked by Excel...
            where = exc.filename or "?"
            _say(err_console, tr("cli_os_error", lang, path=where,
                                 detail=exc.strerror or type(exc).__name__), "bold red")
            raise typer.Exit(EXIT_DATA_ERRORS) from None
        except Exception as exc:  # a defect of the toolkit: say so, keep the traceback aside
            log = write_bug_log(exc, __version__)
            _say(err_console, tr("cli_bug", lang, error=f"{type(exc).__name__}: {exc}"),
                 "bold red")
            _say(err_console, tr("cli_bug_log", lang, path=log))
            raise typer.Exit(EXIT_BUG) from None


def _print_warnings(caught, lang: str) -> None:
    seen = set()
    for w in caught:
        message = str(w.message)
        if not issubclass(w.category, DialogueAnalysisWarning) or message in seen:
            continue
        seen.add(message)
        _say(err_console, f"{tr('sev_warning', lang)} : {message}", "yellow")


@contextlib.contextmanager
def _progress():
    """A spinner with the current step; yields the callback the pipeline calls."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),  # a file name is not markup
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("…", total=None)

        def update(message: str, done: int | None = None, total: int | None = None) -> None:
            progress.update(task, description=message, completed=done, total=total)

        yield update


def _print_report(report: ValidationReport, path, stream: Console = console) -> None:
    """Problems one per block (errors first, then a few warnings), readable in 80 columns."""
    for text, style, indent in report_lines(report, path):
        _say(stream, text, style, indent)


if __name__ == "__main__":
    app()
