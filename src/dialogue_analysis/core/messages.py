"""The messages of ingestion, validation and the command line, in French and English.

Kept apart from the code that uses them, so a translator edits one file (see :func:`core.i18n.tr`).
"""

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
    "notebooks_not_found": (
        "dossier des notebooks introuvable : {path}. Donnez-le avec --notebooks DOSSIER (le "
        "dossier notebooks/ du projet), ou --no-notebooks pour publier sans eux.",
        "notebooks folder not found: {path}. Give it with --notebooks FOLDER (the project's "
        "notebooks/ folder), or --no-notebooks to publish without them.",
    ),
    "cli_failure_report": ("Rapport complet : {path}", "Full report: {path}"),
    "cli_ingested": (
        "{records} {units}, {answers} réponses ({wave})",
        "{records} {units}, {answers} answers ({wave})",
    ),
    "step_read": ("Lecture de {file}", "Reading {file}"),
    "step_validate": ("Validation", "Validating"),
    "step_write": ("Écriture de {path}", "Writing {path}"),
    "step_summary": ("Résumé descriptif", "Descriptive summary"),
    # --- descriptive summary ---
    "sum_title": ("Résumé de la vague {wave}", "Summary of wave {wave}"),
    "sum_counts": (
        "{records} {units}, {answers} réponses à {questions} questions.",
        "{records} {units}, {answers} answers to {questions} questions.",
    ),
    "sum_dates": ("Réponses du {first} au {last}.", "Answers from {first} to {last}."),
    "sum_by": ("Répartition par {field}", "Breakdown by {field}"),
    "sum_questions": ("Réponses par question", "Answers per question"),
    "sum_question": ("question", "question"),
    "sum_answers": ("réponses", "answers"),
    "sum_share": ("% des {units}", "% of {units}"),
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
