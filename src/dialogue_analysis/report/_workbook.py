"""The findings workbook (``reports/<wave>/findings.xlsx``): the tables behind the report.

One sheet per table, each with a frozen, filterable header row, sized columns and wrapped long
text, so that an analyst can check, filter and pivot every number of the report in Excel.

The published workbook holds no row per person: the findings, prevalences, cross tables, tests,
typology groups, themes, priorities, codebook, manifest, and the quotes the report shows (without
the respondent's id). The person-level tables (one row per interview, per answer, per coded
passage, the record x code matrix) go only into the analyst's workbook
(:func:`write_analyst_workbook`, ``data/processed/<wave>/analyst_workbook.xlsx``), written on
request and never under ``reports/``.

Safety of what is written:

- only pseudonymised text is written (the analysis never holds anything else);
- cross tables (group x category, group x code) have their small counts masked, and the
  complementary cells that would give them away, the same cells as in the report
  (:func:`~dialogue_analysis.disclosure.wave_suppression`,
  :func:`~dialogue_analysis.privacy.mask_counts`);
- quotes say who said them only as far as it singles no one out
  (:func:`~dialogue_analysis.report.quotes_table`);
- every text cell that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
  carriage return first) is prefixed with an apostrophe
  (:func:`~dialogue_analysis.privacy.neutralise_formula`) and stored as a string cell, so no
  cell of the workbook is ever a formula.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TIME_TYPES
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..analysis import Analysis
from ..core.adjusted import revealing_adjusted
from ..core.privacy import mask_counts, neutralise_formula
from ..core.storage import atomic_path
from ._columns import (
    ANALYST_WORKBOOK,
    DATE_FORMATS,
    NUMBER_FORMATS,
    column_description,
    number_format,
)
from ._disclosure import hidden_codes, hidden_typology
from ._masked_tests import findings_adjusted, fmt_band, published_tests
from ._reuse import published_manifest
from ._workbook_view import presented

HEADER_FILL = PatternFill("solid", fgColor="12324F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP_COLUMNS = {"text", "evidence", "description", "sentence", "label", "who", "needs", "terms",
                "top_terms", "wording", "value", "message"}
WIDE = 70  # characters: width of wrapped text columns

# Beside every test value of the typology groups: which ones are evidence.
_CIRCULAR = ("active = vrai : la variable a servi à former les groupes, sa valeur-test est forte "
             "par construction et n'est pas une preuve ; active = faux : variable illustrative, "
             "sa valeur-test est un constat",
             "active = true: the variable was used to form the groups, its test value is high "
             "by construction and is no evidence; active = false: illustrative variable, its "
             "test value is a finding")

# A test value or p-value beside a masked count is a function of that count and of published
# margins: it would give the count back exactly.
COUNT_TESTS = ("test_value", "p_value", "p_adjusted", "direction")

# sheet -> (French description, English description)
SHEETS = {
    "README": ("Ce classeur", "This workbook"),
    "columns": ("Ce que contient chaque colonne de chaque feuille",
                "What each column of each sheet holds"),
    "findings": ("Principaux enseignements, avec leurs chiffres", "Key findings with their figures"),
    "prevalence": ("Part des personnes évoquant chaque code, au total et par catégorie",
                   "Share of people raising each code, overall and by category"),
    "crosstabs": ("Codes par groupe et territoire : effectifs, parts, résidus (petits effectifs "
                  "masqués)", "Codes by group and territory: counts, shares, residuals (small "
                  "counts masked)"),
    "tests": ("Tests du khi-deux par code et dimension", "Chi-square tests by code and dimension"),
    "groups": ("Groupes de la typologie et leur description", "Typology groups and their "
               "description"),
    "group_profiles": ("Profils sur- et sous-représentés dans chaque groupe ; " + _CIRCULAR[0],
                       "Over- and under-represented profiles in each group; " + _CIRCULAR[1]),
    "group_codes": ("Codes sur- et sous-représentés dans chaque groupe ; " + _CIRCULAR[0],
                    "Over- and under-represented codes in each group; " + _CIRCULAR[1]),
    "group_terms": ("Vocabulaire spécifique de chaque groupe ; " + _CIRCULAR[0],
                    "Specific vocabulary of each group; " + _CIRCULAR[1]),
    "quotes": ("Verbatims cités dans le rapport", "Quotes shown in the report"),
    "themes": ("Thèmes émergents", "Emerging themes"),
    "theme_k_choice": ("Choix du nombre de thèmes : stabilité, cohérence et part du plus grand "
                       "thème pour chaque nombre essayé", "Choice of the number of themes: "
                       "stability, coherence and share of the largest theme for each number "
                       "tried"),
    "priority": ("Matrice de priorités", "Priority matrix"),
    "codebook": ("Dictionnaire de codes", "Codebook"),
    "coding_agreement": ("Accord du codage automatique avec la relecture de l'analyste (et entre "
                         "relecteurs) : précision, rappel, F1 avec intervalles à 95 %, kappa de "
                         "Cohen, par code et au total",
                         "Agreement of the automatic coding with the analyst's review (and "
                         "between reviewers): precision, recall, F1 with 95% intervals, Cohen's "
                         "kappa, per code and overall"),
    "manifest": ("Paramètres, versions et empreintes de l'analyse",
                 "Parameters, versions and hashes of the analysis"),
}
# Person-level sheets of the analyst's workbook only: one row per interview, answer or passage.
PERSON_SHEETS = {
    "records": ("Personnes : attributs et groupe de la typologie (une ligne par personne)",
                "Records: attributes and typology group (one row per person)"),
    "answers": ("Réponses pseudonymisées", "Pseudonymised answers"),
    "code_matrix": ("Matrice personne x code (1 = le code est présent)",
                    "Record x code matrix (1 = the code is present)"),
    "passages": ("Passages codés avec leur extrait (preuve)", "Coded passages with their evidence"),
}


def _masked_with_tests(table: pd.DataFrame, hide, min_count: int, derived: list[str]):
    """A typology table with its masked counts blanked with what is computed from them, and
    the adjusted p-values a masked row's p-value sets (the table is one family of tests)."""
    revealing = (revealing_adjusted(table, hide) if "p_adjusted" in table
                 else pd.Series(False, index=table.index))
    out = mask_counts(table, "count_in_group", min_count=min_count,
                      also=[*derived, *COUNT_TESTS], hide=hide)
    if "p_adjusted" in out:
        out["p_adjusted"] = out["p_adjusted"].mask(revealing.to_numpy())
    return out


def _cell_value(v):
    if v is None:
        return None
    if isinstance(v, list | tuple | np.ndarray):
        return "; ".join(str(x) for x in v)
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime().replace(tzinfo=None)
    if isinstance(v, bool | int | float):
        return v
    if isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False, default=str)
    return fit_excel_cell(neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", str(v))))


EXCEL_CELL_LIMIT = 32_767  # characters Excel keeps in a cell; it silently drops the rest
CUT_MARKER = " […]"


def fit_excel_cell(text: str) -> str:
    """``text`` cut to what an Excel cell holds, ending with a visible " […]" when cut."""
    if len(text) <= EXCEL_CELL_LIMIT:
        return text
    return text[: EXCEL_CELL_LIMIT - len(CUT_MARKER)] + CUT_MARKER


def write_sheet(wb: Workbook, name: str, df: pd.DataFrame, *,
                identifiers: list[str] | None = None, date_format: str | None = None) -> None:
    """Add ``df`` as sheet ``name``: bold frozen header, auto-filter, widths, wrapped text.

    ``identifiers`` names each column as the analysis tables do (its header may be a label in
    the report's language): the number format and text wrapping follow the identifier.

    Every cell is styled as it is made and the row appended once, so that ``wb`` may be a
    write-only workbook (:func:`_write` uses one): rows then go straight to disk and a table
    of any length costs no more memory than its own frame.
    """
    ws = wb.create_sheet(title=name[:31])
    columns = [str(c) for c in df.columns]
    ids = identifiers or columns
    # Widths, wrapping and number formats are decided per column before any row is written.
    wrapped, formats = [], []
    for j, col in enumerate(columns):
        values = df.iloc[:, j] if len(df) else pd.Series([], dtype=object)
        longest = max([len(col)] + [len(str(x)) for x in values.head(500) if x is not None])
        wrap = ids[j] in WRAP_COLUMNS and longest > WIDE
        ws.column_dimensions[get_column_letter(j + 1)].width = (
            WIDE if wrap else min(max(10, longest + 2), 45))
        wrapped.append(wrap)
        formats.append(number_format(ids[j]))
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(df) + 1)}"
    header = Alignment(vertical="center", wrap_text=True)
    ws.append([_styled(ws, _cell_value(c), fill=HEADER_FILL, font=HEADER_FONT, alignment=header)
               for c in columns])
    wrap = Alignment(wrap_text=True, vertical="top")
    dates = date_format or NUMBER_FORMATS["date"]
    for row in df.itertuples(index=False, name=None):
        ws.append([_data_cell(ws, _cell_value(v), wrap if w else None, fmt, dates)
                   for v, w, fmt in zip(row, wrapped, formats, strict=True)])


def _styled(ws, value, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    for key, v in style.items():
        setattr(cell, key, v)
    # Text is stored as text: nothing written here may become a formula.
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _data_cell(ws, value, alignment, fmt, date_format):
    """A data cell: shares as percentages, p-values with four decimals, statistics with two,
    dates as dates, long text wrapped; a plain value when it needs no style."""
    style = {"alignment": alignment} if alignment is not None else {}
    if fmt and isinstance(value, int | float) and not isinstance(value, bool):
        style["number_format"] = fmt
    elif isinstance(value, TIME_TYPES):
        style["number_format"] = date_format
    elif not style and not (isinstance(value, str) and value.startswith("=")):
        return value
    return _styled(ws, value, **style)


def _flatten(d, prefix="") -> list[tuple[str, str]]:
    out = []
    for k, v in (d or {}).items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v:
            out += _flatten(v, key + ".")
        else:
            out.append((key, json.dumps(v, ensure_ascii=False, default=str)
                        if isinstance(v, list | dict) else str(v)))
    return out


def workbook_tables(a: Analysis, language: str | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of the published workbook (masked, labelled): no row per person."""
    return _tables(a, language or a.language, person_level=False)


def analyst_workbook_tables(a: Analysis, language: str | None = None) -> dict[str, pd.DataFrame]:
    """The sheets of the analyst's workbook: the published ones, the quotes with their record
    ids, and the person-level tables (:data:`PERSON_SHEETS`), all pseudonymised."""
    return _tables(a, language or a.language, person_level=True)


def _tables(a: Analysis, lang: str, *, person_level: bool) -> dict[str, pd.DataFrame]:
    from ._notebook_tables import key_findings
    from ._sections import quotes_table

    m = a.min_cell_count
    labels = a.code_labels(lang)
    label_of = lambda s: s.map(lambda c: labels.get(str(c), str(c)))  # noqa: E731
    group_names = {g: a.group_label(g, lang) for g in a.groups["group"]} if len(a.groups) else {}

    records = a.records.copy()
    if "typology_group" in records:
        records["typology_label"] = records["typology_group"].map(group_names)
    records = records.assign(**{c: records[c].astype(str).where(records[c].notna())
                                for c in records.columns
                                if isinstance(records[c].dtype, pd.CategoricalDtype)})

    findings = a.findings.copy()
    if len(findings) and "p_adjusted" in findings and len(a.contrasts):
        contrasts = a.contrasts.reset_index(drop=True)
        findings["p_adjusted"] = findings_adjusted(findings, contrasts,
                                                   hidden_codes(a, contrasts))
    findings.insert(1, "sentence", key_findings(a, lang)["sentence"].to_numpy())
    findings.insert(6, "label", label_of(findings["code"]))

    passages = a.passages.copy()
    if len(passages):
        passages.insert(3, "label", label_of(passages["code"]))

    prev = a.prevalence.copy()
    prev.insert(3, "label", label_of(prev["code"]))
    cross = prev["dimension"] != "all"
    masked = mask_counts(prev[cross], "count", min_count=m, also=["share", "ci_low", "ci_high"],
                         hide=hidden_codes(a, prev[cross]))
    prev = pd.concat([prev[~cross].assign(masked=False), masked], ignore_index=True)

    ctab = a.crosstabs.copy()
    if len(ctab):
        hide = hidden_codes(a, ctab)
        ctab = mask_counts(ctab, "count", min_count=m, also=["share", "expected", "residual"],
                           hide=hide)
    if "label" not in ctab and len(ctab):
        ctab.insert(3, "label", label_of(ctab["code"]))

    groups = a.groups.copy()
    if len(groups):
        def listing(table, col, g, label=None):
            t = table[(table["group"] == g) & (table["test_value"] >= 2)]
            if "count_in_group" in t:
                t = t[t["count_in_group"] >= m]
            t = t.sort_values("test_value", ascending=False).head(5)
            return "; ".join((label(x) if label else str(x)) for x in t[col])
        groups["who"] = [listing(a.group_categories, "category", g) for g in groups["group"]]
        groups["needs"] = [listing(a.group_codes, "code", g, lambda c: labels.get(c, c))
                           for g in groups["group"]]
        terms = a.group_terms
        groups["terms"] = [", ".join(str(t).replace("_", " ") for t in terms[
            (terms["group"] == g) & (terms["test_value"] > 0)].head(10)["term"])
            if len(terms) else "" for g in groups["group"]]

    gcat = a.group_categories
    if len(gcat) and "count_in_group" in gcat:
        gcat = _masked_with_tests(gcat, hidden_typology(a, gcat), m,
                                  ["share_in_group", "share_in_category"])
    gcodes = a.group_codes
    if len(gcodes) and "count_in_group" in gcodes:
        gcodes = _masked_with_tests(gcodes, hidden_codes(a, gcodes, dimension="typology_group",
                                                         category="group"), m,
                                    ["share_in_group", "ci_low", "ci_high"])

    tests = published_tests(a)
    tests["p_band"] = [fmt_band(b, lang) for b in tests["p_band"]]

    quotes = quotes_table(a, lang)
    # The respondent's id would lead back to the interview: the analyst's workbook only.
    if not person_level:
        quotes = quotes.drop(columns=["record_id"])

    themes = a.themes.copy()
    if "top_terms" in themes:
        themes["top_terms"] = themes["top_terms"].map(
            lambda t: ", ".join(str(x) for x in (list(t) if t is not None else [])))

    priority = a.priority.copy()
    priority.insert(1, "label", label_of(priority["code"]))

    # The date the analysis was made, not how long it took (see published_manifest).
    created = {"created": a.manifest["created"]} if "created" in a.manifest else {}
    manifest = pd.DataFrame(
        _flatten({"wave": a.wave, "settings": a.settings, **created,
                  **published_manifest(a.manifest)}),
        columns=["key", "value"])
    person = {
        "records": records,
        "answers": a.answers,
        "code_matrix": a.code_matrix.rename_axis("record_id").reset_index()
        if len(a.code_matrix.columns) else pd.DataFrame(columns=["record_id"]),
        "passages": passages,
    } if person_level else {}
    sheets = {
        "findings": findings,
        **person,
        "prevalence": prev,
        "crosstabs": ctab,
        "tests": tests,
        "groups": groups,
        "group_profiles": gcat,
        "group_codes": gcodes,
        "group_terms": a.group_terms,
        "quotes": quotes,
        "themes": themes,
        **({"theme_k_choice": a.theme_k_evidence} if len(a.theme_k_evidence) else {}),
        "priority": priority,
        "codebook": a.codebook,
        **({"coding_agreement": a.coding_agreement} if len(a.coding_agreement) else {}),
        "manifest": manifest,
    }
    described = {**SHEETS, **PERSON_SHEETS}
    lang_i = 0 if lang == "fr" else 1
    readme = pd.DataFrame([{"sheet": k, "description": described[k][lang_i]}
                           for k in ["columns", *sheets]])
    labels = {**a.code_labels(lang),
              **{c: a.attribute_label(c, lang) for c in a.records.columns}}
    columns = pd.DataFrame(
        [{"sheet": name, "column": str(col), "description": column_description(str(col), lang,
                                                                               labels)}
         for name, df in {"README": readme, "columns": pd.DataFrame(
             columns=["sheet", "column", "description"]), **sheets}.items()
         for col in df.columns],
        columns=["sheet", "column", "description"])
    return {"README": readme, "columns": columns, **sheets}


def write_workbook(a: Analysis, path: str | os.PathLike, *, language: str | None = None) -> Path:
    """Write ``findings.xlsx`` atomically; see the module notes for what makes it safe.

    Sheet names, headers and labels are in the report's language
    (:func:`~dialogue_analysis.report._workbook_view.presented`).
    """
    lang = language or a.language
    return _write(presented(workbook_tables(a, lang), a, lang), path,
                  title=f"{a.wave}: findings", date_format=DATE_FORMATS.get(lang))


def write_analyst_workbook(a: Analysis, processed_dir: str | os.PathLike, *,
                           language: str | None = None) -> Path:
    """Write the person-level ``analyst_workbook.xlsx`` in the wave's processed folder.

    For the analyst's own checks (filter the answers, read a passage in its context); it is
    pseudonymised like every table of ``data/processed/`` but it singles people out, so it is
    never written under ``reports/`` and never published.

    Raises
    ------
    ValueError
        If ``processed_dir`` lies inside a folder named ``reports``.
    """
    folder = Path(processed_dir)
    if any(part.casefold() == "reports" for part in folder.resolve().parts):
        raise ValueError(f"{folder}: the analyst's workbook has one row per person; it is "
                         "never written under reports/ (use data/processed/<wave>/)")
    lang = language or a.language
    return _write(presented(analyst_workbook_tables(a, lang), a, lang),
                  folder / ANALYST_WORKBOOK,
                  title=f"{a.wave}: analyst workbook (person-level, not for publication)",
                  date_format=DATE_FORMATS.get(lang))


def write_tables(tables: dict[str, pd.DataFrame], path: str | os.PathLike, *, title: str) -> Path:
    """Write one sheet per table (:func:`write_sheet`) into a workbook, atomically."""
    return _write([(name, df, [str(c) for c in df.columns]) for name, df in tables.items()],
                  path, title=title)


def _write(sheets: list[tuple[str, pd.DataFrame, list[str]]], path: str | os.PathLike, *,
           title: str, date_format: str | None = None) -> Path:
    wb = Workbook(write_only=True)
    for name, df, ids in sheets:
        write_sheet(wb, name, df, identifiers=ids, date_format=date_format)
    wb.properties.creator = "dialogue-analysis"
    wb.properties.title = title
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
