"""Validation report of an ingestion: every problem found, at once, located as the analyst sees it.

A problem names the file, the sheet, the row number (the Excel row number, or the line number a
text editor shows for a CSV file), the column header, the value, its severity and a message in
French or English. Errors stop the ingestion (:class:`ValidationFailed`); warnings are reported
and the ingestion goes on.

The module also holds the toolkit's message table (French and English) and the text folding used
to match labels whatever their case, accents or spacing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..core.errors import DialogueAnalysisError

if TYPE_CHECKING:  # config imports this module: the type is only needed for annotations
    from ._config import Attribute

ERROR = "error"
WARNING = "warning"
LANGUAGES = ("fr", "en")

# One entry per message: {code: (french, english)}; placeholders are str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- survey config (ConfigError) ---
    "yaml_syntax": ("syntaxe YAML invalide : {detail}", "invalid YAML syntax: {detail}"),
    "config_not_found": ("fichier introuvable", "file not found"),
    "config_not_mapping": (
        "le fichier doit contenir des clés (« clé: valeur »), pas {got}",
        "the file must hold keys (“key: value”), not {got}",
    ),
    "duplicate_key": (
        "clé « {key} » répétée (ligne {line}) : la seconde écraserait la première",
        "key “{key}” repeated (line {line}): the second would override the first",
    ),
    "unknown_key": (
        "clé inconnue{hint} ; clés possibles : {allowed}",
        "unknown key{hint}; possible keys: {allowed}",
    ),
    "unknown_key_hint": (
        " (vouliez-vous dire « {suggestion} » ?)",
        " (did you mean “{suggestion}”?)",
    ),
    "bad_wave": (
        "nom de vague invalide {got!r} : un nom de dossier, ex. sample-2018",
        "invalid wave name {got!r}: a folder name, e.g. sample-2018",
    ),
    "missing_key": ("clé obligatoire absente", "required key missing"),
    "wrong_type": (
        "attendu : {expected} ; trouvé : {got!r}",
        "expected: {expected}; found: {got!r}",
    ),
    "not_one_of": (
        "valeur {got!r} non reconnue ; valeurs possibles : {allowed}",
        "value {got!r} not recognised; possible values: {allowed}",
    ),
    "key_not_for_type": (
        "la clé « {key} » ne s'applique pas au type {type}",
        "key “{key}” does not apply to type {type}",
    ),
    "key_not_for_shape": (
        "la clé « {key} » ne s'applique pas à la forme {shape} ({hint})",
        "key “{key}” does not apply to the {shape} shape ({hint})",
    ),
    "sheet_not_excel": (
        "« sheet » ne s'applique qu'aux fichiers Excel",
        "“sheet” only applies to Excel files",
    ),
    "unsupported_format": (
        "format de fichier non pris en charge ({suffix}) ; formats lus : .xlsx, .xlsm, .csv, .tsv, .txt, .json",
        "unsupported file format ({suffix}); formats read: .xlsx, .xlsm, .csv, .tsv, .txt, .json",
    ),
    "empty_list": ("la liste ne doit pas être vide", "the list must not be empty"),
    "duplicate_value": ("{what} « {value} » déclaré deux fois", "{what} “{value}” declared twice"),
    "synonym_unknown_value": (
        "« {value} » n'est pas une des valeurs déclarées{hint}",
        "“{value}” is not one of the declared values{hint}",
    ),
    "synonym_conflict": (
        "le synonyme « {synonym} » désigne à la fois « {first} » et « {second} »",
        "synonym “{synonym}” points to both “{first}” and “{second}”",
    ),
    "bad_identifier": (
        "nom {name!r} invalide : lettres minuscules, chiffres et « _ », sans accent (ex. : stakeholder_group)",
        "invalid name {name!r}: lower-case letters, digits and “_”, no accent (e.g. stakeholder_group)",
    ),
    "reserved_name": (
        "nom réservé par la boîte à outils : {name!r}",
        "name reserved by the toolkit: {name!r}",
    ),
    "quote_label": (
        "{got!r} est lu comme un booléen par YAML : mettez-le entre guillemets",
        "{got!r} is read as a boolean by YAML: put it in quotes",
    ),
    "min_above_max": ("min est supérieur à max", "min is greater than max"),
    "bad_date_format": (
        'format de date invalide {got!r} (ex. : "%d/%m/%Y")',
        'invalid date format {got!r} (e.g. "%d/%m/%Y")',
    ),
    "k_range": (
        "deux entiers [min, max] avec 2 <= min <= max",
        "two integers [min, max] with 2 <= min <= max",
    ),
    "at_least": ("doit valoir au moins {minimum}", "must be at least {minimum}"),
    "codebook_missing": (
        "dictionnaire des codes introuvable : {path}",
        "codebook not found: {path}",
    ),
    "codebook_undeclared": (
        "aucun dictionnaire des codes déclaré (clé « codebook »)",
        "no codebook declared (key “codebook”)",
    ),
    # --- codebook (ConfigError) ---
    "cb_unreadable": (
        "impossible de lire le dictionnaire des codes : {detail}",
        "cannot read the codebook: {detail}",
    ),
    "cb_bad_word": (
        "mot {word!r} invalide : « * » ne peut que terminer un mot d'au moins 2 lettres",
        "bad word {word!r}: '*' may only end a word of at least 2 letters",
    ),
    "cb_expected_keys": ("attendu : des clés parmi {allowed}", "expected a mapping with keys {allowed}"),
    "cb_expected_list": ("attendu : une liste", "expected a list"),
    "cb_expected_text": (
        "attendu : un texte non vide ; trouvé : {got!r}",
        "expected a non-empty string, got {got!r}",
    ),
    "cb_bad_regex": (
        "expression régulière invalide {item!r} : {detail}",
        "bad regular expression {item!r}: {detail}",
    ),
    "cb_several_words": (
        "{item!r} contient plusieurs mots : mettez-le dans « phrases »",
        "{item!r} has several words: put it in 'phrases'",
    ),
    "cb_gap": ("{item!r} : « ... » doit être entre deux mots", "{item!r}: '...' must be between two words"),
    "cb_missing_label": (
        "libellé manquant (un texte non vide est obligatoire)",
        "missing label (a non-empty string is required)",
    ),
    "cb_not_mapping": (
        "un dictionnaire des codes est fait de clés, dont « families »",
        "a codebook is a mapping with a 'families' key",
    ),
    "cb_no_families": (
        "absente ou vide : donnez au moins une famille de codes",
        "missing or empty: give at least one family of codes",
    ),
    "cb_no_codes": ("absente ou vide : donnez au moins un code", "missing or empty: give at least one code"),
    "cb_no_pattern": ("absente : donnez au moins un motif", "missing: give at least one pattern"),
    "cb_bad_id": (
        "un identifiant de {what} s'écrit en lettres minuscules, chiffres et « _ »",
        "a {what} id is lower-case letters, digits and '_'",
    ),
    "cb_family": ("famille", "family"),
    "cb_code": ("code", "code"),
    "input_not_found": ("fichier de données introuvable : {path}", "data file not found: {path}"),
    "sheet_not_found": (
        "feuille « {sheet} » absente ; feuilles du classeur : {available}",
        "sheet “{sheet}” not found; sheets of the workbook: {available}",
    ),
    "header_row_missing": (
        "le fichier n'a que {n} ligne(s) : pas d'en-tête à la ligne {row}",
        "the file has only {n} line(s): no header on line {row}",
    ),
    "header_row_inside_cell": (
        "la ligne {row} est au milieu d'une cellule sur plusieurs lignes : indiquez la ligne où commence l'en-tête",
        "line {row} is inside a multi-line cell: give the line where the header starts",
    ),
    # --- validation problems (rows of the report) ---
    "empty_file": ("fichier vide", "empty file"),
    "no_rows": ("aucune ligne de données sous l'en-tête", "no data rows under the header"),
    "not_excel": (
        "ce fichier n'est pas un classeur Excel (.xlsx) valide{hint}",
        "this file is not a valid Excel workbook (.xlsx){hint}",
    ),
    "not_excel_xls": (
        " : c'est l'ancien format .xls ; ouvrez-le dans Excel et enregistrez-le en .xlsx",
        ": it is the old .xls format; open it in Excel and save it as .xlsx",
    ),
    "not_excel_text": (
        " : il contient du texte (un CSV renommé ?) ; renommez-le en .csv",
        ": it holds plain text (a renamed CSV?); rename it to .csv",
    ),
    "not_json": ("fichier JSON illisible : {detail}", "unreadable JSON file: {detail}"),
    "json_not_list": (
        "le JSON doit être une liste d'objets ([{{...}}, {{...}}])",
        "the JSON must be a list of objects ([{{...}}, {{...}}])",
    ),
    "json_not_object": (
        "cet élément n'est pas un objet {{...}}",
        "this item is not an object {{...}}",
    ),
    "bad_encoding": (
        "impossible de lire le fichier avec l'encodage {encoding} : {detail}",
        "cannot read the file with encoding {encoding}: {detail}",
    ),
    "bytes_replaced": (
        "{n} octet(s) illisible(s) en UTF-8 comme en cp1252, remplacé(s) par « � » ; "
        "indiquez l'encodage du fichier (clé encoding) si vous le connaissez",
        "{n} byte(s) readable neither as UTF-8 nor as cp1252, replaced by “�”; "
        "give the file's encoding (key encoding) if you know it",
    ),
    "utf16_without_bom": (
        "fichier en UTF-16 sans marque d'ordre (BOM), lu comme {encoding} ; enregistrez-le en "
        "UTF-8 pour éviter toute ambiguïté",
        "UTF-16 file without a byte-order mark (BOM), read as {encoding}; save it as UTF-8 to "
        "avoid any ambiguity",
    ),
    "text_is_zip": (
        "ce fichier est un classeur Excel (.xlsx) ou une archive zip, pas un fichier texte : "
        "renommez-le en .xlsx (ou exportez-le en CSV depuis Excel)",
        "this file is an Excel workbook (.xlsx) or a zip archive, not a text file: rename it to "
        ".xlsx (or export it as CSV from Excel)",
    ),
    "text_is_xls": (
        "ce fichier est un ancien classeur Excel (.xls), pas un fichier texte : ouvrez-le dans "
        "Excel et enregistrez-le en .xlsx ou en CSV UTF-8",
        "this file is an old Excel workbook (.xls), not a text file: open it in Excel and save "
        "it as .xlsx or as UTF-8 CSV",
    ),
    "binary_content": (
        "ce fichier ne contient pas du texte ({n} octets de contrôle sur les {total} premiers) : "
        "est-ce bien le fichier des entretiens ? un fichier abîmé ou d'un autre format ?",
        "this file does not hold text ({n} control bytes in the first {total}): is it the "
        "interviews file? a damaged file or one of another format?",
    ),
    "nul_bytes": (
        "{n} octet(s) nul(s) (\\0) supprimé(s), ligne(s) {lines} : le fichier a peut-être été "
        "abîmé à l'enregistrement ; vérifiez ces lignes",
        "{n} NUL byte(s) (\\0) removed, line(s) {lines}: the file may have been damaged when "
        "saved; check these lines",
    ),
    "wrong_separator": (
        "l'en-tête n'est pas découpé en colonnes avec le séparateur « {used} » ; avec « {better} » "
        "on trouve {found} des {total} colonnes attendues : {how}",
        "the header is not split into columns by the separator “{used}”; with “{better}”, "
        "{found} of the {total} expected columns are found: {how}",
    ),
    "separator_set": (
        "mettez separator: \"{better}\" (ou auto) dans la section table de la configuration",
        "set separator: \"{better}\" (or auto) in the table section of the config",
    ),
    "separator_auto": (
        "indiquez separator: \"{better}\" dans la section table de la configuration",
        "set separator: \"{better}\" in the table section of the config",
    ),
    "missing_column": (
        "colonne absente du fichier (clé « {key} » de {config}){hint}",
        "column missing from the file (key “{key}” of {config}){hint}",
    ),
    "ambiguous_column": (
        "plusieurs colonnes portent cet en-tête (colonnes {positions}) ; renommez-en une",
        "several columns have this header (columns {positions}); rename one",
    ),
    "unused_column": (
        "colonne non utilisée par la configuration (ajoutez-la à ignore_columns pour taire cet avertissement)",
        "column not used by the config (add it to ignore_columns to silence this warning)",
    ),
    "missing_id": ("identifiant d'entretien vide", "empty interview id"),
    "duplicate_id": (
        "identifiant « {value} » en double : lignes {rows}",
        "duplicate id “{value}”: rows {rows}",
    ),
    "required_missing": (
        "valeur obligatoire manquante ({field})",
        "required value missing ({field})",
    ),
    "value_not_allowed": (
        "« {value} » n'est pas une valeur permise de {field}{hint}",
        "“{value}” is not an allowed value of {field}{hint}",
    ),
    "did_you_mean": (" ; vouliez-vous dire « {suggestion} » ?", "; did you mean “{suggestion}”?"),
    "allowed_list": (" (valeurs permises : {allowed})", " (allowed values: {allowed})"),
    "bad_date": (
        "date illisible ({field}) ; formats attendus : {formats}",
        "unreadable date ({field}); expected formats: {formats}",
    ),
    "impossible_date": ("cette date n'existe pas ({field})", "this date does not exist ({field})"),
    "out_of_range": (
        "valeur hors de l'intervalle permis ({field} : {bounds})",
        "value outside the allowed range ({field}: {bounds})",
    ),
    "not_a_number": (
        "nombre attendu ({field}), texte trouvé",
        "number expected ({field}), text found",
    ),
    "required_answer_missing": (
        "réponse obligatoire vide (question {question})",
        "required answer empty (question {question})",
    ),
    "optional_answer_missing": (
        "réponse vide (question {question})",
        "empty answer (question {question})",
    ),
    "unknown_question": (
        "question « {value} » non déclarée dans la configuration : {count} réponse(s) ignorée(s)",
        "question “{value}” not declared in the config: {count} answer(s) ignored",
    ),
    "duplicate_answer": (
        "deuxième réponse de « {value} » à la question {question} (ligne {first}) : les textes sont mis bout à bout",
        "second answer of “{value}” to question {question} (line {first}): the texts are joined",
    ),
    "no_respondent": (
        "aucun répondant « {value} » dans {respondents} : réponse gardée, attributs vides",
        "no respondent “{value}” in {respondents}: answer kept, attributes empty",
    ),
    "duplicate_respondent": (
        "répondant « {value} » en double : lignes {rows}",
        "duplicate respondent “{value}”: rows {rows}",
    ),
    "formula_kept_as_text": (
        "formule sans valeur calculée enregistrée, gardée telle qu'écrite : « {formula} » "
        "(une réponse commençant par « = ») ; si c'est un calcul, ouvrez et enregistrez le "
        "fichier dans Excel ou LibreOffice",
        "formula without a saved computed value, kept as written: “{formula}” (an answer "
        "starting with “=”); if it is a calculation, open and save the file in Excel or "
        "LibreOffice",
    ),
    "formula_error_value": (
        "formule en erreur ({error}) : {formula} ; une réponse commençant par « = » a été "
        "prise pour une formule : retapez-la précédée d'une apostrophe (')",
        "formula in error ({error}): {formula}; an answer starting with “=” was taken for a "
        "formula: type it again after an apostrophe (')",
    ),
    # --- coding ---
    "nothing_coded": (
        "le dictionnaire des codes {codebook} n'a trouvé aucun code dans les {n} réponses : {why}",
        "the codebook {codebook} found no code in the {n} answers: {why}",
    ),
    "nothing_coded_english": (
        "les réponses semblent écrites en anglais, or ses motifs sont des mots français ; "
        "traduisez le dictionnaire ou vérifiez le fichier d'entretiens",
        "the answers look English while its patterns are French words; translate the codebook "
        "or check the interviews file",
    ),
    "nothing_coded_other_study": (
        "est-ce le dictionnaire de cette étude (clé codebook de la configuration) ? ses motifs "
        "ne correspondent à aucun mot des réponses",
        "is it this study's codebook (key codebook of the config)? none of its patterns matches "
        "a word of the answers",
    ),
    # --- typology settings against the wave ---
    "typo_too_few": (
        "{n} entretien(s) : il en faut au moins 3 pour former des groupes (typologie)",
        "{n} interview(s): at least 3 are needed to form groups (typology)",
    ),
    "typo_n_clusters": (
        "settings.n_clusters = {k} : impossible de former {k} groupes avec {n} entretiens "
        "(au plus {top}) ; mettez « n_clusters: auto » ou un nombre de 2 à {top}",
        "settings.n_clusters = {k}: {k} groups cannot be formed from {n} interviews "
        "(at most {top}); set “n_clusters: auto” or a number from 2 to {top}",
    ),
    "typo_k_range": (
        "settings.k_range = [{low}, {high}] dépasse ce que permettent {n} entretiens : "
        "seuls {tried} groupes sont essayés",
        "settings.k_range = [{low}, {high}] goes beyond what {n} interviews allow: "
        "only {tried} groups are tried",
    ),
    "typo_small_wave": (
        "vague de {n} entretien(s) : trop peu pour des groupes d'au moins {size} entretiens ; "
        "la typologie ({tried} groupes) est donnée à titre indicatif",
        "wave of {n} interview(s): too few for groups of at least {size} interviews; "
        "the typology ({tried} groups) is only indicative",
    ),
    # --- report and command line texts ---
    "report_title": ("Rapport de validation", "Validation report"),
    "report_counts": (
        "{errors} erreur(s), {warnings} avertissement(s)",
        "{errors} error(s), {warnings} warning(s)",
    ),
    "report_none": ("Aucun problème.", "No problem."),
    "value_withheld": ("[contenu masqué]", "[content withheld]"),
    "report_more": (
        "… et {n} autre(s) ligne(s) : voir {path}",
        "… and {n} more row(s): see {path}",
    ),
    "col_file": ("fichier", "file"),
    "col_sheet": ("feuille", "sheet"),
    "cli_rows": ("lignes", "rows"),
    "col_row": ("ligne", "row"),
    "col_column": ("colonne", "column"),
    "col_value": ("valeur", "value"),
    "col_severity": ("gravité", "severity"),
    "col_message": ("message", "message"),
    "sev_error": ("erreur", "error"),
    "sev_warning": ("avertissement", "warning"),
    "validation_failed": (
        "la validation a trouvé {errors} erreur(s) : rien n'a été écrit",
        "validation found {errors} error(s): nothing was written",
    ),
    "config_error": ("Erreur de configuration", "Configuration error"),
    "cli_file": ("fichier", "file"),
    "cli_key": ("clé", "key"),
    "cli_bug": (
        "Erreur inattendue de dialogue-analysis (un défaut de l'outil, pas de vos données) : {error}",
        "Unexpected error in dialogue-analysis (a defect of the tool, not of your data): {error}",
    ),
    "cli_bug_log": (
        "Détails techniques enregistrés dans {path} : joignez ce fichier en signalant le problème "
        "(relisez-le d'abord : il peut citer une cellule du fichier d'entretiens).",
        "Technical details saved in {path}: attach this file when reporting the problem "
        "(read it first: it may quote a cell of the interviews file).",
    ),
    "cli_os_error": (
        "Impossible de lire ou d'écrire {path} : {detail}. Vérifiez que le dossier existe, que "
        "vous pouvez y écrire et que le fichier n'est pas ouvert dans une autre application.",
        "Cannot read or write {path}: {detail}. Check that the folder exists, that you may "
        "write in it and that the file is not open in another application.",
    ),
    "cli_interrupted": ("Interrompu.", "Interrupted."),
    "cli_written": ("Écrit : {path}", "Written: {path}"),
    "cli_failure_report": ("Rapport complet : {path}", "Full report: {path}"),
    "cli_ingested": (
        "{records} entretiens, {answers} réponses ({wave})",
        "{records} interviews, {answers} answers ({wave})",
    ),
    "step_read": ("Lecture de {file}", "Reading {file}"),
    "step_validate": ("Validation", "Validating"),
    "step_write": ("Écriture de {path}", "Writing {path}"),
    "step_summary": ("Résumé descriptif", "Descriptive summary"),
    # --- descriptive summary ---
    "sum_title": ("Résumé de la vague {wave}", "Summary of wave {wave}"),
    "sum_counts": (
        "{records} entretiens, {answers} réponses à {questions} questions.",
        "{records} interviews, {answers} answers to {questions} questions.",
    ),
    "sum_dates": ("Entretiens du {first} au {last}.", "Interviews from {first} to {last}."),
    "sum_by": ("Répartition par {field}", "Breakdown by {field}"),
    "sum_questions": ("Réponses par question", "Answers per question"),
    "sum_question": ("question", "question"),
    "sum_answers": ("réponses", "answers"),
    "sum_share": ("% des entretiens", "% of interviews"),
    "sum_median_words": ("mots (médiane)", "words (median)"),
    "sum_value": ("valeur", "value"),
    "sum_n": ("effectif", "count"),
    "sum_pct": ("%", "%"),
    "sum_missing": ("(non renseigné)", "(missing)"),
    "sum_warnings": (
        "La validation a signalé {warnings} avertissement(s) : voir {path}.",
        "Validation reported {warnings} warning(s): see {path}.",
    ),
    "field_stakeholder_group": ("famille de parties prenantes", "stakeholder group"),
    "field_profile": ("profil", "profile"),
    "field_territory": ("territoire", "territory"),
    "field_age_band": ("tranche d'âge", "age band"),
}


def tr(code: str, language: str = "fr", /, **params) -> str:
    """Message ``code`` in ``language`` ("fr" or "en"), formatted with ``params``."""
    french, english = MESSAGES[code]
    return (english if language == "en" else french).format(**params)


_FOLD_TABLE = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "ʼ": "'",
        "–": "-",
        "—": "-",
        "‑": "-",
        "‐": "-",
        "−": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "œ": "oe",
        "Œ": "oe",
        "æ": "ae",
        "Æ": "ae",
    }
)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Key used to match labels: case, accents, apostrophe and dash variants and spacing ignored.

    ``"  Zone  RURALE "``, ``"zone rurale"`` and ``"Zone rurâle"`` share a key; so do
    ``"65 - 74 ans"`` and ``"65-74 ans"`` (spaces around ``-`` and ``/`` do not count).
    """
    text = unicodedata.normalize("NFKD", str(text).translate(_FOLD_TABLE))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = " ".join(text.split())
    return text.replace(" -", "-").replace("- ", "-").replace(" /", "/").replace("/ ", "/")


def closest(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``value`` (compared folded), or None if none is close enough."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(fold(candidate), candidate)
    match = difflib.get_close_matches(fold(value), list(by_key), n=1, cutoff=cutoff)
    return by_key[match[0]] if match else None


@dataclass(frozen=True)
class Problem:
    """One row of the validation report.

    ``row`` is the number the analyst sees: the Excel row number, or for a CSV or JSON file the
    line number shown by a text editor (where the record starts). ``None`` for a file-level problem.
    """

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    severity: str
    code: str
    message: str
    # The message's parameters, kept to write it again without the cell's content (redacted()).
    params: dict | None = field(default=None, compare=False, repr=False)


REPORT_COLUMNS = tuple(f.name for f in fields(Problem) if f.name != "params")
# Problems whose value is an interview id, a respondent key or a question id: ids are published
# with the quotes anyway. The value of any other problem is a cell of the interviews file (an
# answer, a note, a category typed by hand) and may hold a name, a phone number, an e-mail...
ID_VALUE_CODES = frozenset({"missing_id", "duplicate_id", "duplicate_respondent", "no_respondent",
                            "duplicate_answer", "unknown_question"})
_CELL_PARAMS = ("value", "formula", "got")


class ValidationReport:
    """All the problems found while reading a wave, in the order of the files and rows."""

    def __init__(self, problems: Iterable[Problem] = (), language: str = "fr"):
        self.language = language
        self._problems: list[Problem] = list(problems)
        self._files: list[str] = []

    def register_file(self, file: str) -> None:
        """Note a file as read, so that its problems are listed in reading order."""
        if str(file) not in self._files:
            self._files.append(str(file))

    def add(self, file, sheet, row, column, value, severity, code, message,
            params: dict | None = None) -> Problem:
        """Record a problem; ``value`` is shown as text (truncated in the readable report only).

        ``params`` are the parameters the message was written with (see :meth:`redacted`).
        """
        text = None if value is None else str(value)
        problem = Problem(str(file), sheet, row, column, text, severity, code, message, params)
        self._problems.append(problem)
        return problem

    def redacted(self) -> ValidationReport:
        """The same problems without the contents of the file's cells, for files under reports/.

        A value that is not an id (:data:`ID_VALUE_CODES`) is replaced by a marker, in the
        ``value`` column and in the message (a category typed with a person's name, a formula,
        an unreadable date may all hold identifiers). File, sheet, row and column still locate
        the cell; the terminal shows the full report.
        """
        marker = tr("value_withheld", self.language)
        out = ValidationReport(language=self.language)
        out._files = list(self._files)
        for p in self._problems:
            if p.value is None or p.code in ID_VALUE_CODES:
                out._problems.append(p)
                continue
            if p.params is not None:
                params = {k: marker if k in _CELL_PARAMS else v for k, v in p.params.items()}
                message = tr(p.code, self.language, **params)
            else:
                message = p.message.replace(p.value, marker) if p.value else p.message
            out._problems.append(replace(p, value=marker, message=message))
        return out

    @property
    def problems(self) -> list[Problem]:
        """Problems sorted by file (in order of reading), then row; file-level problems first."""
        files = dict.fromkeys(self._files + [p.file for p in self._problems])
        order = {f: i for i, f in enumerate(files)}
        return sorted(self._problems, key=lambda p: (order[p.file], p.row or 0))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self._problems)

    def __len__(self) -> int:
        return len(self._problems)

    def __iter__(self):
        return iter(self.problems)

    def to_frame(self) -> pd.DataFrame:
        """The report as a DataFrame (one row per problem, columns of :class:`Problem`)."""
        rows = [{k: getattr(p, k) for k in REPORT_COLUMNS} for p in self.problems]
        frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def counts_text(self) -> str:
        """E.g. ``"2 erreur(s), 1 avertissement(s)"``."""
        return tr(
            "report_counts", self.language, errors=len(self.errors), warnings=len(self.warnings)
        )

    def to_csv_text(self) -> str:
        """CSV for Excel: UTF-8 with BOM and ``;`` so that a French Excel opens it directly."""
        from ..core.privacy import csv_text

        return "\ufeff" + csv_text(self.to_frame(), index=False, sep=";", lineterminator="\r\n")

    def to_markdown(self, limit: int | None = None, more_path: str | None = None) -> str:
        """Readable report: a title, the counts, then a table of the problems (errors first)."""
        lang = self.language
        lines = [f"# {tr('report_title', lang)}", "", self.counts_text(), ""]
        rows = table_rows(self.errors + self.warnings, lang)
        if not rows:
            lines.append(tr("report_none", lang))
            return "\n".join(lines) + "\n"
        header = [tr(f"col_{c}", lang) for c in DISPLAY_COLUMNS]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        shown = rows if limit is None else rows[:limit]
        for row in shown:
            lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
        if len(shown) < len(rows):
            lines += [
                "",
                tr("report_more", lang, n=len(rows) - len(shown), path=more_path or "CSV"),
            ]
        return "\n".join(lines) + "\n"


DISPLAY_COLUMNS = ("file", "sheet", "row", "column", "value", "severity", "message")


def table_rows(
    problems: Sequence[Problem], language: str = "fr", width: int = 60
) -> list[list[str]]:
    """Problems as lists of display strings (value shortened to ``width`` characters)."""
    out = []
    for p in problems:
        value = "" if p.value is None else " ".join(p.value.split())
        if len(value) > width:
            value = value[: width - 1] + "…"
        severity = tr(f"sev_{p.severity}", language)
        row = "" if p.row is None else str(p.row)
        out.append([p.file, p.sheet or "", row, p.column or "", value, severity, p.message])
    return out


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report_from_frame(frame: pd.DataFrame, language: str = "fr") -> ValidationReport:
    """Rebuild a report from :meth:`ValidationReport.to_frame` (e.g. read back from CSV)."""
    report = ValidationReport(language=language)
    for rec in frame.to_dict("records"):
        clean = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
        if clean["row"] is not None:
            clean["row"] = int(clean["row"])
        report.add(**{k: clean[k] for k in REPORT_COLUMNS})
    return report


class ValidationFailed(DialogueAnalysisError):
    """The data has errors: ``report`` lists all of them (and the warnings).

    ``report_path`` is set by the pipeline to where it saved the report (else None).
    """

    def __init__(self, report: ValidationReport):
        self.report = report
        self.report_path = None
        super().__init__(tr("validation_failed", report.language, errors=len(report.errors)))


# ----------------------------------------------------------------------------------------------
# Cells: text, missing values, and the check of a value against its attribute's type
# ----------------------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DATE_SHAPE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")
_LIST_ALLOWED_UP_TO = 12


def cell_text(value) -> str | None:
    """A cell as stripped text (``None`` when empty); numbers without a spurious ``.0``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(t for t in map(cell_text, value) if t) or None
    return str(value)


def answer_text(value) -> str | None:
    """An answer's text: line endings made ``\\n``, ends stripped, inner spacing kept."""
    text = cell_text(value)
    if text is None:
        return None
    # Excel escapes a carriage return inside a cell as _x000D_.
    text = text.replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip() or None


def is_missing(text: str | None, missing: frozenset[str]) -> bool:
    """Whether a cell's text is empty or one of the (folded) missing-value tokens."""
    return text is None or fold(text) in missing


@dataclass(frozen=True)
class Issue:
    """A problem with one value: its code, the value at fault, the message's parameters."""

    code: str
    value: str | None
    params: dict = field(default_factory=dict)


def check_value(
    attr: Attribute, raw, missing: frozenset[str], language: str = "fr"
) -> tuple[Any, list[Issue]]:
    """Canonical value of a raw cell for an attribute, and the issues found.

    Parameters
    ----------
    attr : Attribute
        The declared attribute (type, allowed values and synonyms, formats, bounds).
    raw : object
        The cell as read: text, number, date, None, or a list (JSON multi-select).
    missing : frozenset of str
        Folded missing-value tokens.
    language : {"fr", "en"}
        Language of the suggestions in the issues' parameters.

    Returns
    -------
    value : object or None
        Canonical value (None when missing or in error).
    issues : list of Issue
    """
    text = cell_text(raw)
    if is_missing(text, missing) and not isinstance(raw, list):
        issues = [Issue("required_missing", text, {"field": attr.name})] if attr.required else []
        return None, issues
    return _CHECKS[attr.type](attr, raw, text, missing, language)


def _check_label(attr, raw, text, missing, language):
    value = attr.canonical(text)
    return value, ([] if value is not None else [_not_allowed(attr, text, language)])


def _check_multi(attr, raw, text, missing, language):
    items = raw if isinstance(raw, list) else text.split(attr.separator)
    found, issues = set(), []
    for item in map(cell_text, items):
        if not item or fold(item) in missing:
            continue
        value = attr.canonical(item)
        if value is None:
            issues.append(_not_allowed(attr, item, language))
        else:
            found.add(value)
    return "|".join(v for v in attr.values if v in found), issues


def _not_allowed(attr, text: str, language: str) -> Issue:
    label = closest(text, attr.labels)
    if label is not None:
        hint = tr("did_you_mean", language, suggestion=attr.canonical(label))
    elif len(attr.values) <= _LIST_ALLOWED_UP_TO:
        hint = tr("allowed_list", language, allowed=", ".join(attr.values))
    else:
        hint = ""
    return Issue("value_not_allowed", text, {"value": text, "field": attr.name, "hint": hint})


def _check_date(attr, raw, text, missing, language):
    value = None
    if isinstance(raw, dt.datetime):
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        value = (_EXCEL_EPOCH + dt.timedelta(days=int(raw))).date()  # an Excel serial number
    else:
        for fmt in attr.formats:
            try:
                value = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
    if value is None:
        code = "impossible_date" if _looks_like_date(text) else "bad_date"
        return None, [Issue(code, text, {"field": attr.name, "formats": ", ".join(attr.formats)})]
    return _check_range(attr, value, text)


def _looks_like_date(text: str) -> bool:
    """Day-month-year (or year-month-day) numbers in range, yet not a real date (31/02)."""
    match = _DATE_SHAPE.match(text)
    if not match:
        return False
    a, b, c = (int(g) for g in match.groups())
    return (1 <= a <= 31 and 1 <= b <= 12) or (a > 999 and 1 <= b <= 12 and 1 <= c <= 31)


def _check_number(attr, raw, text, missing, language):
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _check_range(attr, float(raw), text)
    try:  # French habits: decimal comma, spaces between thousands
        value = float(re.sub(r"[\s\u202f\u00a0]", "", text).replace(",", "."))
    except ValueError:
        return None, [Issue("not_a_number", text, {"field": attr.name})]
    return _check_range(attr, value, text)


def _check_range(attr, value, text):
    low, high = attr.minimum, attr.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{'' if low is None else low} – {'' if high is None else high}"
        return None, [Issue("out_of_range", text, {"field": attr.name, "bounds": bounds})]
    return value, []


def _check_text(attr, raw, text, missing, language):
    return text, []


_CHECKS = {
    "categorical": _check_label,
    "ordinal": _check_label,
    "multi": _check_multi,
    "date": _check_date,
    "numeric": _check_number,
    "text": _check_text,
}
