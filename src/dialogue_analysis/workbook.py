"""The findings workbook (``reports/<wave>/findings.xlsx``): every table behind the report.

One sheet per table, each with a frozen, filterable header row, sized columns and wrapped long
text, so that an analyst can check, filter and pivot every number of the report in Excel.

Safety of what is written:

- only pseudonymised text is written (the analysis never holds anything else);
- cross tables (group x category, group x code) have their small counts masked
  (:func:`~dialogue_analysis.privacy.mask_counts`);
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
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .analysis import Analysis
from .privacy import mask_counts, neutralise_formula
from .storage import atomic_path

HEADER_FILL = PatternFill("solid", fgColor="12324F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP_COLUMNS = {"text", "evidence", "description", "sentence", "label", "who", "needs", "terms",
                "top_terms", "wording", "value", "message"}
WIDE = 70  # characters: width of wrapped text columns

# sheet -> (French description, English description)
SHEETS = {
    "README": ("Ce classeur", "This workbook"),
    "findings": ("Principaux enseignements, avec leurs chiffres", "Key findings with their figures"),
    "records": ("Entretiens : attributs et groupe de la typologie (pseudonymisés)",
                "Interviews: attributes and typology group (pseudonymised)"),
    "answers": ("Réponses pseudonymisées", "Pseudonymised answers"),
    "code_matrix": ("Matrice entretien x code (1 = le code est présent)",
                    "Record x code matrix (1 = the code is present)"),
    "passages": ("Passages codés avec leur extrait (preuve)", "Coded passages with their evidence"),
    "prevalence": ("Part des personnes évoquant chaque code, au total et par catégorie",
                   "Share of people raising each code, overall and by category"),
    "crosstabs": ("Codes par groupe et territoire : effectifs, parts, résidus (petits effectifs "
                  "masqués)", "Codes by group and territory: counts, shares, residuals (small "
                  "counts masked)"),
    "tests": ("Tests du khi-deux par code et dimension", "Chi-square tests by code and dimension"),
    "groups": ("Groupes de la typologie et leur description", "Typology groups and their "
               "description"),
    "group_profiles": ("Profils sur- et sous-représentés dans chaque groupe",
                       "Over- and under-represented profiles in each group"),
    "group_codes": ("Codes sur- et sous-représentés dans chaque groupe",
                    "Over- and under-represented codes in each group"),
    "group_terms": ("Vocabulaire spécifique de chaque groupe", "Specific vocabulary of each group"),
    "quotes": ("Verbatims cités dans le rapport", "Quotes shown in the report"),
    "themes": ("Thèmes émergents", "Emerging themes"),
    "priority": ("Matrice de priorités", "Priority matrix"),
    "codebook": ("Dictionnaire de codes", "Codebook"),
    "manifest": ("Paramètres, versions, empreintes et durées de l'analyse",
                 "Parameters, versions, hashes and timings of the analysis"),
}


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


def write_sheet(wb: Workbook, name: str, df: pd.DataFrame) -> None:
    """Add ``df`` as sheet ``name``: bold frozen header, auto-filter, widths, wrapped text."""
    ws = wb.create_sheet(title=name[:31])
    columns = [str(c) for c in df.columns]
    ws.append([_cell_value(c) for c in columns])
    for row in df.itertuples(index=False, name=None):
        ws.append([_cell_value(v) for v in row])
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    # Text is stored as text: nothing written here may become a formula.
    for row in ws.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, col in enumerate(columns, 1):
        letter = get_column_letter(j)
        values = df.iloc[:, j - 1] if len(df) else pd.Series([], dtype=object)
        longest = max([len(col)] + [len(str(x)) for x in values.head(500) if x is not None])
        if col in WRAP_COLUMNS and longest > WIDE:
            ws.column_dimensions[letter].width = WIDE
            for cell in ws[letter][1:]:
                cell.alignment = wrap
        else:
            ws.column_dimensions[letter].width = min(max(10, longest + 2), 45)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(df) + 1)}"


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
    """The tables of the workbook, by sheet name, ready to write (masked, labelled)."""
    from .report import key_findings

    lang = language or a.language
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
    findings.insert(1, "sentence", key_findings(a, lang)["sentence"].to_numpy())
    findings.insert(6, "label", label_of(findings["code"]))

    passages = a.passages.copy()
    if len(passages):
        passages.insert(3, "label", label_of(passages["code"]))

    prev = a.prevalence.copy()
    prev.insert(3, "label", label_of(prev["code"]))
    cross = prev["dimension"] != "all"
    masked = mask_counts(prev[cross], "count", min_count=m, also=["share", "ci_low", "ci_high"])
    prev = pd.concat([prev[~cross].assign(masked=False), masked], ignore_index=True)

    ctab = a.crosstabs.copy()
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
        gcat = mask_counts(gcat, "count_in_group", min_count=m,
                           also=["share_in_group", "share_in_category"])
    gcodes = a.group_codes
    if len(gcodes) and "count_in_group" in gcodes:
        gcodes = mask_counts(gcodes, "count_in_group", min_count=m,
                             also=["share_in_group", "ci_low", "ci_high"])

    quotes = pd.concat([
        a.finding_quotes.assign(source="finding", ref=a.finding_quotes["finding"].astype(str)),
        a.group_quotes.assign(source="typology_group", ref=a.group_quotes["group"].astype(str)),
        a.theme_quotes.assign(source="theme", ref=a.theme_quotes["theme"].astype(str)),
    ], ignore_index=True)
    quotes = quotes.loc[:, ["source", "ref", "rank", "record_id", "question_id", "text"]]

    themes = a.themes.copy()
    if "top_terms" in themes:
        themes["top_terms"] = themes["top_terms"].map(
            lambda t: ", ".join(str(x) for x in (list(t) if t is not None else [])))

    priority = a.priority.copy()
    priority.insert(1, "label", label_of(priority["code"]))

    manifest = pd.DataFrame(
        _flatten({"wave": a.wave, "settings": a.settings, **a.manifest}),
        columns=["key", "value"])
    lang_i = 0 if lang == "fr" else 1
    readme = pd.DataFrame([{"sheet": k, "description": v[lang_i]} for k, v in SHEETS.items()
                           if k != "README"])
    return {
        "README": readme,
        "findings": findings,
        "records": records,
        "answers": a.answers,
        "code_matrix": a.code_matrix.rename_axis("record_id").reset_index()
        if len(a.code_matrix.columns) else pd.DataFrame(columns=["record_id"]),
        "passages": passages,
        "prevalence": prev,
        "crosstabs": ctab,
        "tests": a.crosstab_tests,
        "groups": groups,
        "group_profiles": gcat,
        "group_codes": gcodes,
        "group_terms": a.group_terms,
        "quotes": quotes,
        "themes": themes,
        "priority": priority,
        "codebook": a.codebook,
        "manifest": manifest,
    }


def write_workbook(a: Analysis, path: str | os.PathLike, *, language: str | None = None) -> Path:
    """Write ``findings.xlsx`` atomically; see the module notes for what makes it safe."""
    return write_tables(workbook_tables(a, language), path, title=f"{a.wave}: findings")


def write_tables(tables: dict[str, pd.DataFrame], path: str | os.PathLike, *, title: str) -> Path:
    """Write one sheet per table (:func:`write_sheet`) into a workbook, atomically."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        write_sheet(wb, name, df)
    wb.properties.creator = "dialogue-analysis"
    wb.properties.title = title
    path = Path(path)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path
